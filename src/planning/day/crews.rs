//! Which carriers work from which hub: who can reach a hub at all, and the assignment of
//! carriers to hubs before the routes are searched.

use super::*;

/// Whether `carrier` could ever work from `hub`: out and back within range, and free at all.
pub(super) fn in_reach(day: &Day, carrier: &Carrier, hub: &Hub) -> bool {
    let there_and_back = 2.0 * great_circle_m(carrier.home, hub.location) * day.circuity;
    there_and_back < carrier.max_distance_m as f64
        && carrier.available.end > carrier.available.start
}

/// Gives each carrier one hub, or none: a greedy start (the most constrained carriers first,
/// each to the hub in reach with the most volume still uncovered per kilometre from home,
/// cold boxes where cold goods wait), then moves and swaps of single carriers between hubs
/// until none improves the assignment (`Cost`). Ties are broken by what carriers are (reach,
/// capacity, home), never by their ids' order, so the same people get the same hubs.
pub(super) fn assign_carriers(day: &Day, jobs: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let hubs = day.hubs.len();
    let demand = Demand::of(day, jobs);
    let reach: Vec<Vec<usize>> = day
        .carriers
        .iter()
        .map(|c| {
            (0..hubs)
                .filter(|&h| !jobs[h].is_empty() && in_reach(day, c, &day.hubs[h]))
                .collect()
        })
        .collect();
    let mut order: Vec<usize> = (0..day.carriers.len()).collect();
    order.sort_by(|&a, &b| {
        let (ca, cb) = (&day.carriers[a], &day.carriers[b]);
        reach[a]
            .len()
            .cmp(&reach[b].len())
            .then(cb.capacity_litres.cmp(&ca.capacity_litres))
            .then(ca.home.lat.total_cmp(&cb.home.lat))
            .then(ca.home.lon.total_cmp(&cb.home.lon))
            .then(ca.id.cmp(&cb.id))
    });

    // The greedy start.
    let mut volume = demand.volume.clone();
    let mut cold = demand.cold.clone();
    let mut hub_of: Vec<Option<usize>> = vec![None; day.carriers.len()];
    for &c in &order {
        let carrier = &day.carriers[c];
        let score = |h: usize| {
            let km = great_circle_m(carrier.home, day.hubs[h].location) / 1000.0;
            let useful = if carrier.cold_box && cold[h] > 0 {
                volume[h] + cold[h]
            } else {
                volume[h]
            };
            useful as f64 / (1.0 + km)
        };
        let best = reach[c]
            .iter()
            .copied()
            .filter(|&h| volume[h] > 0)
            .max_by(|&a, &b| score(a).total_cmp(&score(b)).then(b.cmp(&a)));
        if let Some(h) = best {
            volume[h] -= carrier.capacity_litres;
            if carrier.cold_box {
                cold[h] -= carrier.capacity_litres;
            }
            hub_of[c] = Some(h);
        }
    }

    // Moves and swaps, first improvement, until a pass finds none.
    let mut cost = demand.cost(day, &hub_of);
    for _pass in 0..MAX_PASSES {
        let mut improved = false;
        for (i, &c) in order.iter().enumerate() {
            for &h in &reach[c] {
                if hub_of[c] == Some(h) {
                    continue;
                }
                let before = hub_of[c];
                hub_of[c] = Some(h);
                let moved = demand.cost(day, &hub_of);
                if moved < cost {
                    cost = moved;
                    improved = true;
                } else {
                    hub_of[c] = before;
                }
            }
            for &d in &order[i + 1..] {
                let (Some(hc), Some(hd)) = (hub_of[c], hub_of[d]) else {
                    continue;
                };
                if hc == hd || !reach[c].contains(&hd) || !reach[d].contains(&hc) {
                    continue;
                }
                hub_of.swap(c, d);
                let swapped = demand.cost(day, &hub_of);
                if swapped < cost {
                    cost = swapped;
                    improved = true;
                } else {
                    hub_of.swap(c, d);
                }
            }
        }
        if !improved {
            break;
        }
    }

    let mut crews = vec![Vec::new(); hubs];
    for &c in &order {
        if let Some(h) = hub_of[c] {
            crews[h].push(c);
        }
    }
    crews
}

/// Passes of the improvement; each pass that changes nothing ends it earlier.
const MAX_PASSES: usize = 50;

/// What each hub's home deliveries need, in litres: all of it, and the cold part.
pub(super) struct Demand {
    volume: Vec<i64>,
    cold: Vec<i64>,
}

/// How good an assignment is, compared in this order: the litres it leaves without a carrier
/// (cold goods without a cold box count too), then the metres carriers travel from home to
/// their hub. Served volume comes first: a move to a nearer hub that already has enough
/// carriers would otherwise look like an improvement.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub(super) struct Cost {
    unserved_litres: i64,
    travel_m: f64,
}

impl Demand {
    pub(super) fn of(day: &Day, jobs: &[Vec<usize>]) -> Self {
        Demand {
            volume: jobs
                .iter()
                .map(|list| list.iter().map(|&r| day.requests[r].litres).sum())
                .collect(),
            cold: jobs
                .iter()
                .map(|list| {
                    list.iter()
                        .filter(|&&r| day.requests[r].cold)
                        .map(|&r| day.requests[r].litres)
                        .sum()
                })
                .collect(),
        }
    }

    pub(super) fn cost(&self, day: &Day, hub_of: &[Option<usize>]) -> Cost {
        let mut capacity = vec![0; self.volume.len()];
        let mut cold_capacity = vec![0; self.volume.len()];
        let mut travel_m = 0.0;
        for (c, hub) in hub_of.iter().enumerate() {
            let Some(h) = *hub else { continue };
            let carrier = &day.carriers[c];
            capacity[h] += carrier.capacity_litres;
            if carrier.cold_box {
                cold_capacity[h] += carrier.capacity_litres;
            }
            travel_m += great_circle_m(carrier.home, day.hubs[h].location);
        }
        let unserved_litres = (0..self.volume.len())
            .map(|h| {
                (self.volume[h] - capacity[h]).max(0) + (self.cold[h] - cold_capacity[h]).max(0)
            })
            .sum();
        Cost {
            unserved_litres,
            travel_m,
        }
    }
}
