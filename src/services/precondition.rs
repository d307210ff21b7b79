//! `If-Match` on edits: which versions of our ETags (`"v3"`) an edit was made against.

use crate::error::AppError;

/// What an `If-Match` asks for: any current version (`*`), or one of the versions of a list
/// of our ETags (`"v3"`, `W/"v3", "v4"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    Any,
    Versions(Vec<i32>),
}

/// The header as sent (absent is `None`); anything but `*` or a list of our ETags is 400.
pub fn parse_if_match(raw: Option<String>) -> Result<Option<IfMatch>, AppError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let raw = raw.trim();
    if raw == "*" {
        return Ok(Some(IfMatch::Any));
    }
    let version = |tag: &str| -> Option<i32> {
        let tag = tag.trim();
        let digits = tag
            .strip_prefix("W/")
            .unwrap_or(tag)
            .strip_prefix("\"v")?
            .strip_suffix('"')?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    };
    raw.split(',')
        .map(version)
        .collect::<Option<Vec<i32>>>()
        .map(|versions| Some(IfMatch::Versions(versions)))
        .ok_or_else(|| AppError::Malformed("malformed-if-match".into()))
}

impl IfMatch {
    /// Whether `version` is one the client asked for.
    pub fn admits(&self, version: i32) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Versions(versions) => versions.contains(&version),
        }
    }
}
