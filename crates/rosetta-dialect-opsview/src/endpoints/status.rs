//! The read-only runtime views (spec §6, §7.7, §7.8): `/rest/status/{host,service,hostgroup,viewport}`,
//! `/rest/runtime/*`, `/rest/event` and `/rest/detail`. Only monitored objects (those with a status
//! row, i.e. after a reload) appear, and only those the principal may see.

use std::collections::BTreeMap;

use rosetta_core::request::Params;
use rosetta_core::visibility::{group_subtrees, Visibility};
use rosetta_core::{GatewayError, Response};
use rosetta_model::{Event, EventKind, Host, HostGroup, HostTemplate, Permission, StateType, Target, Timestamp};
use serde_json::{json, Map, Value};

use super::selection::{
    candidates, downtime_flag, filter_status, host_unhandled, monitored, service_unhandled, state_name, state_type_name, HostRow,
};
use super::Env;
use crate::call::{truthy, Output};
use crate::config::documents;
use crate::config::ObjectType;
use crate::render::{self, Body, Typing};

const VIEW: &[Permission] = &[Permission::ViewAll, Permission::ViewSome];

fn visibility(env: &Env<'_>, allowed: &[Permission]) -> Result<Visibility, GatewayError> {
    let principal = env.require(allowed)?;
    Ok(Visibility::new(principal, env.db()))
}

/// Handled/unhandled counters per state name.
#[derive(Debug, Default)]
struct Counts {
    by_state: BTreeMap<&'static str, (u64, u64)>,
    handled: u64,
    unhandled: u64,
}

impl Counts {
    fn add(&mut self, state: &'static str, unhandled: bool) {
        let entry = self.by_state.entry(state).or_default();
        if unhandled {
            entry.1 += 1;
            self.unhandled += 1;
        } else {
            entry.0 += 1;
            self.handled += 1;
        }
    }

    fn total(&self) -> u64 {
        self.handled + self.unhandled
    }

    /// `{"ok": {"handled": "5"}, ..., "handled", "unhandled", "total"}`.
    fn nested(&self) -> Map<String, Value> {
        let mut map = Map::new();
        for (state, (handled, unhandled)) in &self.by_state {
            let mut pair = Map::new();
            if *handled > 0 {
                pair.insert("handled".into(), json!(handled));
            }
            if *unhandled > 0 {
                pair.insert("unhandled".into(), json!(unhandled));
            }
            map.insert((*state).into(), Value::Object(pair));
        }
        map.insert("handled".into(), json!(self.handled));
        map.insert("unhandled".into(), json!(self.unhandled));
        map.insert("total".into(), json!(self.total()));
        map
    }

    /// `{"ok": "5", ..., "handled", "unhandled", "total"}`.
    fn flat(&self) -> Map<String, Value> {
        let mut map = Map::new();
        for (state, (handled, unhandled)) in &self.by_state {
            map.insert((*state).into(), json!(handled + unhandled));
        }
        map.insert("handled".into(), json!(self.handled));
        map.insert("unhandled".into(), json!(self.unhandled));
        map.insert("total".into(), json!(self.total()));
        map
    }
}

/// Service states, worst first, for `computed_state`.
fn worst_service(rows: &[&HostRow]) -> &'static str {
    let mut worst: Option<(u8, &'static str)> = None;
    for row in rows {
        for service in &row.services {
            if let rosetta_model::StateValue::Service(state) = service.check.state {
                let badness = state.badness();
                if worst.is_none_or(|(b, _)| badness > b) {
                    worst = Some((badness, state.name()));
                }
            }
        }
    }
    worst.map_or("ok", |(_, name)| name)
}

fn computed_state(rows: &[&HostRow]) -> &'static str {
    if rows.iter().any(|row| !row.check.state.is_ok()) {
        "critical"
    } else {
        worst_service(rows)
    }
}

struct Summary {
    hosts: Counts,
    services: Counts,
}

fn summarise(rows: &[&HostRow]) -> Summary {
    let mut summary = Summary { hosts: Counts::default(), services: Counts::default() };
    for row in rows {
        summary.hosts.add(state_name(&row.check), host_unhandled(&row.check));
        for service in &row.services {
            summary.services.add(state_name(&service.check), service_unhandled(&service.check, &row.check));
        }
    }
    summary
}

