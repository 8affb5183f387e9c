//! Actions on selected hosts and services (spec §7): `/rest/acknowledge`, `/rest/downtime`,
//! `/rest/recheck` and passive results through `POST /rest/status`. Parameters come from the URL or
//! the body (the body wins); objects the user may not act on are skipped silently. Every change goes
//! through the shared `monitoring` functions, in one transaction per request.

use std::sync::Arc;

use rosetta_core::monitoring::{self, AckRequest, CheckResult, DowntimeRequest};
use rosetta_core::request::Params;
use rosetta_core::visibility::{group_subtrees, Visibility};
use rosetta_core::{GatewayError, Response};
use rosetta_model::{
    Downtime, Host, HostGroup, HostState, NativeState, Permission, Product, Service, ServiceState, StateValue, Target,
    Timestamp,
};
use rosetta_store::Read;
use serde_json::{json, Value};

use super::selection::{host_unhandled, select, select_status, service_unhandled, Selected};
use super::Env;
use crate::call::truthy;
use crate::timespec;

/// The §7.1 reply: counts and the objects acted on.
fn action_reply(
    store: &impl Read,
    hosts: &[Arc<Host>],
    services: &[Arc<Service>],
    groups: Option<&[Arc<HostGroup>]>,
) -> Value {
    let host_list: Vec<Value> = hosts.iter().map(|h| json!({"id": h.meta.id, "hostname": h.name})).collect();
    let service_list: Vec<Value> = services
        .iter()
        .map(|s| {
            let host = store.get::<Host>(s.host).map(|h| h.name.clone()).unwrap_or_default();
            json!({"id": s.meta.id, "hostname": host, "servicename": monitoring::service_name(store, s)})
        })
        .collect();
    let mut reply = json!({
        "summary": {"num_hosts": host_list.len(), "num_services": service_list.len()},
        "list": {"hosts": host_list, "services": service_list},
    });
    if let Some(groups) = groups.filter(|g| !g.is_empty()) {
        reply["summary"]["num_hostgroups"] = json!(groups.len());
        reply["list"]["hostgroups"] =
            Value::Array(groups.iter().map(|g| json!({"id": g.meta.id, "name": g.name})).collect());
    }
    reply
}

/// The selected objects the principal may act on, by `allowed`.
fn permitted(store: &impl Read, selected: Selected, allowed: impl Fn(&Host) -> bool) -> Selected {
    Selected {
        hosts: selected.hosts.into_iter().filter(|h| allowed(h)).collect(),
        services: selected
            .services
            .into_iter()
            .filter(|s| store.get::<Host>(s.host).is_some_and(|h| allowed(&h)))
            .collect(),
        hostgroups: selected.hostgroups,
    }
}

/// `<>;` and newlines are removed from comments, as Opsview does.
fn clean_comment(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '<' | '>' | ';' | '\n' | '\r')).collect::<String>().trim().to_owned()
}

fn acting(env: &Env<'_>) -> Result<(Visibility, Params), GatewayError> {
    let principal = env.require(&[Permission::ActionAll, Permission::ActionSome])?;
    Ok((Visibility::new(principal, env.db()), env.call.merged_params()))
}

/// `POST /rest/acknowledge`: `comment` (required), `notify`, `sticky`.
pub async fn acknowledge(env: &Env<'_>) -> Result<Response, GatewayError> {
    let (visibility, params) = acting(env)?;
    let comment = clean_comment(params.last("comment").unwrap_or_default());
    if comment.is_empty() {
        return Err(
            GatewayError::bad_request("Error validating acknowledge parameters").with_detail("comment: Missing value")
        );
    }
    let selected = permitted(env.db(), select(env.db(), &params), |h| visibility.can_act_on_host(h));
    if selected.hosts.is_empty() && selected.services.is_empty() {
        return Err(GatewayError::bad_request("No objects chosen for acknowledgements"));
    }
    let author = env.principal()?.login().to_owned();
    let sticky = truthy(params.last("sticky"));
    let notify = truthy(params.last("notify"));
    let reply = env
        .db()
        .write(env.actor(), |tx| {
            let mut hosts = Vec::new();
            let mut services = Vec::new();
            let targets = selected
                .hosts
                .iter()
                .map(|h| (Target::Host(h.meta.id), Some(h), None))
                .chain(selected.services.iter().map(|s| (Target::Service(s.meta.id), None, Some(s))));
            for (target, host, service) in targets {
                let request = AckRequest {
                    target,
                    author: author.clone(),
                    comment: comment.clone(),
                    sticky,
                    notify,
                    persistent: true,
                    dialect: "opsview".to_owned(),
                };
                if monitoring::acknowledge(tx, request)?.is_some() {
                    hosts.extend(host.cloned());
                    services.extend(service.cloned());
                }
            }
            Ok::<_, GatewayError>(action_reply(tx, &hosts, &services, None))
        })
        .await?;
    env.ok(reply)
}

