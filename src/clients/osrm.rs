//! OSRM's table service (`/table/v1/driving/…?annotations=duration,distance`) as a travel
//! matrix for the planner. Any failure is the planner's to handle: it falls back to
//! great-circle distances and says so on the plan.

use std::time::Duration;

use serde::Deserialize;

use crate::domain::area::Location;
use crate::planning::problem::Matrix;
use crate::planning::travel::{Legs, TravelTimes};

/// OSRM answers at most this many points a table by default (`--max-table-size`).
pub const MAX_POINTS: usize = 100;

#[derive(Clone)]
pub struct Osrm {
    base: String,
    http: reqwest::Client,
    /// The runtime to drive requests from the planner's blocking thread.
    runtime: tokio::runtime::Handle,
}

#[derive(Deserialize)]
struct Table {
    code: String,
    durations: Option<Vec<Vec<Option<f64>>>>,
    distances: Option<Vec<Vec<Option<f64>>>>,
}

impl Osrm {
    /// Call on the runtime (the handle is taken from it); use from a blocking thread.
    pub fn new(base: &str, timeout: Duration) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| e.to_string())?;
        Ok(Osrm {
            base: base.trim_end_matches('/').to_owned(),
            http,
            runtime,
        })
    }

    async fn table(&self, points: &[Location]) -> Result<Legs, String> {
        let coordinates: Vec<String> = points
            .iter()
            .map(|p| format!("{:.6},{:.6}", p.lon, p.lat))
            .collect();
        let url = format!(
            "{}/table/v1/driving/{}?annotations=duration,distance",
            self.base,
            coordinates.join(";")
        );
        let response = self.http.get(url).send().await.map_err(|e| {
            // reqwest's message carries the URL, which carries residents' coordinates.
            if e.is_timeout() {
                "timed out".to_owned()
            } else {
                "request failed".to_owned()
            }
        })?;
        if !response.status().is_success() {
            return Err(format!("answered {}", response.status().as_u16()));
        }
        let table: Table = response
            .json()
            .await
            .map_err(|_| "answer not understood".to_owned())?;
        if table.code != "Ok" {
            return Err(format!("answered code {}", table.code));
        }
        let size = points.len();
        let square = |rows: Option<Vec<Vec<Option<f64>>>>, what: &str| {
            let rows = rows.ok_or_else(|| format!("no {what} in the answer"))?;
            if rows.len() != size || rows.iter().any(|r| r.len() != size) {
                return Err(format!("{what} are not {size} x {size}"));
            }
            let values = rows
                .into_iter()
                .flatten()
                .map(|v| match v {
                    Some(x) if x.is_finite() && x >= 0.0 => Ok(x.round() as i64),
                    _ => Err(format!("{what} has an unreachable pair")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Matrix { size, values })
        };
        Ok(Legs {
            durations: square(table.durations, "durations")?,
            distances: square(table.distances, "distances")?,
        })
    }
}

impl TravelTimes for Osrm {
    fn name(&self) -> &'static str {
        "OSRM"
    }

    fn legs(&self, points: &[Location]) -> Result<Legs, String> {
        if points.len() > MAX_POINTS {
            return Err(format!(
                "{} points, over the table limit of {MAX_POINTS}",
                points.len()
            ));
        }
        self.runtime.block_on(self.table(points))
    }
}
