//! The AlphaPo simulator against the AlphaPo documents (providers/alphapo.md): signatures over the
//! raw body, the documented error bodies, creates, lookups, status moves and persistence.

use std::time::Duration;

use payout_sim::{AlphaPoConfig, AlphaPoServer, AlphaPoStatus};
use payout_testkit::signing::alphapo_signature;
use serde_json::{Value, json};

use crate::common;

use common::{alphapo_request, client};

/// Sends `body` signed with the simulator's secret.
async fn signed(sim: &AlphaPoServer, method: reqwest::Method, path: &str, body: &[u8]) -> (u16, String) {
    let r = alphapo_request(&client(), sim, method, path, body).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn create(sim: &AlphaPoServer, body: Value) -> (u16, Value) {
    let (s, t) = signed(sim, reqwest::Method::POST, "/withdrawal/crypto", body.to_string().as_bytes()).await;
    (s, serde_json::from_str(&t).unwrap())
}

async fn info(sim: &AlphaPoServer, body: Value) -> (u16, Value) {
    let (s, t) = signed(sim, reqwest::Method::GET, "/transactions/info", body.to_string().as_bytes()).await;
    (s, serde_json::from_str(&t).unwrap())
}

fn btc(foreign_id: &str, amount: Value) -> Value {
    json!({"currency":"BTC","foreign_id":foreign_id,"end_user_reference":"test_end_user_reference",
           "address":"tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc","amount":amount})
}

#[tokio::test]
async fn published_signing_example_is_accepted_and_a_changed_byte_is_refused() {
    let sim = AlphaPoServer::start(AlphaPoConfig::default().with_credentials("key", "AbCdEfG123456")).await.unwrap();
    let (s, _) = create(&sim, btc("123456", json!("0.0002"))).await;
    assert_eq!(s, 201);
    let body = br#"{"currency":"BTC","foreign_id":"123456"}"#;
    let published = "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec";
    let send = |body: &'static [u8]| {
        client()
            .get(format!("{}/transactions/info", sim.base_url()))
            .header("Content-Type", "application/json")
            .header("X-Processing-Key", "key")
            .header("X-Processing-Signature", published)
            .body(body)
            .send()
    };
    let r = send(body).await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["foreign_id"], "123456");
    let r = send(br#"{"currency":"BTC","foreign_id":"123457"}"#).await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.text().await.unwrap(), r#"{"error":"Bad signature header","code":"bad_header_signature"}"#);
}

