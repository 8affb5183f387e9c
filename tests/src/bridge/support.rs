//! Helpers shared by the bridge tests: real-client steps, API keys, scoped users, the event stream.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use rosetta_model::*;
use rosetta_store::Actor;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{client_dir, run_program, TestServer};

/// The installed real clients: each product's folder (set up once) and the bridge scripts.
pub struct Clients {
    opsview: PathBuf,
    opennms: PathBuf,
    openitcockpit: PathBuf,
    bridge: PathBuf,
}

impl Clients {
    /// Runs the three products' set-up scripts (idempotent, locked) and finds the bridge scripts.
    pub fn install() -> Clients {
        let opsview = client_dir("opsview");
        let opennms = client_dir("opennms");
        let openitcockpit = client_dir("openitcockpit");
        let bridge = crate::harness::workspace_root().join("tests").join("clients").join("bridge");
        Clients { opsview, opennms, openitcockpit, bridge }
    }

    /// One pyopsview step as `login`.
    pub async fn opsview(&self, server: &TestServer, login: (&str, &str), args: &[&str]) -> Value {
        let script = self.bridge.join("opsview_step.py").display().to_string();
        let base = server.base();
        let mut all = vec![script.as_str(), base.as_str(), login.0, login.1];
        all.extend_from_slice(args);
        run_json(&self.opsview.join(".venv/bin/python"), &all, &self.opsview).await
    }

    /// One opennms-js step as `login`.
    pub async fn opennms(&self, server: &TestServer, login: (&str, &str), args: &[&str]) -> Value {
        let script = self.bridge.join("opennms_step.js").display().to_string();
        let base = server.url("/opennms/");
        let mut all = vec![script.as_str(), base.as_str(), login.0, login.1];
        all.extend_from_slice(args);
        run_json(Path::new("node"), &all, &self.opennms).await
    }

    /// One step of the official openITCOCKPIT Python example flow with the API key `key`.
    pub async fn openitcockpit(&self, server: &TestServer, key: &str, args: &[&str]) -> Value {
        let script = self.bridge.join("oitc_step.py").display().to_string();
        let base = server.base();
        let mut all = vec![script.as_str(), base.as_str(), key];
        all.extend_from_slice(args);
        run_json(&self.openitcockpit.join(".venv/bin/python"), &all, &self.openitcockpit).await
    }
}

/// Runs a client step and parses the last line of its output as JSON.
async fn run_json(program: &Path, args: &[&str], cwd: &Path) -> Value {
    let (code, stdout, stderr) = run_program(program, args, cwd).await;
    assert_eq!(code, 0, "{} {args:?} failed:\nstdout: {stdout}\nstderr: {stderr}", program.display());
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {stdout}\n{stderr}"))
}

/// Creates an API key for the user `login`.
pub async fn api_key(server: &TestServer, login: &str) -> String {
    let user = server.db.find_by_name::<User>(login).expect("user exists");
    server.app.auth.create_api_key(user.meta.id, "bridge", Actor::system()).await.expect("api key").key
}

/// Inserts a tenant (an openITCOCKPIT container) under root; returns its id.
pub async fn add_tenant(server: &TestServer, name: &str) -> Id {
    let tenant = Tenant::new(name, ROOT_TENANT, TenantKind::Tenant);
    server
        .db
        .write(Actor::system(), |tx| Ok::<_, rosetta_store::StoreError>(tx.insert(tenant).meta.id))
        .await
        .expect("tenant")
}

/// Inserts a user with a password, a role (by name) and write access to `tenant`.
pub async fn add_user(server: &TestServer, login: &str, password: &str, role: &str, tenant: Id) {
    let role = server.db.find_by_name::<Role>(role).expect("role").meta.id;
    let hash = server.app.auth.hash_password(password).expect("hash");
    let user = User {
        meta: Meta::new(0),
        login: login.to_owned(),
        fullname: login.to_owned(),
        email: format!("{login}@example.org"),
        role,
        tenants: vec![TenantAccess { tenant, level: TenantLevel::Write }],
        active: true,
        password_hash: Some(hash),
        native: Native::new(),
    };
    server
        .db
        .write(Actor::system(), |tx| Ok::<_, rosetta_store::StoreError>(tx.insert(user).meta.id))
        .await
        .expect("user");
}

/// The native event stream (`/api/v1/stream`) read over a raw connection.
pub struct Stream {
    socket: tokio::net::TcpStream,
    buffer: String,
}

/// One server-sent event: id, event name and the JSON data.
#[derive(Debug, Clone)]
pub struct StreamEvent {
    /// The `id:` line (the stored event id).
    pub id: i64,
    /// The `event:` line (the event kind).
    pub kind: String,
    /// The `data:` line.
    pub data: Value,
}

impl Stream {
    /// Opens the stream as `login`.
    pub async fn open(server: &TestServer, login: &str, password: &str) -> Stream {
        let mut socket = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
        let request = format!("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n\r\n");
        socket.write_all(request.as_bytes()).await.expect("request");
        Stream { socket, buffer: String::new() }
    }

