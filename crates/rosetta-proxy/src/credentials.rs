//! Credential translation per product: Basic for OpenNMS, `X-OITC-API` for openITCOCKPIT, and for
//! Opsview a log-in (`POST /rest/login`) whose token is cached per upstream user, reused, and refreshed
//! when it ages out or the upstream answers 401.

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

/// The header fields that authenticate one upstream request.
pub type AuthHeaders = Vec<(HeaderName, HeaderValue)>;

#[derive(Debug, Clone)]
struct CachedToken {
    token: String,
    expires: Instant,
}

/// Turns upstream credentials into request headers, logging in to Opsview when needed.
#[derive(Debug)]
pub struct Translator {
    product: Product,
    token_ttl: Duration,
    tokens: DashMap<String, Arc<tokio::sync::Mutex<Option<CachedToken>>>>,
}

impl Translator {
    /// A translator for `product`.
    pub fn new(product: Product, token_ttl: Duration) -> Translator {
        Translator { product, token_ttl, tokens: DashMap::new() }
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
        match (self.product, credentials) {
            (Product::Opsview, UpstreamCredentials::Token { token, username }) => opsview_headers(username, token),
            (Product::Opsview, UpstreamCredentials::Password { username, password }) => {
                let slot = self.slot(username);
                let mut cached = slot.lock().await;
                if let Some(token) = cached.as_ref().filter(|token| token.expires > Instant::now()) {
                    return opsview_headers(username, &token.token);
                }
                let token = opsview_login(client, url, username, password, timeout).await?;
                metrics::counter!("rosetta_proxy_upstream_logins_total", "upstream_kind" => "opsview").increment(1);
                *cached = Some(CachedToken { token: token.clone(), expires: Instant::now() + self.token_ttl });
                opsview_headers(username, &token)
            }
            (Product::Opennms, UpstreamCredentials::Password { username, password }) => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
                Ok(vec![(http::header::AUTHORIZATION, header_value(&format!("Basic {encoded}"))?)])
            }
            (Product::Openitcockpit, UpstreamCredentials::ApiKey { apikey }) => {
                Ok(vec![(http::header::AUTHORIZATION, header_value(&format!("X-OITC-API {apikey}"))?)])
            }
            (product, credentials) => Err(GatewayError::internal(format!(
                "{credentials:?} credentials cannot authenticate to {}",
                product.as_str()
            ))),
        }
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
        // The guard is dropped before any `.await`: only the Arc leaves this function.
        Arc::clone(self.tokens.entry(username.to_owned()).or_default().value())
    }
}

fn opsview_headers(username: &str, token: &str) -> Result<AuthHeaders, GatewayError> {
    Ok(vec![
        (HeaderName::from_static("x-opsview-username"), header_value(username)?),
        (HeaderName::from_static("x-opsview-token"), header_value(token)?),
    ])
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
