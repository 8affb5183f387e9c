//! The read-only runtime views (spec §6, §7.7, §7.8): `/rest/status/{host,service,hostgroup,viewport}`,
//! `/rest/runtime/*`, `/rest/event` and `/rest/detail`. Only monitored objects (those with a status
//! row, i.e. after a reload) appear, and only those the principal may see.

use std::collections::BTreeMap;

use rosetta_core::request::Params;
use rosetta_core::visibility::{group_subtrees, Visibility};
use rosetta_core::{GatewayError, Response};
use rosetta_model::query::{Page, Window};
use rosetta_model::{Event, EventKind, Host, HostGroup, HostTemplate, Permission, StateType, Target, Timestamp};
use serde_json::{json, Map, Value};

use super::selection::{
    downtime_flag, host_unhandled, select_status, service_unhandled, state_name, unhandled_on_host, unhandled_only,
    HostMatch, HostRow,
};
use super::status_entry::{metric_parts, worst_service, Counts, EntryContext, HostEntry};
use super::{fields, Env};
use crate::call::{truthy, Output};
use crate::config::documents;
use crate::config::ObjectType;
use crate::render::{self, AsStrings, Body, Typing};

const VIEW: &[Permission] = &[Permission::ViewAll, Permission::ViewSome];

fn visibility(env: &Env<'_>, allowed: &[Permission]) -> Result<Visibility, GatewayError> {
    let principal = env.require(allowed)?;
    Ok(Visibility::new(principal, env.db()))
}

/// The worst state of the hosts' matching services.
fn worst_of(rows: &[&HostMatch]) -> &'static str {
    worst_service(rows.iter().flat_map(|row| row.service_checks()))
}

fn computed_state(rows: &[&HostMatch]) -> &'static str {
    if rows.iter().any(|row| !row.check.check.state.is_ok()) {
        "critical"
    } else {
        worst_of(rows)
    }
}

struct Summary {
    hosts: Counts,
    services: Counts,
}

/// Counts the hosts and their matching services from their typed states alone.
fn summarise(rows: &[&HostMatch]) -> Summary {
    let mut summary = Summary { hosts: Counts::default(), services: Counts::default() };
    for row in rows {
        let host = &row.check.check;
        summary.hosts.add(state_name(host), host_unhandled(host));
        for check in row.service_checks() {
            summary.services.add(state_name(check), service_unhandled(check, host));
        }
    }
    summary
}

fn top_summary(summary: &Summary) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("handled".into(), json!(summary.hosts.handled + summary.services.handled));
    map.insert("unhandled".into(), json!(summary.hosts.unhandled + summary.services.unhandled));
    map.insert("total".into(), json!(summary.hosts.total() + summary.services.total()));
    map.insert("host".into(), Value::Object(summary.hosts.flat().to_map()));
    map.insert("service".into(), Value::Object(summary.services.flat().to_map()));
    map
}

fn page<T>(env: &Env<'_>, items: Vec<T>, default_all: bool) -> (Vec<T>, Map<String, Value>) {
    page_with(env, items, default_all, Page::of)
}

/// The page `rows` and `page` ask for out of `total` items.
struct Paging {
    window: Window,
    page: usize,
    pages: usize,
    total: usize,
}

impl Paging {
    /// The page `rows` and `page` ask for: every item when `rows` is absent and `default_all`, or not a
    /// positive number.
    fn of(env: &Env<'_>, total: usize, default_all: bool) -> Paging {
        let rows = match env.call.params.get("rows").map(str::trim) {
            Some("all") | None if default_all => None,
            Some(text) => text.parse::<usize>().ok().filter(|n| *n > 0),
            None => Some(50),
        };
        let page =
            env.call.params.get("page").and_then(|p| p.trim().parse::<usize>().ok()).filter(|p| *p >= 1).unwrap_or(1);
        let (window, pages) = match rows {
            None => (Window { offset: 0, limit: None }, 1),
            Some(size) => {
                (Window { offset: (page - 1).saturating_mul(size), limit: Some(size) }, total.div_ceil(size).max(1))
            }
        };
        Paging { window, page, pages, total }
    }

    /// The paging fields of a page that holds `rows` items.
    fn fields(&self, rows: usize) -> Map<String, Value> {
        let mut meta = Map::new();
        meta.insert("page".into(), json!(self.page));
        meta.insert("totalpages".into(), json!(self.pages));
        meta.insert("rows".into(), json!(rows));
        meta.insert("totalrows".into(), json!(self.total));
        meta.insert("allrows".into(), json!(self.total));
        meta
    }
}

