//! What every provider's builder holds, and its setters, written once: a builder embeds its
//! [`Keys`] as `keys` and [`BuilderSettings`] as `settings`, and calls
//! [`http_builder_setters!`](crate::http_builder_setters) inside its `impl`.

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::base_url::base_url;
use super::config::HttpConfig;
use crate::error::PayoutError;

/// The base URL asked for (checked when the builder builds) and the HTTP settings.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct BuilderSettings {
    /// The base URL asked for; the provider's default when `None`.
    pub base_url: Option<String>,
    /// Timeouts, retry policy, response bound, an optional caller-supplied client.
    pub http: HttpConfig,
}

impl BuilderSettings {
    /// The settings as the environment gives them through `lookup`: the base URL from
    /// `base_url_var` (unset or blank: the provider's default), HTTP settings by default.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>, base_url_var: &str) -> Self {
        Self { base_url: lookup(base_url_var).filter(|u| !u.trim().is_empty()), http: HttpConfig::default() }
    }

    /// The checked base URL (`default` unless one was set; errors name `provider` and
    /// `base_url_var`) and the HTTP settings.
    pub fn endpoint(self, provider: &str, base_url_var: &str, default: &str) -> Result<(Url, HttpConfig), PayoutError> {
        let setting = format!("the {provider} base URL ({base_url_var} or .base_url(..))");
        let url = base_url(&setting, self.base_url.as_deref().unwrap_or(default))?;
        Ok((url, self.http))
    }
}

/// A secret a builder requires: its value, if given, the environment variable and the builder
/// method that give it.
pub type Required<'a> = (Option<SecretString>, &'a str, &'a str);

/// The secrets a builder requires, each trimmed (a key pasted with a trailing newline is the same
/// key), or one configuration error naming every one that is missing or blank by its environment
/// variable and builder method, with `hint` saying where the provider issues them. The values
/// never appear in the error.
///
/// ```
/// use payout_core::http::required_secrets;
/// let err = required_secrets("the keys from the dashboard", [
///     (Some("k ".into()), "ACME_KEY", "key"),
///     (Some(" ".into()), "ACME_SECRET", "secret"),
/// ]).unwrap_err();
/// assert!(err.to_string().contains("ACME_SECRET not set"), "{err}");
/// assert!(err.to_string().contains(".secret(..)"), "{err}");
/// ```
pub fn required_secrets<const N: usize>(
    hint: &str,
    wanted: [Required<'_>; N],
) -> Result<[SecretString; N], PayoutError> {
    let missing: Vec<_> =
        wanted.iter().filter(|(v, ..)| v.as_ref().is_none_or(|v| v.expose_secret().trim().is_empty())).collect();
    if !missing.is_empty() {
        let vars: Vec<_> = missing.iter().map(|(_, var, _)| *var).collect();
        let methods: Vec<_> = missing.iter().map(|(.., method)| format!(".{method}(..)")).collect();
        return Err(PayoutError::configuration(format!(
            "{} not set: give {hint} (in the environment, or with the builder's {})",
            vars.join(" and "),
            methods.join(" and ")
        )));
    }
    Ok(wanted.map(|(v, ..)| SecretString::from(v.as_ref().map_or("", |v| v.expose_secret().trim()))))
}

/// One secret a builder takes: the environment variable and the builder method that give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyName {
    /// The environment variable (`ALPHAPO_API_KEY`).
    pub var: &'static str,
    /// The builder method (`api_key`).
    pub method: &'static str,
}

impl KeyName {
    /// The secret given by `var` or `.method(..)`.
    pub const fn new(var: &'static str, method: &'static str) -> Self {
        Self { var, method }
    }
}

/// A `lookup` for a builder's `from_lookup` over fixed `(variable, value)` pairs: settings kept
/// elsewhere than the process environment, or a test's environment.
///
/// ```
/// let lookup = payout_core::http::lookup_in(&[("ACME_KEY", "k1")]);
/// assert_eq!(lookup("ACME_KEY").as_deref(), Some("k1"));
/// assert_eq!(lookup("ACME_SECRET"), None);
/// ```
pub fn lookup_in<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| pairs.iter().find(|(var, _)| *var == name).map(|(_, value)| (*value).to_owned())
}

