//! Benchmark: the bare actix-web + diesel insert server that `POST /api/v1/requests` is
//! measured against (README, "Measuring"). It takes a JSON body and writes one row per request
//! through Yui's own pool and blocking-pool path, with nothing else: no authentication, no
//! idempotency, no audit, no outbox. Not a test.
//!
//! `DATABASE_URL=... cargo run --release --bin bare_server -- [BIND]` (default 127.0.0.1:8081)

use actix_web::{App, HttpResponse, HttpServer, web};
use yui::config::Config;
use yui::db::Db;
use yui::db::audit::AuditRow;

async fn insert(db: web::Data<Db>, body: web::Json<serde_json::Value>) -> HttpResponse {
    // The body is read and parsed like a request's; its size stands in for the items.
    let entity = body
        .get("resident_id")
        .and_then(|v| v.as_str())
        .unwrap_or("bare")
        .to_owned();
    let row = AuditRow {
        id: yui::domain::ids::AuditId::new(),
        area_id: None,
        actor_id: None,
        action: "bare".into(),
        entity: "bare".into(),
        entity_id: entity,
        request_id: None,
        at: chrono::Utc::now().naive_utc(),
    };
    let id = row.id;
    match db
        .transaction("bare.insert", move |conn| {
            yui::db::audit::insert(conn, &row)
        })
        .await
    {
        Ok(()) => HttpResponse::Created().json(serde_json::json!({ "id": id })),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

#[actix_web::main]
async fn main() -> Result<(), String> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_owned());
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let db = yui::server::prepare_database(&config)
        .await
        .map_err(|e| e.to_string())?;
    let data = web::Data::new(db);
    HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/api/v1/requests", web::post().to(insert))
    })
    .workers(config.workers)
    .bind(&bind)
    .map_err(|e| e.to_string())?
    .run()
    .await
    .map_err(|e| e.to_string())
}
