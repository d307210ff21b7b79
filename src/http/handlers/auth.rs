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
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub locale: String,
    pub role: String,
}

impl From<NewAccountBody> for NewAccount {
    fn from(b: NewAccountBody) -> Self {
        NewAccount {
            email: b.email,
            password: b.password,
            display_name: b.display_name,
            locale: b.locale,
            role: b.role,
            area_id: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    refresh_token: String,
}

pub async fn register(
    services: web::Data<Services>,
    client: ClientAddress,
    body: web::Json<NewAccountBody>,
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
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, AppError> {
    let LoginBody { email, password } = body.into_inner();
    let pair = services.sessions.login(&email, password, client.0).await?;
    Ok(no_store(pair))
}

pub async fn refresh(
    services: web::Data<Services>,
    body: web::Json<RefreshBody>,
) -> Result<HttpResponse, AppError> {
    let pair = services
        .sessions
        .refresh(body.into_inner().refresh_token)
        .await?;
    Ok(no_store(pair))
}

pub async fn logout(
    services: web::Data<Services>,
    body: web::Json<RefreshBody>,
) -> Result<HttpResponse, AppError> {
    services
        .sessions
        .logout(body.into_inner().refresh_token)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
