//! Request handlers, one module per endpoint family, and the [`Env`] every handler receives.

pub mod actions;
pub mod catalog;
pub mod config;
pub mod reload;
pub mod selection;
pub mod session;
pub mod status;
pub mod status_entry;

use rosetta_auth::Principal;
use rosetta_core::{GatewayError, RequestContext, Response};
use rosetta_model::{Permission, Timestamp};
use rosetta_store::{Actor, Db};
use serde_json::{json, Value};

use crate::call::Call;
use crate::dialect::OpsviewDialect;
use crate::render;
use crate::timespec::format_datetime;

/// What a handler works with: the dialect's settings, the request context and the decoded call.
pub struct Env<'a> {
    /// The dialect (its configurable choices).
    pub dialect: &'a OpsviewDialect,
    /// The gateway's request context.
    pub ctx: &'a RequestContext,
    /// The decoded request.
    pub call: Call,
    /// The request head.
    pub parts: http::request::Parts,
}

impl Env<'_> {
    /// The store.
    pub fn db(&self) -> &Db {
        &self.ctx.app.db
    }

    /// The authenticated principal, or the 401.
    pub fn principal(&self) -> Result<&Principal, GatewayError> {
        self.ctx.principal()
    }

    /// The principal when it holds any of `permissions`, else 403 `Access denied`.
    pub fn require(&self, permissions: &[Permission]) -> Result<&Principal, GatewayError> {
        let principal = self.principal()?;
        if principal.can_any(permissions) {
            Ok(principal)
        } else {
            Err(access_denied())
        }
    }

    /// The audit actor of this request.
    pub fn actor(&self) -> Actor {
        self.ctx.actor("opsview")
    }

    /// A time as the client asked: epoch seconds, or `YYYY-MM-DD HH:MM:SS` in the server's zone
    /// with `format_datetime=1`.
    pub fn time(&self, at: Timestamp) -> Value {
        if self.call.output.format_datetime {
            json!(format_datetime(at.secs(), self.ctx.app.settings.utc_offset_secs))
        } else {
            json!(at.secs())
        }
    }

    /// A 200 reply in the negotiated format.
    pub fn ok(&self, value: Value) -> Result<Response, GatewayError> {
        Ok(render::ok(self.call.output, value))
    }
}

/// An object of these fields, in this order, holding the values themselves (`json!` would serialise a
/// copy of each non-literal value, a whole list included).
pub fn fields<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(entries.into_iter().map(|(key, value)| (key.to_owned(), value)).collect())
}

/// 403 as Opsview words it.
pub fn access_denied() -> GatewayError {
    GatewayError::forbidden("Access denied")
}
