//! argon2id password hashing.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Hashes and verifies passwords with argon2id.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash of a random password, verified when a login names an unknown user, so that unknown and
    /// known users take the same time to refuse.
    dummy_hash: String,
}

impl PasswordHasher {
    /// A hasher with the given cost: memory in KiB, iterations, parallelism.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<PasswordHasher, String> {
        let params = Params::new(memory_kib, iterations, parallelism, None).map_err(|err| err.to_string())?;
        let mut hasher = PasswordHasher { params, dummy_hash: String::new() };
        hasher.dummy_hash = hasher.hash(&crate::secret::random_hex(16))?;
        Ok(hasher)
    }

    /// OWASP's recommended argon2id cost (19 MiB, 2 iterations, 1 lane).
    pub fn production() -> PasswordHasher {
        PasswordHasher::new(19 * 1024, 2, 1).unwrap_or_else(|_| PasswordHasher::cheap())
    }

    /// The cheapest legal cost, for tests that are not about hashing.
    pub fn cheap() -> PasswordHasher {
        let params = Params::new(8, 1, 1, None).unwrap_or_default();
        let mut hasher = PasswordHasher { params, dummy_hash: String::new() };
        hasher.dummy_hash = hasher.hash("dummy").unwrap_or_default();
        hasher
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A PHC string for `password` with a fresh salt.
    pub fn hash(&self, password: &str) -> Result<String, String> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|err| err.to_string())
    }

    /// True when `password` matches the PHC string `hash` (in constant time).
    pub fn verify(&self, password: &str, hash: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        self.argon2().verify_password(password.as_bytes(), &parsed).is_ok()
    }

    /// Burns the time of one verification, for logins that name no known user.
    pub fn verify_dummy(&self, password: &str) {
        let _ = self.verify(password, &self.dummy_hash);
    }
}
