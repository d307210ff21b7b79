//! The console's CSV exports, read as Excel reads them, against what the day recorded:
//! residents (contact details, each read on record), requests, runs with their stops and
//! watch-over cases; large files streamed; bad periods refused.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::console::{Answer, Browser};
use crate::plans::Village;
use crate::watch_over::{door_fails, received};

/// The rows of a CSV as Excel reads it: the byte-order mark, then lines of fields, quoted
/// where they hold a comma or a quote.
fn rows_of(file: &Answer) -> Vec<Vec<String>> {
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert_eq!(
        file.headers["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        file.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"yui-")
    );
    let text = file
        .body
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark first");
    let mut rows = Vec::new();
    for line in text.split_terminator("\r\n") {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (c, _) => field.push(c),
            }
        }
        fields.push(field);
        rows.push(fields);
    }
    rows
}

fn date_after(date: &str) -> String {
    let day: chrono::NaiveDate = date.parse().unwrap();
    day.succ_opt().unwrap().to_string()
}

fn ja(key: &str) -> String {
    yui::i18n::lookup::<&str>(yui::domain::account::Locale::Ja, key, &[])
}

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

#[actix_web::test]
async fn exports_hold_what_the_day_recorded() {
    let v = Village::new().await;
    let plan = received(&v).await;
    let date = plan["delivery_date"].as_str().unwrap().to_owned();
    let (_, listed) = v
        .app
        .get(
            &format!("/api/v1/requests?delivery_date={date}&limit=100"),
            Some(&v.coordinator),
        )
        .await;
    let requests = listed["items"].as_array().unwrap().clone();
    assert!(
        listed["next_cursor"].is_null(),
        "one page holds the demo's day"
    );
    // A pickup collected at the hub, and a door nobody answers.
    let pickup = requests
        .iter()
        .find(|r| r["fulfilment"] == "hub_pickup" && r["status"] == "ready_for_pickup")
        .expect("a pickup waiting at its hub")
        .clone();
    let now = yui::domain::time::wire(v.app.services.clock.now());
    let (status, collected) = v
        .app
        .post(
            "/api/v1/handovers",
            json!({"id": uuid::Uuid::new_v4(), "kind": "hub_collected", "occurred_at": now,
                   "hub_id": pickup["planned"]["hub_id"], "request_ids": [pickup["id"]],
                   "recipient": {"kind": "resident"}, "proof": {"method": "attested"}}),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{collected}");
    let (_, failed_door) = door_fails(&v, &plan).await;

    let mut browser = coordinator_browser(&v).await;
    let page = browser.get("/console/exports").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("href=\"/console/exports/residents.csv\"")
    );
    let today = v
        .app
        .services
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive();
    assert!(
        page.body
            .contains(&format!("name=\"from\" value=\"{today}\"")),
        "periods start at the area's today"
    );

    // Requests: one row each, the collected one with its time.
    let file = browser
        .get(&format!(
            "/console/exports/requests.csv?from={date}&to={date}"
        ))
        .await;
    let rows = rows_of(&file);
    assert_eq!(rows[0][0], ja("console-exports-id"));
    assert_eq!(rows.len() - 1, requests.len());
    let by_id: HashMap<&str, &Vec<String>> = rows[1..].iter().map(|r| (r[0].as_str(), r)).collect();
    let row = by_id[pickup["id"].as_str().unwrap()];
    assert_eq!(row[4], ja("request-status-collected"));
    // Times as Excel reads them, in the area's time zone.
    let local_now = v
        .app
        .services
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    assert_eq!(row[8], local_now, "collected at");
    assert_eq!(by_id[failed_door.as_str()][4], ja("request-status-failed"));

    // Runs: one row per stop of every run of the plan.
    let stops: usize = plan["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stops"].as_array().unwrap().len())
        .sum();
    let file = browser
        .get(&format!("/console/exports/runs.csv?from={date}&to={date}"))
        .await;
    let rows = rows_of(&file);
    assert_eq!(rows.len() - 1, stops);
    let runs: std::collections::HashSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(runs.len(), plan["runs"].as_array().unwrap().len());

    // Handovers: every change of hands of the day, in the area's local days.
    let file = browser
        .get(&format!(
            "/console/exports/handovers.csv?from={today}&to={date}"
        ))
        .await;
    let rows = rows_of(&file);
    let of_kind = |kind: &str| -> Vec<&Vec<String>> {
        let label = ja(&format!("console-handover-{kind}"));
        rows[1..].iter().filter(|r| r[2] == label).collect()
    };
    let loaded = of_kind("van_loaded");
    assert!(!loaded.is_empty());
    assert_eq!(loaded.len(), of_kind("hub_received").len());
    let collected = of_kind("hub_collected");
    assert_eq!(collected.len(), 1);
    assert_eq!(collected[0][6], pickup["id"].as_str().unwrap());
    assert_eq!(collected[0][10], ja("console-proof-attested"));
    assert_eq!(collected[0][11], ja("console-exports-yes"), "flagged");
    let failed = of_kind("door_failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0][12], ja("console-failure-no_answer"));
    assert_eq!(
        rows.len() - 1,
        loaded.len() * 2 + 3,
        "nothing else that day"
    );
    let later = date_after(&date);
    let file = browser
        .get(&format!(
            "/console/exports/handovers.csv?from={later}&to={later}"
        ))
        .await;
    assert_eq!(
        rows_of(&file).len(),
        1,
        "a day with no handovers: the header alone"
    );

    // Watch-over cases: the door nobody answered.
    let file = browser.get("/console/exports/escalations.csv").await;
    let rows = rows_of(&file);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][3], ja("console-cause-no_answer"));
    let (_, door_request) = v
        .app
        .get(
            &format!("/api/v1/requests/{failed_door}"),
            Some(&v.coordinator),
        )
        .await;
    let (_, resident) = v
        .app
        .get(
            &format!(
                "/api/v1/residents/{}",
                door_request["resident_id"].as_str().unwrap()
            ),
            Some(&v.coordinator),
        )
        .await;
    assert_eq!(rows[1][2], resident["name"].as_str().unwrap());
}

