//! [`Journal`]: the durable store, opened on SQLite or PostgreSQL, and the guarded writes the
//! journaled provider makes.

use std::fmt;
use std::path::Path;

use payout_core::{ProviderId, Withdrawal};

#[allow(unused_imports)] // with no backend feature, nothing reads rows
use crate::db::{Applied, Arg, COLUMNS, Pool, RawEntry, Stmt, Write, args, fetch, raw_entry};
use crate::entry::{Entry, EntryFilter, State};
use crate::error::StoreError;

/// Which database a [`Journal`] lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// The durable journal of payouts. Cloning is cheap (it shares the pool).
///
/// ```no_run
/// # async fn demo() -> Result<(), payout_store::StoreError> {
/// use payout_store::{EntryFilter, Journal, State};
///
/// let journal = Journal::open("sqlite:///var/lib/app/journal.sqlite").await?;
/// for entry in journal.entries(&EntryFilter::new().state(State::Unanswered)).await? {
///     println!("{} {} {}", entry.provider, entry.reference, entry.state);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Journal {
    pub(crate) pool: Pool,
    location: String,
}

/// The location without any password.
impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal").field("backend", &self.backend()).field("location", &self.location).finish()
    }
}

/// A URL with its password (if any) replaced, for messages and `Debug`.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Journal {
    /// Opens a journal by location: `postgres://…` or `postgresql://…` (PostgreSQL),
    /// `sqlite://PATH` or a plain file path (SQLite). Creates the SQLite file and its folders
    /// when missing; creates or migrates the schema either way.
    pub async fn open(location: &str) -> Result<Self, StoreError> {
        let location = location.trim();
        if location.is_empty() {
            return Err(StoreError::Location("empty; give a file path, sqlite://PATH or postgres://…".into()));
        }
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Self::open_postgres(location).await;
        }
        if let Some(path) = location.strip_prefix("sqlite://").or_else(|| location.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err(StoreError::Location("sqlite:// needs a file path".into()));
            }
            return Self::open_sqlite(Path::new(path)).await;
        }
        if let Some((scheme, _)) = location.split_once("://") {
            return Err(StoreError::Location(format!(
                "unknown scheme `{scheme}://`; use a file path, sqlite://PATH or postgres://USER@HOST:PORT/DB"
            )));
        }
        Self::open_sqlite(Path::new(location)).await
    }

    /// Opens (or creates) an SQLite journal at `path`.
    #[cfg(feature = "sqlite")]
    pub async fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        Self::open_sqlite_with_busy_timeout(path, crate::sqlite::BUSY_TIMEOUT).await
    }

    /// Opens (or creates) an SQLite journal at `path` whose statements wait at most
    /// `busy_timeout` (default 30 s) for another connection's write lock before they fail. A
    /// webhook receiver may want it short: a failed write is answered 503 and delivered again.
    #[cfg(feature = "sqlite")]
    pub async fn open_sqlite_with_busy_timeout(
        path: &Path,
        busy_timeout: std::time::Duration,
    ) -> Result<Self, StoreError> {
        let (pool, writer) = crate::sqlite::open(path, busy_timeout).await?;
        Ok(Self { pool: Pool::Sqlite(pool, writer), location: format!("sqlite://{}", path.display()) })
    }

    /// Opens (or creates) an SQLite journal at `path`: not compiled into this build.
    #[cfg(not(feature = "sqlite"))]
    pub async fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        Err(StoreError::Location(format!(
            "{} is an SQLite journal, but this build has no `sqlite` feature",
            path.display()
        )))
    }

    /// Connects to a PostgreSQL journal (`postgres://USER[:PASSWORD]@HOST:PORT/DB`).
    #[cfg(feature = "postgres")]
    pub async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        let pool = crate::postgres::open(url).await?;
        Ok(Self { pool: Pool::Postgres(pool), location: redact(url) })
    }

    /// Connects to a PostgreSQL journal: not compiled into this build.
    #[cfg(not(feature = "postgres"))]
    pub async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        Err(StoreError::Location(format!(
            "{} is a PostgreSQL journal, but this build has no `postgres` feature",
            redact(url)
        )))
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(..) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Where it is (a PostgreSQL password is never shown).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The entries matching `filter`, oldest first.
    pub async fn entries(&self, filter: &EntryFilter) -> Result<Vec<Entry>, StoreError> {
        let rows: Vec<RawEntry> = match &filter.provider {
            Some(p) => {
                let sql =
                    format!("SELECT {COLUMNS} FROM payout_journal WHERE provider = $1 ORDER BY created_at, reference");
                fetch!(self.pool, raw_entry, &sql, p.as_str().to_owned())?
            }
            None => {
                let sql = format!("SELECT {COLUMNS} FROM payout_journal ORDER BY created_at, provider, reference");
                fetch!(self.pool, raw_entry, &sql)?
            }
        };
        let mut out = Vec::new();
        for row in rows {
            let entry = row.to_entry()?;
            if (filter.states.is_empty() || filter.states.contains(&entry.state))
                && (filter.references.is_empty() || filter.references.iter().any(|r| r == entry.reference.as_str()))
            {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// One entry, if the journal holds it.
    pub async fn entry(&self, provider: &ProviderId, reference: &str) -> Result<Option<Entry>, StoreError> {
        self.load(provider.as_str(), reference).await?.map(|r| r.to_entry()).transpose()
    }

    /// Updates kept for withdrawals no entry names (yet), as `(withdrawal)`.
    pub async fn unmatched(&self, provider: &ProviderId) -> Result<Vec<Withdrawal>, StoreError> {
        let rows: Vec<(String, i64)> = fetch!(
            self.pool,
            crate::db::raw_text,
            "SELECT withdrawal, version FROM payout_unmatched WHERE provider = $1 ORDER BY received_at",
            provider.as_str().to_owned()
        )?;
        rows.into_iter()
            .map(|(text, _)| {
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                    provider: provider.to_string(),
                    reference: "(unmatched update)".into(),
                    message: e.to_string(),
                })
            })
            .collect()
    }

    // ---- the guarded writes ------------------------------------------------------------

    pub(crate) async fn load(&self, provider: &str, reference: &str) -> Result<Option<RawEntry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payout_journal WHERE provider = $1 AND reference = $2");
        let rows: Vec<RawEntry> = fetch!(self.pool, raw_entry, &sql, provider.to_owned(), reference.to_owned())?;
        Ok(rows.into_iter().next())
    }

    pub(crate) async fn load_by_withdrawal(&self, provider: &str, id: &str) -> Result<Option<RawEntry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payout_journal WHERE provider = $1 AND withdrawal_id = $2");
        let rows: Vec<RawEntry> = fetch!(self.pool, raw_entry, &sql, provider.to_owned(), id.to_owned())?;
        Ok(rows.into_iter().next())
    }

    /// Commits `write` durably: on SQLite through the group-commit writer (with whatever other
    /// writes wait at the same moment, one fsync for all), on PostgreSQL on its own.
    pub(crate) async fn write(&self, write: Write) -> Result<Applied, StoreError> {
        match self.pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(_, ref writer) => writer.write(write).await,
            #[cfg(feature = "postgres")]
            Pool::Postgres(ref p) => crate::postgres::write(p, &write).await,
        }
    }

    /// Commits one guarded statement: whether its guard held.
    async fn guarded(&self, stmt: Stmt) -> Result<bool, StoreError> {
        Ok(self.write(Write::one(stmt)).await?.done())
    }

    /// The claim of a fresh payout, written directly as `sent` (claim and intent in one commit,
    /// before the request leaves): one insert the primary key guards. True when this call
    /// created the row (and so holds generation 1, with the payout marked sent).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn claim_sent(
        &self,
        provider: &str,
        reference: &str,
        fingerprint: &str,
        request: &str,
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let applied = self
            .write(Write::one(Stmt::maybe(
                "INSERT INTO payout_journal (provider, reference, fingerprint, request, state, lease_owner, \
                 lease_generation, lease_expires_at, sent_at, attempts, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'sent', $5, 1, $6, $7, 1, $7, $7) \
                 ON CONFLICT (provider, reference) DO NOTHING",
                args![provider, reference, fingerprint, request, owner, lease_until, now],
            )))
            .await?;
        Ok(applied.changed(0) == 1)
    }

    /// Takes a payout over from `seen` (its generation, state and version as read), if its lease
    /// is still lapsed and nothing changed since: the new generation, or `None`.
    pub(crate) async fn take_over(
        &self,
        seen: &RawEntry,
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let held = self
            .guarded(Stmt::guarded(
                "UPDATE payout_journal SET lease_owner = $1, lease_generation = lease_generation + 1, \
                 lease_expires_at = $2, updated_at = $3 \
                 WHERE provider = $4 AND reference = $5 AND lease_generation = $6 AND state = $7 AND version = $8 \
                 AND (lease_expires_at IS NULL OR lease_expires_at <= $3)",
                args![
                    owner,
                    lease_until,
                    now,
                    seen.provider.as_str(),
                    seen.reference.as_str(),
                    seen.lease_generation,
                    seen.state.as_str(),
                    seen.version
                ],
            ))
            .await?;
        Ok(held.then_some(seen.lease_generation + 1))
    }

    /// Marks a held payout sent, before its request leaves. False when the lease was lost.
    pub(crate) async fn mark_sent(
        &self,
        key: (&str, &str),
        generation: i64,
        lease_until: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.guarded(Stmt::guarded(
            "UPDATE payout_journal SET state = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL, \
             lease_expires_at = $2, updated_at = $1 \
             WHERE provider = $3 AND reference = $4 AND lease_generation = $5",
            args![now, lease_until, key.0, key.1, generation],
        ))
        .await
    }

    /// Extends a held lease. False when it was lost.
    pub(crate) async fn renew(&self, key: (&str, &str), generation: i64, lease_until: i64) -> Result<bool, StoreError> {
        self.guarded(Stmt::guarded(
            "UPDATE payout_journal SET lease_expires_at = $1 \
             WHERE provider = $2 AND reference = $3 AND lease_generation = $4 AND lease_owner IS NOT NULL",
            args![lease_until, key.0, key.1, generation],
        ))
        .await
    }

    /// Ends a holder's turn in `state` (unanswered or refused, or back to its state with a new
    /// check time) and releases the lease. False when a newer holder has it.
    pub(crate) async fn finish(
        &self,
        key: (&str, &str),
        generation: i64,
        state: State,
        last_error: Option<&str>,
        next_check_at: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.release(
            "UPDATE payout_journal SET state = $1, last_error = $2, next_check_at = $3, lease_owner = NULL, \
             lease_expires_at = NULL, updated_at = $4, checks = checks + 1 \
             WHERE provider = $5 AND reference = $6 AND lease_generation = $7",
            [state.as_str().into(), last_error.map(str::to_owned).into()],
            Release { key, generation, next_check_at, now },
        )
        .await
    }

    /// A holder's answer in one statement, for the common case: the entry at `generation` holds
    /// no withdrawal yet (no webhook came first) and no update is kept for this withdrawal. False
    /// when either is not so (or the lease was lost): the caller then merges the slow way.
    pub(crate) async fn record_answer_fast(
        &self,
        key: (&str, &str),
        generation: i64,
        withdrawal: &Withdrawal,
        next_check_at: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let text = serde_json::to_string(withdrawal).map_err(|e| StoreError::Corrupt {
            provider: key.0.to_owned(),
            reference: key.1.to_owned(),
            message: format!("cannot serialise the withdrawal: {e}"),
        })?;
        self.release(
            "UPDATE payout_journal SET state = 'created', withdrawal = $1, withdrawal_id = $2, version = version + 1, \
             last_error = NULL, next_check_at = $3, updated_at = $4, lease_owner = NULL, lease_expires_at = NULL \
             WHERE provider = $5 AND reference = $6 AND lease_generation = $7 AND withdrawal IS NULL \
             AND NOT EXISTS (SELECT 1 FROM payout_unmatched u WHERE u.provider = $5 AND u.withdrawal_id = $2)",
            [text.into(), withdrawal.id.as_str().into()],
            Release { key, generation, next_check_at, now },
        )
        .await
    }

    /// A holder's last write on its entry, which releases the lease: `sql` with its own two
    /// values as `$1` and `$2`, then the next check time (`$3`), now (`$4`) and the lease guard
    /// (`$5` provider, `$6` reference, `$7` generation). False when the lease was lost.
    async fn release(&self, sql: &'static str, own: [Arg; 2], r: Release<'_>) -> Result<bool, StoreError> {
        let mut args = Vec::from(own);
        args.extend([r.next_check_at.into(), r.now.into(), r.key.0.into(), r.key.1.into(), r.generation.into()]);
        self.guarded(Stmt::guarded(sql, args)).await
    }

    /// The statement that stores a withdrawal on the entry `seen` (state `created`), if the
    /// entry is still at the version read and, for a holder, at its generation (then the lease is
    /// released).
    pub(crate) fn store_withdrawal_stmt(
        seen: &RawEntry,
        withdrawal: &Withdrawal,
        generation: Option<i64>,
        next_check_at: Option<i64>,
        now: i64,
    ) -> Result<Stmt, StoreError> {
        let text = serde_json::to_string(withdrawal).map_err(|e| StoreError::Corrupt {
            provider: seen.provider.clone(),
            reference: seen.reference.clone(),
            message: format!("cannot serialise the withdrawal: {e}"),
        })?;
        Ok(Stmt::guarded(
            "UPDATE payout_journal SET state = 'created', withdrawal = $1, withdrawal_id = $2, version = version + 1, \
             last_error = NULL, next_check_at = $3, updated_at = $4, \
             lease_owner = CASE WHEN $5 < 0 THEN lease_owner ELSE NULL END, \
             lease_expires_at = CASE WHEN $5 < 0 THEN lease_expires_at ELSE NULL END \
             WHERE provider = $6 AND reference = $7 AND version = $8 AND ($5 < 0 OR lease_generation = $5)",
            args![
                text,
                withdrawal.id.as_str(),
                next_check_at,
                now,
                generation.unwrap_or(-1),
                seen.provider.as_str(),
                seen.reference.as_str(),
                seen.version
            ],
        ))
    }

    /// Stores a withdrawal on the entry `seen`; see [`Journal::store_withdrawal_stmt`].
    pub(crate) async fn store_withdrawal(
        &self,
        seen: &RawEntry,
        withdrawal: &Withdrawal,
        generation: Option<i64>,
        next_check_at: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.guarded(Self::store_withdrawal_stmt(seen, withdrawal, generation, next_check_at, now)?).await
    }

    /// Claims up to `limit` payouts of `provider` that reconcile should look at: unresolved ones
    /// whose lease lapsed, and created ones whose next check is due. Each comes back leased to
    /// `owner` at its new generation.
    pub(crate) async fn claim_due(
        &self,
        provider: &str,
        owner: &str,
        lease_until: i64,
        now: i64,
        limit: i64,
        started: i64,
    ) -> Result<Vec<RawEntry>, StoreError> {
        let lock = match self.pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            #[allow(unreachable_patterns)]
            _ => "",
        };
        // On SQLite the whole statement runs under the database's write lock, which is all the
        // exclusion it needs; on PostgreSQL the sub-select skips rows another sweeper locked.
        let sql = format!(
            "UPDATE payout_journal SET lease_owner = $1, lease_generation = lease_generation + 1, \
             lease_expires_at = $2, updated_at = $3 \
             WHERE (provider, reference) IN (SELECT provider, reference FROM payout_journal \
               WHERE provider = $4 AND updated_at < $6 AND (lease_expires_at IS NULL OR lease_expires_at <= $3) \
               AND (state IN ('sent', 'unanswered') \
                    OR (state = 'created' AND next_check_at IS NOT NULL AND next_check_at <= $3)) \
               ORDER BY updated_at LIMIT $5{lock}) \
             RETURNING {COLUMNS}"
        );
        fetch!(self.pool, raw_entry, &sql, owner.to_owned(), lease_until, now, provider.to_owned(), limit, started)
    }

    /// Whether a webhook delivery was applied before.
    pub(crate) async fn delivery_seen(&self, provider: &str, digest: &str) -> Result<bool, StoreError> {
        let sql = "SELECT decision, received_at FROM payout_deliveries WHERE provider = $1 AND digest = $2";
        Ok(!self.text_rows(sql, provider, digest).await?.is_empty())
    }

    /// The `(text, number)` rows `sql` selects by a provider (`$1`) and one key of its (`$2`).
    async fn text_rows(&self, sql: &'static str, provider: &str, key: &str) -> Result<Vec<(String, i64)>, StoreError> {
        fetch!(self.pool, crate::db::raw_text, sql, provider.to_owned(), key.to_owned())
    }

    /// The statement that remembers an applied delivery (first one wins).
    pub(crate) fn record_delivery_stmt(
        provider: &str,
        digest: &str,
        withdrawal_id: &str,
        decision: &str,
        now: i64,
    ) -> Stmt {
        Stmt::maybe(
            "INSERT INTO payout_deliveries (provider, digest, withdrawal_id, decision, received_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider, digest) DO NOTHING",
            args![provider, digest, withdrawal_id, decision, now],
        )
    }

    /// The kept update for a withdrawal no entry names, with its version.
    pub(crate) async fn load_unmatched(&self, provider: &str, id: &str) -> Result<Option<(String, i64)>, StoreError> {
        let sql = "SELECT withdrawal, version FROM payout_unmatched WHERE provider = $1 AND withdrawal_id = $2";
        Ok(self.text_rows(sql, provider, id).await?.into_iter().next())
    }

    /// The statement that keeps (or replaces, if still at `version`) the update of a withdrawal
    /// no entry names.
    pub(crate) fn keep_unmatched_stmt(w: &Withdrawal, version: Option<i64>, now: i64) -> Result<Stmt, StoreError> {
        let text = serde_json::to_string(w).map_err(|e| StoreError::Corrupt {
            provider: w.provider.to_string(),
            reference: "(unmatched update)".into(),
            message: e.to_string(),
        })?;
        let reference = w.reference.as_ref().map(|r| r.as_str().to_owned());
        Ok(match version {
            None => Stmt::guarded(
                "INSERT INTO payout_unmatched (provider, withdrawal_id, reference, withdrawal, version, received_at, \
                 updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5) ON CONFLICT (provider, withdrawal_id) DO NOTHING",
                args![w.provider.as_str(), w.id.as_str(), reference, text, now],
            ),
            Some(v) => Stmt::guarded(
                "UPDATE payout_unmatched SET withdrawal = $1, reference = $2, version = version + 1, updated_at = $3 \
                 WHERE provider = $4 AND withdrawal_id = $5 AND version = $6",
                args![text, reference, now, w.provider.as_str(), w.id.as_str(), v],
            ),
        })
    }

    /// Drops a kept update once an entry holds it.
    pub(crate) async fn drop_unmatched(&self, provider: &str, id: &str) -> Result<(), StoreError> {
        self.write(Write::one(Stmt::maybe(
            "DELETE FROM payout_unmatched WHERE provider = $1 AND withdrawal_id = $2",
            args![provider, id],
        )))
        .await?;
        Ok(())
    }
}

/// What every release of a held lease binds after the statement's own values.
struct Release<'a> {
    key: (&'a str, &'a str),
    generation: i64,
    next_check_at: Option<i64>,
    now: i64,
}
