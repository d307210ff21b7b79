//! Plans, runs and the cutoff job over HTTP, on the demo village (3 hubs, 60 residents,
//! 8 volunteers, 2 post trips).

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};
use yui::demo::{self, DemoSummary};

use crate::common::{TestApp, access_token, assert_problem};

pub struct Village {
    pub app: TestApp,
    pub summary: DemoSummary,
    pub coordinator: String,
}

impl Village {
    pub async fn new() -> Self {
        Self::on(TestApp::spawn().await).await
    }

    pub async fn on(app: TestApp) -> Self {
        let summary = demo::seed(&app.services).await.unwrap();
        let coordinator = access_token(
            &app.login(demo::COORDINATOR_EMAIL, demo::COORDINATOR_PASSWORD)
                .await,
        );
        Village {
            app,
            summary,
            coordinator,
        }
    }

    pub async fn volunteer(&self, n: usize) -> String {
        access_token(
            &self
                .app
                .login(
                    &format!("volunteer{n}@nara-east.example.jp"),
                    demo::VOLUNTEER_PASSWORD,
                )
                .await,
        )
    }

    /// The token of the demo volunteer who carries `run` ("ボランティア N").
    pub async fn volunteer_of(&self, run: &Value) -> String {
        let n: usize = run["carrier"]["name"]
            .as_str()
            .unwrap()
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        self.volunteer(n).await
    }

    /// Plans the demo date and answers whatever came back.
    pub async fn plan_status(&self, lock: bool) -> (StatusCode, Value) {
        self.app
            .post(
                "/api/v1/plans",
                json!({"area_id": self.summary.area_id, "delivery_date": self.summary.delivery_date, "lock": lock}),
                Some(&self.coordinator),
            )
            .await
    }

    pub async fn plan(&self, lock: bool) -> Value {
        let (status, plan) = self.plan_status(lock).await;
        assert_eq!(status, StatusCode::CREATED, "{plan}");
        plan
    }

    pub async fn requests(&self) -> Vec<Value> {
        let (status, page) = self
            .app
            .get(
                &format!(
                    "/api/v1/requests?delivery_date={}&limit=100",
                    self.summary.delivery_date
                ),
                Some(&self.coordinator),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["items"].as_array().unwrap().clone()
    }
}

fn ids(values: &Value, key: &str) -> HashSet<String> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect()
}

/// Every request of the date is placed once (on a run's delivery stop, or on a post load as
/// a pickup) or listed unassigned with a reason.
fn assert_accounts_for_every_request(plan: &Value, requests: &[Value]) {
    let mut delivered = Vec::new();
    for run in plan["runs"].as_array().unwrap() {
        for stop in run["stops"].as_array().unwrap() {
            if let Some(id) = stop["request_id"].as_str() {
                delivered.push(id.to_owned());
            }
        }
    }
    let mut seen: HashSet<String> = HashSet::new();
    for id in &delivered {
        assert!(seen.insert(id.clone()), "{id} delivered twice");
    }
    let unassigned = ids(&plan["unassigned"], "request_id");
    let loaded: HashSet<String> = plan["post_loads"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["request_ids"].as_array().unwrap().clone())
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    for request in requests {
        let id = request["id"].as_str().unwrap();
        let home = request["fulfilment"] == "home_delivery";
        let placed = if home {
            seen.contains(id)
        } else {
            loaded.contains(id)
        };
        assert!(
            placed ^ unassigned.contains(id),
            "{id} placed {placed}, unassigned {}",
            unassigned.contains(id)
        );
        if seen.contains(id) {
            assert!(loaded.contains(id), "{id} delivered without line haul");
        }
    }
    for entry in plan["unassigned"].as_array().unwrap() {
        let reason = entry["reason"].as_str().unwrap();
        assert!(
            [
                "out_of_area",
                "no_linehaul_capacity",
                "hub_storage_full",
                "no_carrier_in_reach",
                "time_window",
                "cold_chain",
                "capacity"
            ]
            .contains(&reason),
            "{reason}"
        );
    }
}

