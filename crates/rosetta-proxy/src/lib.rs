//! Proxy-mode mounts and importers.
//!
//! A mount in proxy mode forwards each request to a real upstream product (Opsview, OpenNMS or
//! openITCOCKPIT). The caller authenticates to Rosetta with any credential kind; Rosetta calls the
//! upstream with the upstream's own kind (an Opsview log-in token, Basic, `X-OITC-API`) and never passes
//! the caller's credentials on. The importers pull an upstream's configuration into the shared store
//! through the same client.
//!
//! Layout:
//! - [`config`]: [`ProxyConfig`] and its validation.
//! - [`client`]: the pooled hyper client and the rustls connector.
//! - [`credentials`]: per-product credential translation and the Opsview token cache.
//! - [`forward`]: [`Upstream::forward`], retries, timeouts, streaming.
//! - [`upstream`]: [`Upstream`] itself and its active health check.
//! - [`breaker`], [`cache`], [`headers`], [`rate`], [`audit`]: the pieces `forward` uses.
//! - [`import`]: `rosetta import`.

pub mod audit;
pub mod breaker;
pub mod cache;
pub mod client;
pub mod config;
pub mod credentials;
pub mod forward;
pub mod headers;
pub mod import;
pub mod rate;
pub mod upstream;

pub use config::{BreakerConfig, ProxyConfig, UpstreamAuth, UpstreamCredentials};
pub use upstream::{Upstream, UpstreamError};

#[cfg(test)]
mod tests;
