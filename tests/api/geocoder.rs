//! The geocoder client against a local fake that answers in GSI's and Nominatim's formats.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use reqwest::StatusCode;
use serde_json::json;
use yui::clients::geocoder::Provider;

use crate::fixtures::District;

/// Answers by what the address says: a place in Tsukigase, nothing, an error, garbage, or
/// too late. Counts the questions.
async fn fake(
    req: HttpRequest,
    hits: web::Data<Arc<AtomicUsize>>,
    nominatim: web::Data<bool>,
) -> HttpResponse {
    hits.fetch_add(1, Ordering::SeqCst);
    let query =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .unwrap();
    let address = query.get("q").cloned().unwrap_or_default();
    if address.contains("遅い") {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    if address.contains("故障") {
        return HttpResponse::InternalServerError().finish();
    }
    if address.contains("壊れた") {
        return HttpResponse::Ok()
            .content_type("application/json")
            .body("<html>not json</html>");
    }
    let found = address.contains("月ヶ瀬");
    let body = match (**nominatim, found) {
        (false, true) => {
            json!([{"geometry": {"coordinates": [136.0301, 34.7102], "type": "Point"}, "type": "Feature", "properties": {"addressCode": "", "title": "奈良県奈良市月ヶ瀬尾山"}}])
        }
        (true, true) => {
            json!([{"place_id": 1, "lat": "34.7102", "lon": "136.0301", "display_name": "月ヶ瀬尾山, 奈良市"}])
        }
        _ => json!([]),
    };
    HttpResponse::Ok().json(body)
}

async fn fake_server(nominatim: bool) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let data = web::Data::new(hits.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::Data::new(nominatim))
            .default_service(web::to(fake))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let address = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    (format!("http://{address}/search"), hits)
}

async fn resident(d: &District, address: &str) -> serde_json::Value {
    let (status, body) = d
        .app
        .post("/api/v1/residents", json!({"name": "X", "phone": "0742-00-0000", "address": address, "fulfilment": "hub_pickup"}), Some(&d.coordinator))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

#[actix_web::test]
async fn gsi_answers_are_used_cached_and_failures_need_review() {
    let (url, hits) = fake_server(false).await;
    let d = District::with_config(|c| {
        c.geocoder = Provider::Gsi;
        c.geocoder_url = Some(url);
        c.geocoder_timeout = Duration::from_millis(500);
    })
    .await;
    let found = resident(&d, "奈良県奈良市月ヶ瀬尾山 1").await;
    assert_eq!(found["location_status"], "geocoded");
    assert_eq!(
        found["location"],
        json!({"lat": 34.7102, "lon": 136.0301}),
        "GSI gives [lon, lat]"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let again = resident(&d, "奈良県奈良市月ヶ瀬尾山 1").await;
    assert_eq!(again["location"], found["location"]);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the second lookup came from the cache"
    );

    for address in ["どこにもない町", "故障する町", "壊れた町", "遅い町"] {
        let resident = resident(&d, address).await;
        assert_eq!(resident["location_status"], "needs_review", "{address}");
        assert!(resident["location"].is_null(), "{address}");
    }
    let (_, review) = d
        .app
        .get("/api/v1/residents?review=true", Some(&d.coordinator))
        .await;
    // On review: the four without a location, and the three located ones (no polygons here).
    let statuses: Vec<&str> = review["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["location_status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "needs_review").count(),
        4,
        "{statuses:?}"
    );
    assert_eq!(statuses.len(), 7, "{statuses:?}");
}

#[actix_web::test]
async fn nominatim_answers_are_read_too() {
    let (url, _) = fake_server(true).await;
    let d = District::with_config(|c| {
        c.geocoder = Provider::Nominatim;
        c.geocoder_url = Some(url);
    })
    .await;
    let found = resident(&d, "月ヶ瀬尾山").await;
    assert_eq!(found["location_status"], "geocoded");
    assert_eq!(found["location"], json!({"lat": 34.7102, "lon": 136.0301}));
    assert_eq!(
        resident(&d, "nowhere").await["location_status"],
        "needs_review"
    );
}
