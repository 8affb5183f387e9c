//! Shared helpers: API keys, extra users, requests with the product's header.

use rosetta_model::*;
use rosetta_store::Actor;
use serde_json::Value;

use crate::harness::{self, Reply, TestServer};

/// Creates an API key for the user `login`.
pub async fn key_for(server: &TestServer, login: &str) -> String {
    let user = server.db.find_by_name::<User>(login).expect("user exists");
    server.app.auth.create_api_key(user.meta.id, "test", Actor::system()).await.expect("api key").key
}

/// Inserts a user with a role (by name) and tenant access, returns its login.
pub async fn add_user(server: &TestServer, login: &str, role: &str, tenants: Vec<TenantAccess>) -> String {
    let role = server.db.find_by_name::<Role>(role).expect("role").meta.id;
    let user = User {
        meta: Meta::new(0),
        login: login.to_owned(),
        fullname: login.to_owned(),
        email: format!("{login}@example.org"),
        role,
        tenants,
        active: true,
        password_hash: None,
        native: Native::new(),
    };
    server
        .db
        .write(Actor::system(), |tx| {
            tx.insert(user);
            Ok::<_, rosetta_store::StoreError>(())
        })
        .await
        .expect("insert user");
    login.to_owned()
}

/// A request with `Authorization: X-OITC-API <key>`.
pub async fn send(server: &TestServer, method: &str, path: &str, key: &str, body: Option<&Value>) -> Reply {
    let url = server.url(path);
    let call = match method {
        "POST" => harness::post(url),
        "PUT" => harness::put(url),
        "DELETE" => harness::delete(url),
        _ => harness::get(url),
    };
    let call = call.header("Authorization", &format!("X-OITC-API {key}"));
    match body {
        Some(body) => call.json(body).send().await,
        None => call.send().await,
    }
}

/// Runs the export and waits until it finished.
pub async fn export(server: &TestServer, key: &str) {
    let reply = send(server, "POST", "/exports/launchExport.json?angular=true", key, Some(&serde_json::json!({}))).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    for _ in 0..100 {
        let reply = send(server, "GET", "/exports/broadcast.json", key, None).await;
        if reply.json()["exportFinished"] == true {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("export did not finish");
}

/// Adds a host through the API and returns its id.
pub async fn add_host(server: &TestServer, key: &str, name: &str, container: i64) -> i64 {
    let body = serde_json::json!({"Host": {"name": name, "address": "10.0.0.1", "container_id": container, "hosttemplate_id": 1}});
    let reply = send(server, "POST", "/hosts/add.json?angular=true", key, Some(&body)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["id"].as_i64().expect("id")
}