#[actix_web::test]
async fn a_preview_before_the_cutoff_plans_everything_and_changes_nothing() {
    let village = Village::new().await;
    let plan = village.plan(false).await;
    assert_eq!(plan["status"], "preview");
    assert_eq!(plan["version"], 1);
    let requests = village.requests().await;
    assert_eq!(requests.len(), 60);
    assert_accounts_for_every_request(&plan, &requests);
    let runs = plan["runs"].as_array().unwrap();
    assert!(runs.iter().any(|r| r["carrier"]["kind"] == "post_trip"));
    assert!(runs.iter().any(|r| r["carrier"]["kind"] == "volunteer"));
    assert!(runs.iter().all(|r| r["status"] == "proposed"));
    assert!(plan["impact"]["households_reached"].as_u64().unwrap() > 0);
    assert!(plan["impact"]["household_km"].as_f64().unwrap() > 0.0);
    assert!(
        runs.iter()
            .flat_map(|r| r["stops"].as_array().unwrap())
            .all(|s| s.get("address").is_none() && s.get("phone").is_none())
    );
    // Nothing moved: requests still submitted, nothing offered to volunteers.
    assert!(requests.iter().all(|r| r["status"] == "submitted"));
    for n in 1..=8 {
        let (status, mine) = village
            .app
            .get("/api/v1/runs", Some(&village.volunteer(n).await))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(mine["items"], json!([]), "volunteer {n}");
    }
    // The coordinator reads it back as it was answered.
    let (status, again) = village
        .app
        .get(
            &format!("/api/v1/plans/{}", plan["id"].as_str().unwrap()),
            Some(&village.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, plan);
}

#[actix_web::test]
async fn a_date_s_plan_is_found_by_area_and_date() {
    let village = Village::new().await;
    let date = &village.summary.delivery_date;
    let area = village.summary.area_id.to_string();
    let by_date = |query: String, token: String| {
        let app = &village.app;
        async move {
            app.get(&format!("/api/v1/plans?{query}"), Some(&token))
                .await
        }
    };
    let coordinator = village.coordinator.clone();
    let (status, none) = by_date(format!("delivery_date={date}"), coordinator.clone()).await;
    assert_eq!(status, StatusCode::OK, "{none}");
    assert_eq!(none["items"], json!([]), "not planned yet");

    let plan = village.plan(false).await;
    let (status, found) = by_date(format!("delivery_date={date}"), coordinator.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        found["items"],
        json!([plan]),
        "the coordinator's own area by default"
    );
    let (_, named) = by_date(
        format!("area_id={area}&delivery_date={date}"),
        coordinator.clone(),
    )
    .await;
    assert_eq!(named["items"][0]["id"], plan["id"]);
    let (_, other_date) = by_date("delivery_date=2031-01-01".into(), coordinator.clone()).await;
    assert_eq!(other_date["items"], json!([]));

    // Another area's coordinator sees no plan of this one; an admin names the area.
    let elsewhere = village
        .app
        .services
        .district
        .area_named("Yoshino")
        .await
        .unwrap();
    let (_, outsider) = village
        .app
        .account_in("coordinator", Some(elsewhere.id))
        .await;
    let (status, hidden) = by_date(
        format!("area_id={area}&delivery_date={date}"),
        access_token(&outsider),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hidden["items"], json!([]));
    let (_, admin) = village.app.account("admin").await;
    let admin = access_token(&admin);
    let (_, seen) = by_date(
        format!("area_id={area}&delivery_date={date}"),
        admin.clone(),
    )
    .await;
    assert_eq!(seen["items"][0]["id"], plan["id"]);
    let (status, problem) = by_date(format!("delivery_date={date}"), admin).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "area_id", "{problem}");
    let (status, problem) = by_date("delivery_date=2026-13-40".into(), coordinator.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, problem) = by_date(String::new(), coordinator).await;
    assert!(status.is_client_error(), "{problem}");
}

