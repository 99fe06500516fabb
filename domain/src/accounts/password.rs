//! Argon2id password hashes (OWASP parameters: 19 MiB, 2 passes, 1 lane), computed on
//! the blocking pool behind a semaphore: argon2 is memory-hard on purpose, so without a
//! bound a burst of sign-in attempts would be a burst of memory.

use crate::error::DomainError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::{OnceCell, Semaphore};

#[derive(Debug, Clone)]
pub(crate) struct Passwords {
    permits: Arc<Semaphore>,
    /// A hash of a random password, verified against when the username does not exist so
    /// that "no such user" takes as long as "wrong password".
    decoy: Arc<OnceCell<String>>,
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

impl Passwords {
    pub(crate) fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency)),
            decoy: Arc::new(OnceCell::new()),
        }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh random salt.
    pub(crate) async fn hash(&self, password: &str) -> Result<String, DomainError> {
        let password = password.to_owned();
        self.run(move || {
            let salt_bytes: [u8; 16] = rand::random();
            let salt = SaltString::encode_b64(&salt_bytes)
                .map_err(|e| DomainError::PasswordHash(e.to_string()))?;
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| DomainError::PasswordHash(e.to_string()))
        })
        .await
    }

    /// Whether `password` matches `hash`; with `None`, spends the same time and says no.
    pub(crate) async fn verify(
        &self,
        password: &str,
        hash: Option<String>,
    ) -> Result<bool, DomainError> {
        let (hash, real) = match hash {
            Some(hash) => (hash, true),
            None => (self.decoy().await?, false),
        };
        let password = password.to_owned();
        let matches = self
            .run(move || {
                let parsed = PasswordHash::new(&hash)
                    .map_err(|e| DomainError::PasswordHash(e.to_string()))?;
                Ok(argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok())
            })
            .await?;
        Ok(real && matches)
    }

    async fn decoy(&self) -> Result<String, DomainError> {
        self.decoy
            .get_or_try_init(|| async {
                let random: [u8; 16] = rand::random();
                self.hash(&format!("{random:?}")).await
            })
            .await
            .cloned()
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, DomainError> + Send + 'static,
    ) -> Result<T, DomainError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| DomainError::PasswordHash("hasher closed".into()))?;
        tokio::task::spawn_blocking(work).await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verifiable() {
        let passwords = Passwords::new(2);
        let a = passwords.hash("correct horse").await.unwrap();
        let b = passwords.hash("correct horse").await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(
            passwords
                .verify("correct horse", Some(a.clone()))
                .await
                .unwrap()
        );
        assert!(!passwords.verify("wrong horse", Some(a)).await.unwrap());
        assert!(!passwords.verify("correct horse", None).await.unwrap());
    }
}
