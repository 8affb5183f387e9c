//! `gateway.toml` and its environment overrides, parsed by a pure function that reports every problem.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Listeners, TLS and limits.
    pub server: ServerConfig,
    /// Where data lives.
    pub store: StoreConfig,
    /// Authentication policy.
    pub auth: AuthSection,
    /// Logging.
    pub log: LogConfig,
    /// Dialect mounts; empty means every built-in dialect in native mode.
    pub mounts: Vec<MountConfig>,
    /// Per-dialect choices where the products' behaviour is unknown or site-specific.
    pub dialects: DialectsConfig,
}

/// Per-dialect settings (`[dialects.<name>]`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DialectsConfig {
    /// Opsview.
    pub opsview: OpsviewSettings,
}

/// Opsview dialect settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpsviewSettings {
    /// The reply format when a request negotiates none: `json` (what clients need) or `perl` (what the
    /// Opsview documentation names).
    pub default_format: String,
    /// Whether error bodies carry `detail` (Opsview's `include_error_detail`).
    pub include_error_detail: bool,
    /// The version `/rest/info` reports (pyopsview chooses its schemas by it).
    pub version: String,
    /// The build `/rest/info` reports.
    pub build: String,
    /// The edition `/rest/info` reports.
    pub edition: String,
}

impl Default for OpsviewSettings {
    fn default() -> OpsviewSettings {
        OpsviewSettings {
            default_format: "json".to_owned(),
            include_error_detail: true,
            version: "6.8.0".to_owned(),
            build: "6.8.0.202307121230".to_owned(),
            edition: "commercial".to_owned(),
        }
    }
}

/// Listeners, TLS and limits.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Addresses to listen on.
    pub listen: Vec<String>,
    /// TLS; plain HTTP when absent.
    pub tls: Option<TlsConfig>,
    /// Resource limits.
    pub limits: LimitsConfig,
    /// The server's time zone name, shown by dialects that report one.
    pub timezone: String,
    /// How long an asynchronous configuration reload takes at least, in milliseconds.
    pub reload_duration_ms: u64,
    /// `/metrics`: `open` (no credentials, for Prometheus), `authenticated` (any credential kind) or `off`.
    pub metrics: String,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            listen: vec!["127.0.0.1:8080".to_owned()],
            tls: None,
            limits: LimitsConfig::default(),
            timezone: "UTC".to_owned(),
            reload_duration_ms: 1000,
            metrics: "open".to_owned(),
        }
    }
}

/// TLS certificate and key (PEM files).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// Certificate chain.
    pub cert: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// Resource limits.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Largest total size of the request headers, in bytes.
    pub max_header_bytes: usize,
    /// Most request headers.
    pub max_headers: usize,
    /// Time allowed to receive a request's headers, in seconds (slow clients are cut off).
    pub header_read_timeout_secs: u64,
    /// Time allowed for one request, in seconds.
    pub request_timeout_secs: u64,
    /// Requests served at once; more wait up to the request timeout.
    pub max_concurrent_requests: usize,
    /// Open connections at once; more are refused.
    pub max_connections: usize,
    /// Most concurrent HTTP/2 streams per connection.
    pub max_http2_streams: u32,
    /// HTTP/2 streams a client may reset before the gateway accepted them (a "rapid reset" flood); one more
    /// closes the connection with GOAWAY `ENHANCE_YOUR_CALM`.
    pub max_http2_pending_resets: usize,
    /// HTTP/2 streams the gateway may reset for a client's protocol errors before closing the connection.
    pub max_http2_error_resets: usize,
    /// Time to finish in-flight requests on shutdown, in seconds.
    pub shutdown_grace_secs: u64,
    /// Sustained requests per second from one client address; 0 switches the limit off.
    pub rate_per_address: f64,
    /// Sustained requests per second by one principal; 0 switches the limit off.
    pub rate_per_principal: f64,
    /// Requests allowed at once above the sustained rates.
    pub rate_burst: f64,
}

impl Default for LimitsConfig {
    fn default() -> LimitsConfig {
        LimitsConfig {
            max_body_bytes: 10 * 1024 * 1024,
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            header_read_timeout_secs: 10,
            request_timeout_secs: 60,
            max_concurrent_requests: 1024,
            max_connections: 10_000,
            max_http2_streams: 200,
            max_http2_pending_resets: 20,
            max_http2_error_resets: 1024,
            shutdown_grace_secs: 30,
            rate_per_address: 0.0,
            rate_per_principal: 0.0,
            rate_burst: 100.0,
        }
    }
}

