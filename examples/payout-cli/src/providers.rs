//! Which providers are compiled in and how each is built.
//!
//! This is the pattern an application copies to switch providers with Cargo features: one entry
//! per provider behind its feature, and everything else sees only `Arc<dyn PayoutProvider>`.

use std::sync::Arc;

use payout_core::{PayoutError, PayoutProvider};

/// One provider the command can use.
pub struct Entry {
    /// The provider's id (`--provider` value).
    pub id: &'static str,
    /// The variables a live setup needs, all of them.
    pub credentials: &'static [&'static str],
    /// The optional variable overriding the base URL.
    pub base_url_var: &'static str,
    /// The header that carries a webhook's signature.
    pub signature_header: &'static str,
    /// Builds the live client from the environment.
    pub live: fn() -> Result<Arc<dyn PayoutProvider>, PayoutError>,
    /// Builds a client of the sandbox served at this root URL (`http://HOST:PORT`), with the
    /// sandbox's test credentials.
    pub sandbox: fn(&str) -> Result<Arc<dyn PayoutProvider>, PayoutError>,
}

#[cfg(feature = "alphapo")]
const ALPHAPO: Entry = Entry {
    id: "alphapo",
    credentials: &["ALPHAPO_API_KEY", "ALPHAPO_API_SECRET"],
    base_url_var: "ALPHAPO_BASE_URL",
    signature_header: "X-Processing-Signature",
    live: || Ok(Arc::new(payout_alphapo::AlphaPoClient::from_env()?)),
    sandbox: |sandbox| {
        use payout_sim::alphapo::{DEFAULT_API_KEY, DEFAULT_API_SECRET};
        let client = payout_alphapo::AlphaPoClient::builder()
            .api_key(DEFAULT_API_KEY)
            .api_secret(DEFAULT_API_SECRET)
            .base_url(format!("{}{}", sandbox.trim_end_matches('/'), payout_sim::SANDBOX_ALPHAPO_PREFIX))
            .build()?;
        Ok(Arc::new(client))
    },
};

#[cfg(feature = "alppay")]
const ALPPAY: Entry = Entry {
    id: "alppay",
    credentials: &["ALPPAY_API_KEY", "ALPPAY_HMAC_KEY"],
    base_url_var: "ALPPAY_BASE_URL",
    signature_header: "X-HMAC",
    live: || Ok(Arc::new(payout_alppay::AlpPayClient::from_env()?)),
    sandbox: |sandbox| {
        use payout_sim::alppay::{DEFAULT_API_KEY, DEFAULT_HMAC_KEY};
        let client = payout_alppay::AlpPayClient::builder()
            .api_key(DEFAULT_API_KEY)
            .hmac_key(DEFAULT_HMAC_KEY)
            .base_url(format!("{}{}", sandbox.trim_end_matches('/'), payout_sim::SANDBOX_ALPPAY_PREFIX))
            .build()?;
        Ok(Arc::new(client))
    },
};

/// The providers compiled in, in order of preference.
pub const COMPILED_IN: &[Entry] = &[
    #[cfg(feature = "alphapo")]
    ALPHAPO,
    #[cfg(feature = "alppay")]
    ALPPAY,
];

fn names() -> String {
    let names: Vec<_> = COMPILED_IN.iter().map(|e| e.id).collect();
    if names.is_empty() { "none".into() } else { names.join(", ") }
}

/// The provider asked for (`--provider` or `PAYOUT_PROVIDER`), or the first compiled in.
pub fn choose(asked: Option<&str>) -> Result<&'static Entry, PayoutError> {
    let Some(asked) = asked.map(str::trim).filter(|s| !s.is_empty()) else {
        return COMPILED_IN.first().ok_or_else(|| {
            PayoutError::configuration("no provider is compiled in; build with --features alphapo and/or alppay")
        });
    };
    let known = ["alphapo", "alppay"];
    COMPILED_IN.iter().find(|e| e.id.eq_ignore_ascii_case(asked)).ok_or_else(|| {
        let why = if known.iter().any(|k| k.eq_ignore_ascii_case(asked)) {
            format!("provider `{asked}` is not compiled into this build (its Cargo feature is off)")
        } else {
            format!("unknown provider `{asked}`")
        };
        PayoutError::configuration(format!("{why}; compiled in: {}", names()))
    })
}

/// Where a command runs.
#[derive(Debug, PartialEq, Eq)]
pub enum Mode {
    /// Against the provider itself, with credentials from the environment.
    Live,
    /// Against the embedded simulator, for the reason given.
    Sandbox(String),
}

fn is_set(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| !v.is_empty())
}

/// Live when every credential is set; the sandbox when none of the provider's variables is (or
/// `--sandbox`); a configuration error for anything in between, so that a half-configured live
/// setup never quietly runs against the sandbox.
pub fn mode(entry: &Entry, force_sandbox: bool) -> Result<Mode, PayoutError> {
    if force_sandbox {
        return Ok(Mode::Sandbox("--sandbox was given".into()));
    }
    let all: Vec<&str> = entry.credentials.iter().copied().chain([entry.base_url_var]).collect();
    let set: Vec<&str> = all.iter().copied().filter(|v| is_set(v)).collect();
    let missing: Vec<&str> = entry.credentials.iter().copied().filter(|v| !is_set(v)).collect();
    if set.is_empty() {
        Ok(Mode::Sandbox(format!("none of {} is set", all.join(", "))))
    } else if missing.is_empty() {
        Ok(Mode::Live)
    } else {
        Err(PayoutError::configuration(format!(
            "{} is set but {} is not: set all of {} to use {} live, or none of {} for the sandbox",
            set.join(" and "),
            missing.join(" and "),
            entry.credentials.join(", "),
            entry.id,
            all.join(", "),
        )))
    }
}
