//! Transaction tests against the in-memory backend.

use std::sync::Arc;

use rosetta_model::*;

use crate::{Actor, Db, MemoryStore, StoreError};

fn host(name: &str) -> Host {
    Host::new(name, "10.0.0.1", ROOT_TENANT)
}

async fn open() -> (Arc<MemoryStore>, Db) {
    let store = Arc::new(MemoryStore::new());
    let db = Db::open(store.clone()).await.expect("open");
    (store, db)
}

#[tokio::test]
async fn committed_writes_are_cached_durable_and_audited() {
    let (store, db) = open().await;
    let id = db
        .write(Actor::new("admin", "test"), |tx| Ok::<_, StoreError>(tx.insert(host("web1")).meta.id))
        .await
        .expect("write");
    assert_eq!(db.get::<Host>(id).expect("cached").name, "web1");
    assert_eq!(db.find_by_name::<Host>("web1").expect("by name").meta.id, id);
    let status = db.get::<ConfigStatus>(1).expect("config status");
    assert!(status.pending);
    let audit = db.all::<AuditEntry>();
    assert_eq!(audit.len(), 1);
    assert_eq!((audit[0].action.as_str(), audit[0].user.as_str()), ("create", "admin"));
    assert_eq!(audit[0].detail, "web1");

    let reopened = Db::open(store).await.expect("reopen");
    assert_eq!(reopened.get::<Host>(id).expect("durable").name, "web1");
}

#[tokio::test]
async fn a_failing_closure_leaves_nothing_behind() {
    let (store, db) = open().await;
    let result: Result<(), StoreError> = db
        .write(Actor::system(), |tx| {
            tx.insert(host("a"));
            tx.insert(host("b"));
            Err(StoreError::Backend("validation failed halfway".to_owned()))
        })
        .await;
    assert!(result.is_err());
    assert_eq!(db.count::<Host>(), 0);
    assert!(store.is_empty());
}

#[tokio::test]
async fn a_failing_commit_leaves_nothing_behind() {
    let (store, db) = open().await;
    store.fail_next_commit();
    let result = db
        .write(Actor::system(), |tx| {
            tx.insert(host("a"));
            tx.insert(host("b"));
            Ok::<_, StoreError>(())
        })
        .await;
    assert!(result.is_err());
    assert_eq!(db.count::<Host>(), 0);
    assert!(db.find_by_name::<Host>("a").is_none());
    assert!(store.is_empty());
}

#[tokio::test]
async fn a_transaction_reads_its_own_writes() {
    let (_store, db) = open().await;
    db.write(Actor::system(), |tx| {
        let first = tx.insert(host("a"));
        assert_eq!(tx.find_by_name::<Host>("a").expect("staged").meta.id, first.meta.id);
        let mut renamed = (*first).clone();
        renamed.name = "b".to_owned();
        tx.update(renamed);
        assert!(tx.find_by_name::<Host>("a").is_none());
        assert_eq!(tx.all::<Host>().len(), 1);
        tx.delete::<Host>(first.meta.id);
        assert!(tx.all::<Host>().is_empty());
        Ok::<_, StoreError>(())
    })
    .await
    .expect("write");
    assert_eq!(db.count::<Host>(), 0);
}

#[tokio::test]
async fn versions_increase_and_renames_move_the_name_index() {
    let (_store, db) = open().await;
    let created = db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.insert(host("old")))).await.expect("insert");
    let mut renamed = (*created).clone();
    renamed.name = "new".to_owned();
    let updated = db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.update(renamed))).await.expect("update");
    assert_eq!(updated.meta.version, 2);
    assert!(db.find_by_name::<Host>("old").is_none());
    assert_eq!(db.find_by_name::<Host>("new").expect("renamed").meta.id, created.meta.id);
}

#[tokio::test]
async fn the_change_feed_reports_each_transaction_in_order() {
    let (_store, db) = open().await;
    let mut feed = db.subscribe();
    for name in ["a", "b"] {
        db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.insert(host(name)))).await.expect("write");
    }
    let first = feed.recv().await.expect("first");
    let second = feed.recv().await.expect("second");
    assert_eq!((first.seq, second.seq), (1, 2));
    assert!(first.changes.iter().any(|change| change.kind == Kind::Host));
}

#[tokio::test]
async fn updating_a_stale_copy_is_a_conflict_and_writes_nothing() {
    let (_store, db) = open().await;
    let created = db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.insert(host("a")))).await.expect("insert");
    let mut first = (*created).clone();
    first.alias = "first".to_owned();
    let mut stale = (*created).clone();
    stale.alias = "stale".to_owned();
    db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.update(first))).await.expect("first update");
    let result = db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.update(stale))).await;
    assert!(matches!(result, Err(StoreError::Conflict { kind: Kind::Host, .. })), "{result:?}");
    assert_eq!(db.get::<Host>(created.meta.id).expect("host").alias, "first");
    let mut blind = (*created).clone();
    blind.meta.version = 0;
    blind.alias = "blind".to_owned();
    db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.update(blind))).await.expect("version 0 overwrites");
    assert_eq!(db.get::<Host>(created.meta.id).expect("host").alias, "blind");
}

