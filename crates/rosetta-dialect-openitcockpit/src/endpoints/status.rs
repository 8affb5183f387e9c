//! `/downtimes/*` and `/acknowledgements/*` (spec §6.2, §6.3): listings of the shared downtimes and
//! acknowledgements, cancelling and removing them.

use std::sync::Arc;

use rosetta_core::monitoring;
use rosetta_model::*;
use serde_json::{json, Value};

use crate::call::{Answer, Call, Reply};
use crate::endpoints::cmd;
use crate::errors;
use crate::filter::FieldKind;
use crate::list::{self, flag, text, ListSpec};
use crate::sort::Direction;
use crate::wire;

struct DowntimeRow {
    downtime: Arc<Downtime>,
    host: Arc<Host>,
    service: Option<(Arc<Service>, String)>,
}

const HOST_FILTERS: &[(&str, FieldKind)] = &[
    ("Hosts.name", FieldKind::Like),
    ("DowntimeHosts.comment_data", FieldKind::Like),
    ("DowntimeHosts.author_name", FieldKind::Like),
    ("DowntimeHosts.was_cancelled", FieldKind::Bool),
];

const SERVICE_FILTERS: &[(&str, FieldKind)] = &[
    ("Hosts.name", FieldKind::Like),
    ("servicename", FieldKind::Like),
    ("DowntimeServices.comment_data", FieldKind::Like),
    ("DowntimeServices.author_name", FieldKind::Like),
    ("DowntimeServices.was_cancelled", FieldKind::Bool),
];

fn filter_flag(call: &Call<'_>, key: &str) -> bool {
    call.param(&format!("filter[{key}]")).is_some_and(|value| value == "true" || value == "1")
}

async fn downtimes(call: &Call<'_>, services: bool) -> Answer {
    if !call.angular() {
        return Ok(Reply::new(json!({})));
    }
    let db = call.db();
    let vis = call.visibility();
    let now = call.now_secs();
    let offset = call.ctx.app.settings.utc_offset_secs;
    let parse = |key: &str, default: i64| {
        call.param(&format!("filter[{key}]"))
            .filter(|value| !value.is_empty())
            .and_then(|value| crate::datefmt::parse_datetime(value, now, offset).ok())
            .unwrap_or(default)
    };
    let from = parse("from", now - 30 * 86_400);
    let to = parse("to", now + 60 * 86_400);
    let hide_expired = filter_flag(call, "hideExpired");
    let running_only = filter_flag(call, "isRunning");
    let stamp = Timestamp::now();
    let rows: Vec<DowntimeRow> = db
        .all::<Downtime>()
        .into_iter()
        .filter_map(|downtime| {
            let (host_id, service) = match downtime.target {
                Target::Host(id) if !services => (id, None),
                Target::Service(id) if services => {
                    let service = db.get::<Service>(id)?;
                    let name = monitoring::service_name(db.as_ref(), &service);
                    (service.host, Some((service, name)))
                }
                _ => return None,
            };
            let host = db.get::<Host>(host_id)?;
            let start = downtime.start.secs();
            let keep = vis.can_see_host(&host)
                && start >= from
                && start <= to
                && !(hide_expired && downtime.is_finished(stamp))
                && (!running_only || downtime.is_active(stamp));
            keep.then_some(DowntimeRow { downtime, host, service })
        })
        .collect();
    let (prefix, filters) = if services { ("DowntimeServices", SERVICE_FILTERS) } else { ("DowntimeHosts", HOST_FILTERS) };
    let start_column = format!("{prefix}.scheduled_start_time");
    let sortable = [start_column.as_str(), "DowntimeHosts.scheduled_end_time", "DowntimeServices.scheduled_end_time", "Downtimes.id"];
    let spec = ListSpec {
        filters,
        sortable: &sortable,
        default_order: &[(start_column.as_str(), Direction::Desc)],
        tie_breaker: "Downtimes.id",
        body_filters: false,
    };
    let (page, paging) = list::page(call, &spec, rows, |row, field| {
        let column = field.rsplit('.').next().unwrap_or(field);
        match column {
            "name" if field.starts_with("Hosts") => text(&row.host.name),
            "servicename" => row.service.as_ref().map(|(_, name)| name.clone()),
            "comment_data" => text(&row.downtime.comment),
            "author_name" => text(&row.downtime.author),
            "was_cancelled" => flag(row.downtime.cancelled),
            "scheduled_start_time" => text(row.downtime.start.millis()),
            "scheduled_end_time" => text(row.downtime.end.millis()),
            "id" => text(row.downtime.meta.id),
            _ => None,
        }
    })?;
    let all: Vec<Value> = page
        .iter()
        .map(|row| {
            let allow = vis.can_change_host(&row.host);
            let host = json!({"id": row.host.meta.id, "uuid": row.host.meta.uuid.to_string(), "name": row.host.name,
                              "hostname": row.host.name, "address": row.host.address, "allow_edit": allow});
            match &row.service {
                Some((service, name)) => json!({
                    "Service": {"id": service.meta.id, "uuid": service.meta.uuid.to_string(), "servicename": name, "name": name, "allow_edit": allow},
                    "Host": host,
                    "DowntimeService": wire::downtime(call, &row.downtime, allow),
                }),
                None => json!({"Host": host, "DowntimeHost": wire::downtime(call, &row.downtime, allow)}),
            }
        })
        .collect();
    let key = if services { "all_service_downtimes" } else { "all_host_downtimes" };
    Ok(Reply::new(json!({ key: all })).paged(paging))
}

