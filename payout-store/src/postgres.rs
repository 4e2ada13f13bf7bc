//! The PostgreSQL backend: one journal shared by many processes on many machines. Row-level
//! guards are the same single statements as on SQLite; `reconcile` claims its batch with
//! `FOR UPDATE SKIP LOCKED`, so two sweepers never work on one payout.

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::db::{Applied, Write, run_write};
use crate::error::StoreError;
use crate::migrations::MIGRATIONS;

/// A key for `pg_advisory_xact_lock`, so that processes migrating one database at once take turns.
const MIGRATION_LOCK: i64 = 0x7061_796f_7574; // "payout"

/// How many connections a process keeps: enough for 32 payouts in flight, each holding one
/// only for a statement at a time.
const POOL_SIZE: u32 = 16;

/// Commits `write`: one statement alone (the server's own commit, one round trip), or several in
/// one transaction. PostgreSQL commits concurrent transactions with one WAL flush (its own group
/// commit), so there is nothing to batch here.
pub(crate) async fn write(pool: &PgPool, write: &Write) -> Result<Applied, StoreError> {
    if write.stmts.len() == 1 {
        let mut conn = pool.acquire().await?;
        return Ok(run_write!(conn, write));
    }
    let mut tx = pool.begin().await?;
    let applied = run_write!(tx, write);
    if applied.done() {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(applied)
}

/// Connects and migrates.
pub(crate) async fn open(url: &str) -> Result<PgPool, StoreError> {
    let options: PgConnectOptions =
        url.parse().map_err(|e| StoreError::Location(format!("not a PostgreSQL URL ({e})")))?;
    let pool = PgPoolOptions::new().max_connections(POOL_SIZE).min_connections(0).connect_with(options).await?;
    migrate(&pool).await?;
    Ok(pool)
}

async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    for (version, name, sql) in MIGRATIONS {
        apply(pool, *version, name, sql)
            .await
            .map_err(|e| StoreError::Migration { version: *version, message: e.to_string() })?;
    }
    Ok(())
}

/// Applies one migration in its own transaction, under an advisory lock, unless it was applied.
async fn apply(pool: &PgPool, version: i64, name: &str, sql: &'static str) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await?;
    sqlx::raw_sql(crate::migrations::BOOKKEEPING).execute(&mut *tx).await?;
    crate::migrations::apply_once::<sqlx::Postgres>(&mut tx, version, name, sql).await?;
    tx.commit().await
}
