//! The shared semantics of monitoring, applied inside a store transaction so every dialect behaves the
//! same: check results (soft/hard states), events, alarm reduction, outages, acknowledgements,
//! downtimes and the configuration reload.

use std::sync::Arc;

use rosetta_model::*;
use rosetta_store::{Read, Tx};

use crate::GatewayError;

/// One check result, from any dialect.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// What the result is for.
    pub target: Target,
    /// The normalised state.
    pub state: StateValue,
    /// First line of output.
    pub output: String,
    /// Further output.
    pub long_output: String,
    /// Performance data.
    pub perfdata: String,
    /// The product-native value the state came from.
    pub native: Option<NativeState>,
    /// Make a problem hard at once (passive results that say so, OpenNMS events).
    pub force_hard: bool,
    /// Dialect the result came through.
    pub dialect: String,
    /// OpenNMS-style event UEI to record instead of the derived one.
    pub uei: Option<String>,
    /// Severity to record instead of the mapped one (OpenNMS MINOR vs WARNING).
    pub severity: Option<Severity>,
}

impl CheckResult {
    /// A result with empty output, derived UEI and severity.
    pub fn new(target: Target, state: StateValue, dialect: &str) -> CheckResult {
        CheckResult {
            target,
            state,
            output: String::new(),
            long_output: String::new(),
            perfdata: String::new(),
            native: None,
            force_hard: false,
            dialect: dialect.to_owned(),
            uei: None,
            severity: None,
        }
    }
}

/// What a check result did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultOutcome {
    /// The state changed (soft or hard).
    pub state_changed: bool,
    /// The event written for the change, if any.
    pub event: Option<Id>,
}

/// Effective check settings of a host: own values over its templates (first wins) over the defaults.
pub fn effective_host_settings(store: &impl Read, host: &Host) -> CheckSettings {
    let mut settings = host.check.clone();
    for template in &host.templates {
        if let Some(template) = store.get::<HostTemplate>(*template) {
            settings = settings.over(&template.check);
        }
    }
    settings.over(&CheckSettings::defaults())
}

/// Effective check settings of a service: own values over its template over the defaults.
pub fn effective_service_settings(store: &impl Read, service: &Service) -> CheckSettings {
    let mut settings = service.check.clone();
    if let Some(template) = service.template.and_then(|id| store.get::<ServiceTemplate>(id)) {
        settings = settings.over(&template.check);
    }
    settings.over(&CheckSettings::defaults())
}

/// A service's display name: its own name, else its template's.
pub fn service_name(store: &impl Read, service: &Service) -> String {
    if let Some(name) = service.name.as_ref().filter(|name| !name.is_empty()) {
        return name.clone();
    }
    service
        .template
        .and_then(|id| store.get::<ServiceTemplate>(id))
        .map(|template| template.name.clone())
        .unwrap_or_default()
}

/// The current state of a target, if it is monitored.
pub fn current_state(store: &impl Read, target: Target) -> Option<CheckState> {
    match target {
        Target::Host(id) => store.get::<HostStatus>(id).map(|status| status.check.clone()),
        Target::Service(id) => store.get::<ServiceStatus>(id).map(|status| status.check.clone()),
    }
}

fn host_of(tx: &Tx<'_>, target: Target) -> Result<Arc<Host>, GatewayError> {
    let host_id = match target {
        Target::Host(id) => id,
        Target::Service(id) => tx.get::<Service>(id).ok_or_else(|| GatewayError::not_found("No such service"))?.host,
    };
    tx.get::<Host>(host_id).ok_or_else(|| GatewayError::not_found("No such host"))
}

fn initial_status(tx: &Tx<'_>, target: Target) -> Result<CheckState, GatewayError> {
    Ok(match target {
        Target::Host(id) => {
            let host = tx.get::<Host>(id).ok_or_else(|| GatewayError::not_found("No such host"))?;
            let attempts = effective_host_settings(tx, &host).max_check_attempts.unwrap_or(1);
            CheckState::pending(StateValue::Host(HostState::Up), attempts)
        }
        Target::Service(id) => {
            let service = tx.get::<Service>(id).ok_or_else(|| GatewayError::not_found("No such service"))?;
            let attempts = effective_service_settings(tx, &service).max_check_attempts.unwrap_or(1);
            CheckState::pending(StateValue::Service(ServiceState::Ok), attempts)
        }
    })
}

