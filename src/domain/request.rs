//! Grocery requests: items, and the life cycle of DESIGN.md as one state machine.

use serde_json::json;

use super::account::Role;
use super::error::{Cutoff, DomainError, Message};
use super::lifecycle::{DomainEvent, Transitioned};
use crate::text_enum;

text_enum! {
    pub enum RequestStatus ("status") {
        Submitted => "submitted",
        Locked => "locked",
        Planned => "planned",
        /// The post van has the hub's load.
        InTransit => "in_transit",
        /// The hub's keeper has it (again, after a failed handover).
        AtHub => "at_hub",
        OutForDelivery => "out_for_delivery",
        Delivered => "delivered",
        ReadyForPickup => "ready_for_pickup",
        Collected => "collected",
        Cancelled => "cancelled",
        Failed => "failed",
    }
}

text_enum! {
    pub enum Fulfilment ("fulfilment") {
        HubPickup => "hub_pickup",
        HomeDelivery => "home_delivery",
    }
}

text_enum! {
    pub enum Temperature ("temperature") {
        Ambient => "ambient",
        Chilled => "chilled",
        Frozen => "frozen",
    }
}

text_enum! {
    pub enum Substitution ("substitution") {
        None => "none",
        Similar => "similar",
        Ask => "ask",
    }
}

text_enum! {
    /// What became of one line of a request at the shop.
    pub enum ItemOutcome ("outcome") {
        Pending => "pending",
        Found => "found",
        Substituted => "substituted",
        Unavailable => "unavailable",
    }
}

text_enum! {
    /// What may move a request from one status to another.
    pub enum RequestCommand ("transition") {
        Lock => "lock",
        Plan => "plan",
        /// The post carrier takes the hub's load at the post office (`van_loaded`).
        Load => "load",
        /// The hub's keeper takes it from the van (`hub_received`).
        Receive => "receive",
        /// The run's volunteer takes it at the hub (`run_picked_up`).
        PickUp => "pick_up",
        /// Handed over at the door (`door_delivered`).
        Deliver => "deliver",
        /// Handed to the resident or a proxy at the hub (`hub_collected`).
        Collect => "collect",
        /// Not handed over: nobody answered, refused, not collected in time... (`door_failed`).
        Fail => "fail",
        /// Failed goods back with the keeper (`hub_returned`).
        Return => "return",
        Cancel => "cancel",
        /// Planning again left a planned request without a place: back to locked.
        Unplan => "unplan",
    }
}

impl RequestStatus {
    /// Planned and not yet handed over (or back at the hub): the family is told where and
    /// when, and the code to say.
    pub fn is_on_its_way(self) -> bool {
        matches!(
            self,
            RequestStatus::Planned
                | RequestStatus::InTransit
                | RequestStatus::AtHub
                | RequestStatus::OutForDelivery
                | RequestStatus::ReadyForPickup
                | RequestStatus::Failed
        )
    }
}

/// What a request's transition needs to know besides its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestFacts {
    /// When ordering for the request's date closes (told to a family refused after it).
    pub cutoff: Cutoff,
    /// Whether families may still change the date's requests: before the cutoff, and the
    /// coordinator has not locked the date early.
    pub ordering_open: bool,
    /// A hub pickup waits on the shelf once received; a home delivery goes out with a run.
    pub fulfilment: Fulfilment,
}

impl RequestCommand {
    /// The steps a coordinator gives by hand; the others are recorded as handovers
    /// (`domain::handover`), or are the planner's own (unplan).
    pub fn by_hand(self) -> bool {
        matches!(
            self,
            RequestCommand::Lock | RequestCommand::Plan | RequestCommand::Cancel
        )
    }
}

/// An event of a request's life: `request.<what happened>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestEvent {
    pub command: Option<RequestCommand>,
    pub from: Option<RequestStatus>,
    pub to: RequestStatus,
}

