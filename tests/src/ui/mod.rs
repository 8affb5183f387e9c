//! The status page in a real browser: Debian's headless Chromium driven by playwright-core
//! (`tests/clients/ui/status_page.js`) signs in, sees a problem arrive live from the event stream,
//! acknowledges it through the page, and the test checks that the store, the native API and every
//! dialect report the acknowledgement. Screenshots go to `target/ui-artifacts/`.

use std::process::Stdio;
use std::time::Duration;

use rosetta_model::{ServiceStatus, User};
use rosetta_store::Actor;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use crate::foundation::store::monitored_host;
use crate::harness::{client_dir, get, post, workspace_root, Reply, TestServer, ADMIN_PASSWORD};

/// How long the whole browser run may take once Chromium is installed.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(180);

/// Posts a batch of results with Basic credentials and expects it to be applied.
async fn post_results(server: &TestServer, results: Value) {
    let reply = post(server.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&json!({"results": results})).send().await;
    assert_eq!(reply.status, 200, "posting results: {}", reply.text());
}

/// Three monitored hosts: web1/HTTP and mail1/SMTP OK, db1/PostgreSQL a warning that is already
/// acknowledged (a handled problem the new one must sort before).
async fn arrange(server: &TestServer) -> rosetta_model::Id {
    let (_, http) = monitored_host(&server.db, "web1", "HTTP").await;
    monitored_host(&server.db, "db1", "PostgreSQL").await;
    monitored_host(&server.db, "mail1", "SMTP").await;
    post_results(
        server,
        json!([
            {"host": "web1", "state": "up", "output": "PING OK - Packet loss = 0%, RTA = 0.41 ms"},
            {"host": "db1", "state": "up", "output": "PING OK - Packet loss = 0%, RTA = 0.52 ms"},
            {"host": "mail1", "state": "up", "output": "PING OK - Packet loss = 0%, RTA = 0.38 ms"},
            {"host": "web1", "service": "HTTP", "state": "ok", "output": "HTTP OK: HTTP/1.1 200 OK - 5120 bytes in 0.041 second response time"},
            {"host": "db1", "service": "PostgreSQL", "state": "warning", "output": "POSTGRES_REPLICATE_ROW WARNING: replication lag 42 s"},
            {"host": "mail1", "service": "SMTP", "state": "ok", "output": "SMTP OK - 0.012 sec. response time, 220 <b>mail1</b> ESMTP"}
        ]),
    )
    .await;
    let ack = post(server.url("/api/v1/acknowledgements"))
        .basic("admin", ADMIN_PASSWORD)
        .json(&json!({"host": "db1", "service": "PostgreSQL", "comment": "Known: nightly backup", "sticky": true}))
        .send()
        .await;
    assert_eq!(ack.status, 200, "acknowledging db1/PostgreSQL: {}", ack.text());
    http
}

/// Reads the script's stdout until `wanted`; on timeout or exit, says what was seen.
async fn expect_line(
    lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    wanted: &str,
    seen: &mut Vec<String>,
) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + BROWSER_TIMEOUT;
    loop {
        match tokio::time::timeout_at(deadline, lines.next_line()).await {
            Ok(Ok(Some(line))) => {
                let found = line.trim() == wanted;
                seen.push(line);
                if found {
                    return Ok(());
                }
            }
            Ok(Ok(None)) => return Err(format!("the browser script ended before printing {wanted}")),
            Ok(Err(err)) => return Err(format!("reading the browser script's output: {err}")),
            Err(_) => return Err(format!("the browser script did not print {wanted} within {BROWSER_TIMEOUT:?}")),
        }
    }
}

/// The first object in a JSON tree for which `pick` says yes.
fn find<'a>(value: &'a Value, pick: &dyn Fn(&Value) -> bool) -> Option<&'a Value> {
    if pick(value) {
        return Some(value);
    }
    match value {
        Value::Array(items) => items.iter().find_map(|item| find(item, pick)),
        Value::Object(map) => map.values().find_map(|item| find(item, pick)),
        _ => None,
    }
}

/// What a failed dialect check says: the status and the start of the body.
fn describe(reply: &Reply) -> String {
    let text = reply.text();
    format!("HTTP {}: {}", reply.status, text.chars().take(300).collect::<String>())
}