fn store_status(tx: &mut Tx<'_>, target: Target, check: CheckState) -> Result<(), GatewayError> {
    match target {
        Target::Host(id) => {
            let meta = tx.get::<HostStatus>(id).map_or_else(|| Meta::new(id), |status| status.meta.clone());
            tx.put(HostStatus { meta, check });
        }
        Target::Service(id) => {
            let host = tx.get::<Service>(id).ok_or_else(|| GatewayError::not_found("No such service"))?.host;
            let meta = tx.get::<ServiceStatus>(id).map_or_else(|| Meta::new(id), |status| status.meta.clone());
            tx.put(ServiceStatus { meta, host, check });
        }
    }
    Ok(())
}

/// Applies a check result: soft/hard logic, then on a state change an event, alarm reduction, outage
/// bookkeeping and the end of a non-sticky acknowledgement.
pub fn submit_result(tx: &mut Tx<'_>, result: CheckResult) -> Result<ResultOutcome, GatewayError> {
    let host = host_of(tx, result.target)?;
    let previous = match current_state(tx, result.target) {
        Some(state) => state,
        None => initial_status(tx, result.target)?,
    };
    let now = tx.now();
    let mut next = previous.clone();
    let was_ok = previous.state.is_ok() || previous.pending;
    let is_ok = result.state.is_ok();
    let max = previous.max_attempts.max(1);

    if is_ok {
        next.state_type = StateType::Hard;
        next.attempt = 1;
    } else if was_ok {
        next.attempt = 1;
        next.state_type = if result.force_hard || max <= 1 { StateType::Hard } else { StateType::Soft };
    } else if previous.state_type == StateType::Soft {
        next.attempt = (previous.attempt + 1).min(max);
        next.state_type = if result.force_hard || next.attempt >= max { StateType::Hard } else { StateType::Soft };
    } else {
        next.attempt = max;
        next.state_type = StateType::Hard;
    }
    next.state = result.state;
    next.output = result.output.clone();
    next.long_output = result.long_output.clone();
    next.perfdata = result.perfdata.clone();
    next.last_check = now;
    next.native = result.native.clone();
    next.pending = false;

    let state_changed = previous.pending || previous.state != result.state;
    let became_hard = next.state_type == StateType::Hard
        && (previous.state_type != StateType::Hard || previous.last_hard_state != result.state);
    if state_changed {
        next.last_state_change = now;
    }
    if became_hard && previous.last_hard_state != result.state {
        next.last_hard_state = result.state;
        next.last_hard_state_change = now;
    } else if next.state_type == StateType::Hard {
        next.last_hard_state = result.state;
    }

    // Nagios semantics: a non-sticky acknowledgement ends at any state change, a sticky one at recovery.
    if let Some(ack_id) = previous.acknowledgement {
        let sticky = tx.get::<Acknowledgement>(ack_id).is_some_and(|ack| ack.sticky);
        if is_ok || (state_changed && !sticky) {
            end_acknowledgement(tx, ack_id);
            next.acknowledgement = None;
        }
    }

    let really_changed = state_changed && !(previous.pending && is_ok);
    let mut event = None;
    if really_changed {
        let service_name = match result.target {
            Target::Service(id) => tx.get::<Service>(id).map(|service| service_name(tx, &service)),
            Target::Host(_) => None,
        };
        let uei = result.uei.clone().unwrap_or_else(|| default_uei(result.target, result.state).to_owned());
        let severity = result.severity.unwrap_or_else(|| if is_ok { Severity::Normal } else { result.state.severity() });
        let log_message = match &service_name {
            Some(name) => format!("{} on {} is {}", name, host.name, result.state.name().to_uppercase()),
            None => format!("{} is {}", host.name, result.state.name().to_uppercase()),
        };
        let recorded = tx.insert(Event {
            meta: Meta::new(0),
            time: now,
            kind: EventKind::StateChange,
            uei,
            host: Some(host.meta.id),
            service: match result.target {
                Target::Service(id) => Some(id),
                Target::Host(_) => None,
            },
            state: Some(result.state),
            state_type: Some(next.state_type),
            severity,
            source: result.dialect.clone(),
            description: result.output.clone(),
            log_message,
            author: String::new(),
            comment: String::new(),
            ip_address: Some(host.address.clone()),
            parameters: vec![],
            dialect: result.dialect.clone(),
            ack_user: None,
            ack_time: None,
        });
        reduce_alarm(tx, &host, result.target, service_name.as_deref(), &recorded, is_ok);
        track_outage(tx, &host, result.target, &recorded, is_ok);
        event = Some(recorded.meta.id);
    }
    store_status(tx, result.target, next)?;
    Ok(ResultOutcome { state_changed: really_changed, event })
}

