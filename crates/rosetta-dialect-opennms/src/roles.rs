//! OpenNMS security roles of users, over Rosetta's single role per user.
//!
//! Reading derives roles from the role's permissions (`PermissionSet::opennms_roles`); writing goes the
//! other way: a set of OpenNMS roles becomes the permissions that derive them, and the user gets the
//! existing role with exactly those derived roles (else a new role named after them). Roles Rosetta
//! cannot express (`ROLE_MOBILE`, `ROLE_RTC`, ...) are kept as labels in `User.native["opennms.roles"]`:
//! shown on reads, granting nothing.

use std::collections::BTreeSet;

use rosetta_model::{Id, Meta, Native, Permission, PermissionSet, Role, User};
use rosetta_store::{Read, Tx};
use serde_json::Value;

/// The role names Horizon 33 accepts (`Authentication.isValidRole`).
pub const KNOWN_ROLES: &[&str] = &[
    "ROLE_ADMIN",
    "ROLE_REST",
    "ROLE_USER",
    "ROLE_READONLY",
    "ROLE_MOBILE",
    "ROLE_PROVISION",
    "ROLE_DELEGATE",
    "ROLE_DASHBOARD",
    "ROLE_RTC",
    "ROLE_MINION",
    "ROLE_JMX",
    "ROLE_ASSET_EDITOR",
    "ROLE_FLOW_MANAGER",
    "ROLE_REPORT_DESIGNER",
    "ROLE_DEVICE_CONFIG_BACKUP",
    "ROLE_FILESYSTEM_EDITOR",
];

/// The roles derived from permissions; every other known role is a label.
const DERIVED: &[&str] = &["ROLE_ADMIN", "ROLE_REST", "ROLE_PROVISION", "ROLE_USER", "ROLE_DELEGATE", "ROLE_READONLY"];

const NATIVE_KEY: &str = "opennms.roles";

/// True for a role name Horizon accepts.
pub fn is_known(role: &str) -> bool {
    KNOWN_ROLES.contains(&role)
}

/// The roles a user has: derived from its role, then its labels.
pub fn roles_of(store: &impl Read, user: &User) -> Vec<String> {
    let derived = store.get::<Role>(user.role).map(|role| role.permissions.opennms_roles()).unwrap_or_default();
    let mut roles: Vec<String> = derived.into_iter().map(str::to_owned).collect();
    for label in labels(user) {
        if !roles.contains(&label) {
            roles.push(label);
        }
    }
    roles
}

fn labels(user: &User) -> Vec<String> {
    match user.native.get(NATIVE_KEY) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => vec![],
    }
}

/// The permissions that derive `roles` (the inverse of `PermissionSet::opennms_roles`).
pub fn permissions_for(roles: &BTreeSet<String>) -> PermissionSet {
    use Permission::*;
    let has = |name: &str| roles.contains(name);
    let mut permissions = PermissionSet::empty();
    let mut grant = |list: &[Permission]| list.iter().for_each(|permission| permissions.insert(*permission));
    if has("ROLE_ADMIN") {
        grant(&[AdminAccess, ConfigureSave, ConfigureHosts, ConfigureView, ViewAll, ActionAll]);
    }
    if has("ROLE_REST") {
        grant(&[ConfigureSave, ConfigureView]);
    }
    if has("ROLE_PROVISION") {
        grant(&[ConfigureHosts, ConfigureSave]);
    }
    if has("ROLE_DELEGATE") {
        grant(&[ActionAll]);
    }
    if has("ROLE_USER") || has("ROLE_READONLY") {
        grant(&[ViewAll]);
    }
    if has("ROLE_USER") && !has("ROLE_READONLY") {
        grant(&[ActionSome]);
    }
    permissions
}

/// Gives `user` exactly `roles` (all known): the matching role for the derived ones, labels for the
/// rest. A role is created when no existing one derives the same roles with the same view scope.
pub fn assign(tx: &mut Tx<'_>, user: &mut User, roles: &BTreeSet<String>) {
    let permissions = permissions_for(roles);
    user.role = role_with(tx, permissions);
    let labels: Vec<Value> =
        roles.iter().filter(|role| !DERIVED.contains(&role.as_str())).map(|role| Value::from(role.as_str())).collect();
    if labels.is_empty() {
        user.native.remove(NATIVE_KEY);
    } else {
        user.native.insert(NATIVE_KEY.to_owned(), Value::Array(labels));
    }
}

fn role_with(tx: &mut Tx<'_>, permissions: PermissionSet) -> Id {
    let wanted = permissions.opennms_roles();
    let view_all = permissions.has(Permission::ViewAll);
    let mut candidates: Vec<_> = tx
        .all::<Role>()
        .into_iter()
        .filter(|role| {
            role.hostgroups.is_empty()
                && role.permissions.has(Permission::ViewAll) == view_all
                && role.permissions.opennms_roles() == wanted
        })
        .collect();
    candidates.sort_by_key(|role| role.meta.id);
    if let Some(role) = candidates.first() {
        return role.meta.id;
    }
    let name = format!("OpenNMS {}", wanted.join(" "));
    if let Some(existing) = tx.find_by_name::<Role>(&name) {
        return existing.meta.id;
    }
    tx.insert(Role {
        meta: Meta::new(0),
        name,
        description: "Created by the OpenNMS users API".to_owned(),
        permissions,
        hostgroups: vec![],
        native: Native::new(),
    })
    .meta
    .id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(roles: &[&str]) -> BTreeSet<String> {
        roles.iter().map(|role| (*role).to_owned()).collect()
    }

    #[test]
    fn permissions_derive_the_requested_roles() {
        assert_eq!(permissions_for(&set(&["ROLE_USER"])).opennms_roles(), vec!["ROLE_USER"]);
        assert_eq!(permissions_for(&set(&["ROLE_USER", "ROLE_READONLY"])).opennms_roles(), vec!["ROLE_USER", "ROLE_READONLY"]);
        assert_eq!(permissions_for(&set(&["ROLE_REST"])).opennms_roles(), vec!["ROLE_REST"]);
        assert_eq!(
            permissions_for(&set(&["ROLE_ADMIN"])).opennms_roles(),
            vec!["ROLE_ADMIN", "ROLE_REST", "ROLE_PROVISION", "ROLE_USER", "ROLE_DELEGATE"]
        );
        assert!(permissions_for(&set(&["ROLE_MOBILE"])).opennms_roles().is_empty());
    }

    #[test]
    fn only_horizon_role_names_are_known() {
        assert!(is_known("ROLE_PROVISION"));
        assert!(!is_known("ROLE_BOGUS"));
        assert!(!is_known("role_admin"));
    }
}
