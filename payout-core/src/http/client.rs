use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tracing::Instrument;

use super::response::HttpResponse;
use super::retry::RetryPolicy;
use crate::error::PayoutError;
use crate::id::{ProviderId, Reference};

/// Whether a request is safe to send again when its answer is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Safety {
    /// A read (get, lookup, listing): repeating it changes nothing.
    Read,
    /// A create for this reference: once it may have reached the provider it is never repeated;
    /// a lost answer is [`PayoutError::OutcomeUnknown`] for the reference.
    Create(Reference),
}

impl Safety {
    /// Turns an error that happened after the provider may have acted into outcome-unknown, for
    /// a create; a read keeps its error.
    pub fn after_acted(&self, err: PayoutError) -> PayoutError {
        match self {
            Safety::Read => err,
            Safety::Create(reference) => {
                // The message says what happened; the cause (a transport error, when there was
                // one) stays reachable through `source`.
                let cause = match &err {
                    PayoutError::Unavailable { source, .. } | PayoutError::OutcomeUnknown { source, .. } => {
                        source.clone()
                    }
                    _ => None,
                };
                let unknown = PayoutError::outcome_unknown(reference.clone(), err.to_string());
                match cause {
                    Some(cause) => unknown.with_cause(cause),
                    None => unknown,
                }
            }
        }
    }
}

/// Settings of the shared HTTP client.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Time allowed for one attempt, from sending to the last byte of the answer.
    pub timeout: Duration,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Retries of what is safe to repeat.
    pub retry: RetryPolicy,
    /// The largest response body read; a larger one is a protocol error.
    pub max_response_bytes: usize,
    /// A caller-supplied client (its own pool, proxy, TLS). It **must not follow redirects**
    /// (build it with `reqwest::redirect::Policy::none()`): reqwest forwards custom headers, the
    /// providers' signatures among them, to wherever a redirect points. The default client
    /// follows none; an answer that arrives through a followed redirect is refused as a
    /// configuration error (for a create, outcome unknown).
    pub client: Option<reqwest::Client>,
    /// How long a create that timed out without an answer (or got a `504` from a gateway) is
    /// treated as possibly still being processed by the provider. Within this window the client refuses to send a create for the same
    /// reference again (it answers [`PayoutError::OutcomeUnknown`] without sending), so that a
    /// lookup that ran before the first request landed can never lead to a second payout.
    pub in_flight_window: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            max_response_bytes: 2 * 1024 * 1024,
            client: None,
            in_flight_window: Duration::from_secs(600),
        }
    }
}

impl HttpConfig {
    /// These settings with another per-attempt timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// These settings with another connection timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// These settings with another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// These settings with another bound on response bodies.
    pub fn with_max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// These settings with another window for creates that may still be in flight (see
    /// [`HttpConfig::in_flight_window`]).
    pub fn with_in_flight_window(mut self, window: Duration) -> Self {
        self.in_flight_window = window;
        self
    }

    /// These settings with a caller-supplied reqwest client.
    pub fn with_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }
}

/// The HTTP client both provider crates share: it sends, bounds, retries what is safe, and maps
/// transport failures and 429/5xx to error categories. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HttpClient {
    provider: ProviderId,
    client: reqwest::Client,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    in_flight: Arc<InFlight>,
}

/// The creates that got no answer and may still be processed by the provider, by reference.
#[derive(Debug)]
struct InFlight {
    window: Duration,
    since: Mutex<HashMap<Reference, Instant>>,
}

/// How many unanswered creates are remembered before the expired ones are swept.
const IN_FLIGHT_SWEEP: usize = 4096;

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Reference, Instant>> {
        self.since.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// When a create for `reference` was last sent without an answer, if within the window.
    fn pending(&self, reference: &Reference) -> Option<Duration> {
        let mut map = self.lock();
        let age = map.get(reference)?.elapsed();
        if age < self.window {
            return Some(age);
        }
        map.remove(reference);
        None
    }

    fn mark(&self, reference: &Reference) {
        let mut map = self.lock();
        if map.len() >= IN_FLIGHT_SWEEP {
            let window = self.window;
            map.retain(|_, at| at.elapsed() < window);
        }
        map.insert(reference.clone(), Instant::now());
    }
}

/// What one attempt came to.
enum Attempt {
    Done(Result<HttpResponse, PayoutError>),
    Retry { error: PayoutError, wait: Option<Duration> },
}

