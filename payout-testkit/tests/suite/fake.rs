//! The fake behaves like a real provider: unique references, lookups, filters and pages, legal
//! status moves, scripted failures, a call log and signed webhooks.

use std::str::FromStr;

use payout_core::{
    Asset, Capability, Decimal, EndUser, ErrorKind, ListQuery, OffsetDateTime, PayoutError, PayoutProvider,
    PayoutProviderExt, Reference, SubmitPath, Submitted, WithdrawalId, WithdrawalRequest, WithdrawalStatus,
};
use payout_testkit::fake::{self, Call, FakeError, FakeProvider, Fault, Operation};
use rust_decimal_macros::dec;

fn request(reference: &str) -> WithdrawalRequest {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new("BTC"))
        .amount(dec!(0.0002))
        .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
        .end_user(EndUser::new("user-1"))
        .build()
        .expect("a valid request")
}

fn reference(text: &str) -> Reference {
    Reference::new(text).expect("a valid reference")
}

#[tokio::test]
async fn create_keeps_the_request_and_a_raw_json() {
    let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a valid time");
    let fake = FakeProvider::builder().id("ledger").clock(move || at).build();
    let w = fake.create_withdrawal(&request("order-1")).await.expect("created");
    assert_eq!(w.provider.as_str(), "ledger");
    assert_eq!(w.id.as_str(), "1");
    assert_eq!(w.reference, Some(reference("order-1")));
    assert_eq!(w.end_user.as_ref().map(|u| u.id.as_str()), Some("user-1"));
    assert_eq!(w.asset, Some(Asset::new("BTC")));
    assert_eq!(w.amount, Some(dec!(0.0002)));
    assert_eq!(w.address.as_deref(), Some("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc"));
    assert_eq!(w.tag, None);
    assert_eq!((w.status, w.provider_status.as_str()), (WithdrawalStatus::Pending, "awaiting_approval"));
    assert_eq!((w.created_at, w.updated_at), (Some(at), Some(at)));
    assert_eq!(w.raw.get("reference").unwrap(), "order-1");
    assert_eq!(w.raw.get("amount").unwrap(), "0.0002");
    assert_eq!(w.raw.get("provider_status").unwrap(), "awaiting_approval");
}

#[tokio::test]
async fn a_duplicate_reference_is_refused_and_creates_nothing() {
    let fake = FakeProvider::new();
    let first = fake.create_withdrawal(&request("order-1")).await.expect("created");
    let err = fake.create_withdrawal(&request("order-1")).await.expect_err("a duplicate");
    assert!(matches!(&err, PayoutError::DuplicateReference { reference } if reference.as_str() == "order-1"), "{err}");
    assert_eq!(fake.withdrawals().len(), 1);
    let found = fake.find_withdrawal(&reference("order-1")).await.expect("found").expect("some");
    assert_eq!(found.id, first.id);
}

#[tokio::test]
async fn lookups_by_id_and_reference() {
    let fake = FakeProvider::new();
    let w = fake.create_withdrawal(&request("order-1")).await.expect("created");
    assert_eq!(fake.get_withdrawal(&w.id).await.expect("got"), w);
    assert_eq!(fake.find_withdrawal(&reference("order-1")).await.expect("found"), Some(w));
    assert_eq!(fake.find_withdrawal(&reference("nope")).await.expect("no error"), None);
    let err = fake.get_withdrawal(&WithdrawalId::new("42")).await.expect_err("unknown id");
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

/// Five withdrawals: 1 and 2 completed (tx hashes `h1`, `h2`), 3 cancelled, 4 and 5 pending.
async fn five() -> (FakeProvider, Vec<WithdrawalId>) {
    let fake = FakeProvider::new();
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.push(fake.create_withdrawal(&request(&format!("r{n}"))).await.expect("created").id);
    }
    fake.complete(&ids[0], "h1").expect("completed");
    fake.complete(&ids[1], "h2").expect("completed");
    fake.cancel(&ids[2]).expect("cancelled");
    (fake, ids)
}

