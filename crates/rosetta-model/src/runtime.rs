//! What monitoring observes and operators do: events, alarms, outages, downtimes, acknowledgements,
//! the audit log and the configuration (reload) status.

use serde::{Deserialize, Serialize};

use crate::{Id, Meta, Severity, StateType, StateValue, Target, Timestamp};

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A host or service changed state (Opsview event type 0).
    StateChange,
    /// A problem was acknowledged (1).
    Acknowledgement,
    /// A downtime started (2).
    DowntimeStart,
    /// A downtime ended or was cancelled (3).
    DowntimeEnd,
    /// A notification went out (4).
    Notification,
    /// An event posted by a client (OpenNMS `POST /events`) that changed no state.
    Posted,
    /// A configuration change (node added, deleted, ...).
    Configuration,
}

/// A name/value parameter of an event or alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
    /// OpenNMS type (`string`, `int`).
    #[serde(default = "Parameter::default_type")]
    pub kind: String,
}

impl Parameter {
    fn default_type() -> String {
        "string".to_owned()
    }
}

/// One event: every state change, acknowledgement, downtime transition and posted event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Identity; ids grow with time.
    pub meta: Meta,
    /// When it happened.
    pub time: Timestamp,
    /// What it records.
    pub kind: EventKind,
    /// OpenNMS UEI (`uei.opennms.org/nodes/nodeDown`).
    pub uei: String,
    /// The host it concerns.
    #[serde(default)]
    pub host: Option<Id>,
    /// The service it concerns.
    #[serde(default)]
    pub service: Option<Id>,
    /// New state, for state changes.
    #[serde(default)]
    pub state: Option<StateValue>,
    /// State type, for state changes.
    #[serde(default)]
    pub state_type: Option<StateType>,
    /// OpenNMS severity.
    pub severity: Severity,
    /// Who or what sent it (`ReST`, `opsview`, a user name).
    #[serde(default)]
    pub source: String,
    /// Plugin output or description.
    #[serde(default)]
    pub description: String,
    /// Short log message.
    #[serde(default)]
    pub log_message: String,
    /// Author (acknowledgements, downtimes).
    #[serde(default)]
    pub author: String,
    /// Comment (acknowledgements, downtimes).
    #[serde(default)]
    pub comment: String,
    /// Interface address the event names.
    #[serde(default)]
    pub ip_address: Option<String>,
    /// Extra parameters.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// The dialect the event came in through.
    #[serde(default)]
    pub dialect: String,
    /// Who acknowledged the event (OpenNMS event acknowledgement), if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_user: Option<String>,
    /// When the event was acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_time: Option<Timestamp>,
}

/// A note on an alarm (OpenNMS sticky memo or journal memo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memo {
    /// Id.
    pub id: Id,
    /// Who wrote it.
    pub author: String,
    /// Text.
    pub body: String,
    /// Created.
    pub created: Timestamp,
    /// Last updated.
    pub updated: Timestamp,
}

/// An alarm: events reduced OpenNMS-style, one per reduction key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    /// Identity.
    pub meta: Meta,
    /// Reduction key (`uei.opennms.org/nodes/nodeLostService::<node>:<ip>:<service>`).
    pub reduction_key: String,
    /// UEI of the last event.
    pub uei: String,
    /// 1 problem, 2 resolution, 3 problem without resolution.
    pub alarm_type: u8,
    /// Current severity (CLEARED once resolved).
    pub severity: Severity,
    /// Number of events reduced into this alarm.
    pub count: u32,
    /// First event time.
    pub first_event_time: Timestamp,
    /// Last event time.
    pub last_event_time: Timestamp,
    /// The last event reduced into the alarm.
    pub last_event: Id,
    /// The host it concerns.
    #[serde(default)]
    pub host: Option<Id>,
    /// The service it concerns.
    #[serde(default)]
    pub service: Option<Id>,
    /// Description (from the last event).
    #[serde(default)]
    pub description: String,
    /// Log message (from the last event).
    #[serde(default)]
    pub log_message: String,
    /// Who acknowledged it.
    #[serde(default)]
    pub ack_user: Option<String>,
    /// When it was acknowledged.
    #[serde(default)]
    pub ack_time: Option<Timestamp>,
    /// Trouble ticket id.
    #[serde(default)]
    pub ticket_id: Option<String>,
    /// Trouble ticket state (OpenNMS enum index).
    #[serde(default)]
    pub ticket_state: Option<u8>,
    /// Sticky memo.
    #[serde(default)]
    pub sticky_memo: Option<Memo>,
    /// Journal memo.
    #[serde(default)]
    pub journal_memo: Option<Memo>,
    /// Interface address.
    #[serde(default)]
    pub ip_address: Option<String>,
    /// Parameters of the last event.
    #[serde(default)]
    pub parameters: Vec<crate::Parameter>,
}

