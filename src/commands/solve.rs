//! `yui solve`: a standard problem file solved and checked, printed in VROOM's output shape.

use std::process::ExitCode;

/// No database, no configuration.
pub fn run(format: &str, time_limit: f64, threads: usize, seed: u64, file: &str) -> ExitCode {
    use std::io::Read;
    use yui::planning::{formats, solver};
    let started = std::time::Instant::now();
    let mut text = String::new();
    let read = if file == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    if let Err(e) = read {
        eprintln!("yui solve: cannot read {file}: {e}");
        return ExitCode::from(2);
    }
    let parsed = match format {
        "vroom" => formats::parse_vroom(&text),
        "solomon" => formats::parse_solomon(&text, 1000.0),
        "cvrplib" => formats::parse_cvrplib(&text),
        other => Err(formats::FormatError(format!(
            "--format {other}: use vroom, solomon or cvrplib"
        ))),
    };
    let problem = match parsed {
        Ok(problem) => problem,
        Err(e) => {
            eprintln!("yui solve: {e}");
            return ExitCode::from(2);
        }
    };
    if !(time_limit.is_finite() && time_limit >= 0.0) {
        eprintln!("yui solve: --time-limit must be a number of seconds");
        return ExitCode::from(2);
    }
    let loading = started.elapsed();
    let settings = solver::Settings {
        time_limit: std::time::Duration::from_secs_f64(time_limit),
        seed,
        max_iterations: None,
        threads,
    };
    let solution = solver::solve(&problem, &settings);
    // Never print a plan the independent checker refuses.
    if let Err(violations) = yui::planning::check::check(&problem, &solution) {
        eprintln!(
            "yui solve: the solution failed the feasibility check: {}",
            violations.join("; ")
        );
        return ExitCode::FAILURE;
    }
    let output = formats::to_vroom_output(
        &problem,
        &solution,
        loading.as_millis(),
        (started.elapsed() - loading).as_millis(),
    );
    // A reader that stops early (`| head`) closes the pipe: that is not our failure.
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{output}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("yui solve: cannot write the solution: {e}");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}
