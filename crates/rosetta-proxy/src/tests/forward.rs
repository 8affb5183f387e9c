//! Proxy-mode forwarding: credential translation, streaming, headers, retries, failures, mount options.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::FutureExt;
use http::{Method, StatusCode};
use rosetta_core::ErrorKind;
use rosetta_model::{AuditEntry, Product};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{body_of, caller_request, context, fake, json, Fake};
use crate::{ProxyConfig, Upstream, UpstreamAuth, UpstreamCredentials};

fn password(username: &str, password: &str) -> UpstreamCredentials {
    UpstreamCredentials::Password { username: username.to_owned(), password: password.to_owned() }
}

fn config(url: &str, credentials: UpstreamCredentials) -> ProxyConfig {
    let mut config = ProxyConfig::new(url, UpstreamAuth::ServiceAccount(credentials));
    config.connect_timeout_ms = 1_000;
    config.read_timeout_ms = 2_000;
    config.health_check_interval_ms = 0;
    config
}

fn upstream(product: Product, config: ProxyConfig) -> Upstream {
    Upstream::new(product, config).expect("upstream")
}

/// A fake that answers every request with 200 and `{"ok":1}`.
async fn ok_fake() -> Fake {
    fake(|_| async { json(200, serde_json::json!({"ok": 1})) }.boxed()).await
}

fn assert_no_caller_credentials(seen: &super::Seen) {
    assert_ne!(seen.header("authorization"), Some("Basic YWxpY2U6c2VjcmV0"));
    assert_ne!(seen.header("x-opsview-token"), Some("0123456789abcdef0123456789abcdef"));
    assert_eq!(seen.header("cookie"), None);
}

#[tokio::test]
async fn opennms_upstream_gets_basic_and_never_the_callers_credentials() {
    let upstream_server = ok_fake().await;
    let proxy = upstream(Product::Opennms, config(&upstream_server.url, password("svc", "pw")));
    let ctx = context("alice").await;
    let response = proxy
        .forward(&ctx, caller_request(Method::GET, "/opennms/rest/nodes?limit=10", Bytes::new()), "")
        .await
        .expect("forwarded");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_of(response).await, r#"{"ok":1}"#);
    let seen = upstream_server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].uri, "/opennms/rest/nodes?limit=10");
    assert_eq!(seen[0].header("authorization"), Some("Basic c3ZjOnB3"));
    assert_eq!(seen[0].header("x-opsview-username"), None);
    assert_no_caller_credentials(&seen[0]);
    assert_eq!(seen[0].header("x-forwarded-for"), Some("10.0.0.9"));
    assert_eq!(seen[0].header("host"), upstream_server.url.strip_prefix("http://"), "the upstream's own host and port");
}

#[tokio::test]
async fn prepared_credential_headers_are_reused_and_follow_the_credentials() {
    let proxy = upstream(Product::Opennms, config("http://127.0.0.1:9", password("svc", "pw")));
    let headers = |credentials: UpstreamCredentials| {
        let proxy = &proxy;
        async move {
            let timeout = Duration::from_secs(1);
            proxy.translator.headers(&credentials, &proxy.client, &proxy.url, timeout).await.expect("headers")
        }
    };
    let first = headers(password("svc", "pw")).await;
    assert_eq!(first[0].1, "Basic c3ZjOnB3");
    assert!(Arc::ptr_eq(&first, &headers(password("svc", "pw")).await), "built once, then shared");
    assert_eq!(headers(password("svc", "pw2")).await[0].1, "Basic c3ZjOnB3Mg==", "a new password, a new field");
    assert_eq!(headers(password("svc2", "pw")).await[0].1, "Basic c3ZjMjpwdw==", "a new user, a new field");
    assert_eq!(headers(password("svc", "pw")).await[0].1, "Basic c3ZjOnB3");
}

