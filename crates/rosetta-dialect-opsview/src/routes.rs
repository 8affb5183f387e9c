//! The whole `/rest` route table, top to bottom: (method, path below `/rest`) → handler.
//! Trailing and doubled slashes never matter (the path is split into segments first).

use rosetta_core::{ErrorKind, GatewayError, Response};

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
