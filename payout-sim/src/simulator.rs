//! What every provider's simulator gives the router, the sandbox and its running handle: its
//! name, where it is mounted, its routes, its state as JSON and its deliveries. A third
//! provider's simulator is one module that implements [`Simulator`], plus one line in the
//! sandbox's list.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::{DeliveryAttempt, SimError};

/// The answer for a path under a simulator's prefix that matches none of its routes.
pub type Answer = fn() -> Response;

/// What a kind of simulator is called and where its API is mounted by default, known before one
/// runs: the suites that drive a provider through its simulator name it by these.
pub trait SimulatorKind {
    /// Its name (`alphapo`): the key of its state in a sandbox's file, and the provider's name in
    /// printed figures.
    const NAME: &'static str;
    /// Where its API is mounted unless configured otherwise (`/api/v2`).
    const DEFAULT_PREFIX: &'static str;
    /// Its configuration (`AlphaPoConfig`).
    type Config: Default + Send;
    /// A fresh simulator with `config`.
    fn from_config(config: Self::Config) -> Self;
}

/// One provider's simulator, as the router and the sandbox see it. Implemented by
/// [`AlphaPoSim`](crate::AlphaPoSim), [`AlpPaySim`](crate::AlpPaySim) and
/// [`CryptomusSim`](crate::CryptomusSim).
pub trait Simulator: Send + Sync {
    /// Its key in the sandbox's state file (`alphapo`).
    fn name(&self) -> &'static str;
    /// Where its API is mounted (`/api/v2`).
    fn prefix(&self) -> &str;
    /// Its routes under [`prefix`](Self::prefix), without a fallback.
    fn routes(&self) -> Router;
    /// What a request under its prefix that matches no route gets (AlphaPo: 403
    /// `required_header_key`, its documented quirk; AlpPay: 404).
    fn unmatched(&self) -> Answer;
    /// Its whole state as JSON.
    fn snapshot(&self) -> Value;
    /// Replaces its state with a [`snapshot`](Self::snapshot).
    fn restore(&self, snapshot: &Value) -> Result<(), SimError>;
    /// The callback or webhook delivery attempts so far.
    fn deliveries(&self) -> Vec<DeliveryAttempt>;
}

/// One router serving the given simulators under their prefixes (e.g. `/alphapo/api/v2` and
/// `/alppay/v2`), so that they can share one listener. A request that matches no route gets the
/// answer of the simulator whose prefix it starts with; anything else gets a plain 404.
pub fn router(sims: &[&dyn Simulator]) -> Router {
    let mut r = Router::new();
    let mut prefixes: Vec<(String, Answer)> = Vec::new();
    for sim in sims {
        r = r.merge(sim.routes());
        prefixes.push((sim.prefix().trim_end_matches('/').to_owned(), sim.unmatched()));
    }
    let prefixes = Arc::new(prefixes);
    let p2 = prefixes.clone();
    r.fallback(move |req: Request| async move { unmatched(&prefixes, &req) })
        .method_not_allowed_fallback(move |req: Request| async move { unmatched(&p2, &req) })
}

fn unmatched(prefixes: &[(String, Answer)], req: &Request) -> Response {
    let path = req.uri().path();
    for (prefix, answer) in prefixes {
        if path == prefix || path.starts_with(&format!("{prefix}/")) {
            return answer();
        }
    }
    (http::StatusCode::NOT_FOUND, "not found").into_response()
}

/// The simulators' states in one object, each under its [`name`](Simulator::name) (what the
/// CLI keeps in its state file).
pub fn snapshot(sims: &[&dyn Simulator]) -> Value {
    Value::Object(sims.iter().map(|s| (s.name().to_owned(), s.snapshot())).collect())
}

/// Restores the simulators from [`snapshot`]; a simulator the value does not name is left as it
/// is.
pub fn restore(sims: &[&dyn Simulator], value: &Value) -> Result<(), SimError> {
    if !value.is_object() {
        let names: Vec<&str> = sims.iter().map(|s| s.name()).collect();
        return Err(SimError::Snapshot(format!("expected an object with {}", names.join(" and "))));
    }
    for sim in sims {
        if let Some(state) = value.get(sim.name()) {
            sim.restore(state)?;
        }
    }
    Ok(())
}

