//! `/rest/groups`: OpenNMS groups (members and authorised categories), kept as `Document`s
//! `opennms.group`. Until it is written, the group `Admin` is the one a fresh Horizon has, with every
//! user holding `ROLE_ADMIN`. Groups grant nothing in Rosetta, so writes follow the URL rules only
//! (`ROLE_REST` or `ROLE_ADMIN`), as in Horizon.

use http::StatusCode;
use rosetta_core::{GatewayError, Response};
use rosetta_model::query::Page;
use rosetta_model::{HostGroup, User};
use rosetta_store::{Read, Tx};
use serde_json::{json, Value};

use crate::call::{status, Call};
use crate::documents::{document, documents, put_document};
use crate::endpoints::users::user_obj;
use crate::entity::{category_by_name, category_obj_with};
use crate::roles::roles_of;
use crate::wire::{Obj, Val};
use crate::xml::parse_xml;

/// Document namespace of groups.
pub const GROUP: &str = "opennms.group";

const ADMIN_GROUP: &str = "Admin";

/// One group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    /// Unique name.
    pub name: String,
    /// Free text.
    pub comments: String,
    /// Member logins, as given (not checked against the users, as in Horizon).
    pub users: Vec<String>,
    /// Names of the categories the group is authorised for.
    pub categories: Vec<String>,
}

impl Group {
    fn from_body(name: &str, body: &Value) -> Group {
        let strings = |key: &str| -> Vec<String> {
            body.get(key)
                .and_then(Value::as_array)
                .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default()
        };
        Group {
            name: name.to_owned(),
            comments: body.get("comments").and_then(Value::as_str).unwrap_or_default().to_owned(),
            users: strings("users"),
            categories: strings("categories"),
        }
    }

    fn to_body(&self) -> Value {
        json!({"comments": self.comments, "users": self.users, "categories": self.categories})
    }

    fn to_obj(&self) -> Obj {
        Obj::new()
            .elem("name", &self.name)
            .text_nonempty("comments", &self.comments)
            .list("user", None, self.users.iter().map(Val::from).collect())
    }
}

/// The `Admin` group of a fresh install: every active user with `ROLE_ADMIN`.
fn default_admin(store: &impl Read) -> Group {
    let users = store
        .all::<User>()
        .iter()
        .filter(|user| user.active && roles_of(store, user).iter().any(|role| role == "ROLE_ADMIN"))
        .map(|user| user.login.clone())
        .collect();
    Group { name: ADMIN_GROUP.to_owned(), comments: "The administrators".to_owned(), users, categories: vec![] }
}

/// Every group, sorted by name.
pub fn all_groups(store: &impl Read) -> Vec<Group> {
    let mut groups: Vec<Group> =
        documents(store, GROUP).iter().map(|doc| Group::from_body(&doc.name, &doc.body)).collect();
    if !groups.iter().any(|group| group.name == ADMIN_GROUP) {
        groups.push(default_admin(store));
    }
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    groups
}

fn find(store: &impl Read, name: &str) -> Result<Group, GatewayError> {
    match document(store, GROUP, name) {
        Some(doc) => Ok(Group::from_body(name, &doc.body)),
        None if name == ADMIN_GROUP => Ok(default_admin(store)),
        None => Err(GatewayError::not_found(format!("Group with name '{name}' does not exist."))),
    }
}

/// The names of the groups authorised for a category.
pub fn authorized_groups(store: &impl Read, category: &str) -> Vec<String> {
    all_groups(store)
        .into_iter()
        .filter(|group| group.categories.iter().any(|name| name == category))
        .map(|group| group.name)
        .collect()
}

/// `GET /rest/groups`.
pub fn list(call: &Call) -> Result<Response, GatewayError> {
    let items: Vec<Obj> = all_groups(call.db()).iter().map(Group::to_obj).collect();
    let total = items.len();
    Ok(call.list("groups", "group", Page { items, total }, 0))
}

