//! What every case uses: the provider and harness, fresh references, calls that turn errors into
//! readable findings.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU32, Ordering};

use payout_core::{
    Capability, ErrorKind, ListQuery, PayoutError, PayoutProvider, Reference, Withdrawal, WithdrawalId,
    WithdrawalRequest,
};

use super::harness::{Drive, Harness, Step};

/// Why a case stopped early.
pub(crate) enum Stop {
    /// A check that later checks depend on failed.
    Failed(String),
    /// The backend cannot be driven for this case.
    Skipped(String),
}

impl From<String> for Stop {
    fn from(message: String) -> Self {
        Stop::Failed(message)
    }
}

/// The checks of one case that failed, and notes.
#[derive(Default)]
pub(crate) struct Findings {
    pub(crate) problems: Vec<String>,
    pub(crate) notes: Vec<String>,
}

impl Findings {
    pub(crate) fn problem(&mut self, message: impl Into<String>) {
        self.problems.push(message.into());
    }

    pub(crate) fn note(&mut self, message: impl Into<String>) {
        self.notes.push(message.into());
    }

    /// Records a problem unless `got` equals `expected`, naming the field and where it came from.
    pub(crate) fn same<T: PartialEq + Debug>(&mut self, what: &str, expected: &T, got: &T) {
        if expected != got {
            self.problem(format!("{what}: expected {expected:?}, got {got:?}"));
        }
    }
}

pub(crate) type CaseResult = Result<(), Stop>;

