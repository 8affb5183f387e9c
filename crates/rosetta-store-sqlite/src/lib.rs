//! The embedded SQLite backend of the Rosetta store (the default).
//!
//! One table holds every record as JSON, keyed by kind and id, with its version. SQLite runs in WAL
//! mode; a committed batch is one SQLite transaction, so a write acknowledged to a client survives a
//! crash of the process (and, with `synchronous = FULL`, of the machine). Migrations run at start-up and
//! are recorded in `schema_migrations`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use rosetta_model::Kind;
use rosetta_store::{new_writer_id, ExternalChange, Mutation, Store, StoreError, StoreFuture, StoredRecord};
use rusqlite::{params, Connection, OptionalExtension};

/// How hard SQLite works to make commits durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// Survives a process crash; the last commits may be lost on power loss (faster).
    Normal,
    /// Survives power loss too (the default).
    #[default]
    Full,
}

/// The SQLite [`Store`].
pub struct SqliteStore {
    path: PathBuf,
    connection: Arc<Mutex<Connection>>,
    /// This instance's id in the change log (see [`rosetta_store::new_writer_id`]).
    writer: i64,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

/// Schema migrations, applied in order; never edit a released one.
const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE records (
        kind TEXT NOT NULL,
        id INTEGER NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    ) WITHOUT ROWID;",
), (
    2,
    "CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        id INTEGER NOT NULL
    );",
), (
    3,
    "ALTER TABLE changes ADD COLUMN writer INTEGER NOT NULL DEFAULT 0;",
)];

/// SQLite's page cache (KiB). Every read is served from the in-memory cache, so this only speeds up
/// writes: batched results update rows all over the B-tree, and SQLite's 2 MiB default made each batch
/// read its pages back from the file.
const PAGE_CACHE_KIB: u32 = 16 * 1024;

/// How many change-log rows to keep; older ones are pruned as new ones arrive.
const CHANGE_LOG_KEEP: i64 = 100_000;

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and runs migrations.
    pub fn open(path: &Path, synchronous: Synchronous) -> Result<SqliteStore, StoreError> {
        if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|err| StoreError::Unavailable(format!("cannot create {}: {err}", parent.display())))?;
        }
        let connection = Connection::open(path).map_err(unavailable)?;
        let synchronous = match synchronous {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        };
        connection
            .execute_batch(&format!(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 5000;
                 PRAGMA cache_size = -{PAGE_CACHE_KIB};"
            ))
            .map_err(unavailable)?;
        migrate(&connection)?;
        Ok(SqliteStore { path: path.to_owned(), connection: Arc::new(Mutex::new(connection)), writer: new_writer_id() })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || work(&mut connection.lock()))
            .await
            .map_err(|err| StoreError::Backend(format!("sqlite worker failed: {err}")))?
    }
}

fn migrate(connection: &Connection) -> Result<(), StoreError> {
    connection
        .execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL);")
        .map_err(backend)?;
    for (version, sql) in MIGRATIONS {
        let applied: Option<i64> = connection
            .query_row("SELECT version FROM schema_migrations WHERE version = ?1", [version], |row| row.get(0))
            .optional()
            .map_err(backend)?;
        if applied.is_some() {
            continue;
        }
        let tx = connection.unchecked_transaction().map_err(backend)?;
        tx.execute_batch(sql).map_err(backend)?;
        tx.execute("INSERT INTO schema_migrations (version, applied) VALUES (?1, datetime('now'))", [version])
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        tracing::info!(version, "applied sqlite migration");
    }
    Ok(())
}

