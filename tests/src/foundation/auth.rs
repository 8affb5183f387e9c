//! Every credential kind resolves to one principal; failures get the 401 shape; tokens slide; throttling.

use std::time::Duration;

use rosetta_model::User;
use rosetta_store::Actor;

use crate::harness::{get, TestServer, ADMIN_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_three_credential_kinds_resolve_to_the_same_user() {
    let server = TestServer::start().await;
    let (token, _) = server.app.auth.login("admin", ADMIN_PASSWORD, None, "test").await.expect("login");
    let admin = server.db.find_by_name::<User>("admin").expect("admin");
    let key = server.app.auth.create_api_key(admin.meta.id, "test", Actor::system()).await.expect("key");

    let by_basic = get(server.url("/api/v1/whoami")).basic("admin", ADMIN_PASSWORD).send().await;
    let by_token = get(server.url("/api/v1/whoami"))
        .header("X-Opsview-Username", "admin")
        .header("X-Opsview-Token", &token)
        .send()
        .await;
    let by_key = get(server.url("/api/v1/whoami")).header("Authorization", &format!("X-OITC-API {}", key.key)).send().await;

    for (reply, method) in [(&by_basic, "basic"), (&by_token, "token"), (&by_key, "apikey")] {
        assert_eq!(reply.status, 200, "{method}: {}", reply.text());
        let body = reply.json();
        assert_eq!(body["id"], admin.meta.id, "{method}");
        assert_eq!(body["login"], "admin");
        assert_eq!(body["role"], "Administrator");
        assert_eq!(body["authenticated_by"], method);
        assert!(body["permissions"].as_array().expect("list").iter().any(|p| p == "VIEWALL"));
        assert!(body["opennms_roles"].as_array().expect("list").iter().any(|r| r == "ROLE_ADMIN"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_expired_token_and_revoked_key_get_401() {
    let server = TestServer::start_with(|config| config.auth.session_ttl_secs = 1).await;
    let wrong = get(server.url("/api/v1/whoami")).basic("admin", "not-the-password").send().await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["error"]["message"], "Invalid username or password");
    assert_eq!(wrong.header("www-authenticate"), Some("Basic realm=\"Rosetta\""));

    let (token, _) = server.app.auth.login("admin", ADMIN_PASSWORD, None, "test").await.expect("login");
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let expired = get(server.url("/api/v1/whoami"))
        .header("x-opsview-username", "admin")
        .header("x-opsview-token", &token)
        .send()
        .await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json()["error"]["message"], "Token has expired");

    let admin = server.db.find_by_name::<User>("admin").expect("admin");
    let key = server.app.auth.create_api_key(admin.meta.id, "", Actor::system()).await.expect("key");
    assert!(server.app.auth.revoke_api_key(key.record.meta.id, Actor::system()).await.expect("revoke"));
    let revoked = get(server.url("/api/v1/whoami")).header("Authorization", &format!("X-OITC-API {}", key.key)).send().await;
    assert_eq!(revoked.status, 401);
    assert_eq!(revoked.json()["error"]["kind"], "unauthenticated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokens_expiry_slides_on_use() {
    let server = TestServer::start_with(|config| config.auth.session_ttl_secs = 2).await;
    let (token, _) = server.app.auth.login("admin", ADMIN_PASSWORD, None, "test").await.expect("login");
    let call = || {
        get(server.url("/api/v1/whoami")).header("x-opsview-username", "admin").header("x-opsview-token", &token).send()
    };
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(call().await.status, 200, "each use pushes the expiry back");
    }
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(call().await.status, 401, "an idle token expires");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_refuses_even_the_right_password_after_repeated_failures() {
    let server = TestServer::start().await;
    for attempt in 1..=5 {
        let reply = get(server.url("/api/v1/whoami")).basic("admin", "bad-guess").send().await;
        assert_eq!(reply.status, 401, "attempt {attempt}");
    }
    let locked = get(server.url("/api/v1/whoami")).basic("admin", ADMIN_PASSWORD).send().await;
    assert_eq!(locked.status, 429, "{}", locked.text());
    assert_eq!(locked.json()["error"]["kind"], "too_many_requests");
    let audit = server.db.all::<rosetta_model::AuditEntry>();
    assert!(audit.iter().any(|entry| entry.action == "lockout"), "the lockout is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_credentials_are_refused_cleanly() {
    let server = TestServer::start().await;
    for header in ["Basic !!!not-base64", "Basic Og==", "Basic", "X-OITC-API x", "Negotiate abc"] {
        let reply = get(server.url("/api/v1/whoami")).header("Authorization", header).send().await;
        assert_eq!(reply.status, 401, "{header}: {}", reply.text());
        assert_eq!(reply.json()["error"]["kind"], "unauthenticated");
    }
    let reply = get(server.url("/api/v1/whoami")).header("x-opsview-username", "admin").header("x-opsview-token", "").send().await;
    assert_eq!(reply.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_dialects_current_user_is_the_same_user_whatever_the_credential_kind() {
    let server = TestServer::start().await;
    let (token, _) = server.app.auth.login("admin", ADMIN_PASSWORD, None, "test").await.expect("login");
    let admin = server.db.find_by_name::<User>("admin").expect("admin");
    let key = server.app.auth.create_api_key(admin.meta.id, "test", Actor::system()).await.expect("key");

    let opsview = get(server.url("/rest/user"))
        .header("content-type", "application/json")
        .header("x-opsview-username", "admin")
        .header("x-opsview-token", &token)
        .send()
        .await;
    assert_eq!(opsview.status, 200, "{}", opsview.text());
    assert_eq!(opsview.json()["name"], "admin");
    assert_eq!(opsview.json()["access_list"]["VIEWALL"], "1");

    let opennms = get(server.url("/opennms/rest/whoami")).basic("admin", ADMIN_PASSWORD).header("accept", "application/json").send().await;
    assert_eq!(opennms.status, 200, "{}", opennms.text());
    assert!(opennms.text().contains("admin"), "{}", opennms.text());
    assert!(opennms.text().contains("ROLE_ADMIN"), "{}", opennms.text());

    let oitc = get(server.url("/hosts/index.json?angular=true")).header("authorization", &format!("X-OITC-API {}", key.key)).send().await;
    assert_eq!(oitc.status, 200, "{}", oitc.text());
    assert_eq!(oitc.json()["username"], "Administrator");

    // Any credential kind works on any mount: the Opsview current user through an API key.
    let crossed = get(server.url("/rest/user"))
        .header("content-type", "application/json")
        .header("authorization", &format!("X-OITC-API {}", key.key))
        .send()
        .await;
    assert_eq!(crossed.json()["name"], "admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_dialect_answers_bad_credentials_in_its_own_401_shape() {
    let server = TestServer::start_with(|config| config.auth.session_ttl_secs = 1).await;
    let opsview_bad = get(server.url("/rest/info"))
        .header("content-type", "application/json")
        .header("x-opsview-username", "admin")
        .header("x-opsview-token", "0123456789abcdef0123456789abcdef")
        .send()
        .await;
    assert_eq!(opsview_bad.status, 401);
    assert!(opsview_bad.json()["message"].is_string(), "Opsview error body: {}", opsview_bad.text());
    let (token, _) = server.app.auth.login("admin", ADMIN_PASSWORD, None, "test").await.expect("login");
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let expired = get(server.url("/rest/info"))
        .header("content-type", "application/json")
        .header("x-opsview-username", "admin")
        .header("x-opsview-token", &token)
        .send()
        .await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json()["message"], "Token has expired");

    let opennms = get(server.url("/opennms/rest/info")).basic("admin", "wrong-password").send().await;
    assert_eq!(opennms.status, 401);
    assert_eq!(opennms.header("www-authenticate"), Some("Basic realm=\"OpenNMS Realm\""));
    let opennms_xhr =
        get(server.url("/opennms/rest/info")).basic("admin", "wrong-password").header("x-requested-with", "XMLHttpRequest").send().await;
    assert_eq!(opennms_xhr.status, 401);
    assert_eq!(opennms_xhr.header("www-authenticate"), None, "no browser pop-up for XHR clients");

    let admin = server.db.find_by_name::<User>("admin").expect("admin");
    let key = server.app.auth.create_api_key(admin.meta.id, "", Actor::system()).await.expect("key");
    server.app.auth.revoke_api_key(key.record.meta.id, Actor::system()).await.expect("revoke");
    let oitc = get(server.url("/hosts/index.json")).header("authorization", &format!("X-OITC-API {}", key.key)).send().await;
    assert_eq!(oitc.status, 401);
    assert!(oitc.body.is_empty(), "openITCOCKPIT answers 401 with an empty body");
}
