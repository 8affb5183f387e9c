//! Transactions: staged writes that read their own changes and commit all at once.

use std::collections::HashMap;
use std::sync::Arc;

use rosetta_model::{AuditEntry, ConfigStatus, Id, Kind, Meta, Timestamp};

use crate::cache::Cache;
use crate::{Mutation, Object, Record, StoredRecord};

/// Who performs a write: recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Login of the user (`system` for the gateway itself).
    pub user: String,
    /// The dialect or tool the write came through (`opsview`, `cli`, `seed`).
    pub dialect: String,
}

impl Actor {
    /// An actor.
    pub fn new(user: impl Into<String>, dialect: impl Into<String>) -> Actor {
        Actor { user: user.into(), dialect: dialect.into() }
    }

    /// The gateway itself.
    pub fn system() -> Actor {
        Actor::new("system", "system")
    }
}

#[derive(Debug, Clone)]
enum Staged {
    Put(Record),
    Delete(Kind),
}

/// A write transaction. Obtain one through [`crate::Db::write`].
///
/// Reads see the transaction's own staged changes over the committed cache. Nothing is visible to
/// other readers until the closure returns `Ok` and the backend has committed the batch.
#[derive(Debug)]
pub struct Tx<'a> {
    cache: &'a Cache,
    actor: Actor,
    now: Timestamp,
    staged: HashMap<(Kind, Id), Staged>,
    order: Vec<(Kind, Id)>,
    audit: Vec<AuditEntry>,
    reload: bool,
    conflict: Option<(Kind, Id)>,
}

impl crate::Read for Tx<'_> {
    fn get<T: Object>(&self, id: Id) -> Option<Arc<T>> {
        Tx::get(self, id)
    }

    fn all<T: Object>(&self) -> Vec<Arc<T>> {
        Tx::all(self)
    }

    fn find_by_name<T: Object>(&self, name: &str) -> Option<Arc<T>> {
        Tx::find_by_name(self, name)
    }

    fn children<T: Object>(&self, parent: Id) -> Vec<Arc<T>> {
        Tx::children(self, parent)
    }

    fn flagged<T: Object>(&self) -> Vec<Arc<T>> {
        Tx::flagged(self)
    }
}

impl<'a> Tx<'a> {
    pub(crate) fn new(cache: &'a Cache, actor: Actor) -> Tx<'a> {
        Tx {
            cache,
            actor,
            now: Timestamp::now(),
            staged: HashMap::new(),
            order: Vec::new(),
            audit: Vec::new(),
            reload: false,
            conflict: None,
        }
    }

    /// Who performs the write.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The transaction's clock: one instant for every change it makes.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The object of type `T` with this id, including staged changes.
    pub fn get<T: Object>(&self, id: Id) -> Option<Arc<T>> {
        match self.staged.get(&(T::KIND, id)) {
            Some(Staged::Put(record)) => T::from_record(record).cloned(),
            Some(Staged::Delete(_)) => None,
            None => T::table(self.cache).get(id),
        }
    }

    /// Every object of type `T`, ordered by id, including staged changes.
    pub fn all<T: Object>(&self) -> Vec<Arc<T>> {
        self.overlay(T::table(self.cache).all(), |_| true)
    }

    /// The objects of type `T` whose parent is `parent`, ordered by id, including staged changes.
    pub fn children<T: Object>(&self, parent: Id) -> Vec<Arc<T>> {
        self.overlay(T::table(self.cache).children(parent), |object| object.parent() == Some(parent))
    }

    /// The flagged objects of type `T` (see [`Object::flagged`]), including staged changes, ordered by id.
    pub fn flagged<T: Object>(&self) -> Vec<Arc<T>> {
        self.overlay(T::table(self.cache).flagged(), T::flagged)
    }

    /// `committed` (a selection of the cache) with this transaction's staged changes laid over it: staged
    /// objects replace or remove their committed copies, and staged objects passing `selects` join.
    fn overlay<T: Object>(&self, mut committed: Vec<Arc<T>>, selects: impl Fn(&T) -> bool) -> Vec<Arc<T>> {
        let touched: Vec<&(Kind, Id)> = self.order.iter().filter(|(kind, _)| *kind == T::KIND).collect();
        if touched.is_empty() {
            return committed;
        }
        committed.retain(|object| !self.staged.contains_key(&(T::KIND, object.meta().id)));
        for key in touched {
            if let Some(Staged::Put(record)) = self.staged.get(key) {
                if let Some(object) = T::from_record(record).filter(|object| selects(object)) {
                    committed.push(Arc::clone(object));
                }
            }
        }
        committed.sort_unstable_by_key(|object| object.meta().id);
        committed.dedup_by_key(|object| object.meta().id);
        committed
    }

    /// The object of type `T` with this unique name, including staged changes.
    pub fn find_by_name<T: Object>(&self, name: &str) -> Option<Arc<T>> {
        for key in self.order.iter().rev().filter(|(kind, _)| *kind == T::KIND) {
            if let Some(Staged::Put(record)) = self.staged.get(key) {
                if let Some(object) = T::from_record(record) {
                    if object.unique_name() == Some(name) {
                        return Some(Arc::clone(object));
                    }
                }
            }
        }
        let id = T::table(self.cache).id_by_name(name)?;
        self.get::<T>(id).filter(|object| object.unique_name() == Some(name))
    }

    /// Allocates an id of kind `T` without storing anything (to link objects created together).
    pub fn allocate_id<T: Object>(&self) -> Id {
        T::table(self.cache).allocate_id()
    }

    /// Stores a new object. An id of 0 is replaced by a fresh one. Returns the stored object.
    pub fn insert<T: Object>(&mut self, mut object: T) -> Arc<T> {
        if object.meta().id <= 0 {
            object.meta_mut().id = T::table(self.cache).allocate_id();
        } else {
            T::table(self.cache).reserve(object.meta().id);
        }
        let now = self.now;
        let meta = object.meta_mut();
        meta.version = 1;
        meta.created = now;
        meta.updated = now;
        self.stage(object)
    }

    /// Stores a changed version of an existing object (matched by id). Returns the stored object.
    ///
    /// Optimistic concurrency: when the object carries the version it was read at (non-zero) and that is
    /// no longer the current version, the whole transaction fails with [`crate::StoreError::Conflict`].
    /// An object with version 0 overwrites whatever is current.
    pub fn update<T: Object>(&mut self, mut object: T) -> Arc<T> {
        let id = object.meta().id;
        let base_version = self.get::<T>(id).map_or(0, |current| current.meta().version);
        let read_version = object.meta().version;
        if read_version != 0 && read_version != base_version && self.conflict.is_none() {
            self.conflict = Some((T::KIND, id));
        }
        let now = self.now;
        let meta = object.meta_mut();
        meta.version = base_version + 1;
        meta.updated = now;
        self.stage(object)
    }

    /// Stores a new object or a new version of an existing one.
    pub fn put<T: Object>(&mut self, object: T) -> Arc<T> {
        let id = object.meta().id;
        if id > 0 && self.get::<T>(id).is_some() {
            self.update(object)
        } else {
            self.insert(object)
        }
    }

    /// Removes the object of type `T` with this id; returns whether it existed.
    pub fn delete<T: Object>(&mut self, id: Id) -> bool {
        if self.get::<T>(id).is_none() {
            return false;
        }
        let key = (T::KIND, id);
        if !self.staged.contains_key(&key) {
            self.order.push(key);
        }
        self.staged.insert(key, Staged::Delete(T::KIND));
        true
    }

    /// Records an audit entry for this transaction.
    pub fn audit(&mut self, action: &str, kind: Option<Kind>, object_id: Option<Id>, detail: impl Into<String>) {
        self.audit.push(AuditEntry {
            meta: Meta::new(0),
            time: self.now,
            user: self.actor.user.clone(),
            dialect: self.actor.dialect.clone(),
            action: action.to_owned(),
            object_kind: kind.map(|kind| kind.as_str().to_owned()),
            object_id,
            detail: detail.into(),
        });
    }

    /// Marks this transaction as a configuration reload: its writes do not make the configuration
    /// pending again.
    pub fn mark_reload(&mut self) {
        self.reload = true;
    }

    /// The first stale update, if any (see [`Tx::update`]).
    pub(crate) fn conflict(&self) -> Option<(Kind, Id)> {
        self.conflict
    }

    /// True when the transaction stages no change.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty() && self.audit.is_empty()
    }

