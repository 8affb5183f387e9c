//! The hosts index in its default order comes from the store's indexes (problems first, then id order)
//! instead of sorting every host; these tests hold it to the answer of the general filter-and-sort path.

use rosetta_core::monitoring::{self, CheckResult};
use rosetta_model::*;
use rosetta_store::Actor;
use serde_json::Value;

use super::support::{add_user, key_for, send};
use crate::harness::TestServer;

/// 90 hosts: every 4th (by id) down, every 7th unreachable, every 9th disabled, a fifth in tenant A and
/// a fifth in tenant B (the rest in the root tenant), the last ten added after the reload (so not
/// monitored). Returns tenant A.
async fn estate(server: &TestServer) -> Id {
    server
        .db
        .write(Actor::system(), |tx| {
            let mut tenant = |name: &str| {
                tx.insert(Tenant::new(name, ROOT_TENANT, TenantKind::Tenant)).meta.id
            };
            let (a, b) = (tenant("A"), tenant("B"));
            for index in 0..80 {
                let owner = match index % 5 {
                    0 => a,
                    1 => b,
                    _ => ROOT_TENANT,
                };
                tx.insert(Host { enabled: index % 9 != 0, ..Host::new(format!("h{index:03}"), "10.0.0.1", owner) });
            }
            monitoring::start_reload(tx)?;
            monitoring::finish_reload(tx)?;
            for host in tx.all::<Host>() {
                let state = match host.meta.id {
                    id if id % 7 == 0 => HostState::Unreachable,
                    id if id % 4 == 0 => HostState::Down,
                    _ => continue,
                };
                monitoring::submit_result(tx, CheckResult::new(Target::Host(host.meta.id), StateValue::Host(state), "x"))?;
            }
            for index in 80..90 {
                tx.insert(Host::new(format!("h{index:03}"), "10.0.0.2", ROOT_TENANT));
            }
            Ok::<_, rosetta_core::GatewayError>(a)
        })
        .await
        .expect("estate")
}

/// The rows' ids and states with the paging block: what a page is, without the rows' clock-relative text.
fn page_of(reply: &Value) -> (Vec<(Value, Value)>, Value, Value) {
    let rows = reply["all_hosts"].as_array().expect("all_hosts");
    let rows = rows.iter().map(|row| (row["Host"]["id"].clone(), row["Hoststatus"]["currentState"].clone())).collect();
    (rows, reply["scroll"].clone(), reply["paging"].clone())
}

fn names(reply: &Value) -> Vec<String> {
    reply["all_hosts"].as_array().expect("all_hosts").iter().map(|row| row["Host"]["name"].as_str().unwrap_or_default().to_owned()).collect()
}

/// Every page of 7 in scroll and paginator mode, for each caller, equals the general path's; the full list
/// is the pages in order and its count their number. Returns the full lists' names.
async fn pages_agree(server: &TestServer, callers: &[(&str, &str)], step: &str) -> Vec<Vec<String>> {
    // The same order spelled as an explicit two-column sort takes the general path.
    let explicit = "sort[Hoststatus.current_state]=desc&sort[Hosts.id]=asc";
    let mut lists = Vec::new();
    for (who, key) in callers {
        let mut seen = Vec::new();
        for mode in ["scroll=true&", ""] {
            for page in 1..=12 {
                let query = format!("/hosts/index.json?angular=true&{mode}limit=7&page={page}");
                let fast = send(server, "GET", &query, key, None).await;
                let general = send(server, "GET", &format!("{query}&{explicit}"), key, None).await;
                assert_eq!(fast.status, 200, "{}", fast.text());
                // Both paths render rows with the same code; what they choose and how they page must agree
                // (the rows' "... ago" fields may tick between the two requests).
                assert_eq!(page_of(&fast.json()), page_of(&general.json()), "{step}: {who} {query}");
                if mode.is_empty() {
                    seen.extend(names(&fast.json()));
                }
            }
        }
        let all = send(server, "GET", "/hosts/index.json?angular=true&limit=1000", key, None).await.json();
        assert_eq!(names(&all), seen, "{step}: {who}: pages of 7 cover the whole list in order");
        let count = all["paging"]["count"].as_u64().expect("count") as usize;
        assert_eq!(count, seen.len(), "{step}: {who}");
        lists.push(seen);
    }
    lists
}

/// A server on [`estate`] with the API keys of the administrator and of a user scoped to tenant A (and the
/// root).
async fn estate_with_callers() -> (TestServer, String, String) {
    let server = TestServer::start().await;
    let tenant = estate(&server).await;
    let admin = key_for(&server, "admin").await;
    add_user(&server, "scoped", "Administrator", vec![TenantAccess { tenant, level: TenantLevel::Read }]).await;
    let scoped = key_for(&server, "scoped").await;
    (server, admin, scoped)
}

