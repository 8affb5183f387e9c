//! Identity and runtime life cycles across dialects, through their raw wire forms: renames and deletes
//! propagate, sticky and non-sticky acknowledgements end the Nagios way in every view, un-acknowledging
//! and downtime expiry are seen everywhere.

use std::time::Duration;

use rosetta_model::*;
use serde_json::{json, Value};

use super::support::{api_key, problem_host};
use crate::harness::{delete, get, post, put, Call, TestServer, ADMIN_PASSWORD};

fn admin(call: Call) -> Call {
    call.basic("admin", ADMIN_PASSWORD).header("accept", "application/json")
}

async fn json_of(call: Call) -> Value {
    let reply = admin(call).send().await;
    assert!(reply.status.is_success(), "{}", reply.text());
    reply.json()
}

/// Opsview's status entry of the `HTTP` service of `host` (`None` when not listed).
async fn opsview_http(server: &TestServer, host: &str) -> Value {
    let status = json_of(get(server.url(&format!("/rest/status/service?hostname={host}")))).await;
    let row = status["list"].as_array().and_then(|list| list.iter().find(|h| h["name"] == host)).cloned().unwrap_or(Value::Null);
    row["services"].as_array().and_then(|list| list.iter().find(|s| s["name"] == "HTTP")).cloned().unwrap_or(Value::Null)
}

/// openITCOCKPIT's `Servicestatus` of the `HTTP` service of host `id`.
async fn oitc_http(server: &TestServer, key: &str, id: Id) -> Value {
    let reply = get(server.url(&format!("/services/index.json?angular=true&filter[Hosts.id]={id}")))
        .header("authorization", &format!("X-OITC-API {key}"))
        .send()
        .await;
    reply.json()["all_services"][0]["Servicestatus"].clone()
}

/// OpenNMS's alarm of the `HTTP` service of node `id`.
async fn opennms_alarm(server: &TestServer, id: Id) -> Value {
    let alarms = json_of(get(server.url(&format!("/opennms/api/v2/alarms?_s=node.id=={id}")))).await;
    alarms["alarm"]
        .as_array()
        .and_then(|list| list.iter().find(|a| a["reductionKey"].as_str().is_some_and(|k| k.starts_with("uei.opennms.org/nodes/nodeLostService::"))))
        .cloned()
        .unwrap_or(Value::Null)
}

async fn oitc_cmd(server: &TestServer, key: &str, body: Value) {
    let reply = post(server.url("/nagios_module/cmd/submit.json")).header("authorization", &format!("X-OITC-API {key}")).json(&body).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["message"], "Command added successfully to queue");
}

