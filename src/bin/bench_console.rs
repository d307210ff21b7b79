//! Benchmark: the time each console page takes to answer, signed in as the demo's
//! coordinator, against a running Yui with the demo seeded (README, "Measuring"); then the
//! same after growing the area to 2,000 residents with 500 more requests for the demo's date,
//! planned and locked. Not a test.
//!
//! Each page is asked for `ROUNDS` times one after another (one coordinator at a desk); the
//! figures are the whole answer read over loopback: median, 95th percentile and slowest.
//!
//! `cargo run --release --bin bench_console -- [BASE_URL] [ROUNDS]`
//! (defaults http://127.0.0.1:8080, 20)
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};

type Outcome<T> = Result<T, String>;

const COORDINATOR: (&str, &str) = (
    "coordinator@nara-east.example.jp",
    "tsukigase-coordinator-demo",
);

/// The residents and requests of the generated area.
const RESIDENTS: usize = 2_000;
const MORE_REQUESTS: usize = 500;

struct Console {
    base: String,
    client: reqwest::Client,
    cookies: Vec<String>,
    token: String,
}

fn cookie_pairs(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next().map(str::to_owned))
        .collect()
}

fn csrf_of(page: &str) -> Outcome<String> {
    let marker = r#"name="csrf_token" value=""#;
    let start = page.find(marker).ok_or("no CSRF token on the page")? + marker.len();
    let end = page[start..].find('"').ok_or("no CSRF token end")?;
    Ok(page[start..start + end].to_owned())
}

impl Console {
    /// Signs in through the console's form, as a browser does.
    async fn sign_in(base: &str) -> Outcome<Console> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let form = client
            .get(format!("{base}/console/sign-in"))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let mut cookies = cookie_pairs(&form);
        let page = form.text().await.map_err(|e| e.to_string())?;
        let csrf = csrf_of(&page)?;
        let signed = client
            .post(format!("{base}/console/sign-in"))
            .header("cookie", cookies.join("; "))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("email", COORDINATOR.0),
                ("password", COORDINATOR.1),
                ("next", "/console/today"),
            ])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if signed.status().as_u16() != 303 {
            return Err(format!("console sign-in answered {}", signed.status()));
        }
        cookies.extend(cookie_pairs(&signed));
        let api = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": COORDINATOR.0, "password": COORDINATOR.1}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json::<Value>()
            .await
            .map_err(|e| e.to_string())?;
        let token = api["access_token"]
            .as_str()
            .ok_or_else(|| format!("API sign-in: {api}"))?
            .to_owned();
        Ok(Console {
            base: base.to_owned(),
            client,
            cookies,
            token,
        })
    }

    /// One page, read whole: its status, size and the time it took.
    async fn page(&self, path: &str) -> Outcome<(u16, usize, Duration)> {
        let started = Instant::now();
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookies.join("; "))
            .header("accept-language", "ja")
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        Ok((status, body.len(), started.elapsed()))
    }

    async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Outcome<Value> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("idempotency-key", uuid::Uuid::new_v4().to_string());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(format!("{path}: {status} {body}"))
        }
    }

    async fn all(&self, path: &str) -> Outcome<Vec<Value>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let page_path = match &cursor {
                Some(c) => format!("{path}{sep}limit=100&cursor={c}"),
                None => format!("{path}{sep}limit=100"),
            };
            let page = self.api(reqwest::Method::GET, &page_path, None).await?;
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return Ok(items),
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn measure(console: &Console, pages: &[String], rounds: usize) -> Outcome<()> {
    println!("| page | status | KiB | median ms | p95 ms | slowest ms |");
    println!("|---|---|---|---|---|---|");
    for path in pages {
        let mut times = Vec::with_capacity(rounds);
        let (mut status, mut size) = (0, 0);
        for _ in 0..rounds {
            let (s, n, took) = console.page(path).await?;
            (status, size) = (s, n);
            times.push(took);
        }
        times.sort();
        println!(
            "| `{path}` | {status} | {:.0} | {} | {} | {} |",
            size as f64 / 1024.0,
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(times[times.len() - 1]),
        );
    }
    Ok(())
}

