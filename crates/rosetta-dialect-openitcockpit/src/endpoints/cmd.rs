//! `/nagios_module/cmd/*` (spec §6.1): external commands, applied through the shared monitoring
//! semantics (acknowledgements, downtimes, check results) instead of a Gearman queue.

use std::sync::Arc;

use rosetta_core::monitoring::{self, AckRequest, CheckResult, DowntimeRequest};
use rosetta_core::visibility::Visibility;
use rosetta_core::{ErrorKind, GatewayError};
use rosetta_model::*;
use rosetta_store::{Read, Tx};
use serde_json::{json, Map, Value};

use crate::call::{Answer, Call, Reply, DIALECT};
use crate::errors;
use crate::settings::loose_text;

/// Supported commands with their defaults (`null` = required).
fn defaults(command: &str) -> Option<Value> {
    let ack = json!({"hostUuid": null, "sticky": 0, "notify": 1, "persistent": 1, "author": null, "comment": null});
    let svc_ack = json!({"hostUuid": null, "serviceUuid": null, "sticky": 0, "notify": 1, "persistent": 1, "author": null, "comment": null});
    let host_downtime = json!({"hostUuid": null, "start_time": null, "end_time": null, "fixed": 1, "trigger_id": 0, "duration": 0, "author": null, "comment": null});
    let svc_downtime = json!({"hostUuid": null, "serviceUuid": null, "start_time": null, "end_time": null, "fixed": 1, "trigger_id": 0, "duration": 0, "author": null, "comment": null});
    let host = json!({"hostUuid": null});
    let service = json!({"hostUuid": null, "serviceUuid": null});
    Some(match command {
        "ACKNOWLEDGE_HOST_PROBLEM" => ack,
        "ACKNOWLEDGE_SVC_PROBLEM" => svc_ack,
        "REMOVE_HOST_ACKNOWLEDGEMENT" => host,
        "REMOVE_SVC_ACKNOWLEDGEMENT" => service,
        "SCHEDULE_HOST_DOWNTIME" | "SCHEDULE_HOST_SVC_DOWNTIME" | "SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME"
        | "SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME" => host_downtime,
        "SCHEDULE_SVC_DOWNTIME" => svc_downtime,
        "DEL_HOST_DOWNTIME" => json!({"downtime_id": null, "include_services": 1}),
        "DEL_SVC_DOWNTIME" => json!({"downtime_id": null}),
        "SCHEDULE_FORCED_HOST_CHECK" | "SCHEDULE_FORCED_HOST_SVC_CHECKS" => json!({"hostUuid": null, "check_time": 0}),
        "SCHEDULE_FORCED_SVC_CHECK" => json!({"hostUuid": null, "serviceUuid": null, "check_time": 0}),
        "PROCESS_HOST_CHECK_RESULT" => json!({"hostUuid": null, "status_code": null, "plugin_output": null, "long_output": ""}),
        "PROCESS_SERVICE_CHECK_RESULT" => {
            json!({"hostUuid": null, "serviceUuid": null, "status_code": null, "plugin_output": null, "long_output": ""})
        }
        "SEND_CUSTOM_HOST_NOTIFICATION" => json!({"hostUuid": null, "options": 0, "author": null, "comment": null}),
        "SEND_CUSTOM_SVC_NOTIFICATION" => json!({"hostUuid": null, "serviceUuid": null, "options": 0, "author": null, "comment": null}),
        "ENABLE_HOST_CHECK" | "DISABLE_HOST_CHECK" | "ENABLE_HOST_NOTIFICATIONS" | "DISABLE_HOST_NOTIFICATIONS"
        | "ENABLE_HOST_SVC_NOTIFICATIONS" | "DISABLE_HOST_SVC_NOTIFICATIONS" | "ENABLE_HOST_FLAP_DETECTION"
        | "DISABLE_HOST_FLAP_DETECTION" => host,
        "ENABLE_SVC_CHECK" | "DISABLE_SVC_CHECK" | "ENABLE_SVC_NOTIFICATIONS" | "DISABLE_SVC_NOTIFICATIONS"
        | "ENABLE_SVC_FLAP_DETECTION" | "DISABLE_SVC_FLAP_DETECTION" => service,
        "ENABLE_NOTIFICATIONS" | "DISABLE_NOTIFICATIONS" | "ENABLE_FLAP_DETECTION" | "DISABLE_FLAP_DETECTION"
        | "ENABLE_SERVICE_FRESHNESS_CHECKS" | "DISABLE_SERVICE_FRESHNESS_CHECKS" => json!({}),
        _ => return None,
    })
}

