//! The [`OpsviewDialect`]: Opsview Monitor's REST API under `/rest`.

use http::StatusCode;
use rosetta_auth::Credentials;
use rosetta_core::request::json;
use rosetta_core::{credentials, Dialect, DialectFuture, ErrorKind, GatewayError, Request, RequestContext, Response};
use serde_json::json;

/// Opsview Monitor's REST API.
#[derive(Debug, Default)]
pub struct OpsviewDialect;

impl OpsviewDialect {
    /// The dialect with default settings.
    pub fn new() -> OpsviewDialect {
        OpsviewDialect
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

    fn handle<'a>(&'a self, _ctx: RequestContext, request: Request) -> DialectFuture<'a> {
        Box::pin(async move { Err(GatewayError::not_found(format!("No such path {}", request.uri().path()))) })
    }

    fn render_error(&self, err: &GatewayError, _parts: &http::request::Parts) -> Response {
        let status = if err.kind == ErrorKind::Timeout { StatusCode::SERVICE_UNAVAILABLE } else { err.status() };
        let mut body = json!({"message": err.message});
        if let Some(detail) = &err.detail {
            body["detail"] = json!(detail);
        }
        json(status, &body)
    }
}