/// Writes once, for every provider module, what its handle and its running handle share: the
/// marker its `Rules` are implemented on, the handle (an `engine: Arc<Engine<Rules>>`), the
/// running handle's alias and credential accessors, the configuration, the router, serving, the
/// count, the deliveries, the snapshot, [`Simulator`] and `start`. The module has
/// `handlers::routes` and `handlers::unknown_path`, its handle `new`, and its store `Saved`:
/// written by the module, or, for a store kept as one list in creation order (`items`, each with
/// its `seq`, added back by `Store::restore`), saved as that list under the key `saved as list`
/// names.
#[cfg_attr(not(any(feature = "alphapo", feature = "alppay", feature = "cryptomus")), allow(unused_macros))]
macro_rules! simulator {
    (
        $sim:ident, $server:ident, $config:ident, $name:literal ($article:literal $(, saved as list $list:literal)?),
        rules: $rules:ident $rules_doc:literal,
        credentials: $key:ident, $secret:ident
    ) => {
        $(
            #[doc = concat!("Saved as `\"", $list, "\":[...]`, in creation order.")]
            impl $crate::engine::Saved for state::Store {
                fn save(&self) -> serde_json::Value {
                    serde_json::json!({ $list: self.items })
                }

                fn load(snapshot: &serde_json::Value, _: &$config) -> Result<Self, $crate::SimError> {
                    $crate::restore_in_order(snapshot, $list, |item| item.seq, state::Store::default(), state::Store::restore)
                }
            }
        )?

        #[doc = concat!("The provider's side of the [`Engine`](crate::engine::Engine): ", $rules_doc, ".")]
        pub(crate) struct $rules;

        #[doc = concat!("A running ", stringify!($sim), " simulator: the control methods of [`", stringify!($sim), "`] (through")]
        /// `Deref`), plus the address, credentials, fault queue and request log. Dropping it stops
        /// the server.
        pub type $server = $crate::Served<$sim>;

        #[doc = concat!("The state and control of one ", stringify!($sim), " simulator. Cheap to clone (all clones share")]
        /// the state).
        ///
        #[doc = concat!("It is also the router's state, so it can be mounted without [`", stringify!($server), "`]; see")]
        #[doc = concat!("[`", stringify!($sim), "::router`] and [`crate::router`].")]
        #[derive(Clone)]
        pub struct $sim {
            engine: std::sync::Arc<$crate::engine::Engine<$rules>>,
        }

        impl $sim {
            /// The configuration.
            pub fn config(&self) -> &$config {
                self.engine.config()
            }

            /// The routes under the configured prefix, with unknown paths given the provider's
            /// own answer ([`Simulator::unmatched`](crate::Simulator::unmatched)).
            pub fn router(&self) -> axum::Router {
                $crate::router(&[self])
            }

            /// Serves this simulator on `addr` (e.g. `127.0.0.1:0`) in the current tokio runtime.
            pub async fn serve(&self, addr: std::net::SocketAddr) -> std::io::Result<$crate::Served<$sim>> {
                $crate::Served::bind(self.clone(), addr).await
            }

            /// How many withdrawals exist.
            pub fn count(&self) -> usize {
                self.engine.count()
            }

            /// The callback or webhook delivery attempts so far.
            pub fn deliveries(&self) -> Vec<$crate::DeliveryAttempt> {
                self.engine.attempts()
            }

            #[doc = concat!("The whole state as JSON: `{\"provider\":\"", $name, "\",\"version\":1,…}` and the store's")]
            /// fields (its `Saved` impl in `snapshot.rs`).
            pub fn snapshot(&self) -> serde_json::Value {
                self.engine.snapshot($name)
            }

            /// Replaces the state with a [`snapshot`](Self::snapshot).
            pub fn restore(&self, snapshot: &serde_json::Value) -> Result<(), $crate::SimError> {
                self.engine.restore($name, $article, snapshot)
            }

            pub(crate) fn engine(&self) -> &$crate::engine::Engine<$rules> {
                &self.engine
            }
        }

        // Printing the whole store would flood test output; the prefix and the count say enough
        // (and the count is taken without waiting, so printing stays safe while it is locked).
        impl std::fmt::Debug for $sim {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($sim))
                    .field("prefix", &self.config().prefix)
                    .field("withdrawals", &self.engine.try_count())
                    .finish()
            }
        }

        impl $crate::SimulatorKind for $sim {
            const NAME: &'static str = $name;
            const DEFAULT_PREFIX: &'static str = $config::DEFAULT_PREFIX;
            type Config = $config;

            fn from_config(config: $config) -> Self {
                Self::new(config)
            }
        }

        impl $crate::Simulator for $sim {
            fn name(&self) -> &'static str {
                $name
            }

            fn prefix(&self) -> &str {
                &self.config().prefix
            }

            fn routes(&self) -> axum::Router {
                handlers::routes(self.clone())
            }

            fn unmatched(&self) -> $crate::Answer {
                handlers::unknown_path
            }

            fn snapshot(&self) -> serde_json::Value {
                $sim::snapshot(self)
            }

            fn restore(&self, snapshot: &serde_json::Value) -> Result<(), $crate::SimError> {
                $sim::restore(self, snapshot)
            }

            fn deliveries(&self) -> Vec<$crate::DeliveryAttempt> {
                $sim::deliveries(self)
            }
        }

        impl $crate::Served<$sim> {
            /// Starts a simulator on `127.0.0.1:0` in the current tokio runtime.
            pub async fn start(config: $config) -> std::io::Result<Self> {
                $sim::new(config).serve($crate::net::LOOPBACK).await
            }

            #[doc = concat!("The configured `", stringify!($key), "`, for a client to send.")]
            pub fn $key(&self) -> &str {
                &self.config().$key
            }

            #[doc = concat!("The configured `", stringify!($secret), "`, to sign with.")]
            pub fn $secret(&self) -> &str {
                &self.config().$secret
            }
        }
    };
}
#[cfg_attr(not(any(feature = "alphapo", feature = "alppay", feature = "cryptomus")), allow(unused_imports))]
pub(crate) use simulator;

