use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::error::AppError;
use crate::services::Services;

const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

/// The process lives.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The process can serve: its database answers now.
pub async fn readyz(services: web::Data<Services>) -> Result<HttpResponse, AppError> {
    services.db.ready(READINESS_TIMEOUT).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ready" })))
}
