//! Residents: care notes with consent, placing by hand, and audited reads of personal data.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;
use crate::fixtures::{District, square};

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
