//! Round trips: seeded pseudo-random hosts and states written through one dialect (or the native API)
//! and read through every dialect compare equal after mapping. A fixed seed list keeps it
//! reproducible; a failure names the seed and the step.

use rosetta_model::*;
use serde_json::json;

use crate::harness::{get, post, Call, Reply, TestServer, ADMIN_PASSWORD};

/// The seeds every run uses.
const SEEDS: [u64; 4] = [1, 7, 42, 20_261_122];

/// SplitMix64: small, deterministic, good enough to pick test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn word(&mut self, len: usize) -> String {
        (0..len).map(|_| char::from(b'a' + u8::try_from(self.below(26)).unwrap_or(0))).collect()
    }
}

const WRITERS: [&str; 3] = ["opsview", "opennms", "openitcockpit"];

/// A generated host and what every view must show for it.
#[derive(Debug, Clone)]
struct Planned {
    id: Id,
    name: String,
    address: String,
    service: Id,
    host_state: Option<&'static str>,
    service_state: Option<&'static str>,
    host_alarm: Option<&'static str>,
    service_alarm: Option<&'static str>,
}

fn admin(call: Call) -> Call {
    call.basic("admin", ADMIN_PASSWORD).header("accept", "application/json")
}

fn check(reply: &Reply, expected: u16, what: &str) {
    assert_eq!(reply.status.as_u16(), expected, "{what}: {}", reply.text());
}

async fn create_host(server: &TestServer, writer: &str, name: &str, address: &str) -> Id {
    match writer {
        "opsview" => {
            let body = json!({"name": name, "ip": address, "hostgroup": {"name": "Monitoring Servers"}});
            let reply = admin(post(server.url("/rest/config/host"))).json(&body).send().await;
            check(&reply, 200, "opsview create");
            reply.json()["object"]["id"].as_str().and_then(|id| id.parse().ok()).expect("opsview id")
        }
        "opennms" => {
            let reply = admin(post(server.url("/opennms/rest/nodes"))).json(&json!({"type": "A", "label": name})).send().await;
            check(&reply, 201, "opennms create");
            let location = reply.header("location").expect("location").to_owned();
            let id: Id = location.rsplit('/').next().and_then(|id| id.parse().ok()).expect("node id");
            let iface = json!({"ipAddress": address, "snmpPrimary": "P"});
            let reply = admin(post(server.url(&format!("/opennms/rest/nodes/{id}/ipinterfaces")))).json(&iface).send().await;
            check(&reply, 201, "opennms interface");
            id
        }
        _ => {
            let body = json!({"Host": {"name": name, "address": address, "container_id": 1, "hosttemplate_id": 1}});
            let reply = admin(post(server.url("/hosts/add.json?angular=true"))).json(&body).send().await;
            check(&reply, 200, "openitcockpit create");
            reply.json()["id"].as_i64().expect("oitc id")
        }
    }
}

/// (id, name, address) of every host as each dialect shows it.
async fn views(server: &TestServer) -> Vec<(&'static str, Vec<(Id, String, String)>)> {
    let mut out = Vec::new();
    let opsview = admin(get(server.url("/rest/config/host?rows=all"))).send().await.json();
    let mut rows: Vec<(Id, String, String)> = opsview["list"]
        .as_array()
        .expect("opsview hosts")
        .iter()
        .map(|h| (h["id"].as_str().and_then(|id| id.parse().ok()).unwrap_or(-1), h["name"].as_str().unwrap_or_default().to_owned(), h["ip"].as_str().unwrap_or_default().to_owned()))
        .collect();
    rows.sort();
    out.push(("opsview", rows));

    let nodes = admin(get(server.url("/opennms/rest/nodes?limit=0"))).send().await.json();
    let mut rows = Vec::new();
    for node in nodes["node"].as_array().expect("nodes") {
        let id: Id = node["id"].as_str().and_then(|id| id.parse().ok()).unwrap_or(-1);
        let ifaces = admin(get(server.url(&format!("/opennms/rest/nodes/{id}/ipinterfaces")))).send().await.json();
        let primary = ifaces["ipInterface"]
            .as_array()
            .and_then(|list| list.iter().find(|iface| iface["snmpPrimary"] == "P"))
            .and_then(|iface| iface["ipAddress"].as_str())
            .unwrap_or_default()
            .to_owned();
        rows.push((id, node["label"].as_str().unwrap_or_default().to_owned(), primary));
    }
    rows.sort();
    out.push(("opennms", rows));

    let index = admin(get(server.url("/hosts/index.json?angular=true&limit=1000"))).send().await.json();
    let mut rows: Vec<(Id, String, String)> = index["all_hosts"]
        .as_array()
        .expect("oitc hosts")
        .iter()
        .map(|row| (row["Host"]["id"].as_i64().unwrap_or(-1), row["Host"]["hostname"].as_str().unwrap_or_default().to_owned(), row["Host"]["address"].as_str().unwrap_or_default().to_owned()))
        .collect();
    rows.sort();
    out.push(("openitcockpit", rows));

    let native = admin(get(server.url("/api/v1/hosts?limit=1000"))).send().await.json();
    let mut rows: Vec<(Id, String, String)> = native["items"]
        .as_array()
        .expect("native hosts")
        .iter()
        .map(|h| (h["id"].as_i64().unwrap_or(-1), h["name"].as_str().unwrap_or_default().to_owned(), h["address"].as_str().unwrap_or_default().to_owned()))
        .collect();
    rows.sort();
    out.push(("native", rows));
    out
}

