//! Telling people: the outbox delivered as signed webhooks to a real local receiver (which
//! verifies every delivery with the Standard Webhooks reference library), retries, rotation,
//! disabling, refusal of private addresses; the in-app feed; retention and job leases on the
//! test clock.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Duration as Span;
use reqwest::StatusCode;
use serde_json::{Value, json};
use yui::jobs::{Job, JobSettings};

use crate::common::*;
use crate::plans::Village;
use crate::receiver::{Receipt, Script, assert_as_the_contract_says, receiver};

fn settings() -> JobSettings {
    JobSettings {
        cutoff_every: Duration::ZERO,
        watch_over_every: Duration::ZERO,
        delivery_every: Duration::from_secs(1),
        retention_every: Duration::ZERO,
        lease: Duration::from_secs(60),
        retention: yui::services::retention::RetentionPolicy::default(),
    }
}

async fn dispatch(app: &TestApp) -> yui::services::dispatch::Dispatched {
    yui::services::dispatch::dispatch(&app.services.db, &app.services.clock)
        .await
        .unwrap()
}

/// Dispatches and delivers until nothing more is due now.
async fn deliver_all(app: &TestApp) {
    dispatch(app).await;
    for _ in 0..50 {
        if app.services.webhooks.deliver("test").await.unwrap() == 0 {
            return;
        }
    }
    panic!("deliveries never ran out");
}