/// `DELETE /rest/acknowledge`: removes acknowledgements from the selected objects.
pub async fn unacknowledge(env: &Env<'_>) -> Result<Response, GatewayError> {
    let (visibility, params) = acting(env)?;
    let selected = permitted(env.db(), select(env.db(), &params), |h| visibility.can_act_on_host(h));
    let reply = env
        .db()
        .write(env.actor(), |tx| {
            let mut hosts = Vec::new();
            let mut services = Vec::new();
            for host in &selected.hosts {
                if monitoring::unacknowledge(tx, Target::Host(host.meta.id))? {
                    hosts.push(Arc::clone(host));
                }
            }
            for service in &selected.services {
                if monitoring::unacknowledge(tx, Target::Service(service.meta.id))? {
                    services.push(Arc::clone(service));
                }
            }
            Ok::<_, GatewayError>(action_reply(tx, &hosts, &services, None))
        })
        .await?;
    env.ok(reply)
}

/// Lists the unhandled problems the user may act on, in the status/service shape.
fn list_actionable(env: &Env<'_>) -> Result<Response, GatewayError> {
    let (visibility, params) = acting(env)?;
    let db = env.db();
    let matches = select_status(db, &visibility, &params);
    let list: Vec<Value> = matches
        .iter()
        .filter(|row| visibility.can_act_on_host(&row.host))
        .map(|row| row.row(db))
        .filter_map(|row| {
            let services: Vec<Value> = row
                .services
                .iter()
                .filter(|s| service_unhandled(&s.check, &row.check))
                .map(|s| json!({"name": s.name, "service_object_id": s.service.meta.id, "state": s.check.state.name(), "output": s.check.output}))
                .collect();
            (host_unhandled(&row.check) || !services.is_empty()).then(|| {
                json!({"name": row.host.name, "state": row.check.state.name(), "output": row.check.output, "services": services})
            })
        })
        .collect();
    env.ok(json!({"list": list}))
}

/// `GET /rest/acknowledge`.
pub fn list_acknowledgeable(env: &Env<'_>) -> Result<Response, GatewayError> {
    list_actionable(env)
}

/// `GET /rest/recheck`.
pub fn list_recheckable(env: &Env<'_>) -> Result<Response, GatewayError> {
    list_actionable(env)
}

/// `POST /rest/recheck`: Rosetta runs no checks itself, so a recheck is recorded in the audit log
/// and answered with the objects it applies to.
pub async fn recheck(env: &Env<'_>) -> Result<Response, GatewayError> {
    let (visibility, params) = acting(env)?;
    let selected = permitted(env.db(), select(env.db(), &params), |h| visibility.can_act_on_host(h));
    let reply = env
        .db()
        .write(env.actor(), |tx| {
            for host in &selected.hosts {
                tx.audit("recheck", Some(rosetta_model::Kind::Host), Some(host.meta.id), "recheck requested");
            }
            for service in &selected.services {
                tx.audit("recheck", Some(rosetta_model::Kind::Service), Some(service.meta.id), "recheck requested");
            }
            Ok::<_, GatewayError>(action_reply(tx, &selected.hosts, &selected.services, None))
        })
        .await?;
    env.ok(reply)
}

