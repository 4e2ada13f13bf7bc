//! The SQLite backend: one file, WAL, a busy timeout, and `synchronous=FULL`, so that a commit
//! is on disk before the request it guards is sent.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection, SqlitePool};

use crate::error::StoreError;
use crate::migrations::MIGRATIONS;

/// How long a statement waits for another process's write lock before it fails.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens (creating the file and its folders if missing) and migrates.
pub(crate) async fn open(path: &Path, busy_timeout: Duration) -> Result<SqlitePool, StoreError> {
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
    let pool = SqlitePoolOptions::new().max_connections(8).min_connections(0).connect_with(options).await?;
    migrate(&pool).await?;
    Ok(pool)
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
