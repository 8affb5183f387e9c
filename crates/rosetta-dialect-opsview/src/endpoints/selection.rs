//! Choosing hosts and services: the common status filters (spec §6) and the explicit `hst.*`,
//! `svc.*` and `hg.*` action selectors (§7.1), plus the runtime facts both need (handled,
//! unhandled, downtime).

use std::sync::Arc;

use rosetta_core::monitoring;
use rosetta_core::request::Params;
use rosetta_core::visibility::{group_subtrees, Visibility};
use rosetta_model::query::like;
use rosetta_model::{
    CheckState, Downtime, Host, HostGroup, HostState, HostStatus, Id, Service, ServiceStatus, StateType, StateValue,
    Target, Timestamp,
};
use rosetta_store::Read;

/// A shared handle on a stored check state: rows borrow the store's copy instead of cloning
/// output and performance data for every row of a large list.
#[derive(Debug, Clone)]
pub enum SharedCheck {
    /// A host's state.
    Host(Arc<HostStatus>),
    /// A service's state.
    Service(Arc<ServiceStatus>),
}

impl std::ops::Deref for SharedCheck {
    type Target = CheckState;

    fn deref(&self) -> &CheckState {
        match self {
            SharedCheck::Host(status) => &status.check,
            SharedCheck::Service(status) => &status.check,
        }
    }
}

/// One monitored service with its host.
#[derive(Debug, Clone)]
pub struct ServiceRow {
    /// The service.
    pub service: Arc<Service>,
    /// Its display name.
    pub name: String,
    /// Its current state.
    pub check: SharedCheck,
}

/// One monitored host with its monitored services.
#[derive(Debug, Clone)]
pub struct HostRow {
    /// The host.
    pub host: Arc<Host>,
    /// Its current state.
    pub check: SharedCheck,
    /// Its monitored services, by name.
    pub services: Vec<ServiceRow>,
}

/// The text form of a state (`up`, `critical`).
pub fn state_name(check: &CheckState) -> &'static str {
    check.state.name()
}

/// `soft` or `hard`.
pub fn state_type_name(check: &CheckState) -> &'static str {
    match check.state_type {
        StateType::Soft => "soft",
        StateType::Hard => "hard",
    }
}

/// True for a DOWN host that is neither acknowledged nor in downtime.
pub fn host_unhandled(check: &CheckState) -> bool {
    check.state == StateValue::Host(HostState::Down) && !check.is_acknowledged() && check.downtime_depth == 0
}

/// True for a non-OK service on an UP host, neither acknowledged nor in downtime.
pub fn service_unhandled(check: &CheckState, host: &CheckState) -> bool {
    !check.state.is_ok() && host.state.is_ok() && !check.is_acknowledged() && check.downtime_depth == 0
}

/// `"2"` in downtime now, `"1"` downtime scheduled for later, `"0"` none.
pub fn downtime_flag(store: &impl Read, target: Target, check: &CheckState, now: Timestamp) -> u8 {
    if check.downtime_depth > 0 {
        return 2;
    }
    let host = match target {
        Target::Host(id) => Some(id),
        Target::Service(id) => store.get::<Service>(id).map(|service| service.host),
    };
    let future = host.is_some_and(|host| {
        store
            .children::<Downtime>(host)
            .iter()
            .any(|d| d.target == target && !d.cancelled && d.actual_end.is_none() && d.start > now)
    });
    u8::from(future)
}

/// Every monitored host the principal may see, with its monitored services.
pub fn monitored(store: &impl Read, visibility: &Visibility) -> Vec<HostRow> {
    store.all::<HostStatus>().into_iter().filter_map(|status| host_row(store, visibility, status)).collect()
}

