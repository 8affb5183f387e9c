//! The small types: `servicegroup` over [`ServiceGroup`], `timeperiod` over [`TimePeriod`] (one
//! `monday`..`sunday` string per day) and `hostcheckcommand` over host-check [`Command`]s
//! (spec §5.12).

use rosetta_core::GatewayError;
use rosetta_model::{
    Command, CommandKind, Host, Id, Meta, Native, ServiceGroup, ServiceTemplate, TimePeriod, TimeRange,
};
use rosetta_store::{Read, Tx};
use serde_json::{json, Value};

use super::{base, native, references_by_name, templates::PLUGINS, Input, ObjectType};

/// The day fields of a time period, Monday (1) first.
pub const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// Every service group id.
pub fn service_group_ids(store: &impl Read) -> Vec<Id> {
    store.all::<ServiceGroup>().iter().map(|g| g.meta.id).collect()
}

/// Every time period id.
pub fn time_period_ids(store: &impl Read) -> Vec<Id> {
    store.all::<TimePeriod>().iter().map(|p| p.meta.id).collect()
}

/// Every host check command id.
pub fn command_ids(store: &impl Read) -> Vec<Id> {
    store.all::<Command>().iter().filter(|c| c.kind == CommandKind::HostCheck).map(|c| c.meta.id).collect()
}

/// The service group as Opsview writes it.
pub fn service_group_wire(store: &impl Read, id: Id) -> Option<Value> {
    let group = store.get::<ServiceGroup>(id)?;
    let mut map = base(store, ObjectType::ServiceGroup, &group.meta, &group.name);
    let checks: Vec<Id> = store
        .all::<ServiceTemplate>()
        .iter()
        .filter(|t| t.servicegroups.first() == Some(&id))
        .map(|t| t.meta.id)
        .collect();
    map.insert("servicechecks".into(), references_by_name(store, ObjectType::ServiceCheck, &checks));
    Some(Value::Object(map))
}

/// Creates or updates a service group.
pub fn write_service_group(tx: &mut Tx<'_>, id: Option<Id>, input: Input<'_>) -> Result<Id, GatewayError> {
    let existing = id.and_then(|id| tx.get::<ServiceGroup>(id));
    let mut group = match &existing {
        Some(group) => (**group).clone(),
        None => ServiceGroup {
            meta: Meta::new(0),
            name: String::new(),
            tenant: rosetta_model::ROOT_TENANT,
            description: String::new(),
            native: Native::new(),
        },
    };
    if let Some(name) = super::required_name(input, |n| n.len() <= 128)? {
        super::ensure_unique(tx, ObjectType::ServiceGroup, &name, id)?;
        group.name = name;
    } else if existing.is_none() {
        return Err(super::missing_name());
    }
    let group = match existing {
        Some(_) => tx.update(group),
        None => tx.insert(group),
    };
    Ok(group.meta.id)
}

/// Deletes a service group no service check belongs to.
pub fn delete_service_group(tx: &mut Tx<'_>, id: Id) -> Result<(), GatewayError> {
    if tx.all::<ServiceTemplate>().iter().any(|t| t.servicegroups.contains(&id)) {
        return Err(super::in_use());
    }
    tx.delete::<ServiceGroup>(id);
    Ok(())
}

/// One day's ranges as Opsview writes them (`00:00-24:00` or `09:00-12:00,13:00-17:00`).
pub fn day_text(period: &TimePeriod, day: u8) -> String {
    period
        .ranges
        .iter()
        .filter(|range| range.day == day)
        .map(|range| format!("{}-{}", range.start, range.end))
        .collect::<Vec<_>>()
        .join(",")
}

