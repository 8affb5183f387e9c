//! Multi-step behaviour against a live gateway: reloads (and the 409 while one runs), passive
//! results showing up in the status views, acknowledgements, downtimes, rechecks, updates by id,
//! bulk deletes, and `VIEWSOME` scoping.

use serde_json::{json, Value};

use super::support::{admin_token, login, rest, user_with_role, with_token};
use crate::harness::{delete, get, post, put, TestServer};

struct Api<'a> {
    server: &'a TestServer,
    user: String,
    token: String,
}

impl Api<'_> {
    async fn get(&self, path: &str) -> Value {
        let reply = with_token(get(rest(self.server, path)), &self.user, &self.token).send().await;
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.text());
        reply.json()
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = rest(self.server, path);
        let call = match method {
            "POST" => post(url),
            "PUT" => put(url),
            "DELETE" => delete(url),
            _ => get(url),
        };
        let mut call = with_token(call, &self.user, &self.token);
        if let Some(body) = body {
            call = call.body(serde_json::to_vec(&body).expect("json"));
        }
        let reply = call.send().await;
        (reply.status.as_u16(), reply.json())
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.send(method, path, body).await;
        assert_eq!(status, 200, "{method} {path}: {value}");
        value
    }
}

async fn admin(server: &TestServer) -> Api<'_> {
    Api { server, user: "admin".to_owned(), token: admin_token(server).await }
}

