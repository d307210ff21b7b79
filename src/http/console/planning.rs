//! Planning: a date's plan as a preview or locked, the requests no run could take grouped
//! by reason with what to do about each, the runs with their stops, times and loads, and
//! declined runs offered to someone else.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::page::{self, Page, Section, Settings, csrf_input, t, t_with, wire_time};
use super::session::ConsoleVisit;
use crate::db::requests::RequestFilter;
use crate::domain::account::User;
use crate::domain::ids::{RunId, UserId};
use crate::domain::plan::PlanStatus;
use crate::domain::run::{self, CarrierKind, RunActor, RunCommand, RunStatus};
use crate::domain::text::Line;
use crate::error::AppError;
use crate::i18n;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::plans::{NewPlan, PlanView, RunView, UnassignedView};

/// The most requests of one date the page names (a district has a few hundred).
const MAX_REQUESTS: i64 = 5_000;

#[derive(Deserialize)]
pub struct PlanningQuery {
    date: Option<String>,
}

/// The unassigned requests by reason, in the planner's order of reasons.
fn by_reason(unassigned: &[UnassignedView]) -> Vec<(&str, Vec<&UnassignedView>)> {
    let mut groups: Vec<(&str, Vec<&UnassignedView>)> = Vec::new();
    for request in unassigned {
        match groups.iter_mut().find(|(r, _)| *r == request.reason) {
            Some((_, members)) => members.push(request),
            None => groups.push((request.reason.as_str(), vec![request])),
        }
    }
    groups
}

/// A declined volunteer's or carrier's run, which the domain lets staff offer to someone
/// else (a post trip is the post office's to arrange).
fn offered_again(run: &RunView) -> bool {
    run.status == RunStatus::Declined
        && run.carrier.kind != CarrierKind::PostTrip
        && run::transition(run.status, RunCommand::Reassign, RunActor::Staff).is_ok()
}

fn reassign_form(visit: &ConsoleVisit, run: &RunView, carriers: &[User]) -> Markup {
    let field = format!("carrier-{}", run.id);
    html! {
        form.inline method="post" action={ "/console/runs/" (run.id) "/reassign" } {
            (csrf_input(visit))
            label for=(field) { (t("console-planning-offer-to")) }
            " "
            select id=(field) name="carrier_id" required {
                @for carrier in carriers.iter().filter(|c| c.id.cast() != run.carrier.id) {
                    option value=(carrier.id) { (carrier.display_name) }
                }
            }
            " "
            button type="submit" { (t("console-planning-reassign")) }
        }
    }
}

