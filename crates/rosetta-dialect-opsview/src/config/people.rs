//! `contact` (spec §5.10) over the shared [`User`] (the password is write-only and arrives here
//! already hashed) and `role` (§5.11) over [`Role`]: `accesses` are the role's permissions,
//! `access_hostgroups` its `*SOME` visibility scope.

use std::collections::HashMap;

use rosetta_core::GatewayError;
use rosetta_model::{Id, Meta, Native, Permission, PermissionSet, Role, TenantAccess, TenantLevel, User};
use rosetta_store::{Read, Tx};
use serde_json::{json, Value};

use super::{base, native, reference, references, references_by_name, store_natives, Input, ObjectType};

/// Password hashes computed before the transaction (hashing is slow and async-unfriendly):
/// plain text → PHC string.
pub type PasswordHashes = HashMap<String, String>;

const CONTACT_NATIVES: &[&str] = &["description", "realm", "language", "enable_tips", "homepage_id", "mylinks"];

/// Every contact (user) id.
pub fn contact_ids(store: &impl Read) -> Vec<Id> {
    store.all::<User>().iter().map(|u| u.meta.id).collect()
}

/// Every role id.
pub fn role_ids(store: &impl Read) -> Vec<Id> {
    store.all::<Role>().iter().map(|r| r.meta.id).collect()
}

fn default_variables(user: &User) -> Value {
    json!([
        {"name": "EMAIL", "value": user.email},
        {"name": "PAGER", "value": ""},
        {"name": "RSS_COLLAPSED", "value": "1"},
        {"name": "RSS_MAXIMUM_AGE", "value": "1440"},
        {"name": "RSS_MAXIMUM_ITEMS", "value": "30"},
    ])
}

/// The contact as Opsview writes it (never with a password).
pub fn contact_wire(store: &impl Read, id: Id) -> Option<Value> {
    let user = store.get::<User>(id)?;
    let mut map = base(store, ObjectType::Contact, &user.meta, &user.login);
    map.insert("fullname".into(), json!(user.fullname));
    map.insert("description".into(), native(&user.native, "description", json!("")));
    map.insert("realm".into(), native(&user.native, "realm", json!("local")));
    map.insert("language".into(), native(&user.native, "language", json!("")));
    map.insert("role".into(), reference(store, ObjectType::Role, user.role));
    map.insert("enable_tips".into(), native(&user.native, "enable_tips", json!("1")));
    map.insert("homepage_id".into(), native(&user.native, "homepage_id", Value::Null));
    map.insert("variables".into(), native(&user.native, "variables", default_variables(&user)));
    map.insert("mylinks".into(), native(&user.native, "mylinks", json!([])));
    map.insert("sharednotificationprofiles".into(), json!([]));
    map.insert("notificationprofiles".into(), native(&user.native, "notificationprofiles", json!([])));
    Some(Value::Object(map))
}

fn valid_login(name: &str) -> bool {
    name.len() <= 128 && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '-'))
}

/// Creates or updates a contact.
pub fn write_contact(
    tx: &mut Tx<'_>,
    id: Option<Id>,
    input: Input<'_>,
    hashes: &PasswordHashes,
) -> Result<Id, GatewayError> {
    let existing = id.and_then(|id| tx.get::<User>(id));
    let mut user = match &existing {
        Some(user) => (**user).clone(),
        None => User {
            meta: Meta::new(0),
            login: String::new(),
            fullname: String::new(),
            email: String::new(),
            role: 0,
            tenants: vec![TenantAccess { tenant: rosetta_model::ROOT_TENANT, level: TenantLevel::Write }],
            active: true,
            password_hash: None,
            native: Native::new(),
        },
    };
    if let Some(name) = super::required_name(input, valid_login)? {
        super::ensure_unique(tx, ObjectType::Contact, &name, id)?;
        user.login = name;
    } else if existing.is_none() {
        return Err(super::missing_name());
    }
    if let Some(fullname) = input.text("fullname")? {
        user.fullname = fullname;
    }
    match input.one(tx, "role", ObjectType::Role)? {
        Some(Some(role)) => user.role = role,
        _ if user.role == 0 => return Err(GatewayError::bad_request("role: Missing value")),
        _ => {}
    }
    if let Some(password) = input.text("password")? {
        if !password.is_empty() {
            let hash = hashes.get(&password).ok_or_else(|| GatewayError::internal("password not hashed"))?;
            user.password_hash = Some(hash.clone());
        }
    }
    if let Some(variables) = input.records("variables")? {
        let list: Vec<Value> = variables
            .iter()
            .map(|var| {
                json!({"name": var.get("name").cloned().unwrap_or(json!("")),
                              "value": var.get("value").and_then(crate::call::scalar_text).unwrap_or_default()})
            })
            .collect();
        if let Some(email) = list.iter().find(|var| var["name"] == "EMAIL") {
            user.email = email["value"].as_str().unwrap_or_default().to_owned();
        }
        user.native.insert("opsview.variables".into(), Value::Array(list));
    }
    store_natives(&mut user.native, input, CONTACT_NATIVES)?;
    if let Some(profiles) = input.raw("notificationprofiles") {
        user.native.insert("opsview.notificationprofiles".into(), profiles.clone());
    }
    let user = match existing {
        Some(_) => tx.update(user),
        None => tx.insert(user),
    };
    Ok(user.meta.id)
}

/// Deletes a contact.
pub fn delete_contact(tx: &mut Tx<'_>, id: Id) -> Result<(), GatewayError> {
    tx.delete::<User>(id);
    Ok(())
}

