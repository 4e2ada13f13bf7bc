//! A create that times out while AlpPay is still working on it must not lead `submit` to send a
//! second one: AlpPay does not refuse duplicate invoices, so a lookup that ran before the first
//! request landed would otherwise turn into a second payout.

use crate::common;

use std::time::Duration;

use common::sim::*;
use payout_core::{ErrorKind, PayoutProviderExt, SubmitPath};
use payout_sim::Fault;

#[tokio::test]
async fn a_slow_create_is_never_sent_twice_by_submit() {
    let server = start().await;
    // Long enough for the request to arrive on a loaded machine, well short of the answer.
    let client = builder_for(&server).timeout(Duration::from_millis(400)).build().unwrap();
    server.faults().on_request(http::Method::POST, "/withdrawal", Fault::Delay(Duration::from_millis(1500)), 1);

    let err = client.submit(&common::request("slow-1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert!(err.to_string().contains("slow-1"), "{err}");

    // The slow request lands; it is the only one.
    for _ in 0..1000 {
        if server.count() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.count(), 1, "paid twice");
    let posts = server.requests().entries().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 1, "the create was sent again while it might still be in flight");

    // Submitting again now finds it instead of creating.
    let again = client.submit(&common::request("slow-1")).await.unwrap();
    assert_ne!(again.path, SubmitPath::Created);
    assert_eq!(server.count(), 1);
    assert_eq!(Some(again.withdrawal.id.as_str().to_owned()), server.withdrawals().first().map(|w| w.id.clone()));
}
