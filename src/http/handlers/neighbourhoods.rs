use crate::http::body::Body;
use actix_web::{HttpResponse, web};

use super::district::{Items, created};
use crate::domain::ids::NeighbourhoodId;
use crate::error::AppError;
use crate::http::access::Staff;
use crate::services::Services;
use crate::services::neighbourhoods::NeighbourhoodInput;

pub async fn create(
    services: web::Data<Services>,
    staff: Staff,
    body: Body<NeighbourhoodInput>,
) -> Result<HttpResponse, AppError> {
    let view = services
        .neighbourhoods
        .save(&staff.0, None, body.into_inner())
        .await?;
    Ok(created(
        format!("/api/v1/neighbourhoods/{}", view.id),
        &view,
    ))
}

pub async fn replace(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<NeighbourhoodId>,
    body: Body<NeighbourhoodInput>,
) -> Result<HttpResponse, AppError> {
    let view = services
        .neighbourhoods
        .save(&staff.0, Some(id.into_inner()), body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub async fn get(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<NeighbourhoodId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        services
            .neighbourhoods
            .get(&staff.0, id.into_inner())
            .await?,
    ))
}

pub async fn list(services: web::Data<Services>, staff: Staff) -> Result<HttpResponse, AppError> {
    let items = services.neighbourhoods.list(&staff.0).await?;
    Ok(HttpResponse::Ok().json(Items::whole(items)))
}
