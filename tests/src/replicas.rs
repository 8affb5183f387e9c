//! Several gateways sharing one PostgreSQL store, and database outages. These run in the PostgreSQL
//! pass of the suite (`ROSETTA_TEST_STORE=postgres`) and say that they were skipped otherwise.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rosetta_model::{ServiceState, ServiceStatus, StateValue};
use rosetta_server::config::Config;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::foundation::store::monitored_host;
use crate::harness::{get, post, postgres_url, test_config, TempDir, TestServer, ADMIN_PASSWORD};

fn postgres_or_skip(test: &str) -> Option<String> {
    let url = postgres_url();
    if url.is_none() {
        eprintln!("SKIPPED {test}: runs in the PostgreSQL pass (ROSETTA_TEST_STORE=postgres)");
    }
    url
}

/// Two gateways on different ports over the same PostgreSQL schema.
async fn two_replicas(dir: &TempDir) -> (TestServer, TestServer) {
    let config = test_config(dir.path());
    let a = TestServer::start_config(config.clone()).await;
    let b = TestServer::start_config(config).await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_issued_by_one_replica_works_on_the_other() {
    if postgres_or_skip("a_token_issued_by_one_replica_works_on_the_other").is_none() {
        return;
    }
    let dir = TempDir::new("replicas-token");
    let (a, b) = two_replicas(&dir).await;
    let (token, _) = a.app.auth.login("admin", ADMIN_PASSWORD, None, "test").await.expect("login on A");
    let reply = get(b.url("/api/v1/whoami")).header("x-opsview-username", "admin").header("x-opsview-token", &token).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["authenticated_by"], "token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_through_one_replica_is_visible_through_the_other_within_a_second() {
    if postgres_or_skip("a_write_through_one_replica_is_visible_through_the_other_within_a_second").is_none() {
        return;
    }
    let dir = TempDir::new("replicas-visible");
    let (a, b) = two_replicas(&dir).await;
    monitored_host(&a.db, "web1", "HTTP").await;
    let results = json!([{"host": "web1", "service": "HTTP", "state": "critical", "output": "via A"}]);
    let reply = post(a.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&results).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let written = Instant::now();
    loop {
        let seen = get(b.url("/api/v1/services?state=critical")).basic("admin", ADMIN_PASSWORD).send().await.json();
        if seen["total"] == 1 {
            assert_eq!(seen["items"][0]["status"]["output"], "via A");
            break;
        }
        assert!(written.elapsed() < Duration::from_secs(1), "B did not see A's write within one second");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_through_both_replicas_end_in_one_consistent_state() {
    if postgres_or_skip("concurrent_writes_through_both_replicas_end_in_one_consistent_state").is_none() {
        return;
    }
    let dir = TempDir::new("replicas-concurrent");
    let (a, b) = two_replicas(&dir).await;
    let (_, service) = monitored_host(&a.db, "db1", "MySQL").await;
    let mut tasks = Vec::new();
    for round in 0..10 {
        for (server, state) in [(&a, "warning"), (&b, "critical")] {
            let url = server.url("/api/v1/results");
            let output = format!("{state} {round}");
            tasks.push(tokio::spawn(async move {
                let results = json!([{"host": "db1", "service": "MySQL", "state": state, "output": output}]);
                post(url).basic("admin", ADMIN_PASSWORD).json(&results).send().await.status.as_u16()
            }));
        }
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("join"));
    }
    assert!(statuses.iter().all(|status| *status == 200 || *status == 409), "only successes or clean conflicts: {statuses:?}");
    assert!(statuses.contains(&200));
    a.db.sync_external_changes().await.expect("sync A");
    b.db.sync_external_changes().await.expect("sync B");
    let fresh = crate::harness::reopen_db(&a.config).await;
    let truth = fresh.get::<ServiceStatus>(service).expect("status").check.clone();
    for (name, db) in [("A", &a.db), ("B", &b.db)] {
        let seen = db.get::<ServiceStatus>(service).expect("status").check.clone();
        assert_eq!(seen, truth, "replica {name} agrees with the database");
    }
    assert_ne!(truth.state, StateValue::Service(ServiceState::Ok));
}

/// A TCP proxy in front of PostgreSQL that a test can cut and restore, to play a database outage.
struct Proxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr, port: u16) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let connections = Arc::new(std::sync::Mutex::new(Vec::<JoinHandle<()>>::new()));
        let tracked = Arc::clone(&connections);
        let accept = tokio::spawn(async move {
            let _tracked = ConnectionsGuard(Arc::clone(&tracked));
            while let Ok((mut client, _)) = listener.accept().await {
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tracked.lock().expect("lock").push(task);
            }
        });
        Proxy { addr, upstream, tasks: vec![accept] }
    }

    /// Drops the listener and every proxied connection: the database is gone.
    fn cut(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

/// Aborts the proxied connections when the accept task ends.
struct ConnectionsGuard(Arc<std::sync::Mutex<Vec<JoinHandle<()>>>>);

impl Drop for ConnectionsGuard {
    fn drop(&mut self) {
        for task in self.0.lock().map(|mut tasks| std::mem::take(&mut *tasks)).unwrap_or_default() {
            task.abort();
        }
    }
}

/// The URL with its host and port replaced by `addr`, and the upstream address it named.
fn through(url: &str, addr: SocketAddr) -> (String, SocketAddr) {
    let (scheme, rest) = url.split_once("://").expect("scheme");
    let (userinfo, rest) = rest.rsplit_once('@').map_or(("", rest), |(user, rest)| (user, rest));
    let (hostport, path) = rest.split_once('/').unwrap_or((rest, ""));
    let upstream: SocketAddr = hostport.parse().unwrap_or_else(|_| format!("{hostport}:5432").parse().expect("host:port"));
    let at = if userinfo.is_empty() { String::new() } else { format!("{userinfo}@") };
    (format!("{scheme}://{at}{addr}/{path}"), upstream)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_gives_clean_503s_and_the_gateway_recovers_by_itself() {
    let Some(url) = postgres_or_skip("a_database_outage_gives_clean_503s_and_the_gateway_recovers_by_itself") else {
        return;
    };
    let port = crate::harness::free_port();
    let (_, upstream) = through(&url, "127.0.0.1:1".parse().expect("addr"));
    let mut proxy = Proxy::start(upstream, port).await;
    let dir = TempDir::new("outage");
    let mut config: Config = test_config(dir.path());
    config.store.url = Some(through(&url, proxy.addr).0);
    config.store.connect_timeout_ms = 500;
    let server = TestServer::start_config(config).await;
    monitored_host(&server.db, "web1", "HTTP").await;
    let results = json!([{"host": "web1", "service": "HTTP", "state": "warning"}]);
    let submit = || post(server.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&results).send();
    assert_eq!(submit().await.status, 200);

    proxy.cut();
    let started = Instant::now();
    let during = submit().await;
    assert_eq!(during.status, 503, "{}", during.text());
    assert_eq!(during.json()["error"]["kind"], "unavailable");
    assert!(started.elapsed() < Duration::from_secs(5), "fails fast, not after a hang");
    let ready = get(server.url("/readyz")).send().await;
    assert_eq!(ready.status, 503);
    let read = get(server.url("/api/v1/hosts")).basic("admin", ADMIN_PASSWORD).send().await;
    assert_eq!(read.status, 200, "reads are served from the cache during the outage");

    let _restored = Proxy::start(proxy.upstream, port).await;
    let recovering = Instant::now();
    loop {
        if get(server.url("/readyz")).send().await.status == 200 {
            break;
        }
        assert!(recovering.elapsed() < Duration::from_secs(15), "the gateway did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let after = submit().await;
    assert_eq!(after.status, 200, "{}", after.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_started_on_one_replica_is_a_409_on_the_other() {
    if postgres_or_skip("a_reload_started_on_one_replica_is_a_409_on_the_other").is_none() {
        return;
    }
    let dir = TempDir::new("replicas-reload");
    let config = {
        let mut config = test_config(dir.path());
        config.server.reload_duration_ms = 3000;
        config
    };
    let a = TestServer::start_config(config.clone()).await;
    let b = TestServer::start_config(config).await;
    let reload = |server: &TestServer| {
        post(server.url("/rest/reload?asynchronous=1"))
            .basic("admin", ADMIN_PASSWORD)
            .header("content-type", "application/json")
            .send()
    };
    let started = reload(&a).await;
    assert_eq!(started.status, 200, "{}", started.text());
    let refused = reload(&b).await;
    assert_eq!(refused.status, 409, "{}", refused.text());
    assert_eq!(refused.json()["messages"][0], "Reload already running");
    let status = get(b.url("/rest/reload")).basic("admin", ADMIN_PASSWORD).header("content-type", "application/json").send().await;
    assert_eq!(status.json()["server_status"], "1", "B reports A's reload as running");
}
