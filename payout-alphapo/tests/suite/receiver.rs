//! Callbacks from the AlphaPo simulator, delivered twice each (AlphaPo documents duplicates),
//! verified with the client and applied with `payout_core::receiver` in many shuffled orders on
//! top of what the create returned: AlphaPo's callbacks carry no timestamp, so the status order
//! decides, and every order ends in the state AlphaPo holds.

use crate::common;

use common::sim::{confirm, create_each, held_now, set};
use payout_core::{ErrorKind, PayoutProvider};
use payout_sim::receiver::Inbox;
use payout_sim::{AlphaPoConfig, AlphaPoServer, AlphaPoStatus, CallbackConfig};
use payout_testkit::delivery_orders;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shuffled_duplicated_callbacks_end_in_alphapos_state() {
    let inbox = Inbox::start().await.unwrap();
    let callback = CallbackConfig::new(inbox.url()).with_duplicates(true);
    let server = AlphaPoServer::start(AlphaPoConfig::default().with_callback(callback)).await.unwrap();
    let client = common::sim::client_for(&server);

    let created = create_each(&client, &["cb-confirmed", "cb-declined", "cb-cancelled"]).await;
    confirm(&server, &created[0], "ab12");
    set(&server, &created[1], AlphaPoStatus::Pending);
    set(&server, &created[1], AlphaPoStatus::Declined);
    set(&server, &created[2], AlphaPoStatus::Cancelled);

    // No callback for the create (its answer says `processing`); one per change, each twice.
    let expected = 2 * 5;
    inbox.wait_for(expected).await;
    let deliveries = inbox.deliveries();
    assert_eq!(deliveries.len(), expected);
    let updates = inbox.parse_each(&client);
    let mut forged = deliveries[0].body.to_vec();
    let last = forged.len() - 2;
    forged[last] ^= 0x01;
    assert_eq!(client.parse_webhook(&deliveries[0].headers, &forged).unwrap_err().kind(), ErrorKind::Webhook);

    let truth = held_now(&client, &created).await;
    // The application stored what the create returned, then the deliveries arrive, shuffled.
    delivery_orders::assert_orders_converge(&client.status_rules(), &updates, Some(&created), &truth, |w| {
        (w.status, w.provider_status.clone(), w.tx_hash.clone(), w.failure_reason.clone())
    });
}
