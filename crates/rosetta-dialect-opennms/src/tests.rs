//! Dialect tests against the in-memory store, no sockets: requests go straight into
//! [`Dialect::handle`].

use std::sync::Arc;

use bytes::Bytes;
use http::Method;
use http_body_util::{BodyExt, Full};
use rosetta_auth::{Auth, AuthConfig, AuthMethod, PasswordHasher};
use rosetta_core::monitoring::{self, CheckResult};
use rosetta_core::{AppContext, Dialect, GatewayError, RequestContext, Settings};
use rosetta_model::{
    Alarm, Event, Host, HostGroup, HostState, Memo, Meta, Native, Parameter, Service, ServiceState, ServiceTemplate,
    Severity, StateValue, Target, Tenant, TenantAccess, TenantKind, TenantLevel, Timestamp, User, ROOT_TENANT,
};
use rosetta_store::{Actor, Db, MemoryStore};
use serde_json::{json, Value};

use crate::OpennmsDialect;

/// A fixed instant every stored time is moved to, so no pinned field depends on the clock.
const EPOCH: Timestamp = Timestamp(1_700_000_000_000);

async fn app() -> AppContext {
    let db = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("open"));
    let auth =
        Arc::new(Auth::new(Arc::clone(&db), AuthConfig { hasher: PasswordHasher::cheap(), ..AuthConfig::default() }));
    let hash = auth.hash_password("secret-password").expect("hash");
    let dialect = OpennmsDialect::new();
    db.write(Actor::new("system", "seed"), |tx| {
        rosetta_core::seed::seed_core(tx, hash)?;
        dialect.seed(tx)
    })
    .await
    .expect("seed");
    AppContext { db, auth, settings: Arc::new(Settings::default()) }
}

/// Sends a GET as `login` with `accept`; returns the status, the `Content-Range` header and the body text.
async fn get_as(
    app: &AppContext,
    dialect: &OpennmsDialect,
    login: &str,
    uri: &str,
    accept: &str,
) -> (u16, Option<String>, String) {
    let user = app.db.find_by_name::<User>(login).expect("user");
    let principal = app.auth.principal(user, AuthMethod::Basic).expect("principal");
    let ctx = RequestContext::new(app.clone(), "test".into(), None, Ok(Some(principal)));
    let body = Full::new(Bytes::new()).map_err(|never| match never {}).boxed();
    let request = http::Request::builder().method(Method::GET).uri(uri).header("accept", accept).body(body);
    let response = match dialect.handle(ctx, request.expect("request")).await {
        Ok(response) => response,
        Err(err) => dialect.render_error(&err, &http::Request::get(uri).body(()).expect("parts").into_parts().0),
    };
    let status = response.status().as_u16();
    let range = response.headers().get(http::header::CONTENT_RANGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, range, String::from_utf8(bytes.to_vec()).expect("UTF-8 body"))
}

