//! Requests: the area's orders filtered by date, status, hub and neighbourhood; an order
//! keyed in from the telephone or a paper form (items with temperature and substitution
//! rule), sent once however often the button is pressed; one request with its custody chain,
//! and its cancellation.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::page::{self, Page, Section, Settings, csrf_input, t, t_with, wire_time};
use super::session::ConsoleVisit;
use crate::db::requests::RequestFilter;
use crate::domain::ids::{HubId, NeighbourhoodId, RequestId, ResidentId};
use crate::domain::request::{
    Fulfilment, RequestCommand, RequestStatus, Substitution, Temperature,
};
use crate::domain::text::{Line, Note, TextEnum};
use crate::error::AppError;
use crate::i18n;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::handovers::Custody;
use crate::services::requests::{ItemInput, NewRequest};

/// Item rows the order form offers.
const ITEM_ROWS: usize = 8;
/// The most requests one page lists.
const MAX_ROWS: i64 = 1_000;

#[derive(Deserialize)]
pub struct RequestsQuery {
    date: Option<String>,
    status: Option<String>,
    hub_id: Option<String>,
    neighbourhood_id: Option<String>,
}

fn enum_options<E: TextEnum + PartialEq>(prefix: &str, selected: Option<E>) -> Markup {
    html! {
        @for value in E::ALL {
            option value=(value.as_str()) selected[selected == Some(*value)] {
                (t(&format!("{prefix}{}", value.as_str())))
            }
        }
    }
}

/// The order form: one resident, a date, how it reaches them, and its items.
fn order_form(visit: &ConsoleVisit, residents: &[(ResidentId, String)], day: &str) -> Markup {
    html! {
        form.order method="post" action="/console/requests" {
            (csrf_input(visit))
            // One key per form shown: pressing twice sends one order.
            input type="hidden" name="idempotency_key" value=(uuid::Uuid::new_v4());
            label for="resident_id" { (t("console-field-resident")) }
            select #resident_id name="resident_id" required {
                option value="" { "—" }
                @for (id, name) in residents {
                    option value=(id) { (name) }
                }
            }
            label for="delivery_date" { (t("console-requests-delivery-date")) }
            input #delivery_date type="date" name="delivery_date" value=(day) required;
            label for="fulfilment" { (t("console-requests-fulfilment")) }
            select #fulfilment name="fulfilment" {
                (enum_options::<Fulfilment>("console-fulfilment-", None))
            }
            label for="notes" { (t("console-requests-notes")) }
            textarea #notes name="notes" rows="2" maxlength="1000" {}
            table.items {
                caption { (t("console-requests-items")) }
                thead { tr {
                    th scope="col" { (t("console-requests-item-name")) }
                    th scope="col" { (t("console-requests-quantity")) }
                    th scope="col" { (t("console-requests-unit")) }
                    th scope="col" { (t("console-requests-temperature")) }
                    th scope="col" { (t("console-requests-substitution")) }
                } }
                tbody {
                    @for row in 0..ITEM_ROWS {
                        tr {
                            td { input type="text" name={ "item_name_" (row) } maxlength="200" aria-label={ (t("console-requests-item-name")) " " (row + 1) }; }
                            td { input type="text" inputmode="decimal" name={ "item_quantity_" (row) } size="4" aria-label={ (t("console-requests-quantity")) " " (row + 1) }; }
                            td { input type="text" name={ "item_unit_" (row) } size="6" maxlength="20" aria-label={ (t("console-requests-unit")) " " (row + 1) }; }
                            td { select name={ "item_temperature_" (row) } aria-label={ (t("console-requests-temperature")) " " (row + 1) } { (enum_options::<Temperature>("console-temperature-", None)) } }
                            td { select name={ "item_substitution_" (row) } aria-label={ (t("console-requests-substitution")) " " (row + 1) } { (enum_options::<Substitution>("console-substitution-", Some(Substitution::Similar))) } }
                        }
                    }
                }
            }
            p.muted { (t("console-requests-items-how")) }
            p { button.primary type="submit" { (t("console-requests-send")) } }
        }
    }
}

/// `GET /console/requests?date=&status=&hub_id=&neighbourhood_id=`
pub async fn page(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    query: web::Query<RequestsQuery>,
) -> HttpResponse {
    page::answer(list(&services, &settings, &visit, &caller, &query).await)
}