#[tokio::test]
async fn the_children_index_follows_inserts_moves_and_deletes() {
    let (_store, db) = open().await;
    let (a, b) = db
        .write(Actor::system(), |tx| Ok::<_, StoreError>((tx.insert(host("a")).meta.id, tx.insert(host("b")).meta.id)))
        .await
        .expect("hosts");
    let service = |host: Id, name: &str| Service::new(host, name);
    let (first, second) = db
        .write(Actor::system(), |tx| {
            let first = tx.insert(service(a, "HTTP"));
            let second = tx.insert(service(a, "SSH"));
            assert_eq!(tx.children::<Service>(a).len(), 2, "staged children are seen");
            Ok::<_, StoreError>((first, second))
        })
        .await
        .expect("services");
    assert_eq!(db.children::<Service>(a).iter().map(|s| s.meta.id).collect::<Vec<_>>(), vec![first.meta.id, second.meta.id]);
    let renamed = Service { name: Some("HTTPS".into()), ..(*first).clone() };
    db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.update(renamed))).await.expect("rename");
    let names: Vec<Option<String>> = db.children::<Service>(a).iter().map(|s| s.name.clone()).collect();
    assert_eq!(names, [Some("HTTPS".into()), Some("SSH".into())], "a changed child is listed as it is now");
    let mut moved = (*second).clone();
    moved.host = b;
    db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.update(moved))).await.expect("move");
    assert_eq!(db.children::<Service>(a).len(), 1);
    assert_eq!(db.children::<Service>(b)[0].meta.id, second.meta.id);
    db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.delete::<Service>(first.meta.id))).await.expect("delete");
    assert!(db.children::<Service>(a).is_empty());
}

#[tokio::test]
async fn windows_page_through_the_ordered_index() {
    let (_store, db) = open().await;
    let ids: Vec<Id> = db
        .write(Actor::system(), |tx| {
            Ok::<_, StoreError>((0..5).map(|n| tx.insert(host(&format!("h{n}"))).meta.id).collect())
        })
        .await
        .expect("hosts");
    let page = |cursor, descending| db.window::<Host>(cursor, 2, descending).iter().map(|h| h.meta.id).collect::<Vec<_>>();
    assert_eq!(page(None, false), ids[..2].to_vec());
    assert_eq!(page(Some(ids[1]), false), ids[2..4].to_vec());
    assert_eq!(page(None, true), vec![ids[4], ids[3]]);
    assert_eq!(page(Some(ids[1]), true), vec![ids[0]]);
    db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.delete::<Host>(ids[2]))).await.expect("delete");
    assert_eq!(page(Some(ids[1]), false), vec![ids[3], ids[4]]);
}

#[tokio::test]
async fn the_ordered_walk_crosses_chunks_and_skips_deleted_objects() {
    let (_store, db) = open().await;
    let ids: Vec<Id> = db
        .write(Actor::system(), |tx| {
            Ok::<_, StoreError>((0..600).map(|n| tx.insert(host(&format!("h{n}"))).meta.id).collect())
        })
        .await
        .expect("hosts");
    let walked = |db: &Db| db.ordered::<Host>().map(|h| h.meta.id).collect::<Vec<_>>();
    assert_eq!(walked(&db), ids);
    db.write(Actor::system(), |tx| Ok::<_, StoreError>([ids[0], ids[255], ids[256], ids[599]].map(|id| tx.delete::<Host>(id))))
        .await
        .expect("delete");
    let mut expected = ids.clone();
    expected.retain(|id| ![ids[0], ids[255], ids[256], ids[599]].contains(id));
    assert_eq!(walked(&db), expected);
    assert_eq!(db.ordered::<Host>().take(3).count(), 3);
}

#[tokio::test]
async fn the_flagged_index_holds_exactly_the_problem_states() {
    use crate::Read;
    let (_store, db) = open().await;
    let host_id = db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.insert(host("a")).meta.id)).await.expect("host");
    let status = |id: Id, state: ServiceState| ServiceStatus {
        meta: Meta::new(id),
        host: host_id,
        check: CheckState { state: StateValue::Service(state), ..CheckState::pending(StateValue::Service(ServiceState::Ok), 1) },
    };
    let ids = |statuses: Vec<Arc<ServiceStatus>>| statuses.iter().map(|s| s.meta.id).collect::<Vec<_>>();
    db.write(Actor::system(), |tx| {
        tx.put(status(1, ServiceState::Ok));
        tx.put(status(2, ServiceState::Critical));
        tx.put(status(3, ServiceState::Warning));
        assert_eq!(ids(tx.flagged::<ServiceStatus>()), vec![2, 3], "staged problems are seen");
        Ok::<_, StoreError>(())
    })
    .await
    .expect("statuses");
    assert_eq!(ids(db.flagged::<ServiceStatus>()), vec![2, 3]);
    db.write(Actor::system(), |tx| {
        tx.put(status(2, ServiceState::Ok));
        tx.put(status(1, ServiceState::Unknown));
        assert_eq!(ids(tx.flagged::<ServiceStatus>()), vec![1, 3], "a recovery leaves, a new problem joins");
        Ok::<_, StoreError>(())
    })
    .await
    .expect("changes");
    assert_eq!(ids(db.flagged::<ServiceStatus>()), vec![1, 3]);
    db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.delete::<ServiceStatus>(3))).await.expect("delete");
    assert_eq!(ids(db.flagged::<ServiceStatus>()), vec![1]);
    assert!(db.flagged::<Host>().is_empty(), "kinds without a check state flag nothing");
}