/// Where data lives.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// SQLite database file (the embedded default).
    pub path: PathBuf,
    /// A database URL (`postgres://…`) instead of the SQLite file.
    pub url: Option<String>,
    /// SQLite durability: `full` (survives power loss) or `normal` (survives a process crash).
    pub synchronous: String,
    /// PostgreSQL schema holding Rosetta's tables (with `url`).
    pub schema: String,
    /// Most PostgreSQL connections per replica (with `url`).
    pub pool_size: usize,
    /// How long a request waits for a PostgreSQL connection before failing with 503, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Events, audit entries and closed outages kept, each; the oldest beyond are deleted in the background,
    /// so history (held in memory like every record) cannot grow without bound.
    pub history_limit: usize,
}

impl Default for StoreConfig {
    fn default() -> StoreConfig {
        StoreConfig {
            path: PathBuf::from("./data/rosetta.db"),
            url: None,
            synchronous: "full".to_owned(),
            schema: "public".to_owned(),
            pool_size: 16,
            connect_timeout_ms: 2000,
            history_limit: 1_000_000,
        }
    }
}

/// Authentication policy.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSection {
    /// The first password of `admin` on an empty store; generated and printed once when empty.
    pub admin_password: Option<String>,
    /// Idle lifetime of an Opsview session token, in seconds.
    pub session_ttl_secs: u64,
    /// How long verified Basic credentials stay cached without use, in seconds (use extends them; a
    /// password change or a disabled user ends them at once).
    pub basic_cache_ttl_secs: u64,
    /// Failed logins allowed within the window before a lockout.
    pub lockout_max_failures: u32,
    /// The window failures are counted in, in seconds.
    pub lockout_window_secs: u64,
    /// How long a lockout lasts, in seconds.
    pub lockout_secs: u64,
    /// argon2id memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// argon2id iterations.
    pub argon2_iterations: u32,
    /// argon2id lanes.
    pub argon2_parallelism: u32,
}

impl Default for AuthSection {
    fn default() -> AuthSection {
        AuthSection {
            admin_password: None,
            session_ttl_secs: 3600,
            basic_cache_ttl_secs: 60,
            lockout_max_failures: 5,
            lockout_window_secs: 300,
            lockout_secs: 300,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
        }
    }
}

/// Logging.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A filter such as `info` or `info,rosetta_server=debug`.
    pub level: String,
    /// OTLP/HTTP traces endpoint (`http://collector:4318/v1/traces`) the request spans are exported to;
    /// needs a build with the `otel` feature. Unset: no export.
    pub otlp_endpoint: Option<String>,
    /// `service.name` of the exported spans.
    pub otlp_service_name: String,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig { format: "text".to_owned(), level: "info".to_owned(), otlp_endpoint: None, otlp_service_name: "rosetta".to_owned() }
    }
}

/// One dialect mount.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MountConfig {
    /// `opsview`, `opennms` or `openitcockpit`.
    pub dialect: String,
    /// `native` (served from the store); `proxy` is reserved for forwarding to a real product.
    #[serde(default = "MountConfig::default_mode")]
    pub mode: String,
    /// Serve this mount only for requests whose `Host` header matches (virtual hosting).
    #[serde(default)]
    pub host: Option<String>,
    /// Set to false to switch the mount off.
    #[serde(default = "MountConfig::default_enabled")]
    pub enabled: bool,
    /// The upstream and how to call it, for `mode = "proxy"` (`[mounts.proxy]`).
    #[serde(default)]
    pub proxy: Option<rosetta_proxy::ProxyConfig>,
}

/// The product a dialect name stands for.
pub fn product_of(dialect: &str) -> Option<rosetta_model::Product> {
    match dialect {
        "opsview" => Some(rosetta_model::Product::Opsview),
        "opennms" => Some(rosetta_model::Product::Opennms),
        "openitcockpit" => Some(rosetta_model::Product::Openitcockpit),
        _ => None,
    }
}

impl MountConfig {
    fn default_mode() -> String {
        "native".to_owned()
    }

    fn default_enabled() -> bool {
        true
    }
}

/// One problem in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Where (`server.listen[0]`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The dialects this build knows.
pub const KNOWN_DIALECTS: &[&str] = &["opsview", "opennms", "openitcockpit"];

