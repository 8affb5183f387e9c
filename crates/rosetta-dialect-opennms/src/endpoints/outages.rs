//! Outages (`/rest/outages`, `/api/v2/outages`) and notifications (none are kept: empty lists).

use rosetta_core::visibility::Visibility;
use rosetta_core::{GatewayError, Response};
use rosetta_model::query::Page;
use rosetta_model::{Id, Outage};

use crate::call::{plain, Call};
use crate::entity::outage::{OutageRow, OUTAGE_SCHEMA};
use crate::search::DefaultOrder;

const ORDER: DefaultOrder = &[("id", true)];

/// Every outage the principal may see.
pub fn visible_rows(call: &Call) -> Result<Vec<OutageRow>, GatewayError> {
    let principal = call.principal()?;
    let db = call.db();
    let visibility = Visibility::new(principal, db);
    Ok(db
        .all::<Outage>()
        .into_iter()
        .map(|outage| OutageRow::new(db, outage))
        .filter(|row| row.node.as_ref().is_some_and(|node| visibility.can_see_host(&node.host)))
        .collect())
}

/// `GET /outages`.
pub fn list(call: &Call) -> Result<Response, GatewayError> {
    let (filter, paging) = call.list_query(&[])?;
    let page = OUTAGE_SCHEMA.query(visible_rows(call)?, filter.as_ref(), &paging, ORDER)?;
    Ok(call.list("outages", "outage", page.map(|row| row.to_obj()), paging.offset))
}

/// `GET /outages/count`.
pub fn count(call: &Call) -> Result<Response, GatewayError> {
    super::system::count(call, &OUTAGE_SCHEMA, visible_rows(call)?)
}

/// `GET /outages/{id}`.
pub fn get(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let missing = || GatewayError::not_found(format!("Outage {id} was not found."));
    let id: Id = id.trim().parse().map_err(|_| missing())?;
    let row = visible_rows(call)?.into_iter().find(|row| row.outage.meta.id == id).ok_or_else(missing)?;
    Ok(call.entity("outage", &row.to_obj()))
}

/// `GET /outages/forNode/{id}`: the node's outages, newest first.
pub fn for_node(call: &Call, node: &str) -> Result<Response, GatewayError> {
    let host = super::nodes::node(call, node, super::nodes::Missing::BadParent)?.host;
    let mut rows: Vec<OutageRow> =
        visible_rows(call)?.into_iter().filter(|row| row.outage.host == host.meta.id).collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.outage.meta.id));
    let total = rows.len();
    let items = rows.iter().map(OutageRow::to_obj).collect();
    Ok(call.list("outages", "outage", Page { items, total }, 0))
}

/// `GET /api/v2/outages/properties/{id}`.
pub fn property_values(call: &Call, id: &str) -> Result<Response, GatewayError> {
    let rows = visible_rows(call)?;
    super::system::property_values(call, &OUTAGE_SCHEMA, &rows, id)
}

/// `GET /notifications`: Rosetta keeps no notifications.
pub fn notifications(call: &Call) -> Result<Response, GatewayError> {
    let (_, paging) = call.paging().map(|paging| ((), paging))?;
    Ok(call.list("notifications", "notification", Page { items: vec![], total: 0 }, paging.offset))
}

/// `GET /notifications/count`.
pub fn notification_count() -> Response {
    plain("0")
}

/// `GET /notifications/{id}`.
pub fn notification(id: &str) -> Result<Response, GatewayError> {
    Err(GatewayError::not_found(format!("Notification {id} was not found.")))
}
