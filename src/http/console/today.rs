//! Today: the coordinator's day at a glance.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::page::{self, Page, Section, Settings, t, t_with};
use super::session::ConsoleVisit;
use crate::i18n;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::overview::DateCounts;

/// "3 h 20 min" / "3時間20分" until `until`; none once it has passed.
fn time_left(now: DateTime<Utc>, until: DateTime<Utc>) -> Option<String> {
    let minutes = (until - now).num_minutes();
    (minutes > 0).then(|| {
        t_with(
            "console-time-left",
            &[
                ("hours", (minutes / 60).to_string()),
                ("minutes", (minutes % 60).to_string()),
            ],
        )
    })
}

fn date_card(
    heading: &str,
    counts: &DateCounts,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> Markup {
    let locale = i18n::current();
    let cutoff = i18n::long_date_time(counts.cutoff, zone, locale);
    html! {
        section.card aria-labelledby={ "date-" (counts.date) } {
            h2 id={ "date-" (counts.date) } {
                a href={ "/console/requests?date=" (counts.date) } { (heading) " · " (i18n::short_date(counts.date, locale)) }
            }
            p.figure { (counts.total()) }
            p.muted { (t("console-requests")) }
            @if counts.by_status.is_empty() {
                p { (t("console-none-yet")) }
            } @else {
                table {
                    caption.visually-hidden { (t("console-requests-by-status")) }
                    thead { tr { th scope="col" { (t("console-status")) } th.number scope="col" { (t("console-count")) } } }
                    tbody {
                        @for (status, n) in &counts.by_status {
                            tr { td { (t(&format!("request-status-{}", status.as_str()))) } td.number { (n) } }
                        }
                    }
                }
            }
            @match time_left(now, counts.cutoff) {
                Some(left) => p { (t_with("console-cutoff-open", &[("left", left), ("at", cutoff)])) },
                None => p.muted { (t_with("console-cutoff-closed", &[("at", cutoff)])) },
            }
        }
    }
}

/// A count of what waits for the coordinator, and the way to the queue where it is done.
fn queue_card(key: &str, figure: i64, queue: &str) -> Markup {
    html! {
        section class=(if figure > 0 { "card attention" } else { "card" }) data-queue=(queue) {
            h2 { a href=(queue) { (t(key)) } }
            p.figure { (figure) }
        }
    }
}

/// `GET /console/today`
pub async fn page(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
) -> HttpResponse {
    let area = match caller.area() {
        Ok(area) => area,
        Err(error) => return page::failure(&error),
    };
    let day = match services.overview.day(&caller, area).await {
        Ok(day) => day,
        Err(error) => return page::failure(&error),
    };
    let locale = i18n::current();
    let zone = day.area.time_zone;
    let title = t("console-today-title");
    let main = html! {
        h1 { (title) }
        p.muted { (day.area.name) " · " (i18n::long_date_time(day.now, zone, locale)) }
        div.cards {
            (date_card(&t("console-today"), &day.today, day.now, zone))
            (date_card(&t("console-tomorrow"), &day.tomorrow, day.now, zone))
            section.card {
                h2 { a href={ "/console/planning?date=" (day.today.date) "#runs" } { (t("console-runs-today")) } }
                @if day.runs.is_empty() {
                    p { (t("console-none-yet")) }
                } @else {
                    table {
                        caption.visually-hidden { (t("console-runs-by-status")) }
                        thead { tr { th scope="col" { (t("console-status")) } th.number scope="col" { (t("console-count")) } } }
                        tbody {
                            @for (status, n) in &day.runs {
                                tr { td { (t(&format!("run-status-{}", status.as_str()))) } td.number { (n) } }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t("console-waiting")) }
        div.cards {
            (queue_card("console-open-escalations", day.unresolved_escalations, "/console/field#escalations"))
            (queue_card("console-discrepancies-today", day.discrepancies_today, "/console/field#discrepancies"))
            (queue_card("console-volunteers-waiting", day.volunteers_waiting, "/console/people#waiting"))
            (queue_card("console-residents-to-place", day.residents_to_place, "/console/map#review-heading"))
        }
    };
    page::render(
        &settings,
        Page {
            section: Some(Section::Today),
            title,
            visit: &visit,
            here: "/console/today".to_owned(),
            scripts: &[],
            styles: &[],
        },
        main,
    )
}