impl Store for SqliteStore {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn load(&self) -> StoreFuture<'_, Vec<StoredRecord>> {
        Box::pin(self.blocking(|connection| {
            let mut statement = connection.prepare("SELECT kind, id, version, body FROM records").map_err(backend)?;
            let rows = statement
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get(1)?, row.get::<_, i64>(2)?, row.get(3)?))
                })
                .map_err(backend)?;
            let mut records = Vec::new();
            for row in rows {
                let (kind, id, version, body) = row.map_err(backend)?;
                let Some(kind) = Kind::from_name(&kind) else {
                    tracing::warn!(kind, id, "skipping record of unknown kind");
                    continue;
                };
                records.push(StoredRecord { kind, id, version: version as u64, body });
            }
            Ok(records)
        }))
    }

    fn commit(&self, batch: Vec<Mutation>) -> StoreFuture<'_, ()> {
        let writer = self.writer;
        Box::pin(self.blocking(move |connection| {
            let tx = connection.transaction().map_err(backend)?;
            {
                let mut put = tx
                    .prepare_cached(
                        "INSERT INTO records (kind, id, version, body) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, body = excluded.body",
                    )
                    .map_err(backend)?;
                let mut delete = tx.prepare_cached("DELETE FROM records WHERE kind = ?1 AND id = ?2").map_err(backend)?;
                let mut log =
                    tx.prepare_cached("INSERT INTO changes (kind, id, writer) VALUES (?1, ?2, ?3)").map_err(backend)?;
                for mutation in &batch {
                    let (kind, id) = match mutation {
                        Mutation::Put { record, .. } => {
                            put.execute(params![record.kind.as_str(), record.id, record.version as i64, record.body])
                                .map_err(backend)?;
                            (record.kind, record.id)
                        }
                        Mutation::Delete { kind, id } => {
                            delete.execute(params![kind.as_str(), id]).map_err(backend)?;
                            (*kind, *id)
                        }
                    };
                    log.execute(params![kind.as_str(), id, writer]).map_err(backend)?;
                }
                let newest: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |row| row.get(0)).map_err(backend)?;
                if newest % 1000 == 0 {
                    tx.execute("DELETE FROM changes WHERE seq <= ?1", [newest - CHANGE_LOG_KEEP]).map_err(backend)?;
                }
            }
            tx.commit().map_err(backend)
        }))
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.blocking(|connection| {
            connection.query_row("SELECT 1", [], |_| Ok(())).map_err(unavailable)
        }))
    }

    fn change_cursor(&self) -> StoreFuture<'_, u64> {
        Box::pin(self.blocking(|connection| {
            connection
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |row| row.get::<_, i64>(0))
                .map(|seq| seq as u64)
                .map_err(backend)
        }))
    }

    fn changes_since(&self, cursor: u64) -> StoreFuture<'_, (u64, Vec<ExternalChange>)> {
        let writer = self.writer;
        Box::pin(self.blocking(move |connection| {
            // This instance's own rows only move the cursor: the cache applied them at commit.
            let mut statement = connection
                .prepare_cached(
                    "SELECT c.seq, c.kind, c.id, c.writer = ?2, r.version, r.body FROM changes c
                     LEFT JOIN records r ON c.writer <> ?2 AND r.kind = c.kind AND r.id = c.id
                     WHERE c.seq > ?1 ORDER BY c.seq",
                )
                .map_err(backend)?;
            let rows = statement
                .query_map(params![cursor as i64, writer], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, bool>(3)?,
                        row.get::<_, Option<i64>>(4)?,
                        row.get::<_, Option<String>>(5)?,
                    ))
                })
                .map_err(backend)?;
            let mut next = cursor;
            let mut changes = Vec::new();
            for row in rows {
                let (seq, kind, id, own, version, body) = row.map_err(backend)?;
                next = next.max(seq as u64);
                let Some(kind) = Kind::from_name(&kind).filter(|_| !own) else { continue };
                let record = match (version, body) {
                    (Some(version), Some(body)) => Some(StoredRecord { kind, id, version: version as u64, body }),
                    _ => None,
                };
                changes.push(ExternalChange { kind, id, record });
            }
            Ok((next, changes))
        }))
    }
}

fn backend(err: rusqlite::Error) -> StoreError {
    StoreError::Backend(err.to_string())
}

