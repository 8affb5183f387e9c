//! One live gateway, three real clients: a host made in openITCOCKPIT, a problem posted through
//! Opsview, acknowledged in OpenNMS, a downtime from openITCOCKPIT, a recovery — every view checked by
//! value, and the native event stream checked for every change in order.

use rosetta_model::*;
use serde_json::{json, Value};

use super::support::{api_key, Clients, Stream};
use crate::harness::{TestServer, ADMIN_PASSWORD};

const ADMIN: (&str, &str) = ("admin", ADMIN_PASSWORD);

/// The first element of `list` whose `key` equals `value`.
fn find<'a>(list: &'a Value, key: &str, value: &Value) -> &'a Value {
    list.as_array()
        .and_then(|items| items.iter().find(|item| &item[key] == value))
        .unwrap_or_else(|| panic!("no {key} = {value} in {list}"))
}

/// The Opsview status entry of one service of one host (`GET /rest/status/service`).
fn opsview_service<'a>(status: &'a Value, host: &str, service: &str) -> &'a Value {
    let host = find(&status["list"], "name", &json!(host));
    find(&host["services"], "name", &json!(service))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_real_clients_share_one_store() {
    let clients = Clients::install();
    let server = TestServer::start().await;
    let key = api_key(&server, "admin").await;
    let mut stream = Stream::open(&server, ADMIN.0, ADMIN.1).await;

    // --- identity: created through openITCOCKPIT, listed by pyopsview and opennms-js ----------------
    let created = clients.openitcockpit(&server, &key, &["create", "bridge-web", "192.0.2.50"]).await;
    assert_eq!(created["host"][0], 200, "{created}");
    assert_eq!(created["exported"], true);
    let host_id = created["host"][1]["id"].as_i64().expect("host id");
    let service_id = created["service"][1]["id"].as_i64().expect("service id");
    let host = server.db.get::<Host>(host_id).expect("the host is in the store");
    let uuid = host.meta.uuid.to_string();
    assert_eq!(created["view"]["host"]["uuid"], json!(uuid), "{}", created["view"]);

    let opsview_hosts = clients.opsview(&server, ADMIN, &["hosts"]).await;
    let listed = find(&opsview_hosts, "name", &json!("bridge-web"));
    assert_eq!(listed["id"], host_id, "Opsview host id = openITCOCKPIT host id");
    assert_eq!(listed["address"], "192.0.2.50");

    let nodes = clients.opennms(&server, ADMIN, &["nodes"]).await;
    let node = find(&nodes, "label", &json!("bridge-web"));
    assert_eq!(node["id"], host_id, "OpenNMS node id = openITCOCKPIT host id");
    assert_eq!(node["foreignSource"], "root", "the container's name is the foreign source");
    assert_eq!(node["foreignId"], json!(uuid), "the foreign id is the host UUID");

    // --- a critical result through Opsview --------------------------------------------------------
    let posted = clients.opsview(&server, ADMIN, &["critical", "bridge-web", "Ping"]).await;
    assert_eq!(posted["list"]["services"][0]["id"], json!(service_id.to_string()), "{posted}");
    assert_eq!(posted["list"]["services"][0]["servicename"], "Ping");

    let alarms = clients.opennms(&server, ADMIN, &["alarms"]).await;
    let alarm = find(&alarms, "nodeId", &json!(host_id)).clone();
    assert_eq!(alarm["severity"], "CRITICAL", "Opsview CRITICAL maps to the OpenNMS CRITICAL severity");
    assert_eq!(alarm["uei"], "uei.opennms.org/nodes/nodeLostService");
    assert_eq!(alarm["serviceName"], "Ping");
    assert_eq!(alarm["acked"], false);

    let index = clients.openitcockpit(&server, &key, &["index", &host_id.to_string()]).await;
    let row = find(&index["services"]["all_services"], "Service", &index["services"]["all_services"][0]["Service"]);
    assert_eq!(row["Service"]["id"], service_id, "{index}");
    assert_eq!(row["Servicestatus"]["currentState"], 2, "critical in openITCOCKPIT: {row}");
    assert_eq!(row["Servicestatus"]["problemHasBeenAcknowledged"], false);
    assert_eq!(index["hosts"]["all_hosts"][0]["Host"]["id"], host_id);
    assert_eq!(index["hosts"]["all_hosts"][0]["ServicestatusSummary"]["state"]["critical"], 1, "{index}");

    // --- acknowledged by opennms-js ------------------------------------------------------------------
    let alarm_id = alarm["id"].as_i64().expect("alarm id").to_string();
    let acked = clients.opennms(&server, ADMIN, &["ack", &alarm_id]).await;
    assert_eq!(acked["ackUser"], "admin");
    assert_eq!(acked["acked"], true);

    let status = clients.opsview(&server, ADMIN, &["status", "bridge-web"]).await;
    let ping = opsview_service(&status, "bridge-web", "Ping");
    assert_eq!(ping["state"], "critical", "{status}");
    assert_eq!(ping["acknowledged"], "1", "acknowledged through Opsview: {ping}");
    assert_eq!(ping["unhandled"], "0");
    let index = clients.openitcockpit(&server, &key, &["index", &host_id.to_string()]).await;
    let row = &index["services"]["all_services"][0];
    assert_eq!(row["Servicestatus"]["problemHasBeenAcknowledged"], true, "{row}");

    // --- a downtime set through openITCOCKPIT --------------------------------------------------------
    let scheduled = clients.openitcockpit(&server, &key, &["downtime", &uuid]).await;
    assert_eq!(scheduled["downtime"][1]["command"], "SCHEDULE_HOST_DOWNTIME", "{scheduled}");
    let downtimes = clients.opsview(&server, ADMIN, &["downtimes"]).await;
    let window = &downtimes["list"][0];
    assert_eq!(window["comment"], "bridge maintenance", "{downtimes}");
    assert_eq!(window["author"], "oitc");
    assert_eq!(window["started"], "1");
    assert_eq!(window["objects"]["hosts"][0]["hostname"], "bridge-web");
    assert_eq!(window["objects"]["hosts"][0]["id"], json!(host_id.to_string()));
    let status = clients.opsview(&server, ADMIN, &["status", "bridge-web"]).await;
    let opsview_host = find(&status["list"], "name", &json!("bridge-web"));
    assert_eq!(opsview_host["downtime"], "2", "the host is in downtime for Opsview (2 = in downtime): {opsview_host}");
    let index = clients.openitcockpit(&server, &key, &["index", &host_id.to_string()]).await;
    assert_eq!(index["hosts"]["all_hosts"][0]["Hoststatus"]["scheduledDowntimeDepth"], 1, "{index}");

    // --- recovery through openITCOCKPIT: the alarm clears, the outage closes ---------------------
    let recovered = clients.openitcockpit(&server, &key, &["result", &uuid, "Ping", "0"]).await;
    assert_eq!(recovered["result"][1]["message"], "Command added successfully to queue", "{recovered}");
    let alarms = clients.opennms(&server, ADMIN, &["alarms"]).await;
    let alarm = find(&alarms, "id", &alarm["id"]);
    assert_eq!(alarm["severity"], "CLEARED", "{alarm}");
    let outages = clients.opennms(&server, ADMIN, &["outages"]).await;
    let outage = find(&outages, "nodeId", &json!(host_id));
    assert_eq!(outage["open"], false, "the outage closed: {outages}");
    assert_eq!(outage["serviceName"], "Ping");
    let status = clients.opsview(&server, ADMIN, &["status", "bridge-web"]).await;
    let ping = opsview_service(&status, "bridge-web", "Ping");
    assert_eq!(ping["state"], "ok", "{ping}");
    assert!(ping.get("acknowledged").is_none_or(|value| value == "0"), "the ack ended at recovery: {ping}");
    let index = clients.openitcockpit(&server, &key, &["index", &host_id.to_string()]).await;
    let row = &index["services"]["all_services"][0];
    assert_eq!(row["Servicestatus"]["currentState"], 0, "{row}");
    assert_eq!(row["Servicestatus"]["problemHasBeenAcknowledged"], false);

    // --- Opsview's event list shows the same state changes -------------------------------------------
    let events = clients.opsview(&server, ADMIN, &["events", "bridge-web"]).await;
    let changes: Vec<(&str, &str)> = events["list"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|event| event["servicename"] == "Ping" && event["state"].is_string() && event.get("ack_author").is_none()
            && event.get("downtime_author").is_none())
        .map(|event| (event["state"].as_str().unwrap_or_default(), event["output"].as_str().unwrap_or_default()))
        .collect();
    assert!(changes.iter().any(|(state, _)| *state == "critical"), "{events}");
    assert!(changes.iter().any(|(state, _)| *state == "ok"), "{events}");

    // --- the native stream delivered every change, in order, no gaps -------------------------------
    let stored: Vec<std::sync::Arc<Event>> = server.db.all::<Event>();
    let last = stored.last().expect("events were written").meta.id;
    let seen = stream.until(last).await;
    let seen_ids: Vec<i64> = seen.iter().map(|event| event.id).collect();
    let stored_ids: Vec<i64> = stored.iter().map(|event| event.meta.id).collect();
    assert_eq!(seen_ids, stored_ids, "the stream delivered exactly the stored events, in order");
    let service_changes: Vec<(&str, &str)> = seen
        .iter()
        .filter(|event| event.kind == "state_change" && event.data["service"]["id"] == service_id)
        .map(|event| (event.data["state"].as_str().unwrap_or_default(), event.data["source"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(service_changes, vec![("critical", "opsview"), ("ok", "openitcockpit")]);
    let kinds: Vec<&str> = seen.iter().filter(|event| event.data["host"]["id"] == host_id).map(|event| event.kind.as_str()).collect();
    let position = |kind: &str| kinds.iter().position(|k| *k == kind).unwrap_or_else(|| panic!("no {kind} in {kinds:?}"));
    assert!(position("state_change") < position("acknowledgement"), "{kinds:?}");
    assert!(position("acknowledgement") < position("downtime_start"), "{kinds:?}");
    let ack = seen.iter().find(|event| event.kind == "acknowledgement").expect("ack event");
    assert_eq!(ack.data["source"], "opennms");
    assert_eq!(ack.data["author"], "admin");
}
