//! Outages: a service (or node) down from one event to the recovery.

use std::sync::Arc;

use rosetta_model::{Event, Host, Outage, Service};
use rosetta_store::Read;

use super::event::EventRow;
use super::node::{NodeRow, ServiceRow};
use super::DEFAULT_LOCATION;
use crate::filter::{PropType, PropValue};
use crate::search::{ip_value, opt_text, prop, Prop, Schema};
use crate::wire::{Obj, Val};

/// An outage with its node, service and events.
#[derive(Debug, Clone)]
pub struct OutageRow {
    /// The outage.
    pub outage: Arc<Outage>,
    /// Its node.
    pub node: Option<NodeRow>,
    /// Its service.
    pub service: Option<ServiceRow>,
    /// The event that opened it.
    pub lost_event: Option<EventRow>,
    /// The event that closed it.
    pub regained_event: Option<EventRow>,
}

impl OutageRow {
    /// The row of an outage.
    pub fn new(store: &impl Read, outage: Arc<Outage>) -> OutageRow {
        let node = store.get::<Host>(outage.host).map(|host| NodeRow::new(store, host));
        let service = match (&node, outage.service.and_then(|id| store.get::<Service>(id))) {
            (Some(node), Some(service)) => Some(ServiceRow::new(store, node, service)),
            _ => None,
        };
        let event = |id: Option<i64>| id.and_then(|id| store.get::<Event>(id)).map(|e| EventRow::new(store, e));
        OutageRow {
            lost_event: event(Some(outage.lost_event)),
            regained_event: event(outage.regained_event),
            node,
            service,
            outage,
        }
    }

    /// The wire form.
    pub fn to_obj(&self) -> Obj {
        let outage = &self.outage;
        let host = self.node.as_ref().map(|node| &node.host);
        Obj::new()
            .attr("id", outage.meta.id)
            .elem("ifLostService", Val::Time(outage.lost_time.millis()))
            .elem_opt("ifRegainedService", outage.regained_time.map(|time| Val::Time(time.millis())))
            .elem_opt("serviceLostEvent", self.lost_event.as_ref().map(EventRow::to_obj))
            .elem_opt("serviceRegainedEvent", self.regained_event.as_ref().map(EventRow::to_obj))
            .elem_opt("monitoredService", self.service.as_ref().map(ServiceRow::to_obj))
            .elem_opt("nodeId", host.map(|host| host.meta.id))
            .elem_opt("nodeLabel", host.map(|host| host.name.clone()))
            .elem_opt("foreignSource", self.node.as_ref().map(|node| node.foreign_source.clone()))
            .elem_opt("foreignId", self.node.as_ref().map(|node| node.foreign_id.clone()))
            .elem("locationName", DEFAULT_LOCATION)
            .elem_opt("ipAddress", host.map(|host| host.address.clone()).filter(|ip| !ip.is_empty()))
            .elem_opt("serviceId", outage.service)
    }
}

const OUTAGE_PROPS: &[Prop] = &[
    prop("id", "ID", PropType::Int),
    prop("ifLostService", "Lost Service Time", PropType::Time),
    prop("ifRegainedService", "Regained Service Time", PropType::Time),
    prop("node.id", "Node ID", PropType::Int),
    prop("node.label", "Node Label", PropType::Str),
    prop("node.foreignSource", "Foreign Source", PropType::Str),
    prop("node.foreignId", "Foreign ID", PropType::Str),
    prop("ipInterface.ipAddress", "IP Address", PropType::Ip),
    prop("serviceType.name", "Service", PropType::Str),
    prop("perspective", "Perspective", PropType::Str),
];

/// The outage search schema.
pub const OUTAGE_SCHEMA: Schema<OutageRow> = Schema {
    props: OUTAGE_PROPS,
    aliases: &[
        ("nodeId", "node.id"),
        ("nodeLabel", "node.label"),
        ("ipAddress", "ipInterface.ipAddress"),
        ("monitoredService.serviceType.name", "serviceType.name"),
    ],
    prefixes: &["outage."],
    lookup: outage_value,
};

fn outage_value(row: &OutageRow, id: &str) -> PropValue {
    let outage = &row.outage;
    let node = row.node.as_ref();
    match id {
        "id" => PropValue::Int(outage.meta.id),
        "ifLostService" => PropValue::Time(outage.lost_time.millis()),
        "ifRegainedService" => outage.regained_time.map_or(PropValue::Null, |time| PropValue::Time(time.millis())),
        "node.id" => PropValue::Int(outage.host),
        "node.label" => opt_text(node.map(|node| node.host.name.as_str())),
        "node.foreignSource" => opt_text(node.map(|node| node.foreign_source.as_str())),
        "node.foreignId" => opt_text(node.map(|node| node.foreign_id.as_str())),
        "ipInterface.ipAddress" => node.map_or(PropValue::Null, |node| ip_value(&node.host.address)),
        "serviceType.name" => opt_text(row.service.as_ref().map(|service| service.type_name.as_str())),
        _ => PropValue::Null,
    }
}
