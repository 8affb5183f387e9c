//! Events: every state change, acknowledgement, downtime transition and posted event.

use std::sync::Arc;

use rosetta_model::{Event, Host, Parameter, Service};
use rosetta_store::Read;

use super::{emit_service_type, service_type, DEFAULT_LOCATION};
use crate::emit::{Emit, ObjBuilder, Scalar};
use crate::filter::{PropType, PropValue};
use crate::search::{ip_value, opt_text, prop, text_value, Prop, Schema};
use crate::wire::Obj;

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

    /// The wire form as a tree.
    pub fn to_obj(&self) -> Obj {
        ObjBuilder::build(|builder| self.emit(builder))
    }

    /// Describes the wire form to `out`.
    pub fn emit<E: Emit>(&self, out: &mut E) {
        let event = &self.event;
        out.attr("id", event.meta.id.into());
        out.attr("severity", event.severity.label().into());
        out.attr("log", "Y".into());
        out.attr("display", "Y".into());
        out.elem("uei", (&event.uei).into());
        out.elem("time", Scalar::Time(event.time.millis()));
        out.elem("createTime", Scalar::Time(event.meta.created.millis()));
        out.text_nonempty("source", &event.source);
        out.elem_opt("ipAddress", event.ip_address.as_deref().filter(|ip| !ip.is_empty()));
        if let Some((id, name)) = &self.service_type {
            emit_service_type(out, *id, name);
        }
        emit_parameters(out, &event.parameters);
        out.text_nonempty("description", &event.description);
        out.text_nonempty("logMessage", &event.log_message);
        out.elem_opt("nodeId", self.host.as_ref().map(|host| host.meta.id));
        out.elem_opt("nodeLabel", self.host.as_ref().map(|host| host.name.as_str()));
        out.elem("location", DEFAULT_LOCATION.into());
        out.elem_opt("ackUser", event.ack_user.as_deref());
        if let Some(time) = event.ack_time {
            out.elem("ackTime", Scalar::Time(time.millis()));
        }
    }
}

/// Describes event or alarm parameters to `out`.
pub fn emit_parameters<E: Emit>(out: &mut E, parameters: &[Parameter]) {
    out.list("parameters", Some("parameter"), parameters, |out, parameter| {
        out.attr("name", (&parameter.name).into());
        out.attr("value", (&parameter.value).into());
        out.attr("type", (&parameter.kind).into());
    });
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