fn top_summary(summary: &Summary) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("handled".into(), json!(summary.hosts.handled + summary.services.handled));
    map.insert("unhandled".into(), json!(summary.hosts.unhandled + summary.services.unhandled));
    map.insert("total".into(), json!(summary.hosts.total() + summary.services.total()));
    map.insert("host".into(), Value::Object(summary.hosts.flat()));
    map.insert("service".into(), Value::Object(summary.services.flat()));
    map
}

fn page<T>(env: &Env<'_>, items: Vec<T>, default_all: bool) -> (Vec<T>, Map<String, Value>) {
    let total = items.len();
    let rows = match env.call.params.get("rows").map(str::trim) {
        Some("all") | None if default_all => None,
        Some(text) => text.parse::<usize>().ok().filter(|n| *n > 0),
        None => Some(50),
    };
    let page =
        env.call.params.get("page").and_then(|p| p.trim().parse::<usize>().ok()).filter(|p| *p >= 1).unwrap_or(1);
    let mut meta = Map::new();
    let (items, pages) = match rows {
        None => (items, 1),
        Some(size) => {
            (items.into_iter().skip((page - 1).saturating_mul(size)).take(size).collect(), total.div_ceil(size).max(1))
        }
    };
    meta.insert("page".into(), json!(page));
    meta.insert("totalpages".into(), json!(pages));
    meta.insert("rows".into(), json!(items.len()));
    meta.insert("totalrows".into(), json!(total));
    meta.insert("allrows".into(), json!(total));
    (items, meta)
}

fn host_entry(env: &Env<'_>, row: &HostRow, with_services: bool) -> Value {
    let db = env.db();
    let now = Timestamp::now();
    let check = &row.check;
    let mut entry = json!({
        "name": row.host.name,
        "alias": row.host.alias,
        "icon": row.host.native.get("opsview.icon").and_then(Value::as_str).unwrap_or("LOGO - Opsview")
            .trim_start_matches("LOGO - ").to_ascii_lowercase(),
        "state": state_name(check),
        "state_type": state_type_name(check),
        "state_duration": now.secs().saturating_sub(check.last_state_change.secs()).max(0),
        "last_check": env.time(check.last_check),
        "current_check_attempt": check.attempt,
        "max_check_attempts": check.max_attempts,
        "num_services": row.services.len(),
        "num_interfaces": 0,
        "output": check.output,
        "downtime": downtime_flag(db, Target::Host(row.host.meta.id), check, now),
        "unhandled": host_unhandled(check),
    });
    if check.is_acknowledged() {
        entry["acknowledged"] = json!(1);
    }
    if check.flapping {
        entry["flapping"] = json!(1);
    }
    if truthy(env.call.params.get("include_monitored_by")) {
        let cluster = crate::config::host::monitored_by(&row.host);
        entry["monitored_by"] = json!(cluster);
        entry["monitored_by_name"] = json!(ObjectType::MonitoringCluster.name_of(db, cluster).unwrap_or_default());
    }
    if truthy(env.call.params.get("includeextradetails")) {
        let groups: Vec<Value> = row
            .host
            .hostgroups
            .first()
            .map(|g| crate::config::hostgroup::ancestry(db, *g))
            .unwrap_or_default()
            .iter()
            .map(|g| json!({"id": g.meta.id, "name": g.name}))
            .collect();
        entry["hostgroup"] = Value::Array(groups);
        entry["flapping"] = json!(check.flapping);
    }
    let mut counts = Counts::default();
    for service in &row.services {
        counts.add(state_name(&service.check), service_unhandled(&service.check, check));
    }
    if with_services {
        entry["ip"] = json!(row.host.address);
        entry["hostgroup"] = json!(row
            .host
            .hostgroups
            .first()
            .and_then(|g| db.get::<HostGroup>(*g))
            .map(|g| g.name.clone())
            .unwrap_or_default());
        let mut summary = counts.flat();
        summary.insert("computed_state".into(), json!(worst_service(&[row])));
        entry["summary"] = Value::Object(summary);
        let perf = truthy(env.call.params.get("includeperfdata"));
        let services: Vec<Value> = row
            .services
            .iter()
            .map(|service| {
                let s = &service.check;
                let mut item = json!({
                    "name": service.name,
                    "service_object_id": service.service.meta.id,
                    "state": state_name(s),
                    "state_type": state_type_name(s),
                    "state_duration": now.secs().saturating_sub(s.last_state_change.secs()).max(0),
                    "last_check": env.time(s.last_check),
                    "current_check_attempt": s.attempt,
                    "max_check_attempts": s.max_attempts,
                    "output": s.output,
                    "perfdata_available": !s.perfdata.is_empty(),
                    "markdown": 0,
                    "downtime": downtime_flag(db, Target::Service(service.service.meta.id), s, now),
                    "unhandled": service_unhandled(s, check),
                });
                if s.is_acknowledged() {
                    item["acknowledged"] = json!(1);
                }
                if s.flapping {
                    item["flapping"] = json!(1);
                }
                if perf {
                    item["metrics"] = Value::Array(metrics(&s.perfdata));
                }
                item
            })
            .collect();
        entry["services"] = Value::Array(services);
    } else {
        entry["summary"] = Value::Object(counts.nested());
    }
    entry
}

