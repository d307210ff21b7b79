//! Watch-over on the test clock: a door nobody answers opens a case that goes through every
//! step to the welfare contact; a pickup nobody collects opens one when its time passes; the
//! area's settings shape both; and two Yui instances on one database move each step once.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;
use crate::plans::Village;

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A token for the demo coordinator, signed in at the clock's present.
async fn coordinator(v: &Village) -> String {
    access_token(
        &v.app
            .login(
                yui::demo::COORDINATOR_EMAIL,
                yui::demo::COORDINATOR_PASSWORD,
            )
            .await,
    )
}

async fn tick(v: &Village) -> yui::services::escalations::TickOutcome {
    yui::services::escalations::tick(&v.app.services.db, &v.app.services.clock)
        .await
        .unwrap()
}

/// The demo planned and locked, every load on the van and received at its hub now. Answers
/// the plan.
pub async fn received(v: &Village) -> Value {
    received_miscounting(v, 0).await
}

/// As `received`, the first hub counting `extra` ambient crates more than were loaded.
pub async fn received_miscounting(v: &Village, extra: i64) -> Value {
    let plan = v.plan(true).await;
    let mut extra = extra;
    let now = yui::domain::time::wire(v.app.services.clock.now());
    for load in plan["post_loads"].as_array().unwrap() {
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
        if planned.is_empty() {
            continue;
        }
        let run = plan["runs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["carrier"]["id"] == load["post_trip_id"])
            .unwrap();
        for (kind, run_id) in [("van_loaded", Some(&run["id"])), ("hub_received", None)] {
            let mut body = json!({"id": new_id(), "kind": kind, "occurred_at": now,
                                  "hub_id": load["hub_id"], "request_ids": planned,
                                  "crates": load["slots"]});
            if let Some(run_id) = run_id {
                body["run_id"] = run_id.clone();
            } else {
                let counted = body["crates"]["ambient"].as_i64().unwrap() + extra;
                body["crates"]["ambient"] = json!(counted);
                extra = 0;
            }
            let (status, answer) = v
                .app
                .post("/api/v1/handovers", body, Some(&v.coordinator))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{answer}");
        }
    }
    plan
}

/// A volunteer's run with a door picks up, and nobody answers its first door: the case opens
/// at once. Answers the run and the request at that door.
pub async fn door_fails(v: &Village, plan: &Value) -> (Value, String) {
    let run = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["carrier"]["kind"] == "volunteer"
                && r["stops"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["request_id"].is_string())
        })
        .unwrap()
        .clone();
    let door = run["stops"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|s| s["request_id"].as_str())
        .unwrap()
        .to_owned();
    let volunteer = v.volunteer_of(&run).await;
    let now = yui::domain::time::wire(v.app.services.clock.now());
    for (kind, reason) in [("run_picked_up", None), ("door_failed", Some("no_answer"))] {
        let mut body = json!({"id": new_id(), "kind": kind, "occurred_at": now,
                              "run_id": run["id"], "request_ids": [door]});
        if let Some(reason) = reason {
            body["reason"] = json!(reason);
        }
        let (status, answer) = v
            .app
            .post("/api/v1/handovers", body, Some(&volunteer))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    (run, door)
}

