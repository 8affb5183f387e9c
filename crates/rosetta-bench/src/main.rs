//! `rosetta-datagen`: fills a store with a benchmark estate.
//!
//! `rosetta-datagen --config gateway.toml --hosts 10000` creates 10,000 hosts with 10 services each (5%
//! problems, a third of those acknowledged, 2% of the hosts in downtime) in the configured store.

use clap::Parser;

/// Fills a store with a benchmark estate.
#[derive(Debug, Parser)]
#[command(name = "rosetta-datagen", version, about)]
struct Args {
    /// Gateway configuration naming the store.
    #[arg(long, default_value = "gateway.toml")]
    config: std::path::PathBuf,
    /// Hosts to create.
    #[arg(long, default_value_t = 1000)]
    hosts: usize,
    /// Hosts per transaction.
    #[arg(long, default_value_t = 500)]
    batch: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = rosetta_server::app::load_config(&args.config).map_err(|errors| {
        anyhow::anyhow!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
    })?;
    let built = rosetta_server::build(&config).await?;
    let started = std::time::Instant::now();
    let services =
        rosetta_bench::generate(&built.db, rosetta_bench::Shape::standard(args.hosts), args.batch.max(1)).await?;
    println!("generated {} hosts and {services} services in {:.1} s", args.hosts, started.elapsed().as_secs_f64());
    Ok(())
}