impl RequestEvent {
    /// A request just created.
    pub fn submitted() -> Self {
        RequestEvent {
            command: None,
            from: None,
            to: RequestStatus::Submitted,
        }
    }
}

impl DomainEvent for RequestEvent {
    fn event_type(&self) -> &'static str {
        match (self.command, self.to) {
            (Some(RequestCommand::Unplan), _) => "request.unplanned",
            (_, RequestStatus::Submitted) => "request.submitted",
            (_, RequestStatus::Locked) => "request.locked",
            (_, RequestStatus::Planned) => "request.planned",
            (_, RequestStatus::InTransit) => "request.in_transit",
            (_, RequestStatus::AtHub) => "request.at_hub",
            (_, RequestStatus::OutForDelivery) => "request.out_for_delivery",
            (_, RequestStatus::Delivered) => "request.delivered",
            (_, RequestStatus::ReadyForPickup) => "request.ready_for_pickup",
            (_, RequestStatus::Collected) => "request.collected",
            (_, RequestStatus::Cancelled) => "request.cancelled",
            (_, RequestStatus::Failed) => "request.failed",
        }
    }

    fn payload(&self) -> serde_json::Value {
        json!({"from": self.from.map(RequestStatus::as_str), "status": self.to.as_str()})
    }
}

/// The one place that says which steps of a request's life exist, from where, and for whom.
pub fn transition(
    from: RequestStatus,
    command: RequestCommand,
    actor: Role,
    facts: RequestFacts,
) -> Result<Transitioned<RequestStatus, RequestEvent>, DomainError> {
    match next_status(from, command, actor, facts) {
        // A hub pickup received passes through the hub's hands onto its shelf: both events.
        Some(RequestStatus::ReadyForPickup) if command == RequestCommand::Receive => {
            Ok(Transitioned {
                next: RequestStatus::ReadyForPickup,
                events: vec![
                    RequestEvent {
                        command: Some(command),
                        from: Some(from),
                        to: RequestStatus::AtHub,
                    },
                    RequestEvent {
                        command: Some(command),
                        from: Some(RequestStatus::AtHub),
                        to: RequestStatus::ReadyForPickup,
                    },
                ],
            })
        }
        Some(next) => Ok(Transitioned::to(
            next,
            RequestEvent {
                command: Some(command),
                from: Some(from),
                to: next,
            },
        )),
        // After the cutoff a family's request is the coordinator's to change, whatever its
        // status: the family is told when ordering closed, not how the day is run.
        None if actor == Role::Family
            && (!facts.ordering_open || from != RequestStatus::Submitted) =>
        {
            Err(DomainError::CutoffPassed {
                cutoff: Some(facts.cutoff),
                editing: true,
            })
        }
        None => Err(DomainError::Transition {
            aggregate: "request",
            current: from.as_str(),
            command: command.as_str(),
            allowed: allowed(from, actor, facts),
        }),
    }
}

/// The commands `actor` may give a request in `from`.
pub fn allowed(from: RequestStatus, actor: Role, facts: RequestFacts) -> Vec<&'static str> {
    <RequestCommand as super::text::TextEnum>::ALL
        .iter()
        .filter(|c| next_status(from, **c, actor, facts).is_some())
        .map(|c| c.as_str())
        .collect()
}

