//! Nodes and their sub-resources (v1 `/rest/nodes`, v2 `/api/v2/nodes`), plus the v2 top-level
//! `/ipinterfaces`, `/snmpinterfaces` and `/ifservices` collections.

use std::collections::BTreeMap;

use http::StatusCode;
use rosetta_core::visibility::Visibility;
use rosetta_core::{GatewayError, Response};
use rosetta_model::query::Page;
use rosetta_model::Host;
use serde_json::Value;

use crate::call::{status, Call, Verb};
use crate::entity::node::{
    asset_record, InterfaceRow, NodeRow, ServiceRow, ASSET_FIELDS, INTERFACE_SCHEMA, NODE_SCHEMA, NODE_TEXT_FIELDS,
    SERVICE_SCHEMA, SNMP_SCHEMA,
};
use crate::entity::{category_by_name, category_obj, find_node};
use crate::filter::{Expr, Predicate};
use crate::filter_params::CONTROL_KEYS;
use crate::negotiate::ApiVersion;
use crate::provision::{delete_host, new_host, set_asset};
use crate::search::DefaultOrder;
use crate::wire::Obj;
use crate::xml::parse_xml;

const NODE_ORDER: DefaultOrder = &[("label", false), ("id", false)];
const ID_ORDER: DefaultOrder = &[("id", false)];

/// Every node the principal may see.
fn visible_nodes(call: &Call) -> Result<Vec<NodeRow>, GatewayError> {
    let principal = call.principal()?;
    let db = call.db();
    let visibility = Visibility::new(principal, db);
    Ok(visibility.hosts(db).into_iter().map(|host| NodeRow::new(db, host)).collect())
}

/// The node named by `criteria`; `missing` says what a missing node is (404 for the node itself,
/// 400 for a parent). Requests that write (any method but GET) also need write access to the
/// node's tenant (403 otherwise).
pub(crate) fn node(call: &Call, criteria: &str, missing: Missing) -> Result<NodeRow, GatewayError> {
    let principal = call.principal()?;
    let db = call.db();
    let visibility = Visibility::new(principal, db);
    let host =
        find_node(db, criteria).filter(|host| visibility.can_see_host(host)).ok_or_else(|| missing.error(criteria))?;
    if call.verb != Verb::Get && !visibility.can_change_host(&host) {
        return Err(GatewayError::forbidden(format!("User '{}' may not change node {criteria}", principal.login())));
    }
    Ok(NodeRow::new(db, host))
}

/// How a missing node is reported.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Missing {
    /// 404: the node is the resource.
    NotFound,
    /// 400: the node is the parent of the resource.
    BadParent,
}

impl Missing {
    fn error(self, criteria: &str) -> GatewayError {
        let message = format!("Node {criteria} was not found.");
        match self {
            Missing::NotFound => GatewayError::not_found(message),
            Missing::BadParent => GatewayError::bad_request(message),
        }
    }
}

/// `GET /nodes`.
pub fn list(call: &Call) -> Result<Response, GatewayError> {
    let (filter, paging) = match node_id_list(call) {
        Some(filter) => (Some(filter), call.paging()?),
        None => call.list_query(&[])?,
    };
    let page = NODE_SCHEMA.query(visible_nodes(call)?, filter.as_ref(), &paging, NODE_ORDER)?;
    Ok(call.list("nodes", "node", page.map(|row| row.to_obj()), paging.offset))
}

/// v1 `nodeId=1,2,3` as the only filter selects those nodes.
fn node_id_list(call: &Call) -> Option<Expr> {
    if call.api != ApiVersion::V1 {
        return None;
    }
    let filters: Vec<&(String, String)> =
        call.params.0.iter().filter(|(key, _)| !CONTROL_KEYS.contains(&key.as_str())).collect();
    match filters.as_slice() {
        [(key, value)] if key == "nodeId" && value.contains(',') => Some(Expr::Or(
            value.split(',').map(|id| Expr::condition("id", Predicate::Eq(id.trim().to_owned()))).collect(),
        )),
        _ => None,
    }
}

/// `GET /nodes/{id}`.
pub fn get(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::NotFound)?;
    Ok(call.entity("node", &row.to_obj()))
}

/// `GET /api/v2/nodes/properties/{id}`.
pub fn property_values(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let rows = visible_nodes(call)?;
    super::system::property_values(call, &NODE_SCHEMA, &rows, id)
}

