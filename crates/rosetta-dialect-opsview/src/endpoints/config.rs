//! `/rest/config/{type}` (spec §5): list with search, filter, order, columns and paging; single
//! objects; `exists`; create, upsert, update, clone and delete, single or `{"list": [...]}`, each
//! request one all-or-nothing transaction.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use rosetta_auth::{Principal, TenantScope};
use rosetta_core::visibility::group_subtrees;
use rosetta_core::{GatewayError, Response};
use rosetta_model::{HostGroup, Id, Permission};
use rosetta_store::{Read, Tx};
use serde_json::{json, Map, Value};

use super::Env;
use crate::call::{scalar_text, truthy};
use crate::config::people::PasswordHashes;
use crate::config::{Input, ObjectType, WireOptions};
use crate::json_filter;

fn object_type(name: &str) -> Result<ObjectType, GatewayError> {
    ObjectType::from_url(name).ok_or_else(|| GatewayError::bad_request(format!("Unknown object type '{name}'")))
}

fn parse_id(text: &str) -> Result<Id, GatewayError> {
    text.trim().parse::<Id>().map_err(|_| GatewayError::not_found("Object not found"))
}

fn wire_options(env: &Env<'_>) -> WireOptions {
    WireOptions { include_encrypted: truthy(env.call.params.get("include_encrypted")) }
}

/// The text at a dotted path of a wire object; arrays yield every element's value.
fn values_at(value: &Value, path: &[&str]) -> Vec<String> {
    match (value, path.split_first()) {
        (Value::Array(items), _) => items.iter().flat_map(|item| values_at(item, path)).collect(),
        (Value::Object(map), Some((first, rest))) => map.get(*first).map(|v| values_at(v, rest)).unwrap_or_default(),
        (Value::Object(map), None) => map.get("name").and_then(scalar_text).into_iter().collect(),
        (other, None) => scalar_text(other).into_iter().collect(),
        (_, Some(_)) => vec![],
    }
}

fn compare(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.to_lowercase().cmp(&b.to_lowercase()),
    }
}

/// `s.<field>` searches: values of one key are OR-ed (LIKE), keys are AND-ed.
fn search_matches(object: &Value, searches: &[(String, Vec<String>)]) -> bool {
    searches.iter().all(|(field, patterns)| {
        let path: Vec<&str> = field.split('.').collect();
        let values = values_at(object, &path);
        patterns.iter().any(|pattern| values.iter().any(|value| rosetta_model::query::like(pattern, value)))
    })
}

/// Applies `cols`: bare names keep only those (plus `id` and `ref`), `-x` removes, `+x` adds.
fn apply_cols(object: &mut Value, cols: &[String]) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    let tokens: Vec<&str> = cols.iter().flat_map(|c| c.split(',')).map(str::trim).filter(|c| !c.is_empty()).collect();
    let keep: Vec<&str> = tokens.iter().copied().filter(|t| !t.starts_with(['-', '+'])).collect();
    if !keep.is_empty() {
        map.retain(|key, _| keep.contains(&key.as_str()) || key == "id" || key == "ref");
    }
    for token in &tokens {
        if let Some(removed) = token.strip_prefix('-') {
            map.remove(removed);
        } else if let Some(added) = token.strip_prefix('+') {
            if added == "snmpinterfaces" && !map.contains_key(added) {
                map.insert(added.to_owned(), json!([]));
            }
        }
    }
}

/// The hosts a principal may configure: CONFIGUREHOSTS is limited to the role's configurable host
/// groups (`hostgroups` on the role) and the groups below them; ADMINACCESS configures everything.
struct HostScope {
    /// The configurable host groups (CONFIGUREHOSTS); `None` for administrators.
    groups: Option<BTreeSet<Id>>,
    /// The principal's tenants: hosts outside them are invisible, and changing a host needs write access.
    tenants: std::sync::Arc<TenantScope>,
}

impl HostScope {
    fn of(principal: &Principal, store: &impl Read) -> HostScope {
        let tenants = principal.scope.clone();
        if principal.can(Permission::AdminAccess) {
            return HostScope { groups: None, tenants };
        }
        let roots: Vec<Id> = principal
            .role
            .native
            .get("opsview.hostgroups")
            .and_then(|value| serde_json::from_value(value.clone()).ok())
            .unwrap_or_default();
        HostScope { groups: Some(group_subtrees(&roots, &store.all::<HostGroup>())), tenants }
    }