/// The UEI OpenNMS uses for a state of a node (host) or a monitored service.
pub fn default_uei(target: Target, state: StateValue) -> &'static str {
    match (target, state.is_ok()) {
        (Target::Host(_), false) => "uei.opennms.org/nodes/nodeDown",
        (Target::Host(_), true) => "uei.opennms.org/nodes/nodeUp",
        (Target::Service(_), false) => "uei.opennms.org/nodes/nodeLostService",
        (Target::Service(_), true) => "uei.opennms.org/nodes/nodeRegainedService",
    }
}

/// The reduction key of the problem alarm of a target.
pub fn reduction_key(host: &Host, target: Target, service_name: Option<&str>) -> String {
    match target {
        Target::Host(_) => format!("uei.opennms.org/nodes/nodeDown::{}", host.meta.id),
        Target::Service(_) => format!(
            "uei.opennms.org/nodes/nodeLostService::{}:{}:{}",
            host.meta.id,
            host.address,
            service_name.unwrap_or_default()
        ),
    }
}

fn reduce_alarm(tx: &mut Tx<'_>, host: &Host, target: Target, service_name: Option<&str>, event: &Event, is_ok: bool) {
    let key = reduction_key(host, target, service_name);
    let existing = tx.find_by_name::<Alarm>(&key);
    if is_ok {
        if let Some(alarm) = existing.filter(|alarm| alarm.severity != Severity::Cleared) {
            let mut cleared = (*alarm).clone();
            cleared.severity = Severity::Cleared;
            cleared.last_event_time = event.time;
            cleared.last_event = event.meta.id;
            cleared.log_message = event.log_message.clone();
            cleared.description = event.description.clone();
            tx.update(cleared);
        }
        return;
    }
    let alarm = match existing {
        Some(alarm) => {
            let mut alarm = (*alarm).clone();
            if alarm.severity == Severity::Cleared {
                alarm.ack_user = None;
                alarm.ack_time = None;
            }
            alarm.count += 1;
            alarm.severity = event.severity;
            alarm.uei = event.uei.clone();
            alarm.last_event_time = event.time;
            alarm.last_event = event.meta.id;
            alarm.description = event.description.clone();
            alarm.log_message = event.log_message.clone();
            alarm
        }
        None => Alarm {
            meta: Meta::new(0),
            reduction_key: key,
            uei: event.uei.clone(),
            alarm_type: 1,
            severity: event.severity,
            count: 1,
            first_event_time: event.time,
            last_event_time: event.time,
            last_event: event.meta.id,
            host: Some(host.meta.id),
            service: match target {
                Target::Service(id) => Some(id),
                Target::Host(_) => None,
            },
            description: event.description.clone(),
            log_message: event.log_message.clone(),
            ack_user: None,
            ack_time: None,
            ticket_id: None,
            ticket_state: None,
            sticky_memo: None,
            journal_memo: None,
            ip_address: Some(host.address.clone()),
            parameters: vec![],
        },
    };
    tx.put(alarm);
}

