//! Prometheus metrics: the gateway's own (requests, latency, auth outcomes, connections, store) and the
//! monitoring estate as gauges (hosts and services by state, unhandled problems, alarms by severity), so a
//! Grafana dashboard needs no extra exporter.

use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use rosetta_model::*;
use rosetta_store::Db;

const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process-wide recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder may exist when embedded; then these metrics simply go there.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// A low-cardinality route label: numeric ids, UUIDs and long tokens become `{id}`, at most five
/// segments are kept.
pub fn route_label(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|segment| !segment.is_empty()).take(5).collect();
    let normalised: Vec<String> = segments
        .iter()
        .map(|segment| {
            let (stem, extension) = segment.rsplit_once('.').map_or((*segment, ""), |(stem, ext)| (stem, ext));
            let is_id = stem.chars().all(|ch| ch.is_ascii_digit())
                || (stem.len() >= 16 && stem.chars().all(|ch| ch.is_ascii_hexdigit() || ch == '-'))
                || stem.contains(':')
                || stem.contains('[');
            match (is_id, extension.is_empty()) {
                (true, true) => "{id}".to_owned(),
                (true, false) => format!("{{id}}.{extension}"),
                (false, _) => (*segment).to_owned(),
            }
        })
        .collect();
    format!("/{}", normalised.join("/"))
}

/// Records one answered request.
pub fn record_request(dialect: &'static str, method: &http::Method, path: &str, status: u16, seconds: f64) {
    let route = route_label(path);
    metrics::counter!(
        "rosetta_http_requests_total",
        "dialect" => dialect, "method" => method.as_str().to_owned(), "route" => route, "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("rosetta_http_request_duration_seconds", "dialect" => dialect).record(seconds);
}

/// Records one authentication attempt.
pub fn record_auth(method: &'static str, outcome: &'static str) {
    metrics::counter!("rosetta_auth_attempts_total", "method" => method, "outcome" => outcome).increment(1);
}

/// Tracks open connections.
pub fn connection_opened() {
    metrics::gauge!("rosetta_open_connections").increment(1.0);
}

/// Tracks open connections.
pub fn connection_closed() {
    metrics::gauge!("rosetta_open_connections").decrement(1.0);
}

/// Renders every metric, refreshing the estate gauges and store counters first.
pub fn render(db: &Db) -> String {
    let handle = handle();
    refresh_estate(db);
    let stats = db.stats();
    metrics::gauge!("rosetta_store_commits").set(stats.commits.load(Ordering::Relaxed) as f64);
    metrics::gauge!("rosetta_store_commit_failures").set(stats.commit_failures.load(Ordering::Relaxed) as f64);
    metrics::gauge!("rosetta_store_commit_time_seconds_sum")
        .set(stats.commit_micros.load(Ordering::Relaxed) as f64 / 1_000_000.0);
    metrics::gauge!("rosetta_store_external_changes").set(stats.external_changes.load(Ordering::Relaxed) as f64);
    metrics::gauge!("rosetta_store_up").set(if db.is_healthy() { 1.0 } else { 0.0 });
    handle.render()
}

fn refresh_estate(db: &Db) {
    let mut hosts = [0u64; 4];
    for status in db.all::<HostStatus>() {
        let idx = if status.check.pending { 3 } else { status.check.state.code() as usize };
        hosts[idx.min(3)] += 1;
    }
    for (idx, state) in ["up", "down", "unreachable", "pending"].iter().enumerate() {
        metrics::gauge!("rosetta_hosts", "state" => *state).set(hosts[idx] as f64);
    }
    let mut services = [0u64; 5];
    let mut unhandled = 0u64;
    for status in db.all::<ServiceStatus>() {
        let check = &status.check;
        let idx = if check.pending { 4 } else { check.state.code() as usize };
        services[idx.min(4)] += 1;
        if !check.pending && !check.state.is_ok() && !check.is_acknowledged() && check.downtime_depth == 0 {
            unhandled += 1;
        }
    }
    for (idx, state) in ["ok", "warning", "critical", "unknown", "pending"].iter().enumerate() {
        metrics::gauge!("rosetta_services", "state" => *state).set(services[idx] as f64);
    }
    metrics::gauge!("rosetta_unhandled_problems", "kind" => "service").set(unhandled as f64);
    let unhandled_hosts = db
        .all::<HostStatus>()
        .iter()
        .filter(|status| {
            let check = &status.check;
            !check.pending && check.state == StateValue::Host(HostState::Down) && !check.is_acknowledged() && check.downtime_depth == 0
        })
        .count();
    metrics::gauge!("rosetta_unhandled_problems", "kind" => "host").set(unhandled_hosts as f64);
    let mut alarms = [0u64; 7];
    for alarm in db.all::<Alarm>() {
        alarms[(alarm.severity.id() as usize).saturating_sub(1).min(6)] += 1;
    }
    for severity in Severity::ALL {
        let count = alarms[severity.id() as usize - 1];
        metrics::gauge!("rosetta_alarms", "severity" => severity.label()).set(count as f64);
    }
    metrics::gauge!("rosetta_configured_hosts").set(db.count::<Host>() as f64);
    metrics::gauge!("rosetta_configured_services").set(db.count::<Service>() as f64);
    let pending = db.get::<ConfigStatus>(1).is_some_and(|status| status.pending);
    metrics::gauge!("rosetta_configuration_pending").set(if pending { 1.0 } else { 0.0 });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_labels_hide_ids() {
        assert_eq!(route_label("/rest/config/host/12"), "/rest/config/host/{id}");
        assert_eq!(route_label("/hosts/edit/5.json"), "/hosts/edit/{id}.json");
        assert_eq!(route_label("/opennms/rest/nodes/fs:fid/ipinterfaces"), "/opennms/rest/nodes/{id}/ipinterfaces");
        assert_eq!(route_label("//a//b/"), "/a/b");
    }
}
