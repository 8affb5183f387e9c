//! Configuration of one proxy-mode mount: the upstream, how Rosetta authenticates to it, and the mount's
//! options (read-only, caching, allow/deny lists, rate limit, timeouts, circuit breaker).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use rosetta_model::Product;
use serde::Deserialize;

/// One proxy-mode mount.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxyConfig {
    /// Base URL of the upstream product (`https://opsview.example.com`); a path is prepended to every
    /// forwarded path.
    pub upstream: String,
    /// PEM file of the CA certificates trusted for an https upstream; the system bundle
    /// (`/etc/ssl/certs/ca-certificates.crt`) when absent.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Time allowed to open a connection (TCP and TLS), in milliseconds.
    #[serde(default = "defaults::connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Time allowed for the response head, and between two body chunks, in milliseconds.
    #[serde(default = "defaults::read_timeout_ms")]
    pub read_timeout_ms: u64,
    /// How Rosetta authenticates to the upstream.
    pub auth: UpstreamAuth,
    /// Reject every method but GET, HEAD and OPTIONS with 403.
    #[serde(default)]
    pub read_only: bool,
    /// Cache successful GET answers this long (milliseconds, 0 = no cache); `Cache-Control` may shorten it.
    #[serde(default)]
    pub cache_ttl_ms: u64,
    /// Largest cached answer, in bytes.
    #[serde(default = "defaults::cache_max_body_bytes")]
    pub cache_max_body_bytes: usize,
    /// Path prefixes (relative to the mount) that may be forwarded; empty allows every path.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Path prefixes (relative to the mount) that are refused with 403; deny wins over allow.
    #[serde(default)]
    pub deny: Vec<String>,
    /// Requests per second allowed per principal (bursts up to one second's worth); absent = unlimited.
    #[serde(default)]
    pub rate_per_principal: Option<f64>,
    /// Retries of a failed idempotent request (and of a request that failed on a reused connection).
    #[serde(default = "defaults::retries")]
    pub retries: u32,
    /// Circuit breaker settings.
    #[serde(default)]
    pub breaker: BreakerConfig,
    /// Path probed by the active health check; the product's unauthenticated root when absent.
    #[serde(default)]
    pub health_check_path: Option<String>,
    /// Milliseconds between two health checks (0 = no active health check).
    #[serde(default = "defaults::health_check_interval_ms")]
    pub health_check_interval_ms: u64,
    /// How long a pooled connection may stay idle, in milliseconds.
    #[serde(default = "defaults::pool_idle_timeout_ms")]
    pub pool_idle_timeout_ms: u64,
    /// Most idle pooled connections kept to the upstream.
    #[serde(default = "defaults::pool_max_idle")]
    pub pool_max_idle: usize,
    /// How long an upstream Opsview token is reused before Rosetta logs in again, in milliseconds
    /// (Opsview's own expiry is one hour, sliding).
    #[serde(default = "defaults::token_ttl_ms")]
    pub token_ttl_ms: u64,
}

/// How Rosetta authenticates to the upstream.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum UpstreamAuth {
    /// One upstream account for every caller.
    ServiceAccount(UpstreamCredentials),
    /// Each Rosetta login maps to its own upstream account.
    PerUser {
        /// Rosetta login → upstream credentials.
        users: BTreeMap<String, UpstreamCredentials>,
        /// Credentials for logins not in `users`; without it those callers get 403.
        #[serde(default)]
        fallback: Option<UpstreamCredentials>,
    },
}

/// Credentials in the upstream product's own kind.
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(untagged)]
pub enum UpstreamCredentials {
    /// A pre-issued Opsview session token and the user it belongs to.
    Token {
        /// The token.
        token: String,
        /// The Opsview user.
        username: String,
    },
    /// A login name and password (Opsview log-in, OpenNMS Basic).
    Password {
        /// The login name.
        username: String,
        /// The password.
        password: String,
    },
    /// An openITCOCKPIT API key.
    ApiKey {
        /// The key.
        apikey: String,
    },
}

