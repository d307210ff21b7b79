//! Who may do what to the objects of a district: role × relationship × route → status.
//! Objects a caller may not see answer 404, routes their role may not use 403.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;
use crate::fixtures::District;

const CALLERS: [&str; 9] = [
    "anonymous",
    "family linked",
    "family not linked",
    "volunteer",
    "carrier",
    "hub keeper",
    "coordinator of this area",
    "coordinator of another area",
    "admin",
];

/// Method, path, body, an extra header, and the expected status per caller (in `CALLERS` order).
type Row = (
    &'static str,
    String,
    Option<Value>,
    Option<(&'static str, &'static str)>,
    [StatusCode; 9],
);

#[actix_web::test]
async fn role_and_relationship_by_route() {
    let d = District::new().await;
    let area: yui::domain::ids::AreaId = d.area_id.parse().unwrap();
    let other_area = d
        .app
        .services
        .district
        .area_named("Yoshino")
        .await
        .unwrap()
        .id;
    let mut tokens: Vec<Option<String>> = vec![None, Some(d.family.clone())];
    let (_, unlinked) = d.app.account("family").await;
    tokens.push(Some(access_token(&unlinked)));
    let mut volunteer_id = String::new();
    for role in ["volunteer", "carrier", "hub_keeper"] {
        let (id, t) = d.app.account_in(role, Some(area)).await;
        if role == "volunteer" {
            volunteer_id = id;
        }
        tokens.push(Some(access_token(&t)));
    }
    tokens.push(Some(d.coordinator.clone()));
    let (_, other) = d.app.account_in("coordinator", Some(other_area)).await;
    tokens.push(Some(access_token(&other)));
    let (_, admin) = d.app.account("admin").await;
    tokens.push(Some(access_token(&admin)));

    // The objects of the area.
    let (_, hub) = d
        .app
        .post("/api/v1/hubs", json!({"name": "H", "kind": "other", "location": {"lat": 34.7, "lon": 136.0}, "storage": {"ambient": 1, "chilled": 1, "frozen": 1}}), Some(&d.coordinator))
        .await;
    let (_, neighbourhood) = d
        .app
        .post("/api/v1/neighbourhoods", json!({"name": "N", "boundary": {"type": "Polygon", "coordinates": [[[135.9, 34.6], [136.1, 34.6], [136.1, 34.8], [135.9, 34.8], [135.9, 34.6]]]}}), Some(&d.coordinator))
        .await;
    let (_, request) = read(
        d.create_request(
            &d.family,
            "fixture",
            &d.request_body(&District::open_date()),
        )
        .await,
    )
    .await;
    let profile = json!({"public_name": "健", "home": {"lat": 34.7, "lon": 136.0}, "vehicle": "car", "capacity_litres": 100, "cold_box": false, "max_distance_km": 10.0, "availability": []});
    let status = d
        .app
        .client
        .put(
            d.app
                .url(&format!("/api/v1/volunteers/{volunteer_id}/profile")),
        )
        .bearer_auth(&d.coordinator)
        .json(&profile)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::OK);
    let square = json!({"type": "Polygon", "coordinates": [[[135.9, 34.6], [136.1, 34.6], [136.1, 34.8], [135.9, 34.8], [135.9, 34.6]]]});
    let hub_body = json!({"name": "H2", "kind": "other", "location": {"lat": 34.7, "lon": 136.0}, "storage": {"ambient": 1, "chilled": 1, "frozen": 1}});
    let (status, webhook) = d
        .app
        .post(
            "/api/v1/webhooks",
            json!({"url": "https://hooks.example.jp/yui", "events": ["request.delivered"]}),
            Some(&d.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{webhook}");
    let webhook = webhook["id"].as_str().unwrap().to_owned();
    let (hub, neighbourhood, request, resident) = (
        hub["id"].as_str().unwrap().to_owned(),
        neighbourhood["id"].as_str().unwrap().to_owned(),
        request["id"].as_str().unwrap().to_owned(),
        d.resident_id.clone(),
    );

    use StatusCode as S;
    const OK: S = S::OK;
    const CREATED: S = S::CREATED;
    const UNAUTH: S = S::UNAUTHORIZED;
    const NO: S = S::FORBIDDEN;
    const HIDDEN: S = S::NOT_FOUND;
    const INVALID: S = S::UNPROCESSABLE_ENTITY;
    let table: Vec<Row> = vec![
        (
            "GET",
            format!("/api/v1/areas/{}", d.area_id),
            None,
            None,
            [UNAUTH, HIDDEN, HIDDEN, OK, OK, OK, OK, HIDDEN, OK],
        ),
        (
            "GET",
            format!("/api/v1/hubs/{hub}"),
            None,
            None,
            [UNAUTH, NO, NO, OK, OK, OK, OK, HIDDEN, OK],
        ),
        (
            "GET",
            format!("/api/v1/neighbourhoods/{neighbourhood}"),
            None,
            None,
            [UNAUTH, NO, NO, NO, NO, NO, OK, HIDDEN, OK],
        ),
        (
            "GET",
            format!("/api/v1/residents/{resident}"),
            None,
            None,
            [UNAUTH, OK, HIDDEN, NO, NO, NO, OK, HIDDEN, OK],
        ),
        (
            "GET",
            format!("/api/v1/requests/{request}"),
            None,
            None,
            [UNAUTH, OK, HIDDEN, NO, NO, NO, OK, HIDDEN, OK],
        ),
        (
            "GET",
            "/api/v1/requests".to_owned(),
            None,
            None,
            [UNAUTH, OK, OK, NO, NO, NO, OK, OK, OK],
        ),
        (
            "GET",
            "/api/v1/residents".to_owned(),
            None,
            None,
            [UNAUTH, OK, OK, NO, NO, NO, OK, OK, S::CONFLICT],
        ),
        (
            "GET",
            "/api/v1/post-trips".to_owned(),
            None,
            None,
            [UNAUTH, NO, NO, OK, OK, OK, OK, OK, S::CONFLICT],
        ),
        (
            "GET",
            format!("/api/v1/volunteers/{volunteer_id}/profile"),
            None,
            None,
            [UNAUTH, NO, NO, OK, NO, NO, OK, HIDDEN, OK],
        ),
        (
            "GET",
            "/api/v1/audit".to_owned(),
            None,
            None,
            [UNAUTH, NO, NO, NO, NO, NO, OK, OK, S::CONFLICT],
        ),
        // Webhook endpoints: the area's coordinators (and admins); another area's see nothing.
        (
            "GET",
            format!("/api/v1/webhooks/{webhook}"),
            None,
            None,
            [UNAUTH, NO, NO, NO, NO, NO, OK, HIDDEN, OK],
        ),
        (
            "GET",
            format!("/api/v1/webhooks/{webhook}/deliveries"),
            None,
            None,
            [UNAUTH, NO, NO, NO, NO, NO, OK, HIDDEN, OK],
        ),
        (
            "POST",
            format!("/api/v1/webhooks/{webhook}/test"),
            Some(json!({})),
            None,
            [UNAUTH, NO, NO, NO, NO, NO, S::ACCEPTED, HIDDEN, S::ACCEPTED],
        ),
        (
            "GET",
            "/api/v1/webhooks".to_owned(),
            None,
            None,
            [UNAUTH, NO, NO, NO, NO, NO, OK, OK, OK],
        ),
        // An endpoint for another area than one's own is refused as not there; an admin
        // with no area names one.
        (
            "POST",
            "/api/v1/webhooks".to_owned(),
            Some(
                json!({"url": "https://hooks.example.jp/b", "events": ["run.offered"], "area_id": d.area_id}),
            ),
            None,
            [UNAUTH, NO, NO, NO, NO, NO, CREATED, HIDDEN, CREATED],
        ),
        (
            "POST",
            "/api/v1/webhooks".to_owned(),
            Some(json!({"url": "https://hooks.example.jp/c", "events": ["run.offered"]})),
            None,
            [UNAUTH, NO, NO, NO, NO, NO, CREATED, CREATED, S::CONFLICT],
        ),
        // Everyone signed in has a feed of their own.
        (
            "POST",
            "/api/v1/notifications/read-all".to_owned(),
            Some(json!({})),
            None,
            [UNAUTH, OK, OK, OK, OK, OK, OK, OK, OK],
        ),
        (
            "GET",
            "/api/v1/notifications".to_owned(),
            None,
            None,
            [UNAUTH, OK, OK, OK, OK, OK, OK, OK, OK],
        ),
        // A stale If-Match: callers who may see the request learn it changed; others nothing.
        (
            "PATCH",
            format!("/api/v1/requests/{request}"),
            Some(json!({"notes": "x"})),
            Some(("if-match", "\"v999\"")),
            [
                UNAUTH,
                S::PRECONDITION_FAILED,
                HIDDEN,
                NO,
                NO,
                NO,
                S::PRECONDITION_FAILED,
                HIDDEN,
                S::PRECONDITION_FAILED,
            ],
        ),
        // A step the life cycle refuses: staff of the area learn the status, others nothing.
        (
            "POST",
            format!("/api/v1/requests/{request}/transitions"),
            Some(json!({"transition": "plan"})),
            None,
            [UNAUTH, NO, NO, NO, NO, NO, S::CONFLICT, HIDDEN, S::CONFLICT],
        ),
        // Linking a non-family account: refused as invalid for those who may see the resident.
        (
            "POST",
            format!("/api/v1/residents/{resident}/guardians"),
            Some(
                json!({"user_id": volunteer_id, "relation": "x", "consent": {"given_by": "a", "basis": "b", "text_version": "c"}}),
            ),
            None,
            [
                UNAUTH,
                NO,
                NO,
                NO,
                NO,
                NO,
                S::UNPROCESSABLE_ENTITY,
                HIDDEN,
                S::UNPROCESSABLE_ENTITY,
            ],
        ),
        (
            "POST",
            format!("/api/v1/hubs/{hub}/keepers"),
            Some(json!({"user_id": volunteer_id})),
            None,
            [
                UNAUTH,
                NO,
                NO,
                NO,
                NO,
                NO,
                S::UNPROCESSABLE_ENTITY,
                HIDDEN,
                S::UNPROCESSABLE_ENTITY,
            ],
        ),
        // A valid boundary: the other area's coordinator must not learn the neighbourhood exists
        // (an admin with no area of their own is told so: 409).
        (
            "PUT",
            format!("/api/v1/neighbourhoods/{neighbourhood}"),
            Some(json!({"name": "N", "boundary": square.clone()})),
            None,
            [UNAUTH, NO, NO, NO, NO, NO, OK, HIDDEN, S::CONFLICT],
        ),
        (
            "GET",
            "/api/v1/areas".to_owned(),
            None,
            None,
            [UNAUTH, OK, OK, OK, OK, OK, OK, OK, OK],
        ),
        (
            "POST",
            "/api/v1/areas".to_owned(),
            Some(json!({"name": "Table area"})),
            None,
            [UNAUTH, NO, NO, NO, NO, NO, NO, NO, CREATED],
        ),
        (
            "GET",
            "/api/v1/hubs".to_owned(),
            None,
            None,
            [UNAUTH, NO, NO, OK, OK, OK, OK, OK, S::CONFLICT],
        ),
        (
            "POST",
            "/api/v1/hubs".to_owned(),
            Some(hub_body.clone()),
            None,
            [UNAUTH, NO, NO, NO, NO, NO, CREATED, CREATED, S::CONFLICT],
        ),
        (
            "GET",
            "/api/v1/neighbourhoods".to_owned(),
            None,
            None,
            [UNAUTH, NO, NO, NO, NO, NO, OK, OK, S::CONFLICT],
        ),
        (
            "POST",
            "/api/v1/residents".to_owned(),
            Some(
                json!({"name": "R", "phone": "0742-00-0001", "address": "A", "fulfilment": "hub_pickup"}),
            ),
            None,
            [UNAUTH, NO, NO, NO, NO, NO, CREATED, CREATED, S::CONFLICT],
        ),
        // The linked family is linked already; the other family may ask (and still sees nothing).
        (
            "POST",
            format!("/api/v1/residents/{resident}/guardian-requests"),
            Some(json!({"relation": "niece"})),
            None,
            [UNAUTH, S::CONFLICT, CREATED, NO, NO, NO, NO, NO, NO],
        ),
        (
            "GET",
            "/api/v1/guardian-requests".to_owned(),
            None,
            None,
            [UNAUTH, NO, NO, NO, NO, NO, OK, OK, S::CONFLICT],
        ),
        // A link code for this area's resident: its coordinators (and admins) make them.
        (
            "POST",
            format!("/api/v1/residents/{resident}/link-codes"),
            None,
            None,
            [UNAUTH, NO, NO, NO, NO, NO, CREATED, HIDDEN, CREATED],
        ),
        // Families ask with a code; a wrong one is a field error.
        (
            "POST",
            "/api/v1/guardian-requests".to_owned(),
            Some(json!({"link_code": "ABCD-EFGH", "relation": "son"})),
            None,
            [UNAUTH, INVALID, INVALID, NO, NO, NO, NO, NO, NO],
        ),
        (
            "PUT",
            format!("/api/v1/volunteers/{volunteer_id}/profile"),
            Some(profile.clone()),
            None,
            [UNAUTH, NO, NO, OK, NO, NO, OK, HIDDEN, OK],
        ),
        // A trip to this area's hub: the other coordinator's area has no such hub.
        (
            "POST",
            "/api/v1/post-trips".to_owned(),
            Some(
                json!({"name": "T", "origin": {"lat": 34.68, "lon": 135.83}, "weekdays": [0], "departure": "09:30", "hub_ids": [hub], "spare_capacity": {"ambient": 1, "chilled": 1, "frozen": 1}}),
            ),
            None,
            [
                UNAUTH,
                NO,
                NO,
                NO,
                NO,
                NO,
                CREATED,
                S::UNPROCESSABLE_ENTITY,
                S::CONFLICT,
            ],
        ),
        (
            "PATCH",
            format!("/api/v1/residents/{resident}"),
            Some(json!({"fulfilment": "hub_pickup"})),
            None,
            [UNAUTH, NO, NO, NO, NO, NO, OK, HIDDEN, OK],
        ),
        // Last, as it changes the request: the linked family cancels; after that, nobody can.
        (
            "POST",
            format!("/api/v1/requests/{request}/cancel"),
            None,
            None,
            [
                UNAUTH,
                OK,
                HIDDEN,
                NO,
                NO,
                NO,
                S::CONFLICT,
                HIDDEN,
                S::CONFLICT,
            ],
        ),
        // Ordering for the resident: the linked family, staff of the area and admins.
        (
            "POST",
            "/api/v1/requests".to_owned(),
            Some(d.request_body(&District::open_date())),
            Some(("idempotency-key", "table")),
            [
                UNAUTH, CREATED, HIDDEN, NO, NO, NO, CREATED, HIDDEN, CREATED,
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, body, header, expected) in &table {
        for (who, (token, want)) in CALLERS.iter().zip(tokens.iter().zip(expected.iter())) {
            let mut request = d.app.client.request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                d.app.url(path),
            );
            if let Some(body) = body {
                request = request.json(body);
            }
            if let Some((name, value)) = header {
                request = request.header(*name, *value);
            }
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let got = request.send().await.unwrap().status();
            if got != *want {
                failures.push(format!(
                    "{who:28} {method:5} {path}: expected {want}, got {got}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));

    // Lists answer 200 to everyone who may list, and hold only what is theirs.
    for (who, token) in [
        ("family not linked", &tokens[2]),
        ("coordinator of another area", &tokens[7]),
    ] {
        for path in ["/api/v1/requests", "/api/v1/residents"] {
            let (status, list) = d.app.get(path, token.as_deref()).await;
            assert_eq!(status, StatusCode::OK);
            let items = list["items"].as_array().unwrap();
            let leaked: Vec<&Value> = items
                .iter()
                .filter(|i| i["area_id"] == d.area_id.as_str())
                .collect();
            assert!(
                leaked.is_empty(),
                "{who} sees {path} of another area: {leaked:?}"
            );
        }
    }
}
