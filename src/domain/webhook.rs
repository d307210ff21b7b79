//! Webhooks: the rules of an endpoint (where it may point, which events it takes), the life
//! of one delivery (attempts, the retry schedule, giving up) and of an endpoint (disabled
//! after failing for three days). Signing and sending live in `clients/webhooks.rs`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use super::error::{DomainError, Message};
use super::lifecycle::{DomainEvent, Transitioned};
use crate::text_enum;

text_enum! {
    pub enum EndpointStatus ("status") {
        Enabled => "enabled",
        /// Failing for `DISABLE_AFTER`: nothing more is sent until it is enabled again.
        Disabled => "disabled",
        /// Deleted by a coordinator: kept for its deliveries' history, seen by nobody.
        Deleted => "deleted",
    }
}

text_enum! {
    pub enum DeliveryStatus ("status") {
        /// Waiting for its first or next attempt.
        Pending => "pending",
        /// A 2xx answered: the event is done for this endpoint.
        Delivered => "delivered",
        /// Every attempt of the schedule failed (a coordinator may still retry it).
        Failed => "failed",
    }
}

/// The event types an endpoint may subscribe to, each with a JSON schema in the contract
/// (`api-spec/openapi.yaml`, `webhooks`). Events not named here stay internal.
pub const EVENT_TYPES: &[&str] = &[
    "request.submitted",
    "request.locked",
    "request.planned",
    "request.unplanned",
    "request.in_transit",
    "request.at_hub",
    "request.out_for_delivery",
    "request.delivered",
    "request.ready_for_pickup",
    "request.collected",
    "request.failed",
    "request.cancelled",
    "run.offered",
    "run.accepted",
    "run.declined",
    "run.started",
    "run.completed",
    "run.cancelled",
    "handover.discrepancy",
    "escalation.opened",
    "escalation.step_due",
    "escalation.acknowledged",
    "escalation.resolved",
    "plan.published",
    "plan.replanned",
];

/// The event `POST /webhooks/{id}/test` sends.
pub const PING: &str = "ping";

/// Delays before the second, third, ... attempt: about 28 hours in all, then the delivery
/// has failed. Each delay is moved by up to a tenth either way (`jitter`) so that many
/// deliveries failing together do not come back together.
pub const RETRY_DELAYS_SECONDS: &[i64] = &[5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/// An endpoint whose every attempt has failed for this long is disabled.
pub fn disable_after() -> Duration {
    Duration::days(3)
}

/// Attempts a delivery gets before it has failed.
pub fn max_attempts() -> i32 {
    i32::try_from(RETRY_DELAYS_SECONDS.len()).unwrap_or(i32::MAX) + 1
}

/// The subscribed event types: at least one, each from `EVENT_TYPES`, each once.
pub fn check_events(events: &[String]) -> Result<Vec<String>, DomainError> {
    if events.is_empty() || events.len() > EVENT_TYPES.len() {
        return Err(DomainError::Invalid {
            field: "events".into(),
            message: Message::new("invalid-count")
                .arg("min", 1)
                .arg("max", EVENT_TYPES.len()),
        });
    }
    let mut checked: Vec<String> = Vec::new();
    for (index, event) in events.iter().enumerate() {
        if !EVENT_TYPES.contains(&event.as_str()) {
            return Err(DomainError::Invalid {
                field: format!("events[{index}]"),
                message: Message::new("invalid-event-type"),
            });
        }
        if checked.contains(event) {
            return Err(DomainError::Invalid {
                field: format!("events[{index}]"),
                message: Message::new("invalid-duplicate"),
            });
        }
        checked.push(event.clone());
    }
    Ok(checked)
}

/// Where an endpoint may point: `https` with a host, no credentials in the URL, at most 2000
/// characters; a literal address or `localhost` only when private addresses are allowed.
/// A name is checked again after DNS resolution, at creation and at every send.
pub fn check_url(raw: &str, allow_private: bool) -> Result<url::Url, DomainError> {
    let invalid = |key: &'static str| DomainError::Invalid {
        field: "url".into(),
        message: Message::new(key),
    };
    if raw.chars().count() > 2000 {
        return Err(DomainError::Invalid {
            field: "url".into(),
            message: Message::new("invalid-too-long").arg("max", 2000),
        });
    }
    // A URI is ASCII (RFC 3986): an international name is written in its punycode form.
    if !raw.is_ascii() {
        return Err(invalid("invalid-url"));
    }
    let url = url::Url::parse(raw).map_err(|_| invalid("invalid-url"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(invalid("invalid-url-https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("invalid-url-credentials"));
    }
    let public = match url.host() {
        None => return Err(invalid("invalid-url")),
        Some(url::Host::Ipv4(ip)) => is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name != "localhost" && !name.ends_with(".localhost")
        }
    };
    if !public && !allow_private {
        return Err(invalid("invalid-url-private"));
    }
    Ok(url)
}

/// Whether an address is on the public internet: not private, loopback, link-local,
/// shared (CGNAT), unspecified, broadcast, multicast or documentation; IPv6 likewise, and an
/// IPv4-mapped address as its IPv4.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10, shared address space
        || (a == 100 && (64..128).contains(&b))
        // 198.18.0.0/15, benchmarking
        || (a == 198 && (b == 18 || b == 19))
        // 240.0.0.0/4, reserved
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local
        || (first & 0xfe00) == 0xfc00
        // fe80::/10 link-local
        || (first & 0xffc0) == 0xfe80
        // 2001:db8::/32 documentation
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // 64:ff9b::/96 NAT64 may reach private IPv4; refuse it
        || (first == 0x0064 && ip.segments()[1] == 0xff9b))
}

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptResult {
    /// The receiver answered 2xx.
    Accepted,
    /// Any other answer, or none.
    Refused,
}

