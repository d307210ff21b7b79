//! Who is at the console: the session cookie a sign-in gives, the CSRF token every form and
//! htmx request carries, and the answers to a browser that is not let in (a redirect to the
//! sign-in page, or a page saying why).

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieAge};
use actix_web::dev::ServiceRequest;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpMessage, HttpResponse, web};

use crate::domain::account::{Role, UserStatus};
use crate::error::AppError;
use crate::services::Services;
use crate::services::caller::Caller;

/// Holds the refresh token of the console's sign-in.
pub const SESSION_COOKIE: &str = "yui_session";
/// Binds the sign-in form's CSRF token before there is a session.
pub const PRESESSION_COOKIE: &str = "yui_presession";
/// The language chosen with the switch on every page.
pub const LANGUAGE_COOKIE: &str = "yui_lang";
/// Where a form puts its CSRF token; htmx sends it as this header.
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The largest console form read to find its token (a resident with notes, a phone order).
const MAX_FORM_BYTES: usize = 256 * 1024;

/// What the console reads from the configuration.
#[derive(Debug, Clone)]
pub struct ConsoleSettings {
    /// `Secure` on the cookies (`YUI_ENV=production`: served over HTTPS).
    pub secure_cookies: bool,
    pub map_tile_url: String,
    pub map_attribution: String,
    /// Scripts, styles and everything else from Yui itself; images also from the tile host.
    pub content_security_policy: String,
}

impl ConsoleSettings {
    pub fn new(secure_cookies: bool, map_tile_url: String, map_attribution: String) -> Self {
        let tile_origin = url::Url::parse(&map_tile_url.replace(['{', '}'], ""))
            .ok()
            .map(|u| u.origin().ascii_serialization())
            .filter(|origin| origin != "null")
            .unwrap_or_default();
        let content_security_policy = format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: \
             {tile_origin}; connect-src 'self'; font-src 'self'; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        ConsoleSettings {
            secure_cookies,
            map_tile_url,
            map_attribution,
            content_security_policy,
        }
    }
}

/// The console's own view of a request: who is signed in, and the token for its forms.
#[derive(Debug, Clone)]
pub struct ConsoleVisit {
    pub caller: Option<Caller>,
    pub csrf_token: String,
    /// A pre-session cookie to set with the answer (first visit to the sign-in page).
    pub new_presession: Option<String>,
}

/// Which console pages a request may reach.
#[derive(Debug, Clone, Copy)]
pub enum Gate {
    /// Signed in with one of these roles.
    SignedIn(&'static [Role]),
    /// Anyone (the sign-in page, the language switch).
    Open,
}

pub fn cookie<'c>(settings: &ConsoleSettings, name: &'c str, value: String) -> Cookie<'c> {
    Cookie::build(name, value)
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings.secure_cookies)
        .finish()
}

pub fn expired_cookie<'c>(settings: &ConsoleSettings, name: &'c str) -> Cookie<'c> {
    let mut gone = cookie(settings, name, String::new());
    gone.set_max_age(CookieAge::ZERO);
    gone
}

pub fn language_cookie<'c>(settings: &ConsoleSettings, value: &str) -> Cookie<'c> {
    let mut chosen = cookie(settings, LANGUAGE_COOKIE, value.to_owned());
    chosen.set_max_age(CookieAge::days(365));
    chosen
}

fn cookie_value(req: &ServiceRequest, name: &str) -> Option<String> {
    req.cookie(name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 200)
}

/// A page's answer when the browser must sign in first: back here afterwards.
pub fn to_sign_in(path_and_query: &str) -> HttpResponse {
    let next: String =
        form_urlencoded::byte_serialize(path_and_query.as_bytes()).collect::<String>();
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/console/sign-in?next={next}")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Lets a console request in or answers it: the session for `Gate::SignedIn`, and for any
/// request that changes something, the CSRF token bound to the browser's cookie (from the
/// `X-CSRF-Token` header, else the form's `csrf_token` field; the form is read here and
/// handed on unchanged).
pub async fn admit(
    req: &mut ServiceRequest,
    gate: Gate,
    refused: fn(StatusCode, &str) -> HttpResponse,
) -> Result<ConsoleVisit, HttpResponse> {
    let services = req
        .app_data::<web::Data<Services>>()
        .cloned()
        .ok_or_else(|| refused(StatusCode::INTERNAL_SERVER_ERROR, "console-error-internal"))?;
    let session = cookie_value(req, SESSION_COOKIE);
    let caller = match &session {
        Some(token) => signed_in(&services, token).await.ok(),
        None => None,
    };
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/console".to_owned());
    if let Gate::SignedIn(roles) = gate {
        match &caller {
            None => return Err(to_sign_in(&path)),
            Some(caller)
                if !roles.contains(&caller.role) || caller.status != UserStatus::Active =>
            {
                return Err(refused(StatusCode::FORBIDDEN, "console-refused-role"));
            }
            Some(_) => {}
        }
    }
    // A live session binds the forms; before sign-in, the pre-session cookie does.
    let (binding, new_presession) = match (&caller, session, cookie_value(req, PRESESSION_COOKIE)) {
        (Some(_), Some(token), _) => (token, None),
        (_, _, Some(presession)) => (presession, None),
        _ => {
            let fresh = crate::services::tokens::random_token(24);
            (fresh.clone(), Some(fresh))
        }
    };
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        let presented = match req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
            Some(token) => Some(token.to_owned()),
            None => csrf_field(req).await,
        };
        let matches = new_presession.is_none()
            && presented.is_some_and(|token| services.tokens.csrf_matches(&binding, &token));
        if !matches {
            tracing::warn!(path = %req.path(), "console form refused: CSRF token missing or wrong");
            return Err(refused(StatusCode::FORBIDDEN, "console-refused-csrf"));
        }
    }
    if let Some(caller) = &caller {
        crate::i18n::signed_in_as(caller.locale);
        req.extensions_mut().insert(caller.clone());
    }
    let visit = ConsoleVisit {
        caller,
        csrf_token: services.tokens.csrf_token(&binding),
        new_presession,
    };
    req.extensions_mut().insert(visit.clone());
    Ok(visit)
}

impl actix_web::FromRequest for ConsoleVisit {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<ConsoleVisit>()
                .cloned()
                .ok_or_else(|| AppError::internal("console page outside the console gate")),
        )
    }
}

async fn signed_in(services: &Services, token: &str) -> Result<Caller, AppError> {
    let verified = services.sessions.console_session(token).await?;
    services.accounts.authenticate(verified).await
}

/// The `csrf_token` field of a URL-encoded form body; the body is put back for the handler.
async fn csrf_field(req: &mut ServiceRequest) -> Option<String> {
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return None;
    }
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    use futures_util::StreamExt;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.ok()?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let token = form_urlencoded::parse(&body)
        .find(|(name, _)| name == CSRF_FIELD)
        .map(|(_, value)| value.into_owned());
    req.set_payload(actix_web::dev::Payload::from(body));
    token
}
