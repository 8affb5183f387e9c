//! `hosttemplate` (spec §5.8) over [`HostTemplate`] and `servicecheck` (§5.9) over
//! [`ServiceTemplate`]. A service check's plugin, arguments, check type and the many Opsview-only
//! switches live in `opsview.*` natives.

use rosetta_core::GatewayError;
use rosetta_model::{CheckSettings, Host, HostTemplate, Id, Meta, Native, Service, ServiceTemplate};
use rosetta_store::{Read, Tx};
use serde_json::{json, Value};

use super::{base, host, native, reference_opt, references_by_name, store_natives, Input, ObjectType};

/// Plugins a fresh Opsview 6.x box has (a subset; `/rest/config/plugin` is read-only there too).
pub const PLUGINS: &[&str] = &[
    "check_icmp",
    "check_ping",
    "check_host",
    "check_tcp",
    "check_udp",
    "check_ssh",
    "check_http",
    "check_dummy",
    "check_nrpe",
    "check_snmp",
    "check_snmp_sysinfo",
    "check_snmp_uptime",
    "check_snmp_interfaces_cascade",
    "check_dns",
    "check_smtp",
    "check_ftp",
    "check_disk",
    "check_load",
    "check_procs",
    "check_opsview_keyword",
    "negate",
];

/// Opsview's fixed check types: (id, name).
pub const CHECK_TYPES: &[(i64, &str)] = &[(1, "Active Plugin"), (2, "Passive"), (4, "SNMP trap"), (5, "SNMP Polling")];

/// Service check fields kept verbatim, with their defaults on a fresh object.
const CHECK_NATIVES: &[(&str, Value)] = &[
    ("args", Value::Null),
    ("check_freshness", Value::Null),
    ("freshness_type", Value::Null),
    ("stale_state", Value::Null),
    ("stale_text", Value::Null),
    ("stale_threshold_seconds", Value::Null),
    ("volatile", Value::Null),
    ("invertresults", Value::Null),
    ("sensitive_arguments", Value::Null),
    ("markdown_filter", Value::Null),
    ("event_handler_always_exec", Value::Null),
    ("stalking", Value::Null),
    ("alert_from_failure", Value::Null),
    ("calculate_rate", Value::Null),
    ("label", Value::Null),
    ("oid", Value::Null),
    ("warning_comparison", Value::Null),
    ("warning_value", Value::Null),
    ("critical_comparison", Value::Null),
    ("critical_value", Value::Null),
];

fn check_native_default(field: &str) -> Value {
    match field {
        "args" | "stalking" => json!(""),
        "check_freshness" | "sensitive_arguments" | "alert_from_failure" => json!("1"),
        "freshness_type" => json!("set_stale"),
        "stale_state" => json!("3"),
        "stale_text" => json!("UNKNOWN: Service results are stale"),
        "stale_threshold_seconds" => json!("1800"),
        "volatile" | "invertresults" | "markdown_filter" | "event_handler_always_exec" => json!("0"),
        _ => Value::Null,
    }
}

/// Every host template id.
pub fn host_template_ids(store: &impl Read) -> Vec<Id> {
    store.all::<HostTemplate>().iter().map(|t| t.meta.id).collect()
}

/// Every service check id.
pub fn service_check_ids(store: &impl Read) -> Vec<Id> {
    store.all::<ServiceTemplate>().iter().map(|t| t.meta.id).collect()
}

fn attached_check(store: &impl Read, id: Id) -> Value {
    let mut item = super::reference(store, ObjectType::ServiceCheck, id);
    if let Some(map) = item.as_object_mut() {
        map.insert("exception".into(), Value::Null);
        map.insert("timed_exception".into(), Value::Null);
        map.insert("event_handler".into(), Value::Null);
    }
    item
}

