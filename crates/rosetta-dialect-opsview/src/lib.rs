//! The Opsview Monitor REST dialect (`/rest`) for Rosetta.
//!
//! Layout:
//! - module [`dialect`] holds [`OpsviewDialect`] (the `Dialect` implementation with its
//!   configurable choices) and the one error renderer;
//! - module [`routes`] is the route table, and [`endpoints`] has one module per endpoint family;
//! - module [`call`] decodes a request (tunneled methods, parameters, bodies, negotiation) and
//!   [`render`] writes replies (every scalar a string, `alwaysReturn200`, the four formats);
//! - module [`config`] holds the configuration types and their mapping onto the shared model;
//! - module [`seed`] creates the fresh-install objects;
//! - modules [`codec`], [`negotiate`], [`json_filter`] and [`timespec`] are the pure wire-format
//!   pieces.

pub mod call;
pub mod codec;
pub mod config;
pub mod dialect;
pub mod endpoints;
pub mod json_filter;
pub mod negotiate;
pub mod problem_index;
pub mod render;
pub mod routes;
pub mod seed;
pub mod timespec;

pub use dialect::OpsviewDialect;

#[cfg(test)]
mod tests;
