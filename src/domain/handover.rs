//! Handovers: one record per change of hands of a request's goods, from the post van to the
//! door. Each kind moves its requests by one step of their life cycle (`domain::request`),
//! and this file says who may record which kind and what each must carry.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::error::{DomainError, Message};
use super::lifecycle::DomainEvent;
use super::request::RequestCommand;
use crate::text_enum;

text_enum! {
    pub enum HandoverKind ("kind") {
        /// The post trip's carrier takes a hub's load at the post office.
        VanLoaded => "van_loaded",
        /// The hub's keeper takes the load from the van, crates counted.
        HubReceived => "hub_received",
        /// The volunteer takes their run's requests at the hub.
        RunPickedUp => "run_picked_up",
        DoorDelivered => "door_delivered",
        DoorFailed => "door_failed",
        /// Failed goods go back to the keeper.
        HubReturned => "hub_returned",
        /// The keeper hands a hub pickup to the resident or a registered proxy.
        HubCollected => "hub_collected",
    }
}

text_enum! {
    /// Why a door handover failed.
    pub enum FailureReason ("reason") {
        NoAnswer => "no_answer",
        Refused => "refused",
        AddressNotFound => "address_not_found",
        Damaged => "damaged",
        TemperatureBreach => "temperature_breach",
    }
}

text_enum! {
    pub enum RecipientKind ("recipient.kind") {
        Resident => "resident",
        Proxy => "proxy",
        Neighbour => "neighbour",
    }
}

text_enum! {
    pub enum ProofMethod ("proof.method") {
        /// The request's six-digit handover code, said by the recipient.
        Code => "code",
        Signature => "signature",
        Photo => "photo",
        /// The carrier's word alone: allowed, and flagged for the coordinator.
        Attested => "attested",
    }
}

/// How the one recording a handover stands to its run and hub.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// A carrier linked to the post trip whose run it is.
    pub post_trip_carrier: bool,
    /// A keeper of the handover's hub.
    pub hub_keeper: bool,
    /// The volunteer or carrier whose last-mile run it is.
    pub run_carrier: bool,
    /// A coordinator of the area (or an admin).
    pub area_staff: bool,
}

/// What a kind of handover names besides its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub run: bool,
    pub hub: bool,
    pub crates: bool,
    /// A recipient and a proof of the handover.
    pub recipient: bool,
    pub reason: bool,
}

impl HandoverKind {
    /// The step each of the handover's requests takes.
    pub fn command(self) -> RequestCommand {
        match self {
            HandoverKind::VanLoaded => RequestCommand::Load,
            HandoverKind::HubReceived => RequestCommand::Receive,
            HandoverKind::RunPickedUp => RequestCommand::PickUp,
            HandoverKind::DoorDelivered => RequestCommand::Deliver,
            HandoverKind::DoorFailed => RequestCommand::Fail,
            HandoverKind::HubReturned => RequestCommand::Return,
            HandoverKind::HubCollected => RequestCommand::Collect,
        }
    }

    /// Who may record it: the people on either side of the change of hands, and the area's
    /// coordinators (who record for a phone that cannot).
    pub fn may_record(self, standing: Standing) -> bool {
        standing.area_staff
            || match self {
                HandoverKind::VanLoaded => standing.post_trip_carrier,
                HandoverKind::HubReceived | HandoverKind::HubCollected => standing.hub_keeper,
                HandoverKind::RunPickedUp | HandoverKind::HubReturned => {
                    standing.run_carrier || standing.hub_keeper
                }
                HandoverKind::DoorDelivered | HandoverKind::DoorFailed => standing.run_carrier,
            }
    }

    pub fn needs(self) -> Needs {
        let none = Needs {
            run: false,
            hub: false,
            crates: false,
            recipient: false,
            reason: false,
        };
        match self {
            HandoverKind::VanLoaded => Needs {
                run: true,
                hub: true,
                crates: true,
                ..none
            },
            HandoverKind::HubReceived => Needs {
                hub: true,
                crates: true,
                ..none
            },
            HandoverKind::RunPickedUp => Needs { run: true, ..none },
            HandoverKind::DoorDelivered => Needs {
                run: true,
                recipient: true,
                ..none
            },
            HandoverKind::DoorFailed => Needs {
                run: true,
                reason: true,
                ..none
            },
            HandoverKind::HubReturned => Needs { hub: true, ..none },
            HandoverKind::HubCollected => Needs {
                hub: true,
                recipient: true,
                ..none
            },
        }
    }

