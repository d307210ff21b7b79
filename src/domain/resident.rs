//! Residents: where their location came from, and the guardian links of their families.

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
