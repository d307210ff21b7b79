//! Exports: CSV files of the area's residents, requests, runs with their stops, handovers and
//! watch-over cases (the impact CSV is on the impact page), in UTF-8 with a byte-order mark so that
//! Excel in Japan opens them. Large files are streamed a page of rows at a time.

use std::collections::HashMap;
use std::future::Future;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{Days, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use futures_util::stream;
use maud::html;
use serde::Deserialize;

use super::page::{self, Page, Section, Settings, t};
use super::session::ConsoleVisit;
use crate::db::requests::RequestFilter;
use crate::domain::account::Locale;
use crate::domain::handover::Crates;
use crate::domain::ids::{HandoverId, HubId, ResidentId};
use crate::error::AppError;
use crate::i18n;
use crate::services::Services;
use crate::services::caller::Caller;

/// Rows read from the database for each piece of a streamed file.
const ROWS_PER_PIECE: i64 = 500;

/// The longest period one export covers.
const MAX_DAYS: u64 = 366;

/// A cell as Excel should show it: quoted when it holds a comma, quote or line break, and
/// kept from being read as a formula.
pub fn csv_field(raw: &str) -> String {
    let text = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) && raw.parse::<f64>().is_err() {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The UTF-8 byte-order mark, so that Excel in Japan reads the file as UTF-8.
pub const BOM: &str = "\u{feff}";

/// One CSV line of `cells`, ended as Excel ends it.
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    cells
        .iter()
        .map(|c| csv_field(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
        + "\r\n"
}

/// The headers of a CSV download named `filename`.
pub fn csv_response(filename: &str) -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::Ok();
    builder
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ));
    builder
}