#[actix_web::test]
async fn locking_plans_for_real_and_closes_ordering() {
    let village = Village::new().await;
    let plan = village.plan(true).await;
    assert_eq!(plan["status"], "locked");
    let unassigned = ids(&plan["unassigned"], "request_id");
    let requests = village.requests().await;
    for request in &requests {
        let id = request["id"].as_str().unwrap();
        let expected = if unassigned.contains(id) {
            "locked"
        } else {
            "planned"
        };
        assert_eq!(request["status"], expected, "{id}");
    }
    assert!(
        plan["runs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "offered")
    );

    // The family sees the window and a first name, nothing more about the volunteer.
    let family = access_token(
        &village
            .app
            .login(demo::FAMILY_EMAIL, demo::FAMILY_PASSWORD)
            .await,
    );
    let (_, theirs) = village
        .app
        .get("/api/v1/requests?limit=100", Some(&family))
        .await;
    let mine = &theirs["items"][0];
    let (status, one) = village
        .app
        .get(
            &format!("/api/v1/requests/{}", mine["id"].as_str().unwrap()),
            Some(&family),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    if one["status"] == "planned" {
        let planned = &one["planned"];
        assert!(
            planned["window_start"].as_str().unwrap() < planned["window_end"].as_str().unwrap()
        );
        // Families see the name the volunteer chose, never their display name.
        if let Some(name) = planned.get("carrier_public_name") {
            assert!(!name.as_str().unwrap().is_empty(), "{name}");
            assert!(!one.to_string().contains("ボランティア"), "{one}");
            assert!(!one.to_string().contains("@nara-east"), "{one}");
        }
    } else {
        assert!(one.get("planned").is_none());
    }
    // Lists carry the same, so the app needs no read per request.
    assert_eq!(mine.get("planned"), one.get("planned"));
    for request in &requests {
        assert_eq!(
            request.get("planned").is_some(),
            request["status"] == "planned",
            "{request}"
        );
    }

    // Ordering for the date is closed now.
    let (status, body) = village
        .app
        .post(
            "/api/v1/requests",
            json!({"resident_id": mine["resident_id"], "delivery_date": village.summary.delivery_date,
                   "fulfilment": "home_delivery",
                   "items": [{"name": "米", "quantity": 1, "unit": "kg", "temperature": "ambient", "substitution": "none"}]}),
            Some(&family),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no key: {body}");
    let response = village
        .app
        .client
        .post(village.app.url("/api/v1/requests"))
        .bearer_auth(&family)
        .header("Idempotency-Key", "after-lock")
        .json(&json!({"resident_id": mine["resident_id"], "delivery_date": village.summary.delivery_date,
                      "fulfilment": "home_delivery",
                      "items": [{"name": "米", "quantity": 1, "unit": "kg", "temperature": "ambient", "substitution": "none"}]}))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "cutoff-passed").await;

    // A preview cannot unlock a locked date: planning again stays locked.
    let again = village.plan(false).await;
    assert_eq!(again["status"], "locked");
    assert_eq!(again["id"], plan["id"]);
    assert_eq!(again["version"], 2);
}

#[actix_web::test]
async fn volunteers_see_their_own_runs_and_only_they_see_the_doors() {
    let village = Village::new().await;
    let plan = village.plan(true).await;
    let runs = plan["runs"].as_array().unwrap();
    let volunteer_run = runs
        .iter()
        .find(|r| r["carrier"]["kind"] == "volunteer")
        .expect("a volunteer run");
    let run_id = volunteer_run["id"].as_str().unwrap();
    let owner_name = volunteer_run["carrier"]["name"].as_str().unwrap();
    let n: usize = owner_name.rsplit(' ').next().unwrap().parse().unwrap();
    let owner = village.volunteer(n).await;

    let (status, mine) = village.app.get("/api/v1/runs", Some(&owner)).await;
    assert_eq!(status, StatusCode::OK);
    let items = mine["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|r| r["carrier"]["name"] == owner_name));

    // Offered, or taken but days ahead: the doors are not shown yet.
    let doors_shown = |run: &Value| {
        run["stops"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["kind"] == "delivery")
            .map(|s| s["address"].is_string() && s["phone"].is_string())
            .collect::<Vec<bool>>()
    };
    let (status, offered) = village
        .app
        .get(&format!("/api/v1/runs/{run_id}"), Some(&owner))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doors_shown(&offered).iter().all(|shown| !shown),
        "{offered}"
    );
    let (status, _) = village
        .app
        .post(
            &format!("/api/v1/runs/{run_id}/accept"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // From 18:00 (Tokyo) the evening before the date, the one who took it sees each door.
    let date =
        chrono::NaiveDate::parse_from_str(&village.summary.delivery_date, "%Y-%m-%d").unwrap();
    let evening = date
        .pred_opt()
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    let clock = &village.app.services.clock;
    assert!(clock.set(evening - chrono::Duration::seconds(1)));
    let owner = village.volunteer(n).await;
    let (_, early) = village
        .app
        .get(&format!("/api/v1/runs/{run_id}"), Some(&owner))
        .await;
    assert!(doors_shown(&early).iter().all(|shown| !shown), "{early}");
    assert!(clock.set(evening));
    let owner = village.volunteer(n).await;
    let other = village.volunteer(if n == 1 { 2 } else { 1 }).await;
    let coordinator = access_token(
        &village
            .app
            .login(demo::COORDINATOR_EMAIL, demo::COORDINATOR_PASSWORD)
            .await,
    );
    let (status, run) = village
        .app
        .get(&format!("/api/v1/runs/{run_id}"), Some(&owner))
        .await;
    assert_eq!(status, StatusCode::OK);
    let shown = doors_shown(&run);
    assert!(!shown.is_empty() && shown.iter().all(|s| *s), "{run}");
    let door = run["stops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "delivery")
        .unwrap();
    assert!(
        door["resident_name"].is_string() && door["items"].is_array(),
        "{door}"
    );
    // Staff see the run, not the doors.
    let (_, staff_view) = village
        .app
        .get(&format!("/api/v1/runs/{run_id}"), Some(&coordinator))
        .await;
    assert!(doors_shown(&staff_view).iter().all(|shown| !shown));
    let seqs: Vec<i64> = run["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (0..seqs.len() as i64).collect::<Vec<_>>());
    let arrivals: Vec<&str> = run["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["arrival"].as_str().unwrap())
        .collect();
    assert!(arrivals.windows(2).all(|w| w[0] <= w[1]), "{arrivals:?}");

    // The read of the doors is on the audit trail.
    let (_, audit) = village
        .app
        .get(
            &format!("/api/v1/audit?entity=run&entity_id={run_id}"),
            Some(&coordinator),
        )
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "read_contacts"),
        "{audit}"
    );

    // Role x relationship x route.
    let (_, hub_keeper) = village
        .app
        .account_in("hub_keeper", Some(village.summary.area_id))
        .await;
    let (_, outsider) = village.app.account_in("coordinator", None).await;
    let family = access_token(
        &village
            .app
            .login(demo::FAMILY_EMAIL, demo::FAMILY_PASSWORD)
            .await,
    );
    let hub_keeper = access_token(&hub_keeper);
    let outsider = access_token(&outsider);
    let run_path = format!("/api/v1/runs/{run_id}");
    let accept_path = format!("{run_path}/accept");
    let plan_path = format!("/api/v1/plans/{}", plan["id"].as_str().unwrap());
    let table: Vec<(&str, &str, &str, &str, StatusCode)> = vec![
        (
            "volunteer",
            "the run's own",
            "GET",
            &run_path,
            StatusCode::OK,
        ),
        (
            "volunteer",
            "another's",
            "GET",
            &run_path,
            StatusCode::NOT_FOUND,
        ),
        (
            "volunteer",
            "another's",
            "POST",
            &accept_path,
            StatusCode::NOT_FOUND,
        ),
        (
            "coordinator",
            "of the area",
            "GET",
            &run_path,
            StatusCode::OK,
        ),
        (
            "coordinator",
            "of the area",
            "GET",
            &plan_path,
            StatusCode::OK,
        ),
        (
            "coordinator",
            "of no area",
            "GET",
            &run_path,
            StatusCode::NOT_FOUND,
        ),
        (
            "coordinator",
            "of no area",
            "GET",
            &plan_path,
            StatusCode::NOT_FOUND,
        ),
        (
            "coordinator",
            "of the area",
            "POST",
            &accept_path,
            StatusCode::FORBIDDEN,
        ),
        (
            "hub_keeper",
            "of the area",
            "GET",
            &run_path,
            StatusCode::FORBIDDEN,
        ),
        (
            "family",
            "of a resident",
            "GET",
            &run_path,
            StatusCode::FORBIDDEN,
        ),
        (
            "volunteer",
            "another's",
            "GET",
            &plan_path,
            StatusCode::FORBIDDEN,
        ),
        (
            "volunteer",
            "the run's own",
            "POST",
            &accept_path,
            StatusCode::OK,
        ),
        // A retry after a lost answer is the same accept.
        (
            "volunteer",
            "the run's own",
            "POST",
            &accept_path,
            StatusCode::OK,
        ),
    ];
    for (role, relationship, method, path, expected) in table {
        let token = match (role, relationship) {
            ("volunteer", "the run's own") => &owner,
            ("volunteer", _) => &other,
            ("coordinator", "of the area") => &coordinator,
            ("coordinator", _) => &outsider,
            ("hub_keeper", _) => &hub_keeper,
            _ => &family,
        };
        let request = match method {
            "GET" => village.app.client.get(village.app.url(path)),
            _ => village.app.client.post(village.app.url(path)),
        };
        let response = request.bearer_auth(token).send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(
            status, expected,
            "{role} ({relationship}) {method} {path}: {body}"
        );
        if status == StatusCode::OK && role == "coordinator" && path == run_path {
            assert!(!body.contains("\"address\""), "{body}");
            assert!(!body.contains("\"phone\""), "{body}");
        }
    }
}

#[actix_web::test]
async fn planning_again_keeps_accepted_runs_and_replaces_the_rest() {
    let village = Village::new().await;
    let plan = village.plan(true).await;
    let runs = plan["runs"].as_array().unwrap();
    let accepted = runs
        .iter()
        .find(|r| r["carrier"]["kind"] == "volunteer")
        .unwrap();
    let token = village.volunteer_of(accepted).await;
    let accepted_id = accepted["id"].as_str().unwrap();
    let (status, taken) = village
        .app
        .post(
            &format!("/api/v1/runs/{accepted_id}/accept"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    assert_eq!(taken["status"], "accepted");

    let again = village.plan(true).await;
    assert_eq!(again["id"], plan["id"]);
    assert_eq!(again["version"], 2);
    let kept = again["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == accepted["id"])
        .expect("the accepted run is kept");
    assert_eq!(kept["status"], "accepted");
    assert_eq!(
        kept["stops"],
        taken["stops"]
            .as_array()
            .map(|stops| {
                // The plan view never carries the doors; compare without them.
                Value::Array(
                    stops
                        .iter()
                        .map(|s| {
                            let mut s = s.clone();
                            s.as_object_mut().unwrap().remove("address");
                            s.as_object_mut().unwrap().remove("phone");
                            s
                        })
                        .collect(),
                )
            })
            .unwrap()
    );
    // No other run of the volunteer, and every other run is new.
    let old: HashSet<String> = ids(&plan["runs"], "id");
    for run in again["runs"].as_array().unwrap() {
        if run["id"] != accepted["id"] {
            assert!(!old.contains(run["id"].as_str().unwrap()));
            assert_ne!(run["carrier"]["name"], accepted["carrier"]["name"]);
        }
    }
    // Its requests are still planned and on no other run.
    let on_kept: Vec<&str> = kept["stops"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["request_id"].as_str())
        .collect();
    let requests = village.requests().await;
    for id in &on_kept {
        let request = requests.iter().find(|r| r["id"] == *id).unwrap();
        assert_eq!(request["status"], "planned");
    }
    let elsewhere = again["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] != accepted["id"])
        .flat_map(|r| r["stops"].as_array().unwrap())
        .filter_map(|s| s["request_id"].as_str())
        .any(|id| on_kept.contains(&id));
    assert!(!elsewhere);
    assert!(
        !again["unassigned"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| on_kept.contains(&u["request_id"].as_str().unwrap()))
    );
}

#[actix_web::test]
async fn two_concurrent_plans_for_one_date_leave_one_plan() {
    let village = Village::new().await;
    let (a, b) = tokio::join!(village.plan(true), village.plan(true));
    assert_eq!(a["id"], b["id"]);
    let last = if a["version"].as_i64() > b["version"].as_i64() {
        &a
    } else {
        &b
    };
    let (status, runs) = village
        .app
        .get(
            &format!(
                "/api/v1/runs?delivery_date={}&limit=100",
                village.summary.delivery_date
            ),
            Some(&village.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&runs["items"], "id"), ids(&last["runs"], "id"));
    let requests = village.requests().await;
    assert_accounts_for_every_request(last, &requests);
}

#[actix_web::test]
async fn hub_keepers_see_what_arrives_at_their_hub() {
    let village = Village::new().await;
    let (_, hubs) = village
        .app
        .get("/api/v1/hubs", Some(&village.coordinator))
        .await;
    let hub_id = hubs["items"][0]["id"].as_str().unwrap().to_owned();
    let (keeper_id, keeper) = village
        .app
        .account_in("hub_keeper", Some(village.summary.area_id))
        .await;
    let (_, stranger) = village
        .app
        .account_in("hub_keeper", Some(village.summary.area_id))
        .await;
    let (status, body) = village
        .app
        .post(
            &format!("/api/v1/hubs/{hub_id}/keepers"),
            json!({"user_id": keeper_id}),
            Some(&village.coordinator),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let path = format!(
        "/api/v1/hubs/{hub_id}/arrivals?delivery_date={}",
        village.summary.delivery_date
    );
    let keeper = access_token(&keeper);
    // A preview shows the keeper nothing yet.
    village.plan(false).await;
    let (status, arrivals) = village.app.get(&path, Some(&keeper)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(arrivals["items"], json!([]));

    let plan = village.plan(true).await;
    let (status, arrivals) = village.app.get(&path, Some(&keeper)).await;
    assert_eq!(status, StatusCode::OK, "{arrivals}");
    let expected: Vec<&Value> = plan["post_loads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["hub_id"] == hub_id.as_str())
        .collect();
    let items = arrivals["items"].as_array().unwrap();
    assert_eq!(items.len(), expected.len());
    assert!(!items.is_empty());
    for (got, load) in items.iter().zip(&expected) {
        assert_eq!(got["post_trip_id"], load["post_trip_id"]);
        assert_eq!(got["slots"], load["slots"]);
        assert_eq!(
            got["requests"],
            load["request_ids"].as_array().unwrap().len()
        );
        assert!(got["post_trip_name"].as_str().unwrap().contains("便"));
    }
    let (status, _) = village.app.get(&path, Some(&access_token(&stranger))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn bad_plan_requests_are_refused_and_change_nothing() {
    let village = Village::new().await;
    let post = |body: Value| {
        village
            .app
            .client
            .post(village.app.url("/api/v1/plans"))
            .bearer_auth(&village.coordinator)
            .json(&body)
    };
    let area = village.summary.area_id;
    let date = village.summary.delivery_date.clone();
    assert_problem(
        post(json!({"area_id": area, "delivery_date": "2026-02-30"}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_problem(
        post(json!({"area_id": uuid::Uuid::new_v4(), "delivery_date": date}))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_problem(
        post(json!({"area_id": area, "delivery_date": date, "hurry": true}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-body",
    )
    .await;
    let (_, outsider) = village.app.account_in("coordinator", None).await;
    let response = village
        .app
        .client
        .post(village.app.url("/api/v1/plans"))
        .bearer_auth(access_token(&outsider))
        .json(&json!({"area_id": area, "delivery_date": date}))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::NOT_FOUND, "not-found").await;
    let (status, runs) = village
        .app
        .get("/api/v1/runs", Some(&village.coordinator))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(runs["items"], json!([]));
    assert!(
        village
            .requests()
            .await
            .iter()
            .all(|r| r["status"] == "submitted")
    );
}

#[actix_web::test]
async fn the_cutoff_job_plans_each_date_once_across_instances() {
    let village = Village::new().await;
    let second = TestApp::spawn_on(
        crate::common::TestDb::borrowed(village.app.db_target()),
        |_| {},
    )
    .await;
    let date =
        chrono::NaiveDate::parse_from_str(&village.summary.delivery_date, "%Y-%m-%d").unwrap();
    // Just after the date's cutoff (16:00 the day before, Tokyo).
    let cutoff = date
        .pred_opt()
        .unwrap()
        .and_hms_opt(7, 0, 1)
        .unwrap()
        .and_utc();
    let (a, b) = tokio::join!(
        yui::jobs::cutoff::tick(&village.app.services, "instance-a", cutoff),
        yui::jobs::cutoff::tick(&second.services, "instance-b", cutoff),
    );
    let outcomes: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    let planned: Vec<_> = outcomes
        .iter()
        .filter(|o| matches!(o, yui::jobs::cutoff::Outcome::Planned { date: d, .. } if *d == date))
        .collect();
    assert_eq!(planned.len(), 1, "{outcomes:?}");
    let yui::jobs::cutoff::Outcome::Planned { plan, .. } = planned[0] else {
        unreachable!()
    };
    let (status, body) = village
        .app
        .get(&format!("/api/v1/plans/{plan}"), Some(&village.coordinator))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "locked");
    assert_eq!(body["version"], 1);
    // Later ticks find the date done.
    let later = yui::jobs::cutoff::tick(
        &second.services,
        "instance-b",
        cutoff + chrono::Duration::minutes(5),
    )
    .await
    .unwrap();
    assert!(
        !later.iter().any(
            |o| matches!(o, yui::jobs::cutoff::Outcome::Planned { date: d, .. } if *d == date)
        )
    );
    assert!(
        village
            .requests()
            .await
            .iter()
            .all(|r| r["status"] != "submitted")
    );
}

/// Every planned request has its place and window; nothing else has one.
async fn every_planned_request_is_placed(village: &Village) {
    for request in village.requests().await {
        assert_eq!(
            request["status"] == "planned",
            request.get("planned").is_some(),
            "{request}"
        );
    }
}

#[actix_web::test]
async fn two_locking_plans_at_once_leave_every_request_placed() {
    let village = Village::new().await;
    // A double click, or two coordinators: both lock the same date at the same moment.
    let (first, second) = tokio::join!(village.plan_status(true), village.plan_status(true));
    // One creates the plan, the other plans the date again: both succeed.
    assert_eq!(
        (first.0, second.0),
        (StatusCode::CREATED, StatusCode::CREATED),
        "{} {}",
        first.1["title"],
        second.1["title"]
    );
    every_planned_request_is_placed(&village).await;

    // A volunteer takes a run; two re-plans race: the run's requests keep their places.
    let plan = village.plan(true).await;
    let run = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["carrier"]["kind"] == "volunteer" && r["stops"].as_array().unwrap().len() > 3)
        .unwrap()
        .clone();
    let token = village.volunteer_of(&run).await;
    let run_path = format!("/api/v1/runs/{}", run["id"].as_str().unwrap());
    let (status, _) = village
        .app
        .post(&format!("{run_path}/accept"), json!({}), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (first, second) = tokio::join!(village.plan_status(true), village.plan_status(true));
    assert_eq!(
        (first.0, second.0),
        (StatusCode::CREATED, StatusCode::CREATED),
        "{}",
        first.1["title"]
    );
    every_planned_request_is_placed(&village).await;
    let (status, kept) = village.app.get(&run_path, Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kept["status"], "accepted");
    for stop in kept["stops"].as_array().unwrap() {
        if let Some(request) = stop["request_id"].as_str() {
            let (_, one) = village
                .app
                .get(
                    &format!("/api/v1/requests/{request}"),
                    Some(&village.coordinator),
                )
                .await;
            assert_eq!(one["status"], "planned", "{one}");
        }
    }
}

#[actix_web::test]
async fn an_accept_that_answered_200_survives_a_racing_replan() {
    let village = Village::new().await;
    for round in 0..3 {
        let plan = village.plan(true).await;
        let offered: Vec<Value> = plan["runs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["carrier"]["kind"] == "volunteer" && r["status"] == "offered")
            .cloned()
            .collect();
        let mut tokens = Vec::new();
        for run in &offered {
            tokens.push(village.volunteer_of(run).await);
        }
        // Every offered run is accepted while the date is planned again, all at once.
        let paths: Vec<String> = offered
            .iter()
            .map(|run| format!("/api/v1/runs/{}/accept", run["id"].as_str().unwrap()))
            .collect();
        let accepts = futures_util::future::join_all(
            paths
                .iter()
                .zip(&tokens)
                .map(|(path, token)| village.app.post(path, json!({}), Some(token))),
        );
        let (answers, replan) = tokio::join!(accepts, village.plan_status(true));
        assert_eq!(replan.0, StatusCode::CREATED, "{}", replan.1["title"]);
        for ((status, body), (run, token)) in answers.iter().zip(offered.iter().zip(&tokens)) {
            if *status != StatusCode::OK {
                assert_eq!(*status, StatusCode::CONFLICT, "{body}");
                continue;
            }
            let path = format!("/api/v1/runs/{}", run["id"].as_str().unwrap());
            let (status, now) = village.app.get(&path, Some(token)).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "round {round}: an acknowledged accept was undone"
            );
            assert_eq!(now["status"], "accepted");
        }
        every_planned_request_is_placed(&village).await;
    }
}
