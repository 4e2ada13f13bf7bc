//! [`log_create!`](crate::log_create): the log line every provider writes after a create.

/// Logs what became of a create under the provider's log `target` (a literal, as `tracing`
/// wants): `debug` with the id and status when `result` holds the withdrawal created, `warn`
/// with the error and the words `unknown` (what the caller should do) when the outcome is
/// unknown, `debug` with the error kind when the create was refused. Only the reference, the
/// id, the status and the error appear; never a key or a body.
///
/// ```
/// # use payout_core::{PayoutError, Withdrawal};
/// let result: Result<Withdrawal, PayoutError> = Err(PayoutError::protocol("an odd answer", None, b"{}"));
/// payout_core::log_create!("payout::acme", "order-1", &result, created: "payout created", unknown: "create outcome unknown: reconcile by reference");
/// ```
#[macro_export]
macro_rules! log_create {
    ($target:literal, $reference:expr, $result:expr, created: $created:literal, unknown: $unknown:literal) => {
        match $result {
            ::std::result::Result::Ok(w) => {
                $crate::http::__tracing::debug!(target: $target, reference = %$reference, id = %w.id, status = %w.provider_status, $created)
            }
            ::std::result::Result::Err(e) if e.kind() == $crate::ErrorKind::OutcomeUnknown => {
                $crate::http::__tracing::warn!(target: $target, reference = %$reference, error = %e, $unknown)
            }
            ::std::result::Result::Err(e) => {
                $crate::http::__tracing::debug!(target: $target, reference = %$reference, kind = %e.kind(), "create refused")
            }
        }
    };
}
