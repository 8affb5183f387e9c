//! `/rest/info`, `/rest/health[/probe]`, `/rest/whoami`, `/rest/categories` and the v2
//! `/properties` endpoints shared by every collection.

use http::{HeaderValue, StatusCode};
use rosetta_core::visibility::Visibility;
use rosetta_core::request;
use rosetta_core::{GatewayError, Response};
use rosetta_model::query::Page;
use rosetta_model::HostGroup;
use serde_json::json;

use crate::call::{plain, Call};
use crate::endpoints::groups::category_with_groups;
use crate::entity::category_by_name;
use crate::negotiate::ApiVersion;
use crate::search::Schema;
use crate::wire::{Obj, Val};

/// The Horizon version Rosetta reports (selects API v2 in opennms-js).
pub const VERSION: &str = "33.1.0";

/// Daemons reported as running by `/rest/info`.
const SERVICES: &[&str] = &[
    "Eventd",
    "Alarmd",
    "Bsmd",
    "Ticketer",
    "Trapd",
    "Queued",
    "Actiond",
    "Notifd",
    "Scriptd",
    "Rtcd",
    "Pollerd",
    "PerspectivePoller",
    "EnhancedLinkd",
    "Collectd",
    "Discovery",
    "Vacuumd",
    "EventTranslator",
    "PassiveStatusd",
    "Statsd",
    "Provisiond",
    "Reportd",
    "Ackd",
    "JettyServer",
    "Telemetryd",
    "KarafStartupMonitor",
];

/// `GET /rest/info`: JSON only, exactly the documented keys.
pub fn info(call: &Call) -> Response {
    let services: serde_json::Map<String, serde_json::Value> =
        SERVICES.iter().map(|name| ((*name).to_owned(), json!("running"))).collect();
    request::json(
        StatusCode::OK,
        &json!({
            "displayVersion": VERSION,
            "version": VERSION,
            "packageName": "opennms",
            "packageDescription": "OpenNMS",
            "ticketerConfig": {"plugin": null, "enabled": false},
            "datetimeformatConfig": {"zoneId": call.ctx.app.settings.timezone, "datetimeformat": "yyyy-MM-dd'T'HH:mm:ssxxx"},
            "services": services,
        }),
    )
}

/// `GET /rest/health`.
pub fn health(call: &Call) -> Response {
    let healthy = call.db().is_healthy();
    let status = if healthy { "Success" } else { "Failure" };
    let mut response = request::json(
        StatusCode::OK,
        &json!({
            "healthy": healthy,
            "responses": [
                {"description": "Verifying installed bundles", "status": status},
                {"description": "Connecting to ElasticSearch ReST API (Flows)", "status": "Success", "message": "Not configured"},
            ],
        }),
    );
    let header = if healthy { "Everything is awesome" } else { "Oh no, something is wrong" };
    response.headers_mut().insert("health", HeaderValue::from_static(header));
    response
}

/// `GET /rest/health/probe`: no authentication, `text/plain`.
pub fn probe(call: &Call) -> Response {
    if call.db().is_healthy() {
        plain("Everything is awesome")
    } else {
        let mut response = plain("Oh no, something is wrong");
        *response.status_mut() = StatusCode::from_u16(599).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        response
    }
}

/// `GET /rest/whoami`.
pub fn whoami(call: &Call) -> Result<Response, GatewayError> {
    let principal = call.principal()?;
    let roles: Vec<Val> = principal.permissions().opennms_roles().into_iter().map(Val::from).collect();
    let obj = Obj::new()
        .elem("id", principal.login())
        .elem("fullName", &principal.user.fullname)
        .text_nonempty("email", &principal.user.email)
        .list("roles", None, roles);
    Ok(call.entity("user", &obj))
}

/// `GET /rest/categories`.
pub fn categories(call: &Call) -> Result<Response, GatewayError> {
    let visibility = Visibility::new(call.principal()?, call.db());
    let groups: Vec<Obj> = call
        .db()
        .all::<HostGroup>()
        .iter()
        .filter(|group| visibility.can_see_group(group))
        .map(|group| category_with_groups(call.db(), group))
        .collect();
    let total = groups.len();
    Ok(call.list("categories", "category", Page { items: groups, total }, 0))
}

/// `GET /rest/categories/{name}`.
pub fn category(call: &Call, name: &str) -> Result<Response, GatewayError> {
    let visibility = Visibility::new(call.principal()?, call.db());
    let group = category_by_name(call.db(), name)
        .filter(|group| visibility.can_see_group(group))
        .ok_or_else(|| GatewayError::not_found(format!("Category {name} was not found.")))?;
    Ok(call.entity("category", &category_with_groups(call.db(), &group)))
}

/// `GET /api/v2/{collection}/properties`.
pub fn properties<R>(schema: &Schema<R>) -> Response {
    request::json(StatusCode::OK, &schema.properties_json())
}

/// `GET /{collection}/count` as text: v1 counts every visible row, v2 those matching `_s`.
pub fn count<R>(call: &Call, schema: &Schema<R>, rows: Vec<R>) -> Result<Response, GatewayError> {
    let total = match call.api {
        ApiVersion::V1 => rows.len(),
        ApiVersion::V2 => {
            let (filter, mut paging) = call.v2_query()?;
            paging.limit = 0;
            paging.offset = 0;
            schema.query(rows, filter.as_ref(), &paging, &[])?.total
        }
    };
    Ok(plain(total.to_string()))
}

/// `GET /api/v2/{collection}/properties/{id}`: the distinct values of a property.
pub fn property_values<R>(call: &Call, schema: &Schema<R>, rows: &[R], id: &str) -> Result<Response, GatewayError> {
    let prop = schema.resolve(id).ok_or_else(|| GatewayError::not_found(""))?;
    let limit = call.paging()?.limit;
    let query = call.param("q").unwrap_or_default().to_lowercase();
    let values: Vec<serde_json::Value> = schema
        .distinct_values(rows, prop, 0)
        .into_iter()
        .filter(|value| query.is_empty() || value.to_string().to_lowercase().contains(&query))
        .take(if limit == 0 { usize::MAX } else { limit })
        .collect();
    if values.is_empty() {
        return Ok(request::no_content(StatusCode::NO_CONTENT));
    }
    Ok(request::json(
        StatusCode::OK,
        &json!({"count": values.len(), "totalCount": values.len(), "offset": 0, "value": values}),
    ))
}