/// `GET /rest/groups/{name}`.
pub fn get(call: &Call, name: &str) -> Result<Response, GatewayError> {
    Ok(call.entity("group", &find(call.db(), name)?.to_obj()))
}

/// `GET /rest/groups/{name}/users`: the members that are users (others are skipped).
pub fn users(call: &Call, name: &str) -> Result<Response, GatewayError> {
    let db = call.db();
    let group = find(db, name)?;
    let items: Vec<Obj> = group
        .users
        .iter()
        .filter_map(|login| db.find_by_name::<User>(login))
        .map(|user| user_obj(db, &user))
        .collect();
    let total = items.len();
    Ok(call.list("users", "user", Page { items, total }, 0))
}

/// The wire form of a category with its authorised groups.
pub fn category_with_groups(store: &impl Read, group: &HostGroup) -> Obj {
    category_obj_with(group, authorized_groups(store, &group.name))
}

/// `GET /rest/groups/{name}/categories`.
pub fn categories(call: &Call, name: &str) -> Result<Response, GatewayError> {
    let db = call.db();
    let group = find(db, name)?;
    let items: Vec<Obj> = group
        .categories
        .iter()
        .filter_map(|category| category_by_name(db, category))
        .map(|category| category_with_groups(db, &category))
        .collect();
    let total = items.len();
    Ok(call.list("categories", "category", Page { items, total }, 0))
}

/// `POST /rest/groups` (XML `<group><name/><comments/><user/>...</group>`) → 201 + Location; a name
/// that exists is replaced, keeping its categories.
pub async fn create(call: &Call) -> Result<Response, GatewayError> {
    if call.body.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'<') {
        return Err(GatewayError::new(
            rosetta_core::ErrorKind::UnsupportedMediaType,
            "Groups are posted as XML (<group>...</group>).",
        ));
    }
    let root = parse_xml(&call.body).map_err(|err| GatewayError::bad_request(err.to_string()))?;
    if !root.name.eq_ignore_ascii_case("group") {
        return Err(GatewayError::bad_request(format!("Expected a <group> document, got <{}>", root.name)));
    }
    let name = root.child_text("name").unwrap_or_default().to_owned();
    if name.is_empty() {
        return Err(GatewayError::bad_request("Group name must be set."));
    }
    let mut group = Group {
        name: name.clone(),
        comments: root.child_text("comments").unwrap_or_default().to_owned(),
        users: root.children_ignore_case("user").map(|user| user.text.trim().to_owned()).collect(),
        categories: vec![],
    };
    group.users.dedup();
    write(call, move |tx| {
        if let Some(doc) = document(tx, GROUP, &group.name) {
            group.categories = Group::from_body(&group.name, &doc.body).categories;
        }
        Ok(Some(group))
    })
    .await?;
    Ok(call.created(&name))
}

