//! What the simulator tests share: a client without proxies, requests signed as each provider's
//! clients sign them, and the sandbox on a free port.

// Each test crate uses the part it needs.
#![allow(dead_code)]

use std::net::SocketAddr;

use payout_sim::{AlpPayConfig, AlpPayServer, AlphaPoConfig, AlphaPoServer, SandboxServer};
use payout_testkit::signing::{alphapo_signature, alppay_signature, cryptomus_signature};
use reqwest::{Method, RequestBuilder};

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A request to AlphaPo's `path` with the JSON content type, the key and the signature of `body`.
pub fn alphapo_request(
    http: &reqwest::Client,
    sim: &AlphaPoServer,
    method: Method,
    path: &str,
    body: impl Into<Vec<u8>>,
) -> RequestBuilder {
    let body = body.into();
    let sig = alphapo_signature(sim.api_secret().as_bytes(), &body);
    http.request(method, format!("{}{path}", sim.base_url()))
        .header("Content-Type", "application/json")
        .header("X-Processing-Key", sim.api_key())
        .header("X-Processing-Signature", sig)
        .body(body)
}

/// A create (`POST /withdrawal`) to AlpPay with the key and the HMAC of `body`.
pub fn alppay_create(http: &reqwest::Client, sim: &AlpPayServer, body: impl Into<Vec<u8>>) -> RequestBuilder {
    let body = body.into();
    let sig = alppay_signature(sim.hmac_key().as_bytes(), &body);
    http.post(format!("{}/withdrawal", sim.base_url()))
        .header("API-KEY", sim.api_key())
        .header("X-HMAC", sig)
        .body(body)
}

/// A read (`GET`) of AlpPay's `path_and_query` with the key.
pub fn alppay_get(http: &reqwest::Client, sim: &AlpPayServer, path_and_query: &str) -> RequestBuilder {
    http.get(format!("{}{path_and_query}", sim.base_url())).header("API-KEY", sim.api_key())
}

/// A Cryptomus call: `POST` of `body` to `path` under `base_url` with the JSON content type, the
/// `merchant` header and the `sign` of the exact bytes (md5 of their base64 plus `payout_key`).
pub fn cryptomus_post(
    http: &reqwest::Client,
    base_url: &str,
    merchant: &str,
    payout_key: &str,
    path: &str,
    body: impl Into<Vec<u8>>,
) -> RequestBuilder {
    let body = body.into();
    let sign = cryptomus_signature(payout_key.as_bytes(), &body);
    http.post(format!("{base_url}{path}"))
        .header("Content-Type", "application/json")
        .header("merchant", merchant)
        .header("sign", sign)
        .body(body)
}

/// The CLI's sandbox (every simulator in its sandbox configuration) on a free loopback port.
pub async fn start_sandbox() -> SandboxServer {
    SandboxServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), AlphaPoConfig::sandbox(), AlpPayConfig::sandbox())
        .await
        .unwrap()
}

/// Waits (without a timed assertion) until `f` holds, polling every 5 ms; panics after ten
/// seconds.
pub async fn until(mut f: impl FnMut() -> bool) {
    for _ in 0..2_000 {
        if f() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("condition never held");
}
