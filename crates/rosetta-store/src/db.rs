//! The [`Db`] facade: cached reads, serialised transactional writes, and a change feed.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use rosetta_model::{Id, Kind};
use tokio::sync::{broadcast, Mutex};

use crate::cache::Cache;
use crate::{Actor, Object, Record, Store, StoreError, Tx};

/// Ids reserved at a time per kind when several replicas share the backend.
const ID_BLOCK: u64 = 10_000;

/// A new block is reserved before a write when fewer ids than this are left.
const ID_LOW_WATER: i64 = 5_000;

/// One committed change: the new record, or `None` for a delete.
#[derive(Debug, Clone)]
pub struct Change {
    /// Kind.
    pub kind: Kind,
    /// Id.
    pub id: Id,
    /// The record after the change; `None` when deleted.
    pub record: Option<Record>,
}

/// Everything one transaction changed, in order.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    /// Position in this process's change feed, gap-free from 1.
    pub seq: u64,
    /// Who wrote it.
    pub actor: Actor,
    /// The changes.
    pub changes: Vec<Change>,
}

/// A subscription to the store's change feed.
pub type ChangeFeed = broadcast::Receiver<Arc<ChangeSet>>;

/// The store facade every dialect uses.
pub struct Db {
    cache: Cache,
    store: Arc<dyn Store>,
    write_lock: Mutex<()>,
    changes: broadcast::Sender<Arc<ChangeSet>>,
    seq: AtomicU64,
    healthy: AtomicBool,
    external_cursor: AtomicU64,
    stats: DbStats,
}

/// Counters of backend work, for metrics.
#[derive(Debug, Default)]
pub struct DbStats {
    /// Committed transactions.
    pub commits: AtomicU64,
    /// Transactions whose commit failed.
    pub commit_failures: AtomicU64,
    /// Time spent committing, in microseconds.
    pub commit_micros: AtomicU64,
    /// Records applied from other writers.
    pub external_changes: AtomicU64,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("store", &self.store.name()).finish_non_exhaustive()
    }
}

impl crate::Read for Db {
    fn get<T: Object>(&self, id: Id) -> Option<Arc<T>> {
        Db::get(self, id)
    }

    fn all<T: Object>(&self) -> Vec<Arc<T>> {
        Db::all(self)
    }

    fn find_by_name<T: Object>(&self, name: &str) -> Option<Arc<T>> {
        Db::find_by_name(self, name)
    }

    fn children<T: Object>(&self, parent: Id) -> Vec<Arc<T>> {
        Db::children(self, parent)
    }

    fn flagged<T: Object>(&self) -> Vec<Arc<T>> {
        T::table(&self.cache).flagged()
    }
}

impl Db {
    /// Opens the store and fills the cache with every record.
    pub async fn open(store: Arc<dyn Store>) -> Result<Db, StoreError> {
        let cursor = store.change_cursor().await?;
        let mut blocks = Vec::new();
        for kind in Kind::ALL {
            if let Some(start) = store.reserve_ids(kind, ID_BLOCK).await? {
                blocks.push((kind, start));
            }
        }
        let records = store.load().await?;
        let cache = Cache::default();
        for stored in records {
            let record = Record::from_json(stored.kind, &stored.body).map_err(|err| StoreError::Corrupt {
                kind: stored.kind,
                id: stored.id,
                message: err.to_string(),
            })?;
            cache.insert_record(record);
        }
        for (kind, start) in blocks {
            cache.set_block(kind, start, start + ID_BLOCK as Id);
        }
        let (changes, _) = broadcast::channel(4096);
        Ok(Db {
            cache,
            store,
            write_lock: Mutex::new(()),
            changes,
            seq: AtomicU64::new(0),
            healthy: AtomicBool::new(true),
            external_cursor: AtomicU64::new(cursor),
            stats: DbStats::default(),
        })
    }

