//! Settings of a [`CryptomusClient`]: the merchant uuid, the payout API key, the base URL, the
//! HTTP settings and the services cache, from code or from the environment.

use std::time::Duration;

use payout_core::PayoutError;
use payout_core::http::{BuilderSettings, HttpConfig, KeyName, Keys};
use secrecy::SecretString;
use url::Url;

use crate::client::CryptomusClient;

/// Cryptomus's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.cryptomus.com/v1";
/// The environment variable holding the merchant uuid (`merchant` header).
pub const ENV_MERCHANT: &str = "CRYPTOMUS_MERCHANT";
/// The environment variable holding the payout API key (request signatures and webhooks).
pub const ENV_PAYOUT_KEY: &str = "CRYPTOMUS_PAYOUT_KEY";
/// The environment variable holding the base URL; [`DEFAULT_BASE_URL`] when unset.
pub const ENV_BASE_URL: &str = "CRYPTOMUS_BASE_URL";

/// How long the services table (limits per currency and network) is kept before it is read
/// again, unless set.
pub const DEFAULT_SERVICES_TTL: Duration = Duration::from_secs(600);

/// Everything a [`CryptomusClient`] needs: the merchant uuid, the payout key, the base URL, the
/// HTTP settings and how the services table is used. Checked when built.
///
/// `Debug` never shows the key (nor the merchant uuid, which with the key is the account):
///
/// ```
/// use payout_cryptomus::CryptomusConfig;
/// let config = CryptomusConfig::builder().merchant("m-uuid-secret").payout_key("pk_secret").config().unwrap();
/// assert_eq!(config.base_url().as_str(), "https://api.cryptomus.com/v1");
/// assert!(!format!("{config:?}").contains("secret"));
/// ```
#[derive(Clone, Debug)]
pub struct CryptomusConfig {
    pub(crate) merchant: SecretString,
    pub(crate) payout_key: SecretString,
    pub(crate) base_url: Url,
    pub(crate) http: HttpConfig,
    pub(crate) services_check: bool,
    pub(crate) services_ttl: Duration,
}

impl CryptomusConfig {
    payout_core::http_config_accessors!(CryptomusBuilder, "Cryptomus");

    /// Whether creates are checked against the services table first (see
    /// [`CryptomusBuilder::services_check`]).
    pub fn services_check(&self) -> bool {
        self.services_check
    }

    /// How long the services table is kept.
    pub fn services_ttl(&self) -> Duration {
        self.services_ttl
    }
}

/// Builds a [`CryptomusConfig`] or a [`CryptomusClient`], with sensible defaults for everything
/// but the merchant uuid and the payout key.
///
/// ```
/// use std::time::Duration;
/// use payout_cryptomus::CryptomusClient;
///
/// let client = CryptomusClient::builder()
///     .merchant("8b03432e-385b-4670-8d06-064591096795")
///     .payout_key("test-payout-key")
///     .base_url("http://127.0.0.1:8080/v1")          // plain http:// only for loopback hosts
///     .timeout(Duration::from_secs(10))
///     .build()
///     .unwrap();
/// # let _ = client;
///
/// let err = CryptomusClient::builder().merchant("m").build().unwrap_err();
/// assert!(err.to_string().contains("CRYPTOMUS_PAYOUT_KEY"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct CryptomusBuilder {
    keys: Keys<2>,
    settings: BuilderSettings,
    services_check: Option<bool>,
    services_ttl: Option<Duration>,
}

/// The merchant uuid and the payout key, by environment variable and builder method.
const KEYS: [KeyName; 2] = [KeyName::new(ENV_MERCHANT, "merchant"), KeyName::new(ENV_PAYOUT_KEY, "payout_key")];