/// A leaf group `Web` with two hosts on `Network - Base`, then a synchronous reload.
async fn arrange(api: &Api<'_>) -> (String, String) {
    let group = api.ok("POST", "/config/hostgroup", Some(json!({"name": "Web", "parent": {"name": "Opsview"}}))).await;
    let group_id = group["object"]["id"].as_str().expect("id").to_owned();
    let hosts = json!({"list": [
        {"name": "web1", "ip": "10.0.0.1", "hostgroup": {"name": "Web"}, "hosttemplates": [{"name": "Network - Base"}]},
        {"name": "web2", "ip": "10.0.0.2", "hostgroup": {"name": "Web"}, "hosttemplates": [{"name": "Network - Base"}]},
    ]});
    let created = api.ok("POST", "/config/host", Some(hosts)).await;
    assert_eq!(created["objects_updated"], "2");
    let reloaded = api.ok("POST", "/reload", None).await;
    assert_eq!(reloaded["configuration_status"], "uptodate");
    assert_eq!(reloaded["server_status"], "0");
    let web1 = created["list"][0]["id"].as_str().expect("id").to_owned();
    (group_id, web1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_runs_once_at_a_time() {
    let server = TestServer::start().await;
    let api = admin(&server).await;
    api.ok("POST", "/config/hostgroup", Some(json!({"name": "R", "parent": {"name": "Opsview"}}))).await;
    assert_eq!(api.get("/reload").await["configuration_status"], "pending");

    let started = api.ok("POST", "/reload?asynchronous=1", Some(Value::Null)).await;
    assert_eq!(started["server_status"], "1");
    let (status, conflict) = api.send("POST", "/reload", None).await;
    assert_eq!(status, 409);
    assert_eq!(conflict["server_status"], "1");
    assert_eq!(conflict["messages"], json!(["Reload already running"]));

    let mut status = api.get("/reload").await;
    for _ in 0..100 {
        if status["server_status"] != "1" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        status = api.get("/reload").await;
    }
    assert_eq!(status["server_status"], "0");
    assert_eq!(status["configuration_status"], "uptodate");
    assert!(status["lastupdated"].as_str().is_some_and(|t| t.parse::<i64>().is_ok()));
    let group = api.get("/config/hostgroup?s.name=R").await;
    assert_eq!(group["list"][0]["uncommitted"], "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passive_results_acknowledgements_downtimes_and_rechecks() {
    let server = TestServer::start().await;
    let api = admin(&server).await;
    let (group_id, _) = arrange(&api).await;

    let hosts = api.get("/status/host").await;
    assert_eq!(hosts["list"].as_array().map(Vec::len), Some(2));
    assert_eq!(hosts["list"][0]["name"], "web1");
    assert_eq!(hosts["list"][0]["state"], "up");
    assert_eq!(hosts["list"][0]["num_services"], "1");
    assert_eq!(hosts["summary"]["host"]["up"], "2");
    assert_eq!(hosts["summary"]["total"], "4");

    // A critical passive result for web1's LAN check; the host stays up.
    let result = api
        .ok("POST", "/status", Some(json!({"svc.hostname": "web1", "svc.servicename": "Connectivity - LAN", "new_state": "2", "comment": "CRITICAL - lost"})))
        .await;
    assert_eq!(result["summary"]["num_services"], "1");
    let unhandled = api.get("/status/service?filter=unhandled").await;
    assert_eq!(unhandled["list"].as_array().map(Vec::len), Some(1));
    let service = &unhandled["list"][0]["services"][0];
    assert_eq!(service["name"], "Connectivity - LAN");
    assert_eq!(service["state"], "critical");
    assert_eq!(service["output"], "CRITICAL - lost");
    assert_eq!(service["unhandled"], "1");
    assert_eq!(unhandled["summary"]["service"]["critical"], "1");

    // Acknowledge it with parameters in the body.
    let acked = api
        .ok(
            "POST",
            "/acknowledge",
            Some(json!({"svc.hostname": "web1", "svc.servicename": "Connectivity%", "comment": "on <it>"})),
        )
        .await;
    assert_eq!(acked["summary"], json!({"num_hosts": "0", "num_services": "1"}));
    assert_eq!(acked["list"]["services"][0]["hostname"], "web1");
    let service = &api.get("/status/service?hostname=web1").await["list"][0]["services"][0];
    assert_eq!(service["acknowledged"], "1");
    assert_eq!(service["unhandled"], "0");
    let events = api.get("/event?eventtype=1").await;
    assert_eq!(events["list"][0]["ack_comment"], "on it");
    assert_eq!(events["list"][0]["hostname"], "web1");

    // Downtime on web2 by URL parameters, body wins for the comment.
    let downtime = api
        .ok(
            "POST",
            "/downtime?hst.hostname=web2&starttime=now&duration=2h&comment=url",
            Some(json!({"comment": "maintenance"})),
        )
        .await;
    assert_eq!(downtime["summary"]["num_hosts"], "1");
    assert_eq!(downtime["list"]["hosts"][0]["hostname"], "web2");
    let listed = api.get("/downtime").await;
    assert_eq!(listed["summary"]["num_hosts"], "1");
    assert_eq!(listed["list"][0]["objects"]["hosts"][0]["hostname"], "web2");
    assert_eq!(listed["list"][0]["comment"], "Host 'web2': maintenance");
    assert_eq!(listed["list"][0]["started"], "1");
    let web2 = &api.get("/status/host?host=web2").await["list"][0];
    assert_eq!(web2["downtime"], "2");
    let removed = api.ok("DELETE", "/downtime?hst.hostname=web2", None).await;
    assert_eq!(removed["summary"]["num_hosts"], "1");
    assert_eq!(api.get("/downtime").await["list"], json!([]));

    // Host-group downtime reaches both hosts.
    let by_group = api
        .ok("POST", &format!("/downtime?hg.hostgroupid={group_id}&starttime=now&endtime=%2B30m&comment=group"), None)
        .await;
    assert_eq!(by_group["summary"]["num_hostgroups"], "1");
    assert_eq!(by_group["summary"]["num_hosts"], "2");
    // By default a delete ends every downtime of the selected objects (PowerShell sends a comment
    // and start time that need not match); `only_objects_set=1` narrows by them.
    let ended = api.ok("DELETE", "/downtime?hst.hostname=web1&comment=whatever&starttime=now", None).await;
    assert_eq!(ended["summary"]["num_hosts"], "1");
    let kept = api.ok("DELETE", "/downtime?hst.hostname=web2&only_objects_set=1&comment=other", None).await;
    assert_eq!(kept["summary"]["num_hosts"], "0");
    let narrowed = api.ok("DELETE", "/downtime?hst.hostname=web2&only_objects_set=1&comment=group", None).await;
    assert_eq!(narrowed["summary"]["num_hosts"], "1");
    assert_eq!(api.get("/downtime").await["list"], json!([]));

    // Recheck with the plain host filter counts as a host selection.
    let recheck = api.ok("POST", "/recheck?host=web1", None).await;
    assert_eq!(recheck["summary"]["num_hosts"], "1");
    let nothing = api.ok("POST", "/recheck", None).await;
    assert_eq!(nothing["summary"], json!({"num_hosts": "0", "num_services": "0"}));

    // The host goes down: hard at once (passive host result), unhandled, computed state critical.
    api.ok("POST", "/status?hst.hostname=web1&new_state=1&comment=DOWN", None).await;
    let down = api.get("/status/host?state=1").await;
    assert_eq!(down["list"][0]["name"], "web1");
    assert_eq!(down["list"][0]["state_type"], "hard");
    let groups = api.get(&format!("/status/hostgroup?hostgroupid={group_id}")).await;
    assert_eq!(groups["list"][0]["name"], "Web");
    assert_eq!(groups["list"][0]["computed_state"], "critical");
    assert_eq!(groups["list"][0]["hosts"]["total"], "2");

    // /rest/detail keeps real numbers.
    let detail = api.get("/detail?hostname=web1").await;
    assert_eq!(detail["object"]["state"], "DOWN");
    assert_eq!(detail["object"]["state_type"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_by_id_clones_and_bulk_deletes_reach_the_shared_model() {
    let server = TestServer::start().await;
    let api = admin(&server).await;
    let (_, web1) = arrange(&api).await;

    let updated = api
        .ok(
            "PUT",
            &format!("/config/host/{web1}"),
            Some(json!({"ip": "10.0.0.11", "keywords": ["blue", "green"], "hosttemplates": []})),
        )
        .await;
    assert_eq!(updated["object"]["name"], "web1");
    assert_eq!(updated["object"]["ip"], "10.0.0.11");
    assert_eq!(updated["object"]["hosttemplates"], json!([]));
    let id: i64 = web1.parse().expect("id");
    let host = server.db.get::<rosetta_model::Host>(id).expect("host in the store");
    assert_eq!(host.address, "10.0.0.11");
    assert_eq!(host.tags, vec!["blue".to_owned(), "green".to_owned()]);
    assert!(host.templates.is_empty());
    let services: Vec<_> = server.db.all::<rosetta_model::Service>().into_iter().filter(|s| s.host == id).collect();
    assert!(services.is_empty(), "dropping the template drops its services");
    assert_eq!(api.get("/reload").await["configuration_status"], "pending");

    let (status, missing) = api.send("PUT", "/config/host/999999", Some(json!({"ip": "10.9.9.9"}))).await;
    assert_eq!(status, 404, "{missing}");

    let clone =
        api.ok("POST", &format!("/config/host/{web1}"), Some(json!({"name": "web1-clone", "ip": "10.0.0.12"}))).await;
    assert_eq!(clone["object"]["hostgroup"]["name"], "Web");
    assert_eq!(
        clone["object"]["keywords"],
        json!([{"name": "blue", "ref": clone["object"]["keywords"][0]["ref"]},
                                                   {"name": "green", "ref": clone["object"]["keywords"][1]["ref"]}])
    );

    let list = api.get("/config/host?s.name=web%25&cols=id&order=id").await;
    let ids: Vec<String> = list["list"]
        .as_array()
        .expect("list")
        .iter()
        .map(|h| h["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    let path = format!("/config/host?id={}&id={}", ids[0], ids[1]);
    let deleted = api.ok("DELETE", &path, None).await;
    assert_eq!(deleted["objects_deleted"], "2");
    assert_eq!(api.get("/config/host?s.name=web%25").await["summary"]["totalrows"], "1");
    assert!(server.db.get::<rosetta_model::Host>(id).is_none());
    let gone = api.ok("DELETE", &format!("/config/host/{}", ids[2]), None).await;
    assert_eq!(gone, json!({"success": "1"}));
    assert_eq!(api.get(&format!("/config/host/exists?id={}", ids[2])).await["exists"], "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn view_some_sees_only_its_host_groups() {
    let server = TestServer::start().await;
    let api = admin(&server).await;
    arrange(&api).await;
    api.ok("POST", "/config/hostgroup", Some(json!({"name": "Other", "parent": {"name": "Opsview"}}))).await;
    api.ok("POST", "/config/host", Some(json!({"name": "db1", "ip": "10.0.1.1", "hostgroup": {"name": "Other"}})))
        .await;
    api.ok("POST", "/reload", None).await;
    api.ok("POST", "/config/role", Some(json!({"name": "Web watchers", "accesses": ["VIEWSOME", "ACTIONSOME"], "access_hostgroups": [{"name": "Web"}]}))).await;
    user_with_role(&server, "watcher", "watcher-password-1", "Web watchers", &[]).await;
    let token = login(&server, "watcher", "watcher-password-1").await;
    let watcher = Api { server: &server, user: "watcher".to_owned(), token };

    let visible = watcher.get("/status/host").await;
    let names: Vec<&str> =
        visible["list"].as_array().expect("list").iter().filter_map(|h| h["name"].as_str()).collect();
    assert_eq!(names, vec!["web1", "web2"]);
    assert_eq!(visible["summary"]["host"]["total"], "2");

    // Out-of-scope objects are skipped silently, never a 403.
    let acked = watcher.ok("POST", "/recheck?hst.hostname=db1", None).await;
    assert_eq!(acked["summary"]["num_hosts"], "0");
    let acked = watcher.ok("POST", "/recheck?hst.hostname=web%25", None).await;
    assert_eq!(acked["summary"]["num_hosts"], "2");
    let (status, denied) = watcher.send("GET", "/config/host", None).await;
    assert_eq!((status, denied["message"].as_str()), (403, Some("Access denied")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configure_hosts_is_limited_to_the_roles_host_groups() {
    let server = TestServer::start().await;
    let api = admin(&server).await;
    arrange(&api).await;
    api.ok("POST", "/config/hostgroup", Some(json!({"name": "Other", "parent": {"name": "Opsview"}}))).await;
    api.ok("POST", "/config/host", Some(json!({"name": "db1", "ip": "10.0.1.1", "hostgroup": {"name": "Other"}})))
        .await;
    let role = json!({"name": "Web admins", "accesses": ["CONFIGUREHOSTS", "CONFIGURESAVE", "CONFIGUREVIEW"],
                      "hostgroups": [{"name": "Web"}]});
    let created = api.ok("POST", "/config/role", Some(role)).await;
    assert_eq!(created["object"]["hostgroups"][0]["name"], "Web");
    user_with_role(&server, "webadmin", "webadmin-password-1", "Web admins", &[]).await;
    let token = login(&server, "webadmin", "webadmin-password-1").await;
    let webadmin = Api { server: &server, user: "webadmin".to_owned(), token };

    let hosts = webadmin.get("/config/host?cols=name&order=name").await;
    let names: Vec<&str> = hosts["list"].as_array().expect("list").iter().filter_map(|h| h["name"].as_str()).collect();
    assert_eq!(names, vec!["web1", "web2"]);
    assert_eq!(hosts["summary"]["allrows"], "2");
    let db1 = api.get("/config/host?s.name=db1").await["list"][0]["id"].as_str().expect("id").to_owned();
    let (status, _) = webadmin.send("GET", &format!("/config/host/{db1}"), None).await;
    assert_eq!(status, 403);
    let (status, denied) = webadmin
        .send("POST", "/config/host", Some(json!({"name": "sneaky", "ip": "10.0.1.2", "hostgroup": {"name": "Other"}})))
        .await;
    assert_eq!((status, denied["message"].as_str()), (403, Some("Access denied")));
    assert!(server.db.find_by_name::<rosetta_model::Host>("sneaky").is_none());
    let (status, _) = webadmin.send("DELETE", &format!("/config/host/{db1}"), None).await;
    assert_eq!(status, 403);
    let made = webadmin
        .ok("POST", "/config/host", Some(json!({"name": "web3", "ip": "10.0.0.3", "hostgroup": {"name": "Web"}})))
        .await;
    assert_eq!(made["object"]["hostgroup"]["name"], "Web");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_use_format_datetime_and_inherited_accesses() {
    let server = TestServer::start().await;
    let api = admin(&server).await;
    arrange(&api).await;
    let used = api.get("/config/hosttemplate?in_use=1&cols=name").await;
    let names: Vec<&str> = used["list"].as_array().expect("list").iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, vec!["Network - Base"]);
    let unused = api.get("/config/hosttemplate?in_use=0&s.name=OS%25&cols=name").await;
    assert_eq!(unused["list"][0]["name"], "OS - Unix Base");

    api.ok(
        "POST",
        "/downtime?hst.hostname=web1&starttime=2030-01-02%2003:04:05&endtime=2030-01-02%2004:04:05&comment=later",
        None,
    )
    .await;
    let listed = api.get("/downtime?format_datetime=1").await;
    assert_eq!(listed["list"][0]["start_time"], "2030-01-02 03:04:05");
    assert_eq!(listed["list"][0]["started"], "0");
    let epoch = api.get("/downtime").await;
    assert_eq!(epoch["list"][0]["start_time"], "1893553445");
    let web1 = &api.get("/status/host?host=web1&format_datetime=1").await["list"][0];
    assert_eq!(web1["downtime"], "1", "a downtime scheduled for later");

    let user = api.get("/user").await;
    assert_eq!(user["access_list"]["VIEWPORTACCESS"], "1");
    assert_eq!(user["access_list"]["RRDGRAPHS"], "1");
}
