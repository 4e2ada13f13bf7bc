//! A loopback receiver for the simulators' callbacks and webhooks: it answers `200 OK` and keeps
//! every delivery (headers and raw body, exactly as received), so tests can verify and apply
//! them as a merchant's endpoint would.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use payout_sim::receiver::Inbox;
//! use payout_sim::{AlpPayConfig, AlpPayServer, CallbackConfig};
//!
//! let inbox = Inbox::start().await.unwrap();
//! let sim = AlpPayServer::start(AlpPayConfig::default().with_callback(CallbackConfig::new(inbox.url()))).await.unwrap();
//! # let _ = sim;
//! assert!(inbox.deliveries().is_empty());
//! # }
//! ```

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use http::HeaderMap;

/// One delivery as the receiver got it.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The request headers (the signature among them).
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
}

/// A running receiver on `127.0.0.1` (stopped when the runtime ends).
#[derive(Clone, Debug)]
pub struct Inbox {
    url: String,
    got: Arc<Mutex<Vec<Delivery>>>,
}

impl Inbox {
    /// Starts a receiver on a free loopback port, answering `POST /hook` with `200 OK`.
    pub async fn start() -> std::io::Result<Inbox> {
        let got: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let app = Router::new()
            .route(
                "/hook",
                post(|State(got): State<Arc<Mutex<Vec<Delivery>>>>, headers: HeaderMap, body: Bytes| async move {
                    got.lock().unwrap_or_else(|e| e.into_inner()).push(Delivery { headers, body });
                    http::StatusCode::OK
                }),
            )
            .with_state(got.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Inbox { url, got })
    }

    /// The URL to deliver to.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Every delivery so far, in arrival order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.got.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Every delivery so far, parsed by `provider`; panics if one does not verify.
    pub fn parse_each<P: payout_core::PayoutProvider + ?Sized>(
        &self,
        provider: &P,
    ) -> Vec<payout_core::WithdrawalUpdate> {
        self.deliveries()
            .iter()
            .map(|d| provider.parse_webhook(&d.headers, &d.body).expect("a signed delivery verifies"))
            .collect()
    }

    /// Waits (ten seconds at most) until the inbox holds `count` deliveries; panics if it does
    /// not.
    pub async fn wait_for(&self, count: usize) {
        for _ in 0..2_000 {
            if self.deliveries().len() >= count {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        panic!("expected {count} deliveries, got {}", self.deliveries().len());
    }
}
