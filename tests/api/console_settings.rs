//! The console's area settings: one form, saved with the settings' version as `If-Match`;
//! a stale form or a bad value changes nothing. The API's PATCH takes the same rules.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::console::Browser;
use crate::plans::Village;

async fn area(v: &Village) -> Value {
    let path = format!("/api/v1/areas/{}", v.summary.area_id);
    v.app.get(&path, Some(&v.coordinator)).await.1
}

/// The version the page's form carries.
fn version_of(body: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = body.find(marker).expect("a version field") + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

#[actix_web::test]
async fn a_coordinator_changes_the_area_s_settings_from_one_form() {
    let v = Village::new().await;
    let mut browser = Browser::new(&v.app);
    browser
        .sign_in(
            yui::demo::COORDINATOR_EMAIL,
            yui::demo::COORDINATOR_PASSWORD,
        )
        .await;
    let page = browser.get("/console/settings").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"depot-map\""));
    let before = area(&v).await;
    let version = version_of(&page.body);
    let token = page.csrf_token();
    let form = |version: &str, co2: &str| -> Vec<(String, String)> {
        [
            ("csrf_token", token.as_str()),
            ("version", version),
            ("cutoff_days_before", "2"),
            ("cutoff_time", "17:30"),
            ("depot_lat", "34.7301"),
            ("depot_lon", "135.9502"),
            ("co2_kg_per_km", co2),
            ("circuity_factor", "1.5"),
            ("step_to_0", "carrier"),
            ("step_after_0", "0"),
            ("step_to_1", "coordinator"),
            ("step_after_1", "45"),
            ("step_to_2", ""),
            ("step_after_2", ""),
            ("welfare_name", "東部地域包括支援センター"),
            ("welfare_phone", "0742-00-1234"),
            ("chilled_minutes", "200"),
            ("frozen_minutes", "90"),
            ("image_retention_days", "60"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    };
    // A value that does not read: refused, with the field named, and nothing changes.
    let fields = form(&version, "lots");
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let bad = browser.post("/console/settings", &refs).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("数字で入力してください"), "{}", bad.body);
    assert_eq!(area(&v).await, before);

    let fields = form(&version, "0.2");
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = browser.post("/console/settings", &refs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some("/console/settings?saved=1"));
    let after = area(&v).await;
    assert_eq!(after["cutoff_time"], "17:30");
    assert_eq!(after["cutoff_days_before"], 2);
    assert_eq!(after["depot"], json!({"lat": 34.7301, "lon": 135.9502}));
    assert_eq!(after["co2_kg_per_km"], 0.2);
    assert_eq!(after["circuity_factor"], 1.5);
    assert_eq!(
        after["watch_over"]["steps"],
        json!([{"to": "carrier", "after_minutes": 0}, {"to": "coordinator", "after_minutes": 45}])
    );
    assert_eq!(
        after["watch_over"]["welfare_contact"]["name"],
        "東部地域包括支援センター"
    );
    assert_eq!(
        after["cold_chain"],
        json!({"chilled_minutes": 200, "frozen_minutes": 90})
    );
    assert_eq!(after["image_retention_days"], 60);
    let shown = browser.get("/console/settings?saved=1").await;
    assert!(shown.body.contains("設定を保存しました。"));
    assert_ne!(version_of(&shown.body), version);

    // The same form again, from the page read before: someone saved since, so it is refused.
    let fields = form(&version, "0.3");
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let stale = browser.post("/console/settings", &refs).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(area(&v).await["co2_kg_per_km"], 0.2);

    // The API takes the same rules, checked the same way.
    let path = format!("/api/v1/areas/{}", v.summary.area_id);
    let etag = v.app.get_raw(&path, &v.coordinator).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let patch = |body: Value| {
        v.app
            .client
            .patch(v.app.url(&path))
            .bearer_auth(&v.coordinator)
            .header("If-Match", etag.clone())
            .json(&body)
            .send()
    };
    let wrong = patch(json!({"cutoff_time": "25:00"})).await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let far = patch(json!({"depot": {"lat": 95.0, "lon": 135.0}}))
        .await
        .unwrap();
    assert_eq!(far.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let moved = patch(json!({"cutoff_time": "15:00", "circuity_factor": 1.3}))
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    let now = area(&v).await;
    assert_eq!(now["cutoff_time"], "15:00");
    assert_eq!(now["cutoff_days_before"], 2, "the other half stays");
    assert_eq!(now["circuity_factor"], 1.3);
    assert_eq!(now["co2_kg_per_km"], 0.2);
}
