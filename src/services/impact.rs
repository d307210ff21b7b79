//! The impact report for the municipality: what an area's deliveries achieved over a period,
//! by month or by neighbourhood, computed from what was delivered (planning/delivered.rs).

use chrono::Days;
use serde::Serialize;

use super::caller::Caller;
use super::district::area_for;
use crate::db::{self, Db};
use crate::domain::area::{Location, local_seconds, parse_date};
use crate::domain::error::Message;
use crate::domain::ids::AreaId;
use crate::domain::request::RequestStatus;
use crate::error::AppError;
use crate::planning::delivered::{
    self, Case, CompletedRun, EndedRequest, Ending, Factors, Figures, GroupBy,
};

/// The longest period one report covers.
pub const MAX_PERIOD_DAYS: i64 = 731;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FiguresView {
    pub households_reached: i64,
    pub requests_delivered: i64,
    pub requests_collected: i64,
    pub requests_failed: i64,
    pub trips_consolidated: i64,
    pub household_km: f64,
    pub carried_km: f64,
    pub km_saved: f64,
    pub co2_avoided_kg: f64,
    pub volunteer_hours: f64,
    pub escalations_opened: i64,
    pub escalation_outcomes: std::collections::BTreeMap<String, i64>,
}

impl From<Figures> for FiguresView {
    fn from(f: Figures) -> Self {
        FiguresView {
            households_reached: f.households_reached,
            requests_delivered: f.requests_delivered,
            requests_collected: f.requests_collected,
            requests_failed: f.requests_failed,
            trips_consolidated: f.trips_consolidated,
            household_km: f.household_km,
            carried_km: f.carried_km,
            km_saved: f.km_saved,
            co2_avoided_kg: f.co2_avoided_kg,
            volunteer_hours: f.volunteer_hours,
            escalations_opened: f.escalations_opened,
            escalation_outcomes: f.escalation_outcomes,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImpactGroup {
    /// "2026-12" by month; a neighbourhood's id (or "none") by neighbourhood.
    pub key: String,
    /// The neighbourhood's name; none by month.
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: FiguresView,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImpactReport {
    pub area_id: AreaId,
    pub from: String,
    pub to: String,
    pub group_by: &'static str,
    pub groups: Vec<ImpactGroup>,
    pub total: FiguresView,
}

/// What a report is asked for, as read from the query.
pub struct ImpactQuery<'a> {
    pub area: Option<AreaId>,
    pub from: &'a str,
    pub to: &'a str,
    pub group_by: Option<&'a str>,
}

fn group_by(raw: Option<&str>) -> Result<GroupBy, AppError> {
    match raw.unwrap_or("month") {
        "month" => Ok(GroupBy::Month),
        "neighbourhood" => Ok(GroupBy::Neighbourhood),
        _ => Err(AppError::invalid(
            "group_by",
            Message::new("invalid-one-of").arg("values", "month, neighbourhood"),
        )),
    }
}

#[derive(Clone)]
pub struct Impact {
    db: Db,
}

impl Impact {
    pub fn new(db: Db) -> Self {
        Impact { db }
    }

    pub async fn report(
        &self,
        caller: &Caller,
        query: ImpactQuery<'_>,
    ) -> Result<ImpactReport, AppError> {
        let area = match query.area {
            Some(area) => area,
            None => caller
                .area_id
                .ok_or_else(|| AppError::invalid("area_id", "invalid-required"))?,
        };
        let from = parse_date("from", query.from)?;
        let to = parse_date("to", query.to)?;
        if to < from {
            return Err(AppError::invalid("to", "invalid-before-from"));
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(AppError::invalid(
                "to",
                Message::new("invalid-period-too-long").arg("days", MAX_PERIOD_DAYS),
            ));
        }
        let grouping = group_by(query.group_by)?;
        if !caller.role.is_staff() {
            return Err(AppError::NotFound);
        }
        let caller = caller.clone();
        self.db
            .run("impact.report", move |conn| {
                let area = area_for(conn, &caller, area)?;
                let (from_text, to_text) = (
                    from.format("%Y-%m-%d").to_string(),
                    to.format("%Y-%m-%d").to_string(),
                );
                let date = |raw: &str| parse_date("delivery_date", raw).map_err(AppError::from);
                let requests = db::impact::ended_requests(conn, area.id, &from_text, &to_text)?
                    .into_iter()
                    .map(|row| {
                        Ok(EndedRequest {
                            household: row.household,
                            date: date(&row.delivery_date)?,
                            neighbourhood: row.neighbourhood,
                            home: row.home.map(|(lat, lon)| Location { lat, lon }),
                            run: row.run,
                            ending: match row.status {
                                RequestStatus::Delivered => Ending::Delivered,
                                RequestStatus::Collected => Ending::Collected,
                                _ => Ending::Failed,
                            },
                        })
                    })
                    .collect::<Result<Vec<_>, AppError>>()?;
                let runs = db::impact::completed_runs(conn, area.id, &from_text, &to_text)?
                    .into_iter()
                    .map(|run| {
                        Ok(CompletedRun {
                            id: run.id,
                            date: date(&run.delivery_date)?,
                            distance_m: run.distance_m,
                            duration_s: run.duration_s,
                            by_volunteer: run.by_volunteer,
                        })
                    })
                    .collect::<Result<Vec<_>, AppError>>()?;
                // Cases by the local day they opened on.
                let after_to = to
                    .checked_add_days(Days::new(1))
                    .ok_or_else(|| AppError::internal("date out of range"))?;
                let start = local_seconds(from, area.time_zone, 0)?.naive_utc();
                let end = local_seconds(after_to, area.time_zone, 0)?.naive_utc();
                let cases = db::impact::cases_opened(conn, area.id, start, end)?
                    .into_iter()
                    .map(|case| Case {
                        opened: case
                            .opened_at
                            .and_utc()
                            .with_timezone(&area.time_zone)
                            .date_naive(),
                        neighbourhood: case.neighbourhood,
                        outcome: case.outcome,
                    })
                    .collect::<Vec<_>>();
                let factors = Factors {
                    depot: area.depot,
                    circuity: area.circuity_factor,
                    co2_kg_per_km: area.co2_kg_per_km,
                };
                let (groups, total) =
                    delivered::impact(&requests, &runs, &cases, factors, grouping);
                let names = match grouping {
                    GroupBy::Month => Vec::new(),
                    GroupBy::Neighbourhood => db::impact::neighbourhood_names(conn, area.id)?,
                };
                let name_of = |key: &str| {
                    names
                        .iter()
                        .find(|(id, _)| id.to_string() == key)
                        .map(|(_, name)| name.clone())
                };
                Ok(ImpactReport {
                    area_id: area.id,
                    from: from_text,
                    to: to_text,
                    group_by: match grouping {
                        GroupBy::Month => "month",
                        GroupBy::Neighbourhood => "neighbourhood",
                    },
                    groups: groups
                        .into_iter()
                        .map(|(key, figures)| ImpactGroup {
                            name: name_of(&key),
                            key,
                            figures: figures.into(),
                        })
                        .collect(),
                    total: total.into(),
                })
            })
            .await
    }
}
