//! `GET /hubs/{id}/shelf`, and the watch-over cases: `GET /escalations`, `GET
//! /escalations/{id}`, `POST /escalations/{id}/acknowledge`, `POST /escalations/{id}/resolve`.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::ids::{EscalationId, HubId};
use crate::domain::text::{Line, Note};
use crate::domain::watch_over::{EscalationOutcome, EscalationStatus};
use crate::error::AppError;
use crate::http::body::{Body, Query};
use crate::http::pagination;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::escalations::EscalationView;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShelfQuery {
    delivery_date: Line,
}

pub async fn shelf(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<HubId>,
    query: Query<ShelfQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        services
            .shelf
            .view(&caller, id.into_inner(), &query.delivery_date)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<Line>,
    limit: Option<i64>,
}

#[derive(Serialize)]
struct EscalationList {
    items: Vec<EscalationView>,
}

pub async fn list(
    services: web::Data<Services>,
    caller: Caller,
    query: Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let status = query
        .status
        .as_deref()
        .map(EscalationStatus::parse)
        .transpose()?;
    let limit = pagination::limit(query.limit)?;
    let items = services.escalations.list(&caller, status, limit).await?;
    Ok(HttpResponse::Ok().json(EscalationList { items }))
}

pub async fn get(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<EscalationId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services.escalations.get(&caller, id.into_inner()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeBody {
    #[serde(default)]
    note: Option<Note>,
}

pub async fn acknowledge(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<EscalationId>,
    body: Body<AcknowledgeBody>,
) -> Result<HttpResponse, AppError> {
    let note = body.into_inner().note.map(Note::into_string);
    Ok(HttpResponse::Ok().json(
        services
            .escalations
            .acknowledge(&caller, id.into_inner(), note)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    outcome: Line,
    note: Note,
}

pub async fn resolve(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<EscalationId>,
    body: Body<ResolveBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let outcome = EscalationOutcome::parse(&body.outcome)?;
    Ok(HttpResponse::Ok().json(
        services
            .escalations
            .resolve(&caller, id.into_inner(), outcome, body.note.into_string())
            .await?,
    ))
}
