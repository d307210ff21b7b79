//! The frame every console page shares: the header with the area and the signed-in person,
//! the navigation, the language switch and sign-out, and the headers that keep the page
//! private (no caching, a strict Content-Security-Policy, no framing).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, HttpResponseBuilder, web};
use maud::{DOCTYPE, Markup, html};

use super::session::{self, CSRF_FIELD, ConsoleSettings, ConsoleVisit};
use crate::domain::account::{Locale, Role};
use crate::error::AppError;
use crate::i18n;
use crate::services::Services;
use crate::services::caller::Caller;
use chrono::{Days, NaiveDate};

/// The catalogue's `key` in the language of the page being served.
pub fn t(key: &str) -> String {
    i18n::lookup::<&str>(i18n::current(), key, &[])
}

/// The catalogue's `key` with named arguments.
pub fn t_with(key: &str, args: &[(&str, String)]) -> String {
    i18n::lookup(i18n::current(), key, args)
}

/// The console's pages, as the navigation lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Today,
    Map,
    Residents,
    Requests,
    Planning,
    Field,
    People,
    Impact,
    Exports,
    Audit,
    Settings,
}

impl Section {
    const ALL: [Section; 11] = [
        Section::Today,
        Section::Map,
        Section::Residents,
        Section::Requests,
        Section::Planning,
        Section::Field,
        Section::People,
        Section::Impact,
        Section::Exports,
        Section::Audit,
        Section::Settings,
    ];

    pub fn href(self) -> &'static str {
        match self {
            Section::Today => "/console/today",
            Section::Map => "/console/map",
            Section::Residents => "/console/residents",
            Section::Requests => "/console/requests",
            Section::Planning => "/console/planning",
            Section::Field => "/console/field",
            Section::People => "/console/people",
            Section::Impact => "/console/impact",
            Section::Exports => "/console/exports",
            Section::Audit => "/console/audit",
            Section::Settings => "/console/settings",
        }
    }

    fn title_key(self) -> &'static str {
        match self {
            Section::Today => "console-today-title",
            Section::Map => "console-map-title",
            Section::Residents => "console-residents-title",
            Section::Requests => "console-requests-title",
            Section::Planning => "console-planning-title",
            Section::Field => "console-field-title",
            Section::People => "console-people-title",
            Section::Impact => "console-impact-title",
            Section::Exports => "console-exports-title",
            Section::Audit => "console-audit-title",
            Section::Settings => "console-settings-title",
        }
    }

    /// Whether `role` may open the section (the access table says the same of its routes).
    fn open_to(self, role: Role) -> bool {
        role.is_staff() || (role == Role::HubKeeper && self == Section::Field)
    }

    /// Where `role` starts.
    pub fn home(role: Role) -> Section {
        if role.is_staff() {
            Section::Today
        } else {
            Section::Field
        }
    }
}

/// One console page to answer.
pub struct Page<'a> {
    pub section: Option<Section>,
    pub title: String,
    pub visit: &'a ConsoleVisit,
    /// The path the language switch comes back to.
    pub here: String,
    /// Extra scripts and style sheets of this page (from `/console/static/`).
    pub scripts: &'a [&'a str],
    pub styles: &'a [&'a str],
}

fn secure_headers(builder: &mut HttpResponseBuilder, csp: &str) {
    builder
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("content-security-policy", csp.to_owned()))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("x-frame-options", "DENY"))
        .insert_header(("referrer-policy", "same-origin"));
}

/// The hidden field that carries the CSRF token in every form.
pub fn csrf_input(visit: &ConsoleVisit) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(visit.csrf_token); }
}

fn language_switch(visit: &ConsoleVisit, here: &str) -> Markup {
    let current = i18n::current();
    html! {
        form.language method="post" action="/console/language" {
            (csrf_input(visit))
            input type="hidden" name="back" value=(here);
            span.visually-hidden { (t("console-language")) }
            @for (locale, label) in [(Locale::Ja, "日本語"), (Locale::En, "English")] {
                @if locale == current {
                    button type="submit" name="to" value=(locale.as_str()) aria-current="true" lang=(locale.as_str()) { (label) }
                } @else {
                    button type="submit" name="to" value=(locale.as_str()) lang=(locale.as_str()) { (label) }
                }
            }
        }
    }
}

fn document(
    title: &str,
    (scripts, styles): (&[&str], &[&str]),
    header_part: Markup,
    main: Markup,
) -> Markup {
    let locale = i18n::current();
    html! {
        (DOCTYPE)
        html lang=(locale.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                // htmx would add a <style> element, which the policy refuses.
                meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"allowEval":false}"#;
                title { (title) " — " (t("console-product")) }
                link rel="stylesheet" href="/console/static/console.css";
                @for style in styles {
                    link rel="stylesheet" href={ "/console/static/" (style) };
                }
                script src="/console/static/vendor/htmx/htmx.min.js" defer {}
                @for script in scripts {
                    script src={ "/console/static/" (script) } defer {}
                }
            }
            body {
                a.skip href="#main" { (t("console-skip-to-content")) }
                header.top { (header_part) }
                main #main tabindex="-1" { (main) }
            }
        }
    }
}

