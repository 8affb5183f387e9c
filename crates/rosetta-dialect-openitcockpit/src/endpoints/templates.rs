//! `/hosttemplates/*` and `/servicetemplates/*` (spec §5.3): index, add, edit, delete. Templates have
//! no inheritance of their own: every required field must be given on create.

use std::sync::Arc;

use rosetta_core::{ErrorKind, GatewayError};
use rosetta_model::*;
use rosetta_store::Read;
use serde_json::{json, Map, Value};

use crate::call::{Answer, Call, Reply};
use crate::endpoints::hosts::{check_refs, command_arg_values, command_args_from, id_field, id_list, text_field};
use crate::errors;
use crate::filter::FieldKind;
use crate::list::{self, text, ListSpec};
use crate::settings::{self, Family, Own};
use crate::sort::Direction;
use crate::validation::{Rule, ValidationErrors};
use crate::wire;

const REQUIRED: &[&str] = &[
    "priority",
    "max_check_attempts",
    "notification_interval",
    "check_interval",
    "retry_interval",
    "check_period_id",
    "command_id",
    "notify_period_id",
];

/// The complete settings of a service template.
pub fn own_of_service_template(template: &ServiceTemplate) -> Own {
    settings::complete(
        Family::Service,
        &Own {
            check: template.check.clone(),
            description: Some(template.description.clone()),
            tags: Some(template.tags.clone()),
            native: settings::own_native(Family::Service, &template.native),
        },
    )
}

fn dates(meta: &Meta) -> Value {
    json!({
        "created": crate::datefmt::format("Y-m-d H:i:s", Some(meta.created.secs()), 0),
        "modified": crate::datefmt::format("Y-m-d H:i:s", Some(meta.updated.secs()), 0),
    })
}

fn extend(map: &mut Map<String, Value>, value: Value) {
    if let Value::Object(more) = value {
        map.extend(more);
    }
}

/// A host template as the product's edit/index rows show it.
pub fn host_template_object(store: &impl Read, template: &HostTemplate) -> Value {
    let own = crate::endpoints::hosts::own_of_template(template);
    let mut map = Map::new();
    map.insert("id".to_owned(), json!(template.meta.id));
    map.insert("uuid".to_owned(), json!(template.meta.uuid.to_string()));
    map.insert("name".to_owned(), json!(template.name));
    map.insert("container_id".to_owned(), json!(template.tenant));
    map.insert("hosttemplatetype_id".to_owned(), json!(1));
    map.extend(settings::to_map(Family::Host, &own));
    extend(&mut map, dates(&template.meta));
    extend(
        &mut map,
        json!({
            "contacts": wire::ids(&template.contacts),
            "contactgroups": wire::ids(&[]),
            "hostgroups": wire::ids(&template.hostgroups),
            "customvariables": template.vars.iter().map(|var| json!({"objecttype_id": 512, "name": var.name, "value": var.value})).collect::<Vec<_>>(),
            "hosttemplatecommandargumentvalues": command_arg_values(store, own.check.command, own.check.command_args.as_ref()),
        }),
    );
    Value::Object(map)
}

/// A service template as the product's edit/index rows show it.
pub fn service_template_object(store: &impl Read, template: &ServiceTemplate) -> Value {
    let own = own_of_service_template(template);
    let mut map = Map::new();
    map.insert("id".to_owned(), json!(template.meta.id));
    map.insert("uuid".to_owned(), json!(template.meta.uuid.to_string()));
    map.insert("template_name".to_owned(), json!(if template.template_name.is_empty() { &template.name } else { &template.template_name }));
    map.insert("name".to_owned(), json!(template.name));
    map.insert("container_id".to_owned(), json!(template.tenant));
    map.insert("servicetemplatetype_id".to_owned(), json!(1));
    map.extend(settings::to_map(Family::Service, &own));
    extend(&mut map, dates(&template.meta));
    extend(
        &mut map,
        json!({
            "contacts": wire::ids(&[]),
            "contactgroups": wire::ids(&[]),
            "servicegroups": wire::ids(&template.servicegroups),
            "customvariables": [],
            "servicetemplatecommandargumentvalues": command_arg_values(store, own.check.command, own.check.command_args.as_ref()),
        }),
    );
    Value::Object(map)
}

/// Validated template settings from a `Hosttemplate`/`Servicetemplate` body.
struct TemplateInput {
    name: String,
    container: Id,
    own: Own,
    args: Option<Vec<String>>,
    contacts: Option<Vec<Id>>,
    groups: Option<Vec<Id>>,
    template_name: Option<String>,
}

