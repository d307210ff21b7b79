//! Storing a plan: in place of the date's earlier one, under the area's lock, keeping the
//! runs carriers took, and moving the date's requests.

use super::*;

/// Writes the plan in place of the date's earlier one, keeping the runs carriers took.
/// Under the area's lock it first checks that the date is as `snapshot` read it: the same
/// plan version and the same taken runs; otherwise the plan is stale (`STALE_DAY`).
pub(super) fn save(
    uow: &mut UnitOfWork<'_>,
    snapshot: &Snapshot,
    plan: &DayPlan,
    date: NaiveDate,
    date_text: &str,
    locking: bool,
    by: Option<UserId>,
) -> Result<PlanView, AppError> {
    let area = &snapshot.area;
    let zone = area.time_zone;
    uow.in_area(area.id);
    db::neighbourhoods::lock_area(uow.conn, area.id)?;
    let existing = db::plans::find_for_date(uow.conn, area.id, date_text)?;
    if existing.as_ref().map(|p| p.version) != snapshot.existing.as_ref().map(|p| p.version) {
        return Err(AppError::conflict(STALE_DAY));
    }
    let old_runs = match &existing {
        Some(p) => db::plans::runs_of(uow.conn, p.id)?,
        None => Vec::new(),
    };
    let mut taken_now: Vec<RunId> = old_runs
        .iter()
        .filter(|r| r.status.taken())
        .map(|r| r.id)
        .collect();
    taken_now.sort();
    if taken_now != snapshot.accepted_runs {
        return Err(AppError::conflict(STALE_DAY));
    }
    let step = plan_rules::transition(
        existing.as_ref().map(|p| p.status),
        if locking {
            PlanCommand::Lock
        } else {
            PlanCommand::Preview
        },
    )?;
    // Only runs nobody has taken are replaced; a run taken since the read (an accept racing
    // this plan) makes the plan stale instead of being deleted.
    let replaced: Vec<&RunRow> = old_runs.iter().filter(|r| r.status.replaceable()).collect();
    for run in &replaced {
        if !db::plans::delete_run_if(uow.conn, run.id, run.status)? {
            return Err(AppError::conflict(STALE_DAY));
        }
    }

    let now = uow.now();
    let post_loads: Vec<PostLoadView> = plan
        .post_loads
        .iter()
        .map(|l| {
            Ok(PostLoadView {
                post_trip_id: l.trip,
                hub_id: l.hub,
                arrival: timestamp(at(date, zone, l.arrival)?),
                slots: Slots {
                    ambient: l.slots[0],
                    chilled: l.slots[1],
                    frozen: l.slots[2],
                },
                request_ids: l.requests.clone(),
            })
        })
        .collect::<Result<_, AppError>>()?;
    let unassigned: Vec<UnassignedView> = plan
        .unassigned
        .iter()
        .map(|(id, reason)| UnassignedView {
            request_id: *id,
            reason: reason.as_str().to_owned(),
        })
        .collect();
    let mut row = PlanRow {
        id: existing.as_ref().map_or_else(PlanId::new, |p| p.id),
        area_id: area.id,
        delivery_date: date_text.to_owned(),
        status: step.next,
        version: 1,
        seed: 1,
        post_loads: json(&post_loads)?,
        unassigned: json(&unassigned)?,
        impact: json(&plan.impact)?,
        warnings: json(&plan.warnings)?,
        created_by: existing.as_ref().map_or(by, |p| p.created_by),
        created_at: existing.as_ref().map_or(now, |p| p.created_at),
        updated_at: now,
    };
    let action = if existing.is_some() { "replan" } else { "plan" };
    uow.plan_step(&mut row, existing.as_ref().map(|p| p.version), step, action)?;

    let run_status = if locking {
        RunStatus::Offered
    } else {
        RunStatus::Proposed
    };
    let mut run_ids = Vec::with_capacity(plan.runs.len());
    for run in &plan.runs {
        let id = RunId::new();
        let first = run.stops.first().map_or(0, |s| s.arrival);
        let run_row = RunRow {
            id,
            plan_id: row.id,
            area_id: area.id,
            delivery_date: date_text.to_owned(),
            carrier_kind: run.carrier.kind,
            carrier_id: run.carrier.id,
            carrier_name: run.carrier.name.clone(),
            carrier_public_name: run.carrier.public_name.clone(),
            hub_id: run.hub,
            status: run_status,
            distance_m: run.distance_m,
            duration_s: run.duration_s,
            starts_at: at(date, zone, first)?,
            created_at: now,
            decline_reason: None,
        };
        let stops = run
            .stops
            .iter()
            .enumerate()
            .map(|(seq, s)| {
                Ok(StopRow {
                    run_id: run_row.id,
                    seq: i32::try_from(seq).map_err(|e| AppError::internal(e.to_string()))?,
                    kind: s.kind.as_str().to_owned(),
                    request_id: s.request,
                    hub_id: s.hub,
                    arrival: at(date, zone, s.arrival)?,
                    lat: s.location.lat,
                    lon: s.location.lon,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        db::plans::insert_run(uow.conn, &run_row, &stops)?;
        if locking {
            uow.events(
                unit_of_work::RUN,
                id,
                &[RunEvent {
                    from: RunStatus::Proposed,
                    to: RunStatus::Offered,
                }],
            )?;
        }
        run_ids.push(run_row.id);
    }

    if locking {
        move_requests(uow, snapshot, plan, row.id, &run_ids, date, zone)?;
    }
    plan_view(uow.conn, &row)
}

/// After a locking plan: submitted requests lock, placed ones are planned with their run,
/// stop and window, and planned ones that lost their place go back to locked. Each request
/// moves from the status it has now (read under the area's lock), not the one planned from.
#[allow(clippy::too_many_arguments)]
pub(super) fn move_requests(
    uow: &mut UnitOfWork<'_>,
    snapshot: &Snapshot,
    plan: &DayPlan,
    plan_id: PlanId,
    run_ids: &[RunId],
    date: NaiveDate,
    zone: Tz,
) -> Result<(), AppError> {
    let placed: HashMap<RequestId, &day::Placement> =
        plan.placements.iter().map(|p| (p.request, p)).collect();
    let facts = RequestFacts {
        cutoff: Cutoff {
            at: snapshot.area.cutoff.cutoff(date, zone)?,
            zone,
        },
        ordering_open: false,
        fulfilment: Fulfilment::HomeDelivery,
    };
    for request in &snapshot.day.requests {
        if snapshot.fixed.contains(&request.id) {
            continue;
        }
        let Some(mut row) = db::requests::find(uow.conn, request.id)? else {
            continue;
        };
        let movable = matches!(
            row.status,
            RequestStatus::Submitted | RequestStatus::Locked | RequestStatus::Planned
        );
        let placement = placed.get(&request.id).filter(|_| movable);
        let mut commands = Vec::new();
        if row.status == RequestStatus::Submitted {
            commands.push(RequestCommand::Lock);
        }
        match (placement, row.status) {
            (Some(_), RequestStatus::Submitted | RequestStatus::Locked) => {
                commands.push(RequestCommand::Plan)
            }
            (None, RequestStatus::Planned) => commands.push(RequestCommand::Unplan),
            _ => {}
        }
        match placement {
            Some(p) => {
                let run_id = run_ids
                    .get(p.run)
                    .ok_or_else(|| AppError::internal("placement without its run"))?;
                db::plans::insert_placement(
                    uow.conn,
                    &PlacementRow {
                        request_id: request.id,
                        plan_id,
                        run_id: *run_id,
                        stop_seq: i32::try_from(p.stop)
                            .map_err(|e| AppError::internal(e.to_string()))?,
                        hub_id: p.hub,
                        window_start: at(date, zone, p.window.start)?,
                        window_end: at(date, zone, p.window.end)?,
                    },
                )?;
            }
            None => db::plans::delete_placement(uow.conn, request.id)?,
        }
        let facts = RequestFacts {
            fulfilment: row.fulfilment,
            ..facts
        };
        if commands.contains(&RequestCommand::Plan) {
            give_code(uow, request.id)?;
        }
        for command in commands {
            let step = request_rules::transition(row.status, command, Role::Coordinator, facts)?;
            uow.request_step(&mut row, step, command.as_str())?;
        }
    }
    Ok(())
}

/// A planned request's handover code, which its family sees and says at the door; planning
/// again keeps the code they were told.
fn give_code(uow: &mut UnitOfWork<'_>, request: RequestId) -> Result<(), AppError> {
    let code = loop {
        if let Some(code) = crate::domain::handover::handover_code_from(
            &crate::services::tokens::random_bytes::<16>(),
        ) {
            break code;
        }
    };
    db::handovers::ensure_code(
        uow.conn,
        &db::handovers::HandoverCodeRow {
            request_id: request,
            code,
            failures: 0,
            updated_at: uow.now(),
        },
    )
}
