//! Runs as their people see them: a volunteer or carrier their own (offered or accepted), with
//! the doors' addresses and phones; coordinators every run of their area, without them; hub
//! keepers what the post trips bring to their hub.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::audit::Audit;
use super::caller::Caller;
use super::plans::{PostLoadView, RunView, Slots, run_view, run_views};
use super::unit_of_work;
use crate::db::plans::{RunRow, RunScope};
use crate::db::{self, Db, DbConnection};
use crate::domain::account::Role;
use crate::domain::account::UserStatus;
use crate::domain::area::{check_name, parse_date};
use crate::domain::clock::Clock;
use crate::domain::error::Message;
use crate::domain::ids::UserId;
use crate::domain::ids::{HubId, PostTripId, RunId};
use crate::domain::plan::PlanStatus;
use crate::domain::run::{self, CarrierKind, RunActor, RunCommand};
use crate::error::AppError;

#[derive(Debug, Clone, Serialize)]
pub struct ArrivalView {
    pub post_trip_id: PostTripId,
    pub post_trip_name: String,
    pub arrival: String,
    pub slots: Slots,
    pub requests: usize,
}

#[derive(Clone)]
pub struct Runs {
    db: Db,
    clock: Clock,
}

fn is_field(role: Role) -> bool {
    matches!(role, Role::Volunteer | Role::Carrier)
}

/// How `caller` stands to `run`: its own carrier (who sees it once it is offered), staff of
/// its area, or someone who may not see it at all.
fn actor_of(conn: &mut DbConnection, caller: &Caller, run: &RunRow) -> Result<RunActor, AppError> {
    // A post trip's run is "own" to the carriers linked to drive it.
    let own = match run.carrier_kind {
        CarrierKind::PostTrip => {
            caller.role == Role::Carrier
                && db::carriers::is_trip_carrier(conn, run.carrier_id.cast(), caller.user_id)?
        }
        _ => run.carrier_id == caller.user_id.cast(),
    };
    if is_field(caller.role) && own && run.status.shown_to_carrier() {
        return Ok(RunActor::OwnCarrier);
    }
    if caller.role.is_staff() && caller.works_in(run.area_id) {
        return Ok(RunActor::Staff);
    }
    Ok(RunActor::Other)
}

/// Whether the run's own carrier sees its doors now: a last-mile run they took, on its day.
fn sees_doors(
    conn: &mut DbConnection,
    run: &RunRow,
    now: chrono::NaiveDateTime,
) -> Result<bool, AppError> {
    if run.carrier_kind == CarrierKind::PostTrip {
        return Ok(false);
    }
    let zone = db::areas::find(conn, run.area_id)?
        .ok_or(AppError::NotFound)?
        .into_area()?
        .time_zone;
    let date = parse_date("delivery_date", &run.delivery_date)?;
    Ok(run::door_details_visible(
        run.status,
        date,
        zone,
        now.and_utc(),
    ))
}

impl Runs {
    pub fn new(db: Db, clock: Clock) -> Self {
        Runs { db, clock }
    }

    pub async fn list(
        &self,
        caller: &Caller,
        delivery_date: Option<String>,
        after: Option<(NaiveDateTime, String)>,
        limit: i64,
    ) -> Result<Vec<RunView>, AppError> {
        let date = delivery_date
            .as_deref()
            .map(|d| parse_date("delivery_date", d).map(|d| d.format("%Y-%m-%d").to_string()))
            .transpose()?;
        let scope = match caller.role {
            Role::Admin => RunScope::All,
            Role::Coordinator => RunScope::Area(caller.area()?),
            role if is_field(role) => RunScope::Carrier(vec![caller.user_id.cast()]),
            _ => return Err(AppError::NotFound),
        };
        let me = caller.user_id;
        let carrier = caller.role == Role::Carrier;
        self.db
            .run("runs.list", move |conn| {
                let mut scope = scope;
                if let (true, RunScope::Carrier(carriers)) = (carrier, &mut scope) {
                    for trip in db::carriers::trips_of_carrier(conn, me)? {
                        carriers.push(trip.cast());
                    }
                }
                let runs = db::plans::list_runs(conn, &scope, date.as_deref(), after, limit)?;
                run_views(conn, runs)
            })
            .await
    }