/// The time period as Opsview writes it.
pub fn time_period_wire(store: &impl Read, id: Id) -> Option<Value> {
    let period = store.get::<TimePeriod>(id)?;
    let mut map = base(store, ObjectType::TimePeriod, &period.meta, &period.name);
    map.insert("alias".into(), json!(period.alias));
    for (index, day) in DAYS.iter().enumerate() {
        map.insert((*day).into(), json!(day_text(&period, index as u8 + 1)));
    }
    map.insert("zone".into(), json!({"name": "SYSTEM", "ref": "/rest/config/timezone/1"}));
    map.insert("object_locked".into(), native(&period.native, "object_locked", json!("0")));
    let hosts = store.all::<Host>();
    let check: Vec<Id> = hosts.iter().filter(|h| h.check.check_period == Some(id)).map(|h| h.meta.id).collect();
    let notify: Vec<Id> = hosts.iter().filter(|h| h.check.notification_period == Some(id)).map(|h| h.meta.id).collect();
    map.insert("host_check_periods".into(), references_by_name(store, ObjectType::Host, &check));
    map.insert("host_notification_periods".into(), references_by_name(store, ObjectType::Host, &notify));
    let checks = store.all::<ServiceTemplate>();
    let check: Vec<Id> = checks.iter().filter(|c| c.check.check_period == Some(id)).map(|c| c.meta.id).collect();
    let notify: Vec<Id> =
        checks.iter().filter(|c| c.check.notification_period == Some(id)).map(|c| c.meta.id).collect();
    map.insert("servicecheck_check_periods".into(), references_by_name(store, ObjectType::ServiceCheck, &check));
    map.insert(
        "servicecheck_notification_periods".into(),
        references_by_name(store, ObjectType::ServiceCheck, &notify),
    );
    Some(Value::Object(map))
}

fn valid_clock(text: &str) -> bool {
    let Some((hours, minutes)) = text.split_once(':') else {
        return false;
    };
    match (hours.parse::<u32>(), minutes.parse::<u32>()) {
        (Ok(h), Ok(m)) => hours.len() == 2 && minutes.len() == 2 && m < 60 && (h < 24 || (h == 24 && m == 0)),
        _ => false,
    }
}

/// Parses a day field into ranges.
pub fn parse_day(field: &str, day: u8, text: &str) -> Result<Vec<TimeRange>, GatewayError> {
    let mut ranges = Vec::new();
    for part in text.split(',').map(str::trim).filter(|part| !part.is_empty()) {
        let (start, end) = part
            .split_once('-')
            .map(|(s, e)| (s.trim(), e.trim()))
            .filter(|(s, e)| valid_clock(s) && valid_clock(e) && s < e)
            .ok_or_else(|| GatewayError::bad_request(format!("{field}: Invalid time range '{part}'")))?;
        ranges.push(TimeRange { day, start: start.to_owned(), end: end.to_owned() });
    }
    Ok(ranges)
}

/// Creates or updates a time period.
pub fn write_time_period(tx: &mut Tx<'_>, id: Option<Id>, input: Input<'_>) -> Result<Id, GatewayError> {
    let existing = id.and_then(|id| tx.get::<TimePeriod>(id));
    let mut period = match &existing {
        Some(period) => (**period).clone(),
        None => TimePeriod {
            meta: Meta::new(0),
            name: String::new(),
            alias: String::new(),
            tenant: rosetta_model::ROOT_TENANT,
            ranges: vec![],
            native: Native::new(),
        },
    };
    if let Some(name) = super::required_name(input, |n| n.len() <= 128 && !n.contains(' '))? {
        super::ensure_unique(tx, ObjectType::TimePeriod, &name, id)?;
        period.name = name;
    } else if existing.is_none() {
        return Err(super::missing_name());
    }
    if let Some(alias) = input.text("alias")? {
        period.alias = alias;
    }
    for (index, day) in DAYS.iter().enumerate() {
        let number = index as u8 + 1;
        if let Some(text) = input.text(day)? {
            let ranges = parse_day(day, number, &text)?;
            period.ranges.retain(|range| range.day != number);
            period.ranges.extend(ranges);
        }
    }
    period.ranges.sort_by(|a, b| (a.day, &a.start).cmp(&(b.day, &b.start)));
    let period = match existing {
        Some(_) => tx.update(period),
        None => tx.insert(period),
    };
    Ok(period.meta.id)
}

