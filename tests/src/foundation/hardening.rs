//! Bounded resources and secret hygiene: secrets never reach a log line, SIGTERM drains a crowd of
//! in-flight requests, the connection limit holds.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{get, post, signals, test_config, ServerProcess, TempDir, ADMIN_PASSWORD};

fn basic(login: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_appear_in_the_logs() {
    let dir = TempDir::new("redaction");
    let config = test_config(dir.path());
    let log = dir.path().join("gateway.log");
    let mut process = ServerProcess::spawn_with_log(dir.path(), &config, "", Some(&log)).await;
    // An Opsview login with the password in the URL, as Opsview::RestAPI sends it.
    let login = post(process.url(&format!("/rest/login?username=admin&password={ADMIN_PASSWORD}")))
        .header("content-type", "application/json")
        .send()
        .await;
    let token = login.json()["token"].as_str().expect("token").to_owned();
    get(process.url("/rest/info")).header("x-opsview-username", "admin").header("x-opsview-token", &token).send().await;
    let wrong_password = "Hunter2-wrong-secret";
    get(process.url("/api/v1/whoami")).basic("admin", wrong_password).send().await;
    let bogus_key = "f".repeat(160);
    get(process.url(&format!("/hosts/index.json?apikey={bogus_key}"))).send().await;
    get(process.url("/hosts/index.json")).header("authorization", &format!("X-OITC-API {bogus_key}")).send().await;
    process.signal(signals::TERM);
    let _ = tokio::time::timeout(Duration::from_secs(10), process.child.wait()).await;

    let logged = std::fs::read_to_string(&log).expect("log");
    assert!(logged.contains("/rest/login"), "the requests were logged at all:\n{logged}");
    for secret in [ADMIN_PASSWORD, &token, wrong_password, &bogus_key, &basic("admin", ADMIN_PASSWORD), &basic("admin", wrong_password)] {
        assert!(!logged.contains(secret), "a secret leaked into the log: {secret}");
    }
    crate::harness::drop_test_schema(&config);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_hundred_in_flight_requests_completes_all_of_them() {
    let dir = TempDir::new("drain");
    let config = test_config(dir.path());
    let db = crate::harness::reopen_db(&config).await;
    crate::foundation::store::monitored_host(&db, "web1", "HTTP").await;
    drop(db);
    let mut process = ServerProcess::spawn(dir.path(), &config, "").await;
    let body = serde_json::to_vec(&json!([{"host": "web1", "service": "HTTP", "state": "warning"}])).expect("json");
    let (first, rest) = body.split_at(body.len() / 2);
    let auth = basic("admin", ADMIN_PASSWORD);
    let mut streams = Vec::new();
    for _ in 0..100 {
        let mut stream = tokio::net::TcpStream::connect(process.addr).await.expect("connect");
        let head = format!(
            "POST /api/v1/results HTTP/1.1\r\nHost: t\r\nAuthorization: Basic {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.expect("head");
        stream.write_all(first).await.expect("first half");
        streams.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    process.signal(signals::TERM);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut finishing = Vec::new();
    for mut stream in streams {
        let rest = rest.to_vec();
        finishing.push(tokio::spawn(async move {
            stream.write_all(&rest).await.expect("second half");
            let mut response = String::new();
            let _ = tokio::time::timeout(Duration::from_secs(20), stream.read_to_string(&mut response)).await;
            response
        }));
    }
    let mut ok = 0;
    for task in finishing {
        let response = task.await.expect("join");
        if response.starts_with("HTTP/1.1 200") {
            ok += 1;
        }
    }
    assert_eq!(ok, 100, "every in-flight request completed");
    let exit = tokio::time::timeout(Duration::from_secs(20), process.child.wait()).await.expect("exits").expect("status");
    assert!(exit.success());
    crate::harness::drop_test_schema(&config);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_limit_are_closed_while_the_others_are_served() {
    let dir = TempDir::new("connlimit");
    let config = test_config(dir.path());
    let process = ServerProcess::spawn(dir.path(), &config, "[server.limits]\nmax_connections = 3\n").await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = tokio::net::TcpStream::connect(process.addr).await.expect("connect");
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await.expect("request");
        let mut buf = [0u8; 256];
        let read = stream.read(&mut buf).await.expect("answer");
        assert!(String::from_utf8_lossy(&buf[..read]).starts_with("HTTP/1.1 200"));
        held.push(stream);
    }
    let mut extra = tokio::net::TcpStream::connect(process.addr).await.expect("the socket connects");
    let _ = extra.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await;
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), extra.read_to_end(&mut buf)).await.expect("closed quickly");
    assert!(read.is_err() || buf.is_empty(), "the fourth connection is closed without an answer");
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let reply = get(process.url("/healthz")).send().await;
    assert_eq!(reply.status, 200, "slots free up again");
    crate::harness::drop_test_schema(&config);
}
