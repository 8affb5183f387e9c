//! The product-neutral monitoring model shared by every Rosetta dialect.
//!
//! Layout:
//! - [`time`]: the one timestamp type (epoch milliseconds).
//! - [`objects`]: configuration objects (tenants, host groups, hosts, services, templates, commands,
//!   time periods, contacts, users, roles, documents).
//! - [`state`]: current state of hosts and services and the state-mapping table between products.
//! - [`runtime`]: events, alarms, outages, downtimes, acknowledgements, audit entries, reload status.
//! - [`permission`]: the internal permission vocabulary and its mapping onto each product.
//! - [`credential`]: persisted credential records (sessions, API keys).
//! - [`query`]: paging and sorting shared by all dialects.
//!
//! Model types are storage and domain types, never a wire format: each dialect converts them into its
//! own wire types.

pub mod credential;
pub mod objects;
pub mod permission;
pub mod query;
pub mod runtime;
pub mod state;
pub mod time;

pub use credential::{ApiKey, Session};
pub use objects::*;
pub use permission::{Permission, PermissionSet, TenantAccess, TenantLevel};
pub use runtime::*;
pub use state::*;
pub use time::Timestamp;

/// A stable integer id; unique within one object kind, never reused.
pub type Id = i64;

/// The id of the root tenant (openITCOCKPIT container `root`).
pub const ROOT_TENANT: Id = 1;
