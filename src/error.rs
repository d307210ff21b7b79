//! The one error type of Yui and its one mapping to `application/problem+json` (RFC 9457),
//! worded from the message catalogue in the request's language.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::account::Locale;
use crate::domain::error::{Cutoff, DomainError, Message};
use crate::i18n;

/// Problem types are relative URIs, stable per kind; `api-spec/openapi.yaml` lists them.
const TYPE_PREFIX: &str = "/problems/";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A field of an otherwise well-formed request breaks a rule.
    #[error("{field}: {message}")]
    Invalid { field: String, message: Message },
    /// The body is not JSON, or a header or the query cannot be read.
    #[error("malformed request: {0}")]
    Malformed(Message),
    /// JSON, but not the JSON this route takes.
    #[error("the body does not fit this route: {0}")]
    UnprocessableBody(Message),
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    /// The body did not arrive within the configured time.
    #[error("the body did not arrive in time")]
    RequestTimeout,
    #[error("authentication required: {0}")]
    Unauthenticated(Message),
    #[error("email or password is wrong")]
    BadCredentials,
    #[error("not allowed: {0}")]
    Forbidden(Message),
    #[error("not found")]
    NotFound,
    #[error("no such route")]
    RouteNotFound,
    /// `allow` lists the methods the route takes, for the `Allow` header.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("conflict: {0}")]
    Conflict(Message),
    /// Ordering for the date closed: 422 when creating, 409 when editing or cancelling.
    #[error("ordering for this delivery date closed")]
    CutoffPassed {
        cutoff: Option<Cutoff>,
        editing: bool,
    },
    /// A neighbourhood would overlap `other`.
    #[error("the boundary overlaps neighbourhood {other}")]
    Overlap { other: uuid::Uuid },
    /// A step its life cycle does not allow; the body names the status and what is allowed.
    #[error("a {current} {aggregate} cannot {command}")]
    Transition {
        aggregate: &'static str,
        current: &'static str,
        command: &'static str,
        allowed: Vec<&'static str>,
    },
    /// An `If-Match` is needed (428) or is stale (412).
    #[error("this update needs If-Match with the ETag of your last read")]
    PreconditionRequired,
    #[error("the object changed since you read it; read it again")]
    PreconditionFailed,
    #[error("too many attempts: {detail}")]
    TooManyRequests {
        retry_after_secs: u64,
        detail: Message,
    },
    /// The database (or another dependency) cannot be reached: 503, the cause only in the log.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A fault of ours: 500, the cause only in the log.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid { field, message } => AppError::Invalid { field, message },
            DomainError::CutoffPassed { cutoff, editing } => {
                AppError::CutoffPassed { cutoff, editing }
            }
            DomainError::Transition {
                aggregate,
                current,
                command,
                allowed,
            } => AppError::Transition {
                aggregate,
                current,
                command,
                allowed,
            },
            DomainError::Conflict(message) => AppError::Conflict(message),
            DomainError::Internal(cause) => AppError::Internal(cause),
        }
    }
}

/// The `Retry-After` of a 503.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<Message>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<Message>) -> Self {
        AppError::Conflict(message.into())
    }

    pub fn internal(cause: impl Into<String>) -> Self {
        AppError::Internal(cause.into())
    }

    /// A refusal of what was asked (a rule, a conflict, a missing object), as opposed to a
    /// fault of ours or of the database.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, AppError::Unavailable(_) | AppError::Internal(_))
    }

    /// Every problem kind, for the catalogue's tests and the spec.
    pub const KINDS: &'static [&'static str] = &[
        "validation",
        "malformed-request",
        "invalid-body",
        "payload-too-large",
        "unsupported-media-type",
        "request-timeout",
        "unauthenticated",
        "bad-credentials",
        "forbidden",
        "not-found",
        "route-not-found",
        "method-not-allowed",
        "conflict",
        "cutoff-passed",
        "invalid-transition",
        "overlap",
        "precondition-required",
        "precondition-failed",
        "too-many-requests",
        "unavailable",
        "internal",
    ];

    /// The problem type, stable per kind.
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::Invalid { .. } => "validation",
            AppError::Malformed(_) => "malformed-request",
            AppError::UnprocessableBody(_) => "invalid-body",
            AppError::PayloadTooLarge { .. } => "payload-too-large",
            AppError::UnsupportedMediaType => "unsupported-media-type",
            AppError::RequestTimeout => "request-timeout",
            AppError::Unauthenticated(_) => "unauthenticated",
            AppError::BadCredentials => "bad-credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not-found",
            AppError::RouteNotFound => "route-not-found",
            AppError::MethodNotAllowed { .. } => "method-not-allowed",
            AppError::Conflict(_) => "conflict",
            AppError::CutoffPassed { .. } => "cutoff-passed",
            AppError::Transition { .. } => "invalid-transition",
            AppError::Overlap { .. } => "overlap",
            AppError::PreconditionRequired => "precondition-required",
            AppError::PreconditionFailed => "precondition-failed",
            AppError::TooManyRequests { .. } => "too-many-requests",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// What the caller may read, in `locale`. 5xx details never carry the cause.
    fn detail(&self, locale: Locale) -> String {
        let own = |args: Vec<(&'static str, String)>| {
            i18n::lookup(locale, &format!("problem-{}-detail", self.kind()), &args)
        };
        match self {
            AppError::Invalid { field, message } => i18n::lookup(
                locale,
                "problem-validation-detail",
                &[
                    ("field", field.clone()),
                    ("rule", i18n::text(locale, message)),
                ],
            ),
            AppError::Malformed(message)
            | AppError::UnprocessableBody(message)
            | AppError::Unauthenticated(message)
            | AppError::Forbidden(message)
            | AppError::Conflict(message)
            | AppError::TooManyRequests {
                detail: message, ..
            } => i18n::text(locale, message),
            AppError::PayloadTooLarge { limit } => own(vec![("limit", limit.to_string())]),
            AppError::CutoffPassed {
                cutoff: Some(cutoff),
                ..
            } => i18n::lookup(
                locale,
                "problem-cutoff-passed-at",
                &[
                    ("local", local_display(cutoff, locale)),
                    ("zone", cutoff.zone.name().to_owned()),
                ],
            ),
            AppError::Transition {
                aggregate,
                current,
                command,
                ..
            } => own(vec![
                ("aggregate", (*aggregate).to_owned()),
                ("current", (*current).to_owned()),
                ("command", (*command).to_owned()),
            ]),
            AppError::Overlap { other } => own(vec![("other", other.to_string())]),
            _ => own(Vec::new()),
        }
    }
}

