//! The whole `/rest` route table, top to bottom: (method, path below `/rest`) → handler.
//! Trailing and doubled slashes never matter (the path is split into segments first).

use rosetta_core::{ErrorKind, GatewayError, Requirement, Response, RouteSpec};
use rosetta_model::Permission;

use crate::config::ObjectType;
use crate::endpoints::{actions, catalog, config, reload, session, status, Env};

/// Answers one decoded request.
pub async fn route(env: &Env<'_>) -> Result<Response, GatewayError> {
    let path: Vec<&str> = env.call.path.iter().map(String::as_str).collect();
    let method = env.call.method.as_str();
    match (method, path.as_slice()) {
        ("GET", []) => session::api_version(env),
        ("POST", ["login"]) => session::login(env).await,
        ("DELETE", ["login"]) => session::delete_login(env).await,
        ("POST", ["logout"]) => session::logout(env).await,
        ("GET", ["info"]) => session::info(env),
        ("GET", ["serverinfo"]) => session::server_info(env),
        ("GET", ["user"]) => session::user(env),

        ("GET", ["reload"]) => reload::status(env),
        ("POST", ["reload"]) => reload::start(env).await,

        ("GET", ["config", kind]) if catalog::serves(kind) => catalog::list(env, kind),
        ("GET", ["config", kind, "exists"]) if catalog::serves(kind) => catalog::exists(env, kind),
        ("GET", ["config", kind, key]) if catalog::serves(kind) => catalog::get(env, kind, key),
        ("GET", ["config", kind]) => config::list(env, kind),
        ("GET", ["config", kind, "exists"]) => config::exists(env, kind),
        ("GET", ["config", kind, id]) => config::get(env, kind, id),
        ("POST", ["config", kind]) => config::create(env, kind).await,
        ("PUT", ["config", kind]) => config::upsert(env, kind).await,
        ("PUT", ["config", kind, id]) => config::update(env, kind, id).await,
        ("POST", ["config", kind, id]) => config::clone(env, kind, id).await,
        ("DELETE", ["config", kind]) => config::delete_many(env, kind).await,
        ("DELETE", ["config", kind, id]) => config::delete(env, kind, id).await,

        ("GET", ["status", "host"]) => status::hosts(env),
        ("GET", ["status", "service"]) => status::services(env),
        ("GET", ["status", "hostgroup"]) => status::hostgroups(env),
        ("GET", ["status", "viewport"]) => status::viewports(env),
        ("GET", ["status", "performancemetric"] | ["runtime", "performancemetric"]) => status::performance_metrics(env),
        ("GET", ["runtime", "service"]) => status::runtime_services(env),
        ("GET", ["runtime", "hosttemplate"]) => status::runtime_host_templates(env),
        ("GET", ["runtime", "monitoringcluster"]) => status::runtime_clusters(env),
        ("GET", ["event"]) => status::events(env),
        ("GET", ["detail"]) => status::detail(env),
        ("POST", ["status"]) => actions::submit_result(env).await,

        ("GET", ["acknowledge"]) => actions::list_acknowledgeable(env),
        ("POST", ["acknowledge"]) => actions::acknowledge(env).await,
        ("DELETE", ["acknowledge"]) => actions::unacknowledge(env).await,
        ("GET", ["downtime"]) => actions::list_downtimes(env),
        ("POST", ["downtime"]) => actions::schedule_downtime(env).await,
        ("DELETE", ["downtime"]) => actions::delete_downtimes(env).await,
        ("GET", ["recheck"]) => actions::list_recheckable(env),
        ("POST", ["recheck"]) => actions::recheck(env).await,

        (_, path) if known_path(path) => {
            Err(GatewayError::new(ErrorKind::MethodNotAllowed, format!("Method {method} not implemented")))
        }
        _ => Err(GatewayError::not_found(format!("No such path /rest/{}", path.join("/")))),
    }
}

/// Paths that exist for some other method (so the answer is 405, not 404).
fn known_path(path: &[&str]) -> bool {
    matches!(
        path,
        [] | ["login" | "logout" | "info" | "serverinfo" | "user" | "reload" | "event" | "detail" | "status"]
            | ["acknowledge" | "downtime" | "recheck"]
            | ["config", _]
            | ["config", _, _]
            | ["status", _]
    )
}

