//! `rosetta-soak`: mixed load through all three dialects for a set time, reported per window as JSON lines,
//! then a check that every acknowledged write is still in the gateway (run by `bench/soak.sh`, which also
//! kills the gateway with SIGKILL and restarts it while the load goes on).

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use rosetta_bench::soak::{Soak, Target};
use serde_json::json;

/// Mixed soak load against a running gateway.
#[derive(Debug, Parser)]
#[command(name = "rosetta-soak", version, about)]
struct Args {
    /// Gateway base URL.
    #[arg(long)]
    url: String,
    /// Administrator login.
    #[arg(long, default_value = "admin")]
    username: String,
    /// Its password.
    #[arg(long)]
    password: String,
    /// An openITCOCKPIT API key of the same user.
    #[arg(long)]
    apikey: String,
    /// Hosts the data generator created.
    #[arg(long, default_value_t = 1000)]
    hosts: usize,
    /// How long to load, in seconds.
    #[arg(long, default_value_t = 600)]
    duration: u64,
    /// Length of a reporting window, in seconds.
    #[arg(long, default_value_t = 60)]
    window: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    workers: u64,
    /// File receiving `+name` for every acknowledged host creation and `-name` before every deletion.
    #[arg(long)]
    log: std::path::PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let run = format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs());
    let target = Target {
        base: args.url.trim_end_matches('/').to_owned(),
        username: args.username,
        password: args.password,
        apikey: args.apikey,
        hosts: args.hosts,
        run,
    };
    let log = std::fs::OpenOptions::new().create(true).append(true).open(&args.log)?;
    let soak = Arc::new(Soak::new(target, log));
    soak.login().await.map_err(|err| anyhow::anyhow!("cannot log in: {err}"))?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.duration);
    let load = tokio::spawn({
        let soak = Arc::clone(&soak);
        async move { soak.run(args.workers, deadline).await }
    });
    let mut totals = (0u64, 0u64, 0u64);
    let mut window = 1u64;
    while !load.is_finished() {
        let next = started + Duration::from_secs(args.window * window);
        tokio::time::sleep_until(next.into()).await;
        if load.is_finished() && next > deadline {
            // Only the stragglers of the last window are left: not a window of their own.
            break;
        }
        let report = soak.take_window();
        totals = (totals.0 + report.requests, totals.1 + report.errors, totals.2 + report.unreachable);
        println!(
            "{}",
            json!({"t": started.elapsed().as_secs(), "requests": report.requests, "errors": report.errors,
                   "unreachable": report.unreachable, "p50_ms": report.p50_ms, "p99_ms": report.p99_ms})
        );
        window += 1;
    }
    load.await?;

    // Every acknowledged write must be there, also across a crash of the gateway.
    let log = std::fs::read_to_string(&args.log)?;
    let acknowledged = rosetta_bench::soak::expected_hosts(&log);
    let creations = log.lines().filter(|line| line.starts_with('+')).count();
    let mut names = Err(String::new());
    for _ in 0..60 {
        names = soak.host_names().await;
        if names.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let names = names.map_err(|err| anyhow::anyhow!("cannot list hosts: {err}"))?;
    let missing: Vec<&String> = acknowledged.iter().filter(|name| !names.contains(*name)).collect();
    println!(
        "{}",
        json!({"summary": {"requests": totals.0, "errors": totals.1, "unreachable": totals.2,
               "acknowledged_writes": creations, "expected_hosts": acknowledged.len(), "missing": missing.len(),
               "missing_examples": missing.iter().take(10).collect::<Vec<_>>(), "first_errors": soak.first_errors()}})
    );
    anyhow::ensure!(missing.is_empty(), "{} acknowledged writes are missing", missing.len());
    Ok(())
}
