//! Requests: created once per idempotency key, edited with the current ETag, listed and paged
//! as each caller may see them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;
use crate::fixtures::District;

#[actix_web::test]
async fn requests_are_created_once_per_idempotency_key() {
    let d = District::new().await;
    let body = d.request_body(&District::open_date());

    let no_key = d
        .app
        .client
        .post(d.app.url("/api/v1/requests"))
        .bearer_auth(&d.family)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(no_key, StatusCode::BAD_REQUEST, "malformed-request").await;

    let first = d.create_request(&d.family, "key-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let (_, first) = read(first).await;
    assert_eq!(first["status"], "submitted");
    assert_eq!(first["version"], 1);
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(etag, "\"v1\"");

    let replay = d.create_request(&d.family, "key-1", &body).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let (_, replay) = read(replay).await;
    assert_eq!(replay, first);

    let mut other = body.clone();
    other["notes"] = json!("another body");
    let conflict = d.create_request(&d.family, "key-1", &other).await;
    assert_problem(conflict, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body").await;

    // Keys are the caller's own: the coordinator's key-1 is a new request.
    let theirs = d.create_request(&d.coordinator, "key-1", &body).await;
    assert_eq!(theirs.status(), StatusCode::CREATED);

    let (_, list) = d.app.get("/api/v1/requests", Some(&d.family)).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "one per key and caller, none for refusals"
    );
}

#[actix_web::test]
async fn retries_racing_the_original_get_its_answer_and_create_nothing_more() {
    let d = District::new().await;
    let body = d.request_body(&District::open_date());
    // A phone that retries before the first answer came back, several times at once.
    let attempts =
        futures_util::future::join_all((0..8).map(|_| d.create_request(&d.family, "race", &body)))
            .await;
    let mut ids = std::collections::BTreeSet::new();
    for response in attempts {
        assert_eq!(response.status(), StatusCode::CREATED);
        let (_, view) = read(response).await;
        ids.insert(view["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        ids.len(),
        1,
        "every attempt answers the one request: {ids:?}"
    );
    let (_, list) = d.app.get("/api/v1/requests", Some(&d.family)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let id = ids.into_iter().next().unwrap();
    let events = d
        .app
        .services
        .db
        .run("test.outbox", move |conn| {
            yui::db::outbox::of_aggregate(conn, "request", &id)
        })
        .await
        .unwrap();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["request.submitted"]);
}

#[actix_web::test]
async fn edits_need_the_current_etag_and_the_life_cycle_is_enforced() {
    let d = District::new().await;
    let created = d
        .create_request(&d.family, "e", &d.request_body(&District::open_date()))
        .await;
    let (_, request) = read(created).await;
    let path = format!("/api/v1/requests/{}", request["id"].as_str().unwrap());

    let get = d
        .app
        .client
        .get(d.app.url(&path))
        .bearer_auth(&d.family)
        .send()
        .await
        .unwrap();
    let etag = get.headers()["etag"].to_str().unwrap().to_owned();
    let patch = |if_match: Option<&str>, body: Value| {
        let mut r = d
            .app
            .client
            .patch(d.app.url(&path))
            .bearer_auth(&d.family)
            .json(&body);
        if let Some(tag) = if_match {
            r = r.header("if-match", tag);
        }
        r.send()
    };
    assert_problem(
        patch(None, json!({"notes": "x"})).await.unwrap(),
        StatusCode::PRECONDITION_REQUIRED,
        "precondition-required",
    )
    .await;
    let edited = patch(Some(&etag), json!({"notes": "裏口へ"}))
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    assert_eq!(edited.headers()["etag"], "\"v2\"");
    let (_, edited) = read(edited).await;
    assert_eq!(edited["notes"], "裏口へ");
    assert_eq!(
        edited["items"].as_array().unwrap().len(),
        2,
        "items kept when not sent"
    );
    assert_problem(
        patch(Some(&etag), json!({"notes": "stale"})).await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
    )
    .await;

    // The life cycle: only allowed steps, and a refusal names the current status.
    let transition = |step: &'static str| {
        d.app
            .client
            .post(d.app.url(&format!("{path}/transitions")))
            .bearer_auth(&d.coordinator)
            .json(&json!({"transition": step}))
            .send()
    };
    let skip = transition("plan").await.unwrap();
    let problem = assert_problem(skip, StatusCode::CONFLICT, "invalid-transition").await;
    assert_eq!(problem["current_status"], "submitted");
    assert_eq!(transition("lock").await.unwrap().status(), StatusCode::OK);
    // Locked (here before the cutoff, as a coordinator may lock early): for the family,
    // ordering has closed, and they are told when it closed, in UTC and in local time.
    let locked_edit = patch(Some("\"v3\""), json!({"notes": "late"}))
        .await
        .unwrap();
    let problem = assert_problem(locked_edit, StatusCode::CONFLICT, "cutoff-passed").await;
    assert!(
        problem["cutoff"].as_str().unwrap().ends_with('Z'),
        "{problem}"
    );
    assert!(
        problem["cutoff_local"]
            .as_str()
            .unwrap()
            .ends_with("+09:00"),
        "{problem}"
    );
    assert_eq!(problem["time_zone"], "Asia/Tokyo");
    let cancel = d
        .app
        .client
        .post(d.app.url(&format!("{path}/cancel")))
        .bearer_auth(&d.family)
        .send()
        .await
        .unwrap();
    assert_problem(cancel, StatusCode::CONFLICT, "cutoff-passed").await;
    // The coordinator may cancel until handover.
    let cancel = d
        .app
        .client
        .post(d.app.url(&format!("{path}/cancel")))
        .bearer_auth(&d.coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::OK);
    let (_, cancelled) = read(cancel).await;
    assert_eq!(cancelled["status"], "cancelled");
}

#[actix_web::test]
async fn lists_filter_paginate_and_show_only_what_is_yours() {
    let d = District::new().await;
    let date = District::open_date();
    for i in 0..5 {
        assert_eq!(
            d.create_request(&d.family, &format!("l{i}"), &d.request_body(&date))
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/requests?delivery_date={date}&status=submitted&limit=2");
    loop {
        let (status, page) = d.app.get(&path, Some(&d.coordinator)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!(
                    "/api/v1/requests?delivery_date={date}&status=submitted&limit=2&cursor={cursor}"
                )
            }
            None => break,
        }
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (5, 5));
    let (_, none) = d
        .app
        .get("/api/v1/requests?status=delivered", Some(&d.coordinator))
        .await;
    assert!(none["items"].as_array().unwrap().is_empty());

    // Another family sees nothing, and cannot order for someone else's parent.
    let (_, stranger) = d.app.account("family").await;
    let stranger = access_token(&stranger);
    let (_, theirs) = d.app.get("/api/v1/requests", Some(&stranger)).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    let (_, theirs) = d
        .app
        .get(
            &format!("/api/v1/requests?resident_id={}", d.resident_id),
            Some(&stranger),
        )
        .await;
    assert!(
        theirs["items"].as_array().unwrap().is_empty(),
        "a filter never widens a family's view"
    );
    let response = d
        .create_request(&stranger, "x", &d.request_body(&date))
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "not-found").await;
    let request_path = format!("/api/v1/requests/{}", seen[0]);
    assert_eq!(
        d.app.get(&request_path, Some(&stranger)).await.0,
        StatusCode::NOT_FOUND
    );
    // Volunteers see no requests (they get runs).
    let (_, volunteer) = d.app.account("volunteer").await;
    assert_eq!(
        d.app
            .get("/api/v1/requests", Some(&access_token(&volunteer)))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn a_claim_without_an_answer_frees_its_key() {
    let d = District::new().await;
    let body = d.request_body(&District::open_date());
    assert_eq!(
        d.create_request(&d.family, "dies", &body).await.status(),
        StatusCode::CREATED
    );
    // An older Yui claimed keys in a transaction of their own; make it look as if the first
    // request claimed the key and died before it answered.
    d.app
        .services
        .db
        .run("test.stale", {
            let caller = d.family_id.clone();
            move |conn| {
                use diesel::prelude::*;
                use yui::db::schema::idempotency_keys::dsl;
                diesel::update(dsl::idempotency_keys.filter(dsl::caller_id.eq(caller)))
                    .set((
                        dsl::state.eq("in_progress"),
                        dsl::response_body.eq(None::<String>),
                    ))
                    .execute(conn)?;
                Ok(())
            }
        })
        .await
        .unwrap();
    assert_eq!(
        d.create_request(&d.family, "dies", &body).await.status(),
        StatusCode::CREATED
    );
}
