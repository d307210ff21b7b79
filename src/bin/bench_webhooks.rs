//! Benchmark: webhook events delivered per second to a local receiver, and the delay from an
//! event's commit to its delivery (p50, p99), against running Yui instances with the demo
//! seeded and `YUI_WEBHOOK_ALLOW_PRIVATE=true` (README, "Measuring"). Not a test.
//!
//! It starts a receiver on 127.0.0.1, signs in as the demo coordinator, subscribes an
//! endpoint to every event type, then listens for SECONDS while something else makes events
//! (`bench_handovers` against the same database), and reports what arrived: distinct
//! `webhook-id`s, duplicates, events per second, and the delay from the event's
//! `occurred_at` (its unit of work's instant) to its arrival.
//!
//! `cargo run --release --bin bench_webhooks -- [BASE_URL] [SECONDS]`
//! (defaults http://127.0.0.1:8080, 30)
#![allow(clippy::print_stdout)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

/// One arrival: its webhook-id and the delay from the event to its arrival.
struct Arrival {
    id: String,
    delay: chrono::Duration,
}

fn percentile(sorted: &[chrono::Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
        .num_microseconds()
        .unwrap_or(0) as f64
        / 1000.0
}

async fn run(base: String, seconds: u64) -> Result<(), String> {
    let arrivals: Arc<Mutex<Vec<Arrival>>> = Arc::default();
    let sink = arrivals.clone();
    let server = HttpServer::new(move || {
        let sink = sink.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let sink = sink.clone();
            async move {
                let id = req
                    .headers()
                    .get("webhook-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let occurred = body["data"]["occurred_at"]
                    .as_str()
                    .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok());
                if let (Some(occurred), Ok(mut sink)) = (occurred, sink.lock()) {
                    sink.push(Arrival {
                        id,
                        delay: chrono::Utc::now() - occurred,
                    });
                }
                HttpResponse::NoContent().finish()
            }
        }))
    })
    .workers(2)
    .bind("127.0.0.1:0")
    .map_err(|e| e.to_string())?;
    let address = server.addrs().first().copied().ok_or("no address")?;
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);

    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": yui::demo::COORDINATOR_EMAIL, "password": yui::demo::COORDINATOR_PASSWORD}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let token = login["access_token"]
        .as_str()
        .ok_or_else(|| format!("sign-in: {login}"))?;
    let created = client
        .post(format!("{base}/api/v1/webhooks"))
        .bearer_auth(token)
        .json(&json!({"url": format!("http://{address}/hooks"),
                      "events": yui::domain::webhook::EVENT_TYPES,
                      "description": "bench_webhooks"}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if created.status().as_u16() != 201 {
        return Err(format!(
            "creating the endpoint: {} {} (is YUI_WEBHOOK_ALLOW_PRIVATE=true?)",
            created.status(),
            created.text().await.unwrap_or_default()
        ));
    }
    println!("receiver on {address}; listening {seconds} s");
    let started = Instant::now();
    let mut first: Option<Instant> = None;
    let mut last = Instant::now();
    let mut seen = 0;
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = arrivals.lock().map(|a| a.len()).unwrap_or(0);
        if now > seen {
            first.get_or_insert_with(Instant::now);
            last = Instant::now();
            seen = now;
        }
    }
    handle.stop(true).await;
    let arrivals = arrivals.lock().map_err(|e| e.to_string())?;
    let distinct: HashSet<&str> = arrivals.iter().map(|a| a.id.as_str()).collect();
    let mut delays: Vec<chrono::Duration> = arrivals.iter().map(|a| a.delay).collect();
    delays.sort();
    let span = first.map_or(0.0, |f| last.duration_since(f).as_secs_f64());
    #[allow(clippy::cast_precision_loss)]
    let rate = if span > 0.0 {
        distinct.len() as f64 / span
    } else {
        0.0
    };
    println!(
        "events {} (duplicates {}), {rate:.0} events/s over {span:.1} s; delay from event to \
         arrival p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        distinct.len(),
        arrivals.len() - distinct.len(),
        percentile(&delays, 0.5),
        percentile(&delays, 0.99),
        percentile(&delays, 1.0),
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(30);
    match actix_web::rt::System::new().block_on(run(base, seconds)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
