//! What the integration tests share: keys, a client pointed at a wiremock server, fixtures.
#![allow(dead_code)]

pub mod sim;

use payout_alppay::{AlpPayBuilder, AlpPayClient};
use payout_core::{Asset, Decimal, EndUser, WithdrawalRequest};
use wiremock::MockServer;

pub const API_KEY: &str = "ak_test_TOPSECRETapikey";
pub const HMAC_KEY: &str = "sk_test_TOPSECREThmackey";

pub const OPEN: &str = include_str!("../fixtures/withdrawal_open.json");
pub const COMPLETE: &str = include_str!("../fixtures/withdrawal_complete.json");
pub const LEGACY: &str = include_str!("../fixtures/withdrawal_get_legacy.json");
pub const REDUCED: &str = include_str!("../fixtures/withdrawal_reduced.json");
pub const LIST: &str = include_str!("../fixtures/list.json");
pub const LIST_REDUCED: &str = include_str!("../fixtures/list_reduced.json");

pub use payout_sim::backend::fast_retry;

pub fn builder(server: &MockServer) -> AlpPayBuilder {
    AlpPayClient::builder()
        .api_key(API_KEY)
        .hmac_key(HMAC_KEY)
        .base_url(format!("{}/v2", server.uri()))
        .retry(fast_retry())
}

pub fn client(server: &MockServer) -> AlpPayClient {
    builder(server).build().unwrap()
}

/// A client whose creates skip the reference lookup, for tests about the POST alone.
pub fn client_without_check(server: &MockServer) -> AlpPayClient {
    builder(server).duplicate_check(false).build().unwrap()
}

pub fn request(reference: &str) -> WithdrawalRequest {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new("USDT").on("tron"))
        .amount(Decimal::from_str_exact("10").unwrap())
        .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
        .end_user(EndUser::new("1").with_name("Customer Name").with_email("customer@example.com"))
        .build()
        .unwrap()
}

/// An OPEN withdrawal object with this id, invoice and creation time.
pub fn withdrawal(id: &str, invoice: &str, created_at: &str) -> serde_json::Value {
    let mut w: serde_json::Value = serde_json::from_str(OPEN).unwrap();
    w["id"] = id.into();
    w["invoice"] = invoice.into();
    w["createdAt"] = created_at.into();
    w
}

pub fn envelope(items: Vec<serde_json::Value>, page: u32, limit: u32, total: u64) -> serde_json::Value {
    serde_json::json!({ "data": items, "page": page, "limit": limit, "total": total })
}

/// A loopback base URL nothing listens on.
pub fn refused_base_url() -> String {
    payout_sim::net::refused_url("/v2")
}
