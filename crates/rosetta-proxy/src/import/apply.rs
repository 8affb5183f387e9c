//! Reconciling a [`Snapshot`] with the store: create what is new, update what changed, count the rest.

use std::collections::HashMap;

use rosetta_model::{
    CheckSettings, Contact, Host, HostGroup, HostTemplate, Id, Meta, Native, Product, Service, ServiceTemplate,
    ROOT_TENANT,
};
use rosetta_store::{Actor, Db, Object, StoreError, Tx};

use super::snapshot::Snapshot;
use super::summary::{ImportSummary, KindCounts};

/// Objects per transaction.
const BATCH: usize = 500;

/// The kinds in the order they are imported (referenced kinds first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    HostGroups,
    HostTemplates,
    ServiceTemplates,
    Hosts,
    Services,
    Contacts,
}

const STEPS: [Step; 6] =
    [Step::HostGroups, Step::HostTemplates, Step::ServiceTemplates, Step::Hosts, Step::Services, Step::Contacts];

/// Why a transaction ended early: a real store error, or the deliberate rollback of a dry run.
enum Abort {
    Store(StoreError),
    DryRun(Box<ImportSummary>),
}

impl From<StoreError> for Abort {
    fn from(err: StoreError) -> Abort {
        Abort::Store(err)
    }
}

/// The `native` key holding the upstream id.
pub fn import_key(product: Product) -> String {
    format!("import.{}.id", product.as_str())
}

/// Writes `snapshot` into `db`: per kind, one transaction per batch of objects. With `dry_run`
/// everything is staged in one transaction that is rolled back, and the counts say what would change.
pub async fn apply(
    db: &Db,
    product: Product,
    snapshot: &Snapshot,
    dry_run: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<ImportSummary, StoreError> {
    let actor = Actor::new("import", format!("import.{}", product.as_str()));
    let key = import_key(product);
    if dry_run {
        let staged = db
            .write(actor, |tx| {
                let mut summary = ImportSummary { dry_run: true, ..ImportSummary::default() };
                for step in STEPS {
                    let len = step_len(snapshot, step);
                    apply_step(tx, &key, snapshot, step, 0..len, &mut summary);
                }
                Err::<(), Abort>(Abort::DryRun(Box::new(summary)))
            })
            .await;
        return match staged {
            Err(Abort::DryRun(summary)) => Ok(*summary),
            Err(Abort::Store(err)) => Err(err),
            Ok(()) => Ok(ImportSummary { dry_run: true, ..ImportSummary::default() }),
        };
    }
    let mut summary = ImportSummary::default();
    for step in STEPS {
        let len = step_len(snapshot, step);
        let mut start = 0;
        while start < len {
            let end = (start + BATCH).min(len);
            let batch = db
                .write(actor.clone(), |tx| {
                    let mut counts = ImportSummary::default();
                    apply_step(tx, &key, snapshot, step, start..end, &mut counts);
                    Ok::<_, StoreError>(counts)
                })
                .await?;
            add(&mut summary, &batch);
            start = end;
        }
        let counts = counts_of(&summary, step);
        progress(&format!(
            "{}: {} created, {} updated, {} unchanged",
            step_name(step),
            counts.created,
            counts.updated,
            counts.unchanged
        ));
    }
    Ok(summary)
}

fn step_len(snapshot: &Snapshot, step: Step) -> usize {
    match step {
        Step::HostGroups => snapshot.host_groups.len(),
        Step::HostTemplates => snapshot.host_templates.len(),
        Step::ServiceTemplates => snapshot.service_templates.len(),
        Step::Hosts => snapshot.hosts.len(),
        Step::Services => snapshot.services.len(),
        Step::Contacts => snapshot.contacts.len(),
    }
}

fn step_name(step: Step) -> &'static str {
    match step {
        Step::HostGroups => "host groups",
        Step::HostTemplates => "host templates",
        Step::ServiceTemplates => "service templates",
        Step::Hosts => "hosts",
        Step::Services => "services",
        Step::Contacts => "contacts",
    }
}

fn counts_of(summary: &ImportSummary, step: Step) -> KindCounts {
    match step {
        Step::HostGroups => summary.host_groups,
        Step::HostTemplates => summary.host_templates,
        Step::ServiceTemplates => summary.service_templates,
        Step::Hosts => summary.hosts,
        Step::Services => summary.services,
        Step::Contacts => summary.contacts,
    }
}

