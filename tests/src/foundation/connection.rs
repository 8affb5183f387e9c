//! Connection-level behaviour: slow clients, malformed bytes, HTTP/2, TLS.

use std::time::{Duration, Instant};

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{get, run_program, TempDir, TestServer, ADMIN_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_is_cut_off_while_others_are_served() {
    let server = TestServer::start_with(|config| config.server.limits.header_read_timeout_secs = 1).await;
    let mut slow = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.expect("partial headers");
    let started = Instant::now();
    let fast = get(server.url("/healthz")).send().await;
    assert_eq!(fast.status, 200, "other clients are served meanwhile");
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the slow connection is closed by the server");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(800) && elapsed < Duration::from_secs(4), "cut off after {elapsed:?}");
    let text = String::from_utf8_lossy(&buf);
    assert!(!text.contains("200 OK"), "no answer for the incomplete request: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_utf8_header_values_do_not_break_anything() {
    let server = TestServer::start().await;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    let mut request = b"GET /api/v1/whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic \xff\xfe\xfd\r\nX-Opsview-Username: \xc3\x28\r\n\r\n".to_vec();
    request.extend_from_slice(b"");
    stream.write_all(&request).await.expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response)).await.expect("answer").expect("read");
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    assert!(text.contains("\"kind\":\"unauthenticated\""), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_with_prior_knowledge_is_served() {
    let server = TestServer::start().await;
    let (code, stdout, stderr) = run_program(
        std::path::Path::new("curl"),
        &["-s", "-i", "--http2-prior-knowledge", "-u", &format!("admin:{ADMIN_PASSWORD}"), &server.url("/api/v1/whoami")],
        std::path::Path::new("."),
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("HTTP/2 200"), "{stdout}");
    assert!(stdout.contains("\"login\":\"admin\""), "{stdout}");
}

/// One HTTP/2 frame: 24-bit length, type, flags, stream id, payload.
fn h2_frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let mut frame = (payload.len() as u32).to_be_bytes()[1..].to_vec();
    frame.extend_from_slice(&[kind, flags]);
    frame.extend_from_slice(&stream.to_be_bytes());
    frame.extend_from_slice(payload);
    frame
}

/// Reads frames until the server closes the connection; returns the GOAWAY error code, if one came.
async fn h2_goaway_code(stream: &mut tokio::net::TcpStream) -> Option<u32> {
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buf)).await;
    let mut rest = buf.as_slice();
    let mut code = None;
    while rest.len() >= 9 {
        let len = u32::from_be_bytes([0, rest[0], rest[1], rest[2]]) as usize;
        if rest.len() < 9 + len {
            break;
        }
        if rest[3] == 7 && len >= 8 {
            code = Some(u32::from_be_bytes([rest[13], rest[14], rest[15], rest[16]]));
        }
        rest = &rest[9 + len..];
    }
    code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_rapid_reset_flood_is_cut_off_while_others_are_served() {
    let server = TestServer::start_with(|config| config.server.limits.max_http2_pending_resets = 20).await;
    let mut flood = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    // Connection preface, empty SETTINGS, then 2,000 requests each cancelled at once (HEADERS + RST_STREAM
    // CANCEL), all in one write, as the CVE-2023-44487 attack does.
    let mut bytes = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    bytes.extend(h2_frame(4, 0, 0, &[]));
    // HPACK: :method GET, :scheme http (static), :path /healthz and :authority x (literals, not indexed).
    let mut block = vec![0x82, 0x86, 0x04, 8];
    block.extend_from_slice(b"/healthz");
    block.extend_from_slice(&[0x01, 1, b'x']);
    for n in 0..2000u32 {
        let stream = 2 * n + 1;
        bytes.extend(h2_frame(1, 0x4 | 0x1, stream, &block));
        bytes.extend(h2_frame(3, 0, stream, &8u32.to_be_bytes()));
    }
    let _ = flood.write_all(&bytes).await;
    let code = h2_goaway_code(&mut flood).await;
    assert_eq!(code, Some(0xb), "the flooding connection ends with GOAWAY ENHANCE_YOUR_CALM");

    // Everyone else is still served, over HTTP/2 too.
    let (status, stdout, stderr) = run_program(
        std::path::Path::new("curl"),
        &["-s", "-i", "--http2-prior-knowledge", &server.url("/healthz")],
        std::path::Path::new("."),
    )
    .await;
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.starts_with("HTTP/2 200"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_serves_http1_and_http2_with_the_configured_certificate() {
    let dir = TempDir::new("tls");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let (code, _, stderr) = run_program(
        std::path::Path::new("openssl"),
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", &key.display().to_string(), "-out", &cert.display().to_string(),
        ],
        dir.path(),
    )
    .await;
    assert_eq!(code, 0, "openssl: {stderr}");
    let mut config = crate::harness::test_config(dir.path());
    config.server.tls = Some(rosetta_server::config::TlsConfig { cert: cert.clone(), key });
    let built = rosetta_server::build(&config).await.expect("build");
    let acceptor = rosetta_server::listener::tls_acceptor(config.server.tls.as_ref().expect("tls")).expect("acceptor");
    let listeners = rosetta_server::listener::bind(&config.server.listen).await.expect("bind");
    let addr = listeners[0].local_addr().expect("addr");
    let settings = rosetta_server::listener::ConnectionSettings::from_config(&config.server.limits);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = rosetta_server::listener::TlsHandle::new(acceptor);
    let task = tokio::spawn(rosetta_server::listener::serve(listeners, built.gateway, Some(handle), settings, async {
        let _ = stopped.await;
    }));
    let url = format!("https://localhost:{}/healthz", addr.port());
    let resolve = format!("localhost:{}:127.0.0.1", addr.port());
    for (flag, expected) in [("--http1.1", "HTTP/1.1 200"), ("--http2", "HTTP/2 200")] {
        let (code, stdout, stderr) = run_program(
            std::path::Path::new("curl"),
            &["-s", "-i", flag, "--cacert", &cert.display().to_string(), "--resolve", &resolve, &url],
            dir.path(),
        )
        .await;
        assert_eq!(code, 0, "curl {flag}: {stderr}");
        assert!(stdout.starts_with(expected), "{flag}: {stdout}");
    }
    let _ = stop.send(());
    let _ = task.await;
    crate::harness::drop_test_schema(&config);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_gateway_makes_new_requests_wait_for_a_slot() {
    let server = TestServer::start_with(|config| {
        config.server.limits.max_concurrent_requests = 1;
        config.server.limits.request_timeout_secs = 2;
    })
    .await;
    // One request holds the only slot while it waits for a body that never comes, until its own deadline.
    let mut holder = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    let head = format!(
        "POST /api/v1/results HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nAuthorization: Basic {}\r\n\r\n{{\"results\":",
        base64::engine::general_purpose::STANDARD.encode(format!("admin:{ADMIN_PASSWORD}"))
    );
    let started = Instant::now();
    holder.write_all(head.as_bytes()).await.expect("partial body");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let waiting = get(server.url("/api/v1/whoami")).basic("admin", ADMIN_PASSWORD).send().await;
    let waited = started.elapsed();
    assert_eq!(waiting.status, 200, "{}", waiting.text());
    assert!(waited >= Duration::from_millis(1800), "it was served only once the holder's slot was free: {waited:?}");
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(3), holder.read(&mut answer)).await.expect("holder answered").expect("read");
    let text = String::from_utf8_lossy(&answer[..read]);
    assert!(text.starts_with("HTTP/1.1 408") || text.starts_with("HTTP/1.1 504") || text.starts_with("HTTP/1.1 503"), "{text}");
}