#[tokio::test]
async fn each_mapped_user_keeps_its_own_upstream_account_request_after_request() {
    let server = ok_fake().await;
    let users = BTreeMap::from([("alice".to_owned(), password("alice-up", "a")), ("bob".to_owned(), password("bob-up", "b"))]);
    let mut settings = config(&server.url, password("unused", "x"));
    settings.auth = UpstreamAuth::PerUser { users, fallback: None };
    let proxy = upstream(Product::Opennms, settings);
    let (alice, bob) = (context("alice").await, context("bob").await);
    for ctx in [&alice, &bob, &alice, &bob] {
        proxy.forward(ctx, caller_request(Method::GET, "/opennms/rest/alarms", Bytes::new()), "").await.expect("ok");
    }
    let sent: Vec<Option<String>> = server.seen().iter().map(|seen| seen.header("authorization").map(str::to_owned)).collect();
    let (alice_up, bob_up) = (Some("Basic YWxpY2UtdXA6YQ==".to_owned()), Some("Basic Ym9iLXVwOmI=".to_owned()));
    assert_eq!(sent, vec![alice_up.clone(), bob_up.clone(), alice_up, bob_up]);
}

#[tokio::test]
async fn openitcockpit_upstream_gets_its_api_key_and_no_apikey_query() {
    let upstream_server = ok_fake().await;
    let key = "ab".repeat(80);
    let proxy = upstream(Product::Openitcockpit, config(&upstream_server.url, UpstreamCredentials::ApiKey { apikey: key.clone() }));
    let ctx = context("alice").await;
    let request = caller_request(Method::GET, "/hosts/index.json?apikey=callerkey&angular=true", Bytes::new());
    let response = proxy.forward(&ctx, request, "").await.expect("forwarded");
    assert_eq!(response.status(), StatusCode::OK);
    let seen = upstream_server.seen();
    assert_eq!(seen[0].uri, "/hosts/index.json?angular=true");
    assert_eq!(seen[0].header("authorization"), Some(format!("X-OITC-API {key}").as_str()));
    assert_no_caller_credentials(&seen[0]);
}

/// A fake Opsview: `/rest/login` issues numbered tokens; other paths need the newest token, and answer
/// 401 to older ones.
async fn fake_opsview() -> (Fake, Arc<AtomicUsize>) {
    let logins = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&logins);
    let server = fake(move |seen| {
        let counter = Arc::clone(&counter);
        async move {
            if seen.uri == "/rest/login" {
                let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap_or_default();
                if body["username"] != "svc" || body["password"] != "pw" {
                    return json(401, serde_json::json!({"message": "Invalid username or password"}));
                }
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                return json(200, serde_json::json!({"token": format!("token-{n}")}));
            }
            let current = format!("token-{}", counter.load(Ordering::SeqCst));
            if seen.header("x-opsview-username") == Some("svc") && seen.header("x-opsview-token") == Some(current.as_str()) {
                json(200, serde_json::json!({"list": []}))
            } else {
                json(401, serde_json::json!({"message": "Token has expired"}))
            }
        }
        .boxed()
    })
    .await;
    (server, logins)
}

