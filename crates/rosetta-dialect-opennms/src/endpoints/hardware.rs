//! Node hardware inventory (`/nodes/{id}/hardwareInventory[/{entPhysicalIndex}]`, v1 and v2).
//!
//! Rosetta collects no SNMP ENTITY-MIB data, so every node answers as a Horizon node without an
//! inventory: the root and every entity are 404 with Horizon's messages, an unknown node is 400.

use rosetta_core::{ErrorKind, GatewayError, Response};

use super::nodes::{flat_body, node, Missing};
use crate::call::Call;

/// `GET /nodes/{id}/hardwareInventory` → 404 `Can't find root hardware entity for node {id}.`
pub fn root(call: &Call, id: &str) -> Result<Response, GatewayError> {
    node(call, id, Missing::BadParent)?;
    Err(GatewayError::not_found(format!("Can't find root hardware entity for node {id}.")))
}

/// `POST /nodes/{id}/hardwareInventory` (a root entity, XML or JSON) → 501: Rosetta keeps no
/// inventory, so it cannot store one (Horizon stores it and answers 204).
pub fn replace_root(call: &Call, id: &str) -> Result<Response, GatewayError> {
    flat_body(&call.body)?;
    node(call, id, Missing::BadParent)?;
    Err(GatewayError::new(ErrorKind::NotImplemented, "Rosetta keeps no hardware inventory."))
}

/// GET, PUT, POST (add a child) and DELETE `/nodes/{id}/hardwareInventory/{entPhysicalIndex}` →
/// 404 `Can't find entity with index {index} on node {nodeId}.`; a non-numeric index matches no
/// resource (404, empty body).
pub fn entity(call: &Call, id: &str, index: &str) -> Result<Response, GatewayError> {
    let index: i32 = index.trim().parse().map_err(|_| GatewayError::not_found(""))?;
    let row = node(call, id, Missing::BadParent)?;
    let node_id = row.host.meta.id;
    Err(GatewayError::not_found(format!("Can't find entity with index {index} on node {node_id}.")))
}
