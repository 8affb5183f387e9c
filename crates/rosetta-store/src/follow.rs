//! Derived indexes that follow the change feed: a dialect keeps one across requests (say, alarms in their
//! default order with counts per visibility class) and [`Following::current`] brings it up to date before
//! each use by re-reading only the objects a change touched.
//!
//! Freshness: the index subscribes to the change feed before it first reads the store, and the store
//! sends a change set only after applying it to its cache. Before each use the waiting change sets are
//! drained and every touched object re-read, so the index is never older than the changes sent so far;
//! when the feed dropped change sets (a burst larger than its buffer) the index is rebuilt.

use std::collections::BTreeSet;
use std::sync::{Arc, Weak};

use parking_lot::{MappedRwLockReadGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use rosetta_model::Id;
use tokio::sync::broadcast::error::TryRecvError;

use crate::{ChangeFeed, ChangeSet, Db};

/// An index derived from a store's objects, kept up to date one touched object at a time.
pub trait Derived: Sized {
    /// The index of everything in `db`.
    fn build(db: &Db) -> Self;

    /// Adds to `touched` the ids whose entries `set` may have changed (what they are ids of is the
    /// index's own choice: alarms, hosts, ...).
    fn touched(&self, db: &Db, set: &ChangeSet, touched: &mut BTreeSet<Id>);

    /// Re-reads one touched id from `db`: drops what the index held for it and adds what is there now.
    fn refresh(&mut self, db: &Db, id: Id);
}

/// A [`Derived`] index of one store, caught up with the store's change feed on each use.
pub struct Following<T> {
    state: RwLock<Option<State<T>>>,
}

impl<T> Default for Following<T> {
    fn default() -> Following<T> {
        Following { state: RwLock::new(None) }
    }
}

impl<T> std::fmt::Debug for Following<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Following").finish_non_exhaustive()
    }
}

struct State<T> {
    /// The store it follows (held weakly, so its address cannot be reused by another store).
    db: Weak<Db>,
    feed: ChangeFeed,
    index: T,
}

/// A read lock on the current index: catching up waits until it is dropped, so it must not be held
/// across an `.await`.
pub type Current<'a, T> = MappedRwLockReadGuard<'a, T>;

impl<T: Derived> Following<T> {
    /// The index of `db`, caught up with every change sent so far (built on first use, and again for
    /// another store or after the feed dropped change sets).
    pub fn current(&self, db: &Arc<Db>) -> Current<'_, T> {
        let state = self.state.read();
        if state.as_ref().is_some_and(|state| state.follows(db) && state.feed.is_empty()) {
            return RwLockReadGuard::map(state, |state| &state.as_ref().expect("checked above").index);
        }
        drop(state);
        let mut state = self.state.write();
        let current = match state.as_mut() {
            Some(state) if state.follows(db) => state.catch_up(db),
            _ => false,
        };
        if !current {
            let feed = db.subscribe();
            *state = Some(State { db: Arc::downgrade(db), feed, index: T::build(db) });
        }
        let state = RwLockWriteGuard::downgrade(state);
        RwLockReadGuard::map(state, |state| &state.as_ref().expect("caught up or built above").index)
    }
}

impl<T: Derived> State<T> {
    fn follows(&self, db: &Arc<Db>) -> bool {
        std::ptr::eq(self.db.as_ptr(), Arc::as_ptr(db))
    }

    /// Applies the change sets waiting in the feed; false when some were dropped (rebuild).
    fn catch_up(&mut self, db: &Db) -> bool {
        let mut touched = BTreeSet::new();
        loop {
            match self.feed.try_recv() {
                Ok(set) => self.index.touched(db, &set, &mut touched),
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                Err(TryRecvError::Lagged(_)) => return false,
            }
        }
        for id in touched {
            self.index.refresh(db, id);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rosetta_model::{Host, ROOT_TENANT};

    use super::*;
    use crate::{Actor, MemoryStore, Object};

    /// Host names by id, and how often the index was built and refreshed.
    #[derive(Debug, Default)]
    struct Names {
        names: BTreeMap<Id, String>,
        builds: usize,
        refreshes: usize,
    }

    impl Derived for Names {
        fn build(db: &Db) -> Names {
            let names = db.all::<Host>().iter().map(|host| (host.meta.id, host.name.clone())).collect();
            Names { names, builds: 1, refreshes: 0 }
        }

        fn touched(&self, _: &Db, set: &ChangeSet, touched: &mut BTreeSet<Id>) {
            touched.extend(set.changes.iter().filter(|change| change.kind == Host::KIND).map(|change| change.id));
        }

        fn refresh(&mut self, db: &Db, id: Id) {
            self.refreshes += 1;
            match db.get::<Host>(id) {
                Some(host) => self.names.insert(id, host.name.clone()),
                None => self.names.remove(&id),
            };
        }
    }

    async fn add(db: &Db, name: &str) -> Id {
        let host = Host::new(name.to_owned(), "10.0.0.1".to_owned(), ROOT_TENANT);
        db.write(Actor::system(), |tx| Ok::<_, crate::StoreError>(tx.insert(host).meta.id)).await.expect("add")
    }

    #[tokio::test]
    async fn the_index_follows_changes_and_rebuilds_after_a_burst() {
        let db = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("db"));
        let first = add(&db, "first").await;
        let following = Following::<Names>::default();
        assert_eq!(following.current(&db).names.values().collect::<Vec<_>>(), ["first"]);
        let second = add(&db, "second").await;
        db.write(Actor::system(), |tx| Ok::<_, crate::StoreError>(tx.delete::<Host>(first))).await.expect("delete");
        let index = following.current(&db);
        assert_eq!((index.builds, index.refreshes), (1, 2), "one build, then one refresh per touched host");
        assert_eq!(index.names.iter().collect::<Vec<_>>(), [(&second, &"second".to_owned())]);
        drop(index);
        let untouched = following.current(&db).refreshes;
        assert_eq!(untouched, 2, "nothing new, nothing re-read");
        for round in 0..4_200 {
            add(&db, &format!("burst-{round}")).await;
        }
        let index = following.current(&db);
        assert_eq!((index.builds, index.refreshes), (1, 0), "a dropped change set means a new build");
        assert_eq!(index.names.len(), 4_201);
        drop(index);
        let other = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("db"));
        assert!(following.current(&other).names.is_empty(), "another store, another index");
    }
}