/// A whole console page, answered 200 with the private headers.
pub fn render(settings: &ConsoleSettings, page: Page<'_>, main: Markup) -> HttpResponse {
    let visit = page.visit;
    let header_part = html! {
        span.brand { (t("console-product")) }
        @if let Some(caller) = &visit.caller {
            nav aria-label=(t("console-navigation")) {
                ul {
                    @for section in Section::ALL.into_iter().filter(|s| s.open_to(caller.role)) {
                        li {
                            @if page.section == Some(section) {
                                a href=(section.href()) aria-current="page" { (t(section.title_key())) }
                            } @else {
                                a href=(section.href()) { (t(section.title_key())) }
                            }
                        }
                    }
                }
            }
        }
        div.tools {
            (language_switch(visit, &page.here))
            @if visit.caller.is_some() {
                form method="post" action="/console/sign-out" {
                    (csrf_input(visit))
                    button type="submit" { (t("console-sign-out")) }
                }
            }
        }
    };
    let mut builder = HttpResponse::Ok();
    secure_headers(&mut builder, &settings.content_security_policy);
    if let Some(fresh) = &visit.new_presession {
        builder.cookie(session::cookie(
            settings,
            session::PRESESSION_COOKIE,
            fresh.clone(),
        ));
    }
    builder
        .body(document(&page.title, (page.scripts, page.styles), header_part, main).into_string())
}

/// A page saying why a request was not let in, with the way on.
pub fn refusal(status: StatusCode, key: &str) -> HttpResponse {
    let title = t(&format!("{key}-title"));
    let main = html! {
        h1 { (title) }
        p { (t(key)) }
        p { a href="/console" { (t("console-back-to-start")) } }
    };
    let mut builder = HttpResponse::build(status);
    secure_headers(&mut builder, STRICT_POLICY);
    builder.body(
        document(
            &title,
            (&[], &[]),
            html! { span.brand { (t("console-product")) } },
            main,
        )
        .into_string(),
    )
}

/// A page for a use case that refused or failed: its problem's title and detail in the
/// page's language, with the status the API would answer.
pub fn failure(error: &AppError) -> HttpResponse {
    use actix_web::ResponseError;
    if let AppError::Internal(cause) = error {
        tracing::error!(cause = %cause, "internal error on a console page");
    }
    let problem = error.problem();
    let main = html! {
        h1 { (problem.title) }
        p { (problem.detail) }
        p { a href="/console" { (t("console-back-to-start")) } }
    };
    let mut builder = HttpResponse::build(error.status_code());
    secure_headers(&mut builder, STRICT_POLICY);
    builder.body(
        document(
            &problem.title,
            (&[], &[]),
            html! { span.brand { (t("console-product")) } },
            main,
        )
        .into_string(),
    )
}

/// The policy of pages that need nothing but Yui's own style sheet.
const STRICT_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// A URL-encoded form's fields; a form that does not read is refused with 422.
pub fn read_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::invalid("form", "console-form-unreadable"))
}

/// The console's settings, as every page handler takes them.
pub type Settings = web::Data<ConsoleSettings>;

/// The date a page shows: the one asked for (`YYYY-MM-DD`), else the area's today plus
/// `days_ahead`.
pub async fn chosen_date(
    services: &Services,
    caller: &Caller,
    asked: Option<&str>,
    days_ahead: u64,
) -> Result<NaiveDate, AppError> {
    if let Some(raw) = asked.filter(|raw| !raw.is_empty()) {
        return Ok(crate::domain::area::parse_date("date", raw)?);
    }
    let zone = services
        .district
        .area(caller, caller.area()?)
        .await?
        .time_zone;
    services
        .clock
        .now()
        .with_timezone(&zone)
        .date_naive()
        .checked_add_days(Days::new(days_ahead))
        .ok_or_else(|| AppError::internal("date out of range"))
}

/// A time from the wire (RFC 3339) as the page's reader reads it in `zone`.
pub fn wire_time(wire: &str, zone: chrono_tz::Tz) -> String {
    chrono::DateTime::parse_from_rfc3339(wire).map_or_else(
        |_| wire.to_owned(),
        |at| i18n::long_date_time(at.with_timezone(&chrono::Utc), zone, i18n::current()),
    )
}

/// On to `to` (303 See Other), never cached.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// What a form's use case came to: on to the page `to` names (303), or a page saying why
/// it was refused, with the API's status.
pub fn after_form<T>(outcome: Result<T, AppError>, to: impl FnOnce(&T) -> String) -> HttpResponse {
    match outcome {
        Ok(done) => see_other(&to(&done)),
        Err(error) => failure(&error),
    }
}

/// What a page's use cases came to: the page, or a page saying why it could not be shown,
/// with the API's status.
pub fn answer(outcome: Result<HttpResponse, AppError>) -> HttpResponse {
    outcome.unwrap_or_else(|error| failure(&error))
}

/// A filter's value as a form sends it: none when left empty, else parsed (422 when it does
/// not read).
pub fn chosen<T>(
    raw: Option<&String>,
    parse: impl Fn(&str) -> Result<T, AppError>,
) -> Result<Option<T>, AppError> {
    raw.map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .map(parse)
        .transpose()
}
