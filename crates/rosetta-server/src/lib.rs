//! The Rosetta gateway: configuration, listeners, TLS, the request pipeline, the native API, background
//! work and the CLI.
//!
//! - [`config`]: `gateway.toml` and environment overrides.
//! - [`app`]: building the store, auth service, seed data and dialect registry from a configuration.
//! - [`pipeline`]: the per-request stages (request id, span, limits, dispatch, auth, timeout, panics).
//! - [`proxy_mount`]: a dialect mount that forwards to a real upstream product.
//! - [`listener`]: sockets, TLS, HTTP/1.1 and HTTP/2, graceful shutdown.
//! - [`ratelimit`]: token buckets per client address and per principal.
//! - [`reload`]: configuration reload without dropping requests.
//! - [`native`]: `/healthz`, `/readyz` and `/api/v1/*`.
//! - [`background`]: downtime transitions, external store changes, asynchronous reloads.
//! - [`metrics`]: Prometheus metrics of the gateway and of the monitoring estate.
//! - [`service`]: the pipeline as a `tower::Service`, for in-process tests.
//! - [`cli`]: the `rosetta` command line.
//! - [`telemetry`]: logging and secret redaction.
//! - [`ui`]: the status page at `/ui/`.

pub mod app;
pub mod background;
pub mod cli;
pub mod config;
pub mod listener;
pub mod metrics;
pub mod native;
pub mod pipeline;
pub mod proxy_mount;
pub mod ratelimit;
pub mod reload;
pub mod service;
pub mod telemetry;
pub mod ui;

pub use app::{build, build_with_db, Built};
pub use config::Config;
pub use pipeline::Gateway;
pub use service::GatewayService;
