//! The suite passes the fake, and catches providers that break its rules, naming the rule.

use async_trait::async_trait;
use payout_core::{
    Capabilities, Capability, ListQuery, Page, PayoutError, PayoutProvider, ProviderId, Reference, Withdrawal,
    WithdrawalId, WithdrawalRequest, WithdrawalStatus, WithdrawalUpdate,
};
use payout_testkit::conformance::{self, CASES, FakeHarness, Outcome, Report};
use payout_testkit::fake::FakeProvider;

#[tokio::test]
async fn the_fake_passes_every_case() {
    let fake = FakeProvider::new();
    let report = conformance::run(&fake, &FakeHarness::new(fake.clone())).await;
    report.assert_passed();
    // Every case could be driven on the fake; only the refusal of options it has is skipped.
    assert_eq!(report.cases.len(), CASES.len());
    for case in &report.cases {
        match case.name.as_str() {
            "unsupported_options" => assert!(matches!(case.outcome, Outcome::Skipped(_)), "{report}"),
            _ => assert_eq!(case.outcome, Outcome::Passed, "{report}"),
        }
    }
}

#[tokio::test]
async fn a_fake_without_conversion_or_tags_refuses_them() {
    let fake = FakeProvider::builder().without(Capability::Convert).without(Capability::Tag).build();
    let report = conformance::run(&fake, &FakeHarness::new(fake.clone())).await;
    report.assert_passed();
    assert_eq!(report.case("unsupported_options").map(|c| &c.outcome), Some(&Outcome::Passed), "{report}");
}

#[tokio::test]
async fn a_fake_without_listing_passes_with_listing_skipped() {
    let fake = FakeProvider::builder().id("no-list").without(Capability::List).build();
    let report = conformance::run(&fake, &FakeHarness::new(fake.clone())).await;
    report.assert_passed();
    assert!(matches!(report.case("listing_pages").map(|c| &c.outcome), Some(Outcome::Skipped(_))), "{report}");
    assert_eq!(report.case("capabilities_match").map(|c| &c.outcome), Some(&Outcome::Passed));
}

#[tokio::test]
async fn the_suite_runs_twice_against_the_same_state() {
    let fake = FakeProvider::new();
    let harness = FakeHarness::new(fake.clone());
    let first = conformance::run(&fake, &harness).await;
    let second = conformance::run(&fake, &harness).await;
    first.assert_passed();
    second.assert_passed();
    assert_ne!(first.run_id, second.run_id);
    let refs: std::collections::HashSet<_> = fake.withdrawals().into_iter().filter_map(|w| w.reference).collect();
    assert_eq!(refs.len(), fake.withdrawals().len(), "every reference is unique across runs");
}

#[tokio::test]
async fn a_single_case_runs_alone_and_unknown_names_are_reported() {
    let fake = FakeProvider::new();
    let harness = FakeHarness::new(fake.clone());
    let one = conformance::run_case(&fake, &harness, "duplicate_reference").await;
    one.assert_passed();
    assert_eq!(one.cases.len(), 1);
    assert_eq!(fake.withdrawals().len(), 1, "only that case's withdrawal was created");

    let bad = conformance::run_case(&fake, &harness, "no_such_case").await;
    assert!(!bad.passed());
    let text = bad.to_string();
    assert!(text.contains("no case is named `no_such_case`"), "{text}");
    assert!(text.contains("duplicate_reference"), "the message lists the cases: {text}");
}

/// Ways a provider can break the rules, for showing that the suite notices.
#[derive(Clone, Copy, PartialEq)]
enum Flaw {
    /// Ignores duplicates: creates a second withdrawal under a changed reference.
    CreatesTwice,
    /// Forgets the reference in create's answer.
    LosesReference,
    /// Reports approved withdrawals as completed, and cancelled ones as pending.
    MapsStatusesWrong,
    /// Turns a lost create answer into "unavailable", so callers retry blindly.
    HidesOutcomeUnknown,
    /// Ignores the page asked for.
    IgnoresPage,
    /// Ignores the transaction-hash filter.
    IgnoresTxHashes,
    /// Claims listing while it has none.
    ClaimsListing,
    /// Reports a different amount than requested.
    ChangesAmount,
}

