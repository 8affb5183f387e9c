//! `/hosts/*` (spec §3): index, notMonitored, disabled, add, edit, delete, deactivate, enable,
//! loadHostsByString, byUuid, view.

use std::cell::OnceCell;
use std::sync::Arc;

use rosetta_core::monitoring;
use rosetta_core::visibility::Visibility;
use rosetta_model::*;
use rosetta_store::{Db, Read};
use serde_json::{json, Map, Value};

use crate::call::{Answer, Call, Reply};
use crate::endpoints::host_rows::{HostPage, Includes};
use crate::errors;
use crate::host_index::HostIndex;
use crate::filter::FieldKind;
use crate::list::{self, flag, text, ListSpec, Plan};
use crate::settings::{self, Family, Own};
use crate::sort::Direction;
use crate::validation::{Rule, ValidationErrors};
use crate::wire;

/// The inheritable part of a host.
pub fn own_of_host(host: &Host) -> Own {
    Own {
        check: host.check.clone(),
        description: Some(host.alias.clone()).filter(|alias| !alias.is_empty()),
        tags: Some(host.tags.clone()).filter(|tags| !tags.is_empty()),
        native: settings::own_native(Family::Host, &host.native),
    }
}

/// The complete settings of a host template.
pub fn own_of_template(template: &HostTemplate) -> Own {
    settings::complete(
        Family::Host,
        &Own {
            check: template.check.clone(),
            description: Some(template.description.clone()),
            tags: Some(template.tags.clone()),
            native: settings::own_native(Family::Host, &template.native),
        },
    )
}

fn template_of(store: &impl Read, host: &Host) -> Option<Arc<HostTemplate>> {
    host.templates.first().and_then(|id| store.get::<HostTemplate>(*id))
}

/// The effective inheritable fields of a host (own over template).
pub fn effective_map(store: &impl Read, host: &Host) -> Map<String, Value> {
    let template = template_of(store, host).map(|template| own_of_template(&template)).unwrap_or_else(|| {
        settings::complete(Family::Host, &Own::default())
    });
    settings::effective(Family::Host, &own_of_host(host), &template)
}

fn native_int(host: &Host, field: &str, default: i64) -> i64 {
    host.native.get(&settings::native_key(field)).and_then(Value::as_i64).unwrap_or(default)
}

/// All container ids of a host, primary first.
pub fn container_ids(host: &Host) -> Vec<Id> {
    let mut ids = vec![host.tenant];
    ids.extend(host.shared_tenants.iter().copied().filter(|id| *id != host.tenant));
    ids
}

/// The `Host` block of list rows (spec §3.1), as a value (see [`HostPage::host_block`] for the typed block).
pub fn host_block(call: &Call<'_>, vis: &Visibility, host: &Host) -> Value {
    let db = call.db();
    let page = HostPage::new(call, db.as_ref(), vis, std::iter::once(host));
    serde_json::to_value(page.host_block(host)).unwrap_or(Value::Null)
}

const INDEX_FILTERS: &[(&str, FieldKind)] = &[
    ("Hosts.id", FieldKind::Equals),
    ("Hosts.uuid", FieldKind::Equals),
    ("Hosts.name", FieldKind::LikeOrRlike),
    ("Hosts.address", FieldKind::LikeOrRlike),
    ("Hosts.description", FieldKind::Like),
    ("hostdescription", FieldKind::Like),
    ("Hosts.keywords", FieldKind::Rlike),
    ("Hosts.not_keywords", FieldKind::NotRlike),
    ("Hosts.disabled", FieldKind::Equals),
    ("Hosts.satellite_id", FieldKind::Equals),
    ("hostpriority", FieldKind::Equals),
    ("Hosts.host_type", FieldKind::Equals),
    ("Hostgroups.id", FieldKind::Equals),
    ("Hoststatus.output", FieldKind::Like),
    ("Hoststatus.current_state", FieldKind::State),
    ("Hoststatus.problem_has_been_acknowledged", FieldKind::Bool),
    ("Hoststatus.notifications_enabled", FieldKind::Bool),
    ("Hoststatus.active_checks_enabled", FieldKind::Bool),
    ("Hoststatus.is_hardstate", FieldKind::Bool),
    ("Hoststatus.scheduled_downtime_depth", FieldKind::Downtime),
    ("Hoststatus.last_state_change", FieldKind::IntervalOlder),
];