/// `POST /rest/status`: a passive result (`new_state` or `state`, and `comment` as the output).
pub async fn submit_result(env: &Env<'_>) -> Result<Response, GatewayError> {
    let (visibility, params) = acting(env)?;
    let code = params
        .last("new_state")
        .or_else(|| params.last("state"))
        .and_then(|s| s.trim().parse::<i64>().ok())
        .ok_or_else(|| GatewayError::bad_request("new_state: Missing value"))?;
    let output = params.last("comment").unwrap_or_default().to_owned();
    let selected = permitted(env.db(), select(env.db(), &params), |h| visibility.can_act_on_host(h));
    let reply = env
        .db()
        .write(env.actor(), |tx| {
            let mut hosts = Vec::new();
            let mut services = Vec::new();
            for host in &selected.hosts {
                let state =
                    HostState::from_code(code).ok_or_else(|| GatewayError::bad_request("new_state: Invalid value"))?;
                if monitoring::current_state(tx, Target::Host(host.meta.id)).is_none() {
                    continue;
                }
                let mut result = CheckResult::new(Target::Host(host.meta.id), StateValue::Host(state), "opsview");
                result.output = output.clone();
                result.force_hard = true;
                result.native = Some(NativeState { product: Product::Opsview, value: code.to_string() });
                monitoring::submit_result(tx, result)?;
                hosts.push(Arc::clone(host));
            }
            for service in &selected.services {
                let state = ServiceState::from_code(code)
                    .ok_or_else(|| GatewayError::bad_request("new_state: Invalid value"))?;
                if monitoring::current_state(tx, Target::Service(service.meta.id)).is_none() {
                    continue;
                }
                let mut result =
                    CheckResult::new(Target::Service(service.meta.id), StateValue::Service(state), "opsview");
                result.output = output.clone();
                result.native = Some(NativeState { product: Product::Opsview, value: code.to_string() });
                monitoring::submit_result(tx, result)?;
                services.push(Arc::clone(service));
            }
            Ok::<_, GatewayError>(action_reply(tx, &hosts, &services, None))
        })
        .await?;
    env.ok(reply)
}

/// The downtime window from `starttime` and `endtime` or `duration`.
fn window(env: &Env<'_>, params: &Params) -> Result<(Timestamp, Timestamp), GatewayError> {
    let invalid = |what: &str, err: timespec::TimeSpecError| {
        GatewayError::bad_request("Error validating downtime parameters").with_detail(format!("{what}: {err}"))
    };
    let too_far =
        || GatewayError::bad_request("Error validating downtime parameters").with_detail("endtime: Out of range");
    let now = Timestamp::now().secs();
    let offset = env.ctx.app.settings.utc_offset_secs;
    let start_text = params.last("starttime").ok_or_else(|| {
        GatewayError::bad_request("Error validating downtime parameters").with_detail("starttime: Missing value")
    })?;
    let start = timespec::parse_time(start_text, now, offset).map_err(|e| invalid("starttime", e))?;
    if start < now - 3600 {
        return Err(GatewayError::bad_request("Error validating downtime parameters")
            .with_detail("starttime: Cannot be more than 1 hour in the past"));
    }
    let end = match (params.last("endtime"), params.last("duration")) {
        (Some(text), _) => {
            let text = text.trim();
            if let Some(relative) = text.strip_prefix('+') {
                let seconds = timespec::parse_duration(relative).map_err(|e| invalid("endtime", e))?;
                start.checked_add(seconds).ok_or_else(too_far)?
            } else {
                timespec::parse_time(text, now, offset).map_err(|e| invalid("endtime", e))?
            }
        }
        (None, Some(text)) => {
            let seconds = timespec::parse_duration(text).map_err(|e| invalid("duration", e))?;
            if seconds < 60 {
                return Err(GatewayError::bad_request("Error validating downtime parameters")
                    .with_detail("duration: Must be at least 1 minute"));
            }
            start.checked_add(seconds).ok_or_else(too_far)?
        }
        (None, None) => {
            return Err(
                GatewayError::bad_request("Error validating downtime parameters").with_detail("endtime: Missing value")
            );
        }
    };
    if end <= start {
        return Err(GatewayError::bad_request("Error validating downtime parameters")
            .with_detail("endtime: Must be after starttime"));
    }
    Ok((Timestamp::from_secs(start), Timestamp::from_secs(end)))
}