/// Applies `change` to the stored groups in one transaction; a returned group is written back.
/// Says whether one was.
async fn write(
    call: &Call,
    change: impl FnOnce(&mut Tx<'_>) -> Result<Option<Group>, GatewayError> + Send,
) -> Result<bool, GatewayError> {
    call.db()
        .write(call.ctx.actor("opennms"), move |tx| {
            let Some(group) = change(tx)? else { return Ok(false) };
            put_document(tx, GROUP, &group.name, group.to_body());
            Ok::<_, GatewayError>(true)
        })
        .await
}

/// Changes one existing group (404 when missing): `edit` says whether it changed anything, or refuses.
async fn edit(
    call: &Call,
    name: &str,
    edit: impl FnOnce(&Tx<'_>, &mut Group) -> Result<bool, GatewayError> + Send,
) -> Result<bool, GatewayError> {
    let name = name.to_owned();
    write(call, move |tx| {
        let mut group = find(tx, &name)?;
        Ok(edit(tx, &mut group)?.then_some(group))
    })
    .await
}

/// `PUT /rest/groups/{name}` form `comments` → 204, 304 when no known field was given.
pub async fn update(call: &Call, name: &str) -> Result<Response, GatewayError> {
    let comments = call.params.get("comments").map(str::to_owned);
    let modified = edit(call, name, |_, group| {
        Ok(match comments {
            Some(comments) => {
                group.comments = comments;
                true
            }
            None => false,
        })
    })
    .await?;
    Ok(status(if modified { StatusCode::NO_CONTENT } else { StatusCode::NOT_MODIFIED }))
}

/// `DELETE /rest/groups/{name}` → 204 (deleting `Admin` brings back the default one).
pub async fn delete(call: &Call, name: &str) -> Result<Response, GatewayError> {
    find(call.db(), name)?;
    let name = name.to_owned();
    call.db()
        .write(call.ctx.actor("opennms"), move |tx| {
            if let Some(doc) = document(tx, GROUP, &name) {
                tx.delete::<rosetta_model::Document>(doc.meta.id);
            }
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// Which list of a group a member goes into.
type Members = fn(&mut Group) -> &mut Vec<String>;

/// Adds `item` to one list of a group; `refusal` when it is there already or `exists` says no.
async fn add_member(
    call: &Call,
    name: &str,
    item: &str,
    members: Members,
    exists: fn(&Tx<'_>, &str) -> bool,
    refusal: String,
) -> Result<Response, GatewayError> {
    let item = item.to_owned();
    edit(call, name, move |tx, group| {
        if members(group).contains(&item) || !exists(tx, &item) {
            return Err(GatewayError::bad_request(refusal));
        }
        members(group).push(item);
        Ok(true)
    })
    .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// Removes `item` from one list of a group; `refusal` when it is not there.
async fn remove_member(call: &Call, name: &str, item: &str, members: Members, refusal: String) -> Result<Response, GatewayError> {
    let item = item.to_owned();
    edit(call, name, move |_, group| {
        let list = members(group);
        let before = list.len();
        list.retain(|member| *member != item);
        if list.len() == before {
            return Err(GatewayError::bad_request(refusal));
        }
        Ok(true)
    })
    .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

fn users_of(group: &mut Group) -> &mut Vec<String> {
    &mut group.users
}

fn categories_of(group: &mut Group) -> &mut Vec<String> {
    &mut group.categories
}

/// `PUT /rest/groups/{name}/users/{login}` → 204; 400 when already a member or no such user.
pub async fn add_user(call: &Call, name: &str, login: &str) -> Result<Response, GatewayError> {
    let refusal = format!("User with name '{login}' already added or does not exist.");
    add_member(call, name, login, users_of, |tx, login| tx.find_by_name::<User>(login).is_some(), refusal).await
}

/// `DELETE /rest/groups/{name}/users/{login}` → 204; 400 when not a member.
pub async fn remove_user(call: &Call, name: &str, login: &str) -> Result<Response, GatewayError> {
    let refusal = format!("User with name '{login}' does not exist in group '{name}'");
    remove_member(call, name, login, users_of, refusal).await
}

/// `PUT /rest/groups/{name}/categories/{category}` → 204; 400 when already authorised or no such
/// category.
pub async fn add_category(call: &Call, name: &str, category: &str) -> Result<Response, GatewayError> {
    let refusal = format!("Category with name '{category}' already added or does not exist.");
    add_member(call, name, category, categories_of, |tx, category| category_by_name(tx, category).is_some(), refusal)
        .await
}

/// `DELETE /rest/groups/{name}/categories/{category}` → 204; 400 when not authorised.
pub async fn remove_category(call: &Call, name: &str, category: &str) -> Result<Response, GatewayError> {
    let refusal = format!("Category with name '{category}' does not exist. Remove failed.");
    remove_member(call, name, category, categories_of, refusal).await
}
