//! Configuration: keys, base URL and HTTP settings, from code or from the environment.

use payout_core::PayoutError;
use payout_core::http::{BuilderSettings, HttpConfig, KeyName, Keys};
use secrecy::SecretString;
use url::Url;

use crate::client::AlphaPoClient;

/// AlphaPo's production API (there is no published AlphaPo sandbox host; point
/// [`AlphaPoBuilder::base_url`] at the sandbox your account manager gives you, or at a
/// local simulator).
pub const DEFAULT_BASE_URL: &str = "https://app.alphapo.net/api/v2";

/// The environment variable holding the API key (sent as `X-Processing-Key`).
pub const ENV_API_KEY: &str = "ALPHAPO_API_KEY";
/// The environment variable holding the API secret (the HMAC-SHA512 signing key).
pub const ENV_API_SECRET: &str = "ALPHAPO_API_SECRET";
/// The environment variable overriding the base URL (default [`DEFAULT_BASE_URL`]).
pub const ENV_BASE_URL: &str = "ALPHAPO_BASE_URL";

/// Everything an [`AlphaPoClient`] needs: the key pair, the base URL and HTTP settings.
///
/// `Debug` never shows the key or the secret:
///
/// ```
/// use payout_alphapo::AlphaPoConfig;
/// let config = AlphaPoConfig::builder().api_key("pk_live_1").api_secret("s3cr3t").config().unwrap();
/// let shown = format!("{config:?}");
/// assert!(!shown.contains("pk_live_1") && !shown.contains("s3cr3t"));
/// assert_eq!(config.base_url().as_str(), "https://app.alphapo.net/api/v2");
/// ```
#[derive(Clone, Debug)]
pub struct AlphaPoConfig {
    pub(crate) api_key: SecretString,
    pub(crate) api_secret: SecretString,
    pub(crate) base_url: Url,
    pub(crate) http: HttpConfig,
}

impl AlphaPoConfig {
    payout_core::http_config_accessors!(AlphaPoBuilder, "AlphaPo");

    /// The API key, for code that must show which key is configured. Handle with care.
    pub fn api_key(&self) -> &SecretString {
        &self.api_key
    }
}

/// Builds an [`AlphaPoClient`] (`build`) or its [`AlphaPoConfig`] (`config`) with sensible
/// defaults; the same shape as `payout_alppay::AlpPayBuilder`.
///
/// ```
/// use std::time::Duration;
/// use payout_alphapo::{AlphaPoClient, AlphaPoConfig};
/// use payout_core::http::RetryPolicy;
///
/// let client = AlphaPoClient::builder()
///     .api_key("pk_live_1")
///     .api_secret("s3cr3t")
///     .base_url("http://127.0.0.1:8080/api/v2") // plain http only for loopback
///     .timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::default().with_max_retries(5))
///     .build()
///     .unwrap();
/// # let _ = client;
/// assert!(AlphaPoConfig::builder().api_key("k").api_secret("s").base_url("http://example.com").build().is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct AlphaPoBuilder {
    keys: Keys<2>,
    settings: BuilderSettings,
}

/// The two secrets, by environment variable and builder method.
const KEYS: [KeyName; 2] = [KeyName::new(ENV_API_KEY, "api_key"), KeyName::new(ENV_API_SECRET, "api_secret")];

impl AlphaPoBuilder {
    /// Like [`AlphaPoBuilder::from_env`], reading the variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        Self { keys: Keys::from_lookup(&lookup, KEYS), settings: BuilderSettings::from_lookup(&lookup, ENV_BASE_URL) }
    }

    payout_core::key_setters! {
        /// The API key (`X-Processing-Key`). Required.
        api_key => 0,
        /// The API secret that signs requests and callbacks. Required.
        api_secret => 1,
    }

    payout_core::http_builder_setters!("AlphaPo", AlphaPoClient);

    /// Checks the settings and returns the configuration.
    pub fn config(self) -> Result<AlphaPoConfig, PayoutError> {
        let [api_key, api_secret] =
            self.keys.require(KEYS, "the AlphaPo API key and secret from the dashboard's API settings")?;
        let (base_url, http) = self.settings.endpoint("AlphaPo", ENV_BASE_URL, DEFAULT_BASE_URL)?;
        Ok(AlphaPoConfig { api_key, api_secret, base_url, http })
    }
}