/// A delivery after one more attempt, or after a coordinator asked to retry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryCommand {
    Attempted(AttemptResult),
    Retry,
}

/// Where a delivery stands: its status, attempts made, and when the next is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryState {
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
}

/// The one place that says how a delivery moves. `jitter` is a number in [0, 1) that moves
/// the next delay by up to a tenth either way. A delivery raises no events of its own (it
/// is how events leave).
pub fn delivery_transition(
    from: DeliveryState,
    command: DeliveryCommand,
    now: NaiveDateTime,
    jitter: f64,
) -> Result<DeliveryState, DomainError> {
    match (from.status, command) {
        (DeliveryStatus::Pending, DeliveryCommand::Attempted(result)) => {
            let attempts = from.attempts + 1;
            Ok(match result {
                AttemptResult::Accepted => DeliveryState {
                    status: DeliveryStatus::Delivered,
                    attempts,
                    next_attempt_at: None,
                },
                AttemptResult::Refused => match retry_delay(attempts, jitter) {
                    Some(delay) => DeliveryState {
                        status: DeliveryStatus::Pending,
                        attempts,
                        next_attempt_at: Some(now + delay),
                    },
                    None => DeliveryState {
                        status: DeliveryStatus::Failed,
                        attempts,
                        next_attempt_at: None,
                    },
                },
            })
        }
        // A coordinator's retry: one attempt now, whatever came before (delivered again is
        // allowed: the receiver deduplicates by webhook-id).
        (_, DeliveryCommand::Retry) => Ok(DeliveryState {
            status: DeliveryStatus::Pending,
            attempts: from.attempts,
            next_attempt_at: Some(now),
        }),
        (status, DeliveryCommand::Attempted(_)) => Err(DomainError::Transition {
            aggregate: "webhook_delivery",
            current: status.as_str(),
            command: "attempt",
            allowed: vec!["retry"],
        }),
    }
}

/// The delay after `attempts` failed attempts, or none when the schedule is spent.
pub fn retry_delay(attempts: i32, jitter: f64) -> Option<Duration> {
    let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
    let base = *RETRY_DELAYS_SECONDS.get(index)?;
    let jitter = jitter.clamp(0.0, 1.0);
    // Milliseconds, ±10 %.
    #[allow(clippy::cast_possible_truncation)]
    let moved = (base as f64 * 1000.0 * (0.9 + 0.2 * jitter)).round() as i64;
    Some(Duration::milliseconds(moved.max(1)))
}

text_enum! {
    pub enum EndpointCommand ("command") {
        /// An attempt failed and the endpoint has been failing for `disable_after`.
        Disable => "disable",
        Enable => "enable",
        Delete => "delete",
    }
}

/// The event an endpoint's step raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointEvent {
    pub to: EndpointStatus,
}

impl DomainEvent for EndpointEvent {
    fn event_type(&self) -> &'static str {
        match self.to {
            EndpointStatus::Enabled => "webhook.enabled",
            EndpointStatus::Disabled => "webhook.disabled",
            EndpointStatus::Deleted => "webhook.deleted",
        }
    }
    fn payload(&self) -> serde_json::Value {
        json!({"status": self.to.as_str()})
    }
}

/// The one place that says how an endpoint moves.
pub fn endpoint_transition(
    from: EndpointStatus,
    command: EndpointCommand,
) -> Result<Transitioned<EndpointStatus, EndpointEvent>, DomainError> {
    use EndpointCommand as C;
    use EndpointStatus as S;
    let to = match (from, command) {
        (S::Deleted, _) => {
            return Err(DomainError::Transition {
                aggregate: "webhook",
                current: from.as_str(),
                command: command.as_str(),
                allowed: Vec::new(),
            });
        }
        (S::Disabled, C::Disable) | (S::Enabled, C::Enable) => {
            return Ok(Transitioned::unchanged(from));
        }
        (_, C::Disable) => S::Disabled,
        (_, C::Enable) => S::Enabled,
        (_, C::Delete) => S::Deleted,
    };
    Ok(Transitioned::to(to, EndpointEvent { to }))
}

