//! The providers compiled in, and how each is built from the environment.
//!
//! One [`Entry`] per provider behind its Cargo feature; everything past the choice sees only
//! `Arc<dyn PayoutProvider>`. Variable names and headers are the provider crates' own constants.

use std::sync::Arc;

use payout_core::{PayoutError, PayoutProvider};

/// The environment variable that names the provider to use (`alphapo`, `alppay`, `cryptomus`).
pub const PROVIDER_VAR: &str = "PAYOUT_PROVIDER";

/// Every provider this crate can compile in, whether or not its feature is on.
pub const KNOWN: &[&str] = &["alphapo", "alppay", "cryptomus"];

/// Reads one setting by name (the process environment, a map, a config file).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

type Built = Result<Arc<dyn PayoutProvider>, PayoutError>;

/// One provider compiled in: its names, and how its client is built.
pub struct Entry {
    /// The provider's id (`PAYOUT_PROVIDER` value).
    pub id: &'static str,
    /// The variables a live setup needs, all of them.
    pub credentials: &'static [&'static str],
    /// The optional variable overriding the base URL.
    pub base_url_var: &'static str,
    /// Where a webhook carries its signature: a header, or a field of the body.
    pub webhook_signature: WebhookSignature,
    from_env: fn() -> Built,
    from_lookup: fn(Lookup<'_>) -> Built,
    with_credentials: fn(&str, &str, &str) -> Built,
}

/// Where a provider's webhooks carry their signature, so that a caller holding a body and a
/// signature apart (`payout webhook --signature SIG`) knows whether it needs the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookSignature {
    /// In this HTTP header, beside the body (AlphaPo `X-Processing-Signature`, AlpPay `X-HMAC`).
    Header(&'static str),
    /// Inside the JSON body, in this field (Cryptomus `sign`): the body alone is verified, and no
    /// header carries anything.
    InBody(&'static str),
}

impl WebhookSignature {
    /// The header that carries the signature, if the signature travels in one.
    pub fn header(self) -> Option<&'static str> {
        match self {
            WebhookSignature::Header(name) => Some(name),
            WebhookSignature::InBody(_) => None,
        }
    }
}

/// How far a provider is configured in the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setup {
    /// Every credential is set: the provider can be used live.
    Live,
    /// None of the provider's variables is set, for the reason given.
    Unset(String),
}

impl Entry {
    /// Every variable the provider reads: its credentials, then the base URL.
    pub fn variables(&self) -> Vec<&'static str> {
        self.credentials.iter().copied().chain([self.base_url_var]).collect()
    }

    /// [`Setup::Live`] when every credential is set, [`Setup::Unset`] when none of the
    /// provider's variables is, and a configuration error for anything in between: a
    /// half-configured live setup is never taken for an unconfigured one.
    pub fn setup(&self) -> Result<Setup, PayoutError> {
        self.setup_with(&|name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()))
    }

    /// [`setup`](Self::setup), reading the variables through `lookup`.
    pub fn setup_with(&self, lookup: Lookup<'_>) -> Result<Setup, PayoutError> {
        let is_set = |var: &str| lookup(var).is_some_and(|v| !v.is_empty());
        let all = self.variables();
        let set: Vec<&str> = all.iter().copied().filter(|v| is_set(v)).collect();
        let missing: Vec<&str> = self.credentials.iter().copied().filter(|v| !is_set(v)).collect();
        if set.is_empty() {
            Ok(Setup::Unset(format!("none of {} is set", all.join(", "))))
        } else if missing.is_empty() {
            Ok(Setup::Live)
        } else {
            Err(PayoutError::configuration(format!(
                "{} is set but {} is not: set all of {} to use {} live, or none of {} for the sandbox",
                set.join(" and "),
                missing.join(" and "),
                self.credentials.join(", "),
                self.id,
                all.join(", "),
            )))
        }
    }

    /// The live client, configured from the process environment.
    pub fn from_env(&self) -> Built {
        (self.from_env)()
    }

    /// The live client, configured through `lookup`.
    pub fn from_lookup(&self, lookup: Lookup<'_>) -> Built {
        (self.from_lookup)(lookup)
    }

    /// A client of `base_url` with these credentials (the account's key, then the secret that
    /// signs: AlphaPo's API key and secret, AlpPay's API key and HMAC key, Cryptomus's merchant
    /// uuid and payout key), for a sandbox or a simulator.
    pub fn with_credentials(&self, base_url: &str, key: &str, secret: &str) -> Built {
        (self.with_credentials)(base_url, key, secret)
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").field("id", &self.id).field("credentials", &self.credentials).finish_non_exhaustive()
    }
}

