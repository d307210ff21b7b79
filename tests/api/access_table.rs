//! Walks the route table: every route, every kind of caller, the status the declared access
//! promises.

use std::sync::Arc;

use actix_web::http::Method;
use reqwest::StatusCode;
use serde_json::json;
use yui::http::access::{Access, AccessTable};
use yui::http::routes;

use crate::common::*;

/// An account of every role, signed in: (role, access token).
async fn one_of_each_role(app: &TestApp) -> Vec<(&'static str, String)> {
    let mut tokens = Vec::new();
    for role in [
        "family",
        "volunteer",
        "carrier",
        "hub_keeper",
        "coordinator",
        "admin",
    ] {
        let (_, pair) = app.account(role).await;
        tokens.push((role, access_token(&pair)));
    }
    tokens
}

#[actix_web::test]
async fn role_by_route_gives_the_declared_status() {
    let app = TestApp::spawn().await;
    let mut callers = vec![("anonymous", None, None)];
    for (role, token) in one_of_each_role(&app).await {
        callers.push((role, Some(role), Some(token)));
    }
    // A volunteer still waiting for approval is signed in but has no role rights yet.
    app.register("volunteer", "waiting@example.jp").await;
    let waiting = app.login("waiting@example.jp", PASSWORD).await;
    callers.push(("pending volunteer", None, Some(access_token(&waiting))));

    let mut checked = 0;
    for route in routes() {
        let path = route
            .path
            .replace("{id}", &uuid::Uuid::new_v4().to_string());
        for (who, role, token) in &callers {
            let method = reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
            let mut request = app.client.request(method, app.url(&path));
            if route.method == Method::POST {
                request = request.json(&json!({}));
            }
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let status = request.send().await.unwrap().status();
            let expected_refusal = match (route.access, token, role) {
                (Access::Public, _, _) => None,
                (_, None, _) => Some(StatusCode::UNAUTHORIZED),
                (Access::SignedIn, Some(_), _) => None,
                (Access::Roles(roles), Some(_), Some(role))
                    if roles.iter().any(|r| r.as_str() == *role) =>
                {
                    None
                }
                (Access::Roles(_), Some(_), _) => Some(StatusCode::FORBIDDEN),
                // Console routes are in their own table (tests/api/console.rs).
                (Access::Console(_) | Access::ConsoleOpen, Some(_), _) => {
                    panic!("{} is a console route in the API's table", route.path)
                }
            };
            match expected_refusal {
                Some(expected) => {
                    assert_eq!(status, expected, "{who} {} {}", route.method, route.path)
                }
                None => assert!(
                    status != StatusCode::UNAUTHORIZED
                        && status != StatusCode::FORBIDDEN
                        && status.as_u16() < 500,
                    "{who} {} {} got {status}",
                    route.method,
                    route.path
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 12 * 8, "{checked}");
}

#[actix_web::test]
async fn a_route_without_a_declared_policy_is_refused() {
    use actix_web::{App, HttpResponse, test, web};
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(Arc::new(AccessTable::default())))
            .route(
                "/rogue",
                web::get().to(|| async { HttpResponse::Ok().finish() }),
            )
            .wrap(actix_web::middleware::from_fn(
                yui::http::access::middleware,
            )),
    )
    .await;
    let response =
        test::call_service(&app, test::TestRequest::get().uri("/rogue").to_request()).await;
    assert_eq!(response.status(), actix_web::http::StatusCode::FORBIDDEN);
}

/// Ids are parsed at the edge: a path id that is not a UUID names nothing, for every route
/// with one, and the caller (of a role the route admits) gets 404, never 400 or 500.
#[actix_web::test]
async fn a_malformed_id_in_any_path_is_404() {
    let app = TestApp::spawn().await;
    let tokens = one_of_each_role(&app).await;
    let mut checked = 0;
    for route in routes().into_iter().filter(|r| r.path.contains('{')) {
        let caller = tokens.iter().find(|(role, _)| match route.access {
            Access::Roles(roles) => roles.iter().any(|r| r.as_str() == *role),
            _ => true,
        });
        let (_, token) = caller.expect("a route no role may call");
        let path = route.path.replace("{id}", "not-a-uuid");
        let method = reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let mut request = app
            .client
            .request(method, app.url(&path))
            .bearer_auth(token);
        if [Method::POST, Method::PUT, Method::PATCH].contains(&route.method) {
            request = request.json(&json!({}));
        }
        let answer = request.send().await.unwrap();
        assert_eq!(
            answer.status(),
            StatusCode::NOT_FOUND,
            "{} {}",
            route.method,
            route.path
        );
        assert_eq!(
            answer.headers()["content-type"],
            "application/problem+json",
            "{} {}",
            route.method,
            route.path
        );
        checked += 1;
    }
    assert!(checked >= 15, "{checked}");
}
