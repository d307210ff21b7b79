//! The console's field page: hubs' arrivals and shelves, watch-over cases taken on and
//! resolved from the page, miscounted crates; a hub keeper sees their own hub only.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::PASSWORD;
use crate::console::{Browser, person};
use crate::plans::Village;
use crate::watch_over::{door_fails, received_miscounting};

#[actix_web::test]
async fn a_coordinator_resolves_a_case_and_reads_the_miscount_from_the_field_page() {
    let v = Village::new().await;
    let plan = received_miscounting(&v, 1).await;
    door_fails(&v, &plan).await;
    let (_, cases) = v
        .app
        .get("/api/v1/escalations?status=open", Some(&v.coordinator))
        .await;
    let case_id = cases["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(cases["items"].as_array().unwrap().len(), 1);

    let mut browser = Browser::new(&v.app);
    browser
        .sign_in(
            yui::demo::COORDINATOR_EMAIL,
            yui::demo::COORDINATOR_PASSWORD,
        )
        .await;
    let field = browser
        .get(&format!("/console/field?date={}", v.summary.delivery_date))
        .await;
    assert_eq!(field.status, StatusCode::OK, "{}", field.body);
    // Every hub with its shelf; the case with the resident to phone; the one miscount.
    for hub in plan["post_loads"].as_array().unwrap() {
        assert!(
            field
                .body
                .contains(&format!("id=\"hub-{}\"", hub["hub_id"].as_str().unwrap())),
            "{hub}"
        );
    }
    assert!(field.body.contains("棚にある荷物"));
    assert!(
        field
            .body
            .contains(&format!("data-escalation=\"{case_id}\""))
    );
    assert!(field.body.contains("訪問しても応答がない"));
    assert!(field.body.contains("href=\"tel:"), "the resident's phone");
    assert!(
        field.body.contains("箱の数の食い違い (1)"),
        "{}",
        field.body
    );
    let resident = cases["items"][0]["resident_id"].as_str().unwrap();
    let (_, audit) = v
        .app
        .get(
            &format!("/api/v1/audit?entity=resident&entity_id={resident}"),
            Some(&v.coordinator),
        )
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "read_contact" || e["action"] == "read_care_notes"),
        "the phone read is on record: {audit}"
    );

    // Taken on, then resolved with what became of the resident.
    let token = field.csrf_token();
    let taken = browser
        .post(
            &format!("/console/escalations/{case_id}/acknowledge"),
            &[("csrf_token", &token), ("note", "")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    let path = format!("/api/v1/escalations/{case_id}");
    let (_, case) = v.app.get(&path, Some(&v.coordinator)).await;
    assert_eq!(case["status"], "acknowledged");
    let unknown = browser
        .post(
            &format!("/console/escalations/{case_id}/resolve"),
            &[
                ("csrf_token", &token),
                ("outcome", "fine"),
                ("note", "電話で確認"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("<html"), "a page saying why");
    let resolved = browser
        .post(
            &format!("/console/escalations/{case_id}/resolve"),
            &[
                ("csrf_token", &token),
                ("outcome", "resident_safe"),
                ("note", "お電話でご無事を確認しました"),
            ],
        )
        .await;
    assert_eq!(resolved.status, StatusCode::SEE_OTHER, "{}", resolved.body);
    let (_, case) = v.app.get(&path, Some(&v.coordinator)).await;
    assert_eq!(case["status"], "resolved");
    assert_eq!(case["outcome"], "resident_safe");
    let after = browser.get("/console/field").await;
    assert!(
        !after
            .body
            .contains(&format!("data-escalation=\"{case_id}\""))
    );
    assert!(after.body.contains("対応中の見守りはありません。"));
}

#[actix_web::test]
async fn a_hub_keeper_sees_their_own_hub_and_nothing_of_the_area() {
    let v = Village::new().await;
    let plan = received_miscounting(&v, 0).await;
    let loads = plan["post_loads"].as_array().unwrap();
    let (mine, other) = (
        loads[0]["hub_id"].as_str().unwrap(),
        loads
            .iter()
            .map(|l| l["hub_id"].as_str().unwrap())
            .find(|h| *h != loads[0]["hub_id"].as_str().unwrap())
            .unwrap(),
    );
    let area = v.summary.area_id;
    let email = person(&v.app, "hub_keeper", Some(area)).await;
    let (_, users) = v
        .app
        .get("/api/v1/users?role=hub_keeper", Some(&v.coordinator))
        .await;
    let keeper = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email.as_str())
        .unwrap()["id"]
        .clone();
    let (status, _) = v
        .app
        .post(
            &format!("/api/v1/hubs/{mine}/keepers"),
            json!({"user_id": keeper}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let mut browser = Browser::new(&v.app);
    let start = browser.sign_in_at(&email, PASSWORD, "/console").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    assert_eq!(start.location.as_deref(), Some("/console/field"));
    let field = browser
        .get(&format!("/console/field?date={}", v.summary.delivery_date))
        .await;
    assert_eq!(field.status, StatusCode::OK, "{}", field.body);
    assert!(field.body.contains(&format!("id=\"hub-{mine}\"")));
    assert!(!field.body.contains(&format!("id=\"hub-{other}\"")));
    assert!(field.body.contains("郵便車で届く荷物"));
    assert!(
        !field.body.contains("箱の数の食い違い"),
        "the area's, not theirs"
    );
    // The navigation offers the keeper's one page; the others are refused.
    assert!(!field.body.contains("href=\"/console/today\""));
    assert_eq!(
        browser.get("/console/today").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        browser.get("/console/map.json").await.status,
        StatusCode::FORBIDDEN
    );
}
