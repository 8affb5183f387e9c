//! What a handler gets: the application context and the per-request context.

use std::net::SocketAddr;
use std::sync::Arc;

use rosetta_auth::{Auth, Principal};
use rosetta_store::{Actor, Db};

use crate::error::AuthFailure;
use crate::GatewayError;

/// Gateway-wide settings that dialects read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The server's UTC offset in seconds, for products that show local times.
    pub utc_offset_secs: i32,
    /// The server's time-zone name (`UTC`).
    pub timezone: String,
    /// Gateway instance UUID (stable per store).
    pub instance_uuid: String,
    /// Rosetta's version.
    pub version: &'static str,
    /// How long an asynchronous configuration reload takes at least.
    pub reload_duration: std::time::Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_body_bytes: 10 * 1024 * 1024,
            utc_offset_secs: 0,
            timezone: "UTC".to_owned(),
            instance_uuid: "00000000-0000-0000-0000-000000000000".to_owned(),
            version: env!("CARGO_PKG_VERSION"),
            reload_duration: std::time::Duration::from_millis(1000),
        }
    }
}

/// Shared by every request: the store, the auth service and the settings.
#[derive(Debug, Clone)]
pub struct AppContext {
    /// The store.
    pub db: Arc<Db>,
    /// The auth service.
    pub auth: Arc<Auth>,
    /// Settings.
    pub settings: Arc<Settings>,
}

/// Per-request data the server hands to a dialect.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// Shared context.
    pub app: AppContext,
    /// The request id (also in the `X-Request-Id` response header).
    pub request_id: String,
    /// The client's address.
    pub client: Option<SocketAddr>,
    auth: Result<Option<Principal>, GatewayError>,
}

impl RequestContext {
    /// A context with the outcome of authentication: `Ok(None)` when no credentials were sent.
    pub fn new(
        app: AppContext,
        request_id: String,
        client: Option<SocketAddr>,
        auth: Result<Option<Principal>, GatewayError>,
    ) -> RequestContext {
        RequestContext { app, request_id, client, auth }
    }

    /// The authenticated principal, or the 401 to answer.
    pub fn principal(&self) -> Result<&Principal, GatewayError> {
        match &self.auth {
            Ok(Some(principal)) => Ok(principal),
            Ok(None) => Err(GatewayError::unauthenticated()),
            Err(err) => Err(err.clone()),
        }
    }

    /// The principal if the request authenticated, ignoring failures (for routes that need none).
    pub fn maybe_principal(&self) -> Option<&Principal> {
        self.auth.as_ref().ok().and_then(Option::as_ref)
    }

    /// True when the request carried credentials that failed to verify.
    pub fn has_bad_credentials(&self) -> bool {
        matches!(&self.auth, Err(err) if err.auth != Some(AuthFailure::Missing))
    }

    /// The client address as text, for throttling and audit.
    pub fn client_ip(&self) -> Option<String> {
        self.client.map(|addr| addr.ip().to_string())
    }

    /// The audit actor for writes made by this request through `dialect`.
    pub fn actor(&self, dialect: &str) -> Actor {
        let user = self.maybe_principal().map_or_else(|| "anonymous".to_owned(), |p| p.login().to_owned());
        Actor::new(user, dialect)
    }
}