/// A CSV answered in pieces: the mark and `header` first, then each page of rows `next`
/// reads from its cursor, until it reads none. The first page is read before answering, so
/// that a refusal is a page saying why, not a broken file; a failure later ends the
/// download short (the browser reports it as failed, never as a complete file).
async fn streamed<C, F, Fut>(
    filename: String,
    header: Vec<String>,
    start: C,
    mut next: F,
) -> HttpResponse
where
    C: 'static,
    F: FnMut(C) -> Fut + 'static,
    Fut: Future<Output = Result<Option<(Vec<Vec<String>>, C)>, AppError>> + 'static,
{
    let first = match next(start).await {
        Ok(first) => first,
        Err(error) => return page::failure(&error),
    };
    let head = format!("{BOM}{}", csv_line(&header));
    let pieces = stream::unfold(
        (Some(head), first, next),
        |(head, page, mut next)| async move {
            if let Some(head) = head {
                return Some((Ok(web::Bytes::from(head)), (None, page, next)));
            }
            let (rows, cursor) = page?;
            let text: String = rows.iter().map(|row| csv_line(row)).collect();
            let following = match next(cursor).await {
                Ok(following) => following,
                Err(error) => {
                    tracing::error!(error = %error, "an export stopped part way");
                    return Some((Err(error), (None, None, next)));
                }
            };
            Some((Ok(web::Bytes::from(text)), (None, following, next)))
        },
    );
    csv_response(&filename).streaming(pieces)
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The period asked for, from and to inclusive; the area's today when not given.
async fn period(
    services: &Services,
    caller: &Caller,
    query: &PeriodQuery,
) -> Result<(NaiveDate, NaiveDate), AppError> {
    let from = page::chosen_date(services, caller, query.from.as_deref(), 0).await?;
    let to = match query.to.as_deref().filter(|t| !t.is_empty()) {
        Some(raw) => crate::domain::area::parse_date("to", raw)?,
        None => from,
    };
    let longest = from.checked_add_days(Days::new(MAX_DAYS - 1));
    if to < from || longest.is_none_or(|last| to > last) {
        return Err(AppError::invalid("to", "console-exports-bad-period"));
    }
    Ok((from, to))
}

fn label(locale: Locale, key: &str) -> String {
    i18n::lookup::<&str>(locale, key, &[])
}

/// The area's time zone, in which the files give their times.
async fn zone_of(services: &Services, caller: &Caller) -> Result<Tz, AppError> {
    Ok(services
        .district
        .area(caller, caller.area()?)
        .await?
        .time_zone)
}

/// A time from the wire as Excel reads it, in the area's time zone: 2026-12-03 16:00.
fn local(wire: &str, zone: Tz) -> String {
    chrono::DateTime::parse_from_rfc3339(wire).map_or_else(
        |_| wire.to_owned(),
        |at| at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// An optional time, the same way; empty when there is none.
fn local_or_empty(wire: Option<&str>, zone: Tz) -> String {
    wire.map(|w| local(w, zone)).unwrap_or_default()
}

/// A file's first row: its columns' names in the reader's language.
fn header_of(locale: Locale, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|key| label(locale, key)).collect()
}

/// The area's residents' names by id, for rows that name whose they are.
async fn resident_names(
    services: &Services,
    caller: &Caller,
) -> Result<HashMap<ResidentId, String>, AppError> {
    Ok(services
        .residents
        .list(caller, false, None, 100_000)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

/// `GET /console/exports`
pub async fn page(
    services: web::Data<Services>,
    settings: Settings,
    visit: ConsoleVisit,
    caller: Caller,
) -> HttpResponse {
    // The periods start filled in with the area's today.
    let today = match page::chosen_date(&services, &caller, None, 0).await {
        Ok(today) => today.format("%Y-%m-%d").to_string(),
        Err(error) => return page::failure(&error),
    };
    let title = t("console-exports-title");
    let period_form = |action: &str, id: &str| {
        html! {
            form.filters method="get" action=(action) {
                label for={ (id) "-from" } { (t("console-impact-from")) }
                input id={ (id) "-from" } type="date" name="from" value=(today) required;
                label for={ (id) "-to" } { (t("console-impact-to")) }
                input id={ (id) "-to" } type="date" name="to" value=(today) required;
                " "
                button type="submit" { (t("console-exports-download")) }
            }
        }
    };
    let main = html! {
        h1 { (title) }
        p.muted { (t("console-exports-about")) }
        section.card.wide #export-residents {
            h2 { (t("console-exports-residents")) }
            p { (t("console-exports-residents-about")) }
            p { a.button href="/console/exports/residents.csv" download { (t("console-exports-download")) } }
        }
        section.card.wide #export-requests {
            h2 { (t("console-exports-requests")) }
            p { (t("console-exports-requests-about")) }
            (period_form("/console/exports/requests.csv", "requests"))
        }
        section.card.wide #export-runs {
            h2 { (t("console-exports-runs")) }
            p { (t("console-exports-runs-about")) }
            (period_form("/console/exports/runs.csv", "runs"))
        }
        section.card.wide #export-handovers {
            h2 { (t("console-exports-handovers")) }
            p { (t("console-exports-handovers-about")) }
            (period_form("/console/exports/handovers.csv", "handovers"))
        }
        section.card.wide #export-escalations {
            h2 { (t("console-exports-escalations")) }
            p { (t("console-exports-escalations-about")) }
            p { a.button href="/console/exports/escalations.csv" download { (t("console-exports-download")) } }
        }
        section.card.wide #export-impact {
            h2 { (t("console-impact-title")) }
            p { a href="/console/impact" { (t("console-exports-impact-about")) } }
        }
    };
    page::render(
        &settings,
        Page {
            section: Some(Section::Exports),
            title,
            visit: &visit,
            here: "/console/exports".to_owned(),
            scripts: &[],
            styles: &[],
        },
        main,
    )
}

/// `GET /console/exports/residents.csv`: every resident of the area with the contact details
/// staff may read (each read on record), no care notes.
async fn residents(
    services: web::Data<Services>,
    caller: Caller,
) -> Result<HttpResponse, AppError> {
    let locale = i18n::current();
    let neighbourhoods: HashMap<String, String> = services
        .neighbourhoods
        .list(&caller)
        .await?
        .into_iter()
        .map(|n| (n.id.to_string(), n.name))
        .collect();
    let header = header_of(
        locale,
        &[
            "console-exports-id",
            "console-name",
            "console-exports-phone",
            "console-exports-address",
            "console-impact-neighbourhood",
            "console-requests-fulfilment",
            "console-exports-location-status",
            "console-exports-lat",
            "console-exports-lon",
        ],
    );
    Ok(streamed(
        "yui-residents.csv".to_owned(),
        header,
        (None::<ResidentId>, false),
        move |(after, done)| {
            let services = services.clone();
            let caller = caller.clone();
            let neighbourhoods = neighbourhoods.clone();
            async move {
                if done {
                    return Ok(None);
                }
                let page = services
                    .residents
                    .export_page(&caller, after, ROWS_PER_PIECE)
                    .await?;
                let last = page.last().map(|r| r.id);
                let full = i64::try_from(page.len()).unwrap_or(0) == ROWS_PER_PIECE;
                let rows = page
                    .into_iter()
                    .map(|r| {
                        vec![
                            r.id.to_string(),
                            r.name,
                            r.phone.unwrap_or_default(),
                            r.address.unwrap_or_default(),
                            r.neighbourhood_id
                                .and_then(|n| neighbourhoods.get(&n.to_string()).cloned())
                                .unwrap_or_default(),
                            label(
                                locale,
                                &format!("console-fulfilment-{}", r.fulfilment.as_str()),
                            ),
                            label(
                                locale,
                                &format!("console-location-{}", r.location_status.as_str()),
                            ),
                            r.location
                                .map(|l| format!("{:.6}", l.lat))
                                .unwrap_or_default(),
                            r.location
                                .map(|l| format!("{:.6}", l.lon))
                                .unwrap_or_default(),
                        ]
                    })
                    .collect::<Vec<_>>();
                Ok(Some((rows, (last, !full))))
            }
        },
    )
    .await)
}

