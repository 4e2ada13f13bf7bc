//! The SQL both backends run, written once: every write is a guarded statement (an insert
//! guarded by the primary key, or an update conditioned on what the writer saw), never a read
//! then a write inside a transaction. A [`Write`] is one or a few such statements that commit
//! together (an update and its delivery record); SQLite commits the writes that wait together
//! in one transaction (`crate::sqlite::Writer`, group commit), PostgreSQL each in its own.
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
    /// Reads go to the pool; writes to the group-commit writer.
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool, crate::sqlite::Writer),
    /// PostgreSQL: one journal for many processes on many machines.
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
}

/// A value bound to a placeholder of a [`Stmt`].
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::OptText(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}

/// A statement's arguments in order, each made an [`Arg`]: `args![a, b]` is
/// `vec![Arg::from(a), Arg::from(b)]`.
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        vec![$($crate::db::Arg::from($arg)),*]
    };
}
pub(crate) use args;

/// One guarded statement of a [`Write`].
#[derive(Debug, Clone)]
pub(crate) struct Stmt {
    pub sql: &'static str,
    pub args: Vec<Arg>,
    /// When it changes no row, the whole write is undone and reported [`Applied::Stopped`].
    pub must_change: bool,
}

impl Stmt {
    /// A statement that must change a row (its guard held) for the write to stand.
    pub(crate) fn guarded(sql: &'static str, args: Vec<Arg>) -> Self {
        Self { sql, args, must_change: true }
    }

    /// A statement that may change nothing (an `ON CONFLICT DO NOTHING` insert).
    pub(crate) fn maybe(sql: &'static str, args: Vec<Arg>) -> Self {
        Self { sql, args, must_change: false }
    }
}

/// Statements that commit together or not at all.
#[derive(Debug, Clone, Default)]
pub(crate) struct Write {
    pub stmts: Vec<Stmt>,
}

impl Write {
    pub(crate) fn one(stmt: Stmt) -> Self {
        Self { stmts: vec![stmt] }
    }

    pub(crate) fn then(mut self, stmt: Stmt) -> Self {
        self.stmts.push(stmt);
        self
    }
}

/// What a [`Write`] did once committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Applied {
    /// Every statement ran: the rows each changed.
    Done(Vec<u64>),
    /// The statement at this index changed nothing though it must: nothing of the write stands.
    Stopped(usize),
}

impl Applied {
    /// Whether every statement ran (and so every guard held).
    pub(crate) fn done(&self) -> bool {
        matches!(self, Applied::Done(_))
    }

    /// The rows the statement at `i` changed (0 when stopped).
    pub(crate) fn changed(&self, i: usize) -> u64 {
        match self {
            Applied::Done(n) => n.get(i).copied().unwrap_or(0),
            Applied::Stopped(_) => 0,
        }
    }
}

/// Binds the arguments of `stmt` to a query of either backend.
#[allow(unused_macros)] // with no backend feature, nothing runs statements
macro_rules! bind_all {
    ($q:expr, $stmt:expr) => {{
        let mut q = $q;
        for a in &$stmt.args {
            q = match a {
                $crate::db::Arg::Text(v) => q.bind(v.as_str()),
                $crate::db::Arg::OptText(v) => q.bind(v.as_deref()),
                $crate::db::Arg::Int(v) => q.bind(*v),
                $crate::db::Arg::OptInt(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// Runs the statements of `write` in order on `conn` (inside the caller's transaction or
/// savepoint), stopping at the first guard that held nothing.
#[allow(unused_macros)] // with no backend feature, nothing runs statements
macro_rules! run_write {
    ($conn:expr, $write:expr) => {{
        let write: &$crate::db::Write = $write;
        let mut counts = Vec::with_capacity(write.stmts.len());
        let mut stopped = None;
        for (i, stmt) in write.stmts.iter().enumerate() {
            let n = $crate::db::bind_all!(sqlx::query(stmt.sql), stmt).execute(&mut *$conn).await?.rows_affected();
            if stmt.must_change && n == 0 {
                stopped = Some(i);
                break;
            }
            counts.push(n);
        }
        let applied: $crate::db::Applied = match stopped {
            Some(i) => $crate::db::Applied::Stopped(i),
            None => $crate::db::Applied::Done(counts),
        };
        applied
    }};
}

/// Runs a query on whichever pool this is and turns each row into a value with `$conv`.
macro_rules! fetch {
    ($pool:expr, $conv:expr, $sql:expr $(, $b:expr)* $(,)?) => {{
        let sql: &str = $sql;
        let result: Result<Vec<_>, StoreError> = match $pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(ref p, _) => match sqlx::query(sql)$(.bind($b))*.fetch_all(p).await {
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

#[allow(unused_imports)] // with no backend feature, nothing runs statements
pub(crate) use {bind_all, fetch, run_write};

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