const INDEX_SORT: &[&str] = &["Hosts.id", "Hoststatus.last_check", "Hoststatus.last_hard_state_change", "Hosts.created", "Hosts.modified"];

struct Row {
    host: Arc<Host>,
    status: Option<Arc<HostStatus>>,
    /// The effective settings, computed only when a filter or sort column needs them.
    effective: OnceCell<Map<String, Value>>,
}

impl Row {
    fn new(host: Arc<Host>, status: Option<Arc<HostStatus>>) -> Row {
        Row { host, status, effective: OnceCell::new() }
    }
}

fn lookup(store: &impl Read, row: &Row, field: &str) -> Option<String> {
    let host = &row.host;
    let check = row.status.as_ref().map(|status| &status.check);
    let effective =
        |key: &str| row.effective.get_or_init(|| effective_map(store, host)).get(key).and_then(settings::loose_text);
    match field {
        "Hosts.id" => text(host.meta.id),
        "Hosts.uuid" => text(host.meta.uuid),
        "Hosts.name" => text(&host.name),
        "Hosts.address" => text(&host.address),
        "Hosts.description" | "hostdescription" => effective("description"),
        "Hosts.keywords" | "Hosts.not_keywords" => effective("tags"),
        "Hosts.disabled" => flag(!host.enabled),
        "Hosts.satellite_id" => text(native_int(host, "satellite_id", 0)),
        "hostpriority" => effective("priority"),
        "Hosts.host_type" => text(native_int(host, "host_type", 1)),
        "Hosts.created" => text(host.meta.created.millis()),
        "Hosts.modified" => text(host.meta.updated.millis()),
        "Hostgroups.id" => host.hostgroups.first().map(ToString::to_string),
        "Hoststatus.output" => check.map(|check| check.output.clone()),
        "Hoststatus.current_state" => check.map(|check| check.state.code().to_string()),
        "Hoststatus.problem_has_been_acknowledged" => check.and_then(|check| flag(check.is_acknowledged())),
        "Hoststatus.notifications_enabled" => effective("notifications_enabled"),
        "Hoststatus.active_checks_enabled" => effective("active_checks_enabled"),
        "Hoststatus.is_hardstate" => check.and_then(|check| flag(check.state_type == StateType::Hard)),
        "Hoststatus.scheduled_downtime_depth" => check.map(|check| check.downtime_depth.to_string()),
        "Hoststatus.last_state_change" => check.map(|check| check.last_state_change.secs().to_string()),
        "Hoststatus.last_check" => check.map(|check| check.last_check.millis().to_string()),
        "Hoststatus.last_hard_state_change" => check.map(|check| check.last_hard_state_change.millis().to_string()),
        _ => None,
    }
}

fn rows(call: &Call<'_>, vis: &Visibility, keep: impl Fn(&Host, Option<&HostStatus>) -> bool) -> Vec<Row> {
    let db = call.db();
    vis.hosts(db.as_ref())
        .into_iter()
        .filter_map(|host| {
            let status = db.get::<HostStatus>(host.meta.id);
            keep(&host, status.as_deref()).then(|| Row::new(host, status))
        })
        .collect()
}

/// The index's rows in its default order (current state descending, then id): the problem hosts the
/// listed-hosts index names first, then the rest in id order, read lazily so a page touches only the hosts
/// before its end.
fn rows_in_default_order<'a>(
    db: &'a Db,
    vis: &'a Visibility,
    index: &'a HostIndex,
    allowed: &'a [bool],
) -> impl Iterator<Item = Row> + 'a {
    let row = move |host: Arc<Host>| {
        let status = db.get::<HostStatus>(host.meta.id)?;
        Some(Row::new(host, Some(status)))
    };
    let problems = index.problems(allowed).filter_map(move |id| row(db.get::<Host>(id)?));
    let rest = db
        .ordered::<Host>()
        .filter(move |host| !index.is_problem(host.meta.id) && host.enabled && vis.can_see_host(host))
        .filter_map(row);
    problems.chain(rest)
}

