//! Concurrency and the shared listener: 200 concurrent signed creates, and both simulators
//! mounted under one address as the CLI's sandbox serves them.

use payout_sim::{AlpPayConfig, AlpPayServer, AlphaPoConfig, AlphaPoServer};
use serde_json::{Value, json};

use crate::common;

use common::{alphapo_request, alppay_create, client, start_sandbox};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_creates_on_each_simulator() {
    let ap = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let pay = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let http = client();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let http = http.clone();
        let body = json!({"currency":"TRX","foreign_id":format!("load-{i}"),"end_user_reference":"u","address":"Taddr","amount":"1.5"})
            .to_string();
        let req = alphapo_request(&http, &ap, reqwest::Method::POST, "/withdrawal/crypto", body);
        tasks.push(tokio::spawn(async move { req.send().await.map(|r| r.status().as_u16()) }));
        let body = json!({"amount":"1","asset":{"short":"USDT","network":"tron"},"addressTo":"Taddr",
            "customer":{"id":i,"name":"C","email":"c@example.com"},"destTag":"","invoice":format!("load-{i}")})
        .to_string();
        let req = alppay_create(&http, &pay, body);
        tasks.push(tokio::spawn(async move { req.send().await.map(|r| r.status().as_u16()) }));
    }
    for t in tasks {
        let status = t.await.unwrap().unwrap();
        assert!(status == 200 || status == 201, "{status}");
    }
    assert_eq!(ap.count(), 200);
    assert_eq!(pay.count(), 200);
    let ids: std::collections::HashSet<String> = pay.withdrawals().into_iter().map(|w| w.id).collect();
    assert_eq!(ids.len(), 200, "ids are unique");
}

#[tokio::test]
async fn sandbox_serves_both_under_one_address() {
    let sandbox = start_sandbox().await;
    let port = sandbox.local_addr().port();
    assert_eq!(sandbox.alphapo_base_url(), format!("http://127.0.0.1:{port}/alphapo/api/v2"));
    assert_eq!(sandbox.alppay_base_url(), format!("http://127.0.0.1:{port}/alppay/v2"));

    let r = client().get(format!("{}/ping", sandbox.alphapo_base_url())).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "OK");
    let r = client().post(format!("{}/nothing", sandbox.alphapo_base_url())).send().await.unwrap();
    assert_eq!(r.status(), 403, "AlphaPo's unknown-path quirk under its prefix");
    let r = client().get(format!("{}/nothing", sandbox.alppay_base_url())).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = client()
        .get(format!("{}/withdrawal", sandbox.alppay_base_url()))
        .header("API-KEY", sandbox.alppay.config().api_key.as_str())
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v, json!({"data":[],"page":0,"limit":20,"total":0}));

    let ids = sandbox.alppay.seed(5);
    sandbox.alphapo.seed(6);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.json");
    sandbox.save(&path).unwrap();
    let again = start_sandbox().await;
    again.load(&path).unwrap();
    assert_eq!((again.alphapo.count(), again.alppay.count()), (6, 5));
    assert_eq!(again.alppay.get(&ids[2]), sandbox.alppay.get(&ids[2]));
}

/// Odd but correctly signed bodies get a documented 4xx answer, never a 500 or a dropped
/// connection.
#[tokio::test]
async fn odd_bodies_get_documented_answers() {
    let ap = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let pay = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let long = "x".repeat(100_000);
    let bodies: Vec<String> = vec![
        String::new(),
        "null".into(),
        "[]".into(),
        "[1,2]".into(),
        "\"text\"".into(),
        "{}".into(),
        r#"{"amount":{},"currency":[],"address":1,"foreign_id":true,"end_user_reference":null,"tag":{}}"#.into(),
        r#"{"amount":"1e5","currency":"BTC","convert_to":5,"amount_to":"x"}"#.into(),
        r#"{"id":"abc"}"#.into(),
        r#"{"id":1.5}"#.into(),
        r#"{"id":99999999999999999999}"#.into(),
        r#"{"foreign_id":{}}"#.into(),
        r#"{"asset":"USDT","customer":[],"amount":"1"}"#.into(),
        r#"{"asset":{"short":1},"customer":{"id":"x"}}"#.into(),
        r#"{"amount":"0.000000001","asset":{"short":"USDT","network":"tron"}}"#.into(),
        r#"{"amount":"99999999999999999999999999999999"}"#.into(),
        format!(r#"{{"foreign_id":"{long}","end_user_reference":"{long}","address":"{long}"}}"#),
        "{\"a\":\"\u{0000}\u{ffff}\"}".into(),
        "\u{feff}{}".into(),
    ];
    let http = client();
    for body in &bodies {
        for (method, path) in [
            (reqwest::Method::POST, "/withdrawal/crypto"),
            (reqwest::Method::GET, "/transactions/info"),
            (reqwest::Method::POST, "/currencies/list"),
            (reqwest::Method::POST, "/accounts/list"),
        ] {
            let r = alphapo_request(&http, &ap, method, path, body.clone()).send().await.unwrap();
            let status = r.status().as_u16();
            assert!([200, 400, 404].contains(&status), "{path} {body:.80} -> {status}");
            let v: Value = r.json().await.unwrap();
            assert!(v.is_object());
        }
        let r = alppay_create(&http, &pay, body.clone()).send().await.unwrap();
        let status = r.status().as_u16();
        assert!([400, 422].contains(&status), "{body:.80} -> {status}");
        let v: Value = r.json().await.unwrap();
        assert!(v["message"].is_string());
    }
    for query in ["page=18446744073709551615&limit=100", "ids=%ZZ", "statuses=", "limit=%00", "page=1e3"] {
        let r = http
            .get(format!("{}/withdrawal?{query}", pay.base_url()))
            .header("API-KEY", pay.api_key())
            .send()
            .await
            .unwrap();
        assert!([200, 400].contains(&r.status().as_u16()), "{query}");
    }
    for path in ["/withdrawal/%FF%FE", "/withdrawal/..%2F..", "/withdrawal/a/b"] {
        let r = http.get(format!("{}{path}", pay.base_url())).header("API-KEY", pay.api_key()).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    let too_big = vec![b' '; 3 * 1024 * 1024];
    let r = http.post(format!("{}/withdrawal/crypto", ap.base_url())).body(too_big.clone()).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let r = http.post(format!("{}/withdrawal", pay.base_url())).body(too_big).send().await.unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(ap.count(), 0);
    assert_eq!(pay.count(), 0);
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let url = format!("{}/withdrawal", sim.base_url());
    let http = client();
    assert_eq!(http.get(&url).header("API-KEY", sim.api_key()).send().await.unwrap().status(), 200);
    drop(sim);
    let mut refused = false;
    for _ in 0..200 {
        if reqwest::Client::builder().no_proxy().build().unwrap().get(&url).send().await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(refused, "the listener is closed");
}
