//! Grocery requests: items, and the life cycle of DESIGN.md as one state machine.

use serde::{Deserialize, Serialize};

use super::account::Role;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Submitted,
    Locked,
    Planned,
    OutForDelivery,
    Delivered,
    ReadyForPickup,
    Collected,
    Cancelled,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    HubPickup,
    HomeDelivery,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Temperature {
    Ambient,
    Chilled,
    Frozen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Substitution {
    None,
    Similar,
    Ask,
}

macro_rules! text_enum {
    ($ty:ty, $field:literal, $($variant:path => $text:literal),+ $(,)?) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($variant => $text),+ }
            }
            pub fn parse(raw: &str) -> Result<Self, AppError> {
                match raw {
                    $($text => Ok($variant),)+
                    _ => Err(AppError::invalid($field, concat!("must be one of: ", $($text, " "),+))),
                }
            }
        }
    };
}

text_enum!(RequestStatus, "status",
    RequestStatus::Submitted => "submitted",
    RequestStatus::Locked => "locked",
    RequestStatus::Planned => "planned",
    RequestStatus::OutForDelivery => "out_for_delivery",
    RequestStatus::Delivered => "delivered",
    RequestStatus::ReadyForPickup => "ready_for_pickup",
    RequestStatus::Collected => "collected",
    RequestStatus::Cancelled => "cancelled",
    RequestStatus::Failed => "failed",
);
text_enum!(Fulfilment, "fulfilment",
    Fulfilment::HubPickup => "hub_pickup",
    Fulfilment::HomeDelivery => "home_delivery",
);
text_enum!(Temperature, "temperature",
    Temperature::Ambient => "ambient",
    Temperature::Chilled => "chilled",
    Temperature::Frozen => "frozen",
);
text_enum!(Substitution, "substitution",
    Substitution::None => "none",
    Substitution::Similar => "similar",
    Substitution::Ask => "ask",
);

/// What may move a request from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Lock,
    Plan,
    Dispatch,
    Deliver,
    ArriveAtHub,
    Collect,
    Cancel,
    Fail,
    /// Planning again left a planned request without a place: back to locked.
    Unplan,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Lock => "lock",
            Transition::Plan => "plan",
            Transition::Dispatch => "dispatch",
            Transition::Deliver => "deliver",
            Transition::ArriveAtHub => "arrive_at_hub",
            Transition::Collect => "collect",
            Transition::Cancel => "cancel",
            Transition::Fail => "fail",
            Transition::Unplan => "unplan",
        }
    }
}

/// The one place that says which transitions exist, from where, and for whom. `before_cutoff`
/// matters to families: they may cancel only while ordering is open.
pub fn transition(
    from: RequestStatus,
    step: Transition,
    actor: Role,
    before_cutoff: bool,
) -> Result<RequestStatus, AppError> {
    use RequestStatus as S;
    use Transition as T;
    let staff = actor.is_staff();
    let field = matches!(actor, Role::Volunteer | Role::Carrier | Role::HubKeeper) || staff;
    let next = match (from, step) {
        (S::Submitted, T::Lock) if staff => S::Locked,
        (S::Locked, T::Plan) if staff => S::Planned,
        (S::Planned, T::Unplan) if staff => S::Locked,
        (S::Planned, T::Dispatch) if field => S::OutForDelivery,
        (S::OutForDelivery, T::Deliver) if field => S::Delivered,
        (S::OutForDelivery, T::ArriveAtHub) if field => S::ReadyForPickup,
        (S::ReadyForPickup, T::Collect) if field => S::Collected,
        (S::OutForDelivery | S::ReadyForPickup, T::Fail) if field => S::Failed,
        (S::Submitted, T::Cancel) if actor == Role::Family && before_cutoff => S::Cancelled,
        (S::Submitted, T::Cancel) if actor == Role::Family => {
            return Err(AppError::CutoffPassed {
                cutoff: None,
                editing: true,
            });
        }
        (
            S::Submitted | S::Locked | S::Planned | S::OutForDelivery | S::ReadyForPickup,
            T::Cancel,
        ) if staff => S::Cancelled,
        _ => {
            return Err(AppError::StateConflict {
                current: from.as_str(),
                detail: format!(
                    "a {} request cannot {} (by a {})",
                    from.as_str(),
                    step.as_str(),
                    actor.as_str()
                ),
            });
        }
    };
    Ok(next)
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
    ) -> Result<Self, AppError> {
        let field = |f: &str| format!("items[{index}].{f}");
        let name = name.trim();
        let length = name.chars().count();
        if !(1..=200).contains(&length) || name.chars().any(char::is_control) {
            return Err(AppError::invalid(
                &field("name"),
                "must have 1 to 200 characters",
            ));
        }
        if !(quantity.is_finite() && quantity > 0.0 && quantity <= 10_000.0) {
            return Err(AppError::invalid(
                &field("quantity"),
                "must be greater than 0 (and at most 10000)",
            ));
        }
        let unit = unit.trim();
        if !(1..=20).contains(&unit.chars().count()) {
            return Err(AppError::invalid(
                &field("unit"),
                "must have 1 to 20 characters",
            ));
        }
        let temperature = Temperature::parse(temperature).map_err(|_| {
            AppError::invalid(&field("temperature"), "must be ambient, chilled or frozen")
        })?;
        let substitution = Substitution::parse(substitution).map_err(|_| {
            AppError::invalid(&field("substitution"), "must be none, similar or ask")
        })?;
        Ok(Item {
            name: name.to_owned(),
            quantity,
            unit: unit.to_owned(),
            temperature,
            substitution,
        })
    }
}

