//! Every route of [`crate::routes::route`] with the roles it needs (spec §1.3, §1.4), for the isolation
//! audit. Kept beside the table rather than in it so the table stays one readable `match`; the test
//! below reads the table's source and fails when an arm has no spec or a spec reaches no arm.

use rosetta_core::{Requirement, RouteSpec};

const V1: &str = "/opennms/rest";
const V2: &str = "/opennms/api/v2";
/// `/rest/**` GET: REST, ADMIN, MOBILE, USER.
const READ: &[&str] = &["ROLE_REST", "ROLE_ADMIN", "ROLE_MOBILE", "ROLE_USER"];
/// Every other write: REST, ADMIN. (User edits need ROLE_ADMIN on top; Horizon answers the others 400.)
const WRITE: &[&str] = &["ROLE_REST", "ROLE_ADMIN"];
/// PUT on alarms, nodes and ifservices: MOBILE, REST, ADMIN.
const PUT: &[&str] = &["ROLE_MOBILE", "ROLE_REST", "ROLE_ADMIN"];
/// `foreignSources/**`, `requisitions/**`: PROVISION, REST, ADMIN.
const PROVISION: &[&str] = &["ROLE_PROVISION", "ROLE_REST", "ROLE_ADMIN"];
/// POST `measurements` (a read-only query): REST, ADMIN, USER.
const MEASURE: &[&str] = &["ROLE_REST", "ROLE_ADMIN", "ROLE_USER"];

