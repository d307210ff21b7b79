use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::users::UserBody;
use crate::error::AppError;
use crate::services::Services;
use crate::services::accounts::NewAccount;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub locale: String,
    pub role: String,
}

impl From<RegisterBody> for NewAccount {
    fn from(b: RegisterBody) -> Self {
        NewAccount {
            email: b.email,
            password: b.password,
            display_name: b.display_name,
            locale: b.locale,
            role: b.role,
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
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, AppError> {
    let user = services.accounts.register(body.into_inner().into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(UserBody::from(&user)))
}

fn no_store(pair: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(pair)
}

pub async fn login(
    services: web::Data<Services>,
    req: HttpRequest,
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, AppError> {
    let client = req
        .peer_addr()
        .map(|a| a.ip())
        .ok_or_else(|| AppError::internal("request without a peer address"))?;
    let LoginBody { email, password } = body.into_inner();
    let pair = services.sessions.login(&email, password, client).await?;
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