    /// Whether it happens on a last-mile run (its requests are that run's stops), rather than
    /// at a hub or on the post van.
    pub fn on_last_mile_run(self) -> bool {
        matches!(
            self,
            HandoverKind::RunPickedUp | HandoverKind::DoorDelivered | HandoverKind::DoorFailed
        )
    }
}

/// A request's six-digit handover code from random bytes: each digit from a byte taken
/// below 250, so every digit is equally likely (bytes above are skipped).
pub fn handover_code_from(random: &[u8]) -> Option<String> {
    let digits: String = random
        .iter()
        .filter(|b| **b < 250)
        .take(6)
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    (digits.len() == 6).then_some(digits)
}

/// At most this many requests change hands in one handover (a hub's load).
pub const MAX_REQUESTS: usize = 100;
/// A phone that was offline may send what happened up to this long ago...
pub const MAX_AGE_HOURS: i64 = 48;
/// ...and a phone's clock may run this far ahead.
pub const MAX_AHEAD_MINUTES: i64 = 5;

/// `occurred_at` as the phone says: at most 48 hours before `now` and 5 minutes after.
pub fn check_occurred_at(occurred: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), DomainError> {
    if occurred < now - Duration::hours(MAX_AGE_HOURS) {
        return Err(DomainError::invalid(
            "occurred_at",
            Message::new("invalid-too-old").arg("hours", MAX_AGE_HOURS),
        ));
    }
    if occurred > now + Duration::minutes(MAX_AHEAD_MINUTES) {
        return Err(DomainError::invalid(
            "occurred_at",
            Message::new("invalid-in-future").arg("minutes", MAX_AHEAD_MINUTES),
        ));
    }
    Ok(())
}

/// The requests of one handover: 1 to 100, none twice.
pub fn check_requests<T: PartialEq>(ids: &[T]) -> Result<(), DomainError> {
    if !(1..=MAX_REQUESTS).contains(&ids.len()) {
        return Err(DomainError::invalid(
            "request_ids",
            Message::new("invalid-count")
                .arg("min", 1)
                .arg("max", MAX_REQUESTS),
        ));
    }
    for (index, id) in ids.iter().enumerate() {
        if ids[..index].contains(id) {
            return Err(DomainError::invalid(
                format!("request_ids[{index}]"),
                Message::new("invalid-duplicate"),
            ));
        }
    }
    Ok(())
}

/// Crates per temperature class, as counted or loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Crates {
    pub ambient: i64,
    pub chilled: i64,
    pub frozen: i64,
}

impl Crates {
    pub const MAX: i64 = 1000;

    pub fn check(self) -> Result<Self, DomainError> {
        for (class, count) in [
            ("ambient", self.ambient),
            ("chilled", self.chilled),
            ("frozen", self.frozen),
        ] {
            if !(0..=Self::MAX).contains(&count) {
                return Err(DomainError::invalid(
                    format!("crates.{class}"),
                    Message::new("invalid-range")
                        .arg("min", 0)
                        .arg("max", Self::MAX),
                ));
            }
        }
        Ok(self)
    }
}

/// What a handover raises besides its requests' own steps.
#[derive(Debug, Clone, PartialEq)]
pub enum HandoverEvent {
    Recorded {
        kind: HandoverKind,
        requests: usize,
    },
    /// The keeper counted other crates than the van was loaded with.
    Discrepancy {
        expected: Crates,
        counted: Crates,
    },
    /// Handed over on the carrier's word alone.
    Attested,
    /// The hub holds more crates of a class than its storage takes.
    OverCapacity,
}

impl DomainEvent for HandoverEvent {
    fn event_type(&self) -> &'static str {
        match self {
            HandoverEvent::Recorded { .. } => "handover.recorded",
            HandoverEvent::Discrepancy { .. } => "handover.discrepancy",
            HandoverEvent::Attested => "handover.attested",
            HandoverEvent::OverCapacity => "hub.over_capacity",
        }
    }

    fn payload(&self) -> serde_json::Value {
        match self {
            HandoverEvent::Recorded { kind, requests } => {
                json!({"kind": kind.as_str(), "requests": requests})
            }
            HandoverEvent::Discrepancy { expected, counted } => {
                json!({"expected": expected, "counted": counted})
            }
            HandoverEvent::Attested | HandoverEvent::OverCapacity => json!({}),
        }
    }
}

