//! A whole delivery day on the demo, through the API, as the people in it live it: the date
//! locked and planned; the post carrier loads each van; the keepers receive (one load a crate
//! short); a volunteer declines and the run is reassigned; volunteers pick up and hand over
//! with a code, a signature and to a proxy; one door is not answered and its case runs through
//! every step on the test clock to the welfare contact; one pickup is collected by a proxy and
//! one is not collected and escalates. At the end every request is in the state the day
//! implies, every custody chain is complete, and every step left its audit row and events.

use std::collections::HashMap;

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;
use crate::plans::Village;

const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

struct People {
    coordinator: String,
    carrier: String,
    keepers: HashMap<String, String>,
}

impl People {
    fn keeper(&self, hub: &Value) -> &str {
        &self.keepers[hub.as_str().unwrap()]
    }
}

async fn record(v: &Village, token: &str, body: Value) -> Value {
    let (status, answer) = v.app.post("/api/v1/handovers", body, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer
}

async fn request(v: &Village, token: &str, id: &str) -> Value {
    let (status, body) = v
        .app
        .get(&format!("/api/v1/requests/{id}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn sign_in(v: &Village, email: &str, password: &str) -> String {
    access_token(&v.app.login(email, password).await)
}

#[actix_web::test]
async fn a_whole_day_from_the_post_van_to_the_door_and_the_watch_over() {
    let v = Village::new().await;
    let area = v.summary.area_id;
    let plan = v.plan(true).await;
    let now = || yui::domain::time::wire(v.app.services.clock.now());

    // The people: a post carrier linked to every trip, a keeper at every hub.
    let (carrier_id, carrier) = v.app.account_in("carrier", Some(area)).await;
    let mut people = People {
        coordinator: v.coordinator.clone(),
        carrier: access_token(&carrier),
        keepers: HashMap::new(),
    };
    let runs = plan["runs"].as_array().unwrap();
    for run in runs.iter().filter(|r| r["carrier"]["kind"] == "post_trip") {
        let path = format!(
            "/api/v1/post-trips/{}/carriers",
            run["carrier"]["id"].as_str().unwrap()
        );
        let (status, _) = v
            .app
            .post(&path, json!({"user_id": carrier_id}), Some(&v.coordinator))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    for load in plan["post_loads"].as_array().unwrap() {
        let hub = load["hub_id"].as_str().unwrap().to_owned();
        if people.keepers.contains_key(&hub) {
            continue;
        }
        let email = format!("keeper-{}@example.jp", uuid::Uuid::new_v4().simple());
        let user = v
            .app
            .services
            .accounts
            .create_by_staff(yui::services::accounts::NewAccount {
                email: email.clone(),
                password: PASSWORD.into(),
                display_name: "拠点の管理者".into(),
                locale: "ja".into(),
                role: "hub_keeper".into(),
                area_id: Some(area),
            })
            .await
            .unwrap();
        let (status, _) = v
            .app
            .post(
                &format!("/api/v1/hubs/{hub}/keepers"),
                json!({"user_id": user.id}),
                Some(&v.coordinator),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        people
            .keepers
            .insert(hub, sign_in(&v, &email, PASSWORD).await);
    }
    // The area names its welfare contact.
    let area_path = format!("/api/v1/areas/{area}");
    let etag = v.app.get_raw(&area_path, &v.coordinator).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let settings = json!({"watch_over": {
        "steps": [{"to": "carrier", "after_minutes": 0}, {"to": "family", "after_minutes": 30},
                  {"to": "coordinator", "after_minutes": 60}, {"to": "welfare", "after_minutes": 120}],
        "welfare_contact": {"name": "地域包括支援センター", "phone": "0742-00-1234"}}});
    let changed = v
        .app
        .client
        .patch(v.app.url(&area_path))
        .bearer_auth(&v.coordinator)
        .header("If-Match", etag)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);

    // What the plan placed for real (planned), by request: its fulfilment and hub.
    let mut placed: HashMap<String, Value> = HashMap::new();
    for load in plan["post_loads"].as_array().unwrap() {
        for id in load["request_ids"].as_array().unwrap() {
            let r = request(&v, &people.coordinator, id.as_str().unwrap()).await;
            if r["status"] == "planned" {
                placed.insert(id.as_str().unwrap().to_owned(), r);
            }
        }
    }
    assert!(!placed.is_empty());

    // The van, then the hubs: one load counted a crate short.
    let mut handovers = 0;
    for (n, load) in plan["post_loads"].as_array().unwrap().iter().enumerate() {
        let ids: Vec<&str> = load["request_ids"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i.as_str())
            .filter(|i| placed.contains_key(*i))
            .collect();
        if ids.is_empty() {
            continue;
        }
        let run = runs
            .iter()
            .find(|r| r["carrier"]["id"] == load["post_trip_id"])
            .unwrap();
        record(
            &v,
            &people.carrier,
            json!({"id": new_id(), "kind": "van_loaded", "occurred_at": now(), "run_id": run["id"],
                   "hub_id": load["hub_id"], "request_ids": ids, "crates": load["slots"]}),
        )
        .await;
        let mut counted = load["slots"].clone();
        if n == 0 {
            let class = ["ambient", "chilled", "frozen"]
                .into_iter()
                .find(|c| counted[*c].as_i64().unwrap() > 0)
                .unwrap();
            counted[class] = json!(counted[class].as_i64().unwrap() - 1);
        }
        let received = record(
            &v,
            people.keeper(&load["hub_id"]),
            json!({"id": new_id(), "kind": "hub_received", "occurred_at": now(),
                   "hub_id": load["hub_id"], "request_ids": ids, "crates": counted}),
        )
        .await;
        assert_eq!(received["discrepancy"].is_object(), n == 0, "{received}");
        handovers += 2;
    }

    // A volunteer declines; the run goes to a volunteer of the area who has none that day.
    let last_mile: Vec<&Value> = runs
        .iter()
        .filter(|r| r["carrier"]["kind"] == "volunteer")
        .filter(|r| {
            r["stops"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["request_id"].is_string())
        })
        .collect();
    let declined = last_mile[0];
    let first = v.volunteer_of(declined).await;
    let path = format!("/api/v1/runs/{}", declined["id"].as_str().unwrap());
    let (status, _) = v
        .app
        .post(
            &format!("{path}/decline"),
            json!({"reason": "急用ができました"}),
            Some(&first),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (stand_in_id, stand_in) = v.app.account_in("volunteer", Some(area)).await;
    let stand_in = access_token(&stand_in);
    let (status, _) = v
        .app
        .post(
            &format!("{path}/reassign"),
            json!({"carrier_id": stand_in_id}),
            Some(&people.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut volunteers: HashMap<String, String> = HashMap::new();
    volunteers.insert(declined["id"].as_str().unwrap().to_owned(), stand_in);
    for run in &last_mile[1..] {
        volunteers.insert(
            run["id"].as_str().unwrap().to_owned(),
            v.volunteer_of(run).await,
        );
    }

    // Door to door: one nobody answers, one signed for, one to a proxy, the rest by code.
    let consent = json!({"given_by": "本人", "basis": "口頭で同意", "text_version": "2026-12"});
    let mut expected: HashMap<String, (&str, Vec<&str>)> = HashMap::new();
    let mut unanswered = None;
    let mut door_number = 0;
    for run in &last_mile {
        let token = &volunteers[run["id"].as_str().unwrap()];
        let doors: Vec<String> = run["stops"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["request_id"].as_str().map(str::to_owned))
            .collect();
        record(
            &v,
            token,
            json!({"id": new_id(), "kind": "run_picked_up", "occurred_at": now(),
                   "run_id": run["id"], "request_ids": doors}),
        )
        .await;
        handovers += 1;
        for door in &doors {
            let r = request(&v, &people.coordinator, door).await;
            let code = r["planned"]["handover_code"].clone();
            let base = json!({"id": new_id(), "kind": "door_delivered", "occurred_at": now(),
                              "run_id": run["id"], "request_ids": [door]});
            let mut body = base.clone();
            let chain = vec!["van_loaded", "hub_received", "run_picked_up"];
            match door_number {
                0 => {
                    body["kind"] = json!("door_failed");
                    body["reason"] = json!("no_answer");
                    record(&v, token, body).await;
                    // The goods go back to the hub's keeper.
                    record(
                        &v,
                        people.keeper(&run["hub_id"]),
                        json!({"id": new_id(), "kind": "hub_returned", "occurred_at": now(),
                               "hub_id": run["hub_id"], "request_ids": [door]}),
                    )
                    .await;
                    handovers += 2;
                    unanswered = Some(door.clone());
                    let mut chain = chain.clone();
                    chain.extend(["door_failed", "hub_returned"]);
                    expected.insert(door.clone(), ("at_hub", chain));
                    door_number += 1;
                    continue;
                }
                1 => {
                    body["recipient"] = json!({"kind": "resident"});
                    body["proof"] = json!({"method": "signature", "image": PNG});
                }
                2 => {
                    let resident = r["resident_id"].as_str().unwrap();
                    let (status, proxy) = v
                        .app
                        .post(
                            &format!("/api/v1/residents/{resident}/proxies"),
                            json!({"name": "隣の田中さん", "relation": "近所の方", "consent": consent}),
                            Some(&people.coordinator),
                        )
                        .await;
                    assert_eq!(status, StatusCode::CREATED);
                    body["recipient"] = json!({"kind": "proxy", "proxy_id": proxy["id"]});
                    body["proof"] = json!({"method": "code", "code": code});
                }
                _ => {
                    body["recipient"] = json!({"kind": "resident"});
                    body["proof"] = json!({"method": "code", "code": code});
                }
            }
            record(&v, token, body).await;
            handovers += 1;
            let mut chain = chain.clone();
            chain.push("door_delivered");
            expected.insert(door.clone(), ("delivered", chain));
            door_number += 1;
        }
        let (_, done) = v
            .app
            .get(
                &format!("/api/v1/runs/{}", run["id"].as_str().unwrap()),
                Some(token),
            )
            .await;
        assert_eq!(done["status"], "completed", "{done}");
    }
    assert!(door_number >= 3, "the demo has at least three doors");

    // Pickups: one collected by a proxy, one left on the shelf, the rest by the resident.
    let pickups: Vec<(String, Value)> = placed
        .iter()
        .filter(|(_, r)| r["fulfilment"] == "hub_pickup")
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect();
    assert!(pickups.len() >= 2, "the demo has two pickups or more");
    let mut left = None;
    for (n, (id, r)) in pickups.iter().enumerate() {
        let hub = &r["planned"]["hub_id"];
        let chain = vec!["van_loaded", "hub_received"];
        if n == 1 {
            left = Some((id.clone(), hub.clone()));
            expected.insert(id.clone(), ("ready_for_pickup", chain));
            continue;
        }
        let recipient = if n == 0 {
            let resident = r["resident_id"].as_str().unwrap();
            let (_, proxy) = v
                .app
                .post(
                    &format!("/api/v1/residents/{resident}/proxies"),
                    json!({"name": "娘の佐藤さん", "relation": "娘", "consent": consent}),
                    Some(&people.coordinator),
                )
                .await;
            json!({"kind": "proxy", "proxy_id": proxy["id"]})
        } else {
            json!({"kind": "resident"})
        };
        record(
            &v,
            people.keeper(hub),
            json!({"id": new_id(), "kind": "hub_collected", "occurred_at": now(), "hub_id": hub,
                   "request_ids": [id], "recipient": recipient,
                   "proof": {"method": "code", "code": r["planned"]["handover_code"]}}),
        )
        .await;
        handovers += 1;
        let mut chain = chain.clone();
        chain.push("hub_collected");
        expected.insert(id.clone(), ("collected", chain));
    }

    // The watch-over, on the test clock: the unanswered door's case goes through every step;
    // the pickup left on the shelf opens its own when its time passes.
    let unanswered = unanswered.unwrap();
    let (left_id, left_hub) = left.unwrap();
    let clock = &v.app.services.clock;
    let start = clock.now();
    let tick = || yui::services::escalations::tick(&v.app.services.db, &v.app.services.clock);
    for minutes in [0, 30, 60, 120] {
        assert!(clock.set(start + Duration::minutes(minutes)));
        tick().await.unwrap();
    }
    let staff = sign_in(
        &v,
        yui::demo::COORDINATOR_EMAIL,
        yui::demo::COORDINATOR_PASSWORD,
    )
    .await;
    let (_, shelf) = v
        .app
        .get(
            &format!(
                "/api/v1/hubs/{}/shelf?delivery_date={}",
                left_hub.as_str().unwrap(),
                v.summary.delivery_date
            ),
            Some(&staff),
        )
        .await;
    let on_shelf = shelf["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["request_id"] == json!(left_id))
        .unwrap()
        .clone();
    let collect_by: chrono::DateTime<chrono::Utc> =
        on_shelf["collect_by"].as_str().unwrap().parse().unwrap();
    assert!(clock.set(collect_by.max(clock.now())));
    tick().await.unwrap();
    let staff = sign_in(
        &v,
        yui::demo::COORDINATOR_EMAIL,
        yui::demo::COORDINATOR_PASSWORD,
    )
    .await;
    let (_, cases) = v
        .app
        .get("/api/v1/escalations?limit=100", Some(&staff))
        .await;
    // (The returned goods of the unanswered door also wait at the hub past their time: a
    // coordinator's case of its own.)
    let case_of = |request: &str, cause: &str| {
        cases["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["request_id"] == json!(request) && c["cause"] == cause)
            .cloned()
    };
    let door_case = case_of(&unanswered, "no_answer").expect("the unanswered door's case");
    let reached: Vec<&str> = door_case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["reached_at"].is_string())
        .map(|s| s["to"].as_str().unwrap())
        .collect();
    assert_eq!(reached, ["carrier", "family", "coordinator", "welfare"]);
    let (status, resolved) = v
        .app
        .post(
            &format!(
                "/api/v1/escalations/{}/resolve",
                door_case["id"].as_str().unwrap()
            ),
            json!({"outcome": "referred_to_welfare", "note": "センターの方が訪問し、ご無事でした"}),
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    case_of(&left_id, "not_collected").expect("the pickup's case");

    // The impact of the day as the municipality reads it: from what was delivered.
    impact_counts_what_the_day_delivered(&v, &staff, &expected).await;

    // Every request is where the day left it, with its whole chain of custody.
    for (id, (status, chain)) in &expected {
        let r = request(&v, &staff, id).await;
        assert_eq!(r["status"], *status, "{id}: {r}");
        let (_, custody) = v
            .app
            .get(&format!("/api/v1/requests/{id}/custody"), Some(&staff))
            .await;
        let kinds: Vec<&str> = custody["handovers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, *chain, "{id}");
    }
    // Every handover left its audit row and its event.
    let (_, audit) = v
        .app
        .get("/api/v1/audit?entity=handover&limit=100", Some(&staff))
        .await;
    let recorded = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "record")
        .count();
    assert_eq!(recorded, handovers.min(100));
    let events: Vec<String> = v
        .app
        .services
        .db
        .run("test.outbox", |conn| {
            use diesel::prelude::*;
            use yui::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::event_type.eq("handover.recorded"))
                .select(outbox::aggregate_id)
                .load::<String>(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(events.len(), handovers);
    // The family's view of the chain is the short one: kinds, times, recipient kinds.
    let delivered = expected
        .iter()
        .find(|(_, (s, _))| *s == "delivered")
        .map(|(id, _)| id.clone())
        .unwrap();
    let family = sign_in(&v, yui::demo::FAMILY_EMAIL, yui::demo::FAMILY_PASSWORD).await;
    let (_, me) = v.app.get("/api/v1/me", Some(&family)).await;
    let resident = request(&v, &staff, &delivered).await["resident_id"].clone();
    let (status, link) = v
        .app
        .post(
            &format!("/api/v1/residents/{}/guardians", resident.as_str().unwrap()),
            json!({"user_id": me["id"], "relation": "娘", "consent": consent}),
            Some(&staff),
        )
        .await;
    assert!(
        status == StatusCode::CREATED || status == StatusCode::CONFLICT,
        "{link}"
    );
    let (status, short) = v
        .app
        .get(
            &format!("/api/v1/requests/{delivered}/custody"),
            Some(&family),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{short}");
    let steps = short["steps"].as_array().unwrap();
    assert_eq!(steps.len(), expected[&delivered].1.len());
    assert_eq!(steps.last().unwrap()["kind"], "door_delivered");
    assert!(steps.last().unwrap()["recipient_kind"].is_string());
    assert!(short.get("handovers").is_none() && !short.to_string().contains("recorded_by"));
    // Linked to the resident whose door was not answered, the family sees that case.
    let resident = request(&v, &staff, &unanswered).await["resident_id"].clone();
    let (status, _) = v
        .app
        .post(
            &format!("/api/v1/residents/{}/guardians", resident.as_str().unwrap()),
            json!({"user_id": me["id"], "relation": "息子", "consent": consent}),
            Some(&staff),
        )
        .await;
    assert!(status == StatusCode::CREATED || status == StatusCode::CONFLICT);
    let (status, theirs) = v.app.get("/api/v1/escalations", Some(&family)).await;
    assert_eq!(status, StatusCode::OK, "{theirs}");
    assert!(
        theirs["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == door_case["id"]),
        "{theirs}"
    );
}

/// `GET /impact` over the day: the requests that reached their households, the runs that were
/// completed, the cases that were opened, and nothing of another period.
async fn impact_counts_what_the_day_delivered(
    v: &Village,
    staff: &str,
    expected: &HashMap<String, (&str, Vec<&str>)>,
) {
    let date = &v.summary.delivery_date;
    let day: chrono::NaiveDate = date.parse().unwrap();
    // Cases open on the test clock's days around the delivery date.
    let (from, to) = (day - chrono::Days::new(3), day + chrono::Days::new(3));
    let report = |group_by: &'static str, from: chrono::NaiveDate, to: chrono::NaiveDate| {
        let path = format!("/api/v1/impact?from={from}&to={to}&group_by={group_by}");
        async move {
            let (status, report) = v.app.get(&path, Some(staff)).await;
            assert_eq!(status, StatusCode::OK, "{report}");
            report
        }
    };
    let by_month = report("month", from, to).await;
    let total = &by_month["total"];
    let mut households = std::collections::HashSet::new();
    let (mut delivered, mut collected, mut failed) = (0, 0, 0);
    for (id, (status, _)) in expected {
        match *status {
            "delivered" => delivered += 1,
            "collected" => collected += 1,
            "failed" => failed += 1,
            _ => continue,
        }
        if *status != "failed" {
            households.insert(request(v, staff, id).await["resident_id"].clone());
        }
    }
    assert!(delivered > 0 && collected > 0, "{delivered} {collected}");
    assert_eq!(total["requests_delivered"], delivered, "{by_month}");
    assert_eq!(total["requests_collected"], collected);
    assert_eq!(total["requests_failed"], failed);
    assert_eq!(total["households_reached"], households.len());
    let (_, plans) = v
        .app
        .get(&format!("/api/v1/plans?delivery_date={date}"), Some(staff))
        .await;
    let completed: Vec<&Value> = plans["items"][0]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "completed")
        .collect();
    assert!(!completed.is_empty());
    let km: f64 = completed
        .iter()
        .map(|r| r["distance_km"].as_f64().unwrap())
        .sum();
    let volunteer_hours: f64 = completed
        .iter()
        .filter(|r| r["carrier"]["kind"] == "volunteer")
        .map(|r| r["duration_min"].as_f64().unwrap() / 60.0)
        .sum();
    assert!(
        (total["carried_km"].as_f64().unwrap() - km).abs() < 0.05,
        "{total} {km}"
    );
    assert!((total["volunteer_hours"].as_f64().unwrap() - volunteer_hours).abs() < 0.05);
    let trips = total["trips_consolidated"].as_i64().unwrap();
    assert!(
        trips <= households.len() as i64
            && trips >= households.len() as i64 - completed.len() as i64
    );
    assert!(total["household_km"].as_f64().unwrap() > 0.0);
    let saved = total["household_km"].as_f64().unwrap() - total["carried_km"].as_f64().unwrap();
    assert!((total["km_saved"].as_f64().unwrap() - saved).abs() < 0.02);
    let (_, cases) = v
        .app
        .get("/api/v1/escalations?limit=100", Some(staff))
        .await;
    let cases = cases["items"].as_array().unwrap();
    assert_eq!(total["escalations_opened"], cases.len(), "{total}");
    assert_eq!(
        total["escalation_outcomes"]["referred_to_welfare"], 1,
        "{total}"
    );
    // One month, the same as the whole.
    assert_eq!(by_month["groups"].as_array().unwrap().len(), 1);
    assert_eq!(by_month["groups"][0]["key"], &date[..7]);
    assert_eq!(by_month["groups"][0]["requests_delivered"], delivered);
    // By neighbourhood: named, and adding up to the whole.
    let by_place = report("neighbourhood", from, to).await;
    let groups = by_place["groups"].as_array().unwrap();
    let sum = |field: &str| {
        groups
            .iter()
            .map(|g| g[field].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(sum("requests_delivered"), delivered);
    assert_eq!(sum("requests_collected"), collected);
    assert_eq!(sum("escalations_opened"), cases.len() as i64);
    assert!(groups.iter().any(|g| g["name"].is_string()), "{by_place}");
    assert_eq!(by_place["total"], by_month["total"]);
    // The console's CSV says the same, for Excel in Japan (UTF-8 with a byte-order mark).
    let mut browser = crate::console::Browser::new(&v.app);
    browser
        .sign_in(
            yui::demo::COORDINATOR_EMAIL,
            yui::demo::COORDINATOR_PASSWORD,
        )
        .await;
    let csv = browser
        .get(&format!(
            "/console/impact.csv?from={from}&to={to}&group_by=neighbourhood"
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv.body.starts_with('\u{feff}'));
    let rows: Vec<Vec<&str>> = csv.body[3..]
        .lines()
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows[0][2], "届けた世帯数", "{:?}", rows[0]);
    assert_eq!(
        rows.len(),
        groups.len() + 2,
        "a header, the groups, the total"
    );
    let last = rows.last().unwrap();
    assert_eq!(last[0], "total");
    assert_eq!(last[2], households.len().to_string());
    assert_eq!(last[3], delivered.to_string());
    assert_eq!(last[4], collected.to_string());
    for (row, group) in rows[1..rows.len() - 1].iter().zip(groups) {
        assert_eq!(row[0], group["key"].as_str().unwrap());
        assert_eq!(row[3], group["requests_delivered"].to_string());
    }
    let page = browser
        .get(&format!(
            "/console/impact?from={from}&to={to}&group_by=month"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("id=\"impact-data\""),
        "the chart's figures"
    );
    assert!(
        page.body
            .contains(&format!("<td class=\"number\">{delivered}</td>")),
        "{}",
        page.body
    );

    // The week before delivered nothing.
    let before = report(
        "month",
        day - chrono::Days::new(40),
        day - chrono::Days::new(10),
    )
    .await;
    assert_eq!(before["total"]["requests_delivered"], 0);
    assert_eq!(before["groups"], json!([]));
}
