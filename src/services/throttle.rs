//! Rate limit per client address (sign-ins, registrations): a fixed one-minute window kept in
//! memory. The per-account lockout, which must hold across instances, lives in the database.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::AppError;

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many tracked clients, windows that ended are swept out (at most once a second).
const SWEEP_ABOVE: usize = 10_000;
/// Past this many, new clients share one window: memory stays bounded under a flood from
/// many addresses, and the flood pays for itself.
const TRACK_AT_MOST: usize = 100_000;

struct Windows {
    by_client: HashMap<IpAddr, (Instant, u32)>,
    last_sweep: Option<Instant>,
}

#[derive(Clone)]
pub struct AddressThrottle {
    per_window: u32,
    refusal: &'static str,
    windows: Arc<Mutex<Windows>>,
}

/// One IPv6 host usually holds a whole /64: count it as one client.
fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
        v4 => v4,
    }
}

impl AddressThrottle {
    /// `refusal` is the detail of the 429 answer.
    pub fn new(per_minute: u32, refusal: &'static str) -> Self {
        AddressThrottle {
            per_window: per_minute,
            refusal,
            windows: Arc::new(Mutex::new(Windows {
                by_client: HashMap::new(),
                last_sweep: None,
            })),
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
            .map_err(|_| AppError::internal("address throttle lock poisoned"))?;
        let sweep_due = windows
            .last_sweep
            .is_none_or(|at| now.duration_since(at) >= Duration::from_secs(1));
        if windows.by_client.len() > SWEEP_ABOVE && sweep_due {
            windows
                .by_client
                .retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            windows.last_sweep = Some(now);
        }
        let mut key = client_key(address);
        if windows.by_client.len() >= TRACK_AT_MOST && !windows.by_client.contains_key(&key) {
            key = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
        }
        let entry = windows.by_client.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_window {
            let wait = WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(AppError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
                detail: self.refusal.into(),
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
        let throttle = AddressThrottle::new(2, "slow down");
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        let t0 = Instant::now();
        assert!(throttle.check_at(a, t0).is_ok());
        assert!(throttle.check_at(a, t0).is_ok());
        match throttle.check_at(a, t0 + Duration::from_secs(20)) {
            Err(AppError::TooManyRequests {
                retry_after_secs,
                detail,
            }) => {
                assert_eq!(retry_after_secs, 40);
                assert_eq!(detail.key, "slow down");
            }
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

    #[test]
    fn one_ipv6_slash_64_is_one_client() {
        let throttle = AddressThrottle::new(1, "slow down");
        let t0 = Instant::now();
        let first: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_network: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other_network: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(throttle.check_at(first, t0).is_ok());
        assert!(throttle.check_at(same_network, t0).is_err());
        assert!(throttle.check_at(other_network, t0).is_ok());
    }
}
