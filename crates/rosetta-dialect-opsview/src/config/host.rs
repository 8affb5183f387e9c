//! `host` (spec §5.6) over [`Host`]: Opsview's one host group is `hostgroups[0]`, host templates are
//! `templates` (priority order), hashtags are `tags`, host attributes are `vars`, service checks
//! attached to the host are [`Service`]s, and Opsview-only fields live in `opsview.*` natives.

use std::sync::Arc;

use rosetta_core::GatewayError;
use rosetta_model::{CheckSettings, Document, Host, HostTemplate, Id, Meta, Native, Service, Variable};
use rosetta_store::{Read, Tx};
use serde_json::{json, Value};

use super::{
    base, documents, hostgroup, native, reference, reference_opt, references, store_natives, Input, ObjectType,
    WireOptions,
};

/// Opsview-only scalar fields kept verbatim.
const NATIVE_FIELDS: &[&str] = &[
    "event_handler_always_exec",
    "enable_snmp",
    "snmp_version",
    "snmp_port",
    "snmp_max_msg_size",
    "snmp_use_getnext",
    "snmp_use_ifname",
    "snmp_extended_throughput_data",
    "snmpv3_username",
    "snmpv3_authprotocol",
    "snmpv3_privprotocol",
    "tidy_ifdescr_level",
    "use_rancid",
    "rancid_autoenable",
    "rancid_username",
    "rancid_connection_type",
];

/// Write-only secrets, shown as `encrypted_<field>` with `include_encrypted=1`.
const SECRET_FIELDS: &[&str] = &["snmp_community", "snmpv3_authpassword", "snmpv3_privpassword", "rancid_password"];

/// Defaults of the native fields, as a fresh 6.x host shows them.
fn native_default(field: &str) -> Value {
    match field {
        "snmp_version" => json!("2c"),
        "snmp_port" => json!("161"),
        "snmp_max_msg_size" => json!("0"),
        "tidy_ifdescr_level" => json!("0"),
        "rancid_connection_type" => json!("ssh"),
        "snmpv3_authprotocol" | "snmpv3_privprotocol" => Value::Null,
        "snmpv3_username" | "rancid_username" => json!(""),
        _ => json!("0"),
    }
}

/// Every host id.
pub fn ids(store: &impl Read) -> Vec<Id> {
    store.all::<Host>().iter().map(|host| host.meta.id).collect()
}

/// The monitoring cluster a host is monitored by (cluster 1 unless set).
pub fn monitored_by(host: &Host) -> Id {
    host.native.get("opsview.monitored_by").and_then(Value::as_i64).unwrap_or(1)
}

/// The services attached to a host directly (not through a host template): those Opsview attached
/// explicitly, and those other dialects or an import created from a service check.
fn explicit_services(store: &impl Read, host: Id) -> Vec<Arc<Service>> {
    store
        .children::<Service>(host)
        .into_iter()
        .filter(|service| match service.native.get("opsview.explicit") {
            Some(explicit) => explicit == &json!(true),
            None => service.template.is_some() && !service.native.contains_key("opsview.managed"),
        })
        .collect()
}