fn includes(call: &Call<'_>, what: &str) -> bool {
    call.query.iter().any(|(key, value)| key.starts_with("includes[") && value == what)
}

/// `GET|POST /hosts/index.json`: monitored, enabled, visible hosts with status.
pub async fn index(call: &Call<'_>) -> Answer {
    let vis = call.visibility();
    let spec = ListSpec {
        filters: INDEX_FILTERS,
        sortable: INDEX_SORT,
        default_order: &[("Hoststatus.current_state", Direction::Desc)],
        tie_breaker: "Hosts.id",
        body_filters: true,
    };
    let plan = Plan::new(call, &spec)?;
    let db = call.db();
    let (page, paging) = if plan.is_unfiltered_default() {
        let index = call.dialect.hosts.current(db);
        let allowed = index.allowed(&vis);
        list::page_ordered(call, rows_in_default_order(db, &vis, &index, &allowed), || index.count(&allowed))
    } else {
        let rows = rows(call, &vis, |host, status| host.enabled && status.is_some());
        plan.page(call, rows, |row, field| lookup(db.as_ref(), row, field))
    };
    let rows: Vec<(&Host, Option<&HostStatus>)> = page.iter().map(|row| (row.host.as_ref(), row.status.as_deref())).collect();
    let includes = Includes { downtimes: includes(call, "downtimes"), acknowledgements: includes(call, "acknowledgements") };
    let mut out = Vec::with_capacity(2048 * rows.len() + 256);
    HostPage::new(call, db.as_ref(), &vis, rows.iter().map(|(host, _)| *host)).write_index_rows(&mut out, &rows, includes);
    out.extend_from_slice(b",\"username\":");
    crate::json::write(&mut out, &call.principal.user.fullname);
    Ok(Reply::encoded(out).paged(paging))
}

const PLAIN_FILTERS: &[(&str, FieldKind)] = &[
    ("Hosts.id", FieldKind::Equals),
    ("Hosts.name", FieldKind::LikeOrRlike),
    ("Hosts.address", FieldKind::LikeOrRlike),
    ("Hosts.description", FieldKind::Like),
    ("Hosts.satellite_id", FieldKind::Equals),
];

async fn plain_list(call: &Call<'_>, disabled: bool) -> Answer {
    let vis = call.visibility();
    let rows = rows(call, &vis, |host, status| if disabled { !host.enabled } else { host.enabled && status.is_none() });
    let spec = ListSpec {
        filters: PLAIN_FILTERS,
        sortable: INDEX_SORT,
        default_order: &[("Hosts.name", Direction::Asc)],
        tie_breaker: "Hosts.id",
        body_filters: false,
    };
    let db = call.db();
    let (page, paging) = list::page(call, &spec, rows, |row, field| lookup(db.as_ref(), row, field))?;
    let hosts: Vec<&Host> = page.iter().map(|row| row.host.as_ref()).collect();
    let mut out = Vec::with_capacity(1024 * hosts.len() + 64);
    HostPage::new(call, db.as_ref(), &vis, hosts.iter().copied()).write_plain_rows(&mut out, &hosts, disabled);
    Ok(Reply::encoded(out).paged(paging))
}

/// `GET /hosts/notMonitored.json`.
pub async fn not_monitored(call: &Call<'_>) -> Answer {
    plain_list(call, false).await
}

/// `GET /hosts/disabled.json`.
pub async fn disabled(call: &Call<'_>) -> Answer {
    plain_list(call, true).await
}

