//! Zero-drop configuration reload (SIGHUP or `POST /api/v1/admin/reload-config`).
//!
//! The file is parsed and checked in full first; a bad file is refused with every problem listed and the
//! running configuration keeps serving. A good one is applied atomically: limits, rate limits and TLS
//! certificates change for new requests and connections; settings that need a restart (listen
//! addresses, the store, auth policy, mounts, logging) are reported as such.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::config::{Config, ConfigError};
use crate::listener::TlsHandle;
use crate::pipeline::{Gateway, Limits};

/// What a reload did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadReport {
    /// Settings now in force.
    pub applied: Vec<String>,
    /// Settings that changed in the file but take effect only after a restart.
    pub needs_restart: Vec<String>,
}

/// Reloads the configuration file of a running gateway.
pub struct Reloader {
    path: PathBuf,
    gateway: Arc<Gateway>,
    tls: Option<TlsHandle>,
    current: Mutex<Config>,
    env: Box<dyn Fn(&str) -> Option<String> + Send + Sync>,
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloader").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Reloader {
    /// A reloader for the gateway started from `config`, read from `path`.
    pub fn new(path: PathBuf, config: Config, gateway: Arc<Gateway>, tls: Option<TlsHandle>) -> Reloader {
        Reloader { path, gateway, tls, current: Mutex::new(config), env: Box::new(|name| std::env::var(name).ok()) }
    }

    /// Reads the file again and applies what can change while running.
    pub fn reload(&self) -> Result<ReloadReport, Vec<ConfigError>> {
        let text = std::fs::read_to_string(&self.path).map_err(|err| {
            vec![ConfigError { path: self.path.display().to_string(), message: format!("cannot read: {err}") }]
        })?;
        let mut next = Config::from_toml_str(&text, &*self.env)?;
        let mut current = self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Command-line listen addresses stay as they were started.
        next.server.listen.clone_from(&current.server.listen);
        let mut report = ReloadReport::default();
        if let (Some(handle), Some(tls)) = (&self.tls, &next.server.tls) {
            handle.reload(tls).map_err(|err| {
                vec![ConfigError { path: "server.tls".to_owned(), message: err.to_string() }]
            })?;
            report.applied.push("server.tls (certificates reloaded)".to_owned());
        }
        if next.server.limits != current.server.limits {
            self.gateway.set_limits(Limits::from_config(&next.server.limits));
            report.applied.push("server.limits".to_owned());
            if next.server.limits.max_body_bytes != current.server.limits.max_body_bytes {
                report.needs_restart.push("server.limits.max_body_bytes (for bodies without Content-Length)".to_owned());
            }
        }
        for (name, changed) in [
            ("server.tls", next.server.tls.is_some() != current.server.tls.is_some()),
            ("store", next.store != current.store),
            ("auth", next.auth != current.auth),
            ("log", next.log != current.log),
            ("mounts", next.effective_mounts() != current.effective_mounts()),
            ("server.timezone", next.server.timezone != current.server.timezone),
            ("server.metrics", next.server.metrics != current.server.metrics),
        ] {
            if changed {
                report.needs_restart.push(name.to_owned());
            }
        }
        tracing::info!(applied = ?report.applied, needs_restart = ?report.needs_restart, "configuration reloaded");
        *current = next;
        Ok(report)
    }
}

/// Where the native API finds the reloader once the server has made it.
pub type ReloadSlot = Arc<std::sync::OnceLock<Arc<Reloader>>>;
