//! The soak load: mixed reads, writes and result ingestion through all three dialects and the native API,
//! measured in windows (requests, errors, p50/p99), with a log of every acknowledged write so a crash can
//! be checked for lost data afterwards.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

/// Hosts the soak keeps created at once: beyond this the oldest is deleted before the next is created,
/// so the estate stays the same size however long the soak runs.
const LIVE_HOSTS: usize = 200;

/// Services per host in the standard estate (results go to the first this many service names).
const SERVICES_PER_HOST: usize = 10;

/// What one request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The expected answer.
    Ok,
    /// An unexpected status (an error of the gateway, or a bad answer).
    Error,
    /// No answer at all: refused, reset or timed out (expected only while the gateway restarts).
    Unreachable,
}

/// Counts and latencies of one measuring window.
#[derive(Debug, Default)]
pub struct Window {
    latencies_us: Vec<u32>,
    errors: u64,
    unreachable: u64,
}

/// A finished window as reported.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowReport {
    /// Requests answered (either way).
    pub requests: u64,
    /// Unexpected answers.
    pub errors: u64,
    /// Requests that got no answer.
    pub unreachable: u64,
    /// Median latency in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency in milliseconds.
    pub p99_ms: f64,
}

impl Window {
    /// Records one request.
    pub fn record(&mut self, outcome: Outcome, latency: Duration) {
        match outcome {
            Outcome::Unreachable => self.unreachable += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Ok => {}
        }
        if outcome != Outcome::Unreachable {
            self.latencies_us.push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
        }
    }

    /// The window's figures; the window starts over.
    pub fn take(&mut self) -> WindowReport {
        let mut latencies = std::mem::take(&mut self.latencies_us);
        latencies.sort_unstable();
        let quantile = |q: f64| -> f64 {
            if latencies.is_empty() {
                return 0.0;
            }
            let index = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1;
            f64::from(latencies[index]) / 1000.0
        };
        let report = WindowReport {
            requests: latencies.len() as u64,
            errors: self.errors,
            unreachable: self.unreachable,
            p50_ms: quantile(0.50),
            p99_ms: quantile(0.99),
        };
        self.errors = 0;
        self.unreachable = 0;
        report
    }
}

/// Where and how the load is sent.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://host:port`.
    pub base: String,
    /// Administrator login.
    pub username: String,
    /// Its password.
    pub password: String,
    /// An openITCOCKPIT API key of the same user.
    pub apikey: String,
    /// Hosts the data generator made (`bench-host-000000` …).
    pub hosts: usize,
    /// A tag that makes this run's object names unique.
    pub run: String,
}

/// One request of the mix and how to judge its answer.
struct Call {
    what: &'static str,
    answer: Result<(u16, Bytes), String>,
    expected: &'static [u16],
    /// The host this request creates, remembered and logged once acknowledged.
    written: Option<Created>,
}

/// A host the soak created, and how to delete it again.
#[derive(Debug, Clone)]
struct Created {
    name: String,
    /// `Some(id)` for an Opsview host; OpenNMS nodes are deleted by `soak:<name>`.
    opsview_id: Option<String>,
}

/// The load generator.
pub struct Soak {
    target: Target,
    http: Client<HttpConnector, Full<Bytes>>,
    basic: String,
    token: Mutex<String>,
    window: Mutex<Window>,
    acknowledged: Mutex<std::fs::File>,
    sequence: AtomicU64,
    first_errors: Mutex<Vec<String>>,
    live: Mutex<std::collections::VecDeque<Created>>,
}

