//! Fetching from Opsview: `/rest/config/{hostgroup,hosttemplate,servicecheck,host,contact}?rows=all`.
//! Opsview services are a host's service checks, so each gets the composite id `<host id>:<check id>`.

use serde_json::Value;

use super::json::{list, ref_id, text, text_or_empty, truthy};
use super::snapshot::{ImportedContact, ImportedGroup, ImportedHost, ImportedService, ImportedTemplate, Snapshot};
use super::ImportError;
use crate::Upstream;

/// Reads an Opsview's configuration.
pub async fn fetch(upstream: &Upstream, progress: &mut dyn FnMut(&str)) -> Result<Snapshot, ImportError> {
    let mut snapshot = Snapshot::default();
    progress("fetching host groups");
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
    progress("fetching host templates");
    snapshot.host_templates = templates(&upstream.get_json("/rest/config/hosttemplate?rows=all").await?);
    progress("fetching service checks");
    snapshot.service_templates = templates(&upstream.get_json("/rest/config/servicecheck?rows=all").await?);
    progress("fetching hosts");
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
    progress("fetching contacts");
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
    Ok(snapshot)
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
