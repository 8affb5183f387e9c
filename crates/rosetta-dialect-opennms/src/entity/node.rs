//! Nodes (hosts) and what hangs off them: IP interfaces, SNMP interfaces (none), monitored
//! services, categories and the asset record.

use std::sync::Arc;

use rosetta_core::monitoring;
use rosetta_model::{Host, HostGroup, Id, Service, Target};
use rosetta_store::Read;

use super::{
    addresses, categories, category_obj, foreign_id, foreign_source, interface_id, native_text, service_type,
    service_type_obj, services_of, DEFAULT_LOCATION,
};
use crate::filter::{PropType, PropValue};
use crate::search::{ip_value, opt_text, prop, text_value, Prop, Schema};
use crate::wire::{Obj, Val};

/// Asset record fields (spec §2.5), stored as host variables `asset.<field>`.
pub const ASSET_FIELDS: &[&str] = &[
    "category",
    "manufacturer",
    "vendor",
    "modelNumber",
    "serialNumber",
    "description",
    "circuitId",
    "assetNumber",
    "operatingSystem",
    "rack",
    "slot",
    "port",
    "region",
    "division",
    "department",
    "building",
    "floor",
    "room",
    "vendorPhone",
    "vendorFax",
    "vendorAssetNumber",
    "username",
    "password",
    "enable",
    "connection",
    "autoenable",
    "lastModifiedBy",
    "dateInstalled",
    "lease",
    "leaseExpires",
    "supportPhone",
    "maintcontract",
    "maintContractNumber",
    "maintContractExpiration",
    "displayCategory",
    "notifyCategory",
    "pollerCategory",
    "thresholdCategory",
    "comment",
    "cpu",
    "ram",
    "storagectrl",
    "hdd1",
    "hdd2",
    "hdd3",
    "hdd4",
    "hdd5",
    "hdd6",
    "numpowersupplies",
    "inputpower",
    "additionalhardware",
    "admin",
    "snmpcommunity",
    "rackunitheight",
    "managedObjectType",
    "managedObjectInstance",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "country",
    "latitude",
    "longitude",
];

/// Writable node properties kept as `opennms.<name>` native fields (besides `label`).
pub const NODE_TEXT_FIELDS: &[&str] = &[
    "sysObjectId",
    "sysName",
    "sysDescription",
    "sysLocation",
    "sysContact",
    "netBIOSName",
    "netBIOSDomainName",
    "operatingSystem",
    "labelSource",
];

/// A node with what its wire form and filters need.
#[derive(Debug, Clone)]
pub struct NodeRow {
    /// The host.
    pub host: Arc<Host>,
    /// Foreign source.
    pub foreign_source: String,
    /// Foreign id.
    pub foreign_id: String,
    /// Categories.
    pub categories: Vec<Arc<HostGroup>>,
}

impl NodeRow {
    /// The row of a host.
    pub fn new(store: &impl Read, host: Arc<Host>) -> NodeRow {
        NodeRow {
            foreign_source: foreign_source(store, &host),
            foreign_id: foreign_id(&host),
            categories: categories(store, &host),
            host,
        }
    }

    /// The wire form.
    pub fn to_obj(&self) -> Obj {
        let host = &self.host;
        let mut obj = Obj::new()
            .attr("id", Val::IdStr(host.meta.id))
            .attr("type", "A")
            .attr("label", &host.name)
            .attr("foreignSource", &self.foreign_source)
            .attr("foreignId", &self.foreign_id)
            .elem("assetRecord", asset_record(host))
            .list("categories", None, self.categories.iter().map(|group| Val::Obj(category_obj(group))).collect())
            .elem("createTime", Val::Time(host.meta.created.millis()))
            .elem("labelSource", native_text(&host.native, "labelSource").unwrap_or("U"))
            .elem("location", location(host));
        for field in NODE_TEXT_FIELDS.iter().filter(|field| **field != "labelSource") {
            obj = obj.elem_opt(field, native_text(&host.native, field));
        }
        obj
    }
}

/// A node's monitoring location.
pub fn location(host: &Host) -> String {
    native_text(&host.native, "location").unwrap_or(DEFAULT_LOCATION).to_owned()
}

