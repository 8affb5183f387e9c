//! Bad input is a readable 400 (never a 500) and writes nothing; role failures are 403.

use http::Method;
use rosetta_core::GatewayError;
use rosetta_model::{Alarm, Document, Event, Host, HostGroup, Meta, Native, Permission, Role, TenantLevel};
use rosetta_store::Actor;

use super::support::{admin, arrange, user_with_access, user_with_role, v1, v2};
use crate::harness::{get, put, Call, TestServer};

/// Counts of everything a bad request could have written.
async fn snapshot(server: &TestServer) -> (usize, usize, usize, usize, usize, String) {
    let alarms: Vec<String> =
        server.db.all::<Alarm>().iter().map(|a| format!("{:?}{:?}", a.severity, a.ack_user)).collect();
    (
        server.db.count::<Host>(),
        server.db.count::<Alarm>(),
        server.db.count::<Event>(),
        server.db.count::<Document>(),
        server.db.count::<HostGroup>(),
        alarms.join(","),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_readable_400_and_writes_nothing() {
    let server = TestServer::start().await;
    let world = arrange(&server).await;
    let form = "application/x-www-form-urlencoded";
    let cases: Vec<(&str, Method, String, &str, &str)> = vec![
        ("broken node XML", Method::POST, v1(&server, "/nodes"), "application/xml", "<node type=\"A\" label=\"x\">"),
        ("node JSON that is not an object", Method::POST, v1(&server, "/nodes"), "application/json", "[1,2]"),
        (
            "broken requisition JSON",
            Method::POST,
            v1(&server, "/requisitions"),
            "application/json",
            "{\"foreign-source\": ",
        ),
        (
            "broken requisition XML",
            Method::POST,
            v1(&server, "/requisitions"),
            "application/xml",
            "<model-import foreign-source=\"A\"><node>",
        ),
        ("requisition without name", Method::POST, v1(&server, "/requisitions"), "application/json", "{\"node\": []}"),
        ("broken foreign source JSON", Method::POST, v1(&server, "/foreignSources"), "application/json", "{nope"),
        ("broken event JSON", Method::POST, v2(&server, "/events"), "application/json", "{\"uei\": \"x\","),
        ("event that is neither XML nor JSON", Method::POST, v1(&server, "/events"), "text/plain", "hello"),
        (
            "event with an unknown severity",
            Method::POST,
            v1(&server, "/events"),
            "application/json",
            "{\"uei\":\"u\",\"severity\":\"HUGE\"}",
        ),
        (
            "event with a bad node id",
            Method::POST,
            v1(&server, "/events"),
            "application/json",
            "{\"uei\":\"u\",\"nodeid\":\"abc\"}",
        ),
        ("bad FIQL", Method::GET, v2(&server, "/alarms?_s=severity%3D%3D"), "", ""),
        ("unbalanced FIQL", Method::GET, v2(&server, "/alarms?_s=(id%3D%3D1"), "", ""),
        ("FIQL unknown property", Method::GET, v2(&server, "/nodes?_s=nope%3D%3D1"), "", ""),
        ("FIQL bad severity", Method::GET, v2(&server, "/alarms?_s=severity%3D%3DHUGE"), "", ""),
        ("FIQL bad date", Method::GET, v2(&server, "/events?_s=eventTime%3Dgt%3Dyesterday"), "", ""),
        ("unknown orderBy v2", Method::GET, v2(&server, "/alarms?orderBy=nope"), "", ""),
        ("unknown orderBy v1", Method::GET, v1(&server, "/nodes?orderBy=nope"), "", ""),
        ("non-numeric limit", Method::GET, v1(&server, "/alarms?limit=ten"), "", ""),
        ("negative offset", Method::GET, v2(&server, "/events?offset=-1"), "", ""),
        ("unknown v1 filter property", Method::GET, v1(&server, "/events?nope=1"), "", ""),
        ("unknown comparator", Method::GET, v1(&server, "/alarms?severity=MAJOR&comparator=about"), "", ""),
        ("non-numeric id filter", Method::GET, v1(&server, "/alarms?id=abc"), "", ""),
        ("alarm PUT without an action", Method::PUT, v1(&server, "/alarms/1"), form, "nothing=here"),
        ("unknown ticket state", Method::PUT, v2(&server, "/alarms/1"), form, "ticketState=SOMEDAY"),
        ("memo without body", Method::PUT, v2(&server, "/alarms/1/memo"), form, "user=admin"),
        ("unknown category", Method::POST, v1(&server, &format!("/nodes/{}/categories/Nope", world.web01)), "", ""),
    ];
    let before = snapshot(&server).await;
    let mut failures = Vec::new();
    for (name, method, url, content_type, body) in cases {
        let mut call = admin(Call::new(method, url)).body(body.to_owned());
        if !content_type.is_empty() {
            call = call.header("content-type", content_type);
        }
        let reply = call.send().await;
        let text = reply.text();
        if reply.status.as_u16() != 400
            || text.trim().is_empty()
            || !reply.header("content-type").unwrap_or_default().starts_with("text/plain")
        {
            failures.push(format!("{name}: {} {:?} {text:?}", reply.status, reply.header("content-type")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(snapshot(&server).await, before, "a rejected request wrote something");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_follow_the_spring_security_rules() {
    let server = TestServer::start().await;
    arrange(&server).await;
    user_with_role(&server, "viewer", "viewer-password", "View all, change none").await;
    user_with_role(&server, "guest", "guest-password", "Public").await;
    server
        .db
        .write(Actor::new("test", "test"), |tx| {
            tx.insert(Role {
                meta: Meta::new(0),
                name: "REST only".to_owned(),
                description: String::new(),
                permissions: [Permission::ViewAll, Permission::ActionSome, Permission::ConfigureSave]
                    .into_iter()
                    .collect(),
                hostgroups: vec![],
                native: Native::new(),
            });
            Ok::<_, GatewayError>(())
        })
        .await
        .expect("role");
    user_with_role(&server, "rester", "rester-password", "REST only").await;

    let viewer = |call: Call| call.basic("viewer", "viewer-password");
    assert_eq!(viewer(get(v1(&server, "/alarms"))).send().await.status, 200);
    assert_eq!(viewer(get(v2(&server, "/nodes"))).send().await.status, 200);
    let denied = viewer(put(v1(&server, "/alarms/1?ack=true"))).send().await;
    assert_eq!(denied.status, 403);
    let posted = viewer(Call::new(Method::POST, v1(&server, "/events")))
        .header("content-type", "application/json")
        .body("{\"uei\":\"uei.opennms.org/x\"}")
        .send()
        .await;
    assert_eq!(posted.status, 403);
    assert_eq!(viewer(get(v1(&server, "/requisitions"))).send().await.status, 403);

    let guest = get(v1(&server, "/nodes")).basic("guest", "guest-password").send().await;
    assert_eq!(guest.status, 403);
    let guest_alarms = get(v2(&server, "/alarms")).basic("guest", "guest-password").send().await;
    assert_eq!(guest_alarms.status, 403);

    let rester = |call: Call| call.basic("rester", "rester-password");
    let on_behalf = rester(put(v2(&server, "/alarms/1?ack=true&ackUser=someone"))).send().await;
    assert_eq!(on_behalf.status, 403);
    assert_eq!(on_behalf.header("content-type"), Some("text/plain"));
    assert_eq!(on_behalf.text(), "User 'rester', is not allowed to perform updates to alarms as user 'someone'");
    let own = rester(put(v2(&server, "/alarms/1?ack=true&ackUser=rester"))).send().await;
    assert_eq!(own.status, 204);
    let alarm = server.db.get::<Alarm>(1).expect("alarm");
    assert_eq!(alarm.ack_user.as_deref(), Some("rester"));

    let admin_on_behalf = admin(put(v2(&server, "/alarms/2?ack=true&ackUser=someone"))).send().await;
    assert_eq!(admin_on_behalf.status, 204);
    assert_eq!(server.db.get::<Alarm>(2).expect("alarm").ack_user.as_deref(), Some("someone"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_writes_need_tenant_write_access() {
    let server = TestServer::start().await;
    let world = arrange(&server).await;
    user_with_access(&server, "auditor", "auditor-password", "Administrator", TenantLevel::Read).await;
    let auditor = |call: Call| call.basic("auditor", "auditor-password");
    assert_eq!(auditor(get(v1(&server, &format!("/nodes/{}", world.web01)))).send().await.status, 200);
    let renamed = auditor(put(v1(&server, &format!("/nodes/{}", world.web01))))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("label=hijacked")
        .send()
        .await;
    assert_eq!(renamed.status, 403);
    let deleted = auditor(Call::new(Method::DELETE, v1(&server, &format!("/nodes/{}", world.db01)))).send().await;
    assert_eq!(deleted.status, 403);
    let created = auditor(Call::new(Method::POST, v1(&server, "/nodes")))
        .header("content-type", "application/xml")
        .body("<node type=\"A\" label=\"x\"/>")
        .send()
        .await;
    assert_eq!(created.status, 403);
    assert_eq!(server.db.get::<Host>(world.web01).expect("web01").name, "web01");
    assert!(server.db.get::<Host>(world.db01).is_some());
}
