//! Step 4 of the day: what the plan saves (formulas in the README, "Impact").

use super::*;

/// Step 4: the impact figures (formulas in the README, "Impact").
pub(super) fn impact(day: &Day, plan: &DayPlan) -> Impact {
    let unplaced: HashSet<RequestId> = plan.unassigned.iter().map(|(id, _)| *id).collect();
    let mut households: BTreeMap<ResidentId, Location> = BTreeMap::new();
    for request in &day.requests {
        if unplaced.contains(&request.id) {
            continue;
        }
        if let Some(point) = request.location {
            households.entry(request.household).or_insert(point);
        }
    }
    let household_km: f64 = match day.supermarket {
        Some(shop) => households
            .values()
            .map(|&home| 2.0 * great_circle_m(home, shop) * day.circuity / 1000.0)
            .sum(),
        None => 0.0,
    };
    let plan_km = plan.runs.iter().map(|r| r.distance_m).sum::<i64>() as f64 / 1000.0;
    let km_saved = household_km - plan_km;
    let volunteer_hours = plan
        .runs
        .iter()
        .filter(|r| r.carrier.kind == CarrierKind::Volunteer)
        .map(|r| r.duration_s)
        .sum::<i64>() as f64
        / 3600.0;
    Impact {
        households_reached: households.len(),
        household_km: round2(household_km),
        plan_km: round2(plan_km),
        km_saved: round2(km_saved),
        co2_avoided_kg: round2(km_saved * day.co2_kg_per_km),
        trips_consolidated: (households.len() as i64 - plan.runs.len() as i64).max(0),
        volunteer_hours: round2(volunteer_hours),
    }
}

pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
