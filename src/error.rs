//! The one error type of Yui and its one mapping to `application/problem+json` (RFC 9457).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// Problem types are relative URIs, stable per kind; `api-spec/openapi.yaml` lists them.
const TYPE_PREFIX: &str = "/problems/";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A field of an otherwise well-formed request breaks a rule.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The body is not JSON, or not the JSON this route takes.
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("the body does not fit this route: {0}")]
    UnprocessableBody(String),
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    #[error("authentication required")]
    Unauthenticated(&'static str),
    #[error("email or password is wrong")]
    BadCredentials,
    #[error("not allowed")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("no such route")]
    RouteNotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    /// Ordering for the date closed at `cutoff` (UTC).
    #[error("ordering for this delivery date closed")]
    /// 422 when creating, 409 when editing or cancelling.
    CutoffPassed {
        cutoff: Option<chrono::DateTime<chrono::Utc>>,
        editing: bool,
    },
    /// A neighbourhood would overlap `other`.
    #[error("the boundary overlaps neighbourhood {other}")]
    Overlap { other: uuid::Uuid },
    /// A status change the life cycle does not allow; the body names the current status.
    #[error("{detail}")]
    StateConflict {
        current: &'static str,
        detail: String,
    },
    /// An `If-Match` is needed (428) or is stale (412).
    #[error("this update needs If-Match with the ETag of your last read")]
    PreconditionRequired,
    #[error("the object changed since you read it; read it again")]
    PreconditionFailed,
    #[error("too many attempts")]
    TooManyRequests {
        retry_after_secs: u64,
        detail: &'static str,
    },
    /// The database (or another dependency) cannot be reached: 503, the cause only in the log.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A fault of ours: 500, the cause only in the log.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, message: &str) -> Self {
        AppError::Invalid {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }

    pub fn internal(cause: impl Into<String>) -> Self {
        AppError::Internal(cause.into())
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            AppError::Invalid { .. } => ("validation", "Invalid field"),
            AppError::Malformed(_) => ("malformed-request", "Malformed request"),
            AppError::UnprocessableBody(_) => ("invalid-body", "Invalid request body"),
            AppError::PayloadTooLarge { .. } => ("payload-too-large", "Payload too large"),
            AppError::UnsupportedMediaType => ("unsupported-media-type", "Unsupported media type"),
            AppError::Unauthenticated(_) => ("unauthenticated", "Authentication required"),
            AppError::BadCredentials => ("bad-credentials", "Wrong email or password"),
            AppError::Forbidden(_) => ("forbidden", "Forbidden"),
            AppError::NotFound => ("not-found", "Not found"),
            AppError::RouteNotFound => ("route-not-found", "No such route"),
            AppError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            AppError::Conflict(_) => ("conflict", "Conflict"),
            AppError::CutoffPassed { .. } => ("cutoff-passed", "Ordering closed"),
            AppError::StateConflict { .. } => ("invalid-transition", "Not allowed in this status"),
            AppError::Overlap { .. } => ("overlap", "Overlapping neighbourhood"),
            AppError::PreconditionRequired => ("precondition-required", "Precondition required"),
            AppError::PreconditionFailed => ("precondition-failed", "Precondition failed"),
            AppError::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            AppError::Unavailable(_) => ("unavailable", "Service unavailable"),
            AppError::Internal(_) => ("internal", "Internal error"),
        }
    }

    /// What the caller may read. 5xx details never carry the cause.
    fn detail(&self) -> String {
        match self {
            AppError::Unavailable(_) => {
                "the service cannot reach its database; try again shortly".into()
            }
            AppError::Internal(_) => "something went wrong on our side; it has been logged".into(),
            AppError::Unauthenticated(why) | AppError::Forbidden(why) => (*why).to_owned(),
            AppError::TooManyRequests { detail, .. } => (*detail).to_owned(),
            AppError::NotFound => "no such object, or not one you may see".into(),
            other => other.to_string(),
        }
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    problem_type: String,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// For `cutoff-passed`: when ordering closed (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    cutoff: Option<String>,
    /// For `invalid-transition`: the status the object is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    current_status: Option<&'a str>,
    /// For `overlap`: the neighbourhood overlapped.
    #[serde(skip_serializing_if = "Option::is_none")]
    overlapped_id: Option<String>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Invalid { .. } | AppError::UnprocessableBody(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Malformed(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unauthenticated(_) | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound | AppError::RouteNotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) | AppError::StateConflict { .. } | AppError::Overlap { .. } => {
                StatusCode::CONFLICT
            }
            AppError::CutoffPassed { editing: true, .. } => StatusCode::CONFLICT,
            AppError::CutoffPassed { editing: false, .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            AppError::Internal(cause) => tracing::error!(cause = %cause, "internal error"),
            AppError::Unavailable(cause) => {
                tracing::warn!(cause = %cause, "dependency unavailable")
            }
            _ => {}
        }
        let (kind, title) = self.kind();
        let field = match self {
            AppError::Invalid { field, .. } => Some(field.as_str()),
            _ => None,
        };
        let problem = Problem {
            problem_type: format!("{TYPE_PREFIX}{kind}"),
            title,
            status: status.as_u16(),
            detail: self.detail(),
            // Ties the answer to the log lines of the same request.
            instance: crate::telemetry::current_request_id()
                .map(|id| format!("urn:yui:request:{id}")),
            field,
            cutoff: match self {
                AppError::CutoffPassed {
                    cutoff: Some(at), ..
                } => Some(at.to_rfc3339()),
                _ => None,
            },
            current_status: match self {
                AppError::StateConflict { current, .. } => Some(current),
                _ => None,
            },
            overlapped_id: match self {
                AppError::Overlap { other } => Some(other.to_string()),
                _ => None,
            },
        };
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            AppError::TooManyRequests {
                retry_after_secs, ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Unauthenticated(_) | AppError::BadCredentials => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            _ => {}
        }
        match serde_json::to_string(&problem) {
            Ok(body) => response.body(body),
            Err(_) => response.finish(),
        }
    }
}