    /// One run; its own carrier also gets the addresses and phones, and that read is audited.
    pub async fn get(&self, caller: &Caller, id: RunId) -> Result<RunView, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "runs.get", audit, move |uow| {
            let run = db::plans::find_run(uow.conn, id)?.ok_or(AppError::NotFound)?;
            let own = match actor_of(uow.conn, &caller, &run)? {
                RunActor::OwnCarrier => true,
                RunActor::Staff => false,
                RunActor::Other => return Err(AppError::NotFound),
            };
            let area = run.area_id;
            let own = own && sees_doors(uow.conn, &run, uow.now())?;
            let view = run_view(uow.conn, run, own)?;
            if own && view.stops.iter().any(|s| s.address.is_some()) {
                uow.in_area(area);
                uow.audit("read_contacts", unit_of_work::RUN, id)?;
            }
            Ok(view)
        })
        .await
    }

    /// The carrier takes an offered run; planning again keeps it as it is.
    pub async fn accept(&self, caller: &Caller, id: RunId) -> Result<RunView, AppError> {
        self.command(caller, id, RunCommand::Accept).await
    }

    /// The carrier gives the run back, saying why; its requests wait for another carrier and
    /// the coordinator's list shows the run declined with the reason.
    pub async fn decline(
        &self,
        caller: &Caller,
        id: RunId,
        reason: String,
    ) -> Result<RunView, AppError> {
        let reason = check_name("reason", &reason, 200)?;
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "runs.decline", audit, move |uow| {
            let mut run = db::plans::find_run(uow.conn, id)?.ok_or(AppError::NotFound)?;
            let actor = actor_of(uow.conn, &caller, &run)?;
            if actor == RunActor::Other {
                return Err(AppError::NotFound);
            }
            let step = run::transition(run.status, RunCommand::Decline, actor)?;
            uow.in_area(run.area_id);
            uow.run_step_written(&mut run, step, "decline", |conn, read| {
                db::plans::decline_run(conn, read, &reason)
            })?;
            run.decline_reason = Some(reason.clone());
            run_view(uow.conn, run, false)
        })
        .await
    }

    /// A coordinator offers an offered or declined run to another volunteer (or carrier) of
    /// the area, stops and all.
    pub async fn reassign(
        &self,
        caller: &Caller,
        id: RunId,
        carrier: UserId,
    ) -> Result<RunView, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "runs.reassign", audit, move |uow| {
            let mut run = db::plans::find_run(uow.conn, id)?.ok_or(AppError::NotFound)?;
            if actor_of(uow.conn, &caller, &run)? != RunActor::Staff {
                return Err(AppError::NotFound);
            }
            let (user, _) = db::users::find(uow.conn, carrier)?
                .ok_or_else(|| AppError::invalid("carrier_id", "invalid-no-account"))?;
            let kind = match user.role {
                Role::Volunteer => CarrierKind::Volunteer,
                Role::Carrier => CarrierKind::Carrier,
                _ => {
                    return Err(AppError::invalid(
                        "carrier_id",
                        Message::new("invalid-account-role").arg("role", "volunteer"),
                    ));
                }
            };
            if user.area_id != Some(run.area_id) || user.status != UserStatus::Active {
                return Err(AppError::invalid(
                    "carrier_id",
                    "invalid-carrier-other-area",
                ));
            }
            let public_name = db::carriers::find_profile(uow.conn, carrier)?
                .map(|p| p.public_name)
                .unwrap_or_default();
            let step = run::transition(run.status, RunCommand::Reassign, RunActor::Staff)?;
            let to = RunRow {
                carrier_kind: kind,
                carrier_id: carrier.cast(),
                carrier_name: user.display_name.clone(),
                carrier_public_name: public_name,
                decline_reason: None,
                ..run.clone()
            };
            uow.in_area(run.area_id);
            uow.run_step_written(&mut run, step, "reassign", |conn, read| {
                db::plans::reassign_run(conn, read, &to)
            })?;
            let run = RunRow {
                status: run.status,
                ..to
            };
            run_view(uow.conn, run, false)
        })
        .await
    }

    /// The carrier sets off.
    pub async fn start(&self, caller: &Caller, id: RunId) -> Result<RunView, AppError> {
        self.command(caller, id, RunCommand::Start).await
    }

    /// Gives `run` a command of its life cycle (`domain::run::transition`); a repeated step
    /// (a retry after a lost answer) answers the run as it is.
    async fn command(
        &self,
        caller: &Caller,
        id: RunId,
        command: RunCommand,
    ) -> Result<RunView, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "runs.command", audit, move |uow| {
            let mut run = db::plans::find_run(uow.conn, id)?.ok_or(AppError::NotFound)?;
            let actor = actor_of(uow.conn, &caller, &run)?;
            // Runs one may not see are not there at all.
            if actor == RunActor::Other {
                return Err(AppError::NotFound);
            }
            let step = run::transition(run.status, command, actor)?;
            uow.in_area(run.area_id);
            uow.run_step(&mut run, step, command.as_str())?;
            let doors = actor == RunActor::OwnCarrier && sees_doors(uow.conn, &run, uow.now())?;
            if doors {
                uow.audit("read_contacts", unit_of_work::RUN, id)?;
            }
            run_view(uow.conn, run, doors)
        })
        .await
    }

    /// What the post trips bring to `hub` on `date` (a locked plan; staff also see a preview).
    pub async fn arrivals(
        &self,
        caller: &Caller,
        hub: HubId,
        date: &str,
    ) -> Result<Vec<ArrivalView>, AppError> {
        let date = parse_date("delivery_date", date)?
            .format("%Y-%m-%d")
            .to_string();
        let caller = caller.clone();
        self.db
            .run("runs.arrivals", move |conn| {
                arrivals(conn, &caller, hub, &date)
            })
            .await
    }
}

fn arrivals(
    conn: &mut DbConnection,
    caller: &Caller,
    hub: HubId,
    date: &str,
) -> Result<Vec<ArrivalView>, AppError> {
    let row = db::areas::find_hub(conn, hub)?.ok_or(AppError::NotFound)?;
    let area = row.area_id;
    let keeper = caller.role == Role::HubKeeper
        && db::areas::keepers_of(conn, row.id)?.contains(&caller.user_id);
    let staff = caller.role.is_staff() && caller.works_in(area);
    if !keeper && !staff {
        return Err(AppError::NotFound);
    }
    let Some(plan) = db::plans::find_for_date(conn, area, date)? else {
        return Ok(Vec::new());
    };
    if plan.status != PlanStatus::Locked && !staff {
        return Ok(Vec::new());
    }
    let loads: Vec<PostLoadView> =
        serde_json::from_str(&plan.post_loads).map_err(|e| AppError::internal(e.to_string()))?;
    loads
        .into_iter()
        .filter(|l| l.hub_id == hub)
        .map(|l| {
            let name = db::carriers::find_trip(conn, l.post_trip_id)?
                .map(|t| t.name)
                .unwrap_or_default();
            Ok(ArrivalView {
                post_trip_id: l.post_trip_id,
                post_trip_name: name,
                arrival: l.arrival,
                slots: l.slots,
                requests: l.request_ids.len(),
            })
        })
        .collect()
}
