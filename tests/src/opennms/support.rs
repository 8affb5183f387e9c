//! Shared arrangement for the OpenNMS tests: hosts, services and check results written through
//! `rosetta_core::monitoring` on the live server's store, plus request helpers.

use rosetta_core::monitoring::{self, CheckResult};
use rosetta_core::GatewayError;
use rosetta_model::{
    CheckSettings, Host, HostGroup, HostState, Id, Meta, Native, Role, Service, ServiceState, StateValue, Target,
    TenantAccess, TenantLevel, User, Variable, ROOT_TENANT,
};
use rosetta_store::Actor;

use crate::harness::{Call, TestServer, ADMIN_PASSWORD};

/// What [`arrange`] created.
#[derive(Debug, Clone, Copy)]
pub struct World {
    /// `web01` (10.0.0.1, also 10.0.1.1; category Servers; asset city Berlin).
    pub web01: Id,
    /// `db01` (foreign source `Lab`, foreign id `db-1`), down.
    pub db01: Id,
    /// The `HTTP` service on web01, critical, perfdata `time=0.512s` and `size=5120B`.
    pub http: Id,
}

/// Authenticates a call as the administrator.
pub fn admin(call: Call) -> Call {
    call.basic("admin", ADMIN_PASSWORD)
}

/// `/opennms/rest` + `path`.
pub fn v1(server: &TestServer, path: &str) -> String {
    server.url(&format!("/opennms/rest{path}"))
}

/// `/opennms/api/v2` + `path`.
pub fn v2(server: &TestServer, path: &str) -> String {
    server.url(&format!("/opennms/api/v2{path}"))
}

fn host(name: &str, address: &str) -> Host {
    Host {
        meta: Meta::new(0),
        name: name.to_owned(),
        address: address.to_owned(),
        alias: String::new(),
        other_addresses: vec![],
        tenant: ROOT_TENANT,
        shared_tenants: vec![],
        hostgroups: vec![],
        templates: vec![],
        parents: vec![],
        contacts: vec![],
        check: CheckSettings::default(),
        vars: vec![],
        tags: vec![],
        enabled: true,
        foreign_source: None,
        foreign_id: None,
        native: Native::new(),
    }
}

/// Two hosts, one service, a node-down alarm on db01 and a critical HTTP alarm on web01.
pub async fn arrange(server: &TestServer) -> World {
    server
        .db
        .write(Actor::new("test", "test"), |tx| {
            let servers = tx.all::<HostGroup>().into_iter().find(|group| group.name == "Servers").expect("seeded");
            let mut web = host("web01", "10.0.0.1");
            web.other_addresses = vec!["10.0.1.1".to_owned()];
            web.hostgroups = vec![servers.meta.id];
            web.vars = vec![Variable { name: "asset.city".to_owned(), value: "Berlin".to_owned(), args: vec![] }];
            let web = tx.insert(web);
            let mut db = host("db01", "10.0.0.2");
            db.foreign_source = Some("Lab".to_owned());
            db.foreign_id = Some("db-1".to_owned());
            let db = tx.insert(db);
            let http = tx.insert(Service {
                meta: Meta::new(0),
                host: web.meta.id,
                name: Some("HTTP".to_owned()),
                template: None,
                check: CheckSettings::default(),
                vars: vec![],
                tags: vec![],
                servicegroups: vec![],
                contacts: vec![],
                enabled: true,
                native: Native::new(),
            });
            let mut down = CheckResult::new(Target::Host(db.meta.id), StateValue::Host(HostState::Down), "test");
            down.force_hard = true;
            down.output = "PING CRITICAL".to_owned();
            monitoring::submit_result(tx, down)?;
            let mut critical =
                CheckResult::new(Target::Service(http.meta.id), StateValue::Service(ServiceState::Critical), "test");
            critical.force_hard = true;
            critical.output = "HTTP CRITICAL - 500".to_owned();
            critical.perfdata = "time=0.512s;1;2;0 size=5120B;;;0".to_owned();
            monitoring::submit_result(tx, critical)?;
            Ok::<_, GatewayError>(World { web01: web.meta.id, db01: db.meta.id, http: http.meta.id })
        })
        .await
        .expect("arrange")
}

/// Creates a user with the role named `role`, password `password` and write access to everything.
pub async fn user_with_role(server: &TestServer, login: &str, password: &str, role: &str) {
    user_with_access(server, login, password, role, TenantLevel::Write).await;
}

/// Creates a user with the role named `role` and `level` access to the root tenant.
pub async fn user_with_access(server: &TestServer, login: &str, password: &str, role: &str, level: TenantLevel) {
    let hash = server.app.auth.hash_password(password).expect("hash");
    let login = login.to_owned();
    let role = role.to_owned();
    server
        .db
        .write(Actor::new("test", "test"), move |tx| {
            let role = tx.find_by_name::<Role>(&role).expect("role").meta.id;
            tx.insert(User {
                meta: Meta::new(0),
                login: login.clone(),
                fullname: login,
                email: String::new(),
                role,
                tenants: vec![TenantAccess { tenant: ROOT_TENANT, level }],
                active: true,
                password_hash: Some(hash),
                native: Native::new(),
            });
            Ok::<_, GatewayError>(())
        })
        .await
        .expect("user");
}
