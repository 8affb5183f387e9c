//! `/commands/*`, `/contacts/*`, `/timeperiods/*`, `/usergroups/index` and
//! `/systemdowntimes/addHostdowntime` (spec §5.4, §6.3, §7).

use std::sync::Arc;

use rosetta_core::monitoring::{self, DowntimeRequest};
use rosetta_core::GatewayError;
use rosetta_model::*;
use serde_json::{json, Map, Value};

use crate::call::{Answer, Call, Reply, DIALECT};
use crate::endpoints::hosts::{id_field, text_field};
use crate::errors;
use crate::filter::FieldKind;
use crate::list::{self, text, ListSpec};
use crate::sort::Direction;
use crate::validation::{Rule, ValidationErrors};

fn command_type(kind: CommandKind) -> i64 {
    match kind {
        CommandKind::Check => 1,
        CommandKind::HostCheck => 2,
        CommandKind::Notification => 3,
        CommandKind::EventHandler => 4,
    }
}

fn command_kind(type_id: i64) -> Option<CommandKind> {
    match type_id {
        1 => Some(CommandKind::Check),
        2 => Some(CommandKind::HostCheck),
        3 => Some(CommandKind::Notification),
        4 => Some(CommandKind::EventHandler),
        _ => None,
    }
}

/// `GET /commands/index.json?angular=true`.
pub async fn commands_index(call: &Call<'_>) -> Answer {
    if !call.angular() {
        return Ok(Reply::new(json!({})));
    }
    let spec = ListSpec {
        filters: &[("Commands.name", FieldKind::Like), ("Commands.id", FieldKind::Equals), ("Commands.command_type", FieldKind::Equals)],
        sortable: &[],
        default_order: &[("Commands.name", Direction::Asc)],
        tie_breaker: "Commands.id",
        body_filters: false,
    };
    let (page, paging) = list::page(call, &spec, call.db().all::<Command>(), |c, field| match field {
        "Commands.name" => text(&c.name),
        "Commands.id" => text(c.meta.id),
        "Commands.command_type" => text(command_type(c.kind)),
        _ => None,
    })?;
    let all: Vec<Value> = page
        .iter()
        .map(|c| {
            let human: Vec<Value> = c.args.iter().map(|arg| json!({"name": arg.name, "human_name": arg.human_name})).collect();
            json!({"Command": {"id": c.meta.id, "name": c.name, "command_line": c.line, "command_type": command_type(c.kind),
                               "human_args": human, "uuid": c.meta.uuid.to_string(), "description": c.description}})
        })
        .collect();
    Ok(Reply::new(json!({"all_commands": all})).paged(paging))
}

/// `POST /commands/add.json?angular=true` `{"Command": {name, command_type, command_line, commandarguments}}`.
pub async fn commands_add(call: &Call<'_>) -> Answer {
    if !call.is_post() {
        return Ok(Reply::new(json!({"defaultMacros": []})));
    }
    call.require_angular()?;
    let input = call.model("Command");
    let name = text_field(&input, "name").unwrap_or_default().trim().to_owned();
    let line = text_field(&input, "command_line").unwrap_or_default();
    let kind = id_field(&input, "command_type").and_then(command_kind);
    let args: Vec<(String, String)> = input
        .get("commandarguments")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| Some((text_field(item.as_object()?, "name")?, text_field(item.as_object()?, "human_name").unwrap_or_default())))
                .collect()
        })
        .unwrap_or_default();
    let id = call
        .db()
        .write(call.actor(), |tx| {
            let mut errors = ValidationErrors::new();
            if name.is_empty() {
                errors.add("name", Rule::Empty);
            } else if tx.find_by_name::<Command>(&name).is_some() {
                errors.add_message("name", "unique", "This command name has already been taken.");
            }
            if line.trim().is_empty() {
                errors.add("command_line", Rule::Empty);
            }
            if kind.is_none() {
                errors.add("command_type", Rule::Other("inList".to_owned()));
            }
            if !errors.is_empty() {
                return Err(errors::validation(&errors));
            }
            let base = tx.all::<Command>().iter().flat_map(|c| c.args.iter().map(|arg| arg.id)).max().unwrap_or(0);
            let command = Command {
                meta: Meta::new(0),
                name: name.clone(),
                line: line.clone(),
                kind: kind.unwrap_or(CommandKind::Check),
                args: args
                    .iter()
                    .enumerate()
                    .map(|(index, (name, human))| CommandArg { id: base + 1 + index as i64, name: name.clone(), human_name: human.clone() })
                    .collect(),
                description: text_field(&input, "description").unwrap_or_default(),
                plugin: String::new(),
                native: Native::new(),
            };
            Ok::<_, GatewayError>(tx.insert(command).meta.id)
        })
        .await?;
    Ok(Reply::id(id))
}

