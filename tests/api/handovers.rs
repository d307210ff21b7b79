//! The delivery day through the API on the demo: from the post van to the door, with proof,
//! failures, replays and a phone's offline batch.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::plans::Village;

/// A tiny PNG (its signature and an IHDR chunk): enough for the type check.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

fn now(v: &Village) -> String {
    yui::domain::time::wire(v.app.services.clock.now())
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn status_of(v: &Village, request: &str) -> String {
    let (status, body) = v
        .app
        .get(&format!("/api/v1/requests/{request}"), Some(&v.coordinator))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["status"].as_str().unwrap().to_owned()
}

async fn record(v: &Village, token: &str, handover: Value) -> (StatusCode, Value) {
    v.app.post("/api/v1/handovers", handover, Some(token)).await
}

async fn events_of(v: &Village, aggregate: &'static str, id: &str) -> Vec<String> {
    let id = id.to_owned();
    v.app
        .services
        .db
        .run("test.outbox", move |conn| {
            yui::db::outbox::of_aggregate(conn, aggregate, &id)
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_type)
        .collect()
}

/// The demo locked and planned: its post loads, and the last-mile runs by id.
struct Day {
    loads: Vec<Value>,
    post_runs: HashMap<String, Value>,
    runs: Vec<Value>,
}

async fn planned_day(v: &Village) -> Day {
    let plan = v.plan(true).await;
    // A home delivery left without a carrier is not planned: it stays off the van's record.
    let mut loads = Vec::new();
    for load in plan["post_loads"].as_array().unwrap() {
        let mut planned = Vec::new();
        for id in load["request_ids"].as_array().unwrap() {
            if status_of(v, id.as_str().unwrap()).await == "planned" {
                planned.push(id.clone());
            }
        }
        if !planned.is_empty() {
            let mut load = load.clone();
            load["request_ids"] = Value::Array(planned);
            loads.push(load);
        }
    }
    let mut post_runs = HashMap::new();
    let mut runs = Vec::new();
    for run in plan["runs"].as_array().unwrap() {
        if run["carrier"]["kind"] == "post_trip" {
            post_runs.insert(
                run["carrier"]["id"].as_str().unwrap().to_owned(),
                run.clone(),
            );
        } else {
            runs.push(run.clone());
        }
    }
    assert!(!loads.is_empty() && !runs.is_empty(), "{plan}");
    Day {
        loads,
        post_runs,
        runs,
    }
}

/// Loads every post load on its van and receives it at its hub, that morning (three hours
/// ago); the first load is counted one crate short. Answers the first receipt.
async fn van_to_hub(v: &Village, day: &Day) -> Value {
    let morning = yui::domain::time::wire(v.app.services.clock.now() - chrono::Duration::hours(3));
    let mut first_receipt = None;
    for (n, load) in day.loads.iter().enumerate() {
        let run = &day.post_runs[load["post_trip_id"].as_str().unwrap()];
        let slots = &load["slots"];
        let (status, loaded) = record(
            v,
            &v.coordinator,
            json!({"id": new_id(), "kind": "van_loaded", "occurred_at": morning,
                   "run_id": run["id"], "hub_id": load["hub_id"],
                   "request_ids": load["request_ids"], "crates": slots}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{loaded}");
        let mut counted = slots.clone();
        if n == 0 {
            let key = ["ambient", "chilled", "frozen"]
                .into_iter()
                .find(|k| slots[*k].as_i64().unwrap() > 0)
                .unwrap();
            counted[key] = json!(slots[key].as_i64().unwrap() - 1);
        }
        let (status, received) = record(
            v,
            &v.coordinator,
            json!({"id": new_id(), "kind": "hub_received", "occurred_at": morning,
                   "hub_id": load["hub_id"], "request_ids": load["request_ids"],
                   "crates": counted}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{received}");
        if n == 0 {
            first_receipt = Some(received);
        } else {
            assert!(received["discrepancy"].is_null(), "{received}");
        }
    }
    first_receipt.unwrap()
}

/// The kinds of a request's handovers in order, as staff read them.
async fn chain_of(v: &Village, request: &str) -> Vec<String> {
    let (_, custody) = v
        .app
        .get(
            &format!("/api/v1/requests/{request}/custody"),
            Some(&v.coordinator),
        )
        .await;
    custody["handovers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn stop_requests(run: &Value) -> Vec<String> {
    run["stops"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["request_id"].as_str().map(str::to_owned))
        .collect()
}

#[actix_web::test]
async fn a_day_from_the_van_to_the_door() {
    let v = Village::new().await;
    let day = planned_day(&v).await;

    // A step out of order is refused and writes nothing: nothing is at the hub yet.
    let load = &day.loads[0];
    let early = record(
        &v,
        &v.coordinator,
        json!({"id": new_id(), "kind": "hub_returned", "occurred_at": now(&v),
               "hub_id": load["hub_id"], "request_ids": [load["request_ids"][0]]}),
    )
    .await;
    assert_eq!(early.0, StatusCode::CONFLICT, "{}", early.1);
    assert_eq!(early.1["current_status"], "planned");

    let receipt = van_to_hub(&v, &day).await;
    // One crate short: kept as a discrepancy, and raised as an event.
    assert!(receipt["discrepancy"].is_object(), "{receipt}");
    assert_ne!(receipt["discrepancy"], receipt["crates"]);
    assert_eq!(
        events_of(&v, "handover", receipt["id"].as_str().unwrap()).await,
        ["handover.recorded", "handover.discrepancy"]
    );

    // Receipt puts home deliveries at the hub and pickups on the shelf.
    let mut pickups = Vec::new();
    for load in &day.loads {
        for id in load["request_ids"].as_array().unwrap() {
            let id = id.as_str().unwrap();
            let (_, request) = v
                .app
                .get(&format!("/api/v1/requests/{id}"), Some(&v.coordinator))
                .await;
            match request["fulfilment"].as_str().unwrap() {
                "hub_pickup" => {
                    assert_eq!(request["status"], "ready_for_pickup");
                    pickups.push(id.to_owned());
                }
                _ => assert_eq!(request["status"], "at_hub", "{request}"),
            }
            // The family (and staff) see the code to say at the door.
            let code = request["planned"]["handover_code"].as_str().unwrap();
            assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    // A volunteer picks up their run at the hub, then goes door to door.
    let run = day
        .runs
        .iter()
        .find(|r| stop_requests(r).len() >= 3)
        .expect("a run of three doors or more");
    let volunteer = v.volunteer_of(run).await;
    let doors = stop_requests(run);
    let (status, picked) = record(
        &v,
        &volunteer,
        json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": now(&v),
               "run_id": run["id"], "request_ids": doors}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{picked}");
    for door in &doors {
        assert_eq!(status_of(&v, door).await, "out_for_delivery");
    }

    // Door 1: the code the family says. A wrong one is refused (and counted).
    let (_, first) = v
        .app
        .get(
            &format!("/api/v1/requests/{}", doors[0]),
            Some(&v.coordinator),
        )
        .await;
    let code = first["planned"]["handover_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let at_the_door = now(&v);
    let at_door = |code: &str, id: &str| {
        json!({"id": id, "kind": "door_delivered", "occurred_at": at_the_door,
               "run_id": run["id"], "request_ids": [doors[0]],
               "recipient": {"kind": "resident"}, "proof": {"method": "code", "code": code}})
    };
    let (status, problem) = record(&v, &volunteer, at_door(wrong, &new_id())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "proof.code");
    assert_eq!(status_of(&v, &doors[0]).await, "out_for_delivery");
    // Five wrong codes lock it: even the right one is refused until a coordinator resets it.
    for _ in 1..5 {
        record(&v, &volunteer, at_door(wrong, &new_id())).await;
    }
    let (status, locked) = record(&v, &volunteer, at_door(&code, &new_id())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{locked}");
    let reset = format!("/api/v1/requests/{}/handover-code/reset", doors[0]);
    assert_eq!(
        v.app.post(&reset, json!({}), Some(&volunteer)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        v.app.post(&reset, json!({}), Some(&v.coordinator)).await.0,
        StatusCode::NO_CONTENT
    );
    let delivered_id = new_id();
    let (status, delivered) = record(&v, &volunteer, at_door(&code, &delivered_id)).await;
    assert_eq!(status, StatusCode::CREATED, "{delivered}");
    assert_eq!(status_of(&v, &doors[0]).await, "delivered");
    let (_, read) = v
        .app
        .get(
            &format!("/api/v1/requests/{}", doors[0]),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(read["delivered_at"], delivered["occurred_at"]);
    assert_eq!(read["recipient_kind"], "resident");
    // The phone lost the answer and sends it again: the same answer, nothing moves twice.
    let (status, again) = record(&v, &volunteer, at_door(&code, &delivered_id)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, delivered);
    // Another body under the same id is the phone's mistake.
    let (status, reused) = record(
        &v,
        &volunteer,
        json!({"id": delivered_id, "kind": "door_failed", "occurred_at": now(&v),
               "run_id": run["id"], "request_ids": [doors[0]], "reason": "no_answer"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reused}");
    assert_eq!(reused["field"], "id");

    // Door 2: a signature, kept as an image.
    let (status, signed) = record(
        &v,
        &volunteer,
        json!({"id": new_id(), "kind": "door_delivered", "occurred_at": now(&v),
               "run_id": run["id"], "request_ids": [doors[1]],
               "recipient": {"kind": "neighbour", "name": "隣の山田さん"},
               "proof": {"method": "signature", "image": PNG}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{signed}");
    assert_eq!(signed["proof"]["image"], true);
    // The image is served to staff as taken, and to nobody else.
    let image = format!(
        "/api/v1/handovers/{}/proof-image",
        signed["id"].as_str().unwrap()
    );
    let served = v.app.get_raw(&image, &v.coordinator).await;
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "image/png");
    use base64::Engine;
    assert_eq!(
        served.bytes().await.unwrap().to_vec(),
        base64::engine::general_purpose::STANDARD
            .decode(PNG)
            .unwrap()
    );
    assert_eq!(
        v.app.get_raw(&image, &volunteer).await.status(),
        StatusCode::FORBIDDEN
    );
    // Staff reading the chain see the neighbour's name: that read is audited.
    let (_, chain) = v
        .app
        .get(
            &format!("/api/v1/requests/{}/custody", doors[1]),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(chain["handovers"][3]["recipient"]["name"], "隣の山田さん");
    let (_, audit) = v
        .app
        .get(
            &format!("/api/v1/audit?entity=request&entity_id={}", doors[1]),
            Some(&v.coordinator),
        )
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "read_custody"),
        "{audit}"
    );
    // Not an image: refused by its bytes, whatever it claims.
    let (status, _) = record(
        &v,
        &volunteer,
        json!({"id": new_id(), "kind": "door_delivered", "occurred_at": now(&v),
               "run_id": run["id"], "request_ids": [doors[2]],
               "recipient": {"kind": "resident"},
               "proof": {"method": "photo", "image": "aGVsbG8gd29ybGQ="}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Door 3: nobody answers; the goods go back to the hub.
    let (status, failed) = record(
        &v,
        &volunteer,
        json!({"id": new_id(), "kind": "door_failed", "occurred_at": now(&v),
               "run_id": run["id"], "request_ids": [doors[2]], "reason": "no_answer"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{failed}");
    assert_eq!(status_of(&v, &doors[2]).await, "failed");
    let (status, _) = record(
        &v,
        &volunteer,
        json!({"id": new_id(), "kind": "hub_returned", "occurred_at": now(&v),
               "run_id": run["id"], "hub_id": run["hub_id"], "request_ids": [doors[2]]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(status_of(&v, &doors[2]).await, "at_hub");

    // A volunteer may not record what happens at another's doors, nor the van's load.
    if let Some(other) = day
        .runs
        .iter()
        .find(|r| r["carrier"]["id"] != run["carrier"]["id"] && !stop_requests(r).is_empty())
    {
        let (status, _) = record(
            &v,
            &volunteer,
            json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": now(&v),
                   "run_id": other["id"], "request_ids": stop_requests(other)}),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    // A pickup collected at the hub on the keeper's word: allowed, flagged.
    if let Some(pickup) = pickups.first() {
        let (_, request) = v
            .app
            .get(&format!("/api/v1/requests/{pickup}"), Some(&v.coordinator))
            .await;
        let (status, collected) = record(
            &v,
            &v.coordinator,
            json!({"id": new_id(), "kind": "hub_collected", "occurred_at": now(&v),
                   "hub_id": request["planned"]["hub_id"], "request_ids": [pickup],
                   "recipient": {"kind": "resident"}, "proof": {"method": "attested"}}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{collected}");
        assert_eq!(collected["proof"]["flagged"], true);
        assert_eq!(status_of(&v, pickup).await, "collected");
        let kinds = events_of(&v, "handover", collected["id"].as_str().unwrap()).await;
        assert_eq!(kinds, ["handover.recorded", "handover.attested"]);
    }

    // The chain of the first door, in order, for staff whole; each step left its event.
    let (status, custody) = v
        .app
        .get(
            &format!("/api/v1/requests/{}/custody", doors[0]),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{custody}");
    let kinds: Vec<&str> = custody["handovers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "van_loaded",
            "hub_received",
            "run_picked_up",
            "door_delivered"
        ]
    );
    assert_eq!(
        events_of(&v, "request", &doors[0]).await[3..],
        [
            "request.in_transit",
            "request.at_hub",
            "request.out_for_delivery",
            "request.delivered"
        ]
    );
    // A volunteer has no custody route; the family's view is another test's.
    let (status, _) = v
        .app
        .get(
            &format!("/api/v1/requests/{}/custody", doors[0]),
            Some(&volunteer),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // After the area's retention (90 days by default) the signature is deleted.
    let clock = &v.app.services.clock;
    assert!(clock.set(clock.now() + chrono::Duration::days(89)));
    let services = &v.app.services;
    let deleted = yui::services::handovers::delete_expired_images(&services.db, &services.clock);
    assert_eq!(deleted.await.unwrap(), 0);
    assert!(clock.set(clock.now() + chrono::Duration::days(2)));
    let deleted = yui::services::handovers::delete_expired_images(&services.db, &services.clock);
    assert_eq!(deleted.await.unwrap(), 1);
    let staff = crate::common::access_token(
        &v.app
            .login(
                yui::demo::COORDINATOR_EMAIL,
                yui::demo::COORDINATOR_PASSWORD,
            )
            .await,
    );
    assert_eq!(
        v.app.get_raw(&image, &staff).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn a_phone_s_offline_batch_ends_as_if_sent_one_by_one() {
    let v = Village::new().await;
    let day = planned_day(&v).await;
    van_to_hub(&v, &day).await;
    let run = day
        .runs
        .iter()
        .find(|r| stop_requests(r).len() >= 2)
        .expect("a run of two doors or more");
    let volunteer = v.volunteer_of(run).await;
    let doors = stop_requests(run);
    let at = |minutes: i64| {
        yui::domain::time::wire(
            v.app.services.clock.now() - chrono::Duration::minutes(60 - minutes),
        )
    };
    let pick_up = json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": at(0),
                         "run_id": run["id"], "request_ids": doors});
    let door = json!({"id": new_id(), "kind": "door_failed", "occurred_at": at(10),
                      "run_id": run["id"], "request_ids": [doors[0]], "reason": "no_answer"});
    let returned = json!({"id": new_id(), "kind": "hub_returned", "occurred_at": at(20),
                          "run_id": run["id"], "hub_id": run["hub_id"], "request_ids": [doors[0]]});
    let too_old = json!({"id": new_id(), "kind": "door_failed",
                         "occurred_at": yui::domain::time::wire(v.app.services.clock.now() - chrono::Duration::hours(49)),
                         "run_id": run["id"], "request_ids": [doors[1]], "reason": "refused"});
    // Sent out of order, one twice, one malformed, one too old.
    let batch =
        json!({"handovers": [returned, door, pick_up, door, {"kind": "nonsense"}, too_old]});
    let (status, answer) = v
        .app
        .post("/api/v1/handovers/batch", batch.clone(), Some(&volunteer))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let statuses: Vec<i64> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 201, 201, 200, 422, 422], "{answer}");
    assert_eq!(answer["results"][4]["problem"]["status"], 422);
    assert_eq!(status_of(&v, &doors[0]).await, "at_hub");
    assert_eq!(status_of(&v, &doors[1]).await, "out_for_delivery");
    // The whole batch again (the phone never heard back): the same end state.
    let (status, again) = v
        .app
        .post("/api/v1/handovers/batch", batch, Some(&volunteer))
        .await;
    assert_eq!(status, StatusCode::OK);
    let statuses: Vec<i64> = again["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [200, 200, 200, 200, 422, 422], "{again}");
    assert_eq!(status_of(&v, &doors[0]).await, "at_hub");
    let (_, custody) = v
        .app
        .get(
            &format!("/api/v1/requests/{}/custody", doors[0]),
            Some(&v.coordinator),
        )
        .await;
    let kinds: Vec<&str> = custody["handovers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "van_loaded",
            "hub_received",
            "run_picked_up",
            "door_failed",
            "hub_returned"
        ]
    );
}

#[actix_web::test]
async fn a_linked_post_carrier_sees_its_trip_and_loads_the_van() {
    let v = Village::new().await;
    let day = planned_day(&v).await;
    let load = &day.loads[0];
    let trip = load["post_trip_id"].as_str().unwrap();
    let run = &day.post_runs[trip];
    let (carrier_id, tokens) = v.app.account_in("carrier", Some(v.summary.area_id)).await;
    let carrier = crate::common::access_token(&tokens);
    let van = json!({"id": new_id(), "kind": "van_loaded", "occurred_at": now(&v),
                     "run_id": run["id"], "hub_id": load["hub_id"],
                     "request_ids": load["request_ids"], "crates": load["slots"]});

    // Not yet linked: the trip's run is not theirs to see or record.
    let (status, runs) = v.app.get("/api/v1/runs", Some(&carrier)).await;
    assert_eq!(status, StatusCode::OK, "{runs}");
    assert!(runs["items"].as_array().unwrap().is_empty(), "{runs}");
    assert_eq!(
        record(&v, &carrier, van.clone()).await.0,
        StatusCode::NOT_FOUND
    );

    let path = format!("/api/v1/post-trips/{trip}/carriers");
    let (status, linked) = v
        .app
        .post(&path, json!({"user_id": carrier_id}), Some(&v.coordinator))
        .await;
    assert_eq!(status, StatusCode::OK, "{linked}");
    assert_eq!(linked["carrier_ids"], json!([carrier_id]));
    // A volunteer is not a post carrier.
    let (volunteer_id, _) = v.app.account_in("volunteer", Some(v.summary.area_id)).await;
    let (status, _) = v
        .app
        .post(
            &path,
            json!({"user_id": volunteer_id}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Linked: the day's trip, its hubs in order with the crates to hand over at each.
    let (_, runs) = v.app.get("/api/v1/runs", Some(&carrier)).await;
    let mine = runs["items"].as_array().unwrap();
    assert_eq!(mine.len(), 1, "{runs}");
    assert_eq!(mine[0]["id"], run["id"]);
    let hub_stop = mine[0]["stops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["hub_id"] == load["hub_id"])
        .unwrap();
    assert_eq!(hub_stop["crates"], load["slots"]);
    // What to load at the post office: every hub's crates together.
    let start = &mine[0]["stops"][0];
    assert_eq!(start["kind"], "start");
    let total = |class: &str| -> i64 {
        day.loads
            .iter()
            .filter(|l| l["post_trip_id"] == load["post_trip_id"])
            .map(|l| l["slots"][class].as_i64().unwrap())
            .sum()
    };
    assert!(
        start["crates"]["chilled"].as_i64().unwrap() >= total("chilled"),
        "{start}"
    );
    let (status, loaded) = record(&v, &carrier, van).await;
    assert_eq!(status, StatusCode::CREATED, "{loaded}");
    // The van's carrier does not receive at the hub: that is the keeper's.
    let (status, _) = record(
        &v,
        &carrier,
        json!({"id": new_id(), "kind": "hub_received", "occurred_at": now(&v),
               "run_id": run["id"], "hub_id": load["hub_id"],
               "request_ids": load["request_ids"], "crates": load["slots"]}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = v
        .app
        .delete(&format!("{path}/{carrier_id}"), Some(&v.coordinator))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, runs) = v.app.get("/api/v1/runs", Some(&carrier)).await;
    assert!(runs["items"].as_array().unwrap().is_empty(), "{runs}");
}

#[actix_web::test]
async fn only_a_registered_proxy_collects_for_a_resident() {
    let v = Village::new().await;
    let day = planned_day(&v).await;
    van_to_hub(&v, &day).await;
    let mut pickup = None;
    for load in &day.loads {
        for id in load["request_ids"].as_array().unwrap() {
            let (_, request) = v
                .app
                .get(
                    &format!("/api/v1/requests/{}", id.as_str().unwrap()),
                    Some(&v.coordinator),
                )
                .await;
            if request["fulfilment"] == "hub_pickup" && pickup.is_none() {
                pickup = Some(request);
            }
        }
    }
    let request = pickup.expect("a hub pickup in the demo");
    let resident = request["resident_id"].as_str().unwrap();
    let proxies = format!("/api/v1/residents/{resident}/proxies");
    let consent = json!({"given_by": "本人", "basis": "口頭で同意", "text_version": "2026-12"});
    let (status, proxy) = v
        .app
        .post(
            &proxies,
            json!({"name": "佐藤 花子", "relation": "近所の方", "phone": "0742-00-0000", "consent": consent}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{proxy}");
    // Without consent on record nobody is registered.
    let (status, _) = v
        .app
        .post(
            &proxies,
            json!({"name": "誰か", "relation": "知人"}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, list) = v.app.get(&proxies, Some(&v.coordinator)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    // The staff read of names and phones is audited.
    let (_, audit) = v
        .app
        .get(
            &format!("/api/v1/audit?entity=resident&entity_id={resident}"),
            Some(&v.coordinator),
        )
        .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"read_proxies") && actions.contains(&"add_proxy"),
        "{actions:?}"
    );

    let collect = |proxy_id: &str| {
        json!({"id": new_id(), "kind": "hub_collected", "occurred_at": now(&v),
               "hub_id": request["planned"]["hub_id"], "request_ids": [request["id"]],
               "recipient": {"kind": "proxy", "proxy_id": proxy_id},
               "proof": {"method": "code", "code": request["planned"]["handover_code"]}})
    };
    // Someone not registered for this resident is refused.
    let (status, refused) = record(&v, &v.coordinator, collect(&new_id())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["field"], "recipient.proxy_id");
    let (status, collected) =
        record(&v, &v.coordinator, collect(proxy["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::CREATED, "{collected}");
    assert_eq!(collected["recipient"]["kind"], "proxy");
    assert_eq!(
        status_of(&v, request["id"].as_str().unwrap()).await,
        "collected"
    );

    // Removed: listed no more, and no longer a recipient.
    let (status, _) = v
        .app
        .delete(
            &format!("{proxies}/{}", proxy["id"].as_str().unwrap()),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = v.app.get(&proxies, Some(&v.coordinator)).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    // A volunteer has no business with a resident's proxies.
    let volunteer = v.volunteer(1).await;
    let (status, _) = v.app.get(&proxies, Some(&volunteer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_declined_run_goes_to_another_volunteer_who_completes_it() {
    let v = Village::new().await;
    let day = planned_day(&v).await;
    van_to_hub(&v, &day).await;
    let run = day
        .runs
        .iter()
        .find(|r| r["carrier"]["kind"] == "volunteer" && !stop_requests(r).is_empty())
        .unwrap();
    let run_path = format!("/api/v1/runs/{}", run["id"].as_str().unwrap());
    let first = v.volunteer_of(run).await;
    let (status, declined) = v
        .app
        .post(
            &format!("{run_path}/decline"),
            json!({"reason": "熱が出ました"}),
            Some(&first),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{declined}");
    assert_eq!(declined["status"], "declined");
    // The coordinator's list shows it, with the reason.
    let (_, listed) = v
        .app
        .get(
            &format!(
                "/api/v1/runs?delivery_date={}&limit=100",
                v.summary.delivery_date
            ),
            Some(&v.coordinator),
        )
        .await;
    let shown = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == run["id"])
        .unwrap();
    assert_eq!(shown["status"], "declined");
    assert_eq!(shown["decline_reason"], "熱が出ました");
    // Declined: the first volunteer has no part in it any more.
    let (status, _) = record(
        &v,
        &first,
        json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": now(&v),
               "run_id": run["id"], "request_ids": stop_requests(run)}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Offered to a volunteer of the area who has no run that day.
    let (second_id, tokens) = v.app.account_in("volunteer", Some(v.summary.area_id)).await;
    let second = crate::common::access_token(&tokens);
    let (status, offered) = v
        .app
        .post(
            &format!("{run_path}/reassign"),
            json!({"carrier_id": second_id}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{offered}");
    assert_eq!(offered["status"], "offered");
    assert_eq!(offered["carrier"]["id"], second_id);
    assert!(offered.get("decline_reason").is_none(), "{offered}");
    let (status, _) = v
        .app
        .post(&format!("{run_path}/accept"), json!({}), Some(&second))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Picking up at the hub starts the run; a handover at every door completes it.
    let doors = stop_requests(run);
    let (status, _) = record(
        &v,
        &second,
        json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": now(&v),
               "run_id": run["id"], "request_ids": doors}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, started) = v.app.get(&run_path, Some(&second)).await;
    assert_eq!(started["status"], "started");
    for (n, door) in doors.iter().enumerate() {
        let (status, body) = record(
            &v,
            &second,
            json!({"id": new_id(), "kind": "door_failed", "occurred_at": now(&v),
                   "run_id": run["id"], "request_ids": [door], "reason": "no_answer"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (_, now_run) = v.app.get(&run_path, Some(&second)).await;
        let expected = if n + 1 == doors.len() {
            "completed"
        } else {
            "started"
        };
        assert_eq!(now_run["status"], expected);
    }
    let events = events_of(&v, "run", run["id"].as_str().unwrap()).await;
    assert_eq!(
        events[events.len() - 5..],
        [
            "run.declined",
            "run.offered",
            "run.accepted",
            "run.started",
            "run.completed"
        ]
    );
}

#[actix_web::test]
async fn the_last_doors_of_a_run_recorded_at_once_complete_it_once() {
    let v = Village::new().await;
    let day = planned_day(&v).await;
    van_to_hub(&v, &day).await;
    let run = day
        .runs
        .iter()
        .find(|r| stop_requests(r).len() >= 2)
        .expect("a run of two doors or more");
    let volunteer = v.volunteer_of(run).await;
    let doors = stop_requests(run);
    let (status, _) = record(
        &v,
        &volunteer,
        json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": now(&v),
               "run_id": run["id"], "request_ids": doors}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    for door in &doors[..doors.len() - 2] {
        let (status, _) = record(
            &v,
            &volunteer,
            json!({"id": new_id(), "kind": "door_failed", "occurred_at": now(&v),
                   "run_id": run["id"], "request_ids": [door], "reason": "refused"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // The two last doors from two phones at the same moment.
    let last = |door: &String| {
        json!({"id": new_id(), "kind": "door_failed", "occurred_at": now(&v),
               "run_id": run["id"], "request_ids": [door], "reason": "refused"})
    };
    let (a, b) = tokio::join!(
        record(&v, &volunteer, last(&doors[doors.len() - 2])),
        record(&v, &volunteer, last(&doors[doors.len() - 1]))
    );
    assert_eq!(
        (a.0, b.0),
        (StatusCode::CREATED, StatusCode::CREATED),
        "{a:?} {b:?}"
    );
    let (_, done) = v
        .app
        .get(
            &format!("/api/v1/runs/{}", run["id"].as_str().unwrap()),
            Some(&volunteer),
        )
        .await;
    assert_eq!(done["status"], "completed");
    let events = events_of(&v, "run", run["id"].as_str().unwrap()).await;
    assert_eq!(events.iter().filter(|e| *e == "run.completed").count(), 1);
}

#[actix_web::test]
async fn a_batch_out_of_order_ends_as_the_same_handovers_sent_one_by_one() {
    let v = Village::new().await;
    let day = planned_day(&v).await;
    van_to_hub(&v, &day).await;
    let runs: Vec<&Value> = day
        .runs
        .iter()
        .filter(|r| stop_requests(r).len() >= 2)
        .take(2)
        .collect();
    assert_eq!(runs.len(), 2, "two runs of two doors or more");
    // The same morning at two runs' doors: picked up, the first door refused and returned,
    // the second handed over on the carrier's word.
    let day_of = |run: &Value| -> Vec<Value> {
        let doors = stop_requests(run);
        let at = |minutes: i64| {
            yui::domain::time::wire(
                v.app.services.clock.now() - chrono::Duration::minutes(60 - minutes),
            )
        };
        vec![
            json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": at(0),
                   "run_id": run["id"], "request_ids": doors}),
            json!({"id": new_id(), "kind": "door_failed", "occurred_at": at(10),
                   "run_id": run["id"], "request_ids": [doors[0]], "reason": "refused"}),
            json!({"id": new_id(), "kind": "hub_returned", "occurred_at": at(20),
                   "run_id": run["id"], "hub_id": run["hub_id"], "request_ids": [doors[0]]}),
            json!({"id": new_id(), "kind": "door_delivered", "occurred_at": at(30),
                   "run_id": run["id"], "request_ids": [doors[1]],
                   "recipient": {"kind": "resident"}, "proof": {"method": "attested"}}),
        ]
    };
    let one_by_one = day_of(runs[0]);
    let first = v.volunteer_of(runs[0]).await;
    for handover in &one_by_one {
        let (status, body) = record(&v, &first, handover.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let batched = day_of(runs[1]);
    let second = v.volunteer_of(runs[1]).await;
    let shuffled = json!({"handovers": [batched[3], batched[1], batched[0], batched[1],
                                        {"id": new_id(), "kind": "door_failed"}, batched[2]]});
    let (status, answer) = v
        .app
        .post("/api/v1/handovers/batch", shuffled, Some(&second))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let statuses: Vec<i64> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 201, 201, 200, 422, 201], "{answer}");
    // Door by door, the same statuses and the same chains.
    for (a, b) in stop_requests(runs[0])
        .iter()
        .zip(stop_requests(runs[1]).iter())
    {
        assert_eq!(status_of(&v, a).await, status_of(&v, b).await);
        assert_eq!(chain_of(&v, a).await, chain_of(&v, b).await);
    }
}