impl Config {
    /// Parses `text` and applies environment overrides read through `env`, collecting every problem.
    pub fn from_toml_str(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, Vec<ConfigError>> {
        let value: toml::Table = match text.parse() {
            Ok(value) => value,
            Err(err) => return Err(vec![ConfigError { path: "(file)".to_owned(), message: err.to_string() }]),
        };
        let mut errors = Vec::new();
        let mut config = Config::default();
        for (key, section) in &value {
            let parsed = match key.as_str() {
                "server" => section.clone().try_into().map(|server| config.server = server),
                "store" => section.clone().try_into().map(|store| config.store = store),
                "auth" => section.clone().try_into().map(|auth| config.auth = auth),
                "log" => section.clone().try_into().map(|log| config.log = log),
                "mounts" => section.clone().try_into().map(|mounts| config.mounts = mounts),
                "dialects" => section.clone().try_into().map(|dialects| config.dialects = dialects),
                other => {
                    errors.push(ConfigError { path: other.to_owned(), message: "unknown section".to_owned() });
                    continue;
                }
            };
            if let Err(err) = parsed {
                errors.push(ConfigError { path: key.clone(), message: err.message().to_owned() });
            }
        }
        config.apply_env(env);
        errors.extend(config.validate());
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// Applies the `ROSETTA_*` environment overrides.
    fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) {
        if let Some(listen) = env("ROSETTA_LISTEN") {
            self.server.listen = listen.split(',').map(|addr| addr.trim().to_owned()).filter(|a| !a.is_empty()).collect();
        }
        if let Some(dir) = env("ROSETTA_DATA_DIR") {
            self.store.path = PathBuf::from(dir).join("rosetta.db");
        }
        if let Some(url) = env("ROSETTA_DATABASE_URL").filter(|url| !url.is_empty()) {
            self.store.url = Some(url);
        }
        if let Some(password) = env("ROSETTA_ADMIN_PASSWORD").filter(|p| !p.is_empty()) {
            self.auth.admin_password = Some(password);
        }
        if let Some(level) = env("ROSETTA_LOG_LEVEL") {
            self.log.level = level;
        }
        if let Some(format) = env("ROSETTA_LOG_FORMAT") {
            self.log.format = format;
        }
    }

    /// Checks values that parse but make no sense; returns every problem.
    pub fn validate(&self) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        let mut err = |path: String, message: String| errors.push(ConfigError { path, message });
        if self.server.listen.is_empty() {
            err("server.listen".into(), "at least one address is needed".into());
        }
        for (idx, addr) in self.server.listen.iter().enumerate() {
            if addr.parse::<SocketAddr>().is_err() {
                err(format!("server.listen[{idx}]"), format!("`{addr}` is not an address like 127.0.0.1:8080"));
            }
        }
        if !matches!(self.server.metrics.as_str(), "open" | "authenticated" | "off") {
            err("server.metrics".into(), format!("`{}` is not `open`, `authenticated` or `off`", self.server.metrics));
        }
        if let Some(tls) = &self.server.tls {
            for (name, path) in [("cert", &tls.cert), ("key", &tls.key)] {
                if !path.is_file() {
                    err(format!("server.tls.{name}"), format!("{} is not a readable file", path.display()));
                }
            }
        }
        let limits = &self.server.limits;
        for (name, value) in [
            ("max_body_bytes", limits.max_body_bytes as u64),
            ("max_header_bytes", limits.max_header_bytes as u64),
            ("max_headers", limits.max_headers as u64),
            ("header_read_timeout_secs", limits.header_read_timeout_secs),
            ("request_timeout_secs", limits.request_timeout_secs),
            ("max_concurrent_requests", limits.max_concurrent_requests as u64),
            ("max_connections", limits.max_connections as u64),
            ("max_http2_streams", u64::from(limits.max_http2_streams)),
            ("max_http2_pending_resets", limits.max_http2_pending_resets as u64),
            ("max_http2_error_resets", limits.max_http2_error_resets as u64),
        ] {
            if value == 0 {
                err(format!("server.limits.{name}"), "must be greater than 0".into());
            }
        }
        for (name, value) in [("rate_per_address", limits.rate_per_address), ("rate_per_principal", limits.rate_per_principal), ("rate_burst", limits.rate_burst)] {
            if !value.is_finite() || value < 0.0 {
                err(format!("server.limits.{name}"), "must be a number of requests per second, 0 or more".into());
            }
        }
        if limits.max_header_bytes < 8192 {
            err("server.limits.max_header_bytes".into(), "must be at least 8192 (hyper's minimum buffer)".into());
        }
        if let Some(url) = &self.store.url {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                err("store.url".into(), "only postgres:// URLs are supported".into());
            }
        }
        if !rosetta_store_postgres::valid_schema(&self.store.schema) {
            err("store.schema".into(), format!("`{}` is not a lower-case identifier", self.store.schema));
        }
        if self.store.history_limit == 0 {
            err("store.history_limit".into(), "must be greater than 0".into());
        }
        if self.store.pool_size == 0 {
            err("store.pool_size".into(), "must be greater than 0".into());
        }
        if !matches!(self.store.synchronous.as_str(), "full" | "normal") {
            err("store.synchronous".into(), format!("`{}` is not `full` or `normal`", self.store.synchronous));
        }
        if self.auth.admin_password.as_deref().is_some_and(|password| password.len() < 8) {
            err("auth.admin_password".into(), "must be at least 8 characters".into());
        }
        if self.auth.session_ttl_secs == 0 {
            err("auth.session_ttl_secs".into(), "must be greater than 0".into());
        }
        if self.auth.lockout_max_failures == 0 {
            err("auth.lockout_max_failures".into(), "must be greater than 0".into());
        }
        if argon2_params(&self.auth).is_err() {
            err("auth.argon2_*".into(), "argon2 parameters out of range (memory >= 8 KiB per lane)".into());
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            err("log.format".into(), format!("`{}` is not `text` or `json`", self.log.format));
        }
        if self.log.level.parse::<tracing_subscriber::filter::Targets>().is_err() {
            err("log.level".into(), format!("`{}` is not a log filter like `info`", self.log.level));
        }
        if let Some(endpoint) = &self.log.otlp_endpoint {
            if !cfg!(feature = "otel") {
                err("log.otlp_endpoint".into(), "this build has no OpenTelemetry export; rebuild with `--features otel`".into());
            } else if !endpoint.starts_with("http://") || endpoint.parse::<http::Uri>().is_err() {
                err("log.otlp_endpoint".into(), format!("`{endpoint}` is not an http:// URL (OTLP/HTTP without TLS; front a remote collector with a local agent)"));
            }
        }
        if self.log.otlp_service_name.is_empty() {
            err("log.otlp_service_name".into(), "must not be empty".into());
        }
        let opsview = &self.dialects.opsview;
        if !matches!(opsview.default_format.as_str(), "json" | "perl" | "xml" | "yaml") {
            err("dialects.opsview.default_format".into(), format!("`{}` is not json, perl, xml or yaml", opsview.default_format));
        }
        let dotted = |text: &str, parts: usize| {
            let pieces: Vec<&str> = text.split('.').collect();
            pieces.len() == parts && pieces.iter().all(|piece| !piece.is_empty() && piece.chars().all(|ch| ch.is_ascii_digit()))
        };
        if !dotted(&opsview.version, 3) {
            err("dialects.opsview.version".into(), format!("`{}` is not a version like 6.8.0", opsview.version));
        }
        if !dotted(&opsview.build, 4) {
            err("dialects.opsview.build".into(), format!("`{}` is not a build like 6.8.0.202307121230", opsview.build));
        }
        let mut seen = Vec::new();
        for (idx, mount) in self.mounts.iter().enumerate() {
            if !KNOWN_DIALECTS.contains(&mount.dialect.as_str()) {
                err(format!("mounts[{idx}].dialect"), format!("`{}` is not one of {}", mount.dialect, KNOWN_DIALECTS.join(", ")));
            }
            match (mount.mode.as_str(), &mount.proxy) {
                ("native", None) => {}
                ("native", Some(_)) => {
                    err(format!("mounts[{idx}].proxy"), "only a mount with mode = \"proxy\" takes a proxy table".into())
                }
                ("proxy", None) => err(format!("mounts[{idx}].proxy"), "mode = \"proxy\" needs a [mounts.proxy] table".into()),
                ("proxy", Some(proxy)) => {
                    let problems = match product_of(&mount.dialect) {
                        Some(product) => proxy.validate_for(product),
                        None => proxy.validate(),
                    };
                    for problem in problems {
                        err(format!("mounts[{idx}].proxy"), problem);
                    }
                }
                (other, _) => err(format!("mounts[{idx}].mode"), format!("`{other}` is not `native` or `proxy`")),
            }
            let key = (mount.dialect.clone(), mount.host.clone());
            if seen.contains(&key) {
                err(format!("mounts[{idx}]"), format!("`{}` is mounted twice", mount.dialect));
            }
            seen.push(key);
        }
        errors
    }

    /// The mounts to serve: the configured ones, or every known dialect when none is configured.
    pub fn effective_mounts(&self) -> Vec<MountConfig> {
        if self.mounts.is_empty() {
            return KNOWN_DIALECTS
                .iter()
                .map(|dialect| MountConfig {
                    dialect: (*dialect).to_owned(),
                    mode: "native".to_owned(),
                    host: None,
                    enabled: true,
                    proxy: None,
                })
                .collect();
        }
        self.mounts.iter().filter(|mount| mount.enabled).cloned().collect()
    }
}

