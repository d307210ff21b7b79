//! The CVRPLIB text format (EUC_2D), read into a problem.

use std::collections::HashMap;

use super::{FormatError, depot_problem};
use crate::planning::problem::{Job, Matrix, Problem, TimeWindow};

/// Reads a CVRPLIB file (EUC_2D, TSPLIB rounding): one depot, the fleet size from the `-kN`
/// of the name.
pub fn parse_cvrplib(text: &str) -> Result<Problem, FormatError> {
    let mut name = String::new();
    let mut capacity = None;
    let mut coords: Vec<(usize, f64, f64)> = Vec::new();
    let mut demands: HashMap<usize, i64> = HashMap::new();
    let mut depot = None;
    let mut section = "";
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some((key, value)) = line.split_once(':') {
            match key.trim() {
                "NAME" => name = value.trim().to_owned(),
                "CAPACITY" => capacity = value.trim().parse::<i64>().ok(),
                "EDGE_WEIGHT_TYPE" if value.trim() != "EUC_2D" => {
                    return Err(FormatError(format!(
                        "cvrplib: EDGE_WEIGHT_TYPE {} is not supported",
                        value.trim()
                    )));
                }
                _ => {}
            }
            continue;
        }
        if line.ends_with("_SECTION") || line == "EOF" {
            section = line;
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        match section {
            "NODE_COORD_SECTION" if fields.len() >= 3 => {
                let parse = |s: &str| {
                    s.parse::<f64>()
                        .map_err(|_| FormatError(format!("cvrplib: bad coordinate line `{line}`")))
                };
                coords.push((
                    parse(fields[0])? as usize,
                    parse(fields[1])?,
                    parse(fields[2])?,
                ));
            }
            "DEMAND_SECTION" if fields.len() >= 2 => {
                let node = fields[0]
                    .parse()
                    .map_err(|_| FormatError(format!("cvrplib: bad demand line `{line}`")))?;
                let demand = fields[1]
                    .parse()
                    .map_err(|_| FormatError(format!("cvrplib: bad demand line `{line}`")))?;
                demands.insert(node, demand);
            }
            "DEPOT_SECTION" => {
                if let Ok(node) = fields[0].parse::<i64>()
                    && node > 0
                    && depot.is_none()
                {
                    depot = usize::try_from(node).ok();
                }
            }
            _ => {}
        }
    }
    let capacity = capacity.ok_or_else(|| FormatError("cvrplib: CAPACITY is missing".into()))?;
    let depot = depot.ok_or_else(|| FormatError("cvrplib: DEPOT_SECTION is missing".into()))?;
    let fleet: usize = name
        .rsplit("-k")
        .next()
        .and_then(|k| k.parse().ok())
        .filter(|k| *k > 0)
        .ok_or_else(|| FormatError("cvrplib: the NAME must end in -kN (the fleet size)".into()))?;
    coords.sort_by_key(|c| c.0);
    let size = coords.len();
    let values: Vec<i64> = coords
        .iter()
        .flat_map(|a| {
            coords
                .iter()
                .map(move |b| ((a.1 - b.1).powi(2) + (a.2 - b.2).powi(2)).sqrt().round() as i64)
        })
        .collect();
    let matrix = Matrix { size, values };
    let depot_index = coords
        .iter()
        .position(|c| c.0 == depot)
        .ok_or_else(|| FormatError("cvrplib: the depot has no coordinates".into()))?;
    let jobs = coords
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != depot_index)
        .map(|(i, c)| Job {
            id: c.0 as u64,
            location: i,
            service: 0,
            delivery: vec![demands.get(&c.0).copied().unwrap_or(0)],
            pickup: vec![0],
            skills: Vec::new(),
            priority: 0,
            time_windows: Vec::new(),
        })
        .collect();
    Ok(depot_problem(
        jobs,
        fleet,
        depot_index,
        capacity,
        TimeWindow::ALWAYS,
        matrix,
    ))
}
