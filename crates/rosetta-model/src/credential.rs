//! Persisted credential records. Secrets are stored only as hashes.

use serde::{Deserialize, Serialize};

use crate::{Id, Meta, Timestamp};

/// An Opsview-style session token; only its hash is stored so any replica can verify it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Identity.
    pub meta: Meta,
    /// The user the token belongs to.
    pub user: Id,
    /// Lower-case hex SHA-256 of the token.
    pub token_hash: String,
    /// When the token stops working unless used again.
    pub expires: Timestamp,
    /// The dialect that issued it.
    #[serde(default)]
    pub dialect: String,
}

/// An openITCOCKPIT-style API key; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Identity.
    pub meta: Meta,
    /// The user the key belongs to.
    pub user: Id,
    /// Lower-case hex SHA-256 of the key.
    pub key_hash: String,
    /// The first characters of the key, to tell keys apart in listings.
    pub prefix: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Last successful use.
    #[serde(default)]
    pub last_use: Option<Timestamp>,
}
