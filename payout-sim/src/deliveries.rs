//! Delivery of callbacks (AlphaPo) and webhooks (AlpPay, Cryptomus): a signed POST of the raw
//! body to the one configured URL (or the URL the withdrawal itself names: Cryptomus's
//! `url_callback`), retried on a non-2xx answer or a connection failure.
//!
//! The status changes found in one step (for example a lazy life cycle catching up two steps) are
//! delivered in order by one task; separate steps are delivered independently, so with retries
//! they can arrive out of order, as real providers' callbacks can.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;

/// Where and how to deliver status changes.
#[derive(Clone, Debug)]
pub struct CallbackConfig {
    /// The receiver's URL (tests use loopback; nothing is sent anywhere else).
    pub url: String,
    /// The waits before each retry; a delivery is tried `1 + retry_delays.len()` times at most.
    /// Default: 50 ms, 100 ms, 200 ms (the providers wait minutes; tests should not).
    pub retry_delays: Vec<Duration>,
    /// Delivers every successful callback a second time, so receivers are tested against
    /// duplicates (which AlphaPo's documents say happen). Default: off.
    pub duplicate: bool,
    /// How long one attempt may take. Default: 2 s.
    pub timeout: Duration,
}

impl CallbackConfig {
    /// Delivers to `url` with the default schedule.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            retry_delays: vec![Duration::from_millis(50), Duration::from_millis(100), Duration::from_millis(200)],
            duplicate: false,
            timeout: Duration::from_secs(2),
        }
    }

    /// Sets the waits before each retry.
    pub fn with_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.retry_delays = delays;
        self
    }

    /// Turns duplicate delivery on or off.
    pub fn with_duplicates(mut self, duplicate: bool) -> Self {
        self.duplicate = duplicate;
        self
    }
}

/// One attempt to deliver a status change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// The withdrawal's id as the provider prints it.
    pub withdrawal_id: String,
    /// The provider status the body carries.
    pub status: String,
    /// 1 for the first attempt of a copy, 2 for its first retry, ...
    pub attempt: u32,
    /// 1, or 2 for the duplicate copy.
    pub copy: u32,
    /// The exact body sent.
    pub body: String,
    /// The status the receiver answered, or the connection error.
    pub outcome: Result<u16, String>,
}

impl DeliveryAttempt {
    /// Whether the receiver answered 2xx.
    pub fn succeeded(&self) -> bool {
        matches!(self.outcome, Ok(s) if (200..300).contains(&s))
    }
}

/// One status change ready to send: where to, the raw body and its signature headers.
#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    /// The withdrawal's own receiver, or `None` for the configured one.
    pub(crate) url: Option<String>,
    pub(crate) withdrawal_id: String,
    pub(crate) status: String,
    pub(crate) body: Bytes,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Delivery {
    /// The delivery of `body` (withdrawal `withdrawal_id` in `status`) to the configured
    /// receiver, with its signature `headers`.
    pub(crate) fn new(
        withdrawal_id: String,
        status: &str,
        body: impl Into<Bytes>,
        headers: Vec<(&'static str, String)>,
    ) -> Self {
        Self { url: None, withdrawal_id, status: status.to_owned(), body: body.into(), headers }
    }

    /// The same delivery to the withdrawal's own receiver.
    pub(crate) fn to(mut self, url: String) -> Self {
        self.url = Some(url);
        self
    }
}

/// Sends deliveries for one simulator and remembers the attempts.
#[derive(Debug)]
pub(crate) struct Deliverer {
    /// Where and how to deliver; none when deliveries are off.
    config: Option<CallbackConfig>,
    /// The client that delivers, built on the first delivery (building one loads TLS roots, too
    /// slow for a simulator started per test that never delivers).
    client: OnceLock<reqwest::Client>,
    attempts: Arc<Mutex<Vec<DeliveryAttempt>>>,
}

impl Deliverer {
    pub(crate) fn new(config: Option<CallbackConfig>) -> Self {
        let deliverer = Self { config, client: OnceLock::new(), attempts: Arc::default() };
        // With a configured receiver the client is built now, not on the first delivery: building
        // one can take longer than a fast life cycle's step, and a first delivery that late
        // would let the next steps fall due together.
        if let Some(c) = deliverer.config.as_ref().filter(|c| !c.url.is_empty()) {
            deliverer.client(c.timeout);
        }
        deliverer
    }

    fn client(&self, timeout: Duration) -> reqwest::Client {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .no_proxy()
                    .timeout(timeout)
                    .build()
                    .unwrap_or_else(|_| reqwest::Client::new())
            })
            .clone()
    }

    pub(crate) fn enabled(&self) -> bool {
        self.config.is_some()
    }

    pub(crate) fn attempts(&self) -> Vec<DeliveryAttempt> {
        self.attempts.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sends `batch` in order on a task of the current runtime (outside one, nothing is sent and
    /// each delivery is recorded as failed with that reason).
    pub(crate) fn send(&self, batch: Vec<Delivery>) {
        let Some(config) = self.config.clone() else { return };
        if batch.is_empty() {
            return;
        }
        let client = self.client(config.timeout);
        let attempts = self.attempts.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move {
                    for d in batch {
                        deliver(&client, &config, &attempts, &d).await;
                    }
                });
            }
            Err(_) => {
                let mut log = attempts.lock().unwrap_or_else(|e| e.into_inner());
                for d in batch {
                    log.push(attempt(&d, 1, 1, Err("no tokio runtime to deliver from".into())));
                }
            }
        }
    }
}

fn attempt(d: &Delivery, attempt: u32, copy: u32, outcome: Result<u16, String>) -> DeliveryAttempt {
    DeliveryAttempt {
        withdrawal_id: d.withdrawal_id.clone(),
        status: d.status.clone(),
        attempt,
        copy,
        body: String::from_utf8_lossy(&d.body).into_owned(),
        outcome,
    }
}

async fn deliver(client: &reqwest::Client, config: &CallbackConfig, log: &Mutex<Vec<DeliveryAttempt>>, d: &Delivery) {
    let copies = if config.duplicate { 2 } else { 1 };
    for copy in 1..=copies {
        let mut delays = config.retry_delays.iter();
        let mut n = 1;
        loop {
            let url = d.url.as_deref().unwrap_or(&config.url);
            let mut req = client.post(url).header("Content-Type", "application/json").body(d.body.clone());
            for (name, value) in &d.headers {
                req = req.header(*name, value);
            }
            let outcome = match req.send().await {
                Ok(resp) => Ok(resp.status().as_u16()),
                Err(e) => Err(e.to_string()),
            };
            let record = attempt(d, n, copy, outcome);
            let ok = record.succeeded();
            log.lock().unwrap_or_else(|e| e.into_inner()).push(record);
            if ok {
                break;
            }
            let Some(wait) = delays.next() else { return };
            tokio::time::sleep(*wait).await;
            n += 1;
        }
    }
}
