use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn bad_bodies_routes_and_methods_answer_problem_json() {
    let app = TestApp::spawn().await;
    let login = app.url("/api/v1/auth/login");
    let send = |body: String, content_type: &'static str| {
        app.client
            .post(&login)
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    let malformed = send("{\"email\": ".into(), "application/json")
        .await
        .unwrap();
    assert_problem(malformed, StatusCode::BAD_REQUEST, "malformed-request").await;

    let unknown_field = send(
        json!({"email": "a@example.jp", "password": PASSWORD, "admin": true}).to_string(),
        "application/json",
    )
    .await
    .unwrap();
    let body = assert_problem(
        unknown_field,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-body",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("admin"), "{body}");

    let wrong_type = send(
        json!({"email": 42, "password": PASSWORD}).to_string(),
        "application/json",
    )
    .await
    .unwrap();
    // Valid JSON of the wrong type is a value this field does not take, and says which field.
    let body = assert_problem(wrong_type, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(body["field"], "email", "{body}");

    let oversized = send(
        format!("{{\"email\": \"{}\"}}", "x".repeat(70_000)),
        "application/json",
    )
    .await
    .unwrap();
    assert_problem(
        oversized,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
    )
    .await;

    let not_json = send("email=a".into(), "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_problem(
        not_json,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
    )
    .await;

    let unknown_route = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_problem(unknown_route, StatusCode::NOT_FOUND, "route-not-found").await;

    let wrong_method = app
        .client
        .delete(app.url("/api/v1/auth/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.headers()["allow"], "POST");
    assert_problem(
        wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
    )
    .await;

    let (_, coordinator) = app.account("coordinator").await;
    let bad_id = app
        .client
        .post(app.url("/api/v1/users/not-a-uuid/approve"))
        .bearer_auth(access_token(&coordinator))
        .send()
        .await
        .unwrap();
    assert_problem(bad_id, StatusCode::NOT_FOUND, "not-found").await;
}

#[actix_web::test]
async fn bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.account("admin").await;
    let before = app.accounts().await.len();
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            json!({"email": "x@example.jp", "password": "short", "display_name": "X", "locale": "ja", "role": "family"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "password");
    let (status, body) = app
        .post(
            "/api/v1/users",
            json!({"email": "y@example.jp", "password": PASSWORD, "display_name": "Y", "locale": "fr", "role": "carrier"}),
            Some(&access_token(&admin)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "locale");
    let after = app.accounts().await.len();
    assert_eq!(before, after);
}

#[actix_web::test]
async fn every_answer_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let given = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "phone-42.retry-1")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "phone-42.retry-1");

    let generated = app.client.get(app.url("/healthz")).send().await.unwrap();
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");

    // A header that could forge log lines is replaced, not echoed.
    let hostile = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "a b\tc")
        .send()
        .await
        .unwrap();
    assert_ne!(hostile.headers()["x-request-id"], "a b\tc");

    // Problems name the request they answer.
    let problem = app
        .client
        .get(app.url("/nowhere"))
        .header("x-request-id", "trace-me")
        .send()
        .await
        .unwrap();
    let body = assert_problem(problem, StatusCode::NOT_FOUND, "route-not-found").await;
    assert_eq!(body["instance"], "urn:yui:request:trace-me");
}

#[actix_web::test]
async fn a_405_names_every_method_its_route_takes() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .put(app.url("/api/v1/requests/0190b1a2-0000-7000-8000-000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let mut allowed: Vec<String> = response.headers()["allow"]
        .to_str()
        .unwrap()
        .split(", ")
        .map(str::to_owned)
        .collect();
    allowed.sort();
    assert_eq!(allowed, ["GET", "PATCH"]);
}

#[actix_web::test]
async fn if_match_takes_a_star_or_our_etags_and_existence_comes_first() {
    let d = crate::fixtures::District::new().await;
    let (_, created) = read(
        d.create_request(
            &d.family,
            "pre",
            &d.request_body(&crate::fixtures::District::open_date()),
        )
        .await,
    )
    .await;
    let path = format!("/api/v1/requests/{}", created["id"].as_str().unwrap());
    let patch = |path: String, if_match: Option<&'static str>| {
        let mut request = d
            .app
            .client
            .patch(d.app.url(&path))
            .bearer_auth(&d.family)
            .json(&json!({"notes": "裏口へ"}));
        if let Some(value) = if_match {
            request = request.header("if-match", value);
        }
        request.send()
    };
    // Unknown request: 404 whatever the precondition says (or does not).
    let missing = "/api/v1/requests/0190b1a2-0000-7000-8000-000000000000".to_owned();
    assert_problem(
        patch(missing.clone(), None).await.unwrap(),
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_problem(
        patch(missing, Some("\"v9\"")).await.unwrap(),
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    // Malformed: 400, saying what an If-Match may be.
    for bad in ["v1", "\"x1\"", "\"v\"", "\"v1", "\"v1\", junk"] {
        let problem = assert_problem(
            patch(path.clone(), Some(bad)).await.unwrap(),
            StatusCode::BAD_REQUEST,
            "malformed-request",
        )
        .await;
        assert!(
            problem["detail"].as_str().unwrap().contains("If-Match"),
            "{bad}: {problem}"
        );
    }
    assert_problem(
        patch(path.clone(), None).await.unwrap(),
        StatusCode::PRECONDITION_REQUIRED,
        "precondition-required",
    )
    .await;
    assert_problem(
        patch(path.clone(), Some("\"v2\"")).await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
    )
    .await;
    // A list holding the current version, then `*`, which matches whatever version is current.
    let listed = patch(path.clone(), Some("\"v7\", W/\"v1\"")).await.unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    assert_eq!(listed.headers()["etag"], "\"v2\"");
    let any = patch(path.clone(), Some("*")).await.unwrap();
    assert_eq!(any.status(), StatusCode::OK);
    assert_eq!(any.headers()["etag"], "\"v3\"");
}

#[actix_web::test]
async fn an_idempotency_key_is_printable_ascii() {
    let d = crate::fixtures::District::new().await;
    let body = d.request_body(&crate::fixtures::District::open_date());
    let send = |key: reqwest::header::HeaderValue| {
        d.app
            .client
            .post(d.app.url("/api/v1/requests"))
            .bearer_auth(&d.family)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    for key in [
        reqwest::header::HeaderValue::from_bytes("注文-1".as_bytes()).unwrap(),
        reqwest::header::HeaderValue::from_bytes(b"key\twith-tab").unwrap(),
    ] {
        let problem = assert_problem(
            send(key).await.unwrap(),
            StatusCode::BAD_REQUEST,
            "malformed-request",
        )
        .await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("Idempotency-Key"),
            "{problem}"
        );
    }
    let (_, list) = d.app.get("/api/v1/requests", Some(&d.family)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn a_limit_outside_1_to_100_is_refused_on_every_list() {
    let d = crate::fixtures::District::new().await;
    let date = crate::fixtures::District::open_date();
    for list in [
        "/api/v1/requests?".to_owned(),
        "/api/v1/residents?".to_owned(),
        "/api/v1/users?".to_owned(),
        "/api/v1/audit?".to_owned(),
        format!("/api/v1/runs?delivery_date={date}&"),
    ] {
        for limit in ["0", "101", "-1"] {
            let response = d
                .app
                .get_raw(&format!("{list}limit={limit}"), &d.coordinator)
                .await;
            let problem =
                assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
            assert_eq!(problem["field"], "limit", "{list}limit={limit}");
        }
        let (status, page) = d
            .app
            .get(&format!("{list}limit=100"), Some(&d.coordinator))
            .await;
        assert_eq!(status, StatusCode::OK, "{list}: {page}");
    }
}

#[actix_web::test]
async fn an_edit_that_breaks_a_field_rule_is_422_whatever_its_if_match() {
    let d = crate::fixtures::District::new().await;
    let (_, created) = read(
        d.create_request(
            &d.family,
            "rules",
            &d.request_body(&crate::fixtures::District::open_date()),
        )
        .await,
    )
    .await;
    let path = format!("/api/v1/requests/{}", created["id"].as_str().unwrap());
    for (body, field) in [
        (json!({"fulfilment": "by_drone"}), "fulfilment"),
        (json!({"delivery_date": "2026-02-30"}), "delivery_date"),
        (json!({"items": []}), "items"),
    ] {
        for if_match in [None, Some("\"v9\"")] {
            let mut request = d
                .app
                .client
                .patch(d.app.url(&path))
                .bearer_auth(&d.family)
                .json(&body);
            if let Some(value) = if_match {
                request = request.header("if-match", value);
            }
            let problem = assert_problem(
                request.send().await.unwrap(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            )
            .await;
            assert_eq!(problem["field"], field, "{body} {if_match:?}");
        }
    }
    let (_, unchanged) = d.app.get(&path, Some(&d.family)).await;
    assert_eq!(unchanged["version"], 1);
}