/// `GET /console/exports/requests.csv?from=&to=`: requests by delivery date, one row each.
async fn requests(
    services: web::Data<Services>,
    caller: Caller,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let locale = i18n::current();
    let (from, to) = period(&services, &caller, &query).await?;
    let names = resident_names(&services, &caller).await?;
    let zone = zone_of(&services, &caller).await?;
    let header = header_of(
        locale,
        &[
            "console-exports-id",
            "console-date",
            "console-field-resident",
            "console-requests-fulfilment",
            "console-status",
            "console-requests-items",
            "console-exports-created",
            "console-exports-delivered",
            "console-exports-collected",
        ],
    );
    Ok(streamed(
        format!("yui-requests-{from}-{to}.csv"),
        header,
        (Some(from), None),
        move |(date, after)| {
            let services = services.clone();
            let caller = caller.clone();
            let names = names.clone();
            async move {
                let Some(date) = date else { return Ok(None) };
                let filter = RequestFilter {
                    delivery_date: Some(date.format("%Y-%m-%d").to_string()),
                    ..RequestFilter::default()
                };
                let page = services
                    .requests
                    .list(&caller, filter, after, ROWS_PER_PIECE)
                    .await?;
                let full = i64::try_from(page.len()).unwrap_or(0) == ROWS_PER_PIECE;
                let cursor = match page.last() {
                    Some(last) if full => (
                        Some(date),
                        crate::http::pagination::after(Some(
                            &crate::http::pagination::rfc3339_cursor(
                                &last.created_at,
                                &last.id.to_string(),
                            ),
                        ))?,
                    ),
                    _ => (date.succ_opt().filter(|next| *next <= to), None),
                };
                let rows = page
                    .into_iter()
                    .map(|r| {
                        vec![
                            r.id.to_string(),
                            r.delivery_date,
                            names.get(&r.resident_id).cloned().unwrap_or_default(),
                            label(
                                locale,
                                &format!("console-fulfilment-{}", r.fulfilment.as_str()),
                            ),
                            label(locale, &format!("request-status-{}", r.status.as_str())),
                            r.items.len().to_string(),
                            local(&r.created_at, zone),
                            local_or_empty(r.delivered_at.as_deref(), zone),
                            local_or_empty(r.collected_at.as_deref(), zone),
                        ]
                    })
                    .collect();
                Ok(Some((rows, cursor)))
            }
        },
    )
    .await)
}

