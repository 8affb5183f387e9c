//! One host of `GET /rest/status/host` and `/rest/status/service`, written field by field in the order
//! Opsview writes them (a hand-written `Serialize`), so a page of hosts and services builds no
//! `serde_json::Value` tree. Every scalar is written as a string, as in the rest of the dialect.

use std::collections::BTreeMap;

use rosetta_model::{CheckState, HostGroup, StateValue, Target, Timestamp};
use rosetta_store::Db;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};

use super::selection::{host_unhandled, service_unhandled, state_name, state_type_name, HostRow, Scheduled};
use super::Env;
use crate::call::truthy;
use crate::config::ObjectType;
use crate::render::Shown;
use crate::timespec::format_datetime;

/// Handled/unhandled counters per state name.
#[derive(Debug, Default)]
pub struct Counts {
    by_state: BTreeMap<&'static str, (u64, u64)>,
    /// Handled in all states.
    pub handled: u64,
    /// Unhandled in all states.
    pub unhandled: u64,
}

impl Counts {
    /// Counts one object.
    pub fn add(&mut self, state: &'static str, unhandled: bool) {
        self.add_many(state, unhandled, 1);
    }

    /// Counts `count` objects alike.
    pub fn add_many(&mut self, state: &'static str, unhandled: bool, count: u64) {
        let entry = self.by_state.entry(state).or_default();
        if unhandled {
            entry.1 += count;
            self.unhandled += count;
        } else {
            entry.0 += count;
            self.handled += count;
        }
    }

    /// Everything counted.
    pub fn total(&self) -> u64 {
        self.handled + self.unhandled
    }

    /// The nested summary: `{"ok": {"handled": "5"}, ..., "handled", "unhandled", "total"}`.
    pub fn nested(&self) -> CountSummary<'_> {
        CountSummary { counts: self, nested: true, computed_state: None }
    }

    /// The flat summary: `{"ok": "5", ..., "handled", "unhandled", "total"}`.
    pub fn flat(&self) -> CountSummary<'_> {
        CountSummary { counts: self, nested: false, computed_state: None }
    }
}

/// A [`Counts`] written as Opsview writes a summary, every count a string, without building a map: the
/// states in name order, then `handled`, `unhandled`, `total` and, when given, `computed_state`.
#[derive(Debug, Clone, Copy)]
pub struct CountSummary<'c> {
    counts: &'c Counts,
    nested: bool,
    computed_state: Option<&'static str>,
}

impl CountSummary<'_> {
    /// The summary with `computed_state` last.
    pub fn with_computed_state(self, state: &'static str) -> Self {
        CountSummary { computed_state: Some(state), ..self }
    }

    /// The summary as a JSON object, for answers built as values.
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }
}

impl Serialize for CountSummary<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// One state's `{"handled": "n", "unhandled": "m"}`, zeros left out.
        struct Split(u64, u64);
        impl Serialize for Split {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                if self.0 > 0 {
                    map.serialize_entry("handled", &Shown(self.0))?;
                }
                if self.1 > 0 {
                    map.serialize_entry("unhandled", &Shown(self.1))?;
                }
                map.end()
            }
        }
        let counts = self.counts;
        let mut map = serializer.serialize_map(None)?;
        for (state, (handled, unhandled)) in &counts.by_state {
            if self.nested {
                map.serialize_entry(state, &Split(*handled, *unhandled))?;
            } else {
                map.serialize_entry(state, &Shown(handled + unhandled))?;
            }
        }
        map.serialize_entry("handled", &Shown(counts.handled))?;
        map.serialize_entry("unhandled", &Shown(counts.unhandled))?;
        map.serialize_entry("total", &Shown(counts.total()))?;
        if let Some(state) = self.computed_state {
            map.serialize_entry("computed_state", state)?;
        }
        map.end()
    }
}

/// The worst of these service states (first of equals), for `computed_state`.
pub fn worst_service<'a>(checks: impl IntoIterator<Item = &'a CheckState>) -> &'static str {
    let mut worst: Option<(u8, &'static str)> = None;
    for check in checks {
        if let StateValue::Service(state) = check.state {
            let badness = state.badness();
            if worst.is_none_or(|(b, _)| badness > b) {
                worst = Some((badness, state.name()));
            }
        }
    }
    worst.map_or("ok", |(_, name)| name)
}

