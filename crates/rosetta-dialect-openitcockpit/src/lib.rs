//! The openITCOCKPIT (oITC) dialect of Rosetta: `/<controller>/<action>[/<args>][.json]`.
//!
//! Request handling:
//! - [`dialect`]: the [`OpenitcockpitDialect`] (pipeline, credentials, seed hook);
//! - [`route`]: path parsing and the ACL needs; [`routes`]: THE route table;
//! - [`call`]: the per-request [`call::Call`] and the response envelope [`call::Reply`];
//! - [`errors`]: the product's error shapes, rendered in one place;
//! - [`endpoints`]: one module per controller family;
//! - [`list`]: filter/sort/page of rows; [`settings`]: the inheritance rule; [`wire`]: shared
//!   response fragments; [`seed`]: the fresh-install objects.
//!
//! Pure codecs (no HTTP, no storage): [`apikey`], [`datefmt`], [`filter`], [`json`], [`paging`],
//! [`php`], [`regex`], [`sort`], [`validation`]. Query strings are passed around as decoded
//! `(key, value)` pairs in request order.

pub mod apikey;
pub mod call;
pub mod datefmt;
pub mod dialect;
pub mod endpoints;
pub mod errors;
pub mod filter;
pub mod host_index;
pub mod json;
pub mod list;
pub mod paging;
pub mod php;
pub mod regex;
pub mod route;
pub mod routes;
pub mod seed;
pub mod settings;
pub mod sort;
pub mod validation;
pub mod wire;

#[cfg(test)]
mod tests;

pub use dialect::OpenitcockpitDialect;
