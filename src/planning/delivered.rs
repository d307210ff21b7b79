//! The impact of what was delivered over a period, by month or by neighbourhood: the
//! municipality's figures. Unlike a plan's impact (what a plan would save), these count only
//! requests that reached their household (delivered home or collected at the hub) and runs
//! that were completed. Formulas in the README, "Impact".

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::travel::great_circle_m;
use crate::domain::area::Location;
use crate::domain::ids::{NeighbourhoodId, ResidentId, RunId};

/// How one request of the period ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Delivered,
    Collected,
    Failed,
}

/// A request of the period that ended, with where its household lives.
#[derive(Debug, Clone)]
pub struct EndedRequest {
    pub household: ResidentId,
    pub date: NaiveDate,
    pub neighbourhood: Option<NeighbourhoodId>,
    pub home: Option<Location>,
    /// The run that carried it, when it was planned onto one.
    pub run: Option<RunId>,
    pub ending: Ending,
}

#[derive(Debug, Clone)]
pub struct CompletedRun {
    pub id: RunId,
    pub date: NaiveDate,
    pub distance_m: i64,
    pub duration_s: i64,
    pub by_volunteer: bool,
}

/// A watch-over case opened in the period, and how it ended (none while open).
#[derive(Debug, Clone)]
pub struct Case {
    pub opened: NaiveDate,
    pub neighbourhood: Option<NeighbourhoodId>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Factors {
    /// Stands for the households' supermarket; without it no household kilometres count.
    pub depot: Option<Location>,
    pub circuity: f64,
    pub co2_kg_per_km: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Month,
    Neighbourhood,
}

/// One group's figures (a month "2026-12", a neighbourhood's id, or "none").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
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
    /// Cases by how they ended; "open" for those not resolved yet.
    pub escalation_outcomes: BTreeMap<String, i64>,
}

/// The key of groups without a neighbourhood (a resident outside every boundary).
pub const NO_NEIGHBOURHOOD: &str = "none";

#[derive(Default)]
struct Tally {
    households: BTreeSet<ResidentId>,
    /// Household-days served: each is a shopping trip the household did not make.
    household_days: BTreeSet<(ResidentId, NaiveDate)>,
    figures: Figures,
    runs: f64,
    carried_m: f64,
    volunteer_s: f64,
}

