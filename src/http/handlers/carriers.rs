use crate::http::body::Body;
use actix_web::{HttpResponse, web};

use super::district::{Items, created};
use crate::domain::ids::{PostTripId, UserId};
use crate::error::AppError;
use crate::http::access::Staff;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::carriers::{NewPostTrip, VolunteerProfile};

pub async fn put_profile(
    services: web::Data<Services>,
    caller: Caller,
    user: web::Path<UserId>,
    body: Body<VolunteerProfile>,
) -> Result<HttpResponse, AppError> {
    let profile = services
        .carriers
        .put_profile(&caller, user.into_inner(), body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(profile))
}

pub async fn get_profile(
    services: web::Data<Services>,
    caller: Caller,
    user: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        services
            .carriers
            .profile(&caller, user.into_inner())
            .await?,
    ))
}

pub async fn create_trip(
    services: web::Data<Services>,
    staff: Staff,
    body: Body<NewPostTrip>,
) -> Result<HttpResponse, AppError> {
    let trip = services
        .carriers
        .create_trip(&staff.0, body.into_inner())
        .await?;
    Ok(created(format!("/api/v1/post-trips/{}", trip.id), &trip))
}

pub async fn list_trips(
    services: web::Data<Services>,
    caller: Caller,
) -> Result<HttpResponse, AppError> {
    let items = services.carriers.trips(&caller).await?;
    Ok(HttpResponse::Ok().json(Items::whole(items)))
}

pub async fn get_trip(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<PostTripId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(services.carriers.trip(&caller, id.into_inner()).await?))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TripCarrierBody {
    user_id: UserId,
}

pub async fn link_trip_carrier(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<PostTripId>,
    body: Body<TripCarrierBody>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        services
            .carriers
            .link_trip_carrier(&staff.0, id.into_inner(), body.user_id)
            .await?,
    ))
}

pub async fn trip_carriers(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<PostTripId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        services
            .carriers
            .trip_carriers(&staff.0, id.into_inner())
            .await?,
    ))
}

pub async fn unlink_trip_carrier(
    services: web::Data<Services>,
    staff: Staff,
    path: web::Path<(PostTripId, UserId)>,
) -> Result<HttpResponse, AppError> {
    let (trip, user) = path.into_inner();
    services
        .carriers
        .unlink_trip_carrier(&staff.0, trip, user)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