/// When the circuit breaker opens and for how long.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerConfig {
    /// Consecutive upstream failures that open the circuit (0 = never open).
    #[serde(default = "defaults::failure_threshold")]
    pub failure_threshold: u32,
    /// How long the circuit stays open before one trial request is let through, in milliseconds.
    #[serde(default = "defaults::cooldown_ms")]
    pub cooldown_ms: u64,
}

mod defaults {
    pub fn connect_timeout_ms() -> u64 {
        5_000
    }
    pub fn read_timeout_ms() -> u64 {
        30_000
    }
    pub fn cache_max_body_bytes() -> usize {
        1024 * 1024
    }
    pub fn retries() -> u32 {
        1
    }
    pub fn health_check_interval_ms() -> u64 {
        10_000
    }
    pub fn pool_idle_timeout_ms() -> u64 {
        60_000
    }
    pub fn pool_max_idle() -> usize {
        32
    }
    pub fn token_ttl_ms() -> u64 {
        50 * 60 * 1000
    }
    pub fn failure_threshold() -> u32 {
        5
    }
    pub fn cooldown_ms() -> u64 {
        10_000
    }
}

impl Default for BreakerConfig {
    fn default() -> BreakerConfig {
        BreakerConfig { failure_threshold: defaults::failure_threshold(), cooldown_ms: defaults::cooldown_ms() }
    }
}

impl ProxyConfig {
    /// A configuration with every option at its default.
    pub fn new(upstream: impl Into<String>, auth: UpstreamAuth) -> ProxyConfig {
        ProxyConfig {
            upstream: upstream.into(),
            ca_file: None,
            connect_timeout_ms: defaults::connect_timeout_ms(),
            read_timeout_ms: defaults::read_timeout_ms(),
            auth,
            read_only: false,
            cache_ttl_ms: 0,
            cache_max_body_bytes: defaults::cache_max_body_bytes(),
            allow: Vec::new(),
            deny: Vec::new(),
            rate_per_principal: None,
            retries: defaults::retries(),
            breaker: BreakerConfig::default(),
            health_check_path: None,
            health_check_interval_ms: defaults::health_check_interval_ms(),
            pool_idle_timeout_ms: defaults::pool_idle_timeout_ms(),
            pool_max_idle: defaults::pool_max_idle(),
            token_ttl_ms: defaults::token_ttl_ms(),
        }
    }

    /// Every problem with this configuration (empty when it is usable). Checks that do not depend on
    /// the product; [`ProxyConfig::validate_for`] adds the credential kinds the product accepts.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        match self.upstream.parse::<http::Uri>() {
            Ok(uri) => {
                if !matches!(uri.scheme_str(), Some("http") | Some("https")) {
                    problems.push(format!("upstream `{}`: the scheme must be http or https", self.upstream));
                }
                if uri.host().is_none_or(str::is_empty) {
                    problems.push(format!("upstream `{}`: no host", self.upstream));
                }
                if uri.query().is_some() {
                    problems.push(format!("upstream `{}`: must not have a query string", self.upstream));
                }
            }
            Err(err) => problems.push(format!("upstream `{}` is not a URL: {err}", self.upstream)),
        }
        if let Some(ca_file) = &self.ca_file {
            if !ca_file.is_file() {
                problems.push(format!("ca_file `{}` does not exist", ca_file.display()));
            }
        }
        if self.connect_timeout_ms == 0 {
            problems.push("connect_timeout_ms must be above 0".to_owned());
        }
        if self.read_timeout_ms == 0 {
            problems.push("read_timeout_ms must be above 0".to_owned());
        }
        if self.token_ttl_ms == 0 {
            problems.push("token_ttl_ms must be above 0".to_owned());
        }
        if let Some(rate) = self.rate_per_principal {
            if !rate.is_finite() || rate <= 0.0 {
                problems.push(format!("rate_per_principal must be a positive number, not {rate}"));
            }
        }
        for (name, prefixes) in [("allow", &self.allow), ("deny", &self.deny)] {
            for prefix in prefixes.iter().filter(|prefix| !prefix.starts_with('/')) {
                problems.push(format!("{name} entry `{prefix}` must start with `/`"));
            }
        }
        if let Some(path) = &self.health_check_path {
            if !path.starts_with('/') {
                problems.push(format!("health_check_path `{path}` must start with `/`"));
            }
        }
        if let UpstreamAuth::PerUser { users, fallback } = &self.auth {
            if users.is_empty() && fallback.is_none() {
                problems.push("auth.per_user maps no user and has no fallback".to_owned());
            }
        }
        problems
    }

    /// [`ProxyConfig::validate`] plus the checks that depend on the upstream product: Opsview takes a
    /// password or a token, OpenNMS a password, openITCOCKPIT an API key.
    pub fn validate_for(&self, product: Product) -> Vec<String> {
        let mut problems = self.validate();
        if product == Product::Native {
            problems.push("the native API cannot be proxied".to_owned());
        }
        for (who, credentials) in self.auth.all_credentials() {
            if !credentials.fits(product) {
                problems.push(format!(
                    "auth {who}: {} credentials do not work with {} (use {})",
                    credentials.kind_name(),
                    product.as_str(),
                    expected_kind(product)
                ));
            }
        }
        problems
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> Duration {
        Duration::from_millis(self.read_timeout_ms)
    }
}

