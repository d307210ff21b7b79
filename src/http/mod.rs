//! The HTTP edge: the route table, request decoding, and the app assembled from them.

pub mod access;
pub mod body;
pub mod client;
pub mod console;
pub mod handlers;
pub mod language;
pub mod pagination;
pub mod request_id;

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::{App, HttpResponse, web};

use self::access::{
    ADMIN, AREA, Access, AccessTable, FAMILY, FAMILY_AND_STAFF, FIELD, FIELD_AND_STAFF,
    KEEPER_AND_STAFF, STAFF, VOLUNTEER_AND_STAFF, WATCH_OVER,
};
use crate::error::AppError;
use crate::services::Services;

/// What the HTTP edge reads from the configuration.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub max_body_bytes: usize,
    pub body_timeout: std::time::Duration,
    pub client_address: client::AddressSource,
    pub console: console::session::ConsoleSettings,
}

/// One route: its method, its pattern (as in `api-spec/openapi.yaml`), who may call it, and
/// the handler. Routes exist only through this table.
pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub attach: fn(actix_web::Route) -> actix_web::Route,
}

pub fn routes() -> Vec<RouteDef> {
    use handlers::{
        audit, auth, carriers, district, handovers, health, impact, neighbourhoods, notifications,
        plans, proxies, requests, residents, users, watch_over, webhooks,
    };
    let route = |method: Method, path, access, attach| RouteDef {
        method,
        path,
        access,
        attach,
    };
    vec![
        route(Method::GET, "/healthz", Access::Public, |r| {
            r.to(health::healthz)
        }),
        route(Method::GET, "/readyz", Access::Public, |r| {
            r.to(health::readyz)
        }),
        route(Method::POST, "/api/v1/auth/register", Access::Public, |r| {
            r.to(auth::register)
        }),
        route(Method::POST, "/api/v1/auth/login", Access::Public, |r| {
            r.to(auth::login)
        }),
        route(Method::POST, "/api/v1/auth/refresh", Access::Public, |r| {
            r.to(auth::refresh)
        }),
        route(Method::POST, "/api/v1/auth/logout", Access::Public, |r| {
            r.to(auth::logout)
        }),
        route(Method::GET, "/api/v1/me", Access::SignedIn, |r| {
            r.to(users::me)
        }),
        route(Method::GET, "/api/v1/users", Access::Roles(STAFF), |r| {
            r.to(users::list)
        }),
        route(Method::POST, "/api/v1/users", Access::Roles(STAFF), |r| {
            r.to(users::create)
        }),
        route(
            Method::GET,
            "/api/v1/users/{id}",
            Access::Roles(STAFF),
            |r| r.to(users::get),
        ),
        route(
            Method::POST,
            "/api/v1/users/{id}/approve",
            Access::Roles(STAFF),
            |r| r.to(users::approve),
        ),
        route(
            Method::POST,
            "/api/v1/users/{id}/deactivate",
            Access::Roles(STAFF),
            |r| r.to(users::deactivate),
        ),
        route(Method::POST, "/api/v1/areas", Access::Roles(ADMIN), |r| {
            r.to(district::create_area)
        }),
        route(Method::GET, "/api/v1/areas", Access::SignedIn, |r| {
            r.to(district::list_areas)
        }),
        route(Method::GET, "/api/v1/areas/{id}", Access::SignedIn, |r| {
            r.to(district::get_area)
        }),
        route(
            Method::PATCH,
            "/api/v1/areas/{id}",
            Access::Roles(STAFF),
            |r| r.to(district::update_area),
        ),
        route(Method::POST, "/api/v1/hubs", Access::Roles(STAFF), |r| {
            r.to(district::create_hub)
        }),
        route(Method::GET, "/api/v1/hubs", Access::Roles(AREA), |r| {
            r.to(district::list_hubs)
        }),
        route(Method::GET, "/api/v1/hubs/{id}", Access::Roles(AREA), |r| {
            r.to(district::get_hub)
        }),
        route(
            Method::POST,
            "/api/v1/hubs/{id}/keepers",
            Access::Roles(STAFF),
            |r| r.to(district::add_keeper),
        ),
        route(
            Method::PUT,
            "/api/v1/volunteers/{id}/profile",
            Access::Roles(VOLUNTEER_AND_STAFF),
            |r| r.to(carriers::put_profile),
        ),
        route(
            Method::GET,
            "/api/v1/volunteers/{id}/profile",
            Access::Roles(VOLUNTEER_AND_STAFF),
            |r| r.to(carriers::get_profile),
        ),
        route(
            Method::POST,
            "/api/v1/post-trips",
            Access::Roles(STAFF),
            |r| r.to(carriers::create_trip),
        ),
        route(
            Method::GET,
            "/api/v1/post-trips",
            Access::Roles(AREA),
            |r| r.to(carriers::list_trips),
        ),
        route(
            Method::GET,
            "/api/v1/post-trips/{id}",
            Access::Roles(AREA),
            |r| r.to(carriers::get_trip),
        ),
        route(
            Method::POST,
            "/api/v1/neighbourhoods",
            Access::Roles(STAFF),
            |r| r.to(neighbourhoods::create),
        ),
        route(
            Method::GET,
            "/api/v1/neighbourhoods",
            Access::Roles(STAFF),
            |r| r.to(neighbourhoods::list),
        ),
        route(
            Method::GET,
            "/api/v1/neighbourhoods/{id}",
            Access::Roles(STAFF),
            |r| r.to(neighbourhoods::get),
        ),
        route(
            Method::PUT,
            "/api/v1/neighbourhoods/{id}",
            Access::Roles(STAFF),
            |r| r.to(neighbourhoods::replace),
        ),
        route(
            Method::POST,
            "/api/v1/residents",
            Access::Roles(STAFF),
            |r| r.to(residents::create),
        ),
        route(
            Method::GET,
            "/api/v1/residents",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(residents::list),
        ),
        route(
            Method::GET,
            "/api/v1/residents/{id}",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(residents::get),
        ),
        route(
            Method::POST,
            "/api/v1/residents/{id}/guardians",
            Access::Roles(STAFF),
            |r| r.to(residents::link_guardian),
        ),
        route(
            Method::PATCH,
            "/api/v1/residents/{id}",
            Access::Roles(STAFF),
            |r| r.to(residents::update),
        ),
        route(
            Method::POST,
            "/api/v1/residents/{id}/guardian-requests",
            Access::Roles(FAMILY),
            |r| r.to(residents::request_link),
        ),
        route(
            Method::GET,
            "/api/v1/guardian-requests",
            Access::Roles(STAFF),
            |r| r.to(residents::requested_links),
        ),
        route(
            Method::POST,
            "/api/v1/guardian-requests",
            Access::Roles(FAMILY),
            |r| r.to(residents::request_link_by_code),
        ),
        route(
            Method::POST,
            "/api/v1/residents/{id}/link-codes",
            Access::Roles(STAFF),
            |r| r.to(residents::create_link_code),
        ),
        route(
            Method::POST,
            "/api/v1/requests",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(requests::create),
        ),
        route(
            Method::GET,
            "/api/v1/requests",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(requests::list),
        ),
        route(
            Method::GET,
            "/api/v1/requests/{id}",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(requests::get),
        ),
        route(
            Method::PATCH,
            "/api/v1/requests/{id}",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(requests::update),
        ),
        route(
            Method::POST,
            "/api/v1/requests/{id}/cancel",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(requests::cancel),
        ),
        route(
            Method::POST,
            "/api/v1/requests/{id}/transitions",
            Access::Roles(STAFF),
            |r| r.to(requests::transition),
        ),
        route(Method::GET, "/api/v1/plans", Access::Roles(STAFF), |r| {
            r.to(plans::list)
        }),
        route(Method::POST, "/api/v1/plans", Access::Roles(STAFF), |r| {
            r.to(plans::create)
        }),
        route(
            Method::GET,
            "/api/v1/plans/{id}",
            Access::Roles(STAFF),
            |r| r.to(plans::get),
        ),
        route(
            Method::GET,
            "/api/v1/runs",
            Access::Roles(FIELD_AND_STAFF),
            |r| r.to(plans::list_runs),
        ),
        route(
            Method::GET,
            "/api/v1/runs/{id}",
            Access::Roles(FIELD_AND_STAFF),
            |r| r.to(plans::get_run),
        ),
        route(
            Method::POST,
            "/api/v1/runs/{id}/accept",
            Access::Roles(FIELD),
            |r| r.to(plans::accept_run),
        ),
        route(
            Method::POST,
            "/api/v1/runs/{id}/decline",
            Access::Roles(FIELD),
            |r| r.to(plans::decline_run),
        ),
        route(
            Method::POST,
            "/api/v1/runs/{id}/start",
            Access::Roles(FIELD),
            |r| r.to(plans::start_run),
        ),
        route(
            Method::POST,
            "/api/v1/runs/{id}/reassign",
            Access::Roles(STAFF),
            |r| r.to(plans::reassign_run),
        ),
        route(
            Method::GET,
            "/api/v1/hubs/{id}/arrivals",
            Access::Roles(KEEPER_AND_STAFF),
            |r| r.to(plans::hub_arrivals),
        ),
        route(
            Method::POST,
            "/api/v1/handovers",
            Access::Roles(AREA),
            |r| r.to(handovers::record),
        ),
        route(
            Method::POST,
            "/api/v1/handovers/batch",
            Access::Roles(AREA),
            |r| r.to(handovers::record_batch),
        ),
        route(
            Method::GET,
            "/api/v1/handovers/{id}/proof-image",
            Access::Roles(STAFF),
            |r| r.to(handovers::proof_image),
        ),
        route(
            Method::POST,
            "/api/v1/requests/{id}/handover-code/reset",
            Access::Roles(STAFF),
            |r| r.to(handovers::reset_code),
        ),
        route(
            Method::GET,
            "/api/v1/requests/{id}/custody",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(handovers::custody),
        ),
        route(
            Method::POST,
            "/api/v1/post-trips/{id}/carriers",
            Access::Roles(STAFF),
            |r| r.to(carriers::link_trip_carrier),
        ),
        route(
            Method::GET,
            "/api/v1/post-trips/{id}/carriers",
            Access::Roles(STAFF),
            |r| r.to(carriers::trip_carriers),
        ),
        route(
            Method::DELETE,
            "/api/v1/post-trips/{id}/carriers/{user_id}",
            Access::Roles(STAFF),
            |r| r.to(carriers::unlink_trip_carrier),
        ),
        route(
            Method::POST,
            "/api/v1/residents/{id}/proxies",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(proxies::add),
        ),
        route(
            Method::GET,
            "/api/v1/residents/{id}/proxies",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(proxies::list),
        ),
        route(
            Method::DELETE,
            "/api/v1/residents/{id}/proxies/{proxy_id}",
            Access::Roles(FAMILY_AND_STAFF),
            |r| r.to(proxies::remove),
        ),
        route(
            Method::GET,
            "/api/v1/hubs/{id}/shelf",
            Access::Roles(KEEPER_AND_STAFF),
            |r| r.to(watch_over::shelf),
        ),
        route(
            Method::GET,
            "/api/v1/escalations",
            Access::Roles(WATCH_OVER),
            |r| r.to(watch_over::list),
        ),
        route(
            Method::GET,
            "/api/v1/escalations/{id}",
            Access::Roles(WATCH_OVER),
            |r| r.to(watch_over::get),
        ),
        route(
            Method::POST,
            "/api/v1/escalations/{id}/acknowledge",
            Access::Roles(WATCH_OVER),
            |r| r.to(watch_over::acknowledge),
        ),
        route(
            Method::POST,
            "/api/v1/escalations/{id}/resolve",
            Access::Roles(WATCH_OVER),
            |r| r.to(watch_over::resolve),
        ),
        route(Method::GET, "/api/v1/impact", Access::Roles(STAFF), |r| {
            r.to(impact::report)
        }),
        route(Method::GET, "/api/v1/audit", Access::Roles(STAFF), |r| {
            r.to(audit::list)
        }),
        route(
            Method::POST,
            "/api/v1/webhooks",
            Access::Roles(STAFF),
            |r| r.to(webhooks::create),
        ),
        route(Method::GET, "/api/v1/webhooks", Access::Roles(STAFF), |r| {
            r.to(webhooks::list)
        }),
        route(
            Method::GET,
            "/api/v1/webhooks/{id}",
            Access::Roles(STAFF),
            |r| r.to(webhooks::get),
        ),
        route(
            Method::DELETE,
            "/api/v1/webhooks/{id}",
            Access::Roles(STAFF),
            |r| r.to(webhooks::delete),
        ),
        route(
            Method::POST,
            "/api/v1/webhooks/{id}/rotate-secret",
            Access::Roles(STAFF),
            |r| r.to(webhooks::rotate_secret),
        ),
        route(
            Method::GET,
            "/api/v1/webhooks/{id}/deliveries",
            Access::Roles(STAFF),
            |r| r.to(webhooks::deliveries),
        ),
        route(
            Method::POST,
            "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry",
            Access::Roles(STAFF),
            |r| r.to(webhooks::retry),
        ),
        route(
            Method::POST,
            "/api/v1/webhooks/{id}/test",
            Access::Roles(STAFF),
            |r| r.to(webhooks::ping),
        ),
        route(
            Method::GET,
            "/api/v1/notifications",
            Access::SignedIn,
            |r| r.to(notifications::list),
        ),
        route(
            Method::POST,
            "/api/v1/notifications/{id}/read",
            Access::SignedIn,
            |r| r.to(notifications::read),
        ),
        route(
            Method::POST,
            "/api/v1/notifications/read-all",
            Access::SignedIn,
            |r| r.to(notifications::read_all),
        ),
    ]
}

