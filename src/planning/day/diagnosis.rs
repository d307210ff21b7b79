//! Why a home delivery no run took was left out: the reason a coordinator can act on.

use super::*;

/// The reason a coordinator can act on for a home delivery no run took.
pub(super) fn why_unplaced(
    day: &Day,
    h: usize,
    problem: &Problem,
    crew: &[usize],
    j: usize,
) -> Reason {
    let job = &problem.jobs[j];
    if crew.is_empty() {
        let anyone = day.carriers.iter().any(|c| in_reach(day, c, &day.hubs[h]));
        return if anyone {
            Reason::Capacity
        } else {
            Reason::NoCarrierInReach
        };
    }
    let compatible: Vec<&Vehicle> = problem
        .vehicles
        .iter()
        .filter(|v| v.can_serve(job))
        .collect();
    if compatible.is_empty() {
        return Reason::ColdChain;
    }
    // (too far, too late, too big) for `v` taking the job alone.
    let alone = |v: &Vehicle| {
        let home = v.end.unwrap_or(0);
        let metres =
            problem.distances.get(0, job.location) + problem.distances.get(job.location, home);
        let back = v.time_window.start
            + v.travel_time(problem.durations.get(0, job.location))
            + job.service
            + v.travel_time(problem.durations.get(job.location, home));
        (
            v.max_distance.is_some_and(|m| metres > m),
            back > v.time_window.end,
            job.delivery.iter().zip(&v.capacity).any(|(d, c)| d > c),
        )
    };
    let mut only_time = false;
    let mut only_distance = false;
    for v in compatible {
        match alone(v) {
            (false, false, false) => {
                // The cold boxes are full while a carrier without one could have gone.
                let cold_boxes_short = !job.skills.is_empty()
                    && problem
                        .vehicles
                        .iter()
                        .any(|o| !o.can_serve(job) && alone(o) == (false, false, false));
                return if cold_boxes_short {
                    Reason::ColdChain
                } else {
                    Reason::Capacity
                };
            }
            (false, true, false) => only_time = true,
            (true, false, false) => only_distance = true,
            _ => {}
        }
    }
    if only_time {
        Reason::TimeWindow
    } else if only_distance {
        Reason::NoCarrierInReach
    } else {
        Reason::Capacity
    }
}