/// Deletes a time period nothing uses.
pub fn delete_time_period(tx: &mut Tx<'_>, id: Id) -> Result<(), GatewayError> {
    let used =
        tx.all::<Host>().iter().any(|h| h.check.check_period == Some(id) || h.check.notification_period == Some(id))
            || tx
                .all::<ServiceTemplate>()
                .iter()
                .any(|c| c.check.check_period == Some(id) || c.check.notification_period == Some(id));
    if used {
        return Err(super::in_use());
    }
    tx.delete::<TimePeriod>(id);
    Ok(())
}

/// The host check command as Opsview writes it.
pub fn command_wire(store: &impl Read, id: Id) -> Option<Value> {
    let command = store.get::<Command>(id)?;
    let mut map = base(store, ObjectType::HostCheckCommand, &command.meta, &command.name);
    let plugin = if command.plugin.is_empty() {
        Value::Null
    } else {
        json!({"name": command.plugin, "ref": format!("/rest/config/plugin/{}", command.plugin)})
    };
    map.insert("plugin".into(), plugin);
    map.insert("args".into(), native(&command.native, "args", json!("")));
    map.insert("priority".into(), native(&command.native, "priority", json!("1")));
    let hosts: Vec<Id> =
        store.all::<Host>().iter().filter(|h| h.check.command == Some(id)).map(|h| h.meta.id).collect();
    map.insert("hosts".into(), references_by_name(store, ObjectType::Host, &hosts));
    Some(Value::Object(map))
}

/// A host check command's command line.
pub fn command_line(plugin: &str, args: &str) -> String {
    format!("$USER1$/{plugin} {args}").trim_end().to_owned()
}

/// Creates or updates a host check command.
pub fn write_command(tx: &mut Tx<'_>, id: Option<Id>, input: Input<'_>) -> Result<Id, GatewayError> {
    let existing = id.and_then(|id| tx.get::<Command>(id));
    let mut command = match &existing {
        Some(command) => (**command).clone(),
        None => Command {
            meta: Meta::new(0),
            name: String::new(),
            line: String::new(),
            kind: CommandKind::HostCheck,
            args: vec![],
            description: String::new(),
            plugin: String::new(),
            native: Native::new(),
        },
    };
    if let Some(name) = super::required_name(input, |n| n.len() <= 128)? {
        if let Some(other) = tx.find_by_name::<Command>(&name) {
            if Some(other.meta.id) != id {
                return Err(super::duplicate(&name));
            }
        }
        command.name = name;
    } else if existing.is_none() {
        return Err(super::missing_name());
    }
    if let Some(value) = input.raw("plugin") {
        let name = match value {
            Value::Object(map) => map.get("name").and_then(crate::call::scalar_text),
            other => crate::call::scalar_text(other),
        }
        .unwrap_or_default();
        if !PLUGINS.contains(&name.as_str()) {
            return Err(GatewayError::bad_request(format!("No related object for plugin 'name={name}'")));
        }
        command.plugin = name;
    } else if existing.is_none() {
        return Err(GatewayError::bad_request("plugin: Missing value"));
    }
    if let Some(args) = input.text("args")? {
        command.native.insert("opsview.args".into(), json!(args));
    }
    if let Some(priority) = input.number("priority")? {
        command.native.insert("opsview.priority".into(), json!(priority.unwrap_or(1).to_string()));
    }
    let args = native(&command.native, "args", json!("")).as_str().unwrap_or_default().to_owned();
    command.line = command_line(&command.plugin, &args);
    let command = match existing {
        Some(_) => tx.update(command),
        None => tx.insert(command),
    };
    Ok(command.meta.id)
}

/// Deletes a host check command no host uses.
pub fn delete_command(tx: &mut Tx<'_>, id: Id) -> Result<(), GatewayError> {
    if tx.all::<Host>().iter().any(|h| h.check.command == Some(id)) {
        return Err(super::in_use());
    }
    tx.delete::<Command>(id);
    Ok(())
}