/// The host as Opsview writes it.
pub fn wire(store: &impl Read, id: Id, options: WireOptions) -> Option<Value> {
    let host = store.get::<Host>(id)?;
    let mut map = base(store, ObjectType::Host, &host.meta, &host.name);
    map.insert("ip".into(), json!(host.address));
    map.insert("alias".into(), json!(host.alias));
    map.insert("other_addresses".into(), json!(host.other_addresses.join(",")));
    map.insert("hostgroup".into(), reference_opt(store, ObjectType::HostGroup, host.hostgroups.first().copied()));
    map.insert("monitored_by".into(), reference(store, ObjectType::MonitoringCluster, monitored_by(&host)));
    let check = &host.check;
    map.insert("check_command".into(), reference_opt(store, ObjectType::HostCheckCommand, check.command));
    map.insert("check_period".into(), reference_opt(store, ObjectType::TimePeriod, check.check_period));
    map.insert("notification_period".into(), reference_opt(store, ObjectType::TimePeriod, check.notification_period));
    map.insert("check_interval".into(), json!(check.check_interval.unwrap_or(300)));
    map.insert("retry_check_interval".into(), json!(check.retry_interval.unwrap_or(60)));
    map.insert("check_attempts".into(), json!(check.max_check_attempts.unwrap_or(2)));
    map.insert("notification_interval".into(), json!(check.notification_interval.unwrap_or(3600)));
    map.insert(
        "notification_options".into(),
        json!(check.notification_options.clone().unwrap_or_else(|| "u,d,r".into())),
    );
    map.insert("flap_detection_enabled".into(), json!(check.flap_detection_enabled.unwrap_or(true)));
    map.insert("event_handler".into(), json!(check.event_handler.clone().unwrap_or_default()));
    for field in NATIVE_FIELDS {
        map.insert((*field).into(), native(&host.native, field, native_default(field)));
    }
    if options.include_encrypted {
        for field in SECRET_FIELDS {
            map.insert(format!("encrypted_{field}"), native(&host.native, field, json!("")));
        }
    }
    let icon = native(&host.native, "icon", json!("LOGO - Opsview"));
    let icon_name = icon.as_str().unwrap_or("LOGO - Opsview").to_owned();
    map.insert("icon".into(), json!({"name": icon_name, "path": icon_path(&icon_name)}));
    map.insert("rancid_vendor".into(), Value::Null);
    map.insert("hosttemplates".into(), references(store, ObjectType::HostTemplate, &host.templates));
    let keywords: Vec<Id> = host.tags.iter().filter_map(|tag| ObjectType::Keyword.find(store, tag, None)).collect();
    map.insert("keywords".into(), super::references_by_name(store, ObjectType::Keyword, &keywords));
    map.insert("parents".into(), references(store, ObjectType::Host, &host.parents));
    map.insert("business_components".into(), json!([]));
    let mut checks: Vec<Value> = explicit_services(store, id)
        .iter()
        .filter_map(|service| {
            let template = service.template?;
            let mut item = reference(store, ObjectType::ServiceCheck, template);
            let object = item.as_object_mut()?;
            object.insert("exception".into(), native(&service.native, "exception", Value::Null));
            object.insert("timed_exception".into(), native(&service.native, "timed_exception", Value::Null));
            object.insert("event_handler".into(), native(&service.native, "event_handler", Value::Null));
            object.insert("remove_servicecheck".into(), native(&service.native, "remove_servicecheck", json!("0")));
            Some(item)
        })
        .collect();
    checks.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    map.insert("servicechecks".into(), Value::Array(checks));
    let attributes: Vec<Value> = host
        .vars
        .iter()
        .enumerate()
        .map(|(index, var)| {
            let mut item = json!({"id": index + 1, "name": var.name, "value": var.value});
            for n in 0..4 {
                item[format!("arg{}", n + 1)] = var.args.get(n).map_or(Value::Null, |arg| json!(arg));
            }
            if options.include_encrypted {
                for n in 0..4 {
                    item[format!("encrypted_arg{}", n + 1)] = Value::Null;
                }
            }
            item
        })
        .collect();
    map.insert("hostattributes".into(), Value::Array(attributes));
    map.insert("last_updated".into(), json!(host.meta.updated.secs()));
    Some(Value::Object(map))
}

/// The image of a host icon.
fn icon_path(name: &str) -> String {
    let file = name
        .trim_start_matches("LOGO - ")
        .trim_start_matches("SYMBOL - ")
        .to_ascii_lowercase()
        .replace([' ', '/'], "_");
    format!("/static/images/logos/{file}.png")
}

