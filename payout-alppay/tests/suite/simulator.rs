//! `AlpPayClient` against the testkit's AlpPay simulator: the life cycle, lost answers, faults
//! on the wire, refusals and webhooks.

use crate::common;

use std::time::Duration;

use common::sim::{builder_for, client_for, lose_next_create_answer, start, start_with};
use common::{HMAC_KEY, request};
use futures::TryStreamExt;
use payout_core::{
    Asset, Decimal, EndUser, ErrorKind, ListQuery, PayoutError, PayoutProvider, PayoutProviderExt, Reference,
    SubmitPath, WithdrawalId, WithdrawalRequest, WithdrawalStatus,
};
use payout_sim::{AlpPayConfig as SimConfig, AlpPayStatus, Fault};

#[tokio::test]
async fn a_withdrawal_through_its_whole_life() {
    let server = start().await;
    let alppay = client_for(&server);
    let created = alppay.create_withdrawal(&request("life-1")).await.unwrap();
    assert_eq!(created.status, WithdrawalStatus::Pending);
    assert_eq!(created.provider_status, "OPEN");
    assert_eq!((created.tx_hash.as_ref(), created.amount_sent, created.source_address.as_ref()), (None, None, None));
    assert_eq!(created.end_user.as_ref().map(|u| u.id.as_str()), Some("1"));

    server.set_status(created.id.as_str(), AlpPayStatus::Approved).unwrap();
    let approved = alppay.get_withdrawal(&created.id).await.unwrap();
    assert_eq!(approved.status, WithdrawalStatus::Approved);
    assert_eq!(approved.approve_at, None, "timeToApprove is null when approval is manual");

    server.set_status_with(created.id.as_str(), AlpPayStatus::Complete, Some("0xfeed")).unwrap();
    let done = alppay.get_withdrawal(&created.id).await.unwrap();
    assert_eq!(done.status, WithdrawalStatus::Completed);
    assert_eq!(done.tx_hash.as_deref(), Some("0xfeed"));
    assert_eq!(done.amount_sent, Some(Decimal::from(10)));
    assert!(done.source_address.is_some());
    assert!(done.updated_at >= done.created_at);

    // Every filter finds it.
    let by = |q: ListQuery| {
        let alppay = alppay.clone();
        async move { alppay.list_withdrawals(&q).await.unwrap().items }
    };
    let id = done.id.clone();
    assert_eq!(by(ListQuery::new().id(id.clone())).await[0].id, id);
    assert_eq!(by(ListQuery::new().tx_hash("0xfeed")).await[0].id, id);
    assert_eq!(by(ListQuery::new().reference(Reference::new("life-1").unwrap())).await[0].id, id);
    assert_eq!(by(ListQuery::new().status(WithdrawalStatus::Completed)).await[0].id, id);
    assert!(by(ListQuery::new().status(WithdrawalStatus::Pending)).await.is_empty());

    // The simulator's webhook for it verifies and carries the same state.
    let body = server.wire_object(id.as_str()).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert("x-hmac", server.sign(&body).parse().unwrap());
    let update = alppay.parse_webhook(&headers, &body).unwrap();
    assert_eq!(update.withdrawal, done);
}

#[tokio::test]
async fn the_automatic_life_cycle_is_followed_to_the_end() {
    let config = SimConfig::default().with_lifecycle(Duration::from_millis(20), Some(Duration::from_millis(20)));
    let server = start_with(config).await;
    let alppay = client_for(&server);
    let created = alppay.create_withdrawal(&request("auto-1")).await.unwrap();
    assert!(created.approve_at.is_some(), "timeToApprove is scheduled at creation");
    let options = payout_core::WatchOptions {
        interval: Duration::from_millis(10),
        max_interval: Duration::from_millis(50),
        timeout: Duration::from_secs(30),
    };
    let last = alppay.wait_until_final(&created.id, options).await.unwrap();
    assert_eq!(last.status, WithdrawalStatus::Completed);
    assert!(last.tx_hash.is_some());
}

