//! Dialect tests against the in-memory store, no sockets: requests go straight into
//! [`Dialect::handle`].

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full};
use rosetta_auth::{Auth, AuthConfig, AuthMethod, PasswordHasher};
use rosetta_core::monitoring::{self, AckRequest, CheckResult, DowntimeRequest};
use rosetta_core::{AppContext, Dialect, RequestContext, Settings};
use rosetta_model::*;
use rosetta_store::{Actor, Db, MemoryStore, StoreError};
use serde_json::json;

use crate::settings::native_key;
use crate::OpenitcockpitDialect;

/// Two hours east of UTC, so every date goes through the zone.
const UTC_OFFSET: i32 = 7200;

/// 2023-11-14 22:13:20 UTC: the base of the estate's frozen check times, long enough ago that the
/// relative words are dates.
const BASE_MILLIS: i64 = 1_700_000_000_000;

async fn app() -> AppContext {
    let db = Arc::new(Db::open(Arc::new(MemoryStore::new())).await.expect("open"));
    let auth =
        Arc::new(Auth::new(Arc::clone(&db), AuthConfig { hasher: PasswordHasher::cheap(), ..AuthConfig::default() }));
    let hash = auth.hash_password("secret-password").expect("hash");
    let dialect = OpenitcockpitDialect::new();
    db.write(Actor::new("system", "seed"), |tx| {
        rosetta_core::seed::seed_core(tx, hash)?;
        dialect.seed(tx)
    })
    .await
    .expect("seed");
    let settings = Settings { utc_offset_secs: UTC_OFFSET, ..Settings::default() };
    AppContext { db, auth, settings: Arc::new(settings) }
}

/// Sends a GET as `login`; returns the status and the body's bytes as text.
async fn get_as(app: &AppContext, login: &str, uri: &str) -> (StatusCode, String) {
    let user = app.db.find_by_name::<User>(login).expect("user");
    let principal = app.auth.principal(user, AuthMethod::ApiKey).expect("principal");
    let ctx = RequestContext::new(app.clone(), "test".into(), None, Ok(Some(principal)));
    let uri = uri.replace('[', "%5B").replace(']', "%5D");
    let body = Full::new(Bytes::new()).map_err(|never| match never {}).boxed();
    let request = http::Request::builder().method(Method::GET).uri(uri).body(body).expect("request");
    let response = OpenitcockpitDialect::new().handle(ctx, request).await.expect("reply");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8(bytes.to_vec()).expect("UTF-8 body"))
}

fn tenant(name: &str, parent: Id, kind: TenantKind) -> Tenant {
    Tenant::new(name, parent, kind)
}