/// The page of `items` that [`Paging::of`] picks, cut out by `cut`, with the paging fields.
fn page_with<T>(
    env: &Env<'_>,
    items: Vec<T>,
    default_all: bool,
    cut: impl FnOnce(Vec<T>, Window) -> Page<T>,
) -> (Vec<T>, Map<String, Value>) {
    let paging = Paging::of(env, items.len(), default_all);
    let items = cut(items, paging.window).items;
    let fields = paging.fields(items.len());
    (items, fields)
}

/// Host name order (ids for equal names), as the status views list hosts.
fn by_name(a: &HostMatch, b: &HostMatch) -> std::cmp::Ordering {
    a.host.name.cmp(&b.host.name).then(a.host.meta.id.cmp(&b.host.meta.id))
}

/// The page of `matches` by host name, with the paging fields: a partial selection, not a sort of all.
fn page_by_name<'m>(
    env: &Env<'_>,
    matches: &'m [HostMatch],
    default_all: bool,
) -> (Vec<&'m HostMatch>, Map<String, Value>) {
    page_with(env, matches.iter().collect(), default_all, |all, window| Page::sorted(all, window, |a, b| by_name(a, b)))
}

/// A page of host entries with the view's summary.
#[derive(serde::Serialize)]
struct Listing<'a> {
    list: Vec<HostEntry<'a>>,
    summary: AsStrings<'a>,
}

/// Replies with the entries of `rows` and `summary`.
fn listing(env: &Env<'_>, rows: Vec<HostRow>, with_services: bool, summary: Map<String, Value>) -> Response {
    let cx = EntryContext::of(env);
    let summary = Value::Object(summary);
    let list = rows.into_iter().map(|row| HostEntry::new(&cx, row, with_services)).collect();
    render::reply_serialized(env.call.output, http::StatusCode::OK, &Listing { list, summary: AsStrings(&summary) })
}

fn status_rows(env: &Env<'_>) -> Result<Vec<HostRow>, GatewayError> {
    status_rows_with(env, &env.call.params)
}

fn status_rows_with(env: &Env<'_>, params: &Params) -> Result<Vec<HostRow>, GatewayError> {
    let mut matches = status_matches(env, params)?;
    matches.sort_by(by_name);
    Ok(matches.iter().map(|row| row.row(env.db())).collect())
}

fn status_matches(env: &Env<'_>, params: &Params) -> Result<Vec<HostMatch>, GatewayError> {
    let visibility = visibility(env, VIEW)?;
    Ok(select_status(env.db(), &visibility, params))
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
    let matches = status_matches(env, &params)?;
    let (page_rows, paging) = page_by_name(env, &matches, true);
    let mut summary = top_summary(&summarise(&matches.iter().collect::<Vec<_>>()));
    summary.extend(paging);
    if truthy(env.call.params.get("include_reload_time")) {
        let last = env.db().get::<rosetta_model::ConfigStatus>(1).map_or(Timestamp(0), |s| s.last_reload);
        summary.insert("last_reload_time".into(), env.time(last));
    }
    Ok(listing(env, page_rows.into_iter().map(|row| row.row(env.db())).collect(), false, summary))
}

/// `GET /rest/status/service`.
pub fn services(env: &Env<'_>) -> Result<Response, GatewayError> {
    if unhandled_only(&env.call.params) {
        return unhandled_services(env);
    }
    let matches = status_matches(env, &env.call.params)?;
    let (page_rows, paging) = page_by_name(env, &matches, false);
    let mut summary = top_summary(&summarise(&matches.iter().collect::<Vec<_>>()));
    summary.extend(paging);
    Ok(listing(env, page_rows.into_iter().map(|row| row.row(env.db())).collect(), true, summary))
}