/// (API base, method, path below the base, roles; `None` for anonymous routes).
type Row = (&'static str, &'static str, &'static str, Option<&'static [&'static str]>);

const ROWS: &[Row] = &[
    (V1, "OPTIONS", "/nodes", None),
    (V1, "GET", "/info", Some(READ)),
    (V1, "GET", "/health", Some(READ)),
    (V1, "GET", "/health/probe", None),
    (V1, "GET", "/whoami", Some(READ)),
    (V1, "GET", "/categories", Some(READ)),
    (V1, "GET", "/categories/{hostgroup_name}", Some(READ)),
    (V1, "POST", "/categories", Some(WRITE)),
    (V1, "DELETE", "/categories/audit-missing", Some(WRITE)),
    (V1, "GET", "/users", Some(READ)),
    (V1, "GET", "/users/admin", Some(READ)),
    (V1, "POST", "/users", Some(WRITE)),
    (V1, "PUT", "/users/audit-missing", Some(WRITE)),
    (V1, "DELETE", "/users/audit-missing", Some(WRITE)),
    (V1, "PUT", "/users/audit-missing/roles/ROLE_USER", Some(WRITE)),
    (V1, "DELETE", "/users/audit-missing/roles/ROLE_USER", Some(WRITE)),
    (V1, "GET", "/groups", Some(READ)),
    (V1, "GET", "/groups/Admin", Some(READ)),
    (V1, "GET", "/groups/Admin/users", Some(READ)),
    (V1, "GET", "/groups/Admin/categories", Some(READ)),
    (V1, "POST", "/groups", Some(WRITE)),
    (V1, "PUT", "/groups/audit-missing", Some(WRITE)),
    (V1, "DELETE", "/groups/audit-missing", Some(WRITE)),
    (V1, "PUT", "/groups/audit-missing/users/audit-missing", Some(WRITE)),
    (V1, "DELETE", "/groups/audit-missing/users/audit-missing", Some(WRITE)),
    (V1, "PUT", "/groups/audit-missing/categories/{hostgroup_name}", Some(WRITE)),
    (V1, "DELETE", "/groups/audit-missing/categories/{hostgroup_name}", Some(WRITE)),
    (V1, "GET", "/resources", Some(READ)),
    (V1, "GET", "/resources/fornode/{host}", Some(READ)),
    (V1, "GET", "/resources/node[{host}].responseTime[{address}]", Some(READ)),
    (V1, "GET", "/measurements/node[{host}].responseTime[{address}]/icmp", Some(READ)),
    (V1, "POST", "/measurements", Some(MEASURE)),
    (V1, "POST", "/acks?alarmId={alarm}&action=ack", Some(WRITE)),
    (V1, "GET", "/alarms", Some(READ)),
    (V2, "GET", "/alarms", Some(READ)),
    (V1, "GET", "/alarms/count", Some(READ)),
    (V2, "GET", "/alarms/properties", Some(READ)),
    (V2, "GET", "/alarms/properties/nodeLabel", Some(READ)),
    (V1, "PUT", "/alarms?alarmId={alarm}&ack=true", Some(PUT)),
    (V1, "GET", "/alarms/{alarm}", Some(READ)),
    (V2, "GET", "/alarms/{alarm}", Some(READ)),
    (V1, "PUT", "/alarms/{alarm}?ack=true", Some(PUT)),
    (V2, "PUT", "/alarms/{alarm}/memo", Some(PUT)),
    (V2, "PUT", "/alarms/{alarm}/journal", Some(PUT)),
    (V2, "DELETE", "/alarms/{alarm}/memo", Some(WRITE)),
    (V2, "DELETE", "/alarms/{alarm}/journal", Some(WRITE)),
    (V2, "POST", "/alarms/{alarm}/ticket/create", Some(WRITE)),
    (V1, "GET", "/events", Some(READ)),
    (V2, "GET", "/events", Some(READ)),
    (V1, "GET", "/events/count", Some(READ)),
    (V2, "GET", "/events/properties", Some(READ)),
    (V2, "GET", "/events/properties/nodeLabel", Some(READ)),
    (V1, "GET", "/events/{event}", Some(READ)),
    (V1, "POST", "/events", Some(WRITE)),
    (V1, "PUT", "/events/{event}?ack=true", Some(WRITE)),
    (V1, "PUT", "/events?ack=true&nodeId={host}", Some(WRITE)),
    (V1, "GET", "/outages", Some(READ)),
    (V2, "GET", "/outages", Some(READ)),
    (V1, "GET", "/outages/count", Some(READ)),
    (V1, "GET", "/outages/forNode/{host}", Some(READ)),
    (V2, "GET", "/outages/properties", Some(READ)),
    (V2, "GET", "/outages/properties/nodeLabel", Some(READ)),
    (V1, "GET", "/outages/{outage}", Some(READ)),
    (V1, "GET", "/notifications", Some(READ)),
    (V1, "GET", "/notifications/count", Some(READ)),
    (V1, "GET", "/notifications/1", Some(READ)),
    (V1, "GET", "/nodes", Some(READ)),
    (V2, "GET", "/nodes", Some(READ)),
    (V2, "GET", "/nodes/properties", Some(READ)),
    (V2, "GET", "/nodes/properties/label", Some(READ)),
    (V1, "POST", "/nodes", Some(WRITE)),
    (V1, "GET", "/nodes/{host}", Some(READ)),
    (V2, "GET", "/nodes/{host}", Some(READ)),
    (V1, "PUT", "/nodes/{host}", Some(PUT)),
    (V1, "DELETE", "/nodes/{host}", Some(WRITE)),
    (V1, "PUT", "/nodes/{host}/rescan", Some(PUT)),
    (V1, "GET", "/nodes/{host}/ipinterfaces", Some(READ)),
    (V1, "GET", "/nodes/{host}/ipinterfaces/{address}", Some(READ)),
    (V1, "GET", "/nodes/{host}/ipinterfaces/{address}/services", Some(READ)),
    (V1, "GET", "/nodes/{host}/ipinterfaces/{address}/services/{service_name}", Some(READ)),
    (V1, "POST", "/nodes/{host}/ipinterfaces", Some(WRITE)),
    (V1, "DELETE", "/nodes/{host}/ipinterfaces/{address}", Some(WRITE)),
    (V1, "POST", "/nodes/{host}/ipinterfaces/{address}/services", Some(WRITE)),
    (V1, "PUT", "/nodes/{host}/ipinterfaces/{address}/services/{service_name}", Some(PUT)),
    (V1, "DELETE", "/nodes/{host}/ipinterfaces/{address}/services/{service_name}", Some(WRITE)),
    (V1, "GET", "/nodes/{host}/snmpinterfaces", Some(READ)),
    (V1, "GET", "/nodes/{host}/snmpinterfaces/1", Some(READ)),
    (V1, "GET", "/nodes/{host}/categories", Some(READ)),
    (V1, "GET", "/nodes/{host}/categories/{hostgroup_name}", Some(READ)),
    (V1, "POST", "/nodes/{host}/categories", Some(WRITE)),
    (V1, "POST", "/nodes/{host}/categories/{hostgroup_name}", Some(WRITE)),
    (V1, "PUT", "/nodes/{host}/categories/{hostgroup_name}", Some(PUT)),
    (V1, "DELETE", "/nodes/{host}/categories/{hostgroup_name}", Some(WRITE)),
    (V2, "GET", "/nodes/{host}/metadata", Some(READ)),
    (V2, "PUT", "/nodes/{host}/metadata/X-audit/key/value", Some(PUT)),
    (V2, "POST", "/nodes/{host}/metadata", Some(WRITE)),
    (V2, "DELETE", "/nodes/{host}/metadata/X-audit", Some(WRITE)),
    (V2, "GET", "/nodes/{host}/ipinterfaces/{address}/metadata", Some(READ)),
    (V2, "GET", "/nodes/{host}/ipinterfaces/{address}/services/{service_name}/metadata", Some(READ)),
    (V1, "GET", "/nodes/{host}/hardwareInventory", Some(READ)),
    (V1, "POST", "/nodes/{host}/hardwareInventory", Some(WRITE)),
    (V1, "GET", "/nodes/{host}/hardwareInventory/1", Some(READ)),
    (V1, "GET", "/nodes/{host}/assetRecord", Some(READ)),
    (V1, "PUT", "/nodes/{host}/assetRecord", Some(PUT)),
    (V2, "GET", "/ipinterfaces", Some(READ)),
    (V2, "GET", "/ipinterfaces/properties", Some(READ)),
    (V2, "GET", "/ifservices", Some(READ)),
    (V2, "PUT", "/ifservices?status=A", Some(PUT)),
    (V2, "GET", "/ifservices/properties", Some(READ)),
    (V2, "GET", "/snmpinterfaces", Some(READ)),
    (V2, "GET", "/snmpinterfaces/properties", Some(READ)),
    (V2, "GET", "/ipinterfaces/properties/ipAddress", Some(READ)),
    (V2, "GET", "/ipinterfaces/{host}", Some(READ)),
    (V2, "GET", "/ifservices/{service}", Some(READ)),
    (V2, "GET", "/snmpinterfaces/1", Some(READ)),
    // Not below `requisitions/`, so the plain GET rule applies (as spring-security's patterns do).
    (V1, "GET", "/requisitionNames", Some(READ)),
    (V1, "GET", "/requisitions", Some(PROVISION)),
    (V1, "GET", "/requisitions/count", Some(PROVISION)),
    (V1, "GET", "/requisitions/deployed", Some(PROVISION)),
    (V1, "GET", "/requisitions/deployed/count", Some(PROVISION)),
    (V1, "GET", "/requisitions/{tenant_name}", Some(PROVISION)),
    (V1, "GET", "/requisitions/{tenant_name}/nodes", Some(PROVISION)),
    (V1, "GET", "/requisitions/{tenant_name}/nodes/audit-missing", Some(PROVISION)),
    (V1, "POST", "/requisitions", Some(PROVISION)),
    (V1, "POST", "/requisitions/{tenant_name}/nodes", Some(PROVISION)),
    (V1, "PUT", "/requisitions/audit-missing/import", Some(PROVISION)),
    (V1, "DELETE", "/requisitions/deployed/audit-missing", Some(PROVISION)),
    (V1, "DELETE", "/requisitions/audit-missing", Some(PROVISION)),
    (V1, "DELETE", "/requisitions/{tenant_name}/nodes/audit-missing", Some(PROVISION)),
    (V1, "GET", "/foreignSources", Some(PROVISION)),
    (V1, "GET", "/foreignSources/count", Some(PROVISION)),
    (V1, "GET", "/foreignSources/{tenant_name}", Some(PROVISION)),
    (V1, "POST", "/foreignSources", Some(PROVISION)),
    (V1, "PUT", "/foreignSources/audit-missing", Some(PROVISION)),
    (V1, "DELETE", "/foreignSources/audit-missing", Some(PROVISION)),
];

/// Every route with the roles it needs.
pub fn route_specs() -> Vec<RouteSpec> {
    ROWS.iter()
        .map(|(base, method, path, roles)| {
            let need = roles.map_or(Requirement::Public, |roles| Requirement::AnyRole(roles.to_vec()));
            RouteSpec::new(method, format!("{base}{path}"), need)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rosetta_core::route_spec::table;

    use super::*;

    #[test]
    fn every_route_has_a_spec_and_every_spec_a_route() {
        table::assert_complete(
            include_str!("routes.rs"),
            "pub async fn route",
            &route_specs(),
            |spec| {
                let segments = spec.segments();
                let verb = match spec.method {
                    "GET" => "Get",
                    "POST" => "Post",
                    "PUT" => "Put",
                    "DELETE" => "Delete",
                    _ => "Options",
                };
                match segments.as_slice() {
                    ["opennms", "rest", rest @ ..] => Some((vec!["V1", verb], rest.to_vec())),
                    ["opennms", "api", "v2", rest @ ..] => Some((vec!["V2", verb], rest.to_vec())),
                    _ => None,
                }
            },
            |guard, _| panic!("teach this test the guard `{guard}`"),
            &["_"],
        );
    }
}
