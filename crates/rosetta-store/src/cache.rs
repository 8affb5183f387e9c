//! The read cache: one dashmap table per kind plus a unique-name index.
//!
//! Only [`crate::Db`] writes to the cache, after the backend committed; readers get `Arc`s and never
//! hold a dashmap guard beyond the call.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use foldhash::fast::RandomState;
use rosetta_model::Id;

pub use crate::object::Cache;
use crate::Object;

/// The cached objects of one kind.
///
/// Ids are allocated locally (one writer: the next id follows the highest seen) or, when several
/// replicas share the backend, from blocks the backend reserves for this process (`set_block`), so two
/// replicas never hand out the same id.
#[derive(Debug)]
pub struct Table<T> {
    /// Keyed by ids the store hands out, never by request input, so a fast hasher is safe here.
    by_id: DashMap<Id, Arc<T>, RandomState>,
    by_name: DashMap<String, Id>,
    /// Each parent's children themselves, by id, so listing them needs no lookup per child.
    by_parent: DashMap<Id, Vec<Arc<T>>, RandomState>,
    ordered: parking_lot::RwLock<std::collections::BTreeSet<Id>>,
    flagged: parking_lot::RwLock<std::collections::BTreeSet<Id>>,
    next_id: AtomicI64,
    block_end: AtomicI64,
    generation: std::sync::atomic::AtomicU64,
}

impl<T> Default for Table<T> {
    fn default() -> Table<T> {
        Table {
            by_id: DashMap::default(),
            by_name: DashMap::new(),
            by_parent: DashMap::default(),
            ordered: parking_lot::RwLock::new(std::collections::BTreeSet::new()),
            flagged: parking_lot::RwLock::new(std::collections::BTreeSet::new()),
            next_id: AtomicI64::new(1),
            block_end: AtomicI64::new(Id::MAX),
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl<T: Object> Table<T> {
    /// The object with this id.
    pub fn get(&self, id: Id) -> Option<Arc<T>> {
        self.by_id.get(&id).map(|entry| Arc::clone(entry.value()))
    }

    /// The id of the object with this unique name (exact, case-sensitive).
    pub fn id_by_name(&self, name: &str) -> Option<Id> {
        self.by_name.get(name).map(|entry| *entry.value())
    }

    /// The objects whose parent is `parent` (a host's services, alarms, outages), ordered by id.
    pub fn children(&self, parent: Id) -> Vec<Arc<T>> {
        self.by_parent.get(&parent).map(|entry| entry.value().clone()).unwrap_or_default()
    }

    /// Up to `limit` objects in id order after `cursor` (ascending) or before it (descending), read from
    /// an ordered index rather than a scan.
    pub fn window(&self, cursor: Option<Id>, limit: usize, descending: bool) -> Vec<Arc<T>> {
        self.window_ids(cursor, limit, descending).into_iter().filter_map(|id| self.get(id)).collect()
    }

    /// Up to `limit` ids after (or, descending, before) `cursor`, in id order, from the ordered index.
    pub fn window_ids(&self, cursor: Option<Id>, limit: usize, descending: bool) -> Vec<Id> {
        let ordered = self.ordered.read();
        match (cursor, descending) {
            (None, false) => ordered.iter().take(limit).copied().collect(),
            (None, true) => ordered.iter().rev().take(limit).copied().collect(),
            (Some(cursor), false) => ordered.range(cursor.saturating_add(1)..).take(limit).copied().collect(),
            (Some(cursor), true) => ordered.range(..cursor).rev().take(limit).copied().collect(),
        }
    }

    /// The flagged objects (see [`Object::flagged`]), ordered by id, read from their own index.
    pub fn flagged(&self) -> Vec<Arc<T>> {
        let ids: Vec<Id> = self.flagged.read().iter().copied().collect();
        ids.into_iter().filter_map(|id| self.get(id)).collect()
    }

    /// Every object, ordered by id.
    pub fn all(&self) -> Vec<Arc<T>> {
        let mut all: Vec<Arc<T>> = self.by_id.iter().map(|entry| Arc::clone(entry.value())).collect();
        all.sort_unstable_by_key(|object| object.meta().id);
        all
    }

    /// Increases with every change to this table, after the change is applied, so derived data cached
    /// under the generation read before it can tell when it is stale.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when there are no objects.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Allocates a fresh id, never handed out before by this process and not in use.
    pub(crate) fn allocate_id(&self) -> Id {
        loop {
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            if !self.by_id.contains_key(&id) {
                return id;
            }
        }
    }

    /// Makes sure ids up to `id` are never allocated, when `id` lies in this process's id range.
    pub(crate) fn reserve(&self, id: Id) {
        if id < self.block_end.load(Ordering::Relaxed) {
            self.next_id.fetch_max(id + 1, Ordering::Relaxed);
        }
    }

    /// Switches to allocating from the reserved block `start..end`.
    pub(crate) fn set_block(&self, start: Id, end: Id) {
        self.block_end.store(end, Ordering::Relaxed);
        self.next_id.store(start, Ordering::Relaxed);
    }

    /// Ids left in the current block.
    pub(crate) fn remaining(&self) -> i64 {
        self.block_end.load(Ordering::Relaxed).saturating_sub(self.next_id.load(Ordering::Relaxed))
    }

    pub(crate) fn insert(&self, object: Arc<T>) {
        let id = object.meta().id;
        self.reserve(id);
        if let Some(old) = self.by_id.insert(id, Arc::clone(&object)) {
            if let Some(name) = old.unique_name() {
                self.by_name.remove_if(name, |_, owner| *owner == id);
            }
            if old.parent() != object.parent() {
                self.unlink(old.parent(), id);
            }
        }
        if let Some(name) = object.unique_name() {
            self.by_name.insert(name.to_owned(), id);
        }
        self.ordered.write().insert(id);
        if object.flagged() {
            self.flagged.write().insert(id);
        } else {
            self.flagged.write().remove(&id);
        }
        if let Some(parent) = object.parent() {
            let mut children = self.by_parent.entry(parent).or_default();
            match children.binary_search_by_key(&id, |child| child.meta().id) {
                Ok(position) => children[position] = Arc::clone(&object),
                Err(position) => children.insert(position, Arc::clone(&object)),
            }
        }
        self.changed();
    }

    /// Bumps the generation once a change is fully applied, so a reader that cached data under the
    /// generation it read first can never keep data older than that generation.
    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn remove(&self, id: Id) {
        self.ordered.write().remove(&id);
        self.flagged.write().remove(&id);
        if let Some((_, old)) = self.by_id.remove(&id) {
            if let Some(name) = old.unique_name() {
                self.by_name.remove_if(name, |_, owner| *owner == id);
            }
            self.unlink(old.parent(), id);
        }
        self.changed();
    }

    fn unlink(&self, parent: Option<Id>, id: Id) {
        if let Some(parent) = parent {
            if let Some(mut children) = self.by_parent.get_mut(&parent) {
                children.retain(|child| child.meta().id != id);
            }
            self.by_parent.remove_if(&parent, |_, children| children.is_empty());
        }
    }
}