pub fn check_item_count(count: usize) -> Result<(), AppError> {
    if (1..=MAX_ITEMS).contains(&count) {
        Ok(())
    } else {
        Err(AppError::invalid("items", "a request has 1 to 100 items"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus as S;
    use Transition as T;

    #[test]
    fn the_happy_paths_of_design_md() {
        let staff = Role::Coordinator;
        let mut status = S::Submitted;
        for step in [T::Lock, T::Plan, T::Dispatch, T::Deliver] {
            status = transition(status, step, staff, false).unwrap();
        }
        assert_eq!(status, S::Delivered);
        let at_hub = transition(S::OutForDelivery, T::ArriveAtHub, Role::Volunteer, false).unwrap();
        assert_eq!(
            transition(at_hub, T::Collect, Role::HubKeeper, false).unwrap(),
            S::Collected
        );
    }

    #[test]
    fn families_cancel_only_before_the_cutoff_and_only_submitted_requests() {
        assert_eq!(
            transition(S::Submitted, T::Cancel, Role::Family, true).unwrap(),
            S::Cancelled
        );
        assert!(matches!(
            transition(S::Submitted, T::Cancel, Role::Family, false),
            Err(AppError::CutoffPassed { .. })
        ));
        assert!(matches!(
            transition(S::Locked, T::Cancel, Role::Family, true),
            Err(AppError::StateConflict {
                current: "locked",
                ..
            })
        ));
        assert_eq!(
            transition(S::Planned, T::Cancel, Role::Coordinator, false).unwrap(),
            S::Cancelled
        );
        assert!(transition(S::Delivered, T::Cancel, Role::Coordinator, false).is_err());
    }

    #[test]
    fn nobody_skips_a_step_or_acts_outside_their_role() {
        assert!(transition(S::Submitted, T::Plan, Role::Coordinator, false).is_err());
        assert!(transition(S::Submitted, T::Lock, Role::Family, false).is_err());
        assert!(transition(S::Planned, T::Dispatch, Role::Family, false).is_err());
        assert!(transition(S::Collected, T::Fail, Role::Coordinator, false).is_err());
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
            transition(S::Planned, T::Unplan, Role::Coordinator, false).unwrap(),
            S::Locked
        );
        assert!(transition(S::Planned, T::Unplan, Role::Volunteer, false).is_err());
        assert!(transition(S::Locked, T::Unplan, Role::Coordinator, false).is_err());
    }

    #[test]
    fn items_are_checked_field_by_field() {
        assert!(Item::new(0, "豆腐", 2.0, "丁", "chilled", "similar").is_ok());
        let field_of = |r: Result<Item, AppError>| match r {
            Err(AppError::Invalid { field, .. }) => field,
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
