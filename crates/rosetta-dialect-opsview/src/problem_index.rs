//! The unhandled-problem index behind Opsview's most asked-for view, `GET /rest/status/service?filter=unhandled`
//! (the dashboards' "unhandled problems"): the hosts that have an unhandled service problem, ordered by
//! name, and per visibility class the counts the view's summary shows. It follows the store's change feed
//! one host at a time (see [`rosetta_store::follow`]), so a page costs the same whether the estate holds a
//! thousand problems or a hundred thousand.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rosetta_core::visibility::{Visibility, VisibilityClasses};
use rosetta_model::{Host, HostStatus, Id, Service, ServiceStatus};
use rosetta_store::{ChangeSet, Db, Derived, Following, Object, Read};

use crate::endpoints::selection::{host_unhandled, service_unhandled, state_name};

/// The problem index of one store, caught up with its change feed on each use.
pub type ProblemIndexCache = Following<ProblemIndex>;

/// What a visibility class holds: its matching hosts by (state, unhandled) and their unhandled services by state.
#[derive(Debug, Default)]
struct ClassCounts {
    hosts: BTreeMap<(&'static str, bool), u64>,
    services: BTreeMap<&'static str, u64>,
}

/// One host with unhandled service problems.
#[derive(Debug)]
struct Entry {
    name: String,
    class: usize,
    state: &'static str,
    unhandled: bool,
    /// Its unhandled services: id and state name.
    services: Vec<(Id, &'static str)>,
}

/// The hosts with unhandled service problems (a non-OK service, neither acknowledged nor in downtime, on
/// an UP host), by name, with counts per visibility class. A class is what decides whether a principal
/// may see a host (its tenant, shared tenants and host groups), so one answer per class stands for all
/// of its hosts.
#[derive(Debug, Default)]
pub struct ProblemIndex {
    entries: HashMap<Id, Entry>,
    /// The entries by (name, id), with their class.
    order: BTreeMap<(String, Id), usize>,
    /// The host of each indexed service, to find it again when the service is gone.
    service_host: HashMap<Id, Id>,
    classes: VisibilityClasses<ClassCounts>,
}

/// The part of the index one principal may see: which classes, how many hosts and what they count.
#[derive(Debug)]
pub struct Visible {
    /// The matching hosts the principal may see.
    pub hosts: usize,
    /// Those hosts by (state name, unhandled).
    pub host_states: BTreeMap<(&'static str, bool), u64>,
    /// Their unhandled services by state name.
    pub service_states: BTreeMap<&'static str, u64>,
    allowed: Vec<bool>,
}

impl Derived for ProblemIndex {
    /// The index of every unhandled service problem in `db`.
    fn build(db: &Db) -> ProblemIndex {
        let mut index = ProblemIndex::default();
        let hosts: BTreeSet<Id> = db.flagged::<ServiceStatus>().iter().map(|state| state.host).collect();
        for host in hosts {
            index.refresh(db, host);
        }
        index
    }

    /// The hosts whose problems `set` may have changed.
    fn touched(&self, db: &Db, set: &ChangeSet, touched: &mut BTreeSet<Id>) {
        for change in &set.changes {
            if change.kind == Host::KIND || change.kind == HostStatus::KIND {
                touched.insert(change.id);
            } else if change.kind == Service::KIND || change.kind == ServiceStatus::KIND {
                touched.extend(self.service_host.get(&change.id).copied());
                touched.extend(db.get::<Service>(change.id).map(|service| service.host));
            }
        }
    }

    /// Re-reads one host: drops what the index held for it and adds what it has now.
    fn refresh(&mut self, db: &Db, id: Id) {
        if let Some(old) = self.entries.remove(&id) {
            self.order.remove(&(old.name, id));
            let counts = self.classes.value_mut(old.class);
            decrement(counts.hosts.get_mut(&(old.state, old.unhandled)));
            for (service, state) in old.services {
                decrement(counts.services.get_mut(state));
                self.service_host.remove(&service);
            }
        }
        let (Some(host), Some(status)) = (db.get::<Host>(id), db.get::<HostStatus>(id)) else {
            return;
        };
        let services: Vec<(Id, &'static str)> = db
            .children::<ServiceStatus>(id)
            .iter()
            .filter(|state| service_unhandled(&state.check, &status.check))
            .filter(|state| db.get::<Service>(state.meta.id).is_some())
            .map(|state| (state.meta.id, state_name(&state.check)))
            .collect();
        if services.is_empty() {
            return;
        }
        let class = self.classes.class_of(&host);
        let entry = Entry {
            name: host.name.clone(),
            class,
            state: state_name(&status.check),
            unhandled: host_unhandled(&status.check),
            services,
        };
        let counts = self.classes.value_mut(class);
        *counts.hosts.entry((entry.state, entry.unhandled)).or_default() += 1;
        for (service, state) in &entry.services {
            *counts.services.entry(state).or_default() += 1;
            self.service_host.insert(*service, id);
        }
        self.order.insert((entry.name.clone(), id), class);
        self.entries.insert(id, entry);
    }
}

impl ProblemIndex {
    /// What `visibility` may see of the index.
    pub fn visible(&self, visibility: &Visibility) -> Visible {
        let allowed = self.classes.allowed(visibility);
        let (mut hosts, mut host_states, mut service_states) = (0, BTreeMap::new(), BTreeMap::new());
        for counts in self.classes.allowed_values(&allowed) {
            for (key, count) in counts.hosts.iter().filter(|(_, count)| **count > 0) {
                *host_states.entry(*key).or_default() += count;
                hosts += usize::try_from(*count).unwrap_or(usize::MAX);
            }
            for (state, count) in counts.services.iter().filter(|(_, count)| **count > 0) {
                *service_states.entry(*state).or_default() += count;
            }
        }
        Visible { hosts, host_states, service_states, allowed }
    }

    /// The visible matching hosts from `offset` on, at most `limit` of them, in name order: each host's id
    /// with the ids of its unhandled services (in id order).
    pub fn page(&self, visible: &Visible, offset: usize, limit: Option<usize>) -> Vec<(Id, Vec<Id>)> {
        let hosts = self.order.iter().filter(|(_, class)| visible.allowed[**class]).skip(offset);
        hosts
            .take(limit.unwrap_or(usize::MAX))
            .map(|((_, id), _)| {
                let services = self.entries.get(id).map(|entry| entry.services.iter().map(|(service, _)| *service));
                (*id, services.into_iter().flatten().collect())
            })
            .collect()
    }
}

fn decrement(count: Option<&mut u64>) {
    if let Some(count) = count {
        *count = count.saturating_sub(1);
    }
}
