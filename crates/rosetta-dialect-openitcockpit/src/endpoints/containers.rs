//! `/containers/*`, `/tenants/*` and `/hostgroups/*` (spec §5.1, §5.2). Containers are the shared
//! tenant tree (id 1 = root); host groups are the shared host-group tree.

use std::sync::Arc;

use rosetta_core::{ErrorKind, GatewayError};
use rosetta_model::*;
use rosetta_store::Read;
use serde_json::{json, Map, Value};

use crate::call::{Answer, Call, Reply};
use crate::endpoints::hosts::{id_field, id_list, text_field};
use crate::errors;
use crate::filter::FieldKind;
use crate::list::{self, text, ListSpec};
use crate::sort::Direction;
use crate::validation::{Rule, ValidationErrors};
use crate::wire;

fn visible_tenants(call: &Call<'_>, write_only: bool) -> Vec<Arc<Tenant>> {
    let scope = &call.principal.scope;
    call.db()
        .all::<Tenant>()
        .into_iter()
        .filter(|tenant| if write_only { scope.can_write(tenant.meta.id) } else { scope.can_read(tenant.meta.id) })
        .filter(|tenant| tenant.meta.id != ROOT_TENANT || scope.reads_everything())
        .collect()
}

fn select_list(call: &Call<'_>, write_only: bool) -> Value {
    let db = call.db();
    let mut list: Vec<(String, Id)> =
        visible_tenants(call, write_only).iter().map(|tenant| (wire::container_path(db.as_ref(), tenant), tenant.meta.id)).collect();
    list.sort_by_key(|(path, _)| path.to_lowercase());
    Value::from(list.iter().map(|(path, id)| wire::key_value(*id, path)).collect::<Vec<_>>())
}

/// `GET /containers/loadContainers.json?angular=true`.
pub async fn load_containers(call: &Call<'_>) -> Answer {
    call.require_angular()?;
    Ok(Reply::new(json!({"containers": select_list(call, false)})))
}

/// `GET /containers/loadContainersForAngular.json?angular=true[&onlyWritePermissions=true]`.
pub async fn load_containers_for_angular(call: &Call<'_>) -> Answer {
    call.require_angular()?;
    let write_only = call.param("onlyWritePermissions").is_some_and(|value| value == "true" || value == "1");
    Ok(Reply::new(json!({"containers": select_list(call, write_only)})))
}

fn container_of(call: &Call<'_>, id: Id) -> Result<Arc<Tenant>, GatewayError> {
    let tenant = call.db().get::<Tenant>(id).ok_or_else(|| errors::not_found("Invalid container"))?;
    if !call.principal.scope.can_read(id) {
        return Err(errors::container_forbidden());
    }
    Ok(tenant)
}

/// `GET /containers/view/{id}.json`.
pub async fn view(call: &Call<'_>) -> Answer {
    let id = call.id_arg("Invalid container")?;
    let tenant = container_of(call, id)?;
    Ok(Reply::new(json!({"container": wire::container(&tenant)})))
}

fn kind_of(type_id: i64) -> Option<TenantKind> {
    match type_id {
        2 => Some(TenantKind::Tenant),
        3 => Some(TenantKind::Location),
        5 => Some(TenantKind::Node),
        _ => None,
    }
}

fn check_name(store: &impl Read, name: &str, kind: TenantKind, own: Option<Id>, errors: &mut ValidationErrors, path: &str) {
    if name.is_empty() {
        errors.add_message(path, "_empty", "This field cannot be left blank.");
    } else if name.chars().count() > 255 {
        errors.add(path, Rule::MaxLength);
    } else if kind == TenantKind::Tenant
        && store.all::<Tenant>().iter().any(|t| t.kind == TenantKind::Tenant && t.name == name && Some(t.meta.id) != own)
    {
        errors.add_message(path, "isUnique", "This name already exists.");
    }
}

fn new_tenant(name: String, parent: Id, kind: TenantKind, description: String) -> Tenant {
    Tenant { description, ..Tenant::new(name, parent, kind) }
}

/// `POST /containers/add.json?angular=true` `{"Container": {parent_id, name, containertype_id}}`.
pub async fn add(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let input = call.model("Container");
    let parent = id_field(&input, "parent_id").unwrap_or(0);
    let kind = id_field(&input, "containertype_id").and_then(kind_of).unwrap_or(TenantKind::Node);
    let name = text_field(&input, "name").unwrap_or_default().trim().to_owned();
    if call.db().get::<Tenant>(parent).is_none() {
        return Err(errors::invalid("parent_id", "_existsIn", "This value does not exist"));
    }
    if !call.principal.scope.can_write(parent) {
        return Err(errors::container_forbidden());
    }
    let id = call
        .db()
        .write(call.actor(), |tx| {
            let mut errors = ValidationErrors::new();
            check_name(&*tx, &name, kind, None, &mut errors, "name");
            if !errors.is_empty() {
                return Err(errors::validation(&errors));
            }
            Ok(tx.insert(new_tenant(name, parent, kind, String::new())).meta.id)
        })
        .await?;
    Ok(Reply::id(id))
}

