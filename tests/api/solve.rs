//! `yui solve` on standard problem files.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use yui::planning::{check, formats, solver};

fn solve(args: &[&str], stdin: Option<&str>) -> (i32, Value, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yui"))
        .arg("solve")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        output.status.code().unwrap_or(-1),
        value,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Depot 0, jobs at 1..4 on a line (10 apart), two vehicles of capacity 2: the optimum sends
/// one vehicle to 1 and 2 (40) and one to 3 and 4 (80): 120.
fn line() -> Value {
    let matrix: Vec<Vec<i64>> = (0..5)
        .map(|a: i64| (0..5).map(|b: i64| (a - b).abs() * 10).collect())
        .collect();
    json!({
        "vehicles": [
            {"id": 1, "start_index": 0, "end_index": 0, "capacity": [2]},
            {"id": 2, "start_index": 0, "end_index": 0, "capacity": [2]}
        ],
        "jobs": (1..5).map(|i| json!({"id": i * 100, "location_index": i, "delivery": [1], "service": 0})).collect::<Vec<_>>(),
        "matrices": {"car": {"durations": matrix, "distances": matrix}}
    })
}

#[test]
fn a_small_vroom_file_gets_its_known_optimum() {
    let dir = std::env::temp_dir().join(format!("yui_solve_{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("line.json");
    std::fs::write(&file, line().to_string()).unwrap();
    let (code, output, stderr) = solve(
        &["--time-limit", "0.3", "--seed", "3", file.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(output["code"], 0);
    assert_eq!(output["summary"]["cost"], 120);
    assert_eq!(output["summary"]["unassigned"], 0);
    assert_eq!(output["summary"]["routes"], 2);
    for route in output["routes"].as_array().unwrap() {
        let kinds: Vec<&str> = route["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds.first(), Some(&"start"));
        assert_eq!(kinds.last(), Some(&"end"));
        assert_eq!(kinds.iter().filter(|k| **k == "job").count(), 2);
    }
    // From stdin too.
    let (code, output, _) = solve(&["--time-limit", "0.2", "-"], Some(&line().to_string()));
    assert_eq!(code, 0);
    assert_eq!(output["summary"]["cost"], 120);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unsupported_input_exits_2_naming_the_field() {
    let mut input = line();
    input["shipments"] = json!([]);
    let (code, _, stderr) = solve(&["-"], Some(&input.to_string()));
    assert_eq!(code, 2);
    assert!(stderr.contains("shipments"), "{stderr}");
    let mut input = line();
    input["jobs"][0]["setup"] = json!(5);
    let (code, _, stderr) = solve(&["-"], Some(&input.to_string()));
    assert_eq!(code, 2);
    assert!(stderr.contains("setup"), "{stderr}");
    let (code, _, stderr) = solve(&["--format", "tsp", "-"], Some("{}"));
    assert_eq!(code, 2);
    assert!(stderr.contains("--format"), "{stderr}");
}

#[test]
fn coordinates_without_matrices_use_great_circle_distances() {
    let input = json!({
        "vehicles": [{"id": 1, "start": [135.83, 34.68], "end": [135.83, 34.68], "capacity": [10], "skills": [1]}],
        "jobs": [
            {"id": 1, "location": [136.03, 34.71], "delivery": [2], "skills": [1]},
            {"id": 2, "location": [135.96, 34.66], "delivery": [2], "time_windows": [[0, 36000]]}
        ]
    });
    let problem = formats::parse_vroom(&input.to_string()).unwrap();
    // Nara city (the vehicle's start) to Tsukigase (job 1) is about 18 km as the crow flies.
    let nara = problem.vehicles[0].start.unwrap();
    let metres = problem.distances.get(nara, problem.jobs[0].location);
    assert!((17_000..20_000).contains(&metres), "{metres}");
    let solution = solver::solve(
        &problem,
        &solver::Settings {
            max_iterations: Some(20),
            ..Default::default()
        },
    );
    assert_eq!(check::check(&problem, &solution).unwrap().served, 2);
}

#[test]
fn solomon_and_cvrplib_files_are_read() {
    let solomon = "C101\n\nVEHICLE\nNUMBER     CAPACITY\n  25         200\n\nCUSTOMER\nCUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n    0      40         50          0          0       1236          0\n    1      45         68         10        912        967         90\n    2      45         70         30        825        870         90\n    3      42         66         10         65        146         90\n";
    let problem = formats::parse_solomon(solomon, 1000.0).unwrap();
    assert_eq!((problem.jobs.len(), problem.vehicles.len()), (3, 25));
    assert_eq!(problem.jobs[0].time_windows[0].start, 912_000);
    assert_eq!(
        problem.distances.get(0, 3),
        16_125,
        "sqrt(4 + 256) * 1000, rounded"
    );
    let solution = solver::solve(
        &problem,
        &solver::Settings {
            max_iterations: Some(30),
            ..Default::default()
        },
    );
    assert_eq!(check::check(&problem, &solution).unwrap().served, 3);

    let cvrplib = "NAME : A-n4-k2\nTYPE : CVRP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n4 0 5\nDEMAND_SECTION\n1 0\n2 6\n3 6\n4 3\nDEPOT_SECTION\n1\n-1\nEOF\n";
    let problem = formats::parse_cvrplib(cvrplib).unwrap();
    assert_eq!((problem.jobs.len(), problem.vehicles.len()), (3, 2));
    let solution = solver::solve(
        &problem,
        &solver::Settings {
            max_iterations: Some(30),
            ..Default::default()
        },
    );
    let checked = check::check(&problem, &solution).unwrap();
    assert_eq!(checked.served, 3);
    // Demands 6, 6 and 3 in two vehicles of 10: {3, 4} (5 + 7 + 10) and {2} (5 + 5) is best.
    assert_eq!(checked.cost, 32);
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // As `yui solve file | head -c 10`: stdout closed before the solution is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_yui"))
        .args(["solve", "--time-limit", "0.2", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(line().to_string().as_bytes()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