#[tokio::test]
async fn a_create_acted_on_but_unanswered_is_reconciled_once() {
    // Without the lookup before creating: the POST is the first request.
    let server = start().await;
    let alppay = builder_for(&server).duplicate_check(false).build().unwrap();
    lose_next_create_answer(&server);
    let e = alppay.create_withdrawal(&request("lost-1")).await.unwrap_err();
    let PayoutError::OutcomeUnknown { reference, .. } = &e else { panic!("{e}") };
    assert_eq!(reference.as_str(), "lost-1");
    assert_eq!(server.count(), 1, "AlpPay acted although the answer was lost");
    let found = alppay.find_withdrawal(reference).await.unwrap().expect("reconciled by reference");
    assert_eq!(found.id.as_str(), server.find_by_invoice("lost-1")[0].id);

    lose_next_create_answer(&server);
    let done = alppay.submit(&request("lost-3")).await.unwrap();
    assert_eq!(done.path, SubmitPath::Reconciled);
    assert_eq!(server.count(), 2, "one withdrawal per reference");

    // The default client, through submit: exactly one withdrawal afterwards.
    let server = start().await;
    let alppay = client_for(&server);
    lose_next_create_answer(&server);
    let done = alppay.submit(&request("lost-2")).await.unwrap();
    assert_eq!(done.path, SubmitPath::Reconciled);
    assert_eq!(server.count(), 1, "exactly one withdrawal on the simulator");
    assert_eq!(server.find_by_invoice("lost-2")[0].id, done.withdrawal.id.as_str());
    let posts = server.requests().entries().into_iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 1, "the create was sent once");
}

#[tokio::test]
async fn a_create_dropped_before_acting_is_created_by_submit() {
    let server = start().await;
    let alppay = client_for(&server);
    server.faults().on_path("/withdrawal", Fault::Delay(Duration::ZERO), 1);
    server.faults().on_path("/withdrawal", Fault::CloseBeforeActing, 1);
    let done = alppay.submit(&request("dropped-1")).await.unwrap();
    assert_eq!(done.path, SubmitPath::Created, "nothing existed, so submit created it");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn server_errors_on_a_create_are_never_retried() {
    let server = start().await;
    let alppay = builder_for(&server).duplicate_check(false).build().unwrap();
    server.faults().on_path("/withdrawal", Fault::Status { status: 502, body: "{}".into() }, 1);
    let e = alppay.create_withdrawal(&request("bad-gateway")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.count(), 0, "this fault answers without acting: reconciling finds nothing");
    assert_eq!(alppay.find_withdrawal(&Reference::new("bad-gateway").unwrap()).await.unwrap(), None);
}

#[tokio::test]
async fn read_faults_are_ridden_out_or_reported() {
    let server = start().await;
    let alppay = client_for(&server);
    let id = alppay.create_withdrawal(&request("faults-1")).await.unwrap().id;

    server.faults().next(Fault::TooManyRequests { retry_after: Some(0) });
    server.faults().next(Fault::Status { status: 503, body: r#"{"error":"busy"}"#.into() });
    server.faults().next(Fault::TruncatedBody);
    let w = alppay.get_withdrawal(&id).await.unwrap();
    assert_eq!(w.id, id, "three failures, then the answer: within the default three retries");
    server.faults().next(Fault::CloseBeforeActing);
    server.faults().next(Fault::CloseAfterActing);
    assert_eq!(
        alppay.list_withdrawals(&ListQuery::new()).await.unwrap().items[0].id,
        id,
        "reads survive dropped connections"
    );
    server.faults().next_n(Fault::Status { status: 500, body: "{}".into() }, 4);
    assert_eq!(alppay.get_withdrawal(&id).await.unwrap_err().kind(), ErrorKind::Unavailable, "retries are bounded");

    server.faults().next(Fault::MalformedJson);
    let e = alppay.get_withdrawal(&id).await.unwrap_err();
    let PayoutError::Protocol { body, .. } = &e else { panic!("{e}") };
    assert!(body.ends_with("<<malformed>>"), "the raw body is kept: {body}");

    server.faults().next(Fault::UnknownStatus);
    let w = alppay.get_withdrawal(&id).await.unwrap();
    assert_eq!((w.status, w.provider_status.as_str()), (WithdrawalStatus::Unknown, "surprise_status"));

    server.faults().next(Fault::MissingField("customer".into()));
    assert_eq!(alppay.get_withdrawal(&id).await.unwrap().end_user, None);

    server.faults().next(Fault::OversizedBody { bytes: 10_000 });
    let small = builder_for(&server).max_response_bytes(4_096).build().unwrap();
    assert_eq!(small.get_withdrawal(&id).await.unwrap_err().kind(), ErrorKind::Protocol);

    server.faults().next(Fault::TooManyRequests { retry_after: Some(3_600) });
    let e = alppay.get_withdrawal(&id).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3_600)), "{e}");
}

