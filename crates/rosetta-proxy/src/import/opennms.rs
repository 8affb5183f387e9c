//! Fetching from OpenNMS (JSON): categories become host groups, nodes hosts (with their IP
//! interfaces), monitored services services (id `<node>:<service>`: Rosetta keeps one service of a name
//! per host, so the first interface carrying it wins and an address change keeps it), service types service
//! templates, users contacts. OpenNMS has no host templates. Current states are the pollers' view of
//! each monitored service (`down` → critical, a `lastGood` → ok, never polled → none); OpenNMS keeps no
//! host state of its own, so hosts keep theirs.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, CONTROLS};
use serde_json::Value;

use super::json::{list, text, text_or_empty, truthy};
use super::snapshot::{
    ImportedContact, ImportedGroup, ImportedHost, ImportedService, ImportedState, ImportedTarget, ImportedTemplate, Snapshot,
};
use rosetta_model::{ServiceState, StateValue};
use super::{ImportError, Progress};
use crate::Upstream;

/// Characters escaped in a path segment (an IP address keeps its dots and colons).
const SEGMENT: &AsciiSet = &CONTROLS.add(b' ').add(b'/').add(b'?').add(b'#').add(b'%').add(b'[').add(b']');

/// Reads an OpenNMS's configuration.
pub async fn fetch(upstream: &Upstream, progress: &mut dyn FnMut(Progress<'_>)) -> Result<Snapshot, ImportError> {
    let mut snapshot = Snapshot::default();
    progress(Progress::Note("fetching categories"));
    for category in list(&upstream.get_json("/opennms/rest/categories").await?, "category") {
        let Some(id) = text(category, "id") else { continue };
        snapshot.host_groups.push(ImportedGroup {
            id,
            name: text_or_empty(category, "name"),
            parent: None,
            description: text_or_empty(category, "description"),
        });
    }
    progress(Progress::Note("fetching nodes"));
    let nodes = upstream.get_json("/opennms/rest/nodes?limit=0").await?;
    let mut service_types: BTreeMap<String, String> = BTreeMap::new();
    let nodes = list(&nodes, "node");
    for (done, node) in nodes.iter().enumerate() {
        let Some(id) = text(node, "id") else { continue };
        let interfaces = upstream.get_json(&format!("/opennms/rest/nodes/{id}/ipinterfaces?limit=0")).await?;
        let mut addresses: Vec<(bool, String)> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for interface in list(&interfaces, "ipInterface") {
            let Some(ip) = text(interface, "ipAddress") else { continue };
            let primary = text(interface, "snmpPrimary").as_deref() == Some("P");
            let path = format!(
                "/opennms/rest/nodes/{id}/ipinterfaces/{}/services?limit=0",
                percent_encoding::utf8_percent_encode(&ip, SEGMENT)
            );
            for service in list(&upstream.get_json(&path).await?, "service") {
                let service_type = service.get("serviceType").unwrap_or(&Value::Null);
                let Some(name) = text(service_type, "name") else { continue };
                let type_id = text(service_type, "id").unwrap_or_else(|| name.clone());
                service_types.insert(type_id.clone(), name.clone());
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name.clone());
                let service_id = format!("{id}:{name}");
                let polled = if truthy(service.get("down")) {
                    Some(ServiceState::Critical)
                } else {
                    service.get("lastGood").filter(|good| !good.is_null()).map(|_| ServiceState::Ok)
                };
                if let Some(state) = polled {
                    snapshot.states.push(ImportedState {
                        target: ImportedTarget::Service(service_id.clone()),
                        state: StateValue::Service(state),
                        output: String::new(),
                    });
                }
                snapshot.services.push(ImportedService {
                    id: service_id,
                    host: id.clone(),
                    name: None,
                    template: Some(type_id),
                });
            }
            addresses.push((primary, ip));
        }
        // The SNMP primary interface first, the others in upstream order.
        addresses.sort_by_key(|(primary, _)| !primary);
        let mut addresses = addresses.into_iter().map(|(_, ip)| ip);
        let foreign = match (text(node, "foreignSource"), text(node, "foreignId")) {
            (Some(source), Some(foreign_id)) => Some((source, foreign_id)),
            _ => None,
        };
        snapshot.hosts.push(ImportedHost {
            name: text_or_empty(node, "label"),
            address: addresses.next().unwrap_or_default(),
            other_addresses: addresses.collect(),
            alias: text_or_empty(node, "sysDescription"),
            groups: list(node.get("categories").unwrap_or(&Value::Null), "")
                .iter()
                .filter_map(|category| text(category, "id"))
                .collect(),
            templates: Vec::new(),
            enabled: true,
            foreign,
            id,
        });
        if (done + 1) % 50 == 0 {
            progress(Progress::Note(&format!("fetched {} of {} nodes", done + 1, nodes.len())));
        }
    }
    snapshot.service_templates = service_types
        .into_iter()
        .map(|(id, name)| ImportedTemplate { id, name, description: String::new() })
        .collect();
    progress(Progress::Note("fetching users"));
    for user in list(&upstream.get_json("/opennms/rest/users").await?, "user") {
        let Some(id) = text(user, "user-id") else { continue };
        snapshot.contacts.push(ImportedContact {
            name: id.clone(),
            description: text_or_empty(user, "full-name"),
            email: text_or_empty(user, "email"),
            id,
        });
    }
    Ok(snapshot)
}