/// `GET /contacts/index.json?angular=true`.
pub async fn contacts_index(call: &Call<'_>) -> Answer {
    if !call.angular() {
        return Ok(Reply::new(json!({})));
    }
    let scope = &call.principal.scope;
    let rows: Vec<Arc<Contact>> =
        call.db().all::<Contact>().into_iter().filter(|c| c.tenants.is_empty() || c.tenants.iter().any(|t| scope.can_read(*t))).collect();
    let spec = ListSpec {
        filters: &[("Contacts.name", FieldKind::Like), ("Contacts.email", FieldKind::Like), ("Contacts.phone", FieldKind::Like), ("Contacts.id", FieldKind::Equals)],
        sortable: &[],
        default_order: &[("Contacts.name", Direction::Asc)],
        tie_breaker: "Contacts.id",
        body_filters: false,
    };
    let (page, paging) = list::page(call, &spec, rows, |c, field| match field {
        "Contacts.name" => text(&c.name),
        "Contacts.email" => text(&c.email),
        "Contacts.phone" => text(&c.phone),
        "Contacts.id" => text(c.meta.id),
        _ => None,
    })?;
    let db = call.db();
    let all: Vec<Value> = page
        .iter()
        .map(|c| {
            let containers: Vec<Value> =
                c.tenants.iter().filter_map(|id| db.get::<Tenant>(*id)).map(|t| crate::wire::container(&t)).collect();
            json!({"Contact": {"id": c.meta.id, "uuid": c.meta.uuid.to_string(), "name": c.name, "description": c.description,
                               "email": c.email, "phone": c.phone, "user_id": c.user,
                               "allow_edit": c.tenants.iter().any(|t| scope.can_write(*t))},
                   "Container": containers})
        })
        .collect();
    Ok(Reply::new(json!({"all_contacts": all, "isLdapAuth": false})).paged(paging))
}

fn timeperiod_object(period: &TimePeriod) -> Value {
    json!({
        "id": period.meta.id,
        "uuid": period.meta.uuid.to_string(),
        "container_id": period.tenant,
        "name": period.name,
        "description": period.alias,
        "calendar_id": 0,
        "created": crate::datefmt::format("Y-m-d H:i:s", Some(period.meta.created.secs()), 0),
        "modified": crate::datefmt::format("Y-m-d H:i:s", Some(period.meta.updated.secs()), 0),
        "timeperiod_timeranges": period.ranges.iter().map(|r| json!({"day": r.day, "start": r.start, "end": r.end})).collect::<Vec<_>>(),
    })
}

