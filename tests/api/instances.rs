//! Two Yui processes on one database doing the jobs together: every outbox event reaches
//! the endpoint (none lost; a duplicate only ever under the same webhook-id), every
//! watch-over step fires once, and when one process is killed (`kill -9`) mid-delivery the
//! other takes its work over once the leases run out.

use std::collections::{BTreeMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use yui::db::DatabaseTarget;

use crate::common::*;
use crate::plans::Village;
use crate::receiver::{assert_as_the_contract_says, receiver};
use crate::watch_over::{door_fails, received};

fn instance(database: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_yui"))
        .env("DATABASE_URL", database)
        .env("YUI_JWT_SECRET", std::str::from_utf8(SECRET).unwrap())
        .env("YUI_BIND", "127.0.0.1:0")
        .env("YUI_PLANNING_TICK_SECS", "0")
        .env("YUI_JOBS_TICK_SECS", "1")
        .env("YUI_DELIVERY_TICK_MS", "100")
        .env("YUI_JOB_LEASE_SECS", "3")
        .env("YUI_WEBHOOK_TIMEOUT_MS", "1000")
        .env("YUI_WEBHOOK_ALLOW_PRIVATE", "true")
        .env("RUST_LOG", "warn")
        .env_remove("YUI_ENV")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

struct Instances(Vec<Child>);

impl Drop for Instances {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `SELECT COUNT(*) AS n …` on the app's database.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let sql = sql.to_owned();
    app.services
        .db
        .run("test.count", move |conn| {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            Ok(diesel::sql_query(sql).get_result::<N>(conn).unwrap().n)
        })
        .await
        .unwrap()
}

/// Waits until every event is dispatched and every delivery delivered, and `at_last_step`
/// watch-over cases stand at their last step.
async fn settle(app: &TestApp, at_last_step: i64) {
    let started = Instant::now();
    loop {
        let undispatched = count(
            app,
            "SELECT COUNT(*) AS n FROM outbox WHERE dispatched_at IS NULL",
        )
        .await;
        let open = count(
            app,
            "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status <> 'delivered'",
        )
        .await;
        let last = count(
            app,
            // The unanswered door's case; pickups not collected by the hub's closing may
            // have cases too, depending on the hour the test runs.
            "SELECT COUNT(*) AS n FROM escalations WHERE step = 3 AND status = 'open' \
             AND cause = 'no_answer'",
        )
        .await;
        if undispatched == 0 && open == 0 && last == at_last_step {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "undispatched {undispatched}, open {open}, at last step {last}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[actix_web::test]
async fn two_instances_deliver_every_event_and_step_once_and_survive_a_kill() {
    let v = Village::new().await;
    let database = match v.app.db_target() {
        DatabaseTarget::Sqlite { path } => path,
        DatabaseTarget::Postgres { url } => url,
    };
    // Every answer takes a moment, so that deliveries are in flight when one process dies.
    let hook = receiver(|_| Some(200), None, 150).await;
    let (status, endpoint) = v
        .app
        .post(
            "/api/v1/webhooks",
            json!({"url": hook.url, "events": yui::domain::webhook::EVENT_TYPES}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");
    hook.secrets
        .lock()
        .unwrap()
        .push(endpoint["secret"].as_str().unwrap().to_owned());
    // Every watch-over step due at once: the jobs move a case one step a tick.
    let area = format!("/api/v1/areas/{}", v.summary.area_id);
    let read = v.app.get_raw(&area, &v.coordinator).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let changed = v
        .app
        .client
        .patch(v.app.url(&area))
        .bearer_auth(&v.coordinator)
        .header("If-Match", etag)
        .json(&json!({"watch_over": {"steps": [
            {"to": "carrier", "after_minutes": 0}, {"to": "family", "after_minutes": 0},
            {"to": "coordinator", "after_minutes": 0}, {"to": "welfare", "after_minutes": 0}]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);

    let mut instances = Instances(vec![instance(&database), instance(&database)]);
    // The day: planned, loaded, received; one door nobody answers.
    let plan = received(&v).await;
    let (run, door) = door_fails(&v, &plan).await;

    // Once deliveries flow, kill one process outright.
    let started = Instant::now();
    while hook.receipts.lock().unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "nothing delivered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    instances.0[0].kill().unwrap();
    instances.0[0].wait().unwrap();

    // The other finishes everything: all dispatched, every delivery delivered, the case at
    // its last step.
    settle(&v.app, 1).await;
    // The rest of the day's kinds of event, through the survivor: the case taken and
    // resolved, a run declined, a request cancelled at the hub.
    let (_, cases) = v
        .app
        .get("/api/v1/escalations?limit=100", Some(&v.coordinator))
        .await;
    let case = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cause"] == "no_answer")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (action, body) in [
        ("acknowledge", json!({"note": "電話がつながりました"})),
        (
            "resolve",
            json!({"outcome": "resident_safe", "note": "ご無事でした"}),
        ),
    ] {
        let (status, answer) = v
            .app
            .post(
                &format!("/api/v1/escalations/{case}/{action}"),
                body,
                Some(&v.coordinator),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let offered = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["carrier"]["kind"] == "volunteer" && r["id"] != run["id"])
        .unwrap()
        .clone();
    let other = v.volunteer_of(&offered).await;
    let (status, answer) = v
        .app
        .post(
            &format!("/api/v1/runs/{}/decline", offered["id"].as_str().unwrap()),
            json!({"reason": "体調がすぐれません"}),
            Some(&other),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let at_hub = v
        .requests()
        .await
        .into_iter()
        .find(|r| {
            r["status"] == "ready_for_pickup"
                || (r["status"] == "at_hub" && r["id"] != door.as_str())
        })
        .unwrap();
    let (status, answer) = v
        .app
        .post(
            &format!("/api/v1/requests/{}/cancel", at_hub["id"].as_str().unwrap()),
            json!({}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    settle(&v.app, 0).await;
    assert!(
        instances.0[1].try_wait().unwrap().is_none(),
        "the survivor still runs"
    );

    let receipts = hook.receipts.lock().unwrap().clone();
    assert!(receipts.iter().all(|r| r.verified == vec![true]));
    // Every event of a type the endpoint takes has one delivery, received with 2xx.
    let deliverable = yui::domain::webhook::EVENT_TYPES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql: &'static str = Box::leak(
        format!("SELECT COUNT(*) AS n FROM outbox WHERE event_type IN ({deliverable})")
            .into_boxed_str(),
    );
    let events = count(&v.app, sql).await;
    let delivered: HashSet<&str> = receipts
        .iter()
        .filter(|r| r.answered == 200)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(
        i64::try_from(delivered.len()).unwrap(),
        events,
        "each event once per webhook-id"
    );
    // A duplicate only ever under the same webhook-id: one id per event.
    let mut ids_of_event: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    let mut steps: BTreeMap<(String, i64), usize> = BTreeMap::new();
    for r in &receipts {
        let body: Value = serde_json::from_str(&r.body).unwrap();
        let kind = body["type"].as_str().unwrap();
        let aggregate = kind.split('.').next().unwrap();
        let data = &body["data"];
        let key = format!("{}/{}", data[&format!("{aggregate}_id")], data["sequence"]);
        ids_of_event.entry(key).or_default().insert(r.id.clone());
        if kind == "escalation.step_due" {
            *steps
                .entry((
                    data["escalation_id"].as_str().unwrap().to_owned(),
                    data["step"].as_i64().unwrap(),
                ))
                .or_default() += 1;
        }
    }
    assert!(ids_of_event.values().all(|ids| ids.len() == 1));
    // Each type's data as the contract says, the day's whole range of types.
    let types = assert_as_the_contract_says(&receipts);
    for expected in [
        "request.in_transit",
        "request.at_hub",
        "request.out_for_delivery",
        "request.failed",
        "run.started",
        "escalation.opened",
        "escalation.step_due",
        "escalation.acknowledged",
        "escalation.resolved",
        "run.declined",
        "request.cancelled",
        "plan.published",
    ] {
        assert!(
            types.contains(expected),
            "{expected} not delivered: {types:?}"
        );
    }
    // Every step after the first reached once (a step's event may be received twice after
    // the kill, under one webhook-id).
    let step_events = count(
        &v.app,
        &format!(
            "SELECT COUNT(*) AS n FROM outbox WHERE event_type = 'escalation.step_due' \
             AND aggregate_id = '{case}'"
        ),
    )
    .await;
    assert_eq!(step_events, 3);
    assert_eq!(
        steps
            .keys()
            .filter(|(id, _)| *id == case)
            .map(|(_, step)| *step)
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}
