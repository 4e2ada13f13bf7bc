//! The SQL both backends run, written once: every statement is one atomic statement (an insert
//! guarded by the primary key, or an update conditioned on what the writer saw), so neither
//! backend needs a read-then-write transaction and SQLite's busy timeout always applies.
//!
//! Placeholders are `$1`, `$2`, … in order of first use: PostgreSQL's syntax, which SQLite reads
//! as named parameters numbered in that same order.

use crate::entry::{Entry, Lease, State, from_millis};
use crate::error::StoreError;
use payout_core::{ProviderId, Reference, Withdrawal};

/// The pool of one backend. Concrete pools, not sqlx's `Any` driver.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    /// SQLite: the embedded default.
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    /// PostgreSQL: one journal for many processes on many machines.
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
}

/// Runs a statement on whichever pool this is; gives the rows it changed.
macro_rules! exec {
    ($pool:expr, $sql:expr $(, $b:expr)* $(,)?) => {{
        let sql: &str = $sql;
        let result: Result<u64, StoreError> = match $pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(ref p) => sqlx::query(sql)$(.bind($b))*.execute(p).await.map(|r| r.rows_affected()).map_err(StoreError::from),
            #[cfg(feature = "postgres")]
            Pool::Postgres(ref p) => sqlx::query(sql)$(.bind($b))*.execute(p).await.map(|r| r.rows_affected()).map_err(StoreError::from),
        };
        result
    }};
}

/// Runs a query on whichever pool this is and turns each row into a value with `$conv`.
macro_rules! fetch {
    ($pool:expr, $conv:expr, $sql:expr $(, $b:expr)* $(,)?) => {{
        let sql: &str = $sql;
        let result: Result<Vec<_>, StoreError> = match $pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(ref p) => match sqlx::query(sql)$(.bind($b))*.fetch_all(p).await {
                Ok(rows) => rows.iter().map($conv).collect(),
                Err(e) => Err(StoreError::from(e)),
            },
            #[cfg(feature = "postgres")]
            Pool::Postgres(ref p) => match sqlx::query(sql)$(.bind($b))*.fetch_all(p).await {
                Ok(rows) => rows.iter().map($conv).collect(),
                Err(e) => Err(StoreError::from(e)),
            },
        };
        result
    }};
}

pub(crate) use {exec, fetch};

/// The columns of an entry, in the order [`raw_entry`] reads them.
pub(crate) const COLUMNS: &str = "provider, reference, fingerprint, request, state, withdrawal, withdrawal_id, version, \
     attempts, last_error, lease_owner, lease_generation, lease_expires_at, sent_at, next_check_at, checks, \
     created_at, updated_at";

/// One journal row as stored.
#[derive(Debug, Clone)]
pub(crate) struct RawEntry {
    pub provider: String,
    pub reference: String,
    pub fingerprint: String,
    pub request: String,
    pub state: String,
    pub withdrawal: Option<String>,
    pub withdrawal_id: Option<String>,
    pub version: i64,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_generation: i64,
    pub lease_expires_at: Option<i64>,
    pub sent_at: Option<i64>,
    pub next_check_at: Option<i64>,
    pub checks: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Reads a row of either backend.
pub(crate) fn raw_entry<'r, R>(row: &'r R) -> Result<RawEntry, StoreError>
where
    R: sqlx::Row,
    &'static str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(RawEntry {
        provider: row.try_get("provider")?,
        reference: row.try_get("reference")?,
        fingerprint: row.try_get("fingerprint")?,
        request: row.try_get("request")?,
        state: row.try_get("state")?,
        withdrawal: row.try_get("withdrawal")?,
        withdrawal_id: row.try_get("withdrawal_id")?,
        version: row.try_get("version")?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        lease_owner: row.try_get("lease_owner")?,
        lease_generation: row.try_get("lease_generation")?,
        lease_expires_at: row.try_get("lease_expires_at")?,
        sent_at: row.try_get("sent_at")?,
        next_check_at: row.try_get("next_check_at")?,
        checks: row.try_get("checks")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Reads one string column (the unmatched updates and deliveries).
pub(crate) fn raw_text<'r, R>(row: &'r R) -> Result<(String, i64), StoreError>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok((row.try_get(0usize)?, row.try_get(1usize)?))
}

impl RawEntry {
    fn corrupt(&self, message: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            provider: self.provider.clone(),
            reference: self.reference.clone(),
            message: message.into(),
        }
    }

    /// The stored withdrawal, parsed.
    pub(crate) fn parsed_withdrawal(&self) -> Result<Option<Withdrawal>, StoreError> {
        self.withdrawal
            .as_deref()
            .map(|text| serde_json::from_str(text).map_err(|e| self.corrupt(format!("withdrawal: {e}"))))
            .transpose()
    }

    /// The state, parsed.
    pub(crate) fn parsed_state(&self) -> Result<State, StoreError> {
        self.state.parse().map_err(|e: crate::entry::ParseStateError| self.corrupt(e.to_string()))
    }

    /// The public view of the row.
    pub(crate) fn to_entry(&self) -> Result<Entry, StoreError> {
        let reference = Reference::new(self.reference.as_str()).map_err(|e| self.corrupt(e.to_string()))?;
        let request = serde_json::from_str(&self.request).map_err(|e| self.corrupt(format!("request: {e}")))?;
        let lease = match (&self.lease_owner, self.lease_expires_at) {
            (Some(owner), Some(expires)) => Some(Lease {
                owner: owner.clone(),
                generation: self.lease_generation,
                expires_at: from_millis(expires),
            }),
            _ => None,
        };
        Ok(Entry {
            provider: ProviderId::new(self.provider.as_str()),
            reference,
            fingerprint: self.fingerprint.clone(),
            request,
            state: self.parsed_state()?,
            withdrawal: self.parsed_withdrawal()?,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            last_error: self.last_error.clone(),
            lease,
            sent_at: self.sent_at.map(from_millis),
            next_check_at: self.next_check_at.map(from_millis),
            created_at: from_millis(self.created_at),
            updated_at: from_millis(self.updated_at),
        })
    }

    /// Whether a holder's lease is live at `now`.
    pub(crate) fn lease_live(&self, now: i64) -> bool {
        self.lease_owner.is_some() && self.lease_expires_at.is_some_and(|t| t > now)
    }
}
