//! The cutoff: when ordering for a date closes, what families may still do, each area by its
//! own rule.

use chrono::{Days, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;
use crate::fixtures::District;

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
