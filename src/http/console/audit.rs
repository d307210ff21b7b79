//! Audit: the area's trail of who did what and who read whose personal data, newest first,
//! filtered by kind of thing, by the thing itself and by the person who acted.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::page::{self, Page, Section, Settings, t, wire_time};
use super::session::ConsoleVisit;
use crate::db::audit::AuditFilter;
use crate::domain::ids::UserId;
use crate::error::AppError;
use crate::http::pagination;
use crate::services::Services;
use crate::services::audit::{self, AuditView, ENTITIES};
use crate::services::caller::Caller;

/// Rows per page of the trail.
const PAGE_ROWS: i64 = 100;

#[derive(Deserialize)]
pub struct AuditQuery {
    entity: Option<String>,
    entity_id: Option<String>,
    actor_id: Option<String>,
    /// Where the page starts: the trail before this cursor (the last row of the page before).
    before: Option<String>,
}

/// The page's query with `before` set, for the link to older rows.
fn older_link(query: &AuditQuery, before: &str) -> String {
    let pairs = [
        ("entity", query.entity.as_deref()),
        ("entity_id", query.entity_id.as_deref()),
        ("actor_id", query.actor_id.as_deref()),
        ("before", Some(before)),
    ];
    let encoded = serde_urlencoded::to_string(
        pairs
            .iter()
            .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (*k, v)))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    format!("/console/audit?{encoded}")
}

/// Where a row's thing can be seen in the console, when it has a page of its own.
fn entity_cell(row: &AuditView) -> Markup {
    html! {
        @if row.entity == "request" {
            a href={ "/console/requests/" (row.entity_id) } { code { (row.entity_id) } }
        } @else {
            code { (row.entity_id) }
        }
    }
}

async fn trail(
    services: &Services,
    settings: &Settings,
    visit: &ConsoleVisit,
    caller: &Caller,
    query: &AuditQuery,
) -> Result<HttpResponse, AppError> {
    let entity = page::chosen(query.entity.as_ref(), |raw| {
        ENTITIES
            .iter()
            .find(|e| **e == raw)
            .map(|e| (*e).to_owned())
            .ok_or_else(|| AppError::invalid("entity", "console-audit-entity-unknown"))
    })?;
    let entity_id = page::chosen(query.entity_id.as_ref(), |raw| Ok(raw.to_owned()))?;
    let actor = page::chosen(query.actor_id.as_ref(), |raw| {
        raw.parse::<UserId>()
            .map_err(|_| AppError::invalid("actor_id", "invalid-uuid"))
    })?;
    let before = pagination::after(query.before.as_deref().filter(|b| !b.is_empty()))?;
    let filter = AuditFilter {
        entity: entity.clone(),
        entity_id: entity_id.clone(),
        actor_id: actor.map(|a| a.to_string()),
    };
    let mut rows = audit::list(&services.db, caller, filter, before, PAGE_ROWS + 1).await?;
    let more = rows.len() > usize::try_from(PAGE_ROWS).unwrap_or(0);
    rows.truncate(usize::try_from(PAGE_ROWS).unwrap_or(0));
    let people = services.accounts.of_area(caller).await?;
    let names: HashMap<UserId, &str> = people
        .iter()
        .map(|u| (u.id, u.display_name.as_str()))
        .collect();
    let zone = services
        .district
        .area(caller, caller.area()?)
        .await?
        .time_zone;
    let title = t("console-audit-title");
    let main = html! {
        h1 { (title) }
        p.muted { (t("console-audit-about")) }
        form.filters.no-print method="get" action="/console/audit" {
            label for="entity" { (t("console-audit-entity")) }
            select #entity name="entity" {
                option value="" { (t("console-requests-any")) }
                @for kind in ENTITIES {
                    option value=(kind) selected[entity.as_deref() == Some(kind)] { (t(&format!("console-entity-{kind}"))) }
                }
            }
            label for="entity_id" { (t("console-audit-entity-id")) }
            input #entity_id name="entity_id" value=(entity_id.as_deref().unwrap_or("")) size="38" autocomplete="off";
            label for="actor_id" { (t("console-audit-actor")) }
            select #actor_id name="actor_id" {
                option value="" { (t("console-requests-any")) }
                @for person in &people {
                    option value=(person.id) selected[actor == Some(person.id)] { (person.display_name) }
                }
            }
            " "
            button type="submit" { (t("console-map-show")) }
        }
        @if rows.is_empty() {
            p { (t("console-audit-none")) }
        } @else {
            table.audit {
                thead { tr {
                    th scope="col" { (t("console-audit-at")) }
                    th scope="col" { (t("console-audit-actor")) }
                    th scope="col" { (t("console-audit-action")) }
                    th scope="col" { (t("console-audit-entity")) }
                    th scope="col" { (t("console-audit-entity-id")) }
                } }
                tbody {
                    @for row in &rows {
                        tr data-audit=(row.id) {
                            td { (wire_time(&row.at, zone)) }
                            td {
                                @match row.actor_id {
                                    None => span.muted { (t("console-audit-no-actor")) },
                                    Some(id) => (names.get(&id).map_or_else(|| id.to_string(), |n| (*n).to_owned())),
                                }
                            }
                            td { code { (row.action) } }
                            td { (t(&format!("console-entity-{}", row.entity))) }
                            td { (entity_cell(row)) }
                        }
                    }
                }
            }
        }
        @if more {
            @if let Some(last) = rows.last() {
                p { a rel="next" href=(older_link(query, &pagination::rfc3339_cursor(&last.at, &last.id.to_string()))) { (t("console-audit-older")) } }
            }
        }
    };
    Ok(page::render(
        settings,
        Page {
            section: Some(Section::Audit),
            title,
            visit,
            here: "/console/audit".to_owned(),
            scripts: &[],
            styles: &[],
        },
        main,
    ))
}

/// `GET /console/audit?entity=&entity_id=&actor_id=&before=`
pub async fn page(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    query: web::Query<AuditQuery>,
) -> HttpResponse {
    page::answer(trail(&services, &settings, &visit, &caller, &query).await)
}