/// An outage: a service (or host) down from one event to the recovery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outage {
    /// Identity.
    pub meta: Meta,
    /// The host.
    pub host: Id,
    /// The service; `None` for a host outage.
    #[serde(default)]
    pub service: Option<Id>,
    /// Event that opened it.
    pub lost_event: Id,
    /// When it opened.
    pub lost_time: Timestamp,
    /// Event that closed it.
    #[serde(default)]
    pub regained_event: Option<Id>,
    /// When it closed; `None` while open.
    #[serde(default)]
    pub regained_time: Option<Timestamp>,
}

/// A scheduled downtime of one host or service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Downtime {
    /// Identity.
    pub meta: Meta,
    /// What is down.
    pub target: Target,
    /// The host of the target (the target itself for a host downtime), for the per-host index.
    #[serde(default)]
    pub host: Id,
    /// Scheduled start.
    pub start: Timestamp,
    /// Scheduled end.
    pub end: Timestamp,
    /// Fixed (start..end) or flexible (`duration` seconds once a problem starts).
    pub fixed: bool,
    /// Length in seconds.
    pub duration: i64,
    /// Who scheduled it.
    pub author: String,
    /// Why.
    pub comment: String,
    /// When it actually started; `None` until then.
    #[serde(default)]
    pub actual_start: Option<Timestamp>,
    /// When it actually ended; `None` while pending or running.
    #[serde(default)]
    pub actual_end: Option<Timestamp>,
    /// True when cancelled before its end.
    #[serde(default)]
    pub cancelled: bool,
    /// Downtimes created together share a group id (host group downtimes, host with services).
    #[serde(default)]
    pub group: Option<Id>,
}

impl Downtime {
    /// True while the downtime is in force at `now`.
    pub fn is_active(&self, now: Timestamp) -> bool {
        !self.cancelled && self.actual_end.is_none() && self.start <= now && now < self.end
    }

    /// True once the downtime is over (ended, expired or cancelled).
    pub fn is_finished(&self, now: Timestamp) -> bool {
        self.cancelled || self.actual_end.is_some() || now >= self.end
    }
}

/// An acknowledgement of a problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// Identity.
    pub meta: Meta,
    /// What is acknowledged.
    pub target: Target,
    /// Who.
    pub author: String,
    /// Why.
    pub comment: String,
    /// Sticky: survives changes between problem states until recovery.
    pub sticky: bool,
    /// Notify contacts.
    pub notify: bool,
    /// Keep the comment after the acknowledgement ends.
    pub persistent: bool,
    /// When.
    pub time: Timestamp,
    /// The state that was acknowledged.
    pub state: StateValue,
    /// When it stopped being in force (removed, or ended by a state change); `None` while in force.
    #[serde(default)]
    pub ended: Option<Timestamp>,
}

/// One audit-log entry: who changed what, when and through which dialect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Identity.
    pub meta: Meta,
    /// When.
    pub time: Timestamp,
    /// Login of the acting user (`system` for the gateway itself).
    pub user: String,
    /// Dialect the request came through (`opsview`, `cli`, ...).
    pub dialect: String,
    /// What was done (`create`, `update`, `delete`, `login`, `reload`, ...).
    pub action: String,
    /// The kind of object, if any.
    #[serde(default)]
    pub object_kind: Option<String>,
    /// The object id, if any.
    #[serde(default)]
    pub object_id: Option<Id>,
    /// Human-readable detail; never contains secrets.
    #[serde(default)]
    pub detail: String,
}

/// Configuration status: whether configuration changed since the last reload (export).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigStatus {
    /// Identity; there is exactly one, id 1.
    pub meta: Meta,
    /// True when a configuration write happened since the last reload.
    pub pending: bool,
    /// Last configuration change.
    pub last_change: Timestamp,
    /// Last completed reload.
    pub last_reload: Timestamp,
    /// Start of the reload in progress; `None` when idle.
    #[serde(default)]
    pub reload_started: Option<Timestamp>,
    /// Who started the reload in progress or the last one.
    #[serde(default)]
    pub reload_user: String,
    /// Average reload duration in milliseconds.
    #[serde(default)]
    pub average_duration_ms: i64,
    /// Number of completed reloads.
    #[serde(default)]
    pub reloads: u64,
    /// Audit entries written since the last reload.
    #[serde(default)]
    pub changes_since_reload: u64,
}
