//! Login rate limit per client address: a fixed one-minute window kept in memory. The
//! per-account lockout, which must hold across instances, lives in the database instead.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::AppError;

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many tracked addresses, windows that ended are swept out.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Clone)]
pub struct AddressThrottle {
    per_window: u32,
    windows: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
}

impl AddressThrottle {
    pub fn new(per_minute: u32) -> Self {
        AddressThrottle {
            per_window: per_minute,
            windows: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Counts one attempt from `address`; refuses it with 429 and the seconds to wait once
    /// the window's allowance is spent.
    pub fn check(&self, address: IpAddr) -> Result<(), AppError> {
        self.check_at(address, Instant::now())
    }

    fn check_at(&self, address: IpAddr, now: Instant) -> Result<(), AppError> {
        let mut windows = self
            .windows
            .lock()
            .map_err(|_| AppError::internal("login throttle lock poisoned"))?;
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(address).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_window {
            let wait = WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(AppError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
                detail: "too many sign-in attempts from this address; wait and try again",
            });
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_allowance_and_resets_with_the_window() {
        let throttle = AddressThrottle::new(2);
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        let t0 = Instant::now();
        assert!(throttle.check_at(a, t0).is_ok());
        assert!(throttle.check_at(a, t0).is_ok());
        match throttle.check_at(a, t0 + Duration::from_secs(20)) {
            Err(AppError::TooManyRequests {
                retry_after_secs, ..
            }) => assert_eq!(retry_after_secs, 40),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(
            throttle.check_at(b, t0).is_ok(),
            "another address has its own window"
        );
        assert!(
            throttle.check_at(a, t0 + WINDOW).is_ok(),
            "a new window starts afresh"
        );
    }
}
