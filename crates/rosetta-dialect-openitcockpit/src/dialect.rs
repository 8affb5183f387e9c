//! The [`OpenitcockpitDialect`]: openITCOCKPIT's API at `/<controller>/<action>.json`.
//!
//! Pipeline per request (spec §0, in order): route parsing, body parsing (malformed JSON → 400),
//! authentication (401 for JSON requests, 302 to `/a/users/login` otherwise), ACL by user group
//! (403), then the controller (405, 404, container 403, validation 400). Every error is rendered by
//! [`crate::errors::render`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use http::request::Parts;
use rosetta_auth::Credentials;
use rosetta_core::request::{content_type, read_body};
use rosetta_core::{Dialect, DialectFuture, GatewayError, Request, RequestContext, Response};
use rosetta_model::Id;
use rosetta_store::{Db, StoreError, Tx};
use serde_json::Value;

use crate::call::Call;
use crate::errors;
use crate::route;

/// openITCOCKPIT's API.
#[derive(Debug, Default)]
pub struct OpenitcockpitDialect {
    /// API-key candidates of `GET /profile/create_apikey.json` per user (the product keeps them in
    /// the PHP session; Rosetta has none), with their creation time.
    candidates: Mutex<HashMap<Id, (String, Instant)>>,
    /// The listed hosts of the store, kept ready for the hosts index.
    pub(crate) hosts: crate::host_index::HostIndexCache,
}

impl OpenitcockpitDialect {
    /// The dialect with default settings.
    pub fn new() -> OpenitcockpitDialect {
        OpenitcockpitDialect::default()
    }

    /// Remembers an API-key candidate for `user`.
    pub fn remember_candidate(&self, user: Id, key: String) {
        if let Ok(mut candidates) = self.candidates.lock() {
            candidates.retain(|_, (_, created)| created.elapsed().as_secs() < 600);
            candidates.insert(user, (key, Instant::now()));
        }
    }

    /// Takes the candidate of `user` with its age in seconds.
    pub fn take_candidate(&self, user: Id) -> Option<(String, u64)> {
        let mut candidates = self.candidates.lock().ok()?;
        candidates.remove(&user).map(|(key, created)| (key, created.elapsed().as_secs()))
    }

    async fn serve(&self, ctx: RequestContext, request: Request) -> Result<Response, GatewayError> {
        let (parts, body) = request.into_parts();
        let route = route::parse(parts.uri.path()).ok_or_else(|| errors::not_found("Not Found"))?;
        let bytes = read_body(body, ctx.app.settings.max_body_bytes).await?;
        let body = parse_body(&parts, &bytes)?;
        let principal = ctx.principal()?;
        let url = parts.uri.path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_default();
        let call = Call {
            ctx: &ctx,
            principal,
            dialect: self,
            method: parts.method.clone(),
            query: rosetta_core::request::Params::from_uri(&parts.uri).0,
            body,
            args: route.args.clone(),
            url: url.clone(),
        };
        let need = crate::routes::need(&route.controller, &route.action).ok_or_else(|| errors::acl_forbidden(&url))?;
        if !need.granted(principal) {
            return Err(errors::acl_forbidden(&url));
        }
        let reply = crate::routes::run(&route.controller, &route.action, &call).await?;
        Ok(reply.into_response())
    }
}

/// Parses a JSON body (`Content-Type: application/json`, or no type and a body that looks like
/// JSON) or a form body; an empty body is `null`.
fn parse_body(parts: &Parts, bytes: &[u8]) -> Result<Value, GatewayError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let media = content_type(parts).unwrap_or_default();
    if media == "application/x-www-form-urlencoded" {
        let map: serde_json::Map<String, Value> = form_urlencoded::parse(bytes)
            .map(|(key, value)| (key.into_owned(), Value::from(value.into_owned())))
            .collect();
        return Ok(Value::Object(map));
    }
    let looks_json = bytes.iter().find(|byte| !byte.is_ascii_whitespace()).is_some_and(|byte| *byte == b'{' || *byte == b'[');
    if media == "application/json" || media.ends_with("+json") || (media.is_empty() && looks_json) {
        return serde_json::from_slice(bytes)
            .map_err(|err| errors::bad_request("Bad Request").with_cause(format!("malformed JSON body: {err}")));
    }
    Ok(Value::Null)
}

