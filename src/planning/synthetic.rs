//! Seeded synthetic instances for benchmarks and tests: a prefecture-sized delivery day, and
//! random mixed-fleet routing problems from three hubs. The same seed gives the same instance
//! on every machine.

use crate::domain::ids::Id;
use geo::{LineString, MultiPolygon, Polygon};

use super::day::{self, Carrier, CarrierKind, Day, PostTrip};
use super::problem::{Job, Problem, TimeWindow, Vehicle};
use super::travel::{GreatCircle, Mode};
use crate::domain::area::Location;
use crate::domain::request::{Fulfilment, crates};

/// A small, fast, portable generator (PCG-style LCG output, top bits).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// A standard normal draw (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

const HOUR: i64 = 3600;

/// The size of a synthetic prefecture day.
#[derive(Debug, Clone)]
pub struct PrefectureSize {
    pub requests: usize,
    pub hubs: usize,
    pub post_trips: usize,
    pub volunteers: usize,
    pub side_km: f64,
}

impl Default for PrefectureSize {
    /// The prefecture: 20,000 requests, 500 hubs, 100 post trips, 400 volunteers over
    /// about 90 x 90 km.
    fn default() -> Self {
        PrefectureSize {
            requests: 20_000,
            hubs: 500,
            post_trips: 100,
            volunteers: 400,
            side_km: 90.0,
        }
    }
}

/// South-west corner of the synthetic prefecture (around Nara's latitude).
const ORIGIN: Location = Location {
    lat: 34.0,
    lon: 135.6,
};

fn at_km(x_km: f64, y_km: f64) -> Location {
    let km_per_lon = 111.2 * (ORIGIN.lat + 0.4).to_radians().cos();
    Location {
        lat: ORIGIN.lat + y_km / 111.2,
        lon: ORIGIN.lon + x_km / km_per_lon,
    }
}

fn id<K>(random: &mut Lcg) -> Id<K> {
    let high = (random.unit() * (1u64 << 52) as f64) as u128;
    let low = (random.unit() * (1u64 << 52) as f64) as u128;
    Id::from_uuid(uuid::Builder::from_random_bytes(((high << 64) | low).to_le_bytes()).into_uuid())
}

