//! AlphaPo's review step, visible everywhere: a withdrawal over the merchant's limits is
//! answered `processing`, then waits for a reviewer as `pending` (AlphaPo's "about transaction
//! statuses" and "change withdrawal limits" pages). `get`, `watch` and callbacks all show it,
//! and the receiver rules keep it without letting a late delivery win.

use crate::common;

use std::time::Duration;

use common::sim::{confirm, create_each, held_now, set};
use futures::StreamExt;
use payout_core::receiver::Decision;
use payout_core::{
    PayoutProvider, PayoutProviderExt, WatchOptions, WithdrawalRequest, WithdrawalStatus, WithdrawalUpdate,
};
use payout_sim::receiver::Inbox;
use payout_sim::{AlphaPoConfig, AlphaPoServer, AlphaPoStatus, CallbackConfig};
use payout_testkit::delivery_orders;
use rust_decimal::Decimal;

fn request(reference: &str) -> WithdrawalRequest {
    common::sim::btc_request(reference)
}

/// Every withdrawal is over a limit of zero euros.
fn reviewing(callback: Option<CallbackConfig>) -> AlphaPoConfig {
    let mut config = AlphaPoConfig { review_above_eur: Some(Decimal::ZERO), ..AlphaPoConfig::default() };
    if let Some(c) = callback {
        config = config.with_callback(c);
    }
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_and_callbacks_show_the_review_and_the_receiver_keeps_it() {
    let inbox = Inbox::start().await.unwrap();
    let server = AlphaPoServer::start(reviewing(Some(CallbackConfig::new(inbox.url())))).await.unwrap();
    let client = common::sim::client_for(&server);
    let rules = client.status_rules();

    let created = client.create_withdrawal(&request("review-1")).await.unwrap();
    assert_eq!((created.status, created.provider_status.as_str()), (WithdrawalStatus::Processing, "processing"));
    let now = client.get_withdrawal(&created.id).await.unwrap();
    assert_eq!((now.status, now.provider_status.as_str()), (WithdrawalStatus::Pending, "pending"));

    // The `pending` callback is applied on top of the create's answer: it is news, not stale.
    inbox.wait_for(1).await;
    let d = &inbox.deliveries()[0];
    let update = client.parse_webhook(&d.headers, &d.body).unwrap();
    assert_eq!(update.withdrawal.status, WithdrawalStatus::Pending);
    let mut stored = Some(created.clone());
    assert_eq!(rules.apply(&mut stored, update.clone()), Decision::Store);
    assert_eq!(rules.apply(&mut stored, update), Decision::Duplicate);
    // The create's answer arriving after the callback (a slow writer) does not undo it.
    assert_eq!(rules.apply(&mut stored, WithdrawalUpdate::new(created.clone())), Decision::Stale);
    assert_eq!(stored.as_ref().unwrap().status, WithdrawalStatus::Pending);

    // The reviewer approves: on its way (`not_confirmed`), then confirmed.
    let id = common::sim::sim_id(&created.id).unwrap();
    server.set_status_with(id, AlphaPoStatus::NotConfirmed, Some("ab12"), None).unwrap();
    let sending = client.get_withdrawal(&created.id).await.unwrap();
    assert_eq!((sending.status, sending.provider_status.as_str()), (WithdrawalStatus::Processing, "not_confirmed"));
    assert_eq!(rules.apply(&mut stored, WithdrawalUpdate::new(sending)), Decision::Store);
    // A late, repeated review callback never moves it back.
    let d = &inbox.deliveries()[0];
    assert_eq!(rules.apply(&mut stored, client.parse_webhook(&d.headers, &d.body).unwrap()), Decision::Stale);
    assert_eq!(stored.unwrap().provider_status, "not_confirmed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_shows_the_review_then_the_approval() {
    let server = AlphaPoServer::start(reviewing(None)).await.unwrap();
    let client = common::sim::client_for(&server);
    let created = client.create_withdrawal(&request("review-watch")).await.unwrap();
    let id = common::sim::sim_id(&created.id).unwrap();
    let options = WatchOptions {
        interval: Duration::from_millis(10),
        max_interval: Duration::from_millis(20),
        timeout: Duration::from_secs(20),
    };
    let mut changes = client.watch(created.id.clone(), options);
    let first = changes.next().await.unwrap().unwrap();
    assert_eq!(first.status, WithdrawalStatus::Pending);
    server.set_status_with(id, AlphaPoStatus::NotConfirmed, Some("ab12"), None).unwrap();
    let second = changes.next().await.unwrap().unwrap();
    assert_eq!((second.status, second.tx_hash.as_deref()), (WithdrawalStatus::Processing, Some("ab12")));
    server.set_status(id, AlphaPoStatus::Confirmed).unwrap();
    let last = changes.next().await.unwrap().unwrap();
    assert_eq!(last.status, WithdrawalStatus::Completed);
    assert!(changes.next().await.is_none(), "a final status ends the watch");
}

/// Reviewed withdrawals' callbacks, each twice, in many orders on top of the create answers:
/// one still waiting ends `pending`, one approved ends `confirmed`, one declined `declined`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shuffled_review_callbacks_converge() {
    let inbox = Inbox::start().await.unwrap();
    let server =
        AlphaPoServer::start(reviewing(Some(CallbackConfig::new(inbox.url()).with_duplicates(true)))).await.unwrap();
    let client = common::sim::client_for(&server);
    let created = create_each(&client, &["rv-waiting", "rv-approved", "rv-declined"]).await;
    confirm(&server, &created[1], "cd34");
    set(&server, &created[2], AlphaPoStatus::Declined);
    // Three `pending` callbacks at creation, then three changes, each delivered twice.
    inbox.wait_for(2 * 6).await;
    let updates: Vec<WithdrawalUpdate> =
        inbox.deliveries().iter().map(|d| client.parse_webhook(&d.headers, &d.body).unwrap()).collect();
    let truth = held_now(&client, &created).await;
    assert_eq!(truth[&created[0].id].status, WithdrawalStatus::Pending);
    delivery_orders::assert_orders_converge(&client.status_rules(), &updates, Some(&created), &truth, |w| {
        (w.status, w.provider_status.clone(), w.tx_hash.clone())
    });
}