    fn parsed(&self) -> Vec<StreamEvent> {
        let mut events = Vec::new();
        for block in self.buffer.split("\n\n") {
            let mut id = None;
            let mut kind = String::new();
            let mut data = Value::Null;
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("id: ") {
                    id = value.trim().parse::<i64>().ok();
                } else if let Some(value) = line.strip_prefix("event: ") {
                    kind = value.trim().to_owned();
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(value).unwrap_or(Value::Null);
                }
            }
            if let (Some(id), false) = (id, data.is_null()) {
                events.push(StreamEvent { id, kind, data });
            }
        }
        events
    }

    /// Reads until the event with id `last` arrived; returns every event seen so far.
    pub async fn until(&mut self, last: i64) -> Vec<StreamEvent> {
        let mut chunk = [0u8; 8192];
        loop {
            let events = self.parsed();
            if events.iter().any(|event| event.id >= last) {
                return events;
            }
            let read = tokio::time::timeout(Duration::from_secs(10), self.socket.read(&mut chunk))
                .await
                .unwrap_or_else(|_| panic!("event {last} did not arrive within 10 s; got {:?}", self.parsed()))
                .expect("read");
            assert!(read > 0, "stream closed early; got {:?}", self.parsed());
            self.buffer.push_str(&String::from_utf8_lossy(&chunk[..read]).replace("\r\n", "\n"));
        }
    }
}

/// Two tenants with one host group each, and monitored hosts with a critical `HTTP` service in each.
pub struct Estate {
    /// Tenant A (the principal's own).
    pub own: Id,
    /// Tenant B (someone else's).
    pub other: Id,
    /// Host group of tenant A.
    pub own_group: Id,
    /// Host group of tenant B.
    pub other_group: Id,
}

/// Arranges tenants `tenant-a`/`tenant-b`, groups `group-a`/`group-b` (under Opsview's root group) and
/// the user `alice` (role Administrator, write access to tenant A only, password `alice-password`).
pub async fn estate(server: &TestServer) -> Estate {
    let own = add_tenant(server, "tenant-a").await;
    let other = add_tenant(server, "tenant-b").await;
    let (own_group, other_group) = server
        .db
        .write(Actor::system(), |tx| {
            let mut ids = Vec::new();
            for (name, tenant) in [("group-a", own), ("group-b", other)] {
                let group = tx.insert(HostGroup {
                    meta: Meta::new(0),
                    name: name.to_owned(),
                    parent: Some(1),
                    tenant,
                    description: String::new(),
                    native: Native::new(),
                });
                ids.push(group.meta.id);
            }
            Ok::<_, rosetta_store::StoreError>((ids[0], ids[1]))
        })
        .await
        .expect("groups");
    add_user(server, "alice", "alice-password", "Administrator", own).await;
    Estate { own, other, own_group, other_group }
}

/// A monitored host `name` in `tenant`/`group` with a service `HTTP` in a hard CRITICAL state.
pub async fn problem_host(server: &TestServer, name: &str, tenant: Id, group: Id) -> (Id, Id) {
    use rosetta_core::monitoring;
    let name = name.to_owned();
    // openITCOCKPIT's `default host` template, as every host made there has one.
    let template = server.db.find_by_name::<HostTemplate>("default host").map(|template| template.meta.id);
    server
        .db
        .write(Actor::new("test", "test"), |tx| {
            let host = tx.insert(Host {
                meta: Meta::new(0),
                name,
                address: "192.0.2.20".to_owned(),
                alias: String::new(),
                other_addresses: vec![],
                tenant,
                shared_tenants: vec![],
                hostgroups: vec![group],
                templates: template.into_iter().collect(),
                parents: vec![],
                contacts: vec![],
                check: CheckSettings { max_check_attempts: Some(1), ..CheckSettings::default() },
                vars: vec![],
                tags: vec![],
                enabled: true,
                foreign_source: None,
                foreign_id: None,
                native: Native::new(),
            });
            let service = tx.insert(Service {
                meta: Meta::new(0),
                host: host.meta.id,
                name: Some("HTTP".to_owned()),
                template: None,
                check: CheckSettings { max_check_attempts: Some(1), ..CheckSettings::default() },
                vars: vec![],
                tags: vec![],
                servicegroups: vec![],
                contacts: vec![],
                enabled: true,
                native: Native::new(),
            });
            monitoring::start_reload(tx)?;
            monitoring::finish_reload(tx)?;
            let target = Target::Service(service.meta.id);
            monitoring::submit_result(tx, monitoring::CheckResult::new(target, StateValue::Service(ServiceState::Critical), "test"))?;
            Ok::<_, rosetta_core::GatewayError>((host.meta.id, service.meta.id))
        })
        .await
        .expect("problem host")
}

/// True when the service carries an acknowledgement now.
pub fn acknowledged(server: &TestServer, service: Id) -> bool {
    rosetta_core::monitoring::current_state(&*server.db, Target::Service(service)).is_some_and(|state| state.acknowledgement.is_some())
}

/// The current state of a service (`None` when it has no status).
pub fn service_state(server: &TestServer, service: Id) -> Option<StateValue> {
    rosetta_core::monitoring::current_state(&*server.db, Target::Service(service)).map(|state| state.state)
}

/// The cells of a permission matrix: every cell is checked, the failures reported together.
#[derive(Default)]
pub struct Matrix {
    failures: Vec<String>,
    cells: usize,
}

impl Matrix {
    /// Records one cell: `ok` or a failure with what was seen.
    pub fn cell(&mut self, name: &str, ok: bool, seen: impl std::fmt::Display) {
        self.cells += 1;
        if !ok {
            self.failures.push(format!("{name}: {seen}"));
        }
    }

    /// Panics with every failing cell.
    pub fn assert_all(&self, expected_cells: usize) {
        assert!(self.failures.is_empty(), "{} of {} cells failed:\n{}", self.failures.len(), self.cells, self.failures.join("\n"));
        assert_eq!(self.cells, expected_cells, "every cell was checked");
    }
}
