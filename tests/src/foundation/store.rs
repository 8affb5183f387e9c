//! Transactions seen through the API: a batch that fails halfway leaves nothing behind.

use rosetta_core::monitoring;
use rosetta_model::*;
use rosetta_store::{Actor, Db};
use serde_json::json;

use crate::harness::{post, reopen_db, TestServer, ADMIN_PASSWORD};

/// Creates a monitored host with one service (as a reload would leave them) and returns their ids.
pub(crate) async fn monitored_host(db: &Db, name: &str, service: &str) -> (Id, Id) {
    db.write(Actor::new("test", "test"), |tx| {
        let host = tx.insert(Host {
            check: CheckSettings { max_check_attempts: Some(1), ..CheckSettings::default() },
            ..Host::new(name, "192.0.2.10", ROOT_TENANT)
        });
        let service = tx.insert(Service {
            check: CheckSettings { max_check_attempts: Some(1), ..CheckSettings::default() },
            ..Service::new(host.meta.id, service)
        });
        monitoring::start_reload(tx)?;
        monitoring::finish_reload(tx)?;
        Ok::<_, rosetta_core::GatewayError>((host.meta.id, service.meta.id))
    })
    .await
    .expect("monitored host")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_that_fails_halfway_writes_nothing() {
    let server = TestServer::start().await;
    let (_, http) = monitored_host(&server.db, "web1", "HTTP").await;
    let events_before = server.db.count::<Event>();
    let batch = json!({"results": [
        {"host": "web1", "service": "HTTP", "state": "critical", "output": "down"},
        {"host": "web1", "state": "down"},
        {"host": "no-such-host", "state": "up"}
    ]});
    let reply = post(server.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&batch).send().await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.json()["error"]["message"].as_str().expect("message").contains("results[2]: no host named no-such-host"));
    let status = server.db.get::<ServiceStatus>(http).expect("status");
    assert!(status.check.pending, "the first result of the batch was not applied");
    assert_eq!(server.db.count::<Event>(), events_before);
    assert_eq!(server.db.count::<Alarm>(), 0);

    // Nothing reached the backend either.
    let reopened = reopen_db(&server.config).await;
    assert!(reopened.get::<ServiceStatus>(http).expect("status").check.pending);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_batch_applies_every_result_with_shared_semantics() {
    let server = TestServer::start().await;
    let (host, http) = monitored_host(&server.db, "web1", "HTTP").await;
    let batch = json!([
        {"host": "web1", "service": "HTTP", "state": 2, "output": "HTTP CRITICAL", "perfdata": "time=9s"},
        {"host": "web1", "state": "up", "output": "PING OK"}
    ]);
    let reply = post(server.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&batch).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json(), json!({"accepted": 2, "state_changes": 1}));
    let status = server.db.get::<ServiceStatus>(http).expect("status");
    assert_eq!(status.check.state, StateValue::Service(ServiceState::Critical));
    assert_eq!((status.check.output.as_str(), status.check.perfdata.as_str()), ("HTTP CRITICAL", "time=9s"));
    assert_eq!(status.check.native.as_ref().map(|native| native.value.as_str()), Some("2"));
    let alarm = monitoring::alarm_of(&*server.db, Target::Service(http)).expect("alarm");
    assert_eq!((alarm.severity, alarm.host), (Severity::Critical, Some(host)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_need_action_permission() {
    let server = TestServer::start().await;
    monitored_host(&server.db, "web1", "HTTP").await;
    let hash = server.app.auth.hash_password("viewer-password").expect("hash");
    server
        .db
        .write(Actor::system(), |tx| {
            let role = tx.find_by_name::<Role>("View all, change none").expect("role").meta.id;
            tx.insert(User {
                meta: Meta::new(0),
                login: "viewer".into(),
                fullname: String::new(),
                email: String::new(),
                role,
                tenants: vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Read }],
                active: true,
                password_hash: Some(hash),
                native: Native::new(),
            });
            Ok::<_, rosetta_store::StoreError>(())
        })
        .await
        .expect("viewer");
    let batch = json!([{"host": "web1", "state": "down"}]);
    let reply = post(server.url("/api/v1/results")).basic("viewer", "viewer-password").json(&batch).send().await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    assert_eq!(server.db.count::<Event>(), 0);
}
