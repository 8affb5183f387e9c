//! `/services/*` (spec §4): index, notMonitored, disabled, add, edit, delete, deactivate, enable,
//! loadServicesByString.

use std::sync::Arc;

use rosetta_core::monitoring;
use rosetta_core::visibility::Visibility;
use rosetta_core::GatewayError;
use rosetta_model::*;
use rosetta_store::Read;
use serde_json::{json, Map, Value};

use crate::call::{Answer, Call, Reply};
use crate::endpoints::hosts::{self, check_refs, command_arg_values, command_args_from, id_field, id_list, text_field};
use crate::endpoints::templates::own_of_service_template;
use crate::errors;
use crate::filter::FieldKind;
use crate::list::{self, flag, text, ListSpec};
use crate::settings::{self, Family, Own};
use crate::sort::Direction;
use crate::validation::{Rule, ValidationErrors};
use crate::wire;

fn own_of_service(service: &Service) -> Own {
    Own {
        check: service.check.clone(),
        description: service.native.get(&settings::native_key("description")).and_then(Value::as_str).map(str::to_owned),
        tags: Some(service.tags.clone()).filter(|tags| !tags.is_empty()),
        native: settings::own_native(Family::Service, &service.native),
    }
}

fn template_own(store: &impl Read, service: &Service) -> Own {
    service
        .template
        .and_then(|id| store.get::<ServiceTemplate>(id))
        .map(|template| own_of_service_template(&template))
        .unwrap_or_else(|| settings::complete(Family::Service, &Own::default()))
}

fn effective_map(store: &impl Read, service: &Service) -> Map<String, Value> {
    settings::effective(Family::Service, &own_of_service(service), &template_own(store, service))
}

struct Row {
    service: Arc<Service>,
    host: Arc<Host>,
    name: String,
    status: Option<Arc<ServiceStatus>>,
    effective: Map<String, Value>,
}

const INDEX_FILTERS: &[(&str, FieldKind)] = &[
    ("Hosts.id", FieldKind::Equals),
    ("Hosts.name", FieldKind::LikeOrRlike),
    ("Hosts.keywords", FieldKind::Rlike),
    ("Hosts.not_keywords", FieldKind::NotRlike),
    ("Hosts.satellite_id", FieldKind::Equals),
    ("Services.id", FieldKind::Equals),
    ("Services.uuid", FieldKind::Equals),
    ("Services.disabled", FieldKind::Equals),
    ("Services.service_type", FieldKind::Equals),
    ("servicename", FieldKind::LikeOrRlike),
    ("servicedescription", FieldKind::Like),
    ("servicepriority", FieldKind::Equals),
    ("keywords", FieldKind::Rlike),
    ("not_keywords", FieldKind::NotRlike),
    ("Servicestatus.output", FieldKind::Like),
    ("Servicestatus.current_state", FieldKind::State),
    ("Servicestatus.problem_has_been_acknowledged", FieldKind::Bool),
    ("Servicestatus.notifications_enabled", FieldKind::Bool),
    ("Servicestatus.active_checks_enabled", FieldKind::Bool),
    ("Servicestatus.scheduled_downtime_depth", FieldKind::Downtime),
    ("Servicestatus.last_state_change", FieldKind::IntervalOlder),
];

const SORTABLE: &[&str] = &["Services.name", "Servicestatus.last_check", "Servicestatus.last_hard_state_change", "Hoststatus.current_state"];

fn lookup(row: &Row, field: &str) -> Option<String> {
    let check = row.status.as_ref().map(|status| &status.check);
    let effective = |key: &str| row.effective.get(key).and_then(settings::loose_text);
    match field {
        "Hosts.id" => text(row.host.meta.id),
        "Hosts.name" => text(&row.host.name),
        "Hosts.keywords" | "Hosts.not_keywords" => text(row.host.tags.join(",")),
        "Hosts.satellite_id" => text(0),
        "Services.id" => text(row.service.meta.id),
        "Services.uuid" => text(row.service.meta.uuid),
        "Services.disabled" => flag(!row.service.enabled),
        "Services.service_type" => text(1),
        "servicename" | "Services.name" => text(&row.name),
        "servicedescription" => effective("description"),
        "servicepriority" => effective("priority"),
        "keywords" | "not_keywords" => effective("tags"),
        "Servicestatus.output" => check.map(|check| check.output.clone()),
        "Servicestatus.current_state" => check.map(|check| check.state.code().to_string()),
        "Servicestatus.problem_has_been_acknowledged" => check.and_then(|check| flag(check.is_acknowledged())),
        "Servicestatus.notifications_enabled" => effective("notifications_enabled"),
        "Servicestatus.active_checks_enabled" => effective("active_checks_enabled"),
        "Servicestatus.scheduled_downtime_depth" => check.map(|check| check.downtime_depth.to_string()),
        "Servicestatus.last_state_change" => check.map(|check| check.last_state_change.secs().to_string()),
        "Servicestatus.last_check" => check.map(|check| check.last_check.millis().to_string()),
        "Servicestatus.last_hard_state_change" => check.map(|check| check.last_hard_state_change.millis().to_string()),
        _ => None,
    }
}