    /// The read cache.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// The backend's name.
    pub fn backend_name(&self) -> &'static str {
        self.store.name()
    }

    /// The object of type `T` with this id.
    pub fn get<T: Object>(&self, id: Id) -> Option<Arc<T>> {
        T::table(&self.cache).get(id)
    }

    /// Every object of type `T`, ordered by id.
    pub fn all<T: Object>(&self) -> Vec<Arc<T>> {
        T::table(&self.cache).all()
    }

    /// The object of type `T` with this unique name.
    pub fn find_by_name<T: Object>(&self, name: &str) -> Option<Arc<T>> {
        let id = T::table(&self.cache).id_by_name(name)?;
        self.get(id)
    }

    /// The objects of type `T` whose parent is `parent` (a host's services), ordered by id.
    pub fn children<T: Object>(&self, parent: Id) -> Vec<Arc<T>> {
        T::table(&self.cache).children(parent)
    }

    /// Up to `limit` objects of type `T` after (or, descending, before) `cursor`, in id order, from the
    /// ordered index.
    pub fn window<T: Object>(&self, cursor: Option<Id>, limit: usize, descending: bool) -> Vec<Arc<T>> {
        T::table(&self.cache).window(cursor, limit, descending)
    }

    /// Every object of type `T` in id order, read lazily from the ordered index a chunk at a time, so a
    /// caller that stops after a page never touches the rest (unlike [`Db::all`]).
    pub fn ordered<T: Object>(&self) -> impl Iterator<Item = Arc<T>> + '_ {
        const CHUNK: usize = 256;
        let mut cursor = None;
        let mut done = false;
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            let ids = T::table(&self.cache).window_ids(cursor, CHUNK, false);
            done = ids.len() < CHUNK;
            cursor = ids.last().copied().or(cursor);
            Some(ids)
        })
        .flatten()
        .filter_map(|id| self.get::<T>(id))
    }

    /// A number that increases with every change to the objects of type `T`.
    pub fn generation<T: Object>(&self) -> u64 {
        T::table(&self.cache).generation()
    }

    /// Number of objects of type `T`.
    pub fn count<T: Object>(&self) -> usize {
        T::table(&self.cache).len()
    }

    /// Runs `work` as one transaction. Writes are serialised; `work` must not block. When `work` returns
    /// `Ok`, the staged batch is committed to the backend and then applied to the cache; when it returns
    /// `Err` or the commit fails, nothing is written anywhere.
    pub async fn write<R, E>(&self, actor: Actor, work: impl FnOnce(&mut Tx<'_>) -> Result<R, E>) -> Result<R, E>
    where
        E: From<StoreError>,
    {
        let _guard = self.write_lock.lock().await;
        if self.store.change_signal().is_some() {
            // Shared backend: start from the newest committed state so the version checks pass.
            self.sync_locked().await?;
        }
        self.top_up_ids().await?;
        let mut tx = Tx::new(&self.cache, actor.clone());
        let result = work(&mut tx)?;
        if let Some((kind, id)) = tx.conflict() {
            return Err(StoreError::Conflict { kind, id }.into());
        }
        if tx.is_empty() {
            return Ok(result);
        }
        let (mutations, applied) = tx.finish();
        let started = std::time::Instant::now();
        let committed = self.store.commit(mutations).await;
        self.stats.commit_micros.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        if let Err(err) = committed {
            self.stats.commit_failures.fetch_add(1, Ordering::Relaxed);
            if matches!(err, StoreError::Unavailable(_)) {
                self.healthy.store(false, Ordering::Relaxed);
            }
            tracing::warn!(backend = self.store.name(), error = %err, "commit failed; transaction rolled back");
            return Err(err.into());
        }
        self.healthy.store(true, Ordering::Relaxed);
        self.stats.commits.fetch_add(1, Ordering::Relaxed);
        let mut changes = Vec::with_capacity(applied.len());
        for (kind, id, record) in applied {
            match &record {
                Some(record) => self.cache.insert_record(record.clone()),
                None => self.cache.remove_record(kind, id),
            }
            changes.push(Change { kind, id, record });
        }
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        // No subscriber is not an error: the feed is best effort for live views.
        let _ = self.changes.send(Arc::new(ChangeSet { seq, actor, changes }));
        Ok(result)
    }

    /// Applies changes other writers (the CLI, another replica) committed since the last call, so the
    /// cache stays coherent with the backend. Returns how many records changed.
    pub async fn sync_external_changes(&self) -> Result<usize, StoreError> {
        let _guard = self.write_lock.lock().await;
        self.sync_locked().await
    }

    /// [`Db::sync_external_changes`] for a caller that holds the write lock.
    async fn sync_locked(&self) -> Result<usize, StoreError> {
        let cursor = self.external_cursor.load(Ordering::Relaxed);
        let (next, found) = self.store.changes_since(cursor).await?;
        let mut changes = Vec::new();
        for external in found {
            let cached_version = self.cache.get_record(external.kind, external.id).map(|r| r.meta().version);
            match external.record {
                Some(stored) if cached_version != Some(stored.version) => {
                    let record = Record::from_json(stored.kind, &stored.body).map_err(|err| {
                        StoreError::Corrupt { kind: stored.kind, id: stored.id, message: err.to_string() }
                    })?;
                    self.cache.insert_record(record.clone());
                    changes.push(Change { kind: external.kind, id: external.id, record: Some(record) });
                }
                None if cached_version.is_some() => {
                    self.cache.remove_record(external.kind, external.id);
                    changes.push(Change { kind: external.kind, id: external.id, record: None });
                }
                _ => {}
            }
        }
        self.external_cursor.store(next, Ordering::Relaxed);
        let count = changes.len();
        self.stats.external_changes.fetch_add(count as u64, Ordering::Relaxed);
        if count > 0 {
            let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
            let _ = self.changes.send(Arc::new(ChangeSet { seq, actor: Actor::new("external", "store"), changes }));
        }
        Ok(count)
    }

    /// Reserves a new id block for every kind running low (replicated backends only).
    async fn top_up_ids(&self) -> Result<(), StoreError> {
        for kind in Kind::ALL {
            if self.cache.remaining_ids(kind) < ID_LOW_WATER {
                if let Some(start) = self.store.reserve_ids(kind, ID_BLOCK).await? {
                    self.cache.set_block(kind, start, start + ID_BLOCK as Id);
                }
            }
        }
        Ok(())
    }

    /// Signalled when another writer committed, if the backend can tell (see [`Store::change_signal`]).
    pub fn change_signal(&self) -> Option<Arc<tokio::sync::Notify>> {
        self.store.change_signal()
    }

    /// Follows every committed change set from now on.
    pub fn subscribe(&self) -> ChangeFeed {
        self.changes.subscribe()
    }

    /// Checks that the backend answers; updates the health flag that `/readyz` reports.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let result = self.store.ping().await;
        self.healthy.store(result.is_ok(), Ordering::Relaxed);
        result
    }

    /// Counters of backend work.
    pub fn stats(&self) -> &DbStats {
        &self.stats
    }

    /// False after the backend failed to answer, until it answers again.
    pub fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests;