/// `POST /rest/downtime`.
pub async fn schedule_downtime(env: &Env<'_>) -> Result<Response, GatewayError> {
    let principal = env.require(&[Permission::DowntimeAll, Permission::DowntimeSome])?;
    let visibility = Visibility::new(principal, env.db());
    let params = env.call.merged_params();
    let (start, end) = window(env, &params)?;
    let comment = clean_comment(params.last("comment").unwrap_or_default());
    if comment.is_empty() {
        return Err(
            GatewayError::bad_request("Error validating downtime parameters").with_detail("comment: Missing value")
        );
    }
    let db = env.db();
    let mut selected = permitted(db, select(db, &params), |h| visibility.can_downtime_host(h));
    if !selected.hostgroups.is_empty() && !principal.can(Permission::DowntimeAll) {
        selected.hostgroups.clear();
    }
    let groups = db.all::<HostGroup>();
    for group in &selected.hostgroups {
        let tree = group_subtrees(&[group.meta.id], &groups);
        for host in db.all::<Host>() {
            if host.hostgroups.first().is_some_and(|g| tree.contains(g))
                && !selected.hosts.iter().any(|h| h.meta.id == host.meta.id)
            {
                selected.hosts.push(host);
            }
        }
    }
    let prefix = params.last("comment_prefix").map(str::to_owned);
    let author = principal.login().to_owned();
    let reply = db
        .write(env.actor(), |tx| {
            let mut hosts = Vec::new();
            let mut services = Vec::new();
            for host in &selected.hosts {
                let text = format!("{}{comment}", prefix.clone().unwrap_or_else(|| format!("Host '{}': ", host.name)));
                let request = DowntimeRequest {
                    target: Target::Host(host.meta.id),
                    start,
                    end,
                    fixed: true,
                    author: author.clone(),
                    comment: text,
                    group: None,
                    dialect: "opsview".to_owned(),
                };
                monitoring::schedule_downtime(tx, request)?;
                hosts.push(Arc::clone(host));
            }
            for service in &selected.services {
                let host = tx.get::<Host>(service.host).map(|h| h.name.clone()).unwrap_or_default();
                let name = monitoring::service_name(tx, service);
                let text =
                    format!("{}{comment}", prefix.clone().unwrap_or_else(|| format!("Service '{host}::{name}': ")));
                let request = DowntimeRequest {
                    target: Target::Service(service.meta.id),
                    start,
                    end,
                    fixed: true,
                    author: author.clone(),
                    comment: text,
                    group: None,
                    dialect: "opsview".to_owned(),
                };
                monitoring::schedule_downtime(tx, request)?;
                services.push(Arc::clone(service));
            }
            Ok::<_, GatewayError>(action_reply(tx, &hosts, &services, Some(&selected.hostgroups)))
        })
        .await?;
    env.ok(reply)
}

/// Downtimes not over yet whose target the principal may see, optionally on selected objects.
fn open_downtimes(store: &impl Read, visibility: &Visibility) -> Vec<Arc<Downtime>> {
    let now = Timestamp::now();
    store
        .all::<Downtime>()
        .into_iter()
        .filter(|d| !d.is_finished(now))
        .filter(|d| {
            let host = match d.target {
                Target::Host(id) => Some(id),
                Target::Service(id) => store.get::<Service>(id).map(|s| s.host),
            };
            host.and_then(|h| store.get::<Host>(h))
                .is_some_and(|h| visibility.can_see_host(&h) || visibility.can_downtime_host(&h))
        })
        .collect()
}

/// `GET /rest/downtime`: downtimes grouped by (start, end, comment, author).
pub fn list_downtimes(env: &Env<'_>) -> Result<Response, GatewayError> {
    let principal =
        env.require(&[Permission::DowntimeAll, Permission::DowntimeSome, Permission::ViewAll, Permission::ViewSome])?;
    let visibility = Visibility::new(principal, env.db());
    let db = env.db();
    let params = &env.call.params;
    let selection =
        if params.0.iter().any(|(k, _)| k.contains('.') || k.starts_with("host") || k.starts_with("service")) {
            Some(select(db, params))
        } else {
            None
        };
    let mut groups: Vec<(Arc<Downtime>, Vec<Value>, Vec<Value>)> = Vec::new();
    for downtime in open_downtimes(db, &visibility) {
        let (host, service) = match downtime.target {
            Target::Host(id) => (db.get::<Host>(id), None),
            Target::Service(id) => {
                let service = db.get::<Service>(id);
                (service.as_ref().and_then(|s| db.get::<Host>(s.host)), service)
            }
        };
        let Some(host) = host else {
            continue;
        };
        if let Some(selection) = &selection {
            let chosen = match &service {
                Some(s) => selection.services.iter().any(|x| x.meta.id == s.meta.id),
                None => selection.hosts.iter().any(|x| x.meta.id == host.meta.id),
            };
            if !chosen {
                continue;
            }
        }
        let index = match groups.iter().position(|(d, _, _)| {
            d.start == downtime.start
                && d.end == downtime.end
                && d.author == downtime.author
                && strip(&d.comment) == strip(&downtime.comment)
        }) {
            Some(index) => index,
            None => {
                groups.push((Arc::clone(&downtime), vec![], vec![]));
                groups.len() - 1
            }
        };
        match service {
            Some(service) => groups[index].2.push(json!({"id": service.meta.id, "hostname": host.name,
                "servicename": monitoring::service_name(db, &service)})),
            None => groups[index].1.push(json!({"id": host.meta.id, "hostname": host.name})),
        }
    }
    let num_hosts: usize = groups.iter().map(|g| g.1.len()).sum();
    let num_services: usize = groups.iter().map(|g| g.2.len()).sum();
    let total = groups.len();
    let rows = params.get("rows").and_then(|r| r.parse::<usize>().ok()).filter(|r| *r > 0).unwrap_or(50);
    let page = params.get("page").and_then(|p| p.parse::<usize>().ok()).filter(|p| *p >= 1).unwrap_or(1);
    let list: Vec<Value> = groups
        .into_iter()
        .skip((page - 1).saturating_mul(rows))
        .take(rows)
        .map(|(d, hosts, services)| {
            json!({
                "started": d.actual_start.is_some(),
                "start_time": env.time(d.start),
                "actual_start_time": d.actual_start.map_or(Value::Null, |t| env.time(t)),
                "scheduled_end_time": env.time(d.end),
                "comment": d.comment,
                "author": d.author,
                "objects": {"hosts": hosts, "services": services},
            })
        })
        .collect();
    env.ok(json!({
        "summary": {"rows": list.len(), "totalrows": total, "allrows": total, "page": page,
                    "totalpages": total.div_ceil(rows).max(1), "num_hosts": num_hosts, "num_services": num_services},
        "list": list,
    }))
}

