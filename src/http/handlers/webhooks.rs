//! `POST/GET /webhooks`, `GET/DELETE /webhooks/{id}`, `POST /webhooks/{id}/rotate-secret`,
//! `GET /webhooks/{id}/deliveries`, `POST /webhooks/{id}/deliveries/{delivery_id}/retry`,
//! `POST /webhooks/{id}/test`.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::ids::{WebhookDeliveryId, WebhookEndpointId};
use crate::domain::text::Line;
use crate::error::AppError;
use crate::http::body::{Body, Query};
use crate::http::pagination;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::webhooks::{EndpointView, NewEndpoint};

pub async fn create(
    services: web::Data<Services>,
    caller: Caller,
    body: Body<NewEndpoint>,
) -> Result<HttpResponse, AppError> {
    let created = services.webhooks.create(&caller, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/webhooks/{}", created.endpoint.id),
        ))
        .json(created))
}

#[derive(Serialize)]
struct EndpointList {
    items: Vec<EndpointView>,
}

pub async fn list(services: web::Data<Services>, caller: Caller) -> Result<HttpResponse, AppError> {
    let items = services.webhooks.list(&caller).await?;
    Ok(HttpResponse::Ok().json(EndpointList { items }))
}

pub async fn get(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<WebhookEndpointId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services.webhooks.get(&caller, id.into_inner()).await?))
}

pub async fn delete(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<WebhookEndpointId>,
) -> Result<HttpResponse, AppError> {
    services.webhooks.delete(&caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn rotate_secret(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<WebhookEndpointId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        services
            .webhooks
            .rotate_secret(&caller, id.into_inner())
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    cursor: Option<Line>,
    limit: Option<i64>,
}

pub async fn deliveries(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<WebhookEndpointId>,
    query: Query<DeliveriesQuery>,
) -> Result<HttpResponse, AppError> {
    let limit = pagination::limit(query.limit)?;
    let before = query
        .cursor
        .as_deref()
        .map(pagination::parse_time_cursor)
        .transpose()?;
    let rows = services
        .webhooks
        .deliveries(&caller, id.into_inner(), before, limit + 1)
        .await?;
    Ok(
        HttpResponse::Ok().json(pagination::timed_page(rows, limit, |view| {
            view.id.to_string()
        })),
    )
}

pub async fn retry(
    services: web::Data<Services>,
    caller: Caller,
    path: web::Path<(WebhookEndpointId, WebhookDeliveryId)>,
) -> Result<HttpResponse, AppError> {
    let (id, delivery) = path.into_inner();
    Ok(HttpResponse::Accepted().json(services.webhooks.retry(&caller, id, delivery).await?))
}

pub async fn ping(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<WebhookEndpointId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Accepted().json(services.webhooks.ping(&caller, id.into_inner()).await?))
}
