//! The [`OpennmsDialect`]: OpenNMS's REST API under `/opennms/rest` (v1) and `/opennms/api/v2`.

use http::HeaderValue;
use rosetta_auth::Credentials;
use rosetta_core::request::text;
use rosetta_core::{credentials, Dialect, DialectFuture, ErrorKind, GatewayError, Request, RequestContext, Response};

/// OpenNMS Horizon's REST API.
#[derive(Debug, Default)]
pub struct OpennmsDialect;

impl OpennmsDialect {
    /// The dialect with default settings.
    pub fn new() -> OpennmsDialect {
        OpennmsDialect
    }
}

impl Dialect for OpennmsDialect {
    fn name(&self) -> &'static str {
        "opennms"
    }

    fn matches(&self, path: &str) -> bool {
        path == "/opennms" || path.starts_with("/opennms/")
    }

    fn credentials(&self, parts: &http::request::Parts) -> Option<Credentials> {
        credentials::basic(parts)
    }

    fn handle<'a>(&'a self, _ctx: RequestContext, _request: Request) -> DialectFuture<'a> {
        Box::pin(async move { Err(GatewayError::not_found("")) })
    }

    fn render_error(&self, err: &GatewayError, parts: &http::request::Parts) -> Response {
        let mut response = text(err.status(), err.message.clone());
        let xhr = parts
            .headers
            .get("x-requested-with")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.eq_ignore_ascii_case("XMLHttpRequest"));
        if err.kind == ErrorKind::Unauthenticated && !xhr {
            response
                .headers_mut()
                .insert(http::header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"OpenNMS Realm\""));
        }
        response
    }
}