/// The secrets a provider's builder requires, as given so far, in the order of its
/// [`KeyName`]s. `Debug` shows whether each is set, never its value.
///
/// ```
/// use payout_core::http::{KeyName, Keys};
/// const KEYS: [KeyName; 2] = [KeyName::new("ACME_KEY", "key"), KeyName::new("ACME_SECRET", "secret")];
///
/// let mut keys = Keys::from_lookup(&|var| (var == "ACME_KEY").then(|| "k1".to_owned()), KEYS);
/// assert_eq!(format!("{keys:?}"), r#"["[REDACTED]", "<unset>"]"#);
/// let err = keys.clone().require(KEYS, "the keys from the dashboard").unwrap_err();
/// assert!(err.to_string().contains("ACME_SECRET not set"), "{err}");
///
/// keys.set(1, "s1".into());
/// let [_key, _secret] = keys.require(KEYS, "the keys from the dashboard").unwrap();
/// ```
#[derive(Clone)]
pub struct Keys<const N: usize> {
    values: [Option<SecretString>; N],
}

impl<const N: usize> Default for Keys<N> {
    fn default() -> Self {
        Self { values: std::array::from_fn(|_| None) }
    }
}

impl<const N: usize> Keys<N> {
    /// The secrets `names` as the environment gives them through `lookup`.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>, names: [KeyName; N]) -> Self {
        Self { values: names.map(|n| lookup(n.var).map(SecretString::from)) }
    }

    /// Sets the `index`th secret.
    pub fn set(&mut self, index: usize, value: SecretString) {
        if let Some(slot) = self.values.get_mut(index) {
            *slot = Some(value);
        }
    }

    /// Every secret, trimmed, or one error naming each missing one by its `names` entry, with
    /// `hint` saying where the provider issues them ([`required_secrets`]).
    pub fn require(self, names: [KeyName; N], hint: &str) -> Result<[SecretString; N], PayoutError> {
        let mut values = self.values.into_iter();
        required_secrets(hint, names.map(|n| (values.next().flatten(), n.var, n.method)))
    }
}

impl<const N: usize> std::fmt::Debug for Keys<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.values.iter().map(shown)).finish()
    }
}

/// How a builder's `Debug` shows a secret: whether it is set, never what it is.
pub fn shown(secret: &Option<SecretString>) -> &'static str {
    if secret.is_some() { "[REDACTED]" } else { "<unset>" }
}

