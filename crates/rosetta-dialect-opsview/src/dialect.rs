//! The [`OpsviewDialect`]: Opsview Monitor's REST API under `/rest`, and its one error renderer.

use std::sync::Arc;

use rosetta_auth::Credentials;
use rosetta_core::error::AuthFailure;
use rosetta_core::{credentials, Dialect, DialectFuture, ErrorKind, GatewayError, Request, RequestContext, Response};
use rosetta_store::{Db, StoreError, Tx};
use serde_json::{json, Value};

use crate::call::{Call, Output};
use crate::endpoints::Env;
use crate::negotiate::Format;
use crate::problem_index::ProblemIndexCache;
use crate::render::{self, Body};
use crate::{routes, seed};

/// Opsview Monitor's REST API, with its configurable choices (spec §11).
#[derive(Debug, Clone)]
pub struct OpsviewDialect {
    /// The reply format when nothing can be negotiated: JSON (what clients need in practice) or
    /// Perl, which the Opsview documentation names.
    pub default_format: Format,
    /// Whether error bodies carry `detail` (Opsview's `include_error_detail` server setting).
    pub include_error_detail: bool,
    /// The product version `/rest/info` reports (dotted numeric; pyopsview picks schemas by it).
    pub opsview_version: String,
    /// The build `/rest/info` reports.
    pub opsview_build: String,
    /// The edition `/rest/info` reports.
    pub opsview_edition: String,
    /// The unhandled problems of the store, kept ready for `status/service?filter=unhandled`.
    pub problems: Arc<ProblemIndexCache>,
}

impl Default for OpsviewDialect {
    fn default() -> OpsviewDialect {
        OpsviewDialect {
            default_format: Format::Json,
            include_error_detail: true,
            opsview_version: "6.8.0".to_owned(),
            opsview_build: "6.8.0.202307121230".to_owned(),
            opsview_edition: "commercial".to_owned(),
            problems: Arc::default(),
        }
    }
}

impl OpsviewDialect {
    /// The dialect with default settings.
    pub fn new() -> OpsviewDialect {
        OpsviewDialect::default()
    }

    /// The Opsview error body of `err` (spec §4): `message`, then `detail` when enabled, then any
    /// structured extras (`objects_updated`, reload's `server_status`/`messages`).
    pub fn error_body(&self, err: &GatewayError, token_request: bool) -> Value {
        let message = match (err.kind, err.auth) {
            (ErrorKind::Unauthenticated, _) if token_request => "Token has expired".to_owned(),
            (ErrorKind::Unauthenticated, Some(AuthFailure::Missing)) => "Token has expired".to_owned(),
            (ErrorKind::Unauthenticated, Some(AuthFailure::Invalid)) => "Invalid username or password".to_owned(),
            _ => err.message.clone(),
        };
        let mut body = json!({"message": message});
        if self.include_error_detail {
            if let Some(detail) = &err.detail {
                body["detail"] = json!(detail);
            }
        }
        if let Some(Value::Object(extra)) = &err.fields {
            for (key, value) in extra {
                body[key] = value.clone();
            }
        }
        body
    }
}

impl Dialect for OpsviewDialect {
    fn name(&self) -> &'static str {
        "opsview"
    }

    fn matches(&self, path: &str) -> bool {
        path == "/rest" || path.starts_with("/rest/")
    }

    fn credentials(&self, parts: &http::request::Parts) -> Option<Credentials> {
        credentials::opsview_token(parts)
    }

    fn handle<'a>(&'a self, ctx: RequestContext, request: Request) -> DialectFuture<'a> {
        Box::pin(async move {
            let (call, parts) = Call::read(request, ctx.app.settings.max_body_bytes, self.default_format).await?;
            let env = Env { dialect: self, ctx: &ctx, call, parts };
            routes::route(&env).await
        })
    }

    fn render_error(&self, err: &GatewayError, parts: &http::request::Parts) -> Response {
        let status = if err.kind == ErrorKind::Timeout { http::StatusCode::SERVICE_UNAVAILABLE } else { err.status() };
        let login = parts.uri.path().trim_end_matches('/').ends_with("/rest/login");
        let token_request = !login && credentials::opsview_token(parts).is_some();
        let output = Output::of(parts, self.default_format);
        render::reply(output, status, Body::strings(self.error_body(err, token_request)))
    }

    fn seed(&self, tx: &mut Tx<'_>) -> Result<(), StoreError> {
        seed::seed(tx)
    }

    fn warm(&self, db: &Arc<Db>) {
        drop(self.problems.current(db));
    }

    fn route_specs(&self) -> Vec<rosetta_core::RouteSpec> {
        crate::routes::route_specs()
    }
}
