use crate::domain::text::Line;
use crate::http::body::{Body, Query};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::account::{Role, User, UserFilter, UserStatus};
use crate::domain::ids::{AreaId, UserId};
use crate::error::AppError;
use crate::http::access::Staff;
use crate::http::pagination;
use crate::services::Services;
use crate::services::accounts::{Caller, NewAccount};

/// A user as the API shows it.
#[derive(Serialize)]
pub struct UserBody {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub status: UserStatus,
    pub locale: String,
    pub area_id: Option<AreaId>,
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

/// An account made by staff: an admin any role, optionally in an area; a coordinator a hub
/// keeper or post carrier of their area.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffAccountBody {
    email: Line,
    password: Line,
    display_name: Line,
    locale: Line,
    role: Line,
    area_id: Option<AreaId>,
}

/// The signed-in account, and how many of its notifications are unread.
#[derive(Serialize)]
struct MeBody {
    #[serde(flatten)]
    user: UserBody,
    unread_notifications: i64,
}

pub async fn me(services: web::Data<Services>, caller: Caller) -> Result<HttpResponse, AppError> {
    let user = services.accounts.get(caller.user_id).await?;
    let unread_notifications = services.notifications.unread_count(&caller).await?;
    Ok(HttpResponse::Ok().json(MeBody {
        user: UserBody::from(&user),
        unread_notifications,
    }))
}

pub async fn create(
    services: web::Data<Services>,
    staff: Staff,
    body: Body<StaffAccountBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let input = NewAccount {
        email: body.email.into(),
        password: body.password.into(),
        display_name: body.display_name.into(),
        locale: body.locale.into(),
        role: body.role.into(),
        area_id: body.area_id,
    };
    let user = services.accounts.create_for_area(&staff.0, input).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(UserBody::from(&user)))
}

pub async fn get(
    services: web::Data<Services>,
    _staff: Staff,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let user = services.accounts.get(id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(UserBody::from(&user)))
}

pub async fn approve(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let user = services.accounts.approve(&staff.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(UserBody::from(&user)))
}

pub async fn deactivate(
    services: web::Data<Services>,
    staff: Staff,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let user = services
        .accounts
        .deactivate(&staff.0, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(UserBody::from(&user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    role: Option<Line>,
    status: Option<Line>,
    limit: Option<i64>,
    cursor: Option<Line>,
}

pub async fn list(
    services: web::Data<Services>,
    staff: Staff,
    query: Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = UserFilter {
        role: query.role.as_deref().map(str::parse).transpose()?,
        status: query.status.as_deref().map(str::parse).transpose()?,
        ..UserFilter::default()
    };
    let limit = pagination::limit(query.limit)?;
    let after = match pagination::after(query.cursor.as_deref())? {
        Some((at, id)) => Some((
            at,
            id.parse()
                .map_err(|_| AppError::invalid("cursor", "invalid-cursor"))?,
        )),
        None => None,
    };
    let users = services
        .accounts
        .list(&staff.0, filter, after, limit + 1)
        .await?;
    let page = pagination::page(users, limit, |u| {
        pagination::time_cursor(u.created_at, &u.id.to_string())
    });
    Ok(HttpResponse::Ok().json(pagination::Items {
        items: page.items.iter().map(UserBody::from).collect::<Vec<_>>(),
        next_cursor: page.next_cursor,
    }))
}
