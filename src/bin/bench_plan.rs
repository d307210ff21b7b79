//! Benchmark of the day planner. Not a test.
//!
//! `cargo run --release --bin bench_plan -- prefecture [--seed 1] [--threads 2] [--time-limit 50] [--iterations 300]
//!  [--requests 20000 --hubs 500 --trips 100 --volunteers 400 --side-km 90] [--zones DIR]`
//! plans a seeded synthetic prefecture day and prints wall time, peak memory, runs and the
//! unassigned requests by reason; `--zones DIR` also writes each hub's last-mile problem (as
//! the planner first poses it) as VROOM JSON, for pyvroom on the same zones.
//!
//! `cargo run --release --bin bench_plan -- mixed [--count 20] [--seed 1] [--time-limit 1]
//!  [--threads 2] [--out DIR]` solves random 100-job, 10-vehicle mixed-fleet problems from
//! three hubs, prints cost and wall time per instance, and with `--out` writes each as VROOM
//! JSON with Yui's cost and time beside it (`yui.json`), for the side-by-side ratio.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;
use yui::planning::check::{check, check_day};
use yui::planning::day::{PlanSettings, plan, zones};
use yui::planning::formats::to_vroom_input;
use yui::planning::solver::{Settings, solve};
use yui::planning::synthetic::{PrefectureSize, mixed_fleet, prefecture};
use yui::planning::travel::GreatCircle;

/// Peak resident memory of this process (Linux), in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

struct Args(Vec<String>);

impl Args {
    fn value<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.0.iter().position(|a| a == name) {
            None => Ok(default),
            Some(i) => self
                .0
                .get(i + 1)
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{name} takes a value")),
        }
    }
}

fn main() -> Result<(), String> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let command = raw.first().cloned().unwrap_or_default();
    let args = Args(raw);
    match command.as_str() {
        "prefecture" => run_prefecture(&args),
        "mixed" => run_mixed(&args),
        _ => Err("usage: bench_plan prefecture|mixed [options] (see the source's header)".into()),
    }
}

fn run_prefecture(args: &Args) -> Result<(), String> {
    let defaults = PrefectureSize::default();
    let size = PrefectureSize {
        requests: args.value("--requests", defaults.requests)?,
        hubs: args.value("--hubs", defaults.hubs)?,
        post_trips: args.value("--trips", defaults.post_trips)?,
        volunteers: args.value("--volunteers", defaults.volunteers)?,
        side_km: args.value("--side-km", defaults.side_km)?,
    };
    let seed = args.value("--seed", 1u64)?;
    let settings = PlanSettings {
        seed,
        time_limit: Duration::from_secs_f64(args.value("--time-limit", 50.0)?),
        threads: args.value("--threads", 2usize)?,
        iterations_per_job: args
            .value("--iterations", PlanSettings::default().iterations_per_job)?,
    };
    let started = Instant::now();
    let day = prefecture(seed, &size);
    let generated = started.elapsed();
    let road = GreatCircle {
        circuity: day.circuity,
    };
    let started = Instant::now();
    let plan = plan(&day, &road, &settings);
    let wall = started.elapsed();
    let peak = peak_mib().unwrap_or(f64::NAN);
    check_day(&day, &plan, &road).map_err(|p| format!("infeasible plan: {p:?}"))?;
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, reason) in &plan.unassigned {
        *reasons.entry(reason.as_str()).or_default() += 1;
    }
    let last_mile = plan
        .runs
        .iter()
        .filter(|r| r.carrier.kind != yui::domain::run::CarrierKind::PostTrip)
        .count();
    println!(
        "prefecture seed {seed}: {} requests, {} hubs, {} post trips, {} volunteers over {} km",
        size.requests, size.hubs, size.post_trips, size.volunteers, size.side_km
    );
    println!(
        "generated in {:.2} s; planned in {:.2} s (limit {:.0} s, {} threads); peak memory {peak:.0} MiB",
        generated.as_secs_f64(),
        wall.as_secs_f64(),
        settings.time_limit.as_secs_f64(),
        settings.threads
    );
    println!(
        "placed {}, unassigned {} {:?}; {} post runs, {} last-mile runs; {:.0} km planned, {:.0} km saved",
        plan.placements.len(),
        plan.unassigned.len(),
        reasons,
        plan.runs.len() - last_mile,
        last_mile,
        plan.impact.plan_km,
        plan.impact.km_saved
    );
    let home_unassigned = plan
        .unassigned
        .iter()
        .filter(|(_, r)| {
            !matches!(
                r.as_str(),
                "out_of_area" | "no_linehaul_capacity" | "hub_storage_full"
            )
        })
        .count();
    println!("last-mile unassigned (comparable with pyvroom on the zones): {home_unassigned}");

    let zones_dir: Option<PathBuf> = args
        .value("--zones", String::new())
        .ok()
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    if let Some(dir) = zones_dir {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let zones = zones(&day, &road);
        for (k, (hub, problem)) in zones.iter().enumerate() {
            let mut input = to_vroom_input(problem);
            input["description"] = json!(hub.to_string());
            std::fs::write(dir.join(format!("zone-{k:04}.json")), input.to_string())
                .map_err(|e| e.to_string())?;
        }
        std::fs::write(
            dir.join("yui.json"),
            json!({"last_mile_unassigned": home_unassigned, "wall_s": wall.as_secs_f64(), "zones": zones.len()}).to_string(),
        )
        .map_err(|e| e.to_string())?;
        println!("wrote {} zones to {}", zones.len(), dir.display());
    }
    Ok(())
}

fn run_mixed(args: &Args) -> Result<(), String> {
    let count = args.value("--count", 20u64)?;
    let seed = args.value("--seed", 1u64)?;
    let settings = Settings {
        time_limit: Duration::from_secs_f64(args.value("--time-limit", 1.0)?),
        seed: 1,
        max_iterations: None,
        threads: args.value("--threads", 2usize)?,
    };
    let out: Option<PathBuf> = args
        .value("--out", String::new())
        .ok()
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let mut results = Vec::new();
    println!(
        "{:<10} {:>10} {:>8} {:>10} {:>8}",
        "instance", "cost", "routes", "unassigned", "wall s"
    );
    for k in 0..count {
        let problem = mixed_fleet(seed + k, 100, 10);
        let started = Instant::now();
        let solution = solve(&problem, &settings);
        let wall = started.elapsed().as_secs_f64();
        let checked = check(&problem, &solution).map_err(|p| format!("mixed-{k}: {p:?}"))?;
        let name = format!("mixed-{k:02}");
        println!(
            "{name:<10} {:>10} {:>8} {:>10} {wall:>8.2}",
            checked.cost,
            solution.routes.len(),
            solution.unassigned.len()
        );
        if let Some(dir) = &out {
            std::fs::write(
                dir.join(format!("{name}.json")),
                to_vroom_input(&problem).to_string(),
            )
            .map_err(|e| e.to_string())?;
        }
        results.push(json!({"name": name, "cost": checked.cost, "unassigned": solution.unassigned.len(), "wall_s": wall}));
    }
    if let Some(dir) = &out {
        std::fs::write(dir.join("yui.json"), json!(results).to_string())
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