/// Reads a flat object from an XML (attributes and child texts) or JSON body.
pub fn flat_body(body: &[u8]) -> Result<(String, BTreeMap<String, String>), GatewayError> {
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    let mut fields = BTreeMap::new();
    match first {
        Some(b'<') => {
            let root = parse_xml(body).map_err(|err| GatewayError::bad_request(err.to_string()))?;
            fields.extend(root.attributes.clone());
            for child in &root.children {
                let value = child.attribute("name").map_or_else(|| child.text.trim().to_owned(), str::to_owned);
                fields.entry(child.name.clone()).or_insert(value);
            }
            Ok((root.name, fields))
        }
        Some(b'{') => {
            let value: Value = serde_json::from_slice(body)
                .map_err(|err| GatewayError::bad_request(format!("Invalid JSON: {err}")))?;
            let Value::Object(map) = value else {
                return Err(GatewayError::bad_request("Expected a JSON object"));
            };
            for (key, value) in map {
                match value {
                    Value::String(text) => fields.insert(key, text),
                    Value::Number(number) => fields.insert(key, number.to_string()),
                    Value::Bool(flag) => fields.insert(key, flag.to_string()),
                    _ => None,
                };
            }
            Ok((String::new(), fields))
        }
        _ => Err(GatewayError::bad_request("Expected an XML or JSON body")),
    }
}

/// `POST /nodes` (XML or JSON node; `type` required) → 201 + Location. A `foreignSource` that names
/// a tenant puts the node into that tenant (foreign sources are tenants, as the node's default
/// foreign source is its tenant's name); any other node goes into the root tenant. The principal
/// needs write access to that tenant (403 otherwise).
pub async fn create(call: &Call) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    let (_, fields) = flat_body(&call.body)?;
    let tenant = fields
        .get("foreignSource")
        .and_then(|name| call.db().all::<rosetta_model::Tenant>().into_iter().find(|tenant| &tenant.name == name))
        .map_or(rosetta_model::ROOT_TENANT, |tenant| tenant.meta.id);
    if !principal.scope.can_write(tenant) {
        return Err(GatewayError::forbidden(format!("User '{}' may not create nodes", principal.login())));
    }
    if fields.get("type").is_none_or(|kind| kind.trim().is_empty()) {
        return Err(GatewayError::bad_request("Node type must be set."));
    }
    let label = fields.get("label").map(|label| label.trim()).filter(|label| !label.is_empty());
    let label = label.ok_or_else(|| GatewayError::bad_request("Node label must be set."))?.to_owned();
    let mut host = new_host(&label);
    host.tenant = tenant;
    host.foreign_source = fields.get("foreignSource").filter(|value| !value.is_empty()).cloned();
    host.foreign_id = fields.get("foreignId").filter(|value| !value.is_empty()).cloned();
    for field in NODE_TEXT_FIELDS.iter().chain(["location"].iter()) {
        if let Some(value) = fields.get(*field).filter(|value| !value.is_empty()) {
            host.native.insert(format!("opennms.{field}"), Value::String(value.clone()));
        }
    }
    let created = call
        .db()
        .write(call.ctx.actor("opennms"), |tx| {
            if tx.find_by_name::<Host>(&label).is_some() {
                return Err(GatewayError::conflict(format!("A node labelled {label} exists already")));
            }
            Ok(tx.insert(host))
        })
        .await?;
    Ok(call.created(&created.meta.id.to_string()))
}

/// `PUT /nodes/{id}` form: `label` and the writable text properties → 204, or 304 when nothing changed.
pub async fn update(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    let mut host = (*row.host).clone();
    let mut changed = false;
    if let Some(label) = call.param("label").filter(|label| !label.is_empty()) {
        if label != host.name {
            host.name = label.to_owned();
            changed = true;
        }
    }
    for field in NODE_TEXT_FIELDS.iter().chain(["location"].iter()) {
        if let Some(value) = call.params.get(field) {
            let key = format!("opennms.{field}");
            let new = Value::String(value.to_owned());
            if host.native.get(&key) != Some(&new) {
                host.native.insert(key, new);
                changed = true;
            }
        }
    }
    write_if_changed(call, host, changed).await
}

async fn write_if_changed(call: &Call, host: Host, changed: bool) -> Result<Response, GatewayError> {
    if !changed {
        return Ok(status(StatusCode::NOT_MODIFIED));
    }
    call.db().write(call.ctx.actor("opennms"), |tx| Ok::<_, GatewayError>(tx.update(host))).await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// `DELETE /nodes/{id}` → 202.
pub async fn delete(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    let host_id = row.host.meta.id;
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            delete_host(tx, host_id)?;
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::ACCEPTED))
}

