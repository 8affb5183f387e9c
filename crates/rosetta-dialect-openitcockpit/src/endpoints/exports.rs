//! `/exports/*` (spec §6.5): "Refresh monitoring configuration" is the shared reload, started by
//! `launchExport` and finished asynchronously after `settings.reload_duration`.

use rosetta_core::{monitoring, ErrorKind, GatewayError};
use rosetta_model::ConfigStatus;
use serde_json::{json, Value};

use crate::call::{Answer, Call, Reply};
use crate::errors;

const SUCCESS: &str = "Refresh of monitoring configuration successfully!";

fn tasks(call: &Call<'_>, status: &ConfigStatus) -> Vec<Value> {
    let running = status.reload_started.is_some();
    if !running && status.reloads == 0 {
        return vec![];
    }
    let started = status.reload_started.unwrap_or(status.last_reload);
    let time = |at| crate::datefmt::format("H:i:s", Some(rosetta_model::Timestamp::secs(at)), call.ctx.app.settings.utc_offset_secs);
    let steps = [
        ("export_started", "Started refresh of monitoring configuration", true),
        ("export_create_backup", "Create Backup of current configuration", true),
        ("export_delete_old_configuration", "Delete old configuration", true),
        ("export_verify_new_configuration", "Verifying new configuration", !running),
        ("export_reload_monitoring", "Reloading monitoring engine", !running),
        ("export_finished", "Refresh of monitoring configuration finished", !running),
    ];
    steps
        .iter()
        .enumerate()
        .filter(|(_, (task, _, done))| *done || *task != "export_finished")
        .map(|(index, (task, text, done))| {
            json!({"id": index + 1, "task": task, "text": text, "finished": i64::from(*done), "successfully": i64::from(*done),
                   "created": time(started), "modified": time(if *done { status.last_reload.max(started) } else { started })})
        })
        .collect()
}

/// `GET /exports/index.json`.
pub async fn index(call: &Call<'_>) -> Answer {
    let status = call.db().get::<ConfigStatus>(1).map(|status| (*status).clone());
    let running = status.as_ref().is_some_and(|status| status.reload_started.is_some());
    let tasks = status.as_ref().map(|status| tasks(call, status)).unwrap_or_default();
    Ok(Reply::new(json!({
        "gearmanReachable": true,
        "isGearmanWorkerRunning": true,
        "exportRunning": running,
        "tasks": tasks,
        "useSingleInstanceSync": false,
        "satellites": [],
    })))
}

/// `POST /exports/launchExport.json?angular=true` → `{"success": true}`; the reload finishes in the
/// background; a running export is a 500 as in the product.
pub async fn launch(call: &Call<'_>) -> Answer {
    call.require_post()?;
    call.require_angular()?;
    call.db()
        .write(call.actor(), monitoring::start_reload)
        .await
        .map_err(|err| if err.kind == ErrorKind::Conflict { errors::internal_message("Export already running!") } else { err })?;
    let db = std::sync::Arc::clone(call.db());
    let actor = call.actor();
    let delay = call.ctx.app.settings.reload_duration;
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        // A failure leaves the export "running"; the next launchExport reports it like the product.
        let _: Result<ConfigStatus, GatewayError> = db.write(actor, monitoring::finish_reload).await;
    });
    Ok(Reply::success())
}

/// `GET /exports/broadcast.json`: export progress.
pub async fn broadcast(call: &Call<'_>) -> Answer {
    let status = call.db().get::<ConfigStatus>(1).map(|status| (*status).clone());
    let finished = status.as_ref().is_none_or(|status| status.reload_started.is_none());
    let tasks = status.as_ref().map(|status| tasks(call, status)).unwrap_or_default();
    Ok(Reply::new(json!({
        "tasks": tasks,
        "exportFinished": finished,
        "exportSuccessfully": finished,
        "successMessage": SUCCESS,
    })))
}

/// `POST /exports/verifyConfig.json?angular=true`.
pub async fn verify(call: &Call<'_>) -> Answer {
    call.require_angular()?;
    Ok(Reply::new(json!({"result": {
        "nagios": {"hasError": false, "output": ["Things look okay - No serious problems were detected during the pre-flight check"]},
        "prometheus": {"hasError": false, "output": []},
    }})))
}
