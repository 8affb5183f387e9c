//! Tests of the authentication service against the in-memory store.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use rosetta_model::*;
use rosetta_store::{Actor, Db, MemoryStore, StoreError};

use crate::*;

async fn setup(config: AuthConfig) -> (Auth, Arc<User>) {
    let db = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("db"));
    let hash = config.hasher.hash("secret").expect("hash");
    let user = db
        .write(Actor::system(), |tx| {
            let role = tx.insert(Role {
                meta: Meta::new(0),
                name: "Administrator".into(),
                description: String::new(),
                permissions: PermissionSet::all(),
                hostgroups: vec![],
                native: Native::new(),
            });
            Ok::<_, StoreError>(tx.insert(User {
                meta: Meta::new(0),
                login: "admin".into(),
                fullname: "Administrator".into(),
                email: String::new(),
                role: role.meta.id,
                tenants: vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Write }],
                active: true,
                password_hash: Some(hash),
                native: Native::new(),
            }))
        })
        .await
        .expect("seed");
    (Auth::new(db, config), user)
}

fn cheap() -> AuthConfig {
    AuthConfig { hasher: PasswordHasher::cheap(), ..AuthConfig::default() }
}

#[tokio::test]
async fn every_credential_kind_resolves_to_the_same_user() {
    let (auth, user) = setup(cheap()).await;
    let (token, by_password) = auth.login("admin", "secret", None, "test").await.expect("login");
    assert_eq!(token.len(), 32);
    let by_token = auth.authenticate(&Credentials::Token { login: "admin".into(), token: token.clone() }, None).await.expect("token");
    let by_basic = auth.authenticate(&Credentials::Basic { login: "admin".into(), password: "secret".into() }, None).await.expect("basic");
    let key = auth.create_api_key(user.meta.id, "ci", Actor::system()).await.expect("key");
    let by_key = auth.authenticate(&Credentials::ApiKey { key: key.key.clone() }, None).await.expect("key auth");
    for (principal, method) in [
        (&by_password, AuthMethod::Password),
        (&by_token, AuthMethod::Token),
        (&by_basic, AuthMethod::Basic),
        (&by_key, AuthMethod::ApiKey),
    ] {
        assert_eq!(principal.user.meta.id, user.meta.id);
        assert_eq!(principal.method, method);
        assert!(principal.scope.writes_everything());
    }
    assert!(auth.db().get::<ApiKey>(key.record.meta.id).expect("key").last_use.is_some());
    // Only hashes are stored.
    assert!(auth.db().all::<Session>().iter().all(|session| session.token_hash != token));
    assert!(auth.db().all::<ApiKey>().iter().all(|stored| stored.key_hash != key.key));
}

#[tokio::test]
async fn wrong_secrets_revoked_keys_and_logged_out_tokens_fail() {
    let (auth, user) = setup(cheap()).await;
    let bad = Credentials::Basic { login: "admin".into(), password: "nope".into() };
    assert!(matches!(auth.authenticate(&bad, None).await, Err(AuthError::InvalidCredentials)));
    let (token, _) = auth.login("admin", "secret", None, "test").await.expect("login");
    let wrong_user = Credentials::Token { login: "other".into(), token: token.clone() };
    assert!(matches!(auth.authenticate(&wrong_user, None).await, Err(AuthError::InvalidCredentials)));
    assert!(auth.logout(&token).await.expect("logout"));
    let logged_out = Credentials::Token { login: "admin".into(), token };
    assert!(matches!(auth.authenticate(&logged_out, None).await, Err(AuthError::InvalidCredentials)));
    let key = auth.create_api_key(user.meta.id, "", Actor::system()).await.expect("key");
    assert!(auth.revoke_api_key(key.record.meta.id, Actor::system()).await.expect("revoke"));
    let revoked = Credentials::ApiKey { key: key.key };
    assert!(matches!(auth.authenticate(&revoked, None).await, Err(AuthError::InvalidCredentials)));
}