#[tokio::test]
async fn opsview_token_is_reused_and_refreshed_on_401() {
    let (server, logins) = fake_opsview().await;
    let proxy = upstream(Product::Opsview, config(&server.url, password("svc", "pw")));
    let ctx = context("alice").await;
    for _ in 0..3 {
        let response = proxy.forward(&ctx, caller_request(Method::GET, "/rest/config/host", Bytes::new()), "").await.expect("ok");
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(logins.load(Ordering::SeqCst), 1, "one log-in, token reused");
    // The upstream forgets the session: the next call gets 401, Rosetta logs in again and retries.
    logins.fetch_add(1, Ordering::SeqCst);
    let response = proxy
        .forward(&ctx, caller_request(Method::POST, "/rest/config/host", r#"{"name":"x"}"#), "")
        .await
        .expect("ok");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(logins.load(Ordering::SeqCst), 3);
    let seen = server.seen();
    let last = seen.last().expect("seen");
    assert_eq!(last.method, Method::POST);
    assert_eq!(last.body, r#"{"name":"x"}"#, "the body is re-sent after the refresh");
    assert!(seen.iter().all(|seen| seen.header("x-opsview-token") != Some("0123456789abcdef0123456789abcdef")));
}

#[tokio::test]
async fn opsview_token_is_refreshed_after_expiry() {
    let (server, logins) = fake_opsview().await;
    let mut settings = config(&server.url, password("svc", "pw"));
    settings.token_ttl_ms = 50;
    let proxy = upstream(Product::Opsview, settings);
    let ctx = context("alice").await;
    proxy.forward(&ctx, caller_request(Method::GET, "/rest/status/host", Bytes::new()), "").await.expect("ok");
    tokio::time::sleep(Duration::from_millis(80)).await;
    let response = proxy.forward(&ctx, caller_request(Method::GET, "/rest/status/host", Bytes::new()), "").await.expect("ok");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(logins.load(Ordering::SeqCst), 2);
    assert!(server.seen().iter().filter(|seen| seen.uri != "/rest/login").all(|seen| seen.header("x-opsview-token").is_some()));
}

#[tokio::test]
async fn opsview_pre_issued_tokens_are_sent_as_they_are() {
    let server = ok_fake().await;
    let credentials = UpstreamCredentials::Token { token: "feedface".to_owned(), username: "svc".to_owned() };
    let proxy = upstream(Product::Opsview, config(&server.url, credentials));
    let ctx = context("alice").await;
    proxy.forward(&ctx, caller_request(Method::GET, "/rest/info", Bytes::new()), "").await.expect("ok");
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "no log-in");
    assert_eq!(seen[0].header("x-opsview-token"), Some("feedface"));
    assert_eq!(seen[0].header("x-opsview-username"), Some("svc"));
}

#[tokio::test]
async fn per_user_mapping_picks_the_upstream_account_and_refuses_unmapped_users() {
    let server = ok_fake().await;
    let users = BTreeMap::from([("alice".to_owned(), password("alice-up", "a"))]);
    let mut settings = config(&server.url, password("unused", "x"));
    settings.auth = UpstreamAuth::PerUser { users, fallback: None };
    let proxy = upstream(Product::Opennms, settings.clone());
    let response = proxy
        .forward(&context("alice").await, caller_request(Method::GET, "/opennms/rest/alarms", Bytes::new()), "")
        .await
        .expect("ok");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(server.seen()[0].header("authorization"), Some("Basic YWxpY2UtdXA6YQ=="));
    let err = proxy
        .forward(&context("bob").await, caller_request(Method::GET, "/opennms/rest/alarms", Bytes::new()), "")
        .await
        .expect_err("unmapped");
    assert_eq!(err.kind, ErrorKind::Forbidden);
    settings.auth = UpstreamAuth::PerUser { users: BTreeMap::new(), fallback: Some(password("guest", "g")) };
    let proxy = upstream(Product::Opennms, settings);
    proxy
        .forward(&context("bob").await, caller_request(Method::GET, "/opennms/rest/alarms", Bytes::new()), "")
        .await
        .expect("fallback");
    assert_eq!(server.seen()[1].header("authorization"), Some("Basic Z3Vlc3Q6Zw=="));
}

#[tokio::test]
async fn unauthenticated_callers_get_401() {
    let server = ok_fake().await;
    let proxy = upstream(Product::Opennms, config(&server.url, password("svc", "pw")));
    let ctx = context("alice").await;
    let anonymous = rosetta_core::RequestContext::new(ctx.app.clone(), "r".to_owned(), None, Ok(None));
    let err = proxy
        .forward(&anonymous, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "")
        .await
        .expect_err("401");
    assert_eq!(err.kind, ErrorKind::Unauthenticated);
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn large_bodies_stream_both_ways() {
    const SIZE: usize = 8 * 1024 * 1024;
    let server = fake(|seen| {
        async move {
            let mut response = http::Response::new(rosetta_core::request::full(vec![b'r'; SIZE]));
            response.headers_mut().insert("x-received", http::HeaderValue::from(seen.body.len()));
            response
        }
        .boxed()
    })
    .await;
    let proxy = upstream(Product::Opennms, config(&server.url, password("svc", "pw")));
    let ctx = context("alice").await;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<http_body::Frame<Bytes>, rosetta_core::BoxError>>(4);
    tokio::spawn(async move {
        for _ in 0..(SIZE / 65536) {
            if sender.send(Ok(http_body::Frame::data(Bytes::from(vec![b'q'; 65536])))).await.is_err() {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|frame| (frame, receiver))
    });
    let body = http_body_util::BodyExt::boxed(http_body_util::StreamBody::new(stream));
    let request = http::Request::builder().method(Method::PUT).uri("/opennms/rest/requisitions").body(body).expect("request");
    let response = proxy.forward(&ctx, request, "").await.expect("forwarded");
    assert_eq!(response.headers()["x-received"], SIZE.to_string().as_str());
    let body = body_of(response).await;
    assert_eq!(body.len(), SIZE);
}

#[tokio::test]
async fn hop_by_hop_headers_are_removed_both_ways() {
    let server = fake(|_| {
        async {
            let mut response = json(200, serde_json::json!({}));
            let headers = response.headers_mut();
            headers.insert("connection", http::HeaderValue::from_static("x-upstream-hop"));
            headers.insert("x-upstream-hop", http::HeaderValue::from_static("1"));
            headers.insert("proxy-authenticate", http::HeaderValue::from_static("Basic"));
            headers.insert("set-cookie", http::HeaderValue::from_static("JSESSIONID=upstream"));
            response
        }
        .boxed()
    })
    .await;
    let proxy = upstream(Product::Opennms, config(&server.url, password("svc", "pw")));
    let ctx = context("alice").await;
    let mut request = caller_request(Method::GET, "/opennms/rest/info", Bytes::new());
    let headers = request.headers_mut();
    headers.insert("connection", http::HeaderValue::from_static("keep-alive, x-caller-hop"));
    headers.insert("x-caller-hop", http::HeaderValue::from_static("1"));
    headers.insert("keep-alive", http::HeaderValue::from_static("timeout=5"));
    headers.insert("proxy-authorization", http::HeaderValue::from_static("Basic eDp5"));
    headers.insert("upgrade", http::HeaderValue::from_static("h2c"));
    headers.insert("x-end-to-end", http::HeaderValue::from_static("kept"));
    let response = proxy.forward(&ctx, request, "").await.expect("forwarded");
    for gone in ["x-upstream-hop", "proxy-authenticate", "set-cookie"] {
        assert!(!response.headers().contains_key(gone), "{gone}");
    }
    assert_eq!(response.headers()["x-upstream"], "fake");
    assert_eq!(response.headers()["via"], "1.1 rosetta");
    let seen = &server.seen()[0];
    for gone in ["x-caller-hop", "keep-alive", "proxy-authorization", "upgrade"] {
        assert_eq!(seen.header(gone), None, "{gone}");
    }
    assert_eq!(seen.header("x-end-to-end"), Some("kept"));
}

/// A raw upstream on a fresh port: each accepted connection goes to `answer` with its number (from 0), in
/// a task of its own. Returns the upstream's URL and the count of connections accepted.
async fn raw_upstream<F, Fut>(answer: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(usize, TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            tokio::spawn(answer(counter.fetch_add(1, Ordering::SeqCst), stream));
        }
    });
    (format!("http://{addr}"), connections)
}

/// Reads what the proxy sent (one request); 0 when it closed the connection instead.
async fn read_request(stream: &mut TcpStream) -> usize {
    let mut buffer = vec![0u8; 65536];
    stream.read(&mut buffer).await.unwrap_or(0)
}

/// A raw upstream that reads each request and closes the connection without answering on the first
/// `failures` connections, then answers 200.
async fn flaky_upstream(failures: usize) -> (String, Arc<AtomicUsize>) {
    raw_upstream(move |n, mut stream| async move {
        read_request(&mut stream).await;
        if n >= failures {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").await;
        }
    })
    .await
}

#[tokio::test]
async fn only_idempotent_requests_are_retried() {
    let (url, connections) = flaky_upstream(1).await;
    let proxy = upstream(Product::Opennms, config(&url, password("svc", "pw")));
    let ctx = context("alice").await;
    let response = proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect("retried");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(connections.load(Ordering::SeqCst), 2);

    let (url, connections) = flaky_upstream(1).await;
    let proxy = upstream(Product::Opennms, config(&url, password("svc", "pw")));
    let err = proxy
        .forward(&ctx, caller_request(Method::POST, "/opennms/rest/events", "{}"), "")
        .await
        .expect_err("not retried");
    assert_eq!(err.kind, ErrorKind::BadGateway);
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn upstream_down_is_502() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let proxy = upstream(Product::Opsview, config(&format!("http://{addr}"), password("svc", "pw")));
    let ctx = context("alice").await;
    let err = proxy.forward(&ctx, caller_request(Method::GET, "/rest/info", Bytes::new()), "").await.expect_err("down");
    assert_eq!(err.kind, ErrorKind::BadGateway);
    assert_eq!(err.status(), StatusCode::BAD_GATEWAY);
}

#[tokio::test]
async fn slow_upstream_is_504_within_the_timeout() {
    let server = fake(|_| {
        async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            json(200, serde_json::json!({}))
        }
        .boxed()
    })
    .await;
    let mut settings = config(&server.url, password("svc", "pw"));
    settings.read_timeout_ms = 300;
    let proxy = upstream(Product::Opennms, settings);
    let ctx = context("alice").await;
    let started = Instant::now();
    let err = proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect_err("slow");
    assert_eq!(err.kind, ErrorKind::GatewayTimeout);
    assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
}

#[tokio::test]
async fn connection_closed_mid_response_is_502() {
    let (url, _) = raw_upstream(|_, mut stream| async move {
        read_request(&mut stream).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-le").await;
    })
    .await;
    let proxy = upstream(Product::Opennms, config(&url, password("svc", "pw")));
    let ctx = context("alice").await;
    let err = proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect_err("cut");
    assert_eq!(err.kind, ErrorKind::BadGateway);
}

#[tokio::test]
async fn a_body_cut_short_ends_the_stream_with_an_error() {
    let (url, _) = raw_upstream(|_, mut stream| async move {
        read_request(&mut stream).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial").await;
    })
    .await;
    let proxy = upstream(Product::Opennms, config(&url, password("svc", "pw")));
    let ctx = context("alice").await;
    let response = proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect("head");
    let result = http_body_util::BodyExt::collect(response.into_body()).await;
    assert!(result.is_err(), "the caller sees the cut, not a short body");
}

/// An upstream that answers `HTTP/1.1 200` with a 9-byte body sent in three parts, `pause` apart.
async fn trickling_upstream(pause: Duration) -> String {
    let (url, _) = raw_upstream(move |_, mut stream| async move {
        read_request(&mut stream).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nabc").await;
        for part in [b"def", b"ghi"] {
            tokio::time::sleep(pause).await;
            let _ = stream.write_all(part).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    })
    .await;
    url
}

#[tokio::test]
async fn the_read_timeout_limits_each_pause_in_the_body_not_the_whole_body() {
    let mut settings = config(&trickling_upstream(Duration::from_millis(200)).await, password("svc", "pw"));
    settings.read_timeout_ms = 300;
    let proxy = upstream(Product::Opennms, settings);
    let ctx = context("alice").await;
    let response = proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect("head");
    assert_eq!(body_of(response).await, "abcdefghi", "two pauses of 200 ms under a 300 ms limit");

    let mut settings = config(&trickling_upstream(Duration::from_millis(600)).await, password("svc", "pw"));
    settings.read_timeout_ms = 300;
    let proxy = upstream(Product::Opennms, settings);
    let response = proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect("head");
    let started = Instant::now();
    let err = http_body_util::BodyExt::collect(response.into_body()).await.expect_err("a 600 ms pause is over the limit");
    assert!(super::super::forward::describe(err.as_ref()).contains("timed out"), "{err}");
    assert!(started.elapsed() < Duration::from_millis(550), "cut at the limit, not at the next part");
}

#[tokio::test]
async fn upstream_5xx_is_passed_through() {
    let server = fake(|_| async { json(500, serde_json::json!({"message": "boom"})) }.boxed()).await;
    let proxy = upstream(Product::Opsview, config(&server.url, UpstreamCredentials::Token { token: "t".into(), username: "u".into() }));
    let ctx = context("alice").await;
    let response = proxy.forward(&ctx, caller_request(Method::GET, "/rest/info", Bytes::new()), "").await.expect("passed");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body_of(response).await, r#"{"message":"boom"}"#);
    assert_eq!(server.seen().len(), 1, "a 5xx answer is not retried");
}

#[tokio::test]
async fn breaker_opens_after_failures_and_recovers_after_the_cooldown() {
    let healthy = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&healthy);
    let server = fake(move |_| {
        let ok = flag.load(Ordering::SeqCst);
        async move { json(if ok { 200 } else { 503 }, serde_json::json!({})) }.boxed()
    })
    .await;
    let mut settings = config(&server.url, password("svc", "pw"));
    settings.breaker.failure_threshold = 3;
    settings.breaker.cooldown_ms = 200;
    let proxy = upstream(Product::Opennms, settings);
    let ctx = context("alice").await;
    for _ in 0..3 {
        let response = proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect("503");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    assert!(proxy.is_circuit_open());
    let err = proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect_err("open");
    assert_eq!(err.kind, ErrorKind::BadGateway);
    assert_eq!(server.seen().len(), 3, "an open circuit does not call the upstream");
    healthy.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(250)).await;
    let response = proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect("trial");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!proxy.is_circuit_open());
}

#[tokio::test]
async fn health_checks_report_and_close_the_breaker() {
    let server = ok_fake().await;
    let mut settings = config(&server.url, password("svc", "pw"));
    settings.breaker.failure_threshold = 1;
    settings.breaker.cooldown_ms = 60_000;
    let proxy = Arc::new(upstream(Product::Opennms, settings));
    proxy.breaker.failure();
    assert!(proxy.is_circuit_open());
    assert!(proxy.check_health().await);
    assert!(!proxy.is_circuit_open());
    assert_eq!(server.seen()[0].uri, "/opennms/rest/info");
    assert_eq!(server.seen()[0].header("authorization"), None, "health checks carry no credentials");

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let mut settings = config(&format!("http://{addr}"), password("svc", "pw"));
    settings.health_check_interval_ms = 20;
    settings.breaker.failure_threshold = 2;
    let down = Arc::new(upstream(Product::Opennms, settings));
    down.spawn_health_checks();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(down.is_circuit_open(), "failed probes open the breaker");
}

#[tokio::test]
async fn read_only_mounts_reject_writes() {
    let server = ok_fake().await;
    let mut settings = config(&server.url, password("svc", "pw"));
    settings.read_only = true;
    let proxy = upstream(Product::Opennms, settings);
    let ctx = context("alice").await;
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
        let err = proxy.forward(&ctx, caller_request(method, "/opennms/rest/nodes", "{}"), "").await.expect_err("write");
        assert_eq!(err.kind, ErrorKind::Forbidden);
    }
    proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/nodes", Bytes::new()), "").await.expect("read");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn allow_and_deny_lists_match_path_segments_below_the_mount() {
    let server = ok_fake().await;
    let mut settings = config(&server.url, UpstreamCredentials::Token { token: "t".into(), username: "svc".into() });
    settings.allow = vec!["/rest/status".to_owned(), "/rest/config".to_owned()];
    settings.deny = vec!["/rest/config/contact".to_owned()];
    let proxy = upstream(Product::Opsview, settings);
    let ctx = context("alice").await;
    let forward = |path: &'static str| proxy.forward(&ctx, caller_request(Method::GET, path, Bytes::new()), "/legacy");
    forward("/legacy/rest/status/host").await.expect("allowed");
    forward("/legacy/rest/config/host").await.expect("allowed");
    for refused in ["/legacy/rest/config/contact/1", "/legacy/rest/statusx", "/legacy/rest/reload"] {
        let err = forward(refused).await.expect_err(refused);
        assert_eq!(err.kind, ErrorKind::Forbidden, "{refused}");
    }
    let uris: Vec<String> = server.seen().iter().map(|seen| seen.uri.clone()).collect();
    assert_eq!(uris, vec!["/rest/status/host", "/rest/config/host"], "the mount prefix is removed");
}

