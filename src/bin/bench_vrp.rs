//! Benchmark: the solver on the public instances in `../shared/bench` (Solomon C1/R1/RC1 and
//! Augerat A): per instance the cost, vehicles, unassigned, gap to the best-known value and
//! wall time; a summary line per family. Every solution is checked by the independent checker
//! first. Not a test.
//!
//! `cargo run --release --bin bench_vrp -- [--time-limit 2] [--threads 2] [--seed 1] [--bench ../shared/bench] [--out DIR] [FAMILY...]`
//!
//! `--out DIR` also writes each instance as VROOM JSON (DIR/FAMILY/NAME.json, the integer
//! matrices Yui solved) with Yui's costs and times in DIR/FAMILY/yui.json, for pyvroom.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use yui::planning::{check, formats, solver};

struct Family {
    folder: &'static str,
    format: &'static str,
    /// Solomon costs are scaled by 1000 and rounded per arc, as the public solvers are fed.
    scale: f64,
}

const FAMILIES: [Family; 2] = [
    Family {
        folder: "solomon",
        format: "solomon",
        scale: 1000.0,
    },
    Family {
        folder: "cvrp-A",
        format: "cvrplib",
        scale: 1.0,
    },
];

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut time_limit = 2.0;
    let mut seed = 1;
    let mut threads = 2;
    let mut bench = PathBuf::from("../shared/bench");
    let mut only = Vec::new();
    let mut out: Option<PathBuf> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--time-limit" => {
                time_limit = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--time-limit takes seconds")?
            }
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--threads takes a number")?
            }
            "--seed" => {
                seed = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--seed takes a number")?
            }
            "--bench" => {
                bench = args
                    .next()
                    .map(PathBuf::from)
                    .ok_or("--bench takes a folder")?
            }
            "--out" => {
                out = Some(
                    args.next()
                        .map(PathBuf::from)
                        .ok_or("--out takes a folder")?,
                )
            }
            family => only.push(family.to_owned()),
        }
    }
    for family in FAMILIES
        .iter()
        .filter(|f| only.is_empty() || only.iter().any(|o| o == f.folder))
    {
        run_family(
            &bench.join(family.folder),
            family,
            time_limit,
            seed,
            threads,
            out.as_ref().map(|o| o.join(family.folder)).as_deref(),
        )?;
    }
    Ok(())
}

fn run_family(
    folder: &Path,
    family: &Family,
    time_limit: f64,
    seed: u64,
    threads: usize,
    out: Option<&Path>,
) -> Result<(), String> {
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let mut results = Vec::new();
    let bks: Value = serde_json::from_str(
        &std::fs::read_to_string(folder.join("BKS.json"))
            .map_err(|e| format!("{}: {e}", folder.display()))?,
    )
    .map_err(|e| e.to_string())?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt" || x == "vrp"))
        .collect();
    files.sort();
    let (mut gaps, mut walls) = (Vec::new(), Vec::new());
    for file in files {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let best = bks
            .get(format!("{name}_distance"))
            .or_else(|| bks.get(&name))
            .and_then(|b| b["best_known_cost"].as_f64());
        let Some(best) = best else { continue };
        let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
        let problem = match family.format {
            "solomon" => formats::parse_solomon(&text, family.scale),
            _ => formats::parse_cvrplib(&text),
        }
        .map_err(|e| format!("{name}: {e}"))?;
        let started = Instant::now();
        let solution = solver::solve(
            &problem,
            &solver::Settings {
                time_limit: Duration::from_secs_f64(time_limit),
                seed,
                max_iterations: None,
                threads,
            },
        );
        let wall = started.elapsed().as_secs_f64();
        let checked = check::check(&problem, &solution)
            .map_err(|v| format!("{name}: infeasible: {}", v.join("; ")))?;
        let cost = checked.cost as f64 / family.scale;
        let gap = (cost / best - 1.0) * 100.0;
        println!(
            "{name:12} cost {cost:10.2} vehicles {:3} unassigned {:2} gap {gap:6.2} % wall {wall:.2} s",
            solution.routes.len(),
            solution.unassigned.len()
        );
        gaps.push(gap);
        walls.push(wall);
        if let Some(dir) = out {
            std::fs::write(
                dir.join(format!("{name}.json")),
                formats::to_vroom_input(&problem).to_string(),
            )
            .map_err(|e| e.to_string())?;
            results.push(serde_json::json!({
                "name": name,
                "cost": checked.cost,
                "unassigned": solution.unassigned.len(),
                "wall_s": wall,
            }));
        }
    }
    if let Some(dir) = out {
        std::fs::write(dir.join("yui.json"), Value::from(results).to_string())
            .map_err(|e| e.to_string())?;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let max = gaps.iter().copied().fold(f64::MIN, f64::max);
    println!(
        "SUMMARY {}: {} instances, mean gap {:.2} %, max {:.2} %, mean wall {:.2} s (time limit {time_limit} s, seed {seed}, {threads} threads)",
        family.folder,
        gaps.len(),
        mean(&gaps),
        max,
        mean(&walls)
    );
    Ok(())
}
