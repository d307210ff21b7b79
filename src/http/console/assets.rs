//! The console's static files, embedded in the binary at build time: its own style sheet and
//! scripts, and the vendored libraries (htmx, Leaflet, uPlot) at pinned versions with their
//! licences beside them in `static/vendor/`. Nothing is fetched from elsewhere at run time.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::error::AppError;

/// (path under `/console/static/`, content type, bytes)
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "console.css",
        "text/css; charset=utf-8",
        include_bytes!("static/console.css"),
    ),
    (
        "impact.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/impact.js"),
    ),
    (
        "map.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/map.js"),
    ),
    (
        "settings.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/settings.js"),
    ),
    (
        "vendor/htmx/htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/vendor/htmx/htmx.min.js"),
    ),
    (
        "vendor/htmx/LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("static/vendor/htmx/LICENSE"),
    ),
    (
        "vendor/leaflet/leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/vendor/leaflet/leaflet.js"),
    ),
    (
        "vendor/leaflet/leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("static/vendor/leaflet/leaflet.css"),
    ),
    (
        "vendor/leaflet/LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("static/vendor/leaflet/LICENSE"),
    ),
    (
        "vendor/leaflet/images/layers.png",
        "image/png",
        include_bytes!("static/vendor/leaflet/images/layers.png"),
    ),
    (
        "vendor/leaflet/images/layers-2x.png",
        "image/png",
        include_bytes!("static/vendor/leaflet/images/layers-2x.png"),
    ),
    (
        "vendor/leaflet/images/marker-icon.png",
        "image/png",
        include_bytes!("static/vendor/leaflet/images/marker-icon.png"),
    ),
    (
        "vendor/leaflet/images/marker-icon-2x.png",
        "image/png",
        include_bytes!("static/vendor/leaflet/images/marker-icon-2x.png"),
    ),
    (
        "vendor/leaflet/images/marker-shadow.png",
        "image/png",
        include_bytes!("static/vendor/leaflet/images/marker-shadow.png"),
    ),
    (
        "vendor/uplot/uPlot.iife.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/vendor/uplot/uPlot.iife.min.js"),
    ),
    (
        "vendor/uplot/uPlot.min.css",
        "text/css; charset=utf-8",
        include_bytes!("static/vendor/uplot/uPlot.min.css"),
    ),
    (
        "vendor/uplot/LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("static/vendor/uplot/LICENSE"),
    ),
];

/// `GET /console/static/{path}`: an embedded file, cached for an hour (the binary's version
/// changes the files only with a new release).
pub async fn file(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let wanted = path.into_inner();
    let (_, content_type, bytes) = FILES
        .iter()
        .find(|(name, _, _)| *name == wanted)
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, *content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(*bytes))
}
