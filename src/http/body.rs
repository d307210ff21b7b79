//! Reading a body or a query into a route's input type, and saying precisely what was wrong
//! when it cannot be read: the JSON is broken (400), the body is too large (413) or not JSON
//! (415), or a value breaks its field's rule (422, naming the field as `items[0].unit`).

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::domain::error::Message;
use crate::domain::text::CONTROL_CHARACTER;
use crate::error::AppError;

/// How much of a body a route reads, and for how long it waits for it (configured).
#[derive(Debug, Clone, Copy)]
pub struct BodyRules {
    pub limit: usize,
    pub timeout: std::time::Duration,
}

/// A JSON body of type `T`.
#[derive(Debug)]
pub struct Body<T>(pub T);

/// A query string of type `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Body<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let rules = req.app_data::<web::Data<BodyRules>>().map_or(
            BodyRules {
                limit: 64 * 1024,
                timeout: std::time::Duration::from_secs(10),
            },
            |r| *r.get_ref(),
        );
        let limit = rules.limit;
        let is_json = req.mime_type().ok().flatten().is_some_and(|mime| {
            mime.essence_str() == "application/json" || mime.suffix().is_some_and(|s| s == "json")
        });
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedMediaType.into());
            }
            // A client that sends its body slowly (or stops) does not hold a worker's slot.
            let bytes = tokio::time::timeout(rules.timeout, body)
                .await
                .map_err(|_| AppError::RequestTimeout)?
                .map_err(|e| {
                    if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                        AppError::PayloadTooLarge { limit }
                    } else {
                        AppError::Malformed(Message::new("malformed-body").arg("reason", e))
                    }
                })?;
            if bytes.len() > limit {
                return Err(AppError::PayloadTooLarge { limit }.into());
            }
            parse_json(&bytes).map(Body).map_err(Into::into)
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            parse_query(req.query_string())
                .map(Query)
                .map_err(Into::into),
        )
    }
}

/// The body as `T`, or the problem that says what is wrong with it.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let field = field_of(error.path());
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => refused_value(field, &inner.to_string()),
            _ => AppError::Malformed(Message::new("malformed-json").arg("reason", inner)),
        }
    })?;
    reader
        .end()
        .map_err(|e| AppError::Malformed(Message::new("malformed-json").arg("reason", e)))?;
    Ok(value)
}

/// The query string as `T`, or the problem that says what is wrong with it.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let pairs = serde_urlencoded::Deserializer::new(form_urlencoded(query));
    serde_path_to_error::deserialize(pairs).map_err(|error| {
        let field = field_of(error.path());
        let reason = error.into_inner().to_string();
        if reason.starts_with(CONTROL_CHARACTER) {
            refused_value(field, &reason)
        } else {
            AppError::Malformed(Message::new("malformed-query").arg("reason", reason))
        }
    })
}

fn form_urlencoded(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// "items[0].unit"; the body as a whole is "body".
fn field_of(path: &serde_path_to_error::Path) -> String {
    let shown = path.to_string();
    if shown == "." {
        "body".to_owned()
    } else {
        shown
    }
}

/// A value that JSON could carry but this field does not take.
fn refused_value(field: String, reason: &str) -> AppError {
    // serde's own messages end with where in the text they happened; the field says it.
    let reason = reason
        .rsplit_once(" at line ")
        .map_or(reason, |(message, _)| message);
    if let Some(rest) = reason.strip_prefix(CONTROL_CHARACTER) {
        return AppError::invalid(
            field,
            Message::new(CONTROL_CHARACTER).arg("character", rest.trim()),
        );
    }
    // A missing or unknown field is the shape of the body, not a value.
    if reason.starts_with("missing field") || reason.starts_with("unknown field") {
        return AppError::UnprocessableBody(
            Message::new("body-does-not-fit").arg("reason", format!("{field}: {reason}")),
        );
    }
    AppError::invalid(field, Message::new("invalid-value").arg("reason", reason))
}
