//! The official openITCOCKPIT Python example (spec §8) and a full flow with `requests`.

use serde_json::Value;

use super::support::key_for;
use crate::harness::{client_dir, run_program, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_example_flow() {
    let server = TestServer::start().await;
    let key = key_for(&server, "admin").await;
    official_example(&server.base(), &key, &server).await;
    server.stop().await;
}

/// Runs the official example against `base` with the API key `key` and checks what it read back;
/// `server` is the gateway that holds the objects (the one at `base`, or the upstream behind a proxy).
pub async fn official_example(base: &str, key: &str, server: &TestServer) {
    let dir = client_dir("openitcockpit");
    let python = dir.join(".venv/bin/python");
    let (code, stdout, stderr) = run_program(&python, &["api_flow.py", base, key], &dir).await;
    assert_eq!(code, 0, "script failed:\n{stderr}\n{stdout}");
    assert!(stderr.contains("Host was created successfully. Host ID is: "), "{stderr}");
    let out: Value = serde_json::from_str(&stdout).expect("script prints JSON");

    assert_eq!(out["add"]["status"], 200);
    let id = out["add"]["body"]["id"].as_i64().expect("id");
    assert_eq!(out["before_export"]["all_hosts"], serde_json::json!([]));
    assert_eq!(out["not_monitored"]["all_hosts"][0]["Host"]["name"], "api host");
    assert_eq!(out["launch"][1]["success"], true);
    assert_eq!(out["broadcast"]["exportFinished"], true);

    let scroll = &out["index_scroll"];
    let row = &scroll["all_hosts"][0];
    assert_eq!(row["Host"]["id"], id);
    assert_eq!(row["Host"]["hostname"], "api host");
    assert_eq!(row["Host"]["address"], "127.0.0.1");
    assert_eq!(row["Host"]["description"], "default host", "description inherited from the template");
    assert_eq!(row["Hoststatus"]["isInMonitoring"], true);
    assert_eq!(row["Hoststatus"]["humanState"], "up");
    assert_eq!(row["Downtime"], serde_json::json!([]));
    assert_eq!(scroll["scroll"]["page"], 1);
    assert_eq!(scroll["scroll"]["hasNextPage"], false);
    assert!(scroll.get("_csrfToken").is_some_and(Value::is_null));

    let paging = &out["index_paging"]["paging"];
    assert_eq!(paging["count"], 1);
    assert_eq!(paging["limit"], 1);
    assert_eq!(paging["prevPage"], false);
    assert_eq!(paging["nextPage"], false);

    assert_eq!(out["edit_post"][1]["id"], id);
    let edited = &out["edit_after"];
    assert_eq!(edited["description"], "edited by api");
    assert_eq!(edited["priority"], 4);
    assert_eq!(edited["check_interval"], 7200, "inherited value reported");
    assert_eq!(edited["hosts_to_containers_sharing"]["_ids"], serde_json::json!([1]));

    assert!(out["service_add"][1]["id"].is_i64(), "{}", out["service_add"]);
    assert_eq!(out["result"][1]["message"], "Command added successfully to queue");
    assert_eq!(out["ack"][1]["args"]["author"], "script");
    assert_eq!(out["downtime"][1]["command"], "SCHEDULE_HOST_DOWNTIME");

    let service = &out["services"]["all_services"][0];
    assert_eq!(service["Service"]["servicename"], "Ping");
    assert_eq!(service["Servicestatus"]["currentState"], 2);
    assert_eq!(service["Servicestatus"]["problemHasBeenAcknowledged"], true);
    assert_eq!(service["Servicestatus"]["output"], "CRITICAL - down");
    assert_eq!(service["Servicestatus"]["acknowledgement_type"], 2);

    let downtime = &out["downtimes"]["all_host_downtimes"][0];
    assert_eq!(downtime["DowntimeHost"]["commentData"], "maintenance");
    assert_eq!(downtime["DowntimeHost"]["isRunning"], true);
    assert!(downtime["DowntimeHost"]["internalDowntimeId"].is_i64());
    let host_row = &out["index_after_actions"]["all_hosts"][0];
    assert_eq!(host_row["Hoststatus"]["scheduledDowntimeDepth"], 1);
    assert_eq!(host_row["Downtime"]["authorName"], "script");
    assert_eq!(host_row["ServicestatusSummary"]["state"]["critical"], 1);

    assert_eq!(out["delete_get"][0], 405);
    assert_eq!(out["delete_get"][1]["message"], "Method Not Allowed");
    assert_eq!(out["delete_get"][1]["code"], 405);
    assert_eq!(out["delete"][1]["success"], true);
    assert_eq!(out["after_delete"]["all_hosts"], serde_json::json!([]));
    assert!(server.db.get::<rosetta_model::Host>(id).is_none());
}
