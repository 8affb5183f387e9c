//! The plug-in contract every Rosetta dialect implements, and what dialects share.
//!
//! - [`dialect`]: the [`Dialect`] trait and the request/response types.
//! - [`error`]: [`GatewayError`] and the one exhaustive kind-to-status table.
//! - [`context`]: [`AppContext`] (store, auth, settings) and [`RequestContext`] (principal, request id).
//! - [`request`]: query strings, form bodies, bounded body reading, response builders.
//! - [`credentials`]: the generic credential extractors (Basic, Opsview headers, `X-OITC-API`).
//! - [`monitoring`]: the shared semantics of check results, acknowledgements, downtimes and reloads.
//! - [`visibility`]: what a principal may see and change.
//! - [`seed`]: the product-neutral fresh-install objects (root tenant, administrator).
//! - [`route_spec`]: every route of a dialect with the permission it needs, for the isolation audit.

pub mod context;
pub mod credentials;
pub mod dialect;
pub mod error;
pub mod escape;
pub mod monitoring;
pub mod request;
pub mod route_spec;
pub mod seed;
pub mod visibility;

pub use context::{AppContext, RequestContext, Settings};
pub use dialect::{BoxError, Dialect, DialectFuture, Request, RequestBody, Response, ResponseBody};
pub use error::{ErrorKind, ErrorSource, GatewayError};
pub use route_spec::{Requirement, RouteSpec};