impl UpstreamAuth {
    /// Every configured credential with a label saying whose it is.
    pub fn all_credentials(&self) -> Vec<(String, &UpstreamCredentials)> {
        match self {
            UpstreamAuth::ServiceAccount(credentials) => vec![("service_account".to_owned(), credentials)],
            UpstreamAuth::PerUser { users, fallback } => users
                .iter()
                .map(|(login, credentials)| (format!("per_user.users.{login}"), credentials))
                .chain(fallback.iter().map(|credentials| ("per_user.fallback".to_owned(), credentials)))
                .collect(),
        }
    }

    /// The upstream credentials for a Rosetta login, if any.
    pub fn for_login(&self, login: &str) -> Option<&UpstreamCredentials> {
        match self {
            UpstreamAuth::ServiceAccount(credentials) => Some(credentials),
            UpstreamAuth::PerUser { users, fallback } => users.get(login).or(fallback.as_ref()),
        }
    }
}

impl UpstreamCredentials {
    /// The upstream identity (user name, or a key fingerprint), safe for logs and the audit log.
    pub fn identity(&self) -> String {
        match self {
            UpstreamCredentials::Token { username, .. } | UpstreamCredentials::Password { username, .. } => {
                username.clone()
            }
            UpstreamCredentials::ApiKey { apikey } => {
                let tail: String = apikey.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
                format!("apikey …{tail}")
            }
        }
    }

    /// A key that tells credentials apart (for the response cache); holds the secret, so it is never
    /// logged or shown.
    pub(crate) fn cache_identity(&self) -> String {
        match self {
            UpstreamCredentials::Token { token, username } => format!("token\n{username}\n{token}"),
            UpstreamCredentials::Password { username, password } => format!("password\n{username}\n{password}"),
            UpstreamCredentials::ApiKey { apikey } => format!("apikey\n{apikey}"),
        }
    }

    /// True when the product accepts this kind of credential.
    pub fn fits(&self, product: Product) -> bool {
        matches!(
            (product, self),
            (Product::Opsview, UpstreamCredentials::Password { .. } | UpstreamCredentials::Token { .. })
                | (Product::Opennms, UpstreamCredentials::Password { .. })
                | (Product::Openitcockpit, UpstreamCredentials::ApiKey { .. })
        )
    }

    fn kind_name(&self) -> &'static str {
        match self {
            UpstreamCredentials::Token { .. } => "token",
            UpstreamCredentials::Password { .. } => "username/password",
            UpstreamCredentials::ApiKey { .. } => "apikey",
        }
    }
}

fn expected_kind(product: Product) -> &'static str {
    match product {
        Product::Opsview => "username/password or token/username",
        Product::Opennms => "username/password",
        Product::Openitcockpit => "apikey",
        Product::Native => "nothing",
    }
}

/// Never prints secrets.
impl std::fmt::Debug for UpstreamCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpstreamCredentials::Token { username, .. } => write!(f, "Token({username}, <redacted>)"),
            UpstreamCredentials::Password { username, .. } => write!(f, "Password({username}, <redacted>)"),
            UpstreamCredentials::ApiKey { .. } => write!(f, "ApiKey(<redacted>)"),
        }
    }
}
