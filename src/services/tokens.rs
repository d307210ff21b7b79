//! Access tokens (short-lived JWT) and the refresh-token material around them.

use std::path::Path;
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{Config, SigningKeySource};
use crate::domain::clock::Clock;
use crate::domain::ids::{RefreshTokenId, UserId};
use crate::error::AppError;

const MIN_KEY_BYTES: usize = 32;

/// Reads or makes the signing key. Returns a warning to log when the key was generated.
pub fn load_signing_key(source: &SigningKeySource) -> Result<(Vec<u8>, Option<String>), String> {
    match source {
        SigningKeySource::Secret(secret) => Ok((secret.clone(), None)),
        SigningKeySource::File(path) => {
            read_key_file(path, "YUI_JWT_SECRET_FILE").map(|k| (k, None))
        }
        SigningKeySource::Generated(path) => {
            if path.exists() {
                return read_key_file(path, "the generated key file").map(|k| {
                    let warning = format!(
                        "YUI_JWT_SECRET is not set: signing tokens with the development key in {}",
                        path.display()
                    );
                    (k, Some(warning))
                });
            }
            let key = random_token(48);
            write_private_file(path, key.as_bytes()).map_err(|e| {
                format!(
                    "cannot write the generated signing key to {}: {e}",
                    path.display()
                )
            })?;
            let warning = format!(
                "YUI_JWT_SECRET is not set: generated a development signing key in {}; set \
                 YUI_JWT_SECRET or YUI_JWT_SECRET_FILE in production",
                path.display()
            );
            Ok((key.into_bytes(), Some(warning)))
        }
    }
}

fn read_key_file(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    let raw =
        std::fs::read_to_string(path).map_err(|e| format!("{what} {}: {e}", path.display()))?;
    let key = raw.trim().as_bytes().to_vec();
    if key.len() < MIN_KEY_BYTES {
        return Err(format!(
            "{what} {} holds fewer than {MIN_KEY_BYTES} bytes",
            path.display()
        ));
    }
    Ok(key)
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// `bytes` random bytes, URL-safe base64.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// `N` bytes from the operating system's generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buffer = [0u8; N];
    OsRng.fill_bytes(&mut buffer);
    buffer
}

/// Refresh tokens are stored only as this digest.
pub fn digest(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    #[serde(default)]
    pub iat: i64,
    #[serde(default)]
    pub jti: String,
}

/// What a valid access token says: the user, and the refresh token (session) it was issued
/// with, so that revoking the session ends the access token too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedToken {
    pub user_id: UserId,
    pub session_id: RefreshTokenId,
}

pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    rotation_key: Vec<u8>,
    /// Keys the console's CSRF tokens: each is bound to one browser's session cookie.
    csrf_key: Vec<u8>,
    issuer: String,
    audience: String,
    access_ttl: Duration,
    /// Expiry is checked against Yui's clock, not the library's.
    clock: Clock,
}

/// Seconds an expired token is still taken, for clocks a little apart.
const LEEWAY_SECS: i64 = 30;

