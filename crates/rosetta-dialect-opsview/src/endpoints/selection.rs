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
    host.map_or(0, |host| Scheduled::on_host(store, host, now).flag(target, check))
}

/// The host and services of one host with a downtime scheduled for later, read once for all their flags.
#[derive(Debug)]
pub struct Scheduled(Vec<Target>);

impl Scheduled {
    /// The targets on `host` with a downtime that starts after `now`.
    pub fn on_host(store: &impl Read, host: Id, now: Timestamp) -> Scheduled {
        let pending = |d: &Arc<Downtime>| !d.cancelled && d.actual_end.is_none() && d.start > now;
        Scheduled(store.children::<Downtime>(host).iter().filter(|d| pending(d)).map(|d| d.target).collect())
    }

    /// [`downtime_flag`] of one of the host's targets.
    pub fn flag(&self, target: Target, check: &CheckState) -> u8 {
        if check.downtime_depth > 0 {
            2
        } else {
            u8::from(self.0.contains(&target))
        }
    }
}

/// A monitored host that passed the status filters, held on typed keys only: its state and its
/// matching services (in id order) with their states. Nothing is named, cloned or sorted, so a whole
/// estate can be counted and ordered cheaply and [`HostRow`]s built for the hosts shown only.
#[derive(Debug, Clone)]
pub struct HostMatch {
    /// The host.
    pub host: Arc<Host>,
    /// Its current state.
    pub check: Arc<HostStatus>,
    /// Its matching monitored services, by id.
    pub services: Vec<(Arc<Service>, Arc<ServiceStatus>)>,
}

impl HostMatch {
    /// The host's row: its matching services named and ordered by name (equal names by id).
    pub fn row(&self, store: &impl Read) -> HostRow {
        let mut services: Vec<ServiceRow> = self
            .services
            .iter()
            .map(|(service, status)| ServiceRow {
                service: Arc::clone(service),
                name: monitoring::service_name(store, service),
                check: SharedCheck::Service(Arc::clone(status)),
            })
            .collect();
        services.sort_by(|a, b| a.name.cmp(&b.name));
        HostRow { host: Arc::clone(&self.host), check: SharedCheck::Host(Arc::clone(&self.check)), services }
    }

    /// The states of the matching services.
    pub fn service_checks(&self) -> impl Iterator<Item = &CheckState> {
        self.services.iter().map(|(_, status)| &status.check)
    }
}

/// The monitored hosts the principal may see that pass the common status filters (spec §6) in `params`,
/// each with its matching services, ordered by host id; hosts with no matching service are dropped when
/// a service-level filter was given. When only problems can match (`filter=unhandled`, service `state`s
/// that are all problems, `host_filter=unhandled`, host states that are all problems), the store's
/// flagged index names the few candidates instead of a scan of every host and service.
pub fn select_status(store: &impl Read, visibility: &Visibility, params: &Params) -> Vec<HostMatch> {
    let selector = Selector { store, visibility, filter: StatusFilter::new(store, params) };
    if selector.filter.only_problem_services {
        let mut by_host: std::collections::BTreeMap<Id, Vec<Arc<ServiceStatus>>> = std::collections::BTreeMap::new();
        for state in store.flagged::<ServiceStatus>() {
            by_host.entry(state.host).or_default().push(state);
        }
        by_host.into_iter().filter_map(|(id, services)| selector.keep(store.get::<HostStatus>(id)?, services)).collect()
    } else if selector.filter.only_problem_hosts {
        store.flagged::<HostStatus>().into_iter().filter_map(|status| selector.with_services(status)).collect()
    } else {
        store.all::<HostStatus>().into_iter().filter_map(|status| selector.with_services(status)).collect()
    }
}

/// The unhandled problems of one host, as [`select_status`] selects them for `filter=unhandled` alone, from
/// the candidates a [`crate::problem_index::ProblemIndex`] named: the host if the principal may see it,
/// with those of `services` that still are unhandled problems.
pub fn unhandled_on_host(store: &impl Read, visibility: &Visibility, host: Id, services: &[Id]) -> Option<HostMatch> {
    let status = store.get::<HostStatus>(host)?;
    let host = store.get::<Host>(host).filter(|host| visibility.can_see_host(host))?;
    let services: Vec<(Arc<Service>, Arc<ServiceStatus>)> = services
        .iter()
        .filter_map(|id| Some((store.get::<Service>(*id)?, store.get::<ServiceStatus>(*id)?)))
        .filter(|(service, state)| service.host == host.meta.id && service_unhandled(&state.check, &status.check))
        .collect();
    (!services.is_empty()).then_some(HostMatch { host, check: status, services })
}

/// The parameters the common status filters read: a request without them (other than `filter`) selects
/// on `filter` alone.
const FILTER_KEYS: &[&str] = &[
    "host",
    "hostname",
    "hostid",
    "hostgroupid",
    "host_state",
    "host_state_type",
    "host_filter",
    "monitoredby",
    "servicename",
    "servicecheck",
    "hs",
    "serviceid",
    "state",
    "state_type",
    "keyword",
    "includeunhandledhosts",
];

/// True when `params` ask for the unhandled service problems and nothing else narrows or widens them
/// (`filter=unhandled` without other status filters): what [`crate::problem_index`] keeps ready.
pub fn unhandled_only(params: &Params) -> bool {
    params.get("filter") == Some("unhandled") && !FILTER_KEYS.iter().any(|key| params.has(key))
}