impl HttpClient {
    /// A client for `provider` with these settings.
    pub fn new(provider: ProviderId, config: &HttpConfig) -> Result<Self, PayoutError> {
        let client = match &config.client {
            Some(c) => c.clone(),
            None => reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
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
            in_flight: Arc::new(InFlight { window: config.in_flight_window, since: Mutex::default() }),
        })
    }

    /// The underlying reqwest client, to build requests with.
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends the request `build` makes (called again for each attempt) and returns any answer
    /// that is not 429 or 5xx; those, and transport failures, are retried as far as `safety`
    /// allows and then returned as errors. The provider maps the remaining statuses itself,
    /// falling back to [`HttpResponse::error`].
    ///
    /// A create whose earlier attempt (through this client or a clone) timed out without an
    /// answer, or got a `504`, is not sent again within [`HttpConfig::in_flight_window`]: the provider may still be working
    /// on the first one, so a lookup that found nothing proves nothing yet.
    pub async fn send(
        &self,
        safety: &Safety,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<HttpResponse, PayoutError> {
        if let Safety::Create(reference) = safety
            && let Some(age) = self.in_flight.pending(reference)
        {
            tracing::warn!(target: "payout::http", provider = %self.provider, reference = %reference, "create not sent again: an earlier one got no answer and may still be in flight");
            return Err(PayoutError::outcome_unknown(
                reference.clone(),
                format!(
                    "a create for this reference was sent {} s ago and got no answer in time; {} may still be processing it, so it is not sent again: look the reference up until it appears (or until the provider confirms it never arrived)",
                    age.as_secs(),
                    self.provider
                ),
            ));
        }
        let mut retries = 0;
        loop {
            let request = build(&self.client).timeout(self.timeout).build().map_err(|e| {
                PayoutError::configuration(format!("cannot build the request to {}: {e}", self.provider))
            })?;
            let span = tracing::debug_span!(
                "payout.http",
                provider = %self.provider,
                method = %request.method(),
                path = %request.url().path(),
                attempt = retries + 1,
            );
            match self.attempt(safety, request).instrument(span).await {
                Attempt::Done(result) => return result,
                Attempt::Retry { error, wait } => {
                    let wait = match wait {
                        Some(w) if w > self.retry.max_retry_after => return Err(error),
                        Some(w) => w,
                        None => self.retry.backoff(retries + 1),
                    };
                    if retries >= self.retry.max_retries {
                        return Err(error);
                    }
                    retries += 1;
                    tracing::debug!(target: "payout::http", error = %error.kind(), wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn attempt(&self, safety: &Safety, request: reqwest::Request) -> Attempt {
        let started = Instant::now();
        let asked = request.url().clone();
        let mut response = match self.client.execute(request).await {
            Ok(r) => r,
            Err(e) => return self.transport_failure(safety, e),
        };
        if response.url() != &asked {
            // Only a caller-supplied client follows redirects (reqwest has no per-request
            // policy), and it forwards the provider's signing headers to wherever it was sent.
            let other = response.url().host_str().unwrap_or("another host").to_owned();
            tracing::error!(target: "payout::http", provider = %self.provider, to = %other, "the HTTP client followed a redirect");
            let err = PayoutError::configuration(format!(
                "the HTTP client given in HttpConfig::client followed a redirect from {} to {other}, taking the signed request with it; build it with reqwest::redirect::Policy::none()",
                asked.host_str().unwrap_or("the provider")
            ));
            return Attempt::Done(Err(safety.after_acted(err)));
        }
        let status = response.status().as_u16();
        // Moved out, not cloned: the body is read through the response, not its headers.
        let headers = std::mem::take(response.headers_mut());
        let body = self.read_body(response).await;
        tracing::debug!(target: "payout::http", status, elapsed_ms = started.elapsed().as_millis() as u64, "answer");
        let body = match body {
            Ok(b) => b,
            Err(BodyError::TooLarge) => {
                let err = PayoutError::protocol(
                    format!("the answer is larger than the {} bytes this client reads", self.max_response_bytes),
                    Some(status),
                    b"",
                );
                return Attempt::Done(Err(if !(400..500).contains(&status) { safety.after_acted(err) } else { err }));
            }
            Err(BodyError::Broken(message)) => {
                let err = PayoutError::unavailable(format!("the answer was cut off: {message}"), Some(status));
                return match safety {
                    Safety::Read => Attempt::Retry { error: err, wait: None },
                    Safety::Create(_) if (400..500).contains(&status) && status != 429 => Attempt::Done(Err(
                        PayoutError::protocol(format!("the refusal's body was cut off: {message}"), Some(status), b""),
                    )),
                    Safety::Create(_) => Attempt::Done(Err(safety.after_acted(err))),
                };
            }
        };
        let answer = HttpResponse { status, headers, body };
        match status {
            // A 429 is a refusal before acting: safe to repeat, for creates too.
            429 => Attempt::Retry { error: answer.error(), wait: answer.retry_after() },
            500..=599 => match safety {
                Safety::Read => Attempt::Retry { error: answer.error(), wait: answer.retry_after() },
                Safety::Create(reference) => {
                    // A gateway timeout: the provider behind it may still be working on it.
                    if status == 504 {
                        self.in_flight.mark(reference);
                    }
                    Attempt::Done(Err(safety.after_acted(answer.error())))
                }
            },
            _ => Attempt::Done(Ok(answer)),
        }
    }

    fn transport_failure(&self, safety: &Safety, e: reqwest::Error) -> Attempt {
        let what = describe(&e);
        let (connect, timeout) = (e.is_connect(), e.is_timeout());
        // Kept as the cause, without its URL: paths are logged, never URLs.
        let cause: crate::error::Cause = Arc::new(e.without_url());
        let error = PayoutError::unavailable(format!("{} could not be reached: {what}", self.provider), None)
            .with_cause(cause.clone());
        if connect {
            // The connection never opened: nothing was sent, any request may go again.
            return Attempt::Retry { error, wait: None };
        }
        match safety {
            Safety::Read => Attempt::Retry { error, wait: None },
            Safety::Create(reference) => {
                // Sent, and we stopped waiting: the provider may still be processing it. (A
                // connection the other side closed or reset ended the exchange there.)
                if timeout {
                    self.in_flight.mark(reference);
                }
                let lost =
                    PayoutError::unavailable(format!("the request was sent but no answer came back ({what})"), None)
                        .with_cause(cause);
                Attempt::Done(Err(safety.after_acted(lost)))
            }
        }
    }

    async fn read_body(&self, mut response: reqwest::Response) -> Result<Bytes, BodyError> {
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

enum BodyError {
    TooLarge,
    Broken(String),
}

/// A transport error in words, without the URL's query (which never holds secrets here, but
/// the rule is simple: log paths, not URLs).
fn describe(e: &reqwest::Error) -> String {
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
