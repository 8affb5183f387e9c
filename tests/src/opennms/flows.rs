//! Multi-step behaviour: posted events become shared state, imports are all-or-nothing, and the
//! fresh-install seed is there.

use http::Method;
use rosetta_core::monitoring;
use rosetta_model::{Host, HostGroup, HostState, Severity, StateValue, Target};

use super::support::{admin, arrange, v1, v2};
use crate::harness::{get, post, put, Call, TestServer};

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
