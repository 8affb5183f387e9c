//! Forwarding one request: mount checks (allow/deny, read-only, rate limit), credential translation and
//! its audit, the cache, retries, timeouts and the breaker, and streaming the answer back.
//!
//! Failures carry their retry decision ([`Retry`]) instead of scattered `if`s: a request that never
//! reached the upstream (connect failure) may always be retried; one that failed on a pooled connection
//! opened before the attempt (the upstream may have closed it while idle) may be retried whatever its
//! method; any other failure only for idempotent methods. Timeouts are never retried.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use dashmap::DashMap;
use http::{HeaderMap, Method, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use rosetta_core::request::{full, read_body};
use rosetta_core::{BoxError, ErrorKind, GatewayError, Request, RequestBody, RequestContext, Response};
use rosetta_model::Product;
use rosetta_store::{Actor, StoreError};

use crate::client::ConnectionOpened;
use crate::{cache, headers, Upstream, UpstreamCredentials};

/// Request bodies up to this size are buffered so the request can be retried or re-sent after a
/// token refresh; larger ones stream and are sent once.
const REPLAY_LIMIT: u64 = 256 * 1024;

/// Whether a failed attempt may be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The request never left Rosetta.
    Always,
    /// The request may have reached the upstream; only idempotent methods may repeat it.
    Idempotent,
    /// Like `Idempotent`, but the connection was reused from the pool, so any method may repeat it.
    ReusedConnection,
    /// Never (timeouts, streamed bodies).
    Never,
}

/// A failed attempt: the error for the caller and whether to try again.
#[derive(Debug)]
struct Failure {
    error: GatewayError,
    retry: Retry,
}

/// The request line and headers sent upstream (credentials are added per attempt).
#[derive(Debug, Clone)]
pub(crate) struct RequestHead {
    pub(crate) method: Method,
    pub(crate) path_and_query: String,
    /// `path_and_query` on the upstream, built once for every attempt.
    pub(crate) uri: http::Uri,
    pub(crate) headers: HeaderMap,
}

/// A request body: buffered (replayable) or streamed (sent once).
pub(crate) enum OutBody {
    /// Fully read; can be sent again.
    Replayable(Bytes),
    /// Streamed; `None` once it has been handed to an attempt.
    Stream(Option<RequestBody>),
}

impl Upstream {
    /// Forwards `request` to the upstream as the principal of `ctx`, with the upstream's own credentials.
    ///
    /// `mount_prefix` is the part of the path that selects the mount (`""` when the mount serves the
    /// product's own paths); it is removed before the path is joined onto the upstream URL, and the
    /// allow/deny lists match what remains.
    pub async fn forward(
        &self,
        ctx: &RequestContext,
        request: Request,
        mount_prefix: &str,
    ) -> Result<Response, GatewayError> {
        let principal = ctx.principal()?;
        let login = principal.login();
        let (parts, body) = request.into_parts();
        let path = mount_relative_path(parts.uri.path(), mount_prefix);
        let mount = if mount_prefix.is_empty() { "/" } else { mount_prefix };
        self.check_path(&path)?;
        if self.config.read_only && !is_safe(&parts.method) {
            return Err(GatewayError::forbidden("This mount is read-only"));
        }
        if let Some(rate) = &self.rate {
            if !rate.try_acquire(login) {
                return Err(GatewayError::new(ErrorKind::TooManyRequests, "Too many requests through this mount"));
            }
        }
        let credentials = self
            .config
            .auth
            .for_login(login)
            .ok_or_else(|| GatewayError::forbidden("No upstream account is mapped to this user"))?;
        self.record_translation(ctx, mount, login, credentials).await;

        let mut request_headers = parts.headers;
        let client_ip = ctx.client_ip();
        headers::request_headers(&mut request_headers, client_ip.as_deref());
        let path_and_query = match headers::strip_query_credentials(parts.uri.query()) {
            Some(query) => format!("{path}?{query}"),
            None => path,
        };
        let uri = self.url.uri(&path_and_query)?;
        let head = RequestHead { method: parts.method, path_and_query, uri, headers: request_headers };

        let cache_key = (self.config.cache_ttl_ms > 0
            && head.method == Method::GET
            && cache::request_allows_cache(&head.headers))
        .then(|| cache::ResponseCache::key(&credentials.cache_identity(), &head.path_and_query, &head.headers));
        if let Some(hit) = cache_key.as_deref().and_then(|key| self.cache.get(key)) {
            self.counters.with(mount, self.product, |counters| counters.cache_hits.increment(1));
            let mut response = http::Response::new(full(hit.body));
            *response.status_mut() = hit.status;
            *response.headers_mut() = hit.headers;
            response.headers_mut().insert("x-rosetta-cache", http::HeaderValue::from_static("hit"));
            return Ok(response);
        }

        let body = out_body(body, &head.headers).await?;
        let upstream_response = self.exchange(credentials, &head, body).await?;
        let (mut response_parts, incoming) = upstream_response.into_parts();
        headers::response_headers(&mut response_parts.headers);
        let body = IdleTimeoutBody::new(incoming, self.config.read_timeout());

        if let Some(key) = cache_key {
            let ttl = cache::response_ttl(
                response_parts.status,
                &response_parts.headers,
                Duration::from_millis(self.config.cache_ttl_ms),
            );
            let small = body.size_hint().exact().is_some_and(|len| len <= self.config.cache_max_body_bytes as u64);
            if let (Some(ttl), true) = (ttl, small) {
                let bytes = body
                    .collect()
                    .await
                    .map_err(|err| upstream_body_error(err.as_ref()))?
                    .to_bytes();
                self.cache.insert(key, response_parts.status, response_parts.headers.clone(), bytes.clone(), ttl);
                response_parts.headers.insert("x-rosetta-cache", http::HeaderValue::from_static("miss"));
                return Ok(http::Response::from_parts(response_parts, full(bytes)));
            }
        }
        Ok(http::Response::from_parts(response_parts, body.boxed()))
    }