/// The value of asset field `field` of a host.
pub fn asset_value<'a>(host: &'a Host, field: &str) -> Option<&'a str> {
    let name = format!("asset.{field}");
    host.vars.iter().find(|var| var.name == name).map(|var| var.value.as_str())
}

/// The asset record of a host.
pub fn asset_record(host: &Host) -> Obj {
    let mut obj = Obj::new().elem("id", host.meta.id);
    for field in ASSET_FIELDS {
        let value = asset_value(host, field).filter(|value| !value.is_empty());
        obj = match (*field, value) {
            ("category", None) => obj.elem("category", "Unspecified"),
            ("latitude" | "longitude", Some(value)) => match value.trim().parse::<f64>() {
                Ok(number) => obj.elem(field, number),
                Err(_) => obj,
            },
            (_, Some(value)) => obj.elem(field, value),
            (_, None) => obj,
        };
    }
    obj
}

const NODE_PROPS: &[Prop] = &[
    prop("id", "ID", PropType::Int),
    prop("label", "Label", PropType::Str),
    prop("foreignSource", "Foreign Source", PropType::Str),
    prop("foreignId", "Foreign ID", PropType::Str),
    prop("type", "Type", PropType::Str),
    prop("createTime", "Creation Time", PropType::Time),
    prop("labelSource", "Label Source", PropType::Str),
    prop("location.locationName", "Location", PropType::Str),
    prop("category.name", "Category", PropType::Str),
    prop("category.id", "Category ID", PropType::Int),
    prop("ipInterface.ipAddress", "IP Address", PropType::Ip),
    prop("sysName", "SNMP sysName", PropType::Str),
    prop("sysDescription", "SNMP sysDescr", PropType::Str),
    prop("sysLocation", "SNMP sysLocation", PropType::Str),
    prop("sysContact", "SNMP sysContact", PropType::Str),
    prop("sysObjectId", "SNMP sysObjectId", PropType::Str),
    prop("operatingSystem", "Operating System", PropType::Str),
    prop("assetRecord.city", "City", PropType::Str),
    prop("assetRecord.building", "Building", PropType::Str),
    prop("assetRecord.region", "Region", PropType::Str),
    prop("assetRecord.department", "Department", PropType::Str),
    prop("assetRecord.serialNumber", "Serial Number", PropType::Str),
];

/// The node search schema.
pub const NODE_SCHEMA: Schema<NodeRow> = Schema {
    props: NODE_PROPS,
    aliases: &[
        ("nodeId", "id"),
        ("nodeLabel", "label"),
        ("location", "location.locationName"),
        ("location.id", "location.locationName"),
        ("categories.name", "category.name"),
        ("ipAddress", "ipInterface.ipAddress"),
        ("ipInterfaces.ipAddress", "ipInterface.ipAddress"),
    ],
    prefixes: &["node."],
    lookup: node_value,
};

fn node_value(row: &NodeRow, id: &str) -> PropValue {
    let host = &row.host;
    match id {
        "id" => PropValue::Int(host.meta.id),
        "label" => PropValue::Str(host.name.clone()),
        "foreignSource" => PropValue::Str(row.foreign_source.clone()),
        "foreignId" => PropValue::Str(row.foreign_id.clone()),
        "type" => PropValue::Str("A".to_owned()),
        "createTime" => PropValue::Time(host.meta.created.millis()),
        "labelSource" => PropValue::Str(native_text(&host.native, "labelSource").unwrap_or("U").to_owned()),
        "location.locationName" => PropValue::Str(location(host)),
        "category.name" => PropValue::List(row.categories.iter().map(|g| PropValue::Str(g.name.clone())).collect()),
        "category.id" => PropValue::List(row.categories.iter().map(|g| PropValue::Int(g.meta.id)).collect()),
        "ipInterface.ipAddress" => PropValue::List(addresses(host).iter().map(|a| ip_value(a)).collect()),
        other => match other.strip_prefix("assetRecord.") {
            Some(field) => opt_text(asset_value(host, field)),
            None => opt_text(native_text(&host.native, other)),
        },
    }
}