/// Grows the demo's area to `RESIDENTS` residents (placed around the demo's own, so most
/// fall in a neighbourhood) and `MORE_REQUESTS` more requests for `date`, then locks the plan.
async fn grow(console: &Console, date: &str) -> Outcome<()> {
    let residents = console.all("/api/v1/residents").await?;
    let anchors: Vec<(f64, f64)> = residents
        .iter()
        .filter_map(|r| {
            Some((
                r["location"]["lat"].as_f64()?,
                r["location"]["lon"].as_f64()?,
            ))
        })
        .collect();
    if anchors.is_empty() {
        return Err("the demo has no placed residents".into());
    }
    let started = Instant::now();
    let mut made = Vec::new();
    let mut seed: u64 = 20_261_203;
    let mut jitter = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((seed >> 33) as f64 / f64::from(u32::MAX) - 0.25) * 0.0012
    };
    for n in residents.len()..RESIDENTS {
        let (lat, lon) = anchors[n % anchors.len()];
        let resident = console
            .api(
                reqwest::Method::POST,
                "/api/v1/residents",
                Some(json!({
                    "name": format!("試算 {n:04}"), "phone": format!("0742-{:02}-{:04}", n / 10_000, n % 10_000),
                    "address": format!("奈良市東部 試算 {n}"),
                    "location": {"lat": lat + jitter(), "lon": lon + jitter()},
                    "fulfilment": if n % 2 == 0 { "home_delivery" } else { "hub_pickup" },
                })),
            )
            .await?;
        made.push(resident);
    }
    println!(
        "- grew the area to {RESIDENTS} residents in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    for resident in made.iter().take(MORE_REQUESTS) {
        console
            .api(
                reqwest::Method::POST,
                "/api/v1/requests",
                Some(json!({
                    "resident_id": resident["id"], "delivery_date": date,
                    "fulfilment": resident["fulfilment"],
                    "items": [
                        {"name": "牛乳", "quantity": 1, "unit": "本", "temperature": "chilled", "substitution": "similar"},
                        {"name": "米", "quantity": 5, "unit": "kg", "temperature": "ambient", "substitution": "none"}
                    ]
                })),
            )
            .await?;
    }
    println!(
        "- {MORE_REQUESTS} more requests for {date} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let area = console
        .api(reqwest::Method::GET, "/api/v1/me", None)
        .await?["area_id"]
        .clone();
    let started = Instant::now();
    let plan = console
        .api(
            reqwest::Method::POST,
            "/api/v1/plans",
            Some(json!({"area_id": area, "delivery_date": date, "lock": true})),
        )
        .await?;
    println!(
        "- planned and locked {date} in {:.1} s: {} runs, {} unassigned",
        started.elapsed().as_secs_f64(),
        plan["runs"].as_array().map_or(0, Vec::len),
        plan["unassigned"].as_array().map_or(0, Vec::len),
    );
    Ok(())
}

async fn run() -> Outcome<()> {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let rounds: usize = args
        .next()
        .map_or(Ok(20), |r| r.parse())
        .map_err(|_| "ROUNDS is a number".to_owned())?;
    let console = Console::sign_in(&base).await?;
    let requests = console.all("/api/v1/requests").await?;
    let date = requests
        .first()
        .and_then(|r| r["delivery_date"].as_str())
        .ok_or("the demo has no requests: run `yui seed-demo` first")?
        .to_owned();
    let resident = console.all("/api/v1/residents").await?[0]["id"]
        .as_str()
        .ok_or("no resident")?
        .to_owned();
    let pages: Vec<String> = [
        "/console/today".to_owned(),
        format!("/console/map?date={date}"),
        format!("/console/map.json?date={date}"),
        "/console/residents".to_owned(),
        format!("/console/residents/{resident}"),
        format!("/console/requests?date={date}"),
        format!("/console/planning?date={date}"),
        format!("/console/field?date={date}"),
        "/console/people".to_owned(),
        "/console/impact".to_owned(),
        "/console/audit".to_owned(),
        "/console/settings".to_owned(),
        "/console/exports/residents.csv".to_owned(),
        format!("/console/exports/requests.csv?from={date}&to={date}"),
        format!("/console/exports/runs.csv?from={date}&to={date}"),
    ]
    .into();
    println!("## The demo area ({rounds} rounds a page)\n");
    measure(&console, &pages, rounds).await?;
    println!("\n## Growing the area\n");
    grow(&console, &date).await?;
    println!(
        "\n## {RESIDENTS} residents, {MORE_REQUESTS} more requests on {date} ({rounds} rounds a page)\n"
    );
    measure(&console, &pages, rounds).await
}

#[actix_web::main]
async fn main() -> Result<(), String> {
    run().await
}