/// `rta=0.045ms;...` → `[{"name":"rta","uom":"ms","value":"0.045"}]`.
fn metrics(perfdata: &str) -> Vec<Value> {
    perfdata
        .split_whitespace()
        .filter_map(|item| {
            let (name, rest) = item.split_once('=')?;
            let value = rest.split(';').next().unwrap_or_default();
            let split = value.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).unwrap_or(value.len());
            Some(json!({"name": name.trim_matches('\''), "uom": &value[split..], "value": &value[..split]}))
        })
        .collect()
}

fn status_rows(env: &Env<'_>) -> Result<Vec<HostRow>, GatewayError> {
    status_rows_with(env, &env.call.params)
}

fn status_rows_with(env: &Env<'_>, params: &Params) -> Result<Vec<HostRow>, GatewayError> {
    let visibility = visibility(env, VIEW)?;
    let rows = candidates(env.db(), &visibility, params);
    let mut rows = filter_status(env.db(), rows, params);
    rows.sort_by(|a, b| a.host.name.cmp(&b.host.name));
    Ok(rows)
}

/// `GET /rest/status/host`: here `state`, `state_type` and `filter` are about the hosts.
pub fn hosts(env: &Env<'_>) -> Result<Response, GatewayError> {
    let params = Params(
        env.call
            .params
            .0
            .iter()
            .map(|(key, value)| {
                let key = match key.as_str() {
                    "state" => "host_state",
                    "state_type" => "host_state_type",
                    "filter" => "host_filter",
                    other => other,
                };
                (key.to_owned(), value.clone())
            })
            .collect(),
    );
    let rows = status_rows_with(env, &params)?;
    let refs: Vec<&HostRow> = rows.iter().collect();
    let mut summary = top_summary(&summarise(&refs));
    let (page_rows, paging) = page(env, refs, true);
    summary.extend(paging);
    if truthy(env.call.params.get("include_reload_time")) {
        let last = env.db().get::<rosetta_model::ConfigStatus>(1).map_or(Timestamp(0), |s| s.last_reload);
        summary.insert("last_reload_time".into(), env.time(last));
    }
    let list: Vec<Value> = page_rows.into_iter().map(|row| host_entry(env, row, false)).collect();
    env.ok(json!({"list": list, "summary": summary}))
}

/// `GET /rest/status/service`.
pub fn services(env: &Env<'_>) -> Result<Response, GatewayError> {
    let rows = status_rows(env)?;
    let refs: Vec<&HostRow> = rows.iter().collect();
    let mut summary = top_summary(&summarise(&refs));
    let (page_rows, paging) = page(env, refs, false);
    summary.extend(paging);
    let list: Vec<Value> = page_rows.into_iter().map(|row| host_entry(env, row, true)).collect();
    env.ok(json!({"list": list, "summary": summary}))
}

fn group_entry(env: &Env<'_>, group: &HostGroup, rows: &[&HostRow]) -> Value {
    let db = env.db();
    let summary = summarise(rows);
    let now = Timestamp::now();
    let downtime =
        rows.iter().map(|row| downtime_flag(db, Target::Host(row.host.meta.id), &row.check, now)).max().unwrap_or(0);
    let mut services = summary.services.nested();
    services.insert("computed_state".into(), json!(worst_service(rows)));
    let matpath: Vec<Value> = crate::config::hostgroup::ancestry(db, group.meta.id)
        .iter()
        .filter(|g| g.meta.id != group.meta.id)
        .map(|g| json!({"id": g.meta.id, "name": g.name}))
        .collect();
    json!({
        "hostgroupid": group.meta.id,
        "name": group.name,
        "leaf": crate::config::hostgroup::is_leaf(db, group.meta.id),
        "matpath": matpath,
        "computed_state": computed_state(rows),
        "downtime": downtime,
        "hosts": Value::Object(summary.hosts.nested()),
        "services": Value::Object(services),
    })
}

