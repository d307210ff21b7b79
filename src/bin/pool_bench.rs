//! Benchmark: the rate of a bare insert (one audit row per transaction) through Yui's own pool
//! and blocking-pool path, to set the API's request rates beside. Not a test.
//!
//! `DATABASE_URL=... cargo run --release --bin pool_bench -- [INSERTS] [CONCURRENCY]`
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use uuid::Uuid;
use yui::config::Config;
use yui::db::audit::AuditRow;

#[actix_web::main]
async fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let inserts: usize = args
        .next()
        .map_or(Ok(5000), |a| a.parse())
        .map_err(|e| format!("INSERTS: {e}"))?;
    let concurrency: usize = args
        .next()
        .map_or(Ok(8), |a| a.parse())
        .map_err(|e| format!("CONCURRENCY: {e}"))?;
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let db = yui::server::prepare_database(&config)
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let db = db.clone();
        let share = inserts / concurrency + usize::from(worker < inserts % concurrency);
        tasks.push(actix_web::rt::spawn(async move {
            let mut latencies = Vec::with_capacity(share);
            for _ in 0..share {
                let row = AuditRow {
                    id: yui::domain::ids::AuditId::new(),
                    area_id: None,
                    actor_id: None,
                    action: "bench".into(),
                    entity: "bench".into(),
                    entity_id: Uuid::new_v4().to_string(),
                    request_id: None,
                    at: chrono::Utc::now().naive_utc(),
                };
                let t = Instant::now();
                db.transaction("bench.insert", move |conn| {
                    yui::db::audit::insert(conn, &row)
                })
                .await
                .map_err(|e| e.to_string())?;
                latencies.push(t.elapsed());
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(inserts);
    for task in tasks {
        latencies.extend(task.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let p = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{} bare inserts, {} at once, on {}: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        concurrency,
        config.database.describe(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        p(0.5).as_secs_f64() * 1000.0,
        p(0.99).as_secs_f64() * 1000.0
    );
    Ok(())
}