    /// True unless `id` is a host or host group outside the principal's tenants (it does not exist for
    /// them).
    fn visible(&self, store: &impl Read, ty: ObjectType, id: Id) -> bool {
        match ty {
            ObjectType::Host => store.get::<rosetta_model::Host>(id).is_none_or(|host| {
                self.tenants.can_read(host.tenant)
                    || host.shared_tenants.iter().any(|tenant| self.tenants.can_read(*tenant))
            }),
            ObjectType::HostGroup => {
                store.get::<HostGroup>(id).is_none_or(|group| self.tenants.can_read(group.tenant))
            }
            _ => true,
        }
    }

    /// Drops from `object`'s reference lists (`hosts`, `children`, `monitors`, `parents`, ...) every host
    /// and host group outside the principal's tenants, so no object names another tenant's.
    fn scrub(&self, store: &impl Read, object: &mut Value) {
        let Some(map) = object.as_object_mut() else {
            return;
        };
        for value in map.values_mut() {
            if let Some(items) = value.as_array_mut() {
                items.retain(|item| {
                    let Some(reference) = item.get("ref").and_then(Value::as_str) else {
                        return true;
                    };
                    let mut parts = reference.trim_start_matches("/rest/config/").split('/');
                    let ty = match parts.next() {
                        Some("host") => ObjectType::Host,
                        Some("hostgroup") => ObjectType::HostGroup,
                        _ => return true,
                    };
                    parts.next().and_then(|id| id.parse::<Id>().ok()).is_none_or(|id| self.visible(store, ty, id))
                });
            }
        }
    }

    /// True unless `id` is a host that is invisible or outside the configurable groups.
    fn allows(&self, store: &impl Read, ty: ObjectType, id: Id) -> bool {
        if !self.visible(store, ty, id) {
            return false;
        }
        match (&self.groups, ty) {
            (Some(groups), ObjectType::Host) => store
                .get::<rosetta_model::Host>(id)
                .is_none_or(|host| host.hostgroups.first().is_some_and(|group| groups.contains(group))),
            _ => true,
        }
    }

    /// [`HostScope::allows`], and for hosts and host groups write access to their tenant.
    fn allows_write(&self, store: &impl Read, ty: ObjectType, id: Id) -> bool {
        if !self.allows(store, ty, id) {
            return false;
        }
        match ty {
            ObjectType::Host => store.get::<rosetta_model::Host>(id).is_none_or(|host| {
                self.tenants.can_write(host.tenant)
                    || host.shared_tenants.iter().any(|tenant| self.tenants.can_write(*tenant))
            }),
            ObjectType::HostGroup => {
                store.get::<HostGroup>(id).is_none_or(|group| self.tenants.can_write(group.tenant))
            }
            _ => true,
        }
    }
}

/// The keys of a type whose non-empty lists mean another object uses it (`in_use`).
fn used_by(ty: ObjectType) -> &'static [&'static str] {
    match ty {
        ObjectType::HostTemplate | ObjectType::HostCheckCommand => &["hosts"],
        ObjectType::ServiceCheck => &["hosts", "hosttemplates"],
        ObjectType::HostGroup => &["hosts", "children"],
        ObjectType::Keyword => &["hosts", "servicechecks"],
        ObjectType::ServiceGroup | ObjectType::Attribute => &["servicechecks"],
        ObjectType::Role => &["contacts"],
        ObjectType::MonitoringCluster => &["monitors"],
        ObjectType::TimePeriod => &[
            "host_check_periods",
            "host_notification_periods",
            "servicecheck_check_periods",
            "servicecheck_notification_periods",
        ],
        ObjectType::SharedNotificationProfile => &["contacts"],
        ObjectType::Host | ObjectType::Contact | ObjectType::NotificationMethod | ObjectType::Tenancy => &[],
    }
}

fn in_use(used_by: &[&str], object: &Value) -> bool {
    used_by.iter().any(|key| object.get(*key).and_then(Value::as_array).is_some_and(|list| !list.is_empty()))
}

