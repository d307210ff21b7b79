use crate::domain::text::Line;
use crate::http::body::{Body, Query};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::district::{Items, created};
use crate::domain::ids::ResidentId;
use crate::error::AppError;
use crate::http::access::Staff;
use crate::http::client::ClientAddress;
use crate::http::pagination;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::residents::{NewGuardianLink, NewResident};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[serde(default)]
    review: bool,
    limit: Option<i64>,
    cursor: Option<ResidentId>,
}

pub async fn create(
    services: web::Data<Services>,
    staff: Staff,
    body: Body<NewResident>,
) -> Result<HttpResponse, AppError> {
    let resident = services
        .residents
        .create(&staff.0, body.into_inner())
        .await?;
    Ok(created(
        format!("/api/v1/residents/{}", resident.id),
        &resident,
    ))
}

pub async fn get(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<ResidentId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services.residents.get(&caller, id.into_inner()).await?))
}

pub async fn list(
    services: web::Data<Services>,
    caller: Caller,
    query: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let limit = pagination::limit(query.limit)?;
    let residents = services
        .residents
        .list(&caller, query.review, query.cursor, limit + 1)
        .await?;
    Ok(HttpResponse::Ok().json(pagination::page(residents, limit, |r| r.id.to_string())))
}

pub async fn link_guardian(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<ResidentId>,
    body: Body<NewGuardianLink>,
) -> Result<HttpResponse, AppError> {
    let resident_id = id.into_inner();
    let link = services
        .residents
        .link_guardian(&staff.0, resident_id, body.into_inner())
        .await?;
    Ok(created(format!("/api/v1/residents/{resident_id}"), &link))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRequestBody {
    relation: Line,
}

pub async fn request_link(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<ResidentId>,
    body: Body<LinkRequestBody>,
) -> Result<HttpResponse, AppError> {
    let resident_id = id.into_inner();
    let link = services
        .residents
        .request_link(&caller, resident_id, &body.relation)
        .await?;
    Ok(created(format!("/api/v1/residents/{resident_id}"), &link))
}

/// A coordinator makes a short code for a family to ask for their link with.
pub async fn create_link_code(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<ResidentId>,
) -> Result<HttpResponse, AppError> {
    let resident_id = id.into_inner();
    let code = services
        .residents
        .create_link_code(&staff.0, resident_id)
        .await?;
    Ok(created(format!("/api/v1/residents/{resident_id}"), &code))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkCodeBody {
    link_code: Line,
    relation: Line,
}

/// A family member asks for a link with the code a coordinator gave them.
pub async fn request_link_by_code(
    services: web::Data<Services>,
    caller: Caller,
    client: ClientAddress,
    body: Body<LinkCodeBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let link = services
        .residents
        .request_link_by_code(&caller, &body.link_code, &body.relation, client.0)
        .await?;
    Ok(created(
        format!("/api/v1/residents/{}", link.resident_id),
        &link,
    ))
}

pub async fn requested_links(
    services: web::Data<Services>,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    let items = services.residents.requested_links(&staff.0).await?;
    Ok(HttpResponse::Ok().json(Items::whole(items)))
}

pub async fn update(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<ResidentId>,
    body: Body<crate::services::residents::ResidentChanges>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        services
            .residents
            .update(&staff.0, id.into_inner(), body.into_inner())
            .await?,
    ))
}
