//! Password hashing: argon2id with OWASP's parameters, on the blocking pool, with a bound on
//! how many hashes run at once so that a burst of logins cannot starve the machine.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB of memory, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;
/// How long a request waits for a place in the hashing queue before it is told to retry.
const QUEUE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

fn argon2() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .map_err(|e| AppError::internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("argon2: {e}")))
}

fn verify_now(password: &str, hash: &str) -> Result<bool, AppError> {
    let parsed =
        PasswordHash::new(hash).map_err(|e| AppError::internal(format!("stored hash: {e}")))?;
    Ok(argon2()?
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Verified against when the email is unknown, so that an unknown user costs the same
    /// time as a wrong password.
    decoy_hash: Arc<String>,
    verifications: Arc<AtomicU64>,
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Result<Self, AppError> {
        Ok(PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            decoy_hash: Arc::new(hash_now("decoy password that no account has")?),
            verifications: Arc::new(AtomicU64::new(0)),
        })
    }

    /// A place among the hashes running at once, or 503 when the queue does not move.
    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        match tokio::time::timeout(QUEUE_TIMEOUT, self.permits.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(e)) => Err(AppError::internal(e.to_string())),
            Err(_) => Err(AppError::Unavailable(
                "password hashing queue is full".into(),
            )),
        }
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self.permit().await?;
        actix_web::web::block(move || hash_now(&password))
            .await
            .map_err(|e| AppError::internal(format!("blocking pool: {e}")))?
    }

    /// Verifies against `hash`, or against the decoy when there is no account: the caller
    /// cannot tell the two apart by the time it takes.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        let _permit = self.permit().await?;
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy_hash.as_str().to_owned());
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let matches = actix_web::web::block(move || verify_now(&password, &hash))
            .await
            .map_err(|e| AppError::internal(format!("blocking pool: {e}")))??;
        Ok(known && matches)
    }

    /// How many full verifications ran: lets a test see that unknown users cost one too.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hash = hash_now("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_now("correct horse battery", &hash).unwrap());
        assert!(!verify_now("correct horse battery!", &hash).unwrap());
    }
}