/// `GET /rest/config/{type}`.
pub fn list(env: &Env<'_>, kind: &str) -> Result<Response, GatewayError> {
    let ty = object_type(kind)?;
    let principal = env.require(&[ty.permission()])?;
    let db = env.db();
    let scope = HostScope::of(principal, db);
    let options = wire_options(env);
    let all: Vec<Value> = ty
        .ids(db)
        .into_iter()
        .filter(|id| scope.allows(db, ty, *id))
        .filter_map(|id| ty.wire(db, id, options))
        .map(|mut object| {
            scope.scrub(db, &mut object);
            object
        })
        .collect();
    list_objects(env, all, used_by(ty))
}

/// Searches, filters, orders, pages and trims `all` (the objects of one type the caller may see)
/// and writes the list reply. `used_by` names the keys that make an object `in_use`.
pub fn list_objects(env: &Env<'_>, all: Vec<Value>, used_by: &[&str]) -> Result<Response, GatewayError> {
    let params = &env.call.params;
    let allrows = all.len();

    let mut searches: Vec<(String, Vec<String>)> = Vec::new();
    for (key, value) in &params.0 {
        if let Some(field) = key.strip_prefix("s.") {
            match searches.iter_mut().find(|(f, _)| f == field) {
                Some((_, values)) => values.push(value.clone()),
                None => searches.push((field.to_owned(), vec![value.clone()])),
            }
        }
    }
    let filter = match params.get("json_filter").filter(|text| !text.trim().is_empty()) {
        Some(text) => Some(
            json_filter::parse(text)
                .map_err(|err| GatewayError::bad_request("Error executing search").with_detail(err.to_string()))?,
        ),
        None => None,
    };
    let mut found: Vec<Value> = all
        .into_iter()
        .filter(|object| search_matches(object, &searches))
        .filter(|object| params.get("in_use").is_none_or(|wanted| truthy(Some(wanted)) == in_use(used_by, object)))
        .filter(|object| {
            filter.as_ref().is_none_or(|filter| {
                json_filter::matches(filter, &|column: &str| {
                    let path: Vec<&str> = column.split('.').collect();
                    values_at(object, &path).into_iter().next()
                })
            })
        })
        .collect();

    if params.get("order") == Some("dependency") {
        // Host groups top-down, depth first: the order of their materialised paths.
        found.sort_by(|a, b| {
            let key = |o: &Value| o["matpath"].as_str().unwrap_or_default().to_lowercase();
            key(a).cmp(&key(b))
        });
    } else if let Some(order) = params.get("order").filter(|o| !o.is_empty()) {
        let keys: Vec<(String, bool)> = order
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|key| {
                let (key, desc) = match key.strip_prefix('-') {
                    Some(rest) => (rest, true),
                    None => match key.split_once(' ') {
                        Some((k, dir)) => (k, dir.trim().eq_ignore_ascii_case("desc")),
                        None => (key, false),
                    },
                };
                (key.to_owned(), desc)
            })
            .collect();
        found.sort_by(|a, b| {
            for (key, desc) in &keys {
                let path: Vec<&str> = key.split('.').collect();
                let left = values_at(a, &path).into_iter().next().unwrap_or_default();
                let right = values_at(b, &path).into_iter().next().unwrap_or_default();
                let ordering = compare(&left, &right);
                let ordering = if *desc { ordering.reverse() } else { ordering };
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
            Ordering::Equal
        });
    } else if let Some(names) = searches.iter().find(|(field, _)| field == "name").map(|(_, v)| v.clone()) {
        found.sort_by_key(|object| !object["name"].as_str().is_some_and(|name| names.iter().any(|n| n == name)));
    }

    let totalrows = found.len();
    let page_size = match params.get("rows").map(str::trim) {
        Some("all") => None,
        Some(text) => Some(text.parse::<usize>().map_err(|_| GatewayError::bad_request("rows: Invalid number"))?),
        None => Some(50),
    };
    let page = params.get("page").and_then(|p| p.trim().parse::<usize>().ok()).filter(|p| *p >= 1).unwrap_or(1);
    let (items, totalpages): (Vec<Value>, usize) = match page_size {
        None => (found, 1),
        Some(0) => (vec![], 1),
        Some(size) => {
            let pages = totalrows.div_ceil(size).max(1);
            (found.into_iter().skip((page - 1).saturating_mul(size)).take(size).collect(), pages)
        }
    };
    let cols: Vec<String> = params.get_all("cols").map(str::to_owned).collect();
    let items: Vec<Value> = items
        .into_iter()
        .map(|mut object| {
            apply_cols(&mut object, &cols);
            object
        })
        .collect();
    let summary = json!({
        "allrows": allrows,
        "page": page,
        "rows": items.len(),
        "totalpages": totalpages,
        "totalrows": totalrows,
    });
    env.ok(super::fields([("list", Value::Array(items)), ("summary", summary)]))
}