fn track_outage(tx: &mut Tx<'_>, host: &Host, target: Target, event: &Event, is_ok: bool) {
    let service = match target {
        Target::Service(id) => Some(id),
        Target::Host(_) => None,
    };
    let open = tx
        .children::<Outage>(host.meta.id)
        .into_iter()
        .rev()
        .find(|outage| outage.service == service && outage.regained_time.is_none());
    match (open, is_ok) {
        (Some(outage), true) => {
            let mut closed = (*outage).clone();
            closed.regained_event = Some(event.meta.id);
            closed.regained_time = Some(event.time);
            tx.update(closed);
        }
        (None, false) => {
            tx.insert(Outage {
                meta: Meta::new(0),
                host: host.meta.id,
                service,
                lost_event: event.meta.id,
                lost_time: event.time,
                regained_event: None,
                regained_time: None,
            });
        }
        _ => {}
    }
}

fn end_acknowledgement(tx: &mut Tx<'_>, ack_id: Id) {
    if let Some(ack) = tx.get::<Acknowledgement>(ack_id) {
        let mut ended = (*ack).clone();
        ended.ended = Some(tx.now());
        tx.update(ended);
    }
}

/// The problem alarm of a target, if any.
pub fn alarm_of(store: &impl Read, target: Target) -> Option<Arc<Alarm>> {
    let host = match target {
        Target::Host(id) => id,
        Target::Service(id) => store.get::<Service>(id)?.host,
    };
    store.children::<Alarm>(host).into_iter().rev().find(|alarm| match target {
        Target::Host(_) => alarm.service.is_none(),
        Target::Service(id) => alarm.service == Some(id),
    })
}

/// An acknowledgement request.
#[derive(Debug, Clone)]
pub struct AckRequest {
    /// What to acknowledge.
    pub target: Target,
    /// Who.
    pub author: String,
    /// Why.
    pub comment: String,
    /// Survive changes between problem states.
    pub sticky: bool,
    /// Notify contacts.
    pub notify: bool,
    /// Keep the comment.
    pub persistent: bool,
    /// Dialect it came through.
    pub dialect: String,
}

/// Acknowledges the current problem of a target. Returns `None` when the target is not in a problem
/// state (Nagios refuses those silently).
pub fn acknowledge(tx: &mut Tx<'_>, request: AckRequest) -> Result<Option<Arc<Acknowledgement>>, GatewayError> {
    let host = host_of(tx, request.target)?;
    let Some(mut state) = current_state(tx, request.target) else {
        return Ok(None);
    };
    if state.state.is_ok() || state.pending {
        return Ok(None);
    }
    if let Some(previous) = state.acknowledgement {
        end_acknowledgement(tx, previous);
    }
    let now = tx.now();
    let ack = tx.insert(Acknowledgement {
        meta: Meta::new(0),
        target: request.target,
        author: request.author.clone(),
        comment: request.comment.clone(),
        sticky: request.sticky,
        notify: request.notify,
        persistent: request.persistent,
        time: now,
        state: state.state,
        ended: None,
    });
    state.acknowledgement = Some(ack.meta.id);
    store_status(tx, request.target, state.clone())?;
    if let Some(alarm) = alarm_of(tx, request.target) {
        let mut acked = (*alarm).clone();
        acked.ack_user = Some(request.author.clone());
        acked.ack_time = Some(now);
        tx.update(acked);
    }
    tx.insert(Event {
        meta: Meta::new(0),
        time: now,
        kind: EventKind::Acknowledgement,
        uei: "uei.opennms.org/ackd/acknowledge".to_owned(),
        host: Some(host.meta.id),
        service: match request.target {
            Target::Service(id) => Some(id),
            Target::Host(_) => None,
        },
        state: Some(state.state),
        state_type: Some(state.state_type),
        severity: Severity::Normal,
        source: request.dialect.clone(),
        description: request.comment.clone(),
        log_message: format!("Acknowledged by {}", request.author),
        author: request.author,
        comment: request.comment,
        ip_address: Some(host.address.clone()),
        parameters: vec![],
        dialect: request.dialect,
        ack_user: None,
        ack_time: None,
    });
    Ok(Some(ack))
}

