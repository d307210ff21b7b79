//! Guardian links: a family member asks, a coordinator completes.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;
use crate::fixtures::District;

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