/// `GET /rest/config/{type}/{id}`.
pub fn get(env: &Env<'_>, kind: &str, id: &str) -> Result<Response, GatewayError> {
    let ty = object_type(kind)?;
    let principal = env.require(&[ty.permission()])?;
    let id = parse_id(id)?;
    let scope = HostScope::of(principal, env.db());
    if !scope.visible(env.db(), ty, id) {
        return Err(GatewayError::not_found("Object not found"));
    }
    if !scope.allows(env.db(), ty, id) {
        return Err(super::access_denied());
    }
    let mut object =
        ty.wire(env.db(), id, wire_options(env)).ok_or_else(|| GatewayError::not_found("Object not found"))?;
    scope.scrub(env.db(), &mut object);
    let cols: Vec<String> = env.call.params.get_all("cols").map(str::to_owned).collect();
    apply_cols(&mut object, &cols);
    env.ok(super::fields([("object", object)]))
}

/// `GET /rest/config/{type}/exists?name=|id=` → `{"exists": "1"|"0"}`.
pub fn exists(env: &Env<'_>, kind: &str) -> Result<Response, GatewayError> {
    let ty = object_type(kind)?;
    env.require(&[ty.permission()])?;
    let db = env.db();
    let found = if let Some(name) = env.call.params.get("name") {
        ty.find(db, name, None).is_some()
    } else if let Some(id) = env.call.params.get("id") {
        id.trim().parse::<Id>().is_ok_and(|id| ty.exists(db, id))
    } else {
        false
    };
    env.ok(json!({"exists": found}))
}

/// How one object in a write request is applied.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// POST to the collection.
    Create,
    /// PUT to the collection: by `id`, else by name.
    Upsert,
    /// PUT to one object.
    Update(Id),
    /// POST to one object.
    Clone(Id),
}

/// Contact passwords in the body, hashed before the transaction.
fn password_hashes(
    env: &Env<'_>,
    ty: ObjectType,
    objects: &[&Map<String, Value>],
) -> Result<PasswordHashes, GatewayError> {
    let mut hashes = PasswordHashes::new();
    if ty != ObjectType::Contact {
        return Ok(hashes);
    }
    for object in objects {
        if let Some(password) = object.get("password").and_then(scalar_text).filter(|p| !p.is_empty()) {
            if let std::collections::hash_map::Entry::Vacant(slot) = hashes.entry(password) {
                let hash = env.ctx.app.auth.hash_password(slot.key()).map_err(GatewayError::internal)?;
                slot.insert(hash);
            }
        }
    }
    Ok(hashes)
}

fn not_a_hash() -> GatewayError {
    GatewayError::bad_request("Error when parsing data").with_detail("Not a HASH")
}

/// Applies one object of a write inside the transaction; returns its id.
fn write_one(
    tx: &mut Tx<'_>,
    ty: ObjectType,
    mode: Mode,
    map: &Map<String, Value>,
    hashes: &PasswordHashes,
    scope: &HostScope,
) -> Result<Id, GatewayError> {
    let id = apply(tx, ty, mode, map, hashes, scope)?;
    if !scope.allows_write(tx, ty, id) {
        return Err(super::access_denied());
    }
    Ok(id)
}

