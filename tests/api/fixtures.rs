//! The shared fixtures of the district tests: an area with a coordinator, a linked family
//! member and their parent, all set up through the services.

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

pub fn square(x0: f64, y0: f64, size: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]})
}