fn access_ref(permission: Permission) -> Value {
    json!({"name": permission.name(), "ref": format!("/rest/config/access/{}", permission.opsview_id())})
}

fn role_flag(role: &Role, field: &str, default: bool) -> Value {
    native(&role.native, field, json!(if default { "1" } else { "0" }))
}

/// The role as Opsview writes it.
pub fn role_wire(store: &impl Read, id: Id) -> Option<Value> {
    let role = store.get::<Role>(id)?;
    let mut map = base(store, ObjectType::Role, &role.meta, &role.name);
    let admin = role.permissions.has(Permission::AdminAccess);
    let view_all = role.permissions.has(Permission::ViewAll);
    map.insert("description".into(), json!(role.description));
    let mut accesses: Vec<Permission> = role.permissions.iter().collect();
    accesses.sort_by_key(|p| p.name());
    map.insert("accesses".into(), Value::Array(accesses.into_iter().map(access_ref).collect()));
    let configurable: Vec<Id> = role
        .native
        .get("opsview.hostgroups")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_else(|| if admin { vec![1] } else { vec![] });
    map.insert("hostgroups".into(), references(store, ObjectType::HostGroup, &configurable));
    map.insert("access_hostgroups".into(), references_by_name(store, ObjectType::HostGroup, &role.hostgroups));
    map.insert("access_servicegroups".into(), json!([]));
    map.insert("access_keywords".into(), json!([]));
    for field in ["all_hostgroups", "all_servicegroups", "all_keywords"] {
        map.insert(field.into(), role_flag(&role, field, view_all));
    }
    for field in ["all_bsm_view", "all_bsm_edit"] {
        map.insert(field.into(), role_flag(&role, field, admin));
    }
    map.insert("all_bsm_components".into(), role_flag(&role, "all_bsm_components", false));
    map.insert("all_monitoringservers".into(), role_flag(&role, "all_monitoringservers", true));
    map.insert("all_remotely_managed_clusters".into(), role_flag(&role, "all_remotely_managed_clusters", admin));
    map.insert("monitoringservers".into(), json!([]));
    map.insert("business_services".into(), json!([]));
    map.insert("remotely_managed_clusters".into(), json!([]));
    map.insert("tenancy".into(), Value::Null);
    let contacts: Vec<Id> = store.all::<User>().iter().filter(|u| u.role == id).map(|u| u.meta.id).collect();
    map.insert("contacts".into(), references_by_name(store, ObjectType::Contact, &contacts));
    Some(Value::Object(map))
}

/// A permission from an access reference: a name, an access id, or `{name}` / `{ref}`.
fn access(value: &Value) -> Result<Permission, GatewayError> {
    let text = match value {
        Value::Object(map) => map
            .get("name")
            .and_then(crate::call::scalar_text)
            .or_else(|| map.get("id").and_then(crate::call::scalar_text))
            .unwrap_or_default(),
        other => crate::call::scalar_text(other).unwrap_or_default(),
    };
    let by_id = text.parse::<u32>().ok().and_then(|id| Permission::ALL.iter().copied().find(|p| p.opsview_id() == id));
    by_id
        .or_else(|| Permission::from_name(&text))
        .ok_or_else(|| GatewayError::bad_request(format!("No related object for accesses 'name={text}'")))
}

fn valid_role_name(name: &str) -> bool {
    name.len() <= 128 && name.chars().all(|c| c.is_alphanumeric() || " ,_-".contains(c))
}

/// Creates or updates a role.
pub fn write_role(tx: &mut Tx<'_>, id: Option<Id>, input: Input<'_>) -> Result<Id, GatewayError> {
    let existing = id.and_then(|id| tx.get::<Role>(id));
    let mut role = match &existing {
        Some(role) => (**role).clone(),
        None => Role {
            meta: Meta::new(0),
            name: String::new(),
            description: String::new(),
            permissions: PermissionSet::empty(),
            hostgroups: vec![],
            native: Native::new(),
        },
    };
    if let Some(name) = super::required_name(input, valid_role_name)? {
        super::ensure_unique(tx, ObjectType::Role, &name, id)?;
        role.name = name;
    } else if existing.is_none() {
        return Err(super::missing_name());
    }
    if let Some(description) = input.text("description")? {
        role.description = description;
    }
    if let Some(value) = input.raw("accesses") {
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            Value::Null => vec![],
            other => vec![other],
        };
        let mut permissions = PermissionSet::empty();
        for item in items {
            permissions.insert(access(item)?);
        }
        role.permissions = permissions;
    }
    if let Some(groups) = input.many(tx, "access_hostgroups", ObjectType::HostGroup)? {
        role.hostgroups = groups;
    }
    if let Some(groups) = input.many(tx, "hostgroups", ObjectType::HostGroup)? {
        role.native.insert("opsview.hostgroups".into(), json!(groups));
    }
    store_natives(
        &mut role.native,
        input,
        &[
            "all_hostgroups",
            "all_servicegroups",
            "all_keywords",
            "all_bsm_view",
            "all_bsm_edit",
            "all_bsm_components",
            "all_monitoringservers",
            "all_remotely_managed_clusters",
        ],
    )?;
    let role = match existing {
        Some(_) => tx.update(role),
        None => tx.insert(role),
    };
    Ok(role.meta.id)
}

/// Deletes a role nobody has; the system roles 1 and 2 stay.
pub fn delete_role(tx: &mut Tx<'_>, id: Id) -> Result<(), GatewayError> {
    if id <= 2 || tx.all::<User>().iter().any(|u| u.role == id) {
        return Err(super::in_use());
    }
    tx.delete::<Role>(id);
    Ok(())
}