fn unavailable(err: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(err.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rosetta_model::{Kind, Tenant, TenantKind};
    use rosetta_store::{Actor, Db, StoreError};

    use super::*;

    fn tenant(name: &str) -> Tenant {
        Tenant::new(name, 1, TenantKind::Tenant)
    }

    #[tokio::test]
    async fn records_survive_reopening_and_migrations_are_idempotent() {
        let dir = std::env::temp_dir().join(format!("rosetta-sqlite-{}", uuid_like()));
        let path = dir.join("store.db");
        {
            let db = Db::open(Arc::new(SqliteStore::open(&path, Synchronous::Normal).expect("open"))).await.expect("db");
            db.write(Actor::system(), |tx| {
                tx.insert(tenant("a"));
                tx.insert(tenant("b"));
                Ok::<_, StoreError>(())
            })
            .await
            .expect("write");
            let first = db.all::<Tenant>()[0].meta.id;
            db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.delete::<Tenant>(first))).await.expect("delete");
        }
        let db = Db::open(Arc::new(SqliteStore::open(&path, Synchronous::Full).expect("reopen"))).await.expect("db");
        let names: Vec<String> = db.all::<Tenant>().iter().map(|t| t.name.clone()).collect();
        assert_eq!(names, vec!["b".to_owned()]);
        assert!(db.cache().get_record(Kind::ConfigStatus, 1).is_some());
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn a_second_process_sees_writes_through_the_change_log() {
        let dir = std::env::temp_dir().join(format!("rosetta-sqlite-sync-{}", uuid_like()));
        let path = dir.join("store.db");
        let server = Db::open(Arc::new(SqliteStore::open(&path, Synchronous::Normal).expect("open"))).await.expect("db");
        let cli = Db::open(Arc::new(SqliteStore::open(&path, Synchronous::Normal).expect("open"))).await.expect("db");
        let created = cli.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.insert(tenant("from-cli")))).await.expect("write");
        assert!(server.get::<Tenant>(created.meta.id).is_none());
        assert!(server.sync_external_changes().await.expect("sync") >= 1);
        assert_eq!(server.get::<Tenant>(created.meta.id).expect("synced").name, "from-cli");
        cli.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.delete::<Tenant>(created.meta.id))).await.expect("delete");
        server.sync_external_changes().await.expect("sync");
        assert!(server.get::<Tenant>(created.meta.id).is_none());
        assert_eq!(server.sync_external_changes().await.expect("idle"), 0);
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn the_change_log_gives_back_only_other_writers_changes() {
        let dir = std::env::temp_dir().join(format!("rosetta-sqlite-own-{}", uuid_like()));
        let path = dir.join("store.db");
        let (own, other) = (
            Arc::new(SqliteStore::open(&path, Synchronous::Normal).expect("open")),
            Arc::new(SqliteStore::open(&path, Synchronous::Normal).expect("open")),
        );
        let db = Db::open(own.clone()).await.expect("db");
        let start = own.change_cursor().await.expect("cursor");
        let created = db.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.insert(tenant("mine")))).await.expect("write");
        let (after_own, seen) = own.changes_since(start).await.expect("changes");
        assert!(seen.is_empty(), "own rows are skipped: {seen:?}");
        assert!(after_own > start, "but they move the cursor");
        let (_, seen_by_other) = other.changes_since(start).await.expect("changes");
        assert!(seen_by_other.iter().any(|change| change.kind == Kind::Tenant && change.id == created.meta.id));
        let cli = Db::open(other).await.expect("db");
        let foreign = cli.write(Actor::system(), |tx| Ok::<_, StoreError>(tx.insert(tenant("theirs")))).await.expect("write");
        let (_, seen) = own.changes_since(after_own).await.expect("changes");
        let ids: Vec<_> = seen.iter().map(|change| (change.kind, change.id)).collect();
        assert!(ids.contains(&(Kind::Tenant, foreign.meta.id)), "{ids:?}");
        assert!(seen.iter().all(|change| change.record.is_some()));
        std::fs::remove_dir_all(dir).ok();
    }

    fn uuid_like() -> String {
        format!("{}-{}", std::process::id(), rosetta_model::Timestamp::now().millis())
    }
}
