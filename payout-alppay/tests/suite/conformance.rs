//! The testkit's conformance suite: `AlpPayClient` against the AlpPay simulator.

use crate::common;

use common::sim::Backend;
use payout_testkit::conformance::{self, Outcome};

fn assert_every_case_ran(report: &conformance::Report) {
    // AlpPay supports every operation the suite checks except conversion, whose refusal is
    // itself a case; nothing may be skipped.
    for case in &report.cases {
        assert!(matches!(case.outcome, Outcome::Passed), "{} did not pass: {:?}\n{report}", case.name, case.outcome);
    }
    assert_eq!(report.cases.len(), conformance::CASES.len(), "every case ran: {report}");
}

/// The default client (it looks a reference up before creating) against the default simulator
/// (duplicate invoices accepted, as AlpPay's documents are silent on them).
#[tokio::test]
async fn alppay_client_passes_the_conformance_suite() {
    let report = payout_sim::conformance::run(&Backend::default()).await;
    println!("{report}");
    report.assert_passed();
    assert_every_case_ran(&report);
}

/// Without the client's lookup, against a simulator that refuses duplicate invoices (422): the
/// refusal is read as a duplicate reference.
#[tokio::test]
async fn without_the_lookup_against_an_alppay_that_refuses_duplicates() {
    let report = payout_sim::conformance::run(&Backend { precheck: false, refuse_duplicates: true }).await;
    println!("{report}");
    report.assert_passed();
    assert_every_case_ran(&report);
}
