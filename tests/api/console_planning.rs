//! The console's planning page: a preview, then the plan locked, from the page; a declined
//! run offered to someone else.

use reqwest::StatusCode;
use serde_json::json;

use crate::console::Browser;
use crate::plans::Village;

#[actix_web::test]
async fn a_coordinator_previews_locks_and_reassigns_a_declined_run() {
    let v = Village::new().await;
    let date = v.summary.delivery_date.clone();
    let page_path = format!("/console/planning?date={date}");
    let mut browser = Browser::new(&v.app);
    browser
        .sign_in(
            yui::demo::COORDINATOR_EMAIL,
            yui::demo::COORDINATOR_PASSWORD,
        )
        .await;
    let before = browser.get(&page_path).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert!(before.body.contains("この日の計画はまだありません。"));
    assert!(
        plan_of(&v, &date).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // A preview: the plan is there and nobody is asked.
    let token = before.csrf_token();
    let previewed = browser
        .post(
            "/console/plans",
            &[
                ("csrf_token", &token),
                ("delivery_date", &date),
                ("lock", "false"),
            ],
        )
        .await;
    assert_eq!(
        previewed.status,
        StatusCode::SEE_OTHER,
        "{}",
        previewed.body
    );
    assert_eq!(previewed.location.as_deref(), Some(page_path.as_str()));
    let preview = browser.get(&page_path).await;
    assert!(preview.body.contains("data-status=\"preview\""));
    let plan = plan_of(&v, &date).await["items"][0].clone();
    assert_eq!(plan["status"], "preview");
    for run in plan["runs"].as_array().unwrap() {
        assert!(
            preview
                .body
                .contains(&format!("data-run=\"{}\"", run["id"].as_str().unwrap())),
            "{run}"
        );
    }
    assert!(preview.body.contains("配達に入らなかった注文"));

    // Locked: the runs are offered; the page no longer offers to plan.
    let locked = browser
        .post(
            "/console/plans",
            &[
                ("csrf_token", &token),
                ("delivery_date", &date),
                ("lock", "true"),
            ],
        )
        .await;
    assert_eq!(locked.status, StatusCode::SEE_OTHER, "{}", locked.body);
    let plan = plan_of(&v, &date).await["items"][0].clone();
    assert_eq!(plan["status"], "locked");
    let page = browser.get(&page_path).await;
    assert!(page.body.contains("data-status=\"locked\""));
    assert!(!page.body.contains("action=\"/console/plans\""));

    // A volunteer declines; the coordinator offers the run to another from the page.
    let run = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["carrier"]["kind"] == "volunteer")
        .unwrap()
        .clone();
    let run_id = run["id"].as_str().unwrap();
    let first = v.volunteer_of(&run).await;
    let (status, _) = v
        .app
        .post(
            &format!("/api/v1/runs/{run_id}/decline"),
            json!({"reason": "熱が出ました"}),
            Some(&first),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = browser.get(&page_path).await;
    assert!(page.body.contains("辞退：熱が出ました"), "{}", page.body);
    let reassign = format!("/console/runs/{run_id}/reassign");
    assert!(page.body.contains(&format!("action=\"{reassign}\"")));
    let (second_id, _) = v.app.account_in("volunteer", Some(v.summary.area_id)).await;
    let second_id = second_id.to_string();
    let forged = browser
        .post(
            &reassign,
            &[("csrf_token", "forged"), ("carrier_id", &second_id)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let offered = browser
        .post(
            &reassign,
            &[
                ("csrf_token", &page.csrf_token()),
                ("carrier_id", &second_id),
            ],
        )
        .await;
    assert_eq!(offered.status, StatusCode::SEE_OTHER, "{}", offered.body);
    let (_, run) = v
        .app
        .get(&format!("/api/v1/runs/{run_id}"), Some(&v.coordinator))
        .await;
    assert_eq!(run["status"], "offered");
    assert_eq!(run["carrier"]["id"], second_id.as_str());
    // A carrier of no account is refused, and the run stays as it is.
    let refused = browser
        .post(
            &reassign,
            &[
                ("csrf_token", &page.csrf_token()),
                ("carrier_id", &uuid::Uuid::new_v4().to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, again) = v
        .app
        .get(&format!("/api/v1/runs/{run_id}"), Some(&v.coordinator))
        .await;
    assert_eq!(again["carrier"]["id"], second_id.as_str());
}

/// The date's plans as the API lists them.
async fn plan_of(v: &Village, date: &str) -> serde_json::Value {
    let path = format!(
        "/api/v1/plans?area_id={}&delivery_date={date}",
        v.summary.area_id
    );
    v.app.get(&path, Some(&v.coordinator)).await.1
}