/// One case's view of the run.
pub(crate) struct Ctx<'a> {
    pub(crate) provider: &'a dyn PayoutProvider,
    pub(crate) harness: &'a dyn Harness,
    run_id: &'a str,
    case: &'static str,
    seq: AtomicU32,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        provider: &'a dyn PayoutProvider,
        harness: &'a dyn Harness,
        run_id: &'a str,
        case: &'static str,
    ) -> Self {
        Self { provider, harness, run_id, case, seq: AtomicU32::new(0) }
    }

    pub(crate) fn supports(&self, c: Capability) -> bool {
        self.provider.capabilities().supports(c)
    }

    fn next(&self) -> u32 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A reference no run has used: `conf-<run id>-<case>-<n>`.
    pub(crate) fn reference(&self) -> Result<Reference, String> {
        let n = self.next();
        let mut text = format!("conf-{}-{}-{n}", self.run_id, self.case.replace('_', "-"));
        if text.chars().count() > self.provider.reference_rules().max_len_of_lookup() {
            // A provider that looks references up by fewer characters (Cryptomus: 32): the
            // case's initials instead of its name.
            let initials: String = self.case.split('_').filter_map(|w| w.chars().next()).collect();
            text = format!("c{}-{initials}-{n}", self.run_id);
        }
        Reference::new(text).map_err(|e| format!("the suite built an invalid reference: {e}"))
    }

    /// A transaction hash no run has used: 64 hex digits after `0x`.
    pub(crate) fn tx_hash(&self) -> String {
        format!("0x{:0>64}", format!("{}{:08x}", self.run_id, self.next()))
    }

    /// A valid request from the harness's template, with a fresh reference.
    pub(crate) fn request(&self) -> Result<WithdrawalRequest, String> {
        let reference = self.reference()?;
        self.harness
            .template()
            .build(reference.as_str())
            .map_err(|e| format!("the harness's template() does not build a valid request ({e}); fix the harness"))
    }

    pub(crate) async fn create(&self, request: &WithdrawalRequest) -> Result<Withdrawal, String> {
        self.provider
            .create_withdrawal(request)
            .await
            .map_err(|e| format!("create_withdrawal({}) failed with {}: {e}", request.reference(), e.kind()))
    }

    /// Creates a withdrawal from the template; the case cannot go on without it.
    pub(crate) async fn create_one(&self) -> Result<(WithdrawalRequest, Withdrawal), Stop> {
        let request = self.request()?;
        let w = self.create(&request).await?;
        Ok((request, w))
    }

    pub(crate) async fn get(&self, id: &WithdrawalId) -> Result<Withdrawal, String> {
        self.provider
            .get_withdrawal(id)
            .await
            .map_err(|e| format!("get_withdrawal({id}) failed with {}: {e}", e.kind()))
    }

    pub(crate) async fn find(&self, reference: &Reference) -> Result<Option<Withdrawal>, String> {
        self.provider
            .find_withdrawal(reference)
            .await
            .map_err(|e| format!("find_withdrawal({reference}) failed with {}: {e}", e.kind()))
    }

    /// The withdrawal as the provider reports it now: by id, or by reference without `Get`.
    pub(crate) async fn current(&self, w: &Withdrawal) -> Result<Withdrawal, String> {
        if self.supports(Capability::Get) {
            return self.get(&w.id).await;
        }
        let reference = w
            .reference
            .as_ref()
            .ok_or_else(|| format!("withdrawal {} has no reference and the provider cannot get by id", w.id))?;
        self.find(reference).await?.ok_or_else(|| format!("find_withdrawal({reference}) lost withdrawal {}", w.id))
    }

    /// Asks the harness for a move; `Ok(false)` when it cannot make it.
    pub(crate) async fn drive(&self, id: &WithdrawalId, step: &Step) -> Result<bool, String> {
        match self.harness.drive(id, step).await {
            Ok(Drive::Done) => Ok(true),
            Ok(Drive::NotSupported) => Ok(false),
            Err(e) => Err(format!("the harness could not {step} withdrawal {id}: {e}")),
        }
    }

    /// How many withdrawals carry `reference`, by listing; `None` without `List`.
    pub(crate) async fn count_with(&self, reference: &Reference) -> Result<Option<usize>, String> {
        if !self.supports(Capability::List) {
            return Ok(None);
        }
        let query =
            ListQuery::new().reference(reference.clone()).limit(ListQuery::MAX_LIMIT).map_err(|e| e.to_string())?;
        let page = self
            .provider
            .list_withdrawals(&query)
            .await
            .map_err(|e| format!("list_withdrawals(reference {reference}) failed with {}: {e}", e.kind()))?;
        if let Some(other) = page.items.iter().find(|w| w.reference.as_ref() != Some(reference)) {
            return Err(format!(
                "list_withdrawals(reference {reference}) returned withdrawal {} with reference {:?}: the reference filter is not applied",
                other.id, other.reference
            ));
        }
        Ok(Some(page.items.len()))
    }

    /// Checks that no withdrawal carries `reference` (after a refused create).
    pub(crate) async fn expect_none_with(&self, f: &mut Findings, reference: &Reference, after: &str) {
        if self.supports(Capability::Find) {
            match self.find(reference).await {
                Ok(None) => {}
                Ok(Some(w)) => f.problem(format!(
                    "{after}, yet find_withdrawal({reference}) returns withdrawal {}: something was created",
                    w.id
                )),
                Err(e) => f.problem(e),
            }
        }
        match self.count_with(reference).await {
            Ok(Some(0)) | Ok(None) => {}
            Ok(Some(n)) => f.problem(format!(
                "{after}, yet list_withdrawals finds {n} withdrawal(s) with reference {reference}: something was created"
            )),
            Err(e) => f.problem(e),
        }
    }
}

/// Whether `result` failed with one of `kinds`; otherwise a description of what it did.
pub(crate) fn expect_kind<T, F: Fn(&T) -> String>(
    result: &Result<T, PayoutError>,
    kinds: &[ErrorKind],
    describe_ok: F,
) -> Result<(), String> {
    let wanted = kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(" or ");
    match result {
        Err(e) if kinds.contains(&e.kind()) => Ok(()),
        Err(e) => Err(format!("failed with {} ({e}); expected {wanted}", e.kind())),
        Ok(v) => Err(format!("succeeded ({}); expected {wanted}", describe_ok(v))),
    }
}
