//! Watch-over (見守り): when an older person does not answer the door, or does not come for
//! their groceries, a case opens and goes step by step to the people the area names, until
//! someone of a step acknowledges it; a coordinator (or someone of the step) resolves it with
//! an outcome. Also the area's day settings this needs: the steps, the welfare contact, and
//! how long chilled and frozen goods may wait at a hub.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::error::{DomainError, Message};
use super::lifecycle::{DomainEvent, Transitioned};
use crate::text_enum;

text_enum! {
    /// Whom a step goes to. For a case at a hub, `carrier` is the hub's keeper (the one on
    /// the spot); for a case at a door, `keeper` is the keeper of the run's hub.
    pub enum StepTo ("to") {
        Carrier => "carrier",
        Keeper => "keeper",
        Family => "family",
        Coordinator => "coordinator",
        Welfare => "welfare",
    }
}

text_enum! {
    pub enum EscalationCause ("cause") {
        /// Nobody answered the door.
        NoAnswer => "no_answer",
        /// A hub pickup not collected by its `collect_by` or the hub's closing.
        NotCollected => "not_collected",
        /// A home delivery still at the hub at its `collect_by`: the coordinator's to sort out.
        NotHandedOn => "not_handed_on",
    }
}

text_enum! {
    pub enum EscalationStatus ("status") {
        Open => "open",
        Acknowledged => "acknowledged",
        Resolved => "resolved",
    }
}

text_enum! {
    pub enum EscalationOutcome ("outcome") {
        ResidentSafe => "resident_safe",
        AwayKnown => "away_known",
        InHospital => "in_hospital",
        ReferredToWelfare => "referred_to_welfare",
        Other => "other",
    }
}

