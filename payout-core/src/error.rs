//! One error type for every provider, sorted into the categories a caller acts on.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::id::{ProviderId, Reference};

/// What went wrong with one field of a request, in words that say what to fix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    /// The field, as the unified request names it (`amount`, `address`, `end_user.email`), or as
    /// the provider named it in its answer.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

struct Fields<'a>(&'a [FieldError]);

impl fmt::Display for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

fn retry_hint(after: &Option<Duration>) -> String {
    match after {
        Some(d) => format!("; retry after {} s", d.as_secs_f64()),
        None => String::new(),
    }
}

fn status_hint(status: &Option<u16>) -> String {
    match status {
        Some(s) => format!(" (HTTP {s})"),
        None => String::new(),
    }
}

/// Every way a payout operation can fail. Match on [`PayoutError::kind`] to decide what to do.
///
/// No variant carries a key or secret: messages are safe to log.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum PayoutError {
    /// Refused before anything was sent: fix the named fields and try again.
    #[error("invalid request: {}", Fields(.errors))]
    InvalidRequest {
        /// One entry per field that is wrong.
        errors: Vec<FieldError>,
    },
    /// The provider lacks this operation or option; [`crate::Capabilities`] says so up front.
    #[error("{provider} does not support {operation}")]
    Unsupported {
        /// The provider asked.
        provider: ProviderId,
        /// What it lacks, in words (`listing withdrawals`, `conversion on withdrawal`).
        operation: String,
    },
    /// Missing or malformed keys or base URL: fix the configuration.
    #[error("configuration error: {message}")]
    Configuration {
        /// What is missing or wrong, naming the setting or environment variable.
        message: String,
    },
    /// The provider refused the credentials or the signature.
    #[error("authentication failed{}: {message}", status_hint(.status))]
    Authentication {
        /// The provider's words.
        message: String,
        /// The HTTP status, when there was one.
        status: Option<u16>,
    },
    /// The provider refused the request and created nothing.
    #[error("rejected by the provider{}: {message}{}{}", status_hint(.status), if .errors.is_empty() { "" } else { ": " }, Fields(.errors))]
    Rejected {
        /// The provider's words.
        message: String,
        /// The provider's per-field messages, kept as it sent them.
        errors: Vec<FieldError>,
        /// The provider's own error code, when it sends one.
        code: Option<String>,
        /// The HTTP status, when there was one.
        status: Option<u16>,
    },
    /// A payout with this reference already exists: look it up instead of creating another.
    #[error("a withdrawal with reference {reference} already exists; look it up with find_withdrawal")]
    DuplicateReference {
        /// The reference that is taken.
        reference: Reference,
    },
    /// No such withdrawal.
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for (`withdrawal 123`).
        what: String,
    },
    /// The provider asked us to slow down.
    #[error("rate limited by the provider{}", retry_hint(.retry_after))]
    RateLimited {
        /// The wait the provider asked for (`Retry-After`), when it said.
        retry_after: Option<Duration>,
    },
    /// The provider could not be reached, or answered 5xx, to a request that is safe to repeat.
    #[error("provider unavailable{}: {message}", status_hint(.status))]
    Unavailable {
        /// What happened.
        message: String,
        /// The HTTP status, when there was one.
        status: Option<u16>,
        /// The underlying failure (a transport error), for [`std::error::Error::source`].
        #[source]
        source: Option<Cause>,
    },
    /// A create may have reached the provider but its answer was lost. Never create again with a
    /// new reference: look this one up (`find_withdrawal`), or let [`crate::PayoutProviderExt::submit`]
    /// do it.
    #[error(
        "outcome unknown for reference {reference}: {message}; reconcile by looking the reference up, never by creating again"
    )]
    OutcomeUnknown {
        /// The reference to reconcile with.
        reference: Reference,
        /// What happened.
        message: String,
        /// The underlying failure (a transport error), for [`std::error::Error::source`].
        #[source]
        source: Option<Cause>,
    },
    /// The provider answered something this crate cannot read.
    #[error("unreadable answer from the provider{}: {message}", status_hint(.status))]
    Protocol {
        /// What could not be read.
        message: String,
        /// The HTTP status, when there was one.
        status: Option<u16>,
        /// The raw body, for a support ticket (cut to a few KiB).
        body: String,
    },
    /// A webhook's signature or body is bad: do not trust its content.
    #[error("webhook refused: {message}")]
    Webhook {
        /// Why it was refused.
        message: String,
    },
}