/// Parses a `{"_ids": [...]}` (or plain list) reference field; `None` when absent or invalid.
pub fn id_list(map: &Map<String, Value>, key: &str, errors: &mut ValidationErrors) -> Option<Vec<Id>> {
    let value = map.get(key)?;
    let items = match value {
        Value::Object(object) => match object.get("_ids") {
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Null) | None => vec![],
            Some(_) => {
                errors.add(key, Rule::Other("_ids".to_owned()));
                return None;
            }
        },
        Value::Array(items) => items.clone(),
        Value::Null => vec![],
        _ => {
            errors.add(key, Rule::Other("_ids".to_owned()));
            return None;
        }
    };
    let mut ids = Vec::new();
    for item in items {
        match settings::loose_text(&item).and_then(|text| crate::php::strict_int(&text)) {
            Some(id) if id > 0 => ids.push(id),
            _ => {
                errors.add(key, Rule::Other("_ids".to_owned()));
                return None;
            }
        }
    }
    Some(ids)
}

/// Parses a positive id field; `None` when missing, null or 0.
pub fn id_field(map: &Map<String, Value>, key: &str) -> Option<Id> {
    map.get(key).and_then(settings::loose_text).and_then(|text| crate::php::strict_int(&text)).filter(|id| *id > 0)
}

/// A text field (numbers as their text); `None` when absent or not scalar text.
pub fn text_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key) {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    }
}

/// Validates references against the store, adding `_existsIn` errors.
pub fn check_refs<T: rosetta_store::Object>(store: &impl Read, field: &str, ids: &[Id], errors: &mut ValidationErrors) {
    if ids.iter().any(|id| store.get::<T>(*id).is_none()) {
        errors.add_message(field, "_existsIn", "This value does not exist");
    }
}

/// Positional command arguments from `[{commandargument_id, value}]` rows.
pub fn command_args_from(store: &impl Read, command: Option<Id>, values: &Value) -> Option<Vec<String>> {
    let command = store.get::<Command>(command?)?;
    let items = values.as_array()?;
    let mut args: Vec<String> = vec![String::new(); command.args.len()];
    for item in items {
        let arg = id_field(item.as_object()?, "commandargument_id")?;
        let value = item.get("value").and_then(settings::loose_text).unwrap_or_default();
        let position = command.args.iter().position(|candidate| candidate.id == arg)?;
        if let Some(slot) = args.get_mut(position) {
            *slot = value;
        }
    }
    Some(args)
}

/// `hostcommandargumentvalues` of effective settings.
pub fn command_arg_values(store: &impl Read, command: Option<Id>, args: Option<&Vec<String>>) -> Value {
    let Some(command) = command.and_then(|id| store.get::<Command>(id)) else {
        return json!([]);
    };
    let values: Vec<Value> = command
        .args
        .iter()
        .enumerate()
        .map(|(index, arg)| {
            json!({"commandargument_id": arg.id, "value": args.and_then(|args| args.get(index)).cloned().unwrap_or_default(),
                   "commandargument": {"id": arg.id, "name": arg.name, "human_name": arg.human_name, "command_id": command.meta.id}})
        })
        .collect();
    Value::from(values)
}

