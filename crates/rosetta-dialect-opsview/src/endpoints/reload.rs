//! `/rest/reload` (spec §7.6): the configuration status, and starting a reload (synchronous, or
//! `asynchronous=1`), with 409 while one is running. The reload itself is the shared
//! `monitoring::start_reload` / `finish_reload`.

use rosetta_core::monitoring;
use rosetta_core::{ErrorKind, GatewayError, Response};
use rosetta_model::{AuditEntry, ConfigStatus, Permission};
use rosetta_store::Db;
use serde_json::{json, Value};

use super::Env;
use crate::call::truthy;

/// The status hash (every value is written as a string).
pub fn status_body(db: &Db) -> Value {
    let Some(status) = db.get::<ConfigStatus>(1) else {
        return json!({"server_status": 0, "configuration_status": "uptodate", "average_duration": 10,
                      "lastupdated": 0, "auditlog_entries": 0, "messages": []});
    };
    let average_secs = (status.average_duration_ms + 999) / 1000;
    let average = (average_secs.max(1) + 9) / 10 * 10;
    let lastupdated = if status.last_change.is_zero() { status.last_reload } else { status.last_change };
    let audit_since = db
        .all::<AuditEntry>()
        .iter()
        .filter(|entry| entry.time > status.last_reload)
        .filter(|entry| matches!(entry.action.as_str(), "create" | "update" | "delete"))
        .count();
    json!({
        "server_status": if status.reload_started.is_some() { 1 } else { 0 },
        "configuration_status": if status.pending { "pending" } else { "uptodate" },
        "average_duration": average,
        "lastupdated": lastupdated.secs(),
        "auditlog_entries": audit_since,
        "messages": [],
    })
}

/// `GET /rest/reload`.
pub fn status(env: &Env<'_>) -> Result<Response, GatewayError> {
    env.require(&[Permission::ReloadView, Permission::ReloadAccess])?;
    env.ok(status_body(env.db()))
}

/// `POST /rest/reload`: synchronous by default, `asynchronous=1` returns at once.
pub async fn start(env: &Env<'_>) -> Result<Response, GatewayError> {
    env.require(&[Permission::ReloadAccess])?;
    let actor = env.actor();
    env.db().write(actor.clone(), monitoring::start_reload).await.map_err(|err| {
        if err.kind == ErrorKind::Conflict {
            err.with_fields(json!({"server_status": "1", "messages": ["Reload already running"]}))
        } else {
            err
        }
    })?;
    let db = std::sync::Arc::clone(&env.ctx.app.db);
    let duration = env.ctx.app.settings.reload_duration;
    let asynchronous = truthy(env.call.merged_params().last("asynchronous"));
    // The finishing step runs in its own task so that a synchronous caller who goes away (or times
    // out) never leaves the reload marked as running.
    let finishing = tokio::spawn(async move {
        tokio::time::sleep(duration).await;
        let result = db.write(actor, monitoring::finish_reload).await;
        if let Err(err) = &result {
            tracing::error!(error = %err, "configuration reload failed");
        }
        result.map(|_| ())
    });
    if !asynchronous {
        finishing.await.map_err(|err| GatewayError::internal(err.to_string()))??;
    }
    env.ok(status_body(env.db()))
}
