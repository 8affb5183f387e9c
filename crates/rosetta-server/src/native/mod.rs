//! Rosetta's own API: health and readiness probes and `/api/v1/*` for dashboards, agents and scripts.
//!
//! Errors are `{"error": {"kind": "...", "message": "...", "detail": ...}}` with the status of the kind.
//! Any credential kind (Basic, Opsview token, `X-OITC-API` key) authenticates here. The routes are
//! described by the OpenAPI document served at `/api/v1/openapi.json`.

mod actions;
mod listing;
mod results;
mod stream;
mod views;

use http::{Method, StatusCode};
use rosetta_auth::Credentials;
use rosetta_core::request::{json, respond, text};
use rosetta_core::{Dialect, DialectFuture, ErrorKind, GatewayError, Request, RequestContext, Response};
use serde_json::json;

/// The OpenAPI description of the native API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Who may read `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricsAccess {
    /// No credentials needed (Prometheus scrapes).
    #[default]
    Open,
    /// Any valid credential.
    Authenticated,
    /// Not served.
    Off,
}

/// The native API.
#[derive(Debug, Default)]
pub struct NativeApi {
    /// Who may read `/metrics`.
    pub metrics: MetricsAccess,
    /// The configuration reloader, once the server made one.
    pub reloader: crate::reload::ReloadSlot,
}

/// Every native route: (method, path, what it is). The OpenAPI test checks each is documented.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/whoami"),
    ("GET", "/api/v1/hosts"),
    ("GET", "/api/v1/services"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/alarms"),
    ("GET", "/api/v1/stream"),
    ("POST", "/api/v1/results"),
    ("POST", "/api/v1/sessions"),
    ("DELETE", "/api/v1/sessions"),
    ("POST", "/api/v1/acknowledgements"),
    ("DELETE", "/api/v1/acknowledgements"),
    ("POST", "/api/v1/downtimes"),
    ("DELETE", "/api/v1/downtimes/{id}"),
    ("POST", "/api/v1/admin/reload-config"),
];

impl Dialect for NativeApi {
    fn name(&self) -> &'static str {
        "native"
    }

    fn matches(&self, path: &str) -> bool {
        path == "/"
            || path == "/healthz"
            || path == "/readyz"
            || path == "/metrics"
            || path == "/api"
            || path.starts_with("/api/")
            || path == "/ui"
            || path.starts_with("/ui/")
    }

    fn credentials(&self, parts: &http::request::Parts) -> Option<Credentials> {
        actions::cookie_credentials(parts)
    }

    fn handle<'a>(&'a self, ctx: RequestContext, request: Request) -> DialectFuture<'a> {
        Box::pin(async move {
            let path = request.uri().path().trim_end_matches('/').to_owned();
            let method = request.method().clone();
            let get = method == Method::GET || method == Method::HEAD;
            if request.uri().path().starts_with("/ui") && get {
                return crate::ui::serve(request.uri().path())
                    .ok_or_else(|| GatewayError::not_found(format!("No such page {}", request.uri().path())));
            }
            match path.as_str() {
                "" if get => Ok(redirect("/ui/")),
                "/healthz" if get => Ok(text(StatusCode::OK, "ok\n")),
                "/readyz" if get => readyz(&ctx).await,
                "/metrics" if get => self.metrics(&ctx),
                "/api/v1/openapi.json" if get => Ok(respond(StatusCode::OK, "application/json", OPENAPI)),
                "/api/v1/whoami" if get => whoami(&ctx),
                "/api/v1/hosts" if get => listing::hosts(&ctx, &request),
                "/api/v1/services" if get => listing::services(&ctx, &request),
                "/api/v1/events" if get => listing::events(&ctx, &request),
                "/api/v1/alarms" if get => listing::alarms(&ctx, &request),
                "/api/v1/stream" if get => stream::stream(&ctx, &request),
                "/api/v1/results" if method == Method::POST => results::results(&ctx, request).await,
                "/api/v1/sessions" if method == Method::POST => actions::login(&ctx, request).await,
                "/api/v1/sessions" if method == Method::DELETE => actions::logout(&ctx, request).await,
                "/api/v1/acknowledgements" if method == Method::POST => actions::acknowledge(&ctx, request).await,
                "/api/v1/acknowledgements" if method == Method::DELETE => actions::unacknowledge(&ctx, request).await,
                "/api/v1/downtimes" if method == Method::POST => actions::schedule_downtime(&ctx, request).await,
                "/api/v1/admin/reload-config" if method == Method::POST => self.reload_config(&ctx),
                downtime if method == Method::DELETE && downtime.starts_with("/api/v1/downtimes/") => {
                    actions::cancel_downtime(&ctx, &downtime["/api/v1/downtimes/".len()..]).await
                }
                _ if ROUTES.iter().any(|(_, route)| *route == path || (route.ends_with("{id}") && path.starts_with(route.trim_end_matches("{id}")))) => {
                    Err(GatewayError::new(ErrorKind::MethodNotAllowed, format!("{method} is not allowed on {path}")))
                }
                _ => Err(GatewayError::not_found(format!("No route for {path}"))),
            }
        })
    }

    fn render_error(&self, err: &GatewayError, parts: &http::request::Parts) -> Response {
        let body = json!({"error": {"kind": err.kind.as_str(), "message": err.message, "detail": err.detail}});
        let mut response = json(err.status(), &body);
        // Browsers' scripts say so with X-Requested-With; a Basic challenge would pop up a login dialog.
        let from_script = parts.headers.contains_key("x-requested-with");
        if err.kind == ErrorKind::Unauthenticated && !from_script {
            response
                .headers_mut()
                .insert(http::header::WWW_AUTHENTICATE, http::HeaderValue::from_static("Basic realm=\"Rosetta\""));
        }
        response
    }
}

