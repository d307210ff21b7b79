//! Impact for the municipality: the report of `GET /api/v1/impact` for a period, by month or
//! by neighbourhood, as a table, a chart of the trends, a printable page and a CSV file.

use actix_web::{HttpResponse, web};
use chrono::{Datelike, Months, NaiveDate};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::exports::{BOM, csv_line, csv_response};
use super::page::{self, Page, Section, Settings, t};
use super::session::ConsoleVisit;
use crate::i18n;
use crate::services::Services;
use crate::services::caller::Caller;
use crate::services::impact::{FiguresView, ImpactQuery, ImpactReport};

#[derive(Deserialize)]
pub struct ImpactForm {
    from: Option<String>,
    to: Option<String>,
    group_by: Option<String>,
}

/// The columns of the table and the CSV: (catalogue key, value of a group).
type Column = (&'static str, fn(&FiguresView) -> String);

const COLUMNS: &[Column] = &[
    ("console-impact-households", |f| {
        f.households_reached.to_string()
    }),
    ("console-impact-delivered", |f| {
        f.requests_delivered.to_string()
    }),
    ("console-impact-collected", |f| {
        f.requests_collected.to_string()
    }),
    ("console-impact-trips", |f| f.trips_consolidated.to_string()),
    ("console-impact-km-saved", |f| format!("{:.1}", f.km_saved)),
    ("console-impact-co2", |f| format!("{:.1}", f.co2_avoided_kg)),
    ("console-impact-volunteer-hours", |f| {
        format!("{:.1}", f.volunteer_hours)
    }),
    ("console-impact-failed", |f| f.requests_failed.to_string()),
    ("console-impact-escalations", |f| {
        f.escalations_opened.to_string()
    }),
    ("console-impact-outcomes", |f| {
        f.escalation_outcomes
            .iter()
            .map(|(outcome, n)| format!("{} {n}", t(&format!("console-outcome-{outcome}"))))
            .collect::<Vec<_>>()
            .join(", ")
    }),
];

/// The period asked for; by default the last six months up to today.
fn period(form: &ImpactForm, today: NaiveDate) -> (String, String) {
    let start = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(5)))
        .unwrap_or(today);
    (
        form.from
            .clone()
            .unwrap_or_else(|| start.format("%Y-%m-%d").to_string()),
        form.to
            .clone()
            .unwrap_or_else(|| today.format("%Y-%m-%d").to_string()),
    )
}

async fn report(
    services: &Services,
    caller: &Caller,
    form: &ImpactForm,
) -> Result<ImpactReport, crate::error::AppError> {
    let area = caller.area()?;
    let zone = services.district.area(caller, area).await?.time_zone;
    let today = services.clock.now().with_timezone(&zone).date_naive();
    let (from, to) = period(form, today);
    services
        .impact
        .report(
            caller,
            ImpactQuery {
                area: Some(area),
                from: &from,
                to: &to,
                group_by: form.group_by.as_deref(),
            },
        )
        .await
}

fn group_label(report: &ImpactReport, key: &str, name: Option<&str>) -> String {
    match (report.group_by, name) {
        (_, Some(name)) => name.to_owned(),
        ("month", None) => NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d")
            .map(|d| match i18n::current() {
                crate::domain::account::Locale::Ja => format!("{}年{}月", d.year(), d.month()),
                crate::domain::account::Locale::En => d.format("%b %Y").to_string(),
            })
            .unwrap_or_else(|_| key.to_owned()),
        _ => t("console-impact-no-neighbourhood"),
    }
}

fn table(report: &ImpactReport) -> Markup {
    html! {
        table #impact-table {
            caption { (t("console-impact-table")) }
            thead {
                tr {
                    th scope="col" { (t(if report.group_by == "month" { "console-impact-month" } else { "console-impact-neighbourhood" })) }
                    @for (key, _) in COLUMNS { th.number scope="col" { (t(key)) } }
                }
            }
            tbody {
                @for group in &report.groups {
                    tr {
                        th scope="row" { (group_label(report, &group.key, group.name.as_deref())) }
                        @for (_, value) in COLUMNS { td.number { (value(&group.figures)) } }
                    }
                }
            }
            tfoot {
                tr {
                    th scope="row" { (t("console-impact-total")) }
                    @for (_, value) in COLUMNS { td.number { (value(&report.total)) } }
                }
            }
        }
    }
}

