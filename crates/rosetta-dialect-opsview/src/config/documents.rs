//! Opsview-only types stored as [`Document`]s in namespace `opsview.<type>`: `keyword` (hashtags;
//! the hosts carrying one are the hosts with that tag), `attribute`, `monitoringcluster` (its
//! `monitors` are the hosts whose `monitored_by` it is) and `notificationmethod` (spec §5.12).

use rosetta_core::GatewayError;
use rosetta_model::{Document, Host, Id, Meta, ServiceTemplate};
use rosetta_store::{Read, Tx};
use serde_json::{json, Map, Value};

use super::{base, host, references_by_name, Input, ObjectType};

/// The document namespace of a type.
pub fn namespace(ty: ObjectType) -> String {
    format!("opsview.{}", ty.name())
}

/// The stored fields of a type with their defaults.
fn fields(ty: ObjectType) -> Vec<(&'static str, Value)> {
    match ty {
        ObjectType::Keyword => vec![
            ("description", json!("")),
            ("enabled", json!("1")),
            ("all_hosts", json!("0")),
            ("all_servicechecks", json!("0")),
            ("public", json!("0")),
            ("exclude_handled", json!("0")),
            ("calculate_hard_states", json!("0")),
            ("show_contextual_menus", json!("1")),
            ("style", json!("group_by_host")),
        ],
        ObjectType::Attribute => {
            let mut list = vec![("value", json!(""))];
            for (label, arg, secured) in [
                ("label1", "arg1", "secured1"),
                ("label2", "arg2", "secured2"),
                ("label3", "arg3", "secured3"),
                ("label4", "arg4", "secured4"),
            ] {
                list.push((label, Value::Null));
                list.push((arg, json!("")));
                list.push((secured, json!("0")));
            }
            list
        }
        ObjectType::MonitoringCluster => vec![
            ("activated", json!("1")),
            ("passive", json!("0")),
            ("active_host_checks_enabled", json!("1")),
            ("active_service_checks_enabled", json!("1")),
            ("event_handlers_enabled", json!("1")),
            ("network_topology_enabled", json!("0")),
            ("remotely_managed", json!("0")),
            ("cloudops_owned", json!("0")),
            ("collectors", json!([])),
            ("roles", json!([])),
        ],
        ObjectType::NotificationMethod => vec![
            ("namespace", json!("")),
            ("command", json!("")),
            ("active", json!("0")),
            ("master", json!("1")),
            ("contact_variables", json!("")),
            ("variables", json!([])),
            ("notificationprofiles", json!([])),
            ("sharednotificationprofiles", json!([])),
        ],
        ObjectType::SharedNotificationProfile => vec![
            ("host_notification_options", json!("u,d,r,f")),
            ("service_notification_options", json!("w,c,r,f")),
            ("notification_level", json!("1")),
            ("notification_level_stop", json!("0")),
            ("renotification_interval_seconds", json!("1800")),
            ("all_hostgroups", json!("1")),
            ("all_servicegroups", json!("1")),
            ("all_keywords", json!("1")),
            ("all_business_components", json!("1")),
            ("all_business_services", json!("1")),
            ("hostgroups", json!([])),
            ("servicegroups", json!([])),
            ("keywords", json!([])),
            ("notificationmethods", json!([])),
            ("contacts", json!([])),
        ],
        ObjectType::Tenancy => vec![("description", json!("")), ("priority", json!("0"))],
        _ => vec![],
    }
}

/// Single-valued relations of a document type: (field, related type); stored as ids.
fn relations(ty: ObjectType) -> &'static [(&'static str, ObjectType)] {
    match ty {
        ObjectType::SharedNotificationProfile => {
            &[("notification_period", ObjectType::TimePeriod), ("role", ObjectType::Role)]
        }
        ObjectType::Tenancy => &[("primary_role", ObjectType::Role)],
        _ => &[],
    }
}

/// A new document body with every default.
pub fn defaults(ty: ObjectType) -> Value {
    Value::Object(fields(ty).into_iter().map(|(key, value)| (key.to_owned(), value)).collect())
}

/// Every id of a document type.
pub fn ids(store: &impl Read, ty: ObjectType) -> Vec<Id> {
    let wanted = namespace(ty);
    store.all::<Document>().iter().filter(|doc| doc.namespace == wanted).map(|doc| doc.meta.id).collect()
}

