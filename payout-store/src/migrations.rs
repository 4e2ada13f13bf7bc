//! The schema, embedded in the binary and applied on open (both backends read the same SQL).

/// `(version, name, SQL)`, applied in order; a version once applied is never applied again.
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[(1, "journal", include_str!("../migrations/0001_journal.sql"))];

/// The table that says which migrations were applied, created before any of them.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) const BOOKKEEPING: &str = "CREATE TABLE IF NOT EXISTS payout_store_migrations \
     (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/// Applies migration `version` on `conn`, inside the caller's transaction, unless the
/// bookkeeping table `payout_store_migrations` says it was applied: the same on both backends.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) async fn apply_once<DB>(
    conn: &mut DB::Connection,
    version: i64,
    name: &str,
    sql: &'static str,
) -> Result<(), sqlx::Error>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> (i64,): sqlx::FromRow<'r, DB::Row>,
{
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