async fn native_result(server: &TestServer, host: &str, state: &str) {
    let reply = admin(post(server.url("/api/v1/results"))).json(&json!([{"host": host, "service": "HTTP", "state": state}])).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renames_and_deletes_propagate() {
    let server = TestServer::start().await;
    let key = api_key(&server, "admin").await;
    let (id, _) = problem_host(&server, "old-name", ROOT_TENANT, 2).await;
    let uuid = server.db.get::<Host>(id).expect("host").meta.uuid.to_string();

    // identity: the same id, UUID, ref and foreignSource:foreignId everywhere
    let opsview = json_of(get(server.url(&format!("/rest/config/host/{id}")))).await;
    assert_eq!(opsview["object"]["ref"], json!(format!("/rest/config/host/{id}")));
    let by_foreign = json_of(get(server.url(&format!("/opennms/rest/nodes/root:{uuid}")))).await;
    assert_eq!(by_foreign["id"], json!(id.to_string()));
    assert_eq!(by_foreign["foreignId"], json!(uuid));
    let by_uuid = get(server.url(&format!("/hosts/byUuid/{uuid}.json"))).header("authorization", &format!("X-OITC-API {key}")).send().await;
    assert_eq!(by_uuid.json()["host"]["id"], id, "{}", by_uuid.text());

    // renamed through OpenNMS
    let renamed = admin(put(server.url(&format!("/opennms/rest/nodes/{id}"))))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("label=new-name")
        .send()
        .await;
    assert_eq!(renamed.status, 204, "{}", renamed.text());
    let opsview = json_of(get(server.url(&format!("/rest/config/host/{id}")))).await;
    assert_eq!(opsview["object"]["name"], "new-name");
    let view = get(server.url(&format!("/hosts/view/{id}.json?angular=true"))).header("authorization", &format!("X-OITC-API {key}")).send().await;
    assert_eq!(view.json()["host"]["name"], "new-name");
    assert_eq!(view.json()["host"]["uuid"], json!(uuid), "a rename keeps the UUID");
    let alarm = opennms_alarm(&server, id).await;
    assert_eq!(alarm["nodeLabel"], "new-name");

    // deleted through Opsview
    let deleted = admin(delete(server.url(&format!("/rest/config/host/{id}")))).send().await;
    assert_eq!(deleted.json()["success"], "1", "{}", deleted.text());
    let node = admin(get(server.url(&format!("/opennms/rest/nodes/{id}")))).send().await;
    assert_eq!(node.status, 404);
    assert_eq!(node.text(), format!("Node {id} was not found."));
    let view = get(server.url(&format!("/hosts/view/{id}.json?angular=true"))).header("authorization", &format!("X-OITC-API {key}")).send().await;
    assert_eq!(view.status, 404);
    assert_eq!(view.json()["message"], "Invalid host");
    let native = json_of(get(server.url("/api/v1/hosts?name=new-name"))).await;
    assert_eq!(native["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgements_and_downtimes_agree_everywhere() {
    let server = TestServer::start().await;
    let key = api_key(&server, "admin").await;
    let (id, service) = problem_host(&server, "ack-web", ROOT_TENANT, 2).await;

    // a sticky acknowledgement through Opsview
    let acked = admin(post(server.url("/rest/acknowledge?svc.hostname=ack-web&svc.servicename=HTTP&comment=looking&sticky=1"))).send().await;
    assert_eq!(acked.status, 200, "{}", acked.text());
    assert_eq!(opsview_http(&server, "ack-web").await["acknowledged"], "1");
    assert_eq!(oitc_http(&server, &key, id).await["problemHasBeenAcknowledged"], true);
    let alarm = opennms_alarm(&server, id).await;
    assert_eq!(alarm["ackUser"], "admin", "{alarm}");
    assert!(alarm["ackTime"].is_number(), "{alarm}");

    // CRITICAL → WARNING: the sticky acknowledgement survives, in every view
    native_result(&server, "ack-web", "warning").await;
    assert_eq!(opsview_http(&server, "ack-web").await["acknowledged"], "1");
    assert_eq!(opsview_http(&server, "ack-web").await["state"], "warning");
    let status = oitc_http(&server, &key, id).await;
    assert_eq!((status["currentState"].clone(), status["problemHasBeenAcknowledged"].clone()), (json!(1), json!(true)));
    let alarm = opennms_alarm(&server, id).await;
    assert_eq!((alarm["severity"].clone(), alarm["ackUser"].clone()), (json!("WARNING"), json!("admin")));

    // removed through openITCOCKPIT
    oitc_cmd(&server, &key, json!({"command": "REMOVE_SVC_ACKNOWLEDGEMENT", "hostUuid": "ack-web", "serviceUuid": "HTTP"})).await;
    assert!(opsview_http(&server, "ack-web").await.get("acknowledged").is_none_or(|value| value == "0"));
    assert_eq!(oitc_http(&server, &key, id).await["problemHasBeenAcknowledged"], false);
    let alarm = opennms_alarm(&server, id).await;
    assert!(alarm.get("ackUser").is_none_or(Value::is_null), "{alarm}");

    // a non-sticky acknowledgement through openITCOCKPIT ends at the next state change
    oitc_cmd(&server, &key, json!({"command": "ACKNOWLEDGE_SVC_PROBLEM", "hostUuid": "ack-web", "serviceUuid": "HTTP", "author": "oitc", "comment": "short", "sticky": 0})).await;
    assert_eq!(opsview_http(&server, "ack-web").await["acknowledged"], "1");
    assert_eq!(opennms_alarm(&server, id).await["ackUser"], "oitc");
    native_result(&server, "ack-web", "critical").await;
    assert!(opsview_http(&server, "ack-web").await.get("acknowledged").is_none_or(|value| value == "0"));
    assert_eq!(oitc_http(&server, &key, id).await["problemHasBeenAcknowledged"], false);
    assert!(rosetta_core::monitoring::current_state(&*server.db, Target::Service(service)).is_some_and(|s| s.acknowledgement.is_none()));

    // a two-second downtime through openITCOCKPIT: seen by Opsview, then expires everywhere
    let now = Timestamp::now().secs();
    oitc_cmd(&server, &key, json!({"command": "SCHEDULE_HOST_DOWNTIME", "hostUuid": "ack-web", "start_time": now - 5, "end_time": now + 2, "author": "oitc", "comment": "quick"})).await;
    let downtimes = json_of(get(server.url("/rest/downtime"))).await;
    assert_eq!(downtimes["list"][0]["comment"], "quick", "{downtimes}");
    assert_eq!(downtimes["list"][0]["objects"]["hosts"][0]["hostname"], "ack-web");
    let host_status = json_of(get(server.url("/rest/status/host?hostname=ack-web"))).await;
    assert_eq!(host_status["list"][0]["downtime"], "2");
    // The background task ends expired downtimes once a second; wait for its DowntimeEnd event.
    let ended = |server: &TestServer| server.db.all::<Event>().iter().any(|e| e.host == Some(id) && e.kind == EventKind::DowntimeEnd);
    for _ in 0..40 {
        if ended(&server) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(ended(&server), "the downtime expired within 10 s");
    let downtimes = json_of(get(server.url("/rest/downtime"))).await;
    assert_eq!(downtimes["list"], json!([]), "Opsview lists no downtime any more");
    let host_status = json_of(get(server.url("/rest/status/host?hostname=ack-web"))).await;
    assert_eq!(host_status["list"][0]["downtime"], "0");
    let index = get(server.url(&format!("/hosts/index.json?angular=true&filter[Hosts.id]={id}"))).header("authorization", &format!("X-OITC-API {key}")).send().await;
    assert_eq!(index.json()["all_hosts"][0]["Hoststatus"]["scheduledDowntimeDepth"], 0);
    let kinds: Vec<EventKind> = server.db.all::<Event>().iter().filter(|e| e.host == Some(id)).map(|e| e.kind).collect();
    assert!(kinds.contains(&EventKind::DowntimeStart) && kinds.contains(&EventKind::DowntimeEnd), "{kinds:?}");
    let events = json_of(get(server.url("/rest/event?host=ack-web&rows=all"))).await;
    let texts = events.to_string();
    assert!(texts.contains("downtime_author"), "Opsview's event list shows the downtime: {events}");
}