fn next_status(
    from: RequestStatus,
    command: RequestCommand,
    actor: Role,
    facts: RequestFacts,
) -> Option<RequestStatus> {
    use RequestCommand as C;
    use RequestStatus as S;
    let staff = actor.is_staff();
    let field = matches!(actor, Role::Volunteer | Role::Carrier | Role::HubKeeper) || staff;
    let before_cutoff = facts.ordering_open;
    let pickup = facts.fulfilment == Fulfilment::HubPickup;
    let next = match (from, command) {
        (S::Submitted, C::Lock) if staff => S::Locked,
        (S::Locked, C::Plan) if staff => S::Planned,
        (S::Planned, C::Unplan) if staff => S::Locked,
        (S::Planned, C::Load) if field => S::InTransit,
        (S::InTransit, C::Receive) if field && pickup => S::ReadyForPickup,
        (S::InTransit, C::Receive) if field => S::AtHub,
        // A home delivery goes out with a run (again, after a failed door); a hub pickup
        // waits on the shelf.
        (S::AtHub, C::PickUp) if field && !pickup => S::OutForDelivery,
        (S::OutForDelivery, C::Deliver) if field => S::Delivered,
        // Collected at the hub: a pickup from the shelf, or a returned delivery.
        (S::ReadyForPickup | S::AtHub, C::Collect) if field => S::Collected,
        (S::OutForDelivery | S::ReadyForPickup, C::Fail) if field => S::Failed,
        (S::Failed, C::Return) if field => S::AtHub,
        (S::Submitted, C::Cancel) if actor == Role::Family && before_cutoff => S::Cancelled,
        // Goods in hand (on the van, at a door) are cancelled once they are back at the hub.
        (
            S::Submitted | S::Locked | S::Planned | S::AtHub | S::ReadyForPickup | S::Failed,
            C::Cancel,
        ) if staff => S::Cancelled,
        _ => return None,
    };
    Some(next)
}

pub const MAX_ITEMS: usize = 100;

/// The crate (オリコン) hubs and post vans count in: storage and spare capacity are crates.
pub const CRATE_LITRES: i64 = 30;

/// A rough volume for one line of a request: a litre a piece, kilogram or litre (grams and
/// millilitres by the thousand), between 1 and 20 litres a line. Enough to fill crates and a
/// volunteer's boxes without asking families for volumes.
pub fn line_litres(quantity: f64, unit: &str) -> i64 {
    let unit = unit.trim().to_lowercase();
    let amount = match unit.as_str() {
        "g" | "ml" | "グラム" => quantity / 1000.0,
        _ => quantity,
    };
    (amount.ceil() as i64).clamp(1, 20)
}

/// Crates needed for `litres` of one temperature class (none for none).
pub fn crates(litres: i64) -> i64 {
    (litres + CRATE_LITRES - 1).max(0) / CRATE_LITRES
}

/// One line of a request, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub name: String,
    pub quantity: f64,
    pub unit: String,
    pub temperature: Temperature,
    pub substitution: Substitution,
}

impl Item {
    pub fn new(
        index: usize,
        name: &str,
        quantity: f64,
        unit: &str,
        temperature: &str,
        substitution: &str,
    ) -> Result<Self, DomainError> {
        let field = |f: &str| format!("items[{index}].{f}");
        let name = name.trim();
        let length = name.chars().count();
        if !(1..=200).contains(&length) || name.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                field("name"),
                Message::new("invalid-length").arg("min", 1).arg("max", 200),
            ));
        }
        if !(quantity.is_finite() && quantity > 0.0 && quantity <= 10_000.0) {
            return Err(DomainError::invalid(
                field("quantity"),
                Message::new("invalid-positive").arg("max", 10_000),
            ));
        }
        let unit = unit.trim();
        if !(1..=20).contains(&unit.chars().count()) {
            return Err(DomainError::invalid(
                field("unit"),
                Message::new("invalid-length").arg("min", 1).arg("max", 20),
            ));
        }
        let temperature =
            Temperature::parse(temperature).map_err(|e| at_field(e, field("temperature")))?;
        let substitution =
            Substitution::parse(substitution).map_err(|e| at_field(e, field("substitution")))?;
        Ok(Item {
            name: name.to_owned(),
            quantity,
            unit: unit.to_owned(),
            temperature,
            substitution,
        })
    }
}

pub fn check_item_count(count: usize) -> Result<(), DomainError> {
    if (1..=MAX_ITEMS).contains(&count) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "items",
            Message::new("invalid-count")
                .arg("min", 1)
                .arg("max", MAX_ITEMS),
        ))
    }
}