#[tokio::test]
async fn documented_transport_errors() {
    let sim = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let url = format!("{}/withdrawal/crypto", sim.base_url());
    let body = br#"{}"#.to_vec();
    let good_sig = alphapo_signature(sim.api_secret().as_bytes(), &body);
    type Headers = Vec<(&'static str, String)>;
    let cases: Vec<(Headers, u16, &str)> = vec![
        (
            vec![("X-Processing-Signature", good_sig.clone())],
            403,
            r#"{"error":"No key header","code":"required_header_key"}"#,
        ),
        (
            vec![("X-Processing-Key", "wrong".into()), ("X-Processing-Signature", good_sig.clone())],
            403,
            r#"{"error":"Bad key header","code":"bad_header_key"}"#,
        ),
        (
            vec![("X-Processing-Key", sim.api_key().into())],
            403,
            r#"{"error":"No signature header","code":"required_header_signature"}"#,
        ),
        (
            vec![("X-Processing-Key", sim.api_key().into()), ("X-Processing-Signature", "00ff".into())],
            403,
            r#"{"error":"Bad signature header","code":"bad_header_signature"}"#,
        ),
    ];
    for (headers, status, expected) in cases {
        let mut req = client().post(&url).header("Content-Type", "application/json").body(body.clone());
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), status);
        assert_eq!(r.text().await.unwrap(), expected);
    }

    // Bad JSON (signed correctly) and a non-JSON content type.
    let bad_format = r#"{"error":"Bad content format","code":"bad_content_format"}"#;
    let (s, t) = signed(&sim, reqwest::Method::POST, "/withdrawal/crypto", b"{not json").await;
    assert_eq!((s, t.as_str()), (400, bad_format));
    let r = client()
        .post(&url)
        .header("Content-Type", "text/plain")
        .header("X-Processing-Key", sim.api_key())
        .header("X-Processing-Signature", &good_sig)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.text().await.unwrap(), bad_format);

    // The documented quirk: an unknown path answers required_header_key, even when signed.
    let (s, t) = signed(&sim, reqwest::Method::POST, "/withdrawal/list", b"{}").await;
    assert_eq!((s, t.as_str()), (403, r#"{"error":"No key header","code":"required_header_key"}"#));
    let (s, _) = signed(&sim, reqwest::Method::GET, "/withdrawal/crypto", b"{}").await;
    assert_eq!(s, 403);

    // /ping needs no authentication and answers plain OK.
    let r = client().get(format!("{}/ping", sim.base_url())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "OK");
}

#[tokio::test]
async fn create_answers_like_the_documented_example() {
    let sim = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let (s, v) = create(&sim, btc("test_foreign_id_0148", json!("0.00020000"))).await;
    assert_eq!(s, 201);
    let d = &v["data"];
    assert!(d["id"].is_i64());
    assert_eq!(d["foreign_id"], "test_foreign_id_0148");
    assert_eq!(d["end_user_reference"], "test_end_user_reference");
    assert_eq!(d["type"], "withdrawal");
    assert_eq!(d["status"], "processing");
    for key in ["amount", "sender_amount", "receiver_amount"] {
        assert_eq!(d[key], "0.00020000", "{key}");
    }
    assert_eq!(d["sender_currency"], "BTC");
    assert_eq!(d["receiver_currency"], "BTC");
    let keys: Vec<&String> = d.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 10);

    // A number is accepted as well as a string, and formatted to the precision.
    let (s, v) = create(&sim, btc("as-number", json!(0.0002))).await;
    assert_eq!(s, 201);
    assert_eq!(v["data"]["amount"], "0.00020000");

    // A 6-decimal currency: validated against its precision, printed with 8 decimals.
    let usdt = |id: &str, amount: &str| json!({"currency":"USDTT","foreign_id":id,"end_user_reference":"u","address":"TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n","amount":amount});
    let (s, v) = create(&sim, usdt("usdt-1", "1.5")).await;
    assert_eq!((s, &v["data"]["receiver_amount"]), (201, &json!("1.50000000")));
    let (s, v) = create(&sim, usdt("usdt-2", "1.1234567")).await;
    assert_eq!(s, 400);
    assert_eq!(v, json!({"errors":{"amount":"The amount may not have more than 6 decimal places."}}));
}

