//! The bridge: one store, three views that always agree. The same objects, states, acknowledgements,
//! downtimes and tenancy seen through Opsview, OpenNMS and openITCOCKPIT (and the native API).
//!
//! - `scenario`: the three real clients (pyopsview, opennms-js, the official openITCOCKPIT Python
//!   example flow) against one gateway, with the native event stream watching.
//! - `lifecycle`: renames, deletes, acknowledgements and downtimes seen the same everywhere.
//! - `tenancy`: the tenant-isolation matrix (3 dialects × 6 operations × own/other tenant).
//! - `roundtrip`: seeded pseudo-random objects and states written through one dialect and read
//!   through another.

mod lifecycle;
mod roundtrip;
mod scenario;
pub mod support;
mod tenancy;
