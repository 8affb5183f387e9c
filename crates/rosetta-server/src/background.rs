//! Background work: downtime transitions, following changes other processes commit to the store, and
//! keeping history (events, audit entries, closed outages) within `[store] history_limit`.

use std::sync::Arc;
use std::time::Duration;

use rosetta_core::monitoring;
use rosetta_model::{AuditEntry, Event, Id, Outage, Timestamp};
use rosetta_store::{Actor, Db, Object, StoreError};

/// Ticks between two history prunings.
const PRUNE_EVERY: u64 = 10;

/// Records deleted per transaction when pruning.
const PRUNE_BATCH: usize = 5000;

/// Spawns the periodic tasks; they stop when the returned handle is aborted or the runtime ends.
/// `history_limit` is `[store] history_limit`.
pub fn spawn(db: Arc<Db>, history_limit: usize) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = 0u64;
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let signal = db.change_signal();
        loop {
            match &signal {
                // A shared backend wakes us when another replica commits; the interval still runs the
                // downtime transitions and covers lost notifications.
                Some(signal) => {
                    tokio::select! {
                        _ = interval.tick() => {}
                        _ = signal.notified() => {}
                    }
                }
                None => {
                    interval.tick().await;
                }
            }
            tick(&db).await;
            ticks += 1;
            if ticks.is_multiple_of(PRUNE_EVERY) {
                match prune_history(&db, history_limit).await {
                    Ok(0) => {}
                    Ok(deleted) => tracing::debug!(deleted, "history pruned"),
                    Err(err) => tracing::warn!(error = %err, "history pruning failed"),
                }
            }
        }
    })
}

/// Deletes the oldest events, audit entries and closed outages beyond `limit` of each; returns how many.
/// Open outages are never deleted.
pub async fn prune_history(db: &Db, limit: usize) -> Result<usize, StoreError> {
    let events = oldest_beyond::<Event>(db, limit, |_| true);
    let audit = oldest_beyond::<AuditEntry>(db, limit, |_| true);
    let outages = oldest_beyond::<Outage>(db, limit, |outage| outage.regained_time.is_some());
    let mut deleted = 0;
    deleted += delete_all::<Event>(db, &events).await?;
    deleted += delete_all::<AuditEntry>(db, &audit).await?;
    deleted += delete_all::<Outage>(db, &outages).await?;
    Ok(deleted)
}

/// The ids of the oldest objects of `T` passing `deletable`, as many as exceed `limit`.
fn oldest_beyond<T: Object>(db: &Db, limit: usize, deletable: impl Fn(&T) -> bool) -> Vec<Id> {
    let excess = db.count::<T>().saturating_sub(limit);
    if excess == 0 {
        return Vec::new();
    }
    db.window::<T>(None, excess, false).iter().filter(|object| deletable(object)).map(|object| object.meta().id).collect()
}

async fn delete_all<T: Object>(db: &Db, ids: &[Id]) -> Result<usize, StoreError> {
    for batch in ids.chunks(PRUNE_BATCH) {
        db.write(Actor::system(), |tx| {
            for id in batch {
                tx.delete::<T>(*id);
            }
            Ok::<_, StoreError>(())
        })
        .await?;
    }
    Ok(ids.len())
}

/// One round of background work.
pub async fn tick(db: &Db) {
    if let Err(err) = db.sync_external_changes().await {
        tracing::warn!(error = %err, "cannot follow external store changes");
    }
    if monitoring::downtimes_due(db, Timestamp::now()) {
        if let Err(err) = db.write(Actor::system(), monitoring::tick_downtimes).await {
            tracing::warn!(error = %err, "downtime transitions failed");
        }
    }
}

/// Completes a reload that was started asynchronously, after `after`.
pub fn finish_reload_later(db: Arc<Db>, actor: Actor, after: Duration) {
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        if let Err(err) = db.write(actor, monitoring::finish_reload).await {
            tracing::error!(error = %err, "asynchronous reload failed");
        }
    });
}

#[cfg(test)]
mod tests {
    use rosetta_core::monitoring::{submit_result, CheckResult};
    use rosetta_model::{CheckSettings, Host, Service, ServiceState, StateValue, Target, ROOT_TENANT};
    use rosetta_store::MemoryStore;

    use super::*;

    #[tokio::test]
    async fn history_beyond_the_limit_goes_oldest_first_and_open_outages_stay() {
        let db = Db::open(Arc::new(MemoryStore::new())).await.expect("db");
        let service = db
            .write(Actor::system(), |tx| {
                let host = tx.insert(Host::new("h", "10.0.0.1", ROOT_TENANT));
                let service = tx.insert(Service {
                    check: CheckSettings { max_check_attempts: Some(1), ..CheckSettings::default() },
                    ..Service::new(host.meta.id, "HTTP")
                });
                tx.audit("test", None, None, "seed");
                Ok::<_, StoreError>(service.meta.id)
            })
            .await
            .expect("seed");
        // Eleven state changes: events, outages opened and closed, the last one still open.
        for n in 0..11 {
            let state = if n % 2 == 0 { ServiceState::Critical } else { ServiceState::Ok };
            db.write(Actor::system(), |tx| {
                tx.audit("result", None, None, format!("result {n}"));
                submit_result(tx, CheckResult::new(Target::Service(service), StateValue::Service(state), "test"))
            })
            .await
            .expect("result");
        }
        let events_before: Vec<Id> = db.all::<Event>().iter().map(|event| event.meta.id).collect();
        assert!(events_before.len() >= 11, "{} events", events_before.len());
        assert_eq!(db.count::<Outage>(), 6);
        let audit_before = db.count::<AuditEntry>();

        let deleted = prune_history(&db, 3).await.expect("prune");
        let events: Vec<Id> = db.all::<Event>().iter().map(|event| event.meta.id).collect();
        assert_eq!(events, events_before[events_before.len() - 3..].to_vec(), "the newest three events stay");
        assert_eq!(db.count::<AuditEntry>(), 3);
        let outages = db.all::<Outage>();
        assert_eq!(outages.len(), 3);
        assert!(outages.iter().any(|outage| outage.regained_time.is_none()), "the open outage is never deleted");
        assert_eq!(deleted, (events_before.len() - 3) + (audit_before - 3) + 3);
        assert_eq!(prune_history(&db, 3).await.expect("again"), 0, "nothing left to prune");
    }
}
