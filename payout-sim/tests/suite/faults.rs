//! Each injected fault behaves as documented in `payout_sim::Fault`.

use std::time::Duration;

use payout_sim::{AlpPayConfig, AlpPayServer, AlphaPoConfig, AlphaPoServer, Fault};
use payout_testkit::signing::alppay_signature;
use serde_json::{Value, json};

use crate::common;

use common::{alphapo_request, alppay_get, client};

fn create_request(sim: &AlphaPoServer, foreign_id: &str) -> reqwest::RequestBuilder {
    let body =
        json!({"currency":"BTC","foreign_id":foreign_id,"end_user_reference":"u","address":"tb1q","amount":"0.0002"})
            .to_string();
    alphapo_request(&client(), sim, reqwest::Method::POST, "/withdrawal/crypto", body)
}

async fn alphapo() -> AlphaPoServer {
    AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap()
}

#[tokio::test]
async fn delay_then_normal_answer() {
    let sim = alphapo().await;
    sim.faults().next(Fault::Delay(Duration::from_millis(30)));
    let r = create_request(&sim, "d1").send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert!(sim.find("d1").is_some());
    let log = sim.requests().entries();
    assert_eq!(log.last().unwrap().fault, Some("delay"));
    assert_eq!(log.last().unwrap().status, Some(201));
}

#[tokio::test]
async fn a_delayed_request_is_acted_on_after_the_client_gave_up() {
    let sim = alphapo().await;
    // The client waits long enough for its request to arrive even on a loaded machine, and
    // gives up well before the answer.
    sim.faults().next(Fault::Delay(Duration::from_millis(1500)));
    let gave_up = create_request(&sim, "late").timeout(Duration::from_millis(300)).send().await;
    assert!(gave_up.unwrap_err().is_timeout());
    // The provider was slow, not down: the create still happens, once.
    for _ in 0..1000 {
        if sim.find("late").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(sim.find("late").is_some(), "the delayed create was never acted on");
    assert_eq!(sim.count(), 1);
    let log = sim.requests().entries();
    assert_eq!((log.len(), log[0].fault, log[0].status), (1, Some("delay"), Some(201)));
}

#[tokio::test]
async fn method_rules_reach_only_their_method() {
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    sim.faults().on_request(http::Method::POST, "/withdrawal", Fault::Status { status: 503, body: "{}".into() }, 1);
    let list = alppay_get(&client(), &sim, "/withdrawal?invoices=x").send().await.unwrap();
    assert_eq!(list.status(), 200);
    assert_eq!(sim.faults().pending(), 1, "the GET must not take the POST's fault");
}

#[tokio::test]
async fn too_many_requests_with_retry_after_does_not_act() {
    let sim = alphapo().await;
    sim.faults().next(Fault::TooManyRequests { retry_after: Some(7) });
    let r = create_request(&sim, "r1").send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(sim.count(), 0);
    sim.faults().next(Fault::TooManyRequests { retry_after: None });
    let r = create_request(&sim, "r1").send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_none());
    // The queue is spent: the next request is served.
    assert_eq!(create_request(&sim, "r1").send().await.unwrap().status(), 201);
}

