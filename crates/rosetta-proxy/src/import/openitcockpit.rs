//! Fetching from openITCOCKPIT: `/<controller>/index.json?angular=true` for host groups, host and
//! service templates, hosts, services and contacts, following `paging`/`scroll` page by page. Current
//! states come from the same rows (`Hoststatus`, `Servicestatus`), for objects in monitoring and checked.

use rosetta_model::{HostState, ServiceState, StateValue};

use serde_json::Value;

use super::json::{checked, list, text, text_or_empty, truthy};
use super::snapshot::{
    ImportedContact, ImportedGroup, ImportedHost, ImportedService, ImportedState, ImportedTarget, ImportedTemplate, Snapshot,
};
use super::{ImportError, Progress};
use crate::Upstream;

/// Pages read at most per controller (a guard against an upstream that never says "last page").
const MAX_PAGES: u32 = 10_000;

/// Reads an openITCOCKPIT's configuration.
pub async fn fetch(upstream: &Upstream, progress: &mut dyn FnMut(Progress<'_>)) -> Result<Snapshot, ImportError> {
    let mut snapshot = Snapshot::default();
    progress(Progress::Note("fetching host groups"));
    for group in all_pages(upstream, "hostgroups", "all_hostgroups").await? {
        let group = group.get("Hostgroup").unwrap_or(&group).clone();
        let Some(id) = text(&group, "id") else { continue };
        let container = group.get("container").unwrap_or(&Value::Null);
        snapshot.host_groups.push(ImportedGroup {
            id,
            name: text(container, "name").or_else(|| text(&group, "name")).unwrap_or_default(),
            parent: None,
            description: text_or_empty(&group, "description"),
        });
    }
    progress(Progress::Note("fetching host templates"));
    snapshot.host_templates = templates(all_pages(upstream, "hosttemplates", "all_hosttemplates").await?, "Hosttemplate");
    progress(Progress::Note("fetching service templates"));
    snapshot.service_templates =
        templates(all_pages(upstream, "servicetemplates", "all_servicetemplates").await?, "Servicetemplate");
    progress(Progress::Note("fetching hosts"));
    for row in all_pages(upstream, "hosts", "all_hosts").await? {
        let host = row.get("Host").unwrap_or(&row);
        let Some(id) = text(host, "id") else { continue };
        if let Some((code, output)) = status(&row, "Hoststatus") {
            if let Some(state) = HostState::from_code(code) {
                let target = ImportedTarget::Host(id.clone());
                snapshot.states.push(ImportedState { target, state: StateValue::Host(state), output });
            }
        }
        snapshot.hosts.push(ImportedHost {
            name: text(host, "name").or_else(|| text(host, "hostname")).unwrap_or_default(),
            address: text_or_empty(host, "address"),
            other_addresses: Vec::new(),
            alias: text_or_empty(host, "description"),
            groups: Vec::new(),
            templates: text(host, "hosttemplate_id").into_iter().collect(),
            enabled: !truthy(host.get("disabled")),
            foreign: None,
            id,
        });
    }
    progress(Progress::Note("fetching services"));
    for row in all_pages(upstream, "services", "all_services").await? {
        let service = row.get("Service").unwrap_or(&row);
        let Some(id) = text(service, "id") else { continue };
        let host = text(service, "host_id").or_else(|| row.get("Host").and_then(|host| text(host, "id")));
        let Some(host) = host else { continue };
        if let Some((code, output)) = status(&row, "Servicestatus") {
            if let Some(state) = ServiceState::from_code(code) {
                let target = ImportedTarget::Service(id.clone());
                snapshot.states.push(ImportedState { target, state: StateValue::Service(state), output });
            }
        }
        snapshot.services.push(ImportedService {
            id,
            host,
            name: text(service, "servicename").or_else(|| text(service, "name")),
            template: text(service, "servicetemplate_id"),
        });
    }
    progress(Progress::Note("fetching contacts"));
    for row in all_pages(upstream, "contacts", "all_contacts").await? {
        let contact = row.get("Contact").unwrap_or(&row);
        let Some(id) = text(contact, "id") else { continue };
        snapshot.contacts.push(ImportedContact {
            id,
            name: text_or_empty(contact, "name"),
            description: text_or_empty(contact, "description"),
            email: text_or_empty(contact, "email"),
        });
    }
    Ok(snapshot)
}

/// The state code and output of a row's `Hoststatus`/`Servicestatus`, when in monitoring and checked.
fn status(row: &Value, key: &str) -> Option<(i64, String)> {
    let status = row.get(key)?;
    if status.get("isInMonitoring").is_some_and(|flag| !truthy(Some(flag))) || !checked(status.get("lastCheck")) {
        return None;
    }
    let code = text(status, "currentState")?.parse::<i64>().ok()?;
    Some((code, text_or_empty(status, "output")))
}

/// Every row of `/<controller>/index.json`, page after page.
async fn all_pages(upstream: &Upstream, controller: &str, key: &str) -> Result<Vec<Value>, ImportError> {
    let mut rows = Vec::new();
    let mut page = 1u32;
    loop {
        let answer = upstream.get_json(&format!("/{controller}/index.json?angular=true&page={page}")).await?;
        let items = list(&answer, key);
        rows.extend(items.iter().cloned());
        let more_pages = answer
            .get("paging")
            .and_then(|paging| paging.get("pageCount"))
            .and_then(Value::as_u64)
            .is_some_and(|count| u64::from(page) < count)
            || answer.get("scroll").is_some_and(|scroll| truthy(scroll.get("hasNextPage")));
        if !more_pages || items.is_empty() || page >= MAX_PAGES {
            return Ok(rows);
        }
        page += 1;
    }
}

fn templates(rows: Vec<Value>, wrapper: &str) -> Vec<ImportedTemplate> {
    rows.iter()
        .filter_map(|row| {
            let template = row.get(wrapper).unwrap_or(row);
            Some(ImportedTemplate {
                id: text(template, "id")?,
                name: text_or_empty(template, "name"),
                description: text_or_empty(template, "description"),
            })
        })
        .collect()
}
