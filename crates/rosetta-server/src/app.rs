//! Building the gateway from a configuration: store, auth, seed data and the dialect registry.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rosetta_auth::{Auth, AuthConfig, LockoutPolicy};
use rosetta_core::{AppContext, Dialect, Settings};
use rosetta_model::{Kind, User};
use rosetta_store::{Actor, Db, Store, StoreError};
use rosetta_store_sqlite::{SqliteStore, Synchronous};

use crate::config::{argon2_params, Config};
use crate::native::{MetricsAccess, NativeApi};
use crate::pipeline::{Gateway, Limits, Mount};

/// Opens the configured store backend: PostgreSQL when `store.url` is set, else the SQLite file.
pub async fn open_backend(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    if let Some(url) = &config.store.url {
        let options = rosetta_store_postgres::PostgresOptions {
            url: url.clone(),
            schema: config.store.schema.clone(),
            pool_size: config.store.pool_size,
            connect_timeout: Duration::from_millis(config.store.connect_timeout_ms),
        };
        let store = rosetta_store_postgres::PostgresStore::connect(&options)
            .await
            .map_err(|err| anyhow::anyhow!("cannot open the PostgreSQL store: {err}"))?;
        return Ok(Arc::new(store));
    }
    let synchronous = if config.store.synchronous == "normal" { Synchronous::Normal } else { Synchronous::Full };
    let store = SqliteStore::open(&config.store.path, synchronous)
        .map_err(|err| anyhow::anyhow!("cannot open the store at {}: {err}", config.store.path.display()))?;
    Ok(Arc::new(store))
}

/// Opens the store and fills the cache.
pub async fn open_db(config: &Config) -> anyhow::Result<Arc<Db>> {
    let backend = open_backend(config).await?;
    Ok(Arc::new(Db::open(backend).await?))
}

/// The auth service configured by `config`.
pub fn auth_service(db: Arc<Db>, config: &Config) -> anyhow::Result<Arc<Auth>> {
    let hasher = argon2_params(&config.auth).map_err(|err| anyhow::anyhow!("argon2 parameters: {err}"))?;
    let auth = AuthConfig {
        session_ttl: Duration::from_secs(config.auth.session_ttl_secs),
        basic_cache_ttl: Duration::from_secs(config.auth.basic_cache_ttl_secs),
        lockout: LockoutPolicy {
            max_failures: config.auth.lockout_max_failures,
            window: Duration::from_secs(config.auth.lockout_window_secs),
            lockout: Duration::from_secs(config.auth.lockout_secs),
        },
        hasher,
    };
    Ok(Arc::new(Auth::new(db, auth)))
}

/// The dialects compiled into this build, configured by `config`, in dispatch order.
pub fn builtin_dialects(config: &Config) -> Vec<Arc<dyn Dialect>> {
    let mut dialects: Vec<Arc<dyn Dialect>> = Vec::new();
    #[cfg(feature = "opsview")]
    {
        let settings = &config.dialects.opsview;
        let default_format = rosetta_dialect_opsview::negotiate::Format::from_name(&settings.default_format)
            .unwrap_or(rosetta_dialect_opsview::negotiate::Format::Json);
        dialects.push(Arc::new(rosetta_dialect_opsview::OpsviewDialect {
            default_format,
            include_error_detail: settings.include_error_detail,
            opsview_version: settings.version.clone(),
            opsview_build: settings.build.clone(),
            opsview_edition: settings.edition.clone(),
            ..rosetta_dialect_opsview::OpsviewDialect::new()
        }));
    }
    #[cfg(not(feature = "opsview"))]
    let _ = config;
    #[cfg(feature = "opennms")]
    dialects.push(Arc::new(rosetta_dialect_opennms::OpennmsDialect::new()));
    // openITCOCKPIT claims `/<controller>/<action>`, so it is asked last.
    #[cfg(feature = "openitcockpit")]
    dialects.push(Arc::new(rosetta_dialect_openitcockpit::OpenitcockpitDialect::new()));
    dialects
}

/// What first start printed or must print: the generated admin password, when one was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstStart {
    /// The generated password; `None` when it came from the environment or the configuration.
    pub generated_password: Option<String>,
}