text_enum! {
    pub enum EscalationCommand ("command") {
        /// The step's time passed with nobody acknowledging: the next step's people.
        Escalate => "escalate",
        Acknowledge => "acknowledge",
        Resolve => "resolve",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub to: StepTo,
    pub after_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WelfareContact {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchOver {
    pub steps: Vec<Step>,
    pub welfare_contact: Option<WelfareContact>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColdChain {
    pub chilled_minutes: u32,
    pub frozen_minutes: u32,
}

/// An area's settings for the delivery day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaySettings {
    pub watch_over: WatchOver,
    pub cold_chain: ColdChain,
    /// Signatures and photos of handovers are deleted after this many days.
    pub image_retention_days: u32,
}

impl Default for DaySettings {
    /// The pilot's: the one on the spot checks again at once, the family after 30 minutes,
    /// the coordinator after 60, the welfare contact after 120; chilled goods 4 hours at a
    /// hub, frozen 8 (in its freezer); images kept 90 days.
    fn default() -> Self {
        DaySettings {
            watch_over: WatchOver {
                steps: vec![
                    Step {
                        to: StepTo::Carrier,
                        after_minutes: 0,
                    },
                    Step {
                        to: StepTo::Family,
                        after_minutes: 30,
                    },
                    Step {
                        to: StepTo::Coordinator,
                        after_minutes: 60,
                    },
                    Step {
                        to: StepTo::Welfare,
                        after_minutes: 120,
                    },
                ],
                welfare_contact: None,
            },
            cold_chain: ColdChain {
                chilled_minutes: 240,
                frozen_minutes: 480,
            },
            image_retention_days: 90,
        }
    }
}

pub const MAX_STEPS: usize = 10;
pub const MAX_AFTER_MINUTES: u32 = 7 * 24 * 60;

impl DaySettings {
    /// Steps 1 to 10, each no earlier than the one before; cold-chain times 1 minute to 2
    /// days; images kept 1 to 3,650 days. (A welfare step before the area names its welfare
    /// contact goes to the coordinators, who are told there is none.)
    pub fn check(&self) -> Result<(), DomainError> {
        let steps = &self.watch_over.steps;
        if !(1..=MAX_STEPS).contains(&steps.len()) {
            return Err(DomainError::invalid(
                "watch_over.steps",
                Message::new("invalid-count")
                    .arg("min", 1)
                    .arg("max", MAX_STEPS),
            ));
        }
        for (index, step) in steps.iter().enumerate() {
            let field = format!("watch_over.steps[{index}].after_minutes");
            if step.after_minutes > MAX_AFTER_MINUTES {
                return Err(DomainError::invalid(
                    field,
                    Message::new("invalid-range")
                        .arg("min", 0)
                        .arg("max", MAX_AFTER_MINUTES),
                ));
            }
            if index > 0 && step.after_minutes < steps[index - 1].after_minutes {
                return Err(DomainError::invalid(
                    field,
                    Message::new("invalid-step-order"),
                ));
            }
        }
        for (field, minutes) in [
            (
                "cold_chain.chilled_minutes",
                self.cold_chain.chilled_minutes,
            ),
            ("cold_chain.frozen_minutes", self.cold_chain.frozen_minutes),
        ] {
            if !(1..=2880).contains(&minutes) {
                return Err(DomainError::invalid(
                    field,
                    Message::new("invalid-range").arg("min", 1).arg("max", 2880),
                ));
            }
        }
        if !(1..=3650).contains(&self.image_retention_days) {
            return Err(DomainError::invalid(
                "image_retention_days",
                Message::new("invalid-range").arg("min", 1).arg("max", 3650),
            ));
        }
        Ok(())
    }
}

/// Where a case stands: its status and the step it has reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseState {
    pub status: EscalationStatus,
    pub step: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EscalationEvent {
    Opened { cause: EscalationCause, to: StepTo },
    Escalated { step: usize, to: StepTo },
    Acknowledged { step: usize },
    Resolved { outcome: EscalationOutcome },
}

impl DomainEvent for EscalationEvent {
    fn event_type(&self) -> &'static str {
        match self {
            EscalationEvent::Opened { .. } => "escalation.opened",
            EscalationEvent::Escalated { .. } => "escalation.step_due",
            EscalationEvent::Acknowledged { .. } => "escalation.acknowledged",
            EscalationEvent::Resolved { .. } => "escalation.resolved",
        }
    }

    fn payload(&self) -> serde_json::Value {
        match self {
            EscalationEvent::Opened { cause, to } => {
                json!({"cause": cause.as_str(), "step": 0, "to": to.as_str()})
            }
            EscalationEvent::Escalated { step, to } => json!({"step": step, "to": to.as_str()}),
            EscalationEvent::Acknowledged { step } => json!({"step": step}),
            EscalationEvent::Resolved { outcome } => json!({"outcome": outcome.as_str()}),
        }
    }
}

/// The event of a case just opened at its first step.
pub fn opened(cause: EscalationCause, steps: &[Step]) -> Option<EscalationEvent> {
    steps.first().map(|first| EscalationEvent::Opened {
        cause,
        to: first.to,
    })
}

/// The one place that says how a case moves. Acknowledging again is the same acknowledgement
/// (a phone that retries); a case past its last step stays there until someone acts.
pub fn transition(
    from: CaseState,
    command: EscalationCommand,
    steps: &[Step],
    outcome: Option<EscalationOutcome>,
) -> Result<Transitioned<CaseState, EscalationEvent>, DomainError> {
    use EscalationCommand as C;
    use EscalationStatus as S;
    let refused = || DomainError::Transition {
        aggregate: "escalation",
        current: from.status.as_str(),
        command: command.as_str(),
        allowed: match from.status {
            S::Open => vec!["acknowledge", "resolve"],
            S::Acknowledged => vec!["resolve"],
            S::Resolved => Vec::new(),
        },
    };
    match (from.status, command) {
        (S::Open, C::Escalate) => match steps.get(from.step + 1) {
            Some(next) => Ok(Transitioned::to(
                CaseState {
                    status: S::Open,
                    step: from.step + 1,
                },
                EscalationEvent::Escalated {
                    step: from.step + 1,
                    to: next.to,
                },
            )),
            None => Ok(Transitioned::unchanged(from)),
        },
        (S::Open, C::Acknowledge) => Ok(Transitioned::to(
            CaseState {
                status: S::Acknowledged,
                step: from.step,
            },
            EscalationEvent::Acknowledged { step: from.step },
        )),
        (S::Acknowledged, C::Acknowledge) => Ok(Transitioned::unchanged(from)),
        (S::Open | S::Acknowledged, C::Resolve) => {
            let outcome = outcome
                .ok_or_else(|| DomainError::invalid("outcome", Message::new("invalid-required")))?;
            Ok(Transitioned::to(
                CaseState {
                    status: S::Resolved,
                    step: from.step,
                },
                EscalationEvent::Resolved { outcome },
            ))
        }
        _ => Err(refused()),
    }
}

/// When step `index` of a case opened at `opened` is due.
pub fn due_at(opened: NaiveDateTime, steps: &[Step], index: usize) -> Option<NaiveDateTime> {
    steps
        .get(index)
        .map(|s| opened + Duration::minutes(i64::from(s.after_minutes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use EscalationCommand as C;
    use EscalationStatus as S;

    fn open(step: usize) -> CaseState {
        CaseState {
            status: S::Open,
            step,
        }
    }

    #[test]
    fn an_unanswered_case_goes_through_every_step_and_stays_at_the_last() {
        let steps = DaySettings::default().watch_over.steps;
        let mut state = open(0);
        let mut reached = vec![steps[0].to];
        for _ in 0..5 {
            let moved = transition(state, C::Escalate, &steps, None).unwrap();
            if let Some(EscalationEvent::Escalated { to, .. }) = moved.events.first() {
                reached.push(*to);
            }
            state = moved.next;
        }
        assert_eq!(
            reached,
            [
                StepTo::Carrier,
                StepTo::Family,
                StepTo::Coordinator,
                StepTo::Welfare
            ]
        );
        assert_eq!(state, open(3));
    }

    #[test]
    fn an_acknowledged_case_stops_moving_and_is_resolved_with_an_outcome() {
        let steps = DaySettings::default().watch_over.steps;
        let acked = transition(open(1), C::Acknowledge, &steps, None).unwrap();
        assert_eq!(acked.next.status, S::Acknowledged);
        assert!(transition(acked.next, C::Escalate, &steps, None).is_err());
        let again = transition(acked.next, C::Acknowledge, &steps, None).unwrap();
        assert!(again.events.is_empty());
        assert!(transition(acked.next, C::Resolve, &steps, None).is_err());
        let done = transition(
            acked.next,
            C::Resolve,
            &steps,
            Some(EscalationOutcome::ResidentSafe),
        )
        .unwrap();
        assert_eq!(done.next.status, S::Resolved);
        assert_eq!(done.events[0].event_type(), "escalation.resolved");
        assert!(transition(done.next, C::Acknowledge, &steps, None).is_err());
    }

    #[test]
    fn settings_are_checked() {
        assert!(DaySettings::default().check().is_ok());
        let mut settings = DaySettings::default();
        settings.watch_over.welfare_contact = Some(WelfareContact {
            name: "地域包括支援センター".into(),
            phone: "0742-00-0000".into(),
        });
        assert!(settings.check().is_ok());
        settings.watch_over.steps[1].after_minutes = 0;
        settings.watch_over.steps[2].after_minutes = 0;
        assert!(settings.check().is_ok(), "after_minutes may be 0");
        settings.watch_over.steps[3].after_minutes = 0;
        settings.watch_over.steps[2].after_minutes = 10;
        assert!(settings.check().is_err(), "out of order");
        settings.watch_over.steps.clear();
        assert!(settings.check().is_err());
    }
}
