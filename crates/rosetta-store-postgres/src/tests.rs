//! Tests against a real PostgreSQL; they run when `ROSETTA_TEST_DATABASE_URL` is set and say loudly
//! that they were skipped otherwise.

use std::sync::Arc;
use std::time::Duration;

use rosetta_model::{Tenant, TenantKind};
use rosetta_store::{Actor, Db, StoreError};

use super::*;

fn database_url(test: &str) -> Option<String> {
    let url = std::env::var("ROSETTA_TEST_DATABASE_URL").ok().filter(|url| !url.is_empty());
    if url.is_none() {
        eprintln!("SKIPPED {test}: set ROSETTA_TEST_DATABASE_URL=postgres://... to run the PostgreSQL tests");
    }
    url
}

fn options(url: &str, schema: &str) -> PostgresOptions {
    PostgresOptions { url: url.to_owned(), schema: schema.to_owned(), pool_size: 4, connect_timeout: Duration::from_secs(5) }
}

fn fresh_schema() -> String {
    format!("t_{}", uuid::Uuid::new_v4().simple())
}

fn tenant(name: &str) -> Tenant {
    Tenant::new(name, 1, TenantKind::Tenant)
}

async fn replica(url: &str, schema: &str) -> Db {
    Db::open(Arc::new(PostgresStore::connect(&options(url, schema)).await.expect("connect"))).await.expect("open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_survive_reopening() {
    let Some(url) = database_url("records_survive_reopening") else { return };
    let schema = fresh_schema();
    {
        let db = replica(&url, &schema).await;
        db.write(Actor::system(), |tx| {
            tx.insert(tenant("a"));
            tx.insert(tenant("b"));
            Ok::<_, StoreError>(())
        })
        .await
        .expect("write");
        let first = db.all::<Tenant>()[0].meta.id;
        db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.delete::<Tenant>(first))).await.expect("delete");
    }
    let db = replica(&url, &schema).await;
    let names: Vec<String> = db.all::<Tenant>().iter().map(|t| t.name.clone()).collect();
    assert_eq!(names, vec!["b".to_owned()]);
    drop_schema(&url, &schema).await.expect("drop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_see_each_others_writes_and_never_share_ids() {
    let Some(url) = database_url("replicas_see_each_others_writes_and_never_share_ids") else { return };
    let schema = fresh_schema();
    let a = replica(&url, &schema).await;
    let b = replica(&url, &schema).await;
    let signal = b.change_signal().expect("postgres signals changes");
    let from_a = a.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.insert(tenant("from-a")))).await.expect("a");
    let from_b = b.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.insert(tenant("from-b")))).await.expect("b");
    assert_ne!(from_a.meta.id, from_b.meta.id, "id blocks keep replicas apart");
    tokio::time::timeout(Duration::from_secs(1), signal.notified()).await.ok();
    b.sync_external_changes().await.expect("sync");
    assert_eq!(b.get::<Tenant>(from_a.meta.id).expect("synced").name, "from-a");
    drop_schema(&url, &schema).await.expect("drop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_to_one_object_end_consistently() {
    let Some(url) = database_url("concurrent_writes_to_one_object_end_consistently") else { return };
    let schema = fresh_schema();
    let a = replica(&url, &schema).await;
    let b = replica(&url, &schema).await;
    let created = a.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.insert(tenant("shared")))).await.expect("create");
    b.sync_external_changes().await.expect("sync");
    let mut via_a = (*created).clone();
    via_a.description = "a".into();
    let mut via_b = (*created).clone();
    via_b.description = "b".into();
    let first = a.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.update(via_a))).await;
    let second = b.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.update(via_b))).await;
    assert!(first.is_ok());
    assert!(matches!(second, Err(StoreError::Conflict { .. })), "the stale writer loses: {second:?}");
    b.sync_external_changes().await.expect("sync");
    assert_eq!(b.get::<Tenant>(created.meta.id).expect("tenant").description, "a");
    let fresh = replica(&url, &schema).await;
    assert_eq!(fresh.get::<Tenant>(created.meta.id).expect("tenant").description, "a");
    drop_schema(&url, &schema).await.expect("drop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_is_unavailable_not_a_hang() {
    let options = PostgresOptions {
        url: "postgres://nobody@127.0.0.1:1/none".to_owned(),
        schema: "public".to_owned(),
        pool_size: 1,
        connect_timeout: Duration::from_millis(500),
    };
    let started = std::time::Instant::now();
    let result = PostgresStore::connect(&options).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
