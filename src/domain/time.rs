//! The one spelling of instants on the wire: RFC 3339, UTC with `Z`, microseconds (what the
//! database keeps, so that a time read from one answer finds the same row again, as cursors
//! do). Durations say their unit in the field's name (`duration_min`, `after_minutes`).

use chrono::{DateTime, NaiveDateTime, Utc};

pub fn wire(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A stored (UTC) timestamp on the wire.
pub fn wire_naive(at: NaiveDateTime) -> String {
    wire(at.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_utc_with_z_to_the_microsecond() {
        let at = DateTime::from_timestamp_micros(1_796_000_000_000_001).unwrap();
        assert_eq!(wire(at), "2026-11-30T00:53:20.000001Z");
        assert_eq!(wire_naive(at.naive_utc()), wire(at));
    }
}
