//! Tests against in-process fake upstreams (hyper servers and raw sockets on 127.0.0.1:0).

mod forward;
mod import;
mod tls;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{HeaderMap, Method};
use http_body_util::BodyExt;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rosetta_auth::{Auth, AuthConfig, AuthMethod, Principal, TenantScope};
use rosetta_core::{AppContext, RequestContext, ResponseBody, Settings};
use rosetta_model::{Meta, Native, PermissionSet, Role, User};
use rosetta_store::{Db, MemoryStore};
use tokio::net::TcpListener;

/// A request as the fake upstream saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub method: Method,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

type Handler = Arc<dyn Fn(Seen) -> BoxFuture<'static, http::Response<ResponseBody>> + Send + Sync>;

/// A fake upstream: its base URL and every request it received.
pub(crate) struct Fake {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// Starts a fake upstream answering with `handler`.
pub(crate) async fn fake<F>(handler: F) -> Fake
where
    F: Fn(Seen) -> BoxFuture<'static, http::Response<ResponseBody>> + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handler: Handler = Arc::new(handler);
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let handler = Arc::clone(&handler);
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
                    let handler = Arc::clone(&handler);
                    let log = Arc::clone(&log);
                    async move {
                        let (parts, body) = request.into_parts();
                        let body = body.collect().await.map(|body| body.to_bytes()).unwrap_or_default();
                        let seen = Seen {
                            method: parts.method,
                            uri: parts.uri.to_string(),
                            headers: parts.headers,
                            body,
                        };
                        log.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(seen.clone());
                        Ok::<_, Infallible>(handler(seen).await)
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Fake { url: format!("http://{addr}"), seen }
}

/// A JSON response.
pub(crate) fn json(status: u16, value: serde_json::Value) -> http::Response<ResponseBody> {
    let mut response = rosetta_core::request::json(
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        &value,
    );
    response.headers_mut().insert("x-upstream", http::HeaderValue::from_static("fake"));
    response
}

/// A request context for `login`, authenticated with Basic.
pub(crate) async fn context(login: &str) -> RequestContext {
    let db = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("db"));
    context_with(db, login)
}

pub(crate) fn context_with(db: Arc<Db>, login: &str) -> RequestContext {
    let auth = Arc::new(Auth::new(Arc::clone(&db), AuthConfig::default()));
    let app = AppContext { db, auth, settings: Arc::new(Settings::default()) };
    let user = User {
        meta: Meta::new(7),
        login: login.to_owned(),
        fullname: String::new(),
        email: String::new(),
        role: 1,
        tenants: Vec::new(),
        active: true,
        password_hash: None,
        native: Native::new(),
    };
    let role = Role {
        meta: Meta::new(1),
        name: "Administrator".to_owned(),
        description: String::new(),
        permissions: PermissionSet::empty(),
        hostgroups: Vec::new(),
        native: Native::new(),
    };
    let principal =
        Principal { user: Arc::new(user), role: Arc::new(role), method: AuthMethod::Basic, scope: Arc::new(TenantScope::everything()) };
    RequestContext::new(app, "req-1".to_owned(), Some(SocketAddr::from(([10, 0, 0, 9], 4242))), Ok(Some(principal)))
}

/// A caller request carrying the caller's own credentials for Rosetta.
pub(crate) fn caller_request(method: Method, uri: &str, body: impl Into<Bytes>) -> rosetta_core::Request {
    http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Basic YWxpY2U6c2VjcmV0")
        .header("x-opsview-username", "alice")
        .header("x-opsview-token", "0123456789abcdef0123456789abcdef")
        .header("cookie", "rosetta=1")
        .header("accept", "application/json")
        .body(rosetta_core::request::full(body))
        .expect("request")
}

/// The body of a response.
pub(crate) async fn body_of(response: rosetta_core::Response) -> Bytes {
    response.into_body().collect().await.expect("body").to_bytes()
}