payout_core::provider_builder!(AlphaPoBuilder);

#[cfg(test)]
mod tests {
    use super::*;
    use payout_core::ErrorKind;
    use payout_core::http::lookup_in;
    use secrecy::ExposeSecret;

    #[test]
    fn from_env_reads_all_three() {
        let c = AlphaPoConfig::from_lookup(lookup_in(&[
            ("ALPHAPO_API_KEY", "key-1"),
            ("ALPHAPO_API_SECRET", "secret-1"),
            ("ALPHAPO_BASE_URL", "http://127.0.0.1:9/alphapo/api/v2/"),
        ]))
        .unwrap();
        assert_eq!(c.base_url().as_str(), "http://127.0.0.1:9/alphapo/api/v2");
        assert_eq!(c.api_key.expose_secret(), "key-1");
        assert_eq!(c.api_secret.expose_secret(), "secret-1");
    }

    #[test]
    fn from_env_defaults_the_base_url() {
        let c =
            AlphaPoConfig::from_lookup(lookup_in(&[("ALPHAPO_API_KEY", "k"), ("ALPHAPO_API_SECRET", "s")])).unwrap();
        assert_eq!(c.base_url().as_str(), DEFAULT_BASE_URL);
    }

    #[test]
    fn from_env_names_what_is_missing() {
        let e = AlphaPoConfig::from_lookup(lookup_in(&[])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.to_string().contains("ALPHAPO_API_KEY and ALPHAPO_API_SECRET not set"), "{e}");
        let e = AlphaPoConfig::from_lookup(lookup_in(&[("ALPHAPO_API_KEY", "k"), ("ALPHAPO_API_SECRET", "  ")]))
            .unwrap_err();
        assert!(e.to_string().contains("ALPHAPO_API_SECRET not set"), "{e}");
        assert!(!e.to_string().contains("ALPHAPO_API_KEY not"), "{e}");
    }

    #[test]
    fn from_env_refuses_plain_http_off_loopback_naming_the_variable() {
        let e = AlphaPoConfig::from_lookup(lookup_in(&[
            ("ALPHAPO_API_KEY", "k"),
            ("ALPHAPO_API_SECRET", "s"),
            ("ALPHAPO_BASE_URL", "http://app.alphapo.net/api/v2"),
        ]))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.to_string().contains("ALPHAPO_BASE_URL"), "{e}");
    }

    #[test]
    fn builder_requires_key_and_secret() {
        let e = AlphaPoConfig::builder().api_secret("s").build().unwrap_err();
        assert!(e.to_string().contains("ALPHAPO_API_KEY not set") && e.to_string().contains(".api_key(..)"), "{e}");
        let e = AlphaPoConfig::builder().api_key("k").build().unwrap_err();
        assert!(
            e.to_string().contains("ALPHAPO_API_SECRET not set") && !e.to_string().contains("ALPHAPO_API_KEY"),
            "{e}"
        );
    }

    #[test]
    fn debug_hides_key_and_secret() {
        let b = AlphaPoConfig::builder().api_key("the-key-123").api_secret("the-secret-456");
        let shown = format!("{b:?}");
        assert!(!shown.contains("the-key-123") && !shown.contains("the-secret-456"), "{shown}");
        let c = b.config().unwrap();
        let shown = format!("{c:?} {c:#?}");
        assert!(!shown.contains("the-key-123") && !shown.contains("the-secret-456"), "{shown}");
        assert!(shown.contains("REDACTED"));
    }
}
