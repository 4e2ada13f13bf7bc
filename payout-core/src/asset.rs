//! What is paid out: a symbol and, where a token lives on several chains, a network.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A crypto asset: a symbol (`USDT`) and an optional network (`tron`).
///
/// Each provider maps it to its own codes (AlpPay `{short, network}`, AlphaPo currency codes)
/// and refuses pairs it cannot name. When a provider has a code this library does not know,
/// pass it through with [`Asset::provider_code`].
///
/// ```
/// use payout_core::Asset;
/// let usdt = Asset::new("usdt").on("TRON");
/// assert_eq!(usdt.symbol(), "USDT");
/// assert_eq!(usdt.network(), Some("tron"));
/// assert_eq!(usdt.decimals(), Some(6));
/// assert_eq!(usdt.to_string(), "USDT on tron");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Asset {
    symbol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decimals: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    provider_code: bool,
}

/// Decimal places of common assets, used to refuse excess precision before anything is sent.
/// Providers may allow fewer (AlpPay takes at most 8); they check that themselves.
const KNOWN_DECIMALS: &[(&str, u32)] = &[
    ("ADA", 6),
    ("BCH", 8),
    ("BNB", 18),
    ("BTC", 8),
    ("DAI", 18),
    ("DASH", 8),
    ("DOGE", 8),
    ("ETH", 18),
    ("LTC", 8),
    ("SOL", 9),
    ("TON", 9),
    ("TRX", 6),
    ("USDC", 6),
    ("USDT", 6),
    ("XLM", 7),
    ("XRP", 6),
];

impl Asset {
    /// An asset by symbol; the symbol is upper-cased.
    pub fn new(symbol: impl Into<String>) -> Self {
        Self { symbol: symbol.into().trim().to_uppercase(), network: None, decimals: None, provider_code: false }
    }

    /// A provider's own currency code, sent as it is without mapping (`USDTT` on AlphaPo).
    pub fn provider_code(code: impl Into<String>) -> Self {
        Self { symbol: code.into().trim().to_owned(), network: None, decimals: None, provider_code: true }
    }

    /// The same asset on a network; the network is lower-cased.
    pub fn on(mut self, network: impl Into<String>) -> Self {
        let n = network.into().trim().to_lowercase();
        self.network = (!n.is_empty()).then_some(n);
        self
    }

    /// Overrides the number of decimal places an amount of this asset may use.
    pub fn with_decimals(mut self, decimals: u32) -> Self {
        self.decimals = Some(decimals);
        self
    }

    /// The symbol (`USDT`), or the provider code as given.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// The network (`tron`), if one was named.
    pub fn network(&self) -> Option<&str> {
        self.network.as_deref()
    }

    /// Whether this is a provider's own code to pass through unmapped.
    pub fn is_provider_code(&self) -> bool {
        self.provider_code
    }

    /// The decimal places an amount may use: the override, or the known value for the symbol.
    pub fn decimals(&self) -> Option<u32> {
        self.decimals.or_else(|| KNOWN_DECIMALS.iter().find(|(s, _)| *s == self.symbol).map(|(_, d)| *d))
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.network {
            Some(n) => write!(f, "{} on {n}", self.symbol),
            None => f.write_str(&self.symbol),
        }
    }
}

impl fmt::Debug for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Asset({self})")
    }
}