/// `GET /rest/status/hostgroup`.
pub fn hostgroups(env: &Env<'_>) -> Result<Response, GatewayError> {
    let visibility = visibility(env, VIEW)?;
    let db = env.db();
    let all_rows = monitored(db, &visibility);
    let params = &env.call.params;
    let groups_all = db.all::<HostGroup>();
    // Other tenants' groups are not there for this principal.
    let mut groups: Vec<_> = groups_all.iter().filter(|g| visibility.can_see_group(g)).cloned().collect();
    let ids = |key: &str| -> Vec<i64> { params.get_all(key).filter_map(|v| v.trim().parse().ok()).collect() };
    if params.has("hostgroupid") {
        let wanted = ids("hostgroupid");
        groups.retain(|g| wanted.contains(&g.meta.id));
    }
    if params.has("parentid") {
        let wanted = ids("parentid");
        groups.retain(|g| g.parent.is_some_and(|p| wanted.contains(&p)));
    }
    if params.has("fromhostgroupid") {
        let tree = group_subtrees(&ids("fromhostgroupid"), &groups_all);
        groups.retain(|g| tree.contains(&g.meta.id));
    }
    if truthy(params.get("only_leaves")) {
        groups.retain(|g| crate::config::hostgroup::is_leaf(db, g.meta.id));
    }
    let mut filter_params = params.clone();
    for key in ["hostgroupid", "parentid", "fromhostgroupid"] {
        filter_params.0.retain(|(name, _)| name != key);
    }
    let rows = filter_status(db, all_rows, &filter_params);
    let mut everything: Vec<&HostRow> = Vec::new();
    let list: Vec<Value> = groups
        .iter()
        .map(|group| {
            let tree = group_subtrees(&[group.meta.id], &groups_all);
            let members: Vec<&HostRow> =
                rows.iter().filter(|row| row.host.hostgroups.first().is_some_and(|g| tree.contains(g))).collect();
            for member in &members {
                if !everything.iter().any(|r| r.host.meta.id == member.host.meta.id) {
                    everything.push(member);
                }
            }
            group_entry(env, group, &members)
        })
        .collect();
    let mut summary = top_summary(&summarise(&everything));
    summary.insert("totalhgs".into(), json!(list.len()));
    env.ok(json!({"list": list, "summary": summary}))
}

/// `GET /rest/status/viewport`: one entry per hashtag.
pub fn viewports(env: &Env<'_>) -> Result<Response, GatewayError> {
    let visibility = visibility(env, &[Permission::ViewAll, Permission::ViewSome, Permission::ViewportAccess])?;
    let db = env.db();
    let rows = filter_status(db, monitored(db, &visibility), &env.call.params);
    let now = Timestamp::now();
    let mut everything: Vec<&HostRow> = Vec::new();
    let mut list = Vec::new();
    for id in documents::ids(db, ObjectType::Keyword) {
        let Some(doc) = db.get::<rosetta_model::Document>(id) else {
            continue;
        };
        let members: Vec<&HostRow> = rows.iter().filter(|row| row.host.tags.contains(&doc.name)).collect();
        let summary = summarise(&members);
        let mut services = summary.services.nested();
        services.insert("computed_state".into(), json!(worst_service(&members)));
        let downtime = members
            .iter()
            .map(|row| downtime_flag(db, Target::Host(row.host.meta.id), &row.check, now))
            .max()
            .unwrap_or(0);
        list.push(json!({
            "name": doc.name,
            "description": doc.body.get("description").cloned().unwrap_or(json!("")),
            "exclude_handled": doc.body.get("exclude_handled").cloned().unwrap_or(json!("0")),
            "downtime": downtime,
            "computed_state": computed_state(&members),
            "hosts": Value::Object(summary.hosts.nested()),
            "services": Value::Object(services),
        }));
        everything.extend(members);
    }
    env.ok(json!({"list": list, "summary": top_summary(&summarise(&everything))}))
}

