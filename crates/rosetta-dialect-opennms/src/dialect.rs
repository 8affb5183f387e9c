//! The [`OpennmsDialect`]: OpenNMS's REST API under `/opennms/rest` (v1) and `/opennms/api/v2`.

use std::sync::Arc;

use http::{HeaderValue, StatusCode};
use rosetta_auth::Credentials;
use rosetta_core::request::{self, Params};
use rosetta_core::{credentials, Dialect, DialectFuture, ErrorKind, GatewayError, Request, RequestContext, Response};
use rosetta_store::{Db, StoreError, Tx};

use crate::access;
use crate::alarm_index::AlarmIndexCache;
use crate::call::{format_of, parse_path, Call, Verb};
use crate::routes;

/// OpenNMS Horizon's REST API.
#[derive(Debug, Default)]
pub struct OpennmsDialect {
    /// The alarm index, kept across requests.
    alarms: Arc<AlarmIndexCache>,
}

impl OpennmsDialect {
    /// The dialect with default settings.
    pub fn new() -> OpennmsDialect {
        OpennmsDialect::default()
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

    fn handle<'a>(&'a self, ctx: RequestContext, request: Request) -> DialectFuture<'a> {
        Box::pin(handle(ctx, request, Arc::clone(&self.alarms)))
    }

    fn render_error(&self, err: &GatewayError, parts: &http::request::Parts) -> Response {
        render_error(err, parts)
    }

    fn seed(&self, tx: &mut Tx<'_>) -> Result<(), StoreError> {
        crate::seed::seed(tx)
    }

    fn warm(&self, db: &Arc<Db>) {
        drop(self.alarms.current(db));
    }

    fn route_specs(&self) -> Vec<rosetta_core::RouteSpec> {
        crate::route_specs::route_specs()
    }
}

async fn handle(
    ctx: RequestContext,
    request: Request,
    alarms: Arc<AlarmIndexCache>,
) -> Result<Response, GatewayError> {
    let (parts, body) = request.into_parts();
    let (api, segments) = parse_path(parts.uri.path()).ok_or_else(|| GatewayError::not_found(""))?;
    let verb = Verb::of(&parts.method);
    if !routes::is_anonymous(api, verb, &segments) {
        let principal = ctx.principal()?;
        access::check_url(principal, verb, segments.first().map_or("", String::as_str))?;
    }
    let body = request::read_body(body, ctx.app.settings.max_body_bytes).await?;
    let mut params = Params::from_uri(&parts.uri);
    if is_form(&parts, &body) {
        params.extend(Params::parse(&String::from_utf8_lossy(&body)));
    }
    let call = Call {
        verb,
        api,
        segments,
        params,
        format: format_of(&parts, api),
        body,
        path: parts.uri.path().to_owned(),
        ctx,
        alarms,
    };
    routes::route(&call).await
}

/// Form bodies are merged into the parameters (servlet parameter map): declared as a form, or an
/// undeclared body that is neither XML nor JSON.
fn is_form(parts: &http::request::Parts, body: &[u8]) -> bool {
    if body.is_empty() {
        return false;
    }
    match request::content_type(parts).as_deref() {
        Some("application/x-www-form-urlencoded") => true,
        Some(_) => false,
        None => !matches!(body.iter().find(|byte| !byte.is_ascii_whitespace()), Some(b'<' | b'{' | b'[')),
    }
}

/// Every error the OpenNMS dialect returns: a `text/plain` message, or an empty body when the
/// product sends none (every v2 404, missing alarms, unknown routes); 401 carries the Basic challenge
/// unless the request came from `XMLHttpRequest` (opennms-js), which must not trigger a browser pop-up.
pub fn render_error(err: &GatewayError, parts: &http::request::Parts) -> Response {
    let status = if err.kind == ErrorKind::TooManyRequests { StatusCode::UNAUTHORIZED } else { err.status() };
    let v2_not_found = status == StatusCode::NOT_FOUND && parts.uri.path().starts_with("/opennms/api/v2/");
    let mut response = if err.message.is_empty() || v2_not_found {
        request::no_content(status)
    } else {
        request::respond(status, "text/plain", err.message.clone())
    };
    let xhr =
        request::header(parts, "x-requested-with").is_some_and(|value| value.eq_ignore_ascii_case("XMLHttpRequest"));
    if status == StatusCode::UNAUTHORIZED && !xhr {
        response
            .headers_mut()
            .insert(http::header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"OpenNMS Realm\""));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> http::request::Parts {
        let mut builder = http::Request::builder().uri("/opennms/rest/nodes");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).expect("request").into_parts().0
    }

    #[test]
    fn form_bodies_are_recognised() {
        assert!(is_form(&parts(&[("content-type", "application/x-www-form-urlencoded; charset=UTF-8")]), b"ack=true"));
        assert!(is_form(&parts(&[]), b"ack=true"));
        assert!(!is_form(&parts(&[]), b"<node/>"));
        assert!(!is_form(&parts(&[("content-type", "application/json")]), b"ack=true"));
        assert!(!is_form(&parts(&[]), b""));
    }

    #[test]
    fn unauthenticated_errors_challenge_unless_xhr() {
        let err = GatewayError::unauthenticated();
        let plain = render_error(&err, &parts(&[]));
        assert_eq!(plain.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            plain.headers().get(http::header::WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()),
            Some("Basic realm=\"OpenNMS Realm\"")
        );
        let xhr = render_error(&err, &parts(&[("x-requested-with", "XMLHttpRequest")]));
        assert!(xhr.headers().get(http::header::WWW_AUTHENTICATE).is_none());
        let empty = render_error(&GatewayError::not_found(""), &parts(&[]));
        assert!(empty.headers().get(http::header::CONTENT_TYPE).is_none());
    }
}
