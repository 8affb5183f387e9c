//! The tenant-isolation matrix: 3 dialects × (list, get, create, update, delete, acknowledge) ×
//! (own tenant, other tenant). The principal `alice` is an administrator whose write access is limited
//! to tenant A; every cross-tenant access must be denied or invisible in the dialect's own shape, and
//! every own-tenant access must work (checked by reading the store back). A seventh column, state in
//! (a passive result / event), checks that results cannot cross tenants either.

use rosetta_model::*;
use serde_json::{json, Value};

use super::support::{acknowledged, api_key, estate, problem_host, service_state, Estate, Matrix};
use crate::harness::{delete, get, post, put, Reply, TestServer};

const ALICE: (&str, &str) = ("alice", "alice-password");
const CRITICAL: Option<StateValue> = Some(StateValue::Service(ServiceState::Critical));
const WARNING: Option<StateValue> = Some(StateValue::Service(ServiceState::Warning));
const OK: Option<StateValue> = Some(StateValue::Service(ServiceState::Ok));


/// Hosts of both tenants: one to read, update and acknowledge, one to delete.
struct World {
    server: TestServer,
    estate: Estate,
    own: (Id, Id),
    other: (Id, Id),
    own_victim: Id,
    other_victim: Id,
}

async fn world() -> World {
    let server = TestServer::start().await;
    let estate = estate(&server).await;
    let own = problem_host(&server, "a-web", estate.own, estate.own_group).await;
    let other = problem_host(&server, "b-web", estate.other, estate.other_group).await;
    let own_victim = problem_host(&server, "a-old", estate.own, estate.own_group).await.0;
    let other_victim = problem_host(&server, "b-old", estate.other, estate.other_group).await.0;
    World { server, estate, own, other, own_victim, other_victim }
}

impl World {
    fn host(&self, id: Id) -> Option<std::sync::Arc<Host>> {
        self.server.db.get::<Host>(id)
    }

    fn host_named(&self, name: &str) -> Option<std::sync::Arc<Host>> {
        self.server.db.find_by_name::<Host>(name)
    }
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array().map_or_else(Vec::new, |items| items.iter().filter_map(|item| item[key].as_str().map(str::to_owned)).collect())
}