#[tokio::test]
async fn server_error_with_body_does_not_act() {
    let sim = alphapo().await;
    sim.faults().next(Fault::Status { status: 503, body: r#"{"error":"maintenance"}"#.into() });
    let r = create_request(&sim, "s1").send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.text().await.unwrap(), r#"{"error":"maintenance"}"#);
    assert_eq!(sim.count(), 0);
}

#[tokio::test]
async fn closed_after_acting_leaves_the_withdrawal() {
    let sim = alphapo().await;
    sim.faults().on_path("/withdrawal/crypto", Fault::CloseAfterActing, 1);
    let err = create_request(&sim, "c1").send().await.unwrap_err();
    assert!(!err.is_status(), "{err}");
    assert!(sim.find("c1").is_some(), "the withdrawal exists although the client saw no answer");
    assert_eq!(sim.requests().entries().last().unwrap().status, None);
    // The client's reconciliation: the create is refused as a duplicate.
    let r = create_request(&sim, "c1").send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn closed_before_acting_leaves_nothing() {
    let sim = alphapo().await;
    sim.faults().next(Fault::CloseBeforeActing);
    assert!(create_request(&sim, "c2").send().await.is_err());
    assert_eq!(sim.count(), 0);
}

/// A check of the body an answer spoiled by a fault brought.
type BodyCheck = fn(reqwest::Result<Vec<u8>>);

/// The faults that act, then spoil the answer: the withdrawal exists and the status is the
/// real 201; only the body is as the fault says.
#[tokio::test]
async fn faults_after_acting_spoil_only_the_body() {
    const BIG: usize = 3 * 1024 * 1024;
    let cases: [(Fault, &str, BodyCheck); 3] = [
        (Fault::MalformedJson, "m1", |body| {
            let body = body.unwrap();
            assert!(serde_json::from_slice::<Value>(&body).is_err(), "{}", String::from_utf8_lossy(&body));
        }),
        (Fault::TruncatedBody, "t1", |body| assert!(body.is_err(), "the read must fail")),
        (Fault::OversizedBody { bytes: BIG }, "o1", |body| {
            let body = body.unwrap();
            assert_eq!(body.len(), BIG);
            let v: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["data"]["foreign_id"], "o1");
        }),
    ];
    for (fault, foreign_id, check) in cases {
        let sim = alphapo().await;
        sim.faults().next(fault);
        let r = create_request(&sim, foreign_id).send().await.unwrap();
        assert_eq!(r.status(), 201);
        check(r.bytes().await.map(|b| b.to_vec()));
        assert!(sim.find(foreign_id).is_some());
    }
}

#[tokio::test]
async fn unknown_status_and_missing_field() {
    let sim = alphapo().await;
    sim.faults().next(Fault::UnknownStatus);
    let v: Value = create_request(&sim, "u1").send().await.unwrap().json().await.unwrap();
    assert_eq!(v["data"]["status"], "surprise_status");
    assert_eq!(v["data"]["foreign_id"], "u1");

    let pay = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let ids = pay.seed(3);
    let get = |path: String| alppay_get(&client(), &pay, &path).send();
    pay.faults().on_path("/withdrawal", Fault::UnknownStatus, 1);
    let v: Value = get("/withdrawal".into()).await.unwrap().json().await.unwrap();
    assert!(v["data"].as_array().unwrap().iter().all(|w| w["status"] == "surprise_status"));
    pay.faults().next(Fault::MissingField("txnId".into()));
    let v: Value = get(format!("/withdrawal/{}", ids[0])).await.unwrap().json().await.unwrap();
    assert!(v.get("txnId").is_none());
    assert_eq!(v["id"], ids[0].as_str());
    let v: Value = get(format!("/withdrawal/{}", ids[0])).await.unwrap().json().await.unwrap();
    assert!(v.get("txnId").is_some(), "the fault applied once");
}

#[tokio::test]
async fn path_rules_only_hit_their_path_and_alppay_close_after_acting() {
    let pay = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    pay.faults().on_path("/nowhere", Fault::CloseBeforeActing, 1);
    let body = json!({"amount":"5","asset":{"short":"USDC","network":"ethereum"},"addressTo":"0xabc",
        "customer":{"id":7,"name":"N","email":"n@example.com"},"destTag":null,"invoice":"inv-close"})
    .to_string();
    let sig = alppay_signature(pay.hmac_key().as_bytes(), body.as_bytes());
    let send = || {
        client()
            .post(format!("{}/withdrawal", pay.base_url()))
            .header("Content-Type", "application/json")
            .header("API-KEY", pay.api_key())
            .header("X-HMAC", &sig)
            .body(body.clone())
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200);
    assert_eq!(pay.faults().pending(), 1);
    pay.faults().clear();
    pay.faults().on_path("/withdrawal", Fault::CloseAfterActing, 1);
    assert!(send().await.is_err());
    assert_eq!(pay.find_by_invoice("inv-close").len(), 2);
}

#[tokio::test]
async fn other_shape_keeps_the_status_and_reshapes_the_json() {
    // AlphaPo: the create acts, and its `{"data": ..}` answer gains another wrapper.
    let sim = alphapo().await;
    sim.faults().next(Fault::OtherShape);
    let r = create_request(&sim, "s1").send().await.unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["data"]["data"]["foreign_id"], "s1", "{v}");
    assert!(v["data"].get("id").is_none());
    assert!(sim.find("s1").is_some(), "acted on");

    // AlpPay: a listing moves under `results` with its total; an object is wrapped in `data`.
    let pay = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let ids = pay.seed(3);
    let get = |path: String| alppay_get(&client(), &pay, &path).send();
    pay.faults().on_request(http::Method::GET, "/withdrawal", Fault::OtherShape, 1);
    let r = get("/withdrawal?limit=2".into()).await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v.as_object().unwrap().len(), 2, "{v}");
    assert_eq!((v["results"].as_array().unwrap().len(), &v["total"]), (2, &json!(3)));
    pay.faults().next(Fault::OtherShape);
    let v: Value = get(format!("/withdrawal/{}", ids[0])).await.unwrap().json().await.unwrap();
    assert_eq!((v.as_object().unwrap().len(), &v["data"]["id"]), (1, &json!(ids[0])));
    let v: Value = get("/withdrawal".into()).await.unwrap().json().await.unwrap();
    assert_eq!(v["data"].as_array().unwrap().len(), 3, "the fault applied once");
}
