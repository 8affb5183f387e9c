//! The [`OpenitcockpitDialect`]: openITCOCKPIT's API at `/<controller>/<action>.json`.

use http::StatusCode;
use rosetta_auth::Credentials;
use rosetta_core::request::{json, no_content};
use rosetta_core::{Dialect, DialectFuture, ErrorKind, GatewayError, Request, RequestContext, Response};
use serde_json::json;

/// openITCOCKPIT's API.
#[derive(Debug, Default)]
pub struct OpenitcockpitDialect;

impl OpenitcockpitDialect {
    /// The dialect with default settings.
    pub fn new() -> OpenitcockpitDialect {
        OpenitcockpitDialect
    }
}

impl Dialect for OpenitcockpitDialect {
    fn name(&self) -> &'static str {
        "openitcockpit"
    }

    fn matches(&self, path: &str) -> bool {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
        !first.is_empty() && first.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.')
    }

    fn credentials(&self, parts: &http::request::Parts) -> Option<Credentials> {
        let header = |name| parts.headers.get(name).and_then(|value: &http::HeaderValue| value.to_str().ok());
        let query: Vec<(String, String)> = form_pairs(parts.uri.query().unwrap_or_default());
        crate::apikey::extract(header(http::header::AUTHORIZATION), header(http::header::COOKIE), &query)
            .map(|key| Credentials::ApiKey { key })
    }

    fn handle<'a>(&'a self, _ctx: RequestContext, request: Request) -> DialectFuture<'a> {
        Box::pin(async move { Err(GatewayError::not_found(format!("No such path {}", request.uri().path()))) })
    }

    fn render_error(&self, err: &GatewayError, parts: &http::request::Parts) -> Response {
        if err.kind == ErrorKind::Unauthenticated {
            return no_content(StatusCode::UNAUTHORIZED);
        }
        let url = parts.uri.path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_default();
        json(err.status(), &json!({"message": err.message, "url": url, "code": err.status().as_u16()}))
    }
}

fn form_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |text: &str| percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned();
            (decode(key), decode(value))
        })
        .collect()
}
