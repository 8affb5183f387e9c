//! The PostgreSQL backend of the Rosetta store, for several replicas sharing one database.
//!
//! The schema mirrors the SQLite one: `records` (kind, id, version, JSON body) and a `changes` log.
//! PostgreSQL is the source of truth:
//! - every commit is one transaction with optimistic concurrency (a record is written only if its
//!   version is still the one the writer read), so concurrent writes through two replicas end in a
//!   consistent state and the loser gets a conflict;
//! - each replica allocates ids from blocks reserved in `id_blocks`, so replicas never collide;
//! - every commit sends `NOTIFY`, which the other replicas' listeners turn into an immediate cache
//!   sync (they also poll, and resynchronise after a lost connection);
//! - migrations run under an advisory lock, so replicas starting together do not race.
//!
//! Connection failures surface as [`StoreError::Unavailable`]: requests fail fast (503) and the pool
//! reconnects by itself when the database returns.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use futures_util::StreamExt;
use rosetta_model::{Id, Kind};
use rosetta_store::{new_writer_id, ExternalChange, Mutation, Store, StoreError, StoreFuture, StoredRecord};
use tokio::sync::Notify;
use tokio_postgres::{AsyncMessage, NoTls};

/// Key of the advisory lock held while migrating.
const MIGRATION_LOCK: i64 = 0x524f_5345_5454_41; // "ROSETTA"

/// How many change-log rows to keep.
const CHANGE_LOG_KEEP: i64 = 100_000;

/// Schema migrations, applied in order; `{schema}` is replaced by the quoted schema name.
const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE {schema}.records (
        kind TEXT NOT NULL,
        id BIGINT NOT NULL,
        version BIGINT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    );
    CREATE TABLE {schema}.changes (
        seq BIGSERIAL PRIMARY KEY,
        kind TEXT NOT NULL,
        id BIGINT NOT NULL
    );
    CREATE TABLE {schema}.id_blocks (
        kind TEXT PRIMARY KEY,
        next BIGINT NOT NULL
    );",
), (
    2,
    "ALTER TABLE {schema}.changes ADD COLUMN writer BIGINT NOT NULL DEFAULT 0;",
)];

/// Connection settings.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// `postgres://` URL.
    pub url: String,
    /// Schema holding Rosetta's tables (created when missing).
    pub schema: String,
    /// Most pooled connections.
    pub pool_size: usize,
    /// How long a request waits for a connection before failing with 503.
    pub connect_timeout: Duration,
}

/// The PostgreSQL [`Store`].
pub struct PostgresStore {
    pool: Pool,
    schema: String,
    signal: Arc<Notify>,
    listener: tokio::task::JoinHandle<()>,
    /// This instance's id in the change log (see [`rosetta_store::new_writer_id`]).
    writer: i64,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").field("schema", &self.schema).finish_non_exhaustive()
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// True for a schema name Rosetta accepts (lower-case identifier, no quoting surprises).
pub fn valid_schema(schema: &str) -> bool {
    let mut chars = schema.chars();
    chars.next().is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && chars.all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        && schema.len() <= 63
}

impl PostgresStore {
    /// Connects, creates the schema if needed and runs migrations under an advisory lock.
    pub async fn connect(options: &PostgresOptions) -> Result<PostgresStore, StoreError> {
        if !valid_schema(&options.schema) {
            return Err(StoreError::Backend(format!("`{}` is not a valid schema name", options.schema)));
        }
        let config: tokio_postgres::Config =
            options.url.parse().map_err(|err| StoreError::Backend(format!("bad database URL: {err}")))?;
        let manager =
            Manager::from_config(config.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .wait_timeout(Some(options.connect_timeout))
            .create_timeout(Some(options.connect_timeout))
            .recycle_timeout(Some(options.connect_timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|err| StoreError::Backend(err.to_string()))?;
        let schema = format!("\"{}\"", options.schema);
        migrate(&pool, &schema).await?;
        let signal = Arc::new(Notify::new());
        let channel = format!("rosetta_{}", options.schema);
        let listener = tokio::spawn(listen(config, channel, Arc::clone(&signal)));
        Ok(PostgresStore { pool, schema, signal, listener, writer: new_writer_id() })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(pool_error)
    }

    fn sql(&self, text: &str) -> String {
        text.replace("{schema}", &self.schema)
    }

    fn channel(&self) -> String {
        format!("rosetta_{}", self.schema.trim_matches('"'))
    }
}

async fn migrate(pool: &Pool, schema: &str) -> Result<(), StoreError> {
    let mut client = pool.get().await.map_err(pool_error)?;
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]).await.map_err(pg_error)?;
    let result = async {
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema};
                 CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (version BIGINT PRIMARY KEY, applied TIMESTAMPTZ NOT NULL DEFAULT now());"
            ))
            .await
            .map_err(pg_error)?;
        for (version, sql) in MIGRATIONS {
            let applied = client
                .query_opt(&format!("SELECT version FROM {schema}.schema_migrations WHERE version = $1"), &[version])
                .await
                .map_err(pg_error)?;
            if applied.is_some() {
                continue;
            }
            let tx = client.transaction().await.map_err(pg_error)?;
            tx.batch_execute(&sql.replace("{schema}", schema)).await.map_err(pg_error)?;
            tx.execute(&format!("INSERT INTO {schema}.schema_migrations (version) VALUES ($1)"), &[version])
                .await
                .map_err(pg_error)?;
            tx.commit().await.map_err(pg_error)?;
            tracing::info!(version, "applied postgresql migration");
        }
        Ok::<_, StoreError>(())
    }
    .await;
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]).await.map_err(pg_error);
    result.and(unlocked.map(|_| ()))
}

