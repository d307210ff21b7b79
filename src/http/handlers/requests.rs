use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::Deserialize;
use uuid::Uuid;

use super::district::Items;
use crate::db::requests::RequestFilter;
use crate::domain::area::parse_date;
use crate::domain::request::{RequestStatus, Transition};
use crate::error::AppError;
use crate::http::access::Staff;
use crate::services::Services;
use crate::services::accounts::Caller;
use crate::services::requests::{NewRequest, RequestChanges, RequestView};

const MAX_PAGE: i64 = 100;

fn header_value(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, view: &RequestView) -> HttpResponse {
    response
        .insert_header((header::ETAG, view.etag()))
        .json(view)
}

pub async fn create(
    services: web::Data<Services>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewRequest>,
) -> Result<HttpResponse, AppError> {
    let key = header_value(&req, "idempotency-key");
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
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let view = services.requests.get(&caller, id.into_inner()).await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

pub async fn update(
    services: web::Data<Services>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<RequestChanges>,
) -> Result<HttpResponse, AppError> {
    let if_match = header_value(&req, "if-match");
    let view = services
        .requests
        .update(&caller, id.into_inner(), if_match, body.into_inner())
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

pub async fn cancel(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let view = services
        .requests
        .transition(&caller, id.into_inner(), Transition::Cancel)
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    transition: String,
}

pub async fn transition(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: web::Json<TransitionBody>,
) -> Result<HttpResponse, AppError> {
    let step = match body.transition.as_str() {
        "lock" => Transition::Lock,
        "plan" => Transition::Plan,
        "dispatch" => Transition::Dispatch,
        "deliver" => Transition::Deliver,
        "arrive_at_hub" => Transition::ArriveAtHub,
        "collect" => Transition::Collect,
        "cancel" => Transition::Cancel,
        "fail" => Transition::Fail,
        _ => {
            return Err(AppError::invalid(
                "transition",
                "is not a transition of the request life cycle",
            ));
        }
    };
    let view = services
        .requests
        .transition(&staff.0, id.into_inner(), step)
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    delivery_date: Option<String>,
    status: Option<String>,
    resident_id: Option<Uuid>,
    neighbourhood_id: Option<Uuid>,
    hub_id: Option<Uuid>,
    limit: Option<i64>,
    cursor: Option<String>,
}

fn encode_cursor(view: &RequestView) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", view.created_at, view.id))
}

fn decode_cursor(raw: &str) -> Result<(NaiveDateTime, String), AppError> {
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
    Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((at, id.to_owned()))
}

pub async fn list(
    services: web::Data<Services>,
    caller: Caller,
    query: web::Query<ListQuery>,
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
            .map(|s| RequestStatus::parse(s).map(|s| s.as_str().to_owned()))
            .transpose()?,
        resident_ids: query.resident_id.map(|r| vec![r.to_string()]),
        neighbourhood_id: query.neighbourhood_id,
        hub_id: query.hub_id,
        area_id: None,
    };
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let mut views = services
        .requests
        .list(&caller, filter, after, limit + 1)
        .await?;
    let more = views.len() > usize::try_from(limit).unwrap_or(0);
    views.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        views.last().map(encode_cursor)
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(Items {
        items: views,
        next_cursor,
    }))
}
