//! Rosetta's store: the durable [`Store`] trait, the [`Db`] facade with its dashmap read cache, and
//! transactions ([`Tx`]).
//!
//! Reads come from the cache and never touch a backend. Writes go through [`Db::write`]: the closure
//! stages changes in a [`Tx`] (reading its own writes), then the whole batch is committed to the
//! backend in one transaction and only after that applied to the cache, so the cache never shows a
//! write the backend does not have, and a failed closure or commit leaves nothing behind.
//!
//! Layout: [`backend`] (the trait and the in-memory implementation), [`object`] (typed access to each
//! kind), [`cache`] (the read cache), [`tx`] (transactions), [`db`] (the facade), [`follow`] (derived
//! indexes that follow the change feed), [`error`].

pub mod backend;
pub mod cache;
pub mod db;
pub mod error;
pub mod follow;
pub mod object;
pub mod tx;

pub use backend::{new_writer_id, ExternalChange, MemoryStore, Mutation, Store, StoreFuture, StoredRecord};
pub use db::{Change, ChangeFeed, ChangeSet, Db, DbStats};
pub use error::StoreError;
pub use follow::{Derived, Following};
pub use object::{Object, Record};
pub use tx::{Actor, Tx};

use std::sync::Arc;

use rosetta_model::Id;

/// Read access shared by the committed cache ([`Db`]) and a transaction ([`Tx`]), so domain logic can
/// run on either.
pub trait Read {
    /// The object of type `T` with this id.
    fn get<T: Object>(&self, id: Id) -> Option<Arc<T>>;

    /// Every object of type `T`, ordered by id.
    fn all<T: Object>(&self) -> Vec<Arc<T>>;

    /// The object of type `T` with this unique name.
    fn find_by_name<T: Object>(&self, name: &str) -> Option<Arc<T>>;

    /// The objects of type `T` whose parent is `parent` (see [`Object::parent`]), ordered by id.
    fn children<T: Object>(&self, parent: Id) -> Vec<Arc<T>>;

    /// The flagged objects of type `T` (see [`Object::flagged`]: check states that are not OK), ordered by id.
    fn flagged<T: Object>(&self) -> Vec<Arc<T>>;
}
