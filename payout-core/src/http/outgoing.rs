//! [`Outgoing`]: a request a provider prepares once, from parts it prepared once in its client
//! (the parsed endpoint URL, the key's header value), sent by [`HttpClient::send_prepared`](super::HttpClient::send_prepared)
//! without a request builder, URL parse or URL copy for the redirect check.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use url::Url;

/// The headers a provider's request carries, before reqwest adds `User-Agent` and `Accept`:
/// room for them all, so that the map is allocated once and never grows.
const HEADERS: usize = 8;

/// A request ready to send: method, a URL borrowed from the client that parsed it once, headers
/// and an optional body. `Debug` shows headers marked sensitive as `Sensitive`, never their
/// values.
///
/// ```
/// use payout_core::http::Outgoing;
/// use payout_core::http::reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
/// use payout_core::http::reqwest::{Method, Url};
///
/// let url = Url::parse("https://api.example.com/v2/withdrawal").unwrap();
/// let mut key = HeaderValue::from_static("sk_live_0123456789");
/// key.set_sensitive(true);
/// let outgoing = Outgoing::new(Method::POST, &url)
///     .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
///     .header(HeaderName::from_static("api-key"), key)
///     .body(b"{}".to_vec());
/// assert!(!format!("{outgoing:?}").contains("sk_live"));
/// ```
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub(super) method: Method,
    pub(super) url: &'a Url,
    pub(super) headers: HeaderMap,
    pub(super) body: Option<Bytes>,
}

impl<'a> Outgoing<'a> {
    /// A request with no headers and no body.
    pub fn new(method: Method, url: &'a Url) -> Self {
        Self { method, url, headers: HeaderMap::with_capacity(HEADERS), body: None }
    }

    /// This request with the header `name: value` added (a value marked sensitive stays so).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// This request with these body bytes, sent exactly as they are (and again, unchanged, on
    /// a retry).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// The URL it goes to.
    pub fn url(&self) -> &Url {
        self.url
    }

    /// The reqwest request of one attempt, with the per-attempt `timeout`. The body is shared,
    /// not copied.
    pub(super) fn attempt(&self, timeout: std::time::Duration) -> reqwest::Request {
        let mut request = reqwest::Request::new(self.method.clone(), self.url.clone());
        *request.headers_mut() = self.headers.clone();
        if let Some(body) = &self.body {
            *request.body_mut() = Some(body.clone().into());
        }
        *request.timeout_mut() = Some(timeout);
        request
    }
}
