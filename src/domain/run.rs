//! Runs: one carrier's stops for a date, and their life cycle. A preview plan proposes runs
//! that nobody sees but staff; a locked plan offers them to their carriers.

use serde_json::json;

use super::error::DomainError;
use super::lifecycle::{DomainEvent, Transitioned};
use crate::text_enum;

text_enum! {
    pub enum RunStatus ("status") {
        /// In a preview: staff only.
        Proposed => "proposed",
        Offered => "offered",
        Accepted => "accepted",
        Declined => "declined",
        Started => "started",
        Completed => "completed",
        Cancelled => "cancelled",
    }
}

text_enum! {
    pub enum RunCommand ("command") {
        /// The date is locked: the run goes to its carrier.
        Offer => "offer",
        Accept => "accept",
        Decline => "decline",
        Start => "start",
        Complete => "complete",
        Cancel => "cancel",
        /// A coordinator offers the run's stops to another carrier.
        Reassign => "reassign",
    }
}

text_enum! {
    /// Who drives a run.
    pub enum CarrierKind ("carrier_kind") {
        Volunteer => "volunteer",
        Carrier => "carrier",
        PostTrip => "post_trip",
    }
}

/// How the actor stands to the run: its own carrier, staff of its area, or anyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunActor {
    OwnCarrier,
    Staff,
    Other,
}

impl RunStatus {
    /// Whether the run's carrier sees it (a proposal is staff's working copy).
    pub fn shown_to_carrier(self) -> bool {
        self != RunStatus::Proposed
    }

    /// Whether planning the date again may replace it: only runs nobody has taken.
    pub fn replaceable(self) -> bool {
        matches!(
            self,
            RunStatus::Proposed | RunStatus::Offered | RunStatus::Declined
        )
    }