/// Keeps a `LISTEN` connection open and wakes followers on every notification; reconnects after a
/// lost connection and wakes them then too, so they resynchronise.
async fn listen(config: tokio_postgres::Config, channel: String, signal: Arc<Notify>) {
    loop {
        match config.connect(NoTls).await {
            Ok((client, mut connection)) => {
                let (messages_tx, mut messages) = tokio::sync::mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    let mut stream = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(message) = stream.next().await {
                        match message {
                            Ok(message) => {
                                if messages_tx.send(message).is_err() {
                                    return;
                                }
                            }
                            Err(err) => {
                                tracing::warn!(error = %err, "postgresql listener connection failed");
                                return;
                            }
                        }
                    }
                });
                if let Err(err) = client.batch_execute(&format!("LISTEN \"{channel}\"")).await {
                    tracing::warn!(error = %err, "LISTEN failed");
                } else {
                    signal.notify_waiters();
                    while let Some(message) = messages.recv().await {
                        if matches!(message, AsyncMessage::Notification(_)) {
                            signal.notify_waiters();
                        }
                    }
                }
                driver.abort();
            }
            Err(err) => tracing::debug!(error = %err, "postgresql listener cannot connect"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

impl Store for PostgresStore {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn load(&self) -> StoreFuture<'_, Vec<StoredRecord>> {
        Box::pin(async move {
            let client = self.client().await?;
            let rows = client
                .query(&self.sql("SELECT kind, id, version, body FROM {schema}.records"), &[])
                .await
                .map_err(pg_error)?;
            let mut records = Vec::with_capacity(rows.len());
            for row in rows {
                let kind: String = row.get(0);
                let Some(kind) = Kind::from_name(&kind) else {
                    tracing::warn!(kind, "skipping record of unknown kind");
                    continue;
                };
                let version: i64 = row.get(2);
                records.push(StoredRecord { kind, id: row.get(1), version: version as u64, body: row.get(3) });
            }
            Ok(records)
        })
    }

    fn commit(&self, batch: Vec<Mutation>) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(pg_error)?;
            let insert = tx
                .prepare_cached(&self.sql(
                    "INSERT INTO {schema}.records (kind, id, version, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                ))
                .await
                .map_err(pg_error)?;
            let update = tx
                .prepare_cached(&self.sql(
                    "UPDATE {schema}.records SET version = $3, body = $4 WHERE kind = $1 AND id = $2 AND version = $5",
                ))
                .await
                .map_err(pg_error)?;
            let delete = tx
                .prepare_cached(&self.sql("DELETE FROM {schema}.records WHERE kind = $1 AND id = $2"))
                .await
                .map_err(pg_error)?;
            let log = tx
                .prepare_cached(&self.sql("INSERT INTO {schema}.changes (kind, id, writer) VALUES ($1, $2, $3)"))
                .await
                .map_err(pg_error)?;
            for mutation in &batch {
                let (kind, id) = match mutation {
                    Mutation::Put { record, expected_version } => {
                        let version = record.version as i64;
                        let written = if *expected_version == 0 {
                            tx.execute(&insert, &[&record.kind.as_str(), &record.id, &version, &record.body]).await
                        } else {
                            let expected = *expected_version as i64;
                            tx.execute(&update, &[&record.kind.as_str(), &record.id, &version, &record.body, &expected])
                                .await
                        }
                        .map_err(pg_error)?;
                        if written == 0 {
                            return Err(StoreError::Conflict { kind: record.kind, id: record.id });
                        }
                        (record.kind, record.id)
                    }
                    Mutation::Delete { kind, id } => {
                        tx.execute(&delete, &[&kind.as_str(), id]).await.map_err(pg_error)?;
                        (*kind, *id)
                    }
                };
                tx.execute(&log, &[&kind.as_str(), &id, &self.writer]).await.map_err(pg_error)?;
            }
            let newest: i64 = tx
                .query_one(&self.sql("SELECT COALESCE(MAX(seq), 0) FROM {schema}.changes"), &[])
                .await
                .map_err(pg_error)?
                .get(0);
            if newest % 1000 == 0 {
                tx.execute(&self.sql("DELETE FROM {schema}.changes WHERE seq <= $1"), &[&(newest - CHANGE_LOG_KEEP)])
                    .await
                    .map_err(pg_error)?;
            }
            tx.execute("SELECT pg_notify($1, '')", &[&self.channel()]).await.map_err(pg_error)?;
            tx.commit().await.map_err(pg_error)
        })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let client = self.client().await?;
            client.query_one("SELECT 1", &[]).await.map_err(pg_error).map(|_| ())
        })
    }

    fn reserve_ids(&self, kind: Kind, count: u64) -> StoreFuture<'_, Option<Id>> {
        Box::pin(async move {
            let client = self.client().await?;
            client
                .execute(
                    &self.sql("INSERT INTO {schema}.id_blocks (kind, next) VALUES ($1, 1) ON CONFLICT DO NOTHING"),
                    &[&kind.as_str()],
                )
                .await
                .map_err(pg_error)?;
            let count = count as i64;
            let row = client
                .query_one(
                    &self.sql("UPDATE {schema}.id_blocks SET next = next + $2 WHERE kind = $1 RETURNING next - $2"),
                    &[&kind.as_str(), &count],
                )
                .await
                .map_err(pg_error)?;
            Ok(Some(row.get::<_, i64>(0)))
        })
    }

    fn change_signal(&self) -> Option<Arc<Notify>> {
        Some(Arc::clone(&self.signal))
    }

    fn change_cursor(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let client = self.client().await?;
            let row = client
                .query_one(&self.sql("SELECT COALESCE(MAX(seq), 0) FROM {schema}.changes"), &[])
                .await
                .map_err(pg_error)?;
            Ok(row.get::<_, i64>(0) as u64)
        })
    }

    fn changes_since(&self, cursor: u64) -> StoreFuture<'_, (u64, Vec<ExternalChange>)> {
        Box::pin(async move {
            let client = self.client().await?;
            let rows = client
                .query(
                    &self.sql(
                        "SELECT c.seq, c.kind, c.id, c.writer = $2, r.version, r.body FROM {schema}.changes c
                         LEFT JOIN {schema}.records r ON c.writer <> $2 AND r.kind = c.kind AND r.id = c.id
                         WHERE c.seq > $1 ORDER BY c.seq",
                    ),
                    &[&(cursor as i64), &self.writer],
                )
                .await
                .map_err(pg_error)?;
            let mut next = cursor;
            let mut changes = Vec::with_capacity(rows.len());
            for row in rows {
                let seq: i64 = row.get(0);
                next = next.max(seq as u64);
                // This instance's own rows only move the cursor: the cache applied them at commit.
                let own: bool = row.get(3);
                let kind: String = row.get(1);
                let Some(kind) = Kind::from_name(&kind).filter(|_| !own) else { continue };
                let id: i64 = row.get(2);
                let version: Option<i64> = row.get(4);
                let body: Option<String> = row.get(5);
                let record = match (version, body) {
                    (Some(version), Some(body)) => Some(StoredRecord { kind, id, version: version as u64, body }),
                    _ => None,
                };
                changes.push(ExternalChange { kind, id, record });
            }
            Ok((next, changes))
        })
    }
}

fn pg_error(err: tokio_postgres::Error) -> StoreError {
    if err.is_closed() || err.as_db_error().is_none() {
        StoreError::Unavailable(err.to_string())
    } else {
        StoreError::Backend(err.to_string())
    }
}

fn pool_error(err: PoolError) -> StoreError {
    StoreError::Unavailable(err.to_string())
}

/// Drops a schema and everything in it (test clean-up).
pub async fn drop_schema(url: &str, schema: &str) -> Result<(), StoreError> {
    if !valid_schema(schema) {
        return Err(StoreError::Backend(format!("`{schema}` is not a valid schema name")));
    }
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(pg_error)?;
    let driver = tokio::spawn(connection);
    let result = client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).await.map_err(pg_error);
    drop(client);
    let _ = driver.await;
    result
}

#[cfg(test)]
mod tests;