fn template_input(
    store: &impl Read,
    family: Family,
    input: &Map<String, Value>,
    base: Option<&Own>,
    args_key: &str,
    groups_key: &str,
) -> Result<TemplateInput, GatewayError> {
    let mut errors = ValidationErrors::new();
    let merged: Map<String, Value> = match base {
        Some(base) => {
            let mut merged = settings::to_map(family, base);
            for (key, value) in input {
                if !value.is_null() {
                    merged.insert(key.clone(), value.clone());
                }
            }
            merged
        }
        None => input.clone(),
    };
    let own = settings::from_map(family, &merged, &mut errors);
    for field in REQUIRED {
        if merged.get(*field).is_none_or(Value::is_null) && !errors.has(field) {
            errors.add(field, Rule::Required);
        }
    }
    let name = text_field(input, "name").map(|name| name.trim().to_owned()).unwrap_or_default();
    if name.is_empty() {
        errors.add("name", if input.contains_key("name") { Rule::Empty } else { Rule::Required });
    }
    let container = id_field(input, "container_id");
    match container {
        None => {
            errors.add("container_id", Rule::Required);
        }
        Some(id) if store.get::<Tenant>(id).is_none() => {
            errors.add_message("container_id", "_existsIn", "This value does not exist");
        }
        Some(_) => {}
    }
    if let Some(command) = own.check.command {
        check_refs::<Command>(store, "command_id", &[command], &mut errors);
    }
    for (field, id) in [("check_period_id", own.check.check_period), ("notify_period_id", own.check.notification_period)] {
        if let Some(id) = id {
            check_refs::<TimePeriod>(store, field, &[id], &mut errors);
        }
    }
    let contacts = id_list(input, "contacts", &mut errors);
    check_refs::<Contact>(store, "contacts", contacts.as_deref().unwrap_or_default(), &mut errors);
    let groups = id_list(input, groups_key, &mut errors);
    if !errors.is_empty() {
        return Err(errors::validation(&errors));
    }
    let args = input.get(args_key).and_then(|values| command_args_from(store, own.check.command, values));
    Ok(TemplateInput {
        name,
        container: container.unwrap_or(ROOT_TENANT),
        own,
        args,
        contacts,
        groups,
        template_name: text_field(input, "template_name"),
    })
}

const HOST_FILTERS: &[(&str, FieldKind)] = &[
    ("Hosttemplates.id", FieldKind::Equals),
    ("Hosttemplates.name", FieldKind::Like),
    ("Hosttemplates.hosttemplatetype_id", FieldKind::Equals),
];

const SERVICE_FILTERS: &[(&str, FieldKind)] = &[
    ("Servicetemplates.id", FieldKind::Equals),
    ("Servicetemplates.name", FieldKind::Like),
    ("Servicetemplates.template_name", FieldKind::Like),
    ("Servicetemplates.description", FieldKind::Like),
    ("Servicetemplates.servicetemplatetype_id", FieldKind::Equals),
];

/// `GET /hosttemplates/index.json`.
pub async fn host_index(call: &Call<'_>) -> Answer {
    if !call.angular() {
        return Ok(Reply::new(json!({})));
    }
    let db = call.db();
    let scope = &call.principal.scope;
    let rows: Vec<Arc<HostTemplate>> = db.all::<HostTemplate>().into_iter().filter(|t| scope.can_read(t.tenant)).collect();
    let spec = ListSpec {
        filters: HOST_FILTERS,
        sortable: &[],
        default_order: &[("Hosttemplates.name", Direction::Asc)],
        tie_breaker: "Hosttemplates.id",
        body_filters: false,
    };
    let (page, paging) = list::page(call, &spec, rows, |t, field| match field {
        "Hosttemplates.id" => text(t.meta.id),
        "Hosttemplates.name" => text(&t.name),
        "Hosttemplates.hosttemplatetype_id" => text(1),
        _ => None,
    })?;
    let all: Vec<Value> = page
        .iter()
        .map(|t| {
            let mut object = host_template_object(db.as_ref(), t);
            if let Some(map) = object.as_object_mut() {
                map.insert("allow_edit".to_owned(), json!(scope.can_write(t.tenant)));
                map.insert("type".to_owned(), wire::host_type());
            }
            json!({"Hosttemplate": object})
        })
        .collect();
    Ok(Reply::new(json!({"all_hosttemplates": all})).paged(paging))
}

