//! The Opsview dialect's configurable choices, set in `gateway.toml`.

use crate::harness::{get, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_format_and_reported_version_come_from_the_configuration() {
    let server = TestServer::start_with(|config| {
        config.dialects.opsview.default_format = "perl".to_owned();
        config.dialects.opsview.version = "6.9.1".to_owned();
    })
    .await;
    let unnegotiated = get(server.url("/rest")).send().await;
    assert_eq!(unnegotiated.status, 200);
    assert!(unnegotiated.header("content-type").is_some_and(|ct| ct.starts_with("text/x-data-dumper")), "{:?}", unnegotiated.headers);
    assert!(unnegotiated.text().contains("'api_min_version' => '2.0'"), "{}", unnegotiated.text());
    let json = get(server.url("/rest")).header("accept", "application/json").send().await;
    assert_eq!(json.json()["api_min_version"], "2.0", "negotiation still wins over the default");
    let login = crate::harness::post(server.url("/rest/login"))
        .json(&serde_json::json!({"username": "admin", "password": crate::harness::ADMIN_PASSWORD}))
        .send()
        .await;
    let token = login.json()["token"].as_str().expect("token").to_owned();
    let info = get(server.url("/rest/info"))
        .header("content-type", "application/json")
        .header("x-opsview-username", "admin")
        .header("x-opsview-token", &token)
        .send()
        .await;
    assert_eq!(info.json()["opsview_version"], "6.9.1");
}
