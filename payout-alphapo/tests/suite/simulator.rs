//! `AlphaPoClient` against the testkit's AlphaPo simulator: the real life cycle, the
//! simulator's own validation and refusals, callbacks it signs, and the faults networks and
//! providers produce, above all a create whose connection closes after AlphaPo acted.

use crate::common;

use common::seed_request;
use common::sim::{builder_for, client_for, sim_id, start};
use payout_alphapo::AlphaPoConfig;
use payout_core::{
    Asset, EndUser, ErrorKind, PayoutError, PayoutProvider, PayoutProviderExt, SubmitPath, Submitted,
    WithdrawalRequest, WithdrawalStatus,
};
use payout_sim::{AlphaPoStatus, Fault};
use rust_decimal_macros::dec;

/// How many requests the simulator received on the path ending in `suffix`.
fn requests_to(server: &payout_sim::AlphaPoServer, suffix: &str) -> usize {
    server.requests().entries().iter().filter(|r| r.path.ends_with(suffix)).count()
}

/// A request of `reference` to a testnet BTC address for end user u-1; the caller names the
/// amount (and conversion, travel-rule data).
fn to_btc_address(reference: &str) -> payout_core::WithdrawalRequestBuilder {
    WithdrawalRequest::builder()
        .reference(reference)
        .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
        .end_user(EndUser::new("u-1"))
}