/// `GET /rest/runtime/service`: service names grouped by host (or hosts by service).
pub fn runtime_services(env: &Env<'_>) -> Result<Response, GatewayError> {
    let rows = status_rows(env)?;
    let by_service = env.call.params.get("group_by") == Some("service");
    let distinct = truthy(env.call.params.get("distinct"));
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &rows {
        for service in &row.services {
            let (key, item) = if by_service {
                (service.name.clone(), row.host.name.clone())
            } else {
                (row.host.name.clone(), service.name.clone())
            };
            groups.entry(key).or_default().push(item);
        }
    }
    let total: usize = groups.values().map(Vec::len).sum();
    let all: Vec<Value> = groups
        .into_iter()
        .map(|(name, items)| if distinct { json!({"name": name}) } else { json!({"name": name, "list": items}) })
        .collect();
    let allrows = all.len();
    let (list, _) = page(env, all, false);
    env.ok(json!({"allrows": allrows, "rows": list.len(), "total": total, "list": list}))
}

/// `GET /rest/runtime/performancemetric` (also served as `/rest/status/performancemetric`).
pub fn performance_metrics(env: &Env<'_>) -> Result<Response, GatewayError> {
    let rows = status_rows(env)?;
    let kind = env.call.params.get("type").unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    for row in &rows {
        for service in &row.services {
            for metric in metrics(&service.check.perfdata) {
                let metric_name = metric["name"].as_str().unwrap_or_default().to_owned();
                let item = match kind {
                    "host" => row.host.name.clone(),
                    "service" => service.name.clone(),
                    "metric" => metric_name,
                    _ => format!("{}::{}::{}", row.host.name, service.name, metric_name),
                };
                if !names.contains(&item) {
                    names.push(item);
                }
            }
        }
    }
    let total = names.len();
    let (list, _) = page(env, names, false);
    env.ok(json!({"rows": list.len(), "total": total, "list": list}))
}

/// `GET /rest/runtime/hosttemplate`.
pub fn runtime_host_templates(env: &Env<'_>) -> Result<Response, GatewayError> {
    env.require(VIEW)?;
    let all: Vec<Value> =
        env.db().all::<HostTemplate>().iter().map(|t| json!({"id": t.meta.id, "name": t.name})).collect();
    let total = all.len();
    let (list, _) = page(env, all, false);
    env.ok(json!({"allrows": total, "rows": list.len(), "total": total, "list": list}))
}

/// `GET /rest/runtime/monitoringcluster`.
pub fn runtime_clusters(env: &Env<'_>) -> Result<Response, GatewayError> {
    env.require(VIEW)?;
    let db = env.db();
    let list: Vec<Value> = documents::ids(db, ObjectType::MonitoringCluster)
        .into_iter()
        .filter_map(|id| ObjectType::MonitoringCluster.wire(db, id, Default::default()))
        .map(|c| json!({"id": c["id"], "name": c["name"], "activated": c["activated"], "passive": c["passive"]}))
        .collect();
    env.ok(json!({"list": list}))
}

fn event_type(kind: EventKind) -> Option<u8> {
    match kind {
        EventKind::StateChange => Some(0),
        EventKind::Acknowledgement => Some(1),
        EventKind::DowntimeStart => Some(2),
        EventKind::DowntimeEnd => Some(3),
        EventKind::Notification => Some(4),
        EventKind::Posted | EventKind::Configuration => None,
    }
}