fn add(summary: &mut ImportSummary, batch: &ImportSummary) {
    for (total, part) in [
        (&mut summary.host_groups, batch.host_groups),
        (&mut summary.host_templates, batch.host_templates),
        (&mut summary.service_templates, batch.service_templates),
        (&mut summary.hosts, batch.hosts),
        (&mut summary.services, batch.services),
        (&mut summary.contacts, batch.contacts),
    ] {
        total.created += part.created;
        total.updated += part.updated;
        total.unchanged += part.unchanged;
    }
}

/// Upstream id → store id for every object of `T` that carries one.
fn index<T: Object>(tx: &Tx<'_>, key: &str, native: impl Fn(&T) -> &Native) -> HashMap<String, Id> {
    tx.all::<T>()
        .iter()
        .filter_map(|object| {
            let id = native(object).get(key)?.as_str()?.to_owned();
            Some((id, object.meta().id))
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Created,
    Updated,
    Unchanged,
}

fn count(counts: &mut KindCounts, outcome: Outcome) {
    match outcome {
        Outcome::Created => counts.created += 1,
        Outcome::Updated => counts.updated += 1,
        Outcome::Unchanged => counts.unchanged += 1,
    }
}

/// Creates or updates one object: `existing` is the store's object, `fresh` a new one; `shape` sets the
/// imported fields.
fn upsert<T: Object + PartialEq>(
    tx: &mut Tx<'_>,
    existing: Option<std::sync::Arc<T>>,
    fresh: impl FnOnce() -> T,
    shape: impl FnOnce(&mut T),
) -> (Outcome, Id) {
    match existing {
        Some(current) => {
            let mut desired = (*current).clone();
            shape(&mut desired);
            if desired == *current {
                return (Outcome::Unchanged, current.meta().id);
            }
            let stored = tx.update(desired);
            (Outcome::Updated, stored.meta().id)
        }
        None => {
            let mut object = fresh();
            shape(&mut object);
            let stored = tx.insert(object);
            (Outcome::Created, stored.meta().id)
        }
    }
}

fn set_key(native: &mut Native, key: &str, id: &str) {
    native.insert(key.to_owned(), serde_json::Value::String(id.to_owned()));
}

fn apply_step(
    tx: &mut Tx<'_>,
    key: &str,
    snapshot: &Snapshot,
    step: Step,
    range: std::ops::Range<usize>,
    summary: &mut ImportSummary,
) {
    match step {
        Step::HostGroups => {
            let mut known = index::<HostGroup>(tx, key, |group| &group.native);
            for group in &snapshot.host_groups[range] {
                let existing = known.get(&group.id).and_then(|id| tx.get::<HostGroup>(*id));
                let parent = group.parent.as_ref().and_then(|parent| known.get(parent).copied());
                let (outcome, id) = upsert(
                    tx,
                    existing,
                    || HostGroup {
                        meta: Meta::new(0),
                        name: String::new(),
                        parent: None,
                        tenant: ROOT_TENANT,
                        description: String::new(),
                        native: Native::new(),
                    },
                    |object| {
                        object.name = group.name.clone();
                        object.parent = parent;
                        object.description = group.description.clone();
                        set_key(&mut object.native, key, &group.id);
                    },
                );
                known.insert(group.id.clone(), id);
                count(&mut summary.host_groups, outcome);
            }
        }
        Step::HostTemplates => {
            let known = index::<HostTemplate>(tx, key, |template| &template.native);
            for template in &snapshot.host_templates[range] {
                let existing = known
                    .get(&template.id)
                    .and_then(|id| tx.get::<HostTemplate>(*id))
                    .or_else(|| tx.find_by_name::<HostTemplate>(&template.name));
                let (outcome, _) = upsert(
                    tx,
                    existing,
                    || HostTemplate {
                        meta: Meta::new(0),
                        name: String::new(),
                        description: String::new(),
                        tenant: ROOT_TENANT,
                        check: CheckSettings::default(),
                        service_templates: Vec::new(),
                        contacts: Vec::new(),
                        hostgroups: Vec::new(),
                        vars: Vec::new(),
                        tags: Vec::new(),
                        native: Native::new(),
                    },
                    |object| {
                        object.name = template.name.clone();
                        object.description = template.description.clone();
                        set_key(&mut object.native, key, &template.id);
                    },
                );
                count(&mut summary.host_templates, outcome);
            }
        }
        Step::ServiceTemplates => {
            let known = index::<ServiceTemplate>(tx, key, |template| &template.native);
            for template in &snapshot.service_templates[range] {
                let existing = known
                    .get(&template.id)
                    .and_then(|id| tx.get::<ServiceTemplate>(*id))
                    .or_else(|| tx.find_by_name::<ServiceTemplate>(&template.name));
                let (outcome, _) = upsert(
                    tx,
                    existing,
                    || ServiceTemplate {
                        meta: Meta::new(0),
                        name: String::new(),
                        template_name: String::new(),
                        description: String::new(),
                        tenant: ROOT_TENANT,
                        check: CheckSettings::default(),
                        servicegroups: Vec::new(),
                        tags: Vec::new(),
                        native: Native::new(),
                    },
                    |object| {
                        object.name = template.name.clone();
                        object.description = template.description.clone();
                        set_key(&mut object.native, key, &template.id);
                    },
                );
                count(&mut summary.service_templates, outcome);
            }
        }
        Step::Hosts => {
            let known = index::<Host>(tx, key, |host| &host.native);
            let groups = index::<HostGroup>(tx, key, |group| &group.native);
            let templates = index::<HostTemplate>(tx, key, |template| &template.native);
            for host in &snapshot.hosts[range] {
                let existing = known
                    .get(&host.id)
                    .and_then(|id| tx.get::<Host>(*id))
                    .or_else(|| tx.find_by_name::<Host>(&host.name));
                let hostgroups: Vec<Id> = host.groups.iter().filter_map(|id| groups.get(id).copied()).collect();
                let host_templates: Vec<Id> = host.templates.iter().filter_map(|id| templates.get(id).copied()).collect();
                let (outcome, _) = upsert(
                    tx,
                    existing,
                    || Host::new(String::new(), String::new(), ROOT_TENANT),
                    |object| {
                        object.name = host.name.clone();
                        object.address = host.address.clone();
                        object.alias = host.alias.clone();
                        object.other_addresses = host.other_addresses.clone();
                        object.hostgroups = hostgroups;
                        object.templates = host_templates;
                        object.enabled = host.enabled;
                        if let Some((source, id)) = &host.foreign {
                            object.foreign_source = Some(source.clone());
                            object.foreign_id = Some(id.clone());
                        }
                        set_key(&mut object.native, key, &host.id);
                    },
                );
                count(&mut summary.hosts, outcome);
            }
        }
        Step::Services => {
            let known = index::<Service>(tx, key, |service| &service.native);
            let hosts = index::<Host>(tx, key, |host| &host.native);
            let templates = index::<ServiceTemplate>(tx, key, |template| &template.native);
            for service in &snapshot.services[range] {
                let Some(host) = hosts.get(&service.host).copied() else {
                    tracing::debug!(service = %service.id, host = %service.host, "service of an unknown host skipped");
                    continue;
                };
                let existing = known.get(&service.id).and_then(|id| tx.get::<Service>(*id));
                let template = service.template.as_ref().and_then(|id| templates.get(id).copied());
                let (outcome, _) = upsert(
                    tx,
                    existing,
                    || Service { name: None, ..Service::new(host, String::new()) },
                    |object| {
                        object.host = host;
                        object.name = service.name.clone();
                        object.template = template;
                        set_key(&mut object.native, key, &service.id);
                    },
                );
                count(&mut summary.services, outcome);
            }
        }
        Step::Contacts => {
            let known = index::<Contact>(tx, key, |contact| &contact.native);
            for contact in &snapshot.contacts[range] {
                let existing = known
                    .get(&contact.id)
                    .and_then(|id| tx.get::<Contact>(*id))
                    .or_else(|| tx.find_by_name::<Contact>(&contact.name));
                let (outcome, _) = upsert(
                    tx,
                    existing,
                    || Contact {
                        meta: Meta::new(0),
                        name: String::new(),
                        description: String::new(),
                        email: String::new(),
                        phone: String::new(),
                        tenants: vec![ROOT_TENANT],
                        user: None,
                        native: Native::new(),
                    },
                    |object| {
                        object.name = contact.name.clone();
                        object.description = contact.description.clone();
                        object.email = contact.email.clone();
                        set_key(&mut object.native, key, &contact.id);
                    },
                );
                count(&mut summary.contacts, outcome);
            }
        }
    }
}
