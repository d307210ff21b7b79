//! The impact report's questions: a period that runs forwards and is not too long, a known
//! grouping, an area the caller works in.

use reqwest::StatusCode;

use crate::common::*;

#[actix_web::test]
async fn impact_answers_only_sound_questions_about_one_s_own_area() {
    let app = TestApp::spawn().await;
    let own = app.services.district.area_named("Nara East").await.unwrap();
    let other = app.services.district.area_named("Yoshino").await.unwrap();
    let (_, coordinator) = app.account_in("coordinator", Some(own.id)).await;
    let coordinator = access_token(&coordinator);
    let (_, admin) = app.account("admin").await;
    let admin = access_token(&admin);

    let (status, empty) = app
        .get(
            "/api/v1/impact?from=2026-11-01&to=2026-11-30",
            Some(&coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(empty["area_id"], own.id.to_string());
    assert_eq!(empty["group_by"], "month");
    assert_eq!(empty["total"]["households_reached"], 0);
    assert_eq!(empty["groups"], serde_json::json!([]));

    for (query, field) in [
        ("from=2026-11-30&to=2026-11-01", "to"),
        ("from=2024-01-01&to=2026-01-01", "to"),
        ("from=2026-11-01&to=2026-11-30&group_by=week", "group_by"),
        ("from=2026-02-30&to=2026-03-01", "from"),
    ] {
        let (status, problem) = app
            .get(&format!("/api/v1/impact?{query}"), Some(&coordinator))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {problem}"
        );
        assert_eq!(problem["field"], field, "{query}");
    }
    // Another area is not there for a coordinator; an admin names one, or is asked to.
    let other_area = format!(
        "/api/v1/impact?area_id={}&from=2026-11-01&to=2026-11-30",
        other.id
    );
    assert_eq!(
        app.get(&other_area, Some(&coordinator)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&other_area, Some(&admin)).await.0, StatusCode::OK);
    let (status, problem) = app
        .get("/api/v1/impact?from=2026-11-01&to=2026-11-30", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "area_id");
}