fn request(reference: &str) -> WithdrawalRequest {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new("USDT").on("tron"))
        .amount(dec!(25.5))
        .address("TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf")
        .end_user(EndUser::new("user-42"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn create_get_find_and_the_life_cycle() {
    let server = start().await;
    let c = client_for(&server);

    let created = c.create_withdrawal(&request("life-1")).await.unwrap();
    assert_eq!(created.status, WithdrawalStatus::Processing);
    assert_eq!(created.asset, Some(Asset::new("USDT").on("tron")));
    // AlphaPo prints amounts with 8 decimals, as every documented example does.
    assert_eq!(created.amount.map(|a| a.to_string()), Some("25.50000000".to_owned()));
    let held = server.get(sim_id(&created.id).unwrap()).unwrap();
    assert_eq!(held.sender_currency, "USDTT");
    assert_eq!(held.sender_amount, dec!(25.5));
    assert_eq!(held.end_user_reference, "user-42");

    let got = c.get_withdrawal(&created.id).await.unwrap();
    let found = c.find_withdrawal(created.reference.as_ref().unwrap()).await.unwrap().unwrap();
    assert_eq!(got, found);
    assert_eq!(got.status, WithdrawalStatus::Processing, "processing reads back as not_confirmed");
    assert_eq!(got.provider_status, "not_confirmed");
    assert_eq!(got.address.as_deref(), Some("TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf"));
    assert_eq!(got.amount, Some(dec!(25.5)));

    server.set_status_with(sim_id(&created.id).unwrap(), AlphaPoStatus::Confirmed, Some("ab12cd"), None).unwrap();
    let done = c.get_withdrawal(&created.id).await.unwrap();
    assert_eq!(done.status, WithdrawalStatus::Completed);
    assert_eq!(done.tx_hash.as_deref(), Some("ab12cd"));
    assert_eq!(done.amount_sent, Some(dec!(25.5)));

    for (status, unified, reason) in [
        (AlphaPoStatus::Pending, WithdrawalStatus::Pending, None),
        (AlphaPoStatus::Declined, WithdrawalStatus::Rejected, Some("Withdrawal declined")),
    ] {
        let w = c.create_withdrawal(&request(&format!("life-{}", status.as_str()))).await.unwrap();
        server.set_status(sim_id(&w.id).unwrap(), status).unwrap();
        let now = c.get_withdrawal(&w.id).await.unwrap();
        assert_eq!(now.status, unified);
        assert_eq!(now.failure_reason.as_deref(), reason);
    }
}

#[tokio::test]
async fn a_create_whose_connection_closes_after_acting_is_reconciled_once() {
    let server = start().await;
    let c = client_for(&server);
    server.faults().on_path("/withdrawal/crypto", Fault::CloseAfterActing, 1);

    let e = c.create_withdrawal(&seed_request()).await.unwrap_err();
    match &e {
        PayoutError::OutcomeUnknown { reference, .. } => assert_eq!(reference.as_str(), "test_foreign_id_0148"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.count(), 1, "AlphaPo acted although the answer was lost");

    let submitted = c.submit(&seed_request()).await.unwrap();
    assert_eq!(submitted.path, SubmitPath::AlreadyExisted, "the retried create was refused as a duplicate");
    assert_eq!(server.count(), 1, "exactly one withdrawal");
    assert_eq!(submitted.withdrawal.reference.as_ref().map(|r| r.as_str()), Some("test_foreign_id_0148"));
    let creates = requests_to(&server, "/withdrawal/crypto");
    assert_eq!(creates, 2, "one lost create, one refused as a duplicate; never a blind retry");
}

/// Submits the seed request to a fresh simulator whose next create meets `fault`.
async fn submit_after_a_create_fault(fault: Fault) -> (payout_sim::AlphaPoServer, Submitted) {
    let server = start().await;
    server.faults().on_path("/withdrawal/crypto", fault, 1);
    let submitted = client_for(&server).submit(&seed_request()).await.unwrap();
    (server, submitted)
}

#[tokio::test]
async fn submit_reconciles_a_lost_answer_without_a_second_create() {
    let (server, submitted) = submit_after_a_create_fault(Fault::CloseAfterActing).await;
    assert_eq!(submitted.path, SubmitPath::Reconciled);
    assert_eq!(server.count(), 1);
    let creates = requests_to(&server, "/withdrawal/crypto");
    assert_eq!(creates, 1, "found by reference, not created again");
}

#[tokio::test]
async fn a_create_closed_before_acting_is_created_by_submit() {
    let (server, submitted) = submit_after_a_create_fault(Fault::CloseBeforeActing).await;
    assert_eq!(submitted.path, SubmitPath::Created, "the lookup said none exists, so it was created");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_5xx_or_malformed_create_answer_is_outcome_unknown() {
    let server = start().await;
    let c = client_for(&server);
    server.faults().on_path("/withdrawal/crypto", Fault::Status { status: 503, body: r#"{"error":"busy"}"#.into() }, 1);
    assert_eq!(c.create_withdrawal(&request("f-1")).await.unwrap_err().kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(server.count(), 0);
    server.faults().on_path("/withdrawal/crypto", Fault::MalformedJson, 1);
    assert_eq!(c.create_withdrawal(&request("f-2")).await.unwrap_err().kind(), ErrorKind::OutcomeUnknown);
    server.faults().on_path("/withdrawal/crypto", Fault::TruncatedBody, 1);
    assert_eq!(c.create_withdrawal(&request("f-3")).await.unwrap_err().kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(server.count(), 2, "the malformed and truncated answers came after acting");
    let creates = requests_to(&server, "/withdrawal/crypto");
    assert_eq!(creates, 3, "no create was repeated");
}

#[tokio::test]
async fn reads_ride_out_429_5xx_and_cut_answers() {
    let server = start().await;
    let c = client_for(&server);
    let w = c.create_withdrawal(&request("r-1")).await.unwrap();
    server.faults().on_path("/transactions/info", Fault::TooManyRequests { retry_after: Some(0) }, 1);
    server.faults().on_path("/transactions/info", Fault::Status { status: 502, body: "{}".into() }, 1);
    server.faults().on_path("/transactions/info", Fault::TruncatedBody, 1);
    let got = c.get_withdrawal(&w.id).await.unwrap();
    assert_eq!(got.id, w.id);
    let reads = requests_to(&server, "/transactions/info");
    assert_eq!(reads, 4);

    server.faults().on_path("/transactions/info", Fault::TooManyRequests { retry_after: Some(3600) }, 1);
    let e = c.get_withdrawal(&w.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(3600)));
}

#[tokio::test]
async fn odd_answers_from_the_simulator() {
    let server = start().await;
    let c = client_for(&server);
    let w = c.create_withdrawal(&request("o-1")).await.unwrap();

    server.faults().on_path("/transactions/info", Fault::UnknownStatus, 1);
    let odd = c.get_withdrawal(&w.id).await.unwrap();
    assert_eq!(odd.status, WithdrawalStatus::Unknown);
    assert_eq!(odd.provider_status, "surprise_status");

    for field in ["currency_sent", "end_user_reference", "crypto_address", "error", "type"] {
        server.faults().on_path("/transactions/info", Fault::MissingField(field.into()), 1);
        let read = c.get_withdrawal(&w.id).await.unwrap_or_else(|e| panic!("without {field}: {e}"));
        assert_eq!(read.id, w.id);
    }

    server.faults().on_path("/transactions/info", Fault::OversizedBody { bytes: 64 * 1024 }, 1);
    let small = builder_for(&server).max_response_bytes(4096).build().unwrap();
    assert_eq!(small.get_withdrawal(&w.id).await.unwrap_err().kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn the_simulator_refuses_like_alphapo() {
    let server = start().await;
    let c = client_for(&server);

    // Duplicate foreign_id.
    c.create_withdrawal(&request("dup-1")).await.unwrap();
    assert_eq!(c.create_withdrawal(&request("dup-1")).await.unwrap_err().kind(), ErrorKind::DuplicateReference);

    // Below the minimum: the field message is kept.
    let tiny = common::request_of("tiny-1", "BTC", dec!(0.00000001), common::BTC_ADDRESS, "u").unwrap();
    let e = c.create_withdrawal(&tiny).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    assert_eq!(e.field_errors()[0].field, "amount");

    // Wrong secret, wrong key.
    let bad_secret = AlphaPoConfig::builder()
        .api_key(server.api_key())
        .api_secret("not-the-secret")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let e = bad_secret.create_withdrawal(&request("auth-1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(e.to_string().contains("bad_header_signature"), "{e}");
    let bad_key =
        AlphaPoConfig::builder().api_key("nobody").api_secret(server.api_secret()).base_url(server.base_url());
    let e = bad_key.build().unwrap().find_withdrawal(&"dup-1".parse_ref()).await.unwrap_err();
    assert!(e.to_string().contains("bad_header_key"), "{e}");

    // A wrong base path: AlphaPo answers required_header_key.
    let wrong_path = AlphaPoConfig::builder()
        .api_key(server.api_key())
        .api_secret(server.api_secret())
        .base_url(format!("{}/v1", server.base_url()))
        .build()
        .unwrap();
    let e = wrong_path.get_withdrawal(&"1".into()).await.unwrap_err();
    assert!(e.to_string().contains("required_header_key") && e.to_string().contains("base URL"), "{e}");

    // Unknown id and reference.
    assert_eq!(c.get_withdrawal(&"999999999".into()).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(c.find_withdrawal(&"nobody".parse_ref()).await.unwrap(), None);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_conversion_from_eur() {
    let server = start().await;
    let c = client_for(&server);
    let request =
        to_btc_address("conv-1").asset(Asset::new("EUR")).amount_to(Asset::new("BTC"), dec!(0.01)).build().unwrap();
    let w = c.create_withdrawal(&request).await.unwrap();
    assert_eq!(w.asset, Some(Asset::new("BTC")));
    assert_eq!(w.amount, Some(dec!(0.01)));
    let held = server.get(sim_id(&w.id).unwrap()).unwrap();
    assert!(held.exchange);
    assert_eq!((held.sender_currency.as_str(), held.receiver_currency.as_str()), ("EUR", "BTC"));

    server.set_status(sim_id(&w.id).unwrap(), AlphaPoStatus::Confirmed).unwrap();
    let done = c.get_withdrawal(&w.id).await.unwrap();
    assert_eq!(done.status, WithdrawalStatus::Completed);
    assert_eq!(done.asset, Some(Asset::new("BTC")), "what the recipient got");
    assert_eq!(done.amount, Some(dec!(0.01)));
    assert!(done.tx_hash.is_some());
}

/// MiCA data reaches the simulator in the documented shape and is accepted; data the
/// simulator checks as CryptoProcessing's page describes it (a natural person without a date of
/// birth, sent raw) is refused field by field.
#[tokio::test]
async fn travel_rule_data_is_sent_and_checked() {
    use payout_core::{Party, TravelRule};
    let server = start().await;
    let c = client_for(&server);
    let rule = TravelRule::new().sender(Party::legal("Example GmbH", "DEU")).receiver(Party::natural(
        "Friedrich",
        "Müller",
        time::macros::date!(1995 - 08 - 17),
    ));
    let request =
        to_btc_address("mica-1").asset(Asset::new("BTC")).amount(dec!(0.001)).travel_rule(rule).build().unwrap();
    let w = c.create_withdrawal(&request).await.unwrap();
    assert_eq!(w.reference.as_ref().map(|r| r.as_str()), Some("mica-1"));
    let to_self = to_btc_address("mica-2")
        .asset(Asset::new("BTC"))
        .amount(dec!(0.001))
        .travel_rule(TravelRule::new().receiver(Party::OwnAccount))
        .build()
        .unwrap();
    c.create_withdrawal(&to_self).await.unwrap();

    // What the client cannot send, sent raw: the simulator refuses it as documented.
    let http = reqwest::Client::new();
    let body = r#"{"currency":"BTC","foreign_id":"mica-3","end_user_reference":"u-1","sender_type":"natural","sender_data":{"first_name":"A","last_name":"B"},"receiver_type":"robot","address":"tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc","amount":"0.001"}"#;
    let secret = secrecy::SecretString::from(server.api_secret().to_owned());
    let signature = payout_alphapo::signing::sign(&secret, body.as_bytes());
    let answer = http
        .post(format!("{}/withdrawal/crypto", server.base_url()))
        .header("X-Processing-Key", server.api_key())
        .header("X-Processing-Signature", signature)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let errors: serde_json::Value = answer.json().await.unwrap();
    assert!(errors["errors"]["sender_data.date_of_birth"].is_string(), "{errors}");
    assert!(errors["errors"]["receiver_type"].is_string(), "{errors}");
}

/// The other documented form: an exact amount of EUR debited and converted (`amount` with
/// `convert_to`); the debited side is carried in `sender_amount`/`sender_currency`, and
/// `submit` recognises the payout by it.
#[tokio::test]
async fn a_conversion_of_an_exact_debit() {
    let server = start().await;
    let c = client_for(&server);
    let request = to_btc_address("conv-debit")
        .asset(Asset::new("EUR"))
        .amount(dec!(25))
        .convert_to(Asset::new("BTC"))
        .build()
        .unwrap();
    let w = c.create_withdrawal(&request).await.unwrap();
    assert_eq!(w.asset, Some(Asset::new("BTC")));
    assert_eq!((w.sender_amount, w.sender_currency.as_deref()), (Some(dec!(25)), Some("EUR")));
    let held = server.get(sim_id(&w.id).unwrap()).unwrap();
    assert!(held.exchange);
    assert_eq!(held.sender_amount, dec!(25));
    assert_eq!(w.amount, Some(held.receiver_amount), "what the recipient gets at the rate");

    server.set_status(sim_id(&w.id).unwrap(), AlphaPoStatus::Confirmed).unwrap();
    let done = c.get_withdrawal(&w.id).await.unwrap();
    assert_eq!((done.sender_amount, done.sender_currency.as_deref()), (Some(dec!(25)), Some("EUR")));
    // Sending the same payout again is recognised as the one that exists, by its debit.
    let again = c.submit(&request).await.unwrap();
    assert_eq!((again.withdrawal.id, again.path), (w.id, SubmitPath::AlreadyExisted));
}

#[tokio::test]
async fn the_simulators_callbacks_verify_and_parse() {
    let server = start().await;
    let c = client_for(&server);
    let w = c.create_withdrawal(&request("cb-1")).await.unwrap();
    let id = sim_id(&w.id).unwrap();
    server.set_status_with(id, AlphaPoStatus::Confirmed, Some("feed01"), None).unwrap();
    let body = server.wire_object(id).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert("X-Processing-Key", server.api_key().parse().unwrap());
    headers.insert("X-Processing-Signature", server.sign(&body).parse().unwrap());
    let update = c.parse_webhook(&headers, &body).unwrap();
    assert_eq!(update.withdrawal.id, w.id);
    assert_eq!(update.withdrawal.status, WithdrawalStatus::Completed);
    assert_eq!(update.withdrawal.tx_hash.as_deref(), Some("feed01"));
    assert_eq!(update.withdrawal.reference, w.reference);

    let mut tampered = body.clone();
    tampered.push(b' ');
    assert_eq!(c.parse_webhook(&headers, &tampered).unwrap_err().kind(), ErrorKind::Webhook);
}

/// `Reference` from a literal, for brevity.
trait ParseRef {
    fn parse_ref(&self) -> payout_core::Reference;
}

impl ParseRef for str {
    fn parse_ref(&self) -> payout_core::Reference {
        payout_core::Reference::new(self).unwrap()
    }
}
