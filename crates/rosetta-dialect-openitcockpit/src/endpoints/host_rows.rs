//! The rows of the hosts lists (`/hosts/index`, `notMonitored`, `disabled`) as typed blocks borrowing
//! from the stored objects, written straight into the answer. What every row of a page shares (the
//! clock, the caller's visibility, the hosts' templates, the page's downtimes) is worked out once per page.

use std::collections::HashMap;
use std::sync::Arc;

use rosetta_core::visibility::Visibility;
use rosetta_model::*;
use rosetta_store::Read;
use serde::{Serialize, Serializer};

use crate::call::Call;
use crate::json;
use crate::wire::{self, AcknowledgementBlock, Clock, DowntimeBlock, HostStatusBlock, HostType, NotMonitored};

const SATELLITE_ID: &str = "openitcockpit.satellite_id";
const USAGE_FLAG: &str = "openitcockpit.usage_flag";

/// The `Host` block of list rows (spec §3.1): the host's own fields, the effective description, priority,
/// notes and active-checks flag (own over the first template over the defaults) and the caller's rights.
#[derive(Debug, Serialize)]
pub struct HostBlock<'a> {
    id: Id,
    #[serde(serialize_with = "display")]
    uuid: &'a uuid::Uuid,
    hostname: &'a str,
    address: &'a str,
    description: &'a str,
    hosttemplate_id: Id,
    active_checks_enabled: bool,
    #[serde(rename = "satelliteId")]
    satellite_id: i64,
    #[serde(rename = "containerId")]
    container_id: Id,
    #[serde(rename = "containerIds", serialize_with = "container_ids")]
    container_ids: &'a Host,
    #[serde(serialize_with = "tags")]
    tags: &'a [String],
    #[serde(rename = "usageFlag")]
    usage_flag: i64,
    allow_edit: bool,
    disabled: bool,
    priority: Option<u8>,
    notes: Option<&'a str>,
    is_satellite_host: bool,
    name: &'a str,
    allow_sharing: bool,
    #[serde(rename = "satelliteName")]
    satellite_name: &'static str,
    #[serde(rename = "satelliteRestricted")]
    satellite_restricted: bool,
    #[serde(rename = "type")]
    host_type: HostType,
    #[serde(rename = "additionalInformationExists")]
    additional_information_exists: bool,
}

impl<'a> HostBlock<'a> {
    /// The block of `host`; `template` is its first template, `defaults` the built-in settings.
    pub fn new(vis: &Visibility, host: &'a Host, template: Option<&'a HostTemplate>, defaults: &'a CheckSettings) -> HostBlock<'a> {
        let effective = || [Some(&host.check), template.map(|template| &template.check), Some(defaults)].into_iter().flatten();
        let satellite = native_int(host, SATELLITE_ID);
        HostBlock {
            id: host.meta.id,
            uuid: &host.meta.uuid,
            hostname: &host.name,
            address: &host.address,
            description: match template {
                _ if !host.alias.is_empty() => &host.alias,
                Some(template) => &template.description,
                None => "",
            },
            hosttemplate_id: host.templates.first().copied().unwrap_or(0),
            active_checks_enabled: effective().find_map(|check| check.active_checks_enabled) == Some(true),
            satellite_id: satellite,
            container_id: host.tenant,
            container_ids: host,
            tags: &host.tags,
            usage_flag: native_int(host, USAGE_FLAG),
            allow_edit: vis.can_change_host(host),
            disabled: !host.enabled,
            priority: effective().find_map(|check| check.priority),
            notes: effective().find_map(|check| check.notes.as_deref()),
            is_satellite_host: satellite != 0,
            name: &host.name,
            allow_sharing: true,
            satellite_name: "Mastersystem",
            satellite_restricted: false,
            host_type: wire::GENERIC_HOST,
            additional_information_exists: false,
        }
    }
}

fn native_int(host: &Host, key: &str) -> i64 {
    host.native.get(key).and_then(serde_json::Value::as_i64).unwrap_or(0)
}

fn display<S: Serializer>(value: &impl std::fmt::Display, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// All container ids of a host, primary first (see [`super::hosts::container_ids`]).
fn container_ids<S: Serializer>(host: &&Host, serializer: S) -> Result<S::Ok, S::Error> {
    let shared = host.shared_tenants.iter().copied().filter(|id| *id != host.tenant);
    serializer.collect_seq(std::iter::once(host.tenant).chain(shared))
}

/// Comma-joined, `null` when there are none.
fn tags<S: Serializer>(tags: &&[String], serializer: S) -> Result<S::Ok, S::Error> {
    if tags.is_empty() {
        serializer.serialize_none()
    } else {
        serializer.collect_str(&Joined(tags))
    }
}

struct Joined<'a>(&'a [String]);

impl std::fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, item) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            f.write_str(item)?;
        }
        Ok(())
    }
}