/// The object as Opsview writes it.
pub fn wire(store: &impl Read, ty: ObjectType, id: Id) -> Option<Value> {
    let doc = store.get::<Document>(id).filter(|doc| doc.namespace == namespace(ty))?;
    let mut map = base(store, ty, &doc.meta, &doc.name);
    for (field, default) in fields(ty) {
        map.insert(field.into(), doc.body.get(field).cloned().unwrap_or(default));
    }
    for (field, related) in relations(ty) {
        let id = doc.body.get(*field).and_then(Value::as_i64);
        map.insert((*field).into(), super::reference_opt(store, *related, id));
    }
    match ty {
        ObjectType::Keyword => {
            let hosts: Vec<Id> =
                store.all::<Host>().iter().filter(|h| h.tags.contains(&doc.name)).map(|h| h.meta.id).collect();
            map.insert("hosts".into(), references_by_name(store, ObjectType::Host, &hosts));
            let checks: Vec<Id> = store
                .all::<ServiceTemplate>()
                .iter()
                .filter(|c| c.tags.contains(&doc.name))
                .map(|c| c.meta.id)
                .collect();
            map.insert("servicechecks".into(), references_by_name(store, ObjectType::ServiceCheck, &checks));
            map.insert("roles".into(), json!([]));
        }
        ObjectType::Attribute => {
            map.insert("servicechecks".into(), json!([]));
        }
        ObjectType::MonitoringCluster => {
            let hosts: Vec<Id> =
                store.all::<Host>().iter().filter(|h| host::monitored_by(h) == id).map(|h| h.meta.id).collect();
            map.insert("monitors".into(), references_by_name(store, ObjectType::Host, &hosts));
        }
        _ => {}
    }
    Some(Value::Object(map))
}

fn stored(value: &Value) -> Value {
    match value {
        Value::Null | Value::Array(_) | Value::Object(_) => value.clone(),
        other => json!(crate::call::scalar_text(other).unwrap_or_default()),
    }
}

/// Creates or updates a document-backed object.
pub fn write(tx: &mut Tx<'_>, ty: ObjectType, id: Option<Id>, input: Input<'_>) -> Result<Id, GatewayError> {
    let existing = id.and_then(|id| tx.get::<Document>(id));
    let mut doc = match &existing {
        Some(doc) => (**doc).clone(),
        None => Document {
            meta: Meta::new(0),
            namespace: namespace(ty),
            name: String::new(),
            tenant: rosetta_model::ROOT_TENANT,
            body: defaults(ty),
        },
    };
    let old_name = doc.name.clone();
    if let Some(name) = super::required_name(input, |n| n.len() <= 128)? {
        super::ensure_unique(tx, ty, &name, id)?;
        doc.name = name;
    } else if existing.is_none() {
        return Err(super::missing_name());
    }
    let mut body: Map<String, Value> = doc.body.as_object().cloned().unwrap_or_default();
    for (field, _) in fields(ty) {
        if let Some(value) = input.raw(field) {
            body.insert(field.to_owned(), stored(value));
        }
    }
    for (field, related) in relations(ty) {
        if let Some(id) = input.one(tx, field, *related)? {
            body.insert((*field).to_owned(), id.map_or(Value::Null, |id| json!(id)));
        }
    }
    doc.body = Value::Object(body);
    let hosts = if ty == ObjectType::Keyword { input.many(tx, "hosts", ObjectType::Host)? } else { None };
    let doc = match existing {
        Some(_) => tx.update(doc),
        None => tx.insert(doc),
    };
    if ty == ObjectType::Keyword {
        retag_hosts(tx, &old_name, &doc.name, hosts)?;
    }
    Ok(doc.meta.id)
}

/// Follows a hashtag rename on hosts and, when `hosts` was sent, tags exactly those hosts.
fn retag_hosts(tx: &mut Tx<'_>, old: &str, new: &str, hosts: Option<Vec<Id>>) -> Result<(), GatewayError> {
    for host in tx.all::<Host>() {
        let mut tags = host.tags.clone();
        if !old.is_empty() && old != new {
            for tag in &mut tags {
                if tag == old {
                    *tag = new.to_owned();
                }
            }
        }
        if let Some(wanted) = &hosts {
            let should = wanted.contains(&host.meta.id);
            let has = tags.iter().any(|t| t == new);
            if should && !has {
                tags.push(new.to_owned());
            } else if !should && has {
                tags.retain(|t| t != new);
            }
        }
        if tags != host.tags {
            let mut host = (*host).clone();
            host.tags = tags;
            tx.update(host);
        }
    }
    Ok(())
}

/// Deletes a document-backed object.
pub fn delete(tx: &mut Tx<'_>, ty: ObjectType, id: Id) -> Result<(), GatewayError> {
    let Some(doc) = tx.get::<Document>(id) else {
        return Ok(());
    };
    match ty {
        ObjectType::MonitoringCluster if tx.all::<Host>().iter().any(|h| host::monitored_by(h) == id) => {
            return Err(super::in_use());
        }
        ObjectType::Keyword => retag_hosts(tx, &doc.name, &doc.name, Some(vec![]))?,
        _ => {}
    }
    tx.delete::<Document>(id);
    Ok(())
}
