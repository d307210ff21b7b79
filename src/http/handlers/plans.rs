use crate::domain::text::Line;
use crate::http::body::{Body, Query};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::district::created;
use crate::domain::ids::{AreaId, HubId, PlanId, RunId, UserId};
use crate::error::AppError;
use crate::http::access::Staff;
use crate::http::pagination::{self, Items};
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::plans::NewPlan;

pub async fn create(
    services: web::Data<Services>,
    staff: Staff,
    body: Body<NewPlan>,
) -> Result<HttpResponse, AppError> {
    let plan = services.plans.create(&staff.0, body.into_inner()).await?;
    Ok(created(format!("/api/v1/plans/{}", plan.id), &plan))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlansQuery {
    area_id: Option<AreaId>,
    delivery_date: Line,
}

/// The plan of one date of an area, as a list of none or one.
pub async fn list(
    services: web::Data<Services>,
    staff: Staff,
    query: Query<PlansQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let plan = services
        .plans
        .for_date(&staff.0, query.area_id, &query.delivery_date)
        .await?;
    Ok(HttpResponse::Ok().json(Items::whole(plan.into_iter().collect())))
}

pub async fn get(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<PlanId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services.plans.get(&staff.0, id.into_inner()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunsQuery {
    delivery_date: Option<Line>,
    limit: Option<i64>,
    cursor: Option<Line>,
}

pub async fn list_runs(
    services: web::Data<Services>,
    caller: Caller,
    query: Query<RunsQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let after = pagination::after(query.cursor.as_deref())?;
    let runs = services
        .runs
        .list(
            &caller,
            query.delivery_date.map(String::from),
            after,
            limit + 1,
        )
        .await?;
    Ok(HttpResponse::Ok().json(pagination::page(runs, limit, |r| {
        pagination::rfc3339_cursor(&r.starts_at, &r.id.to_string())
    })))
}

pub async fn get_run(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<RunId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services.runs.get(&caller, id.into_inner()).await?))
}

pub async fn accept_run(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<RunId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services.runs.accept(&caller, id.into_inner()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrivalsQuery {
    delivery_date: Line,
}

pub async fn hub_arrivals(
    services: web::Data<Services>,
    caller: Caller,
    hub: web::Path<HubId>,
    query: Query<ArrivalsQuery>,
) -> Result<HttpResponse, AppError> {
    let arrivals = services
        .runs
        .arrivals(&caller, hub.into_inner(), &query.delivery_date)
        .await?;
    Ok(HttpResponse::Ok().json(Items::whole(arrivals)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    reason: Line,
}

pub async fn decline_run(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<RunId>,
    body: Body<DeclineBody>,
) -> Result<HttpResponse, AppError> {
    let reason = body.into_inner().reason.into_string();
    Ok(HttpResponse::Ok().json(
        services
            .runs
            .decline(&caller, id.into_inner(), reason)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReassignBody {
    carrier_id: UserId,
}

pub async fn reassign_run(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<RunId>,
    body: Body<ReassignBody>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        services
            .runs
            .reassign(&staff.0, id.into_inner(), body.carrier_id)
            .await?,
    ))
}

pub async fn start_run(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<RunId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services.runs.start(&caller, id.into_inner()).await?))
}