/// The metrics of performance data: `rta=0.045ms;...` → (`rta`, `ms`, `0.045`).
pub fn metric_parts(perfdata: &str) -> impl Iterator<Item = (&str, &str, &str)> {
    perfdata.split_whitespace().filter_map(|item| {
        let (name, rest) = item.split_once('=')?;
        let value = rest.split(';').next().unwrap_or_default();
        let split = value.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).unwrap_or(value.len());
        Some((name.trim_matches('\''), &value[split..], &value[..split]))
    })
}

/// What every host entry of one request shares: the store, the clock and the request's options.
pub struct EntryContext<'a> {
    db: &'a Db,
    now: Timestamp,
    /// With `format_datetime=1`: the server's UTC offset, times written as text.
    datetime_offset: Option<i32>,
    monitored_by: bool,
    extra_details: bool,
    perfdata: bool,
}

impl<'a> EntryContext<'a> {
    /// The context of `env`'s request.
    pub fn of(env: &'a Env<'_>) -> EntryContext<'a> {
        let params = &env.call.params;
        EntryContext {
            db: env.db(),
            now: Timestamp::now(),
            datetime_offset: env.call.output.format_datetime.then_some(env.ctx.app.settings.utc_offset_secs),
            monitored_by: truthy(params.get("include_monitored_by")),
            extra_details: truthy(params.get("includeextradetails")),
            perfdata: truthy(params.get("includeperfdata")),
        }
    }

    fn duration(&self, check: &CheckState) -> Shown<i64> {
        Shown(self.now.secs().saturating_sub(check.last_state_change.secs()).max(0))
    }

    fn time(&self, at: Timestamp) -> Time {
        match self.datetime_offset {
            Some(offset) => Time::Text(format_datetime(at.secs(), offset)),
            None => Time::Epoch(Shown(at.secs())),
        }
    }
}

/// A time as the client asked (see [`Env::time`]).
enum Time {
    Text(String),
    Epoch(Shown<i64>),
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Time::Text(text) => serializer.serialize_str(text),
            Time::Epoch(secs) => secs.serialize(serializer),
        }
    }
}

fn flag(on: bool) -> &'static str {
    if on {
        "1"
    } else {
        "0"
    }
}

/// One host with its state, summary and (for `status/service`) its services.
pub struct HostEntry<'a> {
    cx: &'a EntryContext<'a>,
    row: HostRow,
    with_services: bool,
    scheduled: Scheduled,
}

impl<'a> HostEntry<'a> {
    /// The entry of `row`, with its services listed when `with_services`.
    pub fn new(cx: &'a EntryContext<'a>, row: HostRow, with_services: bool) -> HostEntry<'a> {
        let scheduled = Scheduled::on_host(cx.db, row.host.meta.id, cx.now);
        HostEntry { cx, row, with_services, scheduled }
    }

    fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for service in &self.row.services {
            counts.add(state_name(&service.check), service_unhandled(&service.check, &self.row.check));
        }
        counts
    }

    fn first_group_name(&self) -> String {
        let group = self.row.host.hostgroups.first().and_then(|g| self.cx.db.get::<HostGroup>(*g));
        group.map(|g| g.name.clone()).unwrap_or_default()
    }
}

