//! Which providers are compiled in and how each is built: the `payout` facade's table
//! ([`payout::providers`]), plus the sandbox, which only the command has.

use std::sync::Arc;

use payout_core::{PayoutError, PayoutProvider};

use payout::providers::Setup;
pub use payout::providers::{COMPILED_IN, Entry, choose};

/// Where a command runs.
#[derive(Debug, PartialEq, Eq)]
pub enum Mode {
    /// Against the provider itself, with credentials from the environment.
    Live,
    /// Against the embedded simulator, for the reason given.
    Sandbox(String),
}

/// Live when every credential is set; the sandbox when none of the provider's variables is (or
/// `--sandbox`); a configuration error for anything in between, so that a half-configured live
/// setup never quietly runs against the sandbox.
pub fn mode(entry: &Entry, force_sandbox: bool) -> Result<Mode, PayoutError> {
    if force_sandbox {
        return Ok(Mode::Sandbox("--sandbox was given".into()));
    }
    Ok(match entry.setup()? {
        Setup::Live => Mode::Live,
        Setup::Unset(why) => Mode::Sandbox(why),
    })
}

/// A client of the sandbox served at this root URL (`http://HOST:PORT`), with the sandbox's
/// test credentials.
pub fn sandbox(entry: &Entry, root: &str) -> Result<Arc<dyn PayoutProvider>, PayoutError> {
    use payout_sim::{self as sim, alphapo, alppay, cryptomus};
    let (prefix, key, secret) = match entry.id {
        "alphapo" => (sim::SANDBOX_ALPHAPO_PREFIX, alphapo::DEFAULT_API_KEY, alphapo::DEFAULT_API_SECRET),
        "alppay" => (sim::SANDBOX_ALPPAY_PREFIX, alppay::DEFAULT_API_KEY, alppay::DEFAULT_HMAC_KEY),
        "cryptomus" => (sim::SANDBOX_CRYPTOMUS_PREFIX, cryptomus::DEFAULT_MERCHANT, cryptomus::DEFAULT_PAYOUT_KEY),
        other => return Err(PayoutError::configuration(format!("the sandbox has no simulator of {other}"))),
    };
    entry.with_credentials(&format!("{}{prefix}", root.trim_end_matches('/')), key, secret)
}