#[tokio::test]
async fn list_all_reads_thousands_across_a_429() {
    let server = start().await;
    let seeded = server.seed(2_500);
    let alppay = client_for(&server);
    let mut all = alppay.list_all(ListQuery::new().limit(100).unwrap());
    let mut ids = Vec::with_capacity(seeded.len());
    while let Some(w) = all.try_next().await.unwrap() {
        if ids.len() == 1_234 {
            server.faults().next(Fault::TooManyRequests { retry_after: Some(0) });
        }
        ids.push(w.id.to_string());
    }
    assert_eq!(ids.len(), seeded.len());
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    let mut expected = seeded.clone();
    expected.sort();
    assert_eq!(sorted, expected, "every withdrawal exactly once");
    assert_eq!(ids[0], *seeded.last().unwrap(), "newest first");
    assert!(server.requests().entries().iter().any(|r| r.status == Some(429)));
}

#[tokio::test]
async fn refusals_by_the_simulator() {
    let server = start().await;
    let wrong_key = builder_for(&server).api_key("not-the-key").build().unwrap();
    let e = wrong_key.get_withdrawal(&WithdrawalId::new("x")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");

    let wrong_hmac = builder_for(&server).hmac_key(HMAC_KEY).duplicate_check(false).build().unwrap();
    let e = wrong_hmac.create_withdrawal(&request("sig-1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
    assert!(e.to_string().contains("signature"), "{e}");

    let e = client_for(&server).get_withdrawal(&WithdrawalId::new("no-such-id")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);

    // An AlpPay that pays out fewer pairs than this crate knows refuses with 422.
    let mut config = SimConfig::default();
    config.assets.retain(|a| a.network == "tron");
    let narrow = start_with(config).await;
    let req = WithdrawalRequest::builder()
        .reference("narrow-1")
        .asset(Asset::new("USDC").on("ethereum"))
        .amount(Decimal::from(5))
        .address("0x5D8D9C7f68A46634BCEaD2a6FF166A0BdFb08540")
        .end_user(EndUser::new("7").with_name("N").with_email("n@example.com"))
        .build()
        .unwrap();
    let e = client_for(&narrow).create_withdrawal(&req).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
    assert!(e.to_string().contains("unsupported asset"), "{e}");
    assert_eq!(e.field_errors()[0].field, "asset", "the field AlpPay named is kept");
    assert_eq!(narrow.count(), 0);
}

#[tokio::test]
async fn a_duplicate_refused_by_alppay_is_a_duplicate_reference() {
    let server = start_with(SimConfig::default().refusing_duplicate_invoices()).await;
    let alppay = builder_for(&server).duplicate_check(false).build().unwrap();
    alppay.create_withdrawal(&request("dup-1")).await.unwrap();
    let e = alppay.create_withdrawal(&request("dup-1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateReference, "{e}");
    assert_eq!(server.count(), 1);
}