/// The argon2 cost from the auth section.
pub fn argon2_params(auth: &AuthSection) -> Result<rosetta_auth::PasswordHasher, String> {
    rosetta_auth::PasswordHasher::new(auth.argon2_memory_kib, auth.argon2_iterations, auth.argon2_parallelism)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_shipped_gateway_toml_parses() {
        let text = include_str!("../../../gateway.toml");
        let config = Config::from_toml_str(text, &no_env).expect("gateway.toml is valid");
        assert_eq!(config.server.listen, vec!["127.0.0.1:8080".to_owned()]);
        assert_eq!(config.effective_mounts().len(), 3);
    }

    #[test]
    fn the_reference_file_states_the_real_defaults() {
        let text = include_str!("../../../deploy/gateway.reference.toml");
        let parsed = Config::from_toml_str(text, &no_env).expect("reference is valid");
        let expected = Config { mounts: parsed.effective_mounts(), ..Config::default() };
        assert_eq!(parsed, expected, "deploy/gateway.reference.toml drifted from Config::default()");
    }

    #[test]
    fn an_otlp_endpoint_needs_the_feature_and_an_http_url() {
        let problems = |endpoint: &str| {
            let text = format!("[log]\notlp_endpoint = \"{endpoint}\"\n");
            match Config::from_toml_str(&text, &no_env) {
                Ok(_) => Vec::new(),
                Err(errors) => errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            }
        };
        let good = problems("http://127.0.0.1:4318/v1/traces");
        let bad = problems("grpc://collector");
        if cfg!(feature = "otel") {
            assert!(good.is_empty(), "{good:?}");
            assert!(bad.iter().any(|problem| problem.contains("log.otlp_endpoint") && problem.contains("http://")), "{bad:?}");
        } else {
            assert!(good.iter().any(|problem| problem.contains("--features otel")), "{good:?}");
        }
    }

    #[test]
    fn every_problem_is_listed_not_just_the_first() {
        let text = r#"
            [server]
            listen = ["nonsense", "127.0.0.1:1"]
            [server.limits]
            max_body_bytes = 0
            [log]
            format = "xml"
            [[mounts]]
            dialect = "zabbix"
            [bogus]
            x = 1
        "#;
        let errors = Config::from_toml_str(text, &no_env).expect_err("invalid");
        let paths: Vec<&str> = errors.iter().map(|err| err.path.as_str()).collect();
        for expected in ["bogus", "server.listen[0]", "server.limits.max_body_bytes", "log.format", "mounts[0].dialect"] {
            assert!(paths.contains(&expected), "{expected} missing from {paths:?}");
        }
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_errors() {
        let errors = Config::from_toml_str("[server]\nlisen = []\n[store]\npath = 3\n", &no_env).expect_err("invalid");
        assert_eq!(errors.len(), 2, "{errors:?}");
    }

    #[test]
    fn environment_overrides_win() {
        let env = |name: &str| match name {
            "ROSETTA_LISTEN" => Some("0.0.0.0:9000, 127.0.0.1:9001".to_owned()),
            "ROSETTA_DATA_DIR" => Some("/var/lib/rosetta".to_owned()),
            "ROSETTA_ADMIN_PASSWORD" => Some("correct horse".to_owned()),
            _ => None,
        };
        let config = Config::from_toml_str("", &env).expect("valid");
        assert_eq!(config.server.listen.len(), 2);
        assert_eq!(config.store.path, PathBuf::from("/var/lib/rosetta/rosetta.db"));
        assert_eq!(config.auth.admin_password.as_deref(), Some("correct horse"));
    }
}
