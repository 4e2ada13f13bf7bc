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
use std::sync::atomic::{AtomicU64, Ordering};

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
    let pool = SqlitePoolOptions::new().max_connections(8).min_connections(0).connect_with(options.clone()).await?;
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
    /// Transactions committed so far (the tests read it to see writes share commits).
    #[cfg_attr(not(test), allow(dead_code))]
    commits: Arc<AtomicU64>,
}

impl Writer {
    /// Connects the writer's own connection on its own thread (so that it outlives any one
    /// runtime of the caller's), and starts taking writes.
    async fn start(options: SqliteConnectOptions) -> Result<Self, StoreError> {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let commits = Arc::new(AtomicU64::new(0));
        let counter = commits.clone();
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
                        if commit(&mut conn, &mut batch).await {
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    let _ = conn.close().await;
                });
            })
            .map_err(|e| StoreError::Location(format!("cannot start the writer thread: {e}")))?;
        connected.await.map_err(|_| StoreError::Location("the writer thread ended at start".into()))??;
        Ok(Self { jobs, commits })
    }

    /// Commits `write` (with whatever else is waiting) and answers once it is durable.
    pub(crate) async fn write(&self, write: Write) -> Result<Applied, StoreError> {
        self.enqueue(write)?.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Queues `write` for the next transaction; the receiver gets its outcome after the commit.
    fn enqueue(&self, write: Write) -> Result<oneshot::Receiver<Result<Applied, StoreError>>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { write, reply }).map_err(|_| StoreError::WriterGone)?;
        Ok(answer)
    }

    /// How many transactions this writer committed.
    #[cfg(test)]
    fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }
}

/// One transaction for the whole batch, a savepoint per write; answers each after the commit.
/// Whether it committed.
async fn commit(conn: &mut SqliteConnection, batch: &mut Vec<Job>) -> bool {
    if let [job] = batch.as_slice()
        && job.write.stmts.len() == 1
    {
        // Alone, one statement is its own transaction (SQLite's autocommit, just as durable):
        // one trip to the connection instead of three.
        let result: Result<Applied, sqlx::Error> = async { Ok(run_write!(conn, &job.write)) }.await;
        let committed = result.is_ok();
        if let Some(job) = batch.pop() {
            let _ = job.reply.send(result.map_err(StoreError::from));
        }
        return committed;
    }
    let (results, committed) = match try_commit(conn, batch).await {
        Ok(results) => (results, true),
        Err(e) => {
            // Nothing of the batch stands: every caller hears why.
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            let e = Arc::new(e);
            (batch.iter().map(|_| Err(StoreError::Batch(e.clone()))).collect(), false)
        }
    };
    for (job, result) in batch.drain(..).zip(results) {
        let _ = job.reply.send(result); // a caller that gave up is fine: the write stands
    }
    committed
}

/// The batch's transaction: a write that fails on a constraint or whose guard holds nothing is
/// undone alone (a statement by SQLite itself, a write of several statements by rolling back to
/// its savepoint), and the others go on. Any other error (the write lock not had within the busy
/// timeout, I/O, the commit failing) may have ended the transaction: it fails them all.
async fn try_commit(
    conn: &mut SqliteConnection,
    batch: &[Job],
) -> Result<Vec<Result<Applied, StoreError>>, sqlx::Error> {
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        let several = job.write.stmts.len() > 1;
        if several {
            sqlx::raw_sql("SAVEPOINT item").execute(&mut *conn).await?;
        }
        let attempt: Result<Applied, sqlx::Error> = async { Ok(run_write!(conn, &job.write)) }.await;
        let undo = match &attempt {
            Ok(applied) => !applied.done(),
            Err(e) if statement_level(e) => true,
            Err(_) => return attempt.map(|_| Vec::new()),
        };
        if several {
            let end = if undo { "ROLLBACK TO item; RELEASE item" } else { "RELEASE item" };
            sqlx::raw_sql(end).execute(&mut *conn).await?;
        }
        results.push(attempt.map_err(StoreError::from));
    }
    sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
    Ok(results)
}

/// Errors SQLite undoes by undoing the one statement, leaving the transaction open.
fn statement_level(e: &sqlx::Error) -> bool {
    use sqlx::error::ErrorKind;
    e.as_database_error().is_some_and(|d| {
        matches!(
            d.kind(),
            ErrorKind::UniqueViolation
                | ErrorKind::ForeignKeyViolation
                | ErrorKind::NotNullViolation
                | ErrorKind::CheckViolation
        )
    })
}

