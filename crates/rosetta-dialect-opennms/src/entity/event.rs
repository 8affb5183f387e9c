//! Events: every state change, acknowledgement, downtime transition and posted event.

use std::sync::Arc;

use rosetta_model::{Event, Host, Parameter, Service};
use rosetta_store::Read;

use super::{service_type, service_type_obj, DEFAULT_LOCATION};
use crate::filter::{PropType, PropValue};
use crate::search::{ip_value, opt_text, prop, text_value, Prop, Schema};
use crate::wire::{Obj, Val};

/// An event with its node and service.
#[derive(Debug, Clone)]
pub struct EventRow {
    /// The event.
    pub event: Arc<Event>,
    /// Its node.
    pub host: Option<Arc<Host>>,
    /// Its service type (id, name).
    pub service_type: Option<(i64, String)>,
}

impl EventRow {
    /// The row of an event.
    pub fn new(store: &impl Read, event: Arc<Event>) -> EventRow {
        let host = event.host.and_then(|id| store.get::<Host>(id));
        let service_type = event.service.and_then(|id| store.get::<Service>(id)).map(|s| service_type(store, &s));
        EventRow { event, host, service_type }
    }

    /// The wire form.
    pub fn to_obj(&self) -> Obj {
        let event = &self.event;
        Obj::new()
            .attr("id", event.meta.id)
            .attr("severity", event.severity.label())
            .attr("log", "Y")
            .attr("display", "Y")
            .elem("uei", &event.uei)
            .elem("time", Val::Time(event.time.millis()))
            .elem("createTime", Val::Time(event.meta.created.millis()))
            .text_nonempty("source", &event.source)
            .elem_opt("ipAddress", event.ip_address.as_deref().filter(|ip| !ip.is_empty()))
            .elem_opt("serviceType", self.service_type.as_ref().map(|(id, name)| service_type_obj(*id, name)))
            .list("parameters", Some("parameter"), parameters(&event.parameters))
            .text_nonempty("description", &event.description)
            .text_nonempty("logMessage", &event.log_message)
            .elem_opt("nodeId", self.host.as_ref().map(|host| host.meta.id))
            .elem_opt("nodeLabel", self.host.as_ref().map(|host| host.name.clone()))
            .elem("location", DEFAULT_LOCATION)
            .elem_opt("ackUser", event.ack_user.as_deref())
            .elem_opt("ackTime", event.ack_time.map(|time| Val::Time(time.millis())))
    }
}

/// The wire form of event or alarm parameters.
pub fn parameters(parameters: &[Parameter]) -> Vec<Val> {
    parameters
        .iter()
        .map(|p| Val::Obj(Obj::new().attr("name", &p.name).attr("value", &p.value).attr("type", &p.kind)))
        .collect()
}

const EVENT_PROPS: &[Prop] = &[
    prop("id", "ID", PropType::Int),
    prop("eventUei", "UEI", PropType::Str),
    prop("eventTime", "Time", PropType::Time),
    prop("eventCreateTime", "Creation Time", PropType::Time),
    prop("eventSeverity", "Severity", PropType::Severity),
    prop("eventSource", "Source", PropType::Str),
    prop("eventDescr", "Description", PropType::Str),
    prop("eventLogMsg", "Log Message", PropType::Str),
    prop("eventAckUser", "Acknowledged By", PropType::Str),
    prop("eventAckTime", "Acknowledged Time", PropType::Time),
    prop("ipAddr", "IP Address", PropType::Ip),
    prop("node.id", "Node ID", PropType::Int),
    prop("node.label", "Node Label", PropType::Str),
    prop("serviceType.name", "Service", PropType::Str),
];

/// The event search schema.
pub const EVENT_SCHEMA: Schema<EventRow> = Schema {
    props: EVENT_PROPS,
    aliases: &[
        ("uei", "eventUei"),
        ("time", "eventTime"),
        ("createTime", "eventCreateTime"),
        ("severity", "eventSeverity"),
        ("source", "eventSource"),
        ("description", "eventDescr"),
        ("logMessage", "eventLogMsg"),
        ("ackUser", "eventAckUser"),
        ("ackTime", "eventAckTime"),
        ("ipAddress", "ipAddr"),
        ("ipInterface.ipAddress", "ipAddr"),
        ("nodeId", "node.id"),
        ("nodeLabel", "node.label"),
    ],
    prefixes: &["event."],
    lookup: event_value,
};

fn event_value(row: &EventRow, id: &str) -> PropValue {
    let event = &row.event;
    match id {
        "id" => PropValue::Int(event.meta.id),
        "eventUei" => PropValue::Str(event.uei.clone()),
        "eventTime" => PropValue::Time(event.time.millis()),
        "eventCreateTime" => PropValue::Time(event.meta.created.millis()),
        "eventSeverity" => PropValue::Severity(event.severity.id()),
        "eventSource" => text_value(&event.source),
        "eventDescr" => text_value(&event.description),
        "eventLogMsg" => text_value(&event.log_message),
        "eventAckUser" => opt_text(event.ack_user.as_deref()),
        "eventAckTime" => event.ack_time.map_or(PropValue::Null, |time| PropValue::Time(time.millis())),
        "ipAddr" => event.ip_address.as_deref().map_or(PropValue::Null, ip_value),
        "node.id" => row.host.as_ref().map_or(PropValue::Null, |host| PropValue::Int(host.meta.id)),
        "node.label" => opt_text(row.host.as_ref().map(|host| host.name.as_str())),
        "serviceType.name" => opt_text(row.service_type.as_ref().map(|(_, name)| name.as_str())),
        _ => PropValue::Null,
    }
}
