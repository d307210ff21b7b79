//! The problem files Yui reads and writes: VROOM's JSON (in and out), and the benchmark
//! families' text formats (Solomon, CVRPLIB). One module per format.

pub mod cvrplib;
pub mod solomon;
pub mod vroom;

use super::problem::{Job, Matrix, Problem, TimeWindow, Vehicle};

pub use cvrplib::parse_cvrplib;
pub use solomon::parse_solomon;
pub use vroom::{parse_vroom, to_vroom_input, to_vroom_output};

/// Why a problem file was refused; the message names the field.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(pub String);

/// The benchmark families' shape: one depot, identical vehicles, one capacity dimension, and
/// one matrix for time, distance and cost.
fn depot_problem(
    jobs: Vec<Job>,
    fleet: usize,
    depot: usize,
    capacity: i64,
    window: TimeWindow,
    matrix: Matrix,
) -> Problem {
    let vehicles = (0..fleet)
        .map(|v| Vehicle {
            id: v as u64,
            start: Some(depot),
            end: Some(depot),
            capacity: vec![capacity],
            skills: Vec::new(),
            time_window: window.clone(),
            max_tasks: None,
            max_travel_time: None,
            max_distance: None,
            speed_percent: 100,
        })
        .collect();
    Problem {
        jobs,
        vehicles,
        durations: matrix.clone(),
        distances: matrix.clone(),
        costs: matrix,
        dimensions: 1,
    }
}

/// What a stranger can feed `yui solve`: any text never panics a reader, and what a reader
/// accepts survives being written as VROOM input and read back.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// A number as a file might hold it, hostile ones included.
    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => (0i64..2000).prop_map(|n| n.to_string()),
            1 => any::<i64>().prop_map(|n| n.to_string()),
            1 => any::<f64>().prop_map(|n| n.to_string()),
            1 => prop::sample::select(vec!["NaN", "inf", "-inf", "1e308", "-0", "", "x"])
                .prop_map(str::to_owned),
        ]
    }

    /// A number every reader takes.
    fn plain() -> impl Strategy<Value = String> {
        (1i64..2000).prop_map(|n| n.to_string())
    }

    fn solomon_text(number: fn() -> BoxedStrategy<String>) -> impl Strategy<Value = String> {
        let node = prop::collection::vec(number(), 7);
        (number(), number(), prop::collection::vec(node, 2..8)).prop_map(|(fleet, capacity, nodes)| {
            let mut text = format!("R101\n\nVEHICLE\nNUMBER     CAPACITY\n  {fleet}  {capacity}\n\nCUSTOMER\nCUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n");
            for (i, fields) in nodes.iter().enumerate() {
                text.push_str(&format!("{i} {}\n", fields[1..].join(" ")));
            }
            text
        })
    }

    fn cvrplib_text(number: fn() -> BoxedStrategy<String>) -> impl Strategy<Value = String> {
        (
            number(),
            number(),
            prop::collection::vec((number(), number(), number()), 2..8),
            number(),
        )
            .prop_map(|(dimension, capacity, nodes, depot)| {
                let fleet = if depot.len() % 3 == 0 { "0" } else { "2" };
                let mut text = format!("NAME : A-n{dimension}-k{fleet}\nTYPE : CVRP\nDIMENSION : {dimension}\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : {capacity}\nNODE_COORD_SECTION\n");
                for (i, (x, y, _)) in nodes.iter().enumerate() {
                    text.push_str(&format!("{} {x} {y}\n", i + 1));
                }
                text.push_str("DEMAND_SECTION\n");
                for (i, (_, _, demand)) in nodes.iter().enumerate() {
                    text.push_str(&format!("{} {demand}\n", i + 1));
                }
                text.push_str(&format!("DEPOT_SECTION\n{depot}\n-1\nEOF\n"));
                text
            })
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::{Value, json};
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-5i64..2000).prop_map(|n| json!(n)),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            "[a-z_]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "jobs",
                        "vehicles",
                        "shipments",
                        "matrices",
                        "car",
                        "durations",
                        "distances",
                        "costs",
                        "id",
                        "location_index",
                        "start_index",
                        "end_index",
                        "capacity",
                        "delivery",
                        "pickup",
                        "amount",
                        "service",
                        "time_windows",
                        "time_window",
                        "skills",
                        "max_tasks",
                        "profile",
                    ]),
                    inner,
                    0..6,
                )
                .prop_map(|m| Value::Object(
                    m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                )),
            ]
        })
    }

    /// What `problem` reads back as, once written as VROOM input.
    fn through_vroom(problem: &Problem) -> Result<Problem, FormatError> {
        parse_vroom(&vroom::to_vroom_input(problem).to_string())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_text_is_read_or_refused_never_a_panic(text in ".{0,400}") {
            let _ = parse_solomon(&text, 1000.0);
            let _ = parse_cvrplib(&text);
            let _ = parse_vroom(&text);
        }

        #[test]
        fn solomon_files_that_are_read_survive_a_round_trip(text in solomon_text(|| number().boxed())) {
            if let Ok(problem) = parse_solomon(&text, 1000.0) {
                let again = through_vroom(&problem);
                prop_assert_eq!(again, Ok(problem));
            }
        }

        #[test]
        fn well_formed_solomon_files_are_read(text in solomon_text(|| plain().boxed())) {
            let problem = parse_solomon(&text, 1000.0);
            prop_assert!(problem.is_ok(), "{:?}", problem);
        }

        #[test]
        fn cvrplib_files_that_are_read_survive_a_round_trip(text in cvrplib_text(|| number().boxed())) {
            if let Ok(problem) = parse_cvrplib(&text) {
                let again = through_vroom(&problem);
                prop_assert_eq!(again, Ok(problem));
            }
        }

        #[test]
        fn vroom_input_that_is_read_survives_a_round_trip(value in json_value()) {
            if let Ok(problem) = parse_vroom(&value.to_string()) {
                let again = through_vroom(&problem);
                prop_assert_eq!(again, Ok(problem));
            }
        }
    }
}