/// `GET /downtimes/host.json?angular=true`.
pub async fn host_downtimes(call: &Call<'_>) -> Answer {
    downtimes(call, false).await
}

/// `GET /downtimes/service.json?angular=true`.
pub async fn service_downtimes(call: &Call<'_>) -> Answer {
    downtimes(call, true).await
}

/// `POST /downtimes/delete/{internalDowntimeId}.json` `{"type": "host", "includeServices": true}`.
pub async fn delete_downtime(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let id = call.args.first().and_then(|arg| crate::php::strict_int(arg)).unwrap_or(0);
    let kind = call
        .body
        .get("type")
        .and_then(crate::settings::loose_text)
        .filter(|kind| kind == "host" || kind == "service")
        .ok_or_else(|| errors::invalid("type", "inList", "The type must be host or service"))?;
    let include = kind == "host" && call.body.get("includeServices").and_then(crate::settings::loose_text).is_some_and(|v| v == "1" || v == "true");
    let db = call.db();
    if let Some(downtime) = db.get::<Downtime>(id) {
        let host = match downtime.target {
            Target::Host(host) => Some(host),
            Target::Service(service) => db.get::<Service>(service).map(|service| service.host),
        };
        let vis = call.visibility();
        if !host.and_then(|id| db.get::<Host>(id)).is_some_and(|host| vis.can_change_host(&host)) {
            return Err(errors::container_forbidden());
        }
    }
    let cancelled = db.write(call.actor(), |tx| cmd::cancel(tx, id, include)).await?;
    if !cancelled {
        return Ok(Reply::new(json!({"success": false, "message": "Could not find downtime"})));
    }
    Ok(Reply::new(json!({"success": true, "message": "Successfully"})))
}

async fn acknowledgements(call: &Call<'_>, services: bool) -> Answer {
    if !call.angular() {
        return Ok(Reply::new(json!({})));
    }
    let db = call.db();
    let (target, host_id) = if services {
        let id = call.id_arg("Invalid service")?;
        let service = db.get::<Service>(id).ok_or_else(|| errors::not_found("Invalid service"))?;
        (Target::Service(id), service.host)
    } else {
        let id = call.id_arg("Invalid host")?;
        (Target::Host(id), id)
    };
    let host = db.get::<Host>(host_id).ok_or_else(|| errors::not_found(if services { "Invalid service" } else { "Invalid host" }))?;
    let vis = call.visibility();
    if !vis.can_see_host(&host) {
        return Err(errors::container_forbidden());
    }
    let rows: Vec<Arc<Acknowledgement>> = db.all::<Acknowledgement>().into_iter().filter(|ack| ack.target == target).collect();
    let prefix = if services { "AcknowledgementServices" } else { "AcknowledgementHosts" };
    let entry = format!("{prefix}.entry_time");
    let sortable = [entry.as_str(), "Acknowledgements.id"];
    let spec = ListSpec { filters: &[], sortable: &sortable, default_order: &[(entry.as_str(), Direction::Desc)], tie_breaker: "Acknowledgements.id", body_filters: false };
    let (page, paging) = list::page(call, &spec, rows, |ack, field| match field.rsplit('.').next().unwrap_or(field) {
        "entry_time" => text(ack.time.millis()),
        "id" => text(ack.meta.id),
        _ => None,
    })?;
    let key = if services { "AcknowledgedService" } else { "AcknowledgedHost" };
    let allow = vis.can_change_host(&host);
    let all: Vec<Value> = page.iter().map(|ack| json!({ key: wire::acknowledgement(call, ack, allow) })).collect();
    Ok(Reply::new(json!({"all_acknowledgements": all})).paged(paging))
}

/// `GET /acknowledgements/host/{hostId}.json?angular=true`.
pub async fn host_acknowledgements(call: &Call<'_>) -> Answer {
    acknowledgements(call, false).await
}