#[tokio::test]
async fn validation_errors() {
    let sim = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    assert_eq!(create(&sim, btc("dup", json!("0.001"))).await.0, 201);
    let cases = [
        (btc("dup", json!("0.001")), json!({"errors":{"foreign_id":"The foreign id has already been taken."}})),
        (btc("low", json!("0.00001")), json!({"errors":{"amount":"The amount must be at least 0.0001."}})),
        (
            btc("precise", json!("0.000100001")),
            json!({"errors":{"amount":"The amount may not have more than 8 decimal places."}}),
        ),
        (btc("nan", json!("abc")), json!({"errors":{"amount":"The amount must be a number."}})),
        (btc("neg", json!("-1")), json!({"errors":{"amount":"The amount must be at least 0.0001."}})),
        (
            btc("huge", json!("79228162514264337593543950335")),
            json!({"errors":{"amount":"The amount may not be greater than 1000000000000000."}}),
        ),
        (btc("exp", json!(1e300)), json!({"errors":{"amount":"The amount must be a number."}})),
        (
            json!({"currency":"NOPE","foreign_id":"x","end_user_reference":"u","address":"a","amount":"1"}),
            json!({"errors":{"currency":"The selected currency is invalid."}}),
        ),
        (
            json!({"currency":"LTC","foreign_id":"x","end_user_reference":"u","address":"a","amount":"0.0001"}),
            json!({"errors":{"amount":"The amount must be at least 0.001."}}),
        ),
        (
            json!({"currency":"BTC","end_user_reference":"u","address":"a","amount":"1"}),
            json!({"errors":{"foreign_id":"The foreign id field is required."}}),
        ),
        (
            json!({"currency":"BTC","foreign_id":"x","address":"a","amount":"1"}),
            json!({"errors":{"end_user_reference":"The end user reference field is required."}}),
        ),
        (
            json!({"currency":"BTC","foreign_id":"x","end_user_reference":"u","amount":"1"}),
            json!({"errors":{"address":"The address field is required."}}),
        ),
        (
            json!({"currency":"BTC","foreign_id":"x","end_user_reference":"u","address":"a"}),
            json!({"errors":{"amount":"The amount field is required when amount to is not present."}}),
        ),
        (
            json!({"currency":"EUR","convert_to":"BTC","foreign_id":"x","end_user_reference":"u","address":"a","amount":"20","amount_to":"0.001"}),
            json!({"errors":{"amount":"The amount field prohibits amount to from being present."}}),
        ),
        (
            json!({"currency":"BTC","foreign_id":"x","end_user_reference":"u","address":"a","amount_to":"0.001"}),
            json!({"errors":{"convert_to":"The convert to field is required when amount to is present."}}),
        ),
        (
            json!({"currency":"EUR","foreign_id":"x","end_user_reference":"u","address":"a","amount":"20"}),
            json!({"errors":{"convert_to":"The convert to field is required when currency is EUR."}}),
        ),
        (
            json!({"currency":"EUR","convert_to":"BTC","foreign_id":"x","end_user_reference":"u","address":"a","amount":"5"}),
            json!({"errors":{"amount":"The amount is too small. The minimum amount is 10.00 EUR."}}),
        ),
        (
            json!({"currency":"BTC","convert_to":"EUR","foreign_id":"x","end_user_reference":"u","address":"a","amount":"1"}),
            json!({"errors":{"convert_to":"Exchange is unavailable for given currencies"}}),
        ),
    ];
    for (body, expected) in cases {
        let (s, v) = create(&sim, body.clone()).await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(v, expected, "{body}");
    }
    // Several fields at once, each with its own message.
    let (s, v) = create(&sim, json!({})).await;
    assert_eq!(s, 400);
    let errors = v["errors"].as_object().unwrap();
    for f in ["currency", "amount", "address", "foreign_id", "end_user_reference"] {
        assert!(errors.contains_key(f), "{f}: {v}");
    }
    assert_eq!(sim.count(), 1);
}