/// An estate of 15 hosts in three tenants and three categories (one label that needs escaping), services
/// with and without a template, down hosts and service problems; then every alarm and event is moved to
/// fixed times, and alarms get varied severities, acknowledgements, tickets, memos and parameters, one
/// without a node, one whose node is gone and one whose last event is gone. A tenant-limited `reader`
/// besides the administrator.
async fn alarm_estate() -> AppContext {
    let app = app().await;
    let actor = Actor::new("test", "estate");
    app.db
        .write(actor.clone(), |tx| {
            let mut tenant = |name: &str| {
                tx.insert(Tenant::new(name, ROOT_TENANT, TenantKind::Tenant)).meta.id
            };
            let (customer, other) = (tenant("customer"), tenant("other"));
            let group = |name: &str, tenant| HostGroup {
                meta: Meta::new(0),
                name: name.to_owned(),
                parent: Some(1),
                tenant,
                description: String::new(),
                native: Native::new(),
            };
            let web = tx.insert(group("Web", ROOT_TENANT)).meta.id;
            let data = tx.insert(group("Data", ROOT_TENANT)).meta.id;
            let theirs = tx.insert(group("Customer", customer)).meta.id;
            let template = tx.insert(ServiceTemplate::new("Web Check", ROOT_TENANT)).meta.id;
            let admin = tx.all::<User>().into_iter().find(|u| u.login == "admin").expect("admin");
            tx.insert(User {
                meta: Meta::new(0),
                login: "reader".into(),
                tenants: vec![TenantAccess { tenant: customer, level: TenantLevel::Read }],
                ..(*admin).clone()
            });
            for index in 0..15_usize {
                let (groups, tenant) = match index % 4 {
                    0 => (vec![web], ROOT_TENANT),
                    1 => (vec![web, data], other),
                    2 => (vec![data], other),
                    _ => (vec![theirs], customer),
                };
                let name = if index == 4 { "db&<04>".to_owned() } else { format!("host-{:02}", 14 - index) };
                let host = tx.insert(Host {
                    hostgroups: groups,
                    ..Host::new(name, format!("10.1.0.{index}"), tenant)
                });
                for (slot, service) in ["PING", "HTTP", "Disk"].into_iter().enumerate() {
                    let mut service = Service::new(host.meta.id, service);
                    service.check.max_check_attempts = Some(1);
                    if slot == 1 {
                        service.name = None;
                        service.template = Some(template);
                    }
                    tx.insert(service);
                }
            }
            monitoring::start_reload(tx)?;
            monitoring::finish_reload(tx)
        })
        .await
        .expect("estate");
    app.db
        .write(actor.clone(), |tx| {
            for (index, service) in tx.all::<Service>().iter().enumerate().filter(|(index, _)| index % 4 != 3) {
                let state = [ServiceState::Critical, ServiceState::Warning, ServiceState::Unknown][index % 3];
                let mut result = CheckResult::new(Target::Service(service.meta.id), StateValue::Service(state), "test");
                result.output = format!("{} & <output> {index}", state.name());
                monitoring::submit_result(tx, result)?;
            }
            for host in tx.all::<Host>().iter().step_by(4) {
                monitoring::submit_result(
                    tx,
                    CheckResult::new(Target::Host(host.meta.id), StateValue::Host(HostState::Down), "test"),
                )?;
            }
            Ok::<_, GatewayError>(())
        })
        .await
        .expect("results");
    app.db
        .write(actor, |tx| {
            for (index, event) in tx.all::<Event>().iter().enumerate() {
                let mut event = (**event).clone();
                event.time = EPOCH.plus_millis(index as i64 * 500);
                event.meta.created = EPOCH.plus_millis(index as i64 * 500 + 7);
                if index % 5 == 1 {
                    event.parameters.push(Parameter {
                        name: "detail".into(),
                        value: format!("tab\there\nline {index} \u{1}"),
                        kind: "string".into(),
                    });
                }
                tx.update(event);
            }
            let severities = [
                Severity::Critical,
                Severity::Major,
                Severity::Minor,
                Severity::Warning,
                Severity::Normal,
                Severity::Cleared,
                Severity::Major,
            ];
            for (index, alarm) in tx.all::<Alarm>().iter().enumerate() {
                let mut alarm = (**alarm).clone();
                alarm.first_event_time = EPOCH.plus_millis(index as i64 * 10);
                alarm.last_event_time = EPOCH.plus_millis(((index * 7) % 11) as i64 * 1000);
                alarm.severity = severities[index % severities.len()];
                if index % 3 == 0 {
                    alarm.ack_user = Some(["admin", "ops"][index % 2].to_owned());
                    alarm.ack_time = Some(EPOCH.plus_millis(60_000 + index as i64));
                }
                if index % 5 == 0 {
                    alarm.ticket_id = Some(format!("T-{index}"));
                    alarm.ticket_state = Some(u8::try_from(index % 14).unwrap_or(0));
                }
                let memo = |body: &str| Memo {
                    id: alarm.meta.id,
                    author: "ops".into(),
                    body: body.into(),
                    created: EPOCH.plus_millis(120_000),
                    updated: EPOCH.plus_millis(180_000),
                };
                if index % 4 == 1 {
                    alarm.sticky_memo = Some(memo("sticky \"note\" & more"));
                }
                if index % 6 == 2 {
                    alarm.journal_memo = Some(memo("journal <entry>"));
                }
                if index % 7 == 3 {
                    alarm.parameters.push(Parameter {
                        name: "extra".into(),
                        value: "a<b & c".into(),
                        kind: "string".into(),
                    });
                }
                match index {
                    1 => {
                        alarm.host = None;
                        alarm.service = None;
                        alarm.ip_address = None;
                    }
                    2 => alarm.host = Some(9_999),
                    4 => alarm.last_event = 999_999,
                    _ => {}
                }
                tx.update(alarm);
            }
            Ok::<_, GatewayError>(())
        })
        .await
        .expect("alarms");
    app
}