fn redirect(location: &'static str) -> Response {
    let mut response = text(StatusCode::FOUND, format!("See {location}\n"));
    response.headers_mut().insert(http::header::LOCATION, http::HeaderValue::from_static(location));
    response
}

impl NativeApi {
    fn reload_config(&self, ctx: &RequestContext) -> Result<Response, GatewayError> {
        let principal = ctx.principal()?;
        if !principal.can(rosetta_model::Permission::AdminAccess) {
            return Err(GatewayError::forbidden("Reloading the configuration needs ADMINACCESS"));
        }
        let Some(reloader) = self.reloader.get() else {
            return Err(GatewayError::new(ErrorKind::Unavailable, "This gateway was not started from a configuration file"));
        };
        match reloader.reload() {
            Ok(report) => Ok(json(
                StatusCode::OK,
                &json!({"reloaded": true, "applied": report.applied, "needs_restart": report.needs_restart}),
            )),
            Err(errors) => {
                let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
                Err(GatewayError::bad_request("The configuration has problems; the running one stays in force")
                    .with_detail(listed.join("; "))
                    .with_fields(json!(listed)))
            }
        }
    }

    fn metrics(&self, ctx: &RequestContext) -> Result<Response, GatewayError> {
        match self.metrics {
            MetricsAccess::Off => return Err(GatewayError::not_found("Metrics are switched off")),
            MetricsAccess::Authenticated => {
                ctx.principal()?;
            }
            MetricsAccess::Open => {}
        }
        let body = crate::metrics::render(&ctx.app.db);
        Ok(respond(StatusCode::OK, "text/plain; version=0.0.4; charset=utf-8", body))
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

/// The `/api/v1/whoami` answer, written straight from the principal.
#[derive(serde::Serialize)]
struct WhoAmI<'a> {
    id: rosetta_model::Id,
    uuid: &'a uuid::Uuid,
    login: &'a str,
    fullname: &'a str,
    email: &'a str,
    role: &'a str,
    #[serde(serialize_with = "permission_names")]
    permissions: &'a rosetta_model::PermissionSet,
    opennms_roles: Vec<&'static str>,
    tenants: &'a [rosetta_model::TenantAccess],
    authenticated_by: &'static str,
}

fn permission_names<S: serde::Serializer>(set: &&rosetta_model::PermissionSet, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(set.iter().map(|permission| permission.name()))
}

fn whoami(ctx: &RequestContext) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?;
    let user = &principal.user;
    Ok(json(
        StatusCode::OK,
        &WhoAmI {
            id: user.meta.id,
            uuid: &user.meta.uuid,
            login: principal.login(),
            fullname: &user.fullname,
            email: &user.email,
            role: &principal.role.name,
            permissions: principal.permissions(),
            opennms_roles: principal.permissions().opennms_roles(),
            tenants: &user.tenants,
            authenticated_by: principal.method.as_str(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whoami_lists_tenants_as_id_and_level() {
        let access = [rosetta_model::TenantAccess { tenant: 3, level: rosetta_model::TenantLevel::Write }];
        let set = rosetta_model::PermissionSet::default();
        let uuid = uuid::Uuid::nil();
        let reply = WhoAmI {
            id: 1,
            uuid: &uuid,
            login: "ops",
            fullname: "",
            email: "",
            role: "Operator",
            permissions: &set,
            opennms_roles: Vec::new(),
            tenants: &access,
            authenticated_by: "basic",
        };
        let value = serde_json::to_value(&reply).expect("a value");
        assert_eq!(value["tenants"], json!([{"tenant": 3, "level": "write"}]));
        assert_eq!(value["uuid"], "00000000-0000-0000-0000-000000000000");
    }

    #[test]
    fn every_route_is_in_the_openapi_document() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("valid JSON");
        assert_eq!(doc["openapi"], "3.0.3");
        for (method, path) in ROUTES {
            let operation = &doc["paths"][*path][method.to_ascii_lowercase()];
            assert!(operation.is_object(), "{method} {path} is not documented");
            assert!(operation["summary"].is_string(), "{method} {path} has no summary");
        }
        for (path, operations) in doc["paths"].as_object().expect("paths") {
            for method in operations.as_object().expect("operations").keys() {
                let route = (method.to_ascii_uppercase(), path.clone());
                assert!(
                    ROUTES.iter().any(|(m, p)| *m == route.0 && *p == route.1),
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }
}