impl Soak {
    /// A generator writing its acknowledged writes to `log`: `+name` once a host's creation is acknowledged,
    /// `-name` before its deletion is sent.
    pub fn new(target: Target, log: std::fs::File) -> Soak {
        use base64::Engine as _;
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(2)));
        let http = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(30)).build(connector);
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", target.username, target.password))
        );
        Soak {
            target,
            http,
            basic,
            token: Mutex::new(String::new()),
            window: Mutex::new(Window::default()),
            acknowledged: Mutex::new(log),
            sequence: AtomicU64::new(0),
            first_errors: Mutex::new(Vec::new()),
            live: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    /// Sends one request; `Err` when no answer came.
    async fn send(&self, method: &str, path: &str, headers: &[(&str, String)], body: Option<(&str, String)>) -> Result<(u16, Bytes), String> {
        let mut request = http::Request::builder().method(method).uri(format!("{}{path}", self.target.base));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let payload = match body {
            Some((content_type, text)) => {
                request = request.header(http::header::CONTENT_TYPE, content_type);
                Bytes::from(text)
            }
            None => Bytes::new(),
        };
        let request = request.body(Full::new(payload)).map_err(|err| err.to_string())?;
        let response = tokio::time::timeout(Duration::from_secs(10), self.http.request(request))
            .await
            .map_err(|_| "timed out".to_owned())?
            .map_err(|err| err.to_string())?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.map_err(|err| err.to_string())?.to_bytes();
        Ok((status, body))
    }

    /// Logs in through Opsview for a session token.
    pub async fn login(&self) -> Result<(), String> {
        let body = json!({"username": self.target.username, "password": self.target.password}).to_string();
        let (status, answer) = self.send("POST", "/rest/login", &[], Some(("application/json", body))).await?;
        let token = serde_json::from_slice::<Value>(&answer)
            .ok()
            .and_then(|value| value["token"].as_str().map(str::to_owned))
            .filter(|_| status == 200)
            .ok_or_else(|| format!("login answered {status}"))?;
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) = token;
        Ok(())
    }

    fn opsview_headers(&self) -> Vec<(&'static str, String)> {
        let token = self.token.lock().unwrap_or_else(PoisonError::into_inner).clone();
        vec![("x-opsview-username", self.target.username.clone()), ("x-opsview-token", token), ("content-type", "application/json".to_owned())]
    }

    /// One operation of the mix, chosen by `n`.
    async fn operation(&self, n: u64) -> (Outcome, String) {
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        let Call { what, answer, expected, written } = match n % 10 {
            0 | 1 => {
                let answer = self.send("GET", "/rest/status/service?filter=unhandled&rows=50", &self.opsview_headers(), None).await;
                Call { what: "opsview status", answer, expected: &[200], written: None }
            }
            2 | 3 => {
                let headers = [("authorization", self.basic.clone()), ("accept", "application/json".to_owned())];
                let answer = self.send("GET", "/opennms/api/v2/alarms?limit=50", &headers, None).await;
                Call { what: "opennms alarms", answer, expected: &[200, 204], written: None }
            }
            4 | 5 => {
                let headers = [("authorization", format!("X-OITC-API {}", self.target.apikey))];
                let answer = self.send("GET", "/hosts/index.json?angular=true&scroll=true&limit=50", &headers, None).await;
                Call { what: "oitc hosts", answer, expected: &[200], written: None }
            }
            6 | 7 => {
                let results: Vec<Value> = (0..20u64)
                    .map(|i| {
                        let host = (sequence * 20 + i) as usize % self.target.hosts.max(1);
                        let state = if (sequence + i).is_multiple_of(17) { "critical" } else { "ok" };
                        json!({"host": format!("bench-host-{host:06}"), "service": crate::SERVICES[(i as usize) % SERVICES_PER_HOST],
                               "state": state, "output": format!("soak {sequence}")})
                    })
                    .collect();
                let body = json!({"results": results}).to_string();
                let headers = [("authorization", self.basic.clone())];
                let answer = self.send("POST", "/api/v1/results", &headers, Some(("application/json", body))).await;
                Call { what: "native results", answer, expected: &[200], written: None }
            }
            8 | 9 if self.live.lock().unwrap_or_else(PoisonError::into_inner).len() >= LIVE_HOSTS => {
                let oldest = self.live.lock().unwrap_or_else(PoisonError::into_inner).pop_front();
                let Some(oldest) = oldest else { return (Outcome::Ok, String::new()) };
                self.log(&format!("-{}", oldest.name));
                match &oldest.opsview_id {
                    Some(id) => {
                        let answer = self.send("DELETE", &format!("/rest/config/host/{id}"), &self.opsview_headers(), None).await;
                        Call { what: "opsview host delete", answer, expected: &[200], written: None }
                    }
                    None => {
                        let headers = [("authorization", self.basic.clone())];
                        let answer = self.send("DELETE", &format!("/opennms/rest/nodes/soak:{}", oldest.name), &headers, None).await;
                        Call { what: "opennms node delete", answer, expected: &[202], written: None }
                    }
                }
            }
            8 => {
                let name = format!("soak-{}-ov-{sequence}", self.target.run);
                let body = json!({"name": name, "ip": "192.0.2.1", "hostgroup": {"name": crate::GROUPS[0]}}).to_string();
                let answer = self.send("POST", "/rest/config/host", &self.opsview_headers(), Some(("application/json", body))).await;
                Call { what: "opsview host create", answer, expected: &[200], written: Some(Created { name, opsview_id: None }) }
            }
            _ => {
                let name = format!("soak-{}-nms-{sequence}", self.target.run);
                let body = format!(
                    "<node type=\"A\" label=\"{name}\" foreignSource=\"soak\" foreignId=\"{name}\"><labelSource>U</labelSource><location>Default</location></node>"
                );
                let headers = [("authorization", self.basic.clone())];
                let answer = self.send("POST", "/opennms/rest/nodes", &headers, Some(("application/xml", body))).await;
                Call { what: "opennms node create", answer, expected: &[201], written: Some(Created { name, opsview_id: None }) }
            }
        };
        match answer {
            Err(err) => (Outcome::Unreachable, format!("{what}: {err}")),
            Ok((status, body)) if expected.contains(&status) => {
                if let Some(mut created) = written {
                    if created.name.contains("-ov-") {
                        let reply: Value = serde_json::from_slice(&body).unwrap_or_default();
                        created.opsview_id = crate::soak::text_id(&reply["object"]["id"]);
                    }
                    self.log(&format!("+{}", created.name));
                    self.live.lock().unwrap_or_else(PoisonError::into_inner).push_back(created);
                }
                (Outcome::Ok, String::new())
            }
            Ok((401, _)) => {
                let _ = self.login().await;
                (Outcome::Error, format!("{what}: 401"))
            }
            Ok((status, body)) => {
                (Outcome::Error, format!("{what}: {status} {}", String::from_utf8_lossy(&body).chars().take(200).collect::<String>()))
            }
        }
    }

    fn log(&self, line: &str) {
        use std::io::Write as _;
        let mut log = self.acknowledged.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writeln!(log, "{line}");
    }

    /// Runs `workers` loops until `deadline`.
    pub async fn run(self: &Arc<Self>, workers: u64, deadline: Instant) {
        let mut tasks = Vec::new();
        for worker in 0..workers {
            let soak = Arc::clone(self);
            tasks.push(tokio::spawn(async move {
                let mut n = worker;
                while Instant::now() < deadline {
                    let started = Instant::now();
                    let (outcome, detail) = soak.operation(n).await;
                    soak.window.lock().unwrap_or_else(PoisonError::into_inner).record(outcome, started.elapsed());
                    if outcome == Outcome::Unreachable {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    } else if outcome == Outcome::Error {
                        let mut first = soak.first_errors.lock().unwrap_or_else(PoisonError::into_inner);
                        if first.len() < 20 {
                            first.push(detail);
                        }
                    }
                    n += workers;
                }
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
    }

    /// The current window's figures (and a new window).
    pub fn take_window(&self) -> WindowReport {
        self.window.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// The first unexpected answers, for the report.
    pub fn first_errors(&self) -> Vec<String> {
        self.first_errors.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Every host name the gateway has now, read through the native API page by page.
    pub async fn host_names(&self) -> Result<HashSet<String>, String> {
        let mut names = HashSet::new();
        let mut cursor = String::new();
        loop {
            let path = format!("/api/v1/hosts?limit=1000&cursor={cursor}");
            let (status, body) = self.send("GET", &path, &[("authorization", self.basic.clone())], None).await?;
            if status != 200 {
                return Err(format!("host list answered {status}"));
            }
            let page: Value = serde_json::from_slice(&body).map_err(|err| err.to_string())?;
            for item in page["items"].as_array().into_iter().flatten() {
                if let Some(name) = item["name"].as_str() {
                    names.insert(name.to_owned());
                }
            }
            match page["next_cursor"].as_str() {
                Some(next) => cursor = next.to_owned(),
                None => return Ok(names),
            }
        }
    }
}

/// An id given as a number or a string.
fn text_id(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The hosts a soak log says must exist: created (`+name`) and not being deleted (`-name`).
pub fn expected_hosts(log: &str) -> Vec<String> {
    let deleted: HashSet<&str> = log.lines().filter_map(|line| line.strip_prefix('-')).collect();
    log.lines().filter_map(|line| line.strip_prefix('+')).filter(|name| !deleted.contains(name)).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_reports_quantiles_and_starts_over() {
        let mut window = Window::default();
        for ms in 1..=100u64 {
            window.record(Outcome::Ok, Duration::from_millis(ms));
        }
        window.record(Outcome::Error, Duration::from_millis(1));
        window.record(Outcome::Unreachable, Duration::from_secs(2));
        let report = window.take();
        assert_eq!((report.requests, report.errors, report.unreachable), (101, 1, 1));
        assert_eq!(report.p50_ms, 50.0);
        assert_eq!(report.p99_ms, 99.0);
        assert_eq!(window.take(), WindowReport { requests: 0, errors: 0, unreachable: 0, p50_ms: 0.0, p99_ms: 0.0 });
    }

    #[test]
    fn hosts_being_deleted_are_not_expected() {
        assert_eq!(expected_hosts("+a\n+b\n-a\n+c\n"), vec!["b".to_owned(), "c".to_owned()]);
    }
}
