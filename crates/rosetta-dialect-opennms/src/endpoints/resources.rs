//! Resources: every node is a resource (`node[<id>]`) whose children are its services that report
//! performance data (`node[<id>].nagiosService[<service name>]`), one graph attribute per perfdata
//! label of the service's last result. [`super::measurements`] serves the values.

use std::sync::Arc;

use rosetta_core::monitoring;
use rosetta_core::visibility::Visibility;
use rosetta_core::{GatewayError, Response};
use rosetta_model::query::Page;
use rosetta_model::{Host, Target};
use rosetta_store::Read;

use crate::call::Call;
use crate::entity::node::NodeRow;
use crate::entity::{find_node, services_of};
use crate::negotiate::Format;
use crate::perfdata::{self, Metric};
use crate::wire::{Obj, Val};

/// The resource type of service resources.
pub const SERVICE_TYPE: &str = "nagiosService";

/// A service with performance data, as a resource.
#[derive(Debug, Clone)]
pub struct ServiceResource {
    /// The service name (the resource instance).
    pub name: String,
    /// The metrics of the last result.
    pub metrics: Vec<Metric>,
    /// When the last result arrived, epoch milliseconds.
    pub time: i64,
}

impl ServiceResource {
    /// The resource id under `node[<host>]`.
    pub fn id(&self, host: &Host) -> String {
        format!("{}.{SERVICE_TYPE}[{}]", node_resource_id(host), self.name)
    }
}

/// A resolved resource id.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The node.
    pub node: NodeRow,
    /// The service, for a service resource.
    pub service: Option<ServiceResource>,
}

/// `node[<id>]`.
pub fn node_resource_id(host: &Host) -> String {
    format!("node[{}]", host.meta.id)
}

/// The services of a host that have performance data, in id order.
pub fn service_resources(store: &impl Read, host: &Host) -> Vec<ServiceResource> {
    services_of(store, host.meta.id)
        .into_iter()
        .filter_map(|service| {
            let state = monitoring::current_state(store, Target::Service(service.meta.id))?;
            let metrics = perfdata::parse(&state.perfdata);
            (!metrics.is_empty()).then(|| ServiceResource {
                name: monitoring::service_name(store, &service),
                metrics,
                time: state.last_check.millis(),
            })
        })
        .collect()
}

/// Splits `node[1].nagiosService[HTTP]` into the node criteria and the optional service name;
/// plain node criteria (`1`, `fs:fid`) are accepted too.
fn split_id(id: &str) -> (&str, Option<&str>) {
    let Some(rest) = id.strip_prefix("node[").or_else(|| id.strip_prefix("nodeSource[")) else {
        return (id, None);
    };
    let Some(close) = rest.find(']') else { return (id, None) };
    let (node, child) = (&rest[..close], &rest[close + 1..]);
    let service = child
        .strip_prefix('.')
        .and_then(|child| child.strip_prefix(SERVICE_TYPE))
        .and_then(|child| child.strip_prefix('['))
        .and_then(|child| child.strip_suffix(']'));
    match (child.is_empty(), service) {
        (true, _) => (node, None),
        (false, Some(service)) => (node, Some(service)),
        (false, None) => (node, Some("")),
    }
}

/// The resource an id names, among what the caller may see; 404 otherwise.
pub fn resolve(call: &Call, id: &str) -> Result<Resolved, GatewayError> {
    let principal = call.principal()?;
    let db = call.db();
    let missing = || GatewayError::not_found(format!("No resource with id '{id}'"));
    let (criteria, service) = split_id(id);
    let visibility = Visibility::new(principal, db);
    let host = find_node(db, criteria).filter(|host| visibility.can_see_host(host)).ok_or_else(missing)?;
    let service = match service {
        Some(name) => Some(service_resources(db, &host).into_iter().find(|found| found.name == name).ok_or_else(missing)?),
        None => None,
    };
    Ok(Resolved { node: NodeRow::new(db, host), service })
}