/// A state written through one writer: (neutral state name, OpenNMS severity it must raise).
async fn write_state(server: &TestServer, rng: &mut Rng, host: &Planned, on_service: bool) -> (&'static str, &'static str, &'static str) {
    // The shared state table (`rosetta_model::state`): the severity each neutral state raises.
    const SERVICE: [(&str, &str); 4] = [("ok", "NORMAL"), ("warning", "WARNING"), ("critical", "CRITICAL"), ("unknown", "INDETERMINATE")];
    const HOST: [(&str, &str); 3] = [("up", "NORMAL"), ("down", "MAJOR"), ("unreachable", "MAJOR")];
    let writer = *rng.pick(&["opsview", "opennms", "openitcockpit", "native"]);
    let table: &[(&str, &str)] = if on_service { &SERVICE } else { &HOST };
    let code = rng.below(table.len());
    let (state, severity) = table[code];
    match writer {
        "opsview" => {
            let selector = if on_service { format!("svc.hostname={}&svc.servicename=Ping", host.name) } else { format!("hst.hostname={}", host.name) };
            let reply = admin(post(server.url(&format!("/rest/status?{selector}&new_state={code}&comment=rt")))).send().await;
            check(&reply, 200, "opsview result");
        }
        "openitcockpit" => {
            let (command, service) = if on_service { ("PROCESS_SERVICE_CHECK_RESULT", "&serviceUuid=Ping") } else { ("PROCESS_HOST_CHECK_RESULT", "") };
            let path = format!("/nagios_module/cmd/submit.json?command={command}&hostUuid={}{service}&status_code={code}&plugin_output=rt", host.name);
            check(&admin(get(server.url(&path))).send().await, 200, "oitc result");
        }
        "native" => {
            let mut item = json!({"host": host.name, "state": state, "output": "rt"});
            if on_service {
                item["service"] = json!("Ping");
            }
            check(&admin(post(server.url("/api/v1/results"))).json(&json!([item])).send().await, 200, "native result");
        }
        _ => {
            // OpenNMS speaks in events: a problem carries a severity (kept), a recovery regains.
            let problem = state != "ok" && state != "up";
            let (uei, posted_severity) = match (on_service, problem) {
                (true, true) => ("nodeLostService", *rng.pick(&["WARNING", "MINOR", "MAJOR", "CRITICAL"])),
                (true, false) => ("nodeRegainedService", "NORMAL"),
                (false, true) => ("nodeDown", *rng.pick(&["MINOR", "MAJOR", "CRITICAL"])),
                (false, false) => ("nodeUp", "NORMAL"),
            };
            let body = json!({"uei": format!("uei.opennms.org/nodes/{uei}"), "nodeid": host.id, "service": "Ping", "severity": posted_severity, "source": "rt"});
            check(&admin(post(server.url("/opennms/rest/events"))).json(&body).send().await, 202, "opennms event");
            let neutral = match (on_service, posted_severity) {
                (true, "NORMAL") => "ok",
                (true, "WARNING" | "MINOR") => "warning",
                (true, _) => "critical",
                (false, "NORMAL") => "up",
                (false, _) => "down",
            };
            return (neutral, posted_severity, writer);
        }
    }
    (state, severity, writer)
}

/// The state of the host and its service as each dialect shows it (neutral names).
async fn read_states(server: &TestServer, host: &Planned) -> Vec<(&'static str, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    let status = admin(get(server.url(&format!("/rest/status/service?hostname={}", host.name)))).send().await.json();
    let row = status["list"].as_array().and_then(|list| list.iter().find(|h| h["name"] == host.name.as_str()));
    let service = row.and_then(|h| h["services"].as_array()).and_then(|s| s.iter().find(|s| s["name"] == "Ping"));
    out.push(("opsview", row.and_then(|h| h["state"].as_str()).map(str::to_owned), service.and_then(|s| s["state"].as_str()).map(str::to_owned)));

    let hosts = admin(get(server.url(&format!("/hosts/index.json?angular=true&filter[Hosts.id]={}", host.id)))).send().await.json();
    let services = admin(get(server.url(&format!("/services/index.json?angular=true&filter[Hosts.id]={}", host.id)))).send().await.json();
    let host_code = hosts["all_hosts"][0]["Hoststatus"]["currentState"].as_u64();
    let service_code = services["all_services"][0]["Servicestatus"]["currentState"].as_u64();
    let host_name = host_code.and_then(|c| ["up", "down", "unreachable"].get(usize::try_from(c).unwrap_or(9))).map(|s| (*s).to_owned());
    let service_name = service_code.and_then(|c| ["ok", "warning", "critical", "unknown"].get(usize::try_from(c).unwrap_or(9))).map(|s| (*s).to_owned());
    out.push(("openitcockpit", host_name, service_name));

    let native = admin(get(server.url(&format!("/api/v1/hosts?name={}", host.name)))).send().await.json();
    out.push(("native", native["items"][0]["status"]["state"].as_str().map(str::to_owned), None));
    out
}

