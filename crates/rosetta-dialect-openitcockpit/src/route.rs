//! Path parsing (`/<controller>/<action>/<args…>[.json]`, spec §0 stage 3) and the ACL needs of each
//! controller/action (spec §7 layer 1).

use rosetta_auth::Principal;
use rosetta_model::Permission;

/// Controllers this dialect implements (lower case; plugin controllers as `plugin/controller`).
pub const CONTROLLERS: &[&str] = &[
    "hosts",
    "services",
    "hostgroups",
    "containers",
    "tenants",
    "hosttemplates",
    "servicetemplates",
    "commands",
    "contacts",
    "timeperiods",
    "nagios_module",
    "downtimes",
    "acknowledgements",
    "systemdowntimes",
    "exports",
    "profile",
    "usergroups",
    "users",
];

/// Path prefixes that belong to other mounts and are never claimed.
const FOREIGN: &[&str] = &["rest", "opennms", "api", "healthz", "readyz", "metrics"];

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Lower-case controller (`hosts`, `nagios_module/cmd`).
    pub controller: String,
    /// Lower-case action (`index` when absent).
    pub action: String,
    /// Positional arguments, percent-decoded.
    pub args: Vec<String>,
    /// True when the path ended in `.json`.
    pub json: bool,
}

fn is_identifier(segment: &str) -> bool {
    !segment.is_empty() && segment.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// Parses a path; `None` when it cannot be a controller path at all.
pub fn parse(path: &str) -> Option<Route> {
    let mut segments: Vec<String> =
        rosetta_core::request::segments(path).into_iter().map(rosetta_core::request::decode_segment).collect();
    let mut json = false;
    if let Some(last) = segments.last_mut() {
        if last == ".json" {
            json = true;
            segments.pop();
        } else if let Some(stem) = last.strip_suffix(".json") {
            json = true;
            *last = stem.to_owned();
        }
    }
    let mut parts = segments.into_iter();
    let first = parts.next()?.to_ascii_lowercase();
    if !is_identifier(&first) || FOREIGN.contains(&first.as_str()) {
        return None;
    }
    let controller = if first == "nagios_module" {
        format!("nagios_module/{}", parts.next().unwrap_or_default().to_ascii_lowercase())
    } else {
        first
    };
    let action = parts.next().map_or_else(|| "index".to_owned(), |action| action.to_ascii_lowercase());
    Some(Route { controller, action, args: parts.collect(), json })
}

/// True when the dialect serves `path`: a `.json` controller path, or any path of a controller it
/// implements (so other non-JSON paths still reach the native 404).
pub fn claims(path: &str) -> bool {
    let Some(route) = parse(path) else {
        return false;
    };
    let controller = route.controller.split('/').next().unwrap_or_default();
    route.json || CONTROLLERS.contains(&controller)
}

/// What the user group needs for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Always allowed (`profile/*`).
    Always,
    /// Read access: VIEWALL or VIEWSOME.
    View,
    /// Configuration writes: CONFIGUREHOSTS and CONFIGURESAVE.
    Configure,
    /// External commands: ACTIONALL or ACTIONSOME.
    Action,
    /// Downtimes: DOWNTIMEALL/DOWNTIMESOME or ACTIONALL/ACTIONSOME.
    Downtime,
    /// Export: RELOADACCESS.
    Reload,
    /// Export status: RELOADACCESS or RELOADVIEW.
    ReloadView,
    /// User administration: ADMINACCESS.
    Admin,
}

impl Need {
    /// The need as the isolation audit's [`Requirement`](rosetta_core::Requirement).
    pub fn requirement(self) -> rosetta_core::Requirement {
        use rosetta_core::Requirement::{AllOf, AnyOf, Authenticated};
        use Permission::*;
        match self {
            Need::Always => Authenticated,
            Need::View => AnyOf(vec![ViewAll, ViewSome]),
            Need::Configure => AllOf(vec![ConfigureHosts, ConfigureSave]),
            Need::Action => AnyOf(vec![ActionAll, ActionSome]),
            Need::Downtime => AnyOf(vec![DowntimeAll, DowntimeSome, ActionAll, ActionSome]),
            Need::Reload => AnyOf(vec![ReloadAccess]),
            Need::ReloadView => AnyOf(vec![ReloadAccess, ReloadView]),
            Need::Admin => AnyOf(vec![AdminAccess]),
        }
    }

    /// True when the principal's role grants the need.
    pub fn granted(self, principal: &Principal) -> bool {
        use Permission::*;
        match self {
            Need::Always => true,
            Need::View => principal.can_any(&[ViewAll, ViewSome]),
            Need::Configure => principal.can(ConfigureHosts) && principal.can(ConfigureSave),
            Need::Action => principal.can_any(&[ActionAll, ActionSome]),
            Need::Downtime => principal.can_any(&[DowntimeAll, DowntimeSome, ActionAll, ActionSome]),
            Need::Reload => principal.can(ReloadAccess),
            Need::ReloadView => principal.can_any(&[ReloadAccess, ReloadView]),
            Need::Admin => principal.can(AdminAccess),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_like_cakephp_fallback_routes() {
        let route = parse("/hosts/edit/5.json").expect("route");
        assert_eq!((route.controller.as_str(), route.action.as_str(), route.args.clone(), route.json), ("hosts", "edit", vec!["5".to_owned()], true));
        let route = parse("/Hosts/notMonitored.json").expect("route");
        assert_eq!((route.controller.as_str(), route.action.as_str()), ("hosts", "notmonitored"));
        let route = parse("/profile/delete_apikey/5/.json").expect("route");
        assert_eq!(route.args, vec!["5".to_owned()]);
        assert!(route.json);
        let route = parse("/nagios_module/cmd/submit.json").expect("route");
        assert_eq!((route.controller.as_str(), route.action.as_str()), ("nagios_module/cmd", "submit"));
        assert_eq!(parse("/hosts").map(|route| route.action), Some("index".to_owned()));
        assert_eq!(parse("/rest/config/host"), None);
        assert_eq!(parse("/"), None);
    }
}