#[tokio::test]
async fn withdrawal_with_exchange_uses_the_fixed_rates() {
    let sim = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let (s, v) = create(
        &sim,
        json!({"currency":"EUR","convert_to":"BTC","foreign_id":"ex1","end_user_reference":"u","address":"tb1q","amount":"25"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let d = &v["data"];
    assert_eq!(d["type"], "withdrawal_exchange");
    assert_eq!(d["sender_currency"], "EUR");
    assert_eq!(d["amount"], "25.00000000", "8 decimals, as in the documented EUR example");
    assert_eq!(d["receiver_currency"], "BTC");
    // 25 EUR at 60000 EUR/BTC, rounded down to 8 places.
    assert_eq!(d["receiver_amount"], "0.00041666");

    let (s, v) = create(
        &sim,
        json!({"currency":"EUR","convert_to":"BTC","foreign_id":"ex2","end_user_reference":"u","address":"tb1q","amount_to":"0.001"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["data"]["receiver_amount"], "0.00100000");
    assert_eq!(v["data"]["sender_amount"], "60.00000000");
}

#[tokio::test]
async fn lookups_by_id_and_foreign_id_and_their_errors() {
    let sim = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let (_, v) = create(&sim, btc("look-1", json!("0.0002"))).await;
    let id = v["data"]["id"].as_i64().unwrap();
    let (s, by_id) = info(&sim, json!({"id": id})).await;
    assert_eq!(s, 200);
    let (s, by_ref) = info(&sim, json!({"foreign_id": "look-1"})).await;
    assert_eq!(s, 200);
    assert_eq!(by_id, by_ref);
    assert!(by_id.get("data").is_none(), "lookups are not wrapped");
    assert_eq!(by_id["id"], id);
    assert_eq!(by_id["type"], "withdrawal");
    assert_eq!(by_id["status"], "not_confirmed", "internal processing reads not_confirmed");
    assert_eq!(by_id["crypto_address"]["currency"], "BTC");
    assert_eq!(by_id["crypto_address"]["address"], "tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc");
    assert!(by_id["crypto_address"]["tag"].is_null());
    assert_eq!(by_id["currency_sent"], json!({"currency":"BTC","amount":"0.00020000"}));
    assert_eq!(by_id["currency_received"], json!({"currency":"BTC","amount":"0.00020000"}));
    assert_eq!(by_id["transactions"], json!([]));
    assert_eq!(by_id["error"], "");

    let (s, v) = info(&sim, json!({})).await;
    assert_eq!((s, v), (400, json!({"errors":{"id":"No parameters present"}})));
    let (s, v) = info(&sim, json!({"id": id, "foreign_id": "look-1"})).await;
    assert_eq!((s, v), (404, json!({"errors":{"id":"Validation Exception: more than one param is present"}})));
    let (s, v) = info(&sim, json!({"id": 1})).await;
    assert_eq!((s, v), (404, json!({"errors":{"id":"Transaction not found."}})));
    let (s, v) = info(&sim, json!({"foreign_id": "nope"})).await;
    assert_eq!((s, v), (404, json!({"errors":{"foreign_id":"Transaction not found."}})));
}

#[tokio::test]
async fn status_moves_show_on_the_wire() {
    let sim = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let (_, v) = create(&sim, btc("move-1", json!("0.0002"))).await;
    let id = v["data"]["id"].as_i64().unwrap();

    sim.set_status_with(
        id,
        AlphaPoStatus::Confirmed,
        Some("bb040d895ef7141ea0b06b04227d8f5dd4ee12d5b890e6e5633f6439393a666b"),
        None,
    )
    .unwrap();
    let (_, v) = info(&sim, json!({"id": id})).await;
    assert_eq!(v["status"], "confirmed");
    let tx = &v["transactions"][0];
    assert_eq!(tx["transaction_type"], "blockchain");
    assert_eq!(tx["type"], "withdrawal");
    assert_eq!(tx["txid"], "bb040d895ef7141ea0b06b04227d8f5dd4ee12d5b890e6e5633f6439393a666b");
    assert_eq!(tx["amount"], "0.00020000");
    assert_eq!(v["error"], "");

    let (_, v) = create(&sim, btc("move-2", json!("0.0002"))).await;
    let id2 = v["data"]["id"].as_i64().unwrap();
    sim.set_status_with(id2, AlphaPoStatus::Declined, None, Some("Declined by reviewer")).unwrap();
    let (_, v) = info(&sim, json!({"foreign_id": "move-2"})).await;
    assert_eq!(v["status"], "declined");
    assert_eq!(v["error"], "Declined by reviewer");
    assert!(v.get("currency_sent").is_none(), "only confirmed/processing-like states show amounts");
    assert!(v.get("currency_received").is_none());

    sim.set_status(id2, AlphaPoStatus::Pending).unwrap();
    let (_, v) = info(&sim, json!({"id": id2})).await;
    assert_eq!(v["status"], "pending");
    assert!(sim.set_status(999, AlphaPoStatus::Confirmed).is_err());
}

#[tokio::test]
async fn currencies_and_accounts() {
    let sim = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let (s, t) = signed(&sim, reqwest::Method::POST, "/currencies/list", b"{}").await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&t).unwrap();
    let row = v["data"].as_array().unwrap().iter().find(|c| c["currency"] == "BTC").unwrap();
    assert_eq!(row["precision"], 8);
    assert_eq!(row["minimum_amount"], "0.0001");
    assert_eq!(row["type"], "crypto");
    let (_, t) = signed(&sim, reqwest::Method::POST, "/currencies/list", br#"{"visible":false}"#).await;
    assert_eq!(serde_json::from_str::<Value>(&t).unwrap(), json!({"data": []}));

    let before = balance(&sim, "BTC").await;
    assert_eq!(create(&sim, btc("acc-1", json!("0.5"))).await.0, 201);
    assert_eq!(balance(&sim, "BTC").await, before - rust_decimal_macros::dec!(0.5));
    let id = sim.find("acc-1").unwrap().id;
    sim.set_status(id, AlphaPoStatus::Cancelled).unwrap();
    assert_eq!(balance(&sim, "BTC").await, before, "a cancelled withdrawal is refunded");

    let (s, v) = create(&sim, btc("too-much", json!("1000"))).await;
    assert_eq!((s, v), (400, json!({"errors":{"amount":"Not enough money on balance"}})));
}

async fn balance(sim: &AlphaPoServer, currency: &str) -> rust_decimal::Decimal {
    let (s, t) = signed(sim, reqwest::Method::POST, "/accounts/list", b"{}").await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&t).unwrap();
    let row = v["data"].as_array().unwrap().iter().find(|c| c["currency"] == currency).unwrap().clone();
    rust_decimal::Decimal::from_str_exact(row["balance"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn seed_snapshot_and_restore() {
    let sim = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let ids = sim.seed(1_000);
    assert_eq!(sim.count(), 1_000);
    let statuses: std::collections::HashSet<_> = sim.withdrawals().iter().map(|w| w.status).collect();
    assert_eq!(statuses.len(), AlphaPoStatus::ALL.len());
    let one = sim.get(ids[7]).unwrap();
    assert_eq!(sim.find(&one.foreign_id).unwrap(), one);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alphapo.json");
    sim.save(&path).unwrap();
    let other = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    other.load(&path).unwrap();
    assert_eq!(other.withdrawals(), sim.withdrawals());
    let (s, v) = info(&other, json!({"foreign_id": one.foreign_id})).await;
    assert_eq!(s, 200);
    assert_eq!(v["id"], one.id);
    // New ids continue after the restored ones, and references stay unique.
    let (s, v) = create(&other, btc("after-restore", json!("0.0002"))).await;
    assert_eq!(s, 201);
    assert!(v["data"]["id"].as_i64().unwrap() > *ids.last().unwrap());
    let (s, _) = create(&other, btc(&one.foreign_id, json!("0.0002"))).await;
    assert_eq!(s, 400);
    assert!(other.restore(&json!({"provider":"alppay"})).is_err());
}

#[tokio::test]
async fn lazy_life_cycle_advances_with_time() {
    let config = AlphaPoConfig::default().with_lifecycle(Duration::from_millis(50), Duration::from_millis(50));
    let sim = AlphaPoServer::start(config).await.unwrap();
    let (_, v) = create(&sim, btc("life-1", json!("0.0002"))).await;
    assert_eq!(v["data"]["status"], "processing");
    let mut seen = Vec::new();
    for _ in 0..400 {
        let (_, v) = info(&sim, json!({"foreign_id":"life-1"})).await;
        let s = v["status"].as_str().unwrap().to_owned();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if s == "confirmed" {
            assert!(v["transactions"][0]["txid"].as_str().is_some_and(|t| t.len() == 64));
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen.last().map(String::as_str), Some("confirmed"));
    assert!(seen.iter().all(|s| s == "not_confirmed" || s == "confirmed"));

    // The state written to disk keeps advancing in another simulator (another process).
    let (_, _) = create(&sim, btc("life-2", json!("0.0002"))).await;
    let snapshot = sim.snapshot();
    let later = AlphaPoServer::start(
        AlphaPoConfig::default().with_lifecycle(Duration::from_millis(50), Duration::from_millis(50)),
    )
    .await
    .unwrap();
    later.restore(&snapshot).unwrap();
    let mut status = None;
    for _ in 0..400 {
        status = later.find("life-2").map(|w| w.status);
        if status == Some(AlphaPoStatus::Confirmed) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, Some(AlphaPoStatus::Confirmed));
}
