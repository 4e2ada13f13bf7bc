//! The webhook receiver: an axum [`Router`] (and so a tower service) that serves `POST /{provider}`
//! for each configured [`JournaledProvider`], verifies every delivery over its exact raw bytes
//! with the provider's own `parse_webhook`, applies it with [`JournaledProvider::apply_update`]
//! and answers 200 only once that returned, that is once the outcome is durable.
//!
//! ```no_run
//! # async fn demo(alphapo: payout_store::JournaledProvider, alppay: payout_store::JournaledProvider) -> std::io::Result<()> {
//! use payout_store::WebhookReceiver;
//!
//! let receiver = WebhookReceiver::new().provider(alphapo).provider(alppay);
//! let mut applied = receiver.subscribe(); // every acknowledged delivery, for the application
//! tokio::spawn(async move {
//!     while let Ok(d) = applied.recv().await {
//!         println!("{} {} is {} ({})", d.provider, d.withdrawal.id, d.withdrawal.status, d.outcome.as_str());
//!     }
//! });
//! // Mount it in an application's own router (`.nest("/webhooks", receiver.router())`) or run it alone:
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! receiver.serve(listener, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```
//!
//! | request | answer | journal |
//! |---|---|---|
//! | `POST /{provider}` for a provider not configured | 404 | untouched |
//! | body over [`WebhookReceiver::body_limit`] (default 256 KiB) | 413 | untouched |
//! | missing or bad signature, body changed in transit, body the provider cannot read | 401 | untouched |
//! | verified, applied (stored, duplicate, stale, illegal move, kept unmatched) | 200 after the write is durable | the update through the receiver rules |
//! | verified, the journal cannot be written (locked past its busy timeout, down) | 503 | unchanged; the provider delivers again |
//!
//! Each delivery's outcome is logged with `tracing` (target `payout_store::receiver`): the
//! provider, the withdrawal id and status, the outcome or the error. Never the body, never a
//! header, never a secret.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http::StatusCode;
use payout_core::{ErrorKind, ProviderId, Withdrawal};
use tokio::sync::broadcast;

use crate::provider::JournaledProvider;
use crate::update::UpdateOutcome;

/// The default bound on a delivery's body: 256 KiB (a callback is a few KiB).
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// One acknowledged delivery, as reported to the subscribers of [`WebhookReceiver::subscribe`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Delivered {
    /// The provider whose endpoint received it.
    pub provider: ProviderId,
    /// What the journal did with it.
    pub outcome: UpdateOutcome,
    /// The withdrawal as the delivery describes it.
    pub withdrawal: Withdrawal,
}

impl Delivered {
    /// Whether the delivery changed what the journal holds: stored, or kept for a withdrawal the
    /// journal does not know (a duplicate, stale or illegal one changed nothing).
    pub fn applied(&self) -> bool {
        matches!(self.outcome, UpdateOutcome::Stored | UpdateOutcome::KeptUnmatched)
    }
}

/// The webhook receiver; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    providers: BTreeMap<String, JournaledProvider>,
    body_limit: usize,
    events: broadcast::Sender<Delivered>,
}

impl Default for WebhookReceiver {
    fn default() -> Self {
        Self::new()
    }
}

struct Shared {
    providers: BTreeMap<String, JournaledProvider>,
    body_limit: usize,
    events: broadcast::Sender<Delivered>,
}

impl WebhookReceiver {
    /// A receiver with no provider yet.
    pub fn new() -> Self {
        Self { providers: BTreeMap::new(), body_limit: DEFAULT_BODY_LIMIT, events: broadcast::channel(1024).0 }
    }

    /// Serves `provider` at `POST /{its id}` (a second provider with the same id replaces it).
    pub fn provider(mut self, provider: JournaledProvider) -> Self {
        self.providers.insert(provider.inner().id().as_str().to_owned(), provider);
        self
    }

    /// Bounds each delivery's body (larger ones are answered 413 unread).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The path each provider is served at, relative to where the router is mounted.
    pub fn paths(&self) -> Vec<(ProviderId, String)> {
        self.providers.values().map(|p| (p.inner().id(), format!("/{}", p.inner().id().as_str()))).collect()
    }

    /// Every acknowledged delivery from now on, in the order the journal answered. A subscriber
    /// that falls more than 1,024 behind misses the oldest (`RecvError::Lagged`); the journal
    /// does not.
    pub fn subscribe(&self) -> broadcast::Receiver<Delivered> {
        self.events.subscribe()
    }

    /// The router: `POST /{provider}` for each configured provider; 404 for any other path.
    pub fn router(&self) -> Router {
        let shared = Arc::new(Shared {
            providers: self.providers.clone(),
            body_limit: self.body_limit,
            events: self.events.clone(),
        });
        Router::new()
            .route("/{provider}", post(deliver))
            .fallback(|| async { (StatusCode::NOT_FOUND, "no webhook endpoint here\n") })
            .with_state(shared)
    }

    /// Serves [`router`](Self::router) on `listener` until `shutdown` resolves; deliveries in
    /// flight then finish (their journal writes and answers) before it returns.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, self.router()).with_graceful_shutdown(shutdown).await
    }
}

fn answer(status: StatusCode, text: &str) -> Response {
    (status, [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{text}\n")).into_response()
}

async fn deliver(State(shared): State<Arc<Shared>>, Path(name): Path<String>, req: Request) -> Response {
    let Some(journaled) = shared.providers.get(&name) else {
        tracing::info!(target: "payout_store::receiver", path = %name, "delivery refused: no such provider (404)");
        return answer(StatusCode::NOT_FOUND, "no webhook endpoint for this provider");
    };
    let provider = journaled.inner().id();
    let (parts, body) = req.into_parts();
    let body: Bytes = match axum::body::to_bytes(body, shared.body_limit).await {
        Ok(body) => body,
        Err(_) => {
            tracing::warn!(target: "payout_store::receiver", %provider, limit = shared.body_limit, "delivery refused: body too large (413)");
            return answer(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
        }
    };
    let update = match journaled.inner().parse_webhook(&parts.headers, &body) {
        Ok(update) => update,
        Err(e) => {
            tracing::warn!(target: "payout_store::receiver", %provider, kind = e.kind().as_str(), error = %e, "delivery refused: not verified (401); nothing applied");
            return answer(StatusCode::UNAUTHORIZED, "the delivery could not be verified");
        }
    };
    let withdrawal = update.withdrawal.clone();
    match journaled.apply_update(update).await {
        Ok(outcome) => {
            tracing::info!(
                target: "payout_store::receiver",
                %provider,
                withdrawal = %withdrawal.id,
                status = %withdrawal.status,
                provider_status = %withdrawal.provider_status,
                outcome = outcome.as_str(),
                "delivery acknowledged (200)"
            );
            // No subscriber is fine: the journal holds it.
            let _ = shared.events.send(Delivered { provider, outcome, withdrawal });
            (
                StatusCode::OK,
                [(http::header::CONTENT_TYPE, "application/json")],
                format!("{{\"outcome\":\"{}\"}}\n", outcome.as_str()),
            )
                .into_response()
        }
        Err(e) if e.kind() == ErrorKind::Webhook => {
            tracing::warn!(target: "payout_store::receiver", %provider, withdrawal = %withdrawal.id, error = %e, "delivery refused: not for this endpoint (400); nothing applied");
            answer(StatusCode::BAD_REQUEST, "the delivery is not for this endpoint")
        }
        Err(e) => {
            tracing::error!(target: "payout_store::receiver", %provider, withdrawal = %withdrawal.id, error = %e, "delivery not applied: the journal cannot be written (503); the provider will deliver again");
            answer(StatusCode::SERVICE_UNAVAILABLE, "the journal cannot be written; deliver again later")
        }
    }
}
