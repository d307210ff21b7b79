//! The map: the area's neighbourhoods, hubs with their storage, residents (placed, and those
//! waiting to be placed, which the coordinator places by clicking), and a date's runs as
//! lines between their stops, one colour per carrier. The page carries no figures itself:
//! `map.js` draws what `/console/map.json` answers, on a canvas so 2,000 residents stay fluid.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use maud::html;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::page::{self, Page, Section, Settings, t, t_with};
use super::session::ConsoleVisit;
use crate::domain::area::Location;
use crate::domain::ids::{HubId, NeighbourhoodId, ResidentId};
use crate::domain::resident::LocationStatus;
use crate::error::AppError;
use crate::i18n;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::residents::ResidentChanges;

/// The most residents one map shows (a district is far smaller).
const MAX_RESIDENTS: i64 = 20_000;

#[derive(Deserialize)]
pub struct MapQuery {
    date: Option<String>,
}

/// `GET /console/map`
pub async fn page(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    query: web::Query<MapQuery>,
) -> HttpResponse {
    let date = match page::chosen_date(&services, &caller, query.date.as_deref(), 1).await {
        Ok(date) => date,
        Err(error) => return page::failure(&error),
    };
    let waiting = match services
        .residents
        .list(&caller, true, None, MAX_RESIDENTS)
        .await
    {
        Ok(residents) => residents,
        Err(error) => return page::failure(&error),
    };
    let title = t("console-map-title");
    let day = date.format("%Y-%m-%d").to_string();
    let main = html! {
        h1 { (title) }
        form.no-print method="get" action="/console/map" {
            label for="date" { (t("console-map-date")) }
            input #date type="date" name="date" value=(day) required;
            " "
            button type="submit" { (t("console-map-show")) }
        }
        p.muted { (t_with("console-map-runs-of", &[("date", i18n::long_date(date, i18n::current()))])) }
        div.map-layout {
            div #map
                data-tiles=(settings.map_tile_url)
                data-attribution=(settings.map_attribution)
                data-source={ "/console/map.json?date=" (day) }
                data-csrf=(visit.csrf_token)
                data-place-label=(t("console-map-place-here"))
                data-cancel-label=(t("console-map-cancel"))
                data-chosen-label=(t_with("console-map-chosen", &[("name", "{name}".to_owned())]))
                role="region" aria-label=(t("console-map-title")) {}
            aside.review aria-labelledby="review-heading" {
                h2 #review-heading { (t("console-map-review")) " (" (waiting.len()) ")" }
                @if waiting.is_empty() {
                    p { (t("console-map-review-none")) }
                } @else {
                    p.muted { (t("console-map-review-how")) }
                    p #place-status role="status" aria-live="polite" {}
                    ul.review-list {
                        @for resident in &waiting {
                            li {
                                button.choose type="button" data-resident=(resident.id) aria-pressed="false" { (resident.name) }
                                " "
                                button.link type="button" hx-get={ "/console/residents/" (resident.id) "/address" }
                                    hx-target={ "#address-" (resident.id) } hx-swap="innerHTML" {
                                    (t("console-map-show-address"))
                                }
                                span.address id={ "address-" (resident.id) } {}
                                details {
                                    summary { (t("console-map-by-coordinates")) }
                                    form method="post" action={ "/console/residents/" (resident.id) "/place" } {
                                        (page::csrf_input(&visit))
                                        label for={ "lat-" (resident.id) } { (t("console-map-lat")) }
                                        input id={ "lat-" (resident.id) } name="lat" type="number" step="any" min="-90" max="90" required;
                                        label for={ "lon-" (resident.id) } { (t("console-map-lon")) }
                                        input id={ "lon-" (resident.id) } name="lon" type="number" step="any" min="-180" max="180" required;
                                        p { button.primary type="submit" { (t("console-map-place")) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page::render(
        &settings,
        Page {
            section: Some(Section::Map),
            title,
            visit: &visit,
            here: format!("/console/map?date={day}"),
            scripts: &["vendor/leaflet/leaflet.js", "map.js"],
            styles: &["vendor/leaflet/leaflet.css"],
        },
        main,
    )
}

#[derive(Serialize)]
struct MapNeighbourhood {
    id: NeighbourhoodId,
    name: String,
    boundary: Value,
}

#[derive(Serialize)]
struct MapHub {
    id: HubId,
    name: String,
    location: Location,
    /// Crates: ambient, chilled, frozen.
    storage: Value,
}

#[derive(Serialize)]
struct MapResident {
    id: ResidentId,
    name: String,
    location: Location,
}

#[derive(Serialize)]
struct MapRun {
    carrier: String,
    kind: String,
    status: String,
    /// [lat, lon] of each stop in order.
    path: Vec<[f64; 2]>,
}

#[derive(Serialize)]
struct MapData {
    neighbourhoods: Vec<MapNeighbourhood>,
    hubs: Vec<MapHub>,
    residents: Vec<MapResident>,
    runs: Vec<MapRun>,
}

async fn map_data(
    services: &Services,
    caller: &Caller,
    date: NaiveDate,
) -> Result<MapData, AppError> {
    let neighbourhoods = services
        .neighbourhoods
        .list(caller)
        .await?
        .into_iter()
        .map(|n| MapNeighbourhood {
            id: n.id,
            name: n.name,
            boundary: n.boundary,
        })
        .collect();
    let hubs = services
        .district
        .hubs(caller)
        .await?
        .into_iter()
        .map(|h| {
            Ok(MapHub {
                id: h.id,
                name: h.name,
                location: h.location,
                storage: serde_json::to_value(h.storage)
                    .map_err(|e| AppError::internal(e.to_string()))?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let residents = services
        .residents
        .list(caller, false, None, MAX_RESIDENTS)
        .await?
        .into_iter()
        .filter(|r| r.location_status != LocationStatus::NeedsReview)
        .filter_map(|r| {
            r.location.map(|location| MapResident {
                id: r.id,
                name: r.name,
                location,
            })
        })
        .collect();
    let day = date.format("%Y-%m-%d").to_string();
    let runs = match services.plans.for_date(caller, None, &day).await? {
        Some(plan) => plan
            .runs
            .into_iter()
            .map(|run| MapRun {
                carrier: run.carrier.name,
                kind: run.carrier.kind.as_str().to_owned(),
                status: run.status.as_str().to_owned(),
                path: run
                    .stops
                    .iter()
                    .filter_map(|s| s.location.map(|l| [l.lat, l.lon]))
                    .collect(),
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(MapData {
        neighbourhoods,
        hubs,
        residents,
        runs,
    })
}

/// `GET /console/map.json?date=`: what the map draws.
pub async fn data(
    services: web::Data<Services>,
    caller: Caller,
    query: web::Query<MapQuery>,
) -> Result<HttpResponse, AppError> {
    let date = page::chosen_date(&services, &caller, query.date.as_deref(), 1).await?;
    let data = map_data(&services, &caller, date).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(data))
}

/// `GET /console/residents/{id}/address`: a resident's address and phone, for placing them;
/// each read is audited (the service's).
pub async fn address(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<ResidentId>,
) -> HttpResponse {
    match services.residents.get(&caller, id.into_inner()).await {
        Ok(resident) => HttpResponse::Ok()
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
            .content_type("text/html; charset=utf-8")
            .body(
                html! {
                    (resident.address.unwrap_or_default())
                    @if let Some(phone) = resident.phone { " · " (phone) }
                }
                .into_string(),
            ),
        Err(error) => page::failure(&error),
    }
}

#[derive(Deserialize)]
pub struct PlaceForm {
    lat: f64,
    lon: f64,
}

/// `POST /console/residents/{id}/place`: the resident's location, clicked on the map or keyed
/// in; they join the neighbourhood it falls in.
pub async fn place(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<ResidentId>,
    body: web::Bytes,
) -> HttpResponse {
    let form: PlaceForm = match page::read_form(&body) {
        Ok(form) => form,
        Err(error) => return page::failure(&error),
    };
    let changes = ResidentChanges {
        name: None,
        phone: None,
        address: None,
        location: Some(Location {
            lat: form.lat,
            lon: form.lon,
        }),
        fulfilment: None,
    };
    match services
        .residents
        .update(&caller, id.into_inner(), changes)
        .await
    {
        Ok(_) => page::see_other("/console/map"),
        Err(error) => page::failure(&error),
    }
}