/// Changes one stored host.
async fn edit_host(server: &TestServer, id: Id, edit: impl FnOnce(&mut Host) + Send) {
    server
        .db
        .write(Actor::system(), |tx| {
            let mut host = (*tx.get::<Host>(id).expect("host")).clone();
            edit(&mut host);
            tx.update(host);
            Ok::<_, rosetta_core::GatewayError>(())
        })
        .await
        .expect("edit host");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_order_pages_equal_the_sorted_path() {
    let (server, admin, scoped) = estate_with_callers().await;
    let callers = [("admin", admin.as_str()), ("scoped", scoped.as_str())];
    pages_agree(&server, &callers, "the start").await;
    for key in [&admin, &scoped] {
        let all = send(&server, "GET", "/hosts/index.json?angular=true&limit=1000", key, None).await.json();
        assert_eq!(all["all_hosts"][0]["Hoststatus"]["currentState"], 2, "unreachable hosts come first");
    }
    // Admin sees 80 hosts minus 9 disabled (h000, h009, ...) = 71; the scoped user (tenant A and the root)
    // not the 16 of tenant B, and 8 of its 64 are disabled.
    let admin_all = send(&server, "GET", "/hosts/index.json?angular=true&limit=1000", &admin, None).await.json();
    assert_eq!(admin_all["paging"]["count"], 71);
    let scoped_all = send(&server, "GET", "/hosts/index.json?angular=true&limit=1000", &scoped, None).await.json();
    assert_eq!(scoped_all["paging"]["count"], 56);
    assert!(names(&scoped_all).iter().all(|name| name[1..].parse::<usize>().is_ok_and(|n| n % 5 != 1)));
}

/// The same server answers after each kind of change as the general path does: the listed-hosts index
/// follows hosts going down and up, disabled and enabled, moved to another tenant, deleted, and new
/// monitored hosts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_order_pages_follow_changes() {
    let (server, admin, scoped) = estate_with_callers().await;
    let callers = [("admin", admin.as_str()), ("scoped", scoped.as_str())];
    pages_agree(&server, &callers, "the start").await;
    let id_of = |name: &str| server.db.find_by_name::<Host>(name).expect("host").meta.id;
    let (h010, h011, h012, h013) = (id_of("h010"), id_of("h011"), id_of("h012"), id_of("h013"));
    let submit = |id: Id, state: HostState| CheckResult::new(Target::Host(id), StateValue::Host(state), "x");
    let write = |change: Box<dyn FnOnce(&mut rosetta_store::Tx<'_>) -> Result<(), rosetta_core::GatewayError> + Send>| {
        server.db.write(Actor::system(), change)
    };
    write(Box::new(move |tx| monitoring::submit_result(tx, submit(h010, HostState::Unreachable)).map(drop))).await.expect("down");
    pages_agree(&server, &callers, "a host became unreachable").await;
    write(Box::new(move |tx| monitoring::submit_result(tx, submit(h012, HostState::Up)).map(drop))).await.expect("up");
    pages_agree(&server, &callers, "a host came back").await;
    edit_host(&server, h011, |host| host.enabled = false).await;
    pages_agree(&server, &callers, "a host disabled").await;
    let before = pages_agree(&server, &callers, "again").await;
    assert!(before[1].contains(&"h013".to_owned()), "{before:?}");
    let other = server.db.all::<Tenant>().into_iter().find(|t| t.name == "B").expect("tenant B").meta.id;
    edit_host(&server, h013, |host| host.tenant = other).await;
    let after = pages_agree(&server, &callers, "a host moved to tenant B").await;
    assert!(after[0].contains(&"h013".to_owned()) && !after[1].contains(&"h013".to_owned()), "{after:?}");
    write(Box::new(move |tx| monitoring::delete_host(tx, h010).map(drop))).await.expect("delete");
    pages_agree(&server, &callers, "a host deleted").await;
    write(Box::new(|tx| {
        let host = tx.insert(Host::new("h-new".to_owned(), "10.0.0.3", ROOT_TENANT)).meta.id;
        monitoring::start_reload(tx)?;
        monitoring::finish_reload(tx)?;
        monitoring::submit_result(tx, CheckResult::new(Target::Host(host), StateValue::Host(HostState::Down), "x"))
            .map(drop)
    }))
    .await
    .expect("new host");
    let last = pages_agree(&server, &callers, "a new monitored host").await;
    assert!(last[0].contains(&"h-new".to_owned()), "{last:?}");
}
