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
use uuid::Uuid;

use crate::config::{Config, SigningKeySource};
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

pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    rotation_key: Vec<u8>,
    issuer: String,
    audience: String,
    access_ttl: Duration,
}

impl TokenIssuer {
    pub fn new(config: &Config, signing_key: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[config.jwt_issuer.as_str()]);
        validation.set_audience(&[config.jwt_audience.as_str()]);
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
        validation.leeway = 30;
        TokenIssuer {
            encoding: EncodingKey::from_secret(signing_key),
            decoding: DecodingKey::from_secret(signing_key),
            validation,
            rotation_key: keyed_digest(signing_key, b"yui refresh-token rotation v1"),
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            access_ttl: config.access_token_ttl,
        }
    }

    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// The access token of session `session_id` for `user_id`, issued at `issued_at`. The
    /// same inputs give the same token, which is how a lost refresh answer is replayed.
    pub fn access_token(
        &self,
        user_id: Uuid,
        session_id: Uuid,
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

    /// The user id an access token speaks for, if its signature, algorithm, issuer, audience
    /// and expiry hold.
    pub fn verify_access_token(&self, token: &str) -> Result<Uuid, AppError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| AppError::Unauthenticated("the access token is invalid or expired"))?;
        Uuid::parse_str(&data.claims.sub)
            .map_err(|_| AppError::Unauthenticated("the access token is invalid or expired"))
    }

    /// The refresh token that replaces `token` on rotation: derived, not random, so that the
    /// retry of a lost answer within the grace window receives the very same token while the
    /// database keeps only digests.
    pub fn successor_refresh_token(&self, token: &str) -> String {
        URL_SAFE_NO_PAD.encode(keyed_digest(&self.rotation_key, token.as_bytes()))
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
