//! `POST /withdrawal` on the wire: exact bytes, signature, refusals before sending, error mapping
//! and the outcome-unknown path.

use crate::common;
use payout_testkit::mock_server::answer_first;

use std::time::Duration;

use common::*;
use payout_alppay::AlpPayClient;
use payout_core::{
    Asset, Decimal, EndUser, ErrorKind, PayoutError, PayoutProvider, PayoutProviderExt, SubmitPath, WithdrawalRequest,
    WithdrawalStatus,
};
use payout_testkit::signing::alppay_signature;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const EXPECTED_BODY: &str = r#"{"amount":"10","asset":{"short":"USDT","network":"tron"},"addressTo":"TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n","customer":{"id":1,"name":"Customer Name","email":"customer@example.com"},"destTag":"","invoice":"your-system-invoice-id"}"#;

async fn posts(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap().into_iter().filter(|r| r.method == "POST").collect()
}

async fn mount_post(server: &MockServer, answer: ResponseTemplate) {
    Mock::given(method("POST")).and(path("/v2/withdrawal")).respond_with(answer).mount(server).await;
}

/// The documented OPEN answer, for the invoice the create sent (AlpPay echoes it).
fn open_for(invoice: &str) -> ResponseTemplate {
    let mut w: serde_json::Value = serde_json::from_str(OPEN).unwrap();
    w["invoice"] = invoice.into();
    ResponseTemplate::new(200).set_body_raw(w.to_string(), "application/json")
}

async fn mount_empty_lookup(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/v2/withdrawal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(vec![], 0, 100, 0)))
        .mount(server)
        .await;
}

#[tokio::test]
async fn create_sends_the_documented_bytes_signed_with_x_hmac() {
    let server = MockServer::start().await;
    mount_empty_lookup(&server).await;
    mount_post(&server, ResponseTemplate::new(200).set_body_raw(OPEN, "application/json")).await;

    let w = client(&server).create_withdrawal(&request("your-system-invoice-id")).await.unwrap();
    assert_eq!(w.id.as_str(), "5f5a8ced-5c6a-4038-9d73-662441242fd3");
    assert_eq!(w.status, WithdrawalStatus::Pending);

    let all = server.received_requests().await.unwrap();
    assert_eq!(all.len(), 2, "one lookup of the reference, then one create");
    let lookup = &all[0];
    assert_eq!(lookup.method, "GET");
    assert_eq!(lookup.url.query(), Some("invoices=your-system-invoice-id&page=0&limit=100"));

    let post = &all[1];
    assert_eq!(post.method, "POST");
    assert_eq!(post.url.path(), "/v2/withdrawal");
    assert_eq!(std::str::from_utf8(&post.body).unwrap(), EXPECTED_BODY);
    let signature = post.headers.get("x-hmac").unwrap().to_str().unwrap();
    assert_eq!(signature, alppay_signature(HMAC_KEY.as_bytes(), &post.body));
    assert_eq!(signature, alppay_signature(HMAC_KEY.as_bytes(), EXPECTED_BODY.as_bytes()));
    assert_eq!(post.headers.get("api-key").unwrap(), API_KEY);
    assert_eq!(post.headers.get("content-type").unwrap(), "application/json");
}

#[tokio::test]
async fn create_sends_the_tag_and_the_amount_scale() {
    let server = MockServer::start().await;
    mount_post(&server, open_for("INV-7")).await;
    let req = WithdrawalRequest::builder()
        .reference("INV-7")
        .asset(Asset::new("USDC").on("ethereum").with_decimals(8))
        .amount(Decimal::from_str_exact("250.12345678").unwrap())
        .address("0x5D8D9C7f68A46634BCEaD2a6FF166A0BdFb08540")
        .tag("memo 7")
        .end_user(EndUser::new("12312312").with_name("John").with_email("john@example.com"))
        .build()
        .unwrap();
    client_without_check(&server).create_withdrawal(&req).await.unwrap();
    let post = &posts(&server).await[0];
    assert_eq!(
        std::str::from_utf8(&post.body).unwrap(),
        r#"{"amount":"250.12345678","asset":{"short":"USDC","network":"ethereum"},"addressTo":"0x5D8D9C7f68A46634BCEaD2a6FF166A0BdFb08540","customer":{"id":12312312,"name":"John","email":"john@example.com"},"destTag":"memo 7","invoice":"INV-7"}"#
    );
    assert_eq!(
        post.headers.get("x-hmac").unwrap().to_str().unwrap(),
        alppay_signature(HMAC_KEY.as_bytes(), &post.body)
    );
}

