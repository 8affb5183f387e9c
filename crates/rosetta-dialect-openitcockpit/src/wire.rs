//! Response fragments shared by several controllers: status blocks, downtime and acknowledgement
//! rows, select lists and container rows. Model types never leave the crate as bodies; these
//! functions build the product's shapes from them.

use rosetta_core::monitoring;
use rosetta_model::*;
use rosetta_store::Read;
use serde::Serialize;
use serde_json::{json, Value};

use crate::call::Call;
use crate::datefmt;

/// Text HTML-escaped as the product escapes plugin output for `outputHtml` (`&`, `<`, `>`, `"`), written
/// without an intermediate string.
#[derive(Debug, Clone, Copy)]
pub struct Html<'a>(pub &'a str);

impl std::fmt::Display for Html<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                _ => "&quot;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

impl Serialize for Html<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `{"key": id, "value": label}`.
pub fn key_value(key: Id, value: &str) -> Value {
    json!({"key": key, "value": value})
}

/// `{"_ids": [...]}`.
pub fn ids(ids: &[Id]) -> Value {
    json!({"_ids": ids})
}

/// What the rows of one answer share for their dates, taken once per request: the zone, the current
/// time, and the base of the relative words.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    now: Timestamp,
    utc_offset: i32,
    words: datefmt::RelativeWords,
}

impl Clock {
    /// The clock of a request: the server's zone, now.
    pub fn of(call: &Call<'_>) -> Clock {
        let now = Timestamp::now();
        let utc_offset = call.ctx.app.settings.utc_offset_secs;
        Clock { now, utc_offset, words: datefmt::RelativeWords::new(now.secs(), utc_offset) }
    }

    /// `time` in the user's date format and zone (see [`Call::date`]).
    pub fn date(&self, time: Timestamp) -> datefmt::DefaultDate {
        datefmt::DefaultDate { epoch: time.secs(), utc_offset: self.utc_offset }
    }

    fn words(&self, time: Timestamp) -> datefmt::InWords {
        self.words.words(time.secs())
    }

    fn since(&self, time: Timestamp) -> datefmt::ShortDuration {
        datefmt::ShortDuration(self.now.secs() - time.secs())
    }
}

/// The host type block of list rows.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct HostType {
    title: &'static str,
    color: &'static str,
    class: &'static str,
    icon: [&'static str; 2],
    rotate: u8,
}

/// The one host type Rosetta knows.
pub const GENERIC_HOST: HostType =
    HostType { title: "Generic host", color: "text-generic", class: "border-generic", icon: ["fas", "cog"], rotate: 0 };

/// The host type block of list rows.
pub fn host_type() -> Value {
    to_value(&GENERIC_HOST)
}

/// The service type block of list rows.
pub fn service_type() -> Value {
    json!({"title": "Generic service", "color": "text-generic", "class": "border-generic", "icon": ["fas", "cog"]})
}

/// `Hoststatus`/`Servicestatus` of an object that is not monitored.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct NotMonitored {
    #[serde(rename = "isInMonitoring")]
    is_in_monitoring: bool,
    #[serde(rename = "currentState")]
    current_state: i8,
    #[serde(rename = "humanState")]
    human_state: &'static str,
}

/// The status block of an object that is not monitored.
pub const NOT_MONITORED: NotMonitored =
    NotMonitored { is_in_monitoring: false, current_state: -1, human_state: "not in monitoring" };

/// `Hoststatus` of a host that is not monitored.
pub fn not_monitored_status() -> Value {
    to_value(&NOT_MONITORED)
}

/// The fields hosts' and services' status blocks share, in the product's order.
#[derive(Debug, Serialize)]
pub struct CommonStatus<'a> {
    #[serde(rename = "currentState")]
    current_state: u8,
    #[serde(rename = "isFlapping")]
    is_flapping: bool,
    #[serde(rename = "problemHasBeenAcknowledged")]
    problem_has_been_acknowledged: bool,
    #[serde(rename = "scheduledDowntimeDepth")]
    scheduled_downtime_depth: u32,
    #[serde(rename = "lastCheck")]
    last_check: datefmt::DefaultDate,
    #[serde(rename = "nextCheck")]
    next_check: datefmt::DefaultDate,
    #[serde(rename = "activeChecksEnabled")]
    active_checks_enabled: bool,
    #[serde(rename = "lastHardState")]
    last_hard_state: u8,
    #[serde(rename = "lastHardStateChange")]
    last_hard_state_change: datefmt::DefaultDate,
    last_state_change: datefmt::DefaultDate,
    output: &'a str,
    long_output: &'a str,
    acknowledgement_type: u8,
    state_type: u8,
    flap_detection_enabled: bool,
    notifications_enabled: bool,
    current_check_attempt: u32,
    max_check_attempts: u32,
    latency: u8,
    #[serde(rename = "lastHardStateChangeInWords")]
    last_hard_state_change_in_words: datefmt::ShortDuration,
    last_state_change_in_words: datefmt::ShortDuration,
    #[serde(rename = "lastCheckInWords")]
    last_check_in_words: datefmt::InWords,
    #[serde(rename = "nextCheckInWords")]
    next_check_in_words: datefmt::InWords,
    #[serde(rename = "isHardstate")]
    is_hardstate: bool,
    #[serde(rename = "isInMonitoring")]
    is_in_monitoring: bool,
}

