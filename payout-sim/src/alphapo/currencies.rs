//! The currencies the AlphaPo simulator knows, with precision, minimum, a fixed EUR rate for
//! conversions and a starting balance.
//!
//! The documents do not list AlphaPo's currency codes; this table is the simulator's choice:
//!
//! | code  | kind   | what                 | precision | minimum | EUR rate | balance   |
//! |-------|--------|----------------------|-----------|---------|----------|-----------|
//! | BTC   | crypto | Bitcoin              | 8         | 0.0001  | 60000    | 100       |
//! | LTC   | crypto | Litecoin             | 8         | 0.001   | 80       | 10000     |
//! | ETH   | crypto | Ether                | 8         | 0.001   | 3000     | 1000      |
//! | BCH   | crypto | Bitcoin Cash         | 8         | 0.001   | 400      | 10000     |
//! | DOGE  | crypto | Dogecoin             | 8         | 1       | 0.15     | 10000000  |
//! | XRP   | crypto | XRP (uses tags)      | 6         | 1       | 0.5      | 10000000  |
//! | TRX   | crypto | Tron                 | 6         | 1       | 0.12     | 10000000  |
//! | USDTT | crypto | USDT on tron         | 6         | 1       | 0.9      | 10000000  |
//! | USDTE | crypto | USDT on ethereum     | 6         | 1       | 0.9      | 10000000  |
//! | USDC  | crypto | USDC on ethereum     | 6         | 1       | 0.9      | 10000000  |
//! | EUR   | fiat   | Euro (source of `convert_to` only) | 2 | 10 | 1     | 1000000   |
//!
//! The rates are fixed and fictional, so conversions are reproducible.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Crypto or fiat, as `/currencies/list` prints it in `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurrencyKind {
    /// A crypto currency: can be withdrawn.
    Crypto,
    /// A fiat currency: only a source for a withdrawal with `convert_to`.
    Fiat,
}

/// One currency of the simulated merchant account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlphaPoCurrency {
    /// The code sent in `currency` (`BTC`).
    pub code: String,
    /// Crypto or fiat.
    pub kind: CurrencyKind,
    /// Decimal places an amount may have (answers print at least 8).
    pub precision: u32,
    /// The smallest amount a withdrawal may use.
    pub minimum: Decimal,
    /// The price of one unit in EUR, for conversions.
    pub eur_rate: Decimal,
    /// Whether the currency's addresses take a tag or memo (informational).
    pub uses_tag: bool,
    /// The starting balance of the merchant account.
    pub balance: Decimal,
}

impl AlphaPoCurrency {
    /// A currency of this kind; `balance` defaults to 1,000,000 units and `uses_tag` to false.
    pub fn new(code: &str, kind: CurrencyKind, precision: u32, minimum: Decimal, eur_rate: Decimal) -> Self {
        Self {
            code: code.to_owned(),
            kind,
            precision,
            minimum,
            eur_rate,
            uses_tag: false,
            balance: Decimal::new(1_000_000, 0),
        }
    }

    fn with(mut self, uses_tag: bool, balance: i64) -> Self {
        self.uses_tag = uses_tag;
        self.balance = Decimal::new(balance, 0);
        self
    }
}

/// The default table (see the module documentation).
pub fn default_currencies() -> Vec<AlphaPoCurrency> {
    use CurrencyKind::{Crypto, Fiat};
    let d = Decimal::new;
    vec![
        AlphaPoCurrency::new("BTC", Crypto, 8, d(1, 4), d(60_000, 0)).with(false, 100),
        AlphaPoCurrency::new("LTC", Crypto, 8, d(1, 3), d(80, 0)).with(false, 10_000),
        AlphaPoCurrency::new("ETH", Crypto, 8, d(1, 3), d(3_000, 0)).with(false, 1_000),
        AlphaPoCurrency::new("BCH", Crypto, 8, d(1, 3), d(400, 0)).with(false, 10_000),
        AlphaPoCurrency::new("DOGE", Crypto, 8, d(1, 0), d(15, 2)).with(false, 10_000_000),
        AlphaPoCurrency::new("XRP", Crypto, 6, d(1, 0), d(5, 1)).with(true, 10_000_000),
        AlphaPoCurrency::new("TRX", Crypto, 6, d(1, 0), d(12, 2)).with(false, 10_000_000),
        AlphaPoCurrency::new("USDTT", Crypto, 6, d(1, 0), d(9, 1)).with(false, 10_000_000),
        AlphaPoCurrency::new("USDTE", Crypto, 6, d(1, 0), d(9, 1)).with(false, 10_000_000),
        AlphaPoCurrency::new("USDC", Crypto, 6, d(1, 0), d(9, 1)).with(false, 10_000_000),
        AlphaPoCurrency::new("EUR", Fiat, 2, d(10, 0), d(1, 0)).with(false, 1_000_000),
    ]
}

/// Whether transaction hashes of this currency are written `0x…` (Ethereum-based).
pub(crate) fn hash_has_0x(code: &str) -> bool {
    matches!(code, "ETH" | "USDTE" | "USDC")
}