impl CryptomusBuilder {
    /// Like [`CryptomusBuilder::from_env`], reading the variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let settings = BuilderSettings::from_lookup(&lookup, ENV_BASE_URL);
        Self { keys: Keys::from_lookup(&lookup, KEYS), settings, services_check: None, services_ttl: None }
    }

    payout_core::key_setters! {
        /// The merchant uuid, sent in the `merchant` header (required).
        merchant => 0,
        /// The payout API key, which signs requests (`sign`) and payout webhooks (required). It
        /// is not the payment key: Cryptomus issues one of each.
        payout_key => 1,
    }

    payout_core::http_builder_setters!("Cryptomus", CryptomusClient);

    payout_core::setters! {
        /// Whether a create is first checked against the services table (`POST
        /// /payout/services`: whether the currency and network are offered and available, and
        /// the amount within their limits), so that such a create is refused before sending (on
        /// by default). The table is read at most once per [`services_ttl`](Self::services_ttl).
        services_check(on: bool) => Some(services_check);
        /// How long the services table is kept before it is read again
        /// ([`DEFAULT_SERVICES_TTL`] unless set).
        services_ttl(ttl: Duration) => Some(services_ttl);
    }

    /// Checks the settings and returns the configuration.
    pub fn config(self) -> Result<CryptomusConfig, PayoutError> {
        let [merchant, payout_key] = self.keys.require(
            KEYS,
            "the merchant uuid and the payout API key from the Cryptomus business dashboard (Settings → API)",
        )?;
        let (base_url, http) = self.settings.endpoint("Cryptomus", ENV_BASE_URL, DEFAULT_BASE_URL)?;
        Ok(CryptomusConfig {
            merchant,
            payout_key,
            base_url,
            http,
            services_check: self.services_check.unwrap_or(true),
            services_ttl: self.services_ttl.unwrap_or(DEFAULT_SERVICES_TTL),
        })
    }
}

payout_core::provider_builder!(CryptomusBuilder);

#[cfg(test)]
mod tests {
    use super::*;
    use payout_core::http::lookup_in;

    #[test]
    fn env_names_the_missing_variable() {
        let e = CryptomusBuilder::from_lookup(lookup_in(&[(ENV_MERCHANT, "m")])).config().unwrap_err();
        assert_eq!(e.kind(), payout_core::ErrorKind::Configuration);
        assert!(e.to_string().contains(ENV_PAYOUT_KEY), "{e}");
        assert!(!e.to_string().contains(ENV_MERCHANT), "the merchant is set: {e}");
        let e = CryptomusBuilder::from_lookup(lookup_in(&[])).config().unwrap_err();
        assert!(e.to_string().contains(ENV_MERCHANT) && e.to_string().contains(ENV_PAYOUT_KEY), "{e}");
    }

    #[test]
    fn env_sets_everything_and_the_default_base_url() {
        let c = CryptomusBuilder::from_lookup(lookup_in(&[(ENV_MERCHANT, "m-1"), (ENV_PAYOUT_KEY, " k-1\n")]))
            .config()
            .unwrap();
        assert_eq!(c.base_url().as_str(), DEFAULT_BASE_URL);
        assert!(c.services_check());
        assert_eq!(c.services_ttl(), DEFAULT_SERVICES_TTL);
        use secrecy::ExposeSecret;
        assert_eq!(c.payout_key.expose_secret(), "k-1", "trimmed");
        let c = CryptomusBuilder::from_lookup(lookup_in(&[
            (ENV_MERCHANT, "m-1"),
            (ENV_PAYOUT_KEY, "k-1"),
            (ENV_BASE_URL, "http://127.0.0.1:9/cryptomus/v1"),
        ]))
        .config()
        .unwrap();
        assert_eq!(c.base_url().as_str(), "http://127.0.0.1:9/cryptomus/v1");
    }

    #[test]
    fn plain_http_only_for_loopback() {
        let e = CryptomusBuilder::default()
            .merchant("m")
            .payout_key("k")
            .base_url("http://api.cryptomus.com/v1")
            .config()
            .unwrap_err();
        assert_eq!(e.kind(), payout_core::ErrorKind::Configuration);
    }

    #[test]
    fn debug_hides_the_secrets() {
        let b = CryptomusBuilder::default().merchant("MERCHANT-SECRET").payout_key("KEY-SECRET");
        let shown = format!("{b:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        let shown = format!("{:?}", b.config().unwrap());
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
