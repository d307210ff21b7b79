//! Every change of state leaves exactly its events in the outbox, in the transaction that made
//! it, numbered in its aggregate's own sequence; and time comes from the one clock, so the
//! cutoff holds to the second through the API.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{assert_problem, read};
use crate::fixtures::District;
use crate::plans::Village;

async fn events(app: &crate::common::TestApp, aggregate: &'static str, id: &str) -> Vec<String> {
    let id = id.to_owned();
    let rows = app
        .services
        .db
        .run("test.outbox", move |conn| {
            yui::db::outbox::of_aggregate(conn, aggregate, &id)
        })
        .await
        .unwrap();
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(row.sequence, n as i64 + 1, "sequence of {row:?}");
        let payload: Value = serde_json::from_str(&row.payload).unwrap();
        // Ids and statuses only: nothing a person wrote or is called.
        for field in payload.as_object().unwrap().keys() {
            assert!(["from", "status"].contains(&field.as_str()), "{payload}");
        }
        assert!(row.area_id.is_some(), "{row:?}");
    }
    rows.into_iter().map(|r| r.event_type).collect()
}

#[actix_web::test]
async fn a_request_leaves_one_event_per_step() {
    let d = District::new().await;
    let created = d
        .create_request(&d.family, "o-1", &d.request_body(&District::open_date()))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let (_, request) = read(created).await;
    let id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(events(&d.app, "request", &id).await, ["request.submitted"]);

    // An edit is no step of the life cycle: audited, no event.
    let edit = d
        .app
        .client
        .patch(d.app.url(&format!("/api/v1/requests/{id}")))
        .bearer_auth(&d.family)
        .header("If-Match", "\"v1\"")
        .json(&json!({"notes": "裏口へ"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), StatusCode::OK);
    assert_eq!(events(&d.app, "request", &id).await, ["request.submitted"]);

    let step = |transition: &'static str| {
        d.app
            .client
            .post(d.app.url(&format!("/api/v1/requests/{id}/transitions")))
            .bearer_auth(&d.coordinator)
            .json(&json!({ "transition": transition }))
            .send()
    };
    assert_eq!(step("lock").await.unwrap().status(), StatusCode::OK);
    // A refused step writes nothing.
    assert_eq!(step("lock").await.unwrap().status(), StatusCode::CONFLICT);
    assert_eq!(step("cancel").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        events(&d.app, "request", &id).await,
        ["request.submitted", "request.locked", "request.cancelled"]
    );
}

#[actix_web::test]
async fn a_locked_plan_publishes_offers_and_moves_its_requests() {
    let village = Village::new().await;
    let plan = village.plan(true).await;
    let plan_id = plan["id"].as_str().unwrap();
    assert_eq!(
        events(&village.app, "plan", plan_id).await,
        ["plan.published"]
    );
    for run in plan["runs"].as_array().unwrap() {
        assert_eq!(
            events(&village.app, "run", run["id"].as_str().unwrap()).await,
            ["run.offered"]
        );
    }
    let placed: Vec<&Value> = plan["post_loads"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["request_ids"].as_array().unwrap())
        .collect();
    assert!(!placed.is_empty());
    for request in village.requests().await {
        let id = request["id"].as_str().unwrap();
        let expected: &[&str] = match request["status"].as_str().unwrap() {
            "planned" => &["request.submitted", "request.locked", "request.planned"],
            "locked" => &["request.submitted", "request.locked"],
            other => panic!("{other}"),
        };
        assert_eq!(events(&village.app, "request", id).await, expected);
    }

    // Accepting raises run.accepted once; the retry of a lost answer raises nothing.
    let run = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["carrier"]["kind"] == "volunteer")
        .unwrap();
    let token = village.volunteer_of(run).await;
    let path = format!("/api/v1/runs/{}/accept", run["id"].as_str().unwrap());
    for _ in 0..2 {
        let (status, body) = village.app.post(&path, json!({}), Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "accepted");
    }
    assert_eq!(
        events(&village.app, "run", run["id"].as_str().unwrap()).await,
        ["run.offered", "run.accepted"]
    );
    // Planning again: the plan's next event is in its own sequence.
    village.plan(true).await;
    assert_eq!(
        events(&village.app, "plan", plan_id).await,
        ["plan.published", "plan.replanned"]
    );
}

