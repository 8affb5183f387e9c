//! The product-neutral fresh-install objects: the root tenant, the built-in roles (Opsview's ids, which
//! clients reference) and the administrator.

use rosetta_model::*;
use rosetta_store::{StoreError, Tx};

/// Inserts `object` with `preferred_id` when that id is free, else with a fresh id.
pub fn insert_preferred<T: rosetta_store::Object>(tx: &mut Tx<'_>, mut object: T, preferred_id: Id) -> std::sync::Arc<T> {
    object.meta_mut().id = if tx.get::<T>(preferred_id).is_some() { 0 } else { preferred_id };
    tx.insert(object)
}

/// The id of the Administrator role.
pub const ADMIN_ROLE: Id = 10;

/// The built-in roles: (id, name, description, permissions).
fn builtin_roles() -> Vec<(Id, &'static str, &'static str, Vec<Permission>)> {
    use Permission::*;
    let operator = vec![
        ActionSome, Dashboard, DashboardEdit, DashboardShare, DowntimeSome, NavOptions, NotifySome, PasswordSave,
        ReloadView, TestSome, ViewAll,
    ];
    let restricted_operator: Vec<Permission> = operator
        .iter()
        .copied()
        .filter(|permission| *permission != ReloadView)
        .map(|permission| if permission == ViewAll { ViewSome } else { permission })
        .collect();
    let read_only =
        vec![Dashboard, DashboardEdit, DashboardShare, NavOptions, NotifySome, PasswordSave, ReloadView, ViewAll];
    let restricted_read_only: Vec<Permission> = read_only
        .iter()
        .copied()
        .filter(|permission| *permission != ReloadView)
        .map(|permission| if permission == ViewAll { ViewSome } else { permission })
        .collect();
    let admin = Permission::ALL
        .iter()
        .copied()
        .filter(|permission| !matches!(permission, DowntimeAll | ViewSome | ActionSome | TestSome | Nagvis))
        .chain([DowntimeAll])
        .collect();
    vec![
        (1, "Public", "Access available for public users", vec![ViewportAccess]),
        (2, "Authenticated user", "All authenticated users inherit this role", vec![RrdGraphs]),
        (ADMIN_ROLE, "Administrator", "Administrator access", admin),
        (11, "View all, change some", "Operator", operator),
        (12, "View some, change some", "Restricted operator", restricted_operator),
        (13, "View all, change none", "Read only user", read_only),
        (14, "View some, change none", "Restricted read only user", restricted_read_only),
    ]
}

/// Creates the neutral fresh-install objects when missing. `admin_password_hash` is the argon2 PHC
/// string of the administrator's first password.
pub fn seed_core(tx: &mut Tx<'_>, admin_password_hash: String) -> Result<(), StoreError> {
    if tx.get::<Tenant>(ROOT_TENANT).is_none() {
        tx.insert(Tenant {
            meta: Meta::new(ROOT_TENANT),
            name: "root".to_owned(),
            parent: None,
            kind: TenantKind::Global,
            description: String::new(),
            native: Native::new(),
        });
    }
    for (id, name, description, permissions) in builtin_roles() {
        if tx.find_by_name::<Role>(name).is_some() {
            continue;
        }
        insert_preferred(
            tx,
            Role {
                meta: Meta::new(0),
                name: name.to_owned(),
                description: description.to_owned(),
                permissions: permissions.into_iter().collect(),
                hostgroups: vec![],
                native: Native::new(),
            },
            id,
        );
    }
    if tx.find_by_name::<User>("admin").is_none() {
        let role = tx.find_by_name::<Role>("Administrator").map_or(ADMIN_ROLE, |role| role.meta.id);
        insert_preferred(
            tx,
            User {
                meta: Meta::new(0),
                login: "admin".to_owned(),
                fullname: "Administrator".to_owned(),
                email: "admin@localhost".to_owned(),
                role,
                tenants: vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Write }],
                active: true,
                password_hash: Some(admin_password_hash),
                native: Native::new(),
            },
            1,
        );
    }
    Ok(())
}