/// Applies the migrations not applied yet, one `BEGIN IMMEDIATE` transaction each, so that
/// processes opening the same new file at once apply each exactly once.
async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    sqlx::raw_sql(crate::migrations::BOOKKEEPING).execute(&mut *conn).await?;
    for (version, name, sql) in MIGRATIONS {
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        match crate::migrations::apply_once::<sqlx::Sqlite>(&mut conn, *version, name, sql).await {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Stmt;

    fn insert(key: &str) -> Stmt {
        Stmt::guarded("INSERT INTO t (k) VALUES ($1)", vec![key.into()])
    }

    async fn keys(pool: &SqlitePool) -> Vec<String> {
        sqlx::query_scalar("SELECT k FROM t ORDER BY k").fetch_all(pool).await.unwrap()
    }

    async fn locked(path: &Path) -> SqliteConnection {
        let mut lock = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut lock).await.unwrap();
        lock
    }

    /// 64 writes waiting at once share one transaction; the one that hits the unique key, and
    /// the one whose guard holds nothing, are undone alone and told so; the others commit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_writes_commit_together_and_one_conflict_fails_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("group.sqlite");
        let (pool, writer) = open(&path, BUSY_TIMEOUT).await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (k TEXT PRIMARY KEY)").execute(&pool).await.unwrap();
        assert_eq!(writer.write(Write::one(insert("taken"))).await.unwrap(), Applied::Done(vec![1]));
        // Another connection holds the write lock while all 64 are queued, so the writer's first
        // transaction waits for it and the second takes whatever the first did not.
        let mut lock = locked(&path).await;
        let before = writer.commits();
        let answers: Vec<_> = (0..64)
            .map(|i| {
                let write = match i {
                    17 => Write::one(insert("taken")),
                    33 => {
                        Write::one(insert("k33")).then(Stmt::guarded("UPDATE t SET k = k WHERE k = 'nobody'", vec![]))
                    }
                    _ => Write::one(insert(&format!("k{i:02}"))),
                };
                writer.enqueue(write).unwrap()
            })
            .collect();
        sqlx::raw_sql("ROLLBACK").execute(&mut lock).await.unwrap();
        for (i, answer) in answers.into_iter().enumerate() {
            let result = answer.await.unwrap();
            match i {
                17 => match result {
                    Err(StoreError::Database(e)) => {
                        assert!(e.as_database_error().is_some_and(|d| d.is_unique_violation()), "{e}")
                    }
                    other => panic!("the conflicting write fails with the unique violation: {other:?}"),
                },
                33 => assert_eq!(result.unwrap(), Applied::Stopped(1)),
                _ => assert_eq!(result.unwrap(), Applied::Done(vec![1]), "write {i}"),
            }
        }
        let held = keys(&pool).await;
        assert_eq!(held.len(), 63, "62 new keys and the taken one: {held:?}");
        assert!(!held.contains(&"k33".to_owned()), "a write whose guard failed is undone whole");
        let commits = writer.commits() - before;
        assert!((1..=2).contains(&commits), "64 waiting writes in {commits} commits");
    }

    /// When the transaction itself cannot be had (the lock held past the busy timeout), every
    /// write waiting in it is told, and none is written.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_transaction_fails_every_write_in_it_and_writes_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("busy.sqlite");
        let (pool, writer) = open(&path, Duration::from_millis(100)).await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (k TEXT PRIMARY KEY)").execute(&pool).await.unwrap();
        let mut lock = locked(&path).await;
        let answers: Vec<_> = (0..3).map(|i| writer.enqueue(Write::one(insert(&format!("b{i}")))).unwrap()).collect();
        for answer in answers {
            let result = answer.await.unwrap();
            // `Batch` when it shared the failed transaction, the busy error itself when alone.
            assert!(matches!(result, Err(StoreError::Batch(_) | StoreError::Database(_))), "{result:?}");
        }
        sqlx::raw_sql("ROLLBACK").execute(&mut lock).await.unwrap();
        assert!(keys(&pool).await.is_empty());
        // The writer goes on once the lock is free.
        assert_eq!(writer.write(Write::one(insert("after"))).await.unwrap(), Applied::Done(vec![1]));
        assert_eq!(keys(&pool).await, ["after"]);
    }
}