/// One request's filters over one store for one principal.
struct Selector<'a, S> {
    store: &'a S,
    visibility: &'a Visibility,
    filter: StatusFilter<'a>,
}

impl<S: Read> Selector<'_, S> {
    /// The host with those of `services` that match, if it is visible and matches.
    fn keep(&self, status: Arc<HostStatus>, services: Vec<Arc<ServiceStatus>>) -> Option<HostMatch> {
        let (store, filter) = (self.store, &self.filter);
        let host = store.get::<Host>(status.meta.id)?;
        if !self.visibility.can_see_host(&host) || !filter.host(&host, &status.check) {
            return None;
        }
        let services: Vec<(Arc<Service>, Arc<ServiceStatus>)> = services
            .into_iter()
            .filter_map(|state| {
                let service = store.get::<Service>(state.meta.id)?;
                let name = filter.names.then(|| monitoring::service_name(store, &service));
                filter
                    .service(&host, &status.check, &service, &state.check, name.as_deref())
                    .then_some((service, state))
            })
            .collect();
        if filter.service_level && services.is_empty() {
            return None;
        }
        Some(HostMatch { host, check: status, services })
    }

    /// [`Self::keep`] over all of the host's services.
    fn with_services(&self, status: Arc<HostStatus>) -> Option<HostMatch> {
        let services = self.store.children::<ServiceStatus>(status.meta.id);
        self.keep(status, services)
    }
}

/// The common status filters of one request, read once.
struct StatusFilter<'a> {
    params: &'a Params,
    /// `hostgroupid` with the groups below.
    groups: Option<Vec<Id>>,
    /// Whether any service-level filter was given (hosts without a matching service then drop out).
    service_level: bool,
    /// Whether a filter needs the services' display names.
    names: bool,
    include_unhandled_hosts: bool,
    /// Only services that are not OK can match.
    only_problem_services: bool,
    /// Only hosts that are not UP can match.
    only_problem_hosts: bool,
}

impl<'a> StatusFilter<'a> {
    fn new(store: &impl Read, params: &'a Params) -> StatusFilter<'a> {
        let service_filters =
            ["servicename", "servicecheck", "hs", "serviceid", "state", "state_type", "filter", "keyword"];
        let problem_states = |key: &str| {
            let values: Vec<&str> = params.get_all(key).collect();
            !values.is_empty()
                && values.iter().all(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "ok" | "up"))
        };
        StatusFilter {
            params,
            groups: groups_of(store, params, "hostgroupid", true),
            service_level: service_filters.iter().any(|key| params.has(key)),
            names: ["servicename", "servicecheck", "hs"].iter().any(|key| params.has(key)),
            include_unhandled_hosts: crate::call::truthy(params.get("includeunhandledhosts")),
            only_problem_services: params.get("filter") == Some("unhandled") || problem_states("state"),
            only_problem_hosts: params.get("host_filter") == Some("unhandled") || problem_states("host_state"),
        }
    }

    /// The host-level filters.
    fn host(&self, host: &Host, check: &CheckState) -> bool {
        let params = self.params;
        all_true(&[
            any_like(params, "host", &host.name),
            any_like(params, "hostname", &host.name),
            any_eq_id(params, "hostid", host.meta.id),
            in_groups(host, self.groups.as_deref()),
            state_matches(params, "host_state", check),
            state_type_matches(params, "host_state_type", check),
            params.get("host_filter").map(|f| match f {
                "unhandled" => host_unhandled(check),
                "handled" => !host_unhandled(check),
                _ => true,
            }),
            params
                .get("monitoredby")
                .map(|m| m.trim().parse::<Id>().ok() == Some(crate::config::host::monitored_by(host))),
        ])
    }

    /// The service-level filters; `name` is the service's display name, needed when [`Self::names`].
    fn service(
        &self,
        host: &Host,
        host_check: &CheckState,
        service: &Service,
        check: &CheckState,
        name: Option<&str>,
    ) -> bool {
        let params = self.params;
        let name = name.unwrap_or_default();
        let hs = params.has("hs").then(|| format!("{}::{}", host.name, name));
        all_true(&[
            any_like(params, "servicename", name),
            any_like(params, "servicecheck", name),
            hs.and_then(|hs| any_like(params, "hs", &hs)),
            any_eq_id(params, "serviceid", service.meta.id),
            state_matches(params, "state", check),
            state_type_matches(params, "state_type", check),
            params.get("filter").map(|f| match f {
                "unhandled" => {
                    service_unhandled(check, host_check)
                        || (self.include_unhandled_hosts && host_unhandled(host_check) && !check.state.is_ok())
                }
                "handled" => !service_unhandled(check, host_check),
                _ => true,
            }),
            params.get("keyword").map(|k| host.tags.iter().any(|t| t == k)),
        ])
    }
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

fn in_groups(host: &Host, groups: Option<&[Id]>) -> Option<bool> {
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
                in_groups(&host, groups.as_deref()),
                in_groups(&host, group_names.as_deref()),
                in_groups(&host, hostgroup_tree.as_deref()),
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
                in_groups(&host, tree.as_deref()),
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
