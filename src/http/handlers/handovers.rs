//! `POST /handovers` (one change of hands), `POST /handovers/batch` (a phone's offline
//! queue) and `GET /requests/{id}/custody` (a request's handovers in order).

use actix_web::{HttpResponse, ResponseError, web};
use serde::{Deserialize, Serialize};

use crate::domain::ids::{HandoverId, RequestId};
use crate::error::{AppError, Problem};
use crate::http::body::Body;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::handovers::{HandoverView, NewHandover, Recorded};

pub async fn record(
    services: web::Data<Services>,
    caller: Caller,
    body: Body<NewHandover>,
) -> Result<HttpResponse, AppError> {
    let recorded = services
        .handovers
        .record(&caller, body.into_inner())
        .await?;
    Ok(match recorded {
        Recorded::Created(view) => HttpResponse::Created().json(view),
        Recorded::Replayed(view) => HttpResponse::Ok().json(view),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// Each entry (an object) is read on its own, so that one malformed entry is answered
    /// alone.
    handovers: Vec<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Serialize)]
struct BatchAnswer<'a> {
    results: Vec<BatchResult<'a>>,
}

#[derive(Serialize)]
struct BatchResult<'a> {
    id: Option<HandoverId>,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    handover: Option<HandoverView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<Problem<'a>>,
}

pub async fn record_batch(
    services: web::Data<Services>,
    caller: Caller,
    body: Body<BatchBody>,
) -> Result<HttpResponse, AppError> {
    let entries = services
        .handovers
        .record_batch(
            &caller,
            body.into_inner()
                .handovers
                .into_iter()
                .map(serde_json::Value::Object)
                .collect(),
        )
        .await?;
    let results = entries
        .iter()
        .map(|entry| match &entry.outcome {
            Ok(Recorded::Created(view)) => BatchResult {
                id: entry.id,
                status: 201,
                handover: Some(view.clone()),
                problem: None,
            },
            Ok(Recorded::Replayed(view)) => BatchResult {
                id: entry.id,
                status: 200,
                handover: Some(view.clone()),
                problem: None,
            },
            Err(error) => BatchResult {
                id: entry.id,
                status: error.status_code().as_u16(),
                handover: None,
                problem: Some(error.problem()),
            },
        })
        .collect();
    Ok(HttpResponse::Ok().json(BatchAnswer { results }))
}

pub async fn custody(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<RequestId>,
) -> Result<HttpResponse, AppError> {
    let custody = services.handovers.custody(&caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(custody))
}

/// The signature or photo kept for a handover (staff only).
pub async fn proof_image(
    services: web::Data<Services>,
    staff: crate::http::access::Staff,
    id: web::Path<HandoverId>,
) -> Result<HttpResponse, AppError> {
    let (content_type, bytes) = services
        .handovers
        .proof_image(&staff.0, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

pub async fn reset_code(
    services: web::Data<Services>,
    staff: crate::http::access::Staff,
    id: web::Path<RequestId>,
) -> Result<HttpResponse, AppError> {
    services
        .handovers
        .reset_code(&staff.0, id.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
