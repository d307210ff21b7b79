//! Benchmark: handovers per second and their latency with concurrent phones, and a phone's
//! offline batch of 100, against a running Yui with the demo seeded (README, "Measuring").
//! Not a test.
//!
//! It locks and plans the demo date, brings every planned request to the hub and every run's
//! doors out for delivery, then gives each phone one door to cycle through the day's steps
//! (`door_failed` refused, `hub_returned`, `run_picked_up`): each is a whole handover (the
//! request's step, the handover row, audit and outbox) and the door can go round again.
//!
//! `cargo run --release --bin bench_handovers -- [BASE_URL] [PHONES] [SECONDS]`
//! (defaults http://127.0.0.1:8080, 16, 15)
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};

type Outcome<T> = Result<T, String>;

struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Outcome<(u16, Value)> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| e.to_string())?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> Outcome<(u16, Value)> {
        self.send(reqwest::Method::POST, path, Some(token), Some(body))
            .await
    }

    async fn get(&self, path: &str, token: &str) -> Outcome<Value> {
        let (status, body) = self
            .send(reqwest::Method::GET, path, Some(token), None)
            .await?;
        if status == 200 {
            Ok(body)
        } else {
            Err(format!("GET {path}: {status} {body}"))
        }
    }

    async fn sign_in(&self, email: &str, password: &str) -> Outcome<String> {
        let (_, body) = self
            .send(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await?;
        body["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("sign-in of {email}: {body}"))
    }

    async fn handover(&self, token: &str, body: Value) -> Outcome<()> {
        let (status, answer) = self.post("/api/v1/handovers", token, body).await?;
        if status == 201 || status == 200 {
            Ok(())
        } else {
            Err(format!("handover: {status} {answer}"))
        }
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// One phone's door: its run, hub, request and carrier.
#[derive(Clone)]
struct Door {
    run: Value,
    hub: Value,
    request: Value,
    token: String,
}

fn cycle(door: &Door) -> [Value; 3] {
    [
        json!({"id": new_id(), "kind": "door_failed", "occurred_at": now(), "run_id": door.run,
               "request_ids": [door.request], "reason": "refused"}),
        json!({"id": new_id(), "kind": "hub_returned", "occurred_at": now(), "run_id": door.run,
               "hub_id": door.hub, "request_ids": [door.request]}),
        json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": now(), "run_id": door.run,
               "request_ids": [door.request]}),
    ]
}

async fn prepare(api: &Api) -> Outcome<Vec<Door>> {
    let staff = api
        .sign_in(
            yui::demo::COORDINATOR_EMAIL,
            yui::demo::COORDINATOR_PASSWORD,
        )
        .await?;
    let areas = api.get("/api/v1/areas", &staff).await?;
    let area = areas["items"][0]["id"].clone();
    let requests = api.get("/api/v1/requests?limit=1", &staff).await?;
    let date = requests["items"][0]["delivery_date"].clone();
    let (status, plan) = api
        .post(
            "/api/v1/plans",
            &staff,
            json!({"area_id": area, "delivery_date": date, "lock": true}),
        )
        .await?;
    if status != 201 {
        return Err(format!("plan: {status} {plan}"));
    }
    let runs = plan["runs"].as_array().cloned().unwrap_or_default();
    for load in plan["post_loads"].as_array().cloned().unwrap_or_default() {
        let mut planned = Vec::new();
        for id in load["request_ids"].as_array().cloned().unwrap_or_default() {
            let request = api
                .get(
                    &format!("/api/v1/requests/{}", id.as_str().unwrap_or_default()),
                    &staff,
                )
                .await?;
            if request["status"] == "planned" {
                planned.push(id);
            }
        }
        if planned.is_empty() {
            continue;
        }
        let Some(trip_run) = runs
            .iter()
            .find(|r| r["carrier"]["id"] == load["post_trip_id"])
        else {
            continue;
        };
        for (kind, run) in [
            ("van_loaded", trip_run["id"].clone()),
            ("hub_received", Value::Null),
        ] {
            let mut body = json!({"id": new_id(), "kind": kind, "occurred_at": now(),
                                  "hub_id": load["hub_id"], "request_ids": planned,
                                  "crates": load["slots"]});
            if !run.is_null() {
                body["run_id"] = run;
            }
            api.handover(&staff, body).await?;
        }
    }
    let mut doors = Vec::new();
    for run in runs.iter().filter(|r| r["carrier"]["kind"] == "volunteer") {
        let name = run["carrier"]["name"].as_str().unwrap_or_default();
        let n = name.rsplit(' ').next().unwrap_or_default();
        let token = api
            .sign_in(
                &format!("volunteer{n}@nara-east.example.jp"),
                yui::demo::VOLUNTEER_PASSWORD,
            )
            .await?;
        let stops: Vec<Value> = run["stops"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| s.get("request_id").cloned())
            .collect();
        if stops.is_empty() {
            continue;
        }
        api.handover(
            &token,
            json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": now(),
                   "run_id": run["id"], "request_ids": stops}),
        )
        .await?;
        for request in stops {
            doors.push(Door {
                run: run["id"].clone(),
                hub: run["hub_id"].clone(),
                request,
                token: token.clone(),
            });
        }
    }
    Ok(doors)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[actix_web::main]
async fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let phones: usize = args
        .next()
        .map_or(Ok(16), |a| a.parse())
        .map_err(|e| format!("PHONES: {e}"))?;
    let seconds: u64 = args
        .next()
        .map_or(Ok(15), |a| a.parse())
        .map_err(|e| format!("SECONDS: {e}"))?;
    let api = std::rc::Rc::new(Api {
        base,
        client: reqwest::Client::new(),
    });
    let doors = prepare(&api).await?;
    if doors.len() < phones + 1 {
        return Err(format!(
            "the plan has {} doors; {phones} phones and the batch need {}",
            doors.len(),
            phones + 1
        ));
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for door in doors.iter().take(phones).cloned() {
        let api = api.clone();
        tasks.push(actix_web::rt::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                for body in cycle(&door) {
                    let at = Instant::now();
                    api.handover(&door.token, body).await?;
                    latencies.push(at.elapsed());
                }
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "{phones} phones, {} handovers in {:.1} s: {:.0} handovers/s, p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
    );

    // A phone back in signal with 100 handovers (33 rounds of one door, and a pickup).
    let door = &doors[phones];
    let mut batch_times = Vec::new();
    for _ in 0..5 {
        let mut entries: Vec<Value> = (0..33).flat_map(|_| cycle(door)).collect();
        entries.push(cycle(door)[0].clone());
        let at = Instant::now();
        let (status, answer) = api
            .post(
                "/api/v1/handovers/batch",
                &door.token,
                json!({"handovers": entries}),
            )
            .await?;
        batch_times.push(at.elapsed());
        let refused = answer["results"].as_array().map_or(0, |r| {
            r.iter()
                .filter(|e| e["status"].as_u64() != Some(201))
                .count()
        });
        if status != 200 || refused > 0 {
            return Err(format!("batch: {status}, {refused} refused: {answer}"));
        }
        // Back out for delivery for the next batch.
        let [_, returned, picked] = cycle(door);
        api.handover(&door.token, returned).await?;
        api.handover(&door.token, picked).await?;
    }
    batch_times.sort();
    println!(
        "a batch of 100: median {:.0} ms, slowest {:.0} ms (5 batches)",
        percentile(&batch_times, 0.5).as_secs_f64() * 1000.0,
        percentile(&batch_times, 1.0).as_secs_f64() * 1000.0,
    );
    Ok(())
}
