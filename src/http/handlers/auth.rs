use crate::domain::text::Line;
use crate::http::body::Body;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::users::created;
use crate::error::AppError;
use crate::http::client::ClientAddress;
use crate::services::Services;
use crate::services::accounts::NewAccount;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccountBody {
    pub email: Line,
    pub password: Line,
    pub display_name: Line,
    pub locale: Line,
    pub role: Line,
}

impl From<NewAccountBody> for NewAccount {
    fn from(b: NewAccountBody) -> Self {
        NewAccount {
            email: b.email.into(),
            password: b.password.into(),
            display_name: b.display_name.into(),
            locale: b.locale.into(),
            role: b.role.into(),
            area_id: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: Line,
    password: Line,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    refresh_token: Line,
}

pub async fn register(
    services: web::Data<Services>,
    client: ClientAddress,
    body: Body<NewAccountBody>,
) -> Result<HttpResponse, AppError> {
    let user = services
        .accounts
        .register(body.into_inner().into(), client.0)
        .await?;
    Ok(created(&user))
}

fn no_store(pair: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(pair)
}

pub async fn login(
    services: web::Data<Services>,
    client: ClientAddress,
    body: Body<LoginBody>,
) -> Result<HttpResponse, AppError> {
    let LoginBody { email, password } = body.into_inner();
    let pair = services
        .sessions
        .login(&email, password.into(), client.0)
        .await?;
    Ok(no_store(pair))
}

pub async fn refresh(
    services: web::Data<Services>,
    body: Body<RefreshBody>,
) -> Result<HttpResponse, AppError> {
    let pair = services
        .sessions
        .refresh(body.into_inner().refresh_token.into())
        .await?;
    Ok(no_store(pair))
}

pub async fn logout(
    services: web::Data<Services>,
    body: Body<RefreshBody>,
) -> Result<HttpResponse, AppError> {
    services
        .sessions
        .logout(body.into_inner().refresh_token.into())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