/// `GET /timeperiods/index.json` (paginated with `angular`, the legacy full list without).
pub async fn timeperiods_index(call: &Call<'_>) -> Answer {
    let scope = &call.principal.scope;
    let rows: Vec<Arc<TimePeriod>> = call.db().all::<TimePeriod>().into_iter().filter(|p| scope.can_read(p.tenant)).collect();
    if !call.angular() {
        let all: Vec<Value> = rows.iter().map(|p| json!({"Timeperiod": timeperiod_object(p)})).collect();
        return Ok(Reply::new(json!({"all_timeperiods": all})));
    }
    let spec = ListSpec {
        filters: &[("Timeperiods.name", FieldKind::Like), ("Timeperiods.description", FieldKind::Like), ("Timeperiods.id", FieldKind::Equals)],
        sortable: &[],
        default_order: &[("Timeperiods.name", Direction::Asc)],
        tie_breaker: "Timeperiods.id",
        body_filters: false,
    };
    let (page, paging) = list::page(call, &spec, rows, |p, field| match field {
        "Timeperiods.name" => text(&p.name),
        "Timeperiods.description" => text(&p.alias),
        "Timeperiods.id" => text(p.meta.id),
        _ => None,
    })?;
    let all: Vec<Value> = page
        .iter()
        .map(|p| {
            let mut object = timeperiod_object(p);
            if let Some(map) = object.as_object_mut() {
                map.insert("allow_edit".to_owned(), json!(scope.can_write(p.tenant)));
            }
            json!({"Timeperiod": object})
        })
        .collect();
    Ok(Reply::new(json!({"all_timeperiods": all})).paged(paging))
}

fn valid_time(text: &str) -> bool {
    let Some((hours, minutes)) = text.split_once(':') else {
        return false;
    };
    matches!((hours.parse::<u32>(), minutes.parse::<u32>()), (Ok(h), Ok(m)) if (h < 24 && m < 60) || (h == 24 && m == 0))
}

/// `POST /timeperiods/add.json?angular=true` → `{"timeperiod": {saved entity}}`.
pub async fn timeperiods_add(call: &Call<'_>) -> Answer {
    if !call.is_post() {
        return Ok(Reply::new(json!({})));
    }
    let input = call.model("Timeperiod");
    let name = text_field(&input, "name").unwrap_or_default().trim().to_owned();
    let container = id_field(&input, "container_id");
    let ranges: Vec<Map<String, Value>> = input
        .get("timeperiod_timeranges")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|item| item.as_object().cloned()).collect())
        .unwrap_or_default();
    let period = call
        .db()
        .write(call.actor(), |tx| {
            let mut errors = ValidationErrors::new();
            if name.is_empty() {
                errors.add("name", Rule::Empty);
            } else if tx.find_by_name::<TimePeriod>(&name).is_some() {
                errors.add_message("name", "isUnique", "This time period name has already been taken.");
            }
            match container {
                Some(id) if tx.get::<Tenant>(id).is_some() => {}
                _ => {
                    errors.add("container_id", Rule::Required);
                }
            }
            let mut parsed = Vec::new();
            for (index, range) in ranges.iter().enumerate() {
                let day = id_field(range, "day").filter(|day| (1..=7).contains(day));
                let start = text_field(range, "start").unwrap_or_default();
                let end = text_field(range, "end").unwrap_or_default();
                match day {
                    Some(day) if valid_time(&start) && valid_time(&end) && start < end => {
                        parsed.push(TimeRange { day: day as u8, start, end });
                    }
                    _ => {
                        errors.add_message(&format!("timeperiod_timeranges.{index}.start"), "custom", "Invalid time range");
                    }
                }
            }
            if !errors.is_empty() {
                return Err(errors::validation(&errors));
            }
            Ok::<_, GatewayError>(tx.insert(TimePeriod {
                meta: Meta::new(0),
                name: name.clone(),
                alias: text_field(&input, "description").unwrap_or_default(),
                tenant: container.unwrap_or(ROOT_TENANT),
                ranges: parsed,
                native: Native::new(),
            }))
        })
        .await?;
    Ok(Reply::new(json!({"timeperiod": timeperiod_object(&period)})))
}

/// The oITC user group id of a role: 1 Administrator, 2 Viewer, else the role id.
pub fn usergroup_id(role: &Role) -> Id {
    match role.name.as_str() {
        "Administrator" => 1,
        "View all, change none" => 2,
        _ => role.meta.id,
    }
}