/// Every route of the console: pages for a browser, signed in by a session cookie.
pub fn console_routes() -> Vec<RouteDef> {
    use console::{
        assets, audit, exports, field, impact, map, people, planning, requests, residents,
        settings, sign_in, today,
    };
    let route = |method: Method, path, access, attach| RouteDef {
        method,
        path,
        access,
        attach,
    };
    vec![
        route(Method::GET, "/", Access::Public, |r| r.to(sign_in::root)),
        route(
            Method::GET,
            "/console",
            Access::Console(KEEPER_AND_STAFF),
            |r| r.to(sign_in::start),
        ),
        route(
            Method::GET,
            "/console/static/{path:.*}",
            Access::Public,
            |r| r.to(assets::file),
        ),
        route(Method::GET, "/console/sign-in", Access::ConsoleOpen, |r| {
            r.to(sign_in::form)
        }),
        route(Method::POST, "/console/sign-in", Access::ConsoleOpen, |r| {
            r.to(sign_in::sign_in)
        }),
        route(
            Method::POST,
            "/console/sign-out",
            Access::ConsoleOpen,
            |r| r.to(sign_in::sign_out),
        ),
        route(
            Method::POST,
            "/console/language",
            Access::ConsoleOpen,
            |r| r.to(sign_in::language),
        ),
        route(Method::GET, "/console/today", Access::Console(STAFF), |r| {
            r.to(today::page)
        }),
        route(Method::GET, "/console/map", Access::Console(STAFF), |r| {
            r.to(map::page)
        }),
        route(
            Method::GET,
            "/console/map.json",
            Access::Console(STAFF),
            |r| r.to(map::data),
        ),
        route(
            Method::GET,
            "/console/residents/{id}/address",
            Access::Console(STAFF),
            |r| r.to(map::address),
        ),
        route(
            Method::POST,
            "/console/residents/{id}/place",
            Access::Console(STAFF),
            |r| r.to(map::place),
        ),
        route(
            Method::GET,
            "/console/requests",
            Access::Console(STAFF),
            |r| r.to(requests::page),
        ),
        route(
            Method::POST,
            "/console/requests",
            Access::Console(STAFF),
            |r| r.to(requests::create),
        ),
        route(
            Method::GET,
            "/console/requests/{id}",
            Access::Console(STAFF),
            |r| r.to(requests::detail),
        ),
        route(
            Method::POST,
            "/console/requests/{id}/cancel",
            Access::Console(STAFF),
            |r| r.to(requests::cancel),
        ),
        route(
            Method::GET,
            "/console/planning",
            Access::Console(STAFF),
            |r| r.to(planning::page),
        ),
        route(
            Method::POST,
            "/console/plans",
            Access::Console(STAFF),
            |r| r.to(planning::plan),
        ),
        route(
            Method::POST,
            "/console/runs/{id}/reassign",
            Access::Console(STAFF),
            |r| r.to(planning::reassign),
        ),
        route(
            Method::GET,
            "/console/field",
            Access::Console(KEEPER_AND_STAFF),
            |r| r.to(field::page),
        ),
        route(
            Method::POST,
            "/console/escalations/{id}/acknowledge",
            Access::Console(KEEPER_AND_STAFF),
            |r| r.to(field::acknowledge),
        ),
        route(
            Method::POST,
            "/console/escalations/{id}/resolve",
            Access::Console(KEEPER_AND_STAFF),
            |r| r.to(field::resolve),
        ),
        route(
            Method::GET,
            "/console/residents",
            Access::Console(STAFF),
            |r| r.to(residents::list),
        ),
        route(
            Method::POST,
            "/console/residents",
            Access::Console(STAFF),
            |r| r.to(residents::create),
        ),
        route(
            Method::GET,
            "/console/residents/{id}",
            Access::Console(STAFF),
            |r| r.to(residents::detail),
        ),
        route(
            Method::POST,
            "/console/residents/{id}",
            Access::Console(STAFF),
            |r| r.to(residents::update),
        ),
        route(
            Method::POST,
            "/console/residents/{id}/guardians",
            Access::Console(STAFF),
            |r| r.to(residents::link_guardian),
        ),
        route(
            Method::POST,
            "/console/residents/{id}/link-codes",
            Access::Console(STAFF),
            |r| r.to(residents::link_code),
        ),
        route(
            Method::POST,
            "/console/residents/{id}/proxies",
            Access::Console(STAFF),
            |r| r.to(residents::add_proxy),
        ),
        route(
            Method::POST,
            "/console/residents/{id}/proxies/{proxy_id}/remove",
            Access::Console(STAFF),
            |r| r.to(residents::remove_proxy),
        ),
        route(
            Method::GET,
            "/console/people",
            Access::Console(STAFF),
            |r| r.to(people::page),
        ),
        route(
            Method::POST,
            "/console/users",
            Access::Console(STAFF),
            |r| r.to(people::create),
        ),
        route(
            Method::POST,
            "/console/users/{id}/approve",
            Access::Console(STAFF),
            |r| r.to(people::approve),
        ),
        route(
            Method::POST,
            "/console/users/{id}/deactivate",
            Access::Console(STAFF),
            |r| r.to(people::deactivate),
        ),
        route(
            Method::POST,
            "/console/post-trips/{id}/carriers",
            Access::Console(STAFF),
            |r| r.to(people::link_carrier),
        ),
        route(
            Method::POST,
            "/console/post-trips/{id}/carriers/{user_id}/remove",
            Access::Console(STAFF),
            |r| r.to(people::unlink_carrier),
        ),
        route(Method::GET, "/console/audit", Access::Console(STAFF), |r| {
            r.to(audit::page)
        }),
        route(
            Method::GET,
            "/console/exports",
            Access::Console(STAFF),
            |r| r.to(exports::page),
        ),
        route(
            Method::GET,
            "/console/exports/{file}",
            Access::Console(STAFF),
            |r| r.to(exports::download),
        ),
        route(
            Method::GET,
            "/console/settings",
            Access::Console(STAFF),
            |r| r.to(settings::page),
        ),
        route(
            Method::POST,
            "/console/settings",
            Access::Console(STAFF),
            |r| r.to(settings::save),
        ),
        route(
            Method::GET,
            "/console/impact",
            Access::Console(STAFF),
            |r| r.to(impact::page),
        ),
        route(
            Method::GET,
            "/console/impact.csv",
            Access::Console(STAFF),
            |r| r.to(impact::csv),
        ),
    ]
}