    /// Sends one request with retries, the breaker and, for Opsview, one re-login after a 401.
    pub(crate) async fn exchange(
        &self,
        credentials: &UpstreamCredentials,
        head: &RequestHead,
        mut body: OutBody,
    ) -> Result<http::Response<Incoming>, GatewayError> {
        let idempotent = is_idempotent(&head.method);
        let mut retries_left = self.config.retries;
        let mut relogged = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if !self.breaker.allow() {
                return Err(GatewayError::new(ErrorKind::BadGateway, "The upstream is unavailable")
                    .with_detail("Circuit breaker open after repeated upstream failures")
                    .with_cause(format!("circuit open for {}", self.url.origin())));
            }
            let request = self.build_request(credentials, head, &mut body).await?;
            let replayable = matches!(body, OutBody::Replayable(_));
            match self.attempt(request).await {
                Ok(response) => {
                    let status = response.status();
                    if matches!(
                        status,
                        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
                    ) {
                        self.breaker.failure();
                    } else {
                        self.breaker.success();
                    }
                    if status == StatusCode::UNAUTHORIZED
                        && !relogged
                        && replayable
                        && self.translator.invalidate(credentials).await
                    {
                        relogged = true;
                        tracing::info!(upstream = %self.url.origin(), "upstream answered 401; logging in again");
                        continue;
                    }
                    return Ok(response);
                }
                Err(failure) => {
                    let may_retry = match failure.retry {
                        Retry::Always | Retry::ReusedConnection => true,
                        Retry::Idempotent => idempotent,
                        Retry::Never => false,
                    };
                    if may_retry && replayable && retries_left > 0 {
                        retries_left -= 1;
                        tracing::debug!(upstream = %self.url.origin(), attempt, error = %failure.error, "retrying");
                        tokio::time::sleep(Duration::from_millis(25 * u64::from(attempt))).await;
                        continue;
                    }
                    if self.breaker.failure() {
                        tracing::warn!(upstream = %self.url.origin(), "circuit breaker opened");
                    }
                    return Err(failure.error);
                }
            }
        }
    }

    async fn build_request(
        &self,
        credentials: &UpstreamCredentials,
        head: &RequestHead,
        body: &mut OutBody,
    ) -> Result<http::Request<RequestBody>, GatewayError> {
        let auth = self
            .translator
            .headers(credentials, &self.client, &self.url, self.config.read_timeout())
            .await?;
        let request_body = match body {
            OutBody::Replayable(bytes) => full(bytes.clone()),
            OutBody::Stream(stream) => stream
                .take()
                .ok_or_else(|| GatewayError::internal("a streamed request body cannot be sent twice"))?,
        };
        let mut request = http::Request::new(request_body);
        *request.method_mut() = head.method.clone();
        *request.uri_mut() = head.uri.clone();
        *request.headers_mut() = head.headers.clone();
        // Set here from a prepared value, so hyper's client does not format it for every request.
        request.headers_mut().insert(http::header::HOST, self.url.host().clone());
        for (name, value) in auth.iter() {
            request.headers_mut().insert(name, value.clone());
        }
        Ok(request)
    }

    async fn attempt(&self, request: http::Request<RequestBody>) -> Result<http::Response<Incoming>, Failure> {
        let started = Instant::now();
        let timeout = self.config.read_timeout();
        match tokio::time::timeout(timeout, self.client.request(request)).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(err)) => Err(classify(&err, started)),
            Err(_) => Err(Failure {
                error: GatewayError::new(ErrorKind::GatewayTimeout, "The upstream did not answer in time")
                    .with_cause(format!("no response head within {} ms", timeout.as_millis())),
                retry: Retry::Never,
            }),
        }
    }

    fn check_path(&self, path: &str) -> Result<(), GatewayError> {
        let denied = self.config.deny.iter().any(|prefix| path_has_prefix(path, prefix));
        let allowed = self.config.allow.is_empty() || self.config.allow.iter().any(|prefix| path_has_prefix(path, prefix));
        if denied || !allowed {
            return Err(GatewayError::forbidden("This path is not available through this mount"));
        }
        Ok(())
    }

    async fn record_translation(&self, ctx: &RequestContext, mount: &str, login: &str, credentials: &UpstreamCredentials) {
        let kind = self.product.as_str();
        self.counters.with(mount, self.product, |counters| counters.translations.increment(1));
        if !self.audit.should_record(mount, login) {
            return;
        }
        let detail = format!(
            "proxy mount {mount}: {login} forwarded to {kind} {} as upstream identity {}",
            self.url.origin(),
            credentials.identity()
        );
        let written = ctx
            .app
            .db
            .write(Actor::new(login, kind), |tx| {
                tx.audit("proxy_credential_translation", None, None, detail);
                Ok::<(), StoreError>(())
            })
            .await;
        if let Err(err) = written {
            tracing::warn!(error = %err, mount, "could not audit a credential translation");
        }
    }
}

