//! The audit trail: every write leaves a row with its request id.

use reqwest::StatusCode;

use crate::common::*;
use crate::fixtures::District;

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