/// The same refusal, said of the field where the value was.
fn at_field(error: DomainError, at: String) -> DomainError {
    match error {
        DomainError::Invalid { message, .. } => DomainError::Invalid { field: at, message },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use RequestCommand as C;
    use RequestStatus as S;

    fn facts(before_cutoff: bool) -> RequestFacts {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).unwrap();
        RequestFacts {
            cutoff: Cutoff {
                at,
                zone: chrono_tz::Asia::Tokyo,
            },
            ordering_open: before_cutoff,
            fulfilment: Fulfilment::HomeDelivery,
        }
    }

    fn next(from: S, command: C, actor: Role, before: bool) -> Result<S, DomainError> {
        transition(from, command, actor, facts(before)).map(|t| t.next)
    }

    fn pickup() -> RequestFacts {
        RequestFacts {
            fulfilment: Fulfilment::HubPickup,
            ..facts(false)
        }
    }

    #[test]
    fn a_home_delivery_goes_from_the_van_through_the_hub_to_the_door() {
        let mut status = S::Submitted;
        for (step, actor, expected) in [
            (C::Lock, Role::Coordinator, S::Locked),
            (C::Plan, Role::Coordinator, S::Planned),
            (C::Load, Role::Carrier, S::InTransit),
            (C::Receive, Role::HubKeeper, S::AtHub),
            (C::PickUp, Role::Volunteer, S::OutForDelivery),
            (C::Deliver, Role::Volunteer, S::Delivered),
        ] {
            let moved = transition(status, step, actor, facts(false)).unwrap();
            assert_eq!((moved.next, moved.events.len()), (expected, 1), "{step:?}");
            status = moved.next;
        }
    }

    #[test]
    fn a_hub_pickup_waits_on_the_shelf_and_never_goes_out() {
        let received = transition(S::InTransit, C::Receive, Role::HubKeeper, pickup()).unwrap();
        assert_eq!(received.next, S::ReadyForPickup);
        let types: Vec<_> = received.events.iter().map(|e| e.event_type()).collect();
        assert_eq!(types, ["request.at_hub", "request.ready_for_pickup"]);
        assert!(transition(S::AtHub, C::PickUp, Role::Volunteer, pickup()).is_err());
        assert_eq!(
            transition(S::ReadyForPickup, C::Collect, Role::HubKeeper, pickup())
                .unwrap()
                .next,
            S::Collected
        );
    }

    #[test]
    fn a_failed_handover_goes_back_to_the_hub_and_out_again() {
        let failed = next(S::OutForDelivery, C::Fail, Role::Volunteer, false).unwrap();
        assert_eq!(failed, S::Failed);
        let back = next(failed, C::Return, Role::HubKeeper, false).unwrap();
        assert_eq!(back, S::AtHub);
        assert_eq!(
            next(back, C::PickUp, Role::Volunteer, false).unwrap(),
            S::OutForDelivery
        );
        assert_eq!(
            next(back, C::Collect, Role::HubKeeper, false).unwrap(),
            S::Collected
        );
        assert_eq!(
            next(back, C::Cancel, Role::Coordinator, false).unwrap(),
            S::Cancelled
        );
        // Goods on the road are not cancelled until they are back.
        assert!(next(S::InTransit, C::Cancel, Role::Coordinator, false).is_err());
        assert!(next(S::OutForDelivery, C::Cancel, Role::Coordinator, false).is_err());
        assert!(next(S::Failed, C::Return, Role::Family, false).is_err());
    }

    #[test]
    fn each_step_raises_its_one_event() {
        let step = transition(S::Locked, C::Plan, Role::Coordinator, facts(false)).unwrap();
        assert_eq!(step.events.len(), 1);
        assert_eq!(step.events[0].event_type(), "request.planned");
        assert_eq!(
            step.events[0].payload(),
            json!({"from": "locked", "status": "planned"})
        );
        let back = transition(S::Planned, C::Unplan, Role::Coordinator, facts(false)).unwrap();
        assert_eq!(back.events[0].event_type(), "request.unplanned");
        assert_eq!(RequestEvent::submitted().event_type(), "request.submitted");
    }

    #[test]
    fn families_cancel_only_before_the_cutoff_and_only_submitted_requests() {
        assert_eq!(
            next(S::Submitted, C::Cancel, Role::Family, true).unwrap(),
            S::Cancelled
        );
        assert!(matches!(
            next(S::Submitted, C::Cancel, Role::Family, false),
            Err(DomainError::CutoffPassed {
                cutoff: Some(_),
                editing: true
            })
        ));
        // Locked after the cutoff: still the cutoff that the family is told about.
        assert!(matches!(
            next(S::Locked, C::Cancel, Role::Family, false),
            Err(DomainError::CutoffPassed { .. })
        ));
        // Delivered: not the family's to cancel, and long past ordering.
        match next(S::Delivered, C::Cancel, Role::Coordinator, true) {
            Err(DomainError::Transition {
                current: "delivered",
                allowed,
                ..
            }) => assert!(allowed.is_empty(), "{allowed:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            next(S::Planned, C::Cancel, Role::Coordinator, false).unwrap(),
            S::Cancelled
        );
        assert!(next(S::Delivered, C::Cancel, Role::Coordinator, false).is_err());
    }

    #[test]
    fn a_refusal_says_what_is_allowed_next() {
        match next(S::Planned, C::Deliver, Role::Coordinator, false) {
            Err(DomainError::Transition {
                current, allowed, ..
            }) => {
                assert_eq!(current, "planned");
                assert_eq!(allowed, vec!["load", "cancel", "unplan"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nobody_skips_a_step_or_acts_outside_their_role() {
        assert!(next(S::Submitted, C::Plan, Role::Coordinator, false).is_err());
        assert!(next(S::Submitted, C::Lock, Role::Family, true).is_err());
        assert!(next(S::Planned, C::Load, Role::Family, true).is_err());
        assert!(next(S::Planned, C::Receive, Role::HubKeeper, false).is_err());
        assert!(next(S::Collected, C::Fail, Role::Coordinator, false).is_err());
    }

    #[test]
    fn loads_are_estimated_per_line_and_packed_in_crates() {
        assert_eq!(line_litres(5.0, "kg"), 5);
        assert_eq!(line_litres(500.0, "g"), 1);
        assert_eq!(line_litres(1500.0, "ml"), 2);
        assert_eq!(line_litres(0.2, "個"), 1);
        assert_eq!(line_litres(100.0, "本"), 20);
        assert_eq!((crates(0), crates(1), crates(30), crates(31)), (0, 1, 1, 2));
    }

    #[test]
    fn only_staff_unplan_a_planned_request() {
        assert_eq!(
            next(S::Planned, C::Unplan, Role::Coordinator, false).unwrap(),
            S::Locked
        );
        assert!(next(S::Planned, C::Unplan, Role::Volunteer, false).is_err());
        assert!(next(S::Locked, C::Unplan, Role::Coordinator, false).is_err());
    }

    #[test]
    fn items_are_checked_field_by_field() {
        assert!(Item::new(0, "豆腐", 2.0, "丁", "chilled", "similar").is_ok());
        let field_of = |r: Result<Item, DomainError>| match r {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field_of(Item::new(3, "", 1.0, "pc", "ambient", "none")),
            "items[3].name"
        );
        assert_eq!(
            field_of(Item::new(0, "milk", 0.0, "l", "chilled", "none")),
            "items[0].quantity"
        );
        assert_eq!(
            field_of(Item::new(0, "milk", 1.0, "l", "warm", "none")),
            "items[0].temperature"
        );
        assert_eq!(
            field_of(Item::new(0, "milk", 1.0, "l", "chilled", "maybe")),
            "items[0].substitution"
        );
        assert!(
            check_item_count(0).is_err()
                && check_item_count(101).is_err()
                && check_item_count(100).is_ok()
        );
    }
}
