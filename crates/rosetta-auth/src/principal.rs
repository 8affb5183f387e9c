//! The one internal identity every credential resolves to.

use std::collections::BTreeSet;
use std::sync::Arc;

use rosetta_model::{Id, Permission, PermissionSet, Role, Tenant, TenantLevel, User, ROOT_TENANT};

use crate::AuthMethod;

/// The tenants a principal may read and write, expanded to every descendant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantScope {
    all_read: bool,
    all_write: bool,
    read: BTreeSet<Id>,
    write: BTreeSet<Id>,
}

impl TenantScope {
    /// A scope that reads and writes everything.
    pub fn everything() -> TenantScope {
        TenantScope { all_read: true, all_write: true, ..TenantScope::default() }
    }

    /// Computes a user's scope over the tenant tree. Write on the root means everything; read on the
    /// root means reading everything. Everyone may read the root itself.
    pub fn for_user(user: &User, tenants: &[Arc<Tenant>]) -> TenantScope {
        let mut scope = TenantScope::default();
        scope.read.insert(ROOT_TENANT);
        for access in &user.tenants {
            if access.tenant == ROOT_TENANT {
                scope.all_read = true;
                scope.all_write |= access.level == TenantLevel::Write;
                continue;
            }
            let subtree = subtree(access.tenant, tenants);
            if access.level == TenantLevel::Write {
                scope.write.extend(subtree.iter().copied());
            }
            scope.read.extend(subtree);
        }
        scope
    }

    /// True when objects of `tenant` are visible.
    pub fn can_read(&self, tenant: Id) -> bool {
        self.all_read || self.read.contains(&tenant)
    }

    /// True when objects of `tenant` may be changed.
    pub fn can_write(&self, tenant: Id) -> bool {
        self.all_write || self.write.contains(&tenant)
    }

    /// True when everything is visible (root read access).
    pub fn reads_everything(&self) -> bool {
        self.all_read
    }

    /// True when everything may be changed (root write access).
    pub fn writes_everything(&self) -> bool {
        self.all_write
    }
}

/// `root` and every tenant below it.
fn subtree(root: Id, tenants: &[Arc<Tenant>]) -> BTreeSet<Id> {
    let mut found = BTreeSet::from([root]);
    loop {
        let before = found.len();
        for tenant in tenants {
            if tenant.parent.is_some_and(|parent| found.contains(&parent)) {
                found.insert(tenant.meta.id);
            }
        }
        if found.len() == before {
            return found;
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user.
    pub user: Arc<User>,
    /// The user's role.
    pub role: Arc<Role>,
    /// How the caller authenticated.
    pub method: AuthMethod,
    /// Visible and writable tenants (shared: principals are cached and cloned per request).
    pub scope: Arc<TenantScope>,
}

impl Principal {
    /// The login name.
    pub fn login(&self) -> &str {
        &self.user.login
    }

    /// The permissions of the user's role.
    pub fn permissions(&self) -> &PermissionSet {
        &self.role.permissions
    }

    /// True when the role grants `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.role.permissions.has(permission)
    }

    /// True when the role grants any of `permissions`.
    pub fn can_any(&self, permissions: &[Permission]) -> bool {
        self.role.permissions.has_any(permissions)
    }
}
