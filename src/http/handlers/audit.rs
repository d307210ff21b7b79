use crate::domain::text::Line;
use crate::http::body::Query;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db::audit::AuditFilter;
use crate::error::AppError;
use crate::http::access::Staff;
use crate::http::pagination;
use crate::services::Services;
use crate::services::audit;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    entity: Option<Line>,
    entity_id: Option<Line>,
    actor_id: Option<Line>,
    limit: Option<i64>,
    cursor: Option<Line>,
}

pub async fn list(
    services: web::Data<Services>,
    staff: Staff,
    query: Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = AuditFilter {
        entity: query.entity.map(String::from),
        entity_id: query.entity_id.map(String::from),
        actor_id: query.actor_id.map(String::from),
    };
    let limit = pagination::limit(query.limit)?;
    // The audit trail runs newest first: the cursor is where to continue before.
    let before = pagination::after(query.cursor.as_deref())?;
    let rows = audit::list(&services.db, &staff.0, filter, before, limit + 1).await?;
    Ok(HttpResponse::Ok().json(pagination::page(rows, limit, |r| {
        pagination::rfc3339_cursor(&r.at, &r.id.to_string())
    })))
}
