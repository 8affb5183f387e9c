//! The [`Auth`] service: verifies credentials, issues and revokes tokens and keys.

use std::sync::atomic::{AtomicU64, Ordering};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use rosetta_model::{ApiKey, Id, Kind, Meta, Role, Session, Tenant, Timestamp, User};
use rosetta_store::{Actor, Db, StoreError};
use sha2::{Digest, Sha256};

use crate::secret::{self, constant_time_eq, hash_secret};
use crate::throttle::Throttle;
use crate::{AuthMethod, Credentials, LockoutPolicy, PasswordHasher, Principal, TenantScope};

/// Authentication settings.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Idle lifetime of a session token; every use extends it (Opsview: one hour).
    pub session_ttl: Duration,
    /// How long verified Basic credentials are cached.
    pub basic_cache_ttl: Duration,
    /// Brute-force lockout.
    pub lockout: LockoutPolicy,
    /// Password hashing cost.
    pub hasher: PasswordHasher,
}

impl Default for AuthConfig {
    fn default() -> AuthConfig {
        AuthConfig {
            session_ttl: Duration::from_secs(3600),
            basic_cache_ttl: Duration::from_secs(60),
            lockout: LockoutPolicy::default(),
            hasher: PasswordHasher::production(),
        }
    }
}

/// Why authentication failed. Each dialect renders these in its own 401 shape.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown user, wrong password, unknown token or key.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The session token expired.
    #[error("token has expired")]
    Expired,
    /// The user is disabled.
    #[error("user is disabled")]
    Disabled,
    /// Too many failures; retry later.
    #[error("too many failed attempts; retry in {} s", .retry_after.as_secs().max(1))]
    LockedOut {
        /// Time left on the lockout.
        retry_after: Duration,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A newly created API key: the secret is shown once, only the record is stored.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// The key itself (160 hex characters).
    pub key: String,
    /// The stored record.
    pub record: Arc<ApiKey>,
}

#[derive(Debug, Clone)]
struct CachedBasic {
    user: Id,
    password_hash: String,
    expires: Instant,
}

/// The authentication service shared by every dialect.
pub struct Auth {
    db: Arc<Db>,
    config: AuthConfig,
    basic_cache: DashMap<[u8; 32], CachedBasic, FastHash>,
    /// One gate per credentials being verified, so concurrent misses wait for one password check.
    basic_inflight: DashMap<[u8; 32], Arc<tokio::sync::Mutex<()>>, FastHash>,
    password_checks: AtomicU64,
    cache_key: [u8; 32],
    throttle: Throttle,
    started: Instant,
    last_sweep_secs: AtomicU64,
    principals: DashMap<Id, CachedPrincipal, FastHash>,
}

/// The hasher of the caches on every request's path: their keys are keyed digests and store ids, which a
/// caller cannot pick to collide, so the fast hash is safe there.
type FastHash = foldhash::fast::RandomState;

/// A resolved principal and what it was resolved from; stale once any of those changed.
#[derive(Debug, Clone)]
struct CachedPrincipal {
    user_version: u64,
    role_version: u64,
    tenants_generation: u64,
    role: Arc<Role>,
    scope: Arc<TenantScope>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").finish_non_exhaustive()
    }
}

