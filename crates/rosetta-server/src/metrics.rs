//! Prometheus metrics: the gateway's own (requests, latency, auth outcomes, connections, store) and the
//! monitoring estate as gauges (hosts and services by state, unhandled problems, alarms by severity), so a
//! Grafana dashboard needs no extra exporter.

use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use dashmap::DashMap;
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
    let mut label = String::with_capacity(path.len().min(96) + 8);
    for segment in path.split('/').filter(|segment| !segment.is_empty()).take(5) {
        label.push('/');
        let (stem, extension) = segment.rsplit_once('.').map_or((segment, ""), |(stem, ext)| (stem, ext));
        let is_id = stem.chars().all(|ch| ch.is_ascii_digit())
            || (stem.len() >= 16 && stem.chars().all(|ch| ch.is_ascii_hexdigit() || ch == '-'))
            || stem.contains(':')
            || stem.contains('[');
        if !is_id {
            label.push_str(segment);
            continue;
        }
        label.push_str("{id}");
        if !extension.is_empty() {
            label.push('.');
            label.push_str(extension);
        }
    }
    if label.is_empty() {
        label.push('/');
    }
    label
}

/// The method as a label: the standard methods by name, any other as `OTHER` (a client may send any token).
fn method_label(method: &http::Method) -> &'static str {
    const STANDARD: [(http::Method, &str); 9] = [
        (http::Method::GET, "GET"),
        (http::Method::POST, "POST"),
        (http::Method::PUT, "PUT"),
        (http::Method::DELETE, "DELETE"),
        (http::Method::HEAD, "HEAD"),
        (http::Method::OPTIONS, "OPTIONS"),
        (http::Method::PATCH, "PATCH"),
        (http::Method::CONNECT, "CONNECT"),
        (http::Method::TRACE, "TRACE"),
    ];
    STANDARD.iter().find(|(standard, _)| standard == method).map_or("OTHER", |(_, name)| name)
}

/// The status as a label without allocating for the common ones.
fn status_label(status: u16) -> metrics::SharedString {
    const COMMON: [(u16, &str); 18] = [
        (200, "200"), (201, "201"), (204, "204"), (301, "301"), (302, "302"), (304, "304"),
        (400, "400"), (401, "401"), (403, "403"), (404, "404"), (405, "405"), (409, "409"),
        (413, "413"), (429, "429"), (500, "500"), (502, "502"), (503, "503"), (504, "504"),
    ];
    COMMON
        .iter()
        .find(|(code, _)| *code == status)
        .map_or_else(|| status.to_string().into(), |(_, text)| metrics::SharedString::const_str(text))
}

/// The handles of the request metrics, kept so that a request of a kind already seen skips the
/// registry (building its key, hashing every label).
struct RequestMetrics {
    counters: DashMap<(&'static str, &'static str, String, u16), metrics::Counter, FastHash>,
    durations: DashMap<&'static str, metrics::Histogram, FastHash>,
    /// Most request series: past them a new route is counted as [`OTHER_ROUTE`].
    max_series: usize,
}

/// The hasher of the handle maps: their keys are few (see [`MAX_SERIES`]) and made by the gateway.
type FastHash = foldhash::fast::RandomState;

/// Most request series the gateway keeps, so that requests for arbitrary paths (answered 401 or 404)
/// cannot grow the metrics, and the memory holding them, without bound.
const MAX_SERIES: usize = 2000;

/// The route label of requests past the most series.
const OTHER_ROUTE: &str = "{other}";

impl RequestMetrics {
    fn new(max_series: usize) -> RequestMetrics {
        RequestMetrics { counters: DashMap::default(), durations: DashMap::default(), max_series }
    }

    /// Counts one answered request. The recorder must be installed first: handles are bound to it when made.
    fn record(&self, dialect: &'static str, method: &http::Method, path: &str, status: u16, seconds: f64) {
        let mut key = (dialect, method_label(method), route_label(path), status);
        if let Some(counter) = self.counters.get(&key) {
            counter.increment(1);
        } else {
            if self.counters.len() >= self.max_series {
                OTHER_ROUTE.clone_into(&mut key.2);
            }
            let (dialect, method, route) = (key.0, key.1, key.2.clone());
            self.counters
                .entry(key)
                .or_insert_with(|| {
                    metrics::counter!(
                        "rosetta_http_requests_total",
                        "dialect" => dialect, "method" => method, "route" => route, "status" => status_label(status)
                    )
                })
                .increment(1);
        }
        match self.durations.get(dialect) {
            Some(histogram) => histogram.record(seconds),
            None => {
                let histogram = metrics::histogram!("rosetta_http_request_duration_seconds", "dialect" => dialect);
                histogram.record(seconds);
                self.durations.insert(dialect, histogram);
            }
        }
    }
}