fn brief(reply: &Reply) -> String {
    format!("{} {}", reply.status, reply.text().chars().take(300).collect::<String>())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opsview_sees_and_changes_only_its_tenant() {
    let w = world().await;
    let s = &w.server;
    let mut m = Matrix::default();
    let call = |c: crate::harness::Call| c.basic(ALICE.0, ALICE.1).send();

    // list: configuration and status
    let config = call(get(s.url("/rest/config/host?rows=all"))).await;
    let listed = names(&config.json()["list"], "name");
    m.cell("opsview list own (config)", listed.contains(&"a-web".to_owned()), brief(&config));
    m.cell("opsview list other (config)", !listed.contains(&"b-web".to_owned()), format!("{listed:?}"));
    let status = call(get(s.url("/rest/status/host"))).await;
    let listed = names(&status.json()["list"], "name");
    m.cell("opsview list own (status)", listed.contains(&"a-web".to_owned()), brief(&status));
    m.cell("opsview list other (status)", !listed.contains(&"b-web".to_owned()), format!("{listed:?}"));

    // get
    let own = call(get(s.url(&format!("/rest/config/host/{}", w.own.0)))).await;
    m.cell("opsview get own", own.status == 200 && own.json()["object"]["name"] == "a-web", brief(&own));
    let other = call(get(s.url(&format!("/rest/config/host/{}", w.other.0)))).await;
    m.cell("opsview get other", matches!(other.status.as_u16(), 403 | 404) && other.json()["message"].is_string(), brief(&other));

    // create: a host in a group of the own tenant / of the other tenant
    let body = |name: &str, group: &str| json!({"name": name, "ip": "192.0.2.30", "hostgroup": {"name": group}});
    let own = call(post(s.url("/rest/config/host")).json(&body("a-new", "group-a"))).await;
    let created = w.host_named("a-new");
    m.cell("opsview create own", own.status == 200 && created.as_ref().is_some_and(|h| h.tenant == w.estate.own), format!("{} tenant {:?}", brief(&own), created.map(|h| h.tenant)));
    let other = call(post(s.url("/rest/config/host")).json(&body("b-new", "group-b"))).await;
    m.cell("opsview create other", other.status.as_u16() >= 400 && w.host_named("b-new").is_none(), brief(&other));

    // update
    let own = call(put(s.url(&format!("/rest/config/host/{}", w.own.0))).json(&json!({"alias": "changed by alice"}))).await;
    m.cell("opsview update own", own.status == 200 && w.host(w.own.0).is_some_and(|h| h.alias == "changed by alice"), brief(&own));
    let other = call(put(s.url(&format!("/rest/config/host/{}", w.other.0))).json(&json!({"alias": "changed by alice"}))).await;
    m.cell("opsview update other", other.status.as_u16() >= 400 && w.host(w.other.0).is_some_and(|h| h.alias.is_empty()), brief(&other));

    // delete
    let own = call(delete(s.url(&format!("/rest/config/host/{}", w.own_victim)))).await;
    m.cell("opsview delete own", own.status == 200 && w.host(w.own_victim).is_none(), brief(&own));
    let other = call(delete(s.url(&format!("/rest/config/host/{}", w.other_victim)))).await;
    m.cell("opsview delete other", other.status.as_u16() >= 400 && w.host(w.other_victim).is_some(), brief(&other));

    // acknowledge: out-of-scope objects are skipped
    let ack = |host: &str| format!("/rest/acknowledge?svc.hostname={host}&svc.servicename=HTTP&comment=mine");
    let own = call(post(s.url(&ack("a-web")))).await;
    m.cell("opsview acknowledge own", own.status == 200 && acknowledged(s, w.own.1), brief(&own));
    let other = call(post(s.url(&ack("b-web")))).await;
    let skipped = other.status.as_u16() >= 400 || other.json()["list"]["services"].as_array().is_none_or(Vec::is_empty);
    m.cell("opsview acknowledge other", skipped && !acknowledged(s, w.other.1), brief(&other));

    // state in: a passive result
    let result = |host: &str| format!("/rest/status?svc.hostname={host}&svc.servicename=HTTP&new_state=1&comment=alice");
    let own = call(post(s.url(&result("a-web")))).await;
    m.cell("opsview result own", own.status == 200 && service_state(s, w.own.1) == WARNING, brief(&own));
    let other = call(post(s.url(&result("b-web")))).await;
    m.cell("opsview result other", service_state(s, w.other.1) == CRITICAL, brief(&other));

    m.assert_all(16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opennms_sees_and_changes_only_its_tenant() {
    let w = world().await;
    let s = &w.server;
    let mut m = Matrix::default();
    let call = |c: crate::harness::Call| c.basic(ALICE.0, ALICE.1).header("accept", "application/json").send();

    // list: nodes and alarms
    let nodes = call(get(s.url("/opennms/api/v2/nodes?limit=0"))).await;
    let listed = names(&nodes.json()["node"], "label");
    m.cell("opennms list own (nodes)", listed.contains(&"a-web".to_owned()), brief(&nodes));
    m.cell("opennms list other (nodes)", !listed.contains(&"b-web".to_owned()), format!("{listed:?}"));
    let alarms = call(get(s.url("/opennms/api/v2/alarms?limit=0"))).await;
    let labels = names(&alarms.json()["alarm"], "nodeLabel");
    m.cell("opennms list own (alarms)", labels.contains(&"a-web".to_owned()), brief(&alarms));
    m.cell("opennms list other (alarms)", !labels.contains(&"b-web".to_owned()), format!("{labels:?}"));

    // get
    let own = call(get(s.url(&format!("/opennms/rest/nodes/{}", w.own.0)))).await;
    m.cell("opennms get own", own.status == 200 && own.json()["label"] == "a-web", brief(&own));
    let other = call(get(s.url(&format!("/opennms/rest/nodes/{}", w.other.0)))).await;
    m.cell("opennms get other", other.status == 404 && other.text().contains("was not found"), brief(&other));

    // create: the foreign source names the tenant
    let node = |label: &str, fs: &str| json!({"type": "A", "label": label, "foreignSource": fs, "foreignId": label});
    let own = call(post(s.url("/opennms/rest/nodes")).json(&node("a-node", "tenant-a"))).await;
    let created = w.host_named("a-node");
    m.cell("opennms create own", own.status == 201 && created.as_ref().is_some_and(|h| h.tenant == w.estate.own), format!("{} tenant {:?}", brief(&own), created.map(|h| h.tenant)));
    let other = call(post(s.url("/opennms/rest/nodes")).json(&node("b-node", "tenant-b"))).await;
    m.cell("opennms create other", other.status == 403 && w.host_named("b-node").is_none(), brief(&other));

    // update (form)
    let form = |c: crate::harness::Call| c.header("content-type", "application/x-www-form-urlencoded").body("sysContact=alice");
    let own = call(form(put(s.url(&format!("/opennms/rest/nodes/{}", w.own.0))))).await;
    let contact = |id: Id| w.host(id).and_then(|h| h.native.get("opennms.sysContact").cloned());
    m.cell("opennms update own", own.status == 204 && contact(w.own.0) == Some(json!("alice")), brief(&own));
    let other = call(form(put(s.url(&format!("/opennms/rest/nodes/{}", w.other.0))))).await;
    m.cell("opennms update other", other.status.as_u16() >= 400 && contact(w.other.0).is_none(), brief(&other));

    // delete
    let own = call(delete(s.url(&format!("/opennms/rest/nodes/{}", w.own_victim)))).await;
    m.cell("opennms delete own", own.status == 202 && w.host(w.own_victim).is_none(), brief(&own));
    let other = call(delete(s.url(&format!("/opennms/rest/nodes/{}", w.other_victim)))).await;
    m.cell("opennms delete other", other.status.as_u16() >= 400 && w.host(w.other_victim).is_some(), brief(&other));

    // acknowledge an alarm
    let alarm = |service: Id| {
        s.db.all::<Alarm>().iter().find(|alarm| alarm.service == Some(service)).map(|alarm| alarm.meta.id).expect("alarm")
    };
    let own = call(put(s.url(&format!("/opennms/api/v2/alarms/{}?ack=true", alarm(w.own.1))))).await;
    m.cell("opennms acknowledge own", own.status == 204 && acknowledged(s, w.own.1), brief(&own));
    let other = call(put(s.url(&format!("/opennms/api/v2/alarms/{}?ack=true", alarm(w.other.1))))).await;
    m.cell("opennms acknowledge other", other.status == 404 && !acknowledged(s, w.other.1), brief(&other));

    // state in: a posted nodeRegainedService event
    let event = |node: Id| json!({"uei": "uei.opennms.org/nodes/nodeRegainedService", "nodeid": node, "service": "HTTP", "source": "alice"});
    let own = call(post(s.url("/opennms/rest/events")).json(&event(w.own.0))).await;
    m.cell("opennms result own", own.status == 202 && service_state(s, w.own.1) == OK, brief(&own));
    let other = call(post(s.url("/opennms/rest/events")).json(&event(w.other.0))).await;
    m.cell("opennms result other", service_state(s, w.other.1) == CRITICAL, brief(&other));

    m.assert_all(16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openitcockpit_sees_and_changes_only_its_tenant() {
    let w = world().await;
    let s = &w.server;
    let mut m = Matrix::default();
    let key = api_key(s, "alice").await;
    let auth = format!("X-OITC-API {key}");
    let call = |c: crate::harness::Call| c.header("authorization", &auth).send();

    // list
    let index = call(get(s.url("/hosts/index.json?angular=true&limit=100"))).await;
    let listed: Vec<String> = index.json()["all_hosts"]
        .as_array()
        .map_or_else(Vec::new, |rows| rows.iter().filter_map(|row| row["Host"]["hostname"].as_str().map(str::to_owned)).collect());
    m.cell("openitcockpit list own", listed.contains(&"a-web".to_owned()), brief(&index));
    m.cell("openitcockpit list other", !listed.contains(&"b-web".to_owned()), format!("{listed:?}"));

    // get
    let own = call(get(s.url(&format!("/hosts/view/{}.json?angular=true", w.own.0)))).await;
    m.cell("openitcockpit get own", own.status == 200 && own.json()["host"]["name"] == "a-web", brief(&own));
    let other = call(get(s.url(&format!("/hosts/view/{}.json?angular=true", w.other.0)))).await;
    m.cell("openitcockpit get other", other.status == 403 && other.json()["statusText"] == "Forbidden", brief(&other));

    // create in the own container / in the other container
    let host = |name: &str, container: Id| json!({"Host": {"name": name, "address": "192.0.2.40", "container_id": container, "hosttemplate_id": 1}});
    let own = call(post(s.url("/hosts/add.json?angular=true")).json(&host("a-added", w.estate.own))).await;
    let created = w.host_named("a-added");
    m.cell("openitcockpit create own", own.status == 200 && created.as_ref().is_some_and(|h| h.tenant == w.estate.own && own.json()["id"] == h.meta.id), brief(&own));
    let other = call(post(s.url("/hosts/add.json?angular=true")).json(&host("b-added", w.estate.other))).await;
    m.cell("openitcockpit create other", other.status == 403 && w.host_named("b-added").is_none(), brief(&other));

    // update: GET the edit form, change the description, POST it back
    let edit = |id: Id| format!("/hosts/edit/{id}.json?angular=true");
    let form = call(get(s.url(&edit(w.own.0)))).await;
    let mut own_host = form.json()["host"]["Host"].clone();
    own_host["description"] = json!("changed by alice");
    let own = call(post(s.url(&edit(w.own.0))).json(&json!({"Host": own_host}))).await;
    m.cell("openitcockpit update own", own.status == 200 && w.host(w.own.0).is_some_and(|h| h.alias == "changed by alice"), brief(&own));
    let mut other_host = own_host.clone();
    other_host["id"] = json!(w.other.0);
    other_host["name"] = json!("b-web");
    other_host["container_id"] = json!(w.estate.other);
    let other = call(post(s.url(&edit(w.other.0))).json(&json!({"Host": other_host}))).await;
    m.cell("openitcockpit update other", other.status == 403 && w.host(w.other.0).is_some_and(|h| h.alias.is_empty()), brief(&other));

    // delete
    let own = call(post(s.url(&format!("/hosts/delete/{}.json", w.own_victim)))).await;
    m.cell("openitcockpit delete own", own.status == 200 && w.host(w.own_victim).is_none(), brief(&own));
    let other = call(post(s.url(&format!("/hosts/delete/{}.json", w.other_victim)))).await;
    m.cell("openitcockpit delete other", other.status == 403 && w.host(w.other_victim).is_some(), brief(&other));

    // acknowledge through the external command
    let ack = |host: &str| json!({"command": "ACKNOWLEDGE_SVC_PROBLEM", "hostUuid": host, "serviceUuid": "HTTP", "author": "alice", "comment": "mine", "sticky": 2});
    let own = call(post(s.url("/nagios_module/cmd/submit.json")).json(&ack("a-web"))).await;
    m.cell("openitcockpit acknowledge own", own.status == 200 && acknowledged(s, w.own.1), brief(&own));
    let other = call(post(s.url("/nagios_module/cmd/submit.json")).json(&ack("b-web"))).await;
    m.cell("openitcockpit acknowledge other", other.status.as_u16() >= 400 && !acknowledged(s, w.other.1), brief(&other));

    // state in: PROCESS_SERVICE_CHECK_RESULT
    let result = |host: &str| json!({"command": "PROCESS_SERVICE_CHECK_RESULT", "hostUuid": host, "serviceUuid": "HTTP", "status_code": 1, "plugin_output": "alice"});
    let own = call(post(s.url("/nagios_module/cmd/submit.json")).json(&result("a-web"))).await;
    m.cell("openitcockpit result own", own.status == 200 && service_state(s, w.own.1) == WARNING, brief(&own));
    let other = call(post(s.url("/nagios_module/cmd/submit.json")).json(&result("b-web"))).await;
    let refused = other.status == 400 && other.json()["message"].as_str().is_some_and(|m| m.contains("Could not resolve hostname"));
    m.cell("openitcockpit result other", refused && service_state(s, w.other.1) == CRITICAL, brief(&other));

    m.assert_all(14);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requisition_import_puts_nodes_into_the_foreign_sources_tenant() {
    let server = crate::harness::TestServer::start().await;
    let tenant = server
        .db
        .write(rosetta_store::Actor::system(), |tx| {
            Ok::<_, rosetta_store::StoreError>(
                tx.insert(rosetta_model::Tenant::new(
                    "Customers",
                    rosetta_model::ROOT_TENANT,
                    rosetta_model::TenantKind::Tenant,
                ))
                .meta
                .id,
            )
        })
        .await
        .expect("tenant");
    let requisition = json!({"foreign-source": "Customers", "node": [{"foreign-id": "c1", "node-label": "cust-web",
        "interface": [{"ip-addr": "192.0.2.77", "snmp-primary": "P", "monitored-service": [{"service-name": "HTTP"}]}]}]});
    let auth = |call: crate::harness::Call| call.basic("admin", crate::harness::ADMIN_PASSWORD);
    let posted = auth(post(server.url("/opennms/rest/requisitions"))).json(&requisition).send().await;
    assert_eq!(posted.status, 202, "{}", posted.text());
    let imported = auth(put(server.url("/opennms/rest/requisitions/Customers/import"))).send().await;
    assert_eq!(imported.status, 202, "{}", imported.text());
    let host = server.db.find_by_name::<rosetta_model::Host>("cust-web").expect("imported");
    assert_eq!(host.tenant, tenant, "the node lives in the foreign source's tenant");
    assert_eq!(host.foreign_source.as_deref(), Some("Customers"));
}
