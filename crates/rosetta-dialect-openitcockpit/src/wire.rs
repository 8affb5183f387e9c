//! Response fragments shared by several controllers: status blocks, downtime and acknowledgement
//! rows, select lists and container rows. Model types never leave the crate as bodies; these
//! functions build the product's shapes from them.

use rosetta_core::monitoring;
use rosetta_model::*;
use rosetta_store::Read;
use serde_json::{json, Value};

use crate::call::Call;
use crate::datefmt;

/// HTML-escapes plugin output for `outputHtml`.
pub fn html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `{"key": id, "value": label}`.
pub fn key_value(key: Id, value: &str) -> Value {
    json!({"key": key, "value": value})
}

/// `{"_ids": [...]}`.
pub fn ids(ids: &[Id]) -> Value {
    json!({"_ids": ids})
}

fn words(call: &Call<'_>, time: Timestamp) -> String {
    datefmt::time_ago_in_words(time.secs(), call.now_secs(), call.ctx.app.settings.utc_offset_secs)
}

fn since(call: &Call<'_>, time: Timestamp) -> String {
    datefmt::duration_short(call.now_secs() - time.secs())
}

/// The host type block of list rows.
pub fn host_type() -> Value {
    json!({"title": "Generic host", "color": "text-generic", "class": "border-generic", "icon": ["fas", "cog"], "rotate": 0})
}

/// The service type block of list rows.
pub fn service_type() -> Value {
    json!({"title": "Generic service", "color": "text-generic", "class": "border-generic", "icon": ["fas", "cog"]})
}

/// `Hoststatus` of a host that is not monitored.
pub fn not_monitored_status() -> Value {
    json!({"isInMonitoring": false, "currentState": -1, "humanState": "not in monitoring"})
}

