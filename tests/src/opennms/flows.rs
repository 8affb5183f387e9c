//! Multi-step behaviour: posted events become shared state, imports are all-or-nothing, the
//! fresh-install seed is there, users created here log in through every dialect, and passive results'
//! perfdata comes back as resources and measurements, and node metadata written here reads back while
//! other dialects still read the host.

use http::Method;
use rosetta_core::monitoring;
use rosetta_model::{Host, HostGroup, HostState, Role, Service, Severity, StateValue, Target, User};
use serde_json::json;

use super::support::{admin, arrange, v1, v2};
use crate::harness::{get, post, put, Call, Reply, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_node_down_is_a_shared_state_change() {
    let server = TestServer::start().await;
    let world = arrange(&server).await;
    let body = format!(
        "<event xmlns=\"http://xmlns.opennms.org/xsd/event\"><uei>uei.opennms.org/nodes/nodeDown</uei><nodeid>{}</nodeid><severity>Critical</severity><logmsg>gone</logmsg></event>",
        world.web01
    );
    let reply = admin(post(v1(&server, "/events"))).header("content-type", "application/xml").body(body).send().await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    let state = monitoring::current_state(&*server.db, Target::Host(world.web01)).expect("state");
    assert_eq!(state.state, StateValue::Host(HostState::Down));
    assert_eq!(state.native.as_ref().map(|native| native.value.as_str()), Some("CRITICAL"));
    let alarm = monitoring::alarm_of(&*server.db, Target::Host(world.web01)).expect("alarm");
    assert_eq!(alarm.severity, Severity::Critical);
    assert_eq!(alarm.uei, "uei.opennms.org/nodes/nodeDown");

    let listed = admin(get(v2(&server, &format!("/alarms?_s=node.id%3D%3D{}%3Buei%3D%3D*nodeDown", world.web01))))
        .send()
        .await
        .json();
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["alarm"][0]["severity"], "CRITICAL");
    assert_eq!(listed["alarm"][0]["logMessage"], "web01 is DOWN");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_import_changes_nothing() {
    let server = TestServer::start().await;
    arrange(&server).await;
    let requisition = serde_json::json!({
        "foreign-source": "Broken",
        "node": [
            {"foreign-id": "ok1", "node-label": "ok1", "interface": [{"ip-addr": "192.0.2.1"}], "category": [{"name": "Fresh"}]},
            {"foreign-id": "bad", "interface": [{"ip-addr": "192.0.2.2"}]}
        ]
    });
    let created = admin(post(v1(&server, "/requisitions"))).json(&requisition).send().await;
    assert_eq!(created.status, 202);
    let hosts = server.db.count::<Host>();
    let groups = server.db.count::<HostGroup>();
    let import = admin(put(v1(&server, "/requisitions/Broken/import"))).send().await;
    assert_eq!(import.status, 400, "{}", import.text());
    assert_eq!(server.db.count::<Host>(), hosts);
    assert_eq!(server.db.count::<HostGroup>(), groups, "the category of the first node must not survive");
    assert!(server.db.find_by_name::<Host>("ok1").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fresh_install_seed_is_there() {
    let server = TestServer::start().await;
    let categories: Vec<String> = server.db.all::<HostGroup>().iter().map(|group| group.name.clone()).collect();
    for name in ["Routers", "Switches", "Servers", "Production", "Test", "Development"] {
        assert!(categories.iter().any(|found| found == name), "{name} missing from {categories:?}");
    }
    let servers = server.db.all::<HostGroup>().into_iter().find(|group| group.name == "Servers").expect("Servers");
    assert_eq!(servers.parent, Some(1));
    let nodes = admin(get(v1(&server, "/nodes"))).header("accept", "application/json").send().await.json();
    assert_eq!(nodes["totalCount"], 0);
    let names = admin(get(v1(&server, "/requisitionNames"))).header("accept", "application/json").send().await.json();
    assert_eq!(names, serde_json::json!({"count": 0, "foreign-source": []}));
    let requisitions = admin(Call::new(Method::GET, v1(&server, "/requisitions"))).send().await;
    assert!(requisitions.text().contains("<requisitions count=\"0\""), "{}", requisitions.text());
    let foreign_sources = admin(get(v1(&server, "/foreignSources"))).header("accept", "application/json").send().await;
    assert_eq!(foreign_sources.json()["count"], 0);
}

/// Opsview's `POST /rest/login`.
async fn opsview_login(server: &TestServer, username: &str, password: &str) -> Reply {
    post(server.url("/rest/login"))
        .header("accept", "application/json")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_created_through_opennms_logs_in_through_every_dialect() {
    let server = TestServer::start().await;
    let body = "<user><user-id>nocop</user-id><full-name>NOC Operator</full-name><email>noc@example.org</email>\
        <password>Op3rator-Pass</password><role>ROLE_USER</role></user>";
    let created = admin(post(v1(&server, "/users?hashPassword=true")))
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.header("location"), Some("/opennms/rest/users/nocop"));

    let user = server.db.find_by_name::<User>("nocop").expect("a shared user");
    assert!(user.active);
    assert!(user.password_hash.as_deref().is_some_and(|hash| hash.starts_with("$argon2")), "hashed, never stored as sent");
    let role = server.db.get::<Role>(user.role).expect("role");
    assert_eq!(role.permissions.opennms_roles(), vec!["ROLE_USER"], "ROLE_USER maps onto {}", role.name);

    let login = opsview_login(&server, "nocop", "Op3rator-Pass").await;
    assert_eq!(login.status, 200, "Opsview login: {}", login.text());
    assert!(login.json()["token"].as_str().is_some_and(|token| !token.is_empty()), "{}", login.text());
    let refused = opsview_login(&server, "nocop", "wrong").await;
    assert_eq!(refused.status, 401, "{}", refused.text());

    let whoami = get(server.url("/api/v1/whoami")).basic("nocop", "Op3rator-Pass").send().await;
    assert_eq!(whoami.status, 200, "{}", whoami.text());
    let whoami = whoami.json();
    assert_eq!(whoami["login"], "nocop");
    assert_eq!(whoami["fullname"], "NOC Operator");
    assert_eq!(whoami["email"], "noc@example.org");
    assert_eq!(whoami["opennms_roles"], json!(["ROLE_USER"]));

    let denied = post(v1(&server, "/users"))
        .basic("nocop", "Op3rator-Pass")
        .header("content-type", "application/xml")
        .body("<user><user-id>x</user-id><password>x</password></user>")
        .send()
        .await;
    assert_eq!(denied.status, 403, "ROLE_USER is stopped by the URL rules: {}", denied.text());
    assert!(server.db.find_by_name::<User>("x").is_none());

    let deleted = admin(Call::new(Method::DELETE, v1(&server, "/users/nocop"))).send().await;
    assert_eq!(deleted.status, 204);
    let after = get(server.url("/api/v1/whoami")).basic("nocop", "Op3rator-Pass").send().await;
    assert_eq!(after.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_perfdata_reads_back_as_resources_and_measurements() {
    let server = TestServer::start().await;
    let world = arrange(&server).await;
    let results = json!({"results": [{"host": "web01", "service": "HTTP", "state": "ok", "output": "HTTP OK",
        "perfdata": "time=0.25s;1;2;0 'body size'=2048B;;;0"}]});
    let posted = admin(post(server.url("/api/v1/results"))).json(&results).send().await;
    assert_eq!(posted.status, 200, "{}", posted.text());
    let last_check = monitoring::current_state(&*server.db, Target::Service(world.http)).expect("state").last_check;
    let resource = format!("node[{}].nagiosService[HTTP]", world.web01);

    let node = admin(get(v1(&server, &format!("/resources/fornode/{}", world.web01))))
        .header("accept", "application/json")
        .send()
        .await
        .json();
    let child = &node["children"]["resource"][0];
    assert_eq!(child["id"], resource.as_str());
    let mut attributes: Vec<&str> =
        child["rrdGraphAttributes"].as_object().expect("map").keys().map(String::as_str).collect();
    attributes.sort_unstable();
    assert_eq!(attributes, vec!["body size", "time"]);

    let query = json!({"start": -3_600_000, "end": 0, "step": 300_000, "source": [
        {"label": "bytes", "resourceId": resource, "attribute": "body size", "aggregation": "AVERAGE", "transient": false},
        {"label": "rt", "resourceId": resource, "attribute": "time", "aggregation": "AVERAGE", "transient": false}]});
    let answer = admin(post(v1(&server, "/measurements"))).header("accept", "application/json").json(&query).send().await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let answer = answer.json();
    assert_eq!(answer["timestamps"], json!([last_check.millis()]));
    assert_eq!(answer["labels"], json!(["bytes", "rt"]));
    assert_eq!(answer["columns"], json!([{"values": [2048.0]}, {"values": [0.25]}]));
    assert_eq!(answer["metadata"]["nodes"][0]["label"], "web01");
    assert!(answer["end"].as_i64().unwrap_or_default() >= last_check.millis());

    let single = admin(get(v1(&server, &format!("/measurements/{}/time", resource.replace('[', "%5B").replace(']', "%5D")))))
        .header("accept", "application/json")
        .send()
        .await
        .json();
    assert_eq!(single["columns"], json!([{"values": [0.25]}]));

    let service = server.db.get::<Service>(world.http).expect("service");
    let cleared = json!({"results": [{"host": "web01", "service": "HTTP", "state": "ok", "output": "no perfdata"}]});
    assert_eq!(admin(post(server.url("/api/v1/results"))).json(&cleared).send().await.status, 200);
    let gone = admin(get(v1(&server, &format!("/resources/{}", resource.replace('[', "%5B").replace(']', "%5D"))))).send().await;
    assert_eq!(gone.status, 404, "{} has no perfdata any more", monitoring::service_name(&*server.db, &service));
}

async fn post_metadata(url: String, entry: serde_json::Value) -> Reply {
    admin(post(url)).header("content-type", "application/json").json(&entry).send().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_metadata_written_through_opennms_reads_back_and_only_x_contexts_are_writable() {
    let server = TestServer::start().await;
    let world = arrange(&server).await;
    let before = server.db.get::<Host>(world.web01).expect("web01");
    let node = |path: &str| v2(&server, &format!("/nodes/{}{path}", world.web01));

    let put_reply = admin(put(node("/metadata/X-Ops/owner/noc"))).send().await;
    assert_eq!(put_reply.status, 204, "{}", put_reply.text());
    let posted = post_metadata(node("/metadata"), json!({"context": "X-Ops", "key": "tier", "value": "gold"})).await;
    assert_eq!(posted.status, 204, "{}", posted.text());
    let read = admin(get(node("/metadata"))).send().await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(
        read.json(),
        json!({"count": 2, "totalCount": 2, "offset": 0, "metaData": [
            {"context": "X-Ops", "key": "owner", "value": "noc"},
            {"context": "X-Ops", "key": "tier", "value": "gold"}
        ]})
    );

    let stored = server.db.get::<Host>(world.web01).expect("web01");
    let written = stored.clone();
    assert_eq!(
        stored.native.get("opennms.metadata"),
        Some(&json!([{"context": "X-Ops", "key": "owner", "value": "noc"}, {"context": "X-Ops", "key": "tier", "value": "gold"}]))
    );
    let mut expected = (*before).clone();
    expected.native = stored.native.clone();
    expected.meta = stored.meta.clone();
    assert_eq!(*stored, expected, "only the metadata entry of the host's native map changed");
    assert_eq!(stored.native.len(), before.native.len() + 1);

    let denied = admin(put(node("/metadata/requisition/owner/evil"))).send().await;
    assert_eq!(denied.status, 403, "{}", denied.text());
    assert_eq!(denied.text(), "Only metadata in contexts starting with 'X-' can be modified");
    let denied_post = post_metadata(node("/metadata"), json!({"context": "snmp", "key": "sysName", "value": "evil"})).await;
    assert_eq!(denied_post.status, 403, "{}", denied_post.text());
    let denied_delete = admin(Call::new(Method::DELETE, node("/metadata/requisition"))).send().await;
    assert_eq!(denied_delete.status, 403, "{}", denied_delete.text());
    let after = server.db.get::<Host>(world.web01).expect("web01");
    assert_eq!(after, written, "refused writes changed nothing, not even the version");
    assert_eq!(admin(get(node("/metadata"))).send().await.json()["count"], 2);

    let opsview = admin(get(server.url(&format!("/rest/config/host/{}", world.web01))))
        .header("accept", "application/json")
        .send()
        .await;
    assert_eq!(opsview.status, 200, "Opsview still reads the host: {}", opsview.text());
    assert_eq!(opsview.json()["object"]["name"], "web01");
    let native = admin(get(server.url("/api/v1/hosts?name=web01"))).send().await;
    assert_eq!(native.status, 200, "the native API still reads the host: {}", native.text());
    assert!(native.text().contains("web01"));
}
