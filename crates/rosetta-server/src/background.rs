//! Background work: downtime transitions and following changes other processes commit to the store.

use std::sync::Arc;
use std::time::Duration;

use rosetta_core::monitoring;
use rosetta_model::Timestamp;
use rosetta_store::{Actor, Db};

/// Spawns the periodic tasks; they stop when the returned handle is aborted or the runtime ends.
pub fn spawn(db: Arc<Db>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
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
        }
    })
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
