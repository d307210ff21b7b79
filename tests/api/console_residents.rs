//! The console's residents pages: search, a resident keyed in, corrected and placed; a
//! printed link code that a family member uses and the coordinator completes with the
//! consent; people who may take deliveries for a resident.

use reqwest::StatusCode;
use serde_json::{Value, json};

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

async fn resident(v: &Village, id: &str) -> Value {
    let (status, body) = v
        .app
        .get(&format!("/api/v1/residents/{id}"), Some(&v.coordinator))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// How many times the audit trail holds `action` on the resident `id`.
async fn on_record(v: &Village, id: &str, action: &str) -> usize {
    let (_, trail) = v
        .app
        .get(
            &format!("/api/v1/audit?entity=resident&entity_id={id}"),
            Some(&v.coordinator),
        )
        .await;
    trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["action"] == action)
        .count()
}

/// The text of the element with `id` in a page: what is between its tag and the next `<`.
fn text_of(body: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let start = body.find(&marker).expect("the element") + marker.len();
    let open = start + body[start..].find('>').unwrap() + 1;
    body[open..open + body[open..].find('<').unwrap()]
        .trim()
        .to_owned()
}

#[actix_web::test]
async fn a_coordinator_keys_in_corrects_and_places_a_resident() {
    let v = Village::new().await;
    let mut browser = coordinator_browser(&v).await;
    let list = browser.get("/console/residents").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(
        list.body.matches("data-resident=").count(),
        v.summary.residents
    );
    let token = list.csrf_token();

    // Only one of lat and lon: refused, nothing made.
    let half = browser
        .post(
            "/console/residents",
            &[
                ("csrf_token", token.as_str()),
                ("name", "電話 梅子"),
                ("phone", "0742-11-2233"),
                ("address", "奈良市東部 9"),
                ("fulfilment", "home_delivery"),
                ("lat", "34.7"),
                ("lon", ""),
            ],
        )
        .await;
    assert_eq!(
        half.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        half.body
    );
    let (_, all) = v
        .app
        .get("/api/v1/residents?limit=100", Some(&v.coordinator))
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), v.summary.residents);

    let (_, hubs) = v.app.get("/api/v1/hubs", Some(&v.coordinator)).await;
    let at = &hubs["items"][0]["location"];
    let (lat, lon) = (at["lat"].to_string(), at["lon"].to_string());
    let made = browser
        .post(
            "/console/residents",
            &[
                ("csrf_token", token.as_str()),
                ("name", "電話 梅子"),
                ("phone", "0742-11-2233"),
                ("address", "奈良市東部 9"),
                ("fulfilment", "home_delivery"),
                ("lat", lat.as_str()),
                ("lon", lon.as_str()),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page_path = made.location.unwrap();
    let id = page_path.rsplit('/').next().unwrap().to_owned();
    let stored = resident(&v, &id).await;
    assert_eq!(stored["phone"], "0742-11-2233");
    assert_eq!(stored["fulfilment"], "home_delivery");
    assert_eq!(stored["location_status"], "given");

    // Found by part of the name; the resident's page is a read of their contact, on record.
    let found = browser.get("/console/residents?q=%E6%A2%85").await;
    assert_eq!(found.body.matches("data-resident=").count(), 1);
    assert!(found.body.contains(&format!("data-resident=\"{id}\"")));
    let reads = on_record(&v, &id, "read_contact").await;
    let page = browser.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("0742-11-2233"));
    assert_eq!(on_record(&v, &id, "read_contact").await, reads + 1);

    // Corrected: a new phone and pickup at the hub; the location kept.
    let saved = browser
        .post(
            &page_path,
            &[
                ("csrf_token", token.as_str()),
                ("name", "電話 梅子"),
                ("phone", "0742-99-8877"),
                ("address", "奈良市東部 9"),
                ("fulfilment", "hub_pickup"),
                ("lat", ""),
                ("lon", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = resident(&v, &id).await;
    assert_eq!(stored["phone"], "0742-99-8877");
    assert_eq!(stored["fulfilment"], "hub_pickup");
    assert_eq!(stored["location"]["lat"], at["lat"]);

    // Care notes need their consent: without it refused, with it kept and read on record.
    let with_notes = |consent: bool| {
        let mut form = vec![
            ("csrf_token", token.clone()),
            ("name", "介護 松子".to_owned()),
            ("phone", "0742-33-4455".to_owned()),
            ("address", "奈良市東部 12".to_owned()),
            ("fulfilment", "home_delivery".to_owned()),
            ("lat", lat.clone()),
            ("lon", lon.clone()),
            (
                "care_notes",
                "耳が遠いので、戸を強めに叩いてください".to_owned(),
            ),
        ];
        if consent {
            form.extend([
                ("given_by", "ご本人".to_owned()),
                ("basis", "電話で確認".to_owned()),
                ("text_version", "2026-01".to_owned()),
            ]);
        }
        form
    };
    let form = with_notes(false);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post("/console/residents", &pairs).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let form = with_notes(true);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let kept = browser.post("/console/residents", &pairs).await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    let noted = browser.get(kept.location.as_deref().unwrap()).await;
    assert!(noted.body.contains("耳が遠いので"));
    let noted_id = kept
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(on_record(&v, &noted_id, "read_care_notes").await, 1);

    // A bad phone: 422, nothing changed.
    let bad = browser
        .post(
            &page_path,
            &[
                ("csrf_token", token.as_str()),
                ("name", "電話 梅子"),
                ("phone", "call me"),
                ("address", "奈良市東部 9"),
                ("fulfilment", "hub_pickup"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(resident(&v, &id).await["phone"], "0742-99-8877");
}

#[actix_web::test]
async fn a_printed_link_code_brings_a_family_member_whom_the_coordinator_links_with_consent() {
    let v = Village::new().await;
    let mut browser = coordinator_browser(&v).await;
    let (_, all) = v
        .app
        .get("/api/v1/residents?limit=1", Some(&v.coordinator))
        .await;
    let id = all["items"][0]["id"].as_str().unwrap().to_owned();
    let page_path = format!("/console/residents/{id}");
    let page = browser.get(&page_path).await;
    let token = page.csrf_token();

    let printed = browser
        .post(
            &format!("{page_path}/link-codes"),
            &[("csrf_token", token.as_str())],
        )
        .await;
    assert_eq!(printed.status, StatusCode::OK, "{}", printed.body);
    let code = text_of(&printed.body, "link-code");
    assert_eq!(code.len(), 8, "{code}");

    let (son_id, son) = v.app.account("family").await;
    let son = access_token(&son);
    let (status, asked) = v
        .app
        .post(
            "/api/v1/guardian-requests",
            json!({"link_code": code, "relation": "長男"}),
            Some(&son),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");

    let list = browser.get("/console/residents").await;
    let waiting = list.body.split("id=\"link-requests\"").nth(1).unwrap();
    assert!(waiting.contains(&format!("data-link=\"{}\"", asked["id"].as_str().unwrap())));
    assert!(waiting.contains("長男"));

    // Without the consent's fields: refused, still waiting.
    let short = browser
        .post(
            &format!("{page_path}/guardians"),
            &[
                ("csrf_token", token.as_str()),
                ("user_id", son_id.as_str()),
                ("relation", "長男"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let linked = browser
        .post(
            &format!("{page_path}/guardians"),
            &[
                ("csrf_token", token.as_str()),
                ("user_id", son_id.as_str()),
                ("relation", "長男"),
                ("given_by", "ご本人"),
                ("basis", "電話で確認"),
                ("text_version", "2026-01"),
            ],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    assert_eq!(
        v.app
            .get(&format!("/api/v1/residents/{id}"), Some(&son))
            .await
            .0,
        StatusCode::OK,
        "the son now sees his parent"
    );
    let page = browser.get(&page_path).await;
    let link = page
        .body
        .split(&format!("data-link=\"{}\"", asked["id"].as_str().unwrap()))
        .nth(1)
        .unwrap();
    let link = &link[..link.find("</li>").unwrap()];
    assert!(
        link.contains("ご本人") && link.contains("電話で確認"),
        "the consent on record is shown: {link}"
    );
    let list = browser.get("/console/residents").await;
    let waiting = list.body.split("id=\"link-requests\"").nth(1).unwrap();
    assert!(!waiting.contains("data-link="));
}

#[actix_web::test]
async fn a_coordinator_records_who_may_take_deliveries_and_removes_them() {
    let v = Village::new().await;
    let mut browser = coordinator_browser(&v).await;
    let (_, all) = v
        .app
        .get("/api/v1/residents?limit=1", Some(&v.coordinator))
        .await;
    let id = all["items"][0]["id"].as_str().unwrap().to_owned();
    let page_path = format!("/console/residents/{id}");
    let token = browser.get(&page_path).await.csrf_token();
    let added = browser
        .post(
            &format!("{page_path}/proxies"),
            &[
                ("csrf_token", token.as_str()),
                ("name", "隣の 山田"),
                ("relation", "隣人"),
                ("phone", ""),
                ("given_by", "ご本人"),
                ("basis", "書面"),
                ("text_version", "2026-01"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let path = format!("/api/v1/residents/{id}/proxies");
    let (_, proxies) = v.app.get(&path, Some(&v.coordinator)).await;
    let items = proxies["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{proxies}");
    assert_eq!(items[0]["name"], "隣の 山田");
    assert!(items[0]["phone"].is_null(), "an empty phone is none");
    let proxy = items[0]["id"].as_str().unwrap();
    let page = browser.get(&page_path).await;
    assert!(page.body.contains(&format!("data-proxy=\"{proxy}\"")));

    let removed = browser
        .post(
            &format!("{page_path}/proxies/{proxy}/remove"),
            &[("csrf_token", token.as_str())],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let (_, proxies) = v.app.get(&path, Some(&v.coordinator)).await;
    assert!(proxies["items"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn console_addresses_that_do_not_read_answer_with_a_page() {
    let v = Village::new().await;
    let mut browser = coordinator_browser(&v).await;
    let unreadable = browser.get("/console/residents/not-an-id").await;
    assert_eq!(unreadable.status, StatusCode::NOT_FOUND);
    assert!(
        unreadable.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "a page, not JSON"
    );
    let (_, all) = v
        .app
        .get("/api/v1/residents?limit=1", Some(&v.coordinator))
        .await;
    let id = all["items"][0]["id"].as_str().unwrap().to_owned();
    let wrong_method = browser
        .get(&format!("/console/residents/{id}/link-codes"))
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.headers["allow"], "POST");
    assert!(
        wrong_method.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}
