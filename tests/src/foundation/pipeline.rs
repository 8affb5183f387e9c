//! The request pipeline: probes, limits in each dialect's shape, request ids, unknown paths.

use crate::harness::{get, post, TestServer, ADMIN_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_answer_without_credentials() {
    let server = TestServer::start().await;
    let health = get(server.url("/healthz")).send().await;
    assert_eq!((health.status.as_u16(), health.text().as_str()), (200, "ok\n"));
    let ready = get(server.url("/readyz")).send().await;
    assert_eq!(ready.status, 200);
    let expected = if crate::harness::postgres_url().is_some() { "postgres" } else { "sqlite" };
    assert_eq!(ready.json()["store"], expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_echoed_or_generated() {
    let server = TestServer::start().await;
    let echoed = get(server.url("/healthz")).header("x-request-id", "abc-123").send().await;
    assert_eq!(echoed.header("x-request-id"), Some("abc-123"));
    let generated = get(server.url("/healthz")).send().await;
    assert_eq!(generated.header("x-request-id").map(str::len), Some(36));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_bodies_get_413_in_each_dialects_shape() {
    let server = TestServer::start_with(|config| config.server.limits.max_body_bytes = 1024).await;
    let body = vec![b'x'; 4096];
    let native = post(server.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).body(body.clone()).send().await;
    assert_eq!(native.status, 413);
    assert_eq!(native.json()["error"]["kind"], "payload_too_large");
    let opsview = post(server.url("/rest/login")).header("content-type", "application/json").body(body.clone()).send().await;
    assert_eq!(opsview.status, 413);
    assert!(opsview.json()["message"].as_str().expect("message").contains("larger than 1024"));
    let opennms = post(server.url("/opennms/rest/events")).basic("admin", ADMIN_PASSWORD).body(body.clone()).send().await;
    assert_eq!(opennms.status, 413);
    let oitc = post(server.url("/hosts/add.json")).body(body).send().await;
    assert_eq!(oitc.status, 413);
    assert_eq!(oitc.json()["code"], 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_headers_get_431() {
    let server = TestServer::start_with(|config| config.server.limits.max_headers = 10).await;
    let mut call = get(server.url("/api/v1/whoami"));
    for idx in 0..20 {
        call = call.header(&format!("x-extra-{idx}"), "1");
    }
    let reply = call.send().await;
    assert_eq!(reply.status, 431);
    assert_eq!(reply.json()["error"]["kind"], "headers_too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_native_paths_are_404_in_rosettas_shape() {
    let server = TestServer::start().await;
    let reply = get(server.url("/api/v1/nothing-here")).basic("admin", ADMIN_PASSWORD).send().await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["kind"], "not_found");
}