/// `GET /servicetemplates/index.json`.
pub async fn service_index(call: &Call<'_>) -> Answer {
    if !call.angular() {
        return Ok(Reply::new(json!({})));
    }
    let db = call.db();
    let scope = &call.principal.scope;
    let rows: Vec<Arc<ServiceTemplate>> = db.all::<ServiceTemplate>().into_iter().filter(|t| scope.can_read(t.tenant)).collect();
    let spec = ListSpec {
        filters: SERVICE_FILTERS,
        sortable: &[],
        default_order: &[("Servicetemplates.name", Direction::Asc)],
        tie_breaker: "Servicetemplates.id",
        body_filters: false,
    };
    let (page, paging) = list::page(call, &spec, rows, |t, field| match field {
        "Servicetemplates.id" => text(t.meta.id),
        "Servicetemplates.name" => text(&t.name),
        "Servicetemplates.template_name" => text(&t.template_name),
        "Servicetemplates.description" => text(&t.description),
        "Servicetemplates.servicetemplatetype_id" => text(1),
        _ => None,
    })?;
    let all: Vec<Value> = page
        .iter()
        .map(|t| {
            let mut object = service_template_object(db.as_ref(), t);
            if let Some(map) = object.as_object_mut() {
                map.insert("allow_edit".to_owned(), json!(scope.can_write(t.tenant)));
                map.insert("type".to_owned(), wire::service_type());
            }
            json!({"Servicetemplate": object})
        })
        .collect();
    Ok(Reply::new(json!({"all_servicetemplates": all})).paged(paging))
}

fn apply_host(template: &mut HostTemplate, input: TemplateInput) {
    template.name = input.name;
    template.tenant = input.container;
    template.description = input.own.description.unwrap_or_default();
    template.tags = input.own.tags.unwrap_or_default();
    template.check = input.own.check;
    if input.args.is_some() {
        template.check.command_args = input.args;
    }
    settings::store_native(Family::Host, &mut template.native, &input.own.native);
    if let Some(contacts) = input.contacts {
        template.contacts = contacts;
    }
    if let Some(groups) = input.groups {
        template.hostgroups = groups;
    }
}

fn apply_service(template: &mut ServiceTemplate, input: TemplateInput) {
    template.template_name = input.template_name.unwrap_or_else(|| input.name.clone());
    template.name = input.name;
    template.tenant = input.container;
    template.description = input.own.description.unwrap_or_default();
    template.tags = input.own.tags.unwrap_or_default();
    template.check = input.own.check;
    if input.args.is_some() {
        template.check.command_args = input.args;
    }
    settings::store_native(Family::Service, &mut template.native, &input.own.native);
    if let Some(groups) = input.groups {
        template.servicegroups = groups;
    }
}

fn unique<T: rosetta_store::Object>(store: &impl Read, name: &str, own_id: Option<Id>) -> Result<(), GatewayError> {
    match store.find_by_name::<T>(name) {
        Some(other) if Some(other.meta().id) != own_id => {
            Err(errors::invalid("name", "_isUnique", "This template name has already been taken."))
        }
        _ => Ok(()),
    }
}

/// `GET|POST /hosttemplates/add.json`.
pub async fn host_add(call: &Call<'_>) -> Answer {
    if !call.is_post() {
        return Ok(Reply::new(json!({"types": [wire::key_value(1, "Generic templates")]})));
    }
    let input = call.model("Hosttemplate");
    let id = call
        .db()
        .write(call.actor(), |tx| {
            let parsed = template_input(&*tx, Family::Host, &input, None, "hosttemplatecommandargumentvalues", "hostgroups")?;
            unique::<HostTemplate>(&*tx, &parsed.name, None)?;
            let mut template = HostTemplate::new("", ROOT_TENANT);
            apply_host(&mut template, parsed);
            Ok::<_, GatewayError>(tx.insert(template).meta.id)
        })
        .await?;
    Ok(Reply::id(id))
}

/// `GET|POST /servicetemplates/add.json`.
pub async fn service_add(call: &Call<'_>) -> Answer {
    if !call.is_post() {
        return Ok(Reply::new(json!({"types": [wire::key_value(1, "Generic templates")]})));
    }
    let input = call.model("Servicetemplate");
    let id = call
        .db()
        .write(call.actor(), |tx| {
            let parsed = template_input(&*tx, Family::Service, &input, None, "servicetemplatecommandargumentvalues", "servicegroups")?;
            unique::<ServiceTemplate>(&*tx, &parsed.name, None)?;
            let mut template = ServiceTemplate::new("", ROOT_TENANT);
            apply_service(&mut template, parsed);
            Ok::<_, GatewayError>(tx.insert(template).meta.id)
        })
        .await?;
    Ok(Reply::id(id))
}

