//! The request pipeline: every request passes these stages, in this order, once.
//!
//! 1. **Request id**: taken from a valid `X-Request-Id` or generated, echoed on the response.
//! 2. **Span**: one tracing span per request with the fields `request_id`, `method`, `path` (secrets in
//!    the query redacted), `dialect`, later `principal` and `status`.
//! 3. **Dispatch**: the first mount whose dialect claims the path (and whose virtual host matches);
//!    anything unclaimed goes to Rosetta's native API, which answers 404 for unknown paths.
//! 4. **Header and body limits**: too many headers → 431, a declared body over the limit → 413; both in
//!    the dialect's error shape. Dialects read bodies through a bounded reader for undeclared lengths.
//! 5. **Concurrency limit**: a request waits for a slot up to the request timeout, then gets 503.
//! 6. **Credentials**: the dialect's own extractor first, then the generic ones (any credential kind
//!    works on any mount), verified by the auth service; the outcome travels in the request context.
//! 7. **Handler** under the request timeout, with panics caught and answered as the dialect's 500.
//! 8. **Access log** line with dialect, route, principal, status and latency.
//!
//! Errors at any stage are rendered by the dialect that owns the path, so a client only ever sees its
//! product's error shapes.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use http::{HeaderValue, StatusCode};
use rosetta_core::{credentials, AppContext, Dialect, ErrorKind, GatewayError, Request, RequestContext, Response};
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::config::LimitsConfig;
use crate::ratelimit::{Rate, RateLimiter};
use crate::telemetry::redact_uri;

/// Limits the pipeline enforces.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most request headers.
    pub max_headers: usize,
    /// Largest body.
    pub max_body_bytes: usize,
    /// Time allowed per request.
    pub request_timeout: Duration,
    /// Requests served at once.
    pub max_concurrent_requests: usize,
    /// Rate limit per client address.
    pub rate_per_address: Rate,
    /// Rate limit per principal.
    pub rate_per_principal: Rate,
}

impl Limits {
    /// The limits of a configuration.
    pub fn from_config(limits: &LimitsConfig) -> Limits {
        Limits {
            max_headers: limits.max_headers,
            max_body_bytes: limits.max_body_bytes,
            request_timeout: Duration::from_secs(limits.request_timeout_secs),
            max_concurrent_requests: limits.max_concurrent_requests,
            rate_per_address: Rate { per_second: limits.rate_per_address, burst: limits.rate_burst },
            rate_per_principal: Rate { per_second: limits.rate_per_principal, burst: limits.rate_burst },
        }
    }
}

/// A dialect mounted on the gateway.
#[derive(Clone)]
pub struct Mount {
    /// The dialect.
    pub dialect: Arc<dyn Dialect>,
    /// Only for requests with this `Host` (without port), when set.
    pub host: Option<String>,
}

/// The gateway's request pipeline, shared by every connection.
pub struct Gateway {
    app: AppContext,
    native: Arc<dyn Dialect>,
    mounts: Vec<Mount>,
    limits: RwLock<Arc<Limits>>,
    slots: Arc<Semaphore>,
    rates: RateLimiter,
    last_sweep: std::sync::Mutex<Instant>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.mounts.iter().map(|mount| mount.dialect.name()).collect();
        f.debug_struct("Gateway").field("mounts", &names).finish_non_exhaustive()
    }
}

