//! Settings of an [`AlpPayClient`]: the two keys, the base URL and the
//! HTTP settings, from code or from the environment.

use payout_core::PayoutError;
use payout_core::http::{BuilderSettings, HttpConfig, KeyName, Keys};
use secrecy::SecretString;
use url::Url;

use crate::client::AlpPayClient;

/// AlpPay's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.alppay.io/v2";
/// The environment variable holding the API key (`API-KEY` header).
pub const ENV_API_KEY: &str = "ALPPAY_API_KEY";
/// The environment variable holding the HMAC key (`X-HMAC` signatures and webhooks).
pub const ENV_HMAC_KEY: &str = "ALPPAY_HMAC_KEY";
/// The environment variable holding the base URL; [`DEFAULT_BASE_URL`] when unset.
pub const ENV_BASE_URL: &str = "ALPPAY_BASE_URL";

/// Everything an [`AlpPayClient`] needs: the API key, the HMAC key, the base URL and the HTTP
/// settings. Checked when built, so a client built from it only fails on the wire.
///
/// `Debug` never shows a key:
///
/// ```
/// use payout_alppay::AlpPayConfig;
/// let config = AlpPayConfig::builder().api_key("ak_live_secret").hmac_key("sk_live_secret").config().unwrap();
/// assert_eq!(config.base_url().as_str(), "https://api.alppay.io/v2");
/// assert!(!format!("{config:?}").contains("secret"));
/// ```
#[derive(Clone, Debug)]
pub struct AlpPayConfig {
    pub(crate) api_key: SecretString,
    pub(crate) hmac_key: SecretString,
    pub(crate) base_url: Url,
    pub(crate) http: HttpConfig,
    pub(crate) duplicate_check: bool,
}

impl AlpPayConfig {
    payout_core::http_config_accessors!(AlpPayBuilder, "AlpPay");

    /// Whether creates look the reference up first (see [`AlpPayBuilder::duplicate_check`]).
    pub fn duplicate_check(&self) -> bool {
        self.duplicate_check
    }
}

/// Builds an [`AlpPayConfig`] or an [`AlpPayClient`], with sensible defaults for everything but
/// the two keys.
///
/// ```
/// use std::time::Duration;
/// use payout_alppay::AlpPayClient;
/// use payout_core::http::RetryPolicy;
///
/// let client = AlpPayClient::builder()
///     .api_key("ak_live_1234567890abcdef")
///     .hmac_key("sk_live_abcdef1234567890")
///     .base_url("http://127.0.0.1:8080/v2")          // plain http:// only for loopback hosts
///     .timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::default().with_max_retries(5))
///     .build()
///     .unwrap();
/// # let _ = client;
///
/// let err = AlpPayClient::builder().hmac_key("k").build().unwrap_err();
/// assert!(err.to_string().contains("ALPPAY_API_KEY"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct AlpPayBuilder {
    keys: Keys<2>,
    settings: BuilderSettings,
    duplicate_check: Option<bool>,
}

/// The two keys, by environment variable and builder method.
const KEYS: [KeyName; 2] = [KeyName::new(ENV_API_KEY, "api_key"), KeyName::new(ENV_HMAC_KEY, "hmac_key")];

impl AlpPayBuilder {
    /// Like [`AlpPayBuilder::from_env`], reading the variables through `lookup` (for settings
    /// kept elsewhere than the process environment, and for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let settings = BuilderSettings::from_lookup(&lookup, ENV_BASE_URL);
        Self { keys: Keys::from_lookup(&lookup, KEYS), settings, duplicate_check: None }
    }

    payout_core::key_setters! {
        /// The API key, sent in the `API-KEY` header (required).
        api_key => 0,
        /// The HMAC key that signs request bodies (`X-HMAC`) and webhooks (required).
        hmac_key => 1,
    }

    payout_core::http_builder_setters!("AlpPay", AlpPayClient);

    payout_core::setters! {
        /// Whether a create first looks its reference up (`GET /withdrawal?invoices=`) and
        /// refuses with [`PayoutError::DuplicateReference`] when AlpPay already holds a
        /// withdrawal for it (on by default).
        ///
        /// AlpPay does not document that `invoice` is unique, so without this check a reference
        /// used twice is paid twice. The check costs one read per create and cannot close the
        /// window between two creates of the same reference racing each other; turn it off only
        /// when your own system guarantees unique references.
        duplicate_check(on: bool) => Some(duplicate_check);
    }

    /// Checks the settings and returns the configuration.
    pub fn config(self) -> Result<AlpPayConfig, PayoutError> {
        let [api_key, hmac_key] = self
            .keys
            .require(KEYS, "the API key from Dashboard → Settings → API Keys and the HMAC key AlpPay support issued")?;
        let (base_url, http) = self.settings.endpoint("AlpPay", ENV_BASE_URL, DEFAULT_BASE_URL)?;
        Ok(AlpPayConfig { api_key, hmac_key, base_url, http, duplicate_check: self.duplicate_check.unwrap_or(true) })
    }
}

payout_core::provider_builder!(AlpPayBuilder);

#[cfg(test)]
mod tests {
    use super::*;
    use payout_core::http::lookup_in;

    #[test]
    fn env_names_the_missing_variable() {
        // What the environment holds, and the one variable the error names as not set.
        let cases: [(&[(&str, &str)], &str); 3] = [
            (&[(ENV_HMAC_KEY, "h")], ENV_API_KEY),
            (&[(ENV_API_KEY, "a")], ENV_HMAC_KEY),
            (&[(ENV_API_KEY, " "), (ENV_HMAC_KEY, "h")], ENV_API_KEY),
        ];
        for (set, missing) in cases {
            let e = AlpPayBuilder::from_lookup(lookup_in(set)).config().unwrap_err();
            assert_eq!(e.kind(), payout_core::ErrorKind::Configuration);
            assert!(e.to_string().contains(&format!("{missing} not set")), "{e}");
        }
    }

    #[test]
    fn env_base_url_defaults_and_checks_loopback() {
        let c = AlpPayBuilder::from_lookup(lookup_in(&[(ENV_API_KEY, "a"), (ENV_HMAC_KEY, "h")])).config().unwrap();
        assert_eq!(c.base_url().as_str(), DEFAULT_BASE_URL);
        assert!(c.duplicate_check());

        let c = AlpPayBuilder::from_lookup(lookup_in(&[
            (ENV_API_KEY, "a"),
            (ENV_HMAC_KEY, "h"),
            (ENV_BASE_URL, "http://127.0.0.1:9/alppay/v2/"),
        ]))
        .config()
        .unwrap();
        assert_eq!(c.base_url().as_str(), "http://127.0.0.1:9/alppay/v2");

        let e = AlpPayBuilder::from_lookup(lookup_in(&[
            (ENV_API_KEY, "a"),
            (ENV_HMAC_KEY, "h"),
            (ENV_BASE_URL, "http://api.alppay.io/v2"),
        ]))
        .config()
        .unwrap_err();
        assert!(e.to_string().contains(ENV_BASE_URL), "{e}");
    }

    #[test]
    fn debug_hides_keys() {
        let b = AlpPayBuilder::default().api_key("ak_live_TOPSECRET1").hmac_key("sk_live_TOPSECRET2");
        assert!(!format!("{b:?}").contains("TOPSECRET"));
        let c = b.config().unwrap();
        assert!(!format!("{c:?}").contains("TOPSECRET"));
        assert!(!format!("{:?}", c.clone()).contains("TOPSECRET"));
    }
}
