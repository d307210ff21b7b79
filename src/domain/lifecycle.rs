//! What every life cycle's transition function returns: the next state and the events the
//! step raises. The unit of work (`services/unit_of_work.rs`) writes both in one transaction.

/// An event a transition raises: its `noun.verb` type and a payload of ids and statuses only
/// (it goes to the outbox, later to webhooks: never names, addresses or notes).
pub trait DomainEvent {
    fn event_type(&self) -> &'static str;
    fn payload(&self) -> serde_json::Value;
}

/// The outcome of one allowed step.
#[derive(Debug, Clone, PartialEq)]
pub struct Transitioned<S, E> {
    pub next: S,
    /// Empty for a step that changes nothing (a retried accept, say): nothing is written.
    pub events: Vec<E>,
}

impl<S: PartialEq + Copy, E> Transitioned<S, E> {
    pub fn to(next: S, event: E) -> Self {
        Transitioned {
            next,
            events: vec![event],
        }
    }

    /// The same state again, nothing raised.
    pub fn unchanged(current: S) -> Self {
        Transitioned {
            next: current,
            events: Vec::new(),
        }
    }

    pub fn changes(&self, from: S) -> bool {
        self.next != from || !self.events.is_empty()
    }
}
