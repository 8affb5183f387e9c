//! `hostgroup` (spec §5.7) over the shared [`HostGroup`] tree: `matpath` with a trailing comma,
//! `is_leaf`, read-only `children`, and `hosts` (hosts whose first group this is).

use rosetta_core::GatewayError;
use rosetta_model::{Host, HostGroup, Id, Meta, Native};
use rosetta_store::{Read, Tx};
use serde_json::{json, Value};

use super::{base, references_by_name, ObjectType};
use crate::config::Input;

/// Every host group id.
pub fn ids(store: &impl Read) -> Vec<Id> {
    store.all::<HostGroup>().iter().map(|group| group.meta.id).collect()
}

/// The groups from the root down to `id` (inclusive).
pub fn ancestry(store: &impl Read, id: Id) -> Vec<std::sync::Arc<HostGroup>> {
    let mut chain = Vec::new();
    let mut next = Some(id);
    while let Some(current) = next {
        let Some(group) = store.get::<HostGroup>(current) else {
            break;
        };
        if chain.iter().any(|g: &std::sync::Arc<HostGroup>| g.meta.id == current) {
            break;
        }
        next = group.parent;
        chain.push(group);
    }
    chain.reverse();
    chain
}

/// `Opsview,Production,`.
pub fn matpath(store: &impl Read, id: Id) -> String {
    ancestry(store, id).iter().map(|group| format!("{},", group.name)).collect()
}

/// The direct children of a group.
pub fn children(store: &impl Read, id: Id) -> Vec<Id> {
    store.all::<HostGroup>().iter().filter(|group| group.parent == Some(id)).map(|group| group.meta.id).collect()
}

/// True when the group has no child groups.
pub fn is_leaf(store: &impl Read, id: Id) -> bool {
    children(store, id).is_empty()
}

/// The first leaf in tree order (depth first, children by id, so the seeded `Monitoring Servers`
/// comes first): where hosts without a group go.
pub fn first_leaf(store: &impl Read) -> Option<Id> {
    let groups = store.all::<HostGroup>();
    let mut roots: Vec<&std::sync::Arc<HostGroup>> = groups.iter().filter(|group| group.parent.is_none()).collect();
    roots.sort_by_key(|group| group.meta.id);
    fn walk(store: &impl Read, id: Id) -> Option<Id> {
        let kids = children(store, id);
        if kids.is_empty() {
            return Some(id);
        }
        kids.into_iter().find_map(|kid| walk(store, kid))
    }
    roots.into_iter().find_map(|root| walk(store, root.meta.id))
}

/// The group with this name; when names repeat, `matpath` (or the first by id) decides.
pub fn find(store: &impl Read, name: &str, wanted_matpath: Option<&str>) -> Option<Id> {
    let candidates: Vec<Id> =
        store.all::<HostGroup>().iter().filter(|group| group.name == name).map(|group| group.meta.id).collect();
    if let Some(path) = wanted_matpath {
        let full = if path.ends_with(&format!("{name},")) { path.to_owned() } else { format!("{path}{name},") };
        if let Some(id) = candidates.iter().copied().find(|id| matpath(store, *id) == full) {
            return Some(id);
        }
    }
    candidates.first().copied()
}

/// Hosts whose Opsview host group is `id`.
fn hosts_of(store: &impl Read, id: Id) -> Vec<Id> {
    store.all::<Host>().iter().filter(|host| host.hostgroups.first() == Some(&id)).map(|host| host.meta.id).collect()
}

/// The host group as Opsview writes it.
pub fn wire(store: &impl Read, id: Id) -> Option<Value> {
    let group = store.get::<HostGroup>(id)?;
    let mut map = base(store, ObjectType::HostGroup, &group.meta, &group.name);
    let parent = group.parent.and_then(|parent| store.get::<HostGroup>(parent)).map_or(Value::Null, |parent| {
        json!({"name": parent.name, "ref": super::ref_path(ObjectType::HostGroup, parent.meta.id),
               "matpath": matpath(store, parent.meta.id)})
    });
    map.insert("parent".into(), parent);
    map.insert("children".into(), references_by_name(store, ObjectType::HostGroup, &children(store, id)));
    map.insert("hosts".into(), references_by_name(store, ObjectType::Host, &hosts_of(store, id)));
    map.insert("matpath".into(), json!(matpath(store, id)));
    map.insert("is_leaf".into(), json!(is_leaf(store, id)));
    Some(Value::Object(map))
}

fn valid_name(name: &str) -> bool {
    name.len() <= 128 && name.chars().all(|c| c.is_alphanumeric() || " ./+-_".contains(c))
}

/// Creates or updates a host group; the parent is set by name (or name + matpath) or id.
pub fn write(tx: &mut Tx<'_>, id: Option<Id>, input: Input<'_>) -> Result<Id, GatewayError> {
    let existing = id.and_then(|id| tx.get::<HostGroup>(id));
    let mut group = match &existing {
        Some(group) => (**group).clone(),
        None => HostGroup {
            meta: Meta::new(0),
            name: String::new(),
            parent: Some(1).filter(|root| tx.get::<HostGroup>(*root).is_some()),
            tenant: rosetta_model::ROOT_TENANT,
            description: String::new(),
            native: Native::new(),
        },
    };
    if let Some(name) = super::required_name(input, valid_name)? {
        group.name = name;
    } else if existing.is_none() {
        return Err(super::missing_name());
    }
    if let Some(parent) = input.one(tx, "parent", ObjectType::HostGroup)? {
        if let Some(parent) = parent {
            if id.is_some_and(|own| ancestry(tx, parent).iter().any(|g| g.meta.id == own)) {
                return Err(GatewayError::bad_request("parent: A host group cannot be below itself"));
            }
            if !hosts_of(tx, parent).is_empty() {
                return Err(GatewayError::bad_request(
                    "parent: Host group has hosts, so cannot have child host groups",
                ));
            }
        }
        group.parent = parent;
    }
    if let Some(description) = input.text("description")? {
        group.description = description;
    }
    let clash = tx
        .all::<HostGroup>()
        .iter()
        .any(|other| Some(other.meta.id) != id && other.name == group.name && other.parent == group.parent);
    if clash {
        return Err(super::duplicate(&group.name));
    }
    let group = match existing {
        Some(_) => tx.update(group),
        None => tx.insert(group),
    };
    Ok(group.meta.id)
}

/// Deletes an empty, non-root host group.
pub fn delete(tx: &mut Tx<'_>, id: Id) -> Result<(), GatewayError> {
    let root = tx.get::<HostGroup>(id).is_some_and(|group| group.parent.is_none());
    if root || !children(tx, id).is_empty() || tx.all::<Host>().iter().any(|host| host.hostgroups.contains(&id)) {
        return Err(super::in_use());
    }
    tx.delete::<HostGroup>(id);
    Ok(())
}