fn month_of(date: NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

fn neighbourhood_key(n: Option<NeighbourhoodId>) -> String {
    n.map_or_else(|| NO_NEIGHBOURHOOD.to_owned(), |id| id.to_string())
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The figures of each group, in key order, and of the whole period.
pub fn impact(
    requests: &[EndedRequest],
    runs: &[CompletedRun],
    cases: &[Case],
    factors: Factors,
    group_by: GroupBy,
) -> (Vec<(String, Figures)>, Figures) {
    let key_of = |date: NaiveDate, neighbourhood: Option<NeighbourhoodId>| match group_by {
        GroupBy::Month => month_of(date),
        GroupBy::Neighbourhood => neighbourhood_key(neighbourhood),
    };
    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    let mut whole = Tally::default();
    // A run's kilometres and hours are shared evenly by the requests it carried, so that
    // neighbourhoods split a run that crossed them.
    let mut carried_by_run: HashMap<RunId, Vec<String>> = HashMap::new();
    for request in requests {
        let key = key_of(request.date, request.neighbourhood);
        if let Some(run) = request.run {
            carried_by_run.entry(run).or_default().push(key.clone());
        }
        for tally in [groups.entry(key).or_default(), &mut whole] {
            match request.ending {
                Ending::Failed => tally.figures.requests_failed += 1,
                served => {
                    if served == Ending::Delivered {
                        tally.figures.requests_delivered += 1;
                    } else {
                        tally.figures.requests_collected += 1;
                    }
                    tally.households.insert(request.household);
                    if tally
                        .household_days
                        .insert((request.household, request.date))
                        && let (Some(home), Some(shop)) = (request.home, factors.depot)
                    {
                        tally.figures.household_km +=
                            2.0 * great_circle_m(home, shop) * factors.circuity / 1000.0;
                    }
                }
            }
        }
    }
    for run in runs {
        let shares: Vec<String> = match carried_by_run.get(&run.id) {
            Some(keys) if !keys.is_empty() => keys.clone(),
            _ => vec![key_of(run.date, None)],
        };
        let part = 1.0 / shares.len() as f64;
        let volunteer_s = if run.by_volunteer {
            run.duration_s as f64
        } else {
            0.0
        };
        for key in shares {
            let tally = groups.entry(key).or_default();
            tally.runs += part;
            tally.carried_m += part * run.distance_m as f64;
            tally.volunteer_s += part * volunteer_s;
        }
        whole.runs += 1.0;
        whole.carried_m += run.distance_m as f64;
        whole.volunteer_s += volunteer_s;
    }
    for case in cases {
        let outcome = case.outcome.clone().unwrap_or_else(|| "open".to_owned());
        for tally in [
            groups
                .entry(key_of(case.opened, case.neighbourhood))
                .or_default(),
            &mut whole,
        ] {
            tally.figures.escalations_opened += 1;
            *tally
                .figures
                .escalation_outcomes
                .entry(outcome.clone())
                .or_default() += 1;
        }
    }
    let finish = |tally: Tally| -> Figures {
        let mut figures = tally.figures;
        figures.households_reached = tally.households.len() as i64;
        figures.trips_consolidated = (tally.household_days.len() as f64 - tally.runs)
            .round()
            .max(0.0) as i64;
        let carried_km = tally.carried_m / 1000.0;
        let km_saved = figures.household_km - carried_km;
        figures.carried_km = round2(carried_km);
        figures.km_saved = round2(km_saved);
        figures.co2_avoided_kg = round2(km_saved * factors.co2_kg_per_km);
        figures.household_km = round2(figures.household_km);
        figures.volunteer_hours = round2(tally.volunteer_s / 3600.0);
        figures
    };
    (
        groups
            .into_iter()
            .map(|(key, tally)| (key, finish(tally)))
            .collect(),
        finish(whole),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn counts_only_what_reached_the_household_and_shares_runs_by_what_they_carried() {
        let shop = Location {
            lat: 34.70,
            lon: 135.95,
        };
        // About 1.11 km north of the shop: 2 x 1.11 x 1.5 = 3.34 km a trip.
        let home = Location {
            lat: 34.71,
            lon: 135.95,
        };
        let (a, b) = (ResidentId::new(), ResidentId::new());
        let (north, south) = (NeighbourhoodId::new(), NeighbourhoodId::new());
        let run = RunId::new();
        let ended = |household, d, neighbourhood, ending| EndedRequest {
            household,
            date: date(d),
            neighbourhood: Some(neighbourhood),
            home: Some(home),
            run: Some(run),
            ending,
        };
        let requests = vec![
            ended(a, 3, north, Ending::Delivered),
            // A second request of the same household that day: no second trip saved.
            ended(a, 3, north, Ending::Collected),
            ended(b, 3, south, Ending::Delivered),
            ended(b, 3, south, Ending::Failed),
        ];
        let runs = vec![CompletedRun {
            id: run,
            date: date(3),
            distance_m: 2000,
            duration_s: 3600,
            by_volunteer: true,
        }];
        let cases = vec![Case {
            opened: date(3),
            neighbourhood: Some(south),
            outcome: Some("resident_safe".into()),
        }];
        let factors = Factors {
            depot: Some(shop),
            circuity: 1.5,
            co2_kg_per_km: 0.13,
        };
        let (groups, total) = impact(&requests, &runs, &cases, factors, GroupBy::Neighbourhood);
        assert_eq!(total.households_reached, 2);
        assert_eq!(total.requests_delivered, 2);
        assert_eq!(total.requests_collected, 1);
        assert_eq!(total.requests_failed, 1);
        assert_eq!(total.trips_consolidated, 1, "two household trips, one run");
        let trip = 2.0 * great_circle_m(home, shop) * 1.5 / 1000.0;
        assert!((total.household_km - round2(2.0 * trip)).abs() < 0.011);
        assert_eq!(total.carried_km, 2.0);
        assert!((total.co2_avoided_kg - round2((2.0 * trip - 2.0) * 0.13)).abs() < 0.011);
        assert_eq!(total.volunteer_hours, 1.0);
        assert_eq!(total.escalations_opened, 1);
        assert_eq!(total.escalation_outcomes["resident_safe"], 1);
        // The run carried two of north's requests and two of south's: half each.
        let by_key: BTreeMap<_, _> = groups.into_iter().collect();
        assert_eq!(by_key[&north.to_string()].carried_km, 1.0);
        assert_eq!(by_key[&south.to_string()].volunteer_hours, 0.5);
        assert_eq!(by_key[&south.to_string()].escalations_opened, 1);
        assert_eq!(by_key[&north.to_string()].escalations_opened, 0);

        let (months, _) = impact(&requests, &runs, &cases, factors, GroupBy::Month);
        assert_eq!(months.len(), 1);
        assert_eq!(months[0].0, "2026-11");
        assert_eq!(months[0].1, total);
    }

    #[test]
    fn without_a_depot_no_household_kilometres_count() {
        let factors = Factors {
            depot: None,
            circuity: 1.4,
            co2_kg_per_km: 0.13,
        };
        let request = EndedRequest {
            household: ResidentId::new(),
            date: date(1),
            neighbourhood: None,
            home: Some(Location {
                lat: 34.7,
                lon: 135.9,
            }),
            run: None,
            ending: Ending::Collected,
        };
        let (groups, total) = impact(&[request], &[], &[], factors, GroupBy::Neighbourhood);
        assert_eq!(groups[0].0, NO_NEIGHBOURHOOD);
        assert_eq!(total.household_km, 0.0);
        assert_eq!(total.trips_consolidated, 1);
        assert_eq!(total.km_saved, 0.0);
    }
}