impl Auth {
    /// The service over `db`.
    pub fn new(db: Arc<Db>, config: AuthConfig) -> Auth {
        let cache_key = Sha256::digest(secret::random_hex(32).as_bytes()).into();
        Auth {
            db,
            config,
            basic_cache: DashMap::default(),
            basic_inflight: DashMap::default(),
            password_checks: AtomicU64::new(0),
            cache_key,
            throttle: Throttle::default(),
            started: Instant::now(),
            last_sweep_secs: AtomicU64::new(0),
            principals: DashMap::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// The store.
    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// Hashes a password with the configured cost.
    pub fn hash_password(&self, password: &str) -> Result<String, String> {
        self.config.hasher.hash(password)
    }

    /// Verifies request credentials (Basic, token, API key) and resolves them to a principal; `client`,
    /// the caller's address, throttles password checks.
    pub async fn authenticate(&self, credentials: &Credentials, client: Option<IpAddr>) -> Result<Principal, AuthError> {
        match credentials {
            Credentials::Basic { login, password } => self.verify_basic(login, password, client).await,
            Credentials::Token { login, token } => self.verify_token(login, token).await,
            Credentials::ApiKey { key } => self.verify_api_key(key).await,
        }
    }

    /// Verifies a login name and password (throttled) and resolves them to a principal.
    pub async fn verify_password(&self, login: &str, password: &str, client: Option<&str>) -> Result<Principal, AuthError> {
        let user = self.check_password(login, password, client).await?;
        self.principal(user, AuthMethod::Password)
    }

    /// Logs in with a password and issues a session token. Returns the token and the principal.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        client: Option<&str>,
        dialect: &str,
    ) -> Result<(String, Principal), AuthError> {
        let user = self.check_password(login, password, client).await?;
        let principal = self.principal(Arc::clone(&user), AuthMethod::Password)?;
        let token = secret::new_token();
        let session = Session {
            meta: Meta::new(0),
            user: user.meta.id,
            token_hash: hash_secret(&token),
            expires: Timestamp::now().plus_millis(self.config.session_ttl.as_millis() as i64),
            dialect: dialect.to_owned(),
        };
        self.db
            .write(Actor::new(&user.login, dialect), |tx| {
                tx.insert(session);
                tx.audit("login", Some(Kind::User), Some(user.meta.id), "session token issued");
                Ok::<_, StoreError>(())
            })
            .await?;
        Ok((token, principal))
    }

    /// Ends the session of `token`; returns whether it existed.
    pub async fn logout(&self, token: &str) -> Result<bool, AuthError> {
        let Some(session) = self.db.find_by_name::<Session>(&hash_secret(token)) else {
            return Ok(false);
        };
        let user = self.db.get::<User>(session.user).map(|user| user.login.clone()).unwrap_or_default();
        self.db
            .write(Actor::new(user, session.dialect.clone()), |tx| {
                tx.delete::<Session>(session.meta.id);
                tx.audit("logout", Some(Kind::User), Some(session.user), "session token revoked");
                Ok::<_, StoreError>(true)
            })
            .await
            .map_err(AuthError::from)
    }

    /// Creates an API key for `user`.
    pub async fn create_api_key(&self, user: Id, description: &str, actor: Actor) -> Result<NewApiKey, AuthError> {
        self.save_api_key(user, secret::new_api_key(), description, actor).await
    }

    /// Stores a key generated earlier with [`secret::new_api_key`] (openITCOCKPIT shows a candidate
    /// before saving it). Only its hash is kept.
    pub async fn save_api_key(&self, user: Id, key: String, description: &str, actor: Actor) -> Result<NewApiKey, AuthError> {
        let record = ApiKey {
            meta: Meta::new(0),
            user,
            key_hash: hash_secret(&key),
            prefix: key.chars().take(8).collect(),
            description: description.to_owned(),
            last_use: None,
        };
        let record = self
            .db
            .write(actor, |tx| {
                let record = tx.insert(record);
                let detail = format!("api key {} created", record.prefix);
                tx.audit("apikey.create", Some(Kind::User), Some(user), detail);
                Ok::<_, StoreError>(record)
            })
            .await?;
        Ok(NewApiKey { key, record })
    }

    /// Revokes API key `id`; returns whether it existed.
    pub async fn revoke_api_key(&self, id: Id, actor: Actor) -> Result<bool, AuthError> {
        self.db
            .write(actor, |tx| {
                let Some(key) = tx.get::<ApiKey>(id) else {
                    return Ok(false);
                };
                tx.delete::<ApiKey>(id);
                let detail = format!("api key {} revoked", key.prefix);
                tx.audit("apikey.revoke", Some(Kind::User), Some(key.user), detail);
                Ok::<_, StoreError>(true)
            })
            .await
            .map_err(AuthError::from)
    }

    /// Resolves an active user to a principal.
    pub fn principal(&self, user: Arc<User>, method: AuthMethod) -> Result<Principal, AuthError> {
        if !user.active {
            return Err(AuthError::Disabled);
        }
        let role = self.db.get::<Role>(user.role).ok_or(AuthError::InvalidCredentials)?;
        let tenants_generation = self.db.generation::<Tenant>();
        if let Some(cached) = self.principals.get(&user.meta.id) {
            if cached.user_version == user.meta.version
                && cached.role_version == role.meta.version
                && cached.role.meta.id == role.meta.id
                && cached.tenants_generation == tenants_generation
            {
                let (role, scope) = (Arc::clone(&cached.role), Arc::clone(&cached.scope));
                return Ok(Principal { user, role, method, scope });
            }
        }
        let tenants: Vec<Arc<Tenant>> = self.db.all::<Tenant>();
        let scope = Arc::new(TenantScope::for_user(&user, &tenants));
        self.principals.insert(
            user.meta.id,
            CachedPrincipal {
                user_version: user.meta.version,
                role_version: role.meta.version,
                tenants_generation,
                role: Arc::clone(&role),
                scope: Arc::clone(&scope),
            },
        );
        Ok(Principal { user, role, method, scope })
    }

    async fn check_password(&self, login: &str, password: &str, client: Option<&str>) -> Result<Arc<User>, AuthError> {
        let now = Instant::now();
        self.sweep_now_and_then(now);
        let user_key = format!("user:{}", login.to_lowercase());
        let addr_key = client.map(|addr| format!("addr:{addr}"));
        let keys: Vec<&String> = std::iter::once(&user_key).chain(addr_key.as_ref()).collect();
        for key in &keys {
            if let Some(retry_after) = self.throttle.locked(key, now) {
                return Err(AuthError::LockedOut { retry_after });
            }
        }
        let user = self.find_fresh::<User>(login).await?;
        let hasher = self.config.hasher.clone();
        let password = password.to_owned();
        let stored = user.as_ref().and_then(|user| user.password_hash.clone());
        let verified = tokio::task::spawn_blocking(move || match stored {
            Some(hash) => hasher.verify(&password, &hash),
            None => {
                hasher.verify_dummy(&password);
                false
            }
        })
        .await
        .unwrap_or(false);
        match user {
            Some(user) if verified => {
                for key in &keys {
                    self.throttle.succeed(key);
                }
                if !user.active {
                    return Err(AuthError::Disabled);
                }
                Ok(user)
            }
            _ => {
                let locked: Vec<String> = keys
                    .iter()
                    .filter(|key| self.throttle.fail(key, self.config.lockout, now))
                    .map(|key| (*key).clone())
                    .collect();
                if !locked.is_empty() {
                    tracing::warn!(login, locked = ?locked, "login locked out after repeated failures");
                    let detail = format!("locked out after repeated failures: {}", locked.join(", "));
                    self.db
                        .write(Actor::new(login, "auth"), |tx| {
                            tx.audit("lockout", Some(Kind::User), None, detail);
                            Ok::<_, StoreError>(())
                        })
                        .await?;
                }
                Err(AuthError::InvalidCredentials)
            }
        }
    }

    fn sweep_now_and_then(&self, now: Instant) {
        let secs = now.duration_since(self.started).as_secs();
        let last = self.last_sweep_secs.load(Ordering::Relaxed);
        if secs >= last + 60
            && self.last_sweep_secs.compare_exchange(last, secs, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            self.throttle.sweep(self.config.lockout, now);
            self.basic_cache.retain(|_, entry| entry.expires > now);
        }
    }

    /// How many Basic requests went to the password hasher (cache misses), for tests and metrics.
    pub fn password_checks(&self) -> u64 {
        self.password_checks.load(Ordering::Relaxed)
    }

    /// The user behind cached Basic credentials, if they are cached and still match the user's current
    /// password hash. A hit in the second half of the entry's life extends it, so credentials in steady
    /// use never expire all at once (which made every in-flight request run argon2 together).
    fn cached_basic_user(&self, cache_key: &[u8; 32], login: &str) -> Option<Arc<User>> {
        let now = Instant::now();
        let (user, refresh) = self.basic_cache.get(cache_key).and_then(|entry| {
            if entry.expires <= now {
                return None;
            }
            let user = self.db.get::<User>(entry.user)?;
            let unchanged = user
                .password_hash
                .as_deref()
                .is_some_and(|hash| constant_time_eq(hash.as_bytes(), entry.password_hash.as_bytes()));
            let refresh = entry.expires < now + self.config.basic_cache_ttl / 2;
            (unchanged && user.login == login).then_some((user, refresh))
        })?;
        if refresh {
            if let Some(mut entry) = self.basic_cache.get_mut(cache_key) {
                entry.expires = now + self.config.basic_cache_ttl;
            }
        }
        Some(user)
    }

    async fn verify_basic(&self, login: &str, password: &str, client: Option<IpAddr>) -> Result<Principal, AuthError> {
        let cache_key = self.basic_cache_key(login, password);
        if let Some(user) = self.cached_basic_user(&cache_key, login) {
            return self.principal(user, AuthMethod::Basic);
        }
        let gate = Arc::clone(self.basic_inflight.entry(cache_key).or_default().value());
        let verified = async {
            let _turn = gate.lock().await;
            // Another request may have checked these credentials while this one waited.
            if let Some(user) = self.cached_basic_user(&cache_key, login) {
                return Ok::<_, AuthError>(user);
            }
            self.basic_cache.remove(&cache_key);
            self.password_checks.fetch_add(1, Ordering::Relaxed);
            // The address is only formatted when the password is checked, not on every cached request.
            let client = client.map(|ip| ip.to_string());
            let user = self.check_password(login, password, client.as_deref()).await?;
            if let Some(hash) = &user.password_hash {
                self.basic_cache.insert(
                    cache_key,
                    CachedBasic {
                        user: user.meta.id,
                        password_hash: hash.clone(),
                        expires: Instant::now() + self.config.basic_cache_ttl,
                    },
                );
            }
            Ok(user)
        }
        .await;
        drop(gate);
        self.basic_inflight.remove_if(&cache_key, |_, gate| Arc::strong_count(gate) == 1);
        self.principal(verified?, AuthMethod::Basic)
    }

    /// A keyed hash of the credentials, so the cache never holds a password.
    fn basic_cache_key(&self, login: &str, password: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.cache_key);
        hasher.update((login.len() as u64).to_le_bytes());
        hasher.update(login.as_bytes());
        hasher.update(password.as_bytes());
        hasher.finalize().into()
    }