/// The cutoff for people: the area's local date and time as its readers write them
/// (2026年11月30日 16:00 in Japanese).
fn local_display(cutoff: &Cutoff, locale: Locale) -> String {
    let local = cutoff.at.with_timezone(&cutoff.zone);
    match locale {
        Locale::Ja => local.format("%Y年%-m月%-d日 %H:%M").to_string(),
        Locale::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// The cutoff as the area's clocks show it, RFC 3339 with the area's offset.
fn local_time(cutoff: &Cutoff) -> String {
    cutoff
        .at
        .with_timezone(&cutoff.zone)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[derive(Serialize)]
pub struct Problem<'a> {
    #[serde(rename = "type")]
    problem_type: String,
    pub title: String,
    status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// For `cutoff-passed`: when ordering closed, in UTC and in the area's local time.
    #[serde(skip_serializing_if = "Option::is_none")]
    cutoff: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cutoff_local: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<&'a str>,
    /// For `invalid-transition`: the status the object is in, and what it allows next.
    #[serde(skip_serializing_if = "Option::is_none")]
    current_status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_next: Option<&'a [&'static str]>,
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
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::Unauthenticated(_) | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound | AppError::RouteNotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) | AppError::Transition { .. } | AppError::Overlap { .. } => {
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
        let locale = i18n::current();
        let problem = self.problem();
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        response.insert_header((header::CONTENT_LANGUAGE, locale.as_str()));
        match self {
            AppError::TooManyRequests {
                retry_after_secs, ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            // An outage usually lasts seconds (a restart, a fail-over): come back shortly.
            AppError::Unavailable(_) => {
                response.insert_header((
                    header::RETRY_AFTER,
                    UNAVAILABLE_RETRY_AFTER_SECS.to_string(),
                ));
            }
            // The rest of a slow body is not waited for: the connection ends with the answer.
            AppError::RequestTimeout => {
                response.insert_header((header::CONNECTION, "close"));
            }
            AppError::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    response.insert_header((header::ALLOW, value));
                }
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

impl AppError {
    /// The problem document (RFC 9457) of this error in the language of the request being
    /// served: the body of its answer, and of a batch entry it refused.
    pub fn problem(&self) -> Problem<'_> {
        let status = self.status_code();
        let locale = i18n::current();
        let kind = self.kind();
        let cutoff = match self {
            AppError::CutoffPassed {
                cutoff: Some(cutoff),
                ..
            } => Some(cutoff),
            _ => None,
        };
        Problem {
            problem_type: format!("{TYPE_PREFIX}{kind}"),
            title: i18n::lookup::<&str>(locale, &format!("problem-{kind}-title"), &[]),
            status: status.as_u16(),
            detail: self.detail(locale),
            // Ties the answer to the log lines of the same request.
            instance: crate::telemetry::current_request_id()
                .map(|id| format!("urn:yui:request:{id}")),
            field: match self {
                AppError::Invalid { field, .. } => Some(field.as_str()),
                _ => None,
            },
            cutoff: cutoff.map(|c| crate::domain::time::wire(c.at)),
            cutoff_local: cutoff.map(local_time),
            time_zone: cutoff.map(|c| c.zone.name()),
            current_status: match self {
                AppError::Transition { current, .. } => Some(current),
                _ => None,
            },
            allowed_next: match self {
                AppError::Transition { allowed, .. } => Some(allowed.as_slice()),
                _ => None,
            },
            overlapped_id: match self {
                AppError::Overlap { other } => Some(other.to_string()),
                _ => None,
            },
        }
    }
}