/// The events of a handover of `kind` with `counted` crates against `expected`, `proof`.
pub fn events(
    kind: HandoverKind,
    requests: usize,
    crates: Option<(Crates, Crates)>,
    proof: Option<ProofMethod>,
) -> Vec<HandoverEvent> {
    let mut events = vec![HandoverEvent::Recorded { kind, requests }];
    if let Some((expected, counted)) = crates
        && kind == HandoverKind::HubReceived
        && expected != counted
    {
        events.push(HandoverEvent::Discrepancy { expected, counted });
    }
    if proof == Some(ProofMethod::Attested) {
        events.push(HandoverEvent::Attested);
    }
    events
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use HandoverKind as K;

    #[test]
    fn each_side_of_a_change_of_hands_may_record_it_and_nobody_else() {
        let carrier = Standing {
            run_carrier: true,
            ..Standing::default()
        };
        let keeper = Standing {
            hub_keeper: true,
            ..Standing::default()
        };
        let van = Standing {
            post_trip_carrier: true,
            ..Standing::default()
        };
        let staff = Standing {
            area_staff: true,
            ..Standing::default()
        };
        for kind in <HandoverKind as crate::domain::text::TextEnum>::ALL {
            assert!(kind.may_record(staff), "{kind:?}");
            assert!(!kind.may_record(Standing::default()), "{kind:?}");
        }
        assert!(K::VanLoaded.may_record(van) && !K::VanLoaded.may_record(keeper));
        assert!(K::HubReceived.may_record(keeper) && !K::HubReceived.may_record(van));
        assert!(K::RunPickedUp.may_record(carrier) && K::RunPickedUp.may_record(keeper));
        assert!(K::DoorDelivered.may_record(carrier) && !K::DoorDelivered.may_record(keeper));
        assert!(K::DoorFailed.may_record(carrier) && !K::DoorFailed.may_record(van));
        assert!(K::HubReturned.may_record(keeper) && K::HubReturned.may_record(carrier));
        assert!(K::HubCollected.may_record(keeper) && !K::HubCollected.may_record(carrier));
    }

    #[test]
    fn a_phone_may_send_what_happened_up_to_two_days_late_and_not_from_the_future() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap();
        assert!(check_occurred_at(now - Duration::hours(48), now).is_ok());
        assert!(check_occurred_at(now - Duration::hours(48) - Duration::seconds(1), now).is_err());
        assert!(check_occurred_at(now + Duration::minutes(5), now).is_ok());
        assert!(check_occurred_at(now + Duration::minutes(6), now).is_err());
    }

    #[test]
    fn a_handover_code_is_six_even_digits() {
        assert_eq!(
            handover_code_from(&[0, 11, 255, 249, 22, 33, 44, 55]).as_deref(),
            Some("019234")
        );
        assert_eq!(handover_code_from(&[255; 16]), None);
    }

    #[test]
    fn requests_are_one_to_a_hundred_and_none_twice() {
        assert!(check_requests::<u8>(&[]).is_err());
        assert!(check_requests(&[1, 2, 3]).is_ok());
        match check_requests(&[1, 2, 1]) {
            Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "request_ids[2]"),
            other => panic!("{other:?}"),
        }
        assert!(check_requests(&[0u8; 101]).is_err());
    }

    #[test]
    fn a_short_count_and_an_attested_proof_raise_their_events() {
        let loaded = Crates {
            ambient: 2,
            chilled: 1,
            frozen: 0,
        };
        let short = Crates {
            chilled: 0,
            ..loaded
        };
        let types = |events: Vec<HandoverEvent>| -> Vec<&'static str> {
            events.iter().map(|e| e.event_type()).collect()
        };
        assert_eq!(
            types(events(K::HubReceived, 3, Some((loaded, short)), None)),
            ["handover.recorded", "handover.discrepancy"]
        );
        assert_eq!(
            types(events(K::HubReceived, 3, Some((loaded, loaded)), None)),
            ["handover.recorded"]
        );
        assert_eq!(
            types(events(
                K::DoorDelivered,
                1,
                None,
                Some(ProofMethod::Attested)
            )),
            ["handover.recorded", "handover.attested"]
        );
        assert!(
            Crates {
                frozen: -1,
                ..loaded
            }
            .check()
            .is_err()
        );
    }
}