/// The chart's figures for `impact.js`, as data the policy lets the page carry (JSON is not
/// run as a script).
fn chart_data(report: &ImpactReport) -> String {
    let labels: Vec<String> = report
        .groups
        .iter()
        .map(|g| group_label(report, &g.key, g.name.as_deref()))
        .collect();
    let series = |f: fn(&FiguresView) -> f64| -> Vec<f64> {
        report.groups.iter().map(|g| f(&g.figures)).collect()
    };
    serde_json::json!({
        "labels": labels,
        "series": [
            {"label": t("console-impact-households"), "values": series(|f| f.households_reached as f64)},
            {"label": t("console-impact-delivered"), "values": series(|f| (f.requests_delivered + f.requests_collected) as f64)},
            {"label": t("console-impact-km-saved"), "values": series(|f| f.km_saved)},
            {"label": t("console-impact-volunteer-hours"), "values": series(|f| f.volunteer_hours)},
        ],
    })
    .to_string()
    // A "</" inside the data would end the element early.
    .replace("</", "<\\/")
}

/// `GET /console/impact`
pub async fn page(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
    form: web::Query<ImpactForm>,
) -> HttpResponse {
    let report = match report(&services, &caller, &form).await {
        Ok(report) => report,
        Err(error) => return page::failure(&error),
    };
    let locale = i18n::current();
    let date = |raw: &str| {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(|d| i18n::long_date(d, locale))
            .unwrap_or_else(|_| raw.to_owned())
    };
    let query = format!(
        "from={}&to={}&group_by={}",
        report.from, report.to, report.group_by
    );
    let title = t("console-impact-title");
    let main = html! {
        h1 { (title) }
        p { (date(&report.from)) " – " (date(&report.to)) }
        form.no-print method="get" action="/console/impact" {
            label for="from" { (t("console-impact-from")) }
            input #from type="date" name="from" value=(report.from) required;
            label for="to" { (t("console-impact-to")) }
            input #to type="date" name="to" value=(report.to) required;
            label for="group_by" { (t("console-impact-group-by")) }
            select #group_by name="group_by" {
                @for (value, key) in [("month", "console-impact-month"), ("neighbourhood", "console-impact-neighbourhood")] {
                    @if value == report.group_by {
                        option value=(value) selected { (t(key)) }
                    } @else {
                        option value=(value) { (t(key)) }
                    }
                }
            }
            p { button.primary type="submit" { (t("console-impact-show")) } }
        }
        p.no-print {
            a.button href={ "/console/impact.csv?" (query) } download { (t("console-impact-csv")) }
            " "
            button #print type="button" { (t("console-impact-print")) }
        }
        @if report.groups.is_empty() {
            p { (t("console-impact-nothing")) }
        } @else {
            figure {
                div #impact-chart role="img" aria-label=(t("console-impact-chart")) {}
                figcaption { (t("console-impact-chart")) }
            }
            script #impact-data type="application/json" { (PreEscaped(chart_data(&report))) }
        }
        div.scroll tabindex="0" role="region" aria-label=(t("console-impact-table")) { (table(&report)) }
        p.muted { (t("console-impact-how")) }
    };
    page::render(
        &settings,
        Page {
            section: Some(Section::Impact),
            title,
            visit: &visit,
            here: format!("/console/impact?{query}"),
            scripts: &["vendor/uplot/uPlot.iife.min.js", "impact.js"],
            styles: &["vendor/uplot/uPlot.min.css"],
        },
        main,
    )
}

/// `GET /console/impact.csv`: the same figures as the page, one row a group and a total.
pub async fn csv(
    services: web::Data<Services>,
    caller: Caller,
    form: web::Query<ImpactForm>,
) -> HttpResponse {
    let report = match report(&services, &caller, &form).await {
        Ok(report) => report,
        Err(error) => return page::failure(&error),
    };
    let mut out = String::from(BOM);
    let mut header_row = vec![
        "key".to_owned(),
        t(if report.group_by == "month" {
            "console-impact-month"
        } else {
            "console-impact-neighbourhood"
        }),
    ];
    header_row.extend(COLUMNS.iter().map(|(key, _)| t(key)));
    out.push_str(&csv_line(&header_row));
    for group in &report.groups {
        let mut cells = vec![
            group.key.clone(),
            group_label(&report, &group.key, group.name.as_deref()),
        ];
        cells.extend(COLUMNS.iter().map(|(_, value)| value(&group.figures)));
        out.push_str(&csv_line(&cells));
    }
    let mut total = vec!["total".to_owned(), t("console-impact-total")];
    total.extend(COLUMNS.iter().map(|(_, value)| value(&report.total)));
    out.push_str(&csv_line(&total));
    csv_response(&format!("yui-impact-{}-{}.csv", report.from, report.to)).body(out)
}