/// Records one answered request.
pub fn record_request(dialect: &'static str, method: &http::Method, path: &str, status: u16, seconds: f64) {
    static HANDLES: OnceLock<RequestMetrics> = OnceLock::new();
    handle();
    HANDLES.get_or_init(|| RequestMetrics::new(MAX_SERIES)).record(dialect, method, path, status, seconds);
}

/// Records one authentication attempt.
pub fn record_auth(method: &'static str, outcome: &'static str) {
    static COUNTERS: OnceLock<DashMap<(&'static str, &'static str), metrics::Counter, FastHash>> = OnceLock::new();
    handle();
    let counters = COUNTERS.get_or_init(DashMap::default);
    if let Some(counter) = counters.get(&(method, outcome)) {
        counter.increment(1);
        return;
    }
    let counter = metrics::counter!("rosetta_auth_attempts_total", "method" => method, "outcome" => outcome);
    counter.increment(1);
    counters.insert((method, outcome), counter);
}

/// Tracks open connections.
pub fn connection_opened() {
    metrics::gauge!("rosetta_open_connections").increment(1.0);
}

/// Tracks open connections.
pub fn connection_closed() {
    metrics::gauge!("rosetta_open_connections").decrement(1.0);
}

/// Renders every metric: the process-wide counters, then this store's counters and estate gauges
/// (rendered from the store itself, so two gateways in one process never mix their estates).
pub fn render(db: &Db) -> String {
    let mut text = handle().render();
    let stats = db.stats();
    let mut gauge = |name: &str, help: &str, samples: &[(&str, f64)]| {
        text.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for (labels, value) in samples {
            text.push_str(&format!("{name}{labels} {value}\n"));
        }
    };
    gauge("rosetta_store_up", "1 when the store answered the last operation", &[("", if db.is_healthy() { 1.0 } else { 0.0 })]);
    gauge("rosetta_store_commits", "Committed transactions", &[("", stats.commits.load(Ordering::Relaxed) as f64)]);
    gauge("rosetta_store_commit_failures", "Transactions whose commit failed", &[("", stats.commit_failures.load(Ordering::Relaxed) as f64)]);
    gauge(
        "rosetta_store_commit_seconds_total",
        "Time spent committing",
        &[("", stats.commit_micros.load(Ordering::Relaxed) as f64 / 1_000_000.0)],
    );
    gauge("rosetta_store_external_changes", "Records applied from other writers", &[("", stats.external_changes.load(Ordering::Relaxed) as f64)]);

    let mut hosts = [0u64; 4];
    let mut unhandled_hosts = 0u64;
    for status in db.all::<HostStatus>() {
        let check = &status.check;
        let idx = if check.pending { 3 } else { check.state.code() as usize };
        hosts[idx.min(3)] += 1;
        if !check.pending && check.state == StateValue::Host(HostState::Down) && !check.is_acknowledged() && check.downtime_depth == 0 {
            unhandled_hosts += 1;
        }
    }
    let mut services = [0u64; 5];
    let mut unhandled_services = 0u64;
    for status in db.all::<ServiceStatus>() {
        let check = &status.check;
        let idx = if check.pending { 4 } else { check.state.code() as usize };
        services[idx.min(4)] += 1;
        if !check.pending && !check.state.is_ok() && !check.is_acknowledged() && check.downtime_depth == 0 {
            unhandled_services += 1;
        }
    }
    let mut alarms = [0u64; 7];
    for alarm in db.all::<Alarm>() {
        alarms[(alarm.severity.id() as usize).saturating_sub(1).min(6)] += 1;
    }
    let host_labels: Vec<(String, f64)> = ["up", "down", "unreachable", "pending"]
        .iter()
        .enumerate()
        .map(|(idx, state)| (format!("{{state=\"{state}\"}}"), hosts[idx] as f64))
        .collect();
    let service_labels: Vec<(String, f64)> = ["ok", "warning", "critical", "unknown", "pending"]
        .iter()
        .enumerate()
        .map(|(idx, state)| (format!("{{state=\"{state}\"}}"), services[idx] as f64))
        .collect();
    let alarm_labels: Vec<(String, f64)> = Severity::ALL
        .iter()
        .map(|severity| (format!("{{severity=\"{}\"}}", severity.label()), alarms[severity.id() as usize - 1] as f64))
        .collect();
    fn borrowed(samples: &[(String, f64)]) -> Vec<(&str, f64)> {
        samples.iter().map(|(labels, value)| (labels.as_str(), *value)).collect()
    }
    gauge("rosetta_hosts", "Monitored hosts by state", &borrowed(&host_labels));
    gauge("rosetta_services", "Monitored services by state", &borrowed(&service_labels));
    gauge(
        "rosetta_unhandled_problems",
        "Problems neither acknowledged nor in downtime",
        &[("{kind=\"host\"}", unhandled_hosts as f64), ("{kind=\"service\"}", unhandled_services as f64)],
    );
    gauge("rosetta_alarms", "Alarms by severity", &borrowed(&alarm_labels));
    gauge("rosetta_configured_hosts", "Configured hosts", &[("", db.count::<Host>() as f64)]);
    gauge("rosetta_configured_services", "Configured services", &[("", db.count::<Service>() as f64)]);
    let pending = db.get::<ConfigStatus>(1).is_some_and(|status| status.pending);
    gauge("rosetta_configuration_pending", "1 while configuration changed since the last reload", &[("", if pending { 1.0 } else { 0.0 })]);
    text
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
        assert_eq!(route_label("/"), "/");
        assert_eq!(route_label("/a/b/c/d/e/f/g"), "/a/b/c/d/e");
        assert_eq!(route_label("/api/v1/hosts/0123456789abcdef0123"), "/api/v1/hosts/{id}");
    }

    #[test]
    fn arbitrary_paths_and_methods_cannot_grow_the_series_without_bound() {
        // A table of its own with a small bound, so the process-wide one other tests count on stays open.
        let (dialect, bound) = ("test-cardinality", 50);
        let table = RequestMetrics::new(bound);
        handle();
        let requests = bound + 10;
        for n in 0..requests {
            table.record(dialect, &http::Method::GET, &format!("/cardinality/page-{n}"), 404, 0.001);
        }
        let odd = http::Method::from_bytes(b"FOO").expect("a method");
        table.record(dialect, &odd, "/cardinality/page-0", 404, 0.001);
        let text = handle().render();
        let ours: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with("rosetta_http_requests_total{") && line.contains(dialect))
            .collect();
        assert!(ours.len() <= bound + 2, "{} series", ours.len());
        let counted: usize = ours.iter().filter_map(|line| line.rsplit(' ').next()?.parse::<usize>().ok()).sum();
        assert_eq!(counted, requests + 1);
        assert!(ours.iter().any(|line| line.contains(r#"route="{other}""#)), "no {{other}} series");
        assert!(ours.iter().any(|line| line.contains(r#"method="OTHER""#)), "FOO not counted as OTHER");
    }

    #[test]
    fn status_labels_are_the_numbers() {
        assert_eq!(status_label(200).as_ref(), "200");
        assert_eq!(status_label(504).as_ref(), "504");
        assert_eq!(status_label(418).as_ref(), "418");
    }

    #[test]
    fn requests_of_a_kind_already_seen_count_on_their_own_series() {
        let path = "/opennms/rest/metrics-handles/7";
        for _ in 0..3 {
            record_request("opennms", &http::Method::GET, path, 200, 0.001);
        }
        record_request("opennms", &http::Method::GET, path, 404, 0.001);
        record_request("opennms", &http::Method::DELETE, path, 200, 0.001);
        let text = handle().render();
        let series = |method: &str, status: u16| {
            format!(r#"rosetta_http_requests_total{{dialect="opennms",method="{method}",route="/opennms/rest/metrics-handles/{{id}}",status="{status}"}}"#)
        };
        assert!(text.contains(&format!("{} 3\n", series("GET", 200))), "{text}");
        assert!(text.contains(&format!("{} 1\n", series("GET", 404))), "{text}");
        assert!(text.contains(&format!("{} 1\n", series("DELETE", 200))), "{text}");
        assert!(text.contains(r#"rosetta_http_request_duration_seconds_count{dialect="opennms"} 5"#), "{text}");
    }
}
