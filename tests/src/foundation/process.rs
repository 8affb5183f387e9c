//! The gateway as a process: acknowledged writes survive `kill -9`; SIGTERM lets in-flight requests finish.

use std::time::Duration;

use rosetta_model::{ServiceState, ServiceStatus, StateValue};
use rosetta_server::config::Config;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{drop_test_schema, post, reopen_db, signals, test_config, ServerProcess, TempDir, ADMIN_PASSWORD};

/// A store with one monitored host `db1` and its service `MySQL`, as a first process left it.
async fn prepared_store(dir: &TempDir) -> (Config, i64) {
    let config = test_config(dir.path());
    let db = reopen_db(&config).await;
    let (_, service) = super::store::monitored_host(&db, "db1", "MySQL").await;
    (config, service)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_write_survives_kill_9() {
    let dir = TempDir::new("kill9");
    let (config, service) = prepared_store(&dir).await;
    let mut process = ServerProcess::spawn(dir.path(), &config, "").await;
    let batch = json!([{"host": "db1", "service": "MySQL", "state": "warning", "output": "slow queries"}]);
    let reply = post(process.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&batch).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    process.signal(signals::KILL);
    let _ = process.child.wait().await;

    let db = reopen_db(&config).await;
    let status = db.get::<ServiceStatus>(service).expect("status");
    assert_eq!(status.check.state, StateValue::Service(ServiceState::Warning));
    assert_eq!(status.check.output, "slow queries");
    drop_test_schema(&config);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_an_in_flight_request_finish() {
    let dir = TempDir::new("sigterm");
    let (config, service) = prepared_store(&dir).await;
    let mut process = ServerProcess::spawn(dir.path(), &config, "").await;

    let body = serde_json::to_vec(&json!([{"host": "db1", "service": "MySQL", "state": "critical"}])).expect("json");
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = tokio::net::TcpStream::connect(process.addr).await.expect("connect");
    let head = format!(
        "POST /api/v1/results HTTP/1.1\r\nHost: test\r\nAuthorization: Basic {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        base64_basic("admin", ADMIN_PASSWORD),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(first).await.expect("first half");
    tokio::time::sleep(Duration::from_millis(300)).await;
    process.signal(signals::TERM);
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream.write_all(rest).await.expect("second half");
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut response))
        .await
        .expect("answer before the timeout")
        .expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"accepted\":1"), "{response}");

    let exit = tokio::time::timeout(Duration::from_secs(10), process.child.wait()).await.expect("exits").expect("status");
    assert!(exit.success(), "clean exit after SIGTERM: {exit:?}");
    let db = reopen_db(&config).await;
    assert_eq!(db.get::<ServiceStatus>(service).expect("status").check.state, StateValue::Service(ServiceState::Critical));
    drop_test_schema(&config);
}

fn base64_basic(login: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_stream_of_writes_loses_no_acknowledged_write() {
    let dir = TempDir::new("kill9-stream");
    let config = test_config(dir.path());
    let db = reopen_db(&config).await;
    let mut services = Vec::new();
    for index in 0..150 {
        let (_, service) = super::store::monitored_host(&db, &format!("stream-{index:03}"), "PING").await;
        services.push(service);
    }
    drop(db);
    let mut process = ServerProcess::spawn(dir.path(), &config, "").await;
    let url = process.url("/api/v1/results");
    let writer = tokio::spawn(async move {
        let mut acknowledged = Vec::new();
        for index in 0..150usize {
            let results = json!([{"host": format!("stream-{index:03}"), "service": "PING", "state": "critical", "output": format!("write {index}")}]);
            let call = post(url.clone()).basic("admin", ADMIN_PASSWORD).json(&results);
            let sent = tokio::time::timeout(Duration::from_secs(2), call.send_checked()).await;
            match sent {
                Ok(Some(reply)) if reply.status == 200 => acknowledged.push(index),
                _ => break,
            }
        }
        acknowledged
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    process.signal(signals::KILL);
    let _ = process.child.wait().await;
    let acknowledged = writer.await.expect("writer");
    assert!(!acknowledged.is_empty(), "some writes were acknowledged before the kill");

    let db = reopen_db(&config).await;
    for index in &acknowledged {
        let status = db.get::<ServiceStatus>(services[*index]).expect("status");
        assert_eq!(status.check.output, format!("write {index}"), "acknowledged write {index} survived");
    }
    drop_test_schema(&config);
}