fn ids_of(page: &payout_core::Page<payout_core::Withdrawal>) -> Vec<&str> {
    page.items.iter().map(|w| w.id.as_str()).collect()
}

#[tokio::test]
async fn listing_filters_or_within_and_across() {
    let (fake, ids) = five().await;
    let list = |q: ListQuery| {
        let fake = fake.clone();
        async move { fake.list_withdrawals(&q).await.expect("listed") }
    };

    let all = list(ListQuery::new()).await;
    assert_eq!(ids_of(&all), ["5", "4", "3", "2", "1"], "newest first");
    assert_eq!(all.total, Some(5));

    let done = list(ListQuery::new().status(WithdrawalStatus::Completed)).await;
    assert_eq!(ids_of(&done), ["2", "1"]);
    let done_or_cancelled =
        list(ListQuery::new().status(WithdrawalStatus::Completed).status(WithdrawalStatus::Cancelled)).await;
    assert_eq!(ids_of(&done_or_cancelled), ["3", "2", "1"]);

    assert_eq!(ids_of(&list(ListQuery::new().tx_hash("h2")).await), ["2"]);
    assert_eq!(ids_of(&list(ListQuery::new().id(ids[3].clone()).id(ids[0].clone())).await), ["4", "1"]);
    assert_eq!(ids_of(&list(ListQuery::new().reference(reference("r3"))).await), ["3"]);

    // Across filters, all must hold.
    let pending_r1 = list(ListQuery::new().reference(reference("r1")).status(WithdrawalStatus::Pending)).await;
    assert!(pending_r1.items.is_empty());
    assert_eq!(pending_r1.total, Some(0));
    let both =
        list(ListQuery::new().reference(reference("r1")).reference(reference("r4")).status(WithdrawalStatus::Pending))
            .await;
    assert_eq!(ids_of(&both), ["4"]);
}

#[tokio::test]
async fn listing_pages_from_zero_with_a_total() {
    let (fake, _) = five().await;
    let mut seen = Vec::new();
    for page in 0..3 {
        let p = fake.list_withdrawals(&ListQuery::new().page(page).limit(2).expect("limit")).await.expect("listed");
        assert_eq!((p.page, p.limit, p.total), (page, 2, Some(5)));
        seen.extend(ids_of(&p).into_iter().map(str::to_owned));
    }
    assert_eq!(seen, ["5", "4", "3", "2", "1"]);
    let past = fake.list_withdrawals(&ListQuery::new().page(9).limit(2).expect("limit")).await.expect("listed");
    assert!(past.items.is_empty() && !past.has_more());

    let mut bad = ListQuery::new();
    bad.limit = 0;
    assert_eq!(fake.list_withdrawals(&bad).await.expect_err("limit 0").kind(), ErrorKind::InvalidRequest);
}

#[tokio::test]
async fn status_moves_are_checked() {
    let fake = FakeProvider::new();
    let id = fake.create_withdrawal(&request("order-1")).await.expect("created").id;

    let w = fake.approve(&id).expect("approved");
    assert_eq!((w.status, w.provider_status.as_str()), (WithdrawalStatus::Approved, "approved"));
    let w = fake.start_processing(&id).expect("processing");
    assert_eq!((w.status, w.provider_status.as_str()), (WithdrawalStatus::Processing, "broadcasting"));
    assert_eq!(
        fake.approve(&id).expect_err("backwards"),
        FakeError::IllegalMove { id: id.clone(), from: WithdrawalStatus::Processing, to: WithdrawalStatus::Approved }
    );
    let w = fake.complete(&id, "0xabc").expect("completed");
    assert_eq!((w.status, w.tx_hash.as_deref(), w.amount_sent), (WithdrawalStatus::Completed, Some("0xabc"), w.amount));
    assert_eq!(w.source_address.as_deref(), Some(fake::SOURCE_ADDRESS));

    let err = fake.cancel(&id).expect_err("a final status never moves");
    assert_eq!(err.to_string(), "withdrawal 1 cannot move from completed to cancelled: completed is final");
    let err = fake.set_raw_status(&id, "on_hold").expect_err("not even to unknown");
    assert!(matches!(err, FakeError::IllegalMove { to: WithdrawalStatus::Unknown, .. }));
    assert_eq!(fake.get_withdrawal(&id).await.expect("got").status, WithdrawalStatus::Completed);

    assert_eq!(fake.approve(&WithdrawalId::new("99")), Err(FakeError::NotFound(WithdrawalId::new("99"))));
}

