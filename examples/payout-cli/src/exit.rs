//! Exit codes and error output, as the contract fixes them.

use std::fmt;
use std::process::ExitCode;

use payout_core::{ErrorKind, PayoutError};

/// Everything the command can fail with: a provider error, or one of its own.
#[derive(Debug)]
pub enum Failure {
    /// An error from the provider or the core.
    Payout(PayoutError),
    /// Bad arguments the parser could not catch (exit 2).
    Usage(String),
    /// `watch` ran out of time before a final status (exit 1).
    Timeout(String),
    /// Reading or writing a file or a stream (exit 1).
    Io(String),
}

impl From<PayoutError> for Failure {
    fn from(e: PayoutError) -> Self {
        Failure::Payout(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e.to_string())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Payout(e) => write!(f, "{e}"),
            Failure::Usage(m) | Failure::Timeout(m) | Failure::Io(m) => f.write_str(m),
        }
    }
}

impl Failure {
    /// The `kind` written in the JSON error.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Payout(e) => e.kind().as_str(),
            Failure::Usage(_) => "usage",
            Failure::Timeout(_) => "timeout",
            Failure::Io(_) => "io",
        }
    }

    /// The exit code: 2 nothing was sent (invalid, usage, configuration, unsupported); 3 the
    /// provider refused; 4 outcome unknown; 5 unavailable or rate limited; 1 anything else.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Payout(e) => match e.kind() {
                ErrorKind::InvalidRequest | ErrorKind::Configuration | ErrorKind::Unsupported => 2,
                ErrorKind::Authentication
                | ErrorKind::Rejected
                | ErrorKind::DuplicateReference
                | ErrorKind::NotFound
                | ErrorKind::Webhook => 3,
                ErrorKind::OutcomeUnknown => 4,
                ErrorKind::Unavailable | ErrorKind::RateLimited => 5,
                _ => 1,
            },
            Failure::Usage(_) => 2,
            Failure::Timeout(_) | Failure::Io(_) => 1,
        }
    }

    /// Writes the error to standard error (also as JSON with `--json`) and gives the exit code.
    pub fn report(&self, json: bool) -> ExitCode {
        let mut message = self.to_string();
        if let Failure::Payout(PayoutError::OutcomeUnknown { reference, .. }) = self {
            message.push_str(&format!("\nreconcile with: payout find {reference}"));
        }
        if json {
            let body = serde_json::json!({ "error": { "kind": self.kind(), "message": message } });
            eprintln!("{body}");
        } else {
            eprintln!("payout: {message}");
        }
        ExitCode::from(self.code())
    }
}