struct Broken {
    inner: FakeProvider,
    flaw: Flaw,
}

#[async_trait]
impl PayoutProvider for Broken {
    fn id(&self) -> ProviderId {
        self.inner.id()
    }

    fn capabilities(&self) -> Capabilities {
        match self.flaw {
            Flaw::ClaimsListing => self.inner.capabilities().with(Capability::List),
            _ => self.inner.capabilities(),
        }
    }

    async fn create_withdrawal(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let result = self.inner.create_withdrawal(request).await;
        let mut w = match (self.flaw, result) {
            (Flaw::CreatesTwice, Err(PayoutError::DuplicateReference { reference })) => {
                let again = WithdrawalRequest::builder()
                    .reference(format!("{reference}-again"))
                    .asset(request.asset().clone())
                    .amount(request.exact_amount().unwrap_or_default())
                    .address(request.address())
                    .end_user(request.end_user().clone())
                    .build()?;
                self.inner.create_withdrawal(&again).await?
            }
            (Flaw::HidesOutcomeUnknown, Err(PayoutError::OutcomeUnknown { message, .. })) => {
                return Err(PayoutError::unavailable(message, Some(502)));
            }
            (_, r) => r?,
        };
        match self.flaw {
            Flaw::LosesReference => w.reference = None,
            Flaw::ChangesAmount => w.amount = w.amount.map(|a| a * payout_core::Decimal::TWO),
            _ => {}
        }
        Ok(self.rebrand(w))
    }

    async fn get_withdrawal(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        let w = self.inner.get_withdrawal(id).await?;
        Ok(self.rebrand(w))
    }

    async fn find_withdrawal(&self, reference: &Reference) -> Result<Option<Withdrawal>, PayoutError> {
        Ok(self.inner.find_withdrawal(reference).await?.map(|w| self.rebrand(w)))
    }

    async fn list_withdrawals(&self, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        let mut q = query.clone();
        match self.flaw {
            Flaw::IgnoresPage => q.page = 0,
            Flaw::IgnoresTxHashes => q.tx_hashes.clear(),
            _ => {}
        }
        let page = self.inner.list_withdrawals(&q).await?;
        let items = page.items.into_iter().map(|w| self.rebrand(w)).collect();
        Ok(Page::new(items, query.page, page.limit, page.total))
    }

    fn parse_webhook(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        self.inner.parse_webhook(headers, body)
    }
}

impl Broken {
    fn rebrand(&self, mut w: Withdrawal) -> Withdrawal {
        if self.flaw == Flaw::MapsStatusesWrong {
            w.status = match w.status {
                WithdrawalStatus::Approved => WithdrawalStatus::Completed,
                WithdrawalStatus::Cancelled => WithdrawalStatus::Pending,
                s => s,
            };
        }
        w
    }
}

/// Runs the suite on a broken provider and returns the report with the failures of `case`,
/// checking that exactly the cases in `failing` failed (the flaw is blamed on the right rules).
async fn failures_of(flaw: Flaw, fake: FakeProvider, case: &str, failing: &[&str]) -> (Report, Vec<String>) {
    let broken = Broken { inner: fake.clone(), flaw };
    let report = conformance::run(&broken, &FakeHarness::new(fake)).await;
    assert!(!report.passed(), "the suite missed a broken provider:\n{report}");
    let failed: Vec<&str> = report.failures().map(|c| c.name.as_str()).collect();
    assert_eq!(failed, failing, "{report}");
    let problems = match report.case(case).map(|c| &c.outcome) {
        Some(Outcome::Failed(p)) => p.clone(),
        other => panic!("case {case} should fail, got {other:?}:\n{report}"),
    };
    (report, problems)
}

fn any_contains(problems: &[String], needle: &str) -> bool {
    problems.iter().any(|p| p.contains(needle))
}

