//! Webhooks from the AlpPay simulator, delivered twice each (as providers may), verified with the
//! client and applied with `payout_core::receiver` in many shuffled orders: every order ends in
//! the state AlpPay holds, duplicates change nothing and late deliveries never win.

use crate::common;

use std::collections::HashMap;

use payout_core::{ErrorKind, PayoutProvider, Withdrawal, WithdrawalId};
use payout_sim::receiver::Inbox;
use payout_sim::{AlpPayConfig, AlpPayStatus, CallbackConfig};
use payout_testkit::delivery_orders;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shuffled_duplicated_webhooks_end_in_alppays_state() {
    let inbox = Inbox::start().await.unwrap();
    let callback = CallbackConfig::new(inbox.url()).with_duplicates(true);
    let server = common::sim::start_with(AlpPayConfig::default().with_callback(callback)).await;
    let client = common::sim::client_for(&server);

    let mut created = Vec::new();
    for name in ["hook-complete", "hook-cancelled", "hook-approved"] {
        created.push(client.create_withdrawal(&common::request(name)).await.unwrap());
    }
    let id = |i: usize| created[i].id.as_str().to_owned();
    server.set_status(&id(0), AlpPayStatus::Approved).unwrap();
    server.set_status_with(&id(0), AlpPayStatus::Complete, Some("0xfeed")).unwrap();
    server.set_status(&id(1), AlpPayStatus::Cancelled).unwrap();
    server.set_status(&id(2), AlpPayStatus::Approved).unwrap();

    // OPEN for each, then one per change; every delivery twice.
    let expected = 2 * (3 + 4);
    inbox.wait_for(expected).await;
    let deliveries = inbox.deliveries();
    assert_eq!(deliveries.len(), expected);

    let updates = inbox.parse_each(&client);
    // A changed byte is refused.
    let mut forged = deliveries[0].body.to_vec();
    forged[5] ^= 0x20;
    assert_eq!(client.parse_webhook(&deliveries[0].headers, &forged).unwrap_err().kind(), ErrorKind::Webhook);

    let mut truth: HashMap<WithdrawalId, Withdrawal> = HashMap::new();
    for w in &created {
        truth.insert(w.id.clone(), client.get_withdrawal(&w.id).await.unwrap());
    }
    // The application stored nothing, then the deliveries arrive in shuffled orders.
    delivery_orders::assert_orders_converge(&client.status_rules(), &updates, None, &truth, |w| {
        (w.status, w.provider_status.clone(), w.tx_hash.clone(), w.updated_at)
    });
}
