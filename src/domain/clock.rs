//! The one clock Yui reads: the system's in production, a settable one in tests, so that
//! cutoffs, windows and leases are tested at exact seconds through the API.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

#[derive(Clone, Debug)]
pub struct Clock(Source);

#[derive(Clone, Debug)]
enum Source {
    System,
    /// Stands still at these microseconds since the epoch (shared by every clone).
    Fixed(Arc<AtomicI64>),
    /// Runs with the system clock, shifted by these microseconds (shared by every clone).
    Shifted(Arc<AtomicI64>),
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    pub fn system() -> Self {
        Clock(Source::System)
    }

    /// A clock that stands at `at` until it is set or advanced.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock(Source::Fixed(Arc::new(AtomicI64::new(
            at.timestamp_micros(),
        ))))
    }

    /// A clock that runs like the system's until it is set; then it runs on from there. Tests
    /// use it: time passes as usual, and a test can jump to the second it needs.
    pub fn settable() -> Self {
        Clock(Source::Shifted(Arc::new(AtomicI64::new(0))))
    }

    /// Now, in UTC, truncated to microseconds: what both backends store without loss, so a
    /// value read back compares equal to the value written.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Source::System => Utc::now().trunc_subsecs(6),
            Source::Fixed(micros) => {
                DateTime::from_timestamp_micros(micros.load(Ordering::SeqCst)).unwrap_or_default()
            }
            Source::Shifted(shift) => {
                let system = Utc::now().trunc_subsecs(6).timestamp_micros();
                DateTime::from_timestamp_micros(system + shift.load(Ordering::SeqCst))
                    .unwrap_or_default()
            }
        }
    }

    /// `now` as the database stores it.
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// Moves a settable clock to `at`; the system clock cannot be set (false).
    pub fn set(&self, at: DateTime<Utc>) -> bool {
        match &self.0 {
            Source::System => false,
            Source::Fixed(micros) => {
                micros.store(at.timestamp_micros(), Ordering::SeqCst);
                true
            }
            Source::Shifted(shift) => {
                let system = Utc::now().trunc_subsecs(6).timestamp_micros();
                shift.store(at.timestamp_micros() - system, Ordering::SeqCst);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_set_clock_stands_still_and_moves_when_told() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 7, 0, 0).unwrap();
        let clock = Clock::fixed(at);
        let shared = clock.clone();
        assert_eq!(clock.now(), at);
        assert!(shared.set(at + chrono::Duration::seconds(1)));
        assert_eq!(clock.now(), at + chrono::Duration::seconds(1));
        assert!(!Clock::system().set(at));
        let running = Clock::settable();
        assert!(running.set(at));
        let read = running.now();
        assert!(
            read >= at && read - at < chrono::Duration::seconds(5),
            "{read}"
        );
    }
}