#[actix_web::test]
async fn an_unanswered_door_goes_through_every_step_to_the_welfare_contact() {
    let v = Village::new().await;
    // The area names its welfare contact and its steps (the family at once: after 0 minutes).
    let area = format!("/api/v1/areas/{}", v.summary.area_id);
    let first_read = v.app.get_raw(&area, &v.coordinator).await;
    let etag = first_read.headers()["etag"].to_str().unwrap().to_owned();
    let (_, before) = read(first_read).await;
    assert_eq!(before["cold_chain"]["chilled_minutes"], 240);
    assert_eq!(before["watch_over"]["steps"].as_array().unwrap().len(), 4);
    let settings = json!({"watch_over": {
        "steps": [{"to": "carrier", "after_minutes": 0}, {"to": "family", "after_minutes": 0},
                  {"to": "coordinator", "after_minutes": 60}, {"to": "welfare", "after_minutes": 120}],
        "welfare_contact": {"name": "奈良市東部地域包括支援センター", "phone": "0742-00-1234"}}});
    let patch = |if_match: Option<&str>, body: Value| {
        let mut request = v
            .app
            .client
            .patch(v.app.url(&area))
            .bearer_auth(&v.coordinator)
            .json(&body);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    assert_eq!(
        patch(None, settings.clone()).await.unwrap().status(),
        StatusCode::PRECONDITION_REQUIRED
    );
    let out_of_order = json!({"watch_over": {"steps": [
        {"to": "family", "after_minutes": 30}, {"to": "coordinator", "after_minutes": 10}]}});
    assert_eq!(
        patch(Some(&etag), out_of_order).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let changed = patch(Some(&etag), settings.clone()).await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        patch(Some(&etag), settings).await.unwrap().status(),
        StatusCode::PRECONDITION_FAILED
    );

    let plan = received(&v).await;
    let (run, _) = door_fails(&v, &plan).await;
    let run = &run;
    let volunteer = v.volunteer_of(run).await;

    // The case is open at the carrier's step; the volunteer sees it, at their step.
    let (status, mine) = v
        .app
        .get("/api/v1/escalations?status=open", Some(&volunteer))
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let case = mine["items"]
        .as_array()
        .unwrap()
        .first()
        .cloned()
        .expect("a case");
    assert_eq!(case["cause"], "no_answer");
    assert_eq!(case["current_to"], "carrier");
    let path = format!("/api/v1/escalations/{}", case["id"].as_str().unwrap());

    // Nobody acknowledges: every tick moves it once, at its time, to the next step.
    let clock = &v.app.services.clock;
    let start = clock.now();
    let mut reached = vec![case["current_to"].as_str().unwrap().to_owned()];
    for minutes in [0, 59, 60, 61, 119, 120, 200] {
        assert!(clock.set(start + Duration::minutes(minutes)));
        tick(&v).await;
        tick(&v).await;
        let staff = coordinator(&v).await;
        let (_, now_case) = v.app.get(&path, Some(&staff)).await;
        let to = now_case["current_to"].as_str().unwrap().to_owned();
        if reached.last() != Some(&to) {
            reached.push(to);
        }
        let expected_step = match minutes {
            0..=59 => 1,
            60..=119 => 2,
            _ => 3,
        };
        assert_eq!(
            now_case["step"], expected_step,
            "after {minutes} min: {now_case}"
        );
    }
    assert_eq!(reached, ["carrier", "family", "coordinator", "welfare"]);
    let staff = coordinator(&v).await;
    let (_, case) = v.app.get(&path, Some(&staff)).await;
    assert!(
        case["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["reached_at"].is_string()),
        "{case}"
    );
    // Each step moved once and left its event.
    let id = case["id"].as_str().unwrap().to_owned();
    let events: Vec<String> = v
        .app
        .services
        .db
        .run("test.outbox", move |conn| {
            yui::db::outbox::of_aggregate(conn, "escalation", &id)
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_type)
        .collect();
    assert_eq!(
        events,
        [
            "escalation.opened",
            "escalation.step_due",
            "escalation.step_due",
            "escalation.step_due"
        ]
    );
    // The volunteer's step has passed: the case is no longer theirs to act on.
    let volunteer = v.volunteer_of(run).await;
    let (status, _) = v
        .app
        .post(&format!("{path}/acknowledge"), json!({}), Some(&volunteer))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The coordinator (for the welfare contact) resolves it.
    let (status, resolved) = v
        .app
        .post(
            &format!("{path}/resolve"),
            json!({"outcome": "referred_to_welfare", "note": "包括支援センターが訪問しました"}),
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["outcome"], "referred_to_welfare");
    assert_eq!(tick(&v).await.escalated, 0);
}

#[actix_web::test]
async fn a_pickup_left_on_the_shelf_opens_a_case_once_its_time_passes() {
    let v = Village::new().await;
    let plan = received(&v).await;
    // A hub with a pickup on its shelf; and the earliest time anything on a shelf is due.
    let mut shelf = None;
    let mut earliest: Option<chrono::DateTime<chrono::Utc>> = None;
    for load in plan["post_loads"].as_array().unwrap() {
        let path = format!(
            "/api/v1/hubs/{}/shelf?delivery_date={}",
            load["hub_id"].as_str().unwrap(),
            v.summary.delivery_date
        );
        let (status, view) = v.app.get(&path, Some(&v.coordinator)).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        for item in view["items"].as_array().unwrap() {
            let by = item["collect_by"].as_str().unwrap().parse().unwrap();
            earliest = Some(earliest.map_or(by, |e| e.min(by)));
        }
        if shelf.is_none()
            && view["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["status"] == "ready_for_pickup")
        {
            shelf = Some((path, view));
        }
    }
    let (path, view) = shelf.expect("a pickup on a shelf");
    let used = &view["occupancy"]["used"];
    assert!(
        used["ambient"].as_i64().unwrap()
            + used["chilled"].as_i64().unwrap()
            + used["frozen"].as_i64().unwrap()
            > 0,
        "{view}"
    );
    let pickup = view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "ready_for_pickup")
        .unwrap()
        .clone();
    assert!(pickup["resident_name"].is_string() && pickup["shelf_number"].is_string());
    let collect_by: chrono::DateTime<chrono::Utc> =
        pickup["collect_by"].as_str().unwrap().parse().unwrap();

    // Before anything's time nothing opens; after the pickup's, its case (once, whatever
    // the number of ticks).
    let clock = &v.app.services.clock;
    assert!(clock.set(earliest.unwrap() - Duration::seconds(1)));
    assert_eq!(tick(&v).await.opened, 0);
    assert!(clock.set(collect_by));
    let first = tick(&v).await;
    assert!(first.opened >= 1, "{first:?}");
    assert_eq!(tick(&v).await.opened, 0);
    let staff = coordinator(&v).await;
    let (_, cases) = v.app.get("/api/v1/escalations", Some(&staff)).await;
    let case = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["request_id"] == pickup["request_id"])
        .expect("the pickup's case")
        .clone();
    assert_eq!(case["cause"], "not_collected");
    let (_, now_shelf) = v.app.get(&path, Some(&staff)).await;
    let entry = now_shelf["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["request_id"] == pickup["request_id"])
        .unwrap()
        .clone();
    assert_eq!(entry["overdue"], true);
    // The coordinator acknowledges (it stops moving on) and resolves it.
    let case_path = format!("/api/v1/escalations/{}", case["id"].as_str().unwrap());
    let (status, acked) = v
        .app
        .post(
            &format!("{case_path}/acknowledge"),
            json!({"note": "ご家族に電話します"}),
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{acked}");
    assert_eq!(acked["status"], "acknowledged");
    // Acknowledged, it stays at its step however long it takes (others move on).
    assert!(clock.set(collect_by + Duration::hours(5)));
    tick(&v).await;
    let staff = coordinator(&v).await;
    let (_, still) = v.app.get(&case_path, Some(&staff)).await;
    assert_eq!(
        (still["status"].clone(), still["step"].clone()),
        (json!("acknowledged"), acked["step"].clone())
    );
    let (status, resolved) = v
        .app
        .post(
            &format!("{case_path}/resolve"),
            json!({"outcome": "away_known", "note": "娘さんの家に泊まっていました"}),
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    // The shelf is the keepers' and the coordinators': a volunteer is refused by role.
    let volunteer = v.volunteer(1).await;
    let (status, _) = v.app.get(&path, Some(&volunteer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn two_instances_on_one_database_move_each_step_once() {
    let v = Village::new().await;
    let second = TestApp::spawn_on(TestDb::borrowed(v.app.db_target()), |_| {}).await;
    let plan = received(&v).await;
    let run = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["carrier"]["kind"] == "volunteer"
                && r["stops"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["request_id"].is_string())
        })
        .unwrap();
    let doors: Vec<String> = run["stops"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["request_id"].as_str().map(str::to_owned))
        .collect();
    let volunteer = v.volunteer_of(run).await;
    let now = yui::domain::time::wire(v.app.services.clock.now());
    let (status, _) = v
        .app
        .post(
            "/api/v1/handovers",
            json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": now,
                   "run_id": run["id"], "request_ids": doors}),
            Some(&volunteer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for door in &doors {
        let (status, body) = v
            .app
            .post(
                "/api/v1/handovers",
                json!({"id": new_id(), "kind": "door_failed", "occurred_at": now,
                       "run_id": run["id"], "request_ids": [door], "reason": "no_answer"}),
                Some(&volunteer),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // Both instances tick together at each step's time, on both clocks.
    let start = v.app.services.clock.now();
    let mut total = 0;
    for minutes in [30, 60, 120] {
        let at = start + Duration::minutes(minutes);
        assert!(v.app.services.clock.set(at) && second.services.clock.set(at));
        let (a, b) = tokio::join!(
            yui::services::escalations::tick(&v.app.services.db, &v.app.services.clock),
            yui::services::escalations::tick(&second.services.db, &second.services.clock)
        );
        total += a.unwrap().escalated + b.unwrap().escalated;
    }
    // Each move is recorded once (no step moved by both instances); the doors' cases each
    // moved three steps after the first. Pickups not collected by the hub's closing may
    // have cases of their own by now, depending on the hour the test runs.
    let moves: Vec<String> = v
        .app
        .services
        .db
        .run("test.step_moves", |conn| {
            use diesel::prelude::*;
            use yui::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::event_type.eq("escalation.step_due"))
                .select(outbox::aggregate_id)
                .load::<String>(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(moves.len(), total);
    let staff = coordinator(&v).await;
    let (_, cases) = v
        .app
        .get("/api/v1/escalations?limit=100", Some(&staff))
        .await;
    let door_cases: Vec<&str> = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cause"] == "no_answer")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(door_cases.len(), doors.len(), "{cases}");
    for case in door_cases {
        assert_eq!(moves.iter().filter(|m| *m == case).count(), 3, "{case}");
    }
}