/// `PUT /nodes/{id}/rescan` → 204 (nothing to rescan).
pub fn rescan(call: &Call, id: &str) -> Result<Response, GatewayError> {
    node(call, id, Missing::BadParent)?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// A sub-collection parent: v1 400 when missing, v2 an empty list (204).
fn parent(call: &Call, id: &str) -> Result<Option<NodeRow>, GatewayError> {
    match (node(call, id, Missing::BadParent), call.api) {
        (Ok(row), _) => Ok(Some(row)),
        (Err(_), ApiVersion::V2) => Ok(None),
        (Err(err), ApiVersion::V1) => Err(err),
    }
}

/// `GET /nodes/{id}/ipinterfaces`.
pub fn interfaces(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let rows = parent(call, id)?.map(|row| InterfaceRow::of_node(call.db(), &row)).unwrap_or_default();
    let (filter, paging) = call.list_query(&[])?;
    let page = INTERFACE_SCHEMA.query(rows, filter.as_ref(), &paging, ID_ORDER)?;
    Ok(call.list("ipInterfaces", "ipInterface", page.map(|row| row.to_obj()), paging.offset))
}

fn interface(call: &Call, id: &str, ip: &str) -> Result<InterfaceRow, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    InterfaceRow::of_node(call.db(), &row)
        .into_iter()
        .find(|interface| interface.address == ip)
        .ok_or_else(|| GatewayError::not_found(format!("IP interface {ip} was not found on node {id}.")))
}

/// `GET /nodes/{id}/ipinterfaces/{ip}`.
pub fn get_interface(call: &Call, id: &str, ip: &str) -> Result<Response, GatewayError> {
    Ok(call.entity("ipInterface", &interface(call, id, ip)?.to_obj()))
}

/// `GET /nodes/{id}/ipinterfaces/{ip}/services`: services live on the primary interface.
pub fn interface_services(call: &Call, id: &str, ip: &str) -> Result<Response, GatewayError> {
    let rows = match (interface(call, id, ip), call.api) {
        (Ok(interface), _) if interface.position == 0 => ServiceRow::of_node(call.db(), &interface.node),
        (Ok(_), _) | (Err(_), ApiVersion::V2) => vec![],
        (Err(err), ApiVersion::V1) => return Err(GatewayError::bad_request(err.message)),
    };
    let (filter, paging) = call.list_query(&[])?;
    let page = SERVICE_SCHEMA.query(rows, filter.as_ref(), &paging, ID_ORDER)?;
    Ok(call.list("services", "service", page.map(|row| row.to_obj()), paging.offset))
}

/// `GET /nodes/{id}/ipinterfaces/{ip}/services/{service}`.
pub fn interface_service(call: &Call, id: &str, ip: &str, name: &str) -> Result<Response, GatewayError> {
    let interface = interface(call, id, ip).map_err(|err| GatewayError::bad_request(err.message))?;
    let services = if interface.position == 0 { ServiceRow::of_node(call.db(), &interface.node) } else { vec![] };
    let row = services
        .into_iter()
        .find(|row| row.type_name == name)
        .ok_or_else(|| GatewayError::not_found(format!("Monitored service {name} was not found.")))?;
    Ok(call.entity("service", &row.to_obj()))
}

/// `POST /nodes/{id}/ipinterfaces` (`<ipInterface snmpPrimary=…><ipAddress>…</ipAddress></ipInterface>`
/// or JSON) → 201 + Location `…/{ip}`; the first or `snmpPrimary="P"` address becomes the primary one.
pub async fn add_interface(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    let (_, fields) = flat_body(&call.body)?;
    let ip = fields.get("ipAddress").map(|ip| ip.trim().to_owned()).unwrap_or_default();
    if ip.is_empty() {
        return Err(GatewayError::bad_request("IP interface needs an ipAddress."));
    }
    let mut host = (*row.host).clone();
    if crate::entity::addresses(&host).contains(&ip) {
        return Err(GatewayError::bad_request(format!("IP interface {ip} exists already on node {id}.")));
    }
    let primary = fields.get("snmpPrimary").is_some_and(|flag| flag == "P");
    if host.address.is_empty() {
        host.address = ip.clone();
    } else if primary {
        let previous = std::mem::replace(&mut host.address, ip.clone());
        host.other_addresses.insert(0, previous);
    } else {
        host.other_addresses.push(ip.clone());
    }
    call.db().write(call.ctx.actor("opennms"), |tx| Ok::<_, GatewayError>(tx.update(host))).await?;
    Ok(call.created(&ip))
}

