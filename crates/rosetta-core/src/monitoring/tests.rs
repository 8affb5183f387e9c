//! Tests of the shared monitoring semantics against the in-memory store.

use std::sync::Arc;

use rosetta_model::*;
use rosetta_store::{Actor, Db, MemoryStore};

use super::*;

async fn setup(max_attempts: u32) -> (Db, Id, Id) {
    let db = Db::open(Arc::new(MemoryStore::new())).await.expect("db");
    let (host, service) = db
        .write(Actor::system(), |tx| {
            let host = tx.insert(Host {
                check: CheckSettings { max_check_attempts: Some(max_attempts), ..CheckSettings::default() },
                ..Host::new("web1", "10.0.0.1", ROOT_TENANT)
            });
            let service = tx.insert(Service {
                check: CheckSettings { max_check_attempts: Some(max_attempts), ..CheckSettings::default() },
                ..Service::new(host.meta.id, "HTTP")
            });
            start_reload(tx)?;
            finish_reload(tx)?;
            Ok::<_, GatewayError>((host.meta.id, service.meta.id))
        })
        .await
        .expect("setup");
    (db, host, service)
}

async fn result(db: &Db, target: Target, state: StateValue) -> ResultOutcome {
    db.write(Actor::system(), |tx| {
        let mut result = CheckResult::new(target, state, "test");
        result.output = format!("{} output", state.name());
        submit_result(tx, result)
    })
    .await
    .expect("result")
}

const CRIT: StateValue = StateValue::Service(ServiceState::Critical);
const WARN: StateValue = StateValue::Service(ServiceState::Warning);
const OK: StateValue = StateValue::Service(ServiceState::Ok);

#[tokio::test]
async fn a_reload_makes_objects_monitored_and_clears_pending() {
    let (db, host, service) = setup(3).await;
    assert!(db.get::<HostStatus>(host).expect("host status").check.pending);
    assert!(db.get::<ServiceStatus>(service).is_some());
    assert!(!db.get::<ConfigStatus>(1).expect("config").pending);
}

#[tokio::test]
async fn problems_go_soft_then_hard_after_max_attempts() {
    let (db, _, service) = setup(3).await;
    let target = Target::Service(service);
    result(&db, target, CRIT).await;
    let state = db.get::<ServiceStatus>(service).expect("status").check.clone();
    assert_eq!((state.state_type, state.attempt), (StateType::Soft, 1));
    result(&db, target, CRIT).await;
    result(&db, target, CRIT).await;
    let state = db.get::<ServiceStatus>(service).expect("status").check.clone();
    assert_eq!((state.state_type, state.attempt), (StateType::Hard, 3));
    assert_eq!(state.last_hard_state, CRIT);
    assert_eq!(state.output, "critical output");
}

#[tokio::test]
async fn state_changes_write_events_reduce_alarms_and_track_outages() {
    let (db, host, service) = setup(1).await;
    let target = Target::Service(service);
    assert!(result(&db, target, CRIT).await.event.is_some());
    assert!(result(&db, target, CRIT).await.event.is_none(), "no change, no event");
    result(&db, target, WARN).await;
    let alarms = db.all::<Alarm>();
    assert_eq!(alarms.len(), 1);
    assert_eq!((alarms[0].count, alarms[0].severity), (2, Severity::Warning));
    assert_eq!(alarms[0].reduction_key, format!("uei.opennms.org/nodes/nodeLostService::{host}:10.0.0.1:HTTP"));
    assert!(db.all::<Outage>()[0].regained_time.is_none());

    result(&db, target, OK).await;
    assert_eq!(db.all::<Alarm>()[0].severity, Severity::Cleared);
    assert!(db.all::<Outage>()[0].regained_time.is_some());
    let ueis: Vec<String> = db.all::<Event>().iter().map(|event| event.uei.clone()).collect();
    assert_eq!(
        ueis,
        vec![
            "uei.opennms.org/nodes/nodeLostService",
            "uei.opennms.org/nodes/nodeLostService",
            "uei.opennms.org/nodes/nodeRegainedService"
        ]
    );
}

async fn ack(db: &Db, target: Target, sticky: bool) -> Option<Arc<Acknowledgement>> {
    db.write(Actor::system(), |tx| {
        acknowledge(
            tx,
            AckRequest {
                target,
                author: "admin".into(),
                comment: "on it".into(),
                sticky,
                notify: false,
                persistent: false,
                dialect: "test".into(),
            },
        )
    })
    .await
    .expect("ack")
}