/// Opsview: `POST /rest/login`, then `GET /rest/status/service` lists web1's HTTP as acknowledged.
async fn opsview_reports_the_acknowledgement(server: &TestServer) -> Result<(), String> {
    let login = post(server.url("/rest/login"))
        .header("accept", "application/json")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    if login.status != 200 {
        return Err(format!("POST /rest/login: {}", describe(&login)));
    }
    let token = serde_json::from_slice::<Value>(&login.body)
        .ok()
        .and_then(|body| body["token"].as_str().map(str::to_owned))
        .ok_or_else(|| format!("POST /rest/login has no token: {}", describe(&login)))?;
    let reply = get(server.url("/rest/status/service?hostname=web1"))
        .header("accept", "application/json")
        .header("content-type", "application/json")
        .header("x-opsview-username", "admin")
        .header("x-opsview-token", &token)
        .send()
        .await;
    if reply.status != 200 {
        return Err(format!("GET /rest/status/service: {}", describe(&reply)));
    }
    let body: Value = serde_json::from_slice(&reply.body).map_err(|err| format!("GET /rest/status/service is not JSON ({err})"))?;
    let host = find(&body, &|value| value["name"] == "web1" && value["services"].is_array())
        .ok_or_else(|| format!("GET /rest/status/service has no host web1: {}", describe(&reply)))?;
    let service = find(&host["services"], &|value| value["name"] == "HTTP")
        .ok_or_else(|| format!("GET /rest/status/service has no service HTTP on web1: {}", describe(&reply)))?;
    match &service["acknowledged"] {
        Value::String(text) if text == "1" => Ok(()),
        other => Err(format!("web1/HTTP has acknowledged = {other} instead of \"1\": {service}")),
    }
}

/// openITCOCKPIT: `GET /services/index.json?angular=true` with an API key shows
/// `Servicestatus.problemHasBeenAcknowledged: true`.
async fn openitcockpit_reports_the_acknowledgement(server: &TestServer) -> Result<(), String> {
    let admin = server.db.find_by_name::<User>("admin").ok_or("no admin user")?;
    let key = server.app.auth.create_api_key(admin.meta.id, "ui test", Actor::system()).await.map_err(|err| format!("API key: {err}"))?;
    let reply = get(server.url("/services/index.json?angular=true"))
        .header("authorization", &format!("X-OITC-API {}", key.key))
        .header("accept", "application/json")
        .send()
        .await;
    if reply.status != 200 {
        return Err(format!("GET /services/index.json: {}", describe(&reply)));
    }
    let body: Value = serde_json::from_slice(&reply.body).map_err(|err| format!("GET /services/index.json is not JSON ({err})"))?;
    let entry = find(&body, &|value| value["Service"]["servicename"] == "HTTP" && value["Service"]["hostname"] == "web1")
        .ok_or_else(|| format!("GET /services/index.json has no web1/HTTP: {}", describe(&reply)))?;
    match &entry["Servicestatus"]["problemHasBeenAcknowledged"] {
        Value::Bool(true) => Ok(()),
        other => Err(format!("web1/HTTP has problemHasBeenAcknowledged = {other}: {}", entry["Servicestatus"])),
    }
}

