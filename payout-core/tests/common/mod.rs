//! Shared builders for the core's tests.
#![allow(dead_code, missing_docs)]

use payout_core::{
    Asset, EndUser, ProviderId, Reference, Withdrawal, WithdrawalId, WithdrawalRequest, WithdrawalStatus,
};
use rust_decimal_macros::dec;

pub const ADDRESS: &str = "tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc";

pub fn request(reference: &str) -> WithdrawalRequest {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new("BTC"))
        .amount(dec!(0.00020000))
        .address(ADDRESS)
        .end_user(EndUser::new("user-1"))
        .build()
        .expect("a valid request")
}

pub fn withdrawal(id: &str, reference: &str, status: WithdrawalStatus) -> Withdrawal {
    let mut w = Withdrawal::new(ProviderId::from_static("test"), WithdrawalId::new(id), status, status.as_str());
    w.reference = Some(Reference::new(reference).unwrap());
    w.amount = Some(dec!(0.0002));
    w.address = Some(ADDRESS.into());
    w.asset = Some(Asset::new("BTC"));
    w
}