async fn create_endpoint(v: &Village, url: &str, events: Value) -> Value {
    let (status, endpoint) = v
        .app
        .post(
            "/api/v1/webhooks",
            json!({"url": url, "events": events, "description": "村役場の連携"}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");
    endpoint
}

fn all_events() -> Value {
    json!(yui::domain::webhook::EVENT_TYPES)
}

#[actix_web::test]
async fn a_receiver_gets_every_event_once_per_webhook_id_signed_after_500_twice_and_a_timeout() {
    let v = Village::new().await;
    // The first delivery: 500, 500, no answer in time, then 200.
    let script: Script = |n| match n {
        0 | 1 => Some(500),
        2 => None,
        _ => Some(200),
    };
    let failing = Arc::new(Mutex::new(None));
    let hook = receiver(script, Some(failing.clone()), 0).await;
    let endpoint = create_endpoint(&v, &hook.url, all_events()).await;
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    hook.secrets.lock().unwrap().push(secret);
    // The secret is shown once: never in a read.
    let id = endpoint["id"].as_str().unwrap();
    let (_, read) = v
        .app
        .get(&format!("/api/v1/webhooks/{id}"), Some(&v.coordinator))
        .await;
    assert!(read.get("secret").is_none(), "{read}");

    // The day's planning: requests locked and planned, runs offered, the plan published.
    v.plan(true).await;
    deliver_all(&v.app).await;
    let deliveries = |cursor: Option<String>| {
        let path = match cursor {
            Some(c) => format!("/api/v1/webhooks/{id}/deliveries?limit=100&cursor={c}"),
            None => format!("/api/v1/webhooks/{id}/deliveries?limit=100"),
        };
        let app = &v.app;
        let token = v.coordinator.clone();
        async move { app.get(&path, Some(&token)).await.1 }
    };
    // The failing one is pending, its second attempt due in 5 s (give or take a tenth).
    let failing_id = failing.lock().unwrap().clone().unwrap();
    let find = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == failing_id.as_str())
            .cloned()
    };
    let mut page = deliveries(None).await;
    let mut first = find(&page);
    while first.is_none() {
        page = deliveries(page["next_cursor"].as_str().map(str::to_owned)).await;
        first = find(&page);
    }
    let first = first.unwrap();
    assert_eq!(first["status"], "pending", "{first}");
    assert_eq!(first["attempts"][0]["response_status"], 500, "{first}");
    let next: chrono::DateTime<chrono::Utc> =
        first["next_attempt_at"].as_str().unwrap().parse().unwrap();
    let wait = next - v.app.services.clock.now();
    assert!(
        wait >= Span::milliseconds(3000) && wait <= Span::milliseconds(5600),
        "{wait}"
    );
    // 6 s later the second attempt is due: 500 again; its third is due in about 5 minutes.
    v.app
        .services
        .clock
        .set(v.app.services.clock.now() + Span::seconds(6));
    deliver_all(&v.app).await;
    // A coordinator retries it from the deliveries list: no answer in time (the timeout),
    // then once more: 200.
    let retry = format!("/api/v1/webhooks/{id}/deliveries/{failing_id}/retry");
    for expected in [None, Some(200)] {
        let (status, retried) = v.app.post(&retry, json!({}), Some(&v.coordinator)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{retried}");
        deliver_all(&v.app).await;
        let page = deliveries(None).await;
        let mut found = find(&page);
        let mut cursor = page["next_cursor"].as_str().map(str::to_owned);
        while found.is_none() {
            let page = deliveries(cursor).await;
            found = find(&page);
            cursor = page["next_cursor"].as_str().map(str::to_owned);
        }
        let attempt = found.unwrap()["attempts"]
            .as_array()
            .unwrap()
            .last()
            .cloned()
            .unwrap();
        match expected {
            None => assert_eq!(attempt["error"], "timeout", "{attempt}"),
            Some(code) => assert_eq!(attempt["response_status"], code, "{attempt}"),
        }
    }

    let receipts = hook.receipts.lock().unwrap().clone();
    assert!(receipts.len() > 20, "{}", receipts.len());
    // Every delivery verifies with the reference library.
    assert!(receipts.iter().all(|r| r.verified == vec![true]));
    // Each webhook-id: one body, answered 2xx exactly once.
    let mut by_id: BTreeMap<&str, Vec<&Receipt>> = BTreeMap::new();
    for r in &receipts {
        by_id.entry(&r.id).or_default().push(r);
    }
    for (id, got) in &by_id {
        assert_eq!(got.iter().filter(|r| r.answered == 200).count(), 1, "{id}");
        assert!(got.iter().all(|r| r.body == got[0].body), "{id}");
    }
    assert_eq!(by_id[failing_id.as_str()].len(), 4);
    // One webhook-id per event; the data as the contract says, ids, statuses and times only.
    let types = assert_as_the_contract_says(&receipts);
    for expected in [
        "request.planned",
        "run.offered",
        "plan.published",
        "request.locked",
    ] {
        assert!(
            types.contains(expected),
            "{expected} not delivered: {types:?}"
        );
    }
    // No name, address or phone of a resident in any body.
    let (_, residents) = v
        .app
        .get("/api/v1/residents?limit=100", Some(&v.coordinator))
        .await;
    for resident in residents["items"].as_array().unwrap() {
        for field in ["name", "address", "phone"] {
            if let Some(text) = resident[field].as_str() {
                assert!(receipts.iter().all(|r| !r.body.contains(text)), "{field}");
            }
        }
    }
}

#[actix_web::test]
async fn a_rotated_secret_signs_beside_the_old_one_for_a_day() {
    let v = Village::new().await;
    let hook = receiver(|_| Some(200), None, 0).await;
    let endpoint = create_endpoint(&v, &hook.url, json!(["plan.published"])).await;
    let id = endpoint["id"].as_str().unwrap();
    let old = endpoint["secret"].as_str().unwrap().to_owned();
    let (status, rotated) = v
        .app
        .post(
            &format!("/api/v1/webhooks/{id}/rotate-secret"),
            json!({}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(old, new);
    assert!(rotated["previous_secret_expires_at"].is_string());
    hook.secrets.lock().unwrap().extend([old, new]);
    let ping = format!("/api/v1/webhooks/{id}/test");
    let (status, _) = v.app.post(&ping, json!({}), Some(&v.coordinator)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    deliver_all(&v.app).await;
    {
        let receipts = hook.receipts.lock().unwrap();
        assert_eq!(receipts.len(), 1);
        // Both secrets verify the same delivery: two signatures.
        assert_eq!(receipts[0].verified, vec![true, true]);
        assert_eq!(receipts[0].signatures, 2);
        let body: Value = serde_json::from_str(&receipts[0].body).unwrap();
        assert_eq!(body["type"], "ping");
    }
    // A day later only the new secret signs.
    v.app
        .services
        .clock
        .set(v.app.services.clock.now() + Span::hours(25));
    let coordinator = access_token(
        &v.app
            .login(
                yui::demo::COORDINATOR_EMAIL,
                yui::demo::COORDINATOR_PASSWORD,
            )
            .await,
    );
    let (status, _) = v.app.post(&ping, json!({}), Some(&coordinator)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    deliver_all(&v.app).await;
    let receipts = hook.receipts.lock().unwrap();
    assert_eq!(receipts.len(), 2);
    assert_eq!(receipts[1].signatures, 1);
}

#[actix_web::test]
async fn an_endpoint_failing_for_three_days_is_disabled_and_the_coordinators_are_told() {
    let v = Village::new().await;
    let hook = receiver(|_| Some(503), None, 0).await;
    // Every answer fails, the first delivery's included.
    *hook.secrets.lock().unwrap() = Vec::new();
    let endpoint = create_endpoint(&v, &hook.url, json!(["plan.published"])).await;
    let id = endpoint["id"].as_str().unwrap();
    let ping = format!("/api/v1/webhooks/{id}/test");
    v.app.post(&ping, json!({}), Some(&v.coordinator)).await;
    deliver_all(&v.app).await;
    let (_, read) = v
        .app
        .get(&format!("/api/v1/webhooks/{id}"), Some(&v.coordinator))
        .await;
    assert_eq!(read["status"], "enabled");
    assert!(read["failing_since"].is_string(), "{read}");
    // Still failing 3 days on: disabled.
    v.app
        .services
        .clock
        .set(v.app.services.clock.now() + Span::days(3) + Span::seconds(1));
    let coordinator = access_token(
        &v.app
            .login(
                yui::demo::COORDINATOR_EMAIL,
                yui::demo::COORDINATOR_PASSWORD,
            )
            .await,
    );
    let v = Village { coordinator, ..v };
    v.app.post(&ping, json!({}), Some(&v.coordinator)).await;
    deliver_all(&v.app).await;
    let (_, read) = v
        .app
        .get(&format!("/api/v1/webhooks/{id}"), Some(&v.coordinator))
        .await;
    assert_eq!(read["status"], "disabled", "{read}");
    // Nothing more is sent; a ping is refused.
    let (status, _) = v.app.post(&ping, json!({}), Some(&v.coordinator)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The coordinator reads it in the feed, in Japanese and in English.
    dispatch(&v.app).await;
    let feed = v
        .app
        .client
        .get(v.app.url("/api/v1/notifications"))
        .bearer_auth(&v.coordinator)
        .header("Accept-Language", "ja")
        .send()
        .await
        .unwrap();
    let (_, feed) = read_body(feed).await;
    let told = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["event_type"] == "webhook.disabled")
        .cloned()
        .unwrap_or_else(|| panic!("{feed}"));
    assert_eq!(told["title"], "Webhook の送信先を停止しました");
    // Two failures recorded at once disable it once: one event, one notice.
    assert_eq!(
        feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["event_type"] == "webhook.disabled")
            .count(),
        1
    );
    assert_eq!(told["subject"]["webhook_id"], id);
    // A retry of one of its deliveries enables it again.
    let (_, page) = v
        .app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries"),
            Some(&v.coordinator),
        )
        .await;
    let delivery = page["items"][0]["id"].as_str().unwrap();
    let (status, _) = v
        .app
        .post(
            &format!("/api/v1/webhooks/{id}/deliveries/{delivery}/retry"),
            json!({}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, read) = v
        .app
        .get(&format!("/api/v1/webhooks/{id}"), Some(&v.coordinator))
        .await;
    assert_eq!(read["status"], "enabled", "{read}");
}

async fn read_body(response: reqwest::Response) -> (StatusCode, Value) {
    read(response).await
}

#[actix_web::test]
async fn private_and_plain_http_addresses_are_refused_unless_allowed() {
    let app = TestApp::spawn_with(|c| c.webhook_allow_private = false).await;
    let (_, tokens) = app
        .account_in("coordinator", Some(first_area(&app).await))
        .await;
    let token = access_token(&tokens);
    let mut refused = vec![
        "https://127.0.0.1/hook".to_owned(),
        "https://10.0.0.8/hook".to_owned(),
        "https://[::1]/hook".to_owned(),
        "https://169.254.169.254/latest".to_owned(),
        "https://localhost:8443/hook".to_owned(),
        "http://hooks.example.jp/hook".to_owned(),
    ];
    // Also after DNS resolution: a name of this machine's hosts file that points to loopback.
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    let named = hosts
        .lines()
        .filter(|l| l.trim_start().starts_with("127."))
        .flat_map(|l| l.split_whitespace().skip(1))
        .find(|name| !name.contains("localhost"))
        .map(str::to_owned);
    if let Some(name) = &named {
        refused.push(format!("https://{name}/hook"));
    }
    for url in &refused {
        let response = app
            .client
            .post(app.url("/api/v1/webhooks"))
            .bearer_auth(&token)
            .json(&json!({"url": url, "events": ["request.delivered"]}))
            .send()
            .await
            .unwrap();
        let problem =
            assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(problem.to_string().contains("url"), "{url}: {problem}");
    }
    // Nothing was made.
    let (_, list) = app.get("/api/v1/webhooks", Some(&token)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // Unknown and repeated event types are refused too.
    for events in [
        json!(["request.eaten"]),
        json!(["run.offered", "run.offered"]),
        json!([]),
    ] {
        let (status, _) = app
            .post(
                "/api/v1/webhooks",
                json!({"url": "https://hooks.example.jp/yui", "events": events}),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{events}");
    }
}

async fn first_area(app: &TestApp) -> yui::domain::ids::AreaId {
    yui::demo::seed(&app.services).await.unwrap().area_id
}

#[actix_web::test]
async fn the_feed_tells_each_person_what_is_theirs_in_their_language() {
    let v = Village::new().await;
    let plan = v.plan(true).await;
    dispatch(&v.app).await;
    let run = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["carrier"]["kind"] == "volunteer")
        .unwrap()
        .clone();
    let volunteer = v.volunteer_of(&run).await;
    let (_, me) = v.app.get("/api/v1/me", Some(&volunteer)).await;
    let unread = me["unread_notifications"].as_i64().unwrap();
    assert!(unread >= 1, "{me}");
    let feed = |token: String, language: &'static str, query: &'static str| {
        let app = &v.app;
        async move {
            let response = app
                .client
                .get(app.url(&format!("/api/v1/notifications{query}")))
                .bearer_auth(token)
                .header("Accept-Language", language)
                .send()
                .await
                .unwrap();
            read(response).await.1
        }
    };
    let ja = feed(volunteer.clone(), "ja", "").await;
    let offered = ja["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["event_type"] == "run.offered" && n["subject"]["run_id"] == run["id"])
        .cloned()
        .unwrap_or_else(|| panic!("{ja}"));
    assert_eq!(offered["title"], "お届けのお願いがあります");
    assert!(
        offered["body"].as_str().unwrap().contains("月"),
        "{offered}"
    );
    let en = feed(volunteer.clone(), "en", "").await;
    assert_eq!(en["items"][0]["id"], ja["items"][0]["id"]);
    assert!(
        en["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"] == "A run is offered to you")
    );
    // Nobody else reads or marks it.
    let family = access_token(
        &v.app
            .login(yui::demo::FAMILY_EMAIL, yui::demo::FAMILY_PASSWORD)
            .await,
    );
    let id = offered["id"].as_str().unwrap();
    let (status, _) = v
        .app
        .post(
            &format!("/api/v1/notifications/{id}/read"),
            json!({}),
            Some(&family),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let family_feed = feed(family.clone(), "en", "").await;
    assert!(
        family_feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["event_type"].as_str().unwrap().starts_with("request.")),
        "{family_feed}"
    );
    assert!(
        family_feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["event_type"] == "request.planned"),
        "{family_feed}"
    );
    // Read one, then all.
    let (status, read_one) = v
        .app
        .post(
            &format!("/api/v1/notifications/{id}/read"),
            json!({}),
            Some(&volunteer),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(read_one["read_at"].is_string());
    let (_, me) = v.app.get("/api/v1/me", Some(&volunteer)).await;
    assert_eq!(me["unread_notifications"].as_i64().unwrap(), unread - 1);
    let unread_only = feed(volunteer.clone(), "en", "?unread=true").await;
    assert!(
        unread_only["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["id"] != id)
    );
    for not_nothing in [json!([]), json!({"everything": true})] {
        let (status, _) = v
            .app
            .post(
                "/api/v1/notifications/read-all",
                not_nothing,
                Some(&volunteer),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, all) = v
        .app
        .post(
            "/api/v1/notifications/read-all",
            json!({}),
            Some(&volunteer),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["marked_read"].as_i64().unwrap(), unread - 1);
    let (_, me) = v.app.get("/api/v1/me", Some(&volunteer)).await;
    assert_eq!(me["unread_notifications"], 0);
    // Dispatching again writes nothing twice.
    let again = dispatch(&v.app).await;
    assert_eq!(again.notifications, 0);
}

#[actix_web::test]
async fn retention_deletes_each_kind_after_its_period_on_the_test_clock() {
    use yui::db;
    let v = Village::new().await;
    let app = &v.app;
    v.plan(true).await;
    dispatch(app).await;
    let now = app.services.clock.now();
    app.services
        .db
        .transaction("test.geocode", move |conn| {
            db::geocode::remember(
                conn,
                "gsi",
                "奈良市月ヶ瀬尾山",
                yui::domain::area::Location {
                    lat: 34.7,
                    lon: 136.0,
                },
                now.naive_utc(),
            )
        })
        .await
        .unwrap();
    let count = |sql: &'static str| crate::instances::count(app, sql);
    let idempotency = "SELECT COUNT(*) AS n FROM idempotency_keys";
    let geocode = "SELECT COUNT(*) AS n FROM geocode_cache";
    let outbox = "SELECT COUNT(*) AS n FROM outbox";
    let notifications = "SELECT COUNT(*) AS n FROM notifications";
    let tokens = "SELECT COUNT(*) AS n FROM refresh_tokens";
    let before: Vec<i64> = vec![
        count(idempotency).await,
        count(geocode).await,
        count(outbox).await,
        count(notifications).await,
        count(tokens).await,
    ];
    assert!(before.iter().all(|n| *n > 0), "{before:?}");
    let purge = || {
        yui::services::retention::purge(
            &app.services.db,
            &app.services.clock,
            yui::services::retention::RetentionPolicy::default(),
        )
    };
    // Six days on: nothing is old enough.
    app.services.clock.set(now + Span::days(6));
    assert_eq!(purge().await.unwrap().idempotency_keys, 0);
    // Eight days on: the idempotency answers go, nothing else.
    app.services.clock.set(now + Span::days(8));
    purge().await.unwrap();
    assert_eq!(count(idempotency).await, 0);
    assert_eq!(count(geocode).await, before[1]);
    assert_eq!(count(outbox).await, before[2]);
    // 31 days: refresh tokens (30 days) and dispatched events, each aggregate's last kept.
    app.services.clock.set(now + Span::days(31));
    purge().await.unwrap();
    assert_eq!(count(tokens).await, 0);
    let kept = count(outbox).await;
    assert!(kept < before[2] && kept > 0, "{kept} of {}", before[2]);
    assert_eq!(
        kept,
        count(
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT aggregate, aggregate_id FROM outbox) AS a"
        )
        .await
    );
    assert_eq!(count(notifications).await, before[3]);
    // 91 days: the geocoder's answers; 181: the notifications.
    app.services.clock.set(now + Span::days(91));
    purge().await.unwrap();
    assert_eq!(count(geocode).await, 0);
    assert_eq!(count(notifications).await, before[3]);
    app.services.clock.set(now + Span::days(181));
    purge().await.unwrap();
    assert_eq!(count(notifications).await, 0);
}

#[actix_web::test]
async fn a_job_runs_on_one_instance_and_is_taken_over_when_its_lease_runs_out() {
    let app = TestApp::spawn().await;
    let services = &app.services;
    let settings = settings();
    // Two instances at once: one runs the job.
    let (a, b) = tokio::join!(
        yui::jobs::run_if_due(services, &settings, "instance-a", Job::Dispatch),
        yui::jobs::run_if_due(services, &settings, "instance-b", Job::Dispatch),
    );
    assert_eq!(u8::from(a.unwrap()) + u8::from(b.unwrap()), 1);
    // Not due again until its period has passed.
    assert!(
        !yui::jobs::run_if_due(services, &settings, "instance-b", Job::Dispatch)
            .await
            .unwrap()
    );
    let now = services.clock.now();
    services.clock.set(now + Span::seconds(2));
    assert!(
        yui::jobs::run_if_due(services, &settings, "instance-b", Job::Dispatch)
            .await
            .unwrap()
    );
    // An instance that claimed and died: the job waits for its lease, then another takes it.
    let at = services.clock.now_naive() + Span::seconds(5);
    services.clock.set(at.and_utc());
    let until = at + Span::seconds(60);
    let claimed = services
        .db
        .transaction("test.claim", move |conn| {
            yui::db::jobs::claim(conn, "dispatch", "dead-instance", at, until)
        })
        .await
        .unwrap();
    assert!(claimed);
    services.clock.set((at + Span::seconds(30)).and_utc());
    assert!(
        !yui::jobs::run_if_due(services, &settings, "instance-a", Job::Dispatch)
            .await
            .unwrap()
    );
    services.clock.set((at + Span::seconds(61)).and_utc());
    assert!(
        yui::jobs::run_if_due(services, &settings, "instance-a", Job::Dispatch)
            .await
            .unwrap()
    );
    let row = services
        .db
        .run("test.lease", |conn| yui::db::jobs::find(conn, "dispatch"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.owner, None);
    assert!(row.last_finished_at.is_some());
}

#[actix_web::test]
async fn at_most_n_deliveries_are_in_flight_to_one_endpoint_across_instances() {
    let app = TestApp::spawn_with(|c| c.webhook_max_in_flight = 2).await;
    let v = Village::on(app).await;
    // A slow receiver: the first pass's sends are still out when the second instance looks.
    let hook = receiver(|_| Some(200), None, 20).await;
    create_endpoint(&v, &hook.url, all_events()).await;
    v.plan(true).await;
    let pending = dispatch(&v.app).await.deliveries;
    assert!(pending > 4, "{pending}");
    // Two instances, two lanes each, deliver everything together (a pass stops after its
    // time budget; the next goes on): never more than two at the receiver, not four.
    let services = &v.app.services;
    let mut total = 0;
    loop {
        let (a, b) = tokio::join!(
            services.webhooks.deliver("instance-a"),
            services.webhooks.deliver("instance-b")
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        if a + b == 0 {
            break;
        }
        total += a + b;
    }
    assert_eq!(total, pending);
    assert_eq!(hook.peak.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(hook.receipts.lock().unwrap().len(), pending);
}

#[actix_web::test]
async fn a_deleted_endpoint_is_gone_and_gets_nothing_more() {
    let v = Village::new().await;
    let hook = receiver(|_| Some(200), None, 0).await;
    let endpoint = create_endpoint(&v, &hook.url, all_events()).await;
    let id = endpoint["id"].as_str().unwrap();
    let path = format!("/api/v1/webhooks/{id}");
    let (status, _) = v.app.delete(&path, Some(&v.coordinator)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = v.app.get(&path, Some(&v.coordinator)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = v.app.get("/api/v1/webhooks", Some(&v.coordinator)).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    v.plan(true).await;
    deliver_all(&v.app).await;
    assert!(hook.receipts.lock().unwrap().is_empty());
    let (status, _) = v.app.delete(&path, Some(&v.coordinator)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_miscounted_receipt_is_delivered_as_its_schema_says_and_told_to_the_coordinators() {
    let v = Village::new().await;
    let hook = receiver(|_| Some(200), None, 0).await;
    create_endpoint(&v, &hook.url, json!(["handover.discrepancy"])).await;
    let plan = v.plan(true).await;
    let load = plan["post_loads"][0].clone();
    let run = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["carrier"]["id"] == load["post_trip_id"])
        .unwrap()
        .clone();
    // Only the requests the plan placed travel (the rest stay locked).
    let mut planned = Vec::new();
    for id in load["request_ids"].as_array().unwrap() {
        let (_, r) = v
            .app
            .get(
                &format!("/api/v1/requests/{}", id.as_str().unwrap()),
                Some(&v.coordinator),
            )
            .await;
        if r["status"] == "planned" {
            planned.push(id.clone());
        }
    }
    let now = yui::domain::time::wire(v.app.services.clock.now());
    let mut miscounted = load["slots"].clone();
    let ambient = miscounted["ambient"].as_i64().unwrap();
    miscounted["ambient"] = json!(ambient + 1);
    for (kind, crates) in [
        ("van_loaded", load["slots"].clone()),
        ("hub_received", miscounted),
    ] {
        let mut body = json!({"id": uuid::Uuid::new_v4().to_string(), "kind": kind,
                              "occurred_at": now, "hub_id": load["hub_id"],
                              "request_ids": planned, "crates": crates});
        if kind == "van_loaded" {
            body["run_id"] = run["id"].clone();
        }
        let (status, answer) = v
            .app
            .post("/api/v1/handovers", body, Some(&v.coordinator))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    deliver_all(&v.app).await;
    let receipts = hook.receipts.lock().unwrap().clone();
    assert_eq!(receipts.len(), 1);
    let types = assert_as_the_contract_says(&receipts);
    assert!(types.contains("handover.discrepancy"));
    let body: Value = serde_json::from_str(&receipts[0].body).unwrap();
    assert_eq!(body["data"]["counted"]["ambient"], ambient + 1);
    assert_eq!(body["data"]["hub_id"], load["hub_id"]);
    let (_, feed) = v
        .app
        .get("/api/v1/notifications", Some(&v.coordinator))
        .await;
    assert!(
        feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["event_type"] == "handover.discrepancy"),
        "{feed}"
    );
}
