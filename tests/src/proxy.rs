//! Mounts in proxy mode: a second gateway forwards each dialect to a first one (the "legacy" upstream),
//! translating whatever credential the caller used into the upstream's own kind.

use std::collections::BTreeMap;
use std::path::Path;

use rosetta_model::{AuditEntry, User, ROOT_TENANT};
use rosetta_proxy::{ProxyConfig, UpstreamAuth, UpstreamCredentials};
use rosetta_server::config::MountConfig;
use rosetta_store::Actor;
use serde_json::json;

use crate::bridge::support::add_user;
use crate::foundation::store::monitored_host;
use crate::harness::{client_dir, get, post, run_program, TestServer, ADMIN_PASSWORD};

fn mount(dialect: &str, upstream: &str, credentials: UpstreamCredentials) -> MountConfig {
    MountConfig {
        dialect: dialect.to_owned(),
        mode: "proxy".to_owned(),
        host: None,
        enabled: true,
        proxy: Some(ProxyConfig::new(upstream, UpstreamAuth::ServiceAccount(credentials))),
    }
}

/// The upstream with a monitored host `legacy-web` whose HTTP service is critical, and a proxy in front
/// of it for all three dialects.
async fn upstream_and_proxy() -> (TestServer, TestServer) {
    let upstream = TestServer::start().await;
    monitored_host(&upstream.db, "legacy-web", "HTTP").await;
    let results = json!([{"host": "legacy-web", "service": "HTTP", "state": "critical", "output": "upstream says no"}]);
    let reply = post(upstream.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&results).send().await;
    assert_eq!(reply.status, 200);
    let admin = upstream.db.find_by_name::<User>("admin").expect("admin");
    let key = upstream.app.auth.create_api_key(admin.meta.id, "proxy", Actor::system()).await.expect("key");
    let base = upstream.base();
    let password = || UpstreamCredentials::Password { username: "admin".to_owned(), password: ADMIN_PASSWORD.to_owned() };
    let proxy = TestServer::start_with(move |config| {
        config.mounts = vec![
            mount("opsview", &base, password()),
            mount("opennms", &base, password()),
            mount("openitcockpit", &base, UpstreamCredentials::ApiKey { apikey: key.key.clone() }),
        ];
    })
    .await;
    (upstream, proxy)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_dialect_reaches_the_upstream_with_the_upstreams_own_credentials() {
    let (upstream, proxy) = upstream_and_proxy().await;
    assert!(proxy.db.find_by_name::<rosetta_model::Host>("legacy-web").is_none(), "the proxy's own store knows nothing");

    // Opsview through the proxy, the caller using Basic: the upstream gets an Opsview login and token.
    let status = get(proxy.url("/rest/status/service?hostname=legacy-web"))
        .basic("admin", ADMIN_PASSWORD)
        .header("content-type", "application/json")
        .send()
        .await;
    assert_eq!(status.status, 200, "{}", status.text());
    assert_eq!(status.json()["list"][0]["services"][0]["output"], "upstream says no");
    let logins: Vec<AuditEntry> =
        upstream.db.all::<AuditEntry>().iter().filter(|entry| entry.action == "login").map(|entry| (**entry).clone()).collect();
    assert!(logins.iter().any(|entry| entry.dialect == "opsview" && entry.user == "admin"), "the proxy logged in upstream: {logins:?}");

    // OpenNMS through the proxy, the caller using an API key: the upstream gets Basic.
    let proxy_admin = proxy.db.find_by_name::<User>("admin").expect("admin");
    let proxy_key = proxy.app.auth.create_api_key(proxy_admin.meta.id, "caller", Actor::system()).await.expect("key");
    let alarms = get(proxy.url("/opennms/api/v2/alarms"))
        .header("authorization", &format!("X-OITC-API {}", proxy_key.key))
        .header("accept", "application/json")
        .send()
        .await;
    assert_eq!(alarms.status, 200, "{}", alarms.text());
    assert_eq!(alarms.json()["alarm"][0]["nodeLabel"], "legacy-web");
    assert_eq!(alarms.json()["alarm"][0]["severity"], "CRITICAL");

    // openITCOCKPIT through the proxy, the caller using an Opsview token: the upstream gets X-OITC-API.
    let (token, _) = proxy.app.auth.login("admin", ADMIN_PASSWORD, None, "test").await.expect("login");
    let hosts = get(proxy.url("/hosts/index.json?angular=true"))
        .header("x-opsview-username", "admin")
        .header("x-opsview-token", &token)
        .send()
        .await;
    assert_eq!(hosts.status, 200, "{}", hosts.text());
    assert_eq!(hosts.json()["all_hosts"][0]["Host"]["hostname"], "legacy-web");

    // The translations are audited on the proxy.
    let translations = proxy.db.all::<AuditEntry>().iter().filter(|entry| entry.action == "proxy_credential_translation").count();
    assert!(translations >= 3, "{translations} translations audited");

    // A caller without credentials is refused by the proxy itself, in the dialect's shape.
    let anonymous = get(proxy.url("/opennms/rest/nodes")).send().await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("www-authenticate"), Some("Basic realm=\"OpenNMS Realm\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opennms_js_works_through_the_proxy() {
    let (upstream, proxy) = upstream_and_proxy().await;
    let dir = client_dir("opennms");
    let base = proxy.url("/opennms/");
    let script = r#"
const { API, Client } = require('opennms/dist/opennms.node.js');
(async () => {
  const client = await new Client().connect('proxy', process.argv[1], 'admin', process.argv[2]);
  const nodes = await client.nodes().find(new API.Filter());
  const alarms = await client.alarms().find(new API.Filter());
  await client.alarms().acknowledge(alarms[0].id);
  console.log(JSON.stringify({ version: client.http.server.metadata.version.displayVersion,
    nodes: nodes.map((n) => n.label), alarms: alarms.map((a) => a.severity.label) }));
})().catch((err) => { console.error(err); process.exit(1); });
"#;
    let (code, stdout, stderr) =
        run_program(Path::new("node"), &["-e", script, &base, ADMIN_PASSWORD], &dir).await;
    assert_eq!(code, 0, "opennms-js through the proxy failed:\n{stderr}\n{stdout}");
    let out: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| panic!("{err}: {stdout}"));
    assert_eq!(out["version"], "33.1.0");
    assert_eq!(out["nodes"], json!(["legacy-web"]));
    assert_eq!(out["alarms"], json!(["CRITICAL"]));
    let alarm = upstream.db.all::<rosetta_model::Alarm>()[0].clone();
    assert_eq!(alarm.ack_user.as_deref(), Some("admin"), "the acknowledgement reached the upstream");
}

fn password(username: &str, password: &str) -> UpstreamCredentials {
    UpstreamCredentials::Password { username: username.to_owned(), password: password.to_owned() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyopsview_works_through_the_proxy_with_an_upstream_account_per_user() {
    let upstream = TestServer::start().await;
    let base = upstream.base();
    // Each proxy login maps to its own upstream account; `py-user` is the contact pyopsview creates
    // upstream during its scenario and then logs in as, through the proxy.
    let users = BTreeMap::from([
        ("admin".to_owned(), password("admin", ADMIN_PASSWORD)),
        ("py-user".to_owned(), password("py-user", "py-secret-1")),
    ]);
    let proxy = TestServer::start_with(move |config| {
        let auth = UpstreamAuth::PerUser { users, fallback: None };
        config.mounts = vec![MountConfig {
            dialect: "opsview".to_owned(),
            mode: "proxy".to_owned(),
            host: None,
            enabled: true,
            proxy: Some(ProxyConfig::new(&base, auth)),
        }];
    })
    .await;
    add_user(&proxy, "py-user", "py-secret-1", "View all, change none", ROOT_TENANT).await;

    crate::opsview::client::pyopsview_scenario(&proxy.base(), &upstream).await;

    // Both callers were translated into their own upstream identities, and the proxy's store stayed empty.
    let translations: Vec<AuditEntry> = proxy
        .db
        .all::<AuditEntry>()
        .iter()
        .filter(|entry| entry.action == "proxy_credential_translation")
        .map(|entry| (**entry).clone())
        .collect();
    for login in ["admin", "py-user"] {
        let upstream_identity = format!("as upstream identity {login}");
        assert!(
            translations.iter().any(|entry| entry.user == login && entry.detail.contains(&upstream_identity)),
            "{login} not translated: {translations:?}"
        );
    }
    assert!(proxy.db.find_by_name::<rosetta_model::Host>("py-host-1").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openitcockpit_example_works_through_the_proxy() {
    let upstream = TestServer::start().await;
    let upstream_admin = upstream.db.find_by_name::<User>("admin").expect("admin");
    let upstream_key = upstream.app.auth.create_api_key(upstream_admin.meta.id, "proxy", Actor::system()).await.expect("key");
    let base = upstream.base();
    let proxy = TestServer::start_with(move |config| {
        config.mounts = vec![mount("openitcockpit", &base, UpstreamCredentials::ApiKey { apikey: upstream_key.key.clone() })];
    })
    .await;
    // The caller's key is the proxy's own; the upstream never sees it.
    let proxy_admin = proxy.db.find_by_name::<User>("admin").expect("admin");
    let caller_key = proxy.app.auth.create_api_key(proxy_admin.meta.id, "caller", Actor::system()).await.expect("key");
    crate::openitcockpit::client::official_example(&proxy.base(), &caller_key.key, &upstream).await;
    assert!(upstream.app.auth.authenticate(&rosetta_auth::Credentials::ApiKey { key: caller_key.key.clone() }, None).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rosetta_import_pulls_a_live_product_and_a_second_run_changes_nothing() {
    let upstream = TestServer::start().await;
    for name in ["imp-web1", "imp-web2", "imp-db1"] {
        monitored_host(&upstream.db, name, "HTTP").await;
    }
    let target = TestServer::start().await;
    let dir = crate::harness::TempDir::new("import");
    let config = dir.path().join("gateway.toml");
    std::fs::write(&config, format!("{}[auth]\nargon2_memory_kib = 8\nargon2_iterations = 1\n", crate::harness::store_toml(&target.config)))
        .expect("config");
    let config = config.display().to_string();
    let url = upstream.base();
    let import = |dry_run: bool| {
        let mut args = vec!["import", "--from", "opsview", "--url", &url, "--username", "admin", "--password", ADMIN_PASSWORD, "--config", &config];
        if dry_run {
            args.push("--dry-run");
        }
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run_program(&crate::harness::rosetta_binary(), &args, &crate::harness::workspace_root()).await
        }
    };
    let (code, stdout, stderr) = import(true).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    target.db.sync_external_changes().await.expect("sync");
    assert!(target.db.find_by_name::<rosetta_model::Host>("imp-web1").is_none(), "a dry run writes nothing");

    let (code, stdout, stderr) = import(false).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    target.db.sync_external_changes().await.expect("sync");
    for name in ["imp-web1", "imp-web2", "imp-db1"] {
        assert!(target.db.find_by_name::<rosetta_model::Host>(name).is_some(), "{name} imported:\n{stdout}");
    }
    // Served through the other dialects at once (the migration use case).
    let nodes = get(target.url("/opennms/rest/nodes?limit=0")).basic("admin", ADMIN_PASSWORD).header("accept", "application/json").send().await;
    let labels: Vec<String> = nodes.json()["node"].as_array().expect("nodes").iter().map(|n| n["label"].as_str().unwrap_or_default().to_owned()).collect();
    assert!(labels.contains(&"imp-db1".to_owned()), "{labels:?}");

    let hosts_before = target.db.count::<rosetta_model::Host>();
    let (code, again, stderr) = import(false).await;
    assert_eq!(code, 0, "{again}{stderr}");
    target.db.sync_external_changes().await.expect("sync");
    assert_eq!(target.db.count::<rosetta_model::Host>(), hosts_before, "a second run duplicates nothing:\n{again}");
}