/// `DELETE /nodes/{id}/ipinterfaces/{ip}` → 202; the next address becomes primary.
pub async fn delete_interface(call: &Call, id: &str, ip: &str) -> Result<Response, GatewayError> {
    let interface = interface(call, id, ip)?;
    let mut host = (*interface.node.host).clone();
    if interface.position == 0 {
        host.address = if host.other_addresses.is_empty() { String::new() } else { host.other_addresses.remove(0) };
    } else {
        host.other_addresses.retain(|other| other != ip);
    }
    host.native.remove(&super::metadata::interface_key(ip));
    call.db().write(call.ctx.actor("opennms"), |tx| Ok::<_, GatewayError>(tx.update(host))).await?;
    Ok(status(StatusCode::ACCEPTED))
}

/// `POST /nodes/{id}/ipinterfaces/{ip}/services` (`<service><serviceType><name>HTTP</name></serviceType></service>`
/// or JSON `{"serviceType":{"name":…}}`) → 201; services live on the primary interface.
pub async fn add_service(call: &Call, id: &str, ip: &str) -> Result<Response, GatewayError> {
    let interface = interface(call, id, ip).map_err(|err| GatewayError::bad_request(err.message))?;
    if interface.position != 0 {
        return Err(GatewayError::bad_request("Services can only be added to the primary interface."));
    }
    let name = service_type_name(&call.body)?;
    let host_id = interface.node.host.meta.id;
    if ServiceRow::of_node(call.db(), &interface.node).iter().any(|row| row.type_name == name) {
        return Err(GatewayError::bad_request(format!("Service {name} exists already on {ip}.")));
    }
    let service_name = name.clone();
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            let service = crate::provision::new_service(tx, host_id, &service_name);
            Ok::<_, GatewayError>(tx.insert(service))
        })
        .await?;
    Ok(call.created(&name))
}

fn service_type_name(body: &[u8]) -> Result<String, GatewayError> {
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    let name = if first == Some(&b'<') {
        let root = parse_xml(body).map_err(|err| GatewayError::bad_request(err.to_string()))?;
        root.child_ignore_case("serviceType").and_then(|kind| kind.child_text("name")).unwrap_or_default().to_owned()
    } else {
        let value: Value =
            serde_json::from_slice(body).map_err(|err| GatewayError::bad_request(format!("Invalid JSON: {err}")))?;
        value.pointer("/serviceType/name").and_then(Value::as_str).unwrap_or_default().to_owned()
    };
    if name.trim().is_empty() {
        return Err(GatewayError::bad_request("Service needs a serviceType name."));
    }
    Ok(name.trim().to_owned())
}

/// `DELETE /nodes/{id}/ipinterfaces/{ip}/services/{name}` → 202.
pub async fn delete_service(call: &Call, id: &str, ip: &str, name: &str) -> Result<Response, GatewayError> {
    let interface = interface(call, id, ip).map_err(|err| GatewayError::bad_request(err.message))?;
    let row = ServiceRow::of_node(call.db(), &interface.node)
        .into_iter()
        .find(|row| interface.position == 0 && row.type_name == name)
        .ok_or_else(|| GatewayError::not_found(format!("Monitored service {name} was not found.")))?;
    let service_id = row.service.meta.id;
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            crate::provision::delete_service(tx, service_id)?;
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::ACCEPTED))
}

/// `PUT /nodes/{id}/ipinterfaces/{ip}/services/{name}` form `status=A|F` → 204, 304 unchanged:
/// `F` (forced unmanaged) disables the service, `A` enables it.
pub async fn update_service(call: &Call, id: &str, ip: &str, name: &str) -> Result<Response, GatewayError> {
    let interface = interface(call, id, ip).map_err(|err| GatewayError::bad_request(err.message))?;
    let row = ServiceRow::of_node(call.db(), &interface.node)
        .into_iter()
        .find(|row| interface.position == 0 && row.type_name == name)
        .ok_or_else(|| GatewayError::not_found(format!("Monitored service {name} was not found.")))?;
    let changed = set_service_status(call, &[row.service.meta.id]).await?;
    Ok(status(if changed { StatusCode::NO_CONTENT } else { StatusCode::NOT_MODIFIED }))
}

