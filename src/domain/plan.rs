//! Plans of a delivery date: a preview changes nothing; a locked plan closes the date,
//! moves its requests and offers its runs. A locked date stays locked.

use serde_json::json;

use super::error::DomainError;
use super::lifecycle::{DomainEvent, Transitioned};
use crate::text_enum;

text_enum! {
    pub enum PlanStatus ("status") {
        Preview => "preview",
        Locked => "locked",
    }
}

text_enum! {
    pub enum PlanCommand ("command") {
        Preview => "preview",
        Lock => "lock",
    }
}

text_enum! {
    /// The cutoff job of one area and date.
    pub enum PlanningJobState ("state") {
        Running => "running",
        Done => "done",
        Failed => "failed",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanEvent {
    pub from: Option<PlanStatus>,
    pub to: PlanStatus,
}

impl DomainEvent for PlanEvent {
    fn event_type(&self) -> &'static str {
        match (self.from, self.to) {
            (_, PlanStatus::Preview) => "plan.previewed",
            (Some(PlanStatus::Locked), PlanStatus::Locked) => "plan.replanned",
            (_, PlanStatus::Locked) => "plan.published",
        }
    }

    fn payload(&self) -> serde_json::Value {
        json!({"from": self.from.map(PlanStatus::as_str), "status": self.to.as_str()})
    }
}

/// Planning a date whose plan is `from` (none yet) with `command`. A locked date can only be
/// planned again as locked: a preview would undo what families and carriers were told.
pub fn transition(
    from: Option<PlanStatus>,
    command: PlanCommand,
) -> Result<Transitioned<PlanStatus, PlanEvent>, DomainError> {
    let to = match (from, command) {
        (Some(PlanStatus::Locked), PlanCommand::Preview) => {
            return Err(DomainError::Transition {
                aggregate: "plan",
                current: PlanStatus::Locked.as_str(),
                command: command.as_str(),
                allowed: vec![PlanCommand::Lock.as_str()],
            });
        }
        (_, PlanCommand::Preview) => PlanStatus::Preview,
        (_, PlanCommand::Lock) => PlanStatus::Locked,
    };
    Ok(Transitioned::to(to, PlanEvent { from, to }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_previewed_then_published_and_stays_locked() {
        let first = transition(None, PlanCommand::Preview).unwrap();
        assert_eq!(first.events[0].event_type(), "plan.previewed");
        let locked = transition(Some(first.next), PlanCommand::Lock).unwrap();
        assert_eq!(locked.next, PlanStatus::Locked);
        assert_eq!(locked.events[0].event_type(), "plan.published");
        let again = transition(Some(PlanStatus::Locked), PlanCommand::Lock).unwrap();
        assert_eq!(again.events[0].event_type(), "plan.replanned");
        assert!(transition(Some(PlanStatus::Locked), PlanCommand::Preview).is_err());
    }
}
