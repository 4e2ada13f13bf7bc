//! Callbacks (AlphaPo) and webhooks (AlpPay) arrive signed over the raw body, are retried, and can
//! be duplicated; a tiny loopback receiver stands in for the merchant.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use http::{HeaderMap, StatusCode};
use payout_sim::{
    AlpPayConfig, AlpPayServer, AlpPayStatus, AlphaPoConfig, AlphaPoServer, AlphaPoStatus, CallbackConfig,
};
use payout_testkit::signing::{alphapo_signature, alppay_signature, verify_alphapo, verify_alppay};
use serde_json::{Value, json};

use crate::common::until;

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    /// Statuses to answer, in order; 200 once spent.
    script: Arc<Mutex<Vec<u16>>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.got.lock().unwrap().push((headers, body));
    let mut script = r.script.lock().unwrap();
    let code = if script.is_empty() { 200 } else { script.remove(0) };
    StatusCode::from_u16(code).unwrap()
}

async fn receiver(script: Vec<u16>) -> (String, Receiver) {
    let r = Receiver { script: Arc::new(Mutex::new(script)), ..Receiver::default() };
    let app = Router::new().route("/hook", post(receive)).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, r)
}

/// POSTs `body` with `headers` to `url` and reads the JSON answer.
async fn post_json(url: String, headers: &[(&str, String)], body: String) -> Value {
    let mut request = reqwest::Client::builder().no_proxy().build().unwrap().post(url).body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// Creates an ETH withdrawal of `amount` under `foreign_id`, signed; the answer's `data`.
async fn alphapo_create_amount(sim: &AlphaPoServer, foreign_id: &str, amount: &str) -> Value {
    let body =
        json!({"currency":"ETH","foreign_id":foreign_id,"end_user_reference":"u","address":"0xabc","amount":amount})
            .to_string();
    let signature = alphapo_signature(sim.api_secret().as_bytes(), body.as_bytes());
    let headers = [
        ("Content-Type", "application/json".to_owned()),
        ("X-Processing-Key", sim.api_key().to_owned()),
        ("X-Processing-Signature", signature),
    ];
    post_json(format!("{}/withdrawal/crypto", sim.base_url()), &headers, body).await["data"].clone()
}

/// Creates a 0.01 ETH withdrawal under `foreign_id`; its id.
async fn alphapo_create(sim: &AlphaPoServer, foreign_id: &str) -> i64 {
    alphapo_create_amount(sim, foreign_id, "0.01").await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn alphapo_callbacks_are_signed_and_retried() {
    let (url, rx) = receiver(vec![500]).await;
    let sim = AlphaPoServer::start(AlphaPoConfig::default().with_callback(CallbackConfig::new(url))).await.unwrap();
    let id = alphapo_create(&sim, "cb-1").await;
    assert!(rx.got.lock().unwrap().is_empty(), "creation is answered synchronously, not by callback");
    sim.set_status(id, AlphaPoStatus::Confirmed).unwrap();
    until(|| rx.got.lock().unwrap().len() == 2).await;
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got[0].1, got[1].1, "the retry carries the same body");
    let (headers, body) = &got[1];
    assert_eq!(headers["x-processing-key"], sim.api_key());
    let sig = headers["x-processing-signature"].to_str().unwrap();
    assert!(verify_alphapo(sim.api_secret().as_bytes(), body, sig));
    assert_eq!(body.as_ref(), sim.wire_object(id).unwrap().as_slice(), "same object as /transactions/info");
    let v: Value = serde_json::from_slice(body).unwrap();
    assert_eq!((v["id"].as_i64(), v["status"].as_str()), (Some(id), Some("confirmed")));
    assert!(v["transactions"][0]["txid"].as_str().unwrap().starts_with("0x"));
    until(|| sim.deliveries().len() == 2).await;
    let attempts = sim.deliveries();
    assert_eq!((attempts[0].attempt, attempts[0].outcome.clone()), (1, Ok(500)));
    assert_eq!((attempts[1].attempt, attempts[1].outcome.clone()), (2, Ok(200)));
    assert!(attempts[1].succeeded());
}

#[tokio::test]
async fn duplicate_delivery_sends_each_callback_twice() {
    let (url, rx) = receiver(vec![]).await;
    let config = CallbackConfig::new(url).with_duplicates(true);
    let sim = AlphaPoServer::start(AlphaPoConfig::default().with_callback(config)).await.unwrap();
    let id = alphapo_create(&sim, "dup-1").await;
    sim.set_status_with(id, AlphaPoStatus::Cancelled, None, Some("Not enough money on balance")).unwrap();
    until(|| rx.got.lock().unwrap().len() == 2).await;
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got[0].1, got[1].1);
    let v: Value = serde_json::from_slice(&got[0].1).unwrap();
    assert_eq!((v["status"].as_str(), v["error"].as_str()), (Some("cancelled"), Some("Not enough money on balance")));
    until(|| sim.deliveries().len() == 2).await;
    let copies: Vec<u32> = sim.deliveries().iter().map(|a| a.copy).collect();
    assert_eq!(copies, vec![1, 2]);
}