/// Removes the acknowledgement of a target; returns whether there was one.
pub fn unacknowledge(tx: &mut Tx<'_>, target: Target) -> Result<bool, GatewayError> {
    let Some(mut state) = current_state(tx, target) else {
        return Ok(false);
    };
    let Some(ack_id) = state.acknowledgement.take() else {
        return Ok(false);
    };
    end_acknowledgement(tx, ack_id);
    store_status(tx, target, state)?;
    if let Some(alarm) = alarm_of(tx, target) {
        let mut unacked = (*alarm).clone();
        unacked.ack_user = None;
        unacked.ack_time = None;
        tx.update(unacked);
    }
    Ok(true)
}

/// A downtime request.
#[derive(Debug, Clone)]
pub struct DowntimeRequest {
    /// What goes down.
    pub target: Target,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Fixed or flexible.
    pub fixed: bool,
    /// Who.
    pub author: String,
    /// Why.
    pub comment: String,
    /// Group shared by downtimes created together.
    pub group: Option<Id>,
    /// Dialect it came through.
    pub dialect: String,
}

/// Schedules a downtime; one that starts now (or in the past) is in force at once.
pub fn schedule_downtime(tx: &mut Tx<'_>, request: DowntimeRequest) -> Result<Arc<Downtime>, GatewayError> {
    if request.end <= request.start {
        return Err(GatewayError::bad_request("The downtime must end after it starts"));
    }
    let host = host_of(tx, request.target)?;
    let downtime = tx.insert(Downtime {
        meta: Meta::new(0),
        target: request.target,
        host: host.meta.id,
        start: request.start,
        end: request.end,
        fixed: request.fixed,
        duration: (request.end.millis() - request.start.millis()) / 1000,
        author: request.author,
        comment: request.comment,
        actual_start: None,
        actual_end: None,
        cancelled: false,
        group: request.group,
    });
    if downtime.start <= tx.now() {
        start_downtime(tx, &downtime, &request.dialect)?;
        return Ok(tx.get::<Downtime>(downtime.meta.id).unwrap_or(downtime));
    }
    Ok(downtime)
}

fn start_downtime(tx: &mut Tx<'_>, downtime: &Downtime, dialect: &str) -> Result<(), GatewayError> {
    let now = tx.now();
    let mut started = downtime.clone();
    started.actual_start = Some(now);
    tx.update(started);
    adjust_depth(tx, downtime.target, 1)?;
    downtime_event(tx, downtime, EventKind::DowntimeStart, dialect)
}

fn finish_downtime(tx: &mut Tx<'_>, downtime: &Downtime, cancelled: bool, dialect: &str) -> Result<(), GatewayError> {
    let now = tx.now();
    let was_running = downtime.actual_start.is_some() && downtime.actual_end.is_none() && !downtime.cancelled;
    let mut finished = downtime.clone();
    finished.actual_end = Some(now);
    finished.cancelled = cancelled;
    tx.update(finished);
    if was_running {
        adjust_depth(tx, downtime.target, -1)?;
        downtime_event(tx, downtime, EventKind::DowntimeEnd, dialect)?;
    }
    Ok(())
}

fn adjust_depth(tx: &mut Tx<'_>, target: Target, delta: i64) -> Result<(), GatewayError> {
    let mut state = match current_state(tx, target) {
        Some(state) => state,
        None => initial_status(tx, target)?,
    };
    state.downtime_depth = (i64::from(state.downtime_depth) + delta).max(0) as u32;
    store_status(tx, target, state)
}