/// Builds a host from a `Host` body over `existing` (edit) or a new host (add), applying the
/// inheritance rule and validation. Ends in 400/404 without side effects.
fn host_from_input(store: &impl Read, input: &Map<String, Value>, existing: Option<&Host>) -> Result<Host, rosetta_core::GatewayError> {
    let container = id_field(input, "container_id");
    let template_id = id_field(input, "hosttemplate_id");
    if container.is_none() || template_id.is_none() {
        let mut errors = ValidationErrors::new();
        if container.is_none() {
            errors.add("container_id", Rule::HandEmpty);
        }
        if template_id.is_none() {
            errors.add("hosttemplate_id", Rule::HandEmpty);
        }
        return Err(errors::validation(&errors));
    }
    let (Some(container), Some(template_id)) = (container, template_id) else {
        return Err(errors::bad_request("Bad Request"));
    };
    let template = store.get::<HostTemplate>(template_id).ok_or_else(|| errors::not_found("Invalid host template"))?;
    let template_own = own_of_template(&template);
    let template_map = settings::to_map(Family::Host, &template_own);
    let mut errors = ValidationErrors::new();
    let merged = settings::inherit(Family::Host, input, &template_map);
    let own = settings::from_map(Family::Host, &merged, &mut errors);

    let name = text_field(input, "name").map(|name| name.trim().to_owned()).unwrap_or_default();
    let address = text_field(input, "address").map(|address| address.trim().to_owned()).unwrap_or_default();
    for (field, value) in [("name", &name), ("address", &address)] {
        if value.is_empty() {
            errors.add(field, if input.contains_key(field) { Rule::Empty } else { Rule::Required });
        } else if value.chars().count() > 255 {
            errors.add(field, Rule::MaxLength);
        }
    }
    if store.get::<Tenant>(container).is_none() {
        errors.add_message("container_id", "_existsIn", "This value does not exist");
    }
    let shared = id_list(input, "hosts_to_containers_sharing", &mut errors);
    let contacts = id_list(input, "contacts", &mut errors);
    let hostgroups = id_list(input, "hostgroups", &mut errors);
    let parents = id_list(input, "parenthosts", &mut errors);
    check_refs::<Tenant>(store, "hosts_to_containers_sharing", shared.as_deref().unwrap_or_default(), &mut errors);
    check_refs::<Contact>(store, "contacts", contacts.as_deref().unwrap_or_default(), &mut errors);
    check_refs::<HostGroup>(store, "hostgroups", hostgroups.as_deref().unwrap_or_default(), &mut errors);
    check_refs::<Host>(store, "parenthosts", parents.as_deref().unwrap_or_default(), &mut errors);
    if let Some(existing) = existing {
        if parents.as_ref().is_some_and(|parents| parents.contains(&existing.meta.id)) {
            errors.add_message("parenthosts", "validateParentHosts", "A host can not be its own parent");
        }
    }
    for (field, id) in [("command_id", own.check.command)] {
        if let Some(id) = id {
            check_refs::<Command>(store, field, &[id], &mut errors);
        }
    }
    for (field, id) in [("check_period_id", own.check.check_period), ("notify_period_id", own.check.notification_period)] {
        if let Some(id) = id {
            check_refs::<TimePeriod>(store, field, &[id], &mut errors);
        }
    }
    if let Some(same) = store.find_by_name::<Host>(&name) {
        if existing.is_none_or(|existing| existing.meta.id != same.meta.id) {
            errors.add_message("name", "_isUnique", "This host name has already been taken.");
        }
    }
    if !errors.is_empty() {
        return Err(errors::validation(&errors));
    }

    let own_command = own.check.command;
    let effective_command = own_command.or(template.check.command);
    let mut check = own.check;
    check.command_args = input
        .get("hostcommandargumentvalues")
        .and_then(|values| command_args_from(store, effective_command, values))
        .filter(|args| Some(args) != template.check.command_args.as_ref() || own_command.is_some());
    let mut host = existing.cloned().unwrap_or_else(|| Host::new(String::new(), String::new(), container));
    host.name = name;
    host.address = address;
    host.alias = own.description.unwrap_or_default();
    host.tags = own.tags.unwrap_or_default();
    host.tenant = container;
    host.shared_tenants = shared.unwrap_or_default().into_iter().filter(|id| *id != container).collect();
    host.templates = vec![template_id];
    host.check = check;
    settings::store_native(Family::Host, &mut host.native, &own.native);
    if let Some(contacts) = contacts {
        host.contacts = if contacts == template.contacts { vec![] } else { contacts };
    }
    if let Some(groups) = hostgroups {
        host.hostgroups = groups;
    }
    if let Some(parents) = parents {
        host.parents = parents;
    }
    if let Some(vars) = input.get("customvariables").and_then(Value::as_array) {
        host.vars = vars
            .iter()
            .filter_map(|var| {
                Some(Variable {
                    name: var.get("name").and_then(settings::loose_text)?,
                    value: var.get("value").and_then(settings::loose_text).unwrap_or_default(),
                    args: vec![],
                })
            })
            .collect();
    }
    for field in ["satellite_id", "host_type", "usage_flag"] {
        if let Some(value) = input.get(field).and_then(settings::loose_text).and_then(|text| crate::php::strict_int(&text)) {
            host.native.insert(settings::native_key(field), Value::from(value));
        }
    }
    if let Some(disabled) = input.get("disabled").and_then(settings::loose_text) {
        host.enabled = disabled != "1";
    }
    Ok(host)
}

