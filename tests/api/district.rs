//! A district set up and used through the API: areas, hubs, residents, guardians, requests.

use chrono::{Days, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use yui::services::accounts::NewAccount;

use crate::common::*;

/// An area with a coordinator, a linked family member and their parent.
pub struct District {
    pub app: TestApp,
    pub area_id: String,
    pub coordinator: String,
    pub family: String,
    pub family_id: String,
    pub resident_id: String,
}

impl District {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(tweak: impl FnOnce(&mut yui::config::Config)) -> Self {
        let app = TestApp::spawn_with(tweak).await;
        let area = app.services.district.area_named("Nara East").await.unwrap();
        let coordinator_email = format!("coordinator-{}@example.jp", uuid::Uuid::new_v4().simple());
        app.services
            .accounts
            .create_by_staff(NewAccount {
                email: coordinator_email.clone(),
                password: PASSWORD.into(),
                display_name: "Coordinator".into(),
                locale: "ja".into(),
                role: "coordinator".into(),
                area_id: Some(area.id),
            })
            .await
            .unwrap();
        let coordinator = access_token(&app.login(&coordinator_email, PASSWORD).await);
        let (family_id, family_tokens) = app.account("family").await;
        let family = access_token(&family_tokens);
        let (status, resident) = app
            .post(
                "/api/v1/residents",
                json!({"name": "山田 花子", "phone": "0742-00-0000", "address": "奈良市月ヶ瀬尾山", "location": {"lat": 34.71, "lon": 136.01}, "fulfilment": "home_delivery"}),
                Some(&coordinator),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{resident}");
        let resident_id = resident["id"].as_str().unwrap().to_owned();
        let (status, link) = app
            .post(
                &format!("/api/v1/residents/{resident_id}/guardians"),
                json!({"user_id": family_id, "relation": "daughter", "consent": {"given_by": "山田 花子", "basis": "written", "text_version": "2026-01"}}),
                Some(&coordinator),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{link}");
        District {
            app,
            area_id: area.id.to_string(),
            coordinator,
            family,
            family_id,
            resident_id,
        }
    }

    /// A delivery date whose ordering is open for days yet.
    pub fn open_date() -> String {
        let tokyo_today = Utc::now()
            .with_timezone(&chrono_tz::Asia::Tokyo)
            .date_naive();
        (tokyo_today + Days::new(3)).format("%Y-%m-%d").to_string()
    }

    pub fn request_body(&self, date: &str) -> Value {
        json!({
            "resident_id": self.resident_id,
            "delivery_date": date,
            "fulfilment": "home_delivery",
            "notes": "玄関の前に",
            "items": [
                {"name": "豆腐", "quantity": 2, "unit": "丁", "temperature": "chilled", "substitution": "similar"},
                {"name": "米", "quantity": 5, "unit": "kg", "temperature": "ambient", "substitution": "none"}
            ]
        })
    }

    pub async fn create_request(&self, token: &str, key: &str, body: &Value) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url("/api/v1/requests"))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

#[actix_web::test]
async fn coordinators_set_up_hubs_in_their_own_area() {
    let d = District::new().await;
    let hub = json!({"name": "旧柳生中学校", "kind": "school", "location": {"lat": 34.66, "lon": 135.96},
        "storage": {"ambient": 40, "chilled": 10, "frozen": 4},
        "opening_hours": [{"weekday": 2, "open": "10:00", "close": "15:00"}]});
    let (status, created) = d
        .app
        .post("/api/v1/hubs", hub.clone(), Some(&d.coordinator))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["area_id"], d.area_id.as_str());
    assert_eq!(created["storage"]["chilled"], 10);
    let (status, hubs) = d.app.get("/api/v1/hubs", Some(&d.coordinator)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hubs["items"].as_array().unwrap().len(), 1);

    for (field, bad) in [
        ("kind", json!({"kind": "castle"})),
        (
            "location",
            json!({"location": {"lat": 134.0, "lon": 135.0}}),
        ),
        (
            "opening_hours[0]",
            json!({"opening_hours": [{"weekday": 7, "open": "10:00", "close": "15:00"}]}),
        ),
    ] {
        let mut body = hub.clone();
        body.as_object_mut()
            .unwrap()
            .extend(bad.as_object().unwrap().clone());
        let (status, problem) = d.app.post("/api/v1/hubs", body, Some(&d.coordinator)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], field);
    }

    // A coordinator of another area sees nothing of this one.
    let (_, admin) = d.app.account("admin").await;
    let (status, other) = d
        .app
        .post("/api/v1/areas", json!({"name": "Yoshino", "time_zone": "Asia/Tokyo", "cutoff_time": "15:00", "cutoff_days_before": 1, "depot": {"lat": 34.39, "lon": 135.86}}), Some(&access_token(&admin)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    assert_eq!(other["cutoff_time"], "15:00");
    let (status, _) = d
        .app
        .post(
            "/api/v1/areas",
            json!({"name": "Nowhere", "time_zone": "Asia/Nara"}),
            Some(&access_token(&admin)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = d
        .app
        .post(
            "/api/v1/areas",
            json!({"name": "Yoshino"}),
            Some(&access_token(&admin)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "names are unique");
    let outsider_email = format!("outsider-{}@example.jp", uuid::Uuid::new_v4().simple());
    let (status, _) = d
        .app
        .post(
            "/api/v1/users",
            json!({"email": outsider_email, "password": PASSWORD, "display_name": "O", "locale": "ja", "role": "coordinator", "area_id": other["id"]}),
            Some(&access_token(&admin)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let outsider = access_token(&d.app.login(&outsider_email, PASSWORD).await);
    let hub_path = format!("/api/v1/hubs/{}", created["id"].as_str().unwrap());
    assert_eq!(
        d.app.get(&hub_path, Some(&outsider)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        d.app.get(&hub_path, Some(&d.coordinator)).await.0,
        StatusCode::OK
    );
    let (_, me) = d.app.get("/api/v1/me", Some(&outsider)).await;
    assert_eq!(me["area_id"], other["id"]);
    let resident_path = format!("/api/v1/residents/{}", d.resident_id);
    assert_eq!(
        d.app.get(&resident_path, Some(&outsider)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn care_notes_need_consent_and_stay_with_staff() {
    let d = District::new().await;
    let body = json!({"name": "田中 一郎", "phone": "090-0000-0000", "address": "奈良市柳生町", "fulfilment": "hub_pickup", "care_notes": "耳が遠い"});
    let (status, problem) = d
        .app
        .post("/api/v1/residents", body.clone(), Some(&d.coordinator))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "consent");
    let mut with_consent = body.clone();
    with_consent["consent"] =
        json!({"given_by": "田中 一郎", "basis": "verbal, witnessed", "text_version": "2026-01"});
    let (status, resident) = d
        .app
        .post("/api/v1/residents", with_consent, Some(&d.coordinator))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{resident}");
    assert_eq!(
        resident["location_status"], "needs_review",
        "no location given"
    );
    let id = resident["id"].as_str().unwrap();

    let (_, read) = d
        .app
        .get(&format!("/api/v1/residents/{id}"), Some(&d.coordinator))
        .await;
    assert_eq!(read["care_notes"], "耳が遠い");
    let (_, audit) = d
        .app
        .get(
            &format!("/api/v1/audit?entity=resident&entity_id={id}"),
            Some(&d.coordinator),
        )
        .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["read_care_notes", "create"], "newest first");

    // The linked family sees their parent, without care notes; an unlinked family sees 404.
    let (status, parent) = d
        .app
        .get(
            &format!("/api/v1/residents/{}", d.resident_id),
            Some(&d.family),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(parent.get("care_notes").is_none());
    assert_eq!(
        d.app
            .get(&format!("/api/v1/residents/{id}"), Some(&d.family))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, mine) = d.app.get("/api/v1/residents", Some(&d.family)).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn requests_are_created_once_per_idempotency_key() {
    let d = District::new().await;
    let body = d.request_body(&District::open_date());

    let no_key = d
        .app
        .client
        .post(d.app.url("/api/v1/requests"))
        .bearer_auth(&d.family)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(no_key, StatusCode::BAD_REQUEST, "malformed-request").await;

    let first = d.create_request(&d.family, "key-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let (_, first) = read(first).await;
    assert_eq!(first["status"], "submitted");
    assert_eq!(first["version"], 1);
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(etag, "\"v1\"");

    let replay = d.create_request(&d.family, "key-1", &body).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let (_, replay) = read(replay).await;
    assert_eq!(replay, first);

    let mut other = body.clone();
    other["notes"] = json!("another body");
    let conflict = d.create_request(&d.family, "key-1", &other).await;
    assert_problem(conflict, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body").await;

    // Keys are the caller's own: the coordinator's key-1 is a new request.
    let theirs = d.create_request(&d.coordinator, "key-1", &body).await;
    assert_eq!(theirs.status(), StatusCode::CREATED);

    let (_, list) = d.app.get("/api/v1/requests", Some(&d.family)).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "one per key and caller, none for refusals"
    );
}

#[actix_web::test]
async fn retries_racing_the_original_get_its_answer_and_create_nothing_more() {
    let d = District::new().await;
    let body = d.request_body(&District::open_date());
    // A phone that retries before the first answer came back, several times at once.
    let attempts =
        futures_util::future::join_all((0..8).map(|_| d.create_request(&d.family, "race", &body)))
            .await;
    let mut ids = std::collections::BTreeSet::new();
    for response in attempts {
        assert_eq!(response.status(), StatusCode::CREATED);
        let (_, view) = read(response).await;
        ids.insert(view["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        ids.len(),
        1,
        "every attempt answers the one request: {ids:?}"
    );
    let (_, list) = d.app.get("/api/v1/requests", Some(&d.family)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let id = ids.into_iter().next().unwrap();
    let events = d
        .app
        .services
        .db
        .run("test.outbox", move |conn| {
            yui::db::outbox::of_aggregate(conn, "request", &id)
        })
        .await
        .unwrap();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["request.submitted"]);
}

#[actix_web::test]
async fn ordering_closes_at_the_cutoff() {
    let d = District::new().await;
    let tokyo_today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive();
    // Today's cutoff was yesterday at 16:00 Tokyo time.
    let response = d
        .create_request(
            &d.family,
            "late",
            &d.request_body(&tokyo_today.format("%Y-%m-%d").to_string()),
        )
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "cutoff-passed").await;
    let cutoff = chrono::DateTime::parse_from_rfc3339(problem["cutoff"].as_str().unwrap()).unwrap();
    let expected = (tokyo_today - Days::new(1))
        .and_hms_opt(7, 0, 0)
        .unwrap()
        .and_utc();
    assert_eq!(cutoff, expected, "16:00 JST the day before is 07:00 UTC");

    // A refused create frees its key: the corrected retry with the same key goes through.
    let mut body = d.request_body(&District::open_date());
    body["items"] = json!([]);
    let response = d.create_request(&d.family, "retry", &body).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(problem["field"], "items");
    let corrected = d
        .create_request(&d.family, "retry", &d.request_body(&District::open_date()))
        .await;
    assert_eq!(corrected.status(), StatusCode::CREATED);
}

#[actix_web::test]
async fn edits_need_the_current_etag_and_the_life_cycle_is_enforced() {
    let d = District::new().await;
    let created = d
        .create_request(&d.family, "e", &d.request_body(&District::open_date()))
        .await;
    let (_, request) = read(created).await;
    let path = format!("/api/v1/requests/{}", request["id"].as_str().unwrap());

    let get = d
        .app
        .client
        .get(d.app.url(&path))
        .bearer_auth(&d.family)
        .send()
        .await
        .unwrap();
    let etag = get.headers()["etag"].to_str().unwrap().to_owned();
    let patch = |if_match: Option<&str>, body: Value| {
        let mut r = d
            .app
            .client
            .patch(d.app.url(&path))
            .bearer_auth(&d.family)
            .json(&body);
        if let Some(tag) = if_match {
            r = r.header("if-match", tag);
        }
        r.send()
    };
    assert_problem(
        patch(None, json!({"notes": "x"})).await.unwrap(),
        StatusCode::PRECONDITION_REQUIRED,
        "precondition-required",
    )
    .await;
    let edited = patch(Some(&etag), json!({"notes": "裏口へ"}))
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    assert_eq!(edited.headers()["etag"], "\"v2\"");
    let (_, edited) = read(edited).await;
    assert_eq!(edited["notes"], "裏口へ");
    assert_eq!(
        edited["items"].as_array().unwrap().len(),
        2,
        "items kept when not sent"
    );
    assert_problem(
        patch(Some(&etag), json!({"notes": "stale"})).await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
    )
    .await;

    // The life cycle: only allowed steps, and a refusal names the current status.
    let transition = |step: &'static str| {
        d.app
            .client
            .post(d.app.url(&format!("{path}/transitions")))
            .bearer_auth(&d.coordinator)
            .json(&json!({"transition": step}))
            .send()
    };
    let skip = transition("deliver").await.unwrap();
    let problem = assert_problem(skip, StatusCode::CONFLICT, "invalid-transition").await;
    assert_eq!(problem["current_status"], "submitted");
    assert_eq!(transition("lock").await.unwrap().status(), StatusCode::OK);
    // Locked (here before the cutoff, as a coordinator may lock early): for the family,
    // ordering has closed, and they are told when it closed, in UTC and in local time.
    let locked_edit = patch(Some("\"v3\""), json!({"notes": "late"}))
        .await
        .unwrap();
    let problem = assert_problem(locked_edit, StatusCode::CONFLICT, "cutoff-passed").await;
    assert!(
        problem["cutoff"].as_str().unwrap().ends_with('Z'),
        "{problem}"
    );
    assert!(
        problem["cutoff_local"]
            .as_str()
            .unwrap()
            .ends_with("+09:00"),
        "{problem}"
    );
    assert_eq!(problem["time_zone"], "Asia/Tokyo");
    let cancel = d
        .app
        .client
        .post(d.app.url(&format!("{path}/cancel")))
        .bearer_auth(&d.family)
        .send()
        .await
        .unwrap();
    assert_problem(cancel, StatusCode::CONFLICT, "cutoff-passed").await;
    // The coordinator may cancel until handover.
    let cancel = d
        .app
        .client
        .post(d.app.url(&format!("{path}/cancel")))
        .bearer_auth(&d.coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::OK);
    let (_, cancelled) = read(cancel).await;
    assert_eq!(cancelled["status"], "cancelled");
}

#[actix_web::test]
async fn families_cancel_before_the_cutoff() {
    let d = District::new().await;
    let (_, request) = read(
        d.create_request(&d.family, "c", &d.request_body(&District::open_date()))
            .await,
    )
    .await;
    let path = format!(
        "/api/v1/requests/{}/cancel",
        request["id"].as_str().unwrap()
    );
    let response = d
        .app
        .client
        .post(d.app.url(&path))
        .bearer_auth(&d.family)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (_, body) = read(response).await;
    assert_eq!(body["status"], "cancelled");
}

#[actix_web::test]
async fn lists_filter_paginate_and_show_only_what_is_yours() {
    let d = District::new().await;
    let date = District::open_date();
    for i in 0..5 {
        assert_eq!(
            d.create_request(&d.family, &format!("l{i}"), &d.request_body(&date))
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/requests?delivery_date={date}&status=submitted&limit=2");
    loop {
        let (status, page) = d.app.get(&path, Some(&d.coordinator)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!(
                    "/api/v1/requests?delivery_date={date}&status=submitted&limit=2&cursor={cursor}"
                )
            }
            None => break,
        }
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (5, 5));
    let (_, none) = d
        .app
        .get("/api/v1/requests?status=delivered", Some(&d.coordinator))
        .await;
    assert!(none["items"].as_array().unwrap().is_empty());

    // Another family sees nothing, and cannot order for someone else's parent.
    let (_, stranger) = d.app.account("family").await;
    let stranger = access_token(&stranger);
    let (_, theirs) = d.app.get("/api/v1/requests", Some(&stranger)).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    let (_, theirs) = d
        .app
        .get(
            &format!("/api/v1/requests?resident_id={}", d.resident_id),
            Some(&stranger),
        )
        .await;
    assert!(
        theirs["items"].as_array().unwrap().is_empty(),
        "a filter never widens a family's view"
    );
    let response = d
        .create_request(&stranger, "x", &d.request_body(&date))
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "not-found").await;
    let request_path = format!("/api/v1/requests/{}", seen[0]);
    assert_eq!(
        d.app.get(&request_path, Some(&stranger)).await.0,
        StatusCode::NOT_FOUND
    );
    // Volunteers see no requests (they get runs).
    let (_, volunteer) = d.app.account("volunteer").await;
    assert_eq!(
        d.app
            .get("/api/v1/requests", Some(&access_token(&volunteer)))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn every_write_leaves_an_audit_row_with_its_request_id() {
    let d = District::new().await;
    let response = d
        .app
        .client
        .post(d.app.url("/api/v1/requests"))
        .bearer_auth(&d.family)
        .header("idempotency-key", "a")
        .header("x-request-id", "audit-me-1")
        .json(&d.request_body(&District::open_date()))
        .send()
        .await
        .unwrap();
    let (_, request) = read(response).await;
    let (status, audit) = d
        .app
        .get("/api/v1/audit?entity=request", Some(&d.coordinator))
        .await;
    assert_eq!(status, StatusCode::OK);
    let row = &audit["items"][0];
    assert_eq!(row["entity_id"], request["id"]);
    assert_eq!(row["action"], "create");
    assert_eq!(row["actor_id"], d.family_id.as_str());
    assert_eq!(row["request_id"], "audit-me-1");
    let (_, all) = d.app.get("/api/v1/audit", Some(&d.coordinator)).await;
    let entities: std::collections::BTreeSet<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"].as_str().unwrap())
        .collect();
    assert!(
        entities.contains("resident") && entities.contains("request"),
        "{entities:?}"
    );
}

fn square(x0: f64, y0: f64, size: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]})
}

#[actix_web::test]
async fn neighbourhoods_place_residents_and_refuse_overlaps() {
    let d = District::new().await;
    // The resident of `District::new` lives at lon 136.01, lat 34.71: on no polygon yet.
    let (_, review) = d
        .app
        .get("/api/v1/residents?review=true", Some(&d.coordinator))
        .await;
    assert_eq!(review["items"].as_array().unwrap().len(), 1);

    let (status, hub) = d
        .app
        .post("/api/v1/hubs", json!({"name": "月ヶ瀬ワーケーションルーム", "kind": "community_room", "location": {"lat": 34.71, "lon": 136.0}, "storage": {"ambient": 20, "chilled": 6, "frozen": 2}}), Some(&d.coordinator))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, tsukigase) = d
        .app
        .post("/api/v1/neighbourhoods", json!({"name": "月ヶ瀬", "boundary": square(135.95, 34.65, 0.1), "default_hub_id": hub["id"]}), Some(&d.coordinator))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{tsukigase}");
    assert_eq!(tsukigase["residents_relocated"], 1);
    let (_, resident) = d
        .app
        .get(
            &format!("/api/v1/residents/{}", d.resident_id),
            Some(&d.coordinator),
        )
        .await;
    assert_eq!(resident["neighbourhood_id"], tsukigase["id"]);
    let (_, review) = d
        .app
        .get("/api/v1/residents?review=true", Some(&d.coordinator))
        .await;
    assert!(review["items"].as_array().unwrap().is_empty());

    // A new resident is placed on creation.
    let (_, placed) = d
        .app
        .post("/api/v1/residents", json!({"name": "B", "phone": "0742-11-1111", "address": "月ヶ瀬", "location": {"lat": 34.70, "lon": 136.0}, "fulfilment": "hub_pickup"}), Some(&d.coordinator))
        .await;
    assert_eq!(placed["neighbourhood_id"], tsukigase["id"]);

    // Touching along an edge is fine; overlapping is refused with the id of the one overlapped.
    let (status, yagyu) = d
        .app
        .post(
            "/api/v1/neighbourhoods",
            json!({"name": "柳生", "boundary": square(136.05, 34.65, 0.1)}),
            Some(&d.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{yagyu}");
    let overlap = d
        .app
        .client
        .post(d.app.url("/api/v1/neighbourhoods"))
        .bearer_auth(&d.coordinator)
        .json(&json!({"name": "重なり", "boundary": square(135.99, 34.69, 0.02)}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(overlap, StatusCode::CONFLICT, "overlap").await;
    assert_eq!(problem["overlapped_id"], tsukigase["id"]);

    // Bad geometry names the problem.
    let bowtie = json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]});
    let (status, problem) = d
        .app
        .post(
            "/api/v1/neighbourhoods",
            json!({"name": "x", "boundary": bowtie}),
            Some(&d.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "boundary");

    // Moving the polygon away places its residents again: both are now on no polygon.
    let path = format!(
        "/api/v1/neighbourhoods/{}",
        tsukigase["id"].as_str().unwrap()
    );
    let response = d
        .app
        .client
        .put(d.app.url(&path))
        .bearer_auth(&d.coordinator)
        .json(&json!({"name": "月ヶ瀬", "boundary": square(137.0, 35.0, 0.1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (_, moved) = read(response).await;
    assert_eq!(moved["residents_relocated"], 2);
    let (_, review) = d
        .app
        .get("/api/v1/residents?review=true", Some(&d.coordinator))
        .await;
    assert_eq!(review["items"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn volunteers_keep_their_profile_and_coordinators_plan_post_trips() {
    let d = District::new().await;
    // A volunteer registers; the area's coordinator approves them, which puts them in the area.
    let volunteer = d.app.register("volunteer", "neighbour@example.jp").await;
    let volunteer_id = volunteer["id"].as_str().unwrap();
    let (status, approved) = d
        .app
        .post(
            &format!("/api/v1/users/{volunteer_id}/approve"),
            json!({}),
            Some(&d.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(approved["area_id"], d.area_id.as_str());
    let token = access_token(&d.app.login("neighbour@example.jp", PASSWORD).await);

    let profile = json!({"public_name": "みさき", "home": {"lat": 34.70, "lon": 136.0}, "vehicle": "kei_truck", "capacity_litres": 300, "cold_box": true,
        "max_distance_km": 15.0, "availability": [{"weekday": 1, "start": "09:00", "end": "12:00"}]});
    let path = format!("/api/v1/volunteers/{volunteer_id}/profile");
    let put = |token: &str, body: Value| {
        d.app
            .client
            .put(d.app.url(&path))
            .bearer_auth(token.to_owned())
            .json(&body)
            .send()
    };
    let response = put(&token, profile.clone()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (status, read_back) = d.app.get(&path, Some(&d.coordinator)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read_back, profile);
    // Families will call the volunteer by this name: it is required and short.
    for public_name in [
        json!(null),
        json!(""),
        json!("とても長い名前をつけたいボランティアの山田さん"),
    ] {
        let mut bad = profile.clone();
        bad["public_name"] = public_name;
        assert_eq!(
            put(&token, bad).await.unwrap().status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let mut bad = profile.clone();
    bad["vehicle"] = json!("helicopter");
    assert_eq!(
        put(&token, bad).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut bad = profile.clone();
    bad["availability"] = json!([{"weekday": 1, "start": "12:00", "end": "09:00"}]);
    assert_eq!(
        put(&token, bad).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Another volunteer may not touch it.
    let (_, other) = d.app.account("volunteer").await;
    assert_eq!(
        put(&access_token(&other), profile.clone())
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    let (_, hub) = d
        .app
        .post("/api/v1/hubs", json!({"name": "須川郵便局", "kind": "post_office", "location": {"lat": 34.73, "lon": 135.93}, "storage": {"ambient": 30, "chilled": 8, "frozen": 3}}), Some(&d.coordinator))
        .await;
    let trip = json!({"name": "奈良東 午前便", "origin": {"lat": 34.68, "lon": 135.83}, "weekdays": [0, 2, 4], "departure": "09:30",
        "hub_ids": [hub["id"]], "spare_capacity": {"ambient": 200, "chilled": 60, "frozen": 20}});
    let (status, created) = d
        .app
        .post("/api/v1/post-trips", trip.clone(), Some(&d.coordinator))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["spare_capacity"]["chilled"], 60);
    let mut foreign = trip.clone();
    foreign["hub_ids"] = json!([uuid::Uuid::new_v4()]);
    let (status, problem) = d
        .app
        .post("/api/v1/post-trips", foreign, Some(&d.coordinator))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "hub_ids");
    let (status, trips) = d.app.get("/api/v1/post-trips", Some(&token)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "volunteers of the area see the trips"
    );
    assert_eq!(trips["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_family_member_asks_for_a_link_and_a_coordinator_completes_it() {
    let d = District::new().await;
    let (son_id, son) = d.app.account("family").await;
    let son = access_token(&son);
    let path = format!("/api/v1/residents/{}/guardian-requests", d.resident_id);
    let (status, requested) = d
        .app
        .post(&path, json!({"relation": "son"}), Some(&son))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{requested}");
    assert_eq!(requested["status"], "requested");
    assert!(requested["consent"].is_null());
    let (status, _) = d
        .app
        .post(&path, json!({"relation": "son"}), Some(&son))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "asked once");
    // Until a coordinator completes it, the son sees nothing of his mother.
    let resident_path = format!("/api/v1/residents/{}", d.resident_id);
    assert_eq!(
        d.app.get(&resident_path, Some(&son)).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, waiting) = d
        .app
        .get("/api/v1/guardian-requests", Some(&d.coordinator))
        .await;
    assert_eq!(waiting["items"].as_array().unwrap().len(), 1);
    assert_eq!(waiting["items"][0]["user_id"], son_id.as_str());

    let (status, linked) = d
        .app
        .post(
            &format!("/api/v1/residents/{}/guardians", d.resident_id),
            json!({"user_id": son_id, "relation": "son", "consent": {"given_by": "山田 花子", "basis": "phone call, noted", "text_version": "2026-01"}}),
            Some(&d.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    assert_eq!(linked["status"], "active");
    assert_eq!(
        linked["id"], requested["id"],
        "the request was completed, not duplicated"
    );
    assert_eq!(
        d.app.get(&resident_path, Some(&son)).await.0,
        StatusCode::OK
    );
    let (_, waiting) = d
        .app
        .get("/api/v1/guardian-requests", Some(&d.coordinator))
        .await;
    assert!(waiting["items"].as_array().unwrap().is_empty());
    // An unknown resident is 404; a coordinator linking twice is a conflict.
    let (status, _) = d
        .app
        .post(
            &format!(
                "/api/v1/residents/{}/guardian-requests",
                uuid::Uuid::new_v4()
            ),
            json!({"relation": "son"}),
            Some(&son),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = d
        .app
        .post(
            &format!("/api/v1/residents/{}/guardians", d.resident_id),
            json!({"user_id": son_id, "relation": "son", "consent": {"given_by": "x", "basis": "y", "text_version": "z"}}),
            Some(&d.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn hub_keepers_join_their_hub_and_requests_filter_by_hub() {
    let d = District::new().await;
    let (_, hub) = d
        .app
        .post("/api/v1/hubs", json!({"name": "月ヶ瀬", "kind": "community_room", "location": {"lat": 34.71, "lon": 136.0}, "storage": {"ambient": 20, "chilled": 6, "frozen": 2}}), Some(&d.coordinator))
        .await;
    let hub_id = hub["id"].as_str().unwrap();
    let (keeper_id, keeper) = d.app.account("hub_keeper").await;
    let path = format!("/api/v1/hubs/{hub_id}/keepers");
    let (status, problem) = d
        .app
        .post(&path, json!({"user_id": d.family_id}), Some(&d.coordinator))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only hub keeper accounts: {problem}"
    );
    let (status, with_keeper) = d
        .app
        .post(&path, json!({"user_id": keeper_id}), Some(&d.coordinator))
        .await;
    assert_eq!(status, StatusCode::OK, "{with_keeper}");
    assert_eq!(with_keeper["keeper_ids"], json!([keeper_id]));
    // The keeper now works in the area and sees the hub.
    assert_eq!(
        d.app
            .get(
                &format!("/api/v1/hubs/{hub_id}"),
                Some(&access_token(&keeper))
            )
            .await
            .0,
        StatusCode::OK
    );

    d.app
        .post("/api/v1/neighbourhoods", json!({"name": "月ヶ瀬", "boundary": square(135.95, 34.65, 0.1), "default_hub_id": hub_id}), Some(&d.coordinator))
        .await;
    let date = District::open_date();
    assert_eq!(
        d.create_request(&d.family, "h", &d.request_body(&date))
            .await
            .status(),
        StatusCode::CREATED
    );
    let (_, served) = d
        .app
        .get(
            &format!("/api/v1/requests?hub_id={hub_id}"),
            Some(&d.coordinator),
        )
        .await;
    assert_eq!(served["items"].as_array().unwrap().len(), 1);
    let (_, other) = d
        .app
        .get(
            &format!("/api/v1/requests?hub_id={}", uuid::Uuid::new_v4()),
            Some(&d.coordinator),
        )
        .await;
    assert!(other["items"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn after_the_cutoff_families_can_neither_edit_nor_cancel() {
    let d = District::new().await;
    let (_, request) = read(
        d.create_request(&d.family, "late", &d.request_body(&District::open_date()))
            .await,
    )
    .await;
    let id = request["id"].as_str().unwrap().to_owned();
    // Time passes: move the request to today, whose cutoff (yesterday 16:00) is behind us.
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    d.app
        .services
        .db
        .run("test.backdate", {
            let id = id.clone();
            move |conn| {
                use diesel::prelude::*;
                use yui::db::schema::grocery_requests::dsl;
                diesel::update(dsl::grocery_requests.filter(dsl::id.eq(id)))
                    .set(dsl::delivery_date.eq(today))
                    .execute(conn)?;
                Ok(())
            }
        })
        .await
        .unwrap();
    let path = format!("/api/v1/requests/{id}");
    let edit = d
        .app
        .client
        .patch(d.app.url(&path))
        .bearer_auth(&d.family)
        .header("if-match", "\"v1\"")
        .json(&json!({"notes": "too late"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(edit, StatusCode::CONFLICT, "cutoff-passed").await;
    assert!(problem["cutoff"].is_string());
    let cancel = d
        .app
        .client
        .post(d.app.url(&format!("{path}/cancel")))
        .bearer_auth(&d.family)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(cancel, StatusCode::CONFLICT, "cutoff-passed").await;
    assert!(problem["cutoff"].is_string());
    // The coordinator still can, until handover.
    let edit = d
        .app
        .client
        .patch(d.app.url(&path))
        .bearer_auth(&d.coordinator)
        .header("if-match", "\"v1\"")
        .json(&json!({"notes": "by phone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), StatusCode::OK);
    let cancel = d
        .app
        .client
        .post(d.app.url(&format!("{path}/cancel")))
        .bearer_auth(&d.coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::OK);
}

#[actix_web::test]
async fn coordinators_place_residents_and_their_reads_are_on_record() {
    let d = District::new().await;
    let (_, no_location) = d
        .app
        .post("/api/v1/residents", json!({"name": "C", "phone": "0742-22-2222", "address": "山の上", "fulfilment": "home_delivery"}), Some(&d.coordinator))
        .await;
    assert_eq!(no_location["location_status"], "needs_review");
    let (_, n) = d
        .app
        .post(
            "/api/v1/neighbourhoods",
            json!({"name": "N", "boundary": square(135.95, 34.65, 0.1)}),
            Some(&d.coordinator),
        )
        .await;
    let path = format!("/api/v1/residents/{}", no_location["id"].as_str().unwrap());
    let placed = d
        .app
        .client
        .patch(d.app.url(&path))
        .bearer_auth(&d.coordinator)
        .header("x-request-id", "place-1")
        .json(&json!({"location": {"lat": 34.70, "lon": 136.0}}))
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), StatusCode::OK);
    let (_, placed) = read(placed).await;
    assert_eq!(placed["location_status"], "given");
    assert_eq!(placed["neighbourhood_id"], n["id"]);
    let (status, _) = d
        .app
        .client
        .patch(d.app.url(&path))
        .bearer_auth(&d.family)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "families do not edit residents"
    );

    // Staff lists leave out contact details; one resident shows them, and the read is audited.
    let (_, list) = d.app.get("/api/v1/residents", Some(&d.coordinator)).await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("phone").is_none() && r.get("address").is_none())
    );
    let (_, family_list) = d.app.get("/api/v1/residents", Some(&d.family)).await;
    assert_eq!(
        family_list["items"][0]["phone"], "0742-00-0000",
        "a family member sees their parent's phone"
    );
    let read_one = d
        .app
        .client
        .get(d.app.url(&path))
        .bearer_auth(&d.coordinator)
        .header("x-request-id", "read-1")
        .send()
        .await
        .unwrap();
    let (_, one) = read(read_one).await;
    assert_eq!(one["phone"], "0742-22-2222");
    let id = no_location["id"].as_str().unwrap();
    let (_, audit) = d
        .app
        .get(
            &format!("/api/v1/audit?entity=resident&entity_id={id}"),
            Some(&d.coordinator),
        )
        .await;
    let rows: Vec<(String, Value)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_owned(),
                r["request_id"].clone(),
            )
        })
        .collect();
    assert_eq!(rows[0], ("read_contact".to_owned(), json!("read-1")));
    assert_eq!(rows[1], ("update".to_owned(), json!("place-1")));
}

#[actix_web::test]
async fn a_claim_without_an_answer_frees_its_key() {
    let d = District::new().await;
    let body = d.request_body(&District::open_date());
    assert_eq!(
        d.create_request(&d.family, "dies", &body).await.status(),
        StatusCode::CREATED
    );
    // An older Yui claimed keys in a transaction of their own; make it look as if the first
    // request claimed the key and died before it answered.
    d.app
        .services
        .db
        .run("test.stale", {
            let caller = d.family_id.clone();
            move |conn| {
                use diesel::prelude::*;
                use yui::db::schema::idempotency_keys::dsl;
                diesel::update(dsl::idempotency_keys.filter(dsl::caller_id.eq(caller)))
                    .set((
                        dsl::state.eq("in_progress"),
                        dsl::response_body.eq(None::<String>),
                    ))
                    .execute(conn)?;
                Ok(())
            }
        })
        .await
        .unwrap();
    assert_eq!(
        d.create_request(&d.family, "dies", &body).await.status(),
        StatusCode::CREATED
    );
}

#[actix_web::test]
async fn created_trips_are_where_location_says() {
    let d = District::new().await;
    let (_, hub) = d
        .app
        .post("/api/v1/hubs", json!({"name": "P", "kind": "post_office", "location": {"lat": 34.73, "lon": 135.93}, "storage": {"ambient": 1, "chilled": 1, "frozen": 1}}), Some(&d.coordinator))
        .await;
    let response = d
        .app
        .client
        .post(d.app.url("/api/v1/post-trips"))
        .bearer_auth(&d.coordinator)
        .json(&json!({"name": "T", "origin": {"lat": 34.68, "lon": 135.83}, "weekdays": [1], "departure": "09:30", "hub_ids": [hub["id"]], "spare_capacity": {"ambient": 5, "chilled": 2, "frozen": 1}}))
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, created) = read(response).await;
    let (status, fetched) = d.app.get(&location, Some(&d.coordinator)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, created);
}

#[actix_web::test]
async fn each_area_orders_by_its_own_cutoff_rule() {
    let d = District::new().await;
    let (_, admin) = d.app.account("admin").await;
    // Ordering closes three days ahead, at noon, in this area.
    let (status, strict) = d
        .app
        .post("/api/v1/areas", json!({"name": "Strict", "time_zone": "Asia/Tokyo", "cutoff_time": "12:00", "cutoff_days_before": 3}), Some(&access_token(&admin)))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, coordinator) = d
        .app
        .account_in(
            "coordinator",
            Some(strict["id"].as_str().unwrap().parse().unwrap()),
        )
        .await;
    let coordinator = access_token(&coordinator);
    let (_, resident) = d
        .app
        .post("/api/v1/residents", json!({"name": "S", "phone": "0742-33-3333", "address": "S", "location": {"lat": 34.5, "lon": 135.9}, "fulfilment": "hub_pickup"}), Some(&coordinator))
        .await;
    let tokyo_today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive();
    let in_two_days = tokyo_today + Days::new(2);
    let body = json!({"resident_id": resident["id"], "delivery_date": in_two_days.format("%Y-%m-%d").to_string(), "fulfilment": "hub_pickup",
        "items": [{"name": "米", "quantity": 1, "unit": "kg", "temperature": "ambient", "substitution": "none"}]});
    // Open under Nara East's rule (16:00 the day before), closed under this one.
    let response = d.create_request(&coordinator, "strict", &body).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "cutoff-passed").await;
    let expected = (in_two_days - Days::new(3))
        .and_hms_opt(3, 0, 0)
        .unwrap()
        .and_utc();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(problem["cutoff"].as_str().unwrap()).unwrap(),
        expected,
        "12:00 JST three days before"
    );
    let mut later = body.clone();
    later["delivery_date"] = json!((tokyo_today + Days::new(5)).format("%Y-%m-%d").to_string());
    assert_eq!(
        d.create_request(&coordinator, "strict-ok", &later)
            .await
            .status(),
        StatusCode::CREATED
    );
}
