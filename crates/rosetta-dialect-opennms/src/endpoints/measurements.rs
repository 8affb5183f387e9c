//! Measurements (`GET /rest/measurements/{resource}/{attribute}`, `POST /rest/measurements`) over the
//! perfdata of the last check result: Rosetta keeps no time series, so an attribute has one sample,
//! its latest value at the time of its result, returned when that time lies in the requested window.

use std::collections::BTreeSet;

use rosetta_core::{GatewayError, Response};
use rosetta_model::Timestamp;
use serde_json::Value;

use crate::call::Call;
use crate::endpoints::resources::{node_resource_id, resolve, Resolved};
use crate::wire::{Obj, Val};

/// Default window: the last four hours, in 5-minute steps (Horizon's defaults).
const DEFAULT_START: i64 = -14_400_000;
const DEFAULT_STEP: i64 = 300_000;

/// One source of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Source {
    label: String,
    resource: String,
    attribute: String,
    transient: bool,
}

/// A query: window, step, sources, and whether unknown attributes are tolerated.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    start: i64,
    end: i64,
    step: i64,
    relaxed: bool,
    sources: Vec<Source>,
}

/// Absolute window: `end <= 0` is relative to now, a negative `start` relative to `end`.
fn window(start: i64, end: i64, now: i64) -> (i64, i64) {
    let end = if end <= 0 { now.saturating_add(end) } else { end };
    let start = if start < 0 { end.saturating_add(start) } else { start };
    (start, end)
}

fn number(value: Option<&Value>, default: i64) -> Result<i64, GatewayError> {
    match value {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Number(number)) => {
            number.as_i64().ok_or_else(|| GatewayError::bad_request(format!("Invalid number {number}")))
        }
        Some(Value::String(text)) => {
            text.trim().parse().map_err(|_| GatewayError::bad_request(format!("Invalid number {text:?}")))
        }
        Some(other) => Err(GatewayError::bad_request(format!("Invalid number {other}"))),
    }
}

/// Reads a `POST /rest/measurements` JSON body.
fn parse_query(body: &[u8]) -> Result<Query, GatewayError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| GatewayError::bad_request(format!("Invalid measurements query: {err}")))?;
    let text = |item: &Value, key: &str| item.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut sources = Vec::new();
    for (index, item) in value.get("source").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let source = Source {
            label: text(item, "label"),
            resource: text(item, "resourceId"),
            attribute: text(item, "attribute"),
            transient: item.get("transient").and_then(Value::as_bool).unwrap_or(false),
        };
        if source.resource.is_empty() || source.attribute.is_empty() {
            return Err(GatewayError::bad_request(format!("source[{index}] needs resourceId and attribute")));
        }
        sources.push(source);
    }
    Ok(Query {
        start: number(value.get("start"), DEFAULT_START)?,
        end: number(value.get("end"), 0)?,
        step: number(value.get("step"), DEFAULT_STEP)?,
        relaxed: value.get("relaxed").and_then(Value::as_bool).unwrap_or(false),
        sources,
    })
}

/// One source after resolution: its resource (if it exists) and its sample in the window.
struct Answered<'a> {
    source: &'a Source,
    resolved: Option<Resolved>,
    sample: Option<(i64, f64)>,
}

/// The sample of one source, if the resource and attribute exist: (time, value).
fn sample(resolved: &Resolved, attribute: &str) -> Option<(i64, f64)> {
    let service = resolved.service.as_ref()?;
    let metric = service.metrics.iter().find(|metric| metric.label == attribute)?;
    Some((service.time, metric.value))
}

/// Answers a query: a 404 for an unknown resource or attribute unless `relaxed` (then its column is
/// empty); transient sources are resolved but not returned.
fn answer(call: &Call, query: &Query) -> Result<Response, GatewayError> {
    let (start, end) = window(query.start, query.end, Timestamp::now().millis());
    let mut resolved_sources = Vec::new();
    for source in &query.sources {
        let resolved = match resolve(call, &source.resource) {
            Ok(resolved) => Some(resolved),
            Err(_) if query.relaxed => None,
            Err(err) => return Err(err),
        };
        let found = resolved.as_ref().and_then(|resolved| sample(resolved, &source.attribute));
        if found.is_none() && !query.relaxed {
            return Err(GatewayError::not_found(format!(
                "No attribute '{}' on resource '{}'",
                source.attribute, source.resource
            )));
        }
        let in_window = found.filter(|(time, _)| (start..=end).contains(time));
        resolved_sources.push(Answered { source, resolved, sample: in_window });
    }
    let returned: Vec<&Answered> = resolved_sources.iter().filter(|answered| !answered.source.transient).collect();
    let timestamps: BTreeSet<i64> = returned.iter().filter_map(|answered| answered.sample.map(|(time, _)| time)).collect();
    let columns: Vec<Val> = returned
        .iter()
        .map(|answered| {
            let values = timestamps
                .iter()
                .map(|time| Val::Float(answered.sample.filter(|(at, _)| at == time).map_or(f64::NAN, |(_, value)| value)))
                .collect();
            Val::Obj(Obj::new().list("values", None, values))
        })
        .collect();
    let obj = Obj::new()
        .attr("step", query.step)
        .attr("start", start)
        .attr("end", end)
        .list("timestamps", None, timestamps.iter().map(|time| Val::Int(*time)).collect())
        .list("labels", None, returned.iter().map(|answered| Val::from(&answered.source.label)).collect())
        .list("columns", None, columns)
        .elem("metadata", metadata(&resolved_sources));
    Ok(call.entity("query-response", &obj))
}