/// OpenNMS: `GET /opennms/api/v2/alarms` has web1's HTTP alarm with `ackUser` set.
async fn opennms_reports_the_acknowledgement(server: &TestServer) -> Result<(), String> {
    let reply = get(server.url("/opennms/api/v2/alarms")).basic("admin", ADMIN_PASSWORD).header("accept", "application/json").send().await;
    if reply.status != 200 {
        return Err(format!("GET /opennms/api/v2/alarms: {}", describe(&reply)));
    }
    let body: Value = serde_json::from_slice(&reply.body).map_err(|err| format!("GET /opennms/api/v2/alarms is not JSON ({err})"))?;
    let alarm = find(&body, &|value| {
        value["nodeLabel"] == "web1" && (value["serviceType"].is_null() || value["serviceType"]["name"] == "HTTP")
    })
    .ok_or_else(|| format!("GET /opennms/api/v2/alarms has no alarm for web1/HTTP: {}", describe(&reply)))?;
    match alarm["ackUser"].as_str() {
        Some(user) if !user.is_empty() => Ok(()),
        _ => Err(format!("the web1/HTTP alarm has no ackUser: {alarm}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_sees_a_problem_arrive_live_and_acknowledges_it_in_the_browser() {
    let server = TestServer::start().await;
    let http = arrange(&server).await;
    let dir = tokio::task::spawn_blocking(|| client_dir("ui")).await.expect("set up the ui client");
    let artifacts = workspace_root().join("target").join("ui-artifacts");
    std::fs::create_dir_all(&artifacts).expect("create target/ui-artifacts");

    let mut child = tokio::process::Command::new("node")
        .arg(dir.join("status_page.js"))
        .arg(server.base())
        .arg(ADMIN_PASSWORD)
        .arg(&artifacts)
        .current_dir(&dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run node status_page.js");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stderr = child.stderr.take().expect("stderr");
    let diagnostics = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mut seen = Vec::new();

    if let Err(err) = expect_line(&mut lines, "READY", &mut seen).await {
        let _ = child.start_kill();
        let log = diagnostics.await.unwrap_or_default();
        panic!("{err}\nstdout: {seen:?}\nstderr:\n{log}");
    }
    post_results(&server, json!([{"host": "web1", "service": "HTTP", "state": "critical", "output": "HTTP CRITICAL - timeout"}])).await;
    stdin.write_all(b"POSTED\n").await.expect("tell the script the result is posted");
    stdin.flush().await.expect("flush stdin");

    let finished = tokio::time::timeout(BROWSER_TIMEOUT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            seen.push(line);
        }
        child.wait().await
    })
    .await;
    let log = diagnostics.await.unwrap_or_default();
    let status = match finished {
        Ok(status) => status.expect("wait for the browser script"),
        Err(_) => panic!("the browser script did not finish within {BROWSER_TIMEOUT:?}\nstdout: {seen:?}\nstderr:\n{log}"),
    };
    assert!(
        status.success() && seen.iter().any(|line| line == "ACKNOWLEDGED") && seen.last().map(String::as_str) == Some("DONE"),
        "the browser script failed ({status})\nstdout: {seen:?}\nstderr:\n{log}"
    );
    for screenshot in ["overview-problem.png", "acknowledge-dialog.png", "acknowledged.png"] {
        let size = std::fs::metadata(artifacts.join(screenshot)).map(|meta| meta.len()).unwrap_or(0);
        assert!(size > 10_000, "screenshot {screenshot} is missing or empty under {}", artifacts.display());
    }

    // The store and the native API.
    let status = server.db.get::<ServiceStatus>(http).expect("web1/HTTP status");
    assert!(status.check.is_acknowledged(), "the store does not have web1/HTTP acknowledged");
    let acknowledged = get(server.url("/api/v1/services?acknowledged=true")).basic("admin", ADMIN_PASSWORD).send().await;
    assert_eq!(acknowledged.status, 200, "{}", acknowledged.text());
    let body = acknowledged.json();
    let item = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["host"]["name"] == "web1" && item["name"] == "HTTP")
        .unwrap_or_else(|| panic!("GET /api/v1/services?acknowledged=true does not list web1/HTTP: {body}"));
    assert_eq!(item["status"]["state"], "critical", "{item}");
    assert_eq!(item["status"]["acknowledged"], true, "{item}");

    // Every dialect sees the same acknowledgement; each failure names its dialect.
    let mut failures = Vec::new();
    if let Err(err) = opsview_reports_the_acknowledgement(&server).await {
        failures.push(format!("Opsview: {err}"));
    }
    if let Err(err) = openitcockpit_reports_the_acknowledgement(&server).await {
        failures.push(format!("openITCOCKPIT: {err}"));
    }
    if let Err(err) = opennms_reports_the_acknowledgement(&server).await {
        failures.push(format!("OpenNMS: {err}"));
    }
    assert!(
        failures.is_empty(),
        "the native API reports web1/HTTP acknowledged, but these dialects do not:\n{}",
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_its_assets_are_served_with_a_strict_policy() {
    let server = TestServer::start().await;
    let root = get(server.url("/")).send().await;
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location"), Some("/ui/"));
    for (path, content_type) in [
        ("/ui/", "text/html; charset=utf-8"),
        ("/ui/app.js", "text/javascript; charset=utf-8"),
        ("/ui/app.css", "text/css; charset=utf-8"),
        ("/ui/icon.svg", "image/svg+xml"),
    ] {
        let reply = get(server.url(path)).send().await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
        let policy = reply.header("content-security-policy").unwrap_or_default();
        assert!(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"), "{path}: {policy}");
        assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "{path}: {policy}");
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(reply.header("cache-control"), Some("no-cache"), "{path}");
    }
    let missing = get(server.url("/ui/nothing-here.js")).send().await;
    assert_eq!(missing.status, 404);
    assert!(workspace_root().join("tests/clients/ui/package-lock.json").is_file(), "package-lock.json is committed");
}
