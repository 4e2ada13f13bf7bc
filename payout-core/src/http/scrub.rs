//! [`scrub`]: keys a provider may echo in an answer, replaced in every message of an error.

use secrecy::{ExposeSecret, SecretString};

use crate::error::{FieldError, PayoutError};

/// Keys shorter than this are not scrubbed from messages (they would match ordinary text).
pub const MIN_SCRUBBED: usize = 6;

/// `err` with every one of `secrets` (of at least [`MIN_SCRUBBED`] bytes) that appears in its
/// messages, field errors, codes or kept body replaced by `[REDACTED]`, so that no error message
/// ever carries a key a provider echoed. A transport cause is kept as it is: the HTTP layer
/// keeps it without its URL, and it holds no key.
///
/// ```
/// use payout_core::PayoutError;
/// let key = "sk_live_0123456789".into();
/// let err = PayoutError::Authentication { message: "bad key sk_live_0123456789".into(), status: Some(401) };
/// let clean = payout_core::http::scrub(err, &[key]);
/// assert_eq!(clean.to_string(), "authentication failed (HTTP 401): bad key [REDACTED]");
/// ```
pub fn scrub(err: PayoutError, secrets: &[SecretString]) -> PayoutError {
    let clean = |text: String| -> String {
        let mut text = text;
        for key in secrets {
            let key = key.expose_secret();
            if key.len() >= MIN_SCRUBBED && text.contains(key) {
                text = text.replace(key, "[REDACTED]");
            }
        }
        text
    };
    match err {
        PayoutError::Authentication { message, status } => {
            PayoutError::Authentication { message: clean(message), status }
        }
        PayoutError::Rejected { message, errors, code, status } => PayoutError::Rejected {
            message: clean(message),
            errors: errors.into_iter().map(|f| FieldError::new(f.field, clean(f.message))).collect(),
            code: code.map(clean),
            status,
        },
        PayoutError::NotFound { what } => PayoutError::NotFound { what: clean(what) },
        PayoutError::Unavailable { message, status, source } => {
            PayoutError::Unavailable { message: clean(message), status, source }
        }
        PayoutError::OutcomeUnknown { reference, message, source } => {
            PayoutError::OutcomeUnknown { reference, message: clean(message), source }
        }
        PayoutError::Protocol { message, status, body } => {
            PayoutError::Protocol { message: clean(message), status, body: clean(body) }
        }
        PayoutError::Configuration { message } => PayoutError::Configuration { message: clean(message) },
        PayoutError::InvalidRequest { errors } => PayoutError::InvalidRequest {
            errors: errors.into_iter().map(|f| FieldError::new(f.field, clean(f.message))).collect(),
        },
        PayoutError::Webhook { message } => PayoutError::Webhook { message: clean(message) },
        other => other,
    }
}
