//! Sends one webhook delivery: signed as the Standard Webhooks specification says (with the
//! specification's own Rust library, `standardwebhooks`), over reqwest with a short timeout,
//! no redirects, and a resolver that refuses names resolving to private, loopback or
//! link-local addresses (so a name cannot be pointed inside after it was accepted).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::domain::webhook::{check_url, is_public};

/// Names that resolve to addresses off the public internet are refused here.
struct PublicResolver {
    allow_private: bool,
}

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = resolve_public(&host, allow_private)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The addresses of `host`, refused when any is not public (unless private ones are
/// allowed): a name that mixes a public and a private address is not trusted either.
pub async fn resolve_public(host: &str, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no address"));
    }
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(PRIVATE_ADDRESS.to_owned());
    }
    Ok(addrs)
}

/// The error text of a refused address (also recorded on the attempt).
pub const PRIVATE_ADDRESS: &str = "refused_address";

/// What one attempt came to: the receiver's status, or why there was none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: i64,
}

impl Attempt {
    pub fn accepted(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    allow_private: bool,
}

impl WebhookSender {
    pub fn new(timeout: Duration, allow_private: bool) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("Yui-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PublicResolver { allow_private }))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(WebhookSender {
            client,
            allow_private,
        })
    }

    pub fn allows_private(&self) -> bool {
        self.allow_private
    }

    /// Whether `url` may be an endpoint: the URL's rules, then its host's addresses (a host
    /// that does not resolve yet is accepted; every send checks again).
    pub async fn check_endpoint(&self, url: &str) -> Result<(), crate::domain::error::DomainError> {
        let parsed = check_url(url, self.allow_private)?;
        if self.allow_private {
            return Ok(());
        }
        if let Some(url::Host::Domain(host)) = parsed.host()
            && let Ok(Err(refused)) =
                tokio::time::timeout(Duration::from_secs(2), resolve_public(host, false)).await
            && refused == PRIVATE_ADDRESS
        {
            return Err(crate::domain::error::DomainError::Invalid {
                field: "url".into(),
                message: crate::domain::error::Message::new("invalid-url-private"),
            });
        }
        Ok(())
    }

    /// Signs `body` with every secret in `secrets` (the new one and, during a rotation, the
    /// old) and posts it once.
    pub async fn send(
        &self,
        url: &str,
        webhook_id: &str,
        timestamp: i64,
        body: &str,
        secrets: &[String],
    ) -> Attempt {
        let started = Instant::now();
        let elapsed = |started: Instant| i64::try_from(started.elapsed().as_millis()).unwrap_or(0);
        let refused = |error: String| Attempt {
            status: None,
            error: Some(error),
            latency_ms: 0,
        };
        let parsed = match check_url(url, self.allow_private) {
            Ok(parsed) => parsed,
            Err(_) => return refused(PRIVATE_ADDRESS.to_owned()),
        };
        let mut signatures = Vec::new();
        for secret in secrets {
            match standardwebhooks::Webhook::new(secret)
                .and_then(|hook| hook.sign(webhook_id, timestamp, body.as_bytes()))
            {
                Ok(signature) => signatures.push(signature),
                Err(e) => return refused(format!("signing: {e}")),
            }
        }
        let answer = self
            .client
            .post(parsed)
            .header("content-type", "application/json")
            .header(standardwebhooks::HEADER_WEBHOOK_ID, webhook_id)
            .header(
                standardwebhooks::HEADER_WEBHOOK_TIMESTAMP,
                timestamp.to_string(),
            )
            .header(
                standardwebhooks::HEADER_WEBHOOK_SIGNATURE,
                signatures.join(" "),
            )
            .body(body.to_owned())
            .send()
            .await;
        match answer {
            Ok(response) => Attempt {
                status: Some(response.status().as_u16()),
                error: None,
                latency_ms: elapsed(started),
            },
            Err(e) => Attempt {
                status: None,
                error: Some(kind_of(&e)),
                latency_ms: elapsed(started),
            },
        }
    }
}

/// A short, stable word for a failed attempt (never the URL, which may hold a token).
fn kind_of(error: &reqwest::Error) -> String {
    let text = format!("{error:?}");
    if error.is_timeout() {
        "timeout".into()
    } else if text.contains(PRIVATE_ADDRESS) {
        PRIVATE_ADDRESS.into()
    } else if error.is_connect() {
        "connect".into()
    } else if error.is_redirect() {
        "redirect".into()
    } else {
        "request".into()
    }
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    use base64::Engine as _;
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}
