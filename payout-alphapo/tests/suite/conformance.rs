//! The testkit's conformance suite: `AlphaPoClient` against the AlphaPo simulator.

use crate::common;

use payout_testkit::conformance::Outcome;

#[tokio::test]
async fn alphapo_client_passes_the_conformance_suite() {
    let report = payout_sim::conformance::run(&common::sim::Backend).await;
    println!("{report}");
    report.assert_passed();

    // Only what AlphaPo lacks may be skipped: listing (no endpoint) and refusing options it has.
    for case in &report.cases {
        let may_skip = matches!(case.name.as_str(), "listing_pages" | "unsupported_options");
        if !may_skip {
            assert!(matches!(case.outcome, Outcome::Passed), "{} did not run: {:?}", case.name, case.outcome);
        }
    }
    assert!(report.cases.len() >= 14, "every case ran: {report}");
}