/// Writes a builder's key setters inside its `impl`, each storing its secret in the builder's
/// `keys` field (a [`Keys`]) at its index, in the order of the builder's [`KeyName`]s.
///
/// ```
/// use payout_core::http::{KeyName, Keys};
///
/// #[derive(Default)]
/// pub struct AcmeBuilder {
///     keys: Keys<2>,
/// }
///
/// const KEYS: [KeyName; 2] = [KeyName::new("ACME_KEY", "key"), KeyName::new("ACME_SECRET", "secret")];
///
/// impl AcmeBuilder {
///     payout_core::key_setters! {
///         /// The API key (required).
///         key => 0,
///         /// The signing secret (required).
///         secret => 1,
///     }
/// }
///
/// let keys = AcmeBuilder::default().key("k").secret(String::from("s")).keys;
/// assert!(keys.require(KEYS, "the keys").is_ok());
/// ```
#[macro_export]
macro_rules! key_setters {
    ($($(#[$attr:meta])* $name:ident => $index:literal),+ $(,)?) => {
        $(
            $(#[$attr])*
            pub fn $name(mut self, value: impl Into<$crate::http::SecretString>) -> Self {
                self.keys.set($index, value.into());
                self
            }
        )+
    };
}

/// A provider's builder as code generic over providers uses it (payout-sim's suites, an
/// application's own provider factory): the settings every builder shares, changed in place,
/// and the provider it builds. [`provider_builder!`](crate::provider_builder) implements it for a
/// builder written with [`http_builder_setters!`](crate::http_builder_setters).
pub trait ProviderBuilder: Sized {
    /// The base URL and HTTP settings, to change before building.
    fn settings_mut(&mut self) -> &mut BuilderSettings;
    /// Checks the settings and builds the provider.
    fn build_provider(self) -> Result<std::sync::Arc<dyn crate::PayoutProvider>, PayoutError>;
}

/// Implements [`ProviderBuilder`] for a builder whose `settings` field is a [`BuilderSettings`]
/// and whose `build()` (from [`http_builder_setters!`](crate::http_builder_setters) with a client
/// type) builds a [`PayoutProvider`](crate::PayoutProvider).
#[macro_export]
macro_rules! provider_builder {
    ($builder:ty) => {
        impl $crate::http::ProviderBuilder for $builder {
            fn settings_mut(&mut self) -> &mut $crate::http::BuilderSettings {
                &mut self.settings
            }

            fn build_provider(
                self,
            ) -> ::std::result::Result<::std::sync::Arc<dyn $crate::PayoutProvider>, $crate::PayoutError> {
                Ok(::std::sync::Arc::new(self.build()?))
            }
        }
    };
}

/// Writes `from_env` and the setters every provider's builder shares (`base_url`, `http`,
/// `timeout`, `connect_timeout`, `retry`, `max_response_bytes`, `client`) inside
/// `impl YourBuilder { .. }`, for a builder whose `settings` field is a [`BuilderSettings`] and
/// that has its own `from_lookup`. The first argument names the provider in their docs; a
/// second, the client type, adds `build()`: `Client::new(self.config()?)`, for a builder with
/// its own `config()`.
///
/// ```
/// use payout_core::http::BuilderSettings;
///
/// #[derive(Default)]
/// pub struct AcmeBuilder {
///     settings: BuilderSettings,
/// }
///
/// /// The provider's production API.
/// pub const DEFAULT_BASE_URL: &str = "https://api.acme.example/v1";
///
/// impl AcmeBuilder {
///     payout_core::http_builder_setters!("Acme");
///
///     pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
///         Self { settings: BuilderSettings::from_lookup(&lookup, "ACME_BASE_URL") }
///     }
/// }
///
/// let b = AcmeBuilder::default().base_url("http://127.0.0.1:9/v1").timeout(std::time::Duration::from_secs(3));
/// assert_eq!(b.settings.http.timeout.as_secs(), 3);
/// assert_eq!(b.settings.base_url.as_deref(), Some("http://127.0.0.1:9/v1"));
/// ```
#[macro_export]
macro_rules! http_builder_setters {
    ($provider:literal, $client:ident) => {
        $crate::http_builder_setters!($provider);

        /// Checks the settings and returns a ready client.
        pub fn build(self) -> ::std::result::Result<$client, $crate::PayoutError> {
            $client::new(self.config()?)
        }
    };
    ($provider:literal) => {
        #[doc = concat!("A builder with the keys and base URL read from the process environment (the crate's `ENV_*` variables), through `from_lookup`. Settings made afterwards override them; a key still missing when the ", $provider, " builder builds is an error naming its variable.")]
        pub fn from_env() -> Self {
            Self::from_lookup(|name| ::std::env::var(name).ok())
        }

        $crate::setters! {
            /// The base URL, [`DEFAULT_BASE_URL`] unless set. `https://`, or plain `http://` for a
            /// loopback host only (a local simulator), so keys and signatures never cross a
            /// network in clear text.
            base_url(url: impl Into<String>) => Some(settings.base_url);
            /// All HTTP settings at once (timeouts, retry policy, response bound, your own client).
            http(http: $crate::http::HttpConfig) => settings.http;
            /// The time allowed for one attempt, from sending to the last byte of the answer (30 s
            /// unless set).
            timeout(timeout: ::std::time::Duration) => settings.http.timeout;
            /// The time allowed to open a connection (10 s unless set).
            connect_timeout(timeout: ::std::time::Duration) => settings.http.connect_timeout;
            #[doc = concat!("How reads are retried. Creates are never retried once they may have reached ", $provider, ", whatever the policy says.")]
            retry(retry: $crate::http::RetryPolicy) => settings.http.retry;
            /// The largest answer read (2 MiB unless set); a larger one is an error instead of a
            /// memory spike.
            max_response_bytes(max: usize) => settings.http.max_response_bytes;
            /// Your own reqwest client (pool, proxy, TLS roots). It should not follow redirects,
            /// so that signed headers never reach another host.
            client(client: $crate::http::reqwest::Client) => Some(settings.http.client);
        }
    };
}

/// Writes what every provider's configuration offers inside `impl YourConfig { .. }`:
/// `builder()`, `from_env()`, `from_lookup(..)` (through the builder's own `from_env`,
/// `from_lookup` and `config`), and the `base_url()` and `http()` getters, for a configuration
/// with `base_url: Url` and `http: HttpConfig` fields. The arguments are the builder type and
/// the provider's name for the docs.
///
/// ```
/// use payout_core::PayoutError;
/// use payout_core::http::{BuilderSettings, HttpConfig};
///
/// pub const DEFAULT_BASE_URL: &str = "https://api.acme.example/v1";
///
/// pub struct AcmeConfig {
///     base_url: url::Url,
///     http: HttpConfig,
/// }
///
/// #[derive(Default)]
/// pub struct AcmeBuilder {
///     settings: BuilderSettings,
/// }
///
/// impl AcmeBuilder {
///     pub fn from_env() -> Self {
///         Self::from_lookup(|name| std::env::var(name).ok())
///     }
///     pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
///         Self { settings: BuilderSettings::from_lookup(&lookup, "ACME_BASE_URL") }
///     }
///     pub fn config(self) -> Result<AcmeConfig, PayoutError> {
///         let (base_url, http) = self.settings.endpoint("Acme", "ACME_BASE_URL", DEFAULT_BASE_URL)?;
///         Ok(AcmeConfig { base_url, http })
///     }
/// }
///
/// impl AcmeConfig {
///     payout_core::http_config_accessors!(AcmeBuilder, "Acme");
/// }
///
/// let config = AcmeConfig::from_lookup(|_| None).unwrap();
/// assert_eq!(config.base_url().as_str(), "https://api.acme.example/v1");
/// ```
#[macro_export]
macro_rules! http_config_accessors {
    ($builder:ident, $provider:literal) => {
        #[doc = concat!("Starts a configuration with the defaults: ", $provider, "'s production base URL, 30 s per attempt, three retries of reads with backoff, a 2 MiB bound on answers.")]
        pub fn builder() -> $builder {
            $builder::default()
        }

        #[doc = concat!("Reads the keys and (optionally) the base URL from the process environment (see the crate's `ENV_*` constants). A missing or empty key is a configuration error naming its variable.")]
        pub fn from_env() -> ::std::result::Result<Self, $crate::PayoutError> {
            $builder::from_env().config()
        }

        /// Like `from_env`, reading the variables through `lookup` (a map, a config file, a
        /// test) instead of the process environment.
        pub fn from_lookup(
            lookup: impl Fn(&str) -> ::std::option::Option<::std::string::String>,
        ) -> ::std::result::Result<Self, $crate::PayoutError> {
            $builder::from_lookup(lookup).config()
        }

        /// The base URL requests go to (no trailing `/`).
        pub fn base_url(&self) -> &$crate::http::reqwest::Url {
            &self.base_url
        }

        /// The HTTP settings (timeouts, retries, body bound, an optional caller-supplied client).
        pub fn http(&self) -> &$crate::http::HttpConfig {
            &self.http
        }
    };
}
