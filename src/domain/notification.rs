//! Who is told what in the in-app feed: for each event, the people concerned and the
//! catalogue message they read (`notice-…-title` and `notice-…-body`, in their language).
//! Families hear of their residents' orders and, above all, of a door nobody answered;
//! volunteers and post carriers of their runs and of the watch-over steps that are theirs;
//! hub keepers of arrivals, discrepancies and goods left on the shelf; coordinators of
//! declined runs, discrepancies, every watch-over step and a webhook endpoint disabled.

use super::watch_over::StepTo;

/// The people an event may concern, as the dispatcher finds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// The active guardians of the resident the event is about.
    Family,
    /// Whoever carries the run the event is about (a volunteer, or a post trip's carriers).
    RunCarrier,
    /// The keepers of the hub the event is about.
    HubKeepers,
    /// The area's coordinators.
    Coordinators,
}

/// What the dispatcher knows of an event beyond its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventFacts<'a> {
    /// For a watch-over step: whom the step goes to.
    pub step_to: Option<StepTo>,
    /// For a watch-over case: whether it is at a door (a run), else at a hub.
    pub at_door: bool,
    /// For a handover: its kind (`van_loaded`, ...).
    pub handover_kind: Option<&'a str>,
}

/// Each audience of an event with the catalogue key of what it reads.
pub fn notices(event_type: &str, facts: EventFacts<'_>) -> Vec<(Audience, &'static str)> {
    use Audience::*;
    let family = |key| vec![(Family, key)];
    match event_type {
        "request.planned" => family("notice-request-planned"),
        "request.out_for_delivery" => family("notice-request-out-for-delivery"),
        "request.ready_for_pickup" => family("notice-request-ready-for-pickup"),
        "request.delivered" => family("notice-request-delivered"),
        "request.collected" => family("notice-request-collected"),
        "request.failed" => family("notice-request-failed"),
        "request.cancelled" => family("notice-request-cancelled"),
        "run.offered" => vec![(RunCarrier, "notice-run-offered")],
        "run.cancelled" => vec![(RunCarrier, "notice-run-cancelled")],
        "run.declined" => vec![(Coordinators, "notice-run-declined")],
        "handover.recorded" if facts.handover_kind == Some("van_loaded") => {
            vec![(HubKeepers, "notice-hub-arriving")]
        }
        "handover.discrepancy" => vec![
            (HubKeepers, "notice-handover-discrepancy"),
            (Coordinators, "notice-handover-discrepancy"),
        ],
        "hub.over_capacity" => vec![(Coordinators, "notice-hub-over-capacity")],
        "escalation.opened" | "escalation.step_due" => {
            let mut told = vec![(
                Coordinators,
                if event_type == "escalation.opened" {
                    "notice-escalation-opened-staff"
                } else {
                    "notice-escalation-step-staff"
                },
            )];
            if event_type == "escalation.opened" {
                told.push((Family, "notice-escalation-opened-family"));
            }
            match facts.step_to {
                Some(StepTo::Family) if event_type == "escalation.step_due" => {
                    told.push((Family, "notice-escalation-step-family"));
                }
                // At a door the one on the spot is the run's carrier; at a hub, its keeper.
                Some(StepTo::Carrier) if facts.at_door => {
                    told.push((RunCarrier, "notice-escalation-step-field"));
                }
                Some(StepTo::Carrier | StepTo::Keeper) => {
                    told.push((HubKeepers, "notice-escalation-step-field"));
                }
                _ => {}
            }
            told
        }
        "escalation.acknowledged" => vec![(Coordinators, "notice-escalation-acknowledged")],
        "escalation.resolved" => vec![
            (Family, "notice-escalation-resolved-family"),
            (Coordinators, "notice-escalation-resolved-staff"),
        ],
        "webhook.disabled" => vec![(Coordinators, "notice-webhook-disabled")],
        _ => Vec::new(),
    }
}

/// Every catalogue key `notices` can name (a test keeps each in both languages).
pub const MESSAGES: &[&str] = &[
    "notice-request-planned",
    "notice-request-out-for-delivery",
    "notice-request-ready-for-pickup",
    "notice-request-delivered",
    "notice-request-collected",
    "notice-request-failed",
    "notice-request-cancelled",
    "notice-run-offered",
    "notice-run-cancelled",
    "notice-run-declined",
    "notice-hub-arriving",
    "notice-handover-discrepancy",
    "notice-hub-over-capacity",
    "notice-escalation-opened-staff",
    "notice-escalation-step-staff",
    "notice-escalation-opened-family",
    "notice-escalation-step-family",
    "notice-escalation-step-field",
    "notice-escalation-acknowledged",
    "notice-escalation-resolved-family",
    "notice-escalation-resolved-staff",
    "notice-webhook-disabled",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_door_nobody_answered_reaches_the_family_and_the_carrier() {
        let facts = EventFacts {
            step_to: Some(StepTo::Carrier),
            at_door: true,
            handover_kind: None,
        };
        let told = notices("escalation.opened", facts);
        assert!(told.contains(&(Audience::Family, "notice-escalation-opened-family")));
        assert!(told.contains(&(Audience::RunCarrier, "notice-escalation-step-field")));
        assert!(told.contains(&(Audience::Coordinators, "notice-escalation-opened-staff")));
    }

    #[test]
    fn at_a_hub_the_first_step_is_the_keepers() {
        let facts = EventFacts {
            step_to: Some(StepTo::Carrier),
            at_door: false,
            handover_kind: None,
        };
        let told = notices("escalation.step_due", facts);
        assert!(told.contains(&(Audience::HubKeepers, "notice-escalation-step-field")));
        assert!(!told.iter().any(|(a, _)| *a == Audience::RunCarrier));
        assert!(!told.iter().any(|(a, _)| *a == Audience::Family));
    }

    #[test]
    fn the_family_hears_a_step_that_is_theirs() {
        let facts = EventFacts {
            step_to: Some(StepTo::Family),
            ..EventFacts::default()
        };
        assert!(
            notices("escalation.step_due", facts)
                .contains(&(Audience::Family, "notice-escalation-step-family"))
        );
    }

    #[test]
    fn only_a_van_load_tells_the_keepers_of_arrivals() {
        let loaded = EventFacts {
            handover_kind: Some("van_loaded"),
            ..EventFacts::default()
        };
        assert_eq!(
            notices("handover.recorded", loaded),
            vec![(Audience::HubKeepers, "notice-hub-arriving")]
        );
        let delivered = EventFacts {
            handover_kind: Some("door_delivered"),
            ..EventFacts::default()
        };
        assert!(notices("handover.recorded", delivered).is_empty());
        assert!(notices("request.locked", EventFacts::default()).is_empty());
    }

    #[test]
    fn every_message_named_is_listed() {
        let facts = [
            EventFacts::default(),
            EventFacts {
                step_to: Some(StepTo::Family),
                ..EventFacts::default()
            },
            EventFacts {
                step_to: Some(StepTo::Carrier),
                at_door: true,
                handover_kind: Some("van_loaded"),
            },
        ];
        let types = super::super::webhook::EVENT_TYPES.iter().chain(&[
            "handover.recorded",
            "hub.over_capacity",
            "webhook.disabled",
        ]);
        let mut named = std::collections::HashSet::new();
        for event_type in types {
            for f in facts {
                for (_, key) in notices(event_type, f) {
                    assert!(MESSAGES.contains(&key), "{key}");
                    named.insert(key);
                }
            }
        }
        assert_eq!(named.len(), MESSAGES.len());
    }
}
