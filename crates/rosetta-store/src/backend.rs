//! The durable [`Store`] trait and the in-memory implementation used by unit tests.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use parking_lot::Mutex;
use rosetta_model::{Id, Kind};

use crate::StoreError;

/// The future a [`Store`] method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// One record as a backend keeps it: kind, id, version and the JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// Kind.
    pub kind: Kind,
    /// Id within the kind.
    pub id: Id,
    /// Version, incremented on every write.
    pub version: u64,
    /// The object, serialised as JSON.
    pub body: String,
}

/// One change of a committed batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    /// Insert or replace a record. `expected_version` is the version the writer read (0 for a new
    /// object); a backend shared by several replicas refuses the write when it differs.
    Put {
        /// The new record.
        record: StoredRecord,
        /// Version the writer based the change on.
        expected_version: u64,
    },
    /// Remove a record.
    Delete {
        /// Kind.
        kind: Kind,
        /// Id.
        id: Id,
    },
}

/// A durable backend. It stores opaque records; all domain logic lives above it, once.
///
/// Implementations: [`MemoryStore`] here, SQLite in `rosetta-store-sqlite`.
pub trait Store: Send + Sync + 'static {
    /// Short backend name for logs and `/readyz` (`sqlite`, `memory`).
    fn name(&self) -> &'static str;

    /// Every stored record, for filling the cache at start-up.
    fn load(&self) -> StoreFuture<'_, Vec<StoredRecord>>;

    /// Applies the batch atomically: all of it is durable when this returns `Ok`, none of it otherwise.
    fn commit(&self, batch: Vec<Mutation>) -> StoreFuture<'_, ()>;

    /// Checks that the backend answers.
    fn ping(&self) -> StoreFuture<'_, ()>;

    /// Reserves `count` ids of `kind` for this process and returns the first; `None` when ids are
    /// allocated locally (a backend only one process writes to).
    fn reserve_ids(&self, kind: Kind, count: u64) -> StoreFuture<'_, Option<Id>> {
        let _ = (kind, count);
        Box::pin(async { Ok(None) })
    }

    /// Signalled when another writer committed (PostgreSQL `NOTIFY`), so the cache can follow at once
    /// instead of at the next poll.
    fn change_signal(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        None
    }

    /// The position of the newest committed change, for [`Store::changes_since`].
    fn change_cursor(&self) -> StoreFuture<'_, u64> {
        Box::pin(async { Ok(0) })
    }

    /// Changes committed after `cursor` by any writer (another process or replica), with the record as
    /// it is now (`None` when deleted), and the new cursor. Backends only one process writes to may
    /// return nothing.
    fn changes_since(&self, cursor: u64) -> StoreFuture<'_, (u64, Vec<ExternalChange>)> {
        Box::pin(async move { Ok((cursor, Vec::new())) })
    }
}

/// A random, non-zero id for one backend instance's rows in a shared change log, so
/// [`Store::changes_since`] can skip the changes this instance wrote itself (its cache has them already)
/// instead of reading their bodies back. One instance must serve one [`crate::Db`].
pub fn new_writer_id() -> i64 {
    use std::hash::BuildHasher;
    let hash = std::hash::RandomState::new().hash_one((std::process::id(), std::time::SystemTime::now()));
    ((hash >> 1) as i64).max(1)
}

/// A change found by [`Store::changes_since`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalChange {
    /// Kind.
    pub kind: Kind,
    /// Id.
    pub id: Id,
    /// The record now; `None` when it was deleted.
    pub record: Option<StoredRecord>,
}

/// A [`Store`] that keeps records in memory: for unit tests and throw-away runs.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<BTreeMap<(Kind, Id), StoredRecord>>,
    fail_next_commit: Mutex<bool>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Makes the next commit fail, to test that nothing is half-written.
    pub fn fail_next_commit(&self) {
        *self.fail_next_commit.lock() = true;
    }

    /// Number of stored records.
    pub fn len(&self) -> usize {
        self.records.lock().len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Store for MemoryStore {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn load(&self) -> StoreFuture<'_, Vec<StoredRecord>> {
        let records = self.records.lock().values().cloned().collect();
        Box::pin(async move { Ok(records) })
    }

    fn commit(&self, batch: Vec<Mutation>) -> StoreFuture<'_, ()> {
        let result = (|| {
            if std::mem::take(&mut *self.fail_next_commit.lock()) {
                return Err(StoreError::Backend("injected commit failure".to_owned()));
            }
            let mut records = self.records.lock();
            for mutation in &batch {
                if let Mutation::Put { record, expected_version } = mutation {
                    let current = records.get(&(record.kind, record.id)).map_or(0, |stored| stored.version);
                    if current != *expected_version {
                        return Err(StoreError::Conflict { kind: record.kind, id: record.id });
                    }
                }
            }
            for mutation in batch {
                match mutation {
                    Mutation::Put { record, .. } => {
                        records.insert((record.kind, record.id), record);
                    }
                    Mutation::Delete { kind, id } => {
                        records.remove(&(kind, id));
                    }
                }
            }
            Ok(())
        })();
        Box::pin(async move { result })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }
}
