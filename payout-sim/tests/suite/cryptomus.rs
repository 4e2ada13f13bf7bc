//! The Cryptomus simulator against the Cryptomus documents (providers/cryptomus.md): every call
//! a `POST` signed with `merchant` and `sign` (md5 of base64 of the raw body plus the payout
//! key), the `state`/`result`/`errors` envelope, the `order_id` replay rule, cursor history, the
//! life cycle with `is_final`, webhooks signed inside the body to each payout's `url_callback`.

use std::time::Duration;

use payout_core::{Asset, ProviderId, Reference, Withdrawal, WithdrawalId, WithdrawalStatus};
use payout_sim::cryptomus::{CryptomusService, ReplayMismatch};
use payout_sim::receiver::Inbox;
use payout_sim::{CryptomusConfig, CryptomusMove, CryptomusServer, CryptomusStatus, Fault};
use payout_testkit::signing::{cryptomus_signature, verify_cryptomus_webhook};
use payout_testkit::webhooks;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::common::{client, cryptomus_post, start_sandbox, until};

/// POSTs `body` to `path`, signed; the status and the JSON answer.
async fn call(sim: &CryptomusServer, path: &str, body: &Value) -> (u16, Value) {
    let r = cryptomus_post(&client(), &sim.base_url(), sim.merchant(), sim.payout_key(), path, body.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn request(order_id: &str) -> Value {
    json!({"amount":"5","currency":"USDT","network":"TRON","order_id":order_id,
           "address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":true})
}

async fn start() -> CryptomusServer {
    CryptomusServer::start(CryptomusConfig::default()).await.unwrap()
}

#[tokio::test]
async fn create_answers_the_documented_payout_object_and_info_finds_it_both_ways() {
    let sim = start().await;
    // The request of the spec's test vector, `/` escaped as PHP escapes it and signed as sent.
    let body = br#"{"amount":"5","currency":"USDT","network":"TRON","order_id":"1","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":true,"url_callback":"https:\/\/your.site\/callback"}"#;
    let r = cryptomus_post(&client(), &sim.base_url(), sim.merchant(), sim.payout_key(), "/payout", &body[..])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let uuid = sim.find("1").unwrap().uuid;
    assert_eq!(
        text,
        format!(
            r#"{{"state":0,"result":{{"uuid":"{uuid}","amount":"5.00000000","currency":"USDT","network":"TRON","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","txid":null,"status":"process","is_final":false,"balance":999994,"payer_currency":"USDT","payer_amount":5}}}}"#
        )
    );
    assert_eq!(sim.find("1").unwrap().url_callback.as_deref(), Some("https://your.site/callback"));
    assert_eq!(sim.balance("USDT"), Decimal::from(999_994), "5 and the fee of 1 from the balance");

    let created: Value = serde_json::from_str(&text).unwrap();
    let (s, by_uuid) = call(&sim, "/payout/info", &json!({"uuid": uuid})).await;
    assert_eq!((s, &by_uuid), (200, &created));
    let (s, by_order) = call(&sim, "/payout/info", &json!({"order_id": "1"})).await;
    assert_eq!((s, &by_order), (200, &created));
    // Both given: the order_id identifies it.
    let (s, both) =
        call(&sim, "/payout/info", &json!({"uuid": "a7c0caec-a594-4aaa-b1c4-77d511857594", "order_id": "1"})).await;
    assert_eq!((s, &both["result"]["uuid"]), (200, &json!(uuid)));
    let (s, unknown) = call(&sim, "/payout/info", &json!({"uuid": "a7c0caec-a594-4aaa-b1c4-77d511857594"})).await;
    assert_eq!((s, unknown), (404, json!({"state":1,"message":"Not found payout"})));

    // Amounts as strings on request, and the fee from the amount.
    let strings =
        CryptomusServer::start(CryptomusConfig { numeric_amounts: false, ..CryptomusConfig::default() }).await.unwrap();
    let mut body = request("net");
    body["is_subtract"] = json!("0");
    let (s, v) = call(&strings, "/payout", &body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (&v["result"]["balance"], &v["result"]["payer_amount"]),
        (&json!("999995.00000000"), &json!("4.00000000"))
    );
}

#[tokio::test]
async fn a_wrong_or_missing_signature_is_refused_and_nothing_is_created() {
    let sim = start().await;
    let body = request("auth").to_string();
    let sign = cryptomus_signature(sim.payout_key().as_bytes(), body.as_bytes());
    let url = format!("{}/payout", sim.base_url());
    let cases: Vec<(Option<&str>, Option<String>, &str)> = vec![
        (None, Some(sign.clone()), "no merchant"),
        (Some("another-merchant"), Some(sign.clone()), "unknown merchant"),
        (Some(sim.merchant()), None, "no sign"),
        (Some(sim.merchant()), Some(String::new()), "empty sign"),
        (Some(sim.merchant()), Some(sign.to_uppercase()), "upper case"),
        (Some(sim.merchant()), Some(cryptomus_signature(b"other-key", body.as_bytes())), "another key"),
        (Some(sim.merchant()), Some(cryptomus_signature(sim.payout_key().as_bytes(), b"{}")), "another body"),
    ];
    for (merchant, sign, why) in cases {
        let mut r = client().post(&url).header("Content-Type", "application/json").body(body.clone());
        if let Some(m) = merchant {
            r = r.header("merchant", m);
        }
        if let Some(s) = sign {
            r = r.header("sign", s);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 401, "{why}");
        assert_eq!(r.json::<Value>().await.unwrap(), json!({"message":"Invalid Sign."}), "{why}");
    }
    // A client that signs a `\/`-escaped copy but sends unescaped bytes is refused (the failure
    // third-party clients report): the server hashes the raw body.
    let plain = r#"{"amount":"5","currency":"USDT","network":"TRON","order_id":"s","address":"T","is_subtract":true,"url_callback":"https://x.example/cb"}"#;
    let escaped = plain.replace('/', "\\/");
    let r = client()
        .post(&url)
        .header("Content-Type", "application/json")
        .header("merchant", sim.merchant())
        .header("sign", cryptomus_signature(sim.payout_key().as_bytes(), escaped.as_bytes()))
        .body(plain)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(sim.count(), 0);
    // Every call is a POST: a GET is not a route.
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn refusals_are_422_with_the_documented_bodies() {
    // USDT from 0.5 to 1000 for a fee of 1, on TRON and (unavailable) on BSC.
    let usdt = |network| {
        CryptomusService::new(
            "USDT",
            network,
            "0.5".parse().unwrap(),
            "1000".parse().unwrap(),
            Decimal::ONE,
            Decimal::ZERO,
        )
    };
    let sim = CryptomusServer::start(CryptomusConfig {
        balances: vec![("USDT".into(), Decimal::from(10))],
        services: vec![usdt("TRON"), usdt("BSC").unavailable()],
        ..CryptomusConfig::default()
    })
    .await
    .unwrap();
    let (s, v) = call(&sim, "/payout", &json!({})).await;
    assert_eq!(s, 422);
    assert_eq!(
        v,
        json!({"state":1,"errors":{"amount":["validation.required"],"currency":["validation.required"],
            "order_id":["validation.required"],"address":["validation.required"],"is_subtract":["validation.required"]}})
    );
    let mut bad = request("has space");
    bad["amount"] = json!("ten");
    let (s, v) = call(&sim, "/payout", &bad).await;
    assert_eq!(
        (s, v),
        (422, json!({"state":1,"errors":{"amount":["validation.numeric"],"order_id":["validation.alpha_dash"]}}))
    );

    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = request("m");
        f(&mut v);
        v
    };
    let messages = [
        (with(&|v| v["amount"] = json!("0.4")), "Minimum amount 0.5 USDT"),
        (with(&|v| v["amount"] = json!("1001")), "Maximum amount 1000 USDT"),
        (with(&|v| v["network"] = json!("BSC")), "The service was not found"),
        (with(&|v| v["currency"] = json!("XYZ")), "The currency was not found"),
        (with(&|v| v["amount"] = json!("9.5")), "Not enough funds"),
    ];
    for (body, message) in messages {
        let (s, v) = call(&sim, "/payout", &body).await;
        assert_eq!((s, v), (422, json!({"state":1,"message":message})));
    }
    assert_eq!(sim.count(), 0);

    let (s, v) = call(&sim, "/payout/info", &json!({})).await;
    assert_eq!(
        (s, v),
        (
            422,
            json!({"state":1,"errors":{"uuid":["validation.required_without"],"order_id":["validation.required_without"]}})
        )
    );
    let (s, v) = call(&sim, "/payout/info", &json!({"order_id": "o".repeat(33)})).await;
    assert_eq!((s, v), (422, json!({"state":1,"errors":{"order_id":["validation.max.string"]}})));
    let (s, v) = call(&sim, "/payout/list", &json!({"date_from": "2023-06-21"})).await;
    assert_eq!((s, v), (422, json!({"state":1,"errors":{"date_from":["validation.regex"]}})));
}

#[tokio::test]
async fn a_replayed_order_id_returns_the_same_payout_and_creates_nothing() {
    let sim = start().await;
    let (_, first) = call(&sim, "/payout", &request("replay-1")).await;
    let (s, again) = call(&sim, "/payout", &request("replay-1")).await;
    assert_eq!((s, &again), (200, &first));
    assert_eq!(sim.count(), 1);
    assert_eq!(sim.balance("USDT"), Decimal::from(999_994), "debited once");

    // In its current state, and (by default) whatever else the body says.
    let uuid = first["result"]["uuid"].as_str().unwrap().to_owned();
    sim.set_status(&uuid, CryptomusStatus::Paid).unwrap();
    let mut other = request("replay-1");
    other["amount"] = json!("7");
    let (s, v) = call(&sim, "/payout", &other).await;
    assert_eq!(s, 200);
    assert_eq!(
        (&v["result"]["uuid"], &v["result"]["status"], &v["result"]["amount"]),
        (&json!(uuid), &json!("paid"), &json!("5.00000000"))
    );
    assert_eq!(sim.count(), 1);

    // The stricter knob: another body under a used order_id is refused; the same body is not.
    let strict = CryptomusServer::start(CryptomusConfig::default().refusing_mismatched_replays()).await.unwrap();
    assert_eq!(strict.config().replay_mismatch, ReplayMismatch::Refuse);
    let (_, first) = call(&strict, "/payout", &request("r")).await;
    let (s, v) = call(&strict, "/payout", &other_order(&other, "r")).await;
    assert_eq!((s, v), (422, json!({"state":1,"errors":{"order_id":["validation.unique"]}})));
    let (s, v) = call(&strict, "/payout", &request("r")).await;
    assert_eq!((s, v), (200, first));
    assert_eq!(strict.count(), 1);
}

fn other_order(body: &Value, order_id: &str) -> Value {
    let mut b = body.clone();
    b["order_id"] = json!(order_id);
    b
}

#[tokio::test]
async fn the_history_cursor_walks_every_payout_once_both_ways() {
    let sim = start().await;
    let seeded = sim.seed(40);
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = cursor.as_ref().map_or_else(|| "/payout/list".to_owned(), |c| format!("/payout/list?cursor={c}"));
        let (s, v) = call(&sim, &path, &json!({})).await;
        assert_eq!(s, 200, "{v}");
        let result = &v["result"];
        assert_eq!(result["merchant_uuid"], sim.merchant());
        let items = result["items"].as_array().unwrap();
        assert_eq!(result["paginate"]["count"], items.len());
        assert_eq!(result["paginate"]["perPage"], 15);
        assert_eq!(result["paginate"]["hasPages"], true);
        seen.extend(items.iter().map(|i| i["uuid"].as_str().unwrap().to_owned()));
        pages.push(v.clone());
        match result["paginate"]["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages.len(), 3);
    assert_eq!(seen, seeded, "oldest first, each once");
    let item = &pages[0]["result"]["items"][0];
    assert_eq!(item["order_id"], sim.get(&seeded[0]).unwrap().order_id);
    assert!(item["balance"].as_str().is_some_and(|b| b.ends_with(".00000000")), "{item}");
    assert!(item["created_at"].as_str().is_some_and(|t| t.ends_with("+03:00") && t.len() == 25), "{item}");
    assert!(item["payment_status"].is_null());
    assert!(pages[0]["result"]["paginate"]["previousCursor"].is_null());

    // The previous cursor of the last page leads back to the second, in the body this time.
    let previous = pages[2]["result"]["paginate"]["previousCursor"].as_str().unwrap();
    let (_, back) = call(&sim, "/payout/list", &json!({"cursor": previous})).await;
    assert_eq!(back["result"]["items"], pages[1]["result"]["items"]);
    // The query's cursor is preferred over the body's.
    let next = pages[0]["result"]["paginate"]["nextCursor"].as_str().unwrap();
    let (_, q) = call(&sim, &format!("/payout/list?cursor={next}"), &json!({"cursor": previous})).await;
    assert_eq!(q["result"]["items"], pages[1]["result"]["items"]);

    // A payout created during the walk is met at the end, not twice.
    let (_, v) = call(&sim, "/payout", &request("late")).await;
    let last = pages[1]["result"]["paginate"]["nextCursor"].as_str().unwrap();
    let (_, tail) = call(&sim, &format!("/payout/list?cursor={last}"), &json!({})).await;
    let tail: Vec<&Value> = tail["result"]["items"].as_array().unwrap().iter().map(|i| &i["uuid"]).collect();
    assert_eq!(tail.len(), 11);
    assert_eq!(tail[10], &v["result"]["uuid"]);

    // Dates filter by creation (UTC+3).
    let (_, none) = call(&sim, "/payout/list", &json!({"date_from": "2999-01-01 00:00:00"})).await;
    assert_eq!(none["result"]["items"], json!([]));
    assert_eq!(none["result"]["paginate"]["hasPages"], false);

    // Newest first, when configured.
    let newest =
        CryptomusServer::start(CryptomusConfig { newest_first: true, per_page: 4, ..CryptomusConfig::default() })
            .await
            .unwrap();
    let ids = newest.seed(6);
    let (_, v) = call(&newest, "/payout/list", &json!({})).await;
    let first: Vec<&str> =
        v["result"]["items"].as_array().unwrap().iter().map(|i| i["uuid"].as_str().unwrap()).collect();
    assert_eq!(first, vec![&ids[5], &ids[4], &ids[3], &ids[2]]);
    let next = v["result"]["paginate"]["nextCursor"].as_str().unwrap();
    let (_, v) = call(&newest, &format!("/payout/list?cursor={next}"), &json!({})).await;
    let rest: Vec<&str> =
        v["result"]["items"].as_array().unwrap().iter().map(|i| i["uuid"].as_str().unwrap()).collect();
    assert_eq!(rest, vec![&ids[1], &ids[0]]);
    assert!(v["result"]["paginate"]["nextCursor"].is_null());
}

#[tokio::test]
async fn statuses_move_with_is_final_by_hand_and_on_the_clock() {
    let sim = start().await;
    let (_, v) = call(&sim, "/payout", &request("moves")).await;
    let uuid = v["result"]["uuid"].as_str().unwrap().to_owned();
    let info = json!({"uuid": uuid});

    sim.set_status(&uuid, CryptomusStatus::Check).unwrap();
    let (_, v) = call(&sim, "/payout/info", &info).await;
    assert_eq!((&v["result"]["status"], &v["result"]["is_final"]), (&json!("check"), &json!(false)));
    // A failure support can still resend: not final, and the funds stay held.
    sim.set_status_with(&uuid, CryptomusMove::to(CryptomusStatus::Fail).with_final(false)).unwrap();
    let (_, v) = call(&sim, "/payout/info", &info).await;
    assert_eq!((&v["result"]["status"], &v["result"]["is_final"]), (&json!("fail"), &json!(false)));
    assert_eq!(sim.balance("USDT"), Decimal::from(999_994));
    // Resent and paid: final, with a 64-hex TRON hash.
    let paid = sim.set_status(&uuid, CryptomusStatus::Paid).unwrap();
    let (_, v) = call(&sim, "/payout/info", &info).await;
    assert_eq!((&v["result"]["status"], &v["result"]["is_final"]), (&json!("paid"), &json!(true)));
    assert_eq!(v["result"]["txid"].as_str().map(str::len), Some(64));
    assert_eq!(paid.txid.as_deref(), v["result"]["txid"].as_str());

    // A final failure gives the funds back.
    let (_, v) = call(&sim, "/payout", &request("refund")).await;
    let refund = v["result"]["uuid"].as_str().unwrap().to_owned();
    assert_eq!(sim.balance("USDT"), Decimal::from(999_988));
    let failed =
        sim.set_status_with(&refund, CryptomusMove::to(CryptomusStatus::Fail).with_fail_reason("aml")).unwrap();
    assert!(failed.is_final && failed.txid.is_none());
    assert_eq!(sim.balance("USDT"), Decimal::from(999_994));
    assert!(sim.set_status("a7c0caec-a594-4aaa-b1c4-77d511857594", CryptomusStatus::Paid).is_err());

    // The clock: process → check → paid, final.
    let timed = CryptomusServer::start(
        CryptomusConfig::default().with_lifecycle(Duration::from_millis(20), Duration::from_millis(20)),
    )
    .await
    .unwrap();
    let (_, v) = call(&timed, "/payout", &request("clock")).await;
    assert_eq!(v["result"]["status"], "process");
    let uuid = v["result"]["uuid"].as_str().unwrap().to_owned();
    until(|| timed.get(&uuid).is_some_and(|p| p.status == CryptomusStatus::Paid)).await;
    let (_, v) = call(&timed, "/payout/info", &json!({"order_id": "clock"})).await;
    assert_eq!((&v["result"]["status"], &v["result"]["is_final"]), (&json!("paid"), &json!(true)));
}

#[tokio::test]
async fn webhooks_go_signed_to_each_payouts_url_callback_and_are_retried() {
    let inbox = Inbox::start().await.unwrap();
    let sim = start().await;
    let mut body = request("hook-1");
    body["url_callback"] = json!(inbox.url());
    let (_, v) = call(&sim, "/payout", &body).await;
    let uuid = v["result"]["uuid"].as_str().unwrap().to_owned();
    // No webhook for the creation (its answer says `process`) nor for a payout without a URL.
    call(&sim, "/payout", &request("no-hook")).await;
    sim.set_status(&sim.find("no-hook").unwrap().uuid, CryptomusStatus::Paid).unwrap();
    sim.set_status_with(&uuid, CryptomusMove::to(CryptomusStatus::Paid).with_txid("0xcf8")).unwrap();
    inbox.wait_for(1).await;
    let got = inbox.deliveries();
    assert_eq!(got.len(), 1);
    let delivery = &got[0];
    assert!(delivery.headers.get("sign").is_none(), "the sign is in the body");
    assert!(verify_cryptomus_webhook(sim.payout_key().as_bytes(), &delivery.body));
    assert!(!verify_cryptomus_webhook(b"other-key", &delivery.body));
    assert_eq!(delivery.body.as_ref(), sim.webhook_body(&uuid).unwrap().as_slice());
    let text = std::str::from_utf8(&delivery.body).unwrap();
    let sign = cryptomus_signature(sim.payout_key().as_bytes(), &[&text[..text.len() - 43], "}"].concat().into_bytes());
    assert_eq!(
        text,
        format!(
            r#"{{"type":"payout","uuid":"{uuid}","order_id":"hook-1","amount":"5.00000000","merchant_amount":"6.00000000","commission":"1.00000000","is_final":true,"status":"paid","txid":"0xcf8","currency":"USDT","network":"tron","payer_currency":"USDT","payer_amount":"5.00000000","sign":"{sign}"}}"#
        )
    );

    // The testkit's builder writes the same bytes from the unified withdrawal.
    let mut w = Withdrawal::new(
        ProviderId::from_static("cryptomus"),
        WithdrawalId::new(uuid.as_str()),
        WithdrawalStatus::Completed,
        "paid",
    );
    w.reference = Some(Reference::new("hook-1").unwrap());
    w.asset = Some(Asset::new("USDT").on("TRON"));
    w.amount = Some(Decimal::from(5));
    w.sender_amount = Some(Decimal::from(6));
    w.tx_hash = Some("0xcf8".into());
    assert_eq!(webhooks::cryptomus_webhook(&w, sim.payout_key().as_bytes()).body, delivery.body.to_vec());

    // A failure carries its reason; a receiver that refuses gets retries.
    let mut body = request("hook-2");
    body["url_callback"] = json!(payout_sim::net::refused_url("/hook"));
    let (_, v) = call(&sim, "/payout", &body).await;
    let failing = v["result"]["uuid"].as_str().unwrap().to_owned();
    sim.set_status_with(&failing, CryptomusMove::to(CryptomusStatus::Fail).with_fail_reason("aml")).unwrap();
    until(|| sim.deliveries().iter().filter(|d| d.withdrawal_id == failing).count() == 4).await;
    let attempts: Vec<_> = sim.deliveries().into_iter().filter(|d| d.withdrawal_id == failing).collect();
    assert_eq!(attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert!(attempts.iter().all(|a| !a.succeeded() && a.status == "fail"));
    assert!(
        attempts[0].body.contains(r#""is_final":true,"status":"fail","fail_reason":"aml","txid":null"#),
        "{}",
        attempts[0].body
    );
}

#[tokio::test]
async fn injected_faults_reach_cryptomus_answers() {
    let sim = start().await;
    // The answer of a create is lost after it was acted on: the replay rule makes sending the
    // same create again safe.
    sim.faults().on_path("/payout", Fault::CloseAfterActing, 1);
    let lost = cryptomus_post(
        &client(),
        &sim.base_url(),
        sim.merchant(),
        sim.payout_key(),
        "/payout",
        request("lost").to_string(),
    )
    .send()
    .await;
    assert!(lost.is_err());
    assert_eq!(sim.count(), 1);
    let (s, v) = call(&sim, "/payout", &request("lost")).await;
    assert_eq!((s, &v["result"]["uuid"]), (200, &json!(sim.find("lost").unwrap().uuid)));
    assert_eq!(sim.count(), 1);

    sim.faults().on_path("/payout/info", Fault::UnknownStatus, 1);
    let (_, v) = call(&sim, "/payout/info", &json!({"order_id": "lost"})).await;
    assert_eq!(v["result"]["status"], "surprise_status");
    sim.faults().on_path("/payout/list", Fault::MissingField("uuid".into()), 1);
    let (_, v) = call(&sim, "/payout/list", &json!({})).await;
    assert!(v["result"]["items"][0].get("uuid").is_none() && v["result"]["items"][0]["order_id"] == "lost", "{v}");
    sim.faults()
        .next(Fault::Status { status: 503, body: r#"{"message":"Server error, #1","code":500,"error":null}"#.into() });
    let (s, _) = call(&sim, "/payout", &request("down")).await;
    assert_eq!(s, 503);
    assert!(sim.find("down").is_none());
    assert_eq!(sim.requests().entries().iter().filter(|r| r.fault.is_some()).count(), 4);
}

#[tokio::test]
async fn services_list_the_table_and_any_empty_body_is_signed_as_sent() {
    let sim = start().await;
    for body in ["", "{}", "[]"] {
        let r = cryptomus_post(&client(), &sim.base_url(), sim.merchant(), sim.payout_key(), "/payout/services", body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{body:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["state"], 0);
        assert_eq!(
            v["result"][0],
            json!({"network":"TRON","currency":"USDT","is_available":true,
                   "limit":{"min_amount":"0.50000000","max_amount":"1000000.00000000"},
                   "commission":{"fee_amount":"1.00000000","percent":"0.00"}})
        );
        assert_eq!(v["result"].as_array().unwrap().len(), sim.config().services.len());
    }
}

#[tokio::test]
async fn state_survives_a_snapshot() {
    let sim = start().await;
    sim.seed(7);
    call(&sim, "/payout", &request("kept")).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cryptomus.json");
    sim.save(&path).unwrap();
    let again = start().await;
    again.load(&path).unwrap();
    assert_eq!(again.payouts(), sim.payouts());
    assert_eq!(again.balance("USDT"), sim.balance("USDT"));
    // The replay rule holds across the restore, and new payouts continue the history.
    let (_, v) = call(&again, "/payout", &request("kept")).await;
    assert_eq!(v["result"]["uuid"], json!(sim.find("kept").unwrap().uuid));
    call(&again, "/payout", &request("new")).await;
    assert_eq!(again.payouts().last().unwrap().seq, 9);
    assert!(again.restore(&json!({"provider":"alppay"})).is_err());
}

#[tokio::test]
async fn the_sandbox_serves_cryptomus_under_cryptomus_v1() {
    let sandbox = start_sandbox().await;
    let base = sandbox.cryptomus_base_url();
    assert_eq!(base, format!("http://127.0.0.1:{}/cryptomus/v1", sandbox.local_addr().port()));
    let config = sandbox.cryptomus.config();
    assert_eq!(
        (config.merchant.as_str(), config.payout_key.as_str()),
        (payout_sim::cryptomus::DEFAULT_MERCHANT, payout_sim::cryptomus::DEFAULT_PAYOUT_KEY)
    );
    let r = cryptomus_post(
        &client(),
        &base,
        &config.merchant,
        &config.payout_key,
        "/payout",
        request("sandbox").to_string(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let r = client().post(format!("{base}/nothing")).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.json::<Value>().await.unwrap()), (404, json!({"message":"Not Found"})));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.json");
    sandbox.save(&path).unwrap();
    let saved: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved["cryptomus"]["payouts"][0]["order_id"], "sandbox");
    let again = start_sandbox().await;
    again.load(&path).unwrap();
    assert_eq!(again.cryptomus.find("sandbox").map(|p| p.uuid), sandbox.cryptomus.find("sandbox").map(|p| p.uuid));
}

#[tokio::test]
async fn concurrent_replays_of_one_order_id_make_one_payout() {
    let sim = start().await;
    let http = client();
    let mut tasks = Vec::new();
    for k in 0..200 {
        let (http, base, merchant, key) =
            (http.clone(), sim.base_url(), sim.merchant().to_owned(), sim.payout_key().to_owned());
        tasks.push(tokio::spawn(async move {
            let body = request(&format!("race-{}", k % 50)).to_string();
            let r = cryptomus_post(&http, &base, &merchant, &key, "/payout", body).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            (k % 50, v["result"]["uuid"].as_str().unwrap().to_owned())
        }));
    }
    let mut by_order: std::collections::HashMap<usize, std::collections::HashSet<String>> = Default::default();
    for t in tasks {
        let (order, uuid) = t.await.unwrap();
        by_order.entry(order).or_default().insert(uuid);
    }
    assert_eq!(sim.count(), 50);
    assert!(by_order.values().all(|uuids| uuids.len() == 1), "each order_id answered with one uuid");
    assert_eq!(sim.balance("USDT"), Decimal::from(1_000_000 - 50 * 6), "each debited once");
}

#[tokio::test]
async fn the_test_webhook_is_sent_signed_and_saves_nothing() {
    let inbox = Inbox::start().await.unwrap();
    let sim = start().await;
    call(&sim, "/payout", &request("real")).await;
    let hook = |extra: Value| {
        let mut b = json!({"url_callback": inbox.url(), "currency": "USDT", "network": "TRON", "status": "paid"});
        b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        b
    };
    let (s, v) = call(&sim, "/test-webhook/payout", &hook(json!({"order_id": "real"}))).await;
    assert_eq!((s, v), (200, json!({"state":0,"result":[]})));
    let (s, _) = call(&sim, "/test-webhook/payout", &hook(json!({"status": "fail"}))).await;
    assert_eq!(s, 200);
    inbox.wait_for(2).await;
    let got = inbox.deliveries();
    assert!(got.iter().all(|d| verify_cryptomus_webhook(sim.payout_key().as_bytes(), &d.body)));
    // Two separate deliveries may arrive in either order.
    let bodies: Vec<Value> = got.iter().map(|d| serde_json::from_slice(&d.body).unwrap()).collect();
    let real = bodies.iter().find(|b| b["order_id"] == "real").expect("the stored payout's webhook");
    assert_eq!((&real["status"], &real["is_final"]), (&json!("paid"), &json!(true)));
    assert!(real["txid"].is_string());
    let test = bodies.iter().find(|b| b["order_id"] != "real").expect("the test record's webhook");
    assert_eq!(
        (&test["status"], &test["amount"], &test["is_final"]),
        (&json!("fail"), &json!("0.50000000"), &json!(true))
    );
    // Nothing saved: the real payout is still in process, and no test record exists.
    assert_eq!(sim.count(), 1);
    assert_eq!(sim.find("real").unwrap().status, CryptomusStatus::Process);

    let refusals = [
        (
            hook(json!({"uuid": "a7c0caec-a594-4aaa-b1c4-77d511857594"})),
            json!({"state":1,"message":"Not found payout"}),
        ),
        (hook(json!({"network": "SOLANA"})), json!({"state":1,"message":"Payout service not found"})),
        (
            json!({"url_callback": "x"}),
            json!({"state":1,"errors":{"url_callback":["validation.url"],
            "currency":["validation.required"],"network":["validation.required"],"status":["validation.required"]}}),
        ),
        (hook(json!({"status": "done"})), json!({"state":1,"errors":{"status":["validation.in"]}})),
    ];
    for (body, expected) in refusals {
        let (s, v) = call(&sim, "/test-webhook/payout", &body).await;
        assert_eq!((s, v), (422, expected));
    }
}