    /// Looks `name` up, and on a miss (another replica or the CLI may have just created it) follows the
    /// store's changes once and looks again.
    async fn find_fresh<T: rosetta_store::Object>(&self, name: &str) -> Result<Option<Arc<T>>, AuthError> {
        if let Some(found) = self.db.find_by_name::<T>(name) {
            return Ok(Some(found));
        }
        self.db.sync_external_changes().await?;
        Ok(self.db.find_by_name::<T>(name))
    }

    async fn verify_token(&self, login: &str, token: &str) -> Result<Principal, AuthError> {
        let session = self.find_fresh::<Session>(&hash_secret(token)).await?.ok_or(AuthError::InvalidCredentials)?;
        let user = self.db.get::<User>(session.user).ok_or(AuthError::InvalidCredentials)?;
        if !user.login.eq_ignore_ascii_case(login) {
            return Err(AuthError::InvalidCredentials);
        }
        let now = Timestamp::now();
        if session.expires <= now {
            return Err(AuthError::Expired);
        }
        let principal = self.principal(user, AuthMethod::Token)?;
        // Slide the expiry; persisting it at most about once a minute keeps reads from becoming writes.
        let ttl = self.config.session_ttl.as_millis() as i64;
        let new_expiry = now.plus_millis(ttl);
        if new_expiry.millis() - session.expires.millis() >= (ttl / 60).clamp(1, 60_000) {
            let mut renewed = (*session).clone();
            renewed.expires = new_expiry;
            let written = self
                .db
                .write(Actor::new(principal.login(), "auth"), |tx| {
                    if tx.get::<Session>(renewed.meta.id).is_some() {
                        tx.update(renewed);
                    }
                    Ok::<_, StoreError>(())
                })
                .await;
            // Sliding the expiry is best effort: a concurrent slide by another replica is as good.
            if let Err(err) = written {
                tracing::debug!(error = %err, "could not extend the session expiry");
            }
        }
        Ok(principal)
    }

    async fn verify_api_key(&self, key: &str) -> Result<Principal, AuthError> {
        let record = self.find_fresh::<ApiKey>(&hash_secret(key)).await?.ok_or(AuthError::InvalidCredentials)?;
        let user = self.db.get::<User>(record.user).ok_or(AuthError::InvalidCredentials)?;
        let principal = self.principal(user, AuthMethod::ApiKey)?;
        let now = Timestamp::now();
        // `last_use` has one-minute resolution so a busy key does not write on every request.
        if record.last_use.is_none_or(|last| now.millis() - last.millis() >= 60_000) {
            let mut used = (*record).clone();
            used.last_use = Some(now);
            let written = self
                .db
                .write(Actor::new(principal.login(), "auth"), |tx| {
                    if tx.get::<ApiKey>(used.meta.id).is_some() {
                        tx.update(used);
                    }
                    Ok::<_, StoreError>(())
                })
                .await;
            // Recording the last use is best effort; it must not turn a valid key into an error.
            if let Err(err) = written {
                tracing::debug!(error = %err, "could not record the API key's last use");
            }
        }
        Ok(principal)
    }
}

#[cfg(test)]
mod tests;
