//! THE route table: controller/action → ACL need and handler (spec §0 stage 3, §7).

use crate::call::{Answer, Call};
use crate::endpoints::*;
use crate::errors;
use crate::route::Need;
use rosetta_core::{Requirement, RouteSpec};

macro_rules! route_table {
    ($( $controller:literal $action:literal => $need:ident $handler:path; )*) => {
        /// The ACL need of a controller/action; `None` for routes that do not exist (the product
        /// denies those in its ACL: 403).
        pub fn need(controller: &str, action: &str) -> Option<Need> {
            match (controller, action) {
                $( ($controller, $action) => Some(Need::$need), )*
                _ => None,
            }
        }

        /// Every controller/action with the permission its ACL need amounts to, as an example request
        /// ([`example`]); generated with the table, so no route can lack one.
        pub fn route_specs() -> Vec<RouteSpec> {
            vec![$( example($controller, $action, Need::$need.requirement()), )*]
        }

        /// Runs the handler of a controller/action.
        pub async fn run(controller: &str, action: &str, call: &Call<'_>) -> Answer {
            match (controller, action) {
                $( ($controller, $action) => $handler(call).await, )*
                _ => Err(errors::acl_forbidden(&call.url)),
            }
        }
    };
}

route_table! {
    "hosts" "index" => View hosts::index;
    "hosts" "notmonitored" => View hosts::not_monitored;
    "hosts" "disabled" => View hosts::disabled;
    "hosts" "loadhostsbystring" => View hosts::load_hosts_by_string;
    "hosts" "byuuid" => View hosts::by_uuid;
    "hosts" "view" => View hosts::view;
    "hosts" "add" => Configure hosts::add;
    "hosts" "edit" => Configure hosts::edit;
    "hosts" "delete" => Configure hosts::delete;
    "hosts" "deactivate" => Configure hosts::deactivate;
    "hosts" "enable" => Configure hosts::enable;
    "services" "index" => View services::index;
    "services" "notmonitored" => View services::not_monitored;
    "services" "disabled" => View services::disabled;
    "services" "loadservicesbystring" => View services::load_services_by_string;
    "services" "add" => Configure services::add;
    "services" "edit" => Configure services::edit;
    "services" "delete" => Configure services::delete;
    "services" "deactivate" => Configure services::deactivate;
    "services" "enable" => Configure services::enable;
    "nagios_module/cmd" "index" => Action cmd::index;
    "nagios_module/cmd" "submit" => Action cmd::submit;
    "nagios_module/cmd" "submit_bulk_naemon" => Action cmd::submit_bulk_naemon;
    "downtimes" "host" => View status::host_downtimes;
    "downtimes" "service" => View status::service_downtimes;
    "downtimes" "delete" => Downtime status::delete_downtime;
    "acknowledgements" "host" => View status::host_acknowledgements;
    "acknowledgements" "service" => View status::service_acknowledgements;
    "acknowledgements" "delete" => Action status::delete_acknowledgement;
    "statehistories" "host" => View status::host_state_history;
    "statehistories" "service" => View status::service_state_history;
    "exports" "index" => ReloadView exports::index;
    "exports" "broadcast" => ReloadView exports::broadcast;
    "exports" "launchexport" => Reload exports::launch;
    "exports" "verifyconfig" => Reload exports::verify;
    "containers" "loadcontainers" => View containers::load_containers;
    "containers" "loadcontainersforangular" => View containers::load_containers_for_angular;
    "containers" "view" => View containers::view;
    "containers" "add" => Configure containers::add;
    "containers" "edit" => Configure containers::edit;
    "containers" "delete" => Configure containers::delete;
    "tenants" "index" => View containers::tenants_index;
    "tenants" "add" => Configure containers::tenants_add;
    "hostgroups" "index" => View containers::hostgroups_index;
    "hostgroups" "add" => Configure containers::hostgroups_add;
    "hostgroups" "edit" => Configure containers::hostgroups_edit;
    "hostgroups" "delete" => Configure containers::hostgroups_delete;
    "commands" "index" => View objects::commands_index;
    "commands" "add" => Configure objects::commands_add;
    "contacts" "index" => View objects::contacts_index;
    "timeperiods" "index" => View objects::timeperiods_index;
    "timeperiods" "add" => Configure objects::timeperiods_add;
    "usergroups" "index" => Admin objects::usergroups_index;
    "systemdowntimes" "addhostdowntime" => Downtime objects::add_host_downtime;
    "profile" "apikey" => Always profile::apikey;
    "profile" "create_apikey" => Always profile::create_apikey;
    "profile" "delete_apikey" => Always profile::delete_apikey;
    "hosttemplates" "index" => View templates::host_index;
    "hosttemplates" "add" => Configure templates::host_add;
    "hosttemplates" "edit" => Configure templates::host_edit;
    "hosttemplates" "delete" => Configure templates::host_delete;
    "servicetemplates" "index" => View templates::service_index;
    "servicetemplates" "add" => Configure templates::service_add;
    "servicetemplates" "edit" => Configure templates::service_edit;
    "servicetemplates" "delete" => Configure templates::service_delete;
}

/// The example request of a controller/action for the isolation audit: POST for the actions that
/// change something, and the fixture placeholder for the actions that take an object id.
fn example(controller: &str, action: &str, need: Requirement) -> RouteSpec {
    let post = matches!(
        action,
        "add" | "edit" | "delete" | "deactivate" | "enable" | "submit_bulk_naemon" | "launchexport" | "create_apikey"
            | "delete_apikey" | "addhostdowntime"
    );
    let arg = match (controller, action) {
        ("hosts", "view" | "edit" | "delete" | "deactivate" | "enable") => "/{host}",
        ("services", "edit" | "delete" | "deactivate" | "enable") => "/{service}",
        ("containers", "view" | "edit" | "delete") => "/{tenant}",
        ("hostgroups", "edit" | "delete") => "/{hostgroup}",
        ("statehistories" | "acknowledgements", "host") | ("acknowledgements", "delete") => "/{host}",
        ("statehistories" | "acknowledgements", "service") => "/{service}",
        ("downtimes", "delete") => "/{downtime}",
        ("hosts", "byuuid") => "/{host_uuid}",
        (_, "edit" | "delete" | "delete_apikey") => "/999999",
        _ => "",
    };
    RouteSpec::new(if post { "POST" } else { "GET" }, format!("/{controller}/{action}{arg}.json?angular=true"), need)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_a_spec_that_reaches_it() {
        for spec in route_specs() {
            let route = crate::route::parse(spec.path.split('?').next().unwrap_or_default()).expect("a controller path");
            let need = need(&route.controller, &route.action).unwrap_or_else(|| panic!("{} reaches no route", spec.path));
            assert_eq!(need.requirement(), spec.need, "{}", spec.path);
        }
    }
}
