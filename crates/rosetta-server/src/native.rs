//! Rosetta's own API: health and readiness probes and `/api/v1/*`.
//!
//! Errors are `{"error": {"kind": "...", "message": "..."}}` with the status of the kind. Any
//! credential kind (Basic, Opsview token, `X-OITC-API` key) authenticates here.

use http::{Method, StatusCode};
use rosetta_auth::Credentials;
use rosetta_core::request::{json, text};
use rosetta_core::{Dialect, DialectFuture, ErrorKind, GatewayError, Request, RequestContext, Response};
use serde_json::json;

/// The native API.
#[derive(Debug, Default)]
pub struct NativeApi;

impl Dialect for NativeApi {
    fn name(&self) -> &'static str {
        "native"
    }

    fn matches(&self, path: &str) -> bool {
        path == "/healthz" || path == "/readyz" || path == "/api" || path.starts_with("/api/")
    }

    fn credentials(&self, _parts: &http::request::Parts) -> Option<Credentials> {
        None
    }

    fn handle<'a>(&'a self, ctx: RequestContext, request: Request) -> DialectFuture<'a> {
        Box::pin(async move {
            let path = request.uri().path().trim_end_matches('/').to_owned();
            match (request.method(), path.as_str()) {
                (&Method::GET | &Method::HEAD, "/healthz") => Ok(text(StatusCode::OK, "ok\n")),
                (&Method::GET | &Method::HEAD, "/readyz") => readyz(&ctx).await,
                (&Method::GET, "/api/v1/whoami") => whoami(&ctx),
                (_, "/healthz" | "/readyz" | "/api/v1/whoami") => {
                    Err(GatewayError::new(ErrorKind::MethodNotAllowed, "Method not allowed"))
                }
                _ => Err(GatewayError::not_found(format!("No route for {path}"))),
            }
        })
    }

    fn render_error(&self, err: &GatewayError, _parts: &http::request::Parts) -> Response {
        let body = json!({"error": {"kind": err.kind.as_str(), "message": err.message, "detail": err.detail}});
        let mut response = json(err.status(), &body);
        if err.kind == ErrorKind::Unauthenticated {
            response
                .headers_mut()
                .insert(http::header::WWW_AUTHENTICATE, http::HeaderValue::from_static("Basic realm=\"Rosetta\""));
        }
        response
    }
}

async fn readyz(ctx: &RequestContext) -> Result<Response, GatewayError> {
    let db = &ctx.app.db;
    match db.ping().await {
        Ok(()) => Ok(json(StatusCode::OK, &json!({"status": "ready", "store": db.backend_name()}))),
        Err(err) => {
            tracing::warn!(error = %err, "store is not ready");
            Ok(json(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({"status": "not ready", "store": db.backend_name(), "reason": "store unavailable"}),
            ))
        }
    }
}

fn whoami(ctx: &RequestContext) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?;
    let permissions: Vec<&str> = principal.permissions().iter().map(|permission| permission.name()).collect();
    let tenants: Vec<serde_json::Value> = principal
        .user
        .tenants
        .iter()
        .map(|access| json!({"tenant": access.tenant, "level": format!("{:?}", access.level).to_lowercase()}))
        .collect();
    Ok(json(
        StatusCode::OK,
        &json!({
            "id": principal.user.meta.id,
            "uuid": principal.user.meta.uuid,
            "login": principal.login(),
            "fullname": principal.user.fullname,
            "email": principal.user.email,
            "role": principal.role.name,
            "permissions": permissions,
            "opennms_roles": principal.permissions().opennms_roles(),
            "tenants": tenants,
            "authenticated_by": principal.method.as_str(),
        }),
    ))
}