fn rows(call: &Call<'_>, vis: &Visibility, keep: impl Fn(&Service, &Host, Option<&ServiceStatus>) -> bool) -> Vec<Row> {
    let db = call.db();
    db.all::<Service>()
        .into_iter()
        .filter_map(|service| {
            let host = db.get::<Host>(service.host)?;
            if !vis.can_see_host(&host) {
                return None;
            }
            let status = db.get::<ServiceStatus>(service.meta.id);
            keep(&service, &host, status.as_deref()).then(|| Row {
                name: monitoring::service_name(db.as_ref(), &service),
                effective: effective_map(db.as_ref(), &service),
                service,
                host,
                status,
            })
        })
        .collect()
}

fn service_block(row: &Row, vis: &Visibility) -> Value {
    json!({
        "id": row.service.meta.id,
        "uuid": row.service.meta.uuid.to_string(),
        "servicename": row.name,
        "hostname": row.host.name,
        "description": row.effective.get("description").cloned().unwrap_or(Value::Null),
        "active_checks_enabled": row.effective.get("active_checks_enabled").and_then(Value::as_i64) == Some(1),
        "tags": if row.service.tags.is_empty() { Value::Null } else { Value::from(row.service.tags.join(",")) },
        "host_id": row.host.meta.id,
        "allow_edit": vis.can_change_host(&row.host),
        "disabled": !row.service.enabled,
        "serviceType": 1,
        "priority": row.effective.get("priority").cloned().unwrap_or(Value::from(1)),
        "has_graph": false,
    })
}

fn spec(default_order: &'static [(&'static str, Direction)], body_filters: bool) -> ListSpec<'static> {
    ListSpec { filters: INDEX_FILTERS, sortable: SORTABLE, default_order, tie_breaker: "Services.id", body_filters }
}

/// `GET|POST /services/index.json`: monitored, enabled services with status.
pub async fn index(call: &Call<'_>) -> Answer {
    let vis = call.visibility();
    let rows = rows(call, &vis, |service, host, status| service.enabled && host.enabled && status.is_some());
    let (page, paging) =
        list::page(call, &spec(&[("Hosts.name", Direction::Asc), ("servicename", Direction::Asc)], true), rows, lookup)?;
    let db = call.db();
    let all: Vec<Value> = page
        .iter()
        .map(|row| {
            let settings = monitoring::effective_service_settings(db.as_ref(), &row.service);
            let host_settings = monitoring::effective_host_settings(db.as_ref(), &row.host);
            let host_status = db
                .get::<HostStatus>(row.host.meta.id)
                .map_or_else(wire::not_monitored_status, |status| wire::host_status(call, &status.check, &host_settings));
            let service_status = row
                .status
                .as_ref()
                .map_or_else(wire::not_monitored_status, |status| wire::service_status(call, &status.check, &settings));
            let mut host = hosts::host_block(call, &vis, &row.host);
            if let Some(map) = host.as_object_mut() {
                for key in ["allow_sharing", "satelliteRestricted", "type", "additionalInformationExists"] {
                    map.remove(key);
                }
            }
            json!({
                "Service": service_block(row, &vis),
                "Host": host,
                "Hoststatus": host_status,
                "Servicestatus": service_status,
                "ServiceType": wire::service_type(),
                "Downtime": [],
                "Acknowledgement": [],
            })
        })
        .collect();
    Ok(Reply::new(json!({"all_services": all, "username": call.principal.user.fullname, "satellites": []})).paged(paging))
}

async fn plain_list(call: &Call<'_>, disabled: bool) -> Answer {
    let vis = call.visibility();
    let rows = rows(call, &vis, |service, host, status| {
        if disabled {
            !service.enabled
        } else {
            service.enabled && host.enabled && status.is_none()
        }
    });
    let (page, paging) = list::page(call, &spec(&[("Hosts.name", Direction::Asc), ("servicename", Direction::Asc)], false), rows, lookup)?;
    let all: Vec<Value> = page
        .iter()
        .map(|row| {
            json!({"Service": service_block(row, &vis), "Host": {"id": row.host.meta.id, "name": row.host.name, "uuid": row.host.meta.uuid.to_string()},
                   "Servicestatus": wire::not_monitored_status()})
        })
        .collect();
    Ok(Reply::new(json!({"all_services": all})).paged(paging))
}

