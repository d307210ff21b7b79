//! Residents: where their location came from, and the guardian links of their families.

use super::error::{DomainError, Message};
use super::lifecycle::{DomainEvent, Transitioned};
use crate::text_enum;

text_enum! {
    /// How a resident's location was found.
    pub enum LocationStatus ("location_status") {
        /// Given by a coordinator (or in the create).
        Given => "given",
        Geocoded => "geocoded",
        /// Not found: a coordinator places the resident by hand.
        NeedsReview => "needs_review",
    }
}

text_enum! {
    /// A family member's link to a resident: asked for by the family, made active by a
    /// coordinator with the consent on record.
    pub enum GuardianLinkStatus ("status") {
        Requested => "requested",
        Active => "active",
    }
}

text_enum! {
    /// What can happen to a guardian link.
    pub enum LinkCommand ("command") {
        /// The family member asks to be linked (with a link code, or the resident's id).
        Ask => "ask",
        /// A coordinator makes the link active, the consent on record.
        Complete => "complete",
    }
}

/// A guardian link changed status: the statuses only, as every event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkEvent {
    pub from: Option<GuardianLinkStatus>,
    pub to: GuardianLinkStatus,
}

impl DomainEvent for LinkEvent {
    fn event_type(&self) -> &'static str {
        match self.to {
            GuardianLinkStatus::Requested => "guardian_link.requested",
            GuardianLinkStatus::Active => "guardian_link.activated",
        }
    }

    fn payload(&self) -> serde_json::Value {
        serde_json::json!({ "from": self.from.map(|s| s.as_str()), "status": self.to.as_str() })
    }
}

/// A guardian link's one life cycle, from no link (`None`): the family asks (→ requested), a
/// coordinator completes (no link or a requested one → active). Asking while a link exists,
/// or completing an active one, is a conflict that names what is there.
pub fn link_transition(
    from: Option<GuardianLinkStatus>,
    command: LinkCommand,
) -> Result<Transitioned<GuardianLinkStatus, LinkEvent>, DomainError> {
    use GuardianLinkStatus as S;
    let to = match (from, command) {
        (None, LinkCommand::Ask) => S::Requested,
        (Some(status), LinkCommand::Ask) => {
            return Err(DomainError::Conflict(
                Message::new("conflict-link-exists").arg("status", status.as_str()),
            ));
        }
        (None | Some(S::Requested), LinkCommand::Complete) => S::Active,
        (Some(S::Active), LinkCommand::Complete) => {
            return Err(DomainError::Conflict(Message::new(
                "conflict-already-linked",
            )));
        }
    };
    Ok(Transitioned::to(to, LinkEvent { from, to }))
}

/// Link codes: 8 characters a coordinator can read out on the phone without confusion (no I,
/// O, 0 or 1), valid 14 days, used once.
pub const LINK_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
pub const LINK_CODE_LENGTH: usize = 8;
pub const LINK_CODE_DAYS: i64 = 14;

/// The code as typed by a family, read leniently (lower case, spaces and hyphens as printed
/// "ABCD-EFGH"); `None` when it cannot be a code at all.
pub fn normalise_link_code(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid =
        code.len() == LINK_CODE_LENGTH && code.bytes().all(|b| LINK_CODE_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// A code from `LINK_CODE_LENGTH` random bytes (the caller draws them from the OS).
pub fn link_code_from(random: &[u8; LINK_CODE_LENGTH]) -> String {
    random
        .iter()
        .map(|b| char::from(LINK_CODE_ALPHABET[usize::from(*b) % LINK_CODE_ALPHABET.len()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_asked_for_then_completed_once() {
        use GuardianLinkStatus as S;
        let asked = link_transition(None, LinkCommand::Ask).unwrap();
        assert_eq!(asked.next, S::Requested);
        assert_eq!(asked.events[0].event_type(), "guardian_link.requested");
        let done = link_transition(Some(S::Requested), LinkCommand::Complete).unwrap();
        assert_eq!(done.next, S::Active);
        assert_eq!(done.events[0].event_type(), "guardian_link.activated");
        assert_eq!(
            done.events[0].payload(),
            serde_json::json!({"from": "requested", "status": "active"})
        );
        // A coordinator may link a family member who never asked.
        assert_eq!(
            link_transition(None, LinkCommand::Complete).unwrap().next,
            S::Active
        );
        for status in [S::Requested, S::Active] {
            assert!(matches!(
                link_transition(Some(status), LinkCommand::Ask),
                Err(DomainError::Conflict(m)) if m.key == "conflict-link-exists"
            ));
        }
        assert!(matches!(
            link_transition(Some(S::Active), LinkCommand::Complete),
            Err(DomainError::Conflict(m)) if m.key == "conflict-already-linked"
        ));
    }

    #[test]
    fn link_codes_are_unambiguous_and_read_leniently() {
        let code = link_code_from(&[0, 7, 31, 32, 200, 255, 13, 99]);
        assert_eq!(code.len(), 8);
        assert!(!code.contains(['I', 'O', '0', '1']), "{code}");
        assert_eq!(normalise_link_code(&code), Some(code.clone()));
        let printed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
        assert_eq!(normalise_link_code(&printed), Some(code));
        assert_eq!(
            normalise_link_code("ABCD-EFG0"),
            None,
            "0 is never in a code"
        );
        assert_eq!(normalise_link_code("ABCDEFG"), None);
        assert_eq!(normalise_link_code("ＡＢＣＤＥＦＧＨ"), None);
    }
}