/// 40 hosts in the root, two tenants and a location below one of them, names out of id order; some with
/// the default template, own settings, descriptions, tags, satellite and usage flags, shared into a second
/// tenant; every 11th disabled and four added after the reload (not monitored). Down, unreachable, sticky
/// and plain acknowledgements, downtimes in force and in the future, services in every state. Every clock
/// field is frozen at fixed instants. Users: `admin`, `scoped` (writes tenant A only) and `viewer` (reads
/// everything, changes nothing).
async fn host_estate() -> AppContext {
    let app = app().await;
    let actor = Actor::new("test", "estate");
    let hosts = app
        .db
        .write(actor.clone(), |tx| {
            let a = tx.insert(tenant("TenantA", ROOT_TENANT, TenantKind::Tenant)).meta.id;
            let b = tx.insert(tenant("TenantB", ROOT_TENANT, TenantKind::Tenant)).meta.id;
            let berlin = tx.insert(tenant("Berlin", a, TenantKind::Location)).meta.id;
            let admin = tx.all::<User>().into_iter().find(|user| user.login == "admin").expect("admin");
            let role = |name: &str| tx.find_by_name::<Role>(name).expect("role").meta.id;
            let user = |login: &str, role: Id, tenants: Vec<TenantAccess>| User {
                meta: Meta::new(0),
                login: login.to_owned(),
                fullname: format!("{login} <{login}@example.org>"),
                role,
                tenants,
                ..(*admin).clone()
            };
            let scoped = user("scoped", role("Administrator"), vec![TenantAccess { tenant: a, level: TenantLevel::Write }]);
            let viewer = user(
                "viewer",
                role("View all, change none"),
                vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Read }],
            );
            tx.insert(scoped);
            tx.insert(viewer);
            let mut hosts = Vec::new();
            for index in 0..40_i64 {
                let owner = match index % 4 {
                    0 => ROOT_TENANT,
                    1 => a,
                    2 => b,
                    _ => berlin,
                };
                let uuid = uuid::Uuid::from_u128(0x5eed_0000 + index as u128);
                let mut host = Host {
                    meta: Meta::with_uuid(0, uuid),
                    enabled: index % 11 != 5,
                    ..Host::new(format!("srv-{:02}", (index * 17) % 40), format!("10.0.{}.{index}", index % 3), owner)
                };
                if index % 2 == 0 {
                    host.templates = vec![1];
                }
                if index % 3 == 0 {
                    host.alias = format!("Web <\"front\"> & 'co' / Grüße {index}");
                }
                if index % 5 == 2 {
                    host.tags = vec!["db".into(), "frontline".into()];
                }
                if index % 6 == 1 {
                    host.check.priority = Some(u8::try_from(index % 5 + 1).unwrap_or(1));
                    host.check.notes = Some(format!("rack {index}"));
                    host.check.check_interval = Some(60);
                }
                if index % 7 == 4 {
                    host.check.active_checks_enabled = Some(false);
                    host.check.notifications_enabled = Some(false);
                    host.check.flap_detection_enabled = Some(true);
                }
                if index % 8 == 6 {
                    host.shared_tenants = vec![a];
                }
                if index % 9 == 2 {
                    host.native.insert(native_key("satellite_id"), json!(3));
                    host.native.insert(native_key("usage_flag"), json!(8));
                }
                let host = tx.insert(host);
                for slot in 0..(index % 4) {
                    tx.insert(Service::new(host.meta.id, ["PING", "HTTP", "Disk"][usize::try_from(slot).unwrap_or(0)]));
                }
                hosts.push(host.meta.id);
            }
            monitoring::start_reload(tx).expect("reload");
            monitoring::finish_reload(tx).expect("reload");
            for index in 40..44_i64 {
                let uuid = uuid::Uuid::from_u128(0x5eed_0000 + index as u128);
                tx.insert(Host { meta: Meta::with_uuid(0, uuid), ..Host::new(format!("new-{index}"), "10.1.0.1", a) });
            }
            Ok::<_, StoreError>(hosts)
        })
        .await
        .expect("estate");
    app.db
        .write(actor.clone(), |tx| {
            let ack = |target, sticky| AckRequest {
                target,
                author: "oper & co".into(),
                comment: "known <issue>".into(),
                sticky,
                notify: sticky,
                persistent: !sticky,
                dialect: "test".into(),
            };
            let downtime = |target, start: Timestamp, end: Timestamp| DowntimeRequest {
                target,
                start,
                end,
                fixed: true,
                author: "planner".into(),
                comment: "maintenance/window".into(),
                group: None,
                dialect: "test".into(),
            };
            let (long_ago, far_future) = (Timestamp(BASE_MILLIS - 86_400_000), Timestamp(4_070_908_800_000));
            for (index, id) in hosts.iter().enumerate() {
                for service in tx.children::<Service>(*id) {
                    let state = match (index + usize::try_from(service.meta.id).unwrap_or(0)) % 5 {
                        1 => ServiceState::Warning,
                        2 => ServiceState::Critical,
                        3 => ServiceState::Unknown,
                        _ => ServiceState::Ok,
                    };
                    let result = CheckResult::new(Target::Service(service.meta.id), StateValue::Service(state), "test");
                    monitoring::submit_result(tx, result).expect("service result");
                }
                let state = match index % 6 {
                    1 | 4 => HostState::Down,
                    3 => HostState::Unreachable,
                    _ if index % 10 == 9 => continue,
                    _ => HostState::Up,
                };
                let mut result = CheckResult::new(Target::Host(*id), StateValue::Host(state), "test");
                result.output = format!("{} - <b>host</b> {index} & \"more\"", state.name());
                result.long_output = if index % 4 == 0 { "line 1\nline 2".into() } else { String::new() };
                result.force_hard = index % 3 == 0;
                monitoring::submit_result(tx, result).expect("host result");
                if index % 12 == 1 {
                    monitoring::acknowledge(tx, ack(Target::Host(*id), true)).expect("ack");
                }
                if index % 12 == 4 {
                    monitoring::acknowledge(tx, ack(Target::Host(*id), false)).expect("ack");
                }
                let window = match index % 8 {
                    2 | 4 => Some((long_ago, far_future)),
                    5 => Some((far_future.plus_millis(-86_400_000), far_future)),
                    _ => None,
                };
                if let Some((start, end)) = window {
                    monitoring::schedule_downtime(tx, downtime(Target::Host(*id), start, end)).expect("downtime");
                }
            }
            Ok::<_, StoreError>(())
        })
        .await
        .expect("states");
    app.db
        .write(actor, |tx| {
            let at = |id: Id, minutes: i64| Timestamp(BASE_MILLIS + id * 3_600_000 + minutes * 60_000);
            for status in tx.all::<HostStatus>() {
                let mut status = (*status).clone();
                let id = status.meta.id;
                if !status.check.last_check.is_zero() {
                    status.check.last_check = at(id, 30);
                }
                status.check.last_state_change = at(id, 10);
                status.check.last_hard_state_change = at(id, 5);
                tx.update(status);
            }
            for status in tx.all::<ServiceStatus>() {
                let mut status = (*status).clone();
                let id = status.meta.id;
                if !status.check.last_check.is_zero() {
                    status.check.last_check = at(id, 31);
                }
                status.check.last_state_change = at(id, 11);
                status.check.last_hard_state_change = at(id, 6);
                tx.update(status);
            }
            for ack in tx.all::<Acknowledgement>() {
                let mut ack = (*ack).clone();
                ack.time = at(ack.meta.id, 40);
                tx.update(ack);
            }
            for downtime in tx.all::<Downtime>() {
                let mut downtime = (*downtime).clone();
                downtime.meta.created = at(downtime.meta.id, 1);
                if downtime.actual_start.is_some() {
                    downtime.actual_start = Some(downtime.start);
                }
                tx.update(downtime);
            }
            Ok::<_, StoreError>(())
        })
        .await
        .expect("frozen clock");
    app
}