#[tokio::test]
async fn raw_statuses_map_to_unknown_and_back() {
    let fake = FakeProvider::new();
    let id = fake.create_withdrawal(&request("order-1")).await.expect("created").id;
    let w = fake.set_raw_status(&id, "on_hold_by_compliance").expect("moved");
    assert_eq!((w.status, w.provider_status.as_str()), (WithdrawalStatus::Unknown, "on_hold_by_compliance"));
    // Unknown may move anywhere non-final, and to a final status.
    assert_eq!(fake.set_raw_status(&id, "declined").expect("declined").status, WithdrawalStatus::Rejected);
    for s in WithdrawalStatus::ALL {
        if s != WithdrawalStatus::Unknown {
            assert_eq!(fake::status_of_raw(fake::raw_status(s)), s);
        }
    }
    let w = fake.fail(&WithdrawalId::new("1"), "insufficient funds");
    assert!(w.is_err(), "a rejected withdrawal cannot be cancelled");
}

#[tokio::test]
async fn failing_records_the_reason() {
    let fake = FakeProvider::new();
    let id = fake.create_withdrawal(&request("order-1")).await.expect("created").id;
    let w = fake.fail(&id, "not enough money on balance").expect("cancelled");
    assert_eq!(
        (w.status, w.failure_reason.as_deref()),
        (WithdrawalStatus::Cancelled, Some("not enough money on balance"))
    );
}

#[tokio::test]
async fn capabilities_and_provider_rules() {
    let fake =
        FakeProvider::builder().without(Capability::List).without(Capability::Convert).without(Capability::Tag).build();
    let err = fake.list_withdrawals(&ListQuery::new()).await.expect_err("no listing");
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert_eq!(err.to_string(), "fake does not support listing withdrawals");

    let convert = WithdrawalRequest::builder()
        .reference("c1")
        .asset(Asset::new("USDT").on("tron"))
        .amount_to(Asset::new("BTC"), dec!(0.001))
        .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
        .end_user(EndUser::new("u"))
        .build()
        .expect("valid");
    assert_eq!(fake.create_withdrawal(&convert).await.expect_err("no conversion").kind(), ErrorKind::Unsupported);

    let tagged = WithdrawalRequest::builder()
        .reference("t1")
        .asset(Asset::new("XRP"))
        .amount(dec!(10))
        .address("rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe")
        .tag("12345")
        .end_user(EndUser::new("u"))
        .build()
        .expect("valid");
    assert_eq!(fake.create_withdrawal(&tagged).await.expect_err("no tags").kind(), ErrorKind::Unsupported);
    assert!(fake.withdrawals().is_empty(), "nothing was created");

    // Operations left out are refused even when a fault is scripted, and still logged.
    let without_get = FakeProvider::builder().without(Capability::Get).build();
    without_get.fail_every(Operation::Get, ErrorKind::Unavailable);
    let err = without_get.get_withdrawal(&WithdrawalId::new("1")).await.expect_err("no get");
    assert_eq!(err.to_string(), "fake does not support getting withdrawals by id");
    assert_eq!(without_get.calls(), vec![Call::Get(WithdrawalId::new("1"))]);

    // With the capabilities, both go through; a conversion is kept in the target asset.
    let full = FakeProvider::new();
    let w = full.create_withdrawal(&convert).await.expect("converted");
    assert_eq!((w.asset, w.amount), (Some(Asset::new("BTC")), Some(dec!(0.001))));
    assert_eq!(w.raw.get("debited_asset").unwrap(), "USDT");
    assert_eq!(full.create_withdrawal(&tagged).await.expect("tagged").tag.as_deref(), Some("12345"));
}

