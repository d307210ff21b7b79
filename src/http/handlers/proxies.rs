//! `POST/GET /residents/{id}/proxies`, `DELETE /residents/{id}/proxies/{proxy_id}`.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::domain::ids::{ProxyId, ResidentId};
use crate::error::AppError;
use crate::http::body::Body;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::proxies::{NewProxy, ProxyView};

pub async fn add(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<ResidentId>,
    body: Body<NewProxy>,
) -> Result<HttpResponse, AppError> {
    let resident = id.into_inner();
    let proxy = services
        .proxies
        .add(&caller, resident, body.into_inner())
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/residents/{resident}/proxies"),
        ))
        .json(proxy))
}

#[derive(Serialize)]
struct ProxyList {
    items: Vec<ProxyView>,
}

pub async fn list(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<ResidentId>,
) -> Result<HttpResponse, AppError> {
    let items = services.proxies.list(&caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ProxyList { items }))
}

pub async fn remove(
    services: web::Data<Services>,
    caller: Caller,
    path: web::Path<(ResidentId, ProxyId)>,
) -> Result<HttpResponse, AppError> {
    let (resident, proxy) = path.into_inner();
    services.proxies.remove(&caller, resident, proxy).await?;
    Ok(HttpResponse::NoContent().finish())
}
