//! Alarms: events reduced by reduction key (written by `rosetta_core::monitoring`).

use std::sync::Arc;

use rosetta_model::{Alarm, Event, Host, HostGroup, Memo, Service};
use rosetta_store::Read;

use super::event::{emit_parameters, EventRow};
use super::{categories, emit_service_type, foreign_source, service_type, DEFAULT_LOCATION};
use crate::emit::{Emit, Scalar};
use crate::filter::{PropType, PropValue};
use crate::search::{ip_value, opt_text, prop, text_value, Prop, Schema};

/// OpenNMS trouble ticket states (`TroubleTicketState`), by index.
pub const TICKET_STATES: &[&str] = &[
    "OPEN",
    "CREATE_PENDING",
    "CREATE_FAILED",
    "UPDATE_PENDING",
    "UPDATE_FAILED",
    "CLOSED",
    "CLOSE_PENDING",
    "CLOSE_FAILED",
    "RESOLVED",
    "RESOLVE_PENDING",
    "RESOLVE_FAILED",
    "CANCELLED",
    "CANCEL_PENDING",
    "CANCEL_FAILED",
];

/// An alarm with its node, service type and last event.
#[derive(Debug, Clone)]
pub struct AlarmRow {
    /// The alarm.
    pub alarm: Arc<Alarm>,
    /// Its node.
    pub host: Option<Arc<Host>>,
    /// The node's foreign source.
    pub foreign_source: Option<String>,
    /// The node's categories.
    pub categories: Vec<Arc<HostGroup>>,
    /// Its service type (id, name).
    pub service_type: Option<(i64, String)>,
    /// The last event reduced into it.
    pub last_event: Option<EventRow>,
}

impl AlarmRow {
    /// The row of an alarm.
    pub fn new(store: &impl Read, alarm: Arc<Alarm>) -> AlarmRow {
        let host = alarm.host.and_then(|id| store.get::<Host>(id));
        AlarmRow::with_host(store, alarm, host)
    }

    /// The row of an alarm whose node has already been looked up.
    pub fn with_host(store: &impl Read, alarm: Arc<Alarm>, host: Option<Arc<Host>>) -> AlarmRow {
        let own_type = alarm.service.and_then(|id| store.get::<Service>(id)).map(|s| service_type(store, &s));
        // The last event is nearly always about the alarm's own node and service: reuse their lookups.
        let last_event = store.get::<Event>(alarm.last_event).map(|event| {
            let event_host =
                if event.host == alarm.host { host.clone() } else { event.host.and_then(|id| store.get::<Host>(id)) };
            let event_type = if event.service == alarm.service {
                own_type.clone()
            } else {
                event.service.and_then(|id| store.get::<Service>(id)).map(|s| service_type(store, &s))
            };
            EventRow { event, host: event_host, service_type: event_type }
        });
        AlarmRow {
            foreign_source: host.as_ref().map(|host| foreign_source(store, host)),
            categories: host.as_ref().map(|host| categories(store, host)).unwrap_or_default(),
            host,
            service_type: own_type,
            last_event,
            alarm,
        }
    }

    /// Describes the wire form to `out`.
    pub fn emit<E: Emit>(&self, out: &mut E) {
        let alarm = &self.alarm;
        out.attr("id", alarm.meta.id.into());
        out.attr("type", alarm.alarm_type.into());
        out.attr("count", alarm.count.into());
        out.attr("severity", alarm.severity.label().into());
        out.elem("uei", (&alarm.uei).into());
        out.elem("location", DEFAULT_LOCATION.into());
        out.elem_opt("nodeId", self.host.as_ref().map(|host| host.meta.id));
        out.elem_opt("nodeLabel", self.host.as_ref().map(|host| host.name.as_str()));
        out.elem_opt("ipAddress", alarm.ip_address.as_deref().filter(|ip| !ip.is_empty()));
        if let Some((id, name)) = &self.service_type {
            emit_service_type(out, *id, name);
        }
        out.elem("reductionKey", (&alarm.reduction_key).into());
        out.elem("firstEventTime", Scalar::Time(alarm.first_event_time.millis()));
        out.elem("lastEventTime", Scalar::Time(alarm.last_event_time.millis()));
        out.text_nonempty("description", &alarm.description);
        out.text_nonempty("logMessage", &alarm.log_message);
        out.elem_opt("troubleTicket", alarm.ticket_id.as_ref());
        out.elem_opt("troubleTicketState", alarm.ticket_state);
        out.elem_opt("ackUser", alarm.ack_user.as_ref());
        if let Some(time) = alarm.ack_time {
            out.elem("ackTime", Scalar::Time(time.millis()));
        }
        if let Some(event) = &self.last_event {
            out.object("lastEvent", |out| event.emit(out));
        }
        emit_parameters(out, &alarm.parameters);
        if let Some(memo) = &alarm.sticky_memo {
            out.object("stickyMemo", |out| emit_memo(out, memo, None));
        }
        if let Some(memo) = &alarm.journal_memo {
            out.object("reductionKeyMemo", |out| emit_memo(out, memo, Some(&alarm.reduction_key)));
        }
        out.elem("affectedNodeCount", usize::from(self.host.is_some()).into());
    }
}

fn emit_memo<E: Emit>(out: &mut E, memo: &Memo, reduction_key: Option<&str>) {
    out.attr("id", memo.id.into());
    out.elem("body", (&memo.body).into());
    out.elem("author", (&memo.author).into());
    out.elem("created", Scalar::Time(memo.created.millis()));
    out.elem("updated", Scalar::Time(memo.updated.millis()));
    out.elem_opt("reductionKey", reduction_key);
}