#[tokio::test]
async fn assets_are_checked_like_a_provider_would() {
    let unknown = WithdrawalRequest::builder()
        .reference("a1")
        .asset(Asset::new("NOTACOIN"))
        .amount(dec!(1))
        .address("addr")
        .end_user(EndUser::new("u"))
        .build()
        .expect("valid");
    let err = FakeProvider::new().create_withdrawal(&unknown).await.expect_err("unknown asset");
    assert_eq!(err.field_errors()[0].field, "asset");
    assert!(FakeProvider::builder().any_asset().build().create_withdrawal(&unknown).await.is_ok());

    let usdt_only = FakeProvider::builder().assets([Asset::new("USDT").on("tron")]).build();
    let err = usdt_only.create_withdrawal(&request("b1")).await.expect_err("BTC is not offered");
    assert!(err.to_string().contains("it pays out USDT on tron"), "{err}");
}

#[tokio::test]
async fn the_next_call_fails_once() {
    let fake = FakeProvider::new();
    let id = fake.create_withdrawal(&request("order-1")).await.expect("created").id;
    fake.fail_next(Operation::Get, ErrorKind::RateLimited);
    fake.fail_next(Operation::Get, ErrorKind::Unavailable);
    assert_eq!(fake.get_withdrawal(&id).await.expect_err("first").kind(), ErrorKind::RateLimited);
    assert_eq!(fake.get_withdrawal(&id).await.expect_err("second").kind(), ErrorKind::Unavailable);
    assert!(fake.get_withdrawal(&id).await.is_ok(), "the faults are used up");
    // A fault for one operation leaves the others alone.
    fake.fail_next(Operation::List, ErrorKind::Protocol);
    assert!(fake.find_withdrawal(&reference("order-1")).await.is_ok());
    assert_eq!(fake.list_withdrawals(&ListQuery::new()).await.expect_err("list").kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn every_matching_call_fails_until_cleared() {
    let fake = FakeProvider::new();
    let auth = PayoutError::Authentication { message: "bad key".into(), status: Some(401) };
    fake.fail_every(Operation::Find, auth);
    for _ in 0..3 {
        let err = fake.find_withdrawal(&reference("x")).await.expect_err("fails");
        assert_eq!(err.to_string(), "authentication failed (HTTP 401): bad key");
    }
    assert!(fake.list_withdrawals(&ListQuery::new()).await.is_ok(), "other operations work");
    fake.fail_every_call(ErrorKind::Unavailable);
    assert_eq!(fake.list_withdrawals(&ListQuery::new()).await.expect_err("down").kind(), ErrorKind::Unavailable);
    fake.clear_failures();
    assert!(fake.find_withdrawal(&reference("x")).await.is_ok());
}

#[tokio::test]
async fn one_reference_fails_while_others_go_through() {
    let fake = FakeProvider::new();
    let refused = PayoutError::Rejected {
        message: "address is on a sanctions list".into(),
        errors: Vec::new(),
        code: None,
        status: Some(422),
    };
    fake.fail_reference(Operation::Create, reference("order-2"), refused);
    assert!(fake.create_withdrawal(&request("order-1")).await.is_ok());
    for _ in 0..2 {
        let err = fake.create_withdrawal(&request("order-2")).await.expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::Rejected);
    }
    assert!(fake.create_withdrawal(&request("order-3")).await.is_ok());
    assert!(fake.find_withdrawal(&reference("order-2")).await.is_ok(), "only creates were scripted");
    assert_eq!(fake.withdrawals().len(), 2);
}

#[tokio::test]
async fn each_error_category_can_be_scripted_and_creates_nothing() {
    let fake = FakeProvider::new();
    for kind in ErrorKind::ALL {
        fake.fail_next(Operation::Create, kind);
        let err = fake.create_withdrawal(&request("order-1")).await.expect_err("scripted");
        assert_eq!(err.kind(), kind, "scripted {kind:?}");
    }
    assert!(fake.withdrawals().is_empty());
    // Errors that name a reference name the request's.
    fake.fail_next(Operation::Create, ErrorKind::OutcomeUnknown);
    let err = fake.create_withdrawal(&request("order-9")).await.expect_err("scripted");
    assert!(matches!(err, PayoutError::OutcomeUnknown { reference, .. } if reference.as_str() == "order-9"));
}

/// Submits order-1 to a fresh fake whose next create fails with `fault`: the fake, what submit
/// returned and the operations it called, in order.
async fn submit_after_a_create_fault(fault: impl Into<Fault>) -> (FakeProvider, Submitted, Vec<Operation>) {
    let fake = FakeProvider::new();
    fake.fail_next(Operation::Create, fault);
    let submitted = fake.submit(&request("order-1")).await.expect("submit ends the outcome unknown");
    let ops = fake.calls().iter().map(Call::operation).collect();
    (fake, submitted, ops)
}

#[tokio::test]
async fn outcome_unknown_after_the_create_makes_submit_reconcile() {
    let (fake, submitted, ops) = submit_after_a_create_fault(Fault::LoseAnswer).await;
    assert_eq!(submitted.path, SubmitPath::Reconciled);
    assert_eq!(fake.withdrawals(), vec![submitted.withdrawal]);
    assert_eq!(ops, [Operation::Create, Operation::Find], "one create, then a lookup: never a second create");
}

#[tokio::test]
async fn outcome_unknown_before_the_create_makes_submit_create_once() {
    let (fake, submitted, ops) = submit_after_a_create_fault(ErrorKind::OutcomeUnknown).await;
    assert_eq!(submitted.path, SubmitPath::Created);
    assert_eq!(fake.withdrawals().len(), 1);
    assert_eq!(ops, [Operation::Create, Operation::Find, Operation::Create]);
}

#[tokio::test]
async fn a_lost_answer_on_a_read_is_unavailable() {
    let fake = FakeProvider::new();
    fake.fail_next(Operation::Find, Fault::LoseAnswer);
    assert_eq!(fake.find_withdrawal(&reference("x")).await.expect_err("lost").kind(), ErrorKind::Unavailable);
}

#[tokio::test]
async fn every_call_is_logged_with_its_key_argument() {
    let fake = FakeProvider::new();
    let req = request("order-1");
    let w = fake.create_withdrawal(&req).await.expect("created");
    fake.fail_next(Operation::Get, ErrorKind::Unavailable);
    let _ = fake.get_withdrawal(&w.id).await;
    let _ = fake.find_withdrawal(&reference("order-1")).await;
    let query = ListQuery::new().status(WithdrawalStatus::Pending);
    let _ = fake.list_withdrawals(&query).await;
    let _ = fake.parse_webhook(&http::HeaderMap::new(), b"{}");
    assert_eq!(
        fake.calls(),
        vec![
            Call::Create(req),
            Call::Get(w.id.clone()),
            Call::Find(reference("order-1")),
            Call::List(query),
            Call::ParseWebhook(b"{}".to_vec()),
        ]
    );
    assert_eq!(fake.calls_of(Operation::Get), vec![Call::Get(w.id)]);
    assert_eq!(fake.calls()[2].reference(), Some(&reference("order-1")));
    fake.clear_calls();
    assert!(fake.calls().is_empty());
    // Inspection and status moves are not calls.
    let _ = fake.withdrawals();
    let _ = fake.approve(&WithdrawalId::new("1"));
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn webhooks_round_trip_and_bad_ones_are_refused() {
    let fake = FakeProvider::builder().webhook_secret("s3cret-value").build();
    let id = fake.create_withdrawal(&request("order-1")).await.expect("created").id;
    let done = fake.complete(&id, "0xabc").expect("completed");

    let hook = fake.webhook(&id).expect("signed");
    assert!(hook.headers.contains_key(fake::SIGNATURE_HEADER));
    let update = fake.parse_webhook(&hook.headers, &hook.body).expect("verified");
    let got = update.withdrawal;
    assert_eq!((&got.id, got.status, got.tx_hash.as_deref()), (&done.id, WithdrawalStatus::Completed, Some("0xabc")));
    assert_eq!((&got.reference, got.amount), (&done.reference, done.amount));
    assert_eq!(got.raw.get("tx_hash").unwrap(), "0xabc");

    let tampered = hook.tampered();
    assert_eq!(fake.parse_webhook(&tampered.headers, &tampered.body).expect_err("tampered").kind(), ErrorKind::Webhook);
    let unsigned = hook.without_header(fake::SIGNATURE_HEADER);
    let err = fake.parse_webhook(&unsigned.headers, &unsigned.body).expect_err("unsigned");
    assert!(err.to_string().contains("x-fake-signature header is missing"), "{err}");

    // Another secret, another provider id: refused.
    let other = FakeProvider::new();
    assert_eq!(other.parse_webhook(&hook.headers, &hook.body).expect_err("wrong secret").kind(), ErrorKind::Webhook);
    let renamed = FakeProvider::builder().id("other").webhook_secret("s3cret-value").build();
    let err = renamed.parse_webhook(&hook.headers, &hook.body).expect_err("wrong provider");
    assert!(err.to_string().contains("for provider fake, not other"), "{err}");

    // A signed body that is not a withdrawal.
    let junk = fake.sign_body(b"[1,2]".to_vec());
    assert_eq!(fake.parse_webhook(&junk.headers, &junk.body).expect_err("junk").kind(), ErrorKind::Webhook);
    assert_eq!(fake.webhook(&WithdrawalId::new("9")), Err(FakeError::NotFound(WithdrawalId::new("9"))));

    // A withdrawal with no JSON form is an error, not a panic.
    let mut ancient = done.clone();
    ancient.created_at = OffsetDateTime::from_unix_timestamp(-70_000_000_000).ok();
    assert!(matches!(fake.sign_webhook(&ancient), Err(FakeError::Unserializable(_))));
    // An old state, signed: a late webhook a handler must not apply over progress.
    let stale = fake.sign_webhook(&w_pending(&done)).expect("signed");
    let update = fake.parse_webhook(&stale.headers, &stale.body).expect("verified");
    assert_eq!(done.status.transition_to(update.withdrawal.status), payout_core::Transition::Illegal);

    let without = FakeProvider::builder().without(Capability::Webhook).build();
    assert_eq!(without.parse_webhook(&hook.headers, &hook.body).expect_err("off").kind(), ErrorKind::Unsupported);
}

/// The same withdrawal as it was before it moved on.
fn w_pending(w: &payout_core::Withdrawal) -> payout_core::Withdrawal {
    let mut old = w.clone();
    old.status = WithdrawalStatus::Pending;
    old.provider_status = fake::raw_status(WithdrawalStatus::Pending).into();
    old.tx_hash = None;
    old
}

#[test]
fn the_secret_stays_out_of_debug() {
    let fake = FakeProvider::builder().webhook_secret("s3cret-value").build();
    let shown = format!("{fake:?} {:?}", FakeProvider::builder().webhook_secret("s3cret-value"));
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
    let _ = fake;
}

#[tokio::test]
async fn clones_share_state_and_cross_threads() {
    fn is_shareable<T: Clone + Send + Sync + 'static>(_: &T) {}
    let fake = FakeProvider::new();
    is_shareable(&fake);
    let other = fake.clone();
    let handle = tokio::spawn(async move { other.create_withdrawal(&request("order-1")).await });
    let w = handle.await.expect("joined").expect("created");
    assert_eq!(fake.withdrawal(&w.id), Some(w.clone()));
    let dynamic: std::sync::Arc<dyn PayoutProvider> = std::sync::Arc::new(fake.clone());
    assert_eq!(dynamic.get_withdrawal(&w.id).await.expect("got").id, w.id);
    assert_eq!(Decimal::from_str("0.0002").ok(), w.amount);
}