/// A flaw, the case that must fail naming it, every case that fails, what the case's problems
/// must say, and what the printed report must say.
type FlawCase = (Flaw, &'static str, &'static [&'static str], &'static [&'static str], &'static [&'static str]);

#[tokio::test]
async fn flawed_creates_fail_their_rules_naming_what_is_wrong() {
    let table: &[FlawCase] = &[
        (
            Flaw::CreatesTwice,
            "duplicate_reference",
            &["duplicate_reference", "submit_is_idempotent"],
            &["a second create_withdrawal(", "expected duplicate_reference"],
            &["rule: a second create with a used reference is DuplicateReference"],
        ),
        (
            Flaw::LosesReference,
            "create_echoes_request",
            &["create_echoes_request", "get_and_find_agree", "listing_pages"],
            &["reference: expected Some(", "got None"],
            &[],
        ),
        (
            Flaw::ChangesAmount,
            "create_echoes_request",
            &["create_echoes_request", "get_and_find_agree"],
            &["amount: expected Some(0.0002), got Some(0.0004)"],
            &[],
        ),
    ];
    for &(flaw, case, failing, problems_say, report_says) in table {
        let (report, problems) = failures_of(flaw, FakeProvider::new(), case, failing).await;
        for needle in problems_say {
            assert!(any_contains(&problems, needle), "{case}: no problem says {needle:?}\n{report}");
        }
        let text = report.to_string();
        for needle in report_says {
            assert!(text.contains(needle), "{case}: the report does not say {needle:?}\n{text}");
        }
    }
}

#[tokio::test]
async fn wrong_status_mapping_fails_the_status_rules() {
    let (report, problems) =
        failures_of(Flaw::MapsStatusesWrong, FakeProvider::new(), "status_moves", &["status_moves", "cancel_is_final"])
            .await;
    assert!(any_contains(&problems, "after approve"), "{report}");
    assert!(any_contains(&problems, "expected approved or processing"), "{report}");
    let cancel = match report.case("cancel_is_final").map(|c| &c.outcome) {
        Some(Outcome::Failed(p)) => p.clone(),
        other => panic!("cancel_is_final should fail, got {other:?}"),
    };
    assert!(any_contains(&cancel, "status: expected Cancelled, got Pending"), "{report}");
}

/// Flaws that fail one rule alone, and what the report of that rule says:
/// `(flaw, name, rule, what it says)`.
#[tokio::test]
async fn a_flaw_fails_its_one_rule_and_the_report_says_how() {
    let cases: [(Flaw, &str, &str, &[&str]); 3] = [
        (
            Flaw::HidesOutcomeUnknown,
            "hiding outcome unknown",
            "submit_reconciles",
            &["after a lost create answer failed with unavailable"],
        ),
        (
            Flaw::IgnoresPage,
            "ignoring the page",
            "listing_pages",
            &["appears on page 0 and again on page 1", "a gap between pages"],
        ),
        (Flaw::IgnoresTxHashes, "ignoring the tx hash filter", "listing_pages", &["list_withdrawals(tx hash 0x"]),
    ];
    for (flaw, name, rule, says) in cases {
        let (report, problems) = failures_of(flaw, FakeProvider::new(), rule, &[rule]).await;
        for said in says {
            assert!(any_contains(&problems, said), "{name}: the report of {rule} says {said:?}\n{report}");
        }
    }
}

/// A provider claiming listing it lacks fails every case that counts by listing, and
/// `capabilities_match` names the cause.
#[tokio::test]
async fn claiming_a_capability_it_lacks_fails_the_capability_rule() {
    let fake = FakeProvider::builder().without(Capability::List).build();
    let (report, problems) = failures_of(
        Flaw::ClaimsListing,
        fake,
        "capabilities_match",
        &[
            "duplicate_reference",
            "invalid_requests_refused",
            "capabilities_match",
            "listing_pages",
            "submit_reconciles",
            "submit_is_idempotent",
        ],
    )
    .await;
    assert!(any_contains(&problems, "capabilities() lists list but list_withdrawals returned Unsupported"), "{report}");
}

#[tokio::test]
async fn the_suite_can_run_on_a_spawned_task() {
    let fake = FakeProvider::new();
    let harness = FakeHarness::new(fake.clone());
    let report = tokio::spawn(async move { conformance::run(&fake, &harness).await }).await.expect("joined");
    report.assert_passed();
}