async fn list(
    services: &Services,
    settings: &Settings,
    visit: &ConsoleVisit,
    caller: &Caller,
    query: &RequestsQuery,
) -> Result<HttpResponse, AppError> {
    let date = page::chosen_date(services, caller, query.date.as_deref(), 1).await?;
    let day = date.format("%Y-%m-%d").to_string();
    let status = page::chosen(query.status.as_ref(), |r| Ok(RequestStatus::parse(r)?))?;
    let hub = page::chosen(query.hub_id.as_ref(), |r| {
        r.parse::<HubId>()
            .map_err(|_| AppError::invalid("hub_id", "invalid-uuid"))
    })?;
    let neighbourhood = page::chosen(query.neighbourhood_id.as_ref(), |r| {
        r.parse::<NeighbourhoodId>()
            .map_err(|_| AppError::invalid("neighbourhood_id", "invalid-uuid"))
    })?;
    let hubs = services.district.hubs(caller).await?;
    let neighbourhoods = services.neighbourhoods.list(caller).await?;
    let residents: Vec<(ResidentId, String)> = services
        .residents
        .list(caller, false, None, 100_000)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let names: HashMap<ResidentId, &str> = residents
        .iter()
        .map(|(id, name)| (*id, name.as_str()))
        .collect();
    let requests = services
        .requests
        .list(
            caller,
            RequestFilter {
                delivery_date: Some(day.clone()),
                status,
                hub_id: hub,
                neighbourhood_id: neighbourhood,
                ..RequestFilter::default()
            },
            None,
            MAX_ROWS,
        )
        .await?;
    let area = services.district.area(caller, caller.area()?).await?;
    let title = t("console-requests-title");
    let main = html! {
        h1 { (title) }
        form.filters.no-print method="get" action="/console/requests" {
            label for="date" { (t("console-date")) }
            input #date type="date" name="date" value=(day) required;
            label for="status" { (t("console-status")) }
            select #status name="status" {
                option value="" { (t("console-requests-any")) }
                (enum_options::<RequestStatus>("request-status-", status))
            }
            label for="hub_id" { (t("console-field-hub")) }
            select #hub_id name="hub_id" {
                option value="" { (t("console-requests-any")) }
                @for h in &hubs { option value=(h.id) selected[hub == Some(h.id)] { (h.name) } }
            }
            label for="neighbourhood_id" { (t("console-impact-neighbourhood")) }
            select #neighbourhood_id name="neighbourhood_id" {
                option value="" { (t("console-requests-any")) }
                @for n in &neighbourhoods { option value=(n.id) selected[neighbourhood == Some(n.id)] { (n.name) } }
            }
            " "
            button type="submit" { (t("console-map-show")) }
        }
        p.muted { (i18n::long_date(date, i18n::current())) " · " (t_with("console-planning-requests", &[("count", requests.len().to_string())])) }
        @if requests.is_empty() {
            p { (t("console-none-yet")) }
        } @else {
            table.requests {
                thead { tr {
                    th scope="col" { (t("console-field-resident")) }
                    th scope="col" { (t("console-requests-fulfilment")) }
                    th scope="col" { (t("console-status")) }
                    th.number scope="col" { (t("console-requests-items")) }
                    th scope="col" { (t("console-requests-ordered")) }
                } }
                tbody {
                    @for request in &requests {
                        tr data-request=(request.id) {
                            td { a href={ "/console/requests/" (request.id) } { (names.get(&request.resident_id).copied().unwrap_or("—")) } }
                            td { (t(&format!("console-fulfilment-{}", request.fulfilment.as_str()))) }
                            td { (t(&format!("request-status-{}", request.status.as_str()))) }
                            td.number { (request.items.len()) }
                            td { (wire_time(&request.created_at, area.time_zone)) }
                        }
                    }
                }
            }
        }
        h2 #order { (t("console-requests-key-in")) }
        p.muted { (t("console-requests-key-in-how")) }
        (order_form(visit, &residents, &day))
    };
    Ok(page::render(
        settings,
        Page {
            section: Some(Section::Requests),
            title,
            visit,
            here: format!("/console/requests?date={day}"),
            scripts: &[],
            styles: &[],
        },
        main,
    ))
}