impl Dialect for OpenitcockpitDialect {
    fn name(&self) -> &'static str {
        "openitcockpit"
    }

    fn matches(&self, path: &str) -> bool {
        route::claims(path)
    }

    /// The product's API-key sources (`Authorization` header, `Authorization` cookie, `?apikey=`)
    /// with its parsing quirk (first 10 characters dropped, then trimmed). Unlike the product, the
    /// header only counts when it starts with `X-OITC-API` (case-insensitive), so Basic and other
    /// schemes fall through to the gateway's generic extractors.
    fn credentials(&self, parts: &Parts) -> Option<Credentials> {
        let header = |name| parts.headers.get(name).and_then(|value: &http::HeaderValue| value.to_str().ok());
        let authorization = header(http::header::AUTHORIZATION).filter(|value| {
            value.get(..10).is_some_and(|prefix| prefix.eq_ignore_ascii_case("X-OITC-API"))
        });
        let query = rosetta_core::request::Params::from_uri(&parts.uri).0;
        crate::apikey::extract(authorization, header(http::header::COOKIE), &query).map(|key| Credentials::ApiKey { key })
    }

    fn handle<'a>(&'a self, ctx: RequestContext, request: Request) -> DialectFuture<'a> {
        Box::pin(self.serve(ctx, request))
    }

    fn render_error(&self, err: &GatewayError, parts: &Parts) -> Response {
        errors::render(err, parts)
    }

    fn seed(&self, tx: &mut Tx<'_>) -> Result<(), StoreError> {
        crate::seed::seed(tx)
    }

    fn warm(&self, db: &std::sync::Arc<Db>) {
        drop(self.hosts.current(db));
    }

    fn route_specs(&self) -> Vec<rosetta_core::RouteSpec> {
        crate::routes::route_specs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder().uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).map(|request| request.into_parts().0).unwrap_or_else(|_| http::Request::new(()).into_parts().0)
    }

    #[test]
    fn claims_controller_paths_only() {
        let dialect = OpenitcockpitDialect::new();
        assert!(dialect.matches("/hosts/index.json"));
        assert!(dialect.matches("/hosts"));
        assert!(dialect.matches("/nagios_module/cmd/submit.json"));
        assert!(dialect.matches("/whatever/thing.json"));
        assert!(dialect.matches("/profile/delete_apikey/5/.json"));
        assert!(!dialect.matches("/whatever/thing"));
        assert!(!dialect.matches("/rest/config/host"));
        assert!(!dialect.matches("/rest/login.json"));
        assert!(!dialect.matches("/opennms/rest/nodes"));
        assert!(!dialect.matches("/api/v1/whoami.json"));
        assert!(!dialect.matches("/healthz"));
        assert!(!dialect.matches("/"));
    }

    #[test]
    fn only_x_oitc_api_headers_are_keys() {
        let dialect = OpenitcockpitDialect::new();
        let key = |headers: &[(&str, &str)], uri: &str| dialect.credentials(&parts(uri, headers));
        assert_eq!(key(&[("Authorization", "X-OITC-API abc")], "/hosts/index.json"), Some(Credentials::ApiKey { key: "abc".into() }));
        assert_eq!(key(&[("Authorization", "x-oitc-apiabc")], "/hosts/index.json"), Some(Credentials::ApiKey { key: "abc".into() }));
        assert_eq!(key(&[("Authorization", "Basic YTpi")], "/hosts/index.json"), None);
        assert_eq!(key(&[], "/hosts/index.json?apikey=xyz"), Some(Credentials::ApiKey { key: "xyz".into() }));
        assert_eq!(key(&[("Cookie", "Authorization=X-OITC-API%20cookiekey")], "/x.json"), Some(Credentials::ApiKey { key: "cookiekey".into() }));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let json = parts("/hosts/add.json", &[("Content-Type", "application/json")]);
        assert!(parse_body(&json, b"{\"Host\":").is_err());
        assert_eq!(parse_body(&json, b"").ok(), Some(Value::Null));
        assert_eq!(parse_body(&json, b"{\"a\":1}").ok(), Some(serde_json::json!({"a": 1})));
    }
}
