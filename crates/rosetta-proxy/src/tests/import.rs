//! Import against a fake upstream per product: created, then unchanged, then a changed object updated.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::FutureExt;
use rosetta_core::monitoring::current_state;
use rosetta_model::{Alarm, Contact, Host, HostGroup, HostTemplate, Product, Service, ServiceState, ServiceTemplate, StateValue, Target};
use rosetta_store::{Db, MemoryStore};
use serde_json::{json as j, Value};

use super::{fake, json, Fake};
use crate::import::{run, ImportOptions, ImportSummary, KindCounts, Progress};

type Routes = Arc<Mutex<HashMap<String, Value>>>;

/// A fake answering `GET <path>` (query ignored) from `routes`, after checking `auth`.
async fn routed(routes: Routes, check: fn(&super::Seen) -> bool) -> Fake {
    fake(move |seen| {
        let routes = Arc::clone(&routes);
        async move {
            if seen.uri == "/rest/login" {
                return json(200, j!({"token": "imported-token"}));
            }
            if !check(&seen) {
                return json(401, j!({"message": "unauthorised"}));
            }
            let path = seen.uri.split('?').next().unwrap_or_default().to_owned();
            match routes.lock().unwrap_or_else(PoisonError::into_inner).get(&path) {
                Some(value) => json(200, value.clone()),
                None => json(404, j!({"message": format!("no route {path}")})),
            }
        }
        .boxed()
    })
    .await
}

fn options(from: Product, url: &str) -> ImportOptions {
    ImportOptions {
        from,
        url: url.to_owned(),
        username: None,
        password: None,
        token: None,
        apikey: None,
        dry_run: false,
        watch: None,
        ca_file: None,
    }
}

