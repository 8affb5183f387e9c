//! OpenTelemetry export (`--features otel`): the request spans reach an OTLP/HTTP collector.
#![cfg(feature = "otel")]

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rosetta_server::{build_with_db, telemetry, Config, GatewayService};
use rosetta_store::{Db, MemoryStore};
use tokio::sync::mpsc;
use tower::ServiceExt;

/// One export the fake collector received.
struct Export {
    path: String,
    content_type: String,
    body: Bytes,
}

/// A collector on a free port that hands every request it receives to the returned channel.
async fn collector() -> (String, mpsc::UnboundedReceiver<Export>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/v1/traces", listener.local_addr().expect("addr"));
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let sender = sender.clone();
                    async move {
                        let path = request.uri().path().to_owned();
                        let content_type = request
                            .headers()
                            .get(http::header::CONTENT_TYPE)
                            .and_then(|value| value.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        let body = request.into_body().collect().await.map(|body| body.to_bytes()).unwrap_or_default();
                        let _ = sender.send(Export { path, content_type, body });
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::new())))
                    }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    (url, receiver)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_spans_are_exported_over_otlp_http() {
    let (endpoint, mut exports) = collector().await;
    let mut config = Config::default();
    config.log.otlp_endpoint = Some(endpoint);
    config.log.otlp_service_name = "rosetta-otel-test".to_owned();
    config.auth.admin_password = Some("otel-test-password".to_owned());
    config.auth.argon2_memory_kib = 64;
    config.auth.argon2_iterations = 1;
    assert!(config.validate().is_empty(), "{:?}", config.validate());

    let guard = telemetry::init(&config.log);
    assert!(guard.exporting());
    let db = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("db"));
    let built = build_with_db(&config, db).await.expect("gateway");
    let gateway = GatewayService(Arc::clone(&built.gateway));
    let request = http::Request::get("/rest/info")
        .header("x-request-id", "otel-probe-0001")
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .header(http::header::AUTHORIZATION, "Basic YWRtaW46b3RlbC10ZXN0LXBhc3N3b3Jk")
        .body(rosetta_core::request::empty())
        .expect("request");
    let response = gateway.oneshot(request).await.expect("response");
    assert_eq!(response.status(), http::StatusCode::OK);

    // Dropping the guard flushes the batch; the shutdown blocks, so it runs off the runtime's threads.
    tokio::task::spawn_blocking(move || drop(guard)).await.expect("flush");
    let export = tokio::time::timeout(Duration::from_secs(10), exports.recv())
        .await
        .expect("an export within 10 s")
        .expect("collector running");
    assert_eq!(export.path, "/v1/traces");
    assert_eq!(export.content_type, "application/x-protobuf");
    for expected in ["rosetta-otel-test", "request", "otel-probe-0001", "/rest/info", "opsview", "principal", "admin"] {
        assert!(contains(&export.body, expected.as_bytes()), "`{expected}` missing from the exported spans");
    }
    // The span joined the caller's trace: its trace id and parent span id are the traceparent's.
    let trace_id = [0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36];
    let parent_span_id = [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7];
    assert!(contains(&export.body, &trace_id), "the caller's trace id is not the exported span's");
    assert!(contains(&export.body, &parent_span_id), "the caller's span is not the exported span's parent");
}