/// `GET /console/exports/runs.csv?from=&to=`: one row per stop of each run, with the run's
/// carrier, status, times, distance and, at a door, whose request it is.
async fn runs(
    services: web::Data<Services>,
    caller: Caller,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let locale = i18n::current();
    let (from, to) = period(&services, &caller, &query).await?;
    let names = resident_names(&services, &caller).await?;
    let zone = zone_of(&services, &caller).await?;
    // Request id → whose it is, for the stops at doors.
    let mut owners = HashMap::new();
    let mut day = Some(from);
    while let Some(date) = day.filter(|d| *d <= to) {
        let filter = RequestFilter {
            delivery_date: Some(date.format("%Y-%m-%d").to_string()),
            ..RequestFilter::default()
        };
        for request in services
            .requests
            .list(&caller, filter, None, 100_000)
            .await?
        {
            if let Some(name) = names.get(&request.resident_id) {
                owners.insert(request.id, name.clone());
            }
        }
        day = date.succ_opt();
    }
    let header = header_of(
        locale,
        &[
            "console-exports-run",
            "console-date",
            "console-exports-carrier",
            "console-exports-carrier-kind",
            "console-status",
            "console-exports-starts",
            "console-exports-km",
            "console-exports-minutes",
            "console-exports-stop",
            "console-exports-stop-kind",
            "console-exports-arrival",
            "console-field-resident",
        ],
    );
    Ok(streamed(
        format!("yui-runs-{from}-{to}.csv"),
        header,
        Some(from),
        move |date| {
            let services = services.clone();
            let caller = caller.clone();
            let owners = owners.clone();
            async move {
                let Some(date) = date else { return Ok(None) };
                // A district's day is a few dozen runs: one read a day.
                let page = services
                    .runs
                    .list(
                        &caller,
                        Some(date.format("%Y-%m-%d").to_string()),
                        None,
                        10_000,
                    )
                    .await?;
                let area = caller.area()?;
                let mut rows = Vec::new();
                // An admin's list spans areas: the file is of the caller's area.
                for run in page.into_iter().filter(|run| run.area_id == area) {
                    for stop in &run.stops {
                        rows.push(vec![
                            run.id.to_string(),
                            run.delivery_date.clone(),
                            run.carrier.name.clone(),
                            label(
                                locale,
                                &format!("console-carrier-{}", run.carrier.kind.as_str()),
                            ),
                            label(locale, &format!("run-status-{}", run.status.as_str())),
                            local(&run.starts_at, zone),
                            format!("{:.1}", run.distance_km),
                            format!("{:.0}", run.duration_min),
                            stop.seq.to_string(),
                            label(locale, &format!("console-stop-{}", stop.kind)),
                            local(&stop.arrival, zone),
                            stop.request_id
                                .and_then(|id| owners.get(&id).cloned())
                                .unwrap_or_default(),
                        ]);
                    }
                }
                Ok(Some((rows, date.succ_opt().filter(|next| *next <= to))))
            }
        },
    )
    .await)
}