/// The host template as Opsview writes it.
pub fn host_template_wire(store: &impl Read, id: Id) -> Option<Value> {
    let template = store.get::<HostTemplate>(id)?;
    let mut map = base(store, ObjectType::HostTemplate, &template.meta, &template.name);
    map.insert("description".into(), json!(template.description));
    map.insert("has_icon".into(), json!(false));
    let mut checks: Vec<Value> = template
        .service_templates
        .iter()
        .map(|check| attached_check(store, *check))
        .filter(|value| !value.is_null())
        .collect();
    checks.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    map.insert("servicechecks".into(), Value::Array(checks));
    map.insert("managementurls".into(), native(&template.native, "managementurls", json!([])));
    let hosts: Vec<Id> = store.all::<Host>().iter().filter(|h| h.templates.contains(&id)).map(|h| h.meta.id).collect();
    map.insert("hosts".into(), references_by_name(store, ObjectType::Host, &hosts));
    Some(Value::Object(map))
}

/// Creates or updates a host template; `hosts` assigns the template to exactly those hosts.
pub fn write_host_template(tx: &mut Tx<'_>, id: Option<Id>, input: Input<'_>) -> Result<Id, GatewayError> {
    let existing = id.and_then(|id| tx.get::<HostTemplate>(id));
    let mut template = match &existing {
        Some(t) => (**t).clone(),
        None => HostTemplate {
            meta: Meta::new(0),
            name: String::new(),
            description: String::new(),
            tenant: rosetta_model::ROOT_TENANT,
            check: CheckSettings::default(),
            service_templates: vec![],
            contacts: vec![],
            hostgroups: vec![],
            vars: vec![],
            tags: vec![],
            native: Native::new(),
        },
    };
    if let Some(name) = super::required_name(input, |n| n.len() <= 128)? {
        super::ensure_unique(tx, ObjectType::HostTemplate, &name, id)?;
        template.name = name;
    } else if existing.is_none() {
        return Err(super::missing_name());
    }
    if let Some(description) = input.text("description")? {
        template.description = description;
    }
    if let Some(checks) = input.many(tx, "servicechecks", ObjectType::ServiceCheck)? {
        template.service_templates = checks;
    }
    if let Some(urls) = input.records("managementurls")? {
        let urls: Vec<Value> = urls
            .iter()
            .enumerate()
            .map(|(index, url)| {
                json!({"id": index + 1, "name": url.get("name").cloned().unwrap_or(json!("")),
                       "url": url.get("url").cloned().unwrap_or(json!(""))})
            })
            .collect();
        template.native.insert("opsview.managementurls".into(), Value::Array(urls));
    }
    let hosts = input.many(tx, "hosts", ObjectType::Host)?;
    let template = match existing {
        Some(_) => tx.update(template),
        None => tx.insert(template),
    };
    let template_id = template.meta.id;
    if let Some(hosts) = hosts {
        for host in tx.all::<Host>() {
            let has = host.templates.contains(&template_id);
            let wants = hosts.contains(&host.meta.id);
            if has != wants {
                let mut host = (*host).clone();
                if wants {
                    host.templates.push(template_id);
                } else {
                    host.templates.retain(|t| *t != template_id);
                }
                tx.update(host);
            }
        }
    }
    host::resync_template_hosts(tx, template_id)?;
    Ok(template_id)
}

/// Deletes a host template: hosts lose it, and the services it gave them.
pub fn delete_host_template(tx: &mut Tx<'_>, id: Id) -> Result<(), GatewayError> {
    let users: Vec<Id> = tx.all::<Host>().iter().filter(|h| h.templates.contains(&id)).map(|h| h.meta.id).collect();
    tx.delete::<HostTemplate>(id);
    for host_id in users {
        if let Some(host) = tx.get::<Host>(host_id) {
            let mut host = (*host).clone();
            host.templates.retain(|t| *t != id);
            tx.update(host);
        }
        host::resync_host(tx, host_id)?;
    }
    Ok(())
}