/// The counters `forward` bumps, looked up once per mount rather than in the metrics registry on every
/// request.
#[derive(Default)]
pub(crate) struct MountCounters {
    by_mount: DashMap<String, Counters>,
}

struct Counters {
    translations: metrics::Counter,
    cache_hits: metrics::Counter,
}

impl std::fmt::Debug for MountCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MountCounters").field("mounts", &self.by_mount.len()).finish()
    }
}

impl MountCounters {
    /// Runs `bump` on the counters of `mount` (an upstream of `product`), registering them on first use.
    fn with(&self, mount: &str, product: Product, bump: impl FnOnce(&Counters)) {
        if let Some(counters) = self.by_mount.get(mount) {
            return bump(counters.value());
        }
        let labels = [("mount", mount.to_owned()), ("upstream_kind", product.as_str().to_owned())];
        let counters = Counters {
            translations: metrics::counter!("rosetta_proxy_credential_translations_total", &labels),
            cache_hits: metrics::counter!("rosetta_proxy_cache_hits_total", &labels[..1]),
        };
        bump(&counters);
        self.by_mount.insert(mount.to_owned(), counters);
    }
}

/// The path below the mount, always starting with `/`.
fn mount_relative_path(path: &str, mount_prefix: &str) -> String {
    let prefix = mount_prefix.trim_end_matches('/');
    let rest = match path.strip_prefix(prefix) {
        Some(rest) if !prefix.is_empty() && (rest.is_empty() || rest.starts_with('/')) => rest,
        _ => path,
    };
    if rest.starts_with('/') {
        rest.to_owned()
    } else {
        format!("/{rest}")
    }
}

