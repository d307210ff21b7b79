//! Area settings: the cutoff rule, the depot (set by clicking the map), the CO2 and
//! circuity factors, the watch-over steps and welfare contact, cold-chain limits and how
//! long proof images are kept. One form, saved through the API's own use case with the
//! settings' version as its `If-Match`, so two coordinators editing at once cannot overwrite
//! each other.

use actix_web::{HttpResponse, web};
use maud::html;
use serde::Deserialize;

use super::page::{self, Page, Section, Settings, csrf_input, t};
use super::session::ConsoleVisit;
use crate::domain::area::Location;
use crate::domain::error::Message;
use crate::domain::text::{Line, TextEnum};
use crate::domain::watch_over::{ColdChain, Step, StepTo};
use crate::error::AppError;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::district::{SettingsChanges, WatchOverInput, WelfareContactInput};

/// Rows of watch-over steps the form offers (the API takes up to 10).
const STEP_ROWS: usize = 6;

#[derive(Deserialize)]
pub struct SettingsQuery {
    saved: Option<String>,
}

/// `GET /console/settings`
pub async fn page(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    query: web::Query<SettingsQuery>,
) -> HttpResponse {
    let area = match caller.area() {
        Ok(area) => area,
        Err(error) => return page::failure(&error),
    };
    let area = match services.district.area_settings(&caller, area).await {
        Ok(area) => area,
        Err(error) => return page::failure(&error),
    };
    let title = t("console-settings-title");
    let depot = area.area.depot;
    let steps = &area.watch_over.steps;
    let welfare = area.watch_over.welfare_contact.as_ref();
    let number = |value: f64| format!("{value}");
    let main = html! {
        h1 { (title) }
        p.muted { (area.area.name) " · " (area.area.time_zone) }
        @if query.saved.is_some() {
            p.notice role="status" { (t("console-settings-saved")) }
        }
        form.settings method="post" action="/console/settings" {
            (csrf_input(&visit))
            input type="hidden" name="version" value=(area.settings_version);
            fieldset {
                legend { (t("console-settings-cutoff")) }
                p.muted { (t("console-settings-cutoff-how")) }
                label for="cutoff_days_before" { (t("console-settings-cutoff-days")) }
                input #cutoff_days_before type="number" name="cutoff_days_before" min="0" max="14" required value=(area.area.cutoff_days_before);
                label for="cutoff_time" { (t("console-settings-cutoff-time")) }
                input #cutoff_time type="time" name="cutoff_time" required value=(area.area.cutoff_time);
            }
            fieldset {
                legend { (t("console-settings-depot")) }
                p.muted { (t("console-settings-depot-how")) }
                div #depot-map .small-map
                    data-tiles=(settings.map_tile_url)
                    data-attribution=(settings.map_attribution)
                    data-lat=(depot.map(|d| d.lat.to_string()).unwrap_or_default())
                    data-lon=(depot.map(|d| d.lon.to_string()).unwrap_or_default())
                    role="region" aria-label=(t("console-settings-depot")) {}
                label for="depot_lat" { (t("console-map-lat")) }
                input #depot_lat type="text" inputmode="decimal" name="depot_lat" value=(depot.map(|d| d.lat.to_string()).unwrap_or_default());
                label for="depot_lon" { (t("console-map-lon")) }
                input #depot_lon type="text" inputmode="decimal" name="depot_lon" value=(depot.map(|d| d.lon.to_string()).unwrap_or_default());
            }
            fieldset {
                legend { (t("console-settings-factors")) }
                label for="co2_kg_per_km" { (t("console-settings-co2")) }
                input #co2_kg_per_km type="text" inputmode="decimal" name="co2_kg_per_km" required value=(number(area.area.co2_kg_per_km));
                label for="circuity_factor" { (t("console-settings-circuity")) }
                input #circuity_factor type="text" inputmode="decimal" name="circuity_factor" required value=(number(area.area.circuity_factor));
            }
            fieldset {
                legend { (t("console-settings-watch-over")) }
                p.muted { (t("console-settings-watch-over-how")) }
                table {
                    thead { tr {
                        th scope="col" { (t("console-settings-step-to")) }
                        th scope="col" { (t("console-settings-step-after")) }
                    } }
                    tbody {
                        @for row in 0..STEP_ROWS {
                            @let step = steps.get(row);
                            tr {
                                td {
                                    select name={ "step_to_" (row) } aria-label={ (t("console-settings-step-to")) " " (row + 1) } {
                                        option value="" { "—" }
                                        @for to in StepTo::ALL {
                                            option value=(to.as_str()) selected[step.is_some_and(|s| s.to == *to)] {
                                                (t(&format!("console-step-{}", to.as_str())))
                                            }
                                        }
                                    }
                                }
                                td {
                                    input type="number" min="0" max="10080" name={ "step_after_" (row) }
                                        aria-label={ (t("console-settings-step-after")) " " (row + 1) }
                                        value=(step.map(|s| s.after_minutes.to_string()).unwrap_or_default());
                                }
                            }
                        }
                    }
                }
                label for="welfare_name" { (t("console-settings-welfare-name")) }
                input #welfare_name type="text" name="welfare_name" maxlength="100" value=(welfare.map(|w| w.name.as_str()).unwrap_or_default());
                label for="welfare_phone" { (t("console-settings-welfare-phone")) }
                input #welfare_phone type="tel" name="welfare_phone" maxlength="30" value=(welfare.map(|w| w.phone.as_str()).unwrap_or_default());
            }
            fieldset {
                legend { (t("console-settings-cold-chain")) }
                label for="chilled_minutes" { (t("console-settings-chilled")) }
                input #chilled_minutes type="number" min="1" name="chilled_minutes" required value=(area.cold_chain.chilled_minutes);
                label for="frozen_minutes" { (t("console-settings-frozen")) }
                input #frozen_minutes type="number" min="1" name="frozen_minutes" required value=(area.cold_chain.frozen_minutes);
            }
            fieldset {
                legend { (t("console-settings-retention")) }
                label for="image_retention_days" { (t("console-settings-image-days")) }
                input #image_retention_days type="number" min="1" max="3650" name="image_retention_days" required value=(area.image_retention_days);
            }
            p { button.primary type="submit" { (t("console-settings-save")) } }
        }
    };
    page::render(
        &settings,
        Page {
            section: Some(Section::Settings),
            title,
            visit: &visit,
            here: "/console/settings".to_owned(),
            scripts: &["vendor/leaflet/leaflet.js", "settings.js"],
            styles: &["vendor/leaflet/leaflet.css"],
        },
        main,
    )
}