impl<'a> CommonStatus<'a> {
    /// The shared fields of `check`; `settings` are the object's effective check settings (only the
    /// check interval and the three flags are read).
    pub fn new(store: &impl Read, clock: &Clock, check: &'a CheckState, settings: &CheckSettings) -> CommonStatus<'a> {
        let next = if check.last_check.0 == 0 {
            Timestamp(0)
        } else {
            check.last_check.plus_millis(i64::from(settings.check_interval.unwrap_or(300)) * 1000)
        };
        let acknowledgement_type = match check.acknowledgement.and_then(|id| store.get::<Acknowledgement>(id)) {
            Some(ack) if ack.sticky => 2,
            Some(_) => 1,
            None => 0,
        };
        let hard = check.state_type == StateType::Hard;
        CommonStatus {
            current_state: check.state.code(),
            is_flapping: check.flapping,
            problem_has_been_acknowledged: check.is_acknowledged(),
            scheduled_downtime_depth: check.downtime_depth,
            last_check: clock.date(check.last_check),
            next_check: clock.date(next),
            active_checks_enabled: settings.active_checks_enabled.unwrap_or(true),
            last_hard_state: check.last_hard_state.code(),
            last_hard_state_change: clock.date(check.last_hard_state_change),
            last_state_change: clock.date(check.last_state_change),
            output: &check.output,
            long_output: &check.long_output,
            acknowledgement_type,
            state_type: u8::from(hard),
            flap_detection_enabled: settings.flap_detection_enabled.unwrap_or(false),
            notifications_enabled: settings.notifications_enabled.unwrap_or(true),
            current_check_attempt: check.attempt,
            max_check_attempts: check.max_attempts,
            latency: 0,
            last_hard_state_change_in_words: clock.since(check.last_hard_state_change),
            last_state_change_in_words: clock.since(check.last_state_change),
            last_check_in_words: clock.words(check.last_check),
            next_check_in_words: clock.words(next),
            is_hardstate: hard,
            is_in_monitoring: true,
        }
    }
}

/// `Hoststatus` of a monitored host.
#[derive(Debug, Serialize)]
pub struct HostStatusBlock<'a> {
    #[serde(flatten)]
    common: CommonStatus<'a>,
    last_time_up: datefmt::DefaultDate,
    #[serde(rename = "humanState")]
    human_state: &'static str,
    #[serde(rename = "cssClass")]
    css_class: &'static str,
    #[serde(rename = "textClass")]
    text_class: &'static str,
    #[serde(rename = "outputHtml")]
    output_html: Html<'a>,
}

impl<'a> HostStatusBlock<'a> {
    /// The block of `check` (see [`CommonStatus::new`]).
    pub fn new(store: &impl Read, clock: &Clock, check: &'a CheckState, settings: &CheckSettings) -> HostStatusBlock<'a> {
        let (human, css) = match check.state.code() {
            0 => ("up", "bg-up"),
            1 => ("down", "bg-down"),
            _ => ("unreachable", "bg-unreachable"),
        };
        let last_up = if check.state.is_ok() { check.last_check } else { Timestamp(0) };
        HostStatusBlock {
            common: CommonStatus::new(store, clock, check, settings),
            last_time_up: clock.date(last_up),
            human_state: human,
            css_class: css,
            text_class: human,
            output_html: Html(&check.output),
        }
    }
}

/// `Hoststatus` of a monitored host.
pub fn host_status(call: &Call<'_>, check: &CheckState, settings: &CheckSettings) -> Value {
    to_value(&HostStatusBlock::new(call.db().as_ref(), &Clock::of(call), check, settings))
}

/// `Servicestatus` of a monitored service.
#[derive(Debug, Serialize)]
pub struct ServiceStatusBlock<'a> {
    #[serde(flatten)]
    common: CommonStatus<'a>,
    #[serde(rename = "processPerformanceData")]
    process_performance_data: (),
    perfdata: &'a str,
    last_time_ok: datefmt::DefaultDate,
    #[serde(rename = "humanState")]
    human_state: &'static str,
    #[serde(rename = "cssClass")]
    css_class: &'static str,
    #[serde(rename = "textClass")]
    text_class: &'static str,
    #[serde(rename = "outputHtml")]
    output_html: Html<'a>,
}