fn runs_table(
    visit: &ConsoleVisit,
    plan: &PlanView,
    carriers: &[User],
    names: &HashMap<String, String>,
    zone: chrono_tz::Tz,
) -> Markup {
    html! {
        table.runs {
            thead { tr {
                th scope="col" { (t("console-planning-carrier")) }
                th scope="col" { (t("console-status")) }
                th scope="col" { (t("console-planning-starts")) }
                th.number scope="col" { (t("console-planning-stops")) }
                th.number scope="col" { (t("console-planning-km")) }
                th.number scope="col" { (t("console-planning-minutes")) }
                th scope="col" { (t("console-field-actions")) }
            } }
            tbody {
                @for run in &plan.runs {
                    tr data-run=(run.id) {
                        td {
                            (run.carrier.name)
                            br; span.muted { (t(&format!("console-carrier-{}", run.carrier.kind.as_str()))) }
                        }
                        td {
                            (t(&format!("run-status-{}", run.status.as_str())))
                            @if let Some(reason) = &run.decline_reason {
                                br; span.muted { (t_with("console-planning-declined-because", &[("reason", reason.clone())])) }
                            }
                        }
                        td { (wire_time(&run.starts_at, zone)) }
                        td.number { (run.stops.len()) }
                        td.number { (format!("{:.1}", run.distance_km)) }
                        td.number { (format!("{:.0}", run.duration_min)) }
                        td {
                            details {
                                summary { (t("console-planning-show-stops")) }
                                ol.stops {
                                    @for stop in &run.stops {
                                        li {
                                            (wire_time(&stop.arrival, zone)) " · "
                                            (t(&format!("console-stop-{}", stop.kind)))
                                            @if let Some(request) = &stop.request_id {
                                                " · " (names.get(&request.to_string()).map_or("—", String::as_str))
                                            }
                                            @if let Some(crates) = &stop.crates {
                                                " · " (t_with("console-crates", &[
                                                    ("ambient", crates.ambient.to_string()),
                                                    ("chilled", crates.chilled.to_string()),
                                                    ("frozen", crates.frozen.to_string()),
                                                ]))
                                            }
                                        }
                                    }
                                }
                            }
                            @if offered_again(run) && !carriers.is_empty() {
                                (reassign_form(visit, run, carriers))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /console/planning?date=`
pub async fn page(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    query: web::Query<PlanningQuery>,
) -> HttpResponse {
    page::answer(planning(&services, &settings, &visit, &caller, query.date.as_deref()).await)
}

async fn planning(
    services: &Services,
    settings: &Settings,
    visit: &ConsoleVisit,
    caller: &Caller,
    asked: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let date = page::chosen_date(services, caller, asked, 1).await?;
    let day = date.format("%Y-%m-%d").to_string();
    let area = services.district.area(caller, caller.area()?).await?;
    let zone = area.time_zone;
    let plan = services.plans.for_date(caller, Some(area.id), &day).await?;
    let requests = services
        .requests
        .list(
            caller,
            RequestFilter {
                delivery_date: Some(day.clone()),
                ..RequestFilter::default()
            },
            None,
            MAX_REQUESTS,
        )
        .await?;
    let residents: HashMap<String, String> = services
        .residents
        .list(caller, false, None, 100_000)
        .await?
        .into_iter()
        .map(|r| (r.id.to_string(), r.name))
        .collect();
    // Request id → the resident's name, for stops and the unassigned.
    let names: HashMap<String, String> = requests
        .iter()
        .filter_map(|r| {
            residents
                .get(&r.resident_id.to_string())
                .map(|name| (r.id.to_string(), name.clone()))
        })
        .collect();
    let carriers = services.accounts.carriers_of_area(caller).await?;
    let title = t("console-planning-title");
    let main = html! {
        h1 { (title) }
        form.no-print method="get" action="/console/planning" {
            label for="date" { (t("console-date")) }
            input #date type="date" name="date" value=(day) required;
            " "
            button type="submit" { (t("console-map-show")) }
        }
        p.muted { (i18n::long_date(date, i18n::current())) " · " (t_with("console-planning-requests", &[("count", requests.len().to_string())])) }
        @match &plan {
            None => p #plan-status { (t("console-planning-none")) },
            Some(plan) => p #plan-status data-status=(plan.status.as_str()) {
                (t(&format!("console-plan-status-{}", plan.status.as_str())))
                " · " (t_with("console-planning-updated", &[("at", wire_time(&plan.updated_at, zone))]))
            },
        }
        @if plan.as_ref().is_none_or(|p| p.status != PlanStatus::Locked) {
            form.inline method="post" action="/console/plans" {
                (csrf_input(visit))
                input type="hidden" name="delivery_date" value=(day);
                button type="submit" name="lock" value="false" { (t("console-planning-preview")) }
                " "
                button.primary type="submit" name="lock" value="true" { (t("console-planning-lock")) }
            }
            p.muted { (t("console-planning-how")) }
        }
        @if let Some(plan) = &plan {
            @for warning in &plan.warnings {
                p.error { (warning) }
            }
            h2 { (t("console-planning-impact")) }
            p {
                (t_with("console-planning-impact-figures", &[
                    ("households", plan.impact.households_reached.to_string()),
                    ("km", format!("{:.1}", plan.impact.km_saved)),
                    ("co2", format!("{:.1}", plan.impact.co2_avoided_kg)),
                ]))
            }
            h2 #unassigned { (t("console-planning-unassigned")) " (" (plan.unassigned.len()) ")" }
            @if plan.unassigned.is_empty() {
                p { (t("console-planning-all-assigned")) }
            }
            @for (reason, members) in by_reason(&plan.unassigned) {
                section.card.wide data-reason=(reason) {
                    h3 { (t(&format!("console-unassigned-{reason}"))) " (" (members.len()) ")" }
                    p { (t(&format!("console-unassigned-{reason}-do"))) }
                    ul {
                        @for request in members {
                            li { (names.get(&request.request_id.to_string()).map_or("—", String::as_str)) }
                        }
                    }
                }
            }
            h2 #runs { (t("console-planning-runs")) " (" (plan.runs.len()) ")" }
            (runs_table(visit, plan, &carriers, &names, zone))
        }
    };
    Ok(page::render(
        settings,
        Page {
            section: Some(Section::Planning),
            title,
            visit,
            here: format!("/console/planning?date={day}"),
            scripts: &[],
            styles: &[],
        },
        main,
    ))
}

#[derive(Deserialize)]
pub struct PlanForm {
    delivery_date: Line,
    lock: bool,
}

/// `POST /console/plans`: plans the date as a preview, or for real (locked).
pub async fn plan(services: web::Data<Services>, caller: Caller, body: web::Bytes) -> HttpResponse {
    let planned = async {
        let form: PlanForm = page::read_form(&body)?;
        let input = NewPlan {
            area_id: caller.area()?,
            delivery_date: form.delivery_date,
            lock: form.lock,
        };
        services.plans.create(&caller, input).await
    };
    page::after_form(planned.await, |plan| {
        format!("/console/planning?date={}", plan.delivery_date)
    })
}

#[derive(Deserialize)]
pub struct ReassignForm {
    carrier_id: UserId,
}

/// `POST /console/runs/{id}/reassign`: a declined (or unanswered) run offered to someone else.
pub async fn reassign(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<RunId>,
    body: web::Bytes,
) -> HttpResponse {
    let reassigned = async {
        let form: ReassignForm = page::read_form(&body)?;
        services
            .runs
            .reassign(&caller, id.into_inner(), form.carrier_id)
            .await
    };
    page::after_form(reassigned.await, |run| {
        format!("/console/planning?date={}#runs", run.delivery_date)
    })
}