/// `POST /hosts/add.json` `{"Host": {...}}` → `{"id": N}`.
pub async fn add(call: &Call<'_>) -> Answer {
    if !call.is_post() {
        return Ok(Reply::new(json!({})));
    }
    let input = call.model("Host");
    let scope = &call.principal.scope;
    let id = call
        .db()
        .write(call.actor(), |tx| {
            let host = host_from_input(&*tx, &input, None)?;
            if !scope.can_write(host.tenant) {
                return Err(errors::container_forbidden());
            }
            Ok::<_, rosetta_core::GatewayError>(tx.insert(host).meta.id)
        })
        .await?;
    Ok(Reply::id(id))
}

/// The edit form of a host: every column with template values merged in.
pub fn edit_object(store: &impl Read, host: &Host) -> Value {
    let effective = effective_map(store, host);
    let template = template_of(store, host);
    let mut map = Map::new();
    map.insert("id".to_owned(), json!(host.meta.id));
    map.insert("uuid".to_owned(), json!(host.meta.uuid.to_string()));
    map.insert("container_id".to_owned(), json!(host.tenant));
    map.insert("name".to_owned(), json!(host.name));
    map.insert("hosttemplate_id".to_owned(), json!(host.templates.first().copied().unwrap_or(0)));
    map.insert("address".to_owned(), json!(host.address));
    map.extend(effective);
    let contacts = if host.contacts.is_empty() {
        template.as_ref().map(|template| template.contacts.clone()).unwrap_or_default()
    } else {
        host.contacts.clone()
    };
    let settings = monitoring::effective_host_settings(store, host);
    let rest = json!({
        "own_contacts": i64::from(!host.contacts.is_empty()),
        "own_contactgroups": 0,
        "own_customvariables": i64::from(!host.vars.is_empty()),
        "satellite_id": native_int(host, "satellite_id", 0),
        "host_type": native_int(host, "host_type", 1),
        "disabled": i64::from(!host.enabled),
        "usage_flag": native_int(host, "usage_flag", 0),
        "created": crate::datefmt::format("Y-m-d H:i:s", Some(host.meta.created.secs()), 0),
        "modified": crate::datefmt::format("Y-m-d H:i:s", Some(host.meta.updated.secs()), 0),
        "hosts_to_containers_sharing": wire::ids(&container_ids(host)),
        "contacts": wire::ids(&contacts),
        "contactgroups": wire::ids(&[]),
        "hostgroups": wire::ids(&host.hostgroups),
        "parenthosts": wire::ids(&host.parents),
        "prometheus_exporters": wire::ids(&[]),
        "customvariables": host.vars.iter().map(|var| json!({"objecttype_id": 256, "name": var.name, "value": var.value})).collect::<Vec<_>>(),
        "hostcommandargumentvalues": command_arg_values(store, settings.command, settings.command_args.as_ref()),
    });
    if let Value::Object(rest) = rest {
        map.extend(rest);
    }
    Value::Object(map)
}

fn visible_host(call: &Call<'_>, id: Id, missing: &str) -> Result<(Arc<Host>, Visibility), rosetta_core::GatewayError> {
    let host = call.db().get::<Host>(id).ok_or_else(|| errors::not_found(missing))?;
    let vis = call.visibility();
    if !vis.can_see_host(&host) {
        return Err(errors::container_forbidden());
    }
    Ok((host, vis))
}