impl Serialize for HostEntry<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (cx, row, check) = (self.cx, &self.row, &*self.row.check);
        let host = &row.host;
        let icon = host.native.get("opsview.icon").and_then(Value::as_str).unwrap_or("LOGO - Opsview");
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("name", &host.name)?;
        map.serialize_entry("alias", &host.alias)?;
        map.serialize_entry("icon", &icon.trim_start_matches("LOGO - ").to_ascii_lowercase())?;
        map.serialize_entry("state", state_name(check))?;
        map.serialize_entry("state_type", state_type_name(check))?;
        map.serialize_entry("state_duration", &cx.duration(check))?;
        map.serialize_entry("last_check", &cx.time(check.last_check))?;
        map.serialize_entry("current_check_attempt", &Shown(check.attempt))?;
        map.serialize_entry("max_check_attempts", &Shown(check.max_attempts))?;
        map.serialize_entry("num_services", &Shown(row.services.len()))?;
        map.serialize_entry("num_interfaces", "0")?;
        map.serialize_entry("output", &check.output)?;
        map.serialize_entry("downtime", &Shown(self.scheduled.flag(Target::Host(host.meta.id), check)))?;
        map.serialize_entry("unhandled", flag(host_unhandled(check)))?;
        if check.is_acknowledged() {
            map.serialize_entry("acknowledged", "1")?;
        }
        if check.flapping {
            map.serialize_entry("flapping", "1")?;
        }
        if cx.monitored_by {
            let cluster = crate::config::host::monitored_by(host);
            map.serialize_entry("monitored_by", &Shown(cluster))?;
            let name = ObjectType::MonitoringCluster.name_of(cx.db, cluster).unwrap_or_default();
            map.serialize_entry("monitored_by_name", &name)?;
        }
        if cx.extra_details {
            // `status/service` names the first group where the extra details list its ancestry.
            if self.with_services {
                map.serialize_entry("hostgroup", &self.first_group_name())?;
            } else {
                let groups = host.hostgroups.first().map(|g| crate::config::hostgroup::ancestry(cx.db, *g));
                let groups: Vec<Value> = groups
                    .unwrap_or_default()
                    .iter()
                    .map(|g| json!({"id": g.meta.id.to_string(), "name": g.name}))
                    .collect();
                map.serialize_entry("hostgroup", &groups)?;
            }
            if !check.flapping {
                map.serialize_entry("flapping", "0")?;
            }
        }
        let counts = self.counts();
        if self.with_services {
            map.serialize_entry("ip", &host.address)?;
            if !cx.extra_details {
                map.serialize_entry("hostgroup", &self.first_group_name())?;
            }
            let worst = worst_service(row.services.iter().map(|s| &*s.check));
            map.serialize_entry("summary", &counts.flat().with_computed_state(worst))?;
            map.serialize_entry("services", &Services(self))?;
        } else {
            map.serialize_entry("summary", &counts.nested())?;
        }
        map.end()
    }
}

/// The services of a host entry.
struct Services<'e, 'a>(&'e HostEntry<'a>);

impl Serialize for Services<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entry = self.0;
        let mut list = serializer.serialize_seq(Some(entry.row.services.len()))?;
        for service in &entry.row.services {
            list.serialize_element(&ServiceItem { entry, service })?;
        }
        list.end()
    }
}

/// One service of a host entry.
struct ServiceItem<'e, 'a> {
    entry: &'e HostEntry<'a>,
    service: &'e super::selection::ServiceRow,
}

impl Serialize for ServiceItem<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (cx, host_check) = (self.entry.cx, &*self.entry.row.check);
        let (service, s) = (self.service, &*self.service.check);
        let id = service.service.meta.id;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("name", &service.name)?;
        map.serialize_entry("service_object_id", &Shown(id))?;
        map.serialize_entry("state", state_name(s))?;
        map.serialize_entry("state_type", state_type_name(s))?;
        map.serialize_entry("state_duration", &cx.duration(s))?;
        map.serialize_entry("last_check", &cx.time(s.last_check))?;
        map.serialize_entry("current_check_attempt", &Shown(s.attempt))?;
        map.serialize_entry("max_check_attempts", &Shown(s.max_attempts))?;
        map.serialize_entry("output", &s.output)?;
        map.serialize_entry("perfdata_available", flag(!s.perfdata.is_empty()))?;
        map.serialize_entry("markdown", "0")?;
        map.serialize_entry("downtime", &Shown(self.entry.scheduled.flag(Target::Service(id), s)))?;
        map.serialize_entry("unhandled", flag(service_unhandled(s, host_check)))?;
        if s.is_acknowledged() {
            map.serialize_entry("acknowledged", "1")?;
        }
        if s.flapping {
            map.serialize_entry("flapping", "1")?;
        }
        if cx.perfdata {
            let metrics: Vec<Metric<'_>> =
                metric_parts(&s.perfdata).map(|(name, uom, value)| Metric { name, uom, value }).collect();
            map.serialize_entry("metrics", &metrics)?;
        }
        map.end()
    }
}

/// One metric of a service's performance data.
#[derive(Serialize)]
struct Metric<'a> {
    name: &'a str,
    uom: &'a str,
    value: &'a str,
}
