//! The SQLite backend: one file, WAL, a busy timeout, and `synchronous=FULL`, so that a commit
//! is on disk before the request it guards is sent.
//!
//! Reads go to a pool. Writes go to one [`Writer`] per opened journal: a connection on its own
//! thread that takes every write waiting at that moment and commits them in one transaction, one
//! savepoint each (group commit). A write whose guard holds nothing, or that fails, is rolled back
//! to its savepoint alone; the others commit. Each caller is answered only after the `COMMIT`
//! returned, that is after the one fsync of the batch: N waiting writes cost one fsync, not N.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::sync::Arc;

use sqlx::{Connection, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::db::{Applied, Write, run_write};
use crate::error::StoreError;
use crate::migrations::MIGRATIONS;

/// How long a statement waits for another process's write lock before it fails.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The most writes one transaction takes (more wait for the next one).
const MAX_BATCH: usize = 256;

/// Opens (creating the file and its folders if missing), migrates, and starts the writer.
pub(crate) async fn open(path: &Path, busy_timeout: Duration) -> Result<(SqlitePool, Writer), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Location(format!("cannot create {}: {e}", dir.display())))?;
    }
    let options = SqliteConnectOptions::from_str("sqlite://")
        .map_err(StoreError::from)?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(busy_timeout)
        .foreign_keys(true);
    let pool =
        SqlitePoolOptions::new().max_connections(8).min_connections(0).connect_with(options.clone()).await?;
    migrate(&pool).await?;
    let writer = Writer::start(options).await?;
    Ok((pool, writer))
}

/// One write waiting for its commit, and where to answer.
struct Job {
    write: Write,
    reply: oneshot::Sender<Result<Applied, StoreError>>,
}

/// The group-commit writer of one journal; cloning shares it. Its thread ends when the last
/// clone is dropped.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Writer {
    /// Connects the writer's own connection on its own thread (so that it outlives any one
    /// runtime of the caller's), and starts taking writes.
    async fn start(options: SqliteConnectOptions) -> Result<Self, StoreError> {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let (ready, connected) = oneshot::channel::<Result<(), StoreError>>();
        std::thread::Builder::new()
            .name("payout-store-writer".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready.send(Err(StoreError::Location(format!("cannot start the writer: {e}"))));
                        return;
                    }
                };
                rt.block_on(async move {
                    let mut conn = match SqliteConnection::connect_with(&options).await {
                        Ok(conn) => conn,
                        Err(e) => {
                            let _ = ready.send(Err(e.into()));
                            return;
                        }
                    };
                    let _ = ready.send(Ok(()));
                    let mut batch = Vec::new();
                    while let Some(first) = queue.recv().await {
                        batch.push(first);
                        while batch.len() < MAX_BATCH {
                            match queue.try_recv() {
                                Ok(job) => batch.push(job),
                                Err(_) => break,
                            }
                        }
                        commit(&mut conn, &mut batch).await;
                    }
                    let _ = conn.close().await;
                });
            })
            .map_err(|e| StoreError::Location(format!("cannot start the writer thread: {e}")))?;
        connected.await.map_err(|_| StoreError::Location("the writer thread ended at start".into()))??;
        Ok(Self { jobs })
    }

    /// Commits `write` (with whatever else is waiting) and answers once it is durable.
    pub(crate) async fn write(&self, write: Write) -> Result<Applied, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { write, reply }).map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// One transaction for the whole batch, a savepoint per write; answers each after the commit.
async fn commit(conn: &mut SqliteConnection, batch: &mut Vec<Job>) {
    let results = match try_commit(conn, batch).await {
        Ok(results) => results,
        Err(e) => {
            // Nothing of the batch stands: every caller hears why.
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            let e = Arc::new(e);
            batch.iter().map(|_| Err(StoreError::Batch(e.clone()))).collect()
        }
    };
    for (job, result) in batch.drain(..).zip(results) {
        let _ = job.reply.send(result); // a caller that gave up is fine: the write stands
    }
}

/// The batch's transaction: a write that fails or whose guard holds nothing is rolled back to
/// its savepoint, and the others go on. An error of the transaction itself (the write lock not
/// had within the busy timeout, the commit failing) fails them all.
async fn try_commit(
    conn: &mut SqliteConnection,
    batch: &[Job],
) -> Result<Vec<Result<Applied, StoreError>>, sqlx::Error> {
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        sqlx::raw_sql("SAVEPOINT item").execute(&mut *conn).await?;
        let attempt: Result<Applied, sqlx::Error> = async { Ok(run_write!(conn, &job.write)) }.await;
        match attempt {
            Ok(Applied::Done(n)) => {
                sqlx::raw_sql("RELEASE item").execute(&mut *conn).await?;
                results.push(Ok(Applied::Done(n)));
            }
            other => {
                sqlx::raw_sql("ROLLBACK TO item; RELEASE item").execute(&mut *conn).await?;
                results.push(other.map_err(StoreError::from));
            }
        }
    }
    sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
    Ok(results)
}

/// Applies the migrations not applied yet, one `BEGIN IMMEDIATE` transaction each, so that
/// processes opening the same new file at once apply each exactly once.
async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS payout_store_migrations \
         (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    for (version, name, sql) in MIGRATIONS {
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        match step(&mut conn, *version, name, sql).await {
            Ok(()) => {
                sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
            }
            Err(e) => {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                return Err(StoreError::Migration { version: *version, message: e.to_string() });
            }
        }
    }
    conn.ping().await?;
    Ok(())
}

/// Applies one migration inside the caller's transaction, unless it was applied before.
async fn step(conn: &mut SqliteConnection, version: i64, name: &str, sql: &'static str) -> Result<(), sqlx::Error> {
    let done: Option<(i64,)> = sqlx::query_as("SELECT version FROM payout_store_migrations WHERE version = $1")
        .bind(version)
        .fetch_optional(&mut *conn)
        .await?;
    if done.is_none() {
        sqlx::raw_sql(sql).execute(&mut *conn).await?;
        sqlx::query("INSERT INTO payout_store_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(version)
            .bind(name)
            .bind(crate::entry::now_millis())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