/// `GET|POST /hosts/edit/{id}.json`.
pub async fn edit(call: &Call<'_>) -> Answer {
    let id = call.id_arg("Invalid host")?;
    let (host, vis) = visible_host(call, id, "Invalid host")?;
    if !call.is_post() {
        if !call.angular() {
            return Ok(Reply::new(json!({})));
        }
        let db = call.db();
        let template = template_of(db.as_ref(), &host);
        let commands: Vec<Value> = db
            .all::<Command>()
            .iter()
            .filter(|command| command.kind == CommandKind::HostCheck)
            .map(|command| wire::key_value(command.meta.id, &command.name))
            .collect();
        return Ok(Reply::new(json!({
            "host": {"Host": edit_object(db.as_ref(), &host)},
            "commands": commands,
            "hosttemplate": {"Hosttemplate": template.map(|template| crate::endpoints::templates::host_template_object(db.as_ref(), &template))},
            "isPrimaryContainerChangeable": vis.can_change_host(&host),
            "allowSharing": true,
            "isHostOnlyEditableDueToHostSharing": false,
            "fakeDisplayContainers": [],
            "areContactsInheritedFromHosttemplate": host.contacts.is_empty(),
            "hostType": wire::host_type(),
        })));
    }
    if !vis.can_change_host(&host) {
        return Err(errors::container_forbidden());
    }
    let input = call.model("Host");
    if id_field(&input, "hosttemplate_id").is_none() {
        return Err(rosetta_core::GatewayError::internal("hosttemplate_id missing on edit"));
    }
    call.db()
        .write(call.actor(), |tx| {
            let current = tx.get::<Host>(id).ok_or_else(|| errors::not_found("Invalid host"))?;
            let updated = host_from_input(&*tx, &input, Some(&current))?;
            if updated.tenant != current.tenant && !call.principal.scope.can_write(updated.tenant) {
                return Err(errors::container_forbidden());
            }
            tx.update(updated);
            Ok::<_, rosetta_core::GatewayError>(())
        })
        .await?;
    Ok(Reply::id(id))
}

/// `POST /hosts/delete/{id}.json`: the host, its services and their status rows.
pub async fn delete(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let id = call.id_arg("Invalid host")?;
    let (host, vis) = visible_host(call, id, "Invalid host")?;
    if !vis.can_change_host(&host) {
        return Err(errors::container_forbidden());
    }
    call.db()
        .write(call.actor(), |tx| {
            let services: Vec<Id> = tx.children::<Service>(id).iter().map(|service| service.meta.id).collect();
            let mut targets: Vec<Target> = services.iter().map(|service| Target::Service(*service)).collect();
            targets.push(Target::Host(id));
            end_runtime(tx, &targets)?;
            for service in services {
                tx.delete::<ServiceStatus>(service);
                tx.delete::<Service>(service);
            }
            tx.delete::<HostStatus>(id);
            tx.delete::<Host>(id);
            Ok::<_, rosetta_core::GatewayError>(())
        })
        .await?;
    Ok(Reply::success())
}

/// Cancels the unfinished downtimes and ends the acknowledgements of `targets` (before they are
/// deleted, so the downtime ticker never meets a downtime of a missing object).
pub fn end_runtime(tx: &mut rosetta_store::Tx<'_>, targets: &[Target]) -> Result<(), rosetta_core::GatewayError> {
    let now = tx.now();
    let open: Vec<Id> = tx
        .all::<Downtime>()
        .iter()
        .filter(|downtime| targets.contains(&downtime.target) && !downtime.is_finished(now))
        .map(|downtime| downtime.meta.id)
        .collect();
    for downtime in open {
        monitoring::cancel_downtime(tx, downtime, crate::call::DIALECT)?;
    }
    for target in targets {
        monitoring::unacknowledge(tx, *target)?;
    }
    Ok(())
}