/// `GET /nagios_module/cmd/index.json`.
pub async fn index(_call: &Call<'_>) -> Answer {
    let names = [
        "ACKNOWLEDGE_HOST_PROBLEM", "ACKNOWLEDGE_SVC_PROBLEM", "REMOVE_HOST_ACKNOWLEDGEMENT", "REMOVE_SVC_ACKNOWLEDGEMENT",
        "SCHEDULE_HOST_DOWNTIME", "SCHEDULE_HOST_SVC_DOWNTIME", "SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME",
        "SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME", "SCHEDULE_SVC_DOWNTIME", "DEL_HOST_DOWNTIME", "DEL_SVC_DOWNTIME",
        "SCHEDULE_FORCED_HOST_CHECK", "SCHEDULE_FORCED_HOST_SVC_CHECKS", "SCHEDULE_FORCED_SVC_CHECK",
        "PROCESS_HOST_CHECK_RESULT", "PROCESS_SERVICE_CHECK_RESULT", "SEND_CUSTOM_HOST_NOTIFICATION",
        "SEND_CUSTOM_SVC_NOTIFICATION",
    ];
    let commands: Map<String, Value> =
        names.iter().filter_map(|name| Some(((*name).to_owned(), defaults(name)?))).collect();
    Ok(Reply::new(json!({"externalCommands": commands})))
}

/// The host named by UUID or name among the hosts the principal may act on; others are unknown to it.
fn resolve_host(store: &impl Read, vis: &Visibility, text: &str) -> Result<Arc<Host>, GatewayError> {
    let hosts: Vec<Arc<Host>> = store
        .all::<Host>()
        .into_iter()
        .filter(|host| vis.can_see_host(host) && (vis.can_act_on_host(host) || vis.can_downtime_host(host)))
        .collect();
    hosts
        .iter()
        .find(|host| host.meta.uuid.to_string().eq_ignore_ascii_case(text))
        .or_else(|| hosts.iter().find(|host| host.name == text))
        .cloned()
        .ok_or_else(|| errors::bad_request(&format!("CmdController: Could not resolve hostname \"{text}\" into a UUID")))
}

fn resolve_service(store: &impl Read, host: &Host, text: &str) -> Result<Arc<Service>, GatewayError> {
    let services: Vec<Arc<Service>> = store.children::<Service>(host.meta.id);
    services
        .iter()
        .find(|service| service.meta.uuid.to_string().eq_ignore_ascii_case(text))
        .or_else(|| services.iter().find(|service| monitoring::service_name(store, service) == text))
        .cloned()
        .ok_or_else(|| errors::bad_request(&format!("CmdController: Could not resolve servicename \"{text}\" into a UUID")))
}

fn arg_text(args: &Map<String, Value>, key: &str) -> String {
    args.get(key).and_then(loose_text).unwrap_or_default()
}

fn arg_int(args: &Map<String, Value>, key: &str) -> Result<i64, GatewayError> {
    crate::php::strict_int(&arg_text(args, key)).ok_or_else(|| errors::bad_request(&format!("{key} is missing or not a number")))
}