#[tokio::test]
async fn gets_are_cached_honouring_cache_control() {
    let server = fake(|seen| {
        async move {
            let mut response = json(200, serde_json::json!({"uri": seen.uri}));
            if seen.uri.contains("nostore") {
                response.headers_mut().insert("cache-control", http::HeaderValue::from_static("no-store"));
            }
            response
        }
        .boxed()
    })
    .await;
    let mut settings = config(&server.url, password("svc", "pw"));
    settings.cache_ttl_ms = 5_000;
    let proxy = upstream(Product::Opennms, settings);
    let ctx = context("alice").await;
    let get = |path: &'static str| proxy.forward(&ctx, caller_request(Method::GET, path, Bytes::new()), "");
    let first = get("/opennms/rest/nodes").await.expect("miss");
    assert_eq!(first.headers()["x-rosetta-cache"], "miss");
    let second = get("/opennms/rest/nodes").await.expect("hit");
    assert_eq!(second.headers()["x-rosetta-cache"], "hit");
    assert_eq!(body_of(second).await, r#"{"uri":"/opennms/rest/nodes"}"#);
    assert_eq!(server.seen().len(), 1);
    get("/opennms/rest/nostore").await.expect("first");
    get("/opennms/rest/nostore").await.expect("second");
    assert_eq!(server.seen().len(), 3, "no-store answers are not cached");
    let mut bypass = caller_request(Method::GET, "/opennms/rest/nodes", Bytes::new());
    bypass.headers_mut().insert("cache-control", http::HeaderValue::from_static("no-cache"));
    proxy.forward(&ctx, bypass, "").await.expect("bypass");
    assert_eq!(server.seen().len(), 4, "a no-cache request goes to the upstream");
}

#[tokio::test]
async fn translations_are_audited_once_per_minute_per_principal_and_mount() {
    let server = ok_fake().await;
    let proxy = upstream(Product::Opennms, config(&server.url, password("svc", "pw")));
    let ctx = context("alice").await;
    for _ in 0..3 {
        proxy.forward(&ctx, caller_request(Method::GET, "/site/opennms/rest/info", Bytes::new()), "/site").await.expect("ok");
    }
    proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect("ok");
    let entries: Vec<_> = ctx
        .app
        .db
        .all::<AuditEntry>()
        .into_iter()
        .filter(|entry| entry.action == "proxy_credential_translation")
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0].user, "alice");
    assert!(entries[0].detail.contains("upstream identity svc"), "{}", entries[0].detail);
    assert!(!entries.iter().any(|entry| entry.detail.contains("pw")));
}