/// `GET /acknowledgements/service/{serviceId}.json?angular=true`.
pub async fn service_acknowledgements(call: &Call<'_>) -> Answer {
    acknowledgements(call, true).await
}

/// `POST /acknowledgements/delete.json` `{"hostId": 5[, "serviceId": 9]}`.
pub async fn delete_acknowledgement(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let db = call.db();
    let id_of = |key: &str| call.body.get(key).and_then(crate::settings::loose_text).and_then(|text| crate::php::strict_int(&text));
    let host = id_of("hostId").and_then(|id| db.get::<Host>(id)).ok_or_else(|| errors::not_found("Invalid host"))?;
    let target = match id_of("serviceId") {
        Some(id) => {
            let service = db.get::<Service>(id).filter(|service| service.host == host.meta.id).ok_or_else(|| errors::not_found("Invalid service"))?;
            Target::Service(service.meta.id)
        }
        None => Target::Host(host.meta.id),
    };
    if !call.visibility().can_change_host(&host) {
        return Err(errors::container_forbidden());
    }
    db.write(call.actor(), |tx| monitoring::unacknowledge(tx, target)).await?;
    Ok(Reply::new(json!({"success": true, "message": "Successfully"})))
}

/// `GET /statehistories/host/{hostId}.json` and `/statehistories/service/{serviceId}.json`: every
/// recorded state change of the object, newest first (the shared events).
async fn state_history(call: &Call<'_>, services: bool) -> Answer {
    let db = call.db();
    let (host_id, service_id) = if services {
        let id = call.id_arg("Invalid service")?;
        let service = db.get::<Service>(id).ok_or_else(|| errors::not_found("Invalid service"))?;
        (service.host, Some(id))
    } else {
        (call.id_arg("Invalid host")?, None)
    };
    let host = db.get::<Host>(host_id).ok_or_else(|| errors::not_found(if services { "Invalid service" } else { "Invalid host" }))?;
    if !call.visibility().can_see_host(&host) {
        return Err(errors::container_forbidden());
    }
    let changes: Vec<Arc<rosetta_model::Event>> = db
        .all::<rosetta_model::Event>()
        .into_iter()
        .filter(|event| event.kind == rosetta_model::EventKind::StateChange)
        .filter(|event| event.host == Some(host_id) && event.service == service_id)
        .collect();
    // Chronological walk: each row knows the state before it and the last hard state before it.
    let mut rows: Vec<(Arc<rosetta_model::Event>, u8, u8, u8)> = Vec::with_capacity(changes.len());
    let (mut last_state, mut last_hard_state) = (0u8, 0u8);
    for event in &changes {
        let state = event.state.map_or(0, |state| state.code());
        rows.push((Arc::clone(event), state, last_state, last_hard_state));
        last_state = state;
        if event.state_type == Some(rosetta_model::StateType::Hard) {
            last_hard_state = state;
        }
    }
    let prefix = if services { "StatehistoryServices" } else { "StatehistoryHosts" };
    let state_time = format!("{prefix}.state_time");
    let sortable = [state_time.as_str(), "Statehistories.id"];
    let spec = ListSpec {
        filters: &[],
        sortable: &sortable,
        default_order: &[(state_time.as_str(), Direction::Desc)],
        tie_breaker: "Statehistories.id",
        body_filters: false,
    };
    let (page, paging) = list::page(call, &spec, rows, |(event, ..), field| match field.rsplit('.').next().unwrap_or(field) {
        "state_time" => text(event.time.millis()),
        "id" => text(event.meta.id),
        _ => None,
    })?;
    let key = if services { "StatehistoryService" } else { "StatehistoryHost" };
    let all: Vec<Value> = page
        .iter()
        .map(|(event, state, last_state, last_hard_state)| {
            let hard = event.state_type == Some(rosetta_model::StateType::Hard);
            json!({ key: {
                "state_time": call.date(event.time),
                "state": state,
                "state_type": hard,
                "is_hardstate": hard,
                "state_change": true,
                "current_check_attempt": if hard { 1 } else { 0 },
                "last_state": last_state,
                "last_hard_state": last_hard_state,
                "output": event.description,
                "long_output": "",
            }})
        })
        .collect();
    Ok(Reply::new(json!({"all_statehistories": all})).paged(paging))
}

/// `GET /statehistories/host/{hostId}.json`.
pub async fn host_state_history(call: &Call<'_>) -> Answer {
    state_history(call, false).await
}

/// `GET /statehistories/service/{serviceId}.json`.
pub async fn service_state_history(call: &Call<'_>) -> Answer {
    state_history(call, true).await
}
