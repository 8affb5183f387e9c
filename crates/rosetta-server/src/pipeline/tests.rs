//! Pipeline behaviour with purpose-built dialects: panics, timeouts, overload, dispatch.

use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use http_body_util::BodyExt;
use rosetta_auth::{Auth, AuthConfig, Credentials, PasswordHasher};
use rosetta_core::request::{empty, json};
use rosetta_core::{AppContext, Dialect, DialectFuture, GatewayError, Request, RequestContext, Response, Settings};
use rosetta_store::{Db, MemoryStore};
use serde_json::json;
use tower::ServiceExt;

use super::{Gateway, Limits, Mount};
use crate::native::NativeApi;
use crate::GatewayService;

/// A dialect under `/test` whose routes misbehave on purpose.
struct Misbehaving;

impl Dialect for Misbehaving {
    fn name(&self) -> &'static str {
        "test"
    }

    fn matches(&self, path: &str) -> bool {
        path.starts_with("/test/")
    }

    fn credentials(&self, _parts: &http::request::Parts) -> Option<Credentials> {
        None
    }

    fn handle<'a>(&'a self, _ctx: RequestContext, request: Request) -> DialectFuture<'a> {
        Box::pin(async move {
            match request.uri().path() {
                "/test/panic" => panic!("handler bug"),
                "/test/slow" => {
                    tokio::time::sleep(Duration::from_millis(400)).await;
                    Ok(json(StatusCode::OK, &json!({"slow": true})))
                }
                _ => Ok(json(StatusCode::OK, &json!({"fine": true}))),
            }
        })
    }

    fn render_error(&self, err: &GatewayError, _parts: &http::request::Parts) -> Response {
        json(err.status(), &json!({"test_error": err.kind.as_str()}))
    }
}

async fn gateway(limits: Limits) -> GatewayService {
    let db = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("db"));
    let auth = Arc::new(Auth::new(Arc::clone(&db), AuthConfig { hasher: PasswordHasher::cheap(), ..AuthConfig::default() }));
    let app = AppContext { db, auth, settings: Arc::new(Settings::default()) };
    let mounts = vec![Mount { dialect: Arc::new(Misbehaving), host: None }];
    GatewayService(Arc::new(Gateway::new(app, Arc::new(NativeApi::default()), mounts, limits)))
}

fn limits() -> Limits {
    Limits {
        max_headers: 100,
        max_body_bytes: 1024,
        request_timeout: Duration::from_secs(5),
        max_concurrent_requests: 16,
        rate_per_address: crate::ratelimit::Rate { per_second: 0.0, burst: 0.0 },
        rate_per_principal: crate::ratelimit::Rate { per_second: 0.0, burst: 0.0 },
    }
}

fn request(path: &str) -> Request {
    http::Request::get(path).body(empty()).expect("request")
}

async fn body_json(response: Response) -> serde_json::Value {
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&bytes).expect("json")
}

#[tokio::test]
async fn a_panicking_handler_answers_500_in_the_dialects_shape() {
    let service = gateway(limits()).await;
    let response = service.clone().oneshot(request("/test/panic")).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body_json(response).await, json!({"test_error": "internal"}));
    let after = service.oneshot(request("/test/ok")).await.expect("infallible");
    assert_eq!(after.status(), StatusCode::OK, "the gateway keeps serving after a panic");
}

#[tokio::test]
async fn a_slow_handler_is_cut_off_at_the_request_timeout() {
    let service = gateway(Limits { request_timeout: Duration::from_millis(100), ..limits() }).await;
    let response = service.oneshot(request("/test/slow")).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body_json(response).await, json!({"test_error": "timeout"}));
}

#[tokio::test]
async fn requests_beyond_the_concurrency_limit_queue_for_a_slot() {
    let service = gateway(Limits {
        max_concurrent_requests: 1,
        request_timeout: Duration::from_millis(300),
        ..limits()
    })
    .await;
    let first = tokio::spawn(service.clone().oneshot(request("/test/slow")));
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    let second = service.oneshot(request("/test/ok")).await.expect("infallible");
    assert_eq!(second.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(150), "the second request waited for the slot");
    let first = first.await.expect("join").expect("infallible");
    assert_eq!(first.status(), StatusCode::SERVICE_UNAVAILABLE, "the slow one hit its timeout and freed the slot");
}

#[tokio::test]
async fn unclaimed_paths_go_to_the_native_api() {
    let service = gateway(limits()).await;
    let response = service.oneshot(request("/nowhere")).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_json(response).await["error"]["kind"], "not_found");
}