/// Seeds an empty store: the neutral objects (root tenant, roles, `admin`) and each dialect's
/// fresh-install objects. Returns `None` when the store already had users.
pub async fn seed_if_empty(
    db: &Db,
    auth: &Auth,
    config: &Config,
    dialects: &[Arc<dyn Dialect>],
) -> anyhow::Result<Option<FirstStart>> {
    if db.count::<User>() > 0 {
        return Ok(None);
    }
    let (password, generated) = match &config.auth.admin_password {
        Some(password) => (password.clone(), false),
        None => (rosetta_auth::secret::random_hex(12), true),
    };
    let hash = auth.hash_password(&password).map_err(|err| anyhow::anyhow!("hashing the admin password: {err}"))?;
    let seeded = db
        .write(Actor::new("system", "seed"), |tx| {
            rosetta_core::seed::seed_core(tx, hash)?;
            for dialect in dialects {
                dialect.seed(tx)?;
            }
            tx.audit("seed", Some(Kind::User), None, "fresh-install objects created");
            Ok::<_, StoreError>(())
        })
        .await;
    match seeded {
        Ok(()) => {}
        // Another replica sharing the store seeded it at the same moment.
        Err(StoreError::Conflict { .. }) => {
            db.sync_external_changes().await?;
            if db.count::<User>() > 0 {
                return Ok(None);
            }
            anyhow::bail!("seeding the store conflicted with another writer");
        }
        Err(err) => return Err(err.into()),
    }
    Ok(Some(FirstStart { generated_password: generated.then_some(password) }))
}

/// Everything `serve` needs, built from a configuration.
pub struct Built {
    /// The request pipeline.
    pub gateway: Arc<Gateway>,
    /// The store.
    pub db: Arc<Db>,
    /// What first start generated.
    pub first_start: Option<FirstStart>,
    /// Where to put the configuration reloader once listeners (and TLS) exist.
    pub reloader: crate::reload::ReloadSlot,
}

/// Builds the whole gateway: store, auth, seed, dialect registry and pipeline.
pub async fn build(config: &Config) -> anyhow::Result<Built> {
    let db = open_db(config).await?;
    build_with_db(config, db).await
}

/// Builds the gateway over an already opened store (tests use the in-memory one).
pub async fn build_with_db(config: &Config, db: Arc<Db>) -> anyhow::Result<Built> {
    let auth = auth_service(Arc::clone(&db), config)?;
    let all_dialects = builtin_dialects(config);
    let first_start = seed_if_empty(&db, &auth, config, &all_dialects).await?;
    let settings = Settings {
        max_body_bytes: config.server.limits.max_body_bytes,
        utc_offset_secs: 0,
        timezone: config.server.timezone.clone(),
        instance_uuid: instance_uuid(&db),
        version: env!("CARGO_PKG_VERSION"),
        reload_duration: Duration::from_millis(config.server.reload_duration_ms),
    };
    let app = AppContext { db: Arc::clone(&db), auth, settings: Arc::new(settings) };
    // Dispatch follows the built-in order (the openITCOCKPIT catch-all last), whatever the file's order.
    let configured = config.effective_mounts();
    let mut mounts = Vec::new();
    for dialect in &all_dialects {
        for mount in configured.iter().filter(|mount| mount.dialect == dialect.name()) {
            let served: Arc<dyn Dialect> = match (&mount.proxy, crate::config::product_of(&mount.dialect)) {
                (Some(proxy), Some(product)) if mount.mode == "proxy" => {
                    let upstream = rosetta_proxy::Upstream::new(product, proxy.clone())
                        .map_err(|err| anyhow::anyhow!("proxy mount for {}: {err}", mount.dialect))?;
                    let upstream = Arc::new(upstream);
                    upstream.spawn_health_checks();
                    tracing::info!(dialect = mount.dialect, upstream = proxy.upstream, "mount in proxy mode");
                    Arc::new(crate::proxy_mount::ProxyMount::new(Arc::clone(dialect), upstream))
                }
                _ => Arc::clone(dialect),
            };
            mounts.push(Mount { dialect: served, host: mount.host.clone() });
        }
    }
    let started = std::time::Instant::now();
    std::thread::scope(|scope| {
        for mount in &mounts {
            scope.spawn(|| mount.dialect.warm(&db));
        }
    });
    tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "dialect indexes built");
    let limits = Limits::from_config(&config.server.limits);
    let metrics = match config.server.metrics.as_str() {
        "authenticated" => MetricsAccess::Authenticated,
        "off" => MetricsAccess::Off,
        _ => MetricsAccess::Open,
    };
    crate::metrics::handle();
    let reloader = crate::reload::ReloadSlot::default();
    let native = NativeApi { metrics, reloader: Arc::clone(&reloader) };
    let gateway = Arc::new(Gateway::new(app, Arc::new(native), mounts, limits));
    Ok(Built { gateway, db, first_start, reloader })
}

/// A stable instance UUID: the UUID of the root tenant, which every store has.
fn instance_uuid(db: &Db) -> String {
    db.get::<rosetta_model::Tenant>(rosetta_model::ROOT_TENANT)
        .map(|tenant| tenant.meta.uuid.to_string().to_uppercase())
        .unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".to_owned())
}

/// Reads a configuration file and applies the process environment.
pub fn load_config(path: &Path) -> Result<Config, Vec<crate::config::ConfigError>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => {
            return Err(vec![crate::config::ConfigError {
                path: path.display().to_string(),
                message: format!("cannot read: {err}"),
            }])
        }
    };
    Config::from_toml_str(&text, &|name| std::env::var(name).ok())
}
