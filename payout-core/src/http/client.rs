//! [`HttpClient`]: one reqwest client per provider, bounded reads of its answers, and transport
//! errors told in words without URLs. What is retried, and how often, is [`super::retry`]'s.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::backoff::RetryPolicy;
use super::config::HttpConfig;
use super::in_flight::InFlight;
use crate::error::PayoutError;
use crate::id::ProviderId;

/// The HTTP client both provider crates share: it sends, bounds, retries what is safe, and maps
/// transport failures and 429/5xx to error categories. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HttpClient {
    pub(super) provider: ProviderId,
    pub(super) client: reqwest::Client,
    pub(super) timeout: Duration,
    pub(super) retry: RetryPolicy,
    pub(super) max_response_bytes: usize,
    pub(super) in_flight: Arc<InFlight>,
}

impl HttpClient {
    /// A client for `provider` with these settings.
    pub fn new(provider: ProviderId, config: &HttpConfig) -> Result<Self, PayoutError> {
        let client = match &config.client {
            Some(c) => c.clone(),
            None => reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .retry(no_transport_retries())
                .connect_timeout(config.connect_timeout)
                .pool_idle_timeout(Duration::from_secs(60))
                .user_agent(concat!("payout/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| PayoutError::configuration(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(Self {
            provider,
            client,
            timeout: config.timeout,
            retry: config.retry,
            max_response_bytes: config.max_response_bytes,
            in_flight: Arc::new(InFlight::new(config.in_flight_window)),
        })
    }

    /// The underlying reqwest client, to build requests with.
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.client
    }

    pub(super) async fn read_body(&self, mut response: reqwest::Response) -> Result<Bytes, BodyError> {
        match response.content_length() {
            Some(n) if n > self.max_response_bytes as u64 => return Err(BodyError::TooLarge),
            // A declared length within the bound: hyper never reads past it, so the body is read
            // whole, without copying it chunk by chunk (one chunk is handed over as it is).
            Some(_) => return response.bytes().await.map_err(|e| BodyError::Broken(describe(&e))),
            None => {}
        }
        let mut body = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.max_response_bytes {
                        return Err(BodyError::TooLarge);
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body.freeze()),
                Err(e) => return Err(BodyError::Broken(describe(&e))),
            }
        }
    }
}

/// reqwest's own retries off: what is retried, and whether a create may be, is this crate's
/// decision alone. (reqwest 0.13 retries HTTP/2 refusals by default, which an HTTP/1 client never
/// gets, and to be able to, copies every request's headers, URI and body before sending it.)
pub(crate) fn no_transport_retries() -> reqwest::retry::Builder {
    reqwest::retry::never().max_retries_per_request(0)
}

pub(super) enum BodyError {
    TooLarge,
    Broken(String),
}

/// A transport error in words, without the URL's query (which never holds secrets here, but
/// the rule is simple: log paths, not URLs).
pub(super) fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the body could not be read"
    } else {
        "the connection failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() { kind.to_owned() } else { format!("{kind}: {detail}") }
}
