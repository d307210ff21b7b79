//! Link codes: a coordinator makes a short code for a resident; a family asks for their link
//! with it, once, within 14 days; wrong codes are refused alike and guesses are limited.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{access_token, assert_problem};
use crate::fixtures::District;

/// The coordinator makes a code for the district's resident.
async fn make_code(d: &District) -> serde_json::Value {
    let (status, made) = d
        .app
        .post(
            &format!("/api/v1/residents/{}/link-codes", d.resident_id),
            json!({}),
            Some(&d.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made
}

#[actix_web::test]
async fn a_family_asks_for_a_link_with_the_code_a_coordinator_read_out() {
    let d = District::new().await;
    let made = make_code(&d).await;
    let code = made["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 8);
    assert!(
        code.chars()
            .all(|c| "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".contains(c)),
        "{code}"
    );
    let expires: chrono::DateTime<chrono::Utc> =
        made["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - d.app.services.clock.now()).num_hours();
    assert!((14 * 24 - 1..=14 * 24).contains(&days), "{days} hours");

    // Typed as printed on paper: lower case, with a hyphen.
    let (son_id, son) = d.app.account("family").await;
    let son = access_token(&son);
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    let (status, link) = d
        .app
        .post(
            "/api/v1/guardian-requests",
            json!({"link_code": typed, "relation": "son"}),
            Some(&son),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    assert_eq!(link["resident_id"], d.resident_id.as_str());
    assert_eq!(link["user_id"], son_id.as_str());
    assert_eq!(link["status"], "requested");
    let (_, waiting) = d
        .app
        .get("/api/v1/guardian-requests", Some(&d.coordinator))
        .await;
    assert_eq!(waiting["items"].as_array().unwrap().len(), 1);

    // Used once: another family cannot use it again.
    let (_, daughter) = d.app.account("family").await;
    let daughter = access_token(&daughter);
    let again = d
        .app
        .client
        .post(d.app.url("/api/v1/guardian-requests"))
        .bearer_auth(&daughter)
        .json(&json!({"link_code": code, "relation": "daughter"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(again, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(problem["field"], "link_code");
}

#[actix_web::test]
async fn codes_expire_after_14_days() {
    let d = District::new().await;
    let made = make_code(&d).await;
    let code = made["code"].as_str().unwrap().to_owned();
    let now = d.app.services.clock.now();
    assert!(
        d.app
            .services
            .clock
            .set(now + Duration::days(14) + Duration::seconds(1))
    );
    // Signed in on the new day.
    let (_, son) = d.app.account("family").await;
    let late = d
        .app
        .client
        .post(d.app.url("/api/v1/guardian-requests"))
        .bearer_auth(access_token(&son))
        .json(&json!({"link_code": code, "relation": "son"}))
        .send()
        .await
        .unwrap();
    assert_problem(late, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
}

#[actix_web::test]
async fn guessing_codes_is_limited() {
    let d = District::new().await;
    let (_, son) = d.app.account("family").await;
    let son = access_token(&son);
    let mut statuses = Vec::new();
    for n in 0..11 {
        let response = d
            .app
            .client
            .post(d.app.url("/api/v1/guardian-requests"))
            .bearer_auth(&son)
            .json(
                &json!({"link_code": format!("ABCDEFG{}", (b'A' + n) as char), "relation": "son"}),
            )
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert!(
        statuses[..10]
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY),
        "{statuses:?}"
    );
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
}