fn valid_name(name: &str) -> bool {
    (1..=63).contains(&name.len()) && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn valid_ip(ip: &str) -> bool {
    (1..=254).contains(&ip.len()) && !ip.chars().any(|c| c.is_whitespace() || "\"'`[]~!$%^&*|<>?,()=".contains(c))
}

/// Creates or updates a host.
pub fn write(tx: &mut Tx<'_>, id: Option<Id>, input: Input<'_>) -> Result<Id, GatewayError> {
    let existing = id.and_then(|id| tx.get::<Host>(id));
    let mut host = match &existing {
        Some(host) => (**host).clone(),
        None => new_host(tx),
    };
    if let Some(name) = super::required_name(input, valid_name)? {
        super::ensure_unique(tx, ObjectType::Host, &name, id)?;
        host.name = name;
    } else if existing.is_none() {
        return Err(super::missing_name());
    }
    match input.text("ip")? {
        Some(ip) if !valid_ip(&ip) => return Err(GatewayError::bad_request(format!("ip: Invalid value '{ip}'"))),
        Some(ip) => host.address = ip,
        None if existing.is_none() => return Err(GatewayError::bad_request("ip: Missing value")),
        None => {}
    }
    if let Some(alias) = input.text("alias")? {
        host.alias = alias;
    }
    if let Some(others) = input.text("other_addresses")? {
        host.other_addresses = others.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
    }
    match input.one(tx, "hostgroup", ObjectType::HostGroup)? {
        Some(Some(group)) => {
            if !hostgroup::is_leaf(tx, group) {
                return Err(GatewayError::bad_request("Host group is not a leaf"));
            }
            host.hostgroups = std::iter::once(group).chain(host.hostgroups.iter().copied().skip(1)).collect();
            if let Some(group) = tx.get::<rosetta_model::HostGroup>(group) {
                host.tenant = group.tenant;
            }
        }
        Some(None) | None if host.hostgroups.is_empty() => {
            let group =
                hostgroup::first_leaf(tx).ok_or_else(|| GatewayError::bad_request("hostgroup: Missing value"))?;
            host.hostgroups = vec![group];
        }
        _ => {}
    }
    if let Some(cluster) = input.one(tx, "monitored_by", ObjectType::MonitoringCluster)? {
        host.native.insert("opsview.monitored_by".into(), json!(cluster.unwrap_or(1)));
    }
    read_check(tx, input, &mut host.check)?;
    if let Some(templates) = input.many(tx, "hosttemplates", ObjectType::HostTemplate)? {
        host.templates = templates;
    }
    if let Some(parents) = input.many(tx, "parents", ObjectType::Host)? {
        host.parents = parents.into_iter().filter(|parent| Some(*parent) != id).collect();
    }
    if let Some(keywords) = input.raw("keywords") {
        host.tags = keyword_names(tx, keywords)?;
    }
    if let Some(attributes) = input.records("hostattributes")? {
        host.vars = read_attributes(&attributes)?;
    }
    store_natives(&mut host.native, input, NATIVE_FIELDS)?;
    store_natives(&mut host.native, input, SECRET_FIELDS)?;
    if let Some(icon) = input.raw("icon") {
        let name = match icon {
            Value::Object(map) => map.get("name").and_then(crate::call::scalar_text),
            other => crate::call::scalar_text(other),
        };
        if let Some(name) = name.filter(|name| !name.is_empty()) {
            host.native.insert("opsview.icon".into(), json!(name));
        }
    }
    let host = match existing {
        Some(_) => tx.update(host),
        None => tx.insert(host),
    };
    let explicit = read_service_checks(tx, input)?;
    sync_services(tx, host.meta.id, explicit)?;
    Ok(host.meta.id)
}

fn new_host(tx: &Tx<'_>) -> Host {
    let check = CheckSettings {
        command: ObjectType::HostCheckCommand.find(tx, "ping", None),
        check_interval: Some(300),
        retry_interval: Some(60),
        max_check_attempts: Some(2),
        notification_interval: Some(3600),
        check_period: ObjectType::TimePeriod.find(tx, "24x7", None),
        notification_period: ObjectType::TimePeriod.find(tx, "24x7", None),
        flap_detection_enabled: Some(true),
        notification_options: Some("u,d,r".into()),
        event_handler: Some(String::new()),
        ..CheckSettings::default()
    };
    Host { check, ..Host::new(String::new(), String::new(), rosetta_model::ROOT_TENANT) }
}

/// Reads the check settings shared by hosts and service checks.
pub fn read_check(tx: &Tx<'_>, input: Input<'_>, check: &mut CheckSettings) -> Result<(), GatewayError> {
    if let Some(command) = input.one(tx, "check_command", ObjectType::HostCheckCommand)? {
        check.command = command;
    }
    if let Some(period) = input.one(tx, "check_period", ObjectType::TimePeriod)? {
        check.check_period = period;
    }
    if let Some(period) = input.one(tx, "notification_period", ObjectType::TimePeriod)? {
        check.notification_period = period;
    }
    if let Some(value) = input.number("check_interval")? {
        check.check_interval = value;
    }
    if let Some(value) = input.number("retry_check_interval")? {
        check.retry_interval = value;
    }
    if let Some(value) = input.number("check_attempts")? {
        check.max_check_attempts = value;
    }
    if let Some(value) = input.number("notification_interval")? {
        check.notification_interval = value;
    }
    if let Some(options) = input.text("notification_options")? {
        check.notification_options = Some(options);
    }
    if let Some(flag) = input.flag("flap_detection_enabled")? {
        check.flap_detection_enabled = Some(flag);
    }
    if let Some(handler) = input.text("event_handler")? {
        check.event_handler = Some(handler);
    }
    Ok(())
}

/// Hashtag names from a `keywords` value; missing hashtags are created (as Opsview does for hosts).
fn keyword_names(tx: &mut Tx<'_>, value: &Value) -> Result<Vec<String>, GatewayError> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => vec![],
        other => vec![other],
    };
    let mut names = Vec::new();
    for item in items {
        let name =
            match item {
                Value::Object(map) => map.get("name").and_then(crate::call::scalar_text),
                Value::Number(_) => {
                    let id = item.as_i64().unwrap_or_default();
                    Some(ObjectType::Keyword.name_of(tx, id).ok_or_else(|| {
                        GatewayError::bad_request(format!("No related object for keywords 'id={id}'"))
                    })?)
                }
                other => crate::call::scalar_text(other),
            };
        let Some(name) = name.filter(|name| !name.is_empty()) else {
            continue;
        };
        if ObjectType::Keyword.find(tx, &name, None).is_none() {
            tx.insert(Document {
                meta: Meta::new(0),
                namespace: documents::namespace(ObjectType::Keyword),
                name: name.clone(),
                tenant: rosetta_model::ROOT_TENANT,
                body: documents::defaults(ObjectType::Keyword),
            });
        }
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

fn read_attributes(items: &[&serde_json::Map<String, Value>]) -> Result<Vec<Variable>, GatewayError> {
    let mut vars: Vec<Variable> = Vec::new();
    for item in items {
        let input = Input::new(item);
        let name = input
            .text("name")?
            .filter(|name| !name.is_empty())
            .ok_or_else(|| GatewayError::bad_request("hostattributes: name: Missing value"))?;
        let value = input.text("value")?.unwrap_or_default();
        let mut args = Vec::new();
        for n in 1..=4 {
            args.push(input.text(&format!("arg{n}"))?.unwrap_or_default());
        }
        while args.last().is_some_and(String::is_empty) {
            args.pop();
        }
        let var = Variable { name, value, args };
        if vars.contains(&var) {
            return Err(GatewayError::bad_request(format!(
                "hostattributes: Duplicate entry '{}' with value '{}'",
                var.name, var.value
            )));
        }
        vars.push(var);
    }
    Ok(vars)
}

/// A service check attached to a host, with its per-host fields.
struct AttachedCheck {
    template: Id,
    natives: Native,
}

fn read_service_checks(tx: &Tx<'_>, input: Input<'_>) -> Result<Option<Vec<AttachedCheck>>, GatewayError> {
    let Some(value) = input.raw("servicechecks") else {
        return Ok(None);
    };
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => vec![],
        other => vec![other],
    };
    let mut checks: Vec<AttachedCheck> = Vec::new();
    for item in items {
        let template = super::input::resolve(tx, "servicechecks", ObjectType::ServiceCheck, item)?;
        let mut natives = Native::new();
        if let Value::Object(map) = item {
            for field in ["exception", "timed_exception", "event_handler", "remove_servicecheck"] {
                if let Some(value) = map.get(field) {
                    natives.insert(format!("opsview.{field}"), value.clone());
                }
            }
        }
        if !checks.iter().any(|check| check.template == template) {
            checks.push(AttachedCheck { template, natives });
        }
    }
    Ok(Some(checks))
}

/// Makes the host's services match its own service checks plus those of its host templates.
/// Services other dialects created (without the `opsview.managed` mark) are left alone.
fn sync_services(tx: &mut Tx<'_>, host_id: Id, explicit: Option<Vec<AttachedCheck>>) -> Result<(), GatewayError> {
    let Some(host) = tx.get::<Host>(host_id) else {
        return Ok(());
    };
    let current: Vec<Arc<Service>> = tx.children::<Service>(host_id);
    let explicit: Vec<AttachedCheck> = match explicit {
        Some(checks) => checks,
        None => current
            .iter()
            .filter(|service| service.native.get("opsview.explicit") == Some(&json!(true)))
            .filter_map(|service| {
                Some(AttachedCheck {
                    template: service.template?,
                    natives: service
                        .native
                        .iter()
                        .filter(|(key, _)| key.as_str() != "opsview.explicit" && key.as_str() != "opsview.managed")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                })
            })
            .collect(),
    };
    let mut wanted: Vec<(Id, bool)> = explicit.iter().map(|check| (check.template, true)).collect();
    for template in &host.templates {
        if let Some(template) = tx.get::<HostTemplate>(*template) {
            for check in &template.service_templates {
                if !wanted.iter().any(|(id, _)| id == check) {
                    wanted.push((*check, false));
                }
            }
        }
    }
    for service in &current {
        let managed = service.native.get("opsview.managed") == Some(&json!(true));
        if managed && !service.template.is_some_and(|t| wanted.iter().any(|(id, _)| *id == t)) {
            tx.delete::<Service>(service.meta.id);
        }
    }
    for (template, is_explicit) in wanted {
        let natives = explicit.iter().find(|check| check.template == template).map(|check| check.natives.clone());
        let existing = current.iter().find(|service| service.template == Some(template));
        let mut service = match existing {
            Some(service) => (**service).clone(),
            None => Service { name: None, template: Some(template), ..Service::new(host_id, String::new()) },
        };
        let before = service.clone();
        service.native.insert("opsview.managed".into(), json!(true));
        service.native.insert("opsview.explicit".into(), json!(is_explicit));
        if let Some(natives) = natives {
            service.native.extend(natives);
        }
        match existing {
            Some(_) if before == service => {}
            Some(_) => {
                tx.update(service);
            }
            None => {
                tx.insert(service);
            }
        }
    }
    Ok(())
}

/// Re-synchronises the services of every host using `template` (after the template changed).
pub fn resync_template_hosts(tx: &mut Tx<'_>, template: Id) -> Result<(), GatewayError> {
    let hosts: Vec<Id> =
        tx.all::<Host>().iter().filter(|h| h.templates.contains(&template)).map(|h| h.meta.id).collect();
    for host in hosts {
        sync_services(tx, host, None)?;
    }
    Ok(())
}

/// Re-synchronises the services of one host (after one of its templates went away).
pub fn resync_host(tx: &mut Tx<'_>, host: Id) -> Result<(), GatewayError> {
    sync_services(tx, host, None)
}

/// Deletes a host with its services; other hosts stop naming it as a parent.
pub fn delete(tx: &mut Tx<'_>, id: Id) -> Result<(), GatewayError> {
    for service in tx.children::<Service>(id) {
        tx.delete::<Service>(service.meta.id);
    }
    for child in tx.all::<Host>().into_iter().filter(|h| h.parents.contains(&id)) {
        let mut child = (*child).clone();
        child.parents.retain(|parent| *parent != id);
        tx.update(child);
    }
    tx.delete::<Host>(id);
    Ok(())
}
