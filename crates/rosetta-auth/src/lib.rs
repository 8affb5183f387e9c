//! Who the caller is and what they may see.
//!
//! Every credential kind — a password (Opsview login, openITCOCKPIT login), HTTP Basic (OpenNMS), an
//! Opsview session token and an openITCOCKPIT API key — resolves to one [`Principal`]: the user, the
//! permissions of their role, their tenant scope and how they authenticated.
//!
//! Secrets are never stored: passwords as argon2id PHC strings, tokens and keys as SHA-256 hashes, so
//! any replica sharing the store can verify them. Verified Basic credentials are cached under a keyed
//! hash for a short time so a Basic request does not pay argon2 every time. Failed attempts are
//! throttled per user and per client address.
//!
//! Layout: [`credentials`] (what a caller presents), [`principal`] (who they are), [`password`]
//! (argon2id), [`secret`] (tokens and keys), [`throttle`] (lockout), [`service`] (the [`Auth`] service).

pub mod credentials;
pub mod password;
pub mod principal;
pub mod secret;
pub mod service;
pub mod throttle;

pub use credentials::{parse_basic, AuthMethod, Credentials};
pub use password::PasswordHasher;
pub use principal::{Principal, TenantScope};
pub use service::{Auth, AuthConfig, AuthError, NewApiKey};
pub use throttle::LockoutPolicy;
