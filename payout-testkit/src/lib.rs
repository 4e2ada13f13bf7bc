//! # payout-testkit
//!
//! Test payout code without a provider account.

pub mod signing;
pub mod sim;
