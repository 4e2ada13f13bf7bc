//! The retry loop: what is safe to send again ([`Safety`]), which failures are retried, and
//! when an error becomes outcome-unknown because the provider may have acted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::{Instrument, Level};
use url::Url;

use super::client::{BodyError, HttpClient, describe};
use super::outgoing::Outgoing;
use super::response::HttpResponse;
use crate::error::PayoutError;
use crate::id::Reference;

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

/// `read` of an answer: for a create, what `read` refuses of a 2xx answer is outcome-unknown.
fn read_answer<T>(
    safety: &Safety,
    answer: &HttpResponse,
    read: impl FnOnce(&HttpResponse) -> Result<T, PayoutError>,
) -> Result<T, PayoutError> {
    read(answer).map_err(|e| if answer.is_success() { safety.after_acted(e) } else { e })
}

/// What one attempt came to.
enum Attempt {
    Done(Result<HttpResponse, PayoutError>),
    Retry { error: PayoutError, wait: Option<Duration> },
}

impl HttpClient {
    /// Sends the request `build` makes (called again for each attempt) and returns any answer
    /// that is not 429 or 5xx; those, and transport failures, are retried as far as `safety`
    /// allows and then returned as errors. The provider maps the remaining statuses itself,
    /// falling back to [`HttpResponse::error`].
    ///
    /// A create whose earlier attempt (through this client or a clone) timed out without an
    /// answer, or got a `504`, is not sent again within [`HttpConfig::in_flight_window`](super::HttpConfig::in_flight_window): the provider may still be working
    /// on the first one, so a lookup that found nothing proves nothing yet.
    pub async fn send(
        &self,
        safety: &Safety,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<HttpResponse, PayoutError> {
        if let Some(refused) = self.refused_in_flight(safety) {
            return Err(refused);
        }
        self.retrying(safety, None, || {
            build(&self.client)
                .timeout(self.timeout)
                .build()
                .map_err(|e| PayoutError::configuration(format!("cannot build the request to {}: {e}", self.provider)))
        })
        .await
    }

    /// [`send`](Self::send) for a request prepared once ([`Outgoing`]): each attempt is built
    /// from its parts without a request builder, and the redirect check compares the answer's URL
    /// with the one the request borrows, without copying it.
    pub async fn send_prepared(&self, safety: &Safety, outgoing: &Outgoing<'_>) -> Result<HttpResponse, PayoutError> {
        if let Some(refused) = self.refused_in_flight(safety) {
            return Err(refused);
        }
        self.retrying(safety, Some(outgoing.url()), || Ok(outgoing.attempt(self.timeout))).await
    }

    /// The create for this reference that is not sent again, if an earlier one got no answer
    /// within the in-flight window.
    fn refused_in_flight(&self, safety: &Safety) -> Option<PayoutError> {
        let Safety::Create(reference) = safety else { return None };
        let age = self.in_flight.pending(reference)?;
        tracing::warn!(target: "payout::http", provider = %self.provider, reference = %reference, "create not sent again: an earlier one got no answer and may still be in flight");
        Some(PayoutError::outcome_unknown(
            reference.clone(),
            format!(
                "a create for this reference was sent {} s ago and got no answer in time; {} may still be processing it, so it is not sent again: look the reference up until it appears (or until the provider confirms it never arrived)",
                age.as_secs(),
                self.provider
            ),
        ))
    }

    /// The retry loop: `make` builds each attempt's request; `asked` is the URL it goes to, when
    /// the caller holds it (otherwise each attempt's URL is copied for the redirect check).
    async fn retrying(
        &self,
        safety: &Safety,
        asked: Option<&Url>,
        make: impl Fn() -> Result<reqwest::Request, PayoutError>,
    ) -> Result<HttpResponse, PayoutError> {
        let mut retries = 0;
        loop {
            let request = make()?;
            let copied;
            let asked = match asked {
                Some(url) => url,
                None => {
                    copied = request.url().clone();
                    &copied
                }
            };
            let span = tracing::debug_span!(
                "payout.http",
                provider = %self.provider,
                method = %request.method(),
                path = %request.url().path(),
                attempt = retries + 1,
            );
            // A span nobody listens to is not entered and left on every poll.
            let attempt = if span.is_disabled() {
                self.attempt(safety, request, asked).await
            } else {
                self.attempt(safety, request, asked).instrument(span).await
            };
            match attempt {
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

    /// [`send`](Self::send), then `read` of the answer, typed: for a create, whatever `read`
    /// refuses of a 2xx answer becomes [`PayoutError::OutcomeUnknown`] (the provider acted, and
    /// what it did cannot be told from the answer), while `read`'s errors about a refusal stay
    /// as they are. Providers thus never turn errors into outcome-unknown by hand.
    pub async fn send_and_read<T>(
        &self,
        safety: &Safety,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        read: impl FnOnce(&HttpResponse) -> Result<T, PayoutError>,
    ) -> Result<T, PayoutError> {
        let answer = self.send(safety, build).await?;
        read_answer(safety, &answer, read)
    }

    /// [`send_prepared`](Self::send_prepared), then `read` of the answer, as
    /// [`send_and_read`](Self::send_and_read) reads it.
    pub async fn send_prepared_and_read<T>(
        &self,
        safety: &Safety,
        outgoing: &Outgoing<'_>,
        read: impl FnOnce(&HttpResponse) -> Result<T, PayoutError>,
    ) -> Result<T, PayoutError> {
        let answer = self.send_prepared(safety, outgoing).await?;
        read_answer(safety, &answer, read)
    }

    async fn attempt(&self, safety: &Safety, request: reqwest::Request, asked: &Url) -> Attempt {
        // Read only for the debug log: no clock is read when nobody listens.
        let started = tracing::enabled!(target: "payout::http", Level::DEBUG).then(Instant::now);
        let mut response = match self.client.execute(request).await {
            Ok(r) => r,
            Err(e) => return self.transport_failure(safety, e),
        };
        if response.url() != asked {
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
        if let Some(started) = started {
            tracing::debug!(target: "payout::http", status, elapsed_ms = started.elapsed().as_millis() as u64, "answer");
        }
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
}