/// `GET /rest/event`: state changes, acknowledgements and downtimes, newest first.
pub fn events(env: &Env<'_>) -> Result<Response, GatewayError> {
    let visibility = visibility(env, VIEW)?;
    let db = env.db();
    let params = &env.call.params;
    let offset = env.ctx.app.settings.utc_offset_secs;
    let bound = |key: &str| {
        params.get(key).and_then(|text| crate::timespec::parse_time(text, Timestamp::now().secs(), offset).ok())
    };
    let (start, end) = (bound("startTime"), bound("endTime"));
    let all = db.all::<Event>();
    let maxeventid = all.iter().map(|e| e.meta.id).max().unwrap_or(0);
    let mut found: Vec<(u8, std::sync::Arc<Event>, std::sync::Arc<Host>, String)> = Vec::new();
    for event in all.iter().rev() {
        let Some(kind) = event_type(event.kind) else {
            continue;
        };
        let Some(host) = event.host.and_then(|h| db.get::<Host>(h)) else {
            continue;
        };
        if !visibility.can_see_host(&host) {
            continue;
        }
        let service = event
            .service
            .and_then(|s| db.get::<rosetta_model::Service>(s))
            .map(|s| rosetta_core::monitoring::service_name(db, &s))
            .unwrap_or_default();
        let keep = params.get_all("host").all(|h| rosetta_model::query::like(h, &host.name))
            && params.get_all("service").all(|s| rosetta_model::query::like(s, &service))
            && params.get_all("eventtype").all(|t| t.trim() == kind.to_string())
            && (!truthy(params.get("serviceonly")) || event.service.is_some())
            && start.is_none_or(|s| event.time.secs() >= s)
            && end.is_none_or(|e| event.time.secs() <= e)
            && params.get("saved_maxeventid").and_then(|m| m.parse::<i64>().ok()).is_none_or(|m| event.meta.id > m)
            && params.get("search").is_none_or(|s| {
                let pattern = format!("%{s}%");
                rosetta_model::query::like(&pattern, &host.name) || rosetta_model::query::like(&pattern, &service)
            });
        if keep {
            found.push((kind, std::sync::Arc::clone(event), host, service));
        }
    }
    let total = found.len();
    let filtered_max = found.first().map_or(0, |(_, e, _, _)| e.meta.id);
    let (items, paging) = page(env, found, false);
    let list: Vec<Value> = items
        .into_iter()
        .map(|(kind, event, host, service)| {
            let mut item = json!({
                "eventid": event.meta.id,
                "eventtype": kind,
                "time": env.time(event.time),
                "hostname": host.name,
                "servicename": if service.is_empty() { Value::Null } else { json!(service) },
                "objectid": event.service.unwrap_or(host.meta.id),
                "state": event.state.map_or(Value::Null, |s| json!(s.name())),
                "state_type": event.state_type.map_or(Value::Null, |t| json!(match t { StateType::Soft => "soft", StateType::Hard => "hard" })),
                "output": if event.log_message.is_empty() { event.description.clone() } else { event.log_message.clone() },
                "markdown": 0,
            });
            match event.kind {
                EventKind::Acknowledgement => {
                    item["ack_author"] = json!(event.author);
                    item["ack_comment"] = json!(event.comment);
                }
                EventKind::DowntimeStart | EventKind::DowntimeEnd => {
                    item["downtime_author"] = json!(event.author);
                    item["downtime_comment"] = json!(event.comment);
                }
                _ => {}
            }
            item
        })
        .collect();
    env.ok(json!({"list": list, "summary": {
        "entries": list.len(), "page": paging["page"], "pages": paging["totalpages"], "total_entries": total,
        "maxeventid": maxeventid, "filtered_maxeventid": filtered_max, "filtered_new_event_count": total,
    }}))
}

/// `GET /rest/detail`: one host or service; numbers stay numbers here, as in 6.x.
pub fn detail(env: &Env<'_>) -> Result<Response, GatewayError> {
    let rows = status_rows(env)?;
    let params = &env.call.params;
    let wants_service = params.has("servicename") || params.has("serviceid") || params.has("hs");
    let row = rows.first().ok_or_else(|| GatewayError::not_found("Object not found"))?;
    let db = env.db();
    let host = &row.host;
    let (check, servicename, id) = if wants_service {
        let service = row.services.first().ok_or_else(|| GatewayError::not_found("Object not found"))?;
        (&service.check, Some(service.name.clone()), service.service.meta.id)
    } else {
        (&row.check, None, host.meta.id)
    };
    let now = Timestamp::now();
    let target = if servicename.is_some() { Target::Service(id) } else { Target::Host(id) };
    let mut object = json!({
        "hostname": host.name,
        "alias": host.alias,
        "ip": host.address,
        "state": state_name(check).to_ascii_uppercase(),
        "state_duration": now.secs().saturating_sub(check.last_state_change.secs()).max(0),
        "output": check.output,
        "perfdata": check.perfdata,
        "current_attempt": check.attempt,
        "max_attempts": check.max_attempts,
        "state_type": match check.state_type { StateType::Soft => 0, StateType::Hard => 1 },
        "last_check": check.last_check.secs(),
        "last_state_change": check.last_state_change.secs(),
        "monitored_by": ObjectType::MonitoringCluster.name_of(db, crate::config::host::monitored_by(host)).unwrap_or_default(),
        "check_type": 1,
        "latency": 0,
        "duration": 0,
        "next_check_expected": check.last_check.secs() + 300,
        "acknowledged": i32::from(check.is_acknowledged()),
        "is_flapping": i32::from(check.flapping),
        "in_downtime": downtime_flag(db, target, check, now),
        "status_update_time": now.secs(),
        "active_checks": 1,
    });
    if let Some(name) = servicename {
        object["servicename"] = json!(name);
    }
    let output: Output = env.call.output;
    Ok(render::reply(output, http::StatusCode::OK, Body { value: json!({"object": object}), typing: Typing::Native }))
}