/// What an external command does to the store, in one transaction.
fn apply(tx: &mut Tx<'_>, vis: &Visibility, command: &str, args: &Map<String, Value>, author: &str) -> Result<(), GatewayError> {
    let who = || Some(arg_text(args, "author")).filter(|name| !name.is_empty()).unwrap_or_else(|| author.to_owned());
    let host = || resolve_host(&*tx, vis, &arg_text(args, "hostUuid"));
    match command {
        "ACKNOWLEDGE_HOST_PROBLEM" | "ACKNOWLEDGE_SVC_PROBLEM" => {
            let host = host()?;
            let target = if command == "ACKNOWLEDGE_SVC_PROBLEM" {
                Target::Service(resolve_service(&*tx, &host, &arg_text(args, "serviceUuid"))?.meta.id)
            } else {
                Target::Host(host.meta.id)
            };
            monitoring::acknowledge(
                tx,
                AckRequest {
                    target,
                    author: who(),
                    comment: arg_text(args, "comment"),
                    sticky: crate::php::is_truthy(&arg_text(args, "sticky")),
                    notify: crate::php::is_truthy(&arg_text(args, "notify")),
                    persistent: crate::php::is_truthy(&arg_text(args, "persistent")),
                    dialect: DIALECT.to_owned(),
                },
            )?;
        }
        "REMOVE_HOST_ACKNOWLEDGEMENT" => {
            let host = host()?;
            monitoring::unacknowledge(tx, Target::Host(host.meta.id))?;
        }
        "REMOVE_SVC_ACKNOWLEDGEMENT" => {
            let host = host()?;
            let service = resolve_service(&*tx, &host, &arg_text(args, "serviceUuid"))?;
            monitoring::unacknowledge(tx, Target::Service(service.meta.id))?;
        }
        "SCHEDULE_HOST_DOWNTIME" | "SCHEDULE_HOST_SVC_DOWNTIME" | "SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME"
        | "SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME" | "SCHEDULE_SVC_DOWNTIME" => {
            let host = host()?;
            let start = Timestamp::from_secs(arg_int(args, "start_time")?);
            let end = Timestamp::from_secs(arg_int(args, "end_time")?);
            let fixed = arg_text(args, "fixed") != "0";
            let mut targets = vec![];
            if command == "SCHEDULE_SVC_DOWNTIME" {
                targets.push(Target::Service(resolve_service(&*tx, &host, &arg_text(args, "serviceUuid"))?.meta.id));
            } else {
                targets.push(Target::Host(host.meta.id));
                if command == "SCHEDULE_HOST_SVC_DOWNTIME" {
                    targets.extend(
                        tx.children::<Service>(host.meta.id).iter().map(|service| Target::Service(service.meta.id)),
                    );
                }
            }
            let mut group = None;
            for target in targets {
                let downtime = monitoring::schedule_downtime(
                    tx,
                    DowntimeRequest {
                        target,
                        start,
                        end,
                        fixed,
                        author: who(),
                        comment: arg_text(args, "comment"),
                        group,
                        dialect: DIALECT.to_owned(),
                    },
                )
                .map_err(|err| if err.kind == ErrorKind::BadRequest { errors::bad_request(&err.message) } else { err })?;
                if group.is_none() && command == "SCHEDULE_HOST_SVC_DOWNTIME" {
                    group = Some(downtime.meta.id);
                    let mut first = (*downtime).clone();
                    first.group = group;
                    tx.update(first);
                }
            }
        }
        "DEL_HOST_DOWNTIME" | "DEL_SVC_DOWNTIME" => {
            let id = arg_int(args, "downtime_id")?;
            let include = command == "DEL_HOST_DOWNTIME" && arg_text(args, "include_services") != "0";
            cancel(tx, id, include)?;
        }
        "PROCESS_HOST_CHECK_RESULT" | "PROCESS_SERVICE_CHECK_RESULT" => {
            let host = host()?;
            let code = arg_int(args, "status_code")?;
            let (target, state) = if command == "PROCESS_SERVICE_CHECK_RESULT" {
                let service = resolve_service(&*tx, &host, &arg_text(args, "serviceUuid"))?;
                let state = ServiceState::from_code(code).ok_or_else(|| errors::bad_request("Invalid status_code"))?;
                (Target::Service(service.meta.id), StateValue::Service(state))
            } else {
                let state = HostState::from_code(code).ok_or_else(|| errors::bad_request("Invalid status_code"))?;
                (Target::Host(host.meta.id), StateValue::Host(state))
            };
            let mut result = CheckResult::new(target, state, DIALECT);
            result.output = arg_text(args, "plugin_output");
            result.long_output = arg_text(args, "long_output");
            result.native = Some(NativeState { product: Product::Openitcockpit, value: code.to_string() });
            monitoring::submit_result(tx, result)?;
        }
        other => {
            if args.contains_key("hostUuid") {
                host()?;
            }
            tx.audit("command", None, None, format!("external command {other} accepted (no effect in Rosetta)"));
        }
    }
    Ok(())
}

/// Cancels a downtime (and, with `include_group`, the downtimes created with it). Returns whether
/// it existed and was not over.
pub fn cancel(tx: &mut Tx<'_>, id: Id, include_group: bool) -> Result<bool, GatewayError> {
    let Some(downtime) = tx.get::<Downtime>(id) else {
        return Ok(false);
    };
    let cancelled = monitoring::cancel_downtime(tx, id, DIALECT)?;
    if include_group {
        if let Some(group) = downtime.group {
            let siblings: Vec<Id> =
                tx.all::<Downtime>().iter().filter(|other| other.group == Some(group) && other.meta.id != id).map(|other| other.meta.id).collect();
            for sibling in siblings {
                monitoring::cancel_downtime(tx, sibling, DIALECT)?;
            }
        }
    }
    Ok(cancelled)
}

/// Merges the request's parameters over the command's defaults; 400 when a required one is missing.
fn merged_args(command: &str, given: &Map<String, Value>) -> Result<Map<String, Value>, GatewayError> {
    let defaults = defaults(command).ok_or_else(|| errors::not_found("Command not found"))?;
    let mut merged = defaults.as_object().cloned().unwrap_or_default();
    for (key, value) in given {
        if key != "command" && key != "apikey" && key != "angular" {
            merged.insert(key.clone(), value.clone());
        }
    }
    if let Some((key, _)) = merged.iter().find(|(_, value)| value.is_null()) {
        return Err(errors::bad_request(&format!("{key} is missing")));
    }
    Ok(merged)
}