/// The monitored hosts that can pass `params` in [`filter_status`]: when the filters only match problems
/// (`filter=unhandled`, `host_filter=unhandled`, or states that are all problems), just the hosts with a
/// problem of their own or on a service, found through the store's flagged index instead of a scan; else
/// every monitored host.
pub fn candidates(store: &impl Read, visibility: &Visibility, params: &Params) -> Vec<HostRow> {
    if !only_problems_match(params) {
        return monitored(store, visibility);
    }
    let mut hosts: std::collections::BTreeSet<Id> = store.flagged::<HostStatus>().iter().map(|s| s.meta.id).collect();
    hosts.extend(store.flagged::<ServiceStatus>().iter().map(|s| s.host));
    hosts
        .into_iter()
        .filter_map(|id| store.get::<HostStatus>(id))
        .filter_map(|status| host_row(store, visibility, status))
        .collect()
}

fn only_problems_match(params: &Params) -> bool {
    let problem_states = |key: &str| {
        let values: Vec<&str> = params.get_all(key).collect();
        !values.is_empty() && values.iter().all(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "ok" | "up"))
    };
    params.get("filter") == Some("unhandled")
        || params.get("host_filter") == Some("unhandled")
        || problem_states("state")
        || problem_states("host_state")
}

fn host_row(store: &impl Read, visibility: &Visibility, status: Arc<HostStatus>) -> Option<HostRow> {
    let host = store.get::<Host>(status.meta.id)?;
    if !visibility.can_see_host(&host) {
        return None;
    }
    let mut rows: Vec<ServiceRow> = store
        .children::<ServiceStatus>(host.meta.id)
        .iter()
        .filter_map(|s| {
            let service = store.get::<Service>(s.meta.id)?;
            let name = monitoring::service_name(store, &service);
            Some(ServiceRow { service, name, check: SharedCheck::Service(Arc::clone(s)) })
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Some(HostRow { host, check: SharedCheck::Host(status), services: rows })
}

fn any_like(params: &Params, key: &str, value: &str) -> Option<bool> {
    let patterns: Vec<&str> = params.get_all(key).collect();
    (!patterns.is_empty()).then(|| patterns.iter().any(|pattern| like(pattern, value)))
}

fn any_eq_id(params: &Params, key: &str, id: Id) -> Option<bool> {
    let values: Vec<&str> = params.get_all(key).collect();
    (!values.is_empty()).then(|| values.iter().any(|v| v.trim().parse::<Id>().ok() == Some(id)))
}

/// The host groups named by `key` (ids), with their subtrees when `subtree`.
fn groups_of(store: &impl Read, params: &Params, key: &str, subtree: bool) -> Option<Vec<Id>> {
    let ids: Vec<Id> = params.get_all(key).filter_map(|v| v.trim().parse::<Id>().ok()).collect();
    if !params.has(key) {
        return None;
    }
    Some(if subtree { group_subtrees(&ids, &store.all::<HostGroup>()).into_iter().collect() } else { ids })
}

fn group_names(store: &impl Read, params: &Params, key: &str) -> Option<Vec<Id>> {
    if !params.has(key) {
        return None;
    }
    let names: Vec<&str> = params.get_all(key).collect();
    Some(
        store.all::<HostGroup>().iter().filter(|g| names.iter().any(|n| like(n, &g.name))).map(|g| g.meta.id).collect(),
    )
}

fn in_groups(host: &Host, groups: Option<Vec<Id>>) -> Option<bool> {
    groups.map(|groups| host.hostgroups.iter().any(|g| groups.contains(g)))
}

fn all_true(tests: &[Option<bool>]) -> bool {
    tests.iter().all(|test| test.unwrap_or(true))
}

fn state_matches(params: &Params, key: &str, check: &CheckState) -> Option<bool> {
    let values: Vec<&str> = params.get_all(key).collect();
    (!values.is_empty()).then(|| {
        values.iter().any(|v| {
            let v = v.trim();
            v == check.state.code().to_string() || v.eq_ignore_ascii_case(check.state.name())
        })
    })
}

fn state_type_matches(params: &Params, key: &str, check: &CheckState) -> Option<bool> {
    let values: Vec<&str> = params.get_all(key).collect();
    (!values.is_empty()).then(|| {
        let (code, name) = match check.state_type {
            StateType::Soft => ("0", "soft"),
            StateType::Hard => ("1", "hard"),
        };
        values.iter().any(|v| v.trim() == code || v.trim().eq_ignore_ascii_case(name))
    })
}

/// Applies the common status filters (spec §6) to the monitored hosts and their services. Hosts
/// with no matching service are dropped when a service-level filter was given.
pub fn filter_status(store: &impl Read, rows: Vec<HostRow>, params: &Params) -> Vec<HostRow> {
    let groups = groups_of(store, params, "hostgroupid", true);
    let service_filters =
        ["servicename", "servicecheck", "hs", "serviceid", "state", "state_type", "filter", "keyword"];
    let service_level = service_filters.iter().any(|key| params.has(key));
    rows.into_iter()
        .filter_map(|mut row| {
            let host = &row.host;
            let host_ok = all_true(&[
                any_like(params, "host", &host.name),
                any_like(params, "hostname", &host.name),
                any_eq_id(params, "hostid", host.meta.id),
                in_groups(host, groups.clone()),
                state_matches(params, "host_state", &row.check),
                state_type_matches(params, "host_state_type", &row.check),
                params.get("host_filter").map(|f| match f {
                    "unhandled" => host_unhandled(&row.check),
                    "handled" => !host_unhandled(&row.check),
                    _ => true,
                }),
                params
                    .get("monitoredby")
                    .map(|m| m.trim().parse::<Id>().ok() == Some(crate::config::host::monitored_by(host))),
            ]);
            if !host_ok {
                return None;
            }
            let host_check = row.check.clone();
            let include_unhandled_hosts = crate::call::truthy(params.get("includeunhandledhosts"));
            row.services.retain(|s| {
                let hs = params.has("hs").then(|| format!("{}::{}", host.name, s.name));
                all_true(&[
                    any_like(params, "servicename", &s.name),
                    any_like(params, "servicecheck", &s.name),
                    hs.and_then(|hs| any_like(params, "hs", &hs)),
                    any_eq_id(params, "serviceid", s.service.meta.id),
                    state_matches(params, "state", &s.check),
                    state_type_matches(params, "state_type", &s.check),
                    params.get("filter").map(|f| match f {
                        "unhandled" => {
                            service_unhandled(&s.check, &host_check)
                                || (include_unhandled_hosts && host_unhandled(&host_check) && !s.check.state.is_ok())
                        }
                        "handled" => !service_unhandled(&s.check, &host_check),
                        _ => true,
                    }),
                    params.get("keyword").map(|k| host.tags.iter().any(|t| t == k)),
                ])
            });
            if service_level && row.services.is_empty() {
                return None;
            }
            Some(row)
        })
        .collect()
}

/// What an action applies to.
#[derive(Debug, Clone, Default)]
pub struct Selected {
    /// Hosts.
    pub hosts: Vec<Arc<Host>>,
    /// Services.
    pub services: Vec<Arc<Service>>,
    /// Host groups targeted as such (`hg.*`, downtime only).
    pub hostgroups: Vec<Arc<HostGroup>>,
}

const SERVICE_KEYS: &[&str] = &[
    "svc.serviceid",
    "svc.hs",
    "svc.hostname",
    "svc.servicename",
    "svc.hostid",
    "svc.hostgroupid",
    "svc.hostgroupname",
    "svc.keywordname",
    "svc.servicegroupname",
    "svc.servicecheckid",
    "servicename",
    "servicecheck",
    "serviceid",
    "hs",
];

const HOST_KEYS: &[&str] = &[
    "hst.hostid",
    "hst.hostname",
    "hst.hostgroupid",
    "hst.hostgroupname",
    "host",
    "hostname",
    "hostid",
    "hostgroupid",
];

/// The objects an action names (spec §7.1). Service parameters select services; otherwise host
/// parameters select hosts; `hg.*` selects host groups. No parameters select nothing.
pub fn select(store: &impl Read, params: &Params) -> Selected {
    let mut selected = Selected::default();
    if SERVICE_KEYS.iter().any(|key| params.has(key)) {
        let groups = groups_of(store, params, "svc.hostgroupid", false);
        let group_names = group_names(store, params, "svc.hostgroupname");
        let hostgroup_tree = groups_of(store, params, "hostgroupid", true);
        for service in store.all::<Service>() {
            let Some(host) = store.get::<Host>(service.host) else {
                continue;
            };
            let name = monitoring::service_name(store, &service);
            let hs = format!("{}::{}", host.name, name);
            let group_name_hit = service
                .template
                .and_then(|t| store.get::<rosetta_model::ServiceTemplate>(t))
                .and_then(|t| t.servicegroups.first().and_then(|g| store.get::<rosetta_model::ServiceGroup>(*g)))
                .map(|g| g.name.clone())
                .unwrap_or_default();
            let hit = all_true(&[
                any_eq_id(params, "svc.serviceid", service.meta.id),
                any_eq_id(params, "serviceid", service.meta.id),
                any_like(params, "svc.hs", &hs),
                any_like(params, "hs", &hs),
                any_like(params, "svc.hostname", &host.name),
                any_like(params, "host", &host.name),
                any_like(params, "hostname", &host.name),
                any_like(params, "svc.servicename", &name),
                any_like(params, "servicename", &name),
                any_like(params, "servicecheck", &name),
                any_eq_id(params, "svc.hostid", host.meta.id),
                any_eq_id(params, "hostid", host.meta.id),
                in_groups(&host, groups.clone()),
                in_groups(&host, group_names.clone()),
                in_groups(&host, hostgroup_tree.clone()),
                params
                    .has("svc.keywordname")
                    .then(|| params.get_all("svc.keywordname").any(|k| host.tags.iter().any(|t| like(k, t)))),
                any_like(params, "svc.servicegroupname", &group_name_hit),
                service
                    .template
                    .and_then(|t| any_eq_id(params, "svc.servicecheckid", t))
                    .or_else(|| params.has("svc.servicecheckid").then_some(false)),
            ]);
            if hit {
                selected.services.push(service);
            }
        }
    } else if HOST_KEYS.iter().any(|key| params.has(key)) {
        let own_groups = groups_of(store, params, "hst.hostgroupid", false);
        let own_group_names = group_names(store, params, "hst.hostgroupname");
        let tree = groups_of(store, params, "hostgroupid", true);
        for host in store.all::<Host>() {
            let first_group = host.hostgroups.first().copied();
            let hit = all_true(&[
                any_eq_id(params, "hst.hostid", host.meta.id),
                any_eq_id(params, "hostid", host.meta.id),
                any_like(params, "hst.hostname", &host.name),
                any_like(params, "host", &host.name),
                any_like(params, "hostname", &host.name),
                own_groups.as_ref().map(|g| first_group.is_some_and(|f| g.contains(&f))),
                own_group_names.as_ref().map(|g| first_group.is_some_and(|f| g.contains(&f))),
                in_groups(&host, tree.clone()),
            ]);
            if hit {
                selected.hosts.push(host);
            }
        }
    }
    if params.has("hg.hostgroupid") || params.has("hg.hostgroupname") {
        let ids = groups_of(store, params, "hg.hostgroupid", false).unwrap_or_default();
        let names = group_names(store, params, "hg.hostgroupname").unwrap_or_default();
        selected.hostgroups = store
            .all::<HostGroup>()
            .into_iter()
            .filter(|g| ids.contains(&g.meta.id) || names.contains(&g.meta.id))
            .collect();
    }
    selected
}