fn downtime_event(tx: &mut Tx<'_>, downtime: &Downtime, kind: EventKind, dialect: &str) -> Result<(), GatewayError> {
    let host = host_of(tx, downtime.target)?;
    let (uei, verb) = match kind {
        EventKind::DowntimeStart => ("uei.opennms.org/internal/schedOutages/outageStarted", "started"),
        _ => ("uei.opennms.org/internal/schedOutages/outageEnded", "ended"),
    };
    tx.insert(Event {
        meta: Meta::new(0),
        time: tx.now(),
        kind,
        uei: uei.to_owned(),
        host: Some(host.meta.id),
        service: match downtime.target {
            Target::Service(id) => Some(id),
            Target::Host(_) => None,
        },
        state: None,
        state_type: None,
        severity: Severity::Normal,
        source: dialect.to_owned(),
        description: downtime.comment.clone(),
        log_message: format!("Downtime {verb}"),
        author: downtime.author.clone(),
        comment: downtime.comment.clone(),
        ip_address: Some(host.address.clone()),
        parameters: vec![],
        dialect: dialect.to_owned(),
        ack_user: None,
        ack_time: None,
    });
    Ok(())
}

/// Cancels a downtime; returns whether it existed and was not over yet.
pub fn cancel_downtime(tx: &mut Tx<'_>, id: Id, dialect: &str) -> Result<bool, GatewayError> {
    let Some(downtime) = tx.get::<Downtime>(id) else {
        return Ok(false);
    };
    if downtime.is_finished(tx.now()) {
        return Ok(false);
    }
    finish_downtime(tx, &downtime, true, dialect)?;
    Ok(true)
}

/// True when some downtime must start or end at `now` (cheap check before opening a transaction).
pub fn downtimes_due(store: &impl Read, now: Timestamp) -> bool {
    store.all::<Downtime>().iter().any(|downtime| downtime_due(downtime, now))
}

fn downtime_due(downtime: &Downtime, now: Timestamp) -> bool {
    if downtime.cancelled || downtime.actual_end.is_some() {
        return false;
    }
    (downtime.actual_start.is_none() && downtime.start <= now) || downtime.end <= now
}

/// Starts downtimes whose time came and ends those that expired. Returns how many changed. A downtime
/// whose host or service is gone is closed quietly.
pub fn tick_downtimes(tx: &mut Tx<'_>) -> Result<usize, GatewayError> {
    let now = tx.now();
    let due: Vec<Arc<Downtime>> = tx.all::<Downtime>().into_iter().filter(|d| downtime_due(d, now)).collect();
    for downtime in &due {
        if host_of(tx, downtime.target).is_err() {
            let mut orphan = (**downtime).clone();
            orphan.actual_end = Some(now);
            orphan.cancelled = true;
            tx.update(orphan);
            continue;
        }
        if downtime.actual_start.is_none() && downtime.start <= now && downtime.end > now {
            start_downtime(tx, downtime, "system")?;
        } else if downtime.end <= now {
            finish_downtime(tx, downtime, false, "system")?;
        }
    }
    Ok(due.len())
}

/// Starts a configuration reload; 409 when one is running already.
pub fn start_reload(tx: &mut Tx<'_>) -> Result<ConfigStatus, GatewayError> {
    let mut status = tx.config_status();
    if status.reload_started.is_some() {
        return Err(GatewayError::conflict("Reload already running"));
    }
    status.reload_started = Some(tx.now());
    status.reload_user = tx.actor().user.clone();
    tx.mark_reload();
    tx.put(status.clone());
    tx.audit("reload.start", Some(Kind::ConfigStatus), Some(1), "configuration reload started");
    Ok(status)
}

