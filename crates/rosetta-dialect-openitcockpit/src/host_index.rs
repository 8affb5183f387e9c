//! The listed-hosts index behind `GET /hosts/index.json` in its default order: per visibility class the
//! number of listed hosts (enabled and monitored), and the listed hosts in a problem state ordered as the
//! index lists them first (worst state first, then id). It follows the store's change feed one host at
//! a time (see [`rosetta_store::follow`]), so the paginator's `count` and the start of the list cost the
//! same however many hosts and problems the estate holds.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rosetta_core::visibility::{Visibility, VisibilityClasses};
use rosetta_model::{Host, HostStatus, Id};
use rosetta_store::{ChangeSet, Db, Derived, Following, Object};

/// The listed-hosts index of one store, caught up with its change feed on each use.
pub type HostIndexCache = Following<HostIndex>;

/// Where a problem host stands in the list: worst state code first, then id.
type ProblemKey = (Reverse<u8>, Id);

/// One listed host.
#[derive(Debug)]
struct Entry {
    class: usize,
    problem: Option<ProblemKey>,
}

/// The listed hosts: enabled hosts with a status, by visibility class, and the problem hosts among them.
#[derive(Debug, Default)]
pub struct HostIndex {
    entries: HashMap<Id, Entry>,
    problems: BTreeMap<ProblemKey, usize>,
    /// Listed hosts by class.
    classes: VisibilityClasses<usize>,
}

impl Derived for HostIndex {
    fn build(db: &Db) -> HostIndex {
        let mut index = HostIndex::default();
        for status in db.all::<HostStatus>() {
            index.refresh(db, status.meta.id);
        }
        index
    }

    fn touched(&self, _: &Db, set: &ChangeSet, touched: &mut BTreeSet<Id>) {
        let hosts = set.changes.iter().filter(|change| change.kind == Host::KIND || change.kind == HostStatus::KIND);
        touched.extend(hosts.map(|change| change.id));
    }

    fn refresh(&mut self, db: &Db, id: Id) {
        if let Some(old) = self.entries.remove(&id) {
            let count = self.classes.value_mut(old.class);
            *count = count.saturating_sub(1);
            if let Some(key) = old.problem {
                self.problems.remove(&key);
            }
        }
        let Some(host) = db.get::<Host>(id).filter(|host| host.enabled) else {
            return;
        };
        let Some(status) = db.get::<HostStatus>(id) else {
            return;
        };
        let class = self.classes.class_of(&host);
        *self.classes.value_mut(class) += 1;
        let problem = status.flagged().then_some((Reverse(status.check.state.code()), id));
        if let Some(key) = problem {
            self.problems.insert(key, class);
        }
        self.entries.insert(id, Entry { class, problem });
    }
}

impl HostIndex {
    /// Which classes `visibility` may see.
    pub fn allowed(&self, visibility: &Visibility) -> Vec<bool> {
        self.classes.allowed(visibility)
    }

    /// The number of listed hosts in the `allowed` classes.
    pub fn count(&self, allowed: &[bool]) -> usize {
        self.classes.allowed_values(allowed).sum()
    }

    /// The listed problem hosts of the `allowed` classes, worst state first, then by id.
    pub fn problems<'a>(&'a self, allowed: &'a [bool]) -> impl Iterator<Item = Id> + 'a {
        self.problems.iter().filter(|(_, class)| allowed[**class]).map(|((_, id), _)| *id)
    }

    /// True when `id` is a listed problem host (the list shows it among the problems).
    pub fn is_problem(&self, id: Id) -> bool {
        self.entries.get(&id).is_some_and(|entry| entry.problem.is_some())
    }
}