/// `metadata.resources` and `metadata.nodes` of the resources the query named (each once).
fn metadata(sources: &[Answered<'_>]) -> Obj {
    let mut resources = Vec::new();
    let mut nodes = Vec::new();
    let mut seen_resources = BTreeSet::new();
    let mut seen_nodes = BTreeSet::new();
    for answered in sources {
        let Some(resolved) = &answered.resolved else { continue };
        let host = &resolved.node.host;
        let (id, label, name) = match &resolved.service {
            Some(service) => (service.id(host), service.name.clone(), service.name.clone()),
            None => (node_resource_id(host), host.name.clone(), host.meta.id.to_string()),
        };
        if seen_resources.insert(id.clone()) {
            resources.push(Val::Obj(
                Obj::new()
                    .attr("id", id)
                    .attr("label", label)
                    .attr("name", name)
                    .attr_opt("parent-id", resolved.service.as_ref().map(|_| node_resource_id(host)))
                    .attr("node-id", host.meta.id),
            ));
        }
        if seen_nodes.insert(host.meta.id) {
            nodes.push(Val::Obj(
                Obj::new()
                    .attr("id", host.meta.id)
                    .attr("label", &host.name)
                    .attr("foreign-source", &resolved.node.foreign_source)
                    .attr("foreign-id", &resolved.node.foreign_id),
            ));
        }
    }
    Obj::new().list("resources", None, resources).list("nodes", None, nodes)
}

/// `GET /rest/measurements/{resource}/{attribute}?start=&end=&step=` (times in ms).
pub fn measurement(call: &Call, resource: &str, attribute: &str) -> Result<Response, GatewayError> {
    let param = |key: &str, default: i64| number(call.param(key).map(Value::from).as_ref(), default);
    let query = Query {
        start: param("start", DEFAULT_START)?,
        end: param("end", 0)?,
        step: param("step", DEFAULT_STEP)?,
        relaxed: false,
        sources: vec![Source {
            label: attribute.to_owned(),
            resource: resource.to_owned(),
            attribute: attribute.to_owned(),
            transient: false,
        }],
    };
    answer(call, &query)
}

/// `POST /rest/measurements` (JSON `{start, end, step, relaxed, source: [...]}`).
pub fn query(call: &Call) -> Result<Response, GatewayError> {
    call.principal()?;
    answer(call, &parse_query(&call.body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_relative_to_now_and_end() {
        assert_eq!(window(-1000, 0, 10_000), (9_000, 10_000));
        assert_eq!(window(-1000, -500, 10_000), (8_500, 9_500));
        assert_eq!(window(100, 200, 10_000), (100, 200));
    }

    #[test]
    fn queries_are_read_leniently_and_checked() {
        let query = parse_query(
            br#"{"start":"-60000","end":0,"step":1000,"relaxed":true,"source":[{"label":"rt","resourceId":"node[1].nagiosService[HTTP]","attribute":"time","transient":true}]}"#,
        )
        .expect("query");
        assert_eq!((query.start, query.end, query.step, query.relaxed), (-60_000, 0, 1000, true));
        assert_eq!(query.sources[0].label, "rt");
        assert!(query.sources[0].transient);
        let defaults = parse_query(b"{}").expect("defaults");
        assert_eq!((defaults.start, defaults.step), (DEFAULT_START, DEFAULT_STEP));
        let missing = parse_query(br#"{"source":[{"label":"x"}]}"#).expect_err("no resource");
        assert!(missing.message.contains("source[0]"));
        assert!(parse_query(b"{broken").expect_err("broken").message.contains("Invalid measurements query"));
        assert!(parse_query(br#"{"start":[1]}"#).is_err());
    }
}
