//! [`Upstream`]: one upstream product with its pooled client, credential translator, breaker, cache and
//! limiters, plus its active health check.

use std::sync::{Arc, Weak};
use std::time::Duration;

use http::{Method, StatusCode};
use http_body_util::BodyExt;
use rosetta_core::{ErrorKind, GatewayError};
use rosetta_model::Product;

use crate::audit::AuditLimiter;
use crate::breaker::Breaker;
use crate::cache::ResponseCache;
use crate::client::{build_client, ClientError, UpstreamClient, UpstreamUrl};
use crate::credentials::Translator;
use crate::forward::{MountCounters, OutBody, RequestHead};
use crate::rate::RateLimiter;
use crate::{ProxyConfig, UpstreamAuth};

/// Why an [`Upstream`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// The configuration has problems (every one is listed).
    #[error("invalid proxy configuration: {}", .0.join("; "))]
    Config(Vec<String>),
    /// The TLS client could not be set up.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// One upstream product behind a proxy-mode mount.
#[derive(Debug)]
pub struct Upstream {
    pub(crate) product: Product,
    pub(crate) config: ProxyConfig,
    pub(crate) url: UpstreamUrl,
    pub(crate) client: UpstreamClient,
    pub(crate) translator: Translator,
    pub(crate) breaker: Breaker,
    pub(crate) cache: ResponseCache,
    pub(crate) rate: Option<RateLimiter>,
    pub(crate) audit: AuditLimiter,
    pub(crate) counters: MountCounters,
}

impl Upstream {
    /// Builds the upstream: validates the configuration for `product`, sets up TLS for an https URL
    /// and the connection pool. No connection is opened yet.
    pub fn new(product: Product, config: ProxyConfig) -> Result<Upstream, UpstreamError> {
        let problems = config.validate_for(product);
        if !problems.is_empty() {
            return Err(UpstreamError::Config(problems));
        }
        let url = UpstreamUrl::parse(&config.upstream).map_err(|problem| UpstreamError::Config(vec![problem]))?;
        let client = build_client(&config, url.is_https())?;
        Ok(Upstream {
            product,
            translator: Translator::new(product, Duration::from_millis(config.token_ttl_ms)),
            breaker: Breaker::new(&config.breaker),
            cache: ResponseCache::new(),
            rate: config.rate_per_principal.map(RateLimiter::new),
            audit: AuditLimiter::new(Duration::from_secs(60)),
            counters: MountCounters::default(),
            url,
            client,
            config,
        })
    }

    /// The upstream product.
    pub fn product(&self) -> Product {
        self.product
    }

    /// The configuration.
    pub fn config(&self) -> &ProxyConfig {
        &self.config
    }

    /// True while the circuit breaker refuses requests.
    pub fn is_circuit_open(&self) -> bool {
        self.breaker.is_open()
    }

    /// Starts the active health check (every `health_check_interval_ms`, none when 0). The task ends
    /// when the last `Arc` of the upstream is dropped. Needs a tokio runtime.
    pub fn spawn_health_checks(self: &Arc<Self>) {
        if self.config.health_check_interval_ms == 0 {
            return;
        }
        let weak: Weak<Upstream> = Arc::downgrade(self);
        let interval = Duration::from_millis(self.config.health_check_interval_ms);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let Some(upstream) = weak.upgrade() else { return };
                upstream.check_health().await;
            }
        });
    }

    /// Probes the upstream once: healthy when the health-check path answers below 500 in time. A healthy
    /// probe closes an open breaker; an unhealthy one counts as a failure. Returns the verdict.
    pub async fn check_health(&self) -> bool {
        let path = self.config.health_check_path.clone().unwrap_or_else(|| default_health_path(self.product).to_owned());
        let healthy = match self.url.uri(&path) {
            Ok(uri) => {
                let request = http::Request::builder()
                    .method(Method::GET)
                    .uri(uri)
                    .header(http::header::ACCEPT, "application/json")
                    .body(rosetta_core::request::empty());
                match request {
                    Ok(request) => {
                        let probe = async {
                            let response = self.client.request(request).await.ok()?;
                            let status = response.status();
                            // Drain the body so the connection returns to the pool.
                            response.into_body().collect().await.ok()?;
                            Some(status)
                        };
                        matches!(
                            tokio::time::timeout(self.config.read_timeout(), probe).await,
                            Ok(Some(status)) if status < StatusCode::INTERNAL_SERVER_ERROR
                        )
                    }
                    Err(_) => false,
                }
            }
            Err(_) => false,
        };
        if healthy {
            self.breaker.success();
        } else {
            self.breaker.failure();
        }
        let labels = [("upstream", self.url.origin()), ("upstream_kind", self.product.as_str().to_owned())];
        metrics::gauge!("rosetta_proxy_upstream_healthy", &labels).set(if healthy { 1.0 } else { 0.0 });
        metrics::gauge!("rosetta_proxy_upstream_circuit_open", &labels)
            .set(if self.breaker.is_open() { 1.0 } else { 0.0 });
        healthy
    }

    /// GETs `path_and_query` with the service account (the importers use this) and parses the JSON
    /// answer. Non-200 answers are errors.
    pub async fn get_json(&self, path_and_query: &str) -> Result<serde_json::Value, GatewayError> {
        let UpstreamAuth::ServiceAccount(credentials) = &self.config.auth else {
            return Err(GatewayError::internal("get_json needs a service account"));
        };
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::ACCEPT, http::HeaderValue::from_static("application/json"));
        let uri = self.url.uri(path_and_query)?;
        let head = RequestHead { method: Method::GET, path_and_query: path_and_query.to_owned(), uri, headers };
        let response = self.exchange(credentials, &head, OutBody::Replayable(bytes::Bytes::new())).await?;
        let status = response.status();
        let body = tokio::time::timeout(self.config.read_timeout(), response.into_body().collect())
            .await
            .map_err(|_| GatewayError::new(ErrorKind::GatewayTimeout, "The upstream did not answer in time"))?
            .map_err(|err| GatewayError::new(ErrorKind::BadGateway, "The upstream answer was cut off").with_cause(err.to_string()))?
            .to_bytes();
        if status != StatusCode::OK {
            return Err(GatewayError::new(ErrorKind::BadGateway, format!("The upstream answered {status}"))
                .with_cause(format!("GET {path_and_query}: {status}: {}", String::from_utf8_lossy(&body))));
        }
        serde_json::from_slice(&body).map_err(|err| {
            GatewayError::new(ErrorKind::BadGateway, "The upstream answer is not JSON")
                .with_cause(format!("GET {path_and_query}: {err}"))
        })
    }
}

/// The unauthenticated path each product answers cheaply.
fn default_health_path(product: Product) -> &'static str {
    match product {
        Product::Opsview => "/rest",
        Product::Opennms => "/opennms/rest/info",
        Product::Openitcockpit => "/users/login.json",
        Product::Native => "/healthz",
    }
}
