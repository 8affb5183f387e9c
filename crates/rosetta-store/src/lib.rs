//! Rosetta's store: the durable [`Store`] trait, the [`Db`] facade with its dashmap read cache, and
//! transactions ([`Tx`]).
//!
//! Reads come from the cache and never touch a backend. Writes go through [`Db::write`]: the closure
//! stages changes in a [`Tx`] (reading its own writes), then the whole batch is committed to the
//! backend in one transaction and only after that applied to the cache, so the cache never shows a
//! write the backend does not have, and a failed closure or commit leaves nothing behind.
//!
//! Layout: [`backend`] (the trait and the in-memory implementation), [`object`] (typed access to each
//! kind), [`cache`] (the read cache), [`tx`] (transactions), [`db`] (the facade), [`error`].

pub mod backend;
pub mod cache;
pub mod db;
pub mod error;
pub mod object;
pub mod tx;

pub use backend::{MemoryStore, Mutation, StoredRecord, Store, StoreFuture};
pub use db::{Change, ChangeSet, Db};
pub use error::StoreError;
pub use object::{Object, Record};
pub use tx::{Actor, Tx};