#[tokio::test]
async fn tokens_expire_and_their_expiry_slides_on_use() {
    let config = AuthConfig { session_ttl: Duration::from_millis(1500), ..cheap() };
    let (auth, _) = setup(config).await;
    let (token, _) = auth.login("admin", "secret", None, "test").await.expect("login");
    let creds = Credentials::Token { login: "admin".into(), token };
    let first_expiry = auth.db().all::<Session>()[0].expires;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    auth.authenticate(&creds, None).await.expect("still valid");
    let slid = auth.db().all::<Session>()[0].expires;
    assert!(slid > first_expiry, "use extends the expiry");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    auth.authenticate(&creds, None).await.expect("valid thanks to the slide");
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert!(matches!(auth.authenticate(&creds, None).await, Err(AuthError::Expired)));
}

#[tokio::test]
async fn repeated_failures_lock_out_even_the_right_password() {
    let (auth, _) = setup(cheap()).await;
    for _ in 0..5 {
        assert!(matches!(auth.verify_password("admin", "wrong", Some("10.0.0.9")).await, Err(AuthError::InvalidCredentials)));
    }
    let locked = auth.verify_password("admin", "secret", Some("10.0.0.9")).await;
    assert!(matches!(locked, Err(AuthError::LockedOut { .. })), "{locked:?}");
    assert!(auth.db().all::<AuditEntry>().iter().any(|entry| entry.action == "lockout"));
}

#[tokio::test]
async fn basic_failures_lock_out_their_address() {
    let (auth, _) = setup(cheap()).await;
    let (noisy, quiet) = (Some(IpAddr::from([10, 0, 0, 7])), Some(IpAddr::from([10, 0, 0, 8])));
    let basic = |login: &str, password: &str| Credentials::Basic { login: login.into(), password: password.into() };
    for attempt in 0..5 {
        let failed = auth.authenticate(&basic(&format!("ghost{attempt}"), "guess"), noisy).await;
        assert!(matches!(failed, Err(AuthError::InvalidCredentials)), "{failed:?}");
    }
    let locked = auth.authenticate(&basic("admin", "secret"), noisy).await;
    assert!(matches!(locked, Err(AuthError::LockedOut { .. })), "{locked:?}");
    auth.authenticate(&basic("admin", "secret"), quiet).await.expect("another address is not locked out");
}

#[tokio::test]
async fn disabled_users_do_not_authenticate() {
    let (auth, user) = setup(cheap()).await;
    let key = auth.create_api_key(user.meta.id, "", Actor::system()).await.expect("key");
    let mut disabled = (*user).clone();
    disabled.active = false;
    auth.db().write(Actor::system(), |tx| Ok::<_, StoreError>(tx.update(disabled))).await.expect("disable");
    let result = auth.authenticate(&Credentials::ApiKey { key: key.key }, None).await;
    assert!(matches!(result, Err(AuthError::Disabled)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_basic_misses_check_the_password_once() {
    let (auth, user) = setup(cheap()).await;
    let auth = Arc::new(auth);
    let basic = Credentials::Basic { login: "admin".into(), password: "secret".into() };
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (auth, basic) = (Arc::clone(&auth), basic.clone());
            tokio::spawn(async move { auth.authenticate(&basic, None).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("join").expect("basic").user.meta.id, user.meta.id);
    }
    assert_eq!(auth.password_checks(), 1, "32 concurrent requests, one argon2 verification");
    let wrong = Credentials::Basic { login: "admin".into(), password: "nope".into() };
    assert!(auth.authenticate(&wrong, None).await.is_err());
    assert_eq!(auth.password_checks(), 2, "a wrong password is never served from the cache");
}

#[tokio::test]
async fn basic_credentials_in_steady_use_do_not_expire_together() {
    let (auth, _) = setup(AuthConfig { basic_cache_ttl: Duration::from_millis(1000), ..cheap() }).await;
    let basic = Credentials::Basic { login: "admin".into(), password: "secret".into() };
    for _ in 0..14 {
        auth.authenticate(&basic, None).await.expect("basic");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert_eq!(auth.password_checks(), 1, "each use in the second half of the entry's life extends it");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    auth.authenticate(&basic, None).await.expect("basic");
    assert_eq!(auth.password_checks(), 2, "an idle entry still expires");
}
