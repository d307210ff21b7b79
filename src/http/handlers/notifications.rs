//! `GET /notifications`, `POST /notifications/{id}/read`, `POST /notifications/read-all`:
//! the signed-in person's own feed, in the language of the request.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::ids::NotificationId;
use crate::domain::text::Line;
use crate::error::AppError;
use crate::http::body::{Body, Query};
use crate::http::pagination;
use crate::services::Services;
use crate::services::caller::Caller;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    cursor: Option<Line>,
    unread: Option<bool>,
    limit: Option<i64>,
}

pub async fn list(
    services: web::Data<Services>,
    caller: Caller,
    query: Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    let limit = pagination::limit(query.limit)?;
    let before = query
        .cursor
        .as_deref()
        .map(pagination::parse_time_cursor)
        .transpose()?;
    let rows = services
        .notifications
        .list(
            &caller,
            query.unread.unwrap_or(false),
            before,
            limit + 1,
            crate::i18n::current(),
        )
        .await?;
    Ok(
        HttpResponse::Ok().json(pagination::timed_page(rows, limit, |view| {
            view.id.to_string()
        })),
    )
}

pub async fn read(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<NotificationId>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        services
            .notifications
            .read(&caller, id.into_inner(), crate::i18n::current())
            .await?,
    ))
}

#[derive(Serialize)]
struct ReadAll {
    marked_read: usize,
}

pub async fn read_all(
    services: web::Data<Services>,
    caller: Caller,
    body: Body<serde_json::Map<String, serde_json::Value>>,
) -> Result<HttpResponse, AppError> {
    // Nothing to say: `{}`, like every other POST's body an object (and no field of it).
    if let Some(field) = body.keys().next() {
        return Err(AppError::UnprocessableBody(
            crate::domain::error::Message::new("body-does-not-fit")
                .arg("reason", format!("unknown field `{field}`")),
        ));
    }
    let marked_read = services.notifications.read_all(&caller).await?;
    Ok(HttpResponse::Ok().json(ReadAll { marked_read }))
}
