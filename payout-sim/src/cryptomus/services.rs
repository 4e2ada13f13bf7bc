//! The payout services table (`POST /payout/services`): which currency goes on which network,
//! within which limits and for which fee; with the balances and rates the simulator pays from.

use rust_decimal::Decimal;

/// One payout service: a currency on a network, as `/payout/services` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CryptomusService {
    /// `currency` (`USDT`).
    pub currency: String,
    /// `network`, upper case as the services list prints it (`TRON`).
    pub network: String,
    /// `is_available`: an unavailable service refuses payouts ("The service was not found").
    pub is_available: bool,
    /// `limit.min_amount`.
    pub min_amount: Decimal,
    /// `limit.max_amount`.
    pub max_amount: Decimal,
    /// `commission.fee_amount`, in the currency.
    pub fee_amount: Decimal,
    /// `commission.percent` of the amount.
    pub percent: Decimal,
}

impl CryptomusService {
    /// An available service with these limits and fees.
    pub fn new(currency: &str, network: &str, min: Decimal, max: Decimal, fee: Decimal, percent: Decimal) -> Self {
        Self {
            currency: currency.to_owned(),
            network: network.to_owned(),
            is_available: true,
            min_amount: min,
            max_amount: max,
            fee_amount: fee,
            percent,
        }
    }

    /// The same service, unavailable.
    pub fn unavailable(mut self) -> Self {
        self.is_available = false;
        self
    }

    /// The commission on `amount`: the fixed fee plus the percentage, rounded up to 8 decimals.
    pub(crate) fn commission(&self, amount: Decimal) -> Decimal {
        crate::amounts::round_up(self.fee_amount + amount * self.percent / Decimal::ONE_HUNDRED, 8)
    }
}

fn d(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap_or_default()
}

/// The services of the documented examples and the usual coins: USDT on TRON (min 0.5, max
/// 1,000,000, fee 1), POLYGON, BSC and ETH; TRX on TRON; LTC, BCH, BTC, ETH, DOGE on their own
/// networks. Fees are fixed, `percent` 0.00 except BTC (0.50).
pub fn default_services() -> Vec<CryptomusService> {
    let s = |c, n, min, max, fee, pct| CryptomusService::new(c, n, d(min), d(max), d(fee), d(pct));
    vec![
        s("USDT", "TRON", "0.5", "1000000", "1", "0"),
        s("USDT", "POLYGON", "0.5", "1000000", "0.1", "0"),
        s("USDT", "BSC", "0.5", "1000000", "0.3", "0"),
        s("USDT", "ETH", "10", "1000000", "5", "0"),
        s("TRX", "TRON", "1", "10000000", "1", "0"),
        s("LTC", "LTC", "0.01", "10000", "0.0001", "0"),
        s("BCH", "BCH", "0.001", "10000", "0.0001", "0"),
        s("BTC", "BTC", "0.0001", "100", "0.00005", "0.5"),
        s("ETH", "ETH", "0.001", "1000", "0.0005", "0"),
        s("DOGE", "DOGE", "10", "10000000", "2", "0"),
    ]
}

/// One million of every crypto currency of [`default_services`].
pub fn default_balances() -> Vec<(String, Decimal)> {
    ["USDT", "TRX", "LTC", "BCH", "BTC", "ETH", "DOGE"]
        .into_iter()
        .map(|c| (c.to_owned(), Decimal::from(1_000_000)))
        .collect()
}

/// Fixed USD values (fiat USD and EUR; the coins of [`default_services`]), so conversions are
/// reproducible.
pub fn default_rates() -> Vec<(String, Decimal)> {
    [
        ("USD", "1"),
        ("EUR", "1.08"),
        ("USDT", "1"),
        ("TRX", "0.25"),
        ("LTC", "80"),
        ("BCH", "400"),
        ("BTC", "60000"),
        ("ETH", "3000"),
        ("DOGE", "0.15"),
    ]
    .into_iter()
    .map(|(c, r)| (c.to_owned(), d(r)))
    .collect()
}
