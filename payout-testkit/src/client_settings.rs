//! Applies a suite's client settings to a provider's client builder.
//!
//! The reliability suites of `payout-sim` ask each provider crate's test backend for a client
//! built with some settings (`payout_sim::backend::ClientSettings`: a timeout, a retry policy, a
//! bound on answers, another base URL, a shared `reqwest` client), each `None` keeping the
//! backend's own test default. Every provider builder has the same setters (payout-core's
//! `http_builder_setters!`), so one macro applies them to any of them; it names no type, so the
//! testkit needs neither the simulators nor the providers.

/// `apply_client_settings!(builder, settings)`: the builder with each setting that is `Some`
/// applied (`timeout`, `retry`, `max_response_bytes`, `base_url`, `http` as `client`).
///
/// ```
/// # struct Settings { timeout: Option<u64>, retry: Option<u8>, max_response_bytes: Option<usize>,
/// #     base_url: Option<String>, http: Option<()> }
/// # #[derive(Default)] struct Builder(Vec<String>);
/// # impl Builder {
/// #     fn timeout(mut self, t: u64) -> Self { self.0.push(format!("timeout {t}")); self }
/// #     fn retry(mut self, r: u8) -> Self { self.0.push(format!("retry {r}")); self }
/// #     fn max_response_bytes(mut self, m: usize) -> Self { self.0.push(format!("max {m}")); self }
/// #     fn base_url(mut self, u: String) -> Self { self.0.push(format!("url {u}")); self }
/// #     fn client(mut self, _: ()) -> Self { self.0.push("client".into()); self }
/// # }
/// let settings = Settings { timeout: Some(5), retry: None, max_response_bytes: Some(64), base_url: None, http: None };
/// let built = payout_testkit::apply_client_settings!(Builder::default(), settings);
/// assert_eq!(built.0, ["timeout 5", "max 64"]);
/// ```
#[macro_export]
macro_rules! apply_client_settings {
    ($builder:expr, $settings:expr) => {{
        let settings = $settings;
        let mut builder = $builder;
        if let Some(timeout) = settings.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(retry) = settings.retry {
            builder = builder.retry(retry);
        }
        if let Some(max) = settings.max_response_bytes {
            builder = builder.max_response_bytes(max);
        }
        if let Some(url) = settings.base_url {
            builder = builder.base_url(url);
        }
        if let Some(http) = settings.http {
            builder = builder.client(http);
        }
        builder
    }};
}
