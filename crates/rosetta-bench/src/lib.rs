//! The benchmark data generator: a realistic estate of hosts with services, a share of problems,
//! acknowledgements and downtimes, written through the same store and monitoring semantics as the
//! gateway itself; and [`soak`], the mixed load of `bench/soak.sh`.

pub mod soak;

use rosetta_core::monitoring::{self, AckRequest, CheckResult, DowntimeRequest};
use rosetta_core::GatewayError;
use rosetta_model::*;
use rosetta_store::{Actor, Db};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Hosts.
    pub hosts: usize,
    /// Services per host.
    pub services_per_host: usize,
    /// One in this many services is in a problem state.
    pub problem_every: usize,
    /// One in this many problems is acknowledged.
    pub ack_every: usize,
    /// One in this many hosts is in downtime.
    pub downtime_every: usize,
}

impl Shape {
    /// The standard shape: 10 services per host, 5% problems, a third of them acknowledged, 2% of hosts
    /// in downtime.
    pub fn standard(hosts: usize) -> Shape {
        Shape { hosts, services_per_host: 10, problem_every: 20, ack_every: 3, downtime_every: 50 }
    }
}

/// Host groups of the estate (leaves below the root group).
pub(crate) const GROUPS: &[&str] = &["Web", "Databases", "Network", "Storage", "Applications"];
/// Service names, given to each host's services in turn.
pub(crate) const SERVICES: &[&str] =
    &["PING", "HTTP", "HTTPS", "SSH", "Disk", "Load", "Memory", "Swap", "NTP", "DNS", "SMTP", "Postgres"];

/// Writes `shape` into `db` in batches of `batch` hosts per transaction; returns the number of services.
pub async fn generate(db: &Db, shape: Shape, batch: usize) -> Result<usize, GatewayError> {
    let actor = Actor::new("datagen", "bench");
    let groups: Vec<Id> = db
        .write(actor.clone(), |tx| {
            let mut ids = Vec::new();
            for name in GROUPS {
                let existing = tx.all::<HostGroup>().into_iter().find(|group| group.name == *name);
                let id = match existing {
                    Some(group) => group.meta.id,
                    None => {
                        tx.insert(HostGroup {
                            meta: Meta::new(0),
                            name: (*name).to_owned(),
                            parent: Some(1),
                            tenant: ROOT_TENANT,
                            description: String::new(),
                            native: Native::new(),
                        })
                        .meta
                        .id
                    }
                };
                ids.push(id);
            }
            Ok::<_, GatewayError>(ids)
        })
        .await?;
    let mut services = 0;
    let mut start = 0;
    while start < shape.hosts {
        let end = (start + batch).min(shape.hosts);
        services += db
            .write(actor.clone(), |tx| {
                let mut created = 0;
                for index in start..end {
                    let host = tx.insert(Host {
                        alias: format!("Benchmark host {index}"),
                        hostgroups: vec![groups[index % groups.len()]],
                        check: CheckSettings { max_check_attempts: Some(1), ..CheckSettings::default() },
                        ..Host::new(
                            format!("bench-host-{index:06}"),
                            format!("10.{}.{}.{}", (index >> 16) & 255, (index >> 8) & 255, index & 255),
                            ROOT_TENANT,
                        )
                    });
                    for slot in 0..shape.services_per_host {
                        tx.insert(Service {
                            check: CheckSettings { max_check_attempts: Some(1), ..CheckSettings::default() },
                            ..Service::new(host.meta.id, SERVICES[slot % SERVICES.len()])
                        });
                        created += 1;
                    }
                }
                Ok::<_, GatewayError>(created)
            })
            .await?;
        start = end;
    }
    db.write(actor.clone(), |tx| {
        monitoring::start_reload(tx)?;
        monitoring::finish_reload(tx)
    })
    .await?;
    apply_states(db, shape, batch, &actor).await?;
    Ok(services)
}

async fn apply_states(db: &Db, shape: Shape, batch: usize, actor: &Actor) -> Result<(), GatewayError> {
    let hosts = db.all::<Host>();
    let services = db.all::<Service>();
    for (chunk_index, chunk) in services.chunks(batch * shape.services_per_host.max(1)).enumerate() {
        db.write(actor.clone(), |tx| {
            for (offset, service) in chunk.iter().enumerate() {
                let index = chunk_index * batch * shape.services_per_host.max(1) + offset;
                let problem = index % shape.problem_every == 0;
                let state = match (problem, index % 3) {
                    (false, _) => ServiceState::Ok,
                    (true, 0) => ServiceState::Critical,
                    (true, 1) => ServiceState::Warning,
                    (true, _) => ServiceState::Unknown,
                };
                let mut result = CheckResult::new(Target::Service(service.meta.id), StateValue::Service(state), "bench");
                result.output = format!("{} - generated", state.name().to_uppercase());
                result.perfdata = format!("time={}ms", index % 997);
                monitoring::submit_result(tx, result)?;
                if problem && (index / shape.problem_every) % shape.ack_every == 0 {
                    monitoring::acknowledge(
                        tx,
                        AckRequest {
                            target: Target::Service(service.meta.id),
                            author: "datagen".to_owned(),
                            comment: "known issue".to_owned(),
                            sticky: true,
                            notify: false,
                            persistent: false,
                            dialect: "bench".to_owned(),
                        },
                    )?;
                }
            }
            Ok::<_, GatewayError>(())
        })
        .await?;
    }
    for chunk in hosts.chunks(batch) {
        db.write(actor.clone(), |tx| {
            let now = tx.now();
            for host in chunk.iter().filter(|host| host.meta.id as usize % shape.downtime_every == 0) {
                monitoring::schedule_downtime(
                    tx,
                    DowntimeRequest {
                        target: Target::Host(host.meta.id),
                        start: now,
                        end: now.plus_millis(7 * 24 * 3_600_000),
                        fixed: true,
                        author: "datagen".to_owned(),
                        comment: "planned maintenance".to_owned(),
                        group: None,
                        dialect: "bench".to_owned(),
                    },
                )?;
            }
            Ok::<_, GatewayError>(())
        })
        .await?;
    }
    Ok(())
}
