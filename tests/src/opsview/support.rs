//! Shared helpers for the Opsview tests: logging in, token headers, and users arranged directly in
//! the store.

use rosetta_model::{Meta, Native, Role, Session, TenantAccess, TenantLevel, Timestamp, User, ROOT_TENANT};
use rosetta_store::Actor;

use crate::harness::{post, Call, TestServer, ADMIN_PASSWORD};

/// `/rest` + `path`.
pub fn rest(server: &TestServer, path: &str) -> String {
    server.url(&format!("/rest{path}"))
}

/// Logs in through `POST /rest/login` and returns the token.
pub async fn login(server: &TestServer, username: &str, password: &str) -> String {
    let reply = post(rest(server, "/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await;
    assert_eq!(reply.status, 200, "login failed: {}", reply.text());
    reply.json()["token"].as_str().expect("token").to_owned()
}

/// Logs in as the administrator.
pub async fn admin_token(server: &TestServer) -> String {
    login(server, "admin", ADMIN_PASSWORD).await
}

/// Adds the Opsview token headers (and the JSON content type every client sends).
pub fn with_token(call: Call, username: &str, token: &str) -> Call {
    call.header("X-Opsview-Username", username)
        .header("X-Opsview-Token", token)
        .header("Content-Type", "application/json")
}

/// Creates a user directly in the store with the named built-in or new role; returns nothing.
pub async fn user_with_role(server: &TestServer, login: &str, password: &str, role: &str, permissions: &[&str]) {
    let hash = server.app.auth.hash_password(password).expect("hash");
    let login = login.to_owned();
    let role = role.to_owned();
    let permissions: Vec<String> = permissions.iter().map(|p| (*p).to_owned()).collect();
    server
        .db
        .write(Actor::new("test", "test"), move |tx| {
            let role_id = match tx.find_by_name::<Role>(&role) {
                Some(role) => role.meta.id,
                None => {
                    let set =
                        permissions.iter().filter_map(|name| rosetta_model::Permission::from_name(name)).collect();
                    tx.insert(Role {
                        meta: Meta::new(0),
                        name: role.clone(),
                        description: String::new(),
                        permissions: set,
                        hostgroups: vec![],
                        native: Native::new(),
                    })
                    .meta
                    .id
                }
            };
            tx.insert(User {
                meta: Meta::new(0),
                login: login.clone(),
                fullname: login.clone(),
                email: String::new(),
                role: role_id,
                tenants: vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Write }],
                active: true,
                password_hash: Some(hash),
                native: Native::new(),
            });
            Ok::<_, rosetta_store::StoreError>(())
        })
        .await
        .expect("arrange user");
}

/// A session token for `admin` that expired a minute ago.
pub async fn expired_token(server: &TestServer) -> String {
    let token = rosetta_auth::secret::new_token();
    let hash = rosetta_auth::secret::hash_secret(&token);
    server
        .db
        .write(Actor::new("test", "test"), move |tx| {
            let admin = tx.find_by_name::<User>("admin").expect("admin").meta.id;
            tx.insert(Session {
                meta: Meta::new(0),
                user: admin,
                token_hash: hash,
                expires: Timestamp::now().plus_millis(-60_000),
                dialect: "opsview".to_owned(),
            });
            Ok::<_, rosetta_store::StoreError>(())
        })
        .await
        .expect("arrange session");
    token
}