fn common_status(call: &Call<'_>, check: &CheckState, settings: &CheckSettings) -> serde_json::Map<String, Value> {
    let next = if check.last_check.0 == 0 {
        Timestamp(0)
    } else {
        check.last_check.plus_millis(i64::from(settings.check_interval.unwrap_or(300)) * 1000)
    };
    let ack_type = match check.acknowledgement.and_then(|id| call.db().get::<Acknowledgement>(id)) {
        Some(ack) if ack.sticky => 2,
        Some(_) => 1,
        None => 0,
    };
    let value = json!({
        "currentState": check.state.code(),
        "isFlapping": check.flapping,
        "problemHasBeenAcknowledged": check.is_acknowledged(),
        "scheduledDowntimeDepth": check.downtime_depth,
        "lastCheck": call.date(check.last_check),
        "nextCheck": call.date(next),
        "activeChecksEnabled": settings.active_checks_enabled.unwrap_or(true),
        "lastHardState": check.last_hard_state.code(),
        "lastHardStateChange": call.date(check.last_hard_state_change),
        "last_state_change": call.date(check.last_state_change),
        "output": check.output,
        "long_output": check.long_output,
        "acknowledgement_type": ack_type,
        "state_type": if check.state_type == StateType::Hard { 1 } else { 0 },
        "flap_detection_enabled": settings.flap_detection_enabled.unwrap_or(false),
        "notifications_enabled": settings.notifications_enabled.unwrap_or(true),
        "current_check_attempt": check.attempt,
        "max_check_attempts": check.max_attempts,
        "latency": 0,
        "lastHardStateChangeInWords": since(call, check.last_hard_state_change),
        "last_state_change_in_words": since(call, check.last_state_change),
        "lastCheckInWords": words(call, check.last_check),
        "nextCheckInWords": words(call, next),
        "isHardstate": check.state_type == StateType::Hard,
        "isInMonitoring": true,
    });
    match value {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// `Hoststatus` of a monitored host.
pub fn host_status(call: &Call<'_>, check: &CheckState, settings: &CheckSettings) -> Value {
    let mut map = common_status(call, check, settings);
    let human = match check.state.code() {
        0 => "up",
        1 => "down",
        _ => "unreachable",
    };
    let last_up = if check.state.is_ok() { check.last_check } else { Timestamp(0) };
    map.insert("last_time_up".to_owned(), Value::from(call.date(last_up)));
    map.insert("humanState".to_owned(), Value::from(human));
    map.insert("cssClass".to_owned(), Value::from(format!("bg-{human}")));
    map.insert("textClass".to_owned(), Value::from(human));
    map.insert("outputHtml".to_owned(), Value::from(html(&check.output)));
    Value::Object(map)
}

/// `Servicestatus` of a monitored service.
pub fn service_status(call: &Call<'_>, check: &CheckState, settings: &CheckSettings) -> Value {
    let mut map = common_status(call, check, settings);
    let human = match check.state.code() {
        0 => "ok",
        1 => "warning",
        2 => "critical",
        _ => "unknown",
    };
    let last_ok = if check.state.is_ok() { check.last_check } else { Timestamp(0) };
    map.insert("processPerformanceData".to_owned(), Value::Null);
    map.insert("perfdata".to_owned(), Value::from(check.perfdata.clone()));
    map.insert("last_time_ok".to_owned(), Value::from(call.date(last_ok)));
    map.insert("humanState".to_owned(), Value::from(human));
    map.insert("cssClass".to_owned(), Value::from(format!("bg-{human}")));
    map.insert("textClass".to_owned(), Value::from(human));
    map.insert("outputHtml".to_owned(), Value::from(html(&check.output)));
    Value::Object(map)
}

/// A downtime in the `DowntimeHost`/`DowntimeService`/`Downtime` shape.
pub fn downtime(call: &Call<'_>, downtime: &Downtime, allow_edit: bool) -> Value {
    let now = Timestamp::now();
    let running = downtime.is_active(now) && downtime.actual_start.is_some();
    let expired = !downtime.cancelled && now >= downtime.end;
    json!({
        "authorName": downtime.author,
        "commentData": downtime.comment,
        "entryTime": call.date(downtime.meta.created),
        "scheduledStartTime": call.date(downtime.start),
        "scheduledEndTime": call.date(downtime.end),
        "actualEndTime": call.date(downtime.actual_end.unwrap_or(Timestamp(0))),
        "duration": downtime.duration,
        "durationHuman": datefmt::duration_short(downtime.duration),
        "wasStarted": downtime.actual_start.is_some(),
        "internalDowntimeId": downtime.meta.id,
        "downtimehistoryId": downtime.meta.id,
        "wasCancelled": downtime.cancelled,
        "allowEdit": allow_edit,
        "isCancellable": allow_edit && !downtime.is_finished(now),
        "isRunning": running,
        "isExpired": expired,
    })
}

/// An acknowledgement in the `AcknowledgedHost`/`Acknowledgement` shape.
pub fn acknowledgement(call: &Call<'_>, ack: &Acknowledgement, allow_edit: bool) -> Value {
    json!({
        "acknowledgement_type": if ack.sticky { 2 } else { 1 },
        "author_name": ack.author,
        "comment_data": html(&ack.comment),
        "entry_time": call.date(ack.time),
        "is_sticky": ack.sticky,
        "notify_contacts": ack.notify,
        "persistent_comment": ack.persistent,
        "state": ack.state.code(),
        "allowEdit": allow_edit,
    })
}

/// The downtime of `target` currently in force, if any.
pub fn active_downtime(store: &impl Read, target: Target) -> Option<std::sync::Arc<Downtime>> {
    let now = Timestamp::now();
    store.all::<Downtime>().into_iter().find(|downtime| downtime.target == target && downtime.is_active(now))
}

/// The acknowledgement of `target` in force, if any.
pub fn active_acknowledgement(store: &impl Read, target: Target) -> Option<std::sync::Arc<Acknowledgement>> {
    monitoring::current_state(store, target)
        .and_then(|state| state.acknowledgement)
        .and_then(|id| store.get::<Acknowledgement>(id))
}

/// The container type id of a tenant kind.
pub fn container_type(kind: TenantKind) -> i64 {
    match kind {
        TenantKind::Global => 1,
        TenantKind::Tenant => 2,
        TenantKind::Location => 3,
        TenantKind::Node => 5,
    }
}

/// A container row `{id, containertype_id, name, parent_id, lft, rght}` (nested-set numbers are not
/// kept; `lft`/`rght` are derived from the id so they stay stable).
pub fn container(tenant: &Tenant) -> Value {
    json!({
        "id": tenant.meta.id,
        "containertype_id": container_type(tenant.kind),
        "name": tenant.name,
        "parent_id": tenant.parent,
        "lft": tenant.meta.id * 2 - 1,
        "rght": tenant.meta.id * 2,
    })
}

/// `/root/TenantA/Berlin`.
pub fn container_path(store: &impl Read, tenant: &Tenant) -> String {
    let mut names = vec![tenant.name.clone()];
    let mut parent = tenant.parent;
    let mut guard = 0;
    while let Some(id) = parent {
        guard += 1;
        if guard > 64 {
            break;
        }
        match store.get::<Tenant>(id) {
            Some(node) => {
                names.push(node.name.clone());
                parent = node.parent;
            }
            None => break,
        }
    }
    names.reverse();
    format!("/{}", names.join("/"))
}
