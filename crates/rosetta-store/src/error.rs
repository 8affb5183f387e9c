//! Store errors.

use rosetta_model::{Id, Kind};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached (database down, disk gone).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The backend failed in an unexpected way.
    #[error("store failure: {0}")]
    Backend(String),
    /// A stored record could not be decoded.
    #[error("corrupt {kind:?} record {id}: {message}")]
    Corrupt {
        /// Kind of the record.
        kind: Kind,
        /// Id of the record.
        id: Id,
        /// Decoder message.
        message: String,
    },
    /// Another writer changed the object first (optimistic concurrency).
    #[error("{kind:?} {id} was changed concurrently")]
    Conflict {
        /// Kind of the object.
        kind: Kind,
        /// Id of the object.
        id: Id,
    },
}
