use crate::http::body::Body;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::domain::ids::{AreaId, HubId, UserId};
use crate::error::AppError;
use crate::http::access::{Admin, Staff};
use crate::services::Services;
use crate::services::audit::Audit;
use crate::services::caller::Caller;
use crate::services::district::{AreaView, NewArea, NewHub, SettingsChanges};

pub use crate::http::pagination::Items;

pub fn created<T: Serialize>(path: String, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, path))
        .json(body)
}

pub async fn create_area(
    services: web::Data<Services>,
    admin: Admin,
    body: Body<NewArea>,
) -> Result<HttpResponse, AppError> {
    let area = services
        .district
        .create_area(Audit::by(&admin.0, None), body.into_inner())
        .await?;
    Ok(created(
        format!("/api/v1/areas/{}", area.id),
        &AreaView::from(&area),
    ))
}

pub async fn list_areas(
    services: web::Data<Services>,
    caller: Caller,
) -> Result<HttpResponse, AppError> {
    let areas = services.district.areas(&caller).await?;
    Ok(HttpResponse::Ok().json(Items::whole(areas.iter().map(AreaView::from).collect())))
}

pub async fn get_area(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<AreaId>,
) -> Result<HttpResponse, AppError> {
    let area = services
        .district
        .area_settings(&caller, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, area.etag()))
        .json(area))
}

pub async fn update_area(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<AreaId>,
    req: actix_web::HttpRequest,
    body: Body<SettingsChanges>,
) -> Result<HttpResponse, AppError> {
    let if_match = req
        .headers()
        .get(header::IF_MATCH)
        .map(|v| {
            v.to_str()
                .map(str::to_owned)
                .map_err(|_| AppError::Malformed("malformed-if-match".into()))
        })
        .transpose()?;
    let area = services
        .district
        .update_settings(&staff.0, id.into_inner(), if_match, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, area.etag()))
        .json(area))
}

pub async fn create_hub(
    services: web::Data<Services>,
    staff: Staff,
    body: Body<NewHub>,
) -> Result<HttpResponse, AppError> {
    let hub = services
        .district
        .create_hub(&staff.0, body.into_inner())
        .await?;
    Ok(created(format!("/api/v1/hubs/{}", hub.id), &hub))
}

pub async fn list_hubs(
    services: web::Data<Services>,
    caller: Caller,
) -> Result<HttpResponse, AppError> {
    let hubs = services.district.hubs(&caller).await?;
    Ok(HttpResponse::Ok().json(Items::whole(hubs)))
}

pub async fn get_hub(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<HubId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services.district.hub(&caller, id.into_inner()).await?))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeeperBody {
    user_id: UserId,
}

pub async fn add_keeper(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<HubId>,
    body: Body<KeeperBody>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        services
            .district
            .add_keeper(&staff.0, id.into_inner(), body.user_id)
            .await?,
    ))
}