/// The alarm lists' answers on [`alarm_estate`] (v1 JSON and XML, v2 JSON; filters, orders, pages; an
/// administrator and a tenant-limited reader), pinned byte for byte in `src/testdata/alarm_lists.jsonl`:
/// rendering shortcuts must not change a byte. `ROSETTA_PIN=1` rewrites the file.
#[tokio::test]
async fn alarm_lists_render_as_pinned() {
    let app = alarm_estate().await;
    let dialect = OpennmsDialect::new();
    let first = app.db.all::<Alarm>().first().expect("alarms").meta.id;
    let (json, xml) = ("application/json", "application/xml");
    let v2 = [
        "/opennms/api/v2/alarms?_s=severity%3Dge%3DMAJOR&limit=50",
        "/opennms/api/v2/alarms?_s=severity=ge=MAJOR&limit=5&offset=3",
        "/opennms/api/v2/alarms?limit=0",
        "/opennms/api/v2/alarms",
        "/opennms/api/v2/alarms?_s=severity==CRITICAL,alarmAckUser==admin&limit=20",
        "/opennms/api/v2/alarms?_s=node.label==host-1*&orderBy=node.label&order=desc",
        "/opennms/api/v2/alarms?_s=serviceType.name==Web*&orderBy=id&order=asc&limit=4&offset=1",
        "/opennms/api/v2/alarms?_s=category.name==Data&limit=50",
        "/opennms/api/v2/alarms?orderBy=alarmAckTime&order=desc&limit=8",
        "/opennms/api/v2/alarms?orderBy=severity&orderBy=id&limit=12&offset=2",
        "/opennms/api/v2/alarms?_s=severity=ge=MAJOR&limit=10&offset=1000",
        "/opennms/api/v2/alarms/count?_s=severity=ge=MAJOR",
    ];
    let v1 = [
        "/opennms/rest/alarms?limit=50",
        "/opennms/rest/alarms?limit=0",
        "/opennms/rest/alarms?orderBy=lastEventTime&order=desc&limit=10&offset=2",
        "/opennms/rest/alarms?severity=MAJOR&comparator=ge&limit=50",
        "/opennms/rest/alarms?ackUser=admin",
        "/opennms/rest/alarms?nodeLabel=host-03",
        "/opennms/rest/alarms?orderBy=nodeLabel&limit=6&offset=4",
        "/opennms/rest/alarms?offset=1000",
    ];
    let mut requests: Vec<(String, &str)> = Vec::new();
    requests.extend(v2.iter().map(|uri| (uri.to_string(), json)));
    requests.extend(v1.iter().flat_map(|uri| [(uri.to_string(), json), (uri.to_string(), xml)]));
    for id in [first, first + 1, first + 4] {
        requests.push((format!("/opennms/api/v2/alarms/{id}"), json));
        requests.push((format!("/opennms/rest/alarms/{id}"), xml));
        requests.push((format!("/opennms/rest/alarms/{id}"), json));
    }
    let mut lines = Vec::new();
    for login in ["admin", "reader"] {
        for (uri, accept) in &requests {
            let (status, range, body) = get_as(&app, &dialect, login, uri, accept).await;
            let line = json!({"user": login, "uri": uri, "accept": accept, "status": status, "range": range, "body": body});
            lines.push(line.to_string());
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/testdata/alarm_lists.jsonl");
    if std::env::var_os("ROSETTA_PIN").is_some() {
        std::fs::write(path, lines.join("\n") + "\n").expect("pin");
    }
    let pinned = std::fs::read_to_string(path).expect("pinned answers");
    for (line, expected) in lines.iter().zip(pinned.lines()) {
        let (got, want): (Value, Value) =
            (serde_json::from_str(line).expect("got"), serde_json::from_str(expected).expect("want"));
        assert_eq!(got, want, "{} ({}) as {}", got["uri"], got["accept"], got["user"]);
    }
    assert_eq!(lines.len(), pinned.lines().count());
}
