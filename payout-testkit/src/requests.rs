//! The valid requests the providers' simulators accept, written once for the provider crates'
//! test suites and the journal's (which run against the same simulators): each a
//! [`RequestTemplate`] the shared suites add a reference to, and a test adjusts with struct
//! update syntax (`RequestTemplate { amount, ..requests::cryptomus() }`).
//!
//! ```
//! use payout_testkit::conformance::RequestTemplate;
//! use payout_testkit::requests;
//!
//! let five = RequestTemplate { amount: "5".parse().unwrap(), ..requests::cryptomus() };
//! let request = five.build("order-1").unwrap();
//! assert_eq!(request.exact_amount().map(|a| a.to_string()).as_deref(), Some("5"));
//! ```

use payout_core::{Asset, Decimal, EndUser};

use crate::conformance::RequestTemplate;

/// AlpPay: 10.5 USDT on `tron` to a TRON address, for customer `42` with the name and e-mail
/// AlpPay requires.
pub fn alppay() -> RequestTemplate {
    RequestTemplate::new(
        Asset::new("USDT").on("tron"),
        Decimal::new(105, 1),
        "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n",
        EndUser::new("42").with_name("Test User").with_email("test@example.com"),
    )
}

/// Cryptomus: 10.5 USDT on `TRON` (a service its simulator offers) to a TRON address, for end
/// user `user-42`.
pub fn cryptomus() -> RequestTemplate {
    RequestTemplate::new(
        Asset::new("USDT").on("TRON"),
        Decimal::new(105, 1),
        "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm",
        EndUser::new("user-42"),
    )
}