/// `POST /containers/edit.json?angular=true` `{"Container": {id, name}}`.
pub async fn edit(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let input = call.model("Container");
    let id = id_field(&input, "id").ok_or_else(|| errors::not_found("Invalid container"))?;
    let tenant = container_of(call, id)?;
    if !call.principal.scope.can_write(id) {
        return Err(errors::container_forbidden());
    }
    let name = text_field(&input, "name").unwrap_or_default().trim().to_owned();
    call.db()
        .write(call.actor(), |tx| {
            let mut errors = ValidationErrors::new();
            check_name(&*tx, &name, tenant.kind, Some(id), &mut errors, "name");
            if !errors.is_empty() {
                return Err(errors::validation(&errors));
            }
            let mut changed = (*tenant).clone();
            changed.name = name;
            tx.update(changed);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(Reply::id(id))
}

fn in_use(store: &impl Read, id: Id) -> bool {
    store.all::<Tenant>().iter().any(|t| t.parent == Some(id))
        || store.all::<Host>().iter().any(|h| h.tenant == id || h.shared_tenants.contains(&id))
        || store.all::<HostTemplate>().iter().any(|t| t.tenant == id)
        || store.all::<ServiceTemplate>().iter().any(|t| t.tenant == id)
        || store.all::<HostGroup>().iter().any(|g| g.tenant == id)
}

/// `POST /containers/delete/{id}.json`.
pub async fn delete(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let id = call.args.first().and_then(|arg| crate::php::strict_int(arg)).unwrap_or(0);
    if id == ROOT_TENANT || call.db().get::<Tenant>(id).is_none() || !call.principal.scope.can_write(id) {
        return Err(errors::container_forbidden());
    }
    call.db()
        .write(call.actor(), |tx| {
            if in_use(&*tx, id) {
                return Err(errors::with_body(
                    ErrorKind::BadRequest,
                    json!({"success": false, "message": "Container is not empty", "containerId": id, "id": id}),
                ));
            }
            tx.delete::<Tenant>(id);
            Ok(())
        })
        .await?;
    Ok(Reply::success())
}

/// `GET /tenants/index.json?angular=true`.
pub async fn tenants_index(call: &Call<'_>) -> Answer {
    if !call.angular() {
        return Ok(Reply::new(json!({})));
    }
    let scope = &call.principal.scope;
    let rows: Vec<Arc<Tenant>> = visible_tenants(call, false).into_iter().filter(|t| t.kind == TenantKind::Tenant).collect();
    let spec = ListSpec {
        filters: &[("Containers.name", FieldKind::Like), ("Tenants.description", FieldKind::Like)],
        sortable: &["Containers.id"],
        default_order: &[("Containers.name", Direction::Asc)],
        tie_breaker: "Containers.id",
        body_filters: false,
    };
    let (page, paging) = list::page(call, &spec, rows, |t, field| match field {
        "Containers.name" => text(&t.name),
        "Tenants.description" => text(&t.description),
        "Containers.id" => text(t.meta.id),
        _ => None,
    })?;
    let all: Vec<Value> = page
        .iter()
        .map(|t| {
            json!({"Tenant": {"id": t.meta.id, "container_id": t.meta.id, "description": t.description, "is_active": 1,
                              "firstname": "", "lastname": "", "street": "", "zipcode": null, "city": "", "allowEdit": scope.can_write(t.meta.id)},
                   "Container": wire::container(t)})
        })
        .collect();
    Ok(Reply::new(json!({"all_tenants": all, "hasRootPrivileges": scope.writes_everything()})).paged(paging))
}

/// `POST /tenants/add.json?angular=true` (unwrapped) `{"description", "container": {"name"}}`.
pub async fn tenants_add(call: &Call<'_>) -> Answer {
    if !call.is_post() {
        return Ok(Reply::new(json!({})));
    }
    let input = call.body_object();
    let container: Map<String, Value> = input.get("container").and_then(Value::as_object).cloned().unwrap_or_default();
    let name = text_field(&container, "name").unwrap_or_default().trim().to_owned();
    let description = text_field(&input, "description").unwrap_or_default();
    if !call.principal.scope.writes_everything() {
        return Err(errors::container_forbidden());
    }
    let id = call
        .db()
        .write(call.actor(), |tx| {
            let mut errors = ValidationErrors::new();
            check_name(&*tx, &name, TenantKind::Tenant, None, &mut errors, "container.name");
            if !errors.is_empty() {
                return Err(errors::validation(&errors));
            }
            Ok(tx.insert(new_tenant(name, ROOT_TENANT, TenantKind::Tenant, description)).meta.id)
        })
        .await?;
    Ok(Reply::id(id))
}

fn hostgroup_row(store: &impl Read, call: &Call<'_>, group: &HostGroup) -> Value {
    let _ = store;
    json!({
        "id": group.meta.id,
        "uuid": group.meta.uuid.to_string(),
        "container_id": group.meta.id,
        "description": group.description,
        "hostgroup_url": group.native.get("openitcockpit.hostgroup_url").cloned().unwrap_or(Value::Null),
        "container": {"id": group.meta.id, "containertype_id": 7, "name": group.name, "parent_id": group.tenant,
                      "lft": group.meta.id * 2 - 1, "rght": group.meta.id * 2},
        "allowEdit": call.principal.scope.can_write(group.tenant),
        "hasSLAHosts": false,
        "additionalInformationExists": false,
    })
}

/// `GET /hostgroups/index.json?angular=true`.
pub async fn hostgroups_index(call: &Call<'_>) -> Answer {
    if !call.angular() {
        return Ok(Reply::new(json!({})));
    }
    let db = call.db();
    let scope = &call.principal.scope;
    let rows: Vec<Arc<HostGroup>> = db.all::<HostGroup>().into_iter().filter(|g| scope.can_read(g.tenant)).collect();
    let spec = ListSpec {
        filters: &[
            ("Containers.name", FieldKind::Like),
            ("Hostgroups.description", FieldKind::Like),
            ("Hostgroups.id", FieldKind::Equals),
            ("Containers.parent_id", FieldKind::Equals),
        ],
        sortable: &[],
        default_order: &[("Containers.name", Direction::Asc)],
        tie_breaker: "Hostgroups.id",
        body_filters: false,
    };
    let (page, paging) = list::page(call, &spec, rows, |g, field| match field {
        "Containers.name" => text(&g.name),
        "Hostgroups.description" => text(&g.description),
        "Hostgroups.id" => text(g.meta.id),
        "Containers.parent_id" => text(g.tenant),
        _ => None,
    })?;
    let all: Vec<Value> = page.iter().map(|g| hostgroup_row(db.as_ref(), call, g)).collect();
    Ok(Reply::new(json!({"all_hostgroups": all})).paged(paging))
}

/// `POST /hostgroups/add.json?angular=true` `{"Hostgroup": {"container": {parent_id, name}, description, hosts: {_ids}}}`.
pub async fn hostgroups_add(call: &Call<'_>) -> Answer {
    if !call.is_post() {
        return Ok(Reply::new(json!({})));
    }
    let input = call.model("Hostgroup");
    let container: Map<String, Value> = input.get("container").and_then(Value::as_object).cloned().unwrap_or_default();
    let name = text_field(&container, "name").unwrap_or_default().trim().to_owned();
    let parent = id_field(&container, "parent_id");
    let description = text_field(&input, "description").unwrap_or_default();
    let url = text_field(&input, "hostgroup_url").unwrap_or_default();
    let id = call
        .db()
        .write(call.actor(), |tx| {
            let mut errors = ValidationErrors::new();
            if name.is_empty() {
                errors.add_message("container.name", "_empty", "This field cannot be left blank.");
            } else if tx.all::<HostGroup>().iter().any(|g| g.parent.is_none() && g.name == name) {
                errors.add_message("container.name", "isUnique", "This name already exists.");
            }
            match parent {
                None => {
                    errors.add("container.parent_id", Rule::Required);
                }
                Some(id) if tx.get::<Tenant>(id).is_none() => {
                    errors.add_message("container.parent_id", "_existsIn", "This value does not exist");
                }
                Some(_) => {}
            }
            if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
                errors.add("hostgroup_url", Rule::Url);
            }
            let hosts = id_list(&input, "hosts", &mut errors).unwrap_or_default();
            if hosts.iter().any(|id| tx.get::<Host>(*id).is_none()) {
                errors.add_message("hosts", "_existsIn", "This value does not exist");
            }
            if !errors.is_empty() {
                return Err(errors::validation(&errors));
            }
            let tenant = parent.unwrap_or(ROOT_TENANT);
            if !call.principal.scope.can_write(tenant) {
                return Err(errors::container_forbidden());
            }
            let mut native = Native::new();
            if !url.is_empty() {
                native.insert("openitcockpit.hostgroup_url".to_owned(), Value::from(url.clone()));
            }
            let group = tx.insert(HostGroup { meta: Meta::new(0), name: name.clone(), parent: None, tenant, description: description.clone(), native });
            for host in hosts {
                if let Some(host) = tx.get::<Host>(host) {
                    let mut changed = (*host).clone();
                    if !changed.hostgroups.contains(&group.meta.id) {
                        changed.hostgroups.push(group.meta.id);
                    }
                    tx.update(changed);
                }
            }
            Ok::<_, GatewayError>(group.meta.id)
        })
        .await?;
    Ok(Reply::id(id))
}

/// `POST /hostgroups/delete/{id}.json`.
pub async fn hostgroups_delete(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let id = call.id_arg("Invalid Hostgroup")?;
    let group = call.db().get::<HostGroup>(id).ok_or_else(|| errors::not_found("Invalid Hostgroup"))?;
    if !call.principal.scope.can_write(group.tenant) {
        return Err(errors::container_forbidden());
    }
    call.db()
        .write(call.actor(), |tx| {
            if tx.all::<HostGroup>().iter().any(|g| g.parent == Some(id)) {
                return Err(errors::with_body(ErrorKind::Internal, json!({"success": false, "message": "Container is not empty", "containerId": id})));
            }
            for host in tx.all::<Host>().into_iter().filter(|host| host.hostgroups.contains(&id)) {
                let mut changed = (*host).clone();
                changed.hostgroups.retain(|group| *group != id);
                tx.update(changed);
            }
            tx.delete::<HostGroup>(id);
            Ok(())
        })
        .await?;
    Ok(Reply::success())
}

/// `GET|POST /hostgroups/edit/{id}.json?angular=true` (both require `angular`).
pub async fn hostgroups_edit(call: &Call<'_>) -> Answer {
    let id = call.id_arg("Invalid Hostgroup")?;
    let group = call.db().get::<HostGroup>(id).ok_or_else(|| errors::not_found("Invalid Hostgroup"))?;
    if !call.principal.scope.can_read(group.tenant) {
        return Err(errors::container_forbidden());
    }
    if !call.angular() {
        return Ok(Reply::new(json!({})));
    }
    let db = call.db();
    if !call.is_post() {
        let hosts: Vec<Id> = db.all::<Host>().iter().filter(|host| host.hostgroups.contains(&id)).map(|host| host.meta.id).collect();
        let mut object = hostgroup_row(db.as_ref(), call, &group);
        if let Some(map) = object.as_object_mut() {
            map.insert("hosts".to_owned(), wire::ids(&hosts));
            map.insert("hosttemplates".to_owned(), wire::ids(&[]));
        }
        return Ok(Reply::new(json!({"hostgroup": {"Hostgroup": object}})));
    }
    if !call.principal.scope.can_write(group.tenant) {
        return Err(errors::container_forbidden());
    }
    let input = call.model("Hostgroup");
    let container: Map<String, Value> = input.get("container").and_then(Value::as_object).cloned().unwrap_or_default();
    db.write(call.actor(), |tx| {
        let mut errors = ValidationErrors::new();
        let name = text_field(&container, "name").map(|name| name.trim().to_owned()).unwrap_or_else(|| group.name.clone());
        if name.is_empty() {
            errors.add_message("container.name", "_empty", "This field cannot be left blank.");
        }
        let hosts = id_list(&input, "hosts", &mut errors);
        if hosts.as_ref().is_some_and(|hosts| hosts.iter().any(|id| tx.get::<Host>(*id).is_none())) {
            errors.add_message("hosts", "_existsIn", "This value does not exist");
        }
        if !errors.is_empty() {
            return Err(errors::validation(&errors));
        }
        let mut changed = (*group).clone();
        changed.name = name;
        if let Some(description) = text_field(&input, "description") {
            changed.description = description;
        }
        tx.update(changed);
        if let Some(hosts) = hosts {
            for host in tx.all::<Host>() {
                let member = host.hostgroups.contains(&id);
                let wanted = hosts.contains(&host.meta.id);
                if member != wanted {
                    let mut changed = (*host).clone();
                    if wanted {
                        changed.hostgroups.push(id);
                    } else {
                        changed.hostgroups.retain(|group| *group != id);
                    }
                    tx.update(changed);
                }
            }
        }
        Ok::<_, GatewayError>(())
    })
    .await?;
    Ok(Reply::id(id))
}