#[tokio::test]
async fn the_rate_limit_is_per_principal() {
    let server = ok_fake().await;
    let mut settings = config(&server.url, password("svc", "pw"));
    settings.rate_per_principal = Some(2.0);
    let proxy = upstream(Product::Opennms, settings);
    let alice = context("alice").await;
    let bob = context("bob").await;
    let get = |ctx| proxy.forward(ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "");
    get(&alice).await.expect("1");
    get(&alice).await.expect("2");
    assert_eq!(get(&alice).await.expect_err("3").kind, ErrorKind::TooManyRequests);
    get(&bob).await.expect("bob has his own bucket");
}

#[test]
fn configuration_parses_with_defaults_and_validation_lists_every_problem() {
    let config: ProxyConfig = serde_json::from_value(serde_json::json!({
        "upstream": "https://opsview.example.com",
        "auth": {"per_user": {"users": {"alice": {"username": "a", "password": "p"}}, "fallback": {"token": "t", "username": "svc"}}}
    }))
    .expect("parses");
    assert_eq!(config.read_timeout_ms, 30_000);
    assert!(config.validate_for(Product::Opsview).is_empty(), "{:?}", config.validate_for(Product::Opsview));
    assert_eq!(config.validate_for(Product::Openitcockpit).len(), 2);
    let unknown = serde_json::from_value::<ProxyConfig>(serde_json::json!({
        "upstream": "http://x", "auth": {"service_account": {"apikey": "k"}}, "colour": "blue"
    }));
    assert!(unknown.is_err());
    let mut bad = ProxyConfig::new("ftp://", UpstreamAuth::ServiceAccount(UpstreamCredentials::ApiKey { apikey: "k".into() }));
    bad.read_timeout_ms = 0;
    bad.allow = vec!["rest".into()];
    bad.rate_per_principal = Some(-1.0);
    let problems = bad.validate();
    assert!(problems.len() >= 4, "{problems:?}");
    assert!(!format!("{:?}", bad).contains("\"k\""), "secrets are redacted");
    assert!(Upstream::new(Product::Opennms, bad).is_err());
}

