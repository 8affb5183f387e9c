//! Reconciling a [`Snapshot`] with the store: create what is new, update what changed, count the rest;
//! then bring current states over as check results, so events, alarms and outages follow as if the
//! checks had run here.

use std::collections::HashMap;
use std::sync::Arc;

use rosetta_core::monitoring::{current_state, submit_result, CheckResult};
use rosetta_model::{
    Contact, Host, HostGroup, HostTemplate, Id, Meta, Native, Product, Service, ServiceTemplate, Target,
    ROOT_TENANT,
};
use rosetta_store::{Actor, Db, Object, StoreError, Tx};

use super::snapshot::{ImportedState, ImportedTarget, ImportedTemplate, Snapshot};
use super::summary::{ImportSummary, KindCounts};
use super::Progress;

/// Objects per transaction.
const BATCH: usize = 500;

/// The kinds in the order they are imported (referenced kinds first, states last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    HostGroups,
    HostTemplates,
    ServiceTemplates,
    Hosts,
    Services,
    Contacts,
    States,
}

const STEPS: [Step; 7] = [
    Step::HostGroups,
    Step::HostTemplates,
    Step::ServiceTemplates,
    Step::Hosts,
    Step::Services,
    Step::Contacts,
    Step::States,
];

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
    progress: &mut dyn FnMut(Progress<'_>),
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
        let kind = step_name(step);
        progress(Progress::Started { kind, total: len });
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
            progress(Progress::Advanced { kind, done: end });
        }
        progress(Progress::Finished { kind, counts: *counts_of(&mut summary, step) });
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
        Step::States => snapshot.states.len(),
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
        Step::States => "current states",
    }
}

fn counts_of(summary: &mut ImportSummary, step: Step) -> &mut KindCounts {
    match step {
        Step::HostGroups => &mut summary.host_groups,
        Step::HostTemplates => &mut summary.host_templates,
        Step::ServiceTemplates => &mut summary.service_templates,
        Step::Hosts => &mut summary.hosts,
        Step::Services => &mut summary.services,
        Step::Contacts => &mut summary.contacts,
        Step::States => &mut summary.states,
    }
}