/// The form as sent: every field text, read into the API's changes below.
#[derive(Deserialize)]
pub struct SettingsForm {
    version: String,
    cutoff_time: Line,
    cutoff_days_before: String,
    depot_lat: Option<String>,
    depot_lon: Option<String>,
    co2_kg_per_km: String,
    circuity_factor: String,
    #[serde(flatten)]
    steps: std::collections::HashMap<String, String>,
    welfare_name: Option<Line>,
    welfare_phone: Option<Line>,
    chilled_minutes: String,
    frozen_minutes: String,
    image_retention_days: String,
}

fn number<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::invalid(field, Message::new("invalid-number")))
}

fn blank(raw: Option<&String>) -> Option<&str> {
    raw.map(|r| r.trim()).filter(|r| !r.is_empty())
}

impl SettingsForm {
    fn changes(self) -> Result<SettingsChanges, AppError> {
        let depot = match (
            blank(self.depot_lat.as_ref()),
            blank(self.depot_lon.as_ref()),
        ) {
            (None, None) => None,
            (Some(lat), Some(lon)) => Some(Location {
                lat: number("depot.lat", lat)?,
                lon: number("depot.lon", lon)?,
            }),
            _ => return Err(AppError::invalid("depot", "invalid-depot-both")),
        };
        let mut steps = Vec::new();
        for row in 0..STEP_ROWS {
            let Some(to) = blank(self.steps.get(&format!("step_to_{row}"))) else {
                continue;
            };
            let after = blank(self.steps.get(&format!("step_after_{row}"))).unwrap_or("0");
            steps.push(Step {
                to: StepTo::parse(to)?,
                after_minutes: number("watch_over.steps.after_minutes", after)?,
            });
        }
        let welfare_contact = match (self.welfare_name, self.welfare_phone) {
            (Some(name), Some(phone)) if !name.trim().is_empty() || !phone.trim().is_empty() => {
                Some(WelfareContactInput { name, phone })
            }
            _ => None,
        };
        Ok(SettingsChanges {
            cutoff_time: Some(self.cutoff_time),
            cutoff_days_before: Some(number("cutoff_days_before", &self.cutoff_days_before)?),
            depot,
            co2_kg_per_km: Some(number("co2_kg_per_km", &self.co2_kg_per_km)?),
            circuity_factor: Some(number("circuity_factor", &self.circuity_factor)?),
            watch_over: Some(WatchOverInput {
                steps,
                welfare_contact,
            }),
            cold_chain: Some(ColdChain {
                chilled_minutes: number("cold_chain.chilled_minutes", &self.chilled_minutes)?,
                frozen_minutes: number("cold_chain.frozen_minutes", &self.frozen_minutes)?,
            }),
            image_retention_days: Some(number("image_retention_days", &self.image_retention_days)?),
        })
    }
}

/// `POST /console/settings`: the whole form, saved if nobody changed the settings since
/// the page was read (412 with a page saying so otherwise).
pub async fn save(services: web::Data<Services>, caller: Caller, body: web::Bytes) -> HttpResponse {
    let saved = async {
        let form: SettingsForm = page::read_form(&body)?;
        let if_match = format!("\"v{}\"", form.version.trim());
        let area = caller.area()?;
        services
            .district
            .update_settings(&caller, area, Some(if_match), form.changes()?)
            .await
    };
    page::after_form(saved.await, |_| "/console/settings?saved=1".to_owned())
}
