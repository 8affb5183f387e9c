//! Resources and measurements. Rosetta stores no time series, so every node is a resource without
//! child resources or graph attributes, and measurement queries find no attributes (404, or empty
//! columns when the query is `relaxed`).

use http::StatusCode;
use rosetta_core::visibility::Visibility;
use rosetta_core::{request, GatewayError, Response};
use rosetta_model::query::Page;
use serde_json::{json, Value};

use crate::call::Call;
use crate::entity::node::NodeRow;
use crate::entity::{find_node, foreign_id, foreign_source};
use crate::wire::Obj;

fn resource_obj(row: &NodeRow) -> Obj {
    let id = row.host.meta.id;
    Obj::new()
        .attr("id", format!("node[{id}]"))
        .attr("label", &row.host.name)
        .attr("name", id.to_string())
        .attr("link", format!("element/node.jsp?node={id}"))
        .attr("typeLabel", "Node")
        .elem("children", Obj::new().attr("totalCount", 0i64).list("resource", None, vec![]))
        .elem("stringPropertyAttributes", Obj::new())
        .elem("externalValueAttributes", Obj::new())
        .elem("rrdGraphAttributes", Obj::new())
}

/// The node a resource id (`node[1]`, `nodeSource[fs:fid]`) or node criteria names.
fn node_of(call: &Call, id: &str) -> Result<NodeRow, GatewayError> {
    let principal = call.principal()?;
    let db = call.db();
    let criteria = id
        .strip_prefix("node[")
        .or_else(|| id.strip_prefix("nodeSource["))
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(id);
    let visibility = Visibility::new(principal, db);
    let host = find_node(db, criteria)
        .filter(|host| visibility.can_see_host(host))
        .ok_or_else(|| GatewayError::not_found(format!("No resource with id '{id}'")))?;
    Ok(NodeRow::new(db, host))
}

/// `GET /rest/resources`: one resource per node.
pub fn list(call: &Call) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    let db = call.db();
    let visibility = Visibility::new(principal, db);
    let items: Vec<Obj> = visibility.hosts(db).into_iter().map(|host| resource_obj(&NodeRow::new(db, host))).collect();
    let total = items.len();
    Ok(call.list("resources", "resource", Page { items, total }, 0))
}

/// `GET /rest/resources/fornode/{criteria}` and `GET /rest/resources/{id}`.
pub fn get(call: &Call, id: &str) -> Result<Response, GatewayError> {
    Ok(call.entity("resource", &resource_obj(&node_of(call, id)?)))
}

/// `GET /rest/measurements/{resourceId}/{attribute}`: no attribute exists.
pub fn measurement(call: &Call, resource: &str, attribute: &str) -> Result<Response, GatewayError> {
    node_of(call, resource)?;
    Err(GatewayError::not_found(format!("No attribute '{attribute}' on resource '{resource}'")))
}

/// `POST /rest/measurements`: 404 unless `relaxed`, then empty columns for every source.
pub fn query(call: &Call) -> Result<Response, GatewayError> {
    call.principal()?;
    let body: Value = serde_json::from_slice(&call.body)
        .map_err(|err| GatewayError::bad_request(format!("Invalid measurements query: {err}")))?;
    let sources = body.get("source").and_then(Value::as_array).cloned().unwrap_or_default();
    let relaxed = body.get("relaxed").and_then(Value::as_bool).unwrap_or(false);
    if !relaxed {
        if let Some(first) = sources.first() {
            let attribute = first.get("attribute").and_then(Value::as_str).unwrap_or_default();
            return Err(GatewayError::not_found(format!("No attribute '{attribute}'")));
        }
    }
    let labels: Vec<Value> = sources.iter().filter_map(|source| source.get("label").cloned()).collect();
    let columns: Vec<Value> = labels.iter().map(|_| json!({"values": []})).collect();
    let db = call.db();
    let nodes: Vec<Value> = sources
        .iter()
        .filter_map(|source| source.get("resourceId").and_then(Value::as_str))
        .filter_map(|id| node_of(call, id).ok())
        .map(|row| {
            json!({"id": row.host.meta.id, "label": row.host.name, "foreign-source": foreign_source(db, &row.host), "foreign-id": foreign_id(&row.host)})
        })
        .collect();
    Ok(request::json(
        StatusCode::OK,
        &json!({
            "step": body.get("step").cloned().unwrap_or(json!(300_000)),
            "start": body.get("start").cloned().unwrap_or(json!(0)),
            "end": body.get("end").cloned().unwrap_or(json!(0)),
            "timestamps": [],
            "labels": labels,
            "columns": columns,
            "metadata": {"resources": [], "nodes": nodes},
        }),
    ))
}