/// A prefecture's delivery day: hubs on a jittered grid, each with its grid cell as
/// neighbourhood; requests clustered around towns (a quarter scattered); post trips calling
/// at five neighbouring hubs each from the nearest of twelve post offices; volunteers living
/// among the requests with a mix of cars, kei trucks, bicycles and walkers.
pub fn prefecture(seed: u64, size: &PrefectureSize) -> Day {
    let mut random = Lcg::new(seed);
    let side = size.side_km;
    let cols = (size.hubs as f64).sqrt().ceil().max(1.0) as usize;
    let rows = size.hubs.div_ceil(cols).max(1);
    let (w, h) = (side / cols as f64, side / rows as f64);
    let mut hubs = Vec::with_capacity(size.hubs);
    let mut neighbourhoods = Vec::with_capacity(size.hubs);
    // Row by row, alternating direction, so that consecutive hubs are neighbours.
    let cells: Vec<(usize, usize)> = (0..rows)
        .flat_map(|r| {
            let columns: Vec<usize> = if r % 2 == 0 {
                (0..cols).collect()
            } else {
                (0..cols).rev().collect()
            };
            columns.into_iter().map(move |c| (c, r))
        })
        .take(size.hubs)
        .collect();
    for &(c, r) in &cells {
        let (x0, y0) = (c as f64 * w, r as f64 * h);
        let hub_id = id(&mut random);
        let location = at_km(
            x0 + w * (0.2 + 0.6 * random.unit()),
            y0 + h * (0.2 + 0.6 * random.unit()),
        );
        hubs.push(day::Hub {
            id: hub_id,
            location,
            storage: [60, 30, 15],
            opens: 9 * HOUR,
            closes: 18 * HOUR,
        });
        let corners = [
            at_km(x0, y0),
            at_km(x0 + w, y0),
            at_km(x0 + w, y0 + h),
            at_km(x0, y0 + h),
            at_km(x0, y0),
        ];
        neighbourhoods.push(day::Neighbourhood {
            id: id(&mut random),
            boundary: MultiPolygon(vec![Polygon::new(
                LineString::from(corners.iter().map(|p| (p.lon, p.lat)).collect::<Vec<_>>()),
                vec![],
            )]),
            hub: Some(hub_id),
        });
    }

    let towns: Vec<(f64, f64)> = (0..40)
        .map(|_| (random.unit() * side, random.unit() * side))
        .collect();
    let mut points = Vec::with_capacity(size.requests);
    let requests = (0..size.requests)
        .map(|n| {
            let (x, y) = if random.unit() < 0.75 {
                let (tx, ty) = towns[random.below(towns.len())];
                (tx + 2.5 * random.normal(), ty + 2.5 * random.normal())
            } else {
                (random.unit() * side, random.unit() * side)
            };
            let (x, y) = (x.clamp(0.0, side), y.clamp(0.0, side));
            points.push((x, y));
            let litres = 4 + (random.unit() * 20.0) as i64;
            let cold = random.unit() < 0.4;
            let (ambient, chilled, frozen) = if cold {
                let frozen = if random.unit() < 0.3 { litres / 4 } else { 0 };
                (litres / 2, litres - litres / 2 - frozen, frozen)
            } else {
                (litres, 0, 0)
            };
            day::Request {
                id: id(&mut random),
                household: id(&mut random),
                location: Some(at_km(x, y)),
                fulfilment: if n % 3 == 0 {
                    Fulfilment::HubPickup
                } else {
                    Fulfilment::HomeDelivery
                },
                slots: [crates(ambient), crates(chilled), crates(frozen)],
                litres,
                cold,
                fixed: false,
            }
        })
        .collect();

    let offices: Vec<Location> = (0..12)
        .map(|k| {
            let (c, r) = (k % 4, k / 4);
            at_km((c as f64 + 0.5) * side / 4.0, (r as f64 + 0.5) * side / 3.0)
        })
        .collect();
    let per_trip = size.hubs.div_ceil(size.post_trips.max(1)).max(1);
    let post_trips = hubs
        .chunks(per_trip)
        .take(size.post_trips)
        .enumerate()
        .map(|(t, served)| {
            let first = served[0].location;
            let origin = offices
                .iter()
                .copied()
                .min_by(|a, b| {
                    super::travel::great_circle_m(*a, first)
                        .total_cmp(&super::travel::great_circle_m(*b, first))
                })
                .unwrap_or(first);
            PostTrip {
                id: id(&mut random),
                name: format!("trip {t}"),
                origin,
                departure: 8 * HOUR + (t as i64 % 3) * HOUR / 2,
                hubs: served.iter().map(|h| h.id).collect(),
                spare: [300, 150, 75],
            }
        })
        .collect();

    let carriers = (0..size.volunteers)
        .map(|v| {
            let (x, y) = points
                .get(random.below(points.len().max(1)))
                .copied()
                .unwrap_or((side / 2.0, side / 2.0));
            let home = at_km(
                (x + random.normal()).clamp(0.0, side),
                (y + random.normal()).clamp(0.0, side),
            );
            let pick = random.unit();
            let (mode, capacity, range_km) = if pick < 0.4 {
                (Mode::Car, 120, 20.0)
            } else if pick < 0.6 {
                (Mode::KeiTruck, 300, 30.0)
            } else if pick < 0.85 {
                (Mode::Bicycle, 40, 8.0)
            } else {
                (Mode::Walk, 20, 3.0)
            };
            let shift = random.below(3);
            let available = match shift {
                0 => TimeWindow {
                    start: 9 * HOUR,
                    end: 13 * HOUR,
                },
                1 => TimeWindow {
                    start: 13 * HOUR,
                    end: 17 * HOUR,
                },
                _ => TimeWindow {
                    start: 9 * HOUR,
                    end: 17 * HOUR,
                },
            };
            Carrier {
                id: id(&mut random),
                kind: CarrierKind::Volunteer,
                name: format!("volunteer {v}"),
                public_name: format!("v{v}"),
                home,
                mode,
                capacity_litres: capacity,
                cold_box: random.unit() < 0.5,
                available,
                max_distance_m: (range_km * 1000.0) as i64,
                max_stops: None,
            }
        })
        .collect();

    Day {
        hubs,
        neighbourhoods,
        requests,
        carriers,
        post_trips,
        circuity: 1.3,
        supermarket: Some(at_km(side / 2.0, side / 2.0)),
        co2_kg_per_km: 0.13,
        hub_reach_m: 3_000.0,
    }
}

