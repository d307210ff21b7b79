//! Hostile bodies at every route that takes one: whatever arrives, the answer is never a 5xx,
//! and every refusal is problem+json.

use actix_web::http::Method;
use serde_json::json;

use crate::common::*;
use crate::fixtures::District;

/// Bodies no client should send: broken, huge, deep, with bytes that are not UTF-8, numbers
/// out of range, impossible dates, control characters, and JSON of every wrong shape.
fn hostile_bodies() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let json = "application/json";
    let mut bodies: Vec<(&'static str, &'static str, Vec<u8>)> = vec![
        ("empty", json, Vec::new()),
        ("null", json, b"null".to_vec()),
        ("array", json, b"[]".to_vec()),
        ("string", json, b"\"text\"".to_vec()),
        ("number", json, b"123".to_vec()),
        ("truncated", json, b"{\"name\": ".to_vec()),
        ("trailing", json, b"{} {}".to_vec()),
        (
            "nan",
            json,
            b"{\"quantity\": NaN, \"lat\": Infinity}".to_vec(),
        ),
        (
            "invalid utf-8",
            json,
            b"{\"name\": \"\xff\xfe\xfd\"}".to_vec(),
        ),
        (
            "nul",
            json,
            b"{\"name\": \"a\\u0000b\", \"notes\": \"\\u0000\"}".to_vec(),
        ),
        ("lone surrogate", json, b"{\"name\": \"\\ud800\"}".to_vec()),
        (
            "deep",
            json,
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        ),
        (
            "deep object",
            json,
            format!("{}1{}", "{\"a\":".repeat(3000), "}".repeat(3000)).into_bytes(),
        ),
        (
            "huge string",
            json,
            format!("{{\"name\": \"{}\"}}", "名".repeat(20_000)).into_bytes(),
        ),
        (
            "too large",
            json,
            format!("{{\"name\": \"{}\"}}", "x".repeat(70_000)).into_bytes(),
        ),
        ("text", "text/plain", b"name=x".to_vec()),
        ("xml", "application/xml", b"<a/>".to_vec()),
        (
            "form",
            "application/x-www-form-urlencoded",
            b"name=x".to_vec(),
        ),
    ];
    // Shaped like the real bodies, with every number out of range and every date impossible.
    for (name, value) in [
        ("huge numbers", json!(1e308)),
        ("beyond i64", json!(18446744073709551615u64)),
        ("negative", json!(-1)),
        ("fraction", json!(0.5)),
        ("impossible date", json!("2026-02-30")),
        ("bad time", json!("25:61")),
        ("wrong type", json!({"nested": [true]})),
    ] {
        let shaped = json!({
            "name": value, "kind": value, "location": {"lat": value, "lon": value},
            "storage": {"ambient": value, "chilled": value, "frozen": value},
            "opening_hours": [{"weekday": value, "open": value, "close": value}],
            "resident_id": value, "delivery_date": value, "fulfilment": value, "notes": value,
            "items": [{"name": value, "quantity": value, "unit": value, "temperature": value, "substitution": value}],
            "weekdays": [value], "departure": value, "hub_ids": [value], "origin": {"lat": value, "lon": value},
            "spare_capacity": {"ambient": value, "chilled": value, "frozen": value},
            "capacity_litres": value, "max_distance_km": value, "cutoff_days_before": value,
            "boundary": {"type": "Polygon", "coordinates": [[[value, value]]]},
        });
        bodies.push((name, json, serde_json::to_vec(&shaped).unwrap()));
    }
    bodies
}

#[actix_web::test]
async fn no_hostile_body_reaches_a_5xx_or_a_plain_error() {
    let d = District::new().await;
    let (_, request) = read(
        d.create_request(
            &d.coordinator,
            "hostile",
            &d.request_body(&District::open_date()),
        )
        .await,
    )
    .await;
    // Ids of real objects where the route names one, so that the body is what is judged.
    let id_for = |path: &str| -> String {
        if path.starts_with("/api/v1/requests/") {
            request["id"].as_str().unwrap().to_owned()
        } else if path.starts_with("/api/v1/residents/") {
            d.resident_id.clone()
        } else {
            uuid::Uuid::new_v4().to_string()
        }
    };
    let bodies = hostile_bodies();
    let mut tried = 0;
    for route in yui::http::routes() {
        if ![Method::POST, Method::PUT, Method::PATCH].contains(&route.method) {
            continue;
        }
        let path = route.path.replace("{id}", &id_for(route.path));
        for (name, content_type, body) in &bodies {
            let response = d
                .app
                .client
                .request(
                    reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap(),
                    d.app.url(&path),
                )
                .bearer_auth(&d.coordinator)
                .header("content-type", *content_type)
                .header("idempotency-key", format!("hostile-{tried}"))
                .header("if-match", "\"v1\"")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            tried += 1;
            let status = response.status();
            let kind = response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            assert!(
                status.as_u16() < 500,
                "{} {path} with {name}: {status} {}",
                route.method,
                response.text().await.unwrap()
            );
            if status.is_client_error() {
                assert_eq!(
                    kind, "application/problem+json",
                    "{} {path} with {name}: {status}",
                    route.method
                );
            }
        }
    }
    assert!(tried > 200, "{tried} requests");
    // No hostile create went through (routes that take no body, such as cancel, may still
    // have done their work: they never read it).
    let (_, list) = d.app.get("/api/v1/requests", Some(&d.coordinator)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}