#[actix_web::test]
async fn the_residents_file_streams_past_one_piece_and_each_contact_read_is_on_record() {
    let v = Village::new().await;
    // More residents than one piece of the stream (500) holds.
    let (_, hubs) = v.app.get("/api/v1/hubs", Some(&v.coordinator)).await;
    let at: Value = hubs["items"][0]["location"].clone();
    let extra = 505 - v.summary.residents;
    for n in 0..extra {
        let (status, body) = v
            .app
            .post(
                "/api/v1/residents",
                json!({"name": format!("試験 {n}"), "phone": format!("0742-00-{n:04}"),
                       "address": format!("奈良市東部 {n}, 2階"), "location": at,
                       "fulfilment": "hub_pickup"}),
                Some(&v.coordinator),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let mut browser = coordinator_browser(&v).await;
    let file = browser.get("/console/exports/residents.csv").await;
    assert!(
        file.headers.get("content-length").is_none(),
        "streamed, not held whole"
    );
    let rows = rows_of(&file);
    assert_eq!(rows.len() - 1, 505);
    let ids: std::collections::HashSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids.len(), 505, "no resident twice across pieces");
    let row = rows.iter().find(|r| r[1] == "試験 7").unwrap();
    assert_eq!(row[2], "0742-00-0007");
    assert_eq!(row[3], "奈良市東部 7, 2階", "a comma kept inside its field");

    let area = v.summary.area_id;
    let on_record = v
        .app
        .services
        .db
        .run("test.audit", move |conn| {
            let filter = yui::db::audit::AuditFilter {
                entity: Some("resident".into()),
                entity_id: None,
                actor_id: None,
            };
            yui::db::audit::list(conn, area, &filter, None, 100_000)
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|row| row.action == "export_contact")
        .count();
    assert_eq!(on_record, 505);
}

#[actix_web::test]
async fn exports_refuse_periods_that_do_not_read_and_files_that_do_not_exist() {
    let v = Village::new().await;
    let mut browser = coordinator_browser(&v).await;
    for (path, status) in [
        (
            "/console/exports/requests.csv?from=2026-12-10&to=2026-12-01",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/console/exports/runs.csv?from=2026-01-01&to=2027-06-01",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/console/exports/requests.csv?from=someday",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/console/exports/passwords.csv", StatusCode::NOT_FOUND),
    ] {
        let answer = browser.get(path).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert!(
            answer.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}: a page saying why, not a file"
        );
    }
}
