//! Step 1 of the day: each request's hub, by the neighbourhood its point lies in, else the
//! nearest hub within reach, else `out_of_area`.

use super::*;

/// Step 1: each request's hub, or `out_of_area`.
pub(super) fn locate(day: &Day, unassigned: &mut Vec<(RequestId, Reason)>) -> Vec<Option<usize>> {
    let hub_index: HashMap<HubId, usize> = day
        .hubs
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id, i))
        .collect();
    let index = NeighbourhoodIndex::new(
        day.neighbourhoods
            .iter()
            .map(|n| (n.hub, n.boundary.clone()))
            .collect(),
    );
    day.requests
        .iter()
        .map(|request| {
            let Some(point) = request.location else {
                unassigned.push((request.id, Reason::OutOfArea));
                return None;
            };
            let hub = index
                .locate(point.lon, point.lat)
                .flatten()
                .and_then(|id| hub_index.get(&id).copied())
                .or_else(|| nearest_hub(day, point));
            if hub.is_none() {
                unassigned.push((request.id, Reason::OutOfArea));
            }
            hub
        })
        .collect()
}

pub(super) fn nearest_hub(day: &Day, point: Location) -> Option<usize> {
    day.hubs
        .iter()
        .enumerate()
        .map(|(i, h)| (i, great_circle_m(point, h.location)))
        .filter(|(_, d)| *d <= day.hub_reach_m)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}