/// `GET /usergroups/index.json?angular=true` → the roles as user groups (Administrator 1, Viewer 2).
pub async fn usergroups_index(call: &Call<'_>) -> Answer {
    if !call.angular() {
        return Ok(Reply::new(json!({})));
    }
    let mut groups: Vec<Value> = call
        .db()
        .all::<Role>()
        .iter()
        .filter(|role| role.meta.id >= 10)
        .map(|role| {
            let name = if role.name == "View all, change none" { "Viewer" } else { role.name.as_str() };
            json!({"id": usergroup_id(role), "name": name, "description": role.description})
        })
        .collect();
    groups.sort_by_key(|group| group["id"].as_i64().unwrap_or(i64::MAX));
    Ok(Reply::new(json!({"allUsergroups": groups})))
}

/// `POST /systemdowntimes/addHostdowntime.json?angular=true` `{"Systemdowntime": {object_id, from_date, ...}}`.
pub async fn add_host_downtime(call: &Call<'_>) -> Answer {
    if !call.is_post() {
        return Ok(Reply::new(json!({})));
    }
    let input = call.model("Systemdowntime");
    let objects: Vec<Id> = match input.get("object_id") {
        Some(Value::Array(items)) => items.iter().filter_map(crate::settings::loose_text).filter_map(|t| crate::php::strict_int(&t)).collect(),
        Some(other) => crate::settings::loose_text(other).and_then(|t| crate::php::strict_int(&t)).into_iter().collect(),
        None => vec![],
    };
    if objects.is_empty() {
        return Err(errors::invalid("object_id", "_empty", "You have to select at least on object."));
    }
    if input.get("is_recurring").and_then(crate::settings::loose_text).is_some_and(|v| v == "1") {
        return Err(errors::invalid("is_recurring", "custom", "Recurring downtimes are not supported by Rosetta"));
    }
    let offset = call.ctx.app.settings.utc_offset_secs;
    let time = |date: &str, clock: &str| {
        crate::datefmt::parse_date_and_time(&text_field(&input, date).unwrap_or_default(), &text_field(&input, clock).unwrap_or_default(), offset)
    };
    let mut errors = ValidationErrors::new();
    let start = time("from_date", "from_time").map_err(|_| errors.add_message("from_date", "custom", "Please enter a valid date")).ok();
    let end = time("to_date", "to_time").map_err(|_| errors.add_message("to_date", "custom", "Please enter a valid date")).ok();
    let (Some(start), Some(end)) = (start, end) else {
        return Err(errors::validation(&errors));
    };
    if end <= start {
        return Err(errors::invalid("to_time", "custom", "The end must be after the start"));
    }
    let with_services = input.get("downtimetype_id").and_then(crate::settings::loose_text).is_some_and(|v| v == "1");
    let author = call.principal.user.fullname.clone();
    let comment = text_field(&input, "comment").unwrap_or_else(|| "In maintenance".to_owned());
    let vis = call.visibility();
    for id in &objects {
        let host = call.db().get::<Host>(*id).ok_or_else(|| errors::not_found("Invalid host"))?;
        if !vis.can_see_host(&host) {
            return Err(errors::container_forbidden());
        }
    }
    call.db()
        .write(call.actor(), |tx| {
            for id in &objects {
                let mut targets = vec![Target::Host(*id)];
                if with_services {
                    targets.extend(tx.children::<Service>(*id).iter().map(|s| Target::Service(s.meta.id)));
                }
                for target in targets {
                    monitoring::schedule_downtime(
                        tx,
                        DowntimeRequest {
                            target,
                            start: Timestamp::from_secs(start),
                            end: Timestamp::from_secs(end),
                            fixed: true,
                            author: author.clone(),
                            comment: comment.clone(),
                            group: None,
                            dialect: DIALECT.to_owned(),
                        },
                    )?;
                }
            }
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(Reply::success())
}
