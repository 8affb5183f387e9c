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

/// Hosts in the seeded estate; with two services each and their groups and templates, a few hundred objects.
const ESTATE_HOSTS: usize = 100;

/// Seeds `server` with `ESTATE_HOSTS` monitored hosts in one host group, each with two services made from
/// stock service checks, and posts results so some services are critical and the rest OK.
async fn seed_estate(server: &TestServer) {
    server
        .db
        .write(Actor::new("test", "test"), |tx| {
            let root = tx.find_by_name::<rosetta_model::HostGroup>("Opsview").map(|group| group.meta.id);
            let group = tx.insert(rosetta_model::HostGroup {
                meta: rosetta_model::Meta::new(0),
                name: "Estate".to_owned(),
                parent: root,
                tenant: ROOT_TENANT,
                description: "seeded for the import test".to_owned(),
                native: rosetta_model::Native::new(),
            });
            let templates: Vec<_> = tx.all::<rosetta_model::ServiceTemplate>().iter().take(2).map(|t| t.meta.id).collect();
            for i in 0..ESTATE_HOSTS {
                let host = tx.insert(rosetta_model::Host {
                    hostgroups: vec![group.meta.id],
                    ..rosetta_model::Host::new(format!("estate-{i:03}"), format!("10.9.{}.{}", i / 200, i % 200 + 1), ROOT_TENANT)
                });
                for template in &templates {
                    tx.insert(rosetta_model::Service {
                        name: None,
                        template: Some(*template),
                        ..rosetta_model::Service::new(host.meta.id, "")
                    });
                }
            }
            rosetta_core::monitoring::start_reload(tx)?;
            rosetta_core::monitoring::finish_reload(tx)?;
            Ok::<_, rosetta_core::GatewayError>(())
        })
        .await
        .expect("estate");
    let db = &*server.db;
    let results: Vec<serde_json::Value> = db
        .all::<rosetta_model::Service>()
        .iter()
        .enumerate()
        .map(|(n, service)| {
            let host = db.get::<rosetta_model::Host>(service.host).expect("host").name.clone();
            let name = rosetta_core::monitoring::service_name(db, service);
            json!({"host": host, "service": name, "state": if n % 2 == 0 { "critical" } else { "ok" }, "output": format!("seeded {n}")})
        })
        .collect();
    let reply = post(server.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&json!({"results": results})).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

/// The `total` row of an import's summary table: created, updated, unchanged.
fn totals(stdout: &str) -> (usize, usize, usize) {
    let line = stdout.lines().find(|line| line.starts_with("total")).unwrap_or_else(|| panic!("no total row:\n{stdout}"));
    let numbers: Vec<usize> = line.split_whitespace().skip(1).map(|n| n.parse().expect("count")).collect();
    (numbers[0], numbers[1], numbers[2])
}

/// Imports a seeded upstream into a fresh gateway with `--from <product>`: a dry run writes nothing,
/// then everything is created (current states included), a second run changes nothing, a changed upstream host is updated.
async fn import_round_trip(product: &str) {
    let upstream = TestServer::start().await;
    seed_estate(&upstream).await;
    let target = TestServer::start().await;
    let dir = crate::harness::TempDir::new("import");
    let config = dir.path().join("gateway.toml");
    std::fs::write(&config, format!("{}[auth]\nargon2_memory_kib = 8\nargon2_iterations = 1\n", crate::harness::store_toml(&target.config)))
        .expect("config");
    let config = config.display().to_string();
    let url = upstream.base();
    let mut credentials: Vec<String> = match product {
        "openitcockpit" => {
            let admin = upstream.db.find_by_name::<User>("admin").expect("admin");
            let key = upstream.app.auth.create_api_key(admin.meta.id, "import", Actor::system()).await.expect("key");
            vec!["--apikey".to_owned(), key.key]
        }
        _ => vec!["--username".into(), "admin".into(), "--password".into(), ADMIN_PASSWORD.into()],
    };
    let mut args: Vec<String> = ["import", "--from", product, "--url", &url, "--config", &config].map(str::to_owned).to_vec();
    args.append(&mut credentials);
    let import = |extra: &[&str]| {
        let mut args = args.clone();
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, stdout, stderr) = run_program(&crate::harness::rosetta_binary(), &args, &crate::harness::workspace_root()).await;
            assert_eq!(code, 0, "{stdout}{stderr}");
            stdout
        }
    };

    let preview = import(&["--dry-run"]).await;
    target.db.sync_external_changes().await.expect("sync");
    assert!(preview.contains("would create"), "{preview}");
    assert!(totals(&preview).0 >= 2 * ESTATE_HOSTS, "{preview}");
    assert!(target.db.find_by_name::<rosetta_model::Host>("estate-000").is_none(), "a dry run writes nothing");

    let first = import(&[]).await;
    target.db.sync_external_changes().await.expect("sync");
    let (created, _, _) = totals(&first);
    assert!(created >= 2 * ESTATE_HOSTS, "a few hundred objects created:\n{first}");
    let imported = |name: &str| target.db.find_by_name::<rosetta_model::Host>(name).unwrap_or_else(|| panic!("{name} imported:\n{first}"));
    let host = imported("estate-000");
    assert_eq!(host.address, "10.9.0.1");
    let services: Vec<_> = target.db.all::<rosetta_model::Service>().into_iter().filter(|service| service.host == host.meta.id).collect();
    assert_eq!(services.len(), 2, "both services of estate-000");
    // Current states came along: the upstream's problems are problems here, visible through every dialect.
    let critical = services
        .iter()
        .filter_map(|service| rosetta_core::monitoring::current_state(&*target.db, rosetta_model::Target::Service(service.meta.id)))
        .filter(|state| state.state == rosetta_model::StateValue::Service(rosetta_model::ServiceState::Critical))
        .count();
    assert_eq!(critical, 1, "estate-000's first service is critical upstream:\n{first}");
    let alarms = get(target.url("/opennms/api/v2/alarms?_s=node.label==estate-000"))
        .basic("admin", ADMIN_PASSWORD)
        .header("accept", "application/json")
        .send()
        .await;
    assert_eq!(alarms.json()["alarm"][0]["severity"], "CRITICAL", "{}", alarms.text());

    let second = import(&[]).await;
    let (created, updated, _) = totals(&second);
    assert_eq!((created, updated), (0, 0), "a second run changes nothing:\n{second}");

    let changed = upstream.db.find_by_name::<rosetta_model::Host>("estate-007").expect("host");
    upstream
        .db
        .write(Actor::new("test", "test"), |tx| {
            tx.update(rosetta_model::Host { address: "10.99.0.7".to_owned(), ..(*changed).clone() });
            Ok::<_, rosetta_store::StoreError>(())
        })
        .await
        .expect("change upstream");
    let third = import(&[]).await;
    target.db.sync_external_changes().await.expect("sync");
    let (created, updated, _) = totals(&third);
    assert_eq!((created, updated), (0, 1), "only the changed host:\n{third}");
    assert_eq!(imported("estate-007").address, "10.99.0.7");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_from_opsview_creates_then_changes_nothing_then_updates() {
    import_round_trip("opsview").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_from_opennms_creates_then_changes_nothing_then_updates() {
    import_round_trip("opennms").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_from_openitcockpit_creates_then_changes_nothing_then_updates() {
    import_round_trip("openitcockpit").await;
}