/// `Hoststatus`: the status of a monitored host, or the not-monitored block.
fn status_or_not_monitored<S: Serializer>(status: &Option<HostStatusBlock<'_>>, serializer: S) -> Result<S::Ok, S::Error> {
    match status {
        Some(status) => status.serialize(serializer),
        None => wire::NOT_MONITORED.serialize(serializer),
    }
}

/// A block, or `[]` where the product has an empty PHP array.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum OrEmpty<T> {
    Block(T),
    Empty([(); 0]),
}

impl<T> From<Option<T>> for OrEmpty<T> {
    fn from(block: Option<T>) -> OrEmpty<T> {
        block.map_or(OrEmpty::Empty([]), OrEmpty::Block)
    }
}

/// `ServicestatusSummary`: the host's services per state.
#[derive(Debug, Serialize)]
struct ServiceSummary {
    state: StateCounts,
    total: u64,
}

#[derive(Debug, Serialize)]
struct StateCounts {
    ok: u64,
    warning: u64,
    critical: u64,
    unknown: u64,
}

impl ServiceSummary {
    fn of(store: &impl Read, host: Id) -> ServiceSummary {
        let mut counts = [0u64; 4];
        for status in store.children::<ServiceStatus>(host) {
            let code = usize::from(status.check.state.code()).min(3);
            if let Some(slot) = counts.get_mut(code) {
                *slot += 1;
            }
        }
        let [ok, warning, critical, unknown] = counts;
        ServiceSummary { state: StateCounts { ok, warning, critical, unknown }, total: counts.iter().sum() }
    }
}

/// One row of `/hosts/index`.
#[derive(Debug, Serialize)]
struct IndexRow<'a> {
    #[serde(rename = "Host")]
    host: HostBlock<'a>,
    #[serde(rename = "Hoststatus", serialize_with = "status_or_not_monitored")]
    status: Option<HostStatusBlock<'a>>,
    #[serde(rename = "ServicestatusSummary")]
    summary: ServiceSummary,
    #[serde(rename = "Downtime")]
    downtime: OrEmpty<DowntimeBlock<'a>>,
    #[serde(rename = "Acknowledgement")]
    acknowledgement: OrEmpty<AcknowledgementBlock<'a>>,
}

/// One row of `/hosts/notMonitored` and `/hosts/disabled`.
#[derive(Debug, Serialize)]
struct PlainRow<'a> {
    #[serde(rename = "Host")]
    host: HostBlock<'a>,
    #[serde(rename = "Hoststatus")]
    status: NotMonitored,
    #[serde(rename = "Hosttemplate", skip_serializing_if = "Option::is_none")]
    template: Option<TemplateRef<'a>>,
}

#[derive(Debug, Serialize)]
struct TemplateRef<'a> {
    id: Id,
    name: &'a str,
}

/// What to add to index rows besides the status (the `includes[]` of the request).
#[derive(Debug, Clone, Copy, Default)]
pub struct Includes {
    /// The downtime in force on the host, else `[]`.
    pub downtimes: bool,
    /// The acknowledgement in force on the host, else `[]`.
    pub acknowledgements: bool,
}

/// The shared state of one page of host rows.
pub struct HostPage<'a, S: Read> {
    store: &'a S,
    vis: &'a Visibility,
    clock: Clock,
    defaults: CheckSettings,
    templates: HashMap<Id, Arc<HostTemplate>>,
}