fn apply(
    tx: &mut Tx<'_>,
    ty: ObjectType,
    mode: Mode,
    map: &Map<String, Value>,
    hashes: &PasswordHashes,
    scope: &HostScope,
) -> Result<Id, GatewayError> {
    let input = Input::new(map);
    let check = |tx: &Tx<'_>, id: Option<Id>| match id {
        Some(id) if !scope.visible(tx, ty, id) => Err(GatewayError::not_found("Object not found")),
        Some(id) if !scope.allows_write(tx, ty, id) => Err(super::access_denied()),
        _ => Ok(()),
    };
    match mode {
        Mode::Create => {
            if ty != ObjectType::HostGroup {
                if let Some(name) = input.text("name")? {
                    if ty.find(tx, &name, None).is_some() {
                        return Err(crate::config::duplicate(&name));
                    }
                }
            }
            ty.write(tx, None, input, hashes)
        }
        Mode::Upsert => {
            let by_id = map
                .get("id")
                .and_then(scalar_text)
                .and_then(|id| id.trim().parse::<Id>().ok())
                .filter(|id| ty.exists(tx, *id));
            let matpath = map.get("parent").and_then(|p| p.get("matpath")).and_then(Value::as_str);
            let by_name = input.text("name")?.and_then(|name| match ty {
                ObjectType::HostGroup => tx
                    .all::<rosetta_model::HostGroup>()
                    .iter()
                    .find(|g| {
                        g.name == name
                            && matpath
                                .is_none_or(|path| crate::config::hostgroup::matpath(tx, g.parent.unwrap_or(0)) == path)
                    })
                    .map(|g| g.meta.id),
                _ => ty.find(tx, &name, None),
            });
            let target = by_id.or(by_name);
            check(tx, target)?;
            ty.write(tx, target, input, hashes)
        }
        Mode::Update(id) => {
            if !ty.exists(tx, id) {
                return Err(GatewayError::not_found("Object not found"));
            }
            check(tx, Some(id))?;
            ty.write(tx, Some(id), input, hashes)
        }
        Mode::Clone(source) => {
            let wire = ty
                .wire(tx, source, WireOptions::default())
                .ok_or_else(|| GatewayError::not_found("Object not found"))?;
            let mut merged = wire.as_object().cloned().unwrap_or_default();
            for key in
                ["id", "ref", "uncommitted", "last_updated", "children", "matpath", "is_leaf", "contacts", "monitors"]
            {
                merged.remove(key);
            }
            if matches!(ty, ObjectType::HostTemplate | ObjectType::Keyword | ObjectType::HostGroup) {
                merged.remove("hosts");
            }
            for (key, value) in map {
                merged.insert(key.clone(), value.clone());
            }
            check(tx, Some(source))?;
            apply(tx, ty, Mode::Create, &merged, hashes, scope)
        }
    }
}

/// A write request: one object, or `{"list": [...]}` for create and upsert.
async fn write(env: &Env<'_>, kind: &str, mode: Mode) -> Result<Response, GatewayError> {
    let ty = object_type(kind)?;
    env.require(&[ty.permission()])?;
    let principal = env.require(&[Permission::ConfigureSave])?;
    let scope = HostScope::of(principal, env.db());
    let empty = Map::new();
    let body = match &env.call.body {
        None => None,
        Some(Value::Object(_)) => env.call.object(),
        Some(_) => return Err(not_a_hash()),
    };
    let list = match (mode, body.and_then(|map| map.get("list"))) {
        (Mode::Create | Mode::Upsert, Some(Value::Array(items))) if body.is_some_and(|map| map.len() == 1) => {
            Some(items)
        }
        _ => None,
    };
    if let Some(items) = list {
        let objects: Vec<&Map<String, Value>> = items.iter().filter_map(Value::as_object).collect();
        let hashes = password_hashes(env, ty, &objects)?;
        let options = wire_options(env);
        let written = env
            .db()
            .write(env.actor(), |tx| {
                let mut written = Vec::new();
                for (index, item) in items.iter().enumerate() {
                    let result = item
                        .as_object()
                        .ok_or_else(not_a_hash)
                        .and_then(|map| write_one(tx, ty, mode, map, &hashes, &scope));
                    match result {
                        Ok(id) => written.push(id),
                        Err(err) => {
                            let detail = match &err.detail {
                                Some(detail) => format!("{}: {detail}", err.message),
                                None => err.message.clone(),
                            };
                            return Err(GatewayError::bad_request(format!(
                                "Rollback. Error trying to synchronise object: {index}"
                            ))
                            .with_detail(detail)
                            .with_fields(json!({"objects_updated": "0"})));
                        }
                    }
                }
                let objects: Vec<Value> = written
                    .iter()
                    .filter_map(|id| ty.wire(tx, *id, options))
                    .map(|mut object| {
                        scope.scrub(tx, &mut object);
                        object
                    })
                    .collect();
                Ok::<_, GatewayError>(objects)
            })
            .await?;
        return env.ok(json!({"objects_updated": written.len(), "list": written}));
    }
    let map = body.unwrap_or(&empty);
    let hashes = password_hashes(env, ty, &[map])?;
    let options = wire_options(env);
    let object = env
        .db()
        .write(env.actor(), |tx| {
            let id = write_one(tx, ty, mode, map, &hashes, &scope)?;
            let mut object = ty.wire(tx, id, options).ok_or_else(|| GatewayError::internal("written object vanished"))?;
            scope.scrub(tx, &mut object);
            Ok::<_, GatewayError>(object)
        })
        .await?;
    env.ok(json!({"object": object}))
}

