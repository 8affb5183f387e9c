//! OpenNMS entities over the shared model: how hosts, services, host groups, alarms, events and
//! outages look as OpenNMS nodes, interfaces, monitored services, categories, alarms, events and
//! outages. Each module has the row type, its search [`crate::search::Schema`] and its wire form.
//!
//! Mapping (the documented convention every dialect shares):
//! * node = host, same id; foreign source/id = `Host.foreign_source/foreign_id`, else the tenant
//!   name and the host UUID;
//! * IP interface = the host address and each `other_addresses` entry; interface ids are
//!   `host id * 1000 + position` (1 = primary), so they are stable and unique;
//! * monitored service = a service of the host, on the primary interface; its service type is the
//!   service template (id and name) or, without a template, the service itself;
//! * category = host group; asset record = host variables named `asset.<field>`.

pub mod alarm;
pub mod event;
pub mod node;
pub mod outage;

use std::sync::Arc;

use rosetta_core::monitoring;
use rosetta_model::{Host, HostGroup, Id, Service, ServiceTemplate, Tenant};
use rosetta_store::Read;

use crate::emit::Emit;
use crate::wire::Obj;

/// The monitoring location every node is in.
pub const DEFAULT_LOCATION: &str = "Default";

/// Stride between the interface ids of two nodes.
pub const INTERFACE_STRIDE: Id = 1000;

/// A node's foreign source: its own, else its tenant's name.
pub fn foreign_source(store: &impl Read, host: &Host) -> String {
    if let Some(source) = host.foreign_source.as_ref().filter(|source| !source.is_empty()) {
        return source.clone();
    }
    store.get::<Tenant>(host.tenant).map_or_else(|| "root".to_owned(), |tenant| tenant.name.clone())
}

/// A node's foreign id: its own, else the host UUID.
pub fn foreign_id(host: &Host) -> String {
    host.foreign_id.as_ref().filter(|id| !id.is_empty()).cloned().unwrap_or_else(|| host.meta.uuid.to_string())
}

/// Every address of a host, primary first (each one an IP interface).
pub fn addresses(host: &Host) -> Vec<String> {
    std::iter::once(&host.address)
        .chain(host.other_addresses.iter())
        .filter(|address| !address.is_empty())
        .cloned()
        .collect()
}

/// The id of the interface at `position` (0 = primary) of a node.
pub fn interface_id(host_id: Id, position: usize) -> Id {
    host_id.saturating_mul(INTERFACE_STRIDE).saturating_add(i64::try_from(position).unwrap_or(0) + 1)
}

/// A node by numeric id or `foreignSource:foreignId`.
pub fn find_node(store: &impl Read, criteria: &str) -> Option<Arc<Host>> {
    let criteria = criteria.trim();
    if let Ok(id) = criteria.parse::<Id>() {
        return store.get::<Host>(id);
    }
    let (source, id) = criteria.split_once(':')?;
    store.all::<Host>().into_iter().find(|host| foreign_source(store, host) == source && foreign_id(host) == id)
}

/// The categories (host groups) of a host, in id order.
pub fn categories(store: &impl Read, host: &Host) -> Vec<Arc<HostGroup>> {
    let mut groups: Vec<Arc<HostGroup>> = host.hostgroups.iter().filter_map(|id| store.get::<HostGroup>(*id)).collect();
    groups.sort_by_key(|group| group.meta.id);
    groups.dedup_by_key(|group| group.meta.id);
    groups
}

/// A category (host group) by name.
pub fn category_by_name(store: &impl Read, name: &str) -> Option<Arc<HostGroup>> {
    store.all::<HostGroup>().into_iter().find(|group| group.name == name)
}

/// The wire form of a category as nodes embed it (no authorised groups).
pub fn category_obj(group: &HostGroup) -> Obj {
    category_obj_with(group, vec![])
}

/// The wire form of a category with the names of the groups authorised for it.
pub fn category_obj_with(group: &HostGroup, authorized_groups: Vec<String>) -> Obj {
    Obj::new()
        .attr("id", group.meta.id)
        .attr("name", &group.name)
        .text_nonempty("description", &group.description)
        .list("authorizedGroups", None, authorized_groups.into_iter().map(crate::wire::Val::from).collect())
}

/// A service's OpenNMS service type: (id, name).
pub fn service_type(store: &impl Read, service: &Service) -> (Id, String) {
    let name = monitoring::service_name(store, service);
    match service.template.and_then(|id| store.get::<ServiceTemplate>(id)) {
        Some(template) if service.name.as_deref().is_none_or(|own| own.is_empty() || own == template.name) => {
            (template.meta.id, name)
        }
        _ => (service.meta.id, name),
    }
}

/// The wire form of a service type.
pub fn service_type_obj(id: Id, name: &str) -> Obj {
    Obj::new().attr("id", id).elem("name", name)
}

/// Describes a service type (the `serviceType` element) to `out`, as [`service_type_obj`] renders it.
pub fn emit_service_type<E: Emit>(out: &mut E, id: Id, name: &str) {
    out.object("serviceType", |out| {
        out.attr("id", id.into());
        out.elem("name", name.into());
    });
}

/// The services of a host, in id order.
pub fn services_of(store: &impl Read, host_id: Id) -> Vec<Arc<Service>> {
    store.children::<Service>(host_id)
}

/// A native OpenNMS string property of an object (`opennms.<name>`).
pub fn native_text<'a>(native: &'a rosetta_model::Native, name: &str) -> Option<&'a str> {
    native.get(&format!("opennms.{name}")).and_then(serde_json::Value::as_str).filter(|text| !text.is_empty())
}