/// A random routing problem: `jobs` doors over 20 x 20 km with time windows for half of them
/// and a cold-chain skill for a third, `vehicles` of mixed capacity, speed, skills and hours
/// starting and ending at three hubs. Costs are travel times, as VROOM's default.
pub fn mixed_fleet(seed: u64, jobs: usize, vehicles: usize) -> Problem {
    let mut random = Lcg::new(seed);
    let hubs: Vec<Location> = (0..3)
        .map(|_| at_km(4.0 + 12.0 * random.unit(), 4.0 + 12.0 * random.unit()))
        .collect();
    let mut points = hubs.clone();
    let job_list = (0..jobs)
        .map(|j| {
            points.push(at_km(20.0 * random.unit(), 20.0 * random.unit()));
            let time_windows = if random.unit() < 0.5 {
                let start = 8 * HOUR + (random.unit() * 8.0 * HOUR as f64) as i64;
                vec![TimeWindow {
                    start,
                    end: start + 2 * HOUR,
                }]
            } else {
                Vec::new()
            };
            Job {
                id: j as u64 + 1,
                location: 3 + j,
                service: 300,
                delivery: vec![1 + (random.unit() * 19.0) as i64],
                pickup: vec![0],
                skills: if random.unit() < 0.33 {
                    vec![day::COLD_SKILL]
                } else {
                    Vec::new()
                },
                priority: 0,
                time_windows,
            }
        })
        .collect();
    let fleet = (0..vehicles)
        .map(|v| {
            let hub = v % 3;
            let (capacity, speed_percent) = match v % 3 {
                0 => (200, 100),
                1 => (120, 100),
                _ => (80, 80),
            };
            Vehicle {
                id: v as u64 + 1,
                start: Some(hub),
                end: Some(hub),
                capacity: vec![capacity],
                skills: if v % 2 == 0 {
                    vec![day::COLD_SKILL]
                } else {
                    Vec::new()
                },
                time_window: if v % 4 == 3 {
                    TimeWindow {
                        start: 8 * HOUR,
                        end: 13 * HOUR,
                    }
                } else {
                    TimeWindow {
                        start: 8 * HOUR,
                        end: 18 * HOUR,
                    }
                },
                max_tasks: None,
                max_travel_time: None,
                max_distance: None,
                speed_percent,
            }
        })
        .collect();
    let legs = GreatCircle { circuity: 1.3 }.matrix(&points);
    Problem {
        jobs: job_list,
        vehicles: fleet,
        costs: legs.durations.clone(),
        durations: legs.durations,
        distances: legs.distances,
        dimensions: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::check::{check, check_day};
    use crate::planning::day::{PlanSettings, plan};
    use crate::planning::solver::{Settings, solve};

    #[test]
    fn the_same_seed_gives_the_same_instances() {
        let size = PrefectureSize {
            requests: 300,
            hubs: 12,
            post_trips: 3,
            volunteers: 10,
            side_km: 20.0,
        };
        let (a, b) = (prefecture(5, &size), prefecture(5, &size));
        assert_eq!(a.requests.len(), 300);
        assert_eq!(a.hubs.len(), 12);
        assert_eq!(a.post_trips.len(), 3);
        assert_eq!(
            a.requests.iter().map(|r| r.id).collect::<Vec<_>>(),
            b.requests.iter().map(|r| r.id).collect::<Vec<_>>()
        );
        assert_eq!(mixed_fleet(3, 20, 4), mixed_fleet(3, 20, 4));
        assert_ne!(mixed_fleet(3, 20, 4), mixed_fleet(4, 20, 4));
    }

    #[test]
    fn a_small_prefecture_plans_feasibly() {
        let size = PrefectureSize {
            requests: 400,
            hubs: 16,
            post_trips: 4,
            volunteers: 30,
            side_km: 20.0,
        };
        let day = prefecture(11, &size);
        let road = GreatCircle { circuity: 1.3 };
        let plan = plan(
            &day,
            &road,
            &PlanSettings {
                iterations_per_job: 50,
                ..PlanSettings::default()
            },
        );
        check_day(&day, &plan, &road).unwrap();
        assert!(
            plan.runs
                .iter()
                .any(|r| r.carrier.kind == CarrierKind::Volunteer)
        );
        assert_eq!(plan.placements.len() + plan.unassigned.len(), 400);
    }

    #[test]
    fn mixed_fleet_problems_solve_feasibly() {
        for seed in 0..5 {
            let problem = mixed_fleet(seed, 40, 5);
            let solution = solve(
                &problem,
                &Settings {
                    max_iterations: Some(300),
                    ..Settings::default()
                },
            );
            check(&problem, &solution).unwrap();
        }
    }
}
