//! Fetching from Opsview: `/rest/config/{hostgroup,hosttemplate,servicecheck,host,contact}?rows=all`.
//! Opsview services are a host's service checks, so each gets the composite id `<host id>:<check id>`.
//! Current states come from `/rest/status/service` (hosts and services by name; never-checked ones skipped).

use std::collections::HashMap;

use rosetta_model::{HostState, ServiceState, StateValue};

use serde_json::Value;

use super::json::{checked, list, ref_id, text, text_or_empty, truthy};
use super::snapshot::{
    ImportedContact, ImportedGroup, ImportedHost, ImportedService, ImportedState, ImportedTarget, ImportedTemplate, Snapshot,
};
use super::{ImportError, Progress};
use crate::Upstream;

/// Reads an Opsview's configuration.
pub async fn fetch(upstream: &Upstream, progress: &mut dyn FnMut(Progress<'_>)) -> Result<Snapshot, ImportError> {
    let mut snapshot = Snapshot::default();
    progress(Progress::Note("fetching host groups"));
    for group in list(&upstream.get_json("/rest/config/hostgroup?rows=all").await?, "list") {
        let Some(id) = text(group, "id") else { continue };
        snapshot.host_groups.push(ImportedGroup {
            id,
            name: text_or_empty(group, "name"),
            parent: group.get("parent").and_then(ref_id),
            description: String::new(),
        });
    }
    snapshot.sort_groups();
    progress(Progress::Note("fetching host templates"));
    snapshot.host_templates = templates(&upstream.get_json("/rest/config/hosttemplate?rows=all").await?);
    progress(Progress::Note("fetching service checks"));
    snapshot.service_templates = templates(&upstream.get_json("/rest/config/servicecheck?rows=all").await?);
    progress(Progress::Note("fetching hosts"));
    for host in list(&upstream.get_json("/rest/config/host?rows=all").await?, "list") {
        let Some(id) = text(host, "id") else { continue };
        for check in list(host.get("servicechecks").unwrap_or(&Value::Null), "") {
            if let Some(check_id) = ref_id(check) {
                snapshot.services.push(ImportedService {
                    id: format!("{id}:{check_id}"),
                    host: id.clone(),
                    name: None,
                    template: Some(check_id),
                });
            }
        }
        snapshot.hosts.push(ImportedHost {
            name: text_or_empty(host, "name"),
            address: text_or_empty(host, "ip"),
            other_addresses: text(host, "other_addresses")
                .map(|other| other.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default(),
            alias: text_or_empty(host, "alias"),
            groups: host.get("hostgroup").and_then(ref_id).into_iter().collect(),
            templates: list(host.get("hosttemplates").unwrap_or(&Value::Null), "").iter().filter_map(ref_id).collect(),
            enabled: host.get("enabled").is_none_or(|enabled| truthy(Some(enabled))),
            foreign: None,
            id,
        });
    }
    progress(Progress::Note("fetching contacts"));
    for contact in list(&upstream.get_json("/rest/config/contact?rows=all").await?, "list") {
        let Some(id) = text(contact, "id") else { continue };
        let email = list(contact.get("variables").unwrap_or(&Value::Null), "")
            .iter()
            .find(|variable| text(variable, "name").is_some_and(|name| name.eq_ignore_ascii_case("EMAIL")))
            .map(|variable| text_or_empty(variable, "value"))
            .or_else(|| text(contact, "email"))
            .unwrap_or_default();
        snapshot.contacts.push(ImportedContact {
            id,
            name: text_or_empty(contact, "name"),
            description: text_or_empty(contact, "fullname"),
            email,
        });
    }
    progress(Progress::Note("fetching current states"));
    let status = upstream.get_json("/rest/status/service?rows=all").await?;
    snapshot.states = states(&snapshot, &status);
    Ok(snapshot)
}

/// The checked hosts and services of a `/rest/status/service` answer, matched to the snapshot's ids.
fn states(snapshot: &Snapshot, status: &Value) -> Vec<ImportedState> {
    let hosts: HashMap<&str, &str> = snapshot.hosts.iter().map(|host| (host.name.as_str(), host.id.as_str())).collect();
    let checks: HashMap<&str, &str> =
        snapshot.service_templates.iter().map(|check| (check.name.as_str(), check.id.as_str())).collect();
    let mut states = Vec::new();
    for host in list(status, "list") {
        let Some(&host_id) = text(host, "name").as_deref().and_then(|name| hosts.get(name)) else { continue };
        let host_state = text(host, "state").as_deref().and_then(HostState::from_name);
        if let (Some(state), true) = (host_state, checked(host.get("last_check"))) {
            let output = text_or_empty(host, "output");
            states.push(ImportedState { target: ImportedTarget::Host(host_id.to_owned()), state: StateValue::Host(state), output });
        }
        for service in list(host.get("services").unwrap_or(&Value::Null), "") {
            let check = text(service, "name").as_deref().and_then(|name| checks.get(name).copied());
            let state = text(service, "state").as_deref().and_then(ServiceState::from_name);
            let (Some(check), Some(state), true) = (check, state, checked(service.get("last_check"))) else { continue };
            states.push(ImportedState {
                target: ImportedTarget::Service(format!("{host_id}:{check}")),
                state: StateValue::Service(state),
                output: text_or_empty(service, "output"),
            });
        }
    }
    states
}

fn templates(answer: &Value) -> Vec<ImportedTemplate> {
    list(answer, "list")
        .iter()
        .filter_map(|template| {
            Some(ImportedTemplate {
                id: text(template, "id")?,
                name: text_or_empty(template, "name"),
                description: text_or_empty(template, "description"),
            })
        })
        .collect()
}