fn add(summary: &mut ImportSummary, batch: &ImportSummary) {
    let mut batch = batch.clone();
    for step in STEPS {
        let part = *counts_of(&mut batch, step);
        let total = counts_of(summary, step);
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

/// Creates or updates one object: found by its upstream id in `known`, else by `by_name`, else made
/// from `fresh`; `shape` sets the imported fields. Unchanged objects are not written.
fn upsert<T: Object + PartialEq>(
    tx: &mut Tx<'_>,
    known: Option<Id>,
    by_name: impl FnOnce(&Tx<'_>) -> Option<Arc<T>>,
    fresh: impl FnOnce() -> T,
    shape: impl FnOnce(&mut T),
) -> (Outcome, Id) {
    match known.and_then(|id| tx.get::<T>(id)).or_else(|| by_name(tx)) {
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
                let found = known.get(&group.id).copied();
                let parent = group.parent.as_ref().and_then(|parent| known.get(parent).copied());
                let (outcome, id) = upsert(
                    tx,
                    found,
                    |_| None,
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
            import_templates::<HostTemplate>(tx, key, &snapshot.host_templates[range], &mut summary.host_templates);
        }
        Step::ServiceTemplates => {
            import_templates::<ServiceTemplate>(tx, key, &snapshot.service_templates[range], &mut summary.service_templates);
        }
        Step::Hosts => {
            let known = index::<Host>(tx, key, |host| &host.native);
            let groups = index::<HostGroup>(tx, key, |group| &group.native);
            let templates = index::<HostTemplate>(tx, key, |template| &template.native);
            for host in &snapshot.hosts[range] {
                let hostgroups: Vec<Id> = host.groups.iter().filter_map(|id| groups.get(id).copied()).collect();
                let host_templates: Vec<Id> = host.templates.iter().filter_map(|id| templates.get(id).copied()).collect();
                let (outcome, _) = upsert(
                    tx,
                    known.get(&host.id).copied(),
                    |tx| tx.find_by_name::<Host>(&host.name),
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
                let template = service.template.as_ref().and_then(|id| templates.get(id).copied());
                let (outcome, _) = upsert(
                    tx,
                    known.get(&service.id).copied(),
                    |_| None,
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
        Step::States => {
            let hosts = index::<Host>(tx, key, |host| &host.native);
            let services = index::<Service>(tx, key, |service| &service.native);
            for state in &snapshot.states[range] {
                let target = match &state.target {
                    ImportedTarget::Host(id) => hosts.get(id).map(|id| Target::Host(*id)),
                    ImportedTarget::Service(id) => services.get(id).map(|id| Target::Service(*id)),
                };
                if let Some(outcome) = target.and_then(|target| apply_state(tx, target, state)) {
                    count(&mut summary.states, outcome);
                }
            }
        }
        Step::Contacts => {
            let known = index::<Contact>(tx, key, |contact| &contact.native);
            for contact in &snapshot.contacts[range] {
                let (outcome, _) = upsert(
                    tx,
                    known.get(&contact.id).copied(),
                    |tx| tx.find_by_name::<Contact>(&contact.name),
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

/// A template kind (host templates, service templates): found by its unique name, filled with a name, a
/// description and the upstream id.
trait TemplateKind: Object + PartialEq {
    /// An empty template in the root tenant.
    fn blank() -> Self;
    /// Name, description and `native`, to fill.
    fn fields(&mut self) -> (&mut String, &mut String, &mut Native);
    /// `native`, to read the upstream id.
    fn native(&self) -> &Native;
}

impl TemplateKind for HostTemplate {
    fn blank() -> HostTemplate {
        HostTemplate::new("", ROOT_TENANT)
    }

    fn fields(&mut self) -> (&mut String, &mut String, &mut Native) {
        (&mut self.name, &mut self.description, &mut self.native)
    }

    fn native(&self) -> &Native {
        &self.native
    }
}

impl TemplateKind for ServiceTemplate {
    fn blank() -> ServiceTemplate {
        ServiceTemplate::new("", ROOT_TENANT)
    }

    fn fields(&mut self) -> (&mut String, &mut String, &mut Native) {
        (&mut self.name, &mut self.description, &mut self.native)
    }

    fn native(&self) -> &Native {
        &self.native
    }
}

/// Creates or updates one batch of templates of kind `T`.
fn import_templates<T: TemplateKind>(tx: &mut Tx<'_>, key: &str, templates: &[ImportedTemplate], counts: &mut KindCounts) {
    let known = index::<T>(tx, key, T::native);
    for template in templates {
        let (outcome, _) = upsert(
            tx,
            known.get(&template.id).copied(),
            |tx| tx.find_by_name::<T>(&template.name),
            T::blank,
            |object| {
                let (name, description, native) = object.fields();
                name.clone_from(&template.name);
                description.clone_from(&template.description);
                set_key(native, key, &template.id);
            },
        );
        count(counts, outcome);
    }
}

/// Brings one upstream state over as a hard check result, unless the object already has it.
fn apply_state(tx: &mut Tx<'_>, target: Target, state: &ImportedState) -> Option<Outcome> {
    let outcome = match current_state(tx, target) {
        Some(current) if !current.pending && current.state == state.state && current.output == state.output => {
            return Some(Outcome::Unchanged);
        }
        Some(current) if !current.pending => Outcome::Updated,
        _ => Outcome::Created,
    };
    let mut result = CheckResult::new(target, state.state, "import");
    result.output = state.output.clone();
    result.force_hard = true;
    match submit_result(tx, result) {
        Ok(_) => Some(outcome),
        Err(err) => {
            tracing::debug!(error = %err, ?target, "imported state not applied");
            None
        }
    }
}