/// The comment without its `Host 'x': ` / `Service 'x': ` prefix.
fn strip(comment: &str) -> &str {
    match comment.find("': ") {
        Some(pos) if comment.starts_with("Host '") || comment.starts_with("Service '") => &comment[pos + 3..],
        _ => comment,
    }
}

/// `DELETE /rest/downtime`: ends downtimes on the selected objects (URL parameters only). By default
/// every downtime of those objects goes; with `only_objects_set=1` only those matching `start_time`
/// and the exact `comment`.
pub async fn delete_downtimes(env: &Env<'_>) -> Result<Response, GatewayError> {
    let principal = env.require(&[Permission::DowntimeAll, Permission::DowntimeSome])?;
    let visibility = Visibility::new(principal, env.db());
    let params = env.call.params.clone();
    let only_set = truthy(params.get("only_objects_set"));
    let db = env.db();
    let selected = permitted(db, select(db, &params), |h| visibility.can_downtime_host(h));
    let offset = env.ctx.app.settings.utc_offset_secs;
    let start_filter = params
        .get("start_time")
        .or_else(|| params.get("starttime"))
        .and_then(|t| timespec::parse_time(t, Timestamp::now().secs(), offset).ok());
    let comment_filter = params.get("comment").map(str::to_owned);
    let reply = db
        .write(env.actor(), |tx| {
            let mut hosts = Vec::new();
            let mut services = Vec::new();
            let now = tx.now();
            for downtime in tx.all::<Downtime>() {
                if downtime.is_finished(now) {
                    continue;
                }
                if only_set {
                    if start_filter.is_some_and(|s| downtime.start.secs() != s) {
                        continue;
                    }
                    if comment_filter.as_deref().is_some_and(|c| downtime.comment != c && strip(&downtime.comment) != c)
                    {
                        continue;
                    }
                }
                match downtime.target {
                    Target::Host(id) => {
                        if let Some(host) = selected.hosts.iter().find(|h| h.meta.id == id) {
                            monitoring::cancel_downtime(tx, downtime.meta.id, "opsview")?;
                            if !hosts.iter().any(|h: &Arc<Host>| h.meta.id == id) {
                                hosts.push(Arc::clone(host));
                            }
                        }
                    }
                    Target::Service(id) => {
                        if let Some(service) = selected.services.iter().find(|s| s.meta.id == id) {
                            monitoring::cancel_downtime(tx, downtime.meta.id, "opsview")?;
                            if !services.iter().any(|s: &Arc<Service>| s.meta.id == id) {
                                services.push(Arc::clone(service));
                            }
                        }
                    }
                }
            }
            Ok::<_, GatewayError>(action_reply(tx, &hosts, &services, Some(&selected.hostgroups)))
        })
        .await?;
    env.ok(reply)
}
