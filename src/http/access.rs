//! Who may call what. Every route declares an `Access` in the route table; the middleware
//! here refuses a route that has none, authenticates the bearer token and applies the
//! declared access before any handler runs. Handlers then take the caller through the
//! extractors below, which check the role once more where it matters.

use std::collections::HashMap;
use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::console::page::refusal;
use super::console::session::{self as console_session, Gate};
use crate::domain::account::{Role, UserStatus};
use crate::error::AppError;
use crate::services::Services;
use crate::services::caller::Caller;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account that is not deactivated, pending ones included.
    SignedIn,
    /// Active accounts of these roles.
    Roles(&'static [Role]),
    /// Console pages, signed in through the console's session cookie with one of these
    /// roles; a request that changes something carries the session's CSRF token.
    Console(&'static [Role]),
    /// Console pages before sign-in (the sign-in form, the language switch); their forms
    /// carry the CSRF token of the browser's pre-session cookie.
    ConsoleOpen,
}

pub const STAFF: &[Role] = &[Role::Coordinator, Role::Admin];
/// Everyone a watch-over case can go to: families, the people in the field, staff.
pub const WATCH_OVER: &[Role] = &Role::ALL;
pub const ADMIN: &[Role] = &[Role::Admin];
pub const FAMILY: &[Role] = &[Role::Family];
/// Volunteers (for themselves) and staff.
pub const VOLUNTEER_AND_STAFF: &[Role] = &[Role::Volunteer, Role::Coordinator, Role::Admin];
/// Families (for their linked residents) and staff.
pub const FAMILY_AND_STAFF: &[Role] = &[Role::Family, Role::Coordinator, Role::Admin];
/// Those who carry runs.
pub const FIELD: &[Role] = &[Role::Volunteer, Role::Carrier];
/// Those who carry runs (their own) and staff.
pub const FIELD_AND_STAFF: &[Role] = &[
    Role::Volunteer,
    Role::Carrier,
    Role::Coordinator,
    Role::Admin,
];
/// Hub keepers (of their hubs) and staff.
pub const KEEPER_AND_STAFF: &[Role] = &[Role::HubKeeper, Role::Coordinator, Role::Admin];
/// Everyone who works in an area: field roles and staff.
pub const AREA: &[Role] = &[
    Role::Volunteer,
    Role::Carrier,
    Role::HubKeeper,
    Role::Coordinator,
    Role::Admin,
];

/// The declared access of every (method, route pattern).
#[derive(Clone, Default)]
pub struct AccessTable {
    by_route: HashMap<(Method, String), Access>,
    patterns: std::collections::HashSet<String>,
}

impl AccessTable {
    pub fn insert(&mut self, method: Method, pattern: &str, access: Access) {
        self.by_route.insert((method, pattern.to_owned()), access);
        self.patterns.insert(pattern.to_owned());
    }
}

fn bearer(req: &ServiceRequest) -> Result<&str, AppError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or(AppError::Unauthenticated(
            "unauthenticated-token-needed".into(),
        ))?;
    header
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthenticated(
            "unauthenticated-bearer-form".into(),
        ))
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let gate = match declared(&req) {
        Some(Access::Console(roles)) => Some(Gate::SignedIn(roles)),
        Some(Access::ConsoleOpen) => Some(Gate::Open),
        _ => None,
    };
    if let Some(gate) = gate {
        // The console answers a browser: a redirect to sign in, or a page saying why.
        return match console_session::admit(&mut req, gate, refusal).await {
            Ok(_) => next
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body),
            Err(page) => Ok(req.into_response(page).map_into_right_body()),
        };
    }
    match admit(&req).await {
        Ok(caller) => {
            if let Some(caller) = caller {
                req.extensions_mut().insert(caller);
            }
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        // Answered here, inside the request's scope, so the problem names the request.
        Err(refusal) => Ok(req.error_response(refusal).map_into_right_body()),
    }
}

/// The declared access of the matched route: none for a route outside the table.
fn declared(req: &ServiceRequest) -> Option<Access> {
    match (
        req.app_data::<web::Data<Arc<AccessTable>>>(),
        req.match_pattern(),
    ) {
        (Some(table), Some(pattern)) => {
            match table.by_route.get(&(req.method().clone(), pattern.clone())) {
                Some(access) => Some(*access),
                // Another method on a known route: the resource answers 405.
                None if table.patterns.contains(&pattern) => Some(Access::Public),
                // Registered outside the table: no declared policy, refused.
                None => None,
            }
        }
        // No route matched: the default service answers 404.
        (Some(_), None) => Some(Access::Public),
        (None, _) => None,
    }
}

/// Applies the declared access of the matched API route; the caller, when one is needed.
async fn admit(req: &ServiceRequest) -> Result<Option<Caller>, AppError> {
    let Some(access) = declared(req) else {
        tracing::error!("route without a declared access policy refused");
        return Err(AppError::Forbidden("forbidden-no-policy".into()));
    };
    if access == Access::Public {
        return Ok(None);
    }
    let services = req
        .app_data::<web::Data<Services>>()
        .ok_or_else(|| AppError::internal("services missing from app data"))?
        .clone();
    let token = services.tokens.verify_access_token(bearer(req)?)?;
    let caller = services.accounts.authenticate(token).await?;
    crate::i18n::signed_in_as(caller.locale);
    if let Access::Roles(roles) = access
        && (!roles.contains(&caller.role) || caller.status != UserStatus::Active)
    {
        return Err(AppError::Forbidden("forbidden-role".into()));
    }
    Ok(Some(caller))
}

fn caller_of(req: &HttpRequest) -> Result<Caller, AppError> {
    req.extensions()
        .get::<Caller>()
        .cloned()
        .ok_or(AppError::Unauthenticated(
            "unauthenticated-token-needed".into(),
        ))
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_of(req))
    }
}

/// The caller, if their active account has one of `roles`.
fn caller_with_role(req: &HttpRequest, roles: &[Role]) -> Result<Caller, AppError> {
    let caller = caller_of(req)?;
    if roles.contains(&caller.role) && caller.status == UserStatus::Active {
        Ok(caller)
    } else {
        Err(AppError::Forbidden("forbidden-role".into()))
    }
}

/// A coordinator or an admin with an active account.
#[derive(Debug, Clone)]
pub struct Staff(pub Caller);

impl FromRequest for Staff {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_with_role(req, STAFF).map(Staff))
    }
}

/// An admin with an active account.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl FromRequest for Admin {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_with_role(req, ADMIN).map(Admin))
    }
}
