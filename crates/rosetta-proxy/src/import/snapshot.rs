//! The product-neutral picture of an upstream's configuration, as the fetchers produce it. Every id is
//! the upstream's own, as text.

use rosetta_model::StateValue;

/// A host group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedGroup {
    /// Upstream id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Upstream id of the parent group.
    pub parent: Option<String>,
    /// Free text.
    pub description: String,
}

/// A host or service template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTemplate {
    /// Upstream id.
    pub id: String,
    /// Name (unique).
    pub name: String,
    /// Free text.
    pub description: String,
}

/// A host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedHost {
    /// Upstream id.
    pub id: String,
    /// Name (unique).
    pub name: String,
    /// Primary address.
    pub address: String,
    /// Further addresses.
    pub other_addresses: Vec<String>,
    /// Description.
    pub alias: String,
    /// Upstream ids of its host groups.
    pub groups: Vec<String>,
    /// Upstream ids of its host templates.
    pub templates: Vec<String>,
    /// False when disabled upstream.
    pub enabled: bool,
    /// OpenNMS foreign source and id.
    pub foreign: Option<(String, String)>,
}

/// A service on a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedService {
    /// Upstream id (for products without service ids, a composite of host and check).
    pub id: String,
    /// Upstream id of the host.
    pub host: String,
    /// Own name, when it differs from the template's.
    pub name: Option<String>,
    /// Upstream id of the service template.
    pub template: Option<String>,
}

/// A contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedContact {
    /// Upstream id.
    pub id: String,
    /// Name (unique).
    pub name: String,
    /// Full name or description.
    pub description: String,
    /// E-mail address.
    pub email: String,
}

/// What a current state belongs to, by upstream id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportedTarget {
    /// A host.
    Host(String),
    /// A service.
    Service(String),
}

/// The current state of a host or service as the upstream last saw it (objects never checked upstream
/// have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedState {
    /// Whose state.
    pub target: ImportedTarget,
    /// The state.
    pub state: StateValue,
    /// The check's output.
    pub output: String,
}

/// Everything fetched from one upstream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Host groups, parents before children.
    pub host_groups: Vec<ImportedGroup>,
    /// Host templates.
    pub host_templates: Vec<ImportedTemplate>,
    /// Service templates (Opsview service checks, OpenNMS service types).
    pub service_templates: Vec<ImportedTemplate>,
    /// Hosts.
    pub hosts: Vec<ImportedHost>,
    /// Services.
    pub services: Vec<ImportedService>,
    /// Contacts.
    pub contacts: Vec<ImportedContact>,
    /// Current states of hosts and services.
    pub states: Vec<ImportedState>,
}

impl Snapshot {
    /// Counts per kind, for a progress line.
    pub fn describe(&self) -> String {
        format!(
            "{} host groups, {} host templates, {} service templates, {} hosts, {} services, {} contacts, {} states",
            self.host_groups.len(),
            self.host_templates.len(),
            self.service_templates.len(),
            self.hosts.len(),
            self.services.len(),
            self.contacts.len(),
            self.states.len()
        )
    }

    /// Orders host groups so every parent comes before its children (unknown parents count as roots).
    pub fn sort_groups(&mut self) {
        let mut sorted: Vec<ImportedGroup> = Vec::with_capacity(self.host_groups.len());
        let mut pending = std::mem::take(&mut self.host_groups);
        while !pending.is_empty() {
            let before = pending.len();
            let known: Vec<String> = pending.iter().map(|group| group.id.clone()).collect();
            let (ready, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|group| {
                group.parent.as_ref().is_none_or(|parent| !known.contains(parent))
            });
            sorted.extend(ready);
            pending = rest;
            if pending.len() == before {
                // A cycle: keep the rest in upstream order rather than loop forever.
                sorted.append(&mut pending);
            }
        }
        self.host_groups = sorted;
    }
}
