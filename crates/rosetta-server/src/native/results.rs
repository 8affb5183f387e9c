//! `POST /api/v1/results`: passive check results in batches, applied all or nothing.

use http::StatusCode;
use rosetta_core::monitoring::{self, CheckResult};
use rosetta_core::request::{json, read_body};
use rosetta_core::visibility::Visibility;
use rosetta_core::{GatewayError, Request, RequestContext, Response};
use rosetta_model::{Host, HostState, NativeState, Product, Service, ServiceState, StateValue, Target};
use rosetta_store::Tx;
use serde_json::json;

/// `POST /api/v1/results`: a batch of passive check results, applied all or nothing.
///
/// Body: `{"results": [{"host": "web1", "service": "HTTP", "state": "critical", "output": "...",
/// "perfdata": "...", "long_output": "..."}]}` (or the bare list). `state` is a name (`ok`, `down`, ...)
/// or a Nagios code; without `service` the result is for the host.
pub(super) async fn results(ctx: &RequestContext, request: Request) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?.clone();
    let body = read_body(request.into_body(), ctx.app.settings.max_body_bytes).await?;
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|err| GatewayError::bad_request(format!("The body is not valid JSON: {err}")))?;
    let items = match &value {
        serde_json::Value::Array(items) => items.clone(),
        serde_json::Value::Object(map) => match map.get("results") {
            Some(serde_json::Value::Array(items)) => items.clone(),
            _ => return Err(GatewayError::bad_request("Expected {\"results\": [...]}")),
        },
        _ => return Err(GatewayError::bad_request("Expected {\"results\": [...]}")),
    };
    let actor = ctx.actor("native");
    let (accepted, changed) = ctx
        .app
        .db
        .write(actor, |tx: &mut Tx<'_>| {
            let visibility = Visibility::new(&principal, tx);
            let mut changed = 0;
            for (idx, item) in items.iter().enumerate() {
                let result = parse_result(tx, item).map_err(|message| {
                    GatewayError::bad_request(format!("results[{idx}]: {message}"))
                })?;
                let host_id = match result.target {
                    Target::Host(id) => id,
                    Target::Service(id) => tx.get::<Service>(id).map_or(0, |service| service.host),
                };
                let allowed = tx.get::<Host>(host_id).is_some_and(|host| visibility.can_act_on_host(&host));
                if !allowed {
                    return Err(GatewayError::forbidden(format!("results[{idx}]: not allowed to submit results for this object")));
                }
                if monitoring::submit_result(tx, result)?.state_changed {
                    changed += 1;
                }
            }
            Ok::<_, GatewayError>((items.len(), changed))
        })
        .await?;
    Ok(json(StatusCode::OK, &json!({"accepted": accepted, "state_changes": changed})))
}

fn parse_result(tx: &Tx<'_>, item: &serde_json::Value) -> Result<CheckResult, String> {
    let text = |key: &str| item.get(key).and_then(|value| value.as_str()).unwrap_or_default().to_owned();
    let host_name = item.get("host").and_then(|value| value.as_str()).ok_or("`host` is required")?;
    let host = tx.find_by_name::<Host>(host_name).ok_or_else(|| format!("no host named {host_name}"))?;
    let service_name = item.get("service").and_then(|value| value.as_str()).filter(|name| !name.is_empty());
    let raw_state = item.get("state").ok_or("`state` is required")?;
    let state_text = match raw_state {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Number(number) => number.to_string(),
        _ => return Err("`state` must be a name or a number".to_owned()),
    };
    let code = state_text.parse::<i64>().ok();
    let (target, state) = match service_name {
        Some(name) => {
            let service = tx
                .children::<Service>(host.meta.id)
                .into_iter()
                .find(|service| monitoring::service_name(tx, service) == name)
                .ok_or_else(|| format!("host {host_name} has no service named {name}"))?;
            let state = code
                .and_then(ServiceState::from_code)
                .or_else(|| ServiceState::from_name(&state_text))
                .ok_or_else(|| format!("`{state_text}` is not a service state"))?;
            (Target::Service(service.meta.id), StateValue::Service(state))
        }
        None => {
            let state = code
                .and_then(HostState::from_code)
                .or_else(|| HostState::from_name(&state_text))
                .ok_or_else(|| format!("`{state_text}` is not a host state"))?;
            (Target::Host(host.meta.id), StateValue::Host(state))
        }
    };
    let mut result = CheckResult::new(target, state, "native");
    result.output = text("output");
    result.long_output = text("long_output");
    result.perfdata = text("perfdata");
    result.native = Some(NativeState { product: Product::Native, value: state_text });
    Ok(result)
}
