//! The real opennms-js client (npm `opennms@2.7.1`) against a live gateway.

use std::path::Path;

use rosetta_core::monitoring;
use rosetta_model::{Alarm, Severity, Target};

use super::support::arrange;
use crate::harness::{client_dir, run_program, TestServer, ADMIN_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opennms_js_connects_lists_and_acts_on_alarms() {
    let server = TestServer::start().await;
    let world = arrange(&server).await;
    let dir = client_dir("opennms");
    let base = server.url("/opennms/");
    let (code, stdout, stderr) =
        run_program(Path::new("node"), &["client.js", &base, "admin", ADMIN_PASSWORD], &dir).await;
    assert_eq!(code, 0, "opennms-js failed:\n{stderr}\n{stdout}");
    let out: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"));

    assert_eq!(out["server"]["apiVersion"], 2, "{out}");
    assert_eq!(out["server"]["version"], "33.1.0");
    assert_eq!(out["server"]["ticketer"], true);

    let labels: Vec<&str> =
        out["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["label"].as_str()).collect();
    assert_eq!(labels, vec!["db01", "web01"]);
    let db = &out["nodes"][0];
    assert_eq!(db["foreignSource"], "Lab");
    assert_eq!(db["foreignId"], "db-1");
    assert_eq!(out["nodes"][1]["categories"], serde_json::json!(["Servers"]));
    assert_eq!(out["nodes"][1]["location"], "Default");

    let node = &out["node"];
    assert_eq!(node["id"], world.web01);
    assert_eq!(node["snmpInterfaces"], 0);
    let interfaces = node["ipInterfaces"].as_array().expect("interfaces");
    assert_eq!(interfaces.len(), 2);
    assert_eq!(interfaces[0]["ipAddress"], "10.0.0.1");
    assert_eq!(interfaces[0]["services"][0]["name"], "HTTP");
    assert_eq!(interfaces[0]["services"][0]["id"], world.http);
    assert_eq!(interfaces[0]["services"][0]["down"], true);
    assert_eq!(interfaces[1]["services"], serde_json::json!([]));

    let alarms = out["alarms"].as_array().expect("alarms");
    assert_eq!(alarms.len(), 2, "{out}");
    assert_eq!(alarms[0]["uei"], "uei.opennms.org/nodes/nodeDown");
    assert_eq!(alarms[0]["severity"], "MAJOR");
    assert_eq!(alarms[0]["nodeLabel"], "db01");
    assert_eq!(alarms[0]["lastEventUei"], "uei.opennms.org/nodes/nodeDown");
    assert_eq!(alarms[1]["severity"], "CRITICAL");
    assert_eq!(alarms[1]["serviceName"], "HTTP");

    assert_eq!(out["acknowledged"]["ackUser"], "admin");
    assert_eq!(out["acknowledged"]["acked"], true);
    assert_eq!(out["unacknowledged"]["acked"], false);
    assert_eq!(out["escalated"]["severity"], "CRITICAL");
    assert_eq!(out["cleared"]["severity"], "CLEARED");
    assert_eq!(out["acknowledgedLast"]["ackUser"], "admin");

    let events = out["events"].as_array().expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["nodeLabel"], "db01");
    assert_eq!(events[0]["severity"], "MAJOR");
    assert!(out["eventCount"].as_u64().expect("count") >= 2);

    let outages = out["outages"].as_array().expect("outages");
    assert_eq!(outages.len(), 2, "{out}");
    assert!(outages.iter().all(|outage| outage["open"] == true));
    let mut addresses: Vec<&str> =
        out["ipInterfaces"].as_array().expect("ips").iter().filter_map(|a| a.as_str()).collect();
    addresses.sort_unstable();
    assert_eq!(addresses, vec!["10.0.0.1", "10.0.0.2", "10.0.1.1"]);
    assert_eq!(out["services"], serde_json::json!([{"id": world.http, "name": "HTTP"}]));
    assert_eq!(out["snmpInterfaces"], 0);
    assert!(out["alarmSearchProperties"].as_u64().expect("properties") > 10);
    assert_eq!(out["severityValues"], serde_json::json!(["CLEARED", "CRITICAL"]));

    // The acknowledgement went through the shared semantics: the service itself is acknowledged.
    let state = monitoring::current_state(&*server.db, Target::Service(world.http)).expect("state");
    assert!(state.is_acknowledged());
    let http_alarm = monitoring::alarm_of(&*server.db, Target::Service(world.http)).expect("alarm");
    assert_eq!(http_alarm.ack_user.as_deref(), Some("admin"));
    let node_alarm: Vec<std::sync::Arc<Alarm>> =
        server.db.all::<Alarm>().into_iter().filter(|a| a.host == Some(world.db01) && a.service.is_none()).collect();
    assert_eq!(node_alarm[0].severity, Severity::Cleared);
    assert!(node_alarm[0].ack_user.is_none());
}
