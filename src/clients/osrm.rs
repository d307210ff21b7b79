//! OSRM's table service (`/table/v1/driving/…?annotations=duration,distance`) as a travel
//! matrix for the planner. Any failure is the planner's to handle: it falls back to
//! great-circle distances and says so on the plan.

use std::time::Duration;

use serde::Deserialize;

use crate::domain::area::Location;
use crate::planning::travel::{Legs, TravelTimes};

/// OSRM refuses a table with more than this many sources times as many destinations unless
/// started with a larger `--max-table-size`; `YUI_OSRM_MAX_TABLE` says what the server allows.
pub const DEFAULT_MAX_TABLE: usize = 100;

#[derive(Clone)]
pub struct Osrm {
    base: String,
    http: reqwest::Client,
    /// The runtime to drive requests from the planner's blocking thread.
    runtime: tokio::runtime::Handle,
    /// The most sources (and destinations) one request asks for; larger sets go in blocks.
    max_table: usize,
}

#[derive(Deserialize)]
struct Table {
    code: String,
    durations: Option<Vec<Vec<Option<f64>>>>,
    distances: Option<Vec<Vec<Option<f64>>>>,
}

/// One block of a table: rows for `sources`, columns for `destinations` (indices into the
/// caller's points).
struct Block<'a> {
    sources: &'a [usize],
    destinations: &'a [usize],
}

impl Osrm {
    /// Call on the runtime (the handle is taken from it); use from a blocking thread.
    pub fn new(base: &str, timeout: Duration, max_table: usize) -> Result<Self, String> {
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
            max_table: max_table.max(1),
        })
    }

    /// Fills the block's cells of `durations` and `distances` (square, `size` wide).
    async fn block(
        &self,
        points: &[Location],
        block: &Block<'_>,
        durations: &mut [i64],
        distances: &mut [i64],
    ) -> Result<(), String> {
        // The request names each point once: the sources, then destinations not among them.
        let mut asked: Vec<usize> = block.sources.to_vec();
        asked.extend(
            block
                .destinations
                .iter()
                .filter(|d| !block.sources.contains(d)),
        );
        let index = |point: usize| asked.iter().position(|&a| a == point).unwrap_or(0);
        let join = |indices: &[usize]| {
            indices
                .iter()
                .map(|&i| index(i).to_string())
                .collect::<Vec<_>>()
                .join(";")
        };
        let coordinates: Vec<String> = asked
            .iter()
            .map(|&i| format!("{:.6},{:.6}", points[i].lon, points[i].lat))
            .collect();
        let url = format!(
            "{}/table/v1/driving/{}?sources={}&destinations={}&annotations=duration,distance",
            self.base,
            coordinates.join(";"),
            join(block.sources),
            join(block.destinations),
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
        let (rows, columns) = (block.sources.len(), block.destinations.len());
        let fill = |answer: Option<Vec<Vec<Option<f64>>>>, what: &str, into: &mut [i64]| {
            let answer = answer.ok_or_else(|| format!("no {what} in the answer"))?;
            if answer.len() != rows || answer.iter().any(|r| r.len() != columns) {
                return Err(format!("{what} are not {rows} x {columns}"));
            }
            for (row, &from) in answer.into_iter().zip(block.sources) {
                for (value, &to) in row.into_iter().zip(block.destinations) {
                    into[from * size + to] = match value {
                        Some(x) if x.is_finite() && x >= 0.0 => x.round() as i64,
                        _ => return Err(format!("{what} has an unreachable pair")),
                    };
                }
            }
            Ok(())
        };
        fill(table.durations, "durations", durations)?;
        fill(table.distances, "distances", distances)
    }

    /// The whole square table, in blocks of at most `max_table` sources by as many
    /// destinations, one request after another (the router is shared with other users).
    async fn table(&self, points: &[Location]) -> Result<Legs, String> {
        let size = points.len();
        let mut durations = vec![0; size * size];
        let mut distances = vec![0; size * size];
        let all: Vec<usize> = (0..size).collect();
        let blocks: Vec<&[usize]> = all.chunks(self.max_table).collect();
        for sources in &blocks {
            for destinations in &blocks {
                // OSRM refuses a table of one point; from a point to itself is 0 anyway.
                if sources.len() == 1 && sources == destinations {
                    continue;
                }
                let block = Block {
                    sources,
                    destinations,
                };
                self.block(points, &block, &mut durations, &mut distances)
                    .await?;
            }
        }
        Ok(Legs::square(size, durations, distances))
    }
}

impl TravelTimes for Osrm {
    fn name(&self) -> &'static str {
        "OSRM"
    }

    fn legs(&self, points: &[Location]) -> Result<Legs, String> {
        self.runtime.block_on(self.table(points))
    }
}
