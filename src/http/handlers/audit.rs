use actix_web::{HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::district::Items;
use crate::db::audit::AuditFilter;
use crate::error::AppError;
use crate::http::access::Staff;
use crate::services::Services;
use crate::services::audit::{self, AuditView};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    entity: Option<String>,
    entity_id: Option<String>,
    actor_id: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

fn encode_cursor(view: &AuditView) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", view.at, view.id))
}

fn decode_cursor(raw: &str) -> Result<(chrono::NaiveDateTime, String), AppError> {
    let bad = || AppError::invalid("cursor", "is not a cursor this API gave out");
    let text = URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let (at, id) = text.split_once('|').ok_or_else(bad)?;
    let at = chrono::DateTime::parse_from_rfc3339(at)
        .map_err(|_| bad())?
        .naive_utc();
    Ok((at, id.to_owned()))
}

pub async fn list(
    services: web::Data<Services>,
    staff: Staff,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = AuditFilter {
        entity: query.entity,
        entity_id: query.entity_id,
        actor_id: query.actor_id,
    };
    let limit = query.limit.unwrap_or(50).clamp(1, 100);
    let before = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let mut rows = audit::list(&services.db, &staff.0, filter, before, limit + 1).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(0);
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        rows.last().map(encode_cursor)
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(Items {
        items: rows,
        next_cursor,
    }))
}