/// `GET|POST /nagios_module/cmd/submit.json?command=…`.
pub async fn submit(call: &Call<'_>) -> Answer {
    let given: Map<String, Value> = if call.is_post() && call.body.is_object() {
        call.body_object()
    } else {
        call.query.iter().map(|(key, value)| (key.clone(), Value::from(value.clone()))).collect()
    };
    let command = given
        .get("command")
        .and_then(loose_text)
        .or_else(|| call.param("command").map(str::to_owned))
        .filter(|command| !command.is_empty())
        .ok_or_else(|| errors::bad_request("Bad Request"))?;
    let args = merged_args(&command, &given)?;
    let author = call.principal.user.fullname.clone();
    let (name, applied) = (command.clone(), args.clone());
    let vis = call.visibility();
    call.db().write(call.actor(), move |tx| apply(tx, &vis, &name, &applied, &author)).await?;
    Ok(Reply::new(json!({"message": "Command added successfully to queue", "command": command, "args": args})))
}

fn bulk_item(tx: &mut Tx<'_>, vis: &Visibility, item: &Map<String, Value>, author: &str) -> Result<(), GatewayError> {
    let text = |key: &str| arg_text(item, key);
    let mut args = Map::new();
    let mut put = |key: &str, value: Value| {
        args.insert(key.to_owned(), value);
    };
    put("hostUuid", Value::from(text("hostUuid")));
    put("serviceUuid", Value::from(text("serviceUuid")));
    put("author", Value::from(text("author")));
    put("comment", Value::from(text("comment")));
    let command = match text("command").as_str() {
        "submitHoststateAck" => {
            put("sticky", Value::from(text("sticky")));
            put("notify", Value::from(text("notify")));
            put("persistent", Value::from("1"));
            if text("hostAckType") == "hostAndServices" {
                let host = resolve_host(&*tx, vis, &text("hostUuid"))?;
                for service in tx.children::<Service>(host.meta.id) {
                    let mut service_args = args.clone();
                    service_args.insert("serviceUuid".to_owned(), Value::from(service.meta.uuid.to_string()));
                    apply(tx, vis, "ACKNOWLEDGE_SVC_PROBLEM", &service_args, author)?;
                }
            }
            "ACKNOWLEDGE_HOST_PROBLEM"
        }
        "submitServicestateAck" => {
            put("sticky", Value::from(text("sticky")));
            put("notify", Value::from(text("notify")));
            put("persistent", Value::from("1"));
            "ACKNOWLEDGE_SVC_PROBLEM"
        }
        kind @ ("submitHostDowntime" | "submitServiceDowntime") => {
            put("start_time", Value::from(text("start")));
            put("end_time", Value::from(text("end")));
            put("fixed", Value::from("1"));
            match (kind, text("downtimetype").as_str()) {
                ("submitServiceDowntime", _) => "SCHEDULE_SVC_DOWNTIME",
                (_, "1") => "SCHEDULE_HOST_SVC_DOWNTIME",
                _ => "SCHEDULE_HOST_DOWNTIME",
            }
        }
        "rescheduleHost" => "SCHEDULE_FORCED_HOST_CHECK",
        "rescheduleService" => "SCHEDULE_FORCED_SVC_CHECK",
        kind @ ("commitPassiveResult" | "commitPassiveServiceResult") => {
            put("status_code", Value::from(text("status_code")));
            put("plugin_output", Value::from(text("plugin_output")));
            put("long_output", Value::from(text("long_output")));
            if kind == "commitPassiveResult" {
                "PROCESS_HOST_CHECK_RESULT"
            } else {
                "PROCESS_SERVICE_CHECK_RESULT"
            }
        }
        _ => "UNSUPPORTED",
    };
    if command == "UNSUPPORTED" {
        return Err(errors::bad_request("Could not send command"));
    }
    apply(tx, vis, command, &args, author)
}

/// `POST /nagios_module/cmd/submit_bulk_naemon.json` with a JSON array of UI commands.
pub async fn submit_bulk_naemon(call: &Call<'_>) -> Answer {
    call.require_post()?;
    let items: Vec<Map<String, Value>> = match &call.body {
        Value::Array(items) => items.iter().map(|item| item.as_object().cloned().ok_or_else(|| errors::bad_request("Could not send command"))).collect::<Result<_, _>>()?,
        Value::Object(map) => map.values().map(|item| item.as_object().cloned().ok_or_else(|| errors::bad_request("Could not send command"))).collect::<Result<_, _>>()?,
        _ => return Err(errors::bad_request("Bad Request")),
    };
    let author = call.principal.user.fullname.clone();
    let vis = call.visibility();
    call.db()
        .write(call.actor(), move |tx| {
            for item in &items {
                bulk_item(tx, &vis, item, &author).map_err(|err| {
                    if err.kind == ErrorKind::Internal { err } else { errors::bad_request("Could not send command").with_cause(err.message) }
                })?;
            }
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(Reply::new(json!({"message": "Commands added successfully to queue"})))
}
