//! openITCOCKPIT state history shows the same changes as every other view.

use rosetta_model::User;
use rosetta_store::Actor;
use serde_json::json;

use crate::foundation::store::monitored_host;
use crate::harness::{get, post, TestServer, ADMIN_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_history_lists_every_change_newest_first() {
    let server = TestServer::start().await;
    let (host, service) = monitored_host(&server.db, "web1", "HTTP").await;
    for (state, output) in [("critical", "down"), ("warning", "slow"), ("ok", "fine")] {
        let results = json!([{"host": "web1", "service": "HTTP", "state": state, "output": output}]);
        post(server.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&results).send().await;
    }
    post(server.url("/api/v1/results")).basic("admin", ADMIN_PASSWORD).json(&json!([{"host": "web1", "state": "down"}])).send().await;
    let admin = server.db.find_by_name::<User>("admin").expect("admin");
    let key = server.app.auth.create_api_key(admin.meta.id, "history", Actor::system()).await.expect("key");
    let auth = format!("X-OITC-API {}", key.key);

    let reply = get(server.url(&format!("/statehistories/service/{service}.json?angular=true"))).header("authorization", &auth).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let rows = reply.json()["all_statehistories"].as_array().expect("rows").clone();
    let states: Vec<i64> = rows.iter().map(|row| row["StatehistoryService"]["state"].as_i64().expect("state")).collect();
    assert_eq!(states, vec![0, 1, 2], "newest first");
    let outputs: Vec<&str> = rows.iter().map(|row| row["StatehistoryService"]["output"].as_str().expect("output")).collect();
    assert_eq!(outputs, vec!["fine", "slow", "down"]);
    assert_eq!(rows[0]["StatehistoryService"]["last_state"], 1);
    assert!(reply.json()["paging"].is_object());

    let hosts = get(server.url(&format!("/statehistories/host/{host}.json?angular=true"))).header("authorization", &auth).send().await;
    let rows = hosts.json()["all_statehistories"].as_array().expect("rows").clone();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["StatehistoryHost"]["state"], 1);
    let missing = get(server.url("/statehistories/host/999.json?angular=true")).header("authorization", &auth).send().await;
    assert_eq!(missing.status, 404);
}
