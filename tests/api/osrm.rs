//! Plans over a road router: a local fake answering in OSRM's `/table/v1` format, and the
//! fallback to great-circle distances when it fails.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::plans::Village;

/// The fake's roads: twice the great-circle distance, at 10 m/s.
const ROAD_FACTOR: f64 = 2.0;

fn great_circle_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la, lb) = (a.1.to_radians(), b.1.to_radians());
    let h = ((lb - la) / 2.0).sin().powi(2)
        + la.cos() * lb.cos() * ((b.0 - a.0).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// How the fake behaves: whether it fails, and the largest table (sources x destinations,
/// each at most this many) it answers, as OSRM's `--max-table-size`.
#[derive(Clone, Copy)]
struct Fake {
    broken: bool,
    max_table: usize,
}

/// `sources=0;2` or `destinations=all` (or absent) from the query, as indices.
fn indices(query: &str, name: &str, count: usize) -> Vec<usize> {
    let listed = query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .filter(|list| *list != "all");
    match listed {
        Some(list) => list.split(';').map(|i| i.parse().unwrap()).collect(),
        None => (0..count).collect(),
    }
}

async fn table(
    req: HttpRequest,
    hits: web::Data<Arc<AtomicUsize>>,
    fake: web::Data<Fake>,
) -> HttpResponse {
    hits.fetch_add(1, Ordering::SeqCst);
    if fake.broken {
        return HttpResponse::InternalServerError().finish();
    }
    let path = req.path();
    let Some(coordinates) = path.strip_prefix("/table/v1/driving/") else {
        return HttpResponse::NotFound().finish();
    };
    let query = req.query_string();
    assert!(query.contains("annotations=duration,distance"));
    let points: Vec<(f64, f64)> = coordinates
        .split(';')
        .map(|p| {
            let (lon, lat) = p.split_once(',').unwrap();
            (lon.parse().unwrap(), lat.parse().unwrap())
        })
        .collect();
    if points.len() < 2 {
        // As OSRM: "Distance Table makes only sense with 2+ coordinates".
        return HttpResponse::BadRequest().json(json!({"code": "InvalidOptions"}));
    }
    let sources = indices(query, "sources", points.len());
    let destinations = indices(query, "destinations", points.len());
    if sources.len() * destinations.len() > fake.max_table * fake.max_table {
        return HttpResponse::BadRequest()
            .json(json!({"code": "TooBig", "message": "Too many table coordinates"}));
    }
    let distances: Vec<Vec<f64>> = sources
        .iter()
        .map(|&a| {
            destinations
                .iter()
                .map(|&b| (great_circle_m(points[a], points[b]) * ROAD_FACTOR).round())
                .collect()
        })
        .collect();
    let durations: Vec<Vec<f64>> = distances
        .iter()
        .map(|row| row.iter().map(|d| d / 10.0).collect())
        .collect();
    HttpResponse::Ok().json(json!({"code": "Ok", "durations": durations, "distances": distances}))
}

async fn fake_osrm(fake: Fake) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let data = web::Data::new(hits.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::Data::new(fake))
            .default_service(web::to(table))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let address = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    (format!("http://{address}"), hits)
}

const WORKING: Fake = Fake {
    broken: false,
    max_table: 100,
};

fn location(stop: &Value) -> (f64, f64) {
    (
        stop["location"]["lon"].as_f64().unwrap(),
        stop["location"]["lat"].as_f64().unwrap(),
    )
}

/// Every run's distance is what the fake's roads give for its stops.
fn assert_road_distances(plan: &Value) {
    let runs = plan["runs"].as_array().unwrap();
    assert!(runs.len() > 1);
    for run in runs {
        let stops = run["stops"].as_array().unwrap();
        let road_km: f64 = stops
            .windows(2)
            .map(|w| (great_circle_m(location(&w[0]), location(&w[1])) * ROAD_FACTOR).round())
            .sum::<f64>()
            / 1000.0;
        let km = run["distance_km"].as_f64().unwrap();
        assert!(
            (km - road_km).abs() < 0.02,
            "{km} km on the plan, {road_km} km on the fake's roads"
        );
    }
}

#[actix_web::test]
async fn plans_use_the_road_router_when_configured() {
    let (url, hits) = fake_osrm(WORKING).await;
    let village = Village::on(TestApp::spawn_with(|c| c.osrm_url = Some(url)).await).await;
    let plan = village.plan(false).await;
    assert_eq!(plan["warnings"], json!([]), "{}", plan["warnings"]);
    assert!(hits.load(Ordering::SeqCst) > 0);
    assert_road_distances(&plan);
}

#[actix_web::test]
async fn tables_larger_than_the_router_allows_are_asked_for_in_blocks() {
    // A router that answers at most 4 x 4 (or 1 x 1, where every block on the diagonal is a
    // single point, which OSRM refuses to answer): each hub's table (hub, homes, doors) takes
    // several requests, and the plan still uses road distances throughout.
    let mut blocked = 0;
    for limit in [4, 1] {
        let small = Fake {
            broken: false,
            max_table: limit,
        };
        let (url, hits) = fake_osrm(small).await;
        let village = Village::on(
            TestApp::spawn_with(|c| {
                c.osrm_url = Some(url);
                c.osrm_max_table = limit;
            })
            .await,
        )
        .await;
        let plan = village.plan(false).await;
        assert_eq!(plan["warnings"], json!([]), "{limit}: {}", plan["warnings"]);
        assert_road_distances(&plan);
        blocked = hits.load(Ordering::SeqCst);
    }
    let small = Fake {
        broken: false,
        max_table: 4,
    };

    // The same router with Yui not told of its limit: refused, so great-circle and a warning.
    let (url, hits) = fake_osrm(small).await;
    let village = Village::on(TestApp::spawn_with(|c| c.osrm_url = Some(url)).await).await;
    let plan = village.plan(false).await;
    let warnings = plan["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].as_str().unwrap().contains("great-circle"));
    let whole = hits.load(Ordering::SeqCst);
    assert!(
        blocked > whole,
        "{blocked} block requests against {whole} whole-table requests"
    );
}

#[actix_web::test]
async fn a_failing_road_router_falls_back_with_a_warning() {
    let (url, hits) = fake_osrm(Fake {
        broken: true,
        max_table: 100,
    })
    .await;
    let village = Village::on(TestApp::spawn_with(|c| c.osrm_url = Some(url)).await).await;
    let plan = village.plan(false).await;
    assert!(hits.load(Ordering::SeqCst) > 0);
    let warnings = plan["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = warnings[0].as_str().unwrap();
    assert!(
        warning.contains("OSRM") && warning.contains("great-circle"),
        "{warning}"
    );
    assert!(!warning.contains("127.0.0.1"), "{warning}");
    assert!(plan["runs"].as_array().unwrap().len() > 1);
}