impl<'a, S: Read> HostPage<'a, S> {
    /// The page of `hosts`: reads each template they name once.
    pub fn new<'h>(call: &Call<'_>, store: &'a S, vis: &'a Visibility, hosts: impl Iterator<Item = &'h Host>) -> Self {
        let mut templates = HashMap::new();
        for host in hosts {
            for id in &host.templates {
                if !templates.contains_key(id) {
                    if let Some(template) = store.get::<HostTemplate>(*id) {
                        templates.insert(*id, template);
                    }
                }
            }
        }
        HostPage { store, vis, clock: Clock::of(call), defaults: CheckSettings::defaults(), templates }
    }

    fn first_template(&self, host: &Host) -> Option<&HostTemplate> {
        host.templates.first().and_then(|id| self.templates.get(id)).map(Arc::as_ref)
    }

    /// The `Host` block of `host`.
    pub fn host_block<'b>(&'b self, host: &'b Host) -> HostBlock<'b> {
        HostBlock::new(self.vis, host, self.first_template(host), &self.defaults)
    }

    /// The effective settings a status block reads (check interval and flags): own over each template
    /// in turn over the defaults, as [`rosetta_core::monitoring::effective_host_settings`] has them.
    fn status_settings(&self, host: &Host) -> CheckSettings {
        let own = &host.check;
        let mut settings = CheckSettings {
            check_interval: own.check_interval,
            active_checks_enabled: own.active_checks_enabled,
            flap_detection_enabled: own.flap_detection_enabled,
            notifications_enabled: own.notifications_enabled,
            ..CheckSettings::default()
        };
        let templates = host.templates.iter().filter_map(|id| self.templates.get(id)).map(|template| &template.check);
        for base in templates.chain([&self.defaults]) {
            settings.check_interval = settings.check_interval.or(base.check_interval);
            settings.active_checks_enabled = settings.active_checks_enabled.or(base.active_checks_enabled);
            settings.flap_detection_enabled = settings.flap_detection_enabled.or(base.flap_detection_enabled);
            settings.notifications_enabled = settings.notifications_enabled.or(base.notifications_enabled);
        }
        settings
    }

    /// Writes `"all_hosts":[...]` for `/hosts/index`: each host with its status (`None`: not monitored)
    /// and what `includes` asks for.
    pub fn write_index_rows(&self, out: &mut Vec<u8>, rows: &[(&Host, Option<&HostStatus>)], includes: Includes) {
        let downtimes = if includes.downtimes { self.downtimes(rows.iter().map(|(host, _)| host.meta.id)) } else { HashMap::new() };
        out.extend_from_slice(b"\"all_hosts\":[");
        for (index, (host, status)) in rows.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            let allow = self.vis.can_change_host(host);
            let settings = self.status_settings(host);
            let acknowledgement = includes
                .acknowledgements
                .then(|| status.and_then(|status| status.check.acknowledgement))
                .flatten()
                .and_then(|id| self.store.get::<Acknowledgement>(id));
            let row = IndexRow {
                host: self.host_block(host),
                status: status.map(|status| HostStatusBlock::new(self.store, &self.clock, &status.check, &settings)),
                summary: ServiceSummary::of(self.store, host.meta.id),
                downtime: downtimes.get(&host.meta.id).map(|downtime| DowntimeBlock::new(&self.clock, downtime, allow)).into(),
                acknowledgement: acknowledgement.as_deref().map(|ack| AcknowledgementBlock::new(&self.clock, ack, allow)).into(),
            };
            json::write(out, &row);
        }
        out.push(b']');
    }

    /// Writes `"all_hosts":[...]` for `/hosts/notMonitored` (`with_template` false) and `/hosts/disabled`
    /// (with each host's first template).
    pub fn write_plain_rows(&self, out: &mut Vec<u8>, hosts: &[&Host], with_template: bool) {
        out.extend_from_slice(b"\"all_hosts\":[");
        for (index, host) in hosts.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            let template = with_template
                .then(|| self.first_template(host))
                .flatten()
                .map(|template| TemplateRef { id: template.meta.id, name: &template.name });
            json::write(out, &PlainRow { host: self.host_block(host), status: wire::NOT_MONITORED, template });
        }
        out.push(b']');
    }

    /// The downtime in force on each of `hosts` (the first by id, as [`wire::active_downtime`] finds it),
    /// from one pass over the downtimes.
    fn downtimes(&self, hosts: impl Iterator<Item = Id>) -> HashMap<Id, Arc<Downtime>> {
        let wanted: std::collections::HashSet<Id> = hosts.collect();
        let now = Timestamp::now();
        let mut found = HashMap::new();
        for downtime in self.store.all::<Downtime>() {
            if let Target::Host(id) = downtime.target {
                if wanted.contains(&id) && downtime.is_active(now) {
                    found.entry(id).or_insert(downtime);
                }
            }
        }
        found
    }
}