/// Handovers carry a signature or photo (at most 256 KiB, a third more in base64): their
/// routes read more than the configured limit, a phone's offline batch more again.
fn body_limit(path: &str) -> Option<usize> {
    match path {
        "/api/v1/handovers" => Some(HANDOVER_BODY_BYTES),
        "/api/v1/handovers/batch" => Some(HANDOVER_BATCH_BODY_BYTES),
        _ => None,
    }
}

pub const HANDOVER_BODY_BYTES: usize = 512 * 1024;
pub const HANDOVER_BATCH_BODY_BYTES: usize = 8 * 1024 * 1024;

async fn route_not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::RouteNotFound)
}

/// Registers every route of the table, grouped by pattern so that a wrong method on a known
/// pattern answers 405, plus the decoders' error mapping.
pub fn configure(cfg: &mut web::ServiceConfig, settings: &HttpSettings) {
    let max_body_bytes = settings.max_body_bytes;
    let mut table = AccessTable::default();
    let mut patterns: Vec<(&'static str, Vec<RouteDef>)> = Vec::new();
    for def in routes().into_iter().chain(console_routes()) {
        table.insert(def.method.clone(), def.path, def.access);
        match patterns.iter_mut().find(|(p, _)| *p == def.path) {
            Some((_, defs)) => defs.push(def),
            None => patterns.push((def.path, vec![def])),
        }
    }
    cfg.app_data(web::Data::new(Arc::new(table)))
        .app_data(web::Data::new(settings.client_address))
        .app_data(web::Data::new(settings.console.clone()))
        .app_data(web::Data::new(body::BodyRules {
            limit: max_body_bytes,
            timeout: settings.body_timeout,
        }))
        .app_data(web::PayloadConfig::new(max_body_bytes))
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()));
    for (path, defs) in patterns {
        let mut resource = web::resource(path);
        if let Some(limit) = body_limit(path) {
            let limit = limit.max(max_body_bytes);
            resource = resource
                .app_data(web::Data::new(body::BodyRules {
                    limit,
                    timeout: settings.body_timeout,
                }))
                .app_data(web::PayloadConfig::new(limit));
        }
        let allow = defs
            .iter()
            .map(|def| def.method.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        // A console address a browser shows answers with a page, never with JSON: an id that
        // does not read is a page saying it is not found.
        let console = path.starts_with("/console");
        if console {
            resource = resource
                .app_data(web::PathConfig::default().error_handler(|_, _| {
                    actix_web::error::InternalError::from_response(
                        "console path",
                        console::page::failure(&AppError::NotFound),
                    )
                    .into()
                }))
                .app_data(web::QueryConfig::default().error_handler(|_, _| {
                    actix_web::error::InternalError::from_response(
                        "console query",
                        console::page::failure(&AppError::invalid(
                            "query",
                            "console-form-unreadable",
                        )),
                    )
                    .into()
                }));
        }
        for def in defs {
            resource = resource.route((def.attach)(web::route().method(def.method)));
        }
        // Any other method: 405, saying which ones the route takes.
        cfg.service(resource.default_service(web::to(move || {
            let allow = allow.clone();
            async move {
                let refused = AppError::MethodNotAllowed {
                    allow: allow.clone(),
                };
                if !console {
                    return Err::<HttpResponse, _>(refused);
                }
                let mut page = console::page::failure(&refused);
                if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
                    page.headers_mut()
                        .insert(actix_web::http::header::ALLOW, value);
                }
                Ok(page)
            }
        })));
    }
}

/// The whole application for one worker.
pub fn app(
    services: web::Data<Services>,
    settings: HttpSettings,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(services)
        .configure(|cfg| configure(cfg, &settings))
        .default_service(web::to(route_not_found))
        .wrap(actix_web::middleware::from_fn(access::middleware))
        .wrap(actix_web::middleware::from_fn(language::middleware))
        .wrap(actix_web::middleware::from_fn(request_id::middleware))
}