/// Completes the running reload: every enabled host and service gets a status row (monitoring starts),
/// rows of deleted objects go, and the configuration is up to date.
pub fn finish_reload(tx: &mut Tx<'_>) -> Result<ConfigStatus, GatewayError> {
    tx.mark_reload();
    let hosts = tx.all::<Host>();
    for host in &hosts {
        if host.enabled && tx.get::<HostStatus>(host.meta.id).is_none() {
            let attempts = effective_host_settings(tx, host).max_check_attempts.unwrap_or(1);
            tx.insert(HostStatus {
                meta: Meta::new(host.meta.id),
                check: CheckState::pending(StateValue::Host(HostState::Up), attempts),
            });
        }
    }
    for service in tx.all::<Service>() {
        let host_enabled = tx.get::<Host>(service.host).is_some_and(|host| host.enabled);
        if service.enabled && host_enabled && tx.get::<ServiceStatus>(service.meta.id).is_none() {
            let attempts = effective_service_settings(tx, &service).max_check_attempts.unwrap_or(1);
            tx.insert(ServiceStatus {
                meta: Meta::new(service.meta.id),
                host: service.host,
                check: CheckState::pending(StateValue::Service(ServiceState::Ok), attempts),
            });
        }
    }
    for status in tx.all::<HostStatus>() {
        if tx.get::<Host>(status.meta.id).is_none_or(|host| !host.enabled) {
            tx.delete::<HostStatus>(status.meta.id);
        }
    }
    for status in tx.all::<ServiceStatus>() {
        let keep = tx.get::<Service>(status.meta.id).is_some_and(|service| {
            service.enabled && tx.get::<Host>(service.host).is_some_and(|host| host.enabled)
        });
        if !keep {
            tx.delete::<ServiceStatus>(status.meta.id);
        }
    }
    let now = tx.now();
    let mut status = tx.config_status();
    if let Some(started) = status.reload_started.take() {
        let duration = now.millis() - started.millis();
        let reloads = status.reloads as i64;
        status.average_duration_ms = (status.average_duration_ms * reloads + duration) / (reloads + 1);
    }
    status.reloads += 1;
    status.pending = false;
    status.last_reload = now;
    status.changes_since_reload = 0;
    tx.put(status.clone());
    tx.audit("reload.finish", Some(Kind::ConfigStatus), Some(1), "configuration reload completed");
    Ok(status)
}

/// Deletes a host with everything that hangs off it: its services, their and its current state,
/// downtimes (ended), acknowledgements (ended), and references from other hosts (parents). Events, alarms
/// and outages stay as history. Returns whether the host existed.
pub fn delete_host(tx: &mut Tx<'_>, host_id: Id) -> Result<bool, GatewayError> {
    if tx.get::<Host>(host_id).is_none() {
        return Ok(false);
    }
    let services: Vec<Id> = tx.children::<Service>(host_id).iter().map(|service| service.meta.id).collect();
    for service in &services {
        delete_service(tx, *service)?;
    }
    forget_target(tx, Target::Host(host_id));
    tx.delete::<HostStatus>(host_id);
    for other in tx.all::<Host>() {
        if other.parents.contains(&host_id) {
            let mut changed = (*other).clone();
            changed.parents.retain(|parent| *parent != host_id);
            tx.update(changed);
        }
    }
    tx.delete::<Host>(host_id);
    Ok(true)
}

/// Deletes a service with its current state; ends its downtimes and acknowledgements. Returns whether it
/// existed.
pub fn delete_service(tx: &mut Tx<'_>, service_id: Id) -> Result<bool, GatewayError> {
    if tx.get::<Service>(service_id).is_none() {
        return Ok(false);
    }
    forget_target(tx, Target::Service(service_id));
    tx.delete::<ServiceStatus>(service_id);
    tx.delete::<Service>(service_id);
    Ok(true)
}

/// Ends the downtimes and acknowledgements of a target that is going away.
fn forget_target(tx: &mut Tx<'_>, target: Target) {
    let now = tx.now();
    for downtime in tx.all::<Downtime>() {
        if downtime.target == target && downtime.actual_end.is_none() && !downtime.cancelled {
            let mut ended = (*downtime).clone();
            ended.actual_end = Some(now);
            ended.cancelled = true;
            tx.update(ended);
        }
    }
    for ack in tx.all::<Acknowledgement>() {
        if ack.target == target && ack.ended.is_none() {
            let mut ended = (*ack).clone();
            ended.ended = Some(now);
            tx.update(ended);
        }
    }
}

/// True while an object changed since the last reload (Opsview `uncommitted`).
pub fn is_uncommitted(meta: &Meta, status: &ConfigStatus) -> bool {
    meta.updated > status.last_reload
}

#[cfg(test)]
mod tests;
