//! Exit codes and error output, as the contract fixes them.

use std::fmt;
use std::process::ExitCode;

use payout_core::{ErrorKind, FieldError, PayoutError};

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
    /// Standard output's reader went away (`payout list --all | head -1`): the command stops
    /// quietly with exit 0, as the reader asked for no more.
    Closed,
}

impl From<PayoutError> for Failure {
    fn from(e: PayoutError) -> Self {
        Failure::Payout(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::BrokenPipe => Failure::Closed,
            _ => Failure::Io(e.to_string()),
        }
    }
}

/// The command's flag for a field of the unified request, so that messages say what to type.
fn flag_of(field: &str) -> Option<&'static str> {
    Some(match field {
        "reference" => "--reference",
        "asset" => "--asset",
        "amount" => "--amount",
        "amount_to" => "--amount-to",
        "convert_to" => "--convert-to",
        "address" => "--address",
        "tag" => "--tag",
        "end_user" | "end_user.id" => "--end-user",
        "end_user.name" => "--end-user-name",
        "end_user.email" => "--end-user-email",
        "fee_from" => "--fee-from",
        "callback_url" => "--callback-url",
        _ => return None,
    })
}

/// An unsupported option's words with the request's field names written as flags
/// (`conversion on withdrawal (convert_to)` → `(--convert-to)`).
fn with_flags(words: &str) -> String {
    let is_name = |c: char| c.is_ascii_lowercase() || c == '_' || c == '.';
    let mut out = String::with_capacity(words.len());
    let mut rest = words;
    while let Some(start) = rest.find(is_name) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find(|c: char| !is_name(c)).unwrap_or(tail.len());
        let name = &tail[..end];
        // Only a whole name: `amount` inside `--amount-to`'s words is left alone.
        let whole = !out.ends_with('-');
        out.push_str(flag_of(name).filter(|_| whole && name.contains('_')).unwrap_or(name));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // In the command's terms: flags rather than the library's field names, and the
            // command that looks a reference up rather than the library function.
            Failure::Payout(PayoutError::InvalidRequest { errors }) => {
                let named = errors
                    .iter()
                    .map(|e| FieldError::new(flag_of(&e.field).unwrap_or(&e.field), e.message.clone()))
                    .collect();
                write!(f, "{}", PayoutError::invalid(named))
            }
            Failure::Payout(PayoutError::Unsupported { provider, operation }) => {
                write!(f, "{}", PayoutError::unsupported(provider.clone(), with_flags(operation)))
            }
            Failure::Payout(PayoutError::DuplicateReference { reference }) => write!(
                f,
                "a withdrawal with reference {reference} already exists; look it up with `payout find {reference}`"
            ),
            Failure::Payout(e) => write!(f, "{e}"),
            Failure::Usage(m) | Failure::Timeout(m) | Failure::Io(m) => f.write_str(m),
            Failure::Closed => f.write_str("standard output was closed"),
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
            Failure::Io(_) | Failure::Closed => "io",
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
            Failure::Closed => 0,
        }
    }

    /// Writes the error to standard error (also as JSON with `--json`) and gives the exit code.
    pub fn report(&self, json: bool) -> ExitCode {
        if let Failure::Closed = self {
            return ExitCode::SUCCESS;
        }
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
