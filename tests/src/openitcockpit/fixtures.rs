//! Data-driven request/response cases (spec §9): each case is one request with the caller, the
//! expected status and a JSON subset the body must contain (objects match key by key, lists
//! element by element).

use rosetta_model::*;
use rosetta_store::Actor;
use serde_json::{json, Value};

use super::support::{add_host, add_user, export, key_for, send};
use crate::harness::{get, TestServer};

/// Who sends a case.
#[derive(Clone, Copy)]
enum Who {
    Admin,
    Viewer,
    Restricted,
}

struct Case {
    name: &'static str,
    who: Who,
    method: &'static str,
    path: String,
    body: Option<Value>,
    status: u16,
    expect: Value,
}

fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(actual), Value::Object(expected)) => {
            expected.iter().all(|(key, value)| actual.get(key).is_some_and(|inner| contains(inner, value)))
        }
        (Value::Array(actual), Value::Array(expected)) => {
            actual.len() >= expected.len() && expected.iter().zip(actual).all(|(e, a)| contains(a, e))
        }
        _ => actual == expected,
    }
}

fn case(name: &'static str, who: Who, method: &'static str, path: impl Into<String>, body: Option<Value>, status: u16, expect: Value) -> Case {
    Case { name, who, method, path: path.into(), body, status, expect }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_cases() {
    let server = TestServer::start().await;
    let admin = key_for(&server, "admin").await;
    add_user(&server, "viewer", "View all, change none", vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Read }]).await;
    let viewer = key_for(&server, "viewer").await;
    let tenant = server
        .db
        .write(Actor::system(), |tx| {
            let tenant = tx.insert(Tenant::new("TenantA", ROOT_TENANT, TenantKind::Tenant));
            Ok::<_, rosetta_store::StoreError>(tenant.meta.id)
        })
        .await
        .expect("tenant");
    let other_tenant = server
        .db
        .write(Actor::system(), |tx| {
            let tenant = tx.insert(Tenant::new("TenantB", ROOT_TENANT, TenantKind::Tenant));
            Ok::<_, rosetta_store::StoreError>(tenant.meta.id)
        })
        .await
        .expect("tenant");
    add_user(&server, "restricted", "Administrator", vec![TenantAccess { tenant, level: TenantLevel::Write }]).await;
    let restricted = key_for(&server, "restricted").await;
    let root_host = add_host(&server, &admin, "root-host", 1).await;
    let tenant_host = add_host(&server, &admin, "tenant-host", tenant).await;
    let other = add_host(&server, &admin, "web-02", 1).await;
    let hidden = add_host(&server, &admin, "b-host", other_tenant).await;
    export(&server, &admin).await;

    let cases = vec![
        case("index scroll block", Who::Admin, "GET", "/hosts/index.json?angular=true&scroll=true&limit=2&sort=Hosts.name&direction=asc", None, 200,
             json!({"all_hosts": [{"Host": {"name": "b-host"}}, {"Host": {"name": "root-host"}}],
                    "scroll": {"page": 1, "limit": 2, "offset": 0, "hasPrevPage": false, "prevPage": 1, "nextPage": 2, "current": 1, "hasNextPage": true}})),
        case("index paging page 2", Who::Admin, "GET", "/hosts/index.json?angular=true&limit=2&page=2&sort=Hosts.name&direction=asc", None, 200,
             json!({"all_hosts": [{"Host": {"name": "tenant-host"}}, {"Host": {"name": "web-02"}}],
                    "paging": {"page": 2, "current": 2, "count": 4, "prevPage": true, "nextPage": false, "pageCount": 2, "limit": 2}})),
        case("filter like", Who::Admin, "GET", "/hosts/index.json?angular=true&filter[Hosts.name]=web", None, 200,
             json!({"all_hosts": [{"Host": {"id": other}}], "paging": {"count": 1}})),
        case("POSTed body filter", Who::Admin, "POST", "/hosts/index.json?angular=true&filter[Hosts.name]=web", Some(json!({"filter": {"Hosts.id": [root_host]}})), 200,
             json!({"all_hosts": [{"Host": {"id": root_host}}], "paging": {"count": 1}})),
        case("state filter", Who::Admin, "GET", "/hosts/index.json?angular=true&filter[Hoststatus.current_state][]=down", None, 200,
             json!({"all_hosts": [], "paging": {"count": 0, "pageCount": 1}})),
        case("viewer sees every host", Who::Viewer, "GET", "/hosts/index.json?angular=true", None, 200, json!({"paging": {"count": 4}})),
        case("tenant user sees root and its tenant", Who::Restricted, "GET", "/hosts/index.json?angular=true&sort=Hosts.id&direction=asc", None, 200,
             json!({"all_hosts": [{"Host": {"id": root_host, "allow_edit": false}}, {"Host": {"id": tenant_host, "allow_edit": true}}, {"Host": {"id": other}}],
                    "paging": {"count": 3}})),
        case("loadHostsByString", Who::Admin, "GET", "/hosts/loadHostsByString.json?angular=true&filter[Hosts.name]=web", None, 200,
             json!({"hosts": [{"key": other, "value": "web-02"}]})),
        case("loadHostsByString needs angular", Who::Admin, "GET", "/hosts/loadHostsByString.json", None, 405, json!({"message": "Method Not Allowed", "code": 405})),
        case("ACL 403 for a viewer", Who::Viewer, "POST", "/hosts/add.json?angular=true", Some(json!({"Host": {}})), 403,
             json!({"message": "Identity is not authorized to perform `access` on `/hosts/add.json?angular=true`.", "code": 403})),
        case("ACL 403 for unknown actions", Who::Admin, "GET", "/hosts/nosuchaction.json", None, 403, json!({"code": 403})),
        case("container 403 with angular", Who::Restricted, "GET", format!("/hosts/edit/{hidden}.json?angular=true"), None, 403,
             json!({"status": 403, "statusText": "Forbidden"})),
        case("container 403 without angular", Who::Restricted, "POST", format!("/hosts/delete/{root_host}.json"), None, 403,
             json!({"message": "403 Forbidden", "url": format!("/hosts/delete/{root_host}.json"), "code": 403})),
        case("hidden host is a 403 on view", Who::Restricted, "GET", format!("/hosts/view/{hidden}.json"), None, 403, json!({"message": "403 Forbidden"})),
        case("404 invalid host", Who::Admin, "GET", "/hosts/edit/9999.json?angular=true", None, 404, json!({"message": "Invalid host", "code": 404})),
        case("405 delete by GET", Who::Admin, "GET", format!("/hosts/delete/{root_host}.json"), None, 405,
             json!({"message": "Method Not Allowed", "url": format!("/hosts/delete/{root_host}.json"), "code": 405})),
        case("400 empty ids", Who::Admin, "POST", "/hosts/add.json", Some(json!({"Host": {"name": "x", "address": "1.2.3.4"}})), 400,
             json!({"error": {"container_id": {"empty": "This field cannot be left empty"}, "hosttemplate_id": {"empty": "This field cannot be left empty"}}})),
        case("400 validation", Who::Admin, "POST", "/hosts/add.json", Some(json!({"Host": {"name": "", "address": "1.2.3.4", "container_id": 1, "hosttemplate_id": 1, "priority": 9}})), 400,
             json!({"error": {"name": {"_empty": "This field cannot be left empty"}, "priority": {"range": "This value must be between 1 and 5"}}})),
        case("404 unknown template", Who::Admin, "POST", "/hosts/add.json", Some(json!({"Host": {"name": "x", "address": "1.2.3.4", "container_id": 1, "hosttemplate_id": 999}})), 404,
             json!({"message": "Invalid host template"})),
        case("services add missing ids", Who::Admin, "POST", "/services/add.json?angular=true", Some(json!({"Service": {"name": "x"}})), 400,
             json!({"error": {"host_id": {"empty": "This field cannot be left empty"}}})),
        case("edit form", Who::Admin, "GET", format!("/hosts/edit/{root_host}.json?angular=true"), None, 200,
             json!({"host": {"Host": {"id": root_host, "hosttemplate_id": 1, "check_interval": 7200, "priority": 1, "notify_on_down": 1,
                    "hostcommandargumentvalues": [{"commandargument_id": 3, "value": "3000.0,80%"}]}}})),
        case("byUuid unknown", Who::Admin, "GET", "/hosts/byUuid/00000000-0000-0000-0000-000000000000.json", None, 404, json!({"message": "Host not found"})),
        case("host templates", Who::Admin, "GET", "/hosttemplates/index.json?angular=true", None, 200,
             json!({"all_hosttemplates": [{"Hosttemplate": {"id": 1, "name": "default host", "check_interval": 7200, "notify_period_id": 1}}]})),
        case("service templates", Who::Admin, "GET", "/servicetemplates/index.json?angular=true&filter[Servicetemplates.name]=Ping", None, 200,
             json!({"all_servicetemplates": [{"Servicetemplate": {"id": 1, "name": "Ping", "template_name": "CHECK_PING"}}]})),
        case("cmd unknown command", Who::Admin, "GET", "/nagios_module/cmd/submit.json?command=NOPE", None, 404, json!({"message": "Command not found"})),
        case("cmd missing command", Who::Admin, "GET", "/nagios_module/cmd/submit.json", None, 400, json!({"message": "Bad Request"})),
        case("cmd unresolvable host", Who::Admin, "GET", "/nagios_module/cmd/submit.json?command=ACKNOWLEDGE_HOST_PROBLEM&hostUuid=nohost&author=a&comment=b", None, 400,
             json!({"message": "CmdController: Could not resolve hostname \"nohost\" into a UUID"})),
        case("host check result", Who::Admin, "POST", "/nagios_module/cmd/submit.json",
             Some(json!({"command": "PROCESS_HOST_CHECK_RESULT", "hostUuid": "web-02", "status_code": 1, "plugin_output": "DOWN"})), 200,
             json!({"message": "Command added successfully to queue", "args": {"status_code": 1}})),
        case("viewer may not act", Who::Viewer, "GET", "/nagios_module/cmd/submit.json?command=REMOVE_HOST_ACKNOWLEDGEMENT&hostUuid=web-02", None, 403, json!({"code": 403})),
        case("downtime not found", Who::Admin, "POST", "/downtimes/delete/9999.json", Some(json!({"type": "host"})), 200,
             json!({"success": false, "message": "Could not find downtime"})),
        case("launchExport needs POST", Who::Admin, "GET", "/exports/launchExport.json?angular=true", None, 405, json!({"code": 405})),
        case("export index", Who::Admin, "GET", "/exports/index.json", None, 200, json!({"exportRunning": false, "gearmanReachable": true})),
    ];
    let mut failures = Vec::new();
    for case in cases {
        let key = match case.who {
            Who::Admin => &admin,
            Who::Viewer => &viewer,
            Who::Restricted => &restricted,
        };
        let reply = send(&server, case.method, &case.path, key, case.body.as_ref()).await;
        let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        if reply.status.as_u16() != case.status || !contains(&body, &case.expect) {
            failures.push(format!("{}: {} {} → {} {}", case.name, case.method, case.path, reply.status, reply.text()));
        }
    }
    assert!(failures.is_empty(), "failing cases:\n{}", failures.join("\n"));

    let index = send(&server, "GET", "/hosts/index.json?angular=true&filter[Hosts.name]=web", &admin, None).await;
    assert_eq!(index.json()["all_hosts"][0]["Hoststatus"]["currentState"], 1, "the check result changed the state");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_shapes() {
    let server = TestServer::start().await;
    let admin = key_for(&server, "admin").await;
    let json = get(server.url("/hosts/index.json?angular=true")).send().await;
    assert_eq!(json.status, 401);
    assert!(json.body.is_empty(), "401 has an empty body");
    let page = get(server.url("/hosts/index")).send().await;
    assert_eq!(page.status, 302);
    assert_eq!(page.header("location"), Some("/a/users/login"));
    let accept = get(server.url("/hosts/index")).header("Accept", "application/json").send().await;
    assert_eq!(accept.status, 401);
    let bad = get(server.url("/hosts/index.json?apikey=wrongkey")).send().await;
    assert_eq!(bad.status, 401);
    let query = get(server.url(&format!("/hosts/index.json?apikey={admin}"))).send().await;
    assert_eq!(query.status, 200);
    let no_space = get(server.url("/hosts/index.json")).header("Authorization", &format!("X-OITC-API{admin}")).send().await;
    assert_eq!(no_space.status, 200);
    let cookie = get(server.url("/hosts/index.json")).header("Cookie", &format!("Authorization=X-OITC-API%20{admin}")).send().await;
    assert_eq!(cookie.status, 200);
    assert_eq!(cookie.header("content-type"), Some("application/json; charset=UTF-8"));
    let basic = get(server.url("/hosts/index.json")).basic("admin", crate::harness::ADMIN_PASSWORD).send().await;
    assert_eq!(basic.status, 200, "Basic falls through to the generic extractor");
    let unknown = get(server.url("/nosuchthing")).send().await;
    assert_eq!(unknown.status, 404, "non-JSON paths of unknown controllers reach the native 404");

    let user = server.db.find_by_name::<User>("admin").expect("admin");
    let mut disabled = (*user).clone();
    disabled.active = false;
    server.db.write(Actor::system(), |tx| { tx.update(disabled); Ok::<_, rosetta_store::StoreError>(()) }).await.expect("disable");
    let inactive = get(server.url(&format!("/hosts/index.json?apikey={admin}"))).send().await;
    assert_eq!(inactive.status, 401, "inactive users do not authenticate");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_key_management() {
    let server = TestServer::start().await;
    let admin = key_for(&server, "admin").await;
    let listed = send(&server, "GET", "/profile/apikey.json", &admin, None).await;
    assert_eq!(listed.status, 200);
    let keys = listed.json()["apikeys"].as_array().cloned().unwrap_or_default();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["apikey"], admin[..8], "only the stored prefix can be shown");

    let no_candidate = send(&server, "POST", "/profile/create_apikey.json", &admin, Some(&json!({"Apikey": {"description": "ci"}}))).await;
    assert_eq!(no_candidate.status, 400);
    assert_eq!(no_candidate.json()["message"], "Bad Request");
    let candidate = send(&server, "GET", "/profile/create_apikey.json", &admin, None).await;
    let new_key = candidate.json()["apikey"].as_str().expect("candidate").to_owned();
    assert_eq!(new_key.len(), 160);
    let empty = send(&server, "POST", "/profile/create_apikey.json", &admin, Some(&json!({"Apikey": {"description": ""}}))).await;
    assert_eq!(empty.json()["error"]["description"]["_empty"], "This field cannot be left empty");
    let saved = send(&server, "POST", "/profile/create_apikey.json", &admin, Some(&json!({"Apikey": {"description": "ci"}}))).await;
    assert_eq!(saved.json()["message"], "API key created successfully");
    let with_new = send(&server, "GET", "/hosts/index.json?angular=true", &new_key, None).await;
    assert_eq!(with_new.status, 200, "the saved candidate authenticates");

    let keys = send(&server, "GET", "/profile/apikey.json", &admin, None).await.json()["apikeys"].as_array().cloned().unwrap_or_default();
    let id = keys.iter().find(|key| key["description"] == "ci").and_then(|key| key["id"].as_i64()).expect("new key listed");
    let renamed = send(&server, "POST", "/profile/apikey.json", &admin, Some(&json!({"Apikey": {"id": id, "description": "renamed"}}))).await;
    assert_eq!(renamed.json()["message"], "API key updated successfully");
    let one = send(&server, "GET", &format!("/profile/apikey.json?id={id}"), &admin, None).await;
    assert_eq!(one.json()["apikey"]["description"], "renamed");
    let deleted = send(&server, "POST", &format!("/profile/delete_apikey/{id}/.json"), &admin, None).await;
    assert_eq!(deleted.json()["message"], "Api key deleted successfully");
    let gone = send(&server, "GET", "/hosts/index.json", &new_key, None).await;
    assert_eq!(gone.status, 401);
    let again = send(&server, "POST", &format!("/profile/delete_apikey/{id}.json"), &admin, None).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.json()["message"], "Invalid API key");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_objects() {
    let server = TestServer::start().await;
    let key = key_for(&server, "admin").await;
    let containers = send(&server, "GET", "/containers/loadContainers.json?angular=true", &key, None).await;
    assert_eq!(containers.json()["containers"][0], json!({"key": 1, "value": "/root"}));
    let tenant = send(&server, "POST", "/tenants/add.json?angular=true", &key, Some(&json!({"description": "A", "container": {"name": "TenantA"}}))).await;
    let tenant_id = tenant.json()["id"].as_i64().expect("tenant id");
    let duplicate = send(&server, "POST", "/tenants/add.json?angular=true", &key, Some(&json!({"container": {"name": "TenantA"}}))).await;
    assert_eq!(duplicate.status, 400);
    assert_eq!(duplicate.json()["error"]["container"]["name"]["isUnique"], "This name already exists.");
    let node = send(&server, "POST", "/containers/add.json?angular=true", &key,
                    Some(&json!({"Container": {"parent_id": tenant_id, "name": "dc1", "containertype_id": 5}}))).await;
    let node_id = node.json()["id"].as_i64().expect("node id");
    let list = send(&server, "GET", "/containers/loadContainersForAngular.json?angular=true", &key, None).await;
    assert!(list.json()["containers"].as_array().expect("list").contains(&json!({"key": node_id, "value": "/root/TenantA/dc1"})));
    let tenants = send(&server, "GET", "/tenants/index.json?angular=true", &key, None).await;
    assert_eq!(tenants.json()["all_tenants"][0]["Container"]["name"], "TenantA");
    let not_empty = send(&server, "POST", &format!("/containers/delete/{tenant_id}.json"), &key, None).await;
    assert_eq!(not_empty.status, 400);
    assert_eq!(not_empty.json()["message"], "Container is not empty");

    let host = super::support::add_host(&server, &key, "grouped", node_id).await;
    let group = send(&server, "POST", "/hostgroups/add.json?angular=true", &key,
                     Some(&json!({"Hostgroup": {"container": {"parent_id": 1, "name": "web"}, "description": "", "hosts": {"_ids": [host]}}}))).await;
    let group_id = group.json()["id"].as_i64().expect("group id");
    let groups = send(&server, "GET", "/hostgroups/index.json?angular=true&filter[Containers.name]=web", &key, None).await;
    assert_eq!(groups.json()["all_hostgroups"][0]["container"]["name"], "web");
    let edit = send(&server, "GET", &format!("/hosts/edit/{host}.json?angular=true"), &key, None).await;
    assert_eq!(edit.json()["host"]["Host"]["hostgroups"]["_ids"], json!([group_id]));
    let renamed = send(&server, "POST", &format!("/hostgroups/edit/{group_id}.json?angular=true"), &key,
                       Some(&json!({"Hostgroup": {"container": {"name": "web-renamed"}, "hosts": {"_ids": []}}}))).await;
    assert_eq!(renamed.json()["id"], group_id);
    let shown = send(&server, "GET", &format!("/hostgroups/edit/{group_id}.json?angular=true"), &key, None).await;
    assert_eq!(shown.json()["hostgroup"]["Hostgroup"]["container"]["name"], "web-renamed");
    assert_eq!(shown.json()["hostgroup"]["Hostgroup"]["hosts"]["_ids"], json!([]));
    let bad_group = send(&server, "POST", "/hostgroups/add.json?angular=true", &key, Some(&json!({"Hostgroup": {"container": {"parent_id": 1, "name": ""}}}))).await;
    assert_eq!(bad_group.json()["error"]["container"]["name"]["_empty"], "This field cannot be left blank.");

    let template = send(&server, "POST", "/servicetemplates/add.json?angular=true", &key, Some(&json!({"Servicetemplate": {
        "name": "Custom check", "template_name": "CUSTOM", "container_id": 1, "command_id": 3, "check_interval": 120, "retry_interval": 30,
        "max_check_attempts": 2, "notification_interval": 0, "check_period_id": 1, "notify_period_id": 1, "priority": 2}}))).await;
    let template_id = template.json()["id"].as_i64().expect("template id");
    let incomplete = send(&server, "POST", "/servicetemplates/add.json?angular=true", &key, Some(&json!({"Servicetemplate": {"name": "x", "container_id": 1}}))).await;
    assert_eq!(incomplete.json()["error"]["check_interval"]["_required"], "This field is required");
    let service = send(&server, "POST", "/services/add.json?angular=true", &key,
                       Some(&json!({"Service": {"host_id": host, "servicetemplate_id": template_id, "check_interval": 120, "priority": 5}}))).await;
    let service_id = service.json()["id"].as_i64().expect("service id");
    let stored = server.db.get::<rosetta_model::Service>(service_id).expect("service");
    assert_eq!(stored.check.check_interval, None, "equal to the template: stored as inherited");
    assert_eq!(stored.check.priority, Some(5));
    let form = send(&server, "GET", &format!("/services/edit/{service_id}.json?angular=true"), &key, None).await;
    let mut object = form.json()["service"]["Service"].clone();
    assert_eq!(object["check_interval"], 120);
    assert_eq!(object["name"], "Custom check");
    object["name"] = json!("Renamed check");
    object["check_interval"] = json!(60);
    let saved = send(&server, "POST", &format!("/services/edit/{service_id}.json?angular=true"), &key, Some(&json!({"Service": object}))).await;
    assert_eq!(saved.json()["id"], service_id, "{}", saved.text());
    let stored = server.db.get::<rosetta_model::Service>(service_id).expect("service");
    assert_eq!(stored.name.as_deref(), Some("Renamed check"));
    assert_eq!(stored.check.check_interval, Some(60));
    let used = send(&server, "POST", &format!("/servicetemplates/delete/{template_id}.json"), &key, None).await;
    assert_eq!(used.status, 400);
    assert_eq!(used.json()["usedBy"][0]["id"], service_id);

    let commands = send(&server, "GET", "/commands/index.json?angular=true&filter[Commands.name]=check_ping", &key, None).await;
    assert_eq!(commands.json()["all_commands"][0]["Command"]["command_type"], 1);
    let contacts = send(&server, "GET", "/contacts/index.json?angular=true", &key, None).await;
    assert!(contacts.json()["all_contacts"].as_array().expect("contacts").iter().any(|c| c["Contact"]["name"] == "info"));
    let period = send(&server, "POST", "/timeperiods/add.json?angular=true", &key, Some(&json!({"Timeperiod": {"container_id": 1, "name": "work",
        "description": "", "calendar_id": 0, "timeperiod_timeranges": [{"day": 1, "start": "09:00", "end": "17:00"}]}}))).await;
    assert_eq!(period.json()["timeperiod"]["timeperiod_timeranges"][0]["end"], "17:00");
    let periods = send(&server, "GET", "/timeperiods/index.json?angular=true&filter[Timeperiods.name]=24x7", &key, None).await;
    assert_eq!(periods.json()["all_timeperiods"][0]["Timeperiod"]["id"], 1);
    let usergroups = send(&server, "GET", "/usergroups/index.json?angular=true", &key, None).await;
    assert_eq!(usergroups.json()["allUsergroups"][0], json!({"id": 1, "name": "Administrator", "description": "Administrator access"}));
    assert_eq!(usergroups.json()["allUsergroups"][1]["name"], "Viewer");

    super::support::export(&server, &key).await;
    let downtime = send(&server, "POST", "/systemdowntimes/addHostdowntime.json?angular=true", &key, Some(&json!({"Systemdowntime": {
        "object_id": [host], "objecttype_id": 256, "downtimetype_id": 1, "is_recurring": 0, "from_date": "01.01.2020", "from_time": "10:00",
        "to_date": "01.01.2099", "to_time": "10:15", "comment": "In maintenance", "duration": 15}}))).await;
    assert_eq!(downtime.json()["success"], true, "{}", downtime.text());
    let listed = send(&server, "GET", "/downtimes/service.json?angular=true&filter[from]=01.01.2019", &key, None).await;
    let row = &listed.json()["all_service_downtimes"][0];
    assert_eq!(row["Service"]["servicename"], "Renamed check");
    let internal = row["DowntimeService"]["internalDowntimeId"].as_i64().expect("id");
    let host_rows = send(&server, "GET", "/downtimes/host.json?angular=true&filter[from]=01.01.2019&filter[isRunning]=1", &key, None).await;
    let host_downtime = host_rows.json()["all_host_downtimes"][0]["DowntimeHost"]["internalDowntimeId"].as_i64().expect("host downtime");
    let cancel = send(&server, "POST", &format!("/downtimes/delete/{host_downtime}.json"), &key, Some(&json!({"type": "host", "includeServices": true}))).await;
    assert_eq!(cancel.json(), json!({"success": true, "message": "Successfully", "_csrfToken": null}));
    let missing_type = send(&server, "POST", &format!("/downtimes/delete/{internal}.json"), &key, Some(&json!({}))).await;
    assert_eq!(missing_type.status, 400, "{}", missing_type.text());
    assert_eq!(missing_type.json()["error"]["type"]["inList"], "The type must be host or service");
    let running = send(&server, "GET", "/downtimes/host.json?angular=true&filter[from]=01.01.2019&filter[hideExpired]=1", &key, None).await;
    assert_eq!(running.json()["all_host_downtimes"], json!([]));

    let result = send(&server, "POST", "/nagios_module/cmd/submit_bulk_naemon.json", &key, Some(&json!([
        {"command": "commitPassiveResult", "hostUuid": "grouped", "status_code": 1, "plugin_output": "down", "forceHardstate": 1},
        {"command": "submitHoststateAck", "hostUuid": "grouped", "hostAckType": "hostOnly", "sticky": 0, "notify": true, "author": "ui", "comment": "seen"},
        {"command": "rescheduleHost", "hostUuid": "grouped", "type": "hostOnly", "satelliteId": 0},
    ]))).await;
    assert_eq!(result.json()["message"], "Commands added successfully to queue", "{}", result.text());
    let off = send(&server, "POST", &format!("/hosts/deactivate/{host}.json"), &key, None).await;
    assert_eq!(off.json()["success"], true);
    let disabled = send(&server, "GET", "/hosts/disabled.json?angular=true", &key, None).await;
    assert_eq!(disabled.json()["all_hosts"][0]["Host"]["id"], host);
    let disabled_services = send(&server, "GET", "/services/disabled.json?angular=true", &key, None).await;
    assert_eq!(disabled_services.json()["all_services"][0]["Service"]["id"], service_id);
    let on = send(&server, "POST", &format!("/hosts/enable/{host}.json"), &key, None).await;
    assert_eq!(on.json()["success"], true);
    assert!(server.db.get::<rosetta_model::Host>(host).expect("host").enabled);
    let acks = send(&server, "GET", &format!("/acknowledgements/host/{host}.json?angular=true"), &key, None).await;
    assert_eq!(acks.json()["all_acknowledgements"][0]["AcknowledgedHost"]["author_name"], "ui");
    let removed = send(&server, "POST", "/acknowledgements/delete.json", &key, Some(&json!({"hostId": host}))).await;
    assert_eq!(removed.json()["success"], true);
    let status = server.db.get::<rosetta_model::HostStatus>(host).expect("status");
    assert!(status.check.acknowledgement.is_none());
    server.stop().await;
}
