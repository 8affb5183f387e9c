//! The read-only types Opsview only shows as references (spec §5.1): `plugin` and `hosticons`
//! (whose refs use the name), `checktype`, `access`, `timezone` and `collector`. They are fixed
//! lists, served with the same list, single-object and `exists` shapes as the configuration types.

use rosetta_core::{GatewayError, Response};
use rosetta_model::{Command, Permission, ServiceTemplate};
use rosetta_store::Read;
use serde_json::{json, Value};

use super::config::list_objects;
use super::Env;
use crate::config::templates::{CHECK_TYPES, PLUGINS};
use crate::config::{references_by_name, ObjectType};

/// The host icons of a fresh install; `LOGO - Opsview` is the default of new hosts.
pub const HOST_ICONS: &[&str] = &[
    "LOGO - AIX",
    "LOGO - Apple",
    "LOGO - Cisco",
    "LOGO - Debian Linux",
    "LOGO - FreeBSD",
    "LOGO - HP",
    "LOGO - Linux Penguin",
    "LOGO - Microsoft Windows",
    "LOGO - Novell",
    "LOGO - Opsview",
    "LOGO - Red Hat Linux",
    "LOGO - Solaris",
    "LOGO - SuSE Linux",
    "LOGO - Ubuntu Linux",
    "LOGO - VMware",
    "LOGO - Xterminal",
    "SYMBOL - Application",
    "SYMBOL - Database",
    "SYMBOL - Firewall",
    "SYMBOL - Network",
    "SYMBOL - Printer",
    "SYMBOL - Router",
    "SYMBOL - Server",
    "SYMBOL - Switch",
    "SYMBOL - Wireless",
    "SYMBOL - xDSL",
];

/// A read-only type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catalog {
    /// `plugin`, keyed by name.
    Plugin,
    /// `hosticons` (pyopsview says `hosticon`), keyed by name.
    HostIcon,
    /// `checktype`.
    CheckType,
    /// `access`.
    Access,
    /// `timezone`.
    TimeZone,
    /// `collector`.
    Collector,
}

impl Catalog {
    /// The catalog a URL type names.
    pub fn from_url(name: &str) -> Option<Catalog> {
        Some(match name {
            "plugin" => Catalog::Plugin,
            "hosticons" | "hosticon" => Catalog::HostIcon,
            "checktype" => Catalog::CheckType,
            "access" => Catalog::Access,
            "timezone" => Catalog::TimeZone,
            "collector" => Catalog::Collector,
            _ => return None,
        })
    }

    /// The permission needed to read it.
    pub fn permission(self) -> Permission {
        match self {
            Catalog::Collector => Permission::AdminAccess,
            _ => Permission::ConfigureView,
        }
    }

    /// Every entry, as Opsview writes it.
    fn entries(self, store: &impl Read) -> Vec<Value> {
        match self {
            Catalog::Plugin => PLUGINS.iter().map(|name| plugin(store, name)).collect(),
            Catalog::HostIcon => HOST_ICONS
                .iter()
                .map(|name| {
                    let encoded = name.replace(' ', "%20");
                    json!({"name": name, "ref": format!("/rest/config/hosticons/{encoded}"),
                           "img_prefix": format!("/images/logos/{}", icon_file(name))})
                })
                .collect(),
            Catalog::CheckType => CHECK_TYPES
                .iter()
                .map(|(id, name)| json!({"id": id, "ref": format!("/rest/config/checktype/{id}"), "name": name}))
                .collect(),
            Catalog::Access => {
                let mut all: Vec<Permission> = Permission::ALL.to_vec();
                all.sort_by_key(|p| p.opsview_id());
                all.into_iter()
                    .map(|p| json!({"id": p.opsview_id(), "ref": format!("/rest/config/access/{}", p.opsview_id()), "name": p.name()}))
                    .collect()
            }
            Catalog::TimeZone => vec![json!({"id": 1, "ref": "/rest/config/timezone/1", "name": "SYSTEM"})],
            Catalog::Collector => vec![json!({
                "id": 1, "ref": "/rest/config/collector/1", "name": "opsview", "hostname": "opsview",
                "monitoringcluster": crate::config::reference(store, ObjectType::MonitoringCluster, 1),
            })],
        }
    }

    /// The entry with this key: the name for plugins and icons, the id for the others.
    fn entry(self, store: &impl Read, key: &str) -> Option<Value> {
        self.entries(store).into_iter().find(|entry| match self {
            Catalog::Plugin | Catalog::HostIcon => entry["name"] == key,
            _ => key.trim().parse::<i64>().is_ok_and(|id| entry["id"] == id),
        })
    }
}

fn icon_file(name: &str) -> String {
    name.trim_start_matches("LOGO - ").trim_start_matches("SYMBOL - ").to_ascii_lowercase().replace(' ', "_")
}

fn plugin(store: &impl Read, name: &str) -> Value {
    let checks: Vec<i64> = store
        .all::<ServiceTemplate>()
        .iter()
        .filter(|c| c.native.get("opsview.plugin").and_then(Value::as_str) == Some(name))
        .map(|c| c.meta.id)
        .collect();
    let commands: Vec<i64> = store
        .all::<Command>()
        .iter()
        .filter(|c| c.kind == rosetta_model::CommandKind::HostCheck && c.plugin == name)
        .map(|c| c.meta.id)
        .collect();
    json!({
        "name": name,
        "ref": format!("/rest/config/plugin/{name}"),
        "envvars": "",
        "origin_id": 0,
        "servicechecks": references_by_name(store, ObjectType::ServiceCheck, &checks),
        "hostcheckcommands": references_by_name(store, ObjectType::HostCheckCommand, &commands),
        "uncommitted": 0,
    })
}

/// True when `kind` names a read-only type.
pub fn serves(kind: &str) -> bool {
    Catalog::from_url(kind).is_some()
}

fn catalog(kind: &str) -> Result<Catalog, GatewayError> {
    Catalog::from_url(kind).ok_or_else(|| GatewayError::bad_request(format!("Unknown object type '{kind}'")))
}

/// `GET /rest/config/{catalog}`.
pub fn list(env: &Env<'_>, kind: &str) -> Result<Response, GatewayError> {
    let catalog = catalog(kind)?;
    env.require(&[catalog.permission()])?;
    list_objects(env, catalog.entries(env.db()), &["servicechecks", "hostcheckcommands"])
}

/// `GET /rest/config/{catalog}/{key}`.
pub fn get(env: &Env<'_>, kind: &str, key: &str) -> Result<Response, GatewayError> {
    let catalog = catalog(kind)?;
    env.require(&[catalog.permission()])?;
    let entry = catalog.entry(env.db(), key).ok_or_else(|| GatewayError::not_found("Object not found"))?;
    env.ok(json!({"object": entry}))
}

/// `GET /rest/config/{catalog}/exists?name=|id=`.
pub fn exists(env: &Env<'_>, kind: &str) -> Result<Response, GatewayError> {
    let catalog = catalog(kind)?;
    env.require(&[catalog.permission()])?;
    let params = &env.call.params;
    let entries = catalog.entries(env.db());
    let found = match (params.get("name"), params.get("id")) {
        (Some(name), _) => entries.iter().any(|entry| entry["name"] == name),
        (None, Some(id)) => id.trim().parse::<i64>().is_ok_and(|id| entries.iter().any(|entry| entry["id"] == id)),
        (None, None) => false,
    };
    env.ok(json!({"exists": found}))
}
