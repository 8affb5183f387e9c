//! The Opsview Monitor REST dialect (`/rest`) for Rosetta.
//!
//! This crate currently holds the pure, self-contained pieces the dialect is built from:
//! - [`codec`]: wire formats — Data::Dumper output and safe Perl literal input, relaxed JSON
//!   input, `XML::Simple`-style XML output and input, and YAML output;
//! - [`negotiate`]: choosing the response format and classifying request bodies;
//! - [`json_filter`]: the `SQL::Abstract` subset accepted by the `json_filter` parameter;
//! - [`timespec`]: downtime time and duration parsing and `format_datetime` output.

pub mod codec;
pub mod json_filter;
pub mod negotiate;
pub mod timespec;
pub mod dialect;

pub use dialect::OpsviewDialect;
