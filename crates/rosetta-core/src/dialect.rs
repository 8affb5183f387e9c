//! The [`Dialect`] trait: what one product's API contributes to the gateway.
//!
//! The server calls a dialect's methods in this order for every request it routes to it:
//!
//! ```text
//! matches(path) ──▶ credentials(parts) ──▶ [auth service] ──▶ handle(ctx, request) ──▶ response
//!                                                                 └─ Err(GatewayError) ─▶ render_error
//! ```
//!
//! `render_error` is also used for failures outside the handler (body too large, timeouts, panics), so
//! every error a client of a dialect sees is in that product's shape.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use rosetta_auth::Credentials;
use rosetta_store::{Db, StoreError, Tx};

use crate::{GatewayError, RequestContext, RouteSpec};

/// A boxed, thread-safe error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request body as the server hands it over: streamed, not yet read.
pub type RequestBody = BoxBody<Bytes, BoxError>;

/// A response body: usually one buffer, sometimes a stream (server-sent events, proxying).
pub type ResponseBody = BoxBody<Bytes, BoxError>;

/// An incoming request.
pub type Request = http::Request<RequestBody>;

/// An outgoing response.
pub type Response = http::Response<ResponseBody>;

/// The future a dialect's handler returns.
pub type DialectFuture<'a> = Pin<Box<dyn Future<Output = Result<Response, GatewayError>> + Send + 'a>>;

/// One product's API.
pub trait Dialect: Send + Sync + 'static {
    /// Stable name (`opsview`, `opennms`, `openitcockpit`, `native`).
    fn name(&self) -> &'static str;

    /// True when this dialect serves `path`. Dialects are asked in registration order; the first that
    /// claims a path gets it.
    fn matches(&self, path: &str) -> bool;

    /// The credentials the request carries in this product's own form, if any.
    fn credentials(&self, parts: &http::request::Parts) -> Option<Credentials>;

    /// Answers the request.
    fn handle<'a>(&'a self, ctx: RequestContext, request: Request) -> DialectFuture<'a>;

    /// Renders an error in this product's shape. Must be pure: logging happens in the server.
    fn render_error(&self, err: &GatewayError, parts: &http::request::Parts) -> Response;

    /// Creates the objects a fresh install of the product has (runs once, on an empty store).
    fn seed(&self, tx: &mut Tx<'_>) -> Result<(), StoreError> {
        let _ = tx;
        Ok(())
    }

    /// Builds what the dialect keeps between requests (its derived indexes) over `db`, so the first
    /// requests do not pay for it; the server calls it once before it takes requests.
    fn warm(&self, db: &Arc<Db>) {
        let _ = db;
    }

    /// Every route with the permission it needs, for the isolation audit (see [`crate::route_spec`]).
    /// Empty for dialects that have not declared theirs.
    fn route_specs(&self) -> Vec<RouteSpec> {
        Vec::new()
    }
}