/// The area's midnight starting `date`, and the one after `to`, in UTC: a period of local days.
fn local_days(
    zone: Tz,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<(NaiveDateTime, NaiveDateTime), AppError> {
    let midnight = |date: NaiveDate| {
        date.and_hms_opt(0, 0, 0)
            .and_then(|local| local.and_local_timezone(zone).earliest())
            .map(|at| at.naive_utc())
            .ok_or_else(|| AppError::internal("no local midnight"))
    };
    let after = to
        .succ_opt()
        .ok_or_else(|| AppError::internal("date out of range"))?;
    Ok((midnight(from)?, midnight(after)?))
}

fn crates_cell(crates: Option<&Crates>) -> String {
    crates.map_or_else(String::new, |c| {
        format!("{}/{}/{}", c.ambient, c.chilled, c.frozen)
    })
}

/// `GET /console/exports/handovers.csv?from=&to=`: every change of hands in the period, in
/// the order it happened; recipients' names, notes and places are left out (personal).
async fn handovers(
    services: web::Data<Services>,
    caller: Caller,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let locale = i18n::current();
    let (from, to) = period(&services, &caller, &query).await?;
    let zone = zone_of(&services, &caller).await?;
    let bounds = local_days(zone, (from, to))?;
    let hubs: HashMap<HubId, String> = services
        .district
        .hubs(&caller)
        .await?
        .into_iter()
        .map(|h| (h.id, h.name))
        .collect();

    let header = header_of(
        locale,
        &[
            "console-exports-id",
            "console-exports-occurred",
            "console-exports-handover-kind",
            "console-exports-run",
            "console-field-hub",
            "console-exports-requests-count",
            "console-exports-request-ids",
            "console-exports-crates",
            "console-exports-loaded-crates",
            "console-exports-recipient",
            "console-exports-proof",
            "console-exports-flagged",
            "console-exports-reason",
        ],
    );
    let enum_label = move |prefix: &str, code: Option<&str>| {
        code.map(|c| label(locale, &format!("{prefix}{c}")))
            .unwrap_or_default()
    };
    Ok(streamed(
        format!("yui-handovers-{from}-{to}.csv"),
        header,
        (None::<(NaiveDateTime, HandoverId)>, false),
        move |(after, done)| {
            let services = services.clone();
            let caller = caller.clone();
            let hubs = hubs.clone();
            async move {
                if done {
                    return Ok(None);
                }
                let page = services
                    .handovers
                    .of_area(&caller, bounds, after, ROWS_PER_PIECE)
                    .await?;
                let full = i64::try_from(page.len()).unwrap_or(0) == ROWS_PER_PIECE;
                let mut last = after;
                let mut rows = Vec::with_capacity(page.len());
                for (key, handover) in page {
                    last = Some(key);
                    rows.push(vec![
                        handover.id.to_string(),
                        local(&handover.occurred_at, zone),
                        label(
                            locale,
                            &format!("console-handover-{}", handover.kind.as_str()),
                        ),
                        handover.run_id.map(|r| r.to_string()).unwrap_or_default(),
                        handover
                            .hub_id
                            .and_then(|h| hubs.get(&h).cloned())
                            .unwrap_or_default(),
                        handover.request_ids.len().to_string(),
                        handover
                            .request_ids
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(" "),
                        crates_cell(handover.crates.as_ref()),
                        crates_cell(handover.discrepancy.as_ref()),
                        enum_label(
                            "console-recipient-",
                            handover.recipient.as_ref().map(|r| r.kind.as_str()),
                        ),
                        enum_label(
                            "console-proof-",
                            handover.proof.as_ref().map(|p| p.method.as_str()),
                        ),
                        match &handover.proof {
                            Some(proof) if proof.flagged => label(locale, "console-exports-yes"),
                            _ => String::new(),
                        },
                        enum_label("console-failure-", handover.reason.map(|r| r.as_str())),
                    ]);
                }
                Ok(Some((rows, (last, !full))))
            }
        },
    )
    .await)
}

/// `GET /console/exports/escalations.csv`: the area's watch-over cases, newest first.
async fn escalations(
    services: web::Data<Services>,
    caller: Caller,
) -> Result<HttpResponse, AppError> {
    let locale = i18n::current();
    let names = resident_names(&services, &caller).await?;
    let zone = zone_of(&services, &caller).await?;
    let header = header_of(
        locale,
        &[
            "console-exports-id",
            "console-exports-opened",
            "console-field-resident",
            "console-exports-cause",
            "console-status",
            "console-exports-step",
            "console-exports-resolved",
            "console-escalation-outcome",
            "console-exports-note",
        ],
    );
    Ok(streamed(
        "yui-watch-over-cases.csv".to_owned(),
        header,
        true,
        move |first| {
            let services = services.clone();
            let caller = caller.clone();
            let names = names.clone();
            async move {
                if !first {
                    return Ok(None);
                }
                // Cases are few (a handful a week): one read.
                let cases = services.escalations.list(&caller, None, 100_000).await?;
                let rows = cases
                    .into_iter()
                    .map(|case| {
                        vec![
                            case.id.to_string(),
                            local(&case.opened_at, zone),
                            names.get(&case.resident_id).cloned().unwrap_or_default(),
                            label(locale, &format!("console-cause-{}", case.cause.as_str())),
                            label(
                                locale,
                                &format!("console-escalation-status-{}", case.status.as_str()),
                            ),
                            label(
                                locale,
                                &format!("console-step-{}", case.current_to.as_str()),
                            ),
                            local_or_empty(case.resolved_at.as_deref(), zone),
                            case.outcome
                                .map(|o| label(locale, &format!("console-outcome-{}", o.as_str())))
                                .unwrap_or_default(),
                            case.note.unwrap_or_default(),
                        ]
                    })
                    .collect();
                Ok(Some((rows, false)))
            }
        },
    )
    .await)
}

/// `GET /console/exports/{file}`: the export the file's name says.
pub async fn download(
    services: web::Data<Services>,
    caller: Caller,
    file: web::Path<String>,
    query: web::Query<PeriodQuery>,
) -> HttpResponse {
    page::answer(match file.as_str() {
        "residents.csv" => residents(services, caller).await,
        "requests.csv" => requests(services, caller, query).await,
        "runs.csv" => runs(services, caller, query).await,
        "handovers.csv" => handovers(services, caller, query).await,
        "escalations.csv" => escalations(services, caller).await,
        _ => Err(AppError::NotFound),
    })
}

#[cfg(test)]
mod tests {
    use super::{csv_field, csv_line, local};

    #[test]
    fn times_read_in_the_area_s_zone() {
        let tokyo = chrono_tz::Asia::Tokyo;
        assert_eq!(
            local("2026-12-02T23:30:00.000000Z", tokyo),
            "2026-12-03 08:30"
        );
        assert_eq!(local("not a time", tokyo), "not a time");
    }

    #[test]
    fn csv_fields_are_quoted_and_kept_from_formulas() {
        assert_eq!(csv_field("月ヶ瀬"), "月ヶ瀬");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("-3.5"), "-3.5");
        assert_eq!(csv_field("\t=1+1"), "'\t=1+1");
        assert_eq!(csv_field("\r=1"), "\"'\r=1\"");
        assert_eq!(csv_line(&["a", "b,c"]), "a,\"b,c\"\r\n");
    }
}
