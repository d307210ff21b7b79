//! The console's requests: the list with its filters, an order keyed in from the telephone
//! (sent once however often it is pressed), its page with the items, and its cancellation.

use reqwest::StatusCode;

use crate::console::Browser;
use crate::plans::Village;

#[actix_web::test]
async fn a_coordinator_keys_in_a_phone_order_once_and_cancels_it() {
    let v = Village::new().await;
    let date = v.summary.delivery_date.clone();
    let before = v.requests().await;
    let mut browser = Browser::new(&v.app);
    browser
        .sign_in(
            yui::demo::COORDINATOR_EMAIL,
            yui::demo::COORDINATOR_PASSWORD,
        )
        .await;
    let list = browser.get(&format!("/console/requests?date={date}")).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body.matches("data-request=").count(), before.len());

    // A resident who joined today, placed beside the first hub: no order yet.
    let (_, hubs) = v.app.get("/api/v1/hubs", Some(&v.coordinator)).await;
    let hub = hubs["items"]
        .as_array()
        .or(hubs.as_array())
        .unwrap()
        .first()
        .unwrap()
        .clone();
    let (status, resident) = v
        .app
        .post(
            "/api/v1/residents",
            serde_json::json!({"name": "電話 花子", "phone": "0742-22-2222", "address": "奈良市東部 1",
                               "location": hub["location"], "fulfilment": "hub_pickup"}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{resident}");
    let resident_id = resident["id"].as_str().unwrap();
    let key = "the-form-s-own-key";
    let order = |quantity: &'static str| {
        vec![
            ("csrf_token", list.csrf_token()),
            ("idempotency_key", key.to_owned()),
            ("resident_id", resident_id.to_owned()),
            ("delivery_date", date.clone()),
            ("fulfilment", "hub_pickup".to_owned()),
            ("notes", "".to_owned()),
            ("item_name_0", "牛乳".to_owned()),
            ("item_quantity_0", quantity.to_owned()),
            ("item_unit_0", "本".to_owned()),
            ("item_temperature_0", "chilled".to_owned()),
            ("item_substitution_0", "ask".to_owned()),
            ("item_name_1", "食パン".to_owned()),
            ("item_quantity_1", "".to_owned()),
            ("item_unit_1", "".to_owned()),
            ("item_temperature_1", "ambient".to_owned()),
            ("item_substitution_1", "similar".to_owned()),
            ("item_name_2", "".to_owned()),
        ]
    };
    // A quantity that does not read: refused, nothing made.
    let wrong = order("two");
    let refused = browser.post("/console/requests", &send(&wrong)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("数字で入力してください"));
    assert_eq!(v.requests().await.len(), before.len());

    let right = order("2");
    let first = browser.post("/console/requests", &send(&right)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let again = browser.post("/console/requests", &send(&right)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(first.location, again.location, "pressed twice, sent once");
    let after = v.requests().await;
    assert_eq!(after.len(), before.len() + 1);
    let made = after
        .iter()
        .find(|r| r["resident_id"] == resident_id)
        .unwrap();
    let items = made["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["name"], "牛乳");
    assert_eq!(items[0]["quantity"], 2.0);
    assert_eq!(items[0]["temperature"], "chilled");
    assert_eq!(items[0]["substitution"], "ask");
    assert_eq!(items[1]["quantity"], 1.0);
    assert_eq!(items[1]["unit"], "個", "the unit left empty");
    let id = made["id"].as_str().unwrap();
    assert_eq!(
        first.location.as_deref(),
        Some(format!("/console/requests/{id}").as_str())
    );

    let page = browser.get(&format!("/console/requests/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("牛乳"));
    assert!(page.body.contains("ご家族に聞く"));
    assert!(page.body.contains(resident["name"].as_str().unwrap()));
    assert!(page.body.contains("data-status=\"submitted\""));

    let cancelled = browser
        .post(
            &format!("/console/requests/{id}/cancel"),
            &[("csrf_token", &page.csrf_token())],
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    let (_, request) = v
        .app
        .get(&format!("/api/v1/requests/{id}"), Some(&v.coordinator))
        .await;
    assert_eq!(request["status"], "cancelled");
    let filtered = browser
        .get(&format!("/console/requests?date={date}&status=cancelled"))
        .await;
    assert_eq!(filtered.body.matches("data-request=").count(), 1);
    assert!(filtered.body.contains(&format!("data-request=\"{id}\"")));
    let bad = browser
        .get(&format!("/console/requests?date={date}&hub_id=nonsense"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

fn send<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