async fn set_enabled(call: &Call<'_>, enabled: bool) -> Answer {
    let id = call.id_arg("Invalid host")?;
    call.db().get::<Host>(id).ok_or_else(|| errors::not_found("Invalid host"))?;
    call.require_post()?;
    call.db()
        .write(call.actor(), |tx| {
            let host = tx.get::<Host>(id).ok_or_else(|| errors::not_found("Invalid host"))?;
            let mut changed = (*host).clone();
            changed.enabled = enabled;
            tx.update(changed);
            for service in tx.children::<Service>(id) {
                let mut changed = (*service).clone();
                changed.enabled = enabled;
                tx.update(changed);
            }
            Ok::<_, rosetta_core::GatewayError>(())
        })
        .await?;
    Ok(Reply::success())
}

/// `POST /hosts/deactivate/{id}.json`.
pub async fn deactivate(call: &Call<'_>) -> Answer {
    set_enabled(call, false).await
}

/// `POST /hosts/enable/{id}.json`.
pub async fn enable(call: &Call<'_>) -> Answer {
    set_enabled(call, true).await
}

/// `GET /hosts/loadHostsByString.json?angular=true&filter[Hosts.name]=…` (max 150).
pub async fn load_hosts_by_string(call: &Call<'_>) -> Answer {
    call.require_angular()?;
    let needle = call.param("filter[Hosts.name]").unwrap_or_default().to_lowercase();
    let include_disabled = call.param("includeDisabled").is_some_and(crate::php::is_truthy);
    let selected: Vec<Id> = call
        .query
        .iter()
        .filter(|(key, _)| key.starts_with("selected"))
        .filter_map(|(_, value)| crate::php::strict_int(value))
        .collect();
    let vis = call.visibility();
    let mut hosts: Vec<Arc<Host>> = vis
        .hosts(call.db().as_ref())
        .into_iter()
        .filter(|host| include_disabled || host.enabled)
        .filter(|host| selected.contains(&host.meta.id) || needle.is_empty() || host.name.to_lowercase().contains(&needle))
        .collect();
    hosts.sort_by_key(|host| host.name.to_lowercase());
    let list: Vec<Value> = hosts.iter().take(150).map(|host| wire::key_value(host.meta.id, &host.name)).collect();
    Ok(Reply::new(json!({"hosts": list})))
}

fn raw_entity(store: &impl Read, host: &Host) -> Value {
    let mut entity = edit_object(store, host);
    if let Some(map) = entity.as_object_mut() {
        map.insert("hosts_to_containers_sharing".to_owned(), json!(container_ids(host).iter().map(|id| json!({"id": id})).collect::<Vec<_>>()));
    }
    entity
}

/// `GET /hosts/byUuid/{uuid}.json`.
pub async fn by_uuid(call: &Call<'_>) -> Answer {
    let uuid = call.args.first().cloned().unwrap_or_default();
    let db = call.db();
    let host = db
        .all::<Host>()
        .into_iter()
        .find(|host| host.meta.uuid.to_string().eq_ignore_ascii_case(&uuid))
        .ok_or_else(|| errors::not_found("Host not found"))?;
    if !call.visibility().can_see_host(&host) {
        return Err(errors::container_forbidden());
    }
    Ok(Reply::new(json!({"host": raw_entity(db.as_ref(), &host)})))
}

/// `GET /hosts/view/{id}.json`.
pub async fn view(call: &Call<'_>) -> Answer {
    let id = call.id_arg("Invalid host")?;
    let (host, _) = visible_host(call, id, "Invalid host")?;
    let db = call.db();
    let status = db.get::<HostStatus>(id).map_or(Value::Null, |status| {
        let check = &status.check;
        json!({"current_state": check.state.code(), "output": check.output, "last_check": check.last_check.secs(),
               "last_state_change": check.last_state_change.secs(), "problem_has_been_acknowledged": check.is_acknowledged(),
               "scheduled_downtime_depth": check.downtime_depth, "is_hardstate": check.state_type == StateType::Hard})
    });
    Ok(Reply::new(json!({"host": raw_entity(db.as_ref(), &host), "hoststatus": status})))
}