const ALARM_PROPS: &[Prop] = &[
    prop("id", "ID", PropType::Int),
    prop("uei", "UEI", PropType::Str),
    prop("severity", "Severity", PropType::Severity),
    prop("reductionKey", "Reduction Key", PropType::Str),
    prop("alarmType", "Alarm Type", PropType::Int),
    prop("counter", "Event Count", PropType::Int),
    prop("firstEventTime", "First Event Time", PropType::Time),
    prop("lastEventTime", "Last Event Time", PropType::Time),
    prop("alarmAckTime", "Acknowledged Time", PropType::Time),
    prop("alarmAckUser", "Acknowledging User", PropType::Str),
    prop("description", "Description", PropType::Str),
    prop("logMsg", "Log Message", PropType::Str),
    prop("ipAddr", "IP Address", PropType::Ip),
    prop("tTicketId", "Trouble Ticket ID", PropType::Str),
    prop("tTicketState", "Trouble Ticket State", PropType::Int),
    prop("isSituation", "Is Situation", PropType::Bool),
    prop("node.id", "Node ID", PropType::Int),
    prop("node.label", "Node Label", PropType::Str),
    prop("node.foreignSource", "Foreign Source", PropType::Str),
    prop("node.foreignId", "Foreign ID", PropType::Str),
    prop("category.name", "Category", PropType::Str),
    prop("location.locationName", "Location", PropType::Str),
    prop("ipInterface.ipAddress", "Interface IP Address", PropType::Ip),
    prop("serviceType.name", "Service", PropType::Str),
    prop("serviceType.id", "Service Type ID", PropType::Int),
    prop("lastEvent.id", "Last Event ID", PropType::Int),
    prop("lastEvent.eventUei", "Last Event UEI", PropType::Str),
];

/// The alarm search schema (v2 ids; v1 aliases `alarmId`, `nodeId`, `nodeLabel`, ...).
pub const ALARM_SCHEMA: Schema<AlarmRow> = Schema {
    props: ALARM_PROPS,
    aliases: &[
        ("alarmId", "id"),
        ("nodeId", "node.id"),
        ("nodeLabel", "node.label"),
        ("type", "alarmType"),
        ("count", "counter"),
        ("ackUser", "alarmAckUser"),
        ("ackTime", "alarmAckTime"),
        ("logMessage", "logMsg"),
        ("ipAddress", "ipAddr"),
        ("troubleTicket", "tTicketId"),
        ("troubleTicketState", "tTicketState"),
        ("location", "location.locationName"),
        ("serviceType", "serviceType.name"),
    ],
    prefixes: &["alarm."],
    lookup: alarm_value,
};

fn alarm_value(row: &AlarmRow, id: &str) -> PropValue {
    if let Some(value) = own_value(&row.alarm, row.host.as_deref(), id) {
        return value;
    }
    match id {
        "node.foreignSource" => opt_text(row.foreign_source.as_deref()),
        "category.name" => PropValue::List(row.categories.iter().map(|g| PropValue::Str(g.name.clone())).collect()),
        "serviceType.name" => opt_text(row.service_type.as_ref().map(|(_, name)| name.as_str())),
        "serviceType.id" => row.service_type.as_ref().map_or(PropValue::Null, |(id, _)| PropValue::Int(*id)),
        "lastEvent.eventUei" => opt_text(row.last_event.as_ref().map(|event| event.event.uei.as_str())),
        _ => PropValue::Null,
    }
}

/// The value of a property that needs nothing but the alarm and its node; `None` for the properties that
/// need the rest of an [`AlarmRow`] (foreign source, categories, service type, last event) and for
/// unknown ones, so a list can filter and order on this without building rows.
pub fn own_value(alarm: &Alarm, host: Option<&Host>, id: &str) -> Option<PropValue> {
    Some(match id {
        "id" => PropValue::Int(alarm.meta.id),
        "uei" => PropValue::Str(alarm.uei.clone()),
        "severity" => PropValue::Severity(alarm.severity.id()),
        "reductionKey" => PropValue::Str(alarm.reduction_key.clone()),
        "alarmType" => PropValue::Int(i64::from(alarm.alarm_type)),
        "counter" => PropValue::Int(i64::from(alarm.count)),
        "firstEventTime" => PropValue::Time(alarm.first_event_time.millis()),
        "lastEventTime" => PropValue::Time(alarm.last_event_time.millis()),
        "alarmAckTime" => alarm.ack_time.map_or(PropValue::Null, |time| PropValue::Time(time.millis())),
        "alarmAckUser" => opt_text(alarm.ack_user.as_deref()),
        "description" => text_value(&alarm.description),
        "logMsg" => text_value(&alarm.log_message),
        "ipAddr" | "ipInterface.ipAddress" => alarm.ip_address.as_deref().map_or(PropValue::Null, ip_value),
        "tTicketId" => opt_text(alarm.ticket_id.as_deref()),
        "tTicketState" => alarm.ticket_state.map_or(PropValue::Null, |state| PropValue::Int(i64::from(state))),
        "isSituation" => PropValue::Bool(false),
        "node.id" => host.map_or(PropValue::Null, |host| PropValue::Int(host.meta.id)),
        "node.label" => opt_text(host.map(|host| host.name.as_str())),
        "node.foreignId" => opt_text(host.map(super::foreign_id).as_deref()),
        "location.locationName" => PropValue::Str(DEFAULT_LOCATION.to_owned()),
        "lastEvent.id" => PropValue::Int(alarm.last_event),
        _ => return None,
    })
}
