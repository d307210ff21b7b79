//! The field: each hub's arrivals and shelf for a date, the watch-over cases still open
//! (acknowledged and resolved from here), and counted crates that differed from the load.
//! Hub keepers see their own hubs and the cases at their step; coordinators see the area.

use actix_web::{HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::page::{self, Page, Section, Settings, csrf_input, t, t_with, wire_time};
use super::session::ConsoleVisit;
use crate::domain::handover::Crates;
use crate::domain::ids::EscalationId;
use crate::domain::text::TextEnum;
use crate::domain::watch_over::{EscalationOutcome, EscalationStatus};
use crate::error::AppError;
use crate::i18n;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::escalations::EscalationView;
use crate::services::plans::Slots;

/// How far back the discrepancies go: today and the six days before.
const DISCREPANCY_DAYS: u64 = 6;

/// The most open cases one page lists.
const MAX_CASES: i64 = 200;

#[derive(Deserialize)]
pub struct FieldQuery {
    date: Option<String>,
}

fn crates_text(ambient: i64, chilled: i64, frozen: i64) -> String {
    t_with(
        "console-crates",
        &[
            ("ambient", ambient.to_string()),
            ("chilled", chilled.to_string()),
            ("frozen", frozen.to_string()),
        ],
    )
}

fn slots_text(slots: &Slots) -> String {
    crates_text(slots.ambient, slots.chilled, slots.frozen)
}

fn counted_text(crates: Option<&Crates>) -> String {
    crates.map_or_else(
        || "—".to_owned(),
        |c| crates_text(c.ambient, c.chilled, c.frozen),
    )
}

/// The forms that take a case on and close it.
fn case_actions(visit: &ConsoleVisit, case: &EscalationView) -> Markup {
    let path = format!("/console/escalations/{}", case.id);
    html! {
        @if case.status == EscalationStatus::Open {
            form.inline method="post" action={ (path) "/acknowledge" } {
                (csrf_input(visit))
                button type="submit" { (t("console-escalation-acknowledge")) }
            }
        }
        details {
            summary { (t("console-escalation-resolve")) }
            form method="post" action={ (path) "/resolve" } {
                (csrf_input(visit))
                label for={ "outcome-" (case.id) } { (t("console-escalation-outcome")) }
                select id={ "outcome-" (case.id) } name="outcome" required {
                    @for outcome in EscalationOutcome::ALL {
                        option value=(outcome.as_str()) { (t(&format!("console-outcome-{}", outcome.as_str()))) }
                    }
                }
                label for={ "note-" (case.id) } { (t("console-escalation-note")) }
                textarea id={ "note-" (case.id) } name="note" rows="2" maxlength="1000" required {}
                p { button.primary type="submit" { (t("console-escalation-resolve")) } }
            }
        }
    }
}

/// `GET /console/field?date=`
pub async fn page(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    query: web::Query<FieldQuery>,
) -> HttpResponse {
    page::answer(field(&services, &settings, &visit, &caller, query.date.as_deref()).await)
}

async fn field(
    services: &Services,
    settings: &Settings,
    visit: &ConsoleVisit,
    caller: &Caller,
    asked: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let date = page::chosen_date(services, caller, asked, 0).await?;
    let day = date.format("%Y-%m-%d").to_string();
    let area = services.district.area(caller, caller.area()?).await?;
    let zone = area.time_zone;
    let mut hubs = Vec::new();
    for hub in services.district.hubs_in_charge(caller).await? {
        let arrivals = services.runs.arrivals(caller, hub.id, &day).await?;
        let shelf = services.shelf.view(caller, hub.id, &day).await?;
        hubs.push((hub, arrivals, shelf));
    }
    let mut cases = Vec::new();
    for status in [EscalationStatus::Open, EscalationStatus::Acknowledged] {
        for case in services
            .escalations
            .list(caller, Some(status), MAX_CASES)
            .await?
        {
            // Staff phone the resident: their name and number, each read on record.
            let resident = if caller.role.is_staff() {
                services.residents.get(caller, case.resident_id).await.ok()
            } else {
                None
            };
            cases.push((case, resident));
        }
    }
    let discrepancies = if caller.role.is_staff() {
        Some(
            services
                .overview
                .discrepancies(caller, area.id, DISCREPANCY_DAYS)
                .await?,
        )
    } else {
        None
    };
    let hub_name = |id| {
        hubs.iter()
            .find(|(hub, _, _)| Some(hub.id) == id)
            .map_or("—", |(hub, _, _)| hub.name.as_str())
    };
    let title = t("console-field-title");
    let main = html! {
        h1 { (title) }
        form.no-print method="get" action="/console/field" {
            label for="date" { (t("console-date")) }
            input #date type="date" name="date" value=(day) required;
            " "
            button type="submit" { (t("console-map-show")) }
        }
        p.muted { (i18n::long_date(date, i18n::current())) }
        @if hubs.is_empty() {
            p { (t("console-field-no-hubs")) }
        }
        @for (hub, arrivals, shelf) in &hubs {
            section.card.wide aria-labelledby={ "hub-" (hub.id) } {
                h2 id={ "hub-" (hub.id) } { (hub.name) }
                p.muted {
                    (t_with("console-field-occupancy", &[
                        ("used", slots_text(&shelf.occupancy.used)),
                        ("storage", slots_text(&shelf.occupancy.storage)),
                    ]))
                }
                h3 { (t("console-field-arrivals")) }
                @if arrivals.is_empty() {
                    p { (t("console-none-yet")) }
                } @else {
                    table {
                        thead { tr {
                            th scope="col" { (t("console-field-post-trip")) }
                            th scope="col" { (t("console-field-arrival")) }
                            th scope="col" { (t("console-field-crates")) }
                            th.number scope="col" { (t("console-requests")) }
                        } }
                        tbody {
                            @for arrival in arrivals {
                                tr {
                                    td { (arrival.post_trip_name) }
                                    td { (wire_time(&arrival.arrival, zone)) }
                                    td { (slots_text(&arrival.slots)) }
                                    td.number { (arrival.requests) }
                                }
                            }
                        }
                    }
                }
                h3 { (t("console-field-shelf")) }
                @if shelf.items.is_empty() {
                    p { (t("console-none-yet")) }
                } @else {
                    table {
                        thead { tr {
                            th scope="col" { (t("console-field-shelf-number")) }
                            th scope="col" { (t("console-field-resident")) }
                            th scope="col" { (t("console-field-crates")) }
                            th scope="col" { (t("console-field-collect-by")) }
                            th scope="col" { (t("console-status")) }
                        } }
                        tbody {
                            @for item in &shelf.items {
                                tr class=(if item.overdue { "attention" } else { "" }) {
                                    td { (item.shelf_number) }
                                    td { (item.resident_name) }
                                    td { (slots_text(&item.crates)) }
                                    td {
                                        (wire_time(&item.collect_by, zone))
                                        @if item.overdue { " · " strong { (t("console-field-overdue")) } }
                                    }
                                    td { (t(&format!("request-status-{}", item.status.as_str()))) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 #escalations { (t("console-open-escalations")) " (" (cases.len()) ")" }
        @if cases.is_empty() {
            p { (t("console-field-no-escalations")) }
        } @else {
            table.cases {
                thead { tr {
                    th scope="col" { (t("console-field-opened")) }
                    th scope="col" { (t("console-field-resident")) }
                    th scope="col" { (t("console-field-cause")) }
                    th scope="col" { (t("console-field-step")) }
                    th scope="col" { (t("console-status")) }
                    th scope="col" { (t("console-field-actions")) }
                } }
                tbody {
                    @for (case, resident) in &cases {
                        tr data-escalation=(case.id) {
                            td { (wire_time(&case.opened_at, zone)) }
                            td {
                                @match resident {
                                    Some(resident) => {
                                        (resident.name)
                                        @if let Some(phone) = &resident.phone { br; a href={ "tel:" (phone) } { (phone) } }
                                    },
                                    None => "—",
                                }
                            }
                            td { (t(&format!("console-cause-{}", case.cause.as_str()))) }
                            td {
                                (t(&format!("console-step-{}", case.current_to.as_str())))
                                @if let Some(due) = &case.next_due_at {
                                    br; span.muted { (t_with("console-field-next-step", &[("at", wire_time(due, zone))])) }
                                }
                            }
                            td { (t(&format!("console-escalation-status-{}", case.status.as_str()))) }
                            td { (case_actions(visit, case)) }
                        }
                    }
                }
            }
        }
        @if let Some(discrepancies) = &discrepancies {
            h2 #discrepancies { (t("console-field-discrepancies")) " (" (discrepancies.len()) ")" }
            p.muted { (t("console-field-discrepancies-how")) }
            @if discrepancies.is_empty() {
                p { (t("console-none-yet")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t("console-field-when")) }
                        th scope="col" { (t("console-field-hub")) }
                        th scope="col" { (t("console-field-handover")) }
                        th scope="col" { (t("console-field-counted")) }
                        th scope="col" { (t("console-field-loaded")) }
                    } }
                    tbody {
                        @for handover in discrepancies {
                            tr {
                                td { (wire_time(&handover.occurred_at, zone)) }
                                td { (hub_name(handover.hub_id)) }
                                td { (t(&format!("console-handover-{}", handover.kind.as_str()))) }
                                td { (counted_text(handover.crates.as_ref())) }
                                td { (counted_text(handover.discrepancy.as_ref())) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page::render(
        settings,
        Page {
            section: Some(Section::Field),
            title,
            visit,
            here: format!("/console/field?date={day}"),
            scripts: &[],
            styles: &[],
        },
        main,
    ))
}

/// Where a case's form comes back to.
fn back_to_field<T>(_: &T) -> String {
    "/console/field#escalations".to_owned()
}

#[derive(Deserialize)]
pub struct AcknowledgeForm {
    note: Option<String>,
}

/// `POST /console/escalations/{id}/acknowledge`
pub async fn acknowledge(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<EscalationId>,
    body: web::Bytes,
) -> HttpResponse {
    let acknowledged = async {
        let form: AcknowledgeForm = page::read_form(&body)?;
        let note = form.note.filter(|n| !n.trim().is_empty());
        services
            .escalations
            .acknowledge(&caller, id.into_inner(), note)
            .await
    };
    page::after_form(acknowledged.await, back_to_field)
}

#[derive(Deserialize)]
pub struct ResolveForm {
    outcome: String,
    note: String,
}

/// `POST /console/escalations/{id}/resolve`
pub async fn resolve(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<EscalationId>,
    body: web::Bytes,
) -> HttpResponse {
    let resolved = async {
        let form: ResolveForm = page::read_form(&body)?;
        let outcome = EscalationOutcome::parse(&form.outcome)?;
        services
            .escalations
            .resolve(&caller, id.into_inner(), outcome, form.note)
            .await
    };
    page::after_form(resolved.await, back_to_field)
}