/// True when `path` is `prefix` or lies below it (`/rest/config` covers `/rest/config/host`, not
/// `/rest/configx`); a prefix ending in `/` matches textually.
fn path_has_prefix(path: &str, prefix: &str) -> bool {
    match path.strip_prefix(prefix) {
        Some(rest) => prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'),
        None => false,
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_idempotent(method: &Method) -> bool {
    is_safe(method) || matches!(*method, Method::PUT | Method::DELETE | Method::TRACE)
}

/// Buffers small bodies (so the request can be repeated) and streams the rest.
async fn out_body(body: RequestBody, headers: &HeaderMap) -> Result<OutBody, GatewayError> {
    if body.is_end_stream() {
        return Ok(OutBody::Replayable(Bytes::new()));
    }
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .or(body.size_hint().exact());
    match declared {
        Some(len) if len <= REPLAY_LIMIT => Ok(OutBody::Replayable(read_body(body, REPLAY_LIMIT as usize).await?)),
        _ => Ok(OutBody::Stream(Some(body))),
    }
}

fn classify(err: &hyper_util::client::legacy::Error, started: Instant) -> Failure {
    let timed_out = source_chain(err).any(|source| {
        source.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
    });
    if err.is_connect() {
        let error = if timed_out {
            GatewayError::new(ErrorKind::GatewayTimeout, "The upstream did not accept a connection in time")
        } else {
            GatewayError::new(ErrorKind::BadGateway, "The upstream could not be reached")
        };
        let retry = if timed_out { Retry::Never } else { Retry::Always };
        return Failure { error: error.with_cause(describe(err)), retry };
    }
    let reused = err.connect_info().is_some_and(|connected| {
        let mut extensions = http::Extensions::new();
        connected.get_extras(&mut extensions);
        extensions.get::<ConnectionOpened>().is_some_and(|opened| opened.0 < started)
    });
    let retry = if reused { Retry::ReusedConnection } else { Retry::Idempotent };
    Failure {
        error: GatewayError::new(ErrorKind::BadGateway, "The upstream closed the connection or answered badly")
            .with_cause(describe(err)),
        retry,
    }
}

fn source_chain<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> + 'a {
    std::iter::successors(Some(err), |err| err.source())
}

/// An error and its causes on one line, for logs.
pub fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    source_chain(err).map(ToString::to_string).collect::<Vec<_>>().join(": ")
}

fn upstream_body_error(err: &(dyn std::error::Error + 'static)) -> GatewayError {
    let timed_out = source_chain(err).any(|source| source.to_string().contains("timed out"));
    let kind = if timed_out { ErrorKind::GatewayTimeout } else { ErrorKind::BadGateway };
    GatewayError::new(kind, "The upstream answer was cut off").with_cause(describe(err))
}

/// The upstream's response body with a limit on the pause between two frames.
///
/// The timer is armed only when a frame is not ready at once (a small answer usually is), so most
/// responses never touch the timer wheel.
struct IdleTimeoutBody {
    inner: Incoming,
    timeout: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    /// True while `sleep` counts the current pause; a frame ends the pause.
    armed: bool,
}

impl IdleTimeoutBody {
    fn new(inner: Incoming, timeout: Duration) -> IdleTimeoutBody {
        IdleTimeoutBody { inner, timeout, sleep: None, armed: false }
    }
}

impl Body for IdleTimeoutBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.armed = false;
                Poll::Ready(frame.map(|frame| frame.map_err(|err| Box::new(err) as BoxError)))
            }
            Poll::Pending => {
                let deadline = tokio::time::Instant::now() + this.timeout;
                let sleep = match &mut this.sleep {
                    Some(sleep) if this.armed => sleep,
                    Some(sleep) => {
                        sleep.as_mut().reset(deadline);
                        sleep
                    }
                    None => this.sleep.insert(Box::pin(tokio::time::sleep_until(deadline))),
                };
                this.armed = true;
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "upstream body read timed out",
                    ))))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_prefixes_are_removed_on_segment_boundaries() {
        assert_eq!(mount_relative_path("/site-b/rest/config", "/site-b"), "/rest/config");
        assert_eq!(mount_relative_path("/site-b", "/site-b/"), "/");
        assert_eq!(mount_relative_path("/site-bx/rest", "/site-b"), "/site-bx/rest");
        assert_eq!(mount_relative_path("/rest/config", ""), "/rest/config");
    }

    #[test]
    fn prefixes_match_whole_segments() {
        assert!(path_has_prefix("/rest/config/host", "/rest/config"));
        assert!(path_has_prefix("/rest/config", "/rest/config"));
        assert!(!path_has_prefix("/rest/configx", "/rest/config"));
        assert!(path_has_prefix("/rest/anything", "/rest/"));
    }
}
