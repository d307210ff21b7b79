//! Travel matrices: how far and how long between the points of a sub-problem. Great-circle
//! distance times the area's circuity factor by default; a road router when one is configured
//! (the provider lives in `clients/`, behind the [`TravelTimes`] trait, so this stays pure).

use super::problem::{Matrix, Metres, Seconds};
use crate::domain::area::Location;

/// How a carrier moves. Durations in a matrix are for a car; the others scale them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Walk,
    Bicycle,
    Car,
    KeiTruck,
    PostVan,
}

/// The car speed the great-circle matrix assumes: rural roads with junctions and hills.
pub const CAR_KMH: f64 = 30.0;

impl Mode {
    pub fn speed_kmh(self) -> f64 {
        match self {
            Mode::Walk => 4.5,
            Mode::Bicycle => 12.0,
            Mode::Car | Mode::KeiTruck | Mode::PostVan => CAR_KMH,
        }
    }

    /// How long this mode takes for a leg a car takes `car_seconds` for.
    pub fn travel(self, car_seconds: Seconds) -> Seconds {
        car_seconds.saturating_mul(100) / self.speed_percent().max(1)
    }

    /// The vehicle's speed against the car's matrix, in percent (see `Vehicle::speed_percent`).
    pub fn speed_percent(self) -> i64 {
        (100.0 * self.speed_kmh() / CAR_KMH).round() as i64
    }
}

/// Durations (seconds by car) and distances (metres) between points, row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Legs {
    pub durations: Matrix,
    pub distances: Matrix,
}

impl Legs {
    /// Square `size` x `size` tables given row by row.
    pub fn square(size: usize, durations: Vec<i64>, distances: Vec<i64>) -> Legs {
        Legs {
            durations: Matrix {
                size,
                values: durations,
            },
            distances: Matrix {
                size,
                values: distances,
            },
        }
    }
}

/// Anything that can answer a travel matrix for a list of points.
pub trait TravelTimes: Sync {
    /// A short name for warnings ("great-circle", "OSRM").
    fn name(&self) -> &'static str;
    fn legs(&self, points: &[Location]) -> Result<Legs, String>;
}

const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The great-circle (haversine) distance in metres.
pub fn great_circle_m(a: Location, b: Location) -> f64 {
    let (la, lb) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lb - la;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la.cos() * lb.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Great-circle distance times a circuity factor (roads are longer than the crow flies), at
/// [`CAR_KMH`].
#[derive(Debug, Clone, Copy)]
pub struct GreatCircle {
    pub circuity: f64,
}

impl GreatCircle {
    pub fn metres(&self, a: Location, b: Location) -> Metres {
        (great_circle_m(a, b) * self.circuity).round() as Metres
    }

    pub fn seconds(&self, metres: Metres) -> Seconds {
        (metres as f64 / (CAR_KMH / 3.6)).round() as Seconds
    }

    pub fn matrix(&self, points: &[Location]) -> Legs {
        let size = points.len();
        let mut distances = Vec::with_capacity(size * size);
        for &a in points {
            for &b in points {
                distances.push(self.metres(a, b));
            }
        }
        let durations = distances.iter().map(|&m| self.seconds(m)).collect();
        Legs::square(size, durations, distances)
    }
}

impl TravelTimes for GreatCircle {
    fn name(&self) -> &'static str {
        "great-circle"
    }

    fn legs(&self, points: &[Location]) -> Result<Legs, String> {
        Ok(self.matrix(points))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn great_circle_matches_known_distances() {
        // Nara station to Kyoto station: about 34.3 km as the crow flies.
        let nara = Location {
            lat: 34.6811,
            lon: 135.8195,
        };
        let kyoto = Location {
            lat: 34.9858,
            lon: 135.7588,
        };
        let d = great_circle_m(nara, kyoto);
        assert!((34_000.0..34_700.0).contains(&d), "{d}");
        assert_eq!(great_circle_m(nara, nara), 0.0);
        let road = GreatCircle { circuity: 1.4 };
        let legs = road.legs(&[nara, kyoto]).unwrap();
        assert_eq!(legs.distances.get(0, 1), (d * 1.4).round() as i64);
        assert_eq!(legs.distances.get(0, 1), legs.distances.get(1, 0));
        // 48 km at 30 km/h is about 96 minutes.
        assert!((5_600..5_900).contains(&legs.durations.get(0, 1)));
    }

    #[test]
    fn slower_modes_take_longer_on_the_same_matrix() {
        assert_eq!(Mode::Car.speed_percent(), 100);
        assert_eq!(Mode::Walk.speed_percent(), 15);
        assert!(Mode::Bicycle.speed_percent() < Mode::Car.speed_percent());
    }
}