#[tokio::test]
async fn unreachable_receiver_is_retried_on_the_schedule() {
    // Nothing listens there: connections are refused.
    let config = CallbackConfig::new(payout_sim::net::refused_url("/hook"))
        .with_retry_delays(vec![Duration::from_millis(5), Duration::from_millis(5)]);
    let sim = AlphaPoServer::start(AlphaPoConfig::default().with_callback(config)).await.unwrap();
    let id = alphapo_create(&sim, "down-1").await;
    sim.set_status(id, AlphaPoStatus::Declined).unwrap();
    until(|| sim.deliveries().len() == 3).await;
    assert!(sim.deliveries().iter().all(|a| a.outcome.is_err()));
    assert_eq!(sim.deliveries().iter().map(|a| a.attempt).collect::<Vec<_>>(), vec![1, 2, 3]);
}

#[tokio::test]
async fn alppay_webhooks_on_creation_and_each_change() {
    let (url, rx) = receiver(vec![]).await;
    let sim = AlpPayServer::start(AlpPayConfig::default().with_callback(CallbackConfig::new(url))).await.unwrap();
    let body = json!({"amount":"10","asset":{"short":"USDT","network":"tron"},"addressTo":"TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n",
        "customer":{"id":1,"name":"C","email":"c@example.com"},"destTag":"","invoice":"hook-1"})
    .to_string();
    let signature = alppay_signature(sim.hmac_key().as_bytes(), body.as_bytes());
    let headers =
        [("API-KEY", sim.api_key().to_owned()), ("X-HMAC", signature), ("Content-Type", "application/json".to_owned())];
    let created = post_json(format!("{}/withdrawal", sim.base_url()), &headers, body).await;
    let id = created["id"].as_str().unwrap();
    until(|| rx.got.lock().unwrap().len() == 1).await;
    sim.set_status(id, AlpPayStatus::Approved).unwrap();
    until(|| rx.got.lock().unwrap().len() == 2).await;
    sim.set_status(id, AlpPayStatus::Complete).unwrap();
    until(|| rx.got.lock().unwrap().len() == 3).await;
    let got = rx.got.lock().unwrap().clone();
    let statuses: Vec<String> = got
        .iter()
        .map(|(h, b)| {
            assert!(verify_alppay(sim.hmac_key().as_bytes(), b, h["x-hmac"].to_str().unwrap()));
            assert!(h.get("api-key").is_none());
            serde_json::from_slice::<Value>(b).unwrap()["status"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(statuses, ["OPEN", "APPROVED", "COMPLETE"]);
    let first: Value = serde_json::from_slice(&got[0].1).unwrap();
    assert_eq!(first, created, "the webhook body is the bare withdrawal object");
}

/// The distinct statuses `rx` got, once there are `n` of them (within 30 s, for a loaded machine).
async fn arrived(rx: &Receiver, n: usize) -> std::collections::BTreeSet<String> {
    let statuses = || -> std::collections::BTreeSet<String> {
        rx.got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| serde_json::from_slice::<Value>(b).unwrap()["status"].as_str().unwrap().to_owned())
            .collect()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while statuses().len() < n {
        assert!(tokio::time::Instant::now() < deadline, "only {:?} arrived", statuses());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    statuses()
}

#[tokio::test]
async fn automatic_life_cycle_delivers_without_reads() {
    let (url, rx) = receiver(vec![]).await;
    let config = AlpPayConfig::default()
        .with_lifecycle(Duration::from_millis(20), Some(Duration::from_millis(20)))
        .with_callback(CallbackConfig::new(url.clone()));
    let pay = AlpPayServer::start(config).await.unwrap();
    pay.seed(0);
    let body = json!({"amount":"1","asset":{"short":"USDT","network":"ethereum"},"addressTo":"0xabc",
        "customer":{"id":1,"name":"C","email":"c@example.com"},"destTag":null,"invoice":"auto"})
    .to_string();
    let signature = alppay_signature(pay.hmac_key().as_bytes(), body.as_bytes());
    let headers = [("API-KEY", pay.api_key().to_owned()), ("X-HMAC", signature)];
    post_json(format!("{}/withdrawal", pay.base_url()), &headers, body).await;
    // Each step is delivered on its own task (and retried when an answer is slow), so on a loaded
    // machine they may arrive in any order, or twice, as a real provider's may: each arrives.
    assert_eq!(arrived(&rx, 3).await.into_iter().collect::<Vec<_>>(), ["APPROVED", "COMPLETE", "OPEN"]);

    let ap = AlphaPoServer::start(
        AlphaPoConfig::default()
            .with_lifecycle(Duration::from_millis(20), Duration::from_millis(20))
            .with_callback(CallbackConfig::new(url)),
    )
    .await
    .unwrap();
    alphapo_create(&ap, "auto-ap").await;
    let all = arrived(&rx, 5).await;
    assert!(all.contains("not_confirmed") && all.contains("confirmed"), "{all:?}");
}

#[tokio::test]
async fn above_the_withdrawal_limit_a_withdrawal_waits_for_review() {
    let (url, rx) = receiver(vec![]).await;
    let mut config = AlphaPoConfig::default()
        .with_lifecycle(Duration::from_millis(10), Duration::from_millis(10))
        .with_callback(CallbackConfig::new(url));
    config.review_above_eur = Some(rust_decimal::Decimal::from(1_000));
    let sim = AlphaPoServer::start(config).await.unwrap();
    // 0.01 ETH is 30 EUR: under the limit, it runs the automatic life cycle.
    alphapo_create(&sim, "small").await;
    // 1 ETH is 3000 EUR: pending, and the life cycle leaves it to the reviewer.
    let created = alphapo_create_amount(&sim, "big", "1").await;
    assert_eq!(created["status"], "processing");
    let big = created["id"].as_i64().unwrap();
    until(|| sim.find("small").is_some_and(|w| w.status == AlphaPoStatus::Confirmed)).await;
    assert_eq!(sim.get(big).unwrap().status, AlphaPoStatus::Pending);
    let statuses = |rx: &Receiver, id: i64| -> Vec<String> {
        rx.got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| serde_json::from_slice::<Value>(b).unwrap())
            .filter(|v| v["id"] == id)
            .map(|v| v["status"].as_str().unwrap().to_owned())
            .collect()
    };
    until(|| statuses(&rx, big).len() == 1).await;
    assert_eq!(statuses(&rx, big), ["pending"]);
    sim.set_status(big, AlphaPoStatus::Confirmed).unwrap();
    until(|| statuses(&rx, big).len() == 2).await;
    assert_eq!(statuses(&rx, big), ["pending", "confirmed"]);
}
