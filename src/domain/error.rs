//! Why a domain rule said no. Messages are keys of the message catalogue (`locales/`) with
//! named arguments, never sentences: the HTTP layer words them in the caller's language.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A catalogue key and its named arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Message {
    pub fn new(key: &'static str) -> Self {
        Message {
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

impl From<&'static str> for Message {
    fn from(key: &'static str) -> Self {
        Message::new(key)
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)?;
        for (name, value) in &self.args {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

/// When ordering for a date closed, and in which zone the area reads its clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoff {
    pub at: DateTime<Utc>,
    pub zone: Tz,
}

/// A refusal by a rule of the domain. `error.rs` maps each to its problem type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    /// A field breaks a rule.
    #[error("{field}: {message}")]
    Invalid { field: String, message: Message },
    /// Ordering for the date has closed: 422 when creating, 409 when editing or cancelling.
    #[error("ordering for this delivery date closed")]
    CutoffPassed {
        cutoff: Option<Cutoff>,
        editing: bool,
    },
    /// A life cycle does not allow `command` from `current` for this actor; `allowed` lists
    /// the commands it does allow from there.
    #[error("a {current} {aggregate} cannot {command}")]
    Transition {
        aggregate: &'static str,
        current: &'static str,
        command: &'static str,
        allowed: Vec<&'static str>,
    },
    /// The object is in a state that refuses this (not a life-cycle step).
    #[error("conflict: {0}")]
    Conflict(Message),
    /// A value that the domain itself produced does not hold together: a fault of ours.
    #[error("internal: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<Message>) -> Self {
        DomainError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}
