//! Zero-drop operation: configuration reload by endpoint and by SIGHUP, refused bad files, certificate
//! swaps, and rate limits.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rosetta_model::{Meta, Native, Role, TenantAccess, TenantLevel, User, ROOT_TENANT};
use rosetta_server::reload::Reloader;
use rosetta_store::Actor;

use crate::harness::{get, post, run_program, signals, store_toml, test_config, ServerProcess, TempDir, TestServer, ADMIN_PASSWORD};

fn with_headers(url: String, count: usize) -> crate::harness::Call {
    let mut call = get(url);
    for idx in 0..count {
        call = call.header(&format!("x-extra-{idx}"), "1");
    }
    call
}

fn config_text(server_store: &str, max_headers: usize) -> String {
    format!(
        "[server]\nlisten = [\"127.0.0.1:1\"]\n[server.limits]\nmax_headers = {max_headers}\n{server_store}[auth]\nargon2_memory_kib = 8\nargon2_iterations = 1\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_endpoint_reloads_limits_and_refuses_a_bad_file() {
    let server = TestServer::start().await;
    let dir = TempDir::new("reload");
    let path = dir.path().join("gateway.toml");
    let store = store_toml(&server.config);
    std::fs::write(&path, config_text(&store, 100)).expect("write");
    let reloader = Reloader::new(path.clone(), server.config.clone(), Arc::clone(&server.gateway), None);
    server.reloader.set(Arc::new(reloader)).expect("install reloader");
    let reload = || post(server.url("/api/v1/admin/reload-config")).basic("admin", ADMIN_PASSWORD).send();

    assert_eq!(with_headers(server.url("/healthz"), 20).send().await.status, 200);
    std::fs::write(&path, config_text(&store, 10)).expect("write");
    let reply = reload().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.json()["applied"].as_array().expect("applied").iter().any(|item| item == "server.limits"));
    assert_eq!(with_headers(server.url("/healthz"), 20).send().await.status, 431, "the new limit is in force");

    std::fs::write(&path, "[server]\nlisten = [\"nowhere\"]\n[log]\nformat = \"xml\"\n").expect("write");
    let refused = reload().await;
    assert_eq!(refused.status, 400);
    let problems = refused.json()["error"]["detail"].as_str().expect("detail").to_owned();
    assert!(problems.contains("server.listen[0]") && problems.contains("log.format"), "every problem listed: {problems}");
    assert_eq!(with_headers(server.url("/healthz"), 20).send().await.status, 431, "the old config keeps serving");
    assert_eq!(with_headers(server.url("/healthz"), 5).send().await.status, 200);

    let hash = server.app.auth.hash_password("operator-password").expect("hash");
    server
        .db
        .write(Actor::system(), |tx| {
            let role = tx.find_by_name::<Role>("View all, change some").expect("role").meta.id;
            tx.insert(User {
                meta: Meta::new(0),
                login: "operator".into(),
                fullname: String::new(),
                email: String::new(),
                role,
                tenants: vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Write }],
                active: true,
                password_hash: Some(hash),
                native: Native::new(),
            });
            Ok::<_, rosetta_store::StoreError>(())
        })
        .await
        .expect("operator");
    let forbidden = post(server.url("/api/v1/admin/reload-config")).basic("operator", "operator-password").send().await;
    assert_eq!(forbidden.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_file_of_a_running_process() {
    let dir = TempDir::new("sighup");
    let config = test_config(dir.path());
    let process = ServerProcess::spawn(dir.path(), &config, "[server.limits]\nmax_headers = 100\n").await;
    assert_eq!(with_headers(process.url("/healthz"), 20).send().await.status, 200);
    let text = std::fs::read_to_string(&process.config_path).expect("read").replace("max_headers = 100", "max_headers = 10");
    std::fs::write(&process.config_path, text).expect("write");
    process.signal(signals::HUP);
    let mut status = 0;
    for _ in 0..50 {
        status = with_headers(process.url("/healthz"), 20).send().await.status.as_u16();
        if status == 431 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 431, "the reloaded limit applies");
    std::fs::write(&process.config_path, "[server\nbroken").expect("write");
    process.signal(signals::HUP);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(get(process.url("/healthz")).send().await.status, 200, "a bad file leaves the process serving");
    crate::harness::drop_test_schema(&config);
}

async fn make_certificate(dir: &Path, name: &str) {
    let (code, _, stderr) = run_program(
        Path::new("openssl"),
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", &format!("/CN={name}"),
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", "key.pem", "-out", "cert.pem",
        ],
        dir,
    )
    .await;
    assert_eq!(code, 0, "openssl: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_swap_is_picked_up_without_a_restart() {
    let dir = TempDir::new("certswap");
    make_certificate(dir.path(), "first").await;
    std::fs::copy(dir.path().join("cert.pem"), dir.path().join("first.pem")).expect("keep first");
    let mut config = test_config(dir.path());
    config.server.tls = Some(rosetta_server::config::TlsConfig { cert: dir.path().join("cert.pem"), key: dir.path().join("key.pem") });
    let built = rosetta_server::build(&config).await.expect("build");
    let handle = rosetta_server::listener::TlsHandle::new(
        rosetta_server::listener::tls_acceptor(config.server.tls.as_ref().expect("tls")).expect("acceptor"),
    );
    let path = dir.path().join("gateway.toml");
    std::fs::write(
        &path,
        format!(
            "{}[server.tls]\ncert = \"{}\"\nkey = \"{}\"\n",
            store_toml(&config),
            dir.path().join("cert.pem").display(),
            dir.path().join("key.pem").display()
        ),
    )
    .expect("write");
    let reloader = Reloader::new(path, config.clone(), Arc::clone(&built.gateway), Some(handle.clone()));
    let listeners = rosetta_server::listener::bind(&config.server.listen).await.expect("bind");
    let port = listeners[0].local_addr().expect("addr").port();
    let settings = rosetta_server::listener::ConnectionSettings::from_config(&config.server.limits);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(rosetta_server::listener::serve(listeners, built.gateway, Some(handle), settings, async {
        let _ = stopped.await;
    }));
    let curl = |ca: String| {
        let dir = dir.path().to_owned();
        async move {
            let url = format!("https://localhost:{port}/healthz");
            let resolve = format!("localhost:{port}:127.0.0.1");
            run_program(Path::new("curl"), &["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", &ca, "--resolve", &resolve, &url], &dir)
                .await
                .1
        }
    };
    let first = dir.path().join("first.pem").display().to_string();
    assert_eq!(curl(first.clone()).await, "200");
    make_certificate(dir.path(), "second").await;
    let report = reloader.reload().expect("reload");
    assert!(report.applied.iter().any(|item| item.starts_with("server.tls")), "{report:?}");
    assert_eq!(curl(dir.path().join("cert.pem").display().to_string()).await, "200", "new connections use the new certificate");
    assert_ne!(curl(first).await, "200", "the old certificate is gone");
    let _ = stop.send(());
    let _ = task.await;
    crate::harness::drop_test_schema(&config);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_answer_429_with_retry_after() {
    let server = TestServer::start_with(|config| {
        config.server.limits.rate_per_principal = 1.0;
        config.server.limits.rate_burst = 5.0;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(get(server.url("/api/v1/whoami")).basic("admin", ADMIN_PASSWORD).send().await);
    }
    let codes: Vec<u16> = statuses.iter().map(|reply| reply.status.as_u16()).collect();
    assert_eq!(&codes[..5], &[200; 5], "the burst passes: {codes:?}");
    let limited = statuses.last().expect("reply");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["error"]["kind"], "too_many_requests");
    assert!(limited.header("retry-after").is_some_and(|value| value.parse::<u64>().is_ok_and(|s| s >= 1)));
    assert_eq!(get(server.url("/healthz")).send().await.status, 200, "anonymous probes are not a principal");
}
