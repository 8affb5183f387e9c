//! Bad input ends in the product's error shape, never an unexplained 500, and writes nothing.

use rosetta_model::Host;
use serde_json::json;

use super::support::{add_host, export, key_for, send};
use crate::harness::{post, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_without_writes() {
    let server = TestServer::start().await;
    let key = key_for(&server, "admin").await;
    let host = add_host(&server, &key, "stable", 1).await;
    export(&server, &key).await;
    let before = server.db.count::<Host>();

    let broken = post(server.url("/hosts/add.json"))
        .header("Authorization", &format!("X-OITC-API {key}"))
        .header("Content-Type", "application/json")
        .body("{\"Host\": {\"name\": ")
        .send()
        .await;
    assert_eq!(broken.status, 400);
    assert_eq!(broken.json()["message"], "Bad Request");

    let cases = [
        (json!({"Host": {"name": "x", "address": "1.1.1.1", "container_id": 1, "hosttemplate_id": 1, "check_interval": "soon"}}), "check_interval", "integer"),
        (json!({"Host": {"name": "x", "address": "1.1.1.1", "container_id": 4242, "hosttemplate_id": 1}}), "container_id", "_existsIn"),
        (json!({"Host": {"name": "x", "address": "1.1.1.1", "container_id": 1, "hosttemplate_id": 1, "hostgroups": {"_ids": [999]}}}), "hostgroups", "_existsIn"),
        (json!({"Host": {"name": "x", "address": "1.1.1.1", "container_id": 1, "hosttemplate_id": 1, "active_checks_enabled": "maybe"}}), "active_checks_enabled", "boolean"),
        (json!({"Host": {"name": "stable", "address": "1.1.1.1", "container_id": 1, "hosttemplate_id": 1}}), "name", "_isUnique"),
        (json!({"Host": "not an object"}), "container_id", "empty"),
    ];
    for (body, field, rule) in cases {
        let reply = send(&server, "POST", "/hosts/add.json", &key, Some(&body)).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text());
        assert!(reply.json()["error"][field][rule].is_string(), "{body}: {}", reply.text());
    }
    let edit = send(&server, "POST", &format!("/hosts/edit/{host}.json?angular=true"), &key,
                    Some(&json!({"Host": {"name": "renamed", "address": "", "container_id": 1, "hosttemplate_id": 1}}))).await;
    assert_eq!(edit.status, 400);
    assert_eq!(server.db.get::<Host>(host).expect("host").name, "stable", "a failed edit changes nothing");

    for sort in ["Hosts.name;DROP", "1=1", "Hosts.nosuchcolumn"] {
        let reply = send(&server, "GET", &format!("/hosts/index.json?angular=true&sort={sort}"), &key, None).await;
        assert_eq!(reply.status, 500, "{sort}");
        assert_eq!(reply.json()["message"], "An Internal Error Has Occurred.");
        assert_eq!(reply.json()["code"], 500);
    }
    let odd_direction = send(&server, "GET", "/hosts/index.json?angular=true&sort=Hosts.name&direction=sideways&page=-3&limit=abc", &key, None).await;
    assert_eq!(odd_direction.status, 200);
    assert_eq!(odd_direction.json()["paging"]["page"], 1);
    assert_eq!(odd_direction.json()["paging"]["limit"], 25);

    let bulk = send(&server, "POST", "/nagios_module/cmd/submit_bulk_naemon.json", &key,
                    Some(&json!([{"command": "submitHostDowntime", "hostUuid": "stable", "start": 10, "end": 5}]))).await;
    assert_eq!(bulk.status, 400);
    assert_eq!(bulk.json()["message"], "Could not send command");
    assert_eq!(server.db.count::<Host>(), before, "nothing was written");
    assert!(server.db.all::<rosetta_model::Downtime>().is_empty());
    server.stop().await;
}
