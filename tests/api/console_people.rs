//! The console's people page (volunteers waiting and approved, post trips and their carriers,
//! hub keepers' and carriers' accounts) and the audit page with its filters.

use reqwest::StatusCode;
use serde_json::Value;
use yui::domain::account::{Role, UserStatus};
use yui::domain::ids::UserId;

use crate::common::*;
use crate::console::Browser;
use crate::plans::Village;

async fn coordinator_browser(v: &Village) -> Browser<'_> {
    let mut browser = Browser::new(&v.app);
    browser
        .sign_in(
            yui::demo::COORDINATOR_EMAIL,
            yui::demo::COORDINATOR_PASSWORD,
        )
        .await;
    browser
}

fn user_id(user: &Value) -> UserId {
    user["id"].as_str().unwrap().parse().unwrap()
}

/// The account the console made with `email`, if any.
async fn account_of(v: &Village, email: &str) -> Option<yui::domain::account::User> {
    v.app
        .accounts()
        .await
        .into_iter()
        .find(|u| u.email == email)
}

#[actix_web::test]
async fn a_coordinator_approves_a_waiting_volunteer_from_the_queue_today_links_to() {
    let v = Village::new().await;
    let volunteer = v.app.register("volunteer", "new-helper@example.jp").await;
    let id = user_id(&volunteer);
    let mut browser = coordinator_browser(&v).await;

    let today = browser.get("/console/today").await;
    assert!(
        today
            .body
            .contains(r##"data-queue="/console/people#waiting""##),
        "{}",
        today.body
    );
    assert!(
        today
            .body
            .contains(r##"href="/console/field#escalations""##)
    );
    assert!(
        today
            .body
            .contains(r##"href="/console/map#review-heading""##)
    );

    let people = browser.get("/console/people").await;
    assert_eq!(people.status, StatusCode::OK, "{}", people.body);
    let waiting = people.body.split("id=\"volunteers\"").next().unwrap();
    assert!(waiting.contains(&format!("data-user=\"{id}\"")));
    assert!(waiting.contains("new-helper@example.jp"));
    // The demo's volunteers are listed with what they can carry, in the page's language.
    let listed = people.body.split("id=\"volunteers\"").nth(1).unwrap();
    assert!(listed.contains("軽トラック"), "{listed}");
    assert!(listed.contains("リットル"));

    let approved = browser
        .post(
            &format!("/console/users/{id}/approve"),
            &[("csrf_token", &people.csrf_token())],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    assert_eq!(
        approved.location.as_deref(),
        Some("/console/people#waiting")
    );
    let user = v.app.services.accounts.get(id).await.unwrap();
    assert_eq!(user.status, UserStatus::Active);
    assert_eq!(user.area_id, Some(v.summary.area_id), "joins the area");
    let after = browser.get("/console/people").await;
    let waiting = after.body.split("id=\"volunteers\"").next().unwrap();
    assert!(!waiting.contains(&format!("data-user=\"{id}\"")));

    // Approving again is refused by the account's life cycle and changes nothing.
    let again = browser
        .post(
            &format!("/console/users/{id}/approve"),
            &[("csrf_token", &after.csrf_token())],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    // The approval is on the audit trail, found by kind and by the person who acted.
    let trail = browser.get("/console/audit?entity=user").await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let rows: Vec<&str> = trail.body.split("<tr data-audit=").skip(1).collect();
    assert!(
        rows.iter()
            .any(|row| row.contains("<code>approve</code>") && row.contains(&id.to_string())),
        "{}",
        trail.body
    );
    let hubs_only = browser.get("/console/audit?entity=hub").await;
    assert!(!hubs_only.body.contains("<code>approve</code>"));
    let by_id = browser.get(&format!("/console/audit?entity_id={id}")).await;
    assert!(by_id.body.contains("<code>approve</code>"));
}

#[actix_web::test]
async fn a_coordinator_makes_a_carrier_account_links_it_to_a_post_trip_and_stops_it() {
    let v = Village::new().await;
    let mut browser = coordinator_browser(&v).await;
    let people = browser.get("/console/people").await;
    let token = people.csrf_token();
    assert!(people.body.contains("data-trip="), "{}", people.body);

    // A coordinator may not make another coordinator: refused, nothing made.
    let refused = browser
        .post(
            "/console/users",
            &[
                ("csrf_token", &token),
                ("role", "coordinator"),
                ("display_name", "某"),
                ("email", "boss@example.jp"),
                ("password", PASSWORD),
                ("locale", "ja"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(account_of(&v, "boss@example.jp").await.is_none());

    // A short password: 422, in the page's language, nothing made.
    let short = browser
        .post(
            "/console/users",
            &[
                ("csrf_token", &token),
                ("role", "carrier"),
                ("display_name", "郵便 太郎"),
                ("email", "driver@example.jp"),
                ("password", "short"),
                ("locale", "ja"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("12"), "{}", short.body);
    assert!(account_of(&v, "driver@example.jp").await.is_none());

    let made = browser
        .post(
            "/console/users",
            &[
                ("csrf_token", &token),
                ("role", "carrier"),
                ("display_name", "郵便 太郎"),
                ("email", "driver@example.jp"),
                ("password", PASSWORD),
                ("locale", "ja"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let driver = account_of(&v, "driver@example.jp").await.unwrap();
    assert_eq!(driver.role, Role::Carrier);
    assert_eq!(driver.status, UserStatus::Active);
    assert_eq!(driver.area_id, Some(v.summary.area_id));
    v.app.login("driver@example.jp", PASSWORD).await;

    let trips = v
        .app
        .get("/api/v1/post-trips", Some(&v.coordinator))
        .await
        .1;
    let trip = trips["items"][0]["id"].as_str().unwrap().to_owned();
    let carriers_path = format!("/api/v1/post-trips/{trip}/carriers");
    let linked = browser
        .post(
            &format!("/console/post-trips/{trip}/carriers"),
            &[("csrf_token", &token), ("user_id", &driver.id.to_string())],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    let carriers = v.app.get(&carriers_path, Some(&v.coordinator)).await.1;
    assert_eq!(carriers["carrier_ids"][0], driver.id.to_string());
    let page = browser.get("/console/people").await;
    let card = page
        .body
        .split(&format!("data-trip=\"{trip}\""))
        .nth(1)
        .unwrap();
    assert!(card.contains("郵便 太郎"));

    let unlinked = browser
        .post(
            &format!("/console/post-trips/{trip}/carriers/{}/remove", driver.id),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(unlinked.status, StatusCode::SEE_OTHER, "{}", unlinked.body);
    let carriers = v.app.get(&carriers_path, Some(&v.coordinator)).await.1;
    assert_eq!(carriers["carrier_ids"], serde_json::json!([]));

    let stopped = browser
        .post(
            &format!("/console/users/{}/deactivate", driver.id),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(stopped.status, StatusCode::SEE_OTHER, "{}", stopped.body);
    assert_eq!(
        stopped.location.as_deref(),
        Some("/console/people#accounts")
    );
    let trail = browser
        .get(&format!("/console/audit?entity_id={}", driver.id))
        .await;
    let rows: Vec<&str> = trail.body.split("<tr data-audit=").skip(1).collect();
    assert!(
        rows.iter()
            .any(|row| row.contains("<code>deactivate</code>")),
        "the stop is on record"
    );
    assert!(
        rows.iter().any(|row| row.contains("<code>create</code>")),
        "the account's making is on record"
    );
    // A stopped carrier drives no trip: linking them is refused, nothing changes.
    let again = browser
        .post(
            &format!("/console/post-trips/{trip}/carriers"),
            &[("csrf_token", &token), ("user_id", &driver.id.to_string())],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    let carriers = v.app.get(&carriers_path, Some(&v.coordinator)).await.1;
    assert_eq!(carriers["carrier_ids"], serde_json::json!([]));
    let (status, _) = v
        .app
        .post(
            "/api/v1/auth/login",
            serde_json::json!({"email": "driver@example.jp", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A carrier stopped while linked is shown as stopped, and the trip as having no driver.
    let spare = crate::console::person(&v.app, "carrier", Some(v.summary.area_id)).await;
    let spare = account_of(&v, &spare).await.unwrap().id;
    let linked = browser
        .post(
            &format!("/console/post-trips/{trip}/carriers"),
            &[("csrf_token", &token), ("user_id", &spare.to_string())],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    let card_of = |body: &str| -> String {
        let card = body.split(&format!("data-trip=\"{trip}\"")).nth(1).unwrap();
        card[..card.find("</section>").unwrap()].to_owned()
    };
    let page = browser.get("/console/people").await;
    assert!(!card_of(&page.body).contains("この便を運転する人がまだいません"));
    browser
        .post(
            &format!("/console/users/{spare}/deactivate"),
            &[("csrf_token", &token)],
        )
        .await;
    let page = browser.get("/console/people").await;
    let card = card_of(&page.body);
    assert!(
        card.contains("（停止）") || card.contains("(停止)"),
        "{card}"
    );
    assert!(card.contains("この便を運転する人がまだいません"), "{card}");
}

#[actix_web::test]
async fn the_audit_page_pages_back_and_refuses_filters_that_do_not_read() {
    let v = Village::new().await;
    let mut browser = coordinator_browser(&v).await;
    let first = browser.get("/console/audit").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let rows = |body: &str| -> Vec<String> {
        body.split("data-audit=\"")
            .skip(1)
            .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
            .collect()
    };
    let page_one = rows(&first.body);
    // The demo's set-up alone is well over a page: 100 rows, and a link to older ones.
    assert_eq!(page_one.len(), 100);
    let marker = "rel=\"next\" href=\"";
    let start = first.body.find(marker).expect("a link to older rows") + marker.len();
    let older =
        first.body[start..start + first.body[start..].find('"').unwrap()].replace("&amp;", "&");
    let second = browser.get(&older).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let page_two = rows(&second.body);
    assert!(!page_two.is_empty());
    assert!(
        page_two.iter().all(|id| !page_one.contains(id)),
        "no row twice"
    );

    for bad in [
        "/console/audit?entity=password",
        "/console/audit?actor_id=someone",
        "/console/audit?before=yesterday",
    ] {
        let refused = browser.get(bad).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

#[actix_web::test]
async fn another_area_s_coordinator_reaches_nothing_of_this_area_from_the_console() {
    let v = Village::new().await;
    let admin = access_token(&v.app.account("admin").await.1);
    let (status, west) = v
        .app
        .post(
            "/api/v1/areas",
            serde_json::json!({"name": "West", "time_zone": "Asia/Tokyo"}),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{west}");
    let west_area = west["id"].as_str().unwrap().parse().unwrap();
    let stranger = crate::console::person(&v.app, "coordinator", Some(west_area)).await;
    let west_carrier = crate::console::person(&v.app, "carrier", Some(west_area)).await;
    let west_carrier = account_of(&v, &west_carrier).await.unwrap().id;
    let mut browser = Browser::new(&v.app);
    let landed = browser.sign_in(&stranger, PASSWORD).await;
    let token = landed.csrf_token();

    let (_, residents) = v
        .app
        .get("/api/v1/residents?limit=1", Some(&v.coordinator))
        .await;
    let resident = residents["items"][0]["id"].as_str().unwrap().to_owned();
    for path in [
        format!("/console/residents/{resident}"),
        format!("/console/requests?date={}", v.summary.delivery_date),
    ] {
        let page = browser.get(&path).await;
        assert!(
            !page.body.contains(&resident),
            "{path} shows another area's resident"
        );
    }
    let link_code = browser
        .post(
            &format!("/console/residents/{resident}/link-codes"),
            &[("csrf_token", token.as_str())],
        )
        .await;
    assert_eq!(link_code.status, StatusCode::NOT_FOUND);

    // This area's volunteer: neither stopped nor approved from the other area.
    let volunteer = v
        .app
        .accounts()
        .await
        .into_iter()
        .find(|u| u.role == Role::Volunteer && u.area_id == Some(v.summary.area_id))
        .unwrap();
    for action in ["deactivate", "approve"] {
        let refused = browser
            .post(
                &format!("/console/users/{}/{action}", volunteer.id),
                &[("csrf_token", token.as_str())],
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{action}");
    }
    let still = v.app.services.accounts.get(volunteer.id).await.unwrap();
    assert_eq!(still.status, UserStatus::Active);

    // This area's post trip takes no carrier from the other area's coordinator.
    let trips = v
        .app
        .get("/api/v1/post-trips", Some(&v.coordinator))
        .await
        .1;
    let trip = trips["items"][0]["id"].as_str().unwrap().to_owned();
    let linked = browser
        .post(
            &format!("/console/post-trips/{trip}/carriers"),
            &[
                ("csrf_token", token.as_str()),
                ("user_id", &west_carrier.to_string()),
            ],
        )
        .await;
    assert_eq!(linked.status, StatusCode::NOT_FOUND);

    // The other area's files and trail hold nothing of this one.
    let file = browser.get("/console/exports/residents.csv").await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(!file.body.contains(&resident));
    assert_eq!(file.body.trim_end().lines().count(), 1, "the header alone");
    let trail = browser.get("/console/audit").await;
    assert!(!trail.body.contains(&resident));
}