/// `PUT /api/v2/ifservices?_s=…` form `status=A|F` → 204; 404 when nothing matched.
pub async fn update_services(call: &Call) -> Result<Response, GatewayError> {
    let (filter, mut paging) = call.v2_query()?;
    paging.limit = 0;
    paging.offset = 0;
    let ids: Vec<rosetta_model::Id> = SERVICE_SCHEMA
        .query(service_rows(call)?, filter.as_ref(), &paging, ID_ORDER)?
        .items
        .iter()
        .map(|row| row.service.meta.id)
        .collect();
    if ids.is_empty() {
        return Err(GatewayError::not_found(""));
    }
    set_service_status(call, &ids).await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// Applies the `status` parameter to services; returns whether any changed.
async fn set_service_status(call: &Call, ids: &[rosetta_model::Id]) -> Result<bool, GatewayError> {
    let enabled = match call.param("status") {
        Some("A") => true,
        Some("F" | "S" | "U" | "N") => false,
        Some(other) => return Err(GatewayError::bad_request(format!("Unsupported service status {other:?}"))),
        None => return Err(GatewayError::bad_request("Must supply the 'status' parameter")),
    };
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            let mut changed = false;
            for id in ids {
                if let Some(service) = tx.get::<rosetta_model::Service>(*id).filter(|s| s.enabled != enabled) {
                    let mut updated = (*service).clone();
                    updated.enabled = enabled;
                    tx.update(updated);
                    changed = true;
                }
            }
            Ok::<_, GatewayError>(changed)
        })
        .await
}

/// `GET /nodes/{id}/snmpinterfaces`: always empty (Rosetta does not poll SNMP).
pub fn snmp_interfaces(call: &Call, id: &str) -> Result<Response, GatewayError> {
    parent(call, id)?;
    let paging = call.paging()?;
    Ok(call.list("snmpInterfaces", "snmpInterface", Page { items: vec![], total: 0 }, paging.offset))
}

/// `GET /nodes/{id}/snmpinterfaces/{ifIndex}`.
pub fn snmp_interface(call: &Call, id: &str, index: &str) -> Result<Response, GatewayError> {
    node(call, id, Missing::BadParent)?;
    Err(GatewayError::not_found(format!("SNMP interface {index} was not found.")))
}

/// `GET /nodes/{id}/categories`.
pub fn categories(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    let items: Vec<Obj> = row.categories.iter().map(|group| category_obj(group)).collect();
    let total = items.len();
    if call.api == ApiVersion::V2 && total == 0 {
        return Ok(status(StatusCode::NO_CONTENT));
    }
    Ok(call.list("categories", "category", Page { items, total }, 0))
}

/// `GET /nodes/{id}/categories/{name}`.
pub fn category(call: &Call, id: &str, name: &str) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    let group = row
        .categories
        .iter()
        .find(|group| group.name == name)
        .ok_or_else(|| GatewayError::not_found(format!("Category {name} was not found on node {id}.")))?;
    Ok(call.entity("category", &category_obj(group)))
}

/// `POST /nodes/{id}/categories[/{name}]` → 201; 400 when unknown or already assigned.
pub async fn add_category(call: &Call, id: &str, name: Option<&str>) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    let name = match name {
        Some(name) => name.to_owned(),
        None => flat_body(&call.body)?.1.get("name").cloned().unwrap_or_default(),
    };
    let group = category_by_name(call.db(), &name)
        .ok_or_else(|| GatewayError::bad_request(format!("Category with name '{name}' was not found.")))?;
    if row.host.hostgroups.contains(&group.meta.id) {
        return Err(GatewayError::bad_request(format!("Category '{name}' is already assigned to node {id}.")));
    }
    let mut host = (*row.host).clone();
    host.hostgroups.push(group.meta.id);
    call.db().write(call.ctx.actor("opennms"), |tx| Ok::<_, GatewayError>(tx.update(host))).await?;
    let mut response = call.created(&name);
    if call.segments.last().map(String::as_str) == Some(name.as_str()) {
        let location = call.path.trim_end_matches('/').to_owned();
        if let Ok(value) = http::HeaderValue::from_str(&location) {
            response.headers_mut().insert(http::header::LOCATION, value);
        }
    }
    Ok(response)
}