/// The service check as Opsview writes it.
pub fn service_check_wire(store: &impl Read, id: Id) -> Option<Value> {
    let check = store.get::<ServiceTemplate>(id)?;
    let mut map = base(store, ObjectType::ServiceCheck, &check.meta, &check.name);
    map.insert("description".into(), json!(check.description));
    let plugin = native(&check.native, "plugin", Value::Null);
    map.insert(
        "plugin".into(),
        match plugin.as_str() {
            Some(name) if !name.is_empty() => json!({"name": name, "ref": format!("/rest/config/plugin/{name}")}),
            _ => Value::Null,
        },
    );
    let checktype = native(&check.native, "checktype", json!(1)).as_i64().unwrap_or(1);
    let checktype_name = CHECK_TYPES.iter().find(|(id, _)| *id == checktype).map_or("Active Plugin", |(_, n)| n);
    map.insert(
        "checktype".into(),
        json!({"name": checktype_name, "ref": format!("/rest/config/checktype/{checktype}")}),
    );
    map.insert(
        "servicegroup".into(),
        reference_opt(store, ObjectType::ServiceGroup, check.servicegroups.first().copied()),
    );
    let settings = &check.check;
    map.insert("check_period".into(), reference_opt(store, ObjectType::TimePeriod, settings.check_period));
    map.insert(
        "notification_period".into(),
        reference_opt(store, ObjectType::TimePeriod, settings.notification_period),
    );
    map.insert("check_interval".into(), json!(settings.check_interval.unwrap_or(300)));
    map.insert("retry_check_interval".into(), json!(settings.retry_interval.unwrap_or(60)));
    map.insert("check_attempts".into(), json!(settings.max_check_attempts.unwrap_or(3)));
    map.insert("notification_interval".into(), settings.notification_interval.map_or(Value::Null, |n| json!(n)));
    map.insert(
        "notification_options".into(),
        json!(settings.notification_options.clone().unwrap_or_else(|| "w,c,r".into())),
    );
    map.insert("flap_detection_enabled".into(), json!(settings.flap_detection_enabled.unwrap_or(true)));
    map.insert("event_handler".into(), json!(settings.event_handler.clone().unwrap_or_default()));
    for (field, _) in CHECK_NATIVES {
        map.insert((*field).into(), native(&check.native, field, check_native_default(field)));
    }
    map.insert("attribute".into(), native(&check.native, "attribute", Value::Null));
    map.insert("cascaded_from".into(), Value::Null);
    map.insert("dependencies".into(), json!([]));
    let keywords: Vec<Id> = check.tags.iter().filter_map(|t| ObjectType::Keyword.find(store, t, None)).collect();
    map.insert("keywords".into(), references_by_name(store, ObjectType::Keyword, &keywords));
    let hosts: Vec<Id> = store
        .all::<Service>()
        .iter()
        .filter(|s| s.template == Some(id) && s.native.get("opsview.explicit") == Some(&json!(true)))
        .map(|s| s.host)
        .collect();
    map.insert("hosts".into(), references_by_name(store, ObjectType::Host, &hosts));
    let templates: Vec<Id> =
        store.all::<HostTemplate>().iter().filter(|t| t.service_templates.contains(&id)).map(|t| t.meta.id).collect();
    map.insert("hosttemplates".into(), references_by_name(store, ObjectType::HostTemplate, &templates));
    map.insert("snmptraprules".into(), json!([]));
    Some(Value::Object(map))
}

fn plugin_name(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => map.get("name").and_then(crate::call::scalar_text),
        other => crate::call::scalar_text(other),
    }
}