/// One IP interface of a node.
#[derive(Debug, Clone)]
pub struct InterfaceRow {
    /// The node.
    pub node: NodeRow,
    /// Position among the node's addresses (0 = primary).
    pub position: usize,
    /// The address.
    pub address: String,
    /// Whether the node is down.
    pub down: bool,
    /// Monitored services on the interface.
    pub service_count: usize,
}

impl InterfaceRow {
    /// Every interface of a node.
    pub fn of_node(store: &impl Read, node: &NodeRow) -> Vec<InterfaceRow> {
        let down = host_down(store, node.host.meta.id);
        let service_count = services_of(store, node.host.meta.id).len();
        addresses(&node.host)
            .into_iter()
            .enumerate()
            .map(|(position, address)| InterfaceRow {
                node: node.clone(),
                position,
                address,
                down,
                service_count: if position == 0 { service_count } else { 0 },
            })
            .collect()
    }

    /// The interface id.
    pub fn id(&self) -> Id {
        interface_id(self.node.host.meta.id, self.position)
    }

    /// The wire form.
    pub fn to_obj(&self) -> Obj {
        Obj::new()
            .attr("id", Val::IdStr(self.id()))
            .attr("isManaged", "M")
            .attr("snmpPrimary", if self.position == 0 { "P" } else { "N" })
            .attr("isDown", self.down)
            .attr("monitoredServiceCount", self.service_count)
            .elem("ipAddress", &self.address)
            .elem("hostName", if self.position == 0 { self.node.host.name.as_str() } else { self.address.as_str() })
            .elem("nodeId", self.node.host.meta.id)
    }
}

fn host_down(store: &impl Read, host_id: Id) -> bool {
    monitoring::current_state(store, Target::Host(host_id)).is_some_and(|state| !state.pending && !state.state.is_ok())
}

const INTERFACE_PROPS: &[Prop] = &[
    prop("id", "ID", PropType::Int),
    prop("ipAddress", "IP Address", PropType::Ip),
    prop("ipHostName", "Host Name", PropType::Str),
    prop("isManaged", "Managed", PropType::Str),
    prop("snmpPrimary", "SNMP Primary", PropType::Str),
    prop("isDown", "Down", PropType::Bool),
    prop("node.id", "Node ID", PropType::Int),
    prop("node.label", "Node Label", PropType::Str),
    prop("node.foreignSource", "Foreign Source", PropType::Str),
    prop("node.foreignId", "Foreign ID", PropType::Str),
    prop("category.name", "Category", PropType::Str),
];

/// The IP interface search schema.
pub const INTERFACE_SCHEMA: Schema<InterfaceRow> = Schema {
    props: INTERFACE_PROPS,
    aliases: &[("nodeId", "node.id"), ("hostName", "ipHostName"), ("ipAddr", "ipAddress")],
    prefixes: &["ipInterface."],
    lookup: interface_value,
};

fn interface_value(row: &InterfaceRow, id: &str) -> PropValue {
    match id {
        "id" => PropValue::Int(row.id()),
        "ipAddress" => ip_value(&row.address),
        "ipHostName" => text_value(&row.node.host.name),
        "isManaged" => PropValue::Str("M".to_owned()),
        "snmpPrimary" => PropValue::Str(if row.position == 0 { "P" } else { "N" }.to_owned()),
        "isDown" => PropValue::Bool(row.down),
        other => match other.strip_prefix("node.") {
            Some(rest) => node_value(&row.node, rest),
            None => node_value(&row.node, other),
        },
    }
}

/// A monitored service.
#[derive(Debug, Clone)]
pub struct ServiceRow {
    /// The node.
    pub node: NodeRow,
    /// The service.
    pub service: Arc<Service>,
    /// Service type id.
    pub type_id: Id,
    /// Service type name.
    pub type_name: String,
    /// Not OK now.
    pub down: bool,
    /// Last OK result.
    pub last_good: Option<i64>,
    /// Last problem result.
    pub last_fail: Option<i64>,
}

impl ServiceRow {
    /// The row of a service on a node.
    pub fn new(store: &impl Read, node: &NodeRow, service: Arc<Service>) -> ServiceRow {
        let (type_id, type_name) = service_type(store, &service);
        let state = monitoring::current_state(store, Target::Service(service.meta.id)).filter(|state| !state.pending);
        let down = state.as_ref().is_some_and(|state| !state.state.is_ok());
        let last_check = state.as_ref().map(|state| state.last_check.millis());
        ServiceRow {
            node: node.clone(),
            type_id,
            type_name,
            down,
            last_good: if down { None } else { last_check },
            last_fail: if down { last_check } else { None },
            service,
        }
    }