/// `PUT /nodes/{id}/categories/{name}` → 204 (categories carry no node-specific properties).
pub fn update_category(call: &Call, id: &str, name: &str) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    if !row.categories.iter().any(|group| group.name == name) {
        return Err(GatewayError::bad_request(format!("Category '{name}' is not assigned to node {id}.")));
    }
    Ok(status(StatusCode::NO_CONTENT))
}

/// `DELETE /nodes/{id}/categories/{name}` → 204.
pub async fn remove_category(call: &Call, id: &str, name: &str) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    let group = row
        .categories
        .iter()
        .find(|group| group.name == name)
        .ok_or_else(|| GatewayError::bad_request(format!("Category '{name}' is not assigned to node {id}.")))?;
    let mut host = (*row.host).clone();
    host.hostgroups.retain(|group_id| *group_id != group.meta.id);
    call.db().write(call.ctx.actor("opennms"), |tx| Ok::<_, GatewayError>(tx.update(host))).await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// `GET /nodes/{id}/assetRecord`.
pub fn get_assets(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    Ok(call.entity("assetRecord", &asset_record(&row.host)))
}

/// `PUT /nodes/{id}/assetRecord` form of asset fields → 204 / 304.
pub async fn update_assets(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let row = node(call, id, Missing::BadParent)?;
    let mut host = (*row.host).clone();
    let mut changed = false;
    for (key, value) in &call.params.0 {
        if let Some(field) = ASSET_FIELDS.iter().find(|field| field.eq_ignore_ascii_case(key)) {
            changed |= set_asset(&mut host, field, value);
        }
    }
    write_if_changed(call, host, changed).await
}

/// `GET /api/v2/ipinterfaces`.
pub fn all_interfaces(call: &Call) -> Result<Response, GatewayError> {
    let (filter, paging) = call.v2_query()?;
    let page = INTERFACE_SCHEMA.query(interface_rows(call)?, filter.as_ref(), &paging, ID_ORDER)?;
    Ok(call.list("ipInterfaces", "ipInterface", page.map(|row| row.to_obj()), paging.offset))
}

fn interface_rows(call: &Call) -> Result<Vec<InterfaceRow>, GatewayError> {
    let db = call.db();
    Ok(visible_nodes(call)?.iter().flat_map(|node| InterfaceRow::of_node(db, node)).collect())
}

/// `GET /api/v2/ipinterfaces/{id}`.
pub fn one_interface(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let row = interface_rows(call)?
        .into_iter()
        .find(|row| row.id().to_string() == id)
        .ok_or_else(|| GatewayError::not_found(""))?;
    Ok(call.entity("ipInterface", &row.to_obj()))
}

/// `GET /api/v2/ifservices`.
pub fn all_services(call: &Call) -> Result<Response, GatewayError> {
    let (filter, paging) = call.v2_query()?;
    let page = SERVICE_SCHEMA.query(service_rows(call)?, filter.as_ref(), &paging, ID_ORDER)?;
    Ok(call.list("services", "service", page.map(|row| row.to_obj()), paging.offset))
}

fn service_rows(call: &Call) -> Result<Vec<ServiceRow>, GatewayError> {
    let db = call.db();
    Ok(visible_nodes(call)?.iter().flat_map(|node| ServiceRow::of_node(db, node)).collect())
}

/// `GET /api/v2/ifservices/{id}`.
pub fn one_service(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let row = service_rows(call)?
        .into_iter()
        .find(|row| row.service.meta.id.to_string() == id)
        .ok_or_else(|| GatewayError::not_found(""))?;
    Ok(call.entity("service", &row.to_obj()))
}

/// `GET /api/v2/snmpinterfaces`: always empty.
pub fn all_snmp_interfaces(call: &Call) -> Result<Response, GatewayError> {
    let (filter, paging) = call.v2_query()?;
    SNMP_SCHEMA.query(Vec::new(), filter.as_ref(), &paging, &[])?;
    Ok(call.list("snmpInterfaces", "snmpInterface", Page { items: vec![], total: 0 }, paging.offset))
}

/// `GET /api/v2/{ipinterfaces|ifservices|snmpinterfaces}/properties/{id}`.
pub fn sub_property_values(call: &Call, collection: &str, id: &str) -> Result<Response, GatewayError> {
    match collection {
        "ipinterfaces" => super::system::property_values(call, &INTERFACE_SCHEMA, &interface_rows(call)?, id),
        "ifservices" => super::system::property_values(call, &SERVICE_SCHEMA, &service_rows(call)?, id),
        _ => super::system::property_values(call, &SNMP_SCHEMA, &[], id),
    }
}