    /// Whether its carrier has taken it: its stops are kept whatever the planner says.
    pub fn taken(self) -> bool {
        matches!(
            self,
            RunStatus::Accepted | RunStatus::Started | RunStatus::Completed
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunEvent {
    pub from: RunStatus,
    pub to: RunStatus,
}

impl DomainEvent for RunEvent {
    fn event_type(&self) -> &'static str {
        match self.to {
            RunStatus::Proposed => "run.proposed",
            RunStatus::Offered => "run.offered",
            RunStatus::Accepted => "run.accepted",
            RunStatus::Declined => "run.declined",
            RunStatus::Started => "run.started",
            RunStatus::Completed => "run.completed",
            RunStatus::Cancelled => "run.cancelled",
        }
    }

    fn payload(&self) -> serde_json::Value {
        json!({"from": self.from.as_str(), "status": self.to.as_str()})
    }
}

/// The one place that says how a run moves. Repeating the step a run already took (a phone
/// that retries an accept after a lost answer) is allowed and changes nothing.
pub fn transition(
    from: RunStatus,
    command: RunCommand,
    actor: RunActor,
) -> Result<Transitioned<RunStatus, RunEvent>, DomainError> {
    match next_status(from, command, actor) {
        // Reassigned while offered: the same status, offered to someone else.
        Some(next) if next == from && command == RunCommand::Reassign => {
            Ok(Transitioned::to(next, RunEvent { from, to: next }))
        }
        Some(next) if next == from => Ok(Transitioned::unchanged(from)),
        Some(next) => Ok(Transitioned::to(next, RunEvent { from, to: next })),
        None => Err(DomainError::Transition {
            aggregate: "run",
            current: from.as_str(),
            command: command.as_str(),
            allowed: <RunCommand as super::text::TextEnum>::ALL
                .iter()
                .filter(|c| next_status(from, **c, actor).is_some_and(|n| n != from))
                .map(|c| c.as_str())
                .collect(),
        }),
    }
}

fn next_status(from: RunStatus, command: RunCommand, actor: RunActor) -> Option<RunStatus> {
    use RunActor as A;
    use RunCommand as C;
    use RunStatus as S;
    let next = match (from, command, actor) {
        (S::Proposed, C::Offer, A::Staff) => S::Offered,
        (S::Offered, C::Accept, A::OwnCarrier) => S::Accepted,
        (S::Accepted, C::Accept, A::OwnCarrier) => S::Accepted,
        (S::Offered | S::Accepted, C::Decline, A::OwnCarrier) => S::Declined,
        (S::Declined, C::Decline, A::OwnCarrier) => S::Declined,
        (S::Accepted, C::Start, A::OwnCarrier | A::Staff) => S::Started,
        (S::Started, C::Start, A::OwnCarrier) => S::Started,
        (S::Started, C::Complete, A::OwnCarrier | A::Staff) => S::Completed,
        (S::Proposed | S::Offered | S::Accepted | S::Declined, C::Cancel, A::Staff) => S::Cancelled,
        (S::Offered | S::Declined, C::Reassign, A::Staff) => S::Offered,
        _ => return None,
    };
    Some(next)
}

/// From this hour (local) the evening before its date, a run's carrier sees its doors.
pub const DOOR_DETAILS_FROM_HOUR: u32 = 18;

/// Whether the run's own carrier sees its doors' names, addresses, phones, notes and items
/// now: once they have taken it, from the evening before its date until it is completed.
pub fn door_details_visible(
    status: RunStatus,
    date: chrono::NaiveDate,
    zone: chrono_tz::Tz,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    use chrono::TimeZone;
    if !matches!(status, RunStatus::Accepted | RunStatus::Started) {
        return false;
    }
    let Some(evening) = date
        .pred_opt()
        .and_then(|d| d.and_hms_opt(DOOR_DETAILS_FROM_HOUR, 0, 0))
    else {
        return false;
    };
    match zone.from_local_datetime(&evening).earliest() {
        Some(from) => now >= from,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RunActor as A;
    use RunCommand as C;
    use RunStatus as S;

    #[test]
    fn a_run_goes_from_offer_to_completion() {
        let mut status = S::Proposed;
        for (command, actor, expected) in [
            (C::Offer, A::Staff, S::Offered),
            (C::Accept, A::OwnCarrier, S::Accepted),
            (C::Start, A::OwnCarrier, S::Started),
            (C::Complete, A::OwnCarrier, S::Completed),
        ] {
            let step = transition(status, command, actor).unwrap();
            assert_eq!(step.next, expected);
            assert_eq!(step.events.len(), 1);
            status = step.next;
        }
    }

    #[test]
    fn a_retried_accept_is_the_same_accept() {
        let again = transition(S::Accepted, C::Accept, A::OwnCarrier).unwrap();
        assert_eq!(again.next, S::Accepted);
        assert!(again.events.is_empty());
    }

    #[test]
    fn only_its_carrier_takes_a_run_and_only_staff_cancel() {
        assert!(transition(S::Offered, C::Accept, A::Staff).is_err());
        assert!(transition(S::Offered, C::Accept, A::Other).is_err());
        assert!(transition(S::Proposed, C::Accept, A::OwnCarrier).is_err());
        assert!(transition(S::Offered, C::Cancel, A::OwnCarrier).is_err());
        assert_eq!(
            transition(S::Offered, C::Cancel, A::Staff).unwrap().next,
            S::Cancelled
        );
        match transition(S::Declined, C::Accept, A::OwnCarrier) {
            Err(DomainError::Transition {
                current, allowed, ..
            }) => {
                assert_eq!(current, "declined");
                assert!(allowed.is_empty(), "{allowed:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_carrier_sees_the_doors_from_the_evening_before_until_done() {
        use chrono::{NaiveDate, TimeZone, Utc};
        let date = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let tokyo = chrono_tz::Asia::Tokyo;
        // 18:00 in Tokyo on the 2nd is 09:00 UTC.
        let before = Utc.with_ymd_and_hms(2026, 12, 2, 8, 59, 59).unwrap();
        let from = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        assert!(!door_details_visible(S::Accepted, date, tokyo, before));
        assert!(door_details_visible(S::Accepted, date, tokyo, from));
        assert!(door_details_visible(S::Started, date, tokyo, from));
        assert!(!door_details_visible(S::Offered, date, tokyo, from));
        assert!(!door_details_visible(S::Completed, date, tokyo, from));
    }

    #[test]
    fn a_declined_run_is_offered_to_someone_else() {
        let again = transition(S::Declined, C::Reassign, A::Staff).unwrap();
        assert_eq!((again.next, again.events.len()), (S::Offered, 1));
        let moved = transition(S::Offered, C::Reassign, A::Staff).unwrap();
        assert_eq!(moved.events.len(), 1);
        assert!(transition(S::Accepted, C::Reassign, A::Staff).is_err());
        assert!(transition(S::Declined, C::Reassign, A::OwnCarrier).is_err());
    }

    #[test]
    fn replanning_keeps_what_carriers_took() {
        for status in <RunStatus as crate::domain::text::TextEnum>::ALL {
            assert_ne!(
                status.replaceable(),
                status.taken() || *status == S::Cancelled
            );
        }
    }
}
