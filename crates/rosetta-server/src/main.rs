//! The `rosetta` binary: parses the command line and runs the command.

use std::sync::Arc;

use clap::Parser;
use rosetta_server::cli::{self, Cli, Command};
use rosetta_server::{app, background, listener, reload, telemetry};

/// mimalloc instead of glibc's malloc: under the gateway's pattern (large response buffers allocated and freed
/// on many threads) glibc's per-thread arenas kept growing the resident set although the data did not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve(args).await,
            Command::CheckConfig(config) => cli::check_config(&config),
            Command::User(command) => cli::user(command).await,
            Command::Apikey(command) => cli::apikey(command).await,
            Command::Import(args) => cli::import(args).await,
            Command::Completions { shell } => {
                cli::completions(shell);
                Ok(())
            }
            Command::Man => cli::man(),
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(args: cli::ServeArgs) -> anyhow::Result<()> {
    let mut config = cli::load(&args.config)?;
    if !args.listen.is_empty() {
        config.server.listen = args.listen.clone();
        let errors = config.validate();
        anyhow::ensure!(errors.is_empty(), "invalid --listen: {}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
    }
    let _telemetry = telemetry::init(&config.log);
    let built = app::build(&config).await?;
    if let Some(first) = &built.first_start {
        match &first.generated_password {
            Some(password) => println!("First start: created user `admin` with the generated password: {password}"),
            None => println!("First start: created user `admin` with the configured password"),
        }
    }
    let tls = match &config.server.tls {
        Some(tls) => Some(listener::TlsHandle::new(listener::tls_acceptor(tls)?)),
        None => None,
    };
    let reloader = Arc::new(reload::Reloader::new(
        args.config.config.clone(),
        config.clone(),
        Arc::clone(&built.gateway),
        tls.clone(),
    ));
    let _ = built.reloader.set(Arc::clone(&reloader));
    spawn_sighup(reloader);
    let listeners = listener::bind(&config.server.listen).await?;
    for bound in &listeners {
        let scheme = if tls.is_some() { "https" } else { "http" };
        if let Ok(addr) = bound.local_addr() {
            tracing::info!(%addr, dialects = ?built.gateway.mounted(), "listening on {scheme}://{addr}");
            println!("Rosetta listening on {scheme}://{addr} ({})", built.gateway.mounted().join(", "));
        }
    }
    let tasks = background::spawn(Arc::clone(&built.db), config.store.history_limit);
    let settings = listener::ConnectionSettings::from_config(&config.server.limits);
    listener::serve(listeners, built.gateway, tls, settings, listener::shutdown_signal()).await;
    tasks.abort();
    tracing::info!("stopped");
    Ok(())
}

/// Reloads the configuration on SIGHUP; a bad file is logged with every problem and ignored.
fn spawn_sighup(reloader: Arc<reload::Reloader>) {
    #[cfg(unix)]
    tokio::spawn(async move {
        let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; configuration reload by signal is off");
            return;
        };
        while hangups.recv().await.is_some() {
            match reloader.reload() {
                Ok(report) => tracing::info!(applied = ?report.applied, needs_restart = ?report.needs_restart, "SIGHUP: configuration reloaded"),
                Err(errors) => {
                    for error in &errors {
                        tracing::error!(problem = %error, "SIGHUP: configuration refused; the running one stays");
                    }
                }
            }
        }
    });
    #[cfg(not(unix))]
    let _ = reloader;
}
