//! Volunteers' profiles and post trips.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;
use crate::fixtures::District;

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