/// A string-keyed map: a JSON object, or JAXB's `<entry><key/><value/></entry>` list in XML.
fn map_obj(format: Format, entries: Vec<(String, Obj)>) -> Obj {
    match format {
        Format::Json => entries.into_iter().fold(Obj::new(), |map, (key, value)| map.elem(&key, value)),
        Format::Xml => Obj::new().list(
            "entry",
            None,
            entries.into_iter().map(|(key, value)| Val::Obj(Obj::new().elem("key", key).elem("value", value))).collect(),
        ),
    }
}

fn resource_obj(id: String, label: &str, name: &str, type_label: &str, parent: Option<String>) -> Obj {
    Obj::new().attr("id", id).attr("label", label).attr("name", name).attr("typeLabel", type_label).attr_opt("parentId", parent)
}

fn service_obj(format: Format, host: &Host, service: &ServiceResource) -> Obj {
    let attributes = service
        .metrics
        .iter()
        .map(|metric| {
            let value = Obj::new()
                .attr("name", &metric.label)
                .attr("relativePath", format!("snmp/{}/{}", host.meta.id, service.name))
                .attr("rrdFile", format!("{}.jrb", metric.label));
            (metric.label.clone(), value)
        })
        .collect();
    resource_obj(service.id(host), &service.name, &service.name, "Nagios service", Some(node_resource_id(host)))
        .attr("link", format!("element/node.jsp?node={}", host.meta.id))
        .elem("children", Obj::new().attr("totalCount", 0i64).list("resource", None, vec![]))
        .elem("stringPropertyAttributes", map_obj(format, vec![]))
        .elem("externalValueAttributes", map_obj(format, vec![]))
        .elem("rrdGraphAttributes", map_obj(format, attributes))
}

fn node_obj(store: &impl Read, format: Format, host: &Arc<Host>) -> Obj {
    let children: Vec<Val> =
        service_resources(store, host).iter().map(|service| Val::Obj(service_obj(format, host, service))).collect();
    let id = host.meta.id;
    resource_obj(node_resource_id(host), &host.name, &id.to_string(), "Node", None)
        .attr("link", format!("element/node.jsp?node={id}"))
        .elem("children", Obj::new().attr("count", children.len()).attr("totalCount", children.len()).list("resource", None, children))
        .elem("stringPropertyAttributes", map_obj(format, vec![]))
        .elem("externalValueAttributes", map_obj(format, vec![]))
        .elem("rrdGraphAttributes", map_obj(format, vec![]))
}

/// `GET /rest/resources`: one resource per visible node, with its service resources.
pub fn list(call: &Call) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    let db = call.db();
    let visibility = Visibility::new(principal, db);
    let items: Vec<Obj> = visibility.hosts(db).iter().map(|host| node_obj(db, call.format, host)).collect();
    let total = items.len();
    Ok(call.list("resources", "resource", Page { items, total }, 0))
}

/// `GET /rest/resources/fornode/{criteria}` and `GET /rest/resources/{id}` (node or service resource).
pub fn get(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let resolved = resolve(call, id)?;
    let obj = match &resolved.service {
        Some(service) => service_obj(call.format, &resolved.node.host, service),
        None => node_obj(call.db(), call.format, &resolved.node.host),
    };
    Ok(call.entity("resource", &obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_split_into_node_and_service() {
        assert_eq!(split_id("node[4]"), ("4", None));
        assert_eq!(split_id("node[4].nagiosService[HTTP check]"), ("4", Some("HTTP check")));
        assert_eq!(split_id("nodeSource[Lab:db-1].nagiosService[Disk]"), ("Lab:db-1", Some("Disk")));
        assert_eq!(split_id("node[4].nodeSnmp[]"), ("4", Some("")));
        assert_eq!(split_id("Lab:db-1"), ("Lab:db-1", None));
    }
}
