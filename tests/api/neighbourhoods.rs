//! Neighbourhoods: residents placed in them, overlaps refused.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;
use crate::fixtures::{District, square};

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