/// The underlying failure kept by [`PayoutError::Unavailable`] and [`PayoutError::OutcomeUnknown`]:
/// shared, so that [`PayoutError`] stays `Clone`. Its text never holds a key or secret (the HTTP
/// layer keeps transport errors without their URL).
pub type Cause = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// [`ErrorKind`] is [`PayoutError`]'s variants without their fields: one table gives each kind its
/// JSON name and maps each error to its kind, so the two enums cannot drift apart.
macro_rules! error_kinds {
    ($($kind:ident => $name:literal,)+) => {
        /// The category of a [`PayoutError`], without its details: what the CLI maps to exit codes
        /// and what a caller matches on to decide whether to fix, retry or reconcile.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $(
                #[doc = concat!("See [`PayoutError::", stringify!($kind), "`].")]
                $kind,
            )+
        }

        crate::names!(ErrorKind { $($kind => $name),+ });

        impl PayoutError {
            /// The category of this error.
            pub fn kind(&self) -> ErrorKind {
                match self {
                    $(PayoutError::$kind { .. } => ErrorKind::$kind,)+
                }
            }
        }
    };
}

// The snake_case names are those of JSON (`"outcome_unknown"`).
error_kinds! {
    InvalidRequest => "invalid_request",
    Unsupported => "unsupported",
    Configuration => "configuration",
    Authentication => "authentication",
    Rejected => "rejected",
    DuplicateReference => "duplicate_reference",
    NotFound => "not_found",
    RateLimited => "rate_limited",
    Unavailable => "unavailable",
    OutcomeUnknown => "outcome_unknown",
    Protocol => "protocol",
    Webhook => "webhook",
}

/// How much of a raw body an error keeps.
const BODY_KEPT: usize = 4096;

impl PayoutError {
    /// An invalid-request error for these fields.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        PayoutError::InvalidRequest { errors }
    }

    /// An invalid-request error for one field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    /// A configuration error.
    pub fn configuration(message: impl Into<String>) -> Self {
        PayoutError::Configuration { message: message.into() }
    }

    /// An unsupported-operation error.
    pub fn unsupported(provider: ProviderId, operation: impl Into<String>) -> Self {
        PayoutError::Unsupported { provider, operation: operation.into() }
    }

    /// A webhook error.
    pub fn webhook(message: impl Into<String>) -> Self {
        PayoutError::Webhook { message: message.into() }
    }

    /// An unavailable error without an underlying cause; add one with [`PayoutError::with_source`].
    pub fn unavailable(message: impl Into<String>, status: Option<u16>) -> Self {
        PayoutError::Unavailable { message: message.into(), status, source: None }
    }

    /// An outcome-unknown error for `reference`; add the cause with [`PayoutError::with_source`].
    pub fn outcome_unknown(reference: Reference, message: impl Into<String>) -> Self {
        PayoutError::OutcomeUnknown { reference, message: message.into(), source: None }
    }

    /// This error with `source` as its underlying cause, where the variant keeps one
    /// ([`PayoutError::Unavailable`], [`PayoutError::OutcomeUnknown`]); other variants are
    /// returned unchanged.
    ///
    /// ```
    /// use std::error::Error as _;
    /// use payout_core::PayoutError;
    ///
    /// let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
    /// let err = PayoutError::unavailable("alphapo could not be reached", None).with_source(io);
    /// assert_eq!(err.source().unwrap().to_string(), "connection reset by peer");
    /// let copy = err.clone(); // still Clone, the cause is shared
    /// assert!(copy.source().is_some());
    /// ```
    pub fn with_source(self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.with_cause(Arc::new(cause))
    }

    /// This error with an already shared cause (see [`PayoutError::with_source`]).
    pub fn with_cause(self, cause: Cause) -> Self {
        match self {
            PayoutError::Unavailable { message, status, .. } => {
                PayoutError::Unavailable { message, status, source: Some(cause) }
            }
            PayoutError::OutcomeUnknown { reference, message, .. } => {
                PayoutError::OutcomeUnknown { reference, message, source: Some(cause) }
            }
            other => other,
        }
    }

    /// A protocol error keeping (the start of) the raw body.
    pub fn protocol(message: impl Into<String>, status: Option<u16>, body: &[u8]) -> Self {
        let cut = &body[..body.len().min(BODY_KEPT)];
        PayoutError::Protocol { message: message.into(), status, body: String::from_utf8_lossy(cut).into_owned() }
    }

    /// Whether the same call may simply be made again later (rate limited, unavailable).
    ///
    /// An outcome-unknown create is *not* retryable: it must be reconciled by reference.
    pub fn is_retryable(&self) -> bool {
        matches!(self, PayoutError::RateLimited { .. } | PayoutError::Unavailable { .. })
    }

    /// The wait the provider asked for, on a rate-limited error.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            PayoutError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// The field errors of an invalid or rejected request.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            PayoutError::InvalidRequest { errors } | PayoutError::Rejected { errors, .. } => errors,
            _ => &[],
        }
    }
}