    /// Every service of a node.
    pub fn of_node(store: &impl Read, node: &NodeRow) -> Vec<ServiceRow> {
        services_of(store, node.host.meta.id).into_iter().map(|service| ServiceRow::new(store, node, service)).collect()
    }

    /// The OpenNMS status letter: `A` (managed) for an enabled service, `F` (forced unmanaged) else.
    fn status(&self) -> &'static str {
        if self.service.enabled {
            "A"
        } else {
            "F"
        }
    }

    /// The wire form.
    pub fn to_obj(&self) -> Obj {
        let host = &self.node.host;
        Obj::new()
            .attr("id", self.service.meta.id)
            .attr("status", self.status())
            .attr("down", self.down)
            .elem_opt("lastGood", self.last_good.map(Val::Time))
            .elem_opt("lastFail", self.last_fail.map(Val::Time))
            .elem("ipInterfaceId", interface_id(host.meta.id, 0))
            .elem("serviceType", service_type_obj(self.type_id, &self.type_name))
            .elem("statusLong", if self.service.enabled { "Managed" } else { "Forced Unmanaged" })
            .elem("ipAddress", &host.address)
            .elem("nodeId", host.meta.id)
            .elem("nodeLabel", &host.name)
    }
}

const SERVICE_PROPS: &[Prop] = &[
    prop("id", "ID", PropType::Int),
    prop("status", "Status", PropType::Str),
    prop("lastGood", "Last Good", PropType::Time),
    prop("lastFail", "Last Fail", PropType::Time),
    prop("serviceType.name", "Service", PropType::Str),
    prop("serviceType.id", "Service Type ID", PropType::Int),
    prop("ipInterface.ipAddress", "IP Address", PropType::Ip),
    prop("node.id", "Node ID", PropType::Int),
    prop("node.label", "Node Label", PropType::Str),
    prop("node.foreignSource", "Foreign Source", PropType::Str),
];

/// The monitored service search schema.
pub const SERVICE_SCHEMA: Schema<ServiceRow> = Schema {
    props: SERVICE_PROPS,
    aliases: &[("nodeId", "node.id"), ("ipAddress", "ipInterface.ipAddress"), ("serviceName", "serviceType.name")],
    prefixes: &["monitoredService.", "service."],
    lookup: service_value,
};

fn service_value(row: &ServiceRow, id: &str) -> PropValue {
    match id {
        "id" => PropValue::Int(row.service.meta.id),
        "status" => PropValue::Str(row.status().to_owned()),
        "lastGood" => row.last_good.map_or(PropValue::Null, PropValue::Time),
        "lastFail" => row.last_fail.map_or(PropValue::Null, PropValue::Time),
        "serviceType.name" => PropValue::Str(row.type_name.clone()),
        "serviceType.id" => PropValue::Int(row.type_id),
        "ipInterface.ipAddress" => ip_value(&row.node.host.address),
        other => node_value(&row.node, other.strip_prefix("node.").unwrap_or(other)),
    }
}

const SNMP_PROPS: &[Prop] = &[
    prop("id", "ID", PropType::Int),
    prop("ifIndex", "Interface Index", PropType::Int),
    prop("ifName", "Interface Name", PropType::Str),
    prop("ifDescr", "Interface Description", PropType::Str),
    prop("ifAlias", "Interface Alias", PropType::Str),
    prop("ifSpeed", "Interface Speed", PropType::Int),
    prop("physAddr", "Physical Address", PropType::Str),
    prop("node.id", "Node ID", PropType::Int),
    prop("node.label", "Node Label", PropType::Str),
];

/// The SNMP interface search schema (Rosetta has no SNMP interfaces: every list is empty).
pub const SNMP_SCHEMA: Schema<()> = Schema {
    props: SNMP_PROPS,
    aliases: &[("nodeId", "node.id")],
    prefixes: &["snmpInterface."],
    lookup: |_, _| PropValue::Null,
};