/// The instant ordering for `date` closes in Tokyo (16:00 the day before).
fn tokyo_cutoff(date: NaiveDate) -> DateTime<Utc> {
    chrono_tz::Asia::Tokyo
        .from_local_datetime(&(date - Duration::days(1)).and_hms_opt(16, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[actix_web::test]
async fn ordering_closes_at_the_second_of_the_cutoff() {
    let date = NaiveDate::parse_from_str(&District::open_date(), "%Y-%m-%d").unwrap();
    let cutoff = tokyo_cutoff(date);
    // The whole district lives a second before the cutoff: its sign-ins too.
    let d = District::with_config(|config| {
        assert!(config.clock.set(cutoff - Duration::seconds(1)));
    })
    .await;
    let body = d.request_body(&date.format("%Y-%m-%d").to_string());
    assert!(d.app.services.clock.set(cutoff - Duration::seconds(1)));
    let before = d.create_request(&d.family, "just-in-time", &body).await;
    assert_eq!(before.status(), StatusCode::CREATED);
    let (_, created) = read(before).await;

    assert!(d.app.services.clock.set(cutoff));
    let late = d.create_request(&d.family, "too-late", &body).await;
    let problem = assert_problem(late, StatusCode::UNPROCESSABLE_ENTITY, "cutoff-passed").await;
    assert_eq!(
        problem["cutoff"],
        yui::domain::time::wire(cutoff),
        "the cutoff in UTC"
    );
    assert_eq!(
        problem["cutoff_local"],
        format!("{}T16:00:00+09:00", date - Duration::days(1))
    );
    // A phone that lost the answer and retries after the cutoff still gets its request.
    let retry = d.create_request(&d.family, "just-in-time", &body).await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(read(retry).await.1, created);
    // Said as a Japanese reader writes a date (the family's locale is Japanese).
    let day_before = date - Duration::days(1);
    assert_eq!(
        problem["detail"],
        format!(
            "この配達日の注文の受付は、{}（Asia/Tokyo）に終了しました。",
            day_before.format("%Y年%-m月%-d日 16:00")
        )
    );
    // The same second closes editing and cancelling for the family (409, with the cutoff).
    let cancel = d
        .app
        .client
        .post(d.app.url(&format!(
            "/api/v1/requests/{}/cancel",
            created["id"].as_str().unwrap()
        )))
        .bearer_auth(&d.family)
        .send()
        .await
        .unwrap();
    assert_problem(cancel, StatusCode::CONFLICT, "cutoff-passed").await;
    // Times on the wire are UTC with Z, to the microsecond, everywhere.
    for field in ["created_at", "updated_at", "cutoff"] {
        let text = created[field].as_str().unwrap();
        assert!(text.ends_with('Z') && text.len() == 27, "{field}: {text}");
    }
}

#[actix_web::test]
async fn a_guardian_link_leaves_its_request_and_its_completion() {
    let d = District::new().await;
    let (son_id, son) = d.app.account("family").await;
    let son = crate::common::access_token(&son);
    let asking = format!("/api/v1/residents/{}/guardian-requests", d.resident_id);
    let (status, asked) = d
        .app
        .post(&asking, json!({"relation": "son"}), Some(&son))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    let link = asked["id"].as_str().unwrap().to_owned();
    assert_eq!(
        events(&d.app, "guardian_link", &link).await,
        ["guardian_link.requested"]
    );
    // Asking again is refused and raises nothing.
    let (status, _) = d
        .app
        .post(&asking, json!({"relation": "son"}), Some(&son))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, linked) = d
        .app
        .post(
            &format!("/api/v1/residents/{}/guardians", d.resident_id),
            json!({"user_id": son_id, "relation": "son", "consent": {"given_by": "山田 花子", "basis": "phone call, noted", "text_version": "2026-01"}}),
            Some(&d.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    assert_eq!(
        events(&d.app, "guardian_link", &link).await,
        ["guardian_link.requested", "guardian_link.activated"]
    );
}
