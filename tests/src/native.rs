//! Rosetta's native API for dashboards: filtered lists with cursor paging and the event stream.

use std::time::Duration;

use rosetta_model::*;
use rosetta_store::Actor;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::foundation::store::monitored_host;
use crate::harness::{get, post, TestServer, ADMIN_PASSWORD};

async fn submit(server: &TestServer, results: serde_json::Value) {
    let reply = post(server.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&results).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

async fn list(server: &TestServer, path: &str) -> serde_json::Value {
    let reply = get(server.url(path)).basic("admin", ADMIN_PASSWORD).send().await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_have_the_documented_fields_on_both_paths() {
    let server = TestServer::start().await;
    monitored_host(&server.db, "web1", "HTTP").await;
    monitored_host(&server.db, "db1", "HTTP").await;
    submit(&server, json!([{"host": "db1", "service": "HTTP", "state": 2, "output": "CRITICAL - 503", "perfdata": "time=3s"}])).await;
    // Only paging: read from the ordered index. A filter: the scanning path. Both render the same items.
    let indexed = list(&server, "/api/v1/services?limit=10").await;
    let scanned = list(&server, "/api/v1/services?limit=10&host=*").await;
    assert_eq!(indexed, scanned);
    assert_eq!(indexed["total"], 2);
    assert_eq!(indexed["next_cursor"], serde_json::Value::Null);
    let item = &indexed["items"][1];
    let service = server.db.find_by_name::<Host>("db1").map(|host| server.db.children::<Service>(host.meta.id)[0].clone()).expect("service");
    let status = &item["status"];
    assert_eq!(
        (item["id"].as_i64(), item["uuid"].as_str(), &item["name"], &item["host"]["name"], &item["enabled"], &item["monitored"]),
        (Some(service.meta.id), Some(service.meta.uuid.to_string().as_str()), &json!("HTTP"), &json!("db1"), &json!(true), &json!(true))
    );
    let fields: Vec<&str> = status.as_object().expect("status").keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        ["state", "code", "type", "attempt", "max_attempts", "output", "perfdata", "last_check", "last_state_change",
         "acknowledged", "downtime_depth", "flapping", "severity", "native"]
    );
    assert_eq!((&status["state"], &status["code"], &status["output"], &status["perfdata"]), (&json!("critical"), &json!(2), &json!("CRITICAL - 503"), &json!("time=3s")));
    assert_eq!(status["native"], json!({"product": "native", "value": "2"}));
    assert!(status["last_check"].as_i64().is_some_and(|millis| millis > 0));
    assert_eq!(indexed["items"][0]["status"]["native"], serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_lists_filter_by_state_and_page_with_cursors() {
    let server = TestServer::start().await;
    for name in ["web1", "web2", "web3", "db1", "db2"] {
        monitored_host(&server.db, name, "HTTP").await;
    }
    submit(&server, json!([{"host": "web2", "state": "down", "output": "no route"}, {"host": "db1", "service": "HTTP", "state": "critical"}])).await;

    let mut names = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = list(&server, &format!("/api/v1/hosts?limit=2&cursor={cursor}")).await;
        assert_eq!(page["total"], 5);
        names.extend(page["items"].as_array().expect("items").iter().map(|h| h["name"].as_str().expect("name").to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(names, vec!["web1", "web2", "web3", "db1", "db2"], "every host once, in id order");

    let down = list(&server, "/api/v1/hosts?problem=true").await;
    assert_eq!(down["total"], 1);
    assert_eq!(down["items"][0]["name"], "web2");
    assert_eq!(down["items"][0]["status"]["state"], "down");
    assert_eq!(down["items"][0]["status"]["output"], "no route");
    assert_eq!(down["items"][0]["status"]["severity"], "MAJOR");
    let webs = list(&server, "/api/v1/hosts?name=web*&order=desc").await;
    let web_names: Vec<&str> = webs["items"].as_array().expect("items").iter().map(|h| h["name"].as_str().expect("name")).collect();
    assert_eq!(web_names, vec!["web3", "web2", "web1"]);

    let critical = list(&server, "/api/v1/services?state=critical").await;
    assert_eq!(critical["total"], 1);
    assert_eq!(critical["items"][0]["host"]["name"], "db1");
    let alarms = list(&server, "/api/v1/alarms?severity=MAJOR").await;
    let severities: Vec<&str> = alarms["items"].as_array().expect("items").iter().map(|a| a["severity"].as_str().expect("s")).collect();
    assert_eq!(severities, vec!["MAJOR", "CRITICAL"]);
    let events = list(&server, "/api/v1/events?kind=state_change&host=db*").await;
    assert_eq!(events["total"], 1);
    assert_eq!(events["items"][0]["uei"], "uei.opennms.org/nodes/nodeLostService");

    let bad = get(server.url("/api/v1/hosts?limit=0")).basic("admin", ADMIN_PASSWORD).send().await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"]["message"].as_str().expect("message").contains("limit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_show_only_the_principals_tenants() {
    let server = TestServer::start().await;
    let (tenant, hidden) = server
        .db
        .write(Actor::system(), |tx| {
            let tenant = tx.insert(Tenant::new("customer-a", ROOT_TENANT, TenantKind::Tenant));
            let other = tx.insert(Tenant::new("customer-b", ROOT_TENANT, TenantKind::Tenant));
            Ok::<_, rosetta_store::StoreError>((tenant.meta.id, other.meta.id))
        })
        .await
        .expect("tenants");
    let (own, _) = monitored_host(&server.db, "a-web", "HTTP").await;
    let (other, _) = monitored_host(&server.db, "b-web", "HTTP").await;
    let hash = server.app.auth.hash_password("scoped-password").expect("hash");
    server
        .db
        .write(Actor::system(), |tx| {
            for (id, tenant_id) in [(own, tenant), (other, hidden)] {
                let mut host = (*tx.get::<Host>(id).expect("host")).clone();
                host.tenant = tenant_id;
                tx.update(host);
            }
            let role = tx.find_by_name::<Role>("View all, change none").expect("role").meta.id;
            tx.insert(User {
                meta: Meta::new(0),
                login: "scoped".into(),
                fullname: String::new(),
                email: String::new(),
                role,
                tenants: vec![TenantAccess { tenant, level: TenantLevel::Read }],
                active: true,
                password_hash: Some(hash),
                native: Native::new(),
            });
            Ok::<_, rosetta_store::StoreError>(())
        })
        .await
        .expect("scope");
    let reply = get(server.url("/api/v1/hosts")).basic("scoped", "scoped-password").send().await;
    let names: Vec<String> =
        reply.json()["items"].as_array().expect("items").iter().map(|h| h["name"].as_str().expect("n").to_owned()).collect();
    assert_eq!(names, vec!["a-web"]);
}

/// Reads SSE messages from a raw connection until `count` event ids arrived.
async fn read_event_ids(stream: &mut tokio::net::TcpStream, count: usize) -> Vec<(i64, String)> {
    let mut seen = Vec::new();
    let mut buffer = String::new();
    let mut chunk = [0u8; 4096];
    while seen.len() < count {
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .expect("events arrive within 5 s")
            .expect("read");
        assert!(read > 0, "stream closed early; got {seen:?}");
        buffer.push_str(&String::from_utf8_lossy(&chunk[..read]));
        seen = buffer
            .lines()
            .filter_map(|line| line.strip_prefix("id: "))
            .filter_map(|id| id.trim().parse::<i64>().ok())
            .zip(buffer.lines().filter_map(|line| line.strip_prefix("event: ")).map(str::to_owned))
            .collect();
    }
    seen
}

async fn open_stream(server: &TestServer, last_event_id: Option<i64>) -> tokio::net::TcpStream {
    use base64::Engine;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("admin:{ADMIN_PASSWORD}"));
    let resume = last_event_id.map(|id| format!("Last-Event-ID: {id}\r\n")).unwrap_or_default();
    let request = format!("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n{resume}\r\n");
    stream.write_all(request.as_bytes()).await.expect("request");
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_delivers_every_change_in_order_and_resumes_without_gaps() {
    let server = TestServer::start().await;
    monitored_host(&server.db, "web1", "HTTP").await;
    let mut stream = open_stream(&server, None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    for state in ["critical", "warning", "ok", "critical"] {
        submit(&server, json!([{"host": "web1", "service": "HTTP", "state": state}])).await;
    }
    let live = read_event_ids(&mut stream, 4).await;
    let ids: Vec<i64> = live.iter().map(|(id, _)| *id).collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "in order: {ids:?}");
    assert!(live.iter().all(|(_, kind)| kind == "state_change"));
    let stored: Vec<i64> = server.db.all::<Event>().iter().map(|event| event.meta.id).collect();
    assert_eq!(ids, stored, "exactly the stored events, none missing");

    let mut resumed = open_stream(&server, Some(ids[1])).await;
    let replayed = read_event_ids(&mut resumed, 2).await;
    assert_eq!(replayed.iter().map(|(id, _)| *id).collect::<Vec<_>>(), ids[2..].to_vec());
}

/// The value of one metric line (`name{labels} value`) in Prometheus text.
fn metric(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(name_and_labels).and_then(|rest| rest.trim().parse().ok()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_per_dialect_and_show_the_estate() {
    let server = TestServer::start().await;
    monitored_host(&server.db, "web1", "HTTP").await;
    monitored_host(&server.db, "web2", "HTTP").await;
    submit(&server, json!([{"host": "web1", "state": "down"}, {"host": "web2", "service": "HTTP", "state": "critical"}])).await;
    // Request counters are process-wide (other tests in this process count too): compare deltas.
    let before = get(server.url("/metrics")).send().await.text();
    let count = |text: &str, key: &str| metric(text, key).unwrap_or(0.0);
    // A route no other test uses, so concurrent tests in one process do not disturb the count.
    let probe = format!("/api/v1/metrics-probe-{}", uuid::Uuid::new_v4().simple());
    for _ in 0..3 {
        get(server.url(&probe)).basic("admin", ADMIN_PASSWORD).send().await;
    }
    get(server.url("/api/v1/hosts")).basic("admin", "wrong").send().await;
    get(server.url("/rest/no-such-thing")).send().await;
    let reply = get(server.url("/metrics")).send().await;
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").is_some_and(|ct| ct.starts_with("text/plain")));
    let text = reply.text();
    let probes = format!(r#"rosetta_http_requests_total{{dialect="native",method="GET",route="{probe}",status="404"}}"#);
    assert_eq!(count(&text, &probes) - count(&before, &probes), 3.0, "{text}");
    let opsview_404 = r#"rosetta_http_requests_total{dialect="opsview",method="GET",route="/rest/no-such-thing",status="404"}"#;
    assert_eq!(count(&text, opsview_404) - count(&before, opsview_404), 1.0);
    let invalid = r#"rosetta_auth_attempts_total{method="basic",outcome="invalid"}"#;
    assert!(count(&text, invalid) - count(&before, invalid) >= 1.0);
    assert_eq!(metric(&text, r#"rosetta_hosts{state="down"}"#), Some(1.0));
    assert_eq!(metric(&text, r#"rosetta_hosts{state="pending"}"#), Some(1.0));
    assert_eq!(metric(&text, r#"rosetta_services{state="critical"}"#), Some(1.0));
    assert_eq!(metric(&text, r#"rosetta_unhandled_problems{kind="service"}"#), Some(1.0));
    assert_eq!(metric(&text, r#"rosetta_unhandled_problems{kind="host"}"#), Some(1.0));
    assert_eq!(metric(&text, r#"rosetta_alarms{severity="CRITICAL"}"#), Some(1.0));
    assert_eq!(metric(&text, r#"rosetta_alarms{severity="MAJOR"}"#), Some(1.0));
    assert!(text.contains("rosetta_http_request_duration_seconds_bucket"), "latency histogram present");
    assert!(metric(&text, "rosetta_open_connections").is_some_and(|n| n >= 1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sessions_use_a_cookie_that_also_opens_the_stream() {
    let server = TestServer::start().await;
    let login = post(server.url("/api/v1/sessions")).json(&json!({"login": "admin", "password": ADMIN_PASSWORD})).send().await;
    assert_eq!(login.status, 200, "{}", login.text());
    let token = login.json()["token"].as_str().expect("token").to_owned();
    assert_eq!(token.len(), 32);
    let cookie = login.header("set-cookie").expect("cookie").to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair").to_owned();
    let me = get(server.url("/api/v1/whoami")).header("cookie", &pair).send().await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["authenticated_by"], "token");
    let via_opsview = get(server.url("/api/v1/whoami")).header("x-opsview-username", "admin").header("x-opsview-token", &token).send().await;
    assert_eq!(via_opsview.status, 200, "the session token is an Opsview token too");
    let logout = crate::harness::delete(server.url("/api/v1/sessions")).header("cookie", &pair).send().await;
    assert_eq!(logout.status, 200);
    assert!(logout.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")));
    assert_eq!(get(server.url("/api/v1/whoami")).header("cookie", &pair).send().await.status, 401);
    let wrong = post(server.url("/api/v1/sessions")).json(&json!({"login": "admin", "password": "nope"})).send().await;
    assert_eq!(wrong.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgements_and_downtimes_through_the_native_api() {
    let server = TestServer::start().await;
    monitored_host(&server.db, "web1", "HTTP").await;
    let ok_ack = post(server.url("/api/v1/acknowledgements"))
        .basic("admin", ADMIN_PASSWORD)
        .json(&json!({"host": "web1", "service": "HTTP", "comment": "nothing to see"}))
        .send()
        .await;
    assert_eq!(ok_ack.status, 409, "an OK service cannot be acknowledged");
    submit(&server, json!([{"host": "web1", "service": "HTTP", "state": "critical"}])).await;
    let ack = post(server.url("/api/v1/acknowledgements"))
        .basic("admin", ADMIN_PASSWORD)
        .json(&json!({"host": "web1", "service": "HTTP", "comment": "on it"}))
        .send()
        .await;
    assert_eq!(ack.status, 200, "{}", ack.text());
    let services = list(&server, "/api/v1/services?acknowledged=true").await;
    assert_eq!(services["total"], 1);
    assert_eq!(list(&server, "/api/v1/services?unhandled=true").await["total"], 0);
    let alarms = list(&server, "/api/v1/alarms").await;
    assert_eq!(alarms["items"][0]["acknowledged_by"], "Administrator");
    let unack = crate::harness::delete(server.url("/api/v1/acknowledgements"))
        .basic("admin", ADMIN_PASSWORD)
        .json(&json!({"host": "web1", "service": "HTTP"}))
        .send()
        .await;
    assert_eq!(unack.json()["removed"], true);
    assert_eq!(list(&server, "/api/v1/services?unhandled=true").await["total"], 1);

    let downtime = post(server.url("/api/v1/downtimes"))
        .basic("admin", ADMIN_PASSWORD)
        .json(&json!({"host": "web1", "comment": "maintenance", "duration_minutes": 30}))
        .send()
        .await;
    assert_eq!(downtime.status, 200, "{}", downtime.text());
    assert_eq!(downtime.json()["active"], true);
    let id = downtime.json()["id"].as_i64().expect("id");
    assert_eq!(list(&server, "/api/v1/hosts?name=web1").await["items"][0]["status"]["downtime_depth"], 1);
    let cancelled = crate::harness::delete(server.url(&format!("/api/v1/downtimes/{id}"))).basic("admin", ADMIN_PASSWORD).send().await;
    assert_eq!(cancelled.json()["cancelled"], true);
    assert_eq!(list(&server, "/api/v1/hosts?name=web1").await["items"][0]["status"]["downtime_depth"], 0);
    let missing = post(server.url("/api/v1/downtimes")).basic("admin", ADMIN_PASSWORD).json(&json!({"host": "nope", "comment": "x", "duration_minutes": 5})).send().await;
    assert_eq!(missing.status, 404);
}
