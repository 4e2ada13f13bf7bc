//! Scripted failures: what the fake does instead of answering, for the next call or for every call
//! of an operation.

use std::time::Duration;

use payout_core::{ErrorKind, PayoutError, ProviderId, Reference};

use crate::Operation;

/// What a scripted failure does.
///
/// This is the fake's layer: it fails a *call* with an error, since the fake has no wire. The
/// HTTP simulators' `payout_sim::Fault` misbehaves on the wire instead (delays, 5xx, closed
/// connections, broken bodies) and leaves it to the real client to turn that into an error; the
/// two describe different things and are kept apart.
///
/// The two outcome-unknown cases that matter for money are told apart:
/// `Fault::Kind(ErrorKind::OutcomeUnknown)` loses the request *before* the provider acted (nothing
/// is created), while [`Fault::LoseAnswer`] lets the create happen and loses only the answer, which
/// is what drives [`submit`](payout_core::PayoutProviderExt::submit) down its reconcile path.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Fail with exactly this error; nothing happens.
    Error(PayoutError),
    /// Fail with a representative error of this category, built for the call (an outcome-unknown
    /// or duplicate-reference error names the request's reference); nothing happens.
    Kind(ErrorKind),
    /// Act, then lose the answer: a create *does* create the withdrawal but returns
    /// [`PayoutError::OutcomeUnknown`]; any other operation returns [`PayoutError::Unavailable`].
    LoseAnswer,
}

impl From<PayoutError> for Fault {
    fn from(e: PayoutError) -> Self {
        Fault::Error(e)
    }
}

impl From<ErrorKind> for Fault {
    fn from(kind: ErrorKind) -> Self {
        Fault::Kind(kind)
    }
}

/// The reference used in errors of operations that carry none (`get`, `list`, webhooks).
const NO_REFERENCE: &str = "(no reference: scripted fault)";

/// A representative error of `kind` for a call of `op`, naming `reference` where the category has
/// one.
pub(crate) fn error_of_kind(
    kind: ErrorKind,
    provider: &ProviderId,
    op: Operation,
    reference: Option<&Reference>,
) -> PayoutError {
    let why = format!("scripted fault on {op}");
    let reference =
        || reference.cloned().unwrap_or_else(|| Reference::new(NO_REFERENCE).expect("the fallback reference is valid"));
    match kind {
        ErrorKind::InvalidRequest => PayoutError::invalid_field("request", why),
        ErrorKind::Unsupported => PayoutError::unsupported(provider.clone(), why),
        ErrorKind::Configuration => PayoutError::configuration(why),
        ErrorKind::Authentication => PayoutError::Authentication { message: why, status: Some(401) },
        ErrorKind::Rejected => {
            PayoutError::Rejected { message: why, errors: Vec::new(), code: Some("scripted".into()), status: Some(400) }
        }
        ErrorKind::DuplicateReference => PayoutError::DuplicateReference { reference: reference() },
        ErrorKind::NotFound => PayoutError::NotFound { what: why },
        ErrorKind::RateLimited => PayoutError::RateLimited { retry_after: Some(Duration::from_secs(1)) },
        ErrorKind::OutcomeUnknown => PayoutError::outcome_unknown(reference(), why),
        ErrorKind::Protocol => PayoutError::protocol(why, Some(200), b"<scripted fault>"),
        ErrorKind::Webhook => PayoutError::webhook(why),
        // Unavailable, and any category a later payout-core adds.
        _ => PayoutError::unavailable(why, Some(503)),
    }
}

/// Which calls a standing fault applies to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rule {
    /// Only calls of this operation; `None` for every operation.
    pub(crate) op: Option<Operation>,
    /// Only calls naming this reference (creates and finds); `None` for any call.
    pub(crate) reference: Option<Reference>,
}

impl Rule {
    fn matches(&self, op: Operation, reference: Option<&Reference>) -> bool {
        self.op.is_none_or(|o| o == op) && self.reference.as_ref().is_none_or(|r| Some(r) == reference)
    }
}

/// The failures waiting for calls.
#[derive(Debug, Default)]
pub(crate) struct Script {
    /// One-shot faults, in the order they were scripted.
    next: Vec<(Operation, Fault)>,
    /// Standing faults. The first match wins.
    every: Vec<(Rule, Fault)>,
}

impl Script {
    pub(crate) fn push_next(&mut self, op: Operation, fault: Fault) {
        self.next.push((op, fault));
    }

    pub(crate) fn push_every(&mut self, rule: Rule, fault: Fault) {
        self.every.push((rule, fault));
    }

    pub(crate) fn clear(&mut self) {
        self.next.clear();
        self.every.clear();
    }

    /// The fault for a call of `op` naming `reference`: a one-shot one first (used up), else a
    /// standing one.
    pub(crate) fn take(&mut self, op: Operation, reference: Option<&Reference>) -> Option<Fault> {
        if let Some(pos) = self.next.iter().position(|(o, _)| *o == op) {
            return Some(self.next.remove(pos).1);
        }
        self.every.iter().find(|(rule, _)| rule.matches(op, reference)).map(|(_, f)| f.clone())
    }
}