#[test]
fn an_https_upstream_needs_a_readable_ca_file() {
    let mut settings = ProxyConfig::new("https://127.0.0.1:1", UpstreamAuth::ServiceAccount(password("a", "b")));
    settings.ca_file = Some("/nonexistent/ca.pem".into());
    assert!(Upstream::new(Product::Opennms, settings).is_err());
}

/// The first connection answers one request with keep-alive, then reads the next request and dies
/// without answering (as an upstream closing an idle connection does); later connections answer.
async fn dies_on_reuse() -> (String, Arc<AtomicUsize>) {
    raw_upstream(|n, mut stream| async move {
        if read_request(&mut stream).await == 0 {
            return;
        }
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst").await;
        if n == 0 {
            read_request(&mut stream).await;
        }
    })
    .await
}

#[tokio::test]
async fn a_post_failing_on_a_reused_connection_is_retried() {
    let (url, connections) = dies_on_reuse().await;
    let proxy = upstream(Product::Opennms, config(&url, password("svc", "pw")));
    let ctx = context("alice").await;
    let response = proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect("first");
    assert_eq!(body_of(response).await, "first");
    let response = proxy
        .forward(&ctx, caller_request(Method::POST, "/opennms/rest/events", "{}"), "")
        .await
        .expect("retried on a fresh connection");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(connections.load(Ordering::SeqCst), 2);

    // Without retries the same failure reaches the caller: the retry above was Rosetta's decision.
    let (url, _) = dies_on_reuse().await;
    let mut settings = config(&url, password("svc", "pw"));
    settings.retries = 0;
    let proxy = upstream(Product::Opennms, settings);
    proxy.forward(&ctx, caller_request(Method::GET, "/opennms/rest/info", Bytes::new()), "").await.expect("first");
    let err = proxy.forward(&ctx, caller_request(Method::POST, "/opennms/rest/events", "{}"), "").await.expect_err("no retry");
    assert_eq!(err.kind, ErrorKind::BadGateway);
}
