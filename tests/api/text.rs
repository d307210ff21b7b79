//! Text as it reaches Yui: control characters are refused in every text field of every body
//! and query, with a 422 naming the field, and nothing is written; free-text notes keep their
//! newlines and tabs.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;
use crate::fixtures::{District, square};

/// Every text leaf of `value`, as the path the API names it by (`items[0].unit`) and as a
/// JSON pointer to it.
fn text_leaves(value: &Value, path: &str, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(_) => out.push((path.to_owned(), pointer.to_owned())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                text_leaves(
                    item,
                    &format!("{path}[{i}]"),
                    &format!("{pointer}/{i}"),
                    out,
                );
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                let path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                text_leaves(field, &path, &format!("{pointer}/{name}"), out);
            }
        }
        _ => {}
    }
}

async fn send(
    d: &District,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: &Value,
    n: usize,
) -> reqwest::Response {
    let mut request = d
        .app
        .client
        .request(method, d.app.url(path))
        .header("idempotency-key", format!("text-{n}"))
        .header("if-match", "\"v1\"")
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[actix_web::test]
async fn a_control_character_in_any_text_field_is_refused_naming_the_field() {
    let d = District::new().await;
    let (_, hub) = d
        .app
        .post("/api/v1/hubs", json!({"name": "須川郵便局", "kind": "post_office", "location": {"lat": 34.73, "lon": 135.93}, "storage": {"ambient": 30, "chilled": 8, "frozen": 3}}), Some(&d.coordinator))
        .await;
    let (_, request) = read(
        d.create_request(
            &d.coordinator,
            "first",
            &d.request_body(&District::open_date()),
        )
        .await,
    )
    .await;
    let request_path = format!("/api/v1/requests/{}", request["id"].as_str().unwrap());
    let coordinator = Some(d.coordinator.as_str());
    // One valid body per route that takes text (each one is accepted as it stands: checked
    // first below), in the shape the spec gives.
    let routes: Vec<(Method, String, Option<&str>, Value)> = vec![
        (
            Method::POST,
            "/api/v1/requests".into(),
            coordinator,
            d.request_body(&District::open_date()),
        ),
        (
            Method::PATCH,
            request_path.clone(),
            coordinator,
            json!({"notes": "裏口へ", "items": [{"name": "牛乳", "quantity": 1, "unit": "本", "temperature": "chilled", "substitution": "none"}]}),
        ),
        (
            Method::POST,
            "/api/v1/residents".into(),
            coordinator,
            json!({"name": "田中 一郎", "phone": "090-0000-0000", "address": "奈良市柳生町", "fulfilment": "hub_pickup", "care_notes": "耳が遠い", "consent": {"given_by": "田中 一郎", "basis": "written", "text_version": "2026-01"}}),
        ),
        (
            Method::POST,
            "/api/v1/hubs".into(),
            coordinator,
            json!({"name": "旧柳生中学校", "kind": "school", "location": {"lat": 34.66, "lon": 135.96}, "storage": {"ambient": 40, "chilled": 10, "frozen": 4}, "opening_hours": [{"weekday": 2, "open": "10:00", "close": "15:00"}]}),
        ),
        (
            Method::POST,
            "/api/v1/post-trips".into(),
            coordinator,
            json!({"name": "奈良東 午前便", "origin": {"lat": 34.68, "lon": 135.83}, "weekdays": [0, 2, 4], "departure": "09:30", "hub_ids": [hub["id"]], "spare_capacity": {"ambient": 200, "chilled": 60, "frozen": 20}}),
        ),
        (
            Method::POST,
            "/api/v1/neighbourhoods".into(),
            coordinator,
            json!({"name": "月ヶ瀬", "boundary": square(135.95, 34.65, 0.1), "default_hub_id": hub["id"]}),
        ),
        (
            Method::POST,
            "/api/v1/auth/register".into(),
            None,
            json!({"email": "new-one@example.jp", "password": PASSWORD, "display_name": "Hanako", "locale": "ja", "role": "family"}),
        ),
        (
            Method::POST,
            "/api/v1/auth/login".into(),
            None,
            json!({"email": "new-one@example.jp", "password": PASSWORD}),
        ),
    ];
    let mut n = 0;
    for (method, path, token, body) in &routes {
        let mut leaves = Vec::new();
        text_leaves(body, "", "", &mut leaves);
        assert!(!leaves.is_empty(), "{path}");
        for (field, pointer) in leaves {
            for bad in ["a\u{0}b", "line\u{7}", "\u{85}", "two\nlines"] {
                // Notes may hold a newline; nothing else may hold any of these.
                if bad.contains('\n') && field.ends_with("notes") {
                    continue;
                }
                let mut hostile = body.clone();
                *hostile.pointer_mut(&pointer).unwrap() = json!(bad);
                n += 1;
                let response = send(&d, method.clone(), path, *token, &hostile, n).await;
                let problem =
                    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
                // A boundary is GeoJSON, checked as a whole: its problems name `boundary`.
                let expected = if field.starts_with("boundary") {
                    "boundary"
                } else {
                    field.as_str()
                };
                assert_eq!(problem["field"], expected, "{method} {path}: {problem}");
            }
        }
    }
    // Nothing of it was written: the one request is still the only one, unchanged.
    let (_, list) = d.app.get("/api/v1/requests", coordinator).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    let (_, unchanged) = d.app.get(&request_path, coordinator).await;
    assert_eq!(unchanged["version"], 1);
    let (_, residents) = d.app.get("/api/v1/residents", coordinator).await;
    assert_eq!(
        residents["items"].as_array().unwrap().len(),
        1,
        "{residents}"
    );
}

#[actix_web::test]
async fn the_refusal_is_in_the_callers_language_and_queries_are_checked_too() {
    let d = District::new().await;
    let mut body = d.request_body(&District::open_date());
    body["items"][0]["unit"] = json!("丁\u{0}");
    let response = d
        .app
        .client
        .post(d.app.url("/api/v1/requests"))
        .bearer_auth(&d.family)
        .header("idempotency-key", "nul")
        .header("accept-language", "ja")
        .json(&body)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(problem["field"], "items[0].unit");
    assert_eq!(
        problem["detail"],
        "items[0].unit：制御文字（U+0000）は使えません。文字だけで入力してください。"
    );

    let response = d
        .app
        .get_raw("/api/v1/audit?entity=request%00x", &d.coordinator)
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(problem["field"], "entity");
}

#[actix_web::test]
async fn notes_keep_their_lines_and_tabs() {
    let d = District::new().await;
    let mut body = d.request_body(&District::open_date());
    body["notes"] = json!("午前は留守です\r\n裏口へ\tお願いします");
    let response = d.create_request(&d.family, "lines", &body).await;
    let (status, created) = read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["notes"], "午前は留守です\n裏口へ\tお願いします");
}
