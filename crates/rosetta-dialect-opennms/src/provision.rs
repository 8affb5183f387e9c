//! Writes to hosts shared by node endpoints and the requisition import: creating, deleting (with
//! everything that hangs off a host) and setting asset fields.

use rosetta_core::GatewayError;
use rosetta_model::{Host, HostGroup, Id, Meta, Native, Service, ServiceTemplate, Variable, ROOT_TENANT};
use rosetta_store::Tx;

/// A new enabled host in the root tenant.
pub fn new_host(name: &str) -> Host {
    Host::new(name, "", ROOT_TENANT)
}

/// A new service on a host: from the service template of that name when there is one.
pub fn new_service(tx: &Tx<'_>, host: Id, name: &str) -> Service {
    let template = tx.find_by_name::<ServiceTemplate>(name);
    Service {
        name: if template.is_some() { None } else { Some(name.to_owned()) },
        template: template.map(|template| template.meta.id),
        ..Service::new(host, name)
    }
}

/// Deletes a service with its state, ending its downtimes and acknowledgements.
pub fn delete_service(tx: &mut Tx<'_>, service_id: Id) -> Result<(), GatewayError> {
    rosetta_core::monitoring::delete_service(tx, service_id).map(|_| ())
}

/// Deletes a host with its services and states, ending their downtimes and acknowledgements.
pub fn delete_host(tx: &mut Tx<'_>, host_id: Id) -> Result<(), GatewayError> {
    rosetta_core::monitoring::delete_host(tx, host_id).map(|_| ())
}

/// Sets (or, with an empty value, removes) asset field `field` of a host; returns whether it changed.
pub fn set_asset(host: &mut Host, field: &str, value: &str) -> bool {
    let name = format!("asset.{field}");
    let position = host.vars.iter().position(|var| var.name == name);
    match (position, value.is_empty()) {
        (Some(index), true) => {
            host.vars.remove(index);
            true
        }
        (Some(index), false) if host.vars[index].value != value => {
            host.vars[index].value = value.to_owned();
            true
        }
        (None, false) => {
            host.vars.push(Variable { name, value: value.to_owned(), args: vec![] });
            true
        }
        _ => false,
    }
}

/// The host group (category) named `name`, created under the root group when missing.
pub fn ensure_category(tx: &mut Tx<'_>, name: &str) -> Id {
    if let Some(group) = tx.all::<HostGroup>().into_iter().find(|group| group.name == name) {
        return group.meta.id;
    }
    let parent = tx.get::<HostGroup>(1).map(|group| group.meta.id);
    tx.insert(HostGroup {
        meta: Meta::new(0),
        name: name.to_owned(),
        parent,
        tenant: ROOT_TENANT,
        description: String::new(),
        native: Native::new(),
    })
    .meta
    .id
}