/// `GET /rest/status/service?filter=unhandled` from the dialect's [`crate::problem_index::ProblemIndex`]: the
/// summary and the page's hosts come from the index, and only the page's hosts are read from the store.
fn unhandled_services(env: &Env<'_>) -> Result<Response, GatewayError> {
    let visibility = visibility(env, VIEW)?;
    let db = &env.ctx.app.db;
    let (hosts, summary, paging) = {
        let index = env.dialect.problems.current(db);
        let visible = index.visible(&visibility);
        let paging = Paging::of(env, visible.hosts, false);
        let hosts = index.page(&visible, paging.window.offset, paging.window.limit);
        let mut summary = Summary { hosts: Counts::default(), services: Counts::default() };
        for ((state, unhandled), count) in &visible.host_states {
            summary.hosts.add_many(state, *unhandled, *count);
        }
        for (state, count) in &visible.service_states {
            summary.services.add_many(state, true, *count);
        }
        (hosts, summary, paging)
    };
    let matches: Vec<HostMatch> = hosts
        .iter()
        .filter_map(|(host, services)| unhandled_on_host(db.as_ref(), &visibility, *host, services))
        .collect();
    let mut summary = top_summary(&summary);
    summary.extend(paging.fields(matches.len()));
    Ok(listing(env, matches.iter().map(|row| row.row(env.db())).collect(), true, summary))
}

/// The strongest downtime flag of the hosts.
fn hosts_downtime(env: &Env<'_>, rows: &[&HostMatch], now: Timestamp) -> u8 {
    rows.iter()
        .map(|row| downtime_flag(env.db(), Target::Host(row.host.meta.id), &row.check.check, now))
        .max()
        .unwrap_or(0)
}

fn group_entry(env: &Env<'_>, group: &HostGroup, rows: &[&HostMatch]) -> Value {
    let db = env.db();
    let summary = summarise(rows);
    let downtime = hosts_downtime(env, rows, Timestamp::now());
    let services = summary.services.nested().with_computed_state(worst_of(rows)).to_map();
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
        "hosts": Value::Object(summary.hosts.nested().to_map()),
        "services": Value::Object(services),
    })
}

/// `GET /rest/status/hostgroup`.
pub fn hostgroups(env: &Env<'_>) -> Result<Response, GatewayError> {
    let visibility = visibility(env, VIEW)?;
    let db = env.db();
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
    let rows = select_status(db, &visibility, &filter_params);
    let mut everything: Vec<&HostMatch> = Vec::new();
    let mut counted = std::collections::HashSet::new();
    let list: Vec<Value> = groups
        .iter()
        .map(|group| {
            let tree = group_subtrees(&[group.meta.id], &groups_all);
            let members: Vec<&HostMatch> =
                rows.iter().filter(|row| row.host.hostgroups.first().is_some_and(|g| tree.contains(g))).collect();
            everything.extend(members.iter().copied().filter(|member| counted.insert(member.host.meta.id)));
            group_entry(env, group, &members)
        })
        .collect();
    let mut summary = top_summary(&summarise(&everything));
    summary.insert("totalhgs".into(), json!(list.len()));
    env.ok(fields([("list", Value::Array(list)), ("summary", Value::Object(summary))]))
}

/// `GET /rest/status/viewport`: one entry per hashtag.
pub fn viewports(env: &Env<'_>) -> Result<Response, GatewayError> {
    let visibility = visibility(env, &[Permission::ViewAll, Permission::ViewSome, Permission::ViewportAccess])?;
    let db = env.db();
    let rows = select_status(db, &visibility, &env.call.params);
    let now = Timestamp::now();
    let mut everything: Vec<&HostMatch> = Vec::new();
    let mut list = Vec::new();
    for id in documents::ids(db, ObjectType::Keyword) {
        let Some(doc) = db.get::<rosetta_model::Document>(id) else {
            continue;
        };
        let members: Vec<&HostMatch> = rows.iter().filter(|row| row.host.tags.contains(&doc.name)).collect();
        let summary = summarise(&members);
        let services = summary.services.nested().with_computed_state(worst_of(&members)).to_map();
        let downtime = hosts_downtime(env, &members, now);
        list.push(json!({
            "name": doc.name,
            "description": doc.body.get("description").cloned().unwrap_or(json!("")),
            "exclude_handled": doc.body.get("exclude_handled").cloned().unwrap_or(json!("0")),
            "downtime": downtime,
            "computed_state": computed_state(&members),
            "hosts": Value::Object(summary.hosts.nested().to_map()),
            "services": Value::Object(services),
        }));
        everything.extend(members);
    }
    let summary = top_summary(&summarise(&everything));
    env.ok(fields([("list", Value::Array(list)), ("summary", Value::Object(summary))]))
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
            for (metric_name, _, _) in metric_parts(&service.check.perfdata) {
                let metric_name = metric_name.to_owned();
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