#[tokio::test]
async fn sticky_acks_survive_problem_changes_and_non_sticky_ones_do_not() {
    let (db, _, service) = setup(1).await;
    let target = Target::Service(service);
    assert!(ack(&db, target, true).await.is_none(), "an OK service cannot be acknowledged");
    result(&db, target, CRIT).await;
    ack(&db, target, true).await.expect("acked");
    assert_eq!(db.all::<Alarm>()[0].ack_user.as_deref(), Some("admin"));
    result(&db, target, WARN).await;
    assert!(db.get::<ServiceStatus>(service).expect("status").check.is_acknowledged(), "sticky survives");
    result(&db, target, OK).await;
    assert!(!db.get::<ServiceStatus>(service).expect("status").check.is_acknowledged(), "recovery ends it");

    result(&db, target, CRIT).await;
    ack(&db, target, false).await.expect("acked");
    result(&db, target, WARN).await;
    assert!(!db.get::<ServiceStatus>(service).expect("status").check.is_acknowledged(), "non-sticky ends");
}

#[tokio::test]
async fn downtimes_start_now_or_later_and_end_on_cancel() {
    let (db, host, _) = setup(1).await;
    let target = Target::Host(host);
    let now = Timestamp::now();
    let downtime = db
        .write(Actor::system(), |tx| {
            schedule_downtime(
                tx,
                DowntimeRequest {
                    target,
                    start: now.plus_millis(-1000),
                    end: now.plus_millis(3_600_000),
                    fixed: true,
                    author: "admin".into(),
                    comment: "maintenance".into(),
                    group: None,
                    dialect: "test".into(),
                },
            )
        })
        .await
        .expect("downtime");
    assert!(downtime.actual_start.is_some());
    assert_eq!(db.get::<HostStatus>(host).expect("status").check.downtime_depth, 1);
    let cancelled = db.write(Actor::system(), |tx| cancel_downtime(tx, downtime.meta.id, "test")).await.expect("cancel");
    assert!(cancelled);
    assert_eq!(db.get::<HostStatus>(host).expect("status").check.downtime_depth, 0);
    let kinds: Vec<EventKind> = db.all::<Event>().iter().map(|event| event.kind).collect();
    assert_eq!(kinds, vec![EventKind::DowntimeStart, EventKind::DowntimeEnd]);
}

#[tokio::test]
async fn a_second_reload_while_one_runs_is_a_conflict() {
    let (db, _, _) = setup(1).await;
    db.write(Actor::system(), start_reload).await.expect("first");
    let second = db.write(Actor::system(), start_reload).await.expect_err("second");
    assert_eq!(second.kind, crate::ErrorKind::Conflict);
    db.write(Actor::system(), finish_reload).await.expect("finish");
    db.write(Actor::system(), start_reload).await.expect("again after finishing");
}

#[tokio::test]
async fn deleting_a_host_takes_its_services_state_and_downtimes_with_it() {
    let (db, host, service) = setup(1).await;
    result(&db, Target::Service(service), CRIT).await;
    ack(&db, Target::Service(service), true).await.expect("acked");
    let now = Timestamp::now();
    db.write(Actor::system(), |tx| {
        schedule_downtime(
            tx,
            DowntimeRequest {
                target: Target::Host(host),
                start: now.plus_millis(60_000),
                end: now.plus_millis(120_000),
                fixed: true,
                author: "admin".into(),
                comment: "later".into(),
                group: None,
                dialect: "test".into(),
            },
        )
    })
    .await
    .expect("downtime");
    assert!(db.write(Actor::system(), |tx| delete_host(tx, host)).await.expect("delete"));
    assert!(db.get::<Host>(host).is_none());
    assert!(db.get::<Service>(service).is_none());
    assert!(db.get::<HostStatus>(host).is_none() && db.get::<ServiceStatus>(service).is_none());
    assert!(db.all::<Downtime>().iter().all(|downtime| downtime.cancelled));
    assert!(db.all::<Acknowledgement>().iter().all(|ack| ack.ended.is_some()));
    assert!(!downtimes_due(&db, now.plus_millis(200_000)), "nothing left for the ticker to trip over");
    assert!(!db.all::<Event>().is_empty(), "history stays");
}