/// `GET /services/notMonitored.json`.
pub async fn not_monitored(call: &Call<'_>) -> Answer {
    plain_list(call, false).await
}

/// `GET /services/disabled.json`.
pub async fn disabled(call: &Call<'_>) -> Answer {
    plain_list(call, true).await
}

fn service_from_input(store: &impl Read, input: &Map<String, Value>, existing: Option<&Service>) -> Result<Service, GatewayError> {
    let host_id = id_field(input, "host_id");
    let template_id = id_field(input, "servicetemplate_id");
    if host_id.is_none() || template_id.is_none() {
        let mut errors = ValidationErrors::new();
        if host_id.is_none() {
            errors.add("host_id", Rule::HandEmpty);
        }
        if template_id.is_none() {
            errors.add("servicetemplate_id", Rule::HandEmpty);
        }
        return Err(errors::validation(&errors));
    }
    let (Some(host_id), Some(template_id)) = (host_id, template_id) else {
        return Err(errors::bad_request("Bad Request"));
    };
    let template = store.get::<ServiceTemplate>(template_id).ok_or_else(|| errors::not_found("Invalid service template"))?;
    store.get::<Host>(host_id).ok_or_else(|| errors::not_found("Not Found"))?;
    let template_own = own_of_service_template(&template);
    let template_map = settings::to_map(Family::Service, &template_own);
    let mut errors = ValidationErrors::new();
    let merged = settings::inherit(Family::Service, input, &template_map);
    let own = settings::from_map(Family::Service, &merged, &mut errors);
    let name = text_field(input, "name").map(|name| name.trim().to_owned()).filter(|name| !name.is_empty() && *name != template.name);
    if name.as_ref().is_some_and(|name| name.chars().count() > 1500) {
        errors.add("name", Rule::MaxLength);
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
    let groups = id_list(input, "servicegroups", &mut errors);
    check_refs::<ServiceGroup>(store, "servicegroups", groups.as_deref().unwrap_or_default(), &mut errors);
    if !errors.is_empty() {
        return Err(errors::validation(&errors));
    }
    let own_command = own.check.command;
    let mut check = own.check;
    check.command_args = input
        .get("servicecommandargumentvalues")
        .and_then(|values| command_args_from(store, own_command.or(template.check.command), values))
        .filter(|args| Some(args) != template.check.command_args.as_ref() || own_command.is_some());
    let mut service = existing.cloned().unwrap_or_else(|| Service { name: None, ..Service::new(host_id, String::new()) });
    service.host = host_id;
    service.name = name;
    service.template = Some(template_id);
    service.check = check;
    service.tags = own.tags.unwrap_or_default();
    settings::store_native(Family::Service, &mut service.native, &own.native);
    match own.description {
        Some(description) => service.native.insert(settings::native_key("description"), Value::from(description)),
        None => service.native.remove(&settings::native_key("description")),
    };
    if let Some(contacts) = contacts {
        service.contacts = contacts;
    }
    if let Some(groups) = groups {
        service.servicegroups = groups;
    }
    if let Some(disabled) = input.get("disabled").and_then(settings::loose_text) {
        service.enabled = disabled != "1";
    }
    Ok(service)
}

/// `POST /services/add.json` `{"Service": {host_id, servicetemplate_id, name?}}` → `{"id": N}`.
pub async fn add(call: &Call<'_>) -> Answer {
    if !call.is_post() {
        return Ok(Reply::new(json!({})));
    }
    let input = call.model("Service");
    let vis = call.visibility();
    let id = call
        .db()
        .write(call.actor(), |tx| {
            let service = service_from_input(&*tx, &input, None)?;
            if tx.get::<Host>(service.host).is_some_and(|host| !vis.can_change_host(&host)) {
                return Err(errors::container_forbidden());
            }
            Ok::<_, GatewayError>(tx.insert(service).meta.id)
        })
        .await?;
    Ok(Reply::id(id))
}

fn visible(call: &Call<'_>, id: Id, missing: &str) -> Result<(Arc<Service>, Arc<Host>, Visibility), GatewayError> {
    let db = call.db();
    let service = db.get::<Service>(id).ok_or_else(|| errors::not_found(missing))?;
    let host = db.get::<Host>(service.host).ok_or_else(|| errors::not_found(missing))?;
    let vis = call.visibility();
    if !vis.can_see_host(&host) {
        return Err(errors::container_forbidden());
    }
    Ok((service, host, vis))
}

fn edit_object(store: &impl Read, service: &Service) -> Value {
    let mut map = Map::new();
    map.insert("id".to_owned(), json!(service.meta.id));
    map.insert("uuid".to_owned(), json!(service.meta.uuid.to_string()));
    map.insert("servicetemplate_id".to_owned(), json!(service.template));
    map.insert("host_id".to_owned(), json!(service.host));
    map.insert("name".to_owned(), json!(monitoring::service_name(store, service)));
    map.extend(effective_map(store, service));
    let settings = monitoring::effective_service_settings(store, service);
    let rest = json!({
        "service_type": 1,
        "disabled": i64::from(!service.enabled),
        "contacts": wire::ids(&service.contacts),
        "contactgroups": wire::ids(&[]),
        "servicegroups": wire::ids(&service.servicegroups),
        "customvariables": service.vars.iter().map(|var| json!({"objecttype_id": 2048, "name": var.name, "value": var.value})).collect::<Vec<_>>(),
        "servicecommandargumentvalues": command_arg_values(store, settings.command, settings.command_args.as_ref()),
        "serviceeventcommandargumentvalues": [],
    });
    if let Value::Object(rest) = rest {
        map.extend(rest);
    }
    Value::Object(map)
}

/// `GET|POST /services/edit/{id}.json`.
pub async fn edit(call: &Call<'_>) -> Answer {
    let id = call.id_arg("Service not found")?;
    let (service, host, vis) = visible(call, id, "Service not found")?;
    if !call.is_post() {
        if !call.angular() {
            return Ok(Reply::new(json!({})));
        }
        let db = call.db();
        return Ok(Reply::new(json!({
            "service": {"Service": edit_object(db.as_ref(), &service)},
            "host": {"Host": {"id": host.meta.id, "name": host.name, "uuid": host.meta.uuid.to_string()}},
            "servicetemplate": service.template.and_then(|id| db.get::<ServiceTemplate>(id)).map(|template| {
                json!({"Servicetemplate": crate::endpoints::templates::service_template_object(db.as_ref(), &template)})
            }),
            "areContactsInheritedFromHosttemplate": false,
            "areContactsInheritedFromServicetemplate": service.contacts.is_empty(),
        })));
    }
    if !vis.can_change_host(&host) {
        return Err(errors::container_forbidden());
    }
    let input = call.model("Service");
    call.db()
        .write(call.actor(), |tx| {
            let current = tx.get::<Service>(id).ok_or_else(|| errors::not_found("Service not found"))?;
            let updated = service_from_input(&*tx, &input, Some(&current))?;
            tx.update(updated);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(Reply::id(id))
}

/// `POST /services/delete/{id}.json`.
pub async fn delete(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let id = call.id_arg("Invalid service")?;
    let (_, host, vis) = visible(call, id, "Invalid service")?;
    if !vis.can_change_host(&host) {
        return Err(errors::container_forbidden());
    }
    call.db()
        .write(call.actor(), |tx| {
            hosts::end_runtime(tx, &[Target::Service(id)])?;
            tx.delete::<ServiceStatus>(id);
            tx.delete::<Service>(id);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(Reply::success())
}

async fn set_enabled(call: &Call<'_>, enabled: bool) -> Answer {
    let id = call.id_arg("Invalid service")?;
    call.db().get::<Service>(id).ok_or_else(|| errors::not_found("Invalid service"))?;
    call.require_post()?;
    call.db()
        .write(call.actor(), |tx| {
            let service = tx.get::<Service>(id).ok_or_else(|| errors::not_found("Invalid service"))?;
            let mut changed = (*service).clone();
            changed.enabled = enabled;
            tx.update(changed);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(Reply::success())
}

/// `POST /services/deactivate/{id}.json`.
pub async fn deactivate(call: &Call<'_>) -> Answer {
    set_enabled(call, false).await
}

/// `POST /services/enable/{id}.json`.
pub async fn enable(call: &Call<'_>) -> Answer {
    set_enabled(call, true).await
}

/// `GET /services/loadServicesByString.json?angular=true&filter[servicename]=…`.
pub async fn load_services_by_string(call: &Call<'_>) -> Answer {
    let needle = call.param("filter[servicename]").unwrap_or_default().to_lowercase();
    let vis = call.visibility();
    let rows = rows(call, &vis, |service, _, _| service.enabled);
    let list: Vec<Value> = rows
        .iter()
        .filter(|row| needle.is_empty() || row.name.to_lowercase().contains(&needle))
        .take(150)
        .map(|row| wire::key_value(row.service.meta.id, &format!("{}/{}", row.host.name, row.name)))
        .collect();
    Ok(Reply::new(json!({"services": list})))
}
