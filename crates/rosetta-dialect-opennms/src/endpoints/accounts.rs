//! `/rest/users`, `/rest/groups` (read-only views of the shared users) and category writes
//! (`POST /rest/categories`, `DELETE /rest/categories/{name}`, which create and delete host groups).

use http::StatusCode;
use rosetta_core::{GatewayError, Response};
use rosetta_model::query::Page;
use rosetta_model::{Host, HostGroup, Meta, Native, Role, User, ROOT_TENANT};
use rosetta_store::Read;

use crate::call::{status, Call};
use crate::endpoints::nodes::flat_body;
use crate::entity::category_by_name;
use crate::wire::{Obj, Val};

/// The OpenNMS security roles of a user (through the user's role).
fn roles_of(store: &impl Read, user: &User) -> Vec<&'static str> {
    store.get::<Role>(user.role).map(|role| role.permissions.opennms_roles()).unwrap_or_default()
}

fn user_obj(store: &impl Read, user: &User) -> Obj {
    Obj::new()
        .elem("user-id", &user.login)
        .text_nonempty("full-name", &user.fullname)
        .text_nonempty("email", &user.email)
        .elem("password", "xxxxxxx")
        .elem("passwordSalt", false)
        .list("role", None, roles_of(store, user).into_iter().map(Val::from).collect())
        .list("duty-schedule", None, vec![])
}

/// `GET /rest/users`.
pub fn users(call: &Call) -> Result<Response, GatewayError> {
    let db = call.db();
    let items: Vec<Obj> = db.all::<User>().iter().filter(|user| user.active).map(|user| user_obj(db, user)).collect();
    let total = items.len();
    Ok(call.list("users", "user", Page { items, total }, 0))
}

/// `GET /rest/users/{login}`.
pub fn user(call: &Call, login: &str) -> Result<Response, GatewayError> {
    let db = call.db();
    let user = db
        .find_by_name::<User>(login)
        .ok_or_else(|| GatewayError::not_found(format!("User {login} was not found.")))?;
    Ok(call.entity("user", &user_obj(db, &user)))
}

/// The one group a fresh Horizon has: `Admin`, here every user with `ROLE_ADMIN`.
fn admin_group(store: &impl Read) -> Obj {
    let members: Vec<Val> = store
        .all::<User>()
        .iter()
        .filter(|user| user.active && roles_of(store, user).contains(&"ROLE_ADMIN"))
        .map(|user| Val::from(&user.login))
        .collect();
    Obj::new().elem("name", "Admin").elem("comments", "The administrators").list("user", None, members)
}

/// `GET /rest/groups`.
pub fn groups(call: &Call) -> Result<Response, GatewayError> {
    Ok(call.list("groups", "group", Page { items: vec![admin_group(call.db())], total: 1 }, 0))
}

/// `GET /rest/groups/{name}`.
pub fn group(call: &Call, name: &str) -> Result<Response, GatewayError> {
    if name != "Admin" {
        return Err(GatewayError::not_found(format!("Group {name} was not found.")));
    }
    Ok(call.entity("group", &admin_group(call.db())))
}

/// `POST /rest/categories` (`<category name="X"><description/></category>` or JSON) → 201.
pub async fn create_category(call: &Call) -> Result<Response, GatewayError> {
    call.principal()?;
    let (_, fields) = flat_body(&call.body)?;
    let name = fields.get("name").map(|name| name.trim().to_owned()).unwrap_or_default();
    if name.is_empty() {
        return Err(GatewayError::bad_request("Category name must be set."));
    }
    if category_by_name(call.db(), &name).is_some() {
        return Err(GatewayError::bad_request(format!("A category with name '{name}' already exists.")));
    }
    let description = fields.get("description").cloned().unwrap_or_default();
    let group_name = name.clone();
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            let parent = tx.get::<HostGroup>(1).map(|group| group.meta.id);
            tx.insert(HostGroup {
                meta: Meta::new(0),
                name: group_name,
                parent,
                tenant: ROOT_TENANT,
                description,
                native: Native::new(),
            });
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(call.created(&name))
}

/// `DELETE /rest/categories/{name}` → 204; the group leaves every host. Groups with sub-groups
/// (Opsview's tree) are refused with 400.
pub async fn delete_category(call: &Call, name: &str) -> Result<Response, GatewayError> {
    call.principal()?;
    let group = category_by_name(call.db(), name)
        .ok_or_else(|| GatewayError::not_found(format!("Category {name} was not found.")))?;
    let group_id = group.meta.id;
    if call.db().all::<HostGroup>().iter().any(|other| other.parent == Some(group_id)) {
        return Err(GatewayError::bad_request(format!("Category '{name}' has sub-groups and cannot be deleted.")));
    }
    call.db()
        .write(call.ctx.actor("opennms"), |tx| {
            for host in tx.all::<Host>().into_iter().filter(|host| host.hostgroups.contains(&group_id)) {
                let mut changed = (*host).clone();
                changed.hostgroups.retain(|id| *id != group_id);
                tx.update(changed);
            }
            tx.delete::<HostGroup>(group_id);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}
