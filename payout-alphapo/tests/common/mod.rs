//! Shared helpers of the wiremock tests: a client pointed at a local mock server, fast retries,
//! and the documented AlphaPo examples.

#![allow(dead_code)]

use payout_alphapo::{AlphaPoClient, AlphaPoConfig};
use payout_core::{Asset, Decimal, EndUser, PayoutError, WithdrawalRequest};
use rust_decimal_macros::dec;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const KEY: &str = "pk_test_7f3a9c";
pub const SECRET: &str = "sk_test_b81d42e6";
pub const BASE: &str = "/api/v2";

pub use payout_sim::backend::fast_retry;

pub fn client(server: &MockServer) -> AlphaPoClient {
    AlphaPoConfig::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(format!("{}{BASE}", server.uri()))
        .retry(fast_retry())
        .build()
        .expect("a loopback configuration is valid")
}

pub fn sign(body: &[u8]) -> String {
    payout_testkit::signing::alphapo_signature(SECRET.as_bytes(), body)
}

/// The documented BTC test address.
pub const BTC_ADDRESS: &str = "tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc";

/// A request of `amount` of `asset` to `address` for the end user `user`, under `reference`, as
/// the request builder judges it.
pub fn request_of(
    reference: &str,
    asset: &str,
    amount: Decimal,
    address: &str,
    user: &str,
) -> Result<WithdrawalRequest, PayoutError> {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new(asset))
        .amount(amount)
        .address(address)
        .end_user(EndUser::new(user))
        .build()
}

/// The seed's request: 0.0002 BTC, reference test_foreign_id_0148.
pub fn seed_request() -> WithdrawalRequest {
    request_of("test_foreign_id_0148", "BTC", dec!(0.0002), BTC_ADDRESS, "test_end_user_reference")
        .expect("the seed request is valid")
}

/// The seed's exact request body, in AlphaPo's documented field order.
pub const SEED_BODY: &str = r#"{"currency":"BTC","foreign_id":"test_foreign_id_0148","end_user_reference":"test_end_user_reference","address":"tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc","amount":"0.00020000"}"#;

/// The seed's 201 answer (docs.alphapo.net, withdrawal crypto).
pub const SEED_ANSWER: &str = r#"{
  "data": {
    "id": 134702815,
    "foreign_id": "test_foreign_id_0148",
    "end_user_reference": "test_end_user_reference",
    "type": "withdrawal",
    "status": "processing",
    "amount": "0.00020000",
    "sender_amount": "0.00020000",
    "sender_currency": "BTC",
    "receiver_currency": "BTC",
    "receiver_amount": "0.00020000"
  }
}"#;

/// The /transactions/info example (docs.alphapo.net), numbers and all.
pub const INFO_EXAMPLE: &str = r#"{"id":2769144,"foreign_id":"withdrawal:823188","type":"withdrawal",
 "crypto_address":{"id":411002,"currency":"BTC","address":"tb1q73h009ezpcltv85vnyvz8n3r5umv2v4n54rhp2","tag":null},
 "currency_sent":{"currency":"BTC","amount":0.0001},"currency_received":{"currency":"BTC","amount":10000},
 "transactions":[{"id":823194,"currency":"BTC","transaction_type":"blockchain","type":"withdrawal",
   "address":"tb1q73h009ezpcltv85vnyvz8n3r5umv2v4n54rhp2","tag":null,"amount":0.0001,"txid":7.854431205445763e+76,"confirmations":0}],
 "fees":[{"type":"mining","currency":"BTC","amount":0},{"type":"fee_crypto_deposit_wallet_client","currency":"BTC","amount":0}],
 "error":"","status":"confirmed"}"#;