/// One provider crate's [`Entry`], written once for every provider: its `PROVIDER_NAME`, the
/// credential variables of its `config` module (then its `ENV_BASE_URL`), where its webhooks
/// carry their signature, and how its builder takes the two credentials.
#[cfg(any(feature = "alphapo", feature = "alppay", feature = "cryptomus"))]
macro_rules! entry {
    (
        $krate:ident, $client:ident, $config:ident, [$($var:ident),+], $signature:expr,
        |$key:ident, $secret:ident| $builder:expr $(,)?
    ) => {{
        use $krate::{$client, $config, config};
        Entry {
            id: $krate::PROVIDER_NAME,
            credentials: &[$(config::$var),+],
            base_url_var: config::ENV_BASE_URL,
            webhook_signature: $signature,
            from_env: || Ok(Arc::new($client::from_env()?)),
            from_lookup: |lookup| Ok(Arc::new($client::new($config::from_lookup(lookup)?)?)),
            with_credentials: |base_url, $key, $secret| Ok(Arc::new($builder.base_url(base_url).build()?)),
        }
    }};
}

// Each: the crate, its client and configuration, its credential variables, where its webhooks
// carry their signature, and how its builder takes the two credentials.
#[cfg(feature = "alphapo")]
#[rustfmt::skip]
const ALPHAPO: Entry = entry! { payout_alphapo, AlphaPoClient, AlphaPoConfig, [ENV_API_KEY, ENV_API_SECRET],
    WebhookSignature::Header(payout_alphapo::signing::SIGNATURE_HEADER),
    |key, secret| AlphaPoClient::builder().api_key(key).api_secret(secret) };
#[cfg(feature = "alppay")]
#[rustfmt::skip]
const ALPPAY: Entry = entry! { payout_alppay, AlpPayClient, AlpPayConfig, [ENV_API_KEY, ENV_HMAC_KEY],
    WebhookSignature::Header(payout_alppay::signing::SIGNATURE_HEADER),
    |key, secret| AlpPayClient::builder().api_key(key).hmac_key(secret) };
// Cryptomus signs requests in a `sign` header, and webhooks in a `sign` field of their body.
#[cfg(feature = "cryptomus")]
#[rustfmt::skip]
const CRYPTOMUS: Entry = entry! { payout_cryptomus, CryptomusClient, CryptomusConfig, [ENV_MERCHANT, ENV_PAYOUT_KEY],
    WebhookSignature::InBody(payout_cryptomus::webhook::SIGN_FIELD),
    |merchant, key| CryptomusClient::builder().merchant(merchant).payout_key(key) };

/// The providers compiled in, in order of preference.
pub const COMPILED_IN: &[Entry] = &[
    #[cfg(feature = "alphapo")]
    ALPHAPO,
    #[cfg(feature = "alppay")]
    ALPPAY,
    #[cfg(feature = "cryptomus")]
    CRYPTOMUS,
];

fn names() -> String {
    let names: Vec<_> = COMPILED_IN.iter().map(|e| e.id).collect();
    if names.is_empty() { "none".into() } else { names.join(", ") }
}

/// The provider named `asked` (any case), or the first compiled in when none is asked for.
/// A name that is not compiled in, or not known at all, is a configuration error that says
/// which are.
pub fn choose(asked: Option<&str>) -> Result<&'static Entry, PayoutError> {
    let Some(asked) = asked.map(str::trim).filter(|s| !s.is_empty()) else {
        return COMPILED_IN.first().ok_or_else(|| {
            PayoutError::configuration(
                "no provider is compiled in; build with one or more of --features alphapo, alppay, cryptomus",
            )
        });
    };
    COMPILED_IN.iter().find(|e| e.id.eq_ignore_ascii_case(asked)).ok_or_else(|| {
        let why = if KNOWN.iter().any(|k| k.eq_ignore_ascii_case(asked)) {
            format!("provider `{asked}` is not compiled into this build (its Cargo feature is off)")
        } else {
            format!("unknown provider `{asked}`")
        };
        PayoutError::configuration(format!("{why}; compiled in: {}", names()))
    })
}

/// The configured provider, built from the process environment: the one `PAYOUT_PROVIDER`
/// names, or the only one compiled in, with every credential set.
///
/// Configuration errors: an unknown or not compiled-in name, several providers compiled in and
/// none named, none of the provider's variables set, or only some of its credentials set.
pub fn from_env() -> Built {
    let env = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
    let entry = configured(&env)?;
    entry.from_env()
}

/// [`from_env`], reading the settings through `lookup` instead of the process environment.
pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Built {
    let entry = configured(&lookup)?;
    entry.from_lookup(&lookup)
}

/// The entry `PAYOUT_PROVIDER` names (or the only one), once its setup is complete.
fn configured(lookup: Lookup<'_>) -> Result<&'static Entry, PayoutError> {
    let asked = lookup(PROVIDER_VAR);
    let asked = asked.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if asked.is_none() && COMPILED_IN.len() > 1 {
        return Err(PayoutError::configuration(format!(
            "several providers are compiled in ({}): set {PROVIDER_VAR} to the one to use",
            names()
        )));
    }
    let entry = choose(asked)?;
    match entry.setup_with(lookup)? {
        Setup::Live => Ok(entry),
        Setup::Unset(why) => Err(PayoutError::configuration(format!(
            "{} is not configured: {why}; set {} to use it",
            entry.id,
            entry.credentials.join(" and ")
        ))),
    }
}