/// The fields whose text counts from the current time (`duration_short(now - t)`). Their values are
/// replaced by `~` when they have the shape of a duration over a day, and kept (to fail) otherwise.
const CLOCK_FIELDS: &[&str] = &["lastHardStateChangeInWords", "last_state_change_in_words"];

fn without_clock(body: &str) -> String {
    let mut out = body.to_owned();
    for field in CLOCK_FIELDS {
        let needle = format!("\"{field}\":\"");
        let mut from = 0;
        while let Some(found) = out[from..].find(&needle) {
            let start = from + found + needle.len();
            let end = start + out[start..].find('"').unwrap_or(0);
            if is_long_duration(&out[start..end]) {
                out.replace_range(start..end, "~");
                from = start + 1;
            } else {
                from = end;
            }
        }
    }
    out
}

/// `123d 4h 5m 6s`.
fn is_long_duration(text: &str) -> bool {
    let parts: Vec<&str> = text.split(' ').collect();
    parts.len() == 4
        && parts.iter().zip(["d", "h", "m", "s"]).all(|(part, unit)| {
            part.strip_suffix(unit).is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// The hosts index (and its not-monitored and disabled siblings) on [`host_estate`], byte for byte (clock
/// fields aside), pinned in `src/testdata/hosts_index.jsonl`: one line per request, the answer embedded as
/// the gateway sent it. Key order, number vs string, null vs missing and escaping must not change when the
/// rendering does. `ROSETTA_PIN=1` rewrites the file.
#[tokio::test]
async fn hosts_index_renders_as_pinned() {
    let app = host_estate().await;
    let both = "includes[]=downtimes&includes[]=acknowledgements";
    let queries = [
        ("admin", "/hosts/index.json?angular=true&scroll=true&limit=50".to_owned()),
        ("admin", "/hosts/index.json?angular=true&scroll=true&limit=7&page=2".to_owned()),
        ("admin", "/hosts/index.json?angular=true&scroll=true&limit=7&page=6".to_owned()),
        ("admin", "/hosts/index.json?angular=true".to_owned()),
        ("admin", "/hosts/index.json?angular=true&limit=10&page=3".to_owned()),
        ("admin", format!("/hosts/index.json?angular=true&scroll=true&limit=50&{both}")),
        ("admin", "/hosts/index.json?angular=true&includes[]=downtimes&limit=12&page=2".to_owned()),
        ("admin", "/hosts/index.json?angular=true&scroll=true&sort=Hosts.name&direction=asc&limit=15".to_owned()),
        ("admin", "/hosts/index.json?angular=true&sort=Hosts.name&direction=desc&limit=10&page=2".to_owned()),
        ("admin", "/hosts/index.json?angular=true&sort=Hoststatus.last_check&direction=desc&limit=8".to_owned()),
        ("admin", "/hosts/index.json?angular=true&sort=hostpriority&direction=desc&limit=8".to_owned()),
        ("admin", "/hosts/index.json?angular=true&sort[Hoststatus.current_state]=desc&sort[Hosts.id]=asc&limit=9".to_owned()),
        ("admin", "/hosts/index.json?angular=true&filter[Hosts.name]=srv-1".to_owned()),
        (
            "admin",
            format!("/hosts/index.json?angular=true&filter[Hoststatus.current_state][]=down&filter[Hoststatus.current_state][]=unreachable&{both}"),
        ),
        ("admin", format!("/hosts/index.json?angular=true&filter[Hoststatus.problem_has_been_acknowledged]=1&{both}")),
        ("admin", "/hosts/index.json?angular=true&scroll=true&filter[Hoststatus.scheduled_downtime_depth]=1".to_owned()),
        ("admin", "/hosts/index.json?angular=true&filter[Hosts.keywords]=db&filter[Hosts.description]=Web".to_owned()),
        ("admin", "/hosts/notMonitored.json?angular=true".to_owned()),
        ("admin", "/hosts/disabled.json?angular=true".to_owned()),
        ("scoped", "/hosts/index.json?angular=true&scroll=true&limit=50".to_owned()),
        ("scoped", format!("/hosts/index.json?angular=true&{both}&sort=Hosts.name&direction=asc")),
        ("scoped", "/hosts/disabled.json?angular=true".to_owned()),
        ("viewer", format!("/hosts/index.json?angular=true&scroll=true&limit=50&{both}")),
        ("viewer", "/hosts/index.json?angular=true&limit=5&page=2&sort=Hosts.id&direction=desc".to_owned()),
    ];
    let mut lines = Vec::new();
    for (login, uri) in &queries {
        let (status, body) = get_as(&app, login, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri} as {login}: {body}");
        let head = json!({"user": login, "uri": uri}).to_string();
        lines.push(format!("{},\"answer\":{}}}", head.trim_end_matches('}'), without_clock(&body)));
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/testdata/hosts_index.jsonl");
    if std::env::var_os("ROSETTA_PIN").is_some() {
        std::fs::write(path, lines.join("\n") + "\n").expect("pin");
    }
    let pinned = std::fs::read_to_string(path).expect("pinned answers");
    for (line, expected) in lines.iter().zip(pinned.lines()) {
        if line != expected {
            let at = line.bytes().zip(expected.bytes()).take_while(|(a, b)| a == b).count();
            let around = |text: &str| text.get(at.saturating_sub(160)..(at + 160).min(text.len())).unwrap_or(text).to_owned();
            panic!("answer differs from the pin at byte {at}:\n got: …{}…\nwant: …{}…", around(line), around(expected));
        }
    }
    assert_eq!(lines.len(), pinned.lines().count());
}