impl<'a> ServiceStatusBlock<'a> {
    /// The block of `check` (see [`CommonStatus::new`]).
    pub fn new(store: &impl Read, clock: &Clock, check: &'a CheckState, settings: &CheckSettings) -> ServiceStatusBlock<'a> {
        let (human, css) = match check.state.code() {
            0 => ("ok", "bg-ok"),
            1 => ("warning", "bg-warning"),
            2 => ("critical", "bg-critical"),
            _ => ("unknown", "bg-unknown"),
        };
        let last_ok = if check.state.is_ok() { check.last_check } else { Timestamp(0) };
        ServiceStatusBlock {
            common: CommonStatus::new(store, clock, check, settings),
            process_performance_data: (),
            perfdata: &check.perfdata,
            last_time_ok: clock.date(last_ok),
            human_state: human,
            css_class: css,
            text_class: human,
            output_html: Html(&check.output),
        }
    }
}

/// `Servicestatus` of a monitored service.
pub fn service_status(call: &Call<'_>, check: &CheckState, settings: &CheckSettings) -> Value {
    to_value(&ServiceStatusBlock::new(call.db().as_ref(), &Clock::of(call), check, settings))
}

/// A downtime in the `DowntimeHost`/`DowntimeService`/`Downtime` shape.
#[derive(Debug, Serialize)]
pub struct DowntimeBlock<'a> {
    #[serde(rename = "authorName")]
    author_name: &'a str,
    #[serde(rename = "commentData")]
    comment_data: &'a str,
    #[serde(rename = "entryTime")]
    entry_time: datefmt::DefaultDate,
    #[serde(rename = "scheduledStartTime")]
    scheduled_start_time: datefmt::DefaultDate,
    #[serde(rename = "scheduledEndTime")]
    scheduled_end_time: datefmt::DefaultDate,
    #[serde(rename = "actualEndTime")]
    actual_end_time: datefmt::DefaultDate,
    duration: i64,
    #[serde(rename = "durationHuman")]
    duration_human: datefmt::ShortDuration,
    #[serde(rename = "wasStarted")]
    was_started: bool,
    #[serde(rename = "internalDowntimeId")]
    internal_downtime_id: Id,
    #[serde(rename = "downtimehistoryId")]
    downtimehistory_id: Id,
    #[serde(rename = "wasCancelled")]
    was_cancelled: bool,
    #[serde(rename = "allowEdit")]
    allow_edit: bool,
    #[serde(rename = "isCancellable")]
    is_cancellable: bool,
    #[serde(rename = "isRunning")]
    is_running: bool,
    #[serde(rename = "isExpired")]
    is_expired: bool,
}

impl<'a> DowntimeBlock<'a> {
    /// The block of `downtime`; `allow_edit` when the caller may change its object.
    pub fn new(clock: &Clock, downtime: &'a Downtime, allow_edit: bool) -> DowntimeBlock<'a> {
        let now = clock.now;
        DowntimeBlock {
            author_name: &downtime.author,
            comment_data: &downtime.comment,
            entry_time: clock.date(downtime.meta.created),
            scheduled_start_time: clock.date(downtime.start),
            scheduled_end_time: clock.date(downtime.end),
            actual_end_time: clock.date(downtime.actual_end.unwrap_or(Timestamp(0))),
            duration: downtime.duration,
            duration_human: datefmt::ShortDuration(downtime.duration),
            was_started: downtime.actual_start.is_some(),
            internal_downtime_id: downtime.meta.id,
            downtimehistory_id: downtime.meta.id,
            was_cancelled: downtime.cancelled,
            allow_edit,
            is_cancellable: allow_edit && !downtime.is_finished(now),
            is_running: downtime.is_active(now) && downtime.actual_start.is_some(),
            is_expired: !downtime.cancelled && now >= downtime.end,
        }
    }
}

/// A downtime in the `DowntimeHost`/`DowntimeService`/`Downtime` shape.
pub fn downtime(call: &Call<'_>, downtime: &Downtime, allow_edit: bool) -> Value {
    to_value(&DowntimeBlock::new(&Clock::of(call), downtime, allow_edit))
}

/// An acknowledgement in the `AcknowledgedHost`/`Acknowledgement` shape.
#[derive(Debug, Serialize)]
pub struct AcknowledgementBlock<'a> {
    acknowledgement_type: u8,
    author_name: &'a str,
    comment_data: Html<'a>,
    entry_time: datefmt::DefaultDate,
    is_sticky: bool,
    notify_contacts: bool,
    persistent_comment: bool,
    state: u8,
    #[serde(rename = "allowEdit")]
    allow_edit: bool,
}

impl<'a> AcknowledgementBlock<'a> {
    /// The block of `ack`; `allow_edit` when the caller may change its object.
    pub fn new(clock: &Clock, ack: &'a Acknowledgement, allow_edit: bool) -> AcknowledgementBlock<'a> {
        AcknowledgementBlock {
            acknowledgement_type: if ack.sticky { 2 } else { 1 },
            author_name: &ack.author,
            comment_data: Html(&ack.comment),
            entry_time: clock.date(ack.time),
            is_sticky: ack.sticky,
            notify_contacts: ack.notify,
            persistent_comment: ack.persistent,
            state: ack.state.code(),
            allow_edit,
        }
    }
}

/// An acknowledgement in the `AcknowledgedHost`/`Acknowledgement` shape.
pub fn acknowledgement(call: &Call<'_>, ack: &Acknowledgement, allow_edit: bool) -> Value {
    to_value(&AcknowledgementBlock::new(&Clock::of(call), ack, allow_edit))
}

/// A typed block as a JSON value (for answers still built as values).
fn to_value(block: &impl Serialize) -> Value {
    serde_json::to_value(block).unwrap_or(Value::Null)
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