impl Gateway {
    /// A pipeline over `mounts`, with `native` for everything no mount claims.
    pub fn new(app: AppContext, native: Arc<dyn Dialect>, mounts: Vec<Mount>, limits: Limits) -> Gateway {
        let slots = Arc::new(Semaphore::new(limits.max_concurrent_requests));
        Gateway {
            app,
            native,
            mounts,
            limits: RwLock::new(Arc::new(limits)),
            slots,
            rates: RateLimiter::default(),
            last_sweep: std::sync::Mutex::new(Instant::now()),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Arc<Limits> {
        Arc::clone(&self.limits.read().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Replaces the limits (configuration reload); requests in flight finish under the old ones.
    pub fn set_limits(&self, limits: Limits) {
        let old = self.limits();
        if limits.max_concurrent_requests > old.max_concurrent_requests {
            self.slots.add_permits(limits.max_concurrent_requests - old.max_concurrent_requests);
        } else {
            self.slots.forget_permits(old.max_concurrent_requests - limits.max_concurrent_requests);
        }
        *self.limits.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(limits);
    }

    /// Takes a token for the key `prefix` + `name`; the key is only built when the limit is on.
    fn rate_limited(&self, prefix: &str, name: &dyn std::fmt::Display, rate: Rate) -> Option<GatewayError> {
        if rate.is_off() {
            return None;
        }
        let key = format!("{prefix}{name}");
        let now = Instant::now();
        if let Ok(mut last) = self.last_sweep.try_lock() {
            if now.duration_since(*last) > Duration::from_secs(60) {
                self.rates.sweep(Duration::from_secs(600), now);
                *last = now;
            }
        }
        let retry_after = self.rates.check(&key, rate, now).err()?;
        let seconds = retry_after.as_secs().max(1);
        Some(
            GatewayError::new(ErrorKind::TooManyRequests, format!("Too many requests; retry in {seconds} s"))
                .with_fields(serde_json::json!({"retry_after": seconds})),
        )
    }

    /// The shared application context.
    pub fn app(&self) -> &AppContext {
        &self.app
    }

    /// The names of the mounted dialects, in dispatch order.
    pub fn mounted(&self) -> Vec<&'static str> {
        self.mounts.iter().map(|mount| mount.dialect.name()).collect()
    }

    fn dispatch(&self, parts: &http::request::Parts) -> Arc<dyn Dialect> {
        let path = parts.uri.path();
        if self.native.matches(path) {
            return Arc::clone(&self.native);
        }
        // Only virtual-host mounts need the request's host; the others are chosen by path alone.
        let host = if self.mounts.iter().any(|mount| mount.host.is_some()) {
            parts
                .headers
                .get(http::header::HOST)
                .and_then(|value| value.to_str().ok())
                .or_else(|| parts.uri.host())
                .map(|host| host.rsplit_once(':').map_or(host, |(name, _)| name).to_ascii_lowercase())
        } else {
            None
        };
        self.mounts
            .iter()
            .filter(|mount| mount.host.as_ref().is_none_or(|wanted| host.as_deref() == Some(wanted.as_str())))
            .find(|mount| mount.dialect.matches(path))
            .map_or_else(|| Arc::clone(&self.native), |mount| Arc::clone(&mount.dialect))
    }

    /// Answers one request.
    pub async fn handle(&self, request: Request, client: Option<SocketAddr>) -> Response {
        let started = Instant::now();
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .filter(|id| !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()))
            .map_or_else(|| rosetta_model::random_uuid().to_string(), str::to_owned);
        let (parts, body) = request.into_parts();
        let dialect = self.dispatch(&parts);
        let span = tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %parts.method,
            path = %redact_uri(&parts.uri),
            dialect = dialect.name(),
            principal = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        crate::telemetry::adopt_parent(&span, &parts.headers);
        // The access log needs only the request line once `run` owns the request.
        let (method, uri) = (parts.method.clone(), parts.uri.clone());
        let mut response = self
            .run(Arc::clone(&dialect), parts, body, client, request_id.clone())
            .instrument(span.clone())
            .await;
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert("x-request-id", value);
        }
        let status = response.status().as_u16();
        span.record("status", status);
        crate::metrics::record_request(dialect.name(), &method, uri.path(), status, started.elapsed().as_secs_f64());
        let principal = response.extensions().get::<PrincipalName>().map_or("-", |name| name.0.as_str());
        span.in_scope(|| {
            tracing::info!(
                target: "rosetta::access",
                dialect = dialect.name(),
                method = %method,
                route = %redact_uri(&uri),
                principal,
                status,
                latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                "request"
            );
        });
        response
    }

    async fn run(
        &self,
        dialect: Arc<dyn Dialect>,
        parts: http::request::Parts,
        body: rosetta_core::RequestBody,
        client: Option<SocketAddr>,
        request_id: String,
    ) -> Response {
        let limits = self.limits();
        if parts.headers.len() > limits.max_headers {
            let err = GatewayError::new(ErrorKind::HeadersTooLarge, "Too many request headers");
            return dialect.render_error(&err, &parts);
        }
        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limits.max_body_bytes as u64) {
            let message = format!("Request body larger than {} bytes", limits.max_body_bytes);
            return dialect.render_error(&GatewayError::new(ErrorKind::PayloadTooLarge, message), &parts);
        }
        if let Some(client) = client {
            if let Some(err) = self.rate_limited("addr:", &client.ip(), limits.rate_per_address) {
                return with_retry_after(dialect.render_error(&err, &parts), &err);
            }
        }
        let deadline = tokio::time::Instant::now() + limits.request_timeout;
        // A free slot is taken without arming a timer; only a full gateway waits (until the deadline).
        let permit = match Arc::clone(&self.slots).try_acquire_owned() {
            Ok(permit) => Ok(permit),
            Err(_) => match tokio::time::timeout_at(deadline, Arc::clone(&self.slots).acquire_owned()).await {
                Ok(Ok(permit)) => Ok(permit),
                _ => Err(()),
            },
        };
        let Ok(_permit) = permit else {
            let err = GatewayError::new(ErrorKind::Unavailable, "The gateway is overloaded; retry later");
            return dialect.render_error(&err, &parts);
        };

        let auth = match dialect.credentials(&parts).or_else(|| credentials::any(&parts)) {
            None => Ok(None),
            Some(creds) => {
                match self.app.auth.authenticate(&creds, client.map(|addr| addr.ip())).await {
                    Ok(principal) => {
                        crate::metrics::record_auth(creds.method().as_str(), "success");
                        Ok(Some(principal))
                    }
                    Err(err) => {
                        tracing::info!(method = creds.method().as_str(), error = %err, "authentication failed");
                        let outcome = match err {
                            rosetta_auth::AuthError::LockedOut { .. } => "locked_out",
                            rosetta_auth::AuthError::Expired => "expired",
                            rosetta_auth::AuthError::Disabled => "disabled",
                            rosetta_auth::AuthError::Store(_) => "error",
                            rosetta_auth::AuthError::InvalidCredentials => "invalid",
                        };
                        crate::metrics::record_auth(creds.method().as_str(), outcome);
                        Err(GatewayError::from(err))
                    }
                }
            }
        };
        let principal_name = auth.as_ref().ok().and_then(Option::as_ref).map(|principal| principal.login().to_owned());
        if let Some(name) = &principal_name {
            tracing::Span::current().record("principal", name.as_str());
            if let Some(err) = self.rate_limited("user:", name, limits.rate_per_principal) {
                let mut response = with_retry_after(dialect.render_error(&err, &parts), &err);
                response.extensions_mut().insert(PrincipalName(name.clone()));
                return response;
            }
        }
        let ctx = RequestContext::new(self.app.clone(), request_id, client, auth);
        let request = http::Request::from_parts(parts.clone(), body);
        let handler = AssertUnwindSafe(dialect.handle(ctx, request)).catch_unwind();
        let mut response = match tokio::time::timeout_at(deadline, handler).await {
            Ok(Ok(Ok(response))) => response,
            Ok(Ok(Err(err))) => {
                log_error(&err);
                dialect.render_error(&err, &parts)
            }
            Ok(Err(panic)) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|text| (*text).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                tracing::error!(panic = %message, "handler panicked");
                dialect.render_error(&GatewayError::internal(message), &parts)
            }
            Err(_) => {
                let err = GatewayError::new(ErrorKind::Timeout, "The request took too long");
                log_error(&err);
                dialect.render_error(&err, &parts)
            }
        };
        if let Some(name) = principal_name {
            response.extensions_mut().insert(PrincipalName(name));
        }
        response
    }
}

/// Adds `Retry-After` from a rate-limit error.
fn with_retry_after(mut response: Response, err: &GatewayError) -> Response {
    if let Some(seconds) = err.fields.as_ref().and_then(|fields| fields["retry_after"].as_u64()) {
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(http::header::RETRY_AFTER, value);
        }
    }
    response
}

/// The principal's login, carried on the response for the access log.
#[derive(Debug, Clone)]
struct PrincipalName(String);

fn log_error(err: &GatewayError) {
    if err.status() == StatusCode::INTERNAL_SERVER_ERROR || err.kind == ErrorKind::Unavailable {
        tracing::error!(error = %err, "request failed");
    } else {
        tracing::debug!(error = %err, "request refused");
    }
}

#[cfg(test)]
mod tests;