/// Every route of the table above with the permission it needs (spec §8): one entry per arm at least,
/// the configuration arms once per object type. `routes::tests` proves the list and the `match` agree.
pub fn route_specs() -> Vec<RouteSpec> {
    use Permission::*;
    const VIEW: &[Permission] = &[ViewAll, ViewSome];
    const ACT: &[Permission] = &[ActionAll, ActionSome];
    const DOWNTIME: &[Permission] = &[DowntimeAll, DowntimeSome];
    let mut specs = vec![
        RouteSpec::new("GET", "/rest", Requirement::Public),
        RouteSpec::new("POST", "/rest/login", Requirement::Public),
        RouteSpec::new("DELETE", "/rest/login", Requirement::Authenticated),
        RouteSpec::new("POST", "/rest/logout", Requirement::Authenticated),
        RouteSpec::new("GET", "/rest/info", Requirement::Authenticated),
        RouteSpec::new("GET", "/rest/serverinfo", Requirement::Authenticated),
        RouteSpec::new("GET", "/rest/user", Requirement::Authenticated),
        RouteSpec::any("GET", "/rest/reload", &[ReloadView, ReloadAccess]),
        RouteSpec::any("POST", "/rest/reload", &[ReloadAccess]),
        RouteSpec::any("GET", "/rest/status/host", VIEW),
        RouteSpec::any("GET", "/rest/status/service?hostname={host_name}", VIEW),
        RouteSpec::any("GET", "/rest/status/hostgroup", VIEW),
        RouteSpec::any("GET", "/rest/status/viewport", &[ViewAll, ViewSome, ViewportAccess]),
        RouteSpec::any("GET", "/rest/status/performancemetric", VIEW),
        RouteSpec::any("GET", "/rest/runtime/performancemetric?type=host", VIEW),
        RouteSpec::any("GET", "/rest/runtime/service", VIEW),
        RouteSpec::any("GET", "/rest/runtime/hosttemplate", VIEW),
        RouteSpec::any("GET", "/rest/runtime/monitoringcluster", VIEW),
        RouteSpec::any("GET", "/rest/event", VIEW),
        RouteSpec::any("GET", "/rest/detail?hostname={host_name}", VIEW),
        RouteSpec::any("POST", "/rest/status?hst.hostname={host_name}&new_state=1&comment=audit", ACT),
        RouteSpec::any("GET", "/rest/acknowledge", ACT),
        RouteSpec::any("POST", "/rest/acknowledge?svc.hostname={host_name}&comment=audit", ACT),
        RouteSpec::any("DELETE", "/rest/acknowledge?svc.hostname={host_name}", ACT),
        RouteSpec::any("GET", "/rest/downtime", &[DowntimeAll, DowntimeSome, ViewAll, ViewSome]),
        RouteSpec::any("POST", "/rest/downtime?hst.hostname={host_name}&starttime=now&duration=1h&comment=audit", DOWNTIME),
        RouteSpec::any("DELETE", "/rest/downtime?hst.hostname={host_name}&only_objects_set=1", DOWNTIME),
        RouteSpec::any("GET", "/rest/recheck", ACT),
        RouteSpec::any("POST", "/rest/recheck?hst.hostname={host_name}", ACT),
    ];
    for catalog in ["plugin", "hosticons", "checktype", "access", "timezone", "collector"] {
        let read = [catalog::Catalog::from_url(catalog).map_or(AdminAccess, catalog::Catalog::permission)];
        specs.push(RouteSpec::any("GET", format!("/rest/config/{catalog}"), &read));
        specs.push(RouteSpec::any("GET", format!("/rest/config/{catalog}/exists?name=x"), &read));
        specs.push(RouteSpec::any("GET", format!("/rest/config/{catalog}/1"), &read));
    }
    for ty in ObjectType::ALL {
        let kind = ty.name();
        let read = [ty.permission()];
        let save = [ty.permission(), ConfigureSave];
        // Tenant-owned types name the fixture objects; the others a missing id (404 after the check),
        // so no probe changes or deletes a built-in object.
        let id = match ty {
            ObjectType::Host => "{host}",
            ObjectType::HostGroup => "{hostgroup}",
            _ => "999999",
        };
        specs.push(RouteSpec::any("GET", format!("/rest/config/{kind}"), &read));
        specs.push(RouteSpec::any("GET", format!("/rest/config/{kind}/exists?id={id}"), &read));
        specs.push(RouteSpec::any("GET", format!("/rest/config/{kind}/{id}"), &read));
        specs.push(RouteSpec::all("POST", format!("/rest/config/{kind}"), &save));
        specs.push(RouteSpec::all("PUT", format!("/rest/config/{kind}"), &save));
        specs.push(RouteSpec::all("PUT", format!("/rest/config/{kind}/{id}"), &save));
        specs.push(RouteSpec::all("POST", format!("/rest/config/{kind}/{id}"), &save));
        specs.push(RouteSpec::all("DELETE", format!("/rest/config/{kind}?id={id}"), &save));
        specs.push(RouteSpec::all("DELETE", format!("/rest/config/{kind}/{id}"), &save));
    }
    specs
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
                (segments.first() == Some(&"rest")).then(|| (vec![spec.method], segments[1..].to_vec()))
            },
            |guard, bindings| match guard {
                "catalog::serves(kind)" => bindings.iter().any(|(name, value)| name == "kind" && catalog::serves(value)),
                "known_path(path)" => true,
                other => panic!("teach this test the guard `{other}`"),
            },
            &["(_, path) if known_path(path)", "_"],
        );
    }
}
