//! What a principal may see and change: tenant scope plus the Opsview-style `*SOME` host-group scope.
//! Every dialect asks here, so a principal sees exactly the same objects everywhere.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rosetta_auth::Principal;
use rosetta_model::{Host, HostGroup, Id, Permission, Service};
use rosetta_store::Read;

/// A precomputed visibility filter for one principal and one request.
#[derive(Debug, Clone)]
pub struct Visibility {
    view_all: bool,
    view_groups: BTreeSet<Id>,
    principal: Principal,
}

impl Visibility {
    /// The filter for `principal` over the current host-group tree.
    pub fn new(principal: &Principal, store: &impl Read) -> Visibility {
        let view_all = principal.can(Permission::ViewAll);
        let view_groups = if !view_all && principal.can(Permission::ViewSome) {
            group_subtrees(&principal.role.hostgroups, &store.all::<HostGroup>())
        } else {
            BTreeSet::new()
        };
        Visibility { view_all, view_groups, principal: principal.clone() }
    }

    /// True when the host's tenants are readable.
    pub fn tenant_allows(&self, host: &Host) -> bool {
        let scope = &self.principal.scope;
        scope.can_read(host.tenant) || host.shared_tenants.iter().any(|tenant| scope.can_read(*tenant))
    }

    /// True when the host group belongs to a tenant the principal may read (other tenants' groups do not
    /// exist for it).
    pub fn can_see_group(&self, group: &HostGroup) -> bool {
        self.principal.scope.can_read(group.tenant)
    }

    /// True when the principal may see the host (tenant scope and view permission).
    pub fn can_see_host(&self, host: &Host) -> bool {
        self.tenant_allows(host)
            && (self.view_all || host.hostgroups.iter().any(|group| self.view_groups.contains(group)))
    }

    /// True when the principal may see the service (through its host).
    pub fn can_see_service(&self, service: &Service, store: &impl Read) -> bool {
        store.get::<Host>(service.host).is_some_and(|host| self.can_see_host(&host))
    }

    /// True when the principal may change the host (tenant write access).
    pub fn can_change_host(&self, host: &Host) -> bool {
        let scope = &self.principal.scope;
        scope.can_write(host.tenant) || host.shared_tenants.iter().any(|tenant| scope.can_write(*tenant))
    }

    /// True when the principal may act (acknowledge, recheck, submit results) on the host.
    pub fn can_act_on_host(&self, host: &Host) -> bool {
        if !self.tenant_allows(host) {
            return false;
        }
        if self.principal.can(Permission::ActionAll) {
            return true;
        }
        self.principal.can(Permission::ActionSome) && (self.view_all || self.can_see_host(host))
    }

    /// True when the principal may schedule downtime on the host.
    pub fn can_downtime_host(&self, host: &Host) -> bool {
        if !self.tenant_allows(host) {
            return false;
        }
        if self.principal.can(Permission::DowntimeAll) {
            return true;
        }
        self.principal.can(Permission::DowntimeSome) && self.can_see_host(host)
    }

    /// Every host the principal may see, ordered by id.
    pub fn hosts(&self, store: &impl Read) -> Vec<Arc<Host>> {
        store.all::<Host>().into_iter().filter(|host| self.can_see_host(host)).collect()
    }
}

/// Hosts grouped by what decides whether a principal may see them (tenant, shared tenants, host
/// groups), each class with a value of the index's own (its counts, say), so an index can count per class
/// and ask [`Visibility::can_see_host`] once per class instead of once per host. Classes are only ever
/// added: an index keeps its class numbers.
#[derive(Debug)]
pub struct VisibilityClasses<T> {
    /// One host standing for each class.
    hosts: Vec<Arc<Host>>,
    index: HashMap<(Id, Vec<Id>, Vec<Id>), usize>,
    /// Each class's value, by class number.
    values: Vec<T>,
}

impl<T> Default for VisibilityClasses<T> {
    fn default() -> VisibilityClasses<T> {
        VisibilityClasses { hosts: Vec::new(), index: HashMap::new(), values: Vec::new() }
    }
}

impl<T: Default> VisibilityClasses<T> {
    /// The class of `host` (numbered from 0), added with a default value when new.
    pub fn class_of(&mut self, host: &Arc<Host>) -> usize {
        let key = (host.tenant, host.shared_tenants.clone(), host.hostgroups.clone());
        *self.index.entry(key).or_insert_with(|| {
            self.hosts.push(Arc::clone(host));
            self.values.push(T::default());
            self.hosts.len() - 1
        })
    }

    /// The value of class `class` (a number [`Self::class_of`] gave).
    pub fn value_mut(&mut self, class: usize) -> &mut T {
        &mut self.values[class]
    }

    /// Whether `visibility` may see the hosts of each class, by class number.
    pub fn allowed(&self, visibility: &Visibility) -> Vec<bool> {
        self.hosts.iter().map(|host| visibility.can_see_host(host)).collect()
    }

    /// The values of the classes `allowed` lets through.
    pub fn allowed_values<'a>(&'a self, allowed: &'a [bool]) -> impl Iterator<Item = &'a T> + 'a {
        self.values.iter().zip(allowed).filter(|(_, allowed)| **allowed).map(|(value, _)| value)
    }

    /// The values of all classes, by class number.
    pub fn values(&self) -> &[T] {
        &self.values
    }
}

/// The given groups and every group below them.
pub fn group_subtrees(roots: &[Id], groups: &[Arc<HostGroup>]) -> BTreeSet<Id> {
    let mut found: BTreeSet<Id> = roots.iter().copied().collect();
    loop {
        let before = found.len();
        for group in groups {
            if group.parent.is_some_and(|parent| found.contains(&parent)) {
                found.insert(group.meta.id);
            }
        }
        if found.len() == before {
            return found;
        }
    }
}
