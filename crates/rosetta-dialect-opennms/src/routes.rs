//! The route table: method + API generation + path segments → handler, in one place.

use http::{HeaderValue, StatusCode};
use rosetta_core::{GatewayError, Response};

use crate::call::{status, Call, Verb};
use crate::endpoints::metadata::{self, Scope};
use crate::endpoints::requisitions::{FOREIGN_SOURCE, REQUISITION};
use crate::endpoints::{
    alarms, categories, events, groups, hardware, measurements, nodes, outages, requisitions, resources, system, users,
};
use crate::entity::alarm::ALARM_SCHEMA;
use crate::entity::event::EVENT_SCHEMA;
use crate::entity::node::{INTERFACE_SCHEMA, NODE_SCHEMA, SERVICE_SCHEMA, SNMP_SCHEMA};
use crate::entity::outage::OUTAGE_SCHEMA;
use crate::negotiate::ApiVersion::{V1, V2};

/// True for requests that need no authentication: CORS pre-flights and the health probe.
pub fn is_anonymous(api: crate::negotiate::ApiVersion, verb: Verb, segments: &[String]) -> bool {
    verb == Verb::Options || (api == V1 && verb == Verb::Get && segments == ["health", "probe"])
}

/// Answers a request whose principal and URL roles were checked.
pub async fn route(call: &Call) -> Result<Response, GatewayError> {
    use Verb::{Delete, Get, Options, Post, Put};
    let segments: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    match (call.api, call.verb, segments.as_slice()) {
        (_, Options, _) => Ok(options()),

        (V1, Get, ["info"]) => Ok(system::info(call)),
        (V1, Get, ["health"]) => Ok(system::health(call)),
        (V1, Get, ["health", "probe"]) => Ok(system::probe(call)),
        (V1, Get, ["whoami"]) => system::whoami(call),
        (V1, Get, ["categories"]) => system::categories(call),
        (V1, Get, ["categories", name]) => system::category(call, name),
        (V1, Post, ["categories"]) => categories::create_category(call).await,
        (V1, Delete, ["categories", name]) => categories::delete_category(call, name).await,
        (V1, Get, ["users"]) => users::users(call),
        (V1, Get, ["users", login]) => users::user(call, login),
        (V1, Post, ["users"]) => users::create(call).await,
        (V1, Put, ["users", login]) => users::update(call, login).await,
        (V1, Delete, ["users", login]) => users::delete(call, login).await,
        (V1, Put, ["users", login, "roles", role]) => users::change_role(call, login, role, true).await,
        (V1, Delete, ["users", login, "roles", role]) => users::change_role(call, login, role, false).await,
        (V1, Get, ["groups"]) => groups::list(call),
        (V1, Get, ["groups", name]) => groups::get(call, name),
        (V1, Get, ["groups", name, "users"]) => groups::users(call, name),
        (V1, Get, ["groups", name, "categories"]) => groups::categories(call, name),
        (V1, Post, ["groups"]) => groups::create(call).await,
        (V1, Put, ["groups", name]) => groups::update(call, name).await,
        (V1, Delete, ["groups", name]) => groups::delete(call, name).await,
        (V1, Put, ["groups", name, "users", login]) => groups::add_user(call, name, login).await,
        (V1, Delete, ["groups", name, "users", login]) => groups::remove_user(call, name, login).await,
        (V1, Put, ["groups", name, "categories", category]) => groups::add_category(call, name, category).await,
        (V1, Delete, ["groups", name, "categories", category]) => {
            groups::remove_category(call, name, category).await
        }

        (V1, Get, ["resources"]) => resources::list(call),
        (V1, Get, ["resources", "fornode", node]) => resources::get(call, node),
        (V1, Get, ["resources", id]) => resources::get(call, id),
        (V1, Get, ["measurements", resource, attribute]) => measurements::measurement(call, resource, attribute),
        (V1, Post, ["measurements"]) => measurements::query(call),
        (V1, Post, ["acks"]) => alarms::post_ack(call).await,

        (_, Get, ["alarms"]) => alarms::list(call),
        (_, Get, ["alarms", "count"]) => alarms::count(call),
        (V2, Get, ["alarms", "properties"]) => Ok(system::properties(&ALARM_SCHEMA)),
        (V2, Get, ["alarms", "properties", id]) => alarms::property_values(call, id),
        (_, Put, ["alarms"]) => alarms::update_many(call).await,
        (_, Get, ["alarms", id]) => alarms::get(call, id),
        (_, Put, ["alarms", id]) => alarms::update(call, id).await,
        (V2, Put, ["alarms", id, "memo"]) => alarms::save_memo(call, id, false).await,
        (V2, Put, ["alarms", id, "journal"]) => alarms::save_memo(call, id, true).await,
        (V2, Delete, ["alarms", id, "memo"]) => alarms::delete_memo(call, id, false).await,
        (V2, Delete, ["alarms", id, "journal"]) => alarms::delete_memo(call, id, true).await,
        (V2, Post, ["alarms", id, "ticket", "create" | "update" | "close"]) => alarms::ticket(call, id),

        (_, Get, ["events"]) => events::list(call),
        (_, Get, ["events", "count"]) => events::count(call),
        (V2, Get, ["events", "properties"]) => Ok(system::properties(&EVENT_SCHEMA)),
        (V2, Get, ["events", "properties", id]) => events::property_values(call, id),
        (_, Get, ["events", id]) => events::get(call, id),
        (_, Post, ["events"]) => events::post(call).await,
        (V1, Put, ["events"]) => events::acknowledge_many(call).await,
        (V1, Put, ["events", id]) => events::acknowledge(call, id).await,

        (_, Get, ["outages"]) => outages::list(call),
        (_, Get, ["outages", "count"]) => outages::count(call),
        (V1, Get, ["outages", "forNode", node]) => outages::for_node(call, node),
        (V2, Get, ["outages", "properties"]) => Ok(system::properties(&OUTAGE_SCHEMA)),
        (V2, Get, ["outages", "properties", id]) => outages::property_values(call, id),
        (_, Get, ["outages", id]) => outages::get(call, id),

        (_, Get, ["notifications"]) => outages::notifications(call),
        (_, Get, ["notifications", "count"]) => Ok(outages::notification_count()),
        (_, Get, ["notifications", id]) => outages::notification(id),

        (_, Get, ["nodes"]) => nodes::list(call),
        (V2, Get, ["nodes", "properties"]) => Ok(system::properties(&NODE_SCHEMA)),
        (V2, Get, ["nodes", "properties", id]) => nodes::property_values(call, id),
        (_, Post, ["nodes"]) => nodes::create(call).await,
        (_, Get, ["nodes", id]) => nodes::get(call, id),
        (_, Put, ["nodes", id]) => nodes::update(call, id).await,
        (_, Delete, ["nodes", id]) => nodes::delete(call, id).await,
        (_, Put, ["nodes", id, "rescan"]) => nodes::rescan(call, id),
        (_, Get, ["nodes", id, "ipinterfaces"]) => nodes::interfaces(call, id),
        (_, Get, ["nodes", id, "ipinterfaces", ip]) => nodes::get_interface(call, id, ip),
        (_, Get, ["nodes", id, "ipinterfaces", ip, "services"]) => nodes::interface_services(call, id, ip),
        (_, Get, ["nodes", id, "ipinterfaces", ip, "services", name]) => nodes::interface_service(call, id, ip, name),
        (_, Post, ["nodes", id, "ipinterfaces"]) => nodes::add_interface(call, id).await,
        (_, Delete, ["nodes", id, "ipinterfaces", ip]) => nodes::delete_interface(call, id, ip).await,
        (_, Post, ["nodes", id, "ipinterfaces", ip, "services"]) => nodes::add_service(call, id, ip).await,
        (_, Put, ["nodes", id, "ipinterfaces", ip, "services", name]) => {
            nodes::update_service(call, id, ip, name).await
        }
        (_, Delete, ["nodes", id, "ipinterfaces", ip, "services", name]) => {
            nodes::delete_service(call, id, ip, name).await
        }
        (_, Get, ["nodes", id, "snmpinterfaces"]) => nodes::snmp_interfaces(call, id),
        (_, Get, ["nodes", id, "snmpinterfaces", index]) => nodes::snmp_interface(call, id, index),
        (_, Get, ["nodes", id, "categories"]) => nodes::categories(call, id),
        (_, Get, ["nodes", id, "categories", name]) => nodes::category(call, id, name),
        (_, Post, ["nodes", id, "categories"]) => nodes::add_category(call, id, None).await,
        (_, Post, ["nodes", id, "categories", name]) => nodes::add_category(call, id, Some(name)).await,
        (_, Put, ["nodes", id, "categories", name]) => nodes::update_category(call, id, name),
        (_, Delete, ["nodes", id, "categories", name]) => nodes::remove_category(call, id, name).await,
        (V2, _, ["nodes", id, "metadata", rest @ ..]) => metadata::handle(call, id, Scope::Node, rest).await,
        (V2, _, ["nodes", id, "ipinterfaces", ip, "metadata", rest @ ..]) => {
            metadata::handle(call, id, Scope::Interface(ip), rest).await
        }
        (V2, _, ["nodes", id, "ipinterfaces", ip, "services", name, "metadata", rest @ ..]) => {
            metadata::handle(call, id, Scope::Service(ip, name), rest).await
        }
        (_, Get, ["nodes", id, "hardwareInventory"]) => hardware::root(call, id),
        (_, Post, ["nodes", id, "hardwareInventory"]) => hardware::replace_root(call, id),
        (_, _, ["nodes", id, "hardwareInventory", index]) => hardware::entity(call, id, index),
        (V1, Get, ["nodes", id, "assetRecord"]) => nodes::get_assets(call, id),
        (V1, Put, ["nodes", id, "assetRecord"]) => nodes::update_assets(call, id).await,

        (V2, Get, ["ipinterfaces"]) => nodes::all_interfaces(call),
        (V2, Get, ["ipinterfaces", "properties"]) => Ok(system::properties(&INTERFACE_SCHEMA)),
        (V2, Get, ["ifservices"]) => nodes::all_services(call),
        (V2, Put, ["ifservices"]) => nodes::update_services(call).await,
        (V2, Get, ["ifservices", "properties"]) => Ok(system::properties(&SERVICE_SCHEMA)),
        (V2, Get, ["snmpinterfaces"]) => nodes::all_snmp_interfaces(call),
        (V2, Get, ["snmpinterfaces", "properties"]) => Ok(system::properties(&SNMP_SCHEMA)),
        (V2, Get, [collection @ ("ipinterfaces" | "ifservices" | "snmpinterfaces"), "properties", id]) => {
            nodes::sub_property_values(call, collection, id)
        }
        (V2, Get, ["ipinterfaces", id]) => nodes::one_interface(call, id),
        (V2, Get, ["ifservices", id]) => nodes::one_service(call, id),
        (V2, Get, ["snmpinterfaces", _]) => Err(GatewayError::not_found("")),

        (V1, Get, ["requisitionNames"]) => Ok(requisitions::names(call)),
        (V1, Get, ["requisitions"]) => requisitions::list(call, false),
        (V1, Get, ["requisitions", "count"]) => Ok(requisitions::count(call, false)),
        (V1, Get, ["requisitions", "deployed"]) => requisitions::list(call, true),
        (V1, Get, ["requisitions", "deployed", "count"]) => Ok(requisitions::count(call, true)),
        (V1, Get, ["requisitions", name]) => requisitions::get(call, name),
        (V1, Get, ["requisitions", name, "nodes"]) => requisitions::nodes(call, name, None),
        (V1, Get, ["requisitions", name, "nodes", fid]) => requisitions::nodes(call, name, Some(fid)),
        (V1, Post, ["requisitions"]) => requisitions::post(call).await,
        (V1, Post, ["requisitions", name, "nodes"]) => requisitions::post_node(call, name).await,
        (V1, Put, ["requisitions", name, "import"]) => requisitions::import(call, name).await,
        (V1, Delete, ["requisitions", "deployed", name]) => requisitions::delete(call, REQUISITION, name).await,
        (V1, Delete, ["requisitions", name]) => requisitions::delete(call, REQUISITION, name).await,
        (V1, Delete, ["requisitions", name, "nodes", fid]) => requisitions::delete_node(call, name, fid).await,

        (V1, Get, ["foreignSources"] | ["foreignSources", "deployed"]) => Ok(requisitions::foreign_sources(call)),
        (V1, Get, ["foreignSources", "count"] | ["foreignSources", "deployed", "count"]) => {
            Ok(requisitions::foreign_source_count(call))
        }
        (V1, Get, ["foreignSources", name]) => requisitions::get_foreign_source(call, name),
        (V1, Post, ["foreignSources"]) => requisitions::post_foreign_source(call).await,
        (V1, Put, ["foreignSources", name]) => requisitions::update_foreign_source(call, name).await,
        (V1, Delete, ["foreignSources", "deployed", name] | ["foreignSources", name]) => {
            requisitions::delete(call, FOREIGN_SOURCE, name).await
        }

        _ => Err(GatewayError::not_found("")),
    }
}

fn options() -> Response {
    let mut response = status(StatusCode::OK);
    response
        .headers_mut()
        .insert(http::header::ALLOW, HeaderValue::from_static("GET, HEAD, POST, PUT, DELETE, OPTIONS"));
    response
}