/// `GET /console/requests/{id}`: one request, its items and its custody chain.
pub async fn detail(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    id: web::Path<RequestId>,
) -> HttpResponse {
    let id = id.into_inner();
    let shown = async {
        let request = services.requests.get(&caller, id).await?;
        let custody = services.handovers.custody(&caller, id).await?;
        let area = services.district.area(&caller, request.area_id).await?;
        let resident = services
            .residents
            .name(&caller, request.resident_id)
            .await?;
        Ok::<_, AppError>((request, custody, area, resident))
    };
    let (request, custody, area, resident) = match shown.await {
        Ok(shown) => shown,
        Err(error) => return page::failure(&error),
    };
    let zone = area.time_zone;
    let handovers = match custody {
        Custody::Staff { handovers, .. } => handovers,
        Custody::Family { .. } => Vec::new(),
    };
    let title = t_with("console-request-title", &[("name", resident.clone())]);
    let main = html! {
        h1 { (title) }
        p {
            (i18n::long_date(
                chrono::NaiveDate::parse_from_str(&request.delivery_date, "%Y-%m-%d").unwrap_or_default(),
                i18n::current(),
            ))
            " · " (t(&format!("console-fulfilment-{}", request.fulfilment.as_str())))
            " · " span #request-status data-status=(request.status.as_str()) { (t(&format!("request-status-{}", request.status.as_str()))) }
        }
        @if let Some(notes) = &request.notes { p.muted { (notes) } }
        h2 { (t("console-requests-items")) }
        table {
            thead { tr {
                th scope="col" { (t("console-requests-item-name")) }
                th.number scope="col" { (t("console-requests-quantity")) }
                th scope="col" { (t("console-requests-unit")) }
                th scope="col" { (t("console-requests-temperature")) }
                th scope="col" { (t("console-requests-substitution")) }
            } }
            tbody {
                @for item in &request.items {
                    tr {
                        td { (item.name) }
                        td.number { (item.quantity) }
                        td { (item.unit) }
                        td { (t(&format!("console-temperature-{}", item.temperature.as_str()))) }
                        td { (t(&format!("console-substitution-{}", item.substitution.as_str()))) }
                    }
                }
            }
        }
        h2 { (t("console-requests-custody")) }
        @if handovers.is_empty() {
            p { (t("console-none-yet")) }
        } @else {
            ol.custody {
                @for handover in &handovers {
                    li {
                        (wire_time(&handover.occurred_at, zone)) " · "
                        (t(&format!("console-handover-{}", handover.kind.as_str())))
                        @if let Some(reason) = handover.reason {
                            " · " (t(&format!("console-failure-{}", reason.as_str())))
                        }
                    }
                }
            }
        }
        form method="post" action={ "/console/requests/" (request.id) "/cancel" } {
            (csrf_input(&visit))
            button type="submit" { (t("console-requests-cancel")) }
        }
        p { a href={ "/console/requests?date=" (request.delivery_date) } { (t("console-requests-back")) } }
    };
    page::render(
        &settings,
        Page {
            section: Some(Section::Requests),
            title,
            visit: &visit,
            here: format!("/console/requests/{id}"),
            scripts: &[],
            styles: &[],
        },
        main,
    )
}

/// The order form as sent.
#[derive(Deserialize)]
pub struct OrderForm {
    idempotency_key: String,
    resident_id: ResidentId,
    delivery_date: Line,
    fulfilment: Line,
    notes: Option<Note>,
    #[serde(flatten)]
    rows: HashMap<String, String>,
}

impl OrderForm {
    /// The filled item rows (a row without a name is left out).
    fn items(&self) -> Result<Vec<ItemInput>, AppError> {
        let field = |name: &str, row: usize| {
            self.rows
                .get(&format!("item_{name}_{row}"))
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        let line = |raw: String, name: &str| {
            Line::parse(raw).map_err(|_| {
                AppError::invalid(format!("items.{name}"), "invalid-control-character")
            })
        };
        let mut items = Vec::new();
        for row in 0..ITEM_ROWS {
            let name = field("name", row);
            if name.is_empty() {
                continue;
            }
            let quantity = field("quantity", row);
            let quantity = if quantity.is_empty() {
                "1".to_owned()
            } else {
                quantity
            };
            items.push(ItemInput {
                name: line(name, "name")?,
                quantity: quantity
                    .parse()
                    .map_err(|_| AppError::invalid("items.quantity", "invalid-number"))?,
                unit: line(
                    Some(field("unit", row))
                        .filter(|u| !u.is_empty())
                        .unwrap_or_else(|| t("console-requests-default-unit")),
                    "unit",
                )?,
                temperature: line(field("temperature", row), "temperature")?,
                substitution: line(field("substitution", row), "substitution")?,
            });
        }
        Ok(items)
    }
}

/// `POST /console/requests`: an order keyed in for a resident.
pub async fn create(
    services: web::Data<Services>,
    caller: Caller,
    body: web::Bytes,
) -> HttpResponse {
    let created = async {
        let form: OrderForm = page::read_form(&body)?;
        let items = form.items()?;
        let notes = form.notes.clone().filter(|n| !n.trim().is_empty());
        let input = NewRequest {
            resident_id: form.resident_id,
            delivery_date: form.delivery_date.clone(),
            fulfilment: form.fulfilment.clone(),
            notes,
            items,
        };
        services
            .requests
            .create(&caller, Some(form.idempotency_key.clone()), input)
            .await
    };
    page::after_form(created.await, |outcome| {
        format!("/console/requests/{}", outcome.view.id)
    })
}

/// `POST /console/requests/{id}/cancel`
pub async fn cancel(
    services: web::Data<Services>,
    caller: Caller,
    id: web::Path<RequestId>,
) -> HttpResponse {
    let cancelled = services
        .requests
        .transition(&caller, id.into_inner(), RequestCommand::Cancel)
        .await;
    page::after_form(cancelled, |request| {
        format!("/console/requests/{}", request.id)
    })
}
