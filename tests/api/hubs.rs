//! Hubs: coordinators set them up in their own area, keepers join them.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;
use crate::fixtures::{District, square};

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
