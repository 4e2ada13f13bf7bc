//! What the journal itself can fail with, and how that becomes a [`PayoutError`].

use payout_core::{PayoutError, Reference};

/// An error of the journal: opening it, or reading and writing its rows.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The journal's location is malformed, or names a backend this build lacks.
    #[error("journal location: {0}")]
    Location(String),
    /// The database refused or failed (connection, I/O, constraint, busy past the timeout).
    #[error("journal database: {0}")]
    Database(#[from] sqlx::Error),
    /// The transaction that was to commit this write (with others waiting at the same time)
    /// failed as a whole: nothing of it was written.
    #[error("journal database: {0}")]
    Batch(std::sync::Arc<sqlx::Error>),
    /// The journal's writer has stopped (its thread ended): nothing was written.
    #[error("journal database: the writer has stopped")]
    WriterGone,
    /// A migration could not be applied.
    #[error("journal migration {version}: {message}")]
    Migration {
        /// The migration's number.
        version: i64,
        /// What went wrong.
        message: String,
    },
    /// A row holds something this version cannot read (a hand-edited or newer journal).
    #[error("journal row {provider}/{reference} is unreadable: {message}")]
    Corrupt {
        /// The row's provider.
        provider: String,
        /// The row's reference.
        reference: String,
        /// What could not be read.
        message: String,
    },
}

impl StoreError {
    /// The error a payout gets when the journal fails **before** its request was sent:
    /// unavailable (exit 5 in the command), and the message says that nothing was sent.
    pub fn before_send(self) -> PayoutError {
        PayoutError::Unavailable {
            message: format!("the journal cannot be used, nothing was sent: {self}"),
            status: None,
            source: None,
        }
    }

    /// The error a payout gets when the journal fails **after** its request may have left:
    /// outcome unknown, naming the reference to reconcile.
    pub fn after_send(self, reference: &Reference) -> PayoutError {
        PayoutError::OutcomeUnknown {
            reference: reference.clone(),
            message: format!("the request may have been sent but the journal could not record it: {self}"),
            source: None,
        }
    }
}

impl From<StoreError> for PayoutError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Location(m) => PayoutError::configuration(format!("journal location: {m}")),
            other => PayoutError::Unavailable { message: other.to_string(), status: None, source: None },
        }
    }
}