/// Creates or updates a service check.
pub fn write_service_check(tx: &mut Tx<'_>, id: Option<Id>, input: Input<'_>) -> Result<Id, GatewayError> {
    let existing = id.and_then(|id| tx.get::<ServiceTemplate>(id));
    let mut check = match &existing {
        Some(c) => (**c).clone(),
        None => ServiceTemplate {
            meta: Meta::new(0),
            name: String::new(),
            template_name: String::new(),
            description: String::new(),
            tenant: rosetta_model::ROOT_TENANT,
            check: CheckSettings {
                check_interval: Some(300),
                retry_interval: Some(60),
                max_check_attempts: Some(3),
                notification_options: Some("w,c,r".into()),
                flap_detection_enabled: Some(true),
                ..CheckSettings::default()
            },
            servicegroups: vec![],
            tags: vec![],
            native: Native::new(),
        },
    };
    if let Some(name) = super::required_name(input, |n| n.len() <= 128)? {
        super::ensure_unique(tx, ObjectType::ServiceCheck, &name, id)?;
        check.name = name;
    } else if existing.is_none() {
        return Err(super::missing_name());
    }
    if let Some(description) = input.text("description")? {
        check.description = description;
    }
    if let Some(value) = input.raw("plugin") {
        match plugin_name(value).filter(|name| !name.is_empty()) {
            Some(name) if PLUGINS.contains(&name.as_str()) => {
                check.native.insert("opsview.plugin".into(), json!(name));
            }
            Some(name) => return Err(GatewayError::bad_request(format!("No related object for plugin 'name={name}'"))),
            None => {
                check.native.remove("opsview.plugin");
            }
        }
    }
    if let Some(value) = input.raw("checktype") {
        let wanted = plugin_name(value).unwrap_or_default();
        let found = CHECK_TYPES
            .iter()
            .find(|(id, name)| id.to_string() == wanted || name.eq_ignore_ascii_case(&wanted))
            .ok_or_else(|| GatewayError::bad_request(format!("No related object for checktype 'name={wanted}'")))?;
        check.native.insert("opsview.checktype".into(), json!(found.0));
    }
    match input.one(tx, "servicegroup", ObjectType::ServiceGroup)? {
        Some(Some(group)) => check.servicegroups = vec![group],
        Some(None) | None if check.servicegroups.is_empty() => {
            return Err(GatewayError::bad_request("servicegroup: Missing value"));
        }
        _ => {}
    }
    let mut settings = check.check.clone();
    if let Some(period) = input.one(tx, "check_period", ObjectType::TimePeriod)? {
        settings.check_period = period;
    }
    if let Some(period) = input.one(tx, "notification_period", ObjectType::TimePeriod)? {
        settings.notification_period = period;
    }
    for (key, slot) in [
        ("check_interval", &mut settings.check_interval),
        ("retry_check_interval", &mut settings.retry_interval),
        ("check_attempts", &mut settings.max_check_attempts),
        ("notification_interval", &mut settings.notification_interval),
    ] {
        if let Some(value) = input.number(key)? {
            *slot = value;
        }
    }
    if let Some(options) = input.text("notification_options")? {
        settings.notification_options = Some(options);
    }
    if let Some(flag) = input.flag("flap_detection_enabled")? {
        settings.flap_detection_enabled = Some(flag);
    }
    if let Some(handler) = input.text("event_handler")? {
        settings.event_handler = Some(handler);
    }
    check.check = settings;
    let fields: Vec<&str> = CHECK_NATIVES.iter().map(|(field, _)| *field).collect();
    store_natives(&mut check.native, input, &fields)?;
    if let Some(keywords) = input.many(tx, "keywords", ObjectType::Keyword)? {
        check.tags = keywords.iter().filter_map(|k| ObjectType::Keyword.name_of(tx, *k)).collect();
    }
    let templates = input.many(tx, "hosttemplates", ObjectType::HostTemplate)?;
    let check = match existing {
        Some(_) => tx.update(check),
        None => tx.insert(check),
    };
    let check_id = check.meta.id;
    if let Some(templates) = templates {
        for template in tx.all::<HostTemplate>() {
            let has = template.service_templates.contains(&check_id);
            let wants = templates.contains(&template.meta.id);
            if has != wants {
                let mut template = (*template).clone();
                if wants {
                    template.service_templates.push(check_id);
                } else {
                    template.service_templates.retain(|c| *c != check_id);
                }
                let template_id = template.meta.id;
                tx.update(template);
                host::resync_template_hosts(tx, template_id)?;
            }
        }
    }
    Ok(check_id)
}

/// Deletes a service check that no host or template uses.
pub fn delete_service_check(tx: &mut Tx<'_>, id: Id) -> Result<(), GatewayError> {
    let used_by_template = tx.all::<HostTemplate>().iter().any(|t| t.service_templates.contains(&id));
    let used_by_host = tx.all::<Service>().iter().any(|s| s.template == Some(id));
    if used_by_template || used_by_host {
        return Err(super::in_use());
    }
    tx.delete::<ServiceTemplate>(id);
    Ok(())
}