async fn import(db: &Db, options: &ImportOptions) -> ImportSummary {
    let mut lines = Vec::new();
    let summary = run(db, options, &mut |event: Progress<'_>| lines.push(event.to_string())).await.expect("import");
    assert!(!lines.is_empty(), "progress is reported");
    summary
}

fn counts(created: usize, updated: usize, unchanged: usize) -> KindCounts {
    KindCounts { created, updated, unchanged }
}

async fn empty_db() -> Db {
    Db::open(Arc::new(MemoryStore::new())).await.expect("db")
}

fn set(routes: &Routes, path: &str, value: Value) {
    routes.lock().unwrap_or_else(PoisonError::into_inner).insert(path.to_owned(), value);
}

#[tokio::test]
async fn opsview_import_creates_then_leaves_alone_then_updates() {
    let routes: Routes = Arc::default();
    set(&routes, "/rest/config/hostgroup", j!({"list": [
        {"id": "2", "name": "Production", "parent": {"name": "Opsview", "ref": "/rest/config/hostgroup/1"}},
        {"id": "1", "name": "Opsview", "parent": null}
    ]}));
    set(&routes, "/rest/config/hosttemplate", j!({"list": [{"id": "117", "name": "Network - Base", "description": "net"}]}));
    set(&routes, "/rest/config/servicecheck", j!({"list": [{"id": "40", "name": "Ping"}, {"id": "41", "name": "HTTP"}]}));
    set(&routes, "/rest/config/host", j!({"list": [{
        "id": "5", "name": "web1", "ip": "10.0.0.5", "alias": "Web",
        "hostgroup": {"name": "Production", "ref": "/rest/config/hostgroup/2"},
        "hosttemplates": [{"name": "Network - Base", "ref": "/rest/config/hosttemplate/117"}],
        "servicechecks": [{"name": "Ping", "ref": "/rest/config/servicecheck/40"}, {"name": "HTTP", "ref": "/rest/config/servicecheck/41"}]
    }]}));
    set(&routes, "/rest/config/contact", j!({"list": [
        {"id": "1", "name": "admin", "fullname": "Administrator", "variables": [{"name": "EMAIL", "value": "admin@example.com"}]}
    ]}));
    set(&routes, "/rest/status/service", j!({"list": [{
        "name": "web1", "state": "up", "last_check": "1763800000", "output": "PING OK",
        "services": [
            {"name": "Ping", "state": "ok", "last_check": "1763800000", "output": "PING OK"},
            {"name": "HTTP", "state": "critical", "last_check": "1763800000", "output": "HTTP 500"}
        ]
    }]}));
    let server = routed(Arc::clone(&routes), |seen| seen.header("x-opsview-token") == Some("imported-token")).await;
    let db = empty_db().await;
    let mut options = options(Product::Opsview, &server.url);
    options.username = Some("svc".into());
    options.password = Some("pw".into());

    let mut dry = options.clone();
    dry.dry_run = true;
    let preview = import(&db, &dry).await;
    assert!(preview.dry_run);
    assert_eq!(preview.hosts, counts(1, 0, 0));
    assert_eq!(db.count::<Host>(), 0, "a dry run writes nothing");

    let first = import(&db, &options).await;
    assert_eq!(first.host_groups, counts(2, 0, 0));
    assert_eq!(first.host_templates, counts(1, 0, 0));
    assert_eq!(first.service_templates, counts(2, 0, 0));
    assert_eq!(first.hosts, counts(1, 0, 0));
    assert_eq!(first.services, counts(2, 0, 0));
    assert_eq!(first.contacts, counts(1, 0, 0));
    assert_eq!(first.states, counts(3, 0, 0));
    let host = db.find_by_name::<Host>("web1").expect("host");
    let group = db.get::<HostGroup>(host.hostgroups[0]).expect("group");
    assert_eq!(group.name, "Production");
    let parent = db.get::<HostGroup>(group.parent.expect("parent")).expect("parent group");
    assert_eq!(parent.name, "Opsview");
    assert_eq!(db.get::<HostTemplate>(host.templates[0]).expect("template").name, "Network - Base");
    assert_eq!(host.native["import.opsview.id"], "5");
    let services: Vec<_> = db.all::<Service>().into_iter().filter(|service| service.host == host.meta.id).collect();
    assert_eq!(services.len(), 2);
    assert!(db.find_by_name::<ServiceTemplate>("Ping").is_some());
    assert_eq!(db.find_by_name::<Contact>("admin").expect("contact").email, "admin@example.com");
    // The critical HTTP state arrived as a hard problem, with the alarm the shared semantics raise.
    let http = services.iter().find(|service| service.native["import.opsview.id"] == "5:41").expect("HTTP");
    let state = current_state(&db, Target::Service(http.meta.id)).expect("state");
    assert_eq!((state.state, state.output.as_str(), state.pending), (StateValue::Service(ServiceState::Critical), "HTTP 500", false));
    assert_eq!(db.all::<Alarm>().len(), 1, "one alarm for the one problem");

    let second = import(&db, &options).await;
    assert_eq!(second.total(), counts(0, 0, 12));

    set(&routes, "/rest/config/host", j!({"list": [{
        "id": "5", "name": "web1", "ip": "10.0.0.99", "alias": "Web",
        "hostgroup": {"name": "Production", "ref": "/rest/config/hostgroup/2"},
        "hosttemplates": [{"name": "Network - Base", "ref": "/rest/config/hosttemplate/117"}],
        "servicechecks": [{"name": "Ping", "ref": "/rest/config/servicecheck/40"}, {"name": "HTTP", "ref": "/rest/config/servicecheck/41"}]
    }]}));
    let third = import(&db, &options).await;
    assert_eq!(third.hosts, counts(0, 1, 0));
    assert_eq!(third.total(), counts(0, 1, 11));
    assert_eq!(db.find_by_name::<Host>("web1").expect("host").address, "10.0.0.99");
    assert_eq!(db.count::<Host>(), 1, "no duplicate");
    let table = third.table();
    assert!(table.contains("hosts") && table.contains("total"), "{table}");

    set(&routes, "/rest/status/service", j!({"list": [{
        "name": "web1", "state": "up", "last_check": "1763800300", "output": "PING OK",
        "services": [
            {"name": "Ping", "state": "ok", "last_check": "1763800300", "output": "PING OK"},
            {"name": "HTTP", "state": "ok", "last_check": "1763800300", "output": "HTTP 200"}
        ]
    }]}));
    let recovered = import(&db, &options).await;
    assert_eq!(recovered.states, counts(0, 1, 2));
    let state = current_state(&db, Target::Service(http.meta.id)).expect("state");
    assert_eq!((state.state, state.output.as_str()), (StateValue::Service(ServiceState::Ok), "HTTP 200"));
}

#[tokio::test]
async fn opennms_import_creates_then_leaves_alone_then_updates() {
    let routes: Routes = Arc::default();
    set(&routes, "/opennms/rest/categories", j!({"category": [{"id": 3, "name": "Routers"}]}));
    set(&routes, "/opennms/rest/nodes", j!({"node": [
        {"id": "12", "label": "router1", "foreignSource": "net", "foreignId": "r1", "categories": [{"id": 3, "name": "Routers"}]}
    ], "count": 1, "totalCount": 1}));
    set(&routes, "/opennms/rest/nodes/12/ipinterfaces", j!({"ipInterface": [
        {"ipAddress": "10.1.0.2", "snmpPrimary": "S"}, {"ipAddress": "10.1.0.1", "snmpPrimary": "P"}
    ]}));
    set(&routes, "/opennms/rest/nodes/12/ipinterfaces/10.1.0.1/services", j!({"service": [{"down": true, "serviceType": {"id": 1, "name": "ICMP"}}]}));
    set(&routes, "/opennms/rest/nodes/12/ipinterfaces/10.1.0.2/services", j!({"service": []}));
    set(&routes, "/opennms/rest/users", j!({"user": [{"user-id": "ops", "full-name": "Operations", "email": "ops@example.com"}]}));
    let server = routed(Arc::clone(&routes), |seen| seen.header("authorization") == Some("Basic YWRtaW46YWRtaW4=")).await;
    let db = empty_db().await;
    let mut options = options(Product::Opennms, &server.url);
    options.username = Some("admin".into());
    options.password = Some("admin".into());

    let first = import(&db, &options).await;
    assert_eq!(first.total(), counts(6, 0, 0), "{}", first.table());
    assert_eq!(first.states, counts(1, 0, 0), "the down ICMP service");
    let host = db.find_by_name::<Host>("router1").expect("node");
    assert_eq!(host.address, "10.1.0.1", "the SNMP primary interface first");
    assert_eq!(host.other_addresses, vec!["10.1.0.2".to_owned()]);
    assert_eq!(host.foreign_source.as_deref(), Some("net"));
    assert_eq!(db.get::<HostGroup>(host.hostgroups[0]).expect("category").name, "Routers");

    assert_eq!(import(&db, &options).await.total(), counts(0, 0, 6));
    let icmp = db.all::<Service>().into_iter().next().expect("service");
    assert_eq!(current_state(&db, Target::Service(icmp.meta.id)).expect("state").state, StateValue::Service(ServiceState::Critical));

    set(&routes, "/opennms/rest/users", j!({"user": [{"user-id": "ops", "full-name": "Operations", "email": "noc@example.com"}]}));
    let third = import(&db, &options).await;
    assert_eq!(third.contacts, counts(0, 1, 0));
    assert_eq!(db.find_by_name::<Contact>("ops").expect("contact").email, "noc@example.com");
}

#[tokio::test]
async fn openitcockpit_import_creates_then_leaves_alone_then_updates() {
    let routes: Routes = Arc::default();
    set(&routes, "/hostgroups/index.json", j!({"all_hostgroups": [{"id": 2, "description": "", "container": {"id": 17, "name": "core"}}]}));
    set(&routes, "/hosttemplates/index.json", j!({"all_hosttemplates": [{"Hosttemplate": {"id": 6, "name": "generic-host"}}]}));
    set(&routes, "/servicetemplates/index.json", j!({"all_servicetemplates": [{"Servicetemplate": {"id": 9, "name": "Ping", "template_name": "CHECK_PING"}}]}));
    set(&routes, "/hosts/index.json", j!({"all_hosts": [{"Host": {"id": 14, "name": "sw-5-1", "address": "127.0.0.1", "hosttemplate_id": 6, "disabled": false}, "Hoststatus": {"currentState": 0, "isInMonitoring": true, "lastCheck": "22.11.2026 10:00:00", "output": "UP"}}]}));
    set(&routes, "/services/index.json", j!({"all_services": [
        {"Service": {"id": 3369, "servicename": "Backup", "host_id": 14}, "Host": {"id": 14},
         "Servicestatus": {"currentState": 2, "isInMonitoring": true, "lastCheck": "22.11.2026 10:00:00", "output": "backup failed"}},
        {"Service": {"id": 3370, "servicename": "Never run", "host_id": 14}, "Host": {"id": 14},
         "Servicestatus": {"currentState": 0, "isInMonitoring": true, "lastCheck": "01.01.1970 00:00:00", "output": ""}}
    ]}));
    set(&routes, "/contacts/index.json", j!({"all_contacts": [{"Contact": {"id": 1, "name": "info", "email": "info@example.com"}}]}));
    let key = "c".repeat(160);
    let server = routed(Arc::clone(&routes), |seen| seen.header("authorization") == Some(format!("X-OITC-API {}", "c".repeat(160)).as_str())).await;
    let db = empty_db().await;
    let mut options = options(Product::Openitcockpit, &server.url);
    options.apikey = Some(key);

    let first = import(&db, &options).await;
    assert_eq!(first.total(), counts(9, 0, 0), "{}", first.table());
    assert_eq!(first.states, counts(2, 0, 0), "the host and the checked service; the never-run one stays pending");
    let host = db.find_by_name::<Host>("sw-5-1").expect("host");
    assert_eq!(db.get::<HostTemplate>(host.templates[0]).expect("template").name, "generic-host");
    let service = db.all::<Service>().into_iter().find(|service| service.name.as_deref() == Some("Backup")).expect("service");
    let state = current_state(&db, Target::Service(service.meta.id)).expect("state");
    assert_eq!((state.state, state.output.as_str()), (StateValue::Service(ServiceState::Critical), "backup failed"));
    assert_eq!(service.name.as_deref(), Some("Backup"));
    assert_eq!(service.host, host.meta.id);

    assert_eq!(import(&db, &options).await.total(), counts(0, 0, 9));

    set(&routes, "/hosts/index.json", j!({"all_hosts": [{"Host": {"id": 14, "name": "sw-5-1", "address": "127.0.0.1", "hosttemplate_id": 6, "disabled": true}}]}));
    let third = import(&db, &options).await;
    assert_eq!(third.hosts, counts(0, 1, 0));
    assert!(!db.find_by_name::<Host>("sw-5-1").expect("host").enabled);
}

#[tokio::test]
async fn import_options_must_fit_the_product() {
    let db = empty_db().await;
    let options = options(Product::Openitcockpit, "http://127.0.0.1:1");
    let err = run(&db, &options, &mut |_: Progress<'_>| {}).await.expect_err("no key");
    assert!(err.to_string().contains("--apikey"), "{err}");
    assert!(!format!("{options:?}").contains("apikey: Some"));
}
