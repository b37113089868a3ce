//! Argon2id hashing and verification, with a short cache of successful checks: a browser sends
//! Basic auth with every request (pages, assets, live updates), and one argon2 run costs tens of
//! milliseconds of a core, so only the first request of a while pays it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use blake2::{Blake2b512, Digest};

/// How long a successful check is reused. A changed hash in the users file is a new cache key,
/// so a password change or a removed user takes effect at once; a still-open browser keeps
/// working without a new argon2 run per request.
pub const CACHE_TTL: Duration = Duration::from_secs(120);

/// The argon2id PHC string of `secret`, with a random salt and the crate's default cost
/// (m=19 MiB, t=2, p=1: OWASP's recommendation).
pub fn hash(secret: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `secret` matches the PHC string `phc` (argon2 compares in constant time).
pub fn verify(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
}

/// A hash of "no such user" to verify against, so an unknown name costs the same time as a
/// known one and the response time does not tell which names exist.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("rqdash decoy").unwrap_or_default())
}

/// Successful checks, keyed by a keyed digest of (name, stored hash, secret): the secret itself
/// is never kept in memory.
pub struct Cache {
    key: [u8; 32],
    ok: Mutex<HashMap<[u8; 64], Instant>>,
}

impl Default for Cache {
    fn default() -> Self {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        Self { key, ok: Mutex::default() }
    }
}

impl Cache {
    fn digest(&self, name: &str, phc: &str, secret: &str) -> [u8; 64] {
        let mut d = Blake2b512::new();
        for part in [&self.key[..], name.as_bytes(), b"\0", phc.as_bytes(), b"\0", secret.as_bytes()] {
            d.update(part);
        }
        d.finalize().into()
    }

    /// Whether this exact check succeeded less than [`CACHE_TTL`] ago.
    pub fn hit(&self, name: &str, phc: &str, secret: &str) -> bool {
        let k = self.digest(name, phc, secret);
        let map = self.ok.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&k).is_some_and(|t| t.elapsed() < CACHE_TTL)
    }

    /// Remember a successful check (expired ones are dropped as new ones come).
    pub fn remember(&self, name: &str, phc: &str, secret: &str) {
        let k = self.digest(name, phc, secret);
        let mut map = self.ok.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() > 4096 {
            map.retain(|_, t| t.elapsed() < CACHE_TTL);
        }
        map.insert(k, Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_secret_only() {
        let h = hash("correct horse").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(super::super::users::check_hash(&h).is_ok());
        assert!(verify("correct horse", &h));
        assert!(!verify("correct hors", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn the_cache_remembers_a_success_for_that_exact_hash_and_secret() {
        let c = Cache::default();
        assert!(!c.hit("ann", "$h1", "pw"));
        c.remember("ann", "$h1", "pw");
        assert!(c.hit("ann", "$h1", "pw"));
        assert!(!c.hit("ann", "$h2", "pw"), "a changed hash is a new check");
        assert!(!c.hit("ann", "$h1", "pw2"));
        assert!(!c.hit("bob", "$h1", "pw"));
    }
}
