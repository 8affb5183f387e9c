//! A dialect mount in proxy mode: the product's paths are forwarded to a real upstream, with the
//! caller's credentials translated into the upstream's (see `rosetta-proxy`). Everything else about the
//! mount — which paths it claims, how credentials are read, the error shapes — stays the dialect's own.

use std::sync::Arc;

use rosetta_auth::Credentials;
use rosetta_core::{Dialect, DialectFuture, GatewayError, Request, RequestContext, Response};
use rosetta_proxy::Upstream;
use rosetta_store::{StoreError, Tx};

/// A dialect whose requests go to an upstream product.
pub struct ProxyMount {
    dialect: Arc<dyn Dialect>,
    upstream: Arc<Upstream>,
}

impl ProxyMount {
    /// Proxies `dialect`'s paths to `upstream`.
    pub fn new(dialect: Arc<dyn Dialect>, upstream: Arc<Upstream>) -> ProxyMount {
        ProxyMount { dialect, upstream }
    }

    /// Paths Rosetta answers itself even in proxy mode: the Opsview session endpoints, because callers
    /// log in to Rosetta (and Rosetta to the upstream with its own account).
    fn answered_locally(&self, request: &Request) -> bool {
        let path = request.uri().path().trim_end_matches('/');
        self.dialect.name() == "opsview" && matches!(path, "/rest" | "/rest/login" | "/rest/logout")
    }
}

impl Dialect for ProxyMount {
    fn name(&self) -> &'static str {
        self.dialect.name()
    }

    fn matches(&self, path: &str) -> bool {
        self.dialect.matches(path)
    }

    fn credentials(&self, parts: &http::request::Parts) -> Option<Credentials> {
        self.dialect.credentials(parts)
    }

    fn handle<'a>(&'a self, ctx: RequestContext, request: Request) -> DialectFuture<'a> {
        if self.answered_locally(&request) {
            return self.dialect.handle(ctx, request);
        }
        Box::pin(async move { self.upstream.forward(&ctx, request, "").await })
    }

    fn render_error(&self, err: &GatewayError, parts: &http::request::Parts) -> Response {
        self.dialect.render_error(err, parts)
    }

    fn seed(&self, tx: &mut Tx<'_>) -> Result<(), StoreError> {
        self.dialect.seed(tx)
    }
}