/// `GET|POST /hosttemplates/edit/{id}.json`.
pub async fn host_edit(call: &Call<'_>) -> Answer {
    let id = call.id_arg("Invalid host template")?;
    let template = call.db().get::<HostTemplate>(id).ok_or_else(|| errors::not_found("Invalid host template"))?;
    let scope = &call.principal.scope;
    if !scope.can_read(template.tenant) {
        return Err(errors::container_forbidden());
    }
    if !call.is_post() {
        return Ok(Reply::new(json!({
            "hosttemplate": {"Hosttemplate": host_template_object(call.db().as_ref(), &template)},
            "types": [wire::key_value(1, "Generic templates")],
        })));
    }
    if !scope.can_write(template.tenant) {
        return Err(errors::container_forbidden());
    }
    let input = call.model("Hosttemplate");
    call.db()
        .write(call.actor(), |tx| {
            let current = tx.get::<HostTemplate>(id).ok_or_else(|| errors::not_found("Invalid host template"))?;
            let base = crate::endpoints::hosts::own_of_template(&current);
            let parsed = template_input(&*tx, Family::Host, &input, Some(&base), "hosttemplatecommandargumentvalues", "hostgroups")?;
            unique::<HostTemplate>(&*tx, &parsed.name, Some(id))?;
            let mut changed = (*current).clone();
            apply_host(&mut changed, parsed);
            tx.update(changed);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(Reply::id(id))
}

/// `GET|POST /servicetemplates/edit/{id}.json`.
pub async fn service_edit(call: &Call<'_>) -> Answer {
    let id = call.id_arg("Invalid service template")?;
    let template = call.db().get::<ServiceTemplate>(id).ok_or_else(|| errors::not_found("Invalid service template"))?;
    let scope = &call.principal.scope;
    if !scope.can_read(template.tenant) {
        return Err(errors::container_forbidden());
    }
    if !call.is_post() {
        return Ok(Reply::new(json!({
            "servicetemplate": {"Servicetemplate": service_template_object(call.db().as_ref(), &template)},
            "types": [wire::key_value(1, "Generic templates")],
        })));
    }
    if !scope.can_write(template.tenant) {
        return Err(errors::container_forbidden());
    }
    let input = call.model("Servicetemplate");
    call.db()
        .write(call.actor(), |tx| {
            let current = tx.get::<ServiceTemplate>(id).ok_or_else(|| errors::not_found("Invalid service template"))?;
            let base = own_of_service_template(&current);
            let parsed =
                template_input(&*tx, Family::Service, &input, Some(&base), "servicetemplatecommandargumentvalues", "servicegroups")?;
            unique::<ServiceTemplate>(&*tx, &parsed.name, Some(id))?;
            let mut changed = (*current).clone();
            apply_service(&mut changed, parsed);
            tx.update(changed);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(Reply::id(id))
}

fn used_by(id: Id, message: &str, users: Vec<Value>) -> GatewayError {
    errors::with_body(ErrorKind::BadRequest, json!({"success": false, "id": id.to_string(), "message": message, "usedBy": users}))
}

/// `POST /hosttemplates/delete/{id}.json`.
pub async fn host_delete(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let id = call.id_arg("Invalid host template")?;
    let template = call.db().get::<HostTemplate>(id).ok_or_else(|| errors::not_found("Invalid host template"))?;
    if !call.principal.scope.can_write(template.tenant) {
        return Err(errors::container_forbidden());
    }
    call.db()
        .write(call.actor(), |tx| {
            let users: Vec<Value> = tx
                .all::<Host>()
                .iter()
                .filter(|host| host.templates.contains(&id))
                .map(|host| json!({"id": host.meta.id, "name": host.name}))
                .collect();
            if !users.is_empty() {
                return Err(used_by(id, "Issue while deleting host template", users));
            }
            tx.delete::<HostTemplate>(id);
            Ok(())
        })
        .await?;
    Ok(Reply::success())
}

/// `POST /servicetemplates/delete/{id}.json`.
pub async fn service_delete(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let id = call.id_arg("Invalid service template")?;
    let template = call.db().get::<ServiceTemplate>(id).ok_or_else(|| errors::not_found("Invalid service template"))?;
    if !call.principal.scope.can_write(template.tenant) {
        return Err(errors::container_forbidden());
    }
    call.db()
        .write(call.actor(), |tx| {
            let users: Vec<Value> = tx
                .all::<Service>()
                .iter()
                .filter(|service| service.template == Some(id))
                .map(|service| json!({"id": service.meta.id, "host_id": service.host}))
                .collect();
            if !users.is_empty() {
                return Err(used_by(id, "Issue while deleting service template", users));
            }
            tx.delete::<ServiceTemplate>(id);
            Ok(())
        })
        .await?;
    Ok(Reply::success())
}
