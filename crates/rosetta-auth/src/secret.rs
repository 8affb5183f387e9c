//! Random tokens and keys, and how they are stored (SHA-256, lower-case hex).

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `bytes` random bytes from the operating system's CSPRNG, hex-encoded (lower case).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A new Opsview session token: 32 lower-case hex characters.
pub fn new_token() -> String {
    random_hex(16)
}

/// A new openITCOCKPIT API key: 160 lower-case hex characters.
pub fn new_api_key() -> String {
    random_hex(80)
}

/// The stored form of a token or key.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Constant-time equality of two byte strings.
pub fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.ct_eq(right).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_keys_have_the_products_shapes() {
        let token = new_token();
        assert_eq!(token.len(), 32);
        assert!(token.chars().all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase()));
        let key = new_api_key();
        assert_eq!(key.len(), 160);
        assert_ne!(new_token(), new_token());
        assert_eq!(hash_secret("x"), hash_secret("x"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
    }
}