    fn stage<T: Object>(&mut self, object: T) -> Arc<T> {
        let object = Arc::new(object);
        let key = (T::KIND, object.meta().id);
        if !self.staged.contains_key(&key) {
            self.order.push(key);
        }
        self.staged.insert(key, Staged::Put(T::into_record(Arc::clone(&object))));
        object
    }

    /// Turns the staged changes into backend mutations and the records to apply to the cache.
    pub(crate) fn finish(mut self) -> (Vec<Mutation>, Vec<(Kind, Id, Option<Record>)>) {
        let config_changes = self
            .order
            .iter()
            .filter(|(kind, _)| kind.is_configuration())
            .count() as u64;
        if config_changes > 0 && !self.reload {
            let mut status = self.config_status();
            status.pending = true;
            status.last_change = self.now;
            status.changes_since_reload += config_changes;
            self.put(status);
        }
        for key in self.order.clone() {
            if !key.0.is_configuration() {
                continue;
            }
            let (action, name) = match self.staged.get(&key) {
                Some(Staged::Put(record)) if record.meta().version == 1 => ("create", record.label()),
                Some(Staged::Put(record)) => ("update", record.label()),
                Some(Staged::Delete(_)) => ("delete", String::new()),
                None => continue,
            };
            self.audit(action, Some(key.0), Some(key.1), name);
        }
        for entry in std::mem::take(&mut self.audit) {
            self.insert(entry);
        }

        let mut mutations = Vec::with_capacity(self.order.len());
        let mut applied = Vec::with_capacity(self.order.len());
        for key in &self.order {
            match self.staged.remove(key) {
                Some(Staged::Put(record)) => {
                    let version = record.meta().version;
                    let expected_version = self
                        .cache
                        .get_record(key.0, key.1)
                        .map_or(0, |current| current.meta().version);
                    mutations.push(Mutation::Put {
                        record: StoredRecord { kind: key.0, id: key.1, version, body: record.to_json() },
                        expected_version,
                    });
                    applied.push((key.0, key.1, Some(record)));
                }
                Some(Staged::Delete(kind)) => {
                    mutations.push(Mutation::Delete { kind, id: key.1 });
                    applied.push((kind, key.1, None));
                }
                None => {}
            }
        }
        (mutations, applied)
    }

    /// The configuration status, created on first use.
    pub fn config_status(&self) -> ConfigStatus {
        self.get::<ConfigStatus>(1).map(|status| (*status).clone()).unwrap_or_else(|| ConfigStatus {
            meta: Meta::new(1),
            pending: false,
            last_change: Timestamp(0),
            last_reload: Timestamp(0),
            reload_started: None,
            reload_user: String::new(),
            average_duration_ms: 0,
            reloads: 0,
            changes_since_reload: 0,
        })
    }
}
