use actix_web::http::header;
use actix_web::{HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::account::{Role, User, UserFilter, UserStatus};
use crate::error::AppError;
use crate::http::access::{Admin, Staff};
use crate::services::Services;
use crate::services::accounts::{Caller, NewAccount};

/// A user as the API shows it.
#[derive(Serialize)]
pub struct UserBody {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub status: UserStatus,
    pub locale: String,
    pub area_id: Option<Uuid>,
}

impl From<&User> for UserBody {
    fn from(u: &User) -> Self {
        UserBody {
            id: u.id,
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            status: u.status,
            locale: u.locale.as_str().to_owned(),
            area_id: u.area_id,
        }
    }
}

/// 201 with the new account and where it lives.
pub fn created(user: &User) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(UserBody::from(user))
}

/// An account made by an admin: any role, optionally in an area.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffAccountBody {
    email: String,
    password: String,
    display_name: String,
    locale: String,
    role: String,
    area_id: Option<Uuid>,
}

pub async fn me(services: web::Data<Services>, caller: Caller) -> Result<HttpResponse, AppError> {
    let user = services.accounts.get(caller.user_id).await?;
    Ok(HttpResponse::Ok().json(UserBody::from(&user)))
}

pub async fn create(
    services: web::Data<Services>,
    _admin: Admin,
    body: web::Json<StaffAccountBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let input = NewAccount {
        email: body.email,
        password: body.password,
        display_name: body.display_name,
        locale: body.locale,
        role: body.role,
        area_id: body.area_id,
    };
    let user = services.accounts.create_by_staff(input).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(UserBody::from(&user)))
}

pub async fn get(
    services: web::Data<Services>,
    _staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let user = services.accounts.get(id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(UserBody::from(&user)))
}

pub async fn approve(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let user = services.accounts.approve(&staff.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(UserBody::from(&user)))
}

pub async fn deactivate(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let user = services
        .accounts
        .deactivate(&staff.0, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(UserBody::from(&user)))
}

pub const MAX_PAGE: i64 = 100;
const DEFAULT_PAGE: i64 = 50;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    role: Option<String>,
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Serialize)]
struct Page {
    items: Vec<UserBody>,
    next_cursor: Option<String>,
}

fn encode_cursor(user: &User) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{}|{}",
        user.created_at.and_utc().timestamp_micros(),
        user.id
    ))
}

fn decode_cursor(raw: &str) -> Result<(NaiveDateTime, Uuid), AppError> {
    let bad = || AppError::invalid("cursor", "is not a cursor this API gave out");
    let text = URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let (micros, id) = text.split_once('|').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let at = chrono::DateTime::from_timestamp_micros(micros)
        .ok_or_else(bad)?
        .naive_utc();
    Ok((at, Uuid::parse_str(id).map_err(|_| bad())?))
}

pub async fn list(
    services: web::Data<Services>,
    _staff: Staff,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = UserFilter {
        role: query.role.as_deref().map(str::parse).transpose()?,
        status: query.status.as_deref().map(str::parse).transpose()?,
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    // One more than asked tells whether another page follows.
    let mut users = services.accounts.list(filter, after, limit + 1).await?;
    let more = users.len() > usize::try_from(limit).unwrap_or(0);
    users.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        users.last().map(encode_cursor)
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(Page {
        items: users.iter().map(UserBody::from).collect(),
        next_cursor,
    }))
}
