use crate::domain::text::Line;
use crate::http::body::{Body, Query};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::db::requests::RequestFilter;
use crate::domain::area::parse_date;
use crate::domain::ids::{HubId, NeighbourhoodId, RequestId, ResidentId};
use crate::domain::request::{RequestCommand, RequestStatus};
use crate::error::AppError;
use crate::http::access::Staff;
use crate::http::pagination;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::requests::{NewRequest, RequestChanges, RequestView};

fn with_etag(mut response: actix_web::HttpResponseBuilder, view: &RequestView) -> HttpResponse {
    response
        .insert_header((header::ETAG, view.etag()))
        .json(view)
}

pub async fn create(
    services: web::Data<Services>,
    caller: Caller,
    req: HttpRequest,
    body: Body<NewRequest>,
) -> Result<HttpResponse, AppError> {
    let key = match req.headers().get("idempotency-key") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| AppError::Malformed("malformed-idempotency-key-chars".into()))?
                .to_owned(),
        ),
    };
    let outcome = services
        .requests
        .create(&caller, key, body.into_inner())
        .await?;
    let mut response = HttpResponse::Created();
    response.insert_header((
        header::LOCATION,
        format!("/api/v1/requests/{}", outcome.view.id),
    ));
    if outcome.replayed {
        response.insert_header(("idempotent-replayed", "true"));
    }
    Ok(with_etag(response, &outcome.view))
}

pub async fn get(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<RequestId>,
) -> Result<HttpResponse, AppError> {
    let view = services.requests.get(&caller, id.into_inner()).await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

pub async fn update(
    services: web::Data<Services>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<RequestId>,
    body: Body<RequestChanges>,
) -> Result<HttpResponse, AppError> {
    let if_match = match req.headers().get(header::IF_MATCH) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| AppError::Malformed("malformed-if-match".into()))?
                .to_owned(),
        ),
    };
    let view = services
        .requests
        .update(&caller, id.into_inner(), if_match, body.into_inner())
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

pub async fn cancel(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<RequestId>,
) -> Result<HttpResponse, AppError> {
    let view = services
        .requests
        .transition(&caller, id.into_inner(), RequestCommand::Cancel)
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    transition: Line,
}

pub async fn transition(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<RequestId>,
    body: Body<TransitionBody>,
) -> Result<HttpResponse, AppError> {
    let step = RequestCommand::parse(&body.transition)?;
    // Unplanning is the planner's own step, and the day's steps are handovers with their
    // proof (`POST /handovers`): by hand only lock, plan and cancel.
    if !step.by_hand() {
        return Err(AppError::invalid(
            "transition",
            crate::domain::error::Message::new("invalid-one-of")
                .arg("values", "lock, plan, cancel"),
        ));
    }
    let view = services
        .requests
        .transition(&staff.0, id.into_inner(), step)
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    delivery_date: Option<Line>,
    status: Option<Line>,
    resident_id: Option<ResidentId>,
    neighbourhood_id: Option<NeighbourhoodId>,
    hub_id: Option<HubId>,
    limit: Option<i64>,
    cursor: Option<Line>,
}

pub async fn list(
    services: web::Data<Services>,
    caller: Caller,
    query: Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = RequestFilter {
        delivery_date: query
            .delivery_date
            .as_deref()
            .map(|d| parse_date("delivery_date", d).map(|d| d.format("%Y-%m-%d").to_string()))
            .transpose()?,
        status: query
            .status
            .as_deref()
            .map(RequestStatus::parse)
            .transpose()?,
        resident_ids: query.resident_id.map(|r| vec![r]),
        neighbourhood_id: query.neighbourhood_id,
        hub_id: query.hub_id,
        area_id: None,
    };
    let limit = pagination::limit(query.limit)?;
    let after = pagination::after(query.cursor.as_deref())?;
    let views = services
        .requests
        .list(&caller, filter, after, limit + 1)
        .await?;
    Ok(HttpResponse::Ok().json(pagination::page(views, limit, |v| {
        pagination::rfc3339_cursor(&v.created_at, &v.id.to_string())
    })))
}