#[tokio::test]
async fn refusals_before_sending_send_nothing() {
    let server = MockServer::start().await;
    let alppay = client(&server);
    let base = |asset: Asset, amount: &str, user: EndUser| {
        WithdrawalRequest::builder()
            .reference("INV-1")
            .asset(asset.with_decimals(18))
            .amount(Decimal::from_str_exact(amount).unwrap())
            .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
            .end_user(user)
            .build()
            .unwrap()
    };
    let user = || EndUser::new("1").with_name("N").with_email("n@example.com");
    let cases = [
        (base(Asset::new("USDT").on("tron"), "0.123456789", user()), "amount"),
        (base(Asset::new("USDC").on("tron"), "1", user()), "asset"),
        (base(Asset::new("USDT"), "1", user()), "asset"),
        (
            base(Asset::new("USDT").on("tron"), "1", EndUser::new("user-1").with_name("N").with_email("n@example.com")),
            "end_user.id",
        ),
        (base(Asset::new("USDT").on("tron"), "1", EndUser::new("1").with_email("n@example.com")), "end_user.name"),
        (base(Asset::new("USDT").on("tron"), "1", EndUser::new("1").with_name("N")), "end_user.email"),
    ];
    for (req, field) in cases {
        let e = alppay.create_withdrawal(&req).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
        assert_eq!(e.field_errors()[0].field, field, "{e}");
    }
    let convert = WithdrawalRequest::builder()
        .reference("INV-1")
        .asset(Asset::new("USDT").on("tron"))
        .amount_to(Asset::new("USDC").on("ethereum"), Decimal::ONE)
        .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
        .end_user(user())
        .build()
        .unwrap();
    assert_eq!(alppay.create_withdrawal(&convert).await.unwrap_err().kind(), ErrorKind::Unsupported);
    assert!(!alppay.capabilities().supports(payout_core::Capability::Convert));
    // The other conversion form (an exact debit converted) is refused the same way.
    let debit = WithdrawalRequest::builder()
        .reference("INV-1")
        .asset(Asset::new("USDT").on("tron"))
        .amount(Decimal::ONE)
        .convert_to(Asset::new("USDC").on("ethereum"))
        .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
        .end_user(user())
        .build()
        .unwrap();
    assert_eq!(alppay.create_withdrawal(&debit).await.unwrap_err().kind(), ErrorKind::Unsupported);
    // Travel-rule data has no place in AlpPay's create: refused, never dropped.
    let travel = WithdrawalRequest::builder()
        .reference("INV-1")
        .asset(Asset::new("USDT").on("tron"))
        .amount(Decimal::ONE)
        .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
        .end_user(user())
        .travel_rule(payout_core::TravelRule::new().receiver(payout_core::Party::legal("Example GmbH", "DEU")))
        .build()
        .unwrap();
    let e = alppay.create_withdrawal(&travel).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("travel_rule"), "{e}");
    assert!(!alppay.capabilities().supports(payout_core::Capability::TravelRule));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn refusals_map_to_their_categories() {
    let cases: [(u16, &str, ErrorKind); 7] = [
        (400, r#"{"error":"malformed JSON or incorrect field order"}"#, ErrorKind::Rejected),
        (
            422,
            r#"{"message":"insufficient balance","errors":{"amount":["exceeds the withdraw balance"]}}"#,
            ErrorKind::Rejected,
        ),
        (401, r#"{"error":"missing or invalid signature"}"#, ErrorKind::Authentication),
        (403, r#"{"error":"your key does not have access to this resource"}"#, ErrorKind::Authentication),
        (409, r#"{"error":"conflict"}"#, ErrorKind::DuplicateReference),
        (422, r#"{"error":"invoice already exists"}"#, ErrorKind::DuplicateReference),
        (404, "404 page not found", ErrorKind::Configuration),
    ];
    for (status, body, kind) in cases {
        let server = MockServer::start().await;
        mount_post(&server, ResponseTemplate::new(status).set_body_raw(body, "application/json")).await;
        let e = client_without_check(&server).create_withdrawal(&request("INV-1")).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{status} {body}: {e}");
        assert_eq!(posts(&server).await.len(), 1, "a refusal is not retried");
        if kind == ErrorKind::Rejected {
            let kept = if status == 400 { "incorrect field order" } else { "insufficient balance" };
            assert!(e.to_string().contains(kept), "{e}");
        }
    }
    let server = MockServer::start().await;
    mount_post(&server, ResponseTemplate::new(422).set_body_raw(cases[1].1, "application/json")).await;
    let e = client_without_check(&server).create_withdrawal(&request("INV-1")).await.unwrap_err();
    assert_eq!(e.field_errors()[0].field, "amount");
    assert_eq!(e.field_errors()[0].message, "exceeds the withdraw balance");
}

#[tokio::test]
async fn server_error_on_create_is_outcome_unknown_and_never_retried() {
    for status in [500, 502, 503] {
        let server = MockServer::start().await;
        mount_post(&server, ResponseTemplate::new(status)).await;
        let e = client_without_check(&server).create_withdrawal(&request("INV-500")).await.unwrap_err();
        let PayoutError::OutcomeUnknown { reference, .. } = &e else { panic!("{e}") };
        assert_eq!(reference.as_str(), "INV-500");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "exactly one request for {status}");
    }
}

#[tokio::test]
async fn unreadable_success_on_create_is_outcome_unknown() {
    let server = MockServer::start().await;
    mount_post(&server, ResponseTemplate::new(200).set_body_raw("<html>ok</html>", "text/html")).await;
    let e = client_without_check(&server).create_withdrawal(&request("INV-2")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert_eq!(posts(&server).await.len(), 1);
}

#[tokio::test]
async fn timeout_on_create_is_outcome_unknown() {
    let server = MockServer::start().await;
    mount_post(
        &server,
        ResponseTemplate::new(200).set_body_raw(OPEN, "application/json").set_delay(Duration::from_secs(5)),
    )
    .await;
    let alppay = builder(&server).duplicate_check(false).timeout(Duration::from_millis(200)).build().unwrap();
    let e = alppay.create_withdrawal(&request("INV-3")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert_eq!(posts(&server).await.len(), 1);
}

#[tokio::test]
async fn rate_limited_create_is_retried_since_nothing_was_acted_on() {
    let server = MockServer::start().await;
    answer_first(&server, ("POST", "/v2/withdrawal"), ResponseTemplate::new(429).insert_header("Retry-After", "0"), 1)
        .await;
    mount_post(&server, open_for("INV-4")).await;
    client_without_check(&server).create_withdrawal(&request("INV-4")).await.unwrap();
    let sent = posts(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body, sent[1].body, "the same bytes");
    assert_eq!(sent[0].headers.get("x-hmac"), sent[1].headers.get("x-hmac"));
}

#[tokio::test]
async fn connection_refused_on_create_is_unavailable_not_unknown() {
    let alppay = AlpPayClient::builder()
        .api_key(API_KEY)
        .hmac_key(HMAC_KEY)
        .base_url(refused_base_url())
        .retry(fast_retry())
        .duplicate_check(false)
        .build()
        .unwrap();
    let e = alppay.create_withdrawal(&request("INV-5")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable, "nothing can have reached AlpPay: {e}");
}

/// The invoice lookup that precedes a create (`GET /v2/withdrawal?invoices=…`).
fn lookup_of(invoice: &str) -> wiremock::MockBuilder {
    Mock::given(method("GET")).and(path("/v2/withdrawal")).and(query_param("invoices", invoice))
}

/// Has the invoice lookup answer that AlpPay holds withdrawal `id` for `invoice`.
async fn already_holds(server: &MockServer, id: &str, invoice: &str) {
    lookup_of(invoice)
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(
            vec![withdrawal(id, invoice, "2025-08-07T09:08:58Z")],
            0,
            100,
            1,
        )))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_reference_already_held_is_a_duplicate_and_nothing_is_posted() {
    let server = MockServer::start().await;
    already_holds(&server, "w-1", "INV-6").await;
    mount_post(&server, ResponseTemplate::new(200).set_body_raw(OPEN, "application/json")).await;
    let e = client(&server).create_withdrawal(&request("INV-6")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateReference, "{e}");
    assert!(posts(&server).await.is_empty());
}

#[tokio::test]
async fn submit_reconciles_a_lost_answer_through_the_invoice_lookup() {
    let server = MockServer::start().await;
    // Before the create AlpPay holds nothing for the reference; after it, the withdrawal.
    lookup_of("INV-8")
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(vec![], 0, 100, 0)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let mut existing = withdrawal("w-8", "INV-8", "2025-08-07T09:08:58.780375195Z");
    existing["amount"] = "10".into();
    lookup_of("INV-8")
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(vec![existing], 0, 100, 1)))
        .mount(&server)
        .await;
    mount_post(&server, ResponseTemplate::new(500).set_body_raw(r#"{"error":"internal"}"#, "application/json")).await;

    let done = client(&server).submit(&request("INV-8")).await.unwrap();
    assert_eq!(done.path, SubmitPath::Reconciled);
    assert_eq!(done.withdrawal.id.as_str(), "w-8");
    assert_eq!(posts(&server).await.len(), 1, "the create was sent once and never again");
}

#[tokio::test]
async fn submit_without_the_check_reconciles_too() {
    let server = MockServer::start().await;
    already_holds(&server, "w-9", "INV-9").await;
    mount_post(&server, ResponseTemplate::new(503)).await;
    let done = client_without_check(&server).submit(&request("INV-9")).await.unwrap();
    assert_eq!(done.path, SubmitPath::Reconciled);
    assert_eq!(done.withdrawal.id.as_str(), "w-9");
    assert_eq!(posts(&server).await.len(), 1);
}