impl TokenIssuer {
    pub fn new(config: &Config, signing_key: &[u8], clock: Clock) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[config.jwt_issuer.as_str()]);
        validation.set_audience(&[config.jwt_audience.as_str()]);
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
        validation.validate_exp = false;
        TokenIssuer {
            encoding: EncodingKey::from_secret(signing_key),
            decoding: DecodingKey::from_secret(signing_key),
            validation,
            rotation_key: keyed_digest(signing_key, b"yui refresh-token rotation v1"),
            csrf_key: keyed_digest(signing_key, b"yui console csrf v1"),
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            access_ttl: config.access_token_ttl,
            clock,
        }
    }

    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// The access token of session `session_id` for `user_id`, issued at `issued_at`. The
    /// same inputs give the same token, which is how a lost refresh answer is replayed.
    pub fn access_token(
        &self,
        user_id: UserId,
        session_id: RefreshTokenId,
        issued_at: NaiveDateTime,
    ) -> Result<String, AppError> {
        let iat = issued_at.and_utc().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_string(),
            exp: iat + i64::try_from(self.access_ttl.as_secs()).unwrap_or(900),
            iat,
            jti: session_id.to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("jwt encode: {e}")))
    }

    /// Whom an access token speaks for, and in which session, if its signature, algorithm,
    /// issuer, audience and expiry hold.
    pub fn verify_access_token(&self, token: &str) -> Result<VerifiedToken, AppError> {
        let invalid = || AppError::Unauthenticated("unauthenticated-access-token".into());
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| invalid())?;
        if data.claims.exp + LEEWAY_SECS < self.clock.now().timestamp() {
            return Err(invalid());
        }
        Ok(VerifiedToken {
            user_id: data.claims.sub.parse().map_err(|_| invalid())?,
            session_id: data.claims.jti.parse().map_err(|_| invalid())?,
        })
    }

    /// The refresh token that replaces `token` on rotation: derived, not random, so that the
    /// retry of a lost answer within the grace window receives the very same token while the
    /// database keeps only digests.
    pub fn successor_refresh_token(&self, token: &str) -> String {
        URL_SAFE_NO_PAD.encode(keyed_digest(&self.rotation_key, token.as_bytes()))
    }

    /// The CSRF token of the console forms served to the browser holding `binding` (its
    /// session cookie, or before sign-in its pre-session cookie): nothing to store, and
    /// useless with any other cookie.
    pub fn csrf_token(&self, binding: &str) -> String {
        URL_SAFE_NO_PAD.encode(keyed_digest(&self.csrf_key, binding.as_bytes()))
    }

    /// Whether `presented` is the CSRF token for `binding`, compared in constant time.
    pub fn csrf_matches(&self, binding: &str, presented: &str) -> bool {
        let Ok(presented) = URL_SAFE_NO_PAD.decode(presented) else {
            return false;
        };
        match Hmac::<Sha256>::new_from_slice(&self.csrf_key) {
            Ok(mut mac) => {
                mac.update(binding.as_bytes());
                mac.verify_slice(&presented).is_ok()
            }
            Err(_) => false,
        }
    }
}

fn keyed_digest(key: &[u8], message: &[u8]) -> Vec<u8> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => Sha256::digest([key, message].concat()).to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DatabaseTarget;

    fn issuer(secret: &[u8]) -> TokenIssuer {
        let config = Config::for_tests(
            DatabaseTarget::Sqlite {
                path: "unused.db".into(),
            },
            secret,
        );
        TokenIssuer::new(&config, secret, Clock::system())
    }

    #[test]
    fn a_generated_key_is_kept_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("yui-key-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = SigningKeySource::Generated(dir.join("yui.db.jwt-key"));
        let (first, warning) = load_signing_key(&source).unwrap();
        assert!(first.len() >= MIN_KEY_BYTES);
        assert!(warning.unwrap().contains("YUI_JWT_SECRET"));
        let (again, _) = load_signing_key(&source).unwrap();
        assert_eq!(first, again, "a restart keeps the sessions");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("yui.db.jwt-key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_short_key_file_is_refused() {
        let path =
            std::env::temp_dir().join(format!("yui-short-{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, "too short").unwrap();
        let error = load_signing_key(&SigningKeySource::File(path.clone())).unwrap_err();
        assert!(error.contains("YUI_JWT_SECRET_FILE"), "{error}");
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn access_tokens_round_trip_and_are_reproducible() {
        let tokens = issuer(b"0123456789abcdef0123456789abcdef");
        let user = UserId::new();
        let session = RefreshTokenId::new();
        let at = chrono::Utc::now().naive_utc();
        let token = tokens.access_token(user, session, at).unwrap();
        assert_eq!(tokens.access_token(user, session, at).unwrap(), token);
        assert_eq!(
            tokens.verify_access_token(&token).unwrap(),
            VerifiedToken {
                user_id: user,
                session_id: session
            }
        );
        let other = issuer(b"another key of thirty-two bytes!!");
        assert!(other.verify_access_token(&token).is_err());
    }

    #[test]
    fn successors_are_derived_from_the_token_and_the_key() {
        let tokens = issuer(b"0123456789abcdef0123456789abcdef");
        let next = tokens.successor_refresh_token("abc");
        assert_eq!(next, tokens.successor_refresh_token("abc"));
        assert_ne!(next, tokens.successor_refresh_token("abd"));
        assert_ne!(
            next,
            issuer(b"another key of thirty-two bytes!!").successor_refresh_token("abc")
        );
        assert_eq!(digest("abc").len(), 64);
    }
}