/// The current withdrawal callback (no currency_sent/currency_received).
pub const CALLBACK_CURRENT: &str = r#"{"id":123,"foreign_id":"operation_987","end_user_reference":"user_12345","type":"withdrawal",
 "crypto_address":{"id":123,"currency":"BTC","address":"tb1qurv0m4ufsj8xqejvmn0y43kqew33kvqrrxswgm","tag":null},
 "transactions":[{"id":999,"currency":"BTC","transaction_type":"blockchain","type":"withdrawal",
   "address":"tb1qurv0m4ufsj8xqejvmn0y43kqew33kvqrrxswgm","tag":null,"amount":"0.01000000",
   "txid":"bb040d895ef7141ea0b06b04227d8f5dd4ee12d5b890e6e5633f6439393a666b","confirmations":"0"}],
 "fees":[],"error":"","status":"confirmed"}"#;

/// The older withdrawal callback, with currency_sent/currency_received and fees.
pub const CALLBACK_OLDER: &str = r#"{"id":1,"foreign_id":"1","end_user_reference":"12345","type":"withdrawal",
 "crypto_address":{"id":1,"currency":"BTC","address":"115Mn1jCjBh1CNqug7yAB21Hq2rw8PfmTA","tag":null},
 "currency_sent":{"currency":"BTC","amount":"0.02000000"},"currency_received":{"currency":"BTC","amount":"0.02000000"},
 "transactions":[{"id":1,"currency":"BTC","transaction_type":"blockchain","type":"withdrawal","address":"115Mn1jCjBh1CNqug7yAB21Hq2rw8PfmTA","tag":null,"amount":"0.02","txid":"bb040d895ef7141ea0b06b04227d8f5dd4ee12d5b890e6e5633f6439393a666b","confirmations":3}],
 "fees":[{"type":"mining","currency":"BTC","amount":"0.00007402"},{"type":"withdrawal","currency":"BTC","amount":"0.00002000"}],
 "error":"","status":"confirmed"}"#;

/// A withdrawal with exchange (EUR → BTC). The documents give it in fragments (type,
/// currency_sent/currency_received, the exchange leg, `convert_to` on the address); this is those
/// fragments put together in the shape of the other callbacks, ids and hashes made up.
pub const CALLBACK_EXCHANGE: &str = r#"{"id":2686510,"foreign_id":"470","end_user_reference":"user_777","type":"withdrawal_exchange",
 "crypto_address":{"id":382270,"currency":"EUR","convert_to":"BTC","address":"2N2vxXDpnKBt5AasUPABfTP5uAHmDcmbqQN","tag":null},
 "currency_sent":{"currency":"EUR","amount":"804.25693204"},"currency_received":{"currency":"BTC","amount":"0.01000000"},
 "transactions":[
   {"id":714444,"currency":"EUR","currency_to":"BTC","transaction_type":"exchange","type":"exchange","amount":"804.25693204","amount_to":"0.01000000"},
   {"id":714445,"currency":"BTC","transaction_type":"blockchain","type":"withdrawal","address":"2N2vxXDpnKBt5AasUPABfTP5uAHmDcmbqQN","tag":null,"amount":"0.01000000","txid":"4a7e5c4b6a4b7f30ad6cc0ea30a1e5a8e0e2a0c1a9d0d1e7f9b8f4c3d2e1f0a9","confirmations":1}],
 "fees":[{"type":"exchange","currency":"EUR","amount":"4.02128466"},{"type":"mining","currency":"BTC","amount":"0.00000800"}],
 "error":"","status":"confirmed"}"#;

pub mod sim;

/// Answers every create (`POST /withdrawal/crypto`) on `server` with `status` and `body`.
pub async fn answer_create(server: &MockServer, status: u16, body: &str) {
    answer(server, "POST", "/withdrawal/crypto", status, body).await;
}

/// Answers every lookup (`GET /transactions/info`) on `server` with `status` and `body`.
pub async fn answer_info(server: &MockServer, status: u16, body: &str) {
    answer(server, "GET", "/transactions/info", status, body).await;
}

async fn answer(server: &MockServer, verb: &str, route: &str, status: u16, body: &str) {
    Mock::given(method(verb))
        .and(path(format!("{BASE}{route}")))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(server)
        .await;
}