/// A simulator's configuration, declared once per provider: the fields every simulator has (the
/// two credentials a client sends and signs with, the mount prefix, the receiver of deliveries,
/// none by default), the provider's own fields each with its default, the `Default` impl, and
/// the setters `with_credentials`, `with_prefix` and `with_callback`. The provider's own setters
/// stay in its module.
#[cfg_attr(not(any(feature = "alphapo", feature = "alppay", feature = "cryptomus")), allow(unused_macros))]
macro_rules! config {
    (
        $(#[$doc:meta])*
        $config:ident {
            credentials: $key:ident = $key_default:ident, $secret:ident = $secret_default:ident;
            prefix: $prefix:literal, sandbox $sandbox:literal;
            $( $(#[$field_doc:meta])* $field:ident: $ty:ty = $value:expr, )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $config {
            #[doc = concat!("The key a client must send. Default [`", stringify!($key_default), "`].")]
            pub $key: String,
            #[doc = concat!("The secret requests and deliveries are signed with. Default [`", stringify!($secret_default), "`].")]
            pub $secret: String,
            #[doc = concat!("Where the API is mounted. Default `", $prefix, "` (the CLI's sandbox uses `", $sandbox, "`).")]
            pub prefix: String,
            /// Where to send the callbacks or webhooks, or `None` (default).
            pub callback: Option<$crate::CallbackConfig>,
            $( $(#[$field_doc])* pub $field: $ty, )*
        }

        impl $crate::engine::SimConfig for $config {
            fn callback(&self) -> Option<$crate::CallbackConfig> {
                self.callback.clone()
            }
        }

        impl Default for $config {
            fn default() -> Self {
                Self {
                    $key: $key_default.to_owned(),
                    $secret: $secret_default.to_owned(),
                    prefix: Self::DEFAULT_PREFIX.to_owned(),
                    callback: None,
                    $($field: $value),*
                }
            }
        }

        impl $config {
            /// Where the API is mounted unless [`with_prefix`](Self::with_prefix) says otherwise.
            pub const DEFAULT_PREFIX: &'static str = $prefix;

            #[doc = concat!("Sets `", stringify!($key), "` and `", stringify!($secret), "`.")]
            pub fn with_credentials(mut self, $key: &str, $secret: &str) -> Self {
                $key.clone_into(&mut self.$key);
                $secret.clone_into(&mut self.$secret);
                self
            }

            #[doc = concat!("Sets the mount prefix (e.g. `", $sandbox, "`).")]
            pub fn with_prefix(mut self, prefix: &str) -> Self {
                prefix.clone_into(&mut self.prefix);
                self
            }

            /// Sends the callbacks or webhooks to this receiver.
            pub fn with_callback(mut self, callback: $crate::CallbackConfig) -> Self {
                self.callback = Some(callback);
                self
            }
        }
    };
}
#[cfg_attr(not(any(feature = "alphapo", feature = "alppay", feature = "cryptomus")), allow(unused_imports))]
pub(crate) use config;