/// `POST /rest/config/{type}`.
pub async fn create(env: &Env<'_>, kind: &str) -> Result<Response, GatewayError> {
    write(env, kind, Mode::Create).await
}

/// `PUT /rest/config/{type}`.
pub async fn upsert(env: &Env<'_>, kind: &str) -> Result<Response, GatewayError> {
    write(env, kind, Mode::Upsert).await
}

/// `PUT /rest/config/{type}/{id}`.
pub async fn update(env: &Env<'_>, kind: &str, id: &str) -> Result<Response, GatewayError> {
    let id = parse_id(id)?;
    write(env, kind, Mode::Update(id)).await
}

/// `POST /rest/config/{type}/{id}`.
pub async fn clone(env: &Env<'_>, kind: &str, id: &str) -> Result<Response, GatewayError> {
    let id = parse_id(id)?;
    write(env, kind, Mode::Clone(id)).await
}

/// `DELETE /rest/config/{type}/{id}` → `{"success": "1"}`.
pub async fn delete(env: &Env<'_>, kind: &str, id: &str) -> Result<Response, GatewayError> {
    let ty = object_type(kind)?;
    env.require(&[ty.permission()])?;
    env.require(&[Permission::ConfigureSave])?;
    let id = parse_id(id)?;
    let scope = HostScope::of(env.principal()?, env.db());
    env.db()
        .write(env.actor(), |tx| {
            if !ty.exists(tx, id) || !scope.visible(tx, ty, id) {
                return Err(GatewayError::not_found("Object not found"));
            }
            if !scope.allows_write(tx, ty, id) {
                return Err(super::access_denied());
            }
            ty.delete(tx, id)
        })
        .await?;
    env.ok(json!({"success": true}))
}

/// `DELETE /rest/config/{type}?id=1&id=2` → `{"objects_deleted": "2"}`, all or nothing.
pub async fn delete_many(env: &Env<'_>, kind: &str) -> Result<Response, GatewayError> {
    let ty = object_type(kind)?;
    env.require(&[ty.permission()])?;
    env.require(&[Permission::ConfigureSave])?;
    let params = env.call.merged_params();
    let ids: Vec<Id> = params
        .get_all("id")
        .chain(params.get_all("s.id"))
        .flat_map(|value| value.split(','))
        .filter_map(|value| value.trim().parse::<Id>().ok())
        .collect();
    if ids.is_empty() {
        return Err(crate::config::in_use().with_detail("No object ids given"));
    }
    let scope = HostScope::of(env.principal()?, env.db());
    let count = env
        .db()
        .write(env.actor(), |tx| {
            let mut count = 0;
            for id in &ids {
                if !scope.allows_write(tx, ty, *id) {
                    return Err(super::access_denied());
                }
                if ty.exists(tx, *id) {
                    ty.delete(tx, *id)?;
                    count += 1;
                }
            }
            Ok::<_, GatewayError>(count)
        })
        .await?;
    env.ok(json!({"objects_deleted": count}))
}
