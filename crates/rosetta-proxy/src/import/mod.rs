//! `rosetta import`: pulls an upstream product's host groups, templates, hosts, services, contacts and
//! current states into the shared store through the product's REST API (the same client as proxy mode).
//!
//! Every imported object remembers its upstream id in `native` under `import.<product>.id`, so a second
//! run updates instead of duplicating; objects that already exist under the same unique name are adopted.
//! Writes go through [`Db::write`], one transaction per kind and batch. `--dry-run` stages the same
//! changes in one transaction and rolls it back, reporting what would change.
//!
//! Layout: [`snapshot`] (the product-neutral picture of an upstream), [`apply`] (reconciling it with the
//! store, current states included), [`summary`] (counts and the final table), one fetcher per product ([`opsview`], [`opennms`],
//! [`openitcockpit`]) and [`json`] (lenient JSON access).

pub mod apply;
pub mod json;
pub mod openitcockpit;
pub mod opennms;
pub mod opsview;
pub mod snapshot;
pub mod summary;

use std::path::PathBuf;
use std::time::Duration;

use rosetta_core::GatewayError;
use rosetta_model::Product;
use rosetta_store::{Db, StoreError};

pub use snapshot::Snapshot;
pub use summary::{ImportSummary, KindCounts};

use crate::{ProxyConfig, Upstream, UpstreamAuth, UpstreamCredentials, UpstreamError};

/// What an import reports while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// A step or remark ("fetching hosts").
    Note(&'a str),
    /// Writing one kind begins, `total` objects.
    Started {
        /// The kind (`hosts`).
        kind: &'static str,
        /// Objects to reconcile.
        total: usize,
    },
    /// `done` objects of the kind are reconciled.
    Advanced {
        /// The kind.
        kind: &'static str,
        /// Objects reconciled so far.
        done: usize,
    },
    /// The kind is written.
    Finished {
        /// The kind.
        kind: &'static str,
        /// What changed.
        counts: KindCounts,
    },
}

impl std::fmt::Display for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Progress::Note(text) => f.write_str(text),
            Progress::Started { kind, total } => write!(f, "{kind}: {total} to reconcile"),
            Progress::Advanced { kind, done } => write!(f, "{kind}: {done} reconciled"),
            Progress::Finished { kind, counts } => {
                write!(f, "{kind}: {} created, {} updated, {} unchanged", counts.created, counts.updated, counts.unchanged)
            }
        }
    }
}

/// What `rosetta import` was asked to do.
#[derive(Clone, PartialEq)]
pub struct ImportOptions {
    /// The upstream product.
    pub from: Product,
    /// The upstream's base URL.
    pub url: String,
    /// Login name (Opsview, OpenNMS; with `token` for a pre-issued Opsview token).
    pub username: Option<String>,
    /// Password (Opsview, OpenNMS).
    pub password: Option<String>,
    /// A pre-issued Opsview session token.
    pub token: Option<String>,
    /// An openITCOCKPIT API key.
    pub apikey: Option<String>,
    /// Show what would change without writing.
    pub dry_run: bool,
    /// Keep syncing at this interval.
    pub watch: Option<Duration>,
    /// PEM file of CA certificates for an https upstream.
    pub ca_file: Option<PathBuf>,
}

/// Never prints secrets.
impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("from", &self.from)
            .field("url", &self.url)
            .field("username", &self.username)
            .field("dry_run", &self.dry_run)
            .field("watch", &self.watch)
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The options do not fit the product.
    #[error("{0}")]
    Options(String),
    /// The upstream client could not be set up.
    #[error(transparent)]
    Setup(#[from] UpstreamError),
    /// The upstream failed or answered something unusable.
    #[error("upstream: {0}")]
    Upstream(Box<GatewayError>),
    /// The store refused the writes.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<GatewayError> for ImportError {
    fn from(err: GatewayError) -> ImportError {
        ImportError::Upstream(Box::new(err))
    }
}

impl ImportOptions {
    /// The upstream credentials these options give for their product.
    pub fn credentials(&self) -> Result<UpstreamCredentials, ImportError> {
        let missing = |what: &str| ImportError::Options(format!("--from {} needs {what}", self.from.as_str()));
        match self.from {
            Product::Opsview => match (&self.username, &self.password, &self.token) {
                (Some(username), _, Some(token)) => {
                    Ok(UpstreamCredentials::Token { token: token.clone(), username: username.clone() })
                }
                (Some(username), Some(password), None) => {
                    Ok(UpstreamCredentials::Password { username: username.clone(), password: password.clone() })
                }
                _ => Err(missing("--username with --password or --token")),
            },
            Product::Opennms => match (&self.username, &self.password) {
                (Some(username), Some(password)) => {
                    Ok(UpstreamCredentials::Password { username: username.clone(), password: password.clone() })
                }
                _ => Err(missing("--username and --password")),
            },
            Product::Openitcockpit => match &self.apikey {
                Some(apikey) => Ok(UpstreamCredentials::ApiKey { apikey: apikey.clone() }),
                None => Err(missing("--apikey")),
            },
            Product::Native => Err(ImportError::Options("cannot import from Rosetta's native API".to_owned())),
        }
    }

    /// The client configuration for these options (no health checks, generous timeouts).
    pub fn proxy_config(&self) -> Result<ProxyConfig, ImportError> {
        let mut config = ProxyConfig::new(self.url.clone(), UpstreamAuth::ServiceAccount(self.credentials()?));
        config.ca_file = self.ca_file.clone();
        config.health_check_interval_ms = 0;
        config.retries = 2;
        config.breaker.failure_threshold = 0;
        Ok(config)
    }
}

/// Runs the import: one pass, or with `watch` a pass every interval until an error in the first pass
/// (later failures are reported through `progress` and the next pass tries again). Returns the summary
/// of the last pass.
pub async fn run(db: &Db, options: &ImportOptions, progress: &mut dyn FnMut(Progress<'_>)) -> Result<ImportSummary, ImportError> {
    let upstream = Upstream::new(options.from, options.proxy_config()?)?;
    let mut summary = run_once(db, &upstream, options, progress).await?;
    let Some(interval) = options.watch else {
        return Ok(summary);
    };
    loop {
        progress(Progress::Note(&summary.table()));
        progress(Progress::Note(&format!("next sync in {} s", interval.as_secs_f64())));
        tokio::time::sleep(interval).await;
        match run_once(db, &upstream, options, progress).await {
            Ok(next) => summary = next,
            Err(err) => progress(Progress::Note(&format!("sync failed, retrying at the next interval: {err}"))),
        }
    }
}

async fn run_once(
    db: &Db,
    upstream: &Upstream,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<ImportSummary, ImportError> {
    progress(Progress::Note(&format!("fetching from {} at {}", options.from.as_str(), options.url)));
    let snapshot = match options.from {
        Product::Opsview => opsview::fetch(upstream, progress).await?,
        Product::Opennms => opennms::fetch(upstream, progress).await?,
        Product::Openitcockpit => openitcockpit::fetch(upstream, progress).await?,
        Product::Native => return Err(ImportError::Options("cannot import from Rosetta's native API".to_owned())),
    };
    progress(Progress::Note(&format!("fetched {}", snapshot.describe())));
    let summary = apply::apply(db, options.from, &snapshot, options.dry_run, progress).await?;
    Ok(summary)
}