/// The severity of the OpenNMS alarm of the host (service `false`) or its service, as opennms shows it.
async fn alarm_severity(server: &TestServer, host: &Planned, service: bool) -> Option<String> {
    let alarms = admin(get(server.url(&format!("/opennms/api/v2/alarms?limit=0&_s=node.id=={}", host.id)))).send().await;
    if alarms.status == 204 {
        return None;
    }
    let alarms = alarms.json();
    let wanted = if service { "uei.opennms.org/nodes/nodeLostService::" } else { "uei.opennms.org/nodes/nodeDown::" };
    alarms["alarm"]
        .as_array()
        .and_then(|list| list.iter().find(|a| a["reductionKey"].as_str().is_some_and(|k| k.starts_with(wanted))))
        .and_then(|a| a["severity"].as_str())
        .map(str::to_owned)
}

async fn run_seed(seed: u64) {
    let server = TestServer::start().await;
    let mut rng = Rng(seed);
    let mut planned = Vec::new();
    for index in 0..(3 + rng.below(3)) {
        let writer = *rng.pick(&WRITERS);
        let name = format!("rt{seed}-{index}-{}", rng.word(4));
        let address = format!("10.{}.{}.{}", rng.below(255), rng.below(255), 1 + rng.below(250));
        let id = create_host(&server, writer, &name, &address).await;
        let service = json!({"Service": {"host_id": id, "servicetemplate_id": 1, "name": null}});
        let reply = admin(post(server.url("/services/add.json?angular=true"))).json(&service).send().await;
        check(&reply, 200, "service add");
        let service = reply.json()["id"].as_i64().expect("service id");
        planned.push(Planned { id, name, address, service, host_state: None, service_state: None, host_alarm: None, service_alarm: None });
    }
    check(&admin(post(server.url("/rest/reload"))).send().await, 200, "reload");

    let mut expected: Vec<(Id, String, String)> = planned.iter().map(|p| (p.id, p.name.clone(), p.address.clone())).collect();
    expected.sort();
    for (dialect, rows) in views(&server).await {
        assert_eq!(rows, expected, "seed {seed}: hosts as {dialect} shows them");
    }
    for host in &planned {
        let stored = server.db.get::<Host>(host.id).expect("stored");
        assert_eq!((stored.name.as_str(), stored.address.as_str()), (host.name.as_str(), host.address.as_str()), "seed {seed}");
        assert!(server.db.get::<Service>(host.service).is_some());
    }

    for step in 0..8 {
        let index = rng.below(planned.len());
        let on_service = rng.below(2) == 0;
        let (state, severity, writer) = write_state(&server, &mut rng, &planned[index], on_service).await;
        let host = &mut planned[index];
        let (current, alarm) = if on_service { (&mut host.service_state, &mut host.service_alarm) } else { (&mut host.host_state, &mut host.host_alarm) };
        let problem = state != "ok" && state != "up";
        if *current != Some(state) {
            if problem {
                *alarm = Some(severity);
            } else if alarm.is_some() {
                *alarm = Some("CLEARED");
            }
        }
        *current = Some(state);
        let what = format!("seed {seed} step {step}: {writer} wrote {state} ({severity}) on {} {}", host.name, if on_service { "Ping" } else { "host" });
        let host = host.clone();
        for (dialect, host_state, service_state) in read_states(&server, &host).await {
            if let Some(expected) = host.host_state {
                assert_eq!(host_state.as_deref(), Some(expected), "{what}: host state through {dialect}");
            }
            if let (Some(expected), Some(_)) = (host.service_state, service_state.as_ref()) {
                assert_eq!(service_state.as_deref(), Some(expected), "{what}: service state through {dialect}");
            }
        }
        assert_eq!(alarm_severity(&server, &host, true).await.as_deref(), host.service_alarm, "{what}: OpenNMS service alarm");
        assert_eq!(alarm_severity(&server, &host, false).await.as_deref(), host.host_alarm, "{what}: OpenNMS node alarm");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_objects_and_states_agree_in_every_dialect() {
    for seed in SEEDS {
        run_seed(seed).await;
    }
}
