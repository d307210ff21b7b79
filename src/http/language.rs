//! The language of each answer: the console's language switch (a cookie) on its pages, then
//! `Accept-Language`, then the signed-in user's locale
//! (set by the access middleware once it knows the caller), else English.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::middleware::Next;

use super::console::session::LANGUAGE_COOKIE;
use crate::domain::account::Locale;
use crate::i18n::{self, RequestLanguage};

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // The console's language switch wins in the browser that chose it.
    let chosen = req
        .path()
        .starts_with("/console")
        .then(|| req.cookie(LANGUAGE_COOKIE))
        .flatten()
        .and_then(|c| c.value().parse::<Locale>().ok());
    let asked = chosen.or_else(|| {
        req.headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(i18n::negotiate)
    });
    i18n::LANGUAGE
        .scope(RequestLanguage::new(asked), next.call(req))
        .await
}
