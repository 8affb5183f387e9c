//! Credential translation per product: Basic for OpenNMS, `X-OITC-API` for openITCOCKPIT, and for
//! Opsview a log-in (`POST /rest/login`) whose token is cached per upstream user, reused, and refreshed
//! when it ages out or the upstream answers 401.
//!
//! The header fields are built once per credential set (and per Opsview token) and shared, so a request
//! pays a map lookup and a reference count, not an encoding.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use dashmap::DashMap;
use http::header::{HeaderName, HeaderValue};
use http::{Method, StatusCode};
use http_body_util::BodyExt;
use rosetta_core::{ErrorKind, GatewayError};
use rosetta_model::Product;

use crate::client::{UpstreamClient, UpstreamUrl};
use crate::UpstreamCredentials;

/// The header fields that authenticate one upstream request, shared between the requests that use them.
pub type AuthHeaders = Arc<[(HeaderName, HeaderValue)]>;

/// A logged-in Opsview session: the header fields carrying its token.
#[derive(Debug, Clone)]
struct CachedToken {
    headers: AuthHeaders,
    expires: Instant,
}

/// Turns upstream credentials into request headers, logging in to Opsview when needed.
#[derive(Debug)]
pub struct Translator {
    product: Product,
    token_ttl: Duration,
    tokens: DashMap<String, Arc<tokio::sync::Mutex<Option<CachedToken>>>>,
    /// The header fields of credentials that need no log-in (Basic, `X-OITC-API`, a pre-issued Opsview
    /// token), keyed by the credentials themselves: other credentials, other fields.
    fixed: DashMap<UpstreamCredentials, AuthHeaders>,
}

impl Translator {
    /// A translator for `product`.
    pub fn new(product: Product, token_ttl: Duration) -> Translator {
        Translator { product, token_ttl, tokens: DashMap::new(), fixed: DashMap::new() }
    }

    /// The headers for one request made with `credentials`. For an Opsview password this reuses the
    /// cached token or logs in.
    pub async fn headers(
        &self,
        credentials: &UpstreamCredentials,
        client: &UpstreamClient,
        url: &UpstreamUrl,
        timeout: Duration,
    ) -> Result<AuthHeaders, GatewayError> {
        if let (Product::Opsview, UpstreamCredentials::Password { username, password }) = (self.product, credentials) {
            let slot = self.slot(username);
            let mut cached = slot.lock().await;
            if let Some(token) = cached.as_ref().filter(|token| token.expires > Instant::now()) {
                return Ok(Arc::clone(&token.headers));
            }
            let token = opsview_login(client, url, username, password, timeout).await?;
            metrics::counter!("rosetta_proxy_upstream_logins_total", "upstream_kind" => "opsview").increment(1);
            let headers = opsview_headers(username, &token)?;
            *cached = Some(CachedToken { headers: Arc::clone(&headers), expires: Instant::now() + self.token_ttl });
            return Ok(headers);
        }
        if let Some(headers) = self.fixed.get(credentials) {
            return Ok(Arc::clone(headers.value()));
        }
        let headers = match (self.product, credentials) {
            (Product::Opsview, UpstreamCredentials::Token { token, username }) => opsview_headers(username, token)?,
            (Product::Opennms, UpstreamCredentials::Password { username, password }) => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
                Arc::new([(http::header::AUTHORIZATION, header_value(&format!("Basic {encoded}"))?)])
            }
            (Product::Openitcockpit, UpstreamCredentials::ApiKey { apikey }) => {
                Arc::new([(http::header::AUTHORIZATION, header_value(&format!("X-OITC-API {apikey}"))?)])
            }
            (product, credentials) => {
                return Err(GatewayError::internal(format!(
                    "{credentials:?} credentials cannot authenticate to {}",
                    product.as_str()
                )))
            }
        };
        self.fixed.insert(credentials.clone(), Arc::clone(&headers));
        Ok(headers)
    }

    /// Forgets the cached Opsview token of `credentials` (after the upstream answered 401); returns
    /// true when a fresh log-in can help (password credentials).
    pub async fn invalidate(&self, credentials: &UpstreamCredentials) -> bool {
        match (self.product, credentials) {
            (Product::Opsview, UpstreamCredentials::Password { username, .. }) => {
                let slot = self.slot(username);
                *slot.lock().await = None;
                true
            }
            _ => false,
        }
    }

    fn slot(&self, username: &str) -> Arc<tokio::sync::Mutex<Option<CachedToken>>> {
        // The guards are dropped before any `.await`: only the Arc leaves this function.
        if let Some(slot) = self.tokens.get(username) {
            return Arc::clone(slot.value());
        }
        Arc::clone(self.tokens.entry(username.to_owned()).or_default().value())
    }
}

fn opsview_headers(username: &str, token: &str) -> Result<AuthHeaders, GatewayError> {
    Ok(Arc::new([
        (HeaderName::from_static("x-opsview-username"), header_value(username)?),
        (HeaderName::from_static("x-opsview-token"), header_value(token)?),
    ]))
}

fn header_value(value: &str) -> Result<HeaderValue, GatewayError> {
    HeaderValue::from_str(value).map_err(|_| GatewayError::internal("upstream credentials are not a valid header value"))
}

/// Logs in to an upstream Opsview and returns the session token.
pub async fn opsview_login(
    client: &UpstreamClient,
    url: &UpstreamUrl,
    username: &str,
    password: &str,
    timeout: Duration,
) -> Result<String, GatewayError> {
    let body = serde_json::json!({ "username": username, "password": password }).to_string();
    let request = http::Request::builder()
        .method(Method::POST)
        .uri(url.uri("/rest/login")?)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ACCEPT, "application/json")
        .body(rosetta_core::request::full(Bytes::from(body)))
        .map_err(|err| GatewayError::internal(err.to_string()))?;
    let exchange = async {
        let response = client.request(request).await.map_err(|err| {
            GatewayError::new(ErrorKind::BadGateway, "The upstream Opsview could not be reached for log-in")
                .with_cause(crate::forward::describe(&err))
        })?;
        let status = response.status();
        let body = response.into_body().collect().await.map_err(|err| {
            GatewayError::new(ErrorKind::BadGateway, "The upstream Opsview log-in answer was cut off").with_cause(err.to_string())
        })?;
        Ok::<_, GatewayError>((status, body.to_bytes()))
    };
    let (status, body) = tokio::time::timeout(timeout, exchange).await.map_err(|_| {
        GatewayError::new(ErrorKind::GatewayTimeout, "The upstream Opsview did not answer the log-in in time")
    })??;
    if status != StatusCode::OK {
        return Err(GatewayError::new(ErrorKind::BadGateway, "The upstream Opsview refused Rosetta's log-in")
            .with_cause(format!("POST /rest/login as {username}: status {status}")));
    }
    let token = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|value| value.get("token").and_then(|token| token.as_str()).map(str::to_owned))
        .filter(|token| !token.is_empty());
    token.ok_or_else(|| {
        GatewayError::new(ErrorKind::BadGateway, "The upstream Opsview log-in answer has no token")
            .with_cause(format!("POST /rest/login as {username}: no token in the body"))
    })
}