/// Whether an endpoint failing since `failing_since` is to be disabled at `now`.
pub fn should_disable(failing_since: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    failing_since.is_some_and(|since| now - since >= disable_after())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn urls_must_be_https_and_public() {
        assert!(check_url("https://hooks.example.jp/yui", false).is_ok());
        assert!(check_url("https://xn--eckwd4c7c.xn--zckzah/yui", false).is_ok());
        for refused in [
            "http://hooks.example.jp/yui",
            "ftp://hooks.example.jp/",
            "https://user:pw@hooks.example.jp/",
            "https://127.0.0.1/hook",
            "https://10.1.2.3/hook",
            "https://192.168.0.10/hook",
            "https://172.20.0.1/hook",
            "https://169.254.169.254/latest",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://[fe80::1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://localhost/hook",
            "https://api.localhost/hook",
            "not a url",
            "https://\u{11a}\u{de}/hook",
        ] {
            assert!(check_url(refused, false).is_err(), "{refused}");
        }
        assert!(check_url("http://127.0.0.1:9000/hook", true).is_ok());
    }

    #[test]
    fn public_addresses_are_told_from_the_rest() {
        for public in ["8.8.8.8", "133.242.0.1", "2001:4860:4860::8888"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        for private in [
            "0.0.0.0",
            "100.64.0.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
    }

    #[test]
    fn events_must_be_known_and_once() {
        assert!(check_events(&["request.delivered".into()]).is_ok());
        assert!(check_events(&[]).is_err());
        assert!(check_events(&["request.eaten".into()]).is_err());
        assert!(check_events(&["run.offered".into(), "run.offered".into()]).is_err());
    }

    #[test]
    fn a_failing_delivery_follows_the_schedule_then_fails() {
        let mut state = DeliveryState {
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: Some(at(0)),
        };
        let mut now = at(0);
        let mut total = Duration::zero();
        for (index, base) in RETRY_DELAYS_SECONDS.iter().enumerate() {
            state = delivery_transition(
                state,
                DeliveryCommand::Attempted(AttemptResult::Refused),
                now,
                0.5,
            )
            .unwrap();
            assert_eq!(state.status, DeliveryStatus::Pending);
            assert_eq!(state.attempts, i32::try_from(index).unwrap() + 1);
            let next = state.next_attempt_at.unwrap();
            assert_eq!(
                next - now,
                Duration::seconds(*base),
                "jitter 0.5 is no move"
            );
            total += next - now;
            now = next;
        }
        // About a day in all.
        assert!(total > Duration::hours(24) && total < Duration::hours(30));
        state = delivery_transition(
            state,
            DeliveryCommand::Attempted(AttemptResult::Refused),
            now,
            0.5,
        )
        .unwrap();
        assert_eq!(state.status, DeliveryStatus::Failed);
        assert_eq!(state.attempts, max_attempts());
        assert!(
            delivery_transition(
                state,
                DeliveryCommand::Attempted(AttemptResult::Accepted),
                now,
                0.0
            )
            .is_err()
        );
        let retried = delivery_transition(state, DeliveryCommand::Retry, now, 0.0).unwrap();
        assert_eq!(retried.status, DeliveryStatus::Pending);
        assert_eq!(retried.next_attempt_at, Some(now));
    }

    #[test]
    fn jitter_moves_a_delay_by_a_tenth_at_most() {
        assert_eq!(retry_delay(2, 0.0), Some(Duration::seconds(270)));
        assert_eq!(retry_delay(2, 1.0), Some(Duration::seconds(330)));
        assert_eq!(retry_delay(0, 0.5), None);
        assert_eq!(retry_delay(8, 0.5), None);
    }

    #[test]
    fn an_accepted_attempt_delivers() {
        let state = DeliveryState {
            status: DeliveryStatus::Pending,
            attempts: 2,
            next_attempt_at: Some(at(0)),
        };
        let next = delivery_transition(
            state,
            DeliveryCommand::Attempted(AttemptResult::Accepted),
            at(10),
            0.3,
        )
        .unwrap();
        assert_eq!(next.status, DeliveryStatus::Delivered);
        assert_eq!(next.attempts, 3);
        assert_eq!(next.next_attempt_at, None);
    }

    #[test]
    fn endpoints_are_disabled_after_three_days_of_failure() {
        assert!(!should_disable(None, at(0)));
        assert!(!should_disable(Some(at(0)), at(3 * 86_400 - 1)));
        assert!(should_disable(Some(at(0)), at(3 * 86_400)));
        let step = endpoint_transition(EndpointStatus::Enabled, EndpointCommand::Disable).unwrap();
        assert_eq!(step.next, EndpointStatus::Disabled);
        assert_eq!(step.events[0].event_type(), "webhook.disabled");
        let again =
            endpoint_transition(EndpointStatus::Disabled, EndpointCommand::Disable).unwrap();
        assert!(!again.changes(EndpointStatus::Disabled));
        assert!(endpoint_transition(EndpointStatus::Deleted, EndpointCommand::Enable).is_err());
    }
}
