//! The AlpPay simulator against the AlpPay documents (providers/alppay.md): `API-KEY` and `X-HMAC`
//! over the raw body, the bare withdrawal object, listing with filters and paging, status moves.

use std::time::Duration;

use payout_sim::{AlpPayConfig, AlpPayServer, AlpPayStatus};
use payout_testkit::signing::alppay_signature;
use serde_json::{Value, json};

use crate::common;

use common::{alppay_get, client};

async fn post_raw(sim: &AlpPayServer, body: &[u8], key: Option<&str>, sig: Option<String>) -> (u16, Value) {
    let mut req = client().post(format!("{}/withdrawal", sim.base_url())).header("Content-Type", "application/json");
    if let Some(k) = key {
        req = req.header("API-KEY", k);
    }
    if let Some(s) = sig {
        req = req.header("X-HMAC", s);
    }
    let r = req.body(body.to_vec()).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn create(sim: &AlpPayServer, body: &Value) -> (u16, Value) {
    let bytes = body.to_string().into_bytes();
    let sig = alppay_signature(sim.hmac_key().as_bytes(), &bytes);
    post_raw(sim, &bytes, Some(sim.api_key()), Some(sig)).await
}

async fn get(sim: &AlpPayServer, path_and_query: &str) -> (u16, Value) {
    let r = alppay_get(&client(), sim, path_and_query).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

fn request(invoice: &str) -> Value {
    json!({"amount":"10","asset":{"short":"USDT","network":"tron"},"addressTo":"TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n",
           "customer":{"id":1,"name":"Customer Name","email":"customer@example.com"},"destTag":"","invoice":invoice})
}

fn is_rfc3339_nanos(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.len() == 30 && s.ends_with('Z') && s.as_bytes()[19] == b'.')
}

#[tokio::test]
async fn create_answers_the_bare_open_object() {
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let (s, v) = create(&sim, &request("your-system-invoice-id")).await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");
    assert_eq!(v["txnId"], "");
    assert_eq!(v["amount"], "10");
    assert_eq!(v["receivedAmount"], "0");
    assert_eq!(
        v["asset"],
        json!({"short":"USDT","name":"Tether","logoUrl":"https://cryptologos.cc/logos/tether-usdt-logo.png","network":"tron"})
    );
    assert_eq!(v["addressFrom"], "");
    assert_eq!(v["addressTo"], "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n");
    assert_eq!(v["destTag"], "");
    assert_eq!(v["status"], "OPEN");
    assert_eq!(v["customer"], json!({"id":1,"name":"Customer Name","email":"customer@example.com"}));
    assert_eq!(v["merchant"]["id"], 1);
    for k in ["name", "email", "siteUrl", "logoUrl"] {
        assert!(v["merchant"][k].is_string(), "{k}");
    }
    assert_eq!(v["invoice"], "your-system-invoice-id");
    assert!(is_rfc3339_nanos(&v["createdAt"]) && is_rfc3339_nanos(&v["updatedAt"]), "{v}");
    assert!(v["timeToApprove"].is_null());
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 15);

    let (s, one) = get(&sim, &format!("/withdrawal/{id}")).await;
    assert_eq!((s, &one), (200, &v));

    // destTag null is accepted and printed as "".
    let mut body = request("null-tag");
    body["destTag"] = Value::Null;
    let (s, v) = create(&sim, &body).await;
    assert_eq!((s, &v["destTag"]), (200, &json!("")));
}

#[tokio::test]
async fn auto_approval_sets_time_to_approve() {
    let sim =
        AlpPayServer::start(AlpPayConfig::default().with_lifecycle(Duration::from_secs(3600), None)).await.unwrap();
    let (_, v) = create(&sim, &request("inv")).await;
    let created =
        time::OffsetDateTime::parse(v["createdAt"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    let approve = time::OffsetDateTime::parse(
        v["timeToApprove"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(approve - created, time::Duration::hours(1));
}

/// The seed page (`004_948a2ba6f39f586c.txt`): `timeToApprove` is the "auto-approval timestamp
/// (null if manual)".
#[tokio::test]
async fn time_to_approve_is_set_by_a_timer_and_null_when_approval_is_manual() {
    let rfc = &time::format_description::well_known::Rfc3339;
    let at = |v: &Value, k: &str| time::OffsetDateTime::parse(v[k].as_str().unwrap(), rfc).unwrap();

    // Manual approval (no timer): null when created, approved and completed by hand, as the
    // object, the listing and the webhook body show it.
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let (_, v) = create(&sim, &request("manual")).await;
    let id = v["id"].as_str().unwrap().to_owned();
    assert!(v["timeToApprove"].is_null());
    for step in [AlpPayStatus::Approved, AlpPayStatus::Complete] {
        sim.set_status(&id, step).unwrap();
        let (_, one) = get(&sim, &format!("/withdrawal/{id}")).await;
        assert_eq!(one["status"], step.as_str());
        assert!(one["timeToApprove"].is_null(), "{step:?}: {one}");
        let (_, list) = get(&sim, "/withdrawal?invoices=manual").await;
        assert!(list["data"][0]["timeToApprove"].is_null(), "{step:?}: {list}");
        let hook: Value = serde_json::from_slice(&sim.wire_object(&id).unwrap()).unwrap();
        assert!(hook["timeToApprove"].is_null());
    }
    // Straight from OPEN to COMPLETE by hand: approved by hand too.
    let (_, v) = create(&sim, &request("manual-2")).await;
    let id = v["id"].as_str().unwrap().to_owned();
    sim.set_status(&id, AlpPayStatus::Complete).unwrap();
    let (_, one) = get(&sim, &format!("/withdrawal/{id}")).await;
    assert!(one["timeToApprove"].is_null(), "{one}");

    // Timer-based approval: createdAt + the delay, set at creation and kept through approval
    // and completion.
    let sim = AlpPayServer::start(
        AlpPayConfig::default().with_lifecycle(Duration::from_millis(40), Some(Duration::from_millis(40))),
    )
    .await
    .unwrap();
    let (_, v) = create(&sim, &request("timer")).await;
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(at(&v, "timeToApprove") - at(&v, "createdAt"), time::Duration::milliseconds(40));
    let mut last = Value::Null;
    for _ in 0..400 {
        last = get(&sim, &format!("/withdrawal/{id}")).await.1;
        if last["status"] == "COMPLETE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(last["status"], "COMPLETE", "{last}");
    assert_eq!(at(&last, "timeToApprove"), at(&v, "timeToApprove"));

    // A timer that has already approved it keeps its time when it is completed by hand; one
    // approved by hand before its timer is a manual approval.
    let sim =
        AlpPayServer::start(AlpPayConfig::default().with_lifecycle(Duration::from_millis(20), None)).await.unwrap();
    let (_, v) = create(&sim, &request("timer-then-hand")).await;
    let id = v["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(40)).await;
    sim.set_status(&id, AlpPayStatus::Complete).unwrap();
    let (_, one) = get(&sim, &format!("/withdrawal/{id}")).await;
    assert_eq!(at(&one, "timeToApprove"), at(&v, "timeToApprove"), "{one}");
    let sim =
        AlpPayServer::start(AlpPayConfig::default().with_lifecycle(Duration::from_secs(3600), None)).await.unwrap();
    let (_, v) = create(&sim, &request("hand-before-timer")).await;
    let id = v["id"].as_str().unwrap().to_owned();
    assert!(v["timeToApprove"].is_string());
    sim.set_status(&id, AlpPayStatus::Approved).unwrap();
    let (_, one) = get(&sim, &format!("/withdrawal/{id}")).await;
    assert_eq!(one["status"], "APPROVED");
    assert!(one["timeToApprove"].is_null(), "{one}");
}

#[tokio::test]
async fn authentication_is_401() {
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let body = request("auth").to_string().into_bytes();
    let sig = alppay_signature(sim.hmac_key().as_bytes(), &body);
    let key_error = json!({"error":"unauthorized","message":"invalid or expired API key"});
    let sig_error = json!({"error":"unauthorized","message":"missing or invalid signature"});
    assert_eq!(post_raw(&sim, &body, None, Some(sig.clone())).await, (401, key_error.clone()));
    assert_eq!(post_raw(&sim, &body, Some("wrong"), Some(sig.clone())).await, (401, key_error.clone()));
    assert_eq!(post_raw(&sim, &body, Some(sim.api_key()), None).await, (401, sig_error.clone()));
    let mut changed = body.clone();
    changed[2] ^= 1;
    assert_eq!(post_raw(&sim, &changed, Some(sim.api_key()), Some(sig.clone())).await, (401, sig_error));
    assert_eq!(sim.count(), 0);

    for path in ["/withdrawal", "/withdrawal/5f5a8ced-5c6a-4038-9d73-662441242fd3"] {
        let r = client().get(format!("{}{path}", sim.base_url())).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let r = client().get(format!("{}{path}", sim.base_url())).header("API-KEY", "nope").send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
}

#[tokio::test]
async fn validation_is_400_or_422() {
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = request("val");
        f(&mut v);
        v
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (with(&|v| v["amount"] = json!("0")), 422, "amount"),
        (with(&|v| v["amount"] = json!("-1")), 422, "amount"),
        (with(&|v| v["amount"] = json!("1.123456789")), 422, "amount"),
        (with(&|v| v["amount"] = json!("ten")), 422, "amount"),
        (with(&|v| v["amount"] = json!(10)), 400, "amount"),
        (with(&|v| v.as_object_mut().unwrap().remove("amount").map(|_| ()).unwrap()), 422, "amount"),
        (with(&|v| v["asset"] = json!({"short":"USDC","network":"tron"})), 422, "asset"),
        (with(&|v| v["asset"] = json!({"short":"BTC","network":"bitcoin"})), 422, "asset"),
        (with(&|v| v["addressTo"] = json!("")), 422, "addressTo"),
        (with(&|v| v["customer"]["id"] = json!("1")), 400, "customer.id"),
        (with(&|v| v["customer"]["id"] = json!(1.5)), 400, "customer.id"),
        (with(&|v| v["customer"]["email"] = json!("not-an-email")), 422, "customer.email"),
        (with(&|v| v["customer"]["email"] = json!("a@b")), 422, "customer.email"),
        (with(&|v| v.as_object_mut().unwrap().remove("customer").map(|_| ()).unwrap()), 422, "customer"),
        (with(&|v| v["destTag"] = json!(5)), 400, "destTag"),
        (with(&|v| v["invoice"] = json!("")), 422, "invoice"),
        (with(&|v| v["addressFrom"] = json!("TXkFpL3HmzE9KPpXGWNXdCbNcDYYn73U4C")), 400, "clientId"),
        (with(&|v| v["clientId"] = json!("client-1")), 400, "addressFrom"),
    ];
    for (body, status, field) in cases {
        let (s, v) = create(&sim, &body).await;
        assert_eq!(s, status, "{body} -> {v}");
        assert_eq!(v["field"], field, "{body} -> {v}");
        assert_eq!(v["error"], if status == 400 { "bad_request" } else { "validation_failed" });
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let body = b"{not json".to_vec();
    let sig = alppay_signature(sim.hmac_key().as_bytes(), &body);
    let (s, v) = post_raw(&sim, &body, Some(sim.api_key()), Some(sig)).await;
    assert_eq!((s, v["message"].as_str()), (400, Some("malformed JSON")));
    assert_eq!(sim.count(), 0);

    // Both withdraw-direct fields together are accepted.
    let (s, _) = create(
        &sim,
        &with(&|v| {
            v["addressFrom"] = json!("TXkFpL3HmzE9KPpXGWNXdCbNcDYYn73U4C");
            v["clientId"] = json!("client-1");
        }),
    )
    .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn duplicate_invoices_follow_the_setting() {
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    assert_eq!(create(&sim, &request("same")).await.0, 200);
    assert_eq!(create(&sim, &request("same")).await.0, 200);
    assert_eq!(sim.find_by_invoice("same").len(), 2);

    let strict = AlpPayServer::start(AlpPayConfig::default().refusing_duplicate_invoices()).await.unwrap();
    assert_eq!(create(&strict, &request("same")).await.0, 200);
    let (s, v) = create(&strict, &request("same")).await;
    assert_eq!((s, &v["field"]), (422, &json!("invoice")));
    assert_eq!(strict.count(), 1);
}

#[tokio::test]
async fn get_unknown_is_404() {
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    for id in ["5f5a8ced-5c6a-4038-9d73-662441242fd3", "not-a-uuid"] {
        let (s, v) = get(&sim, &format!("/withdrawal/{id}")).await;
        assert_eq!((s, v["error"].as_str()), (404, Some("not_found")));
    }
    let (s, _) = get(&sim, "/nothing-here").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn listing_pages_newest_first_with_filters() {
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..25 {
        let (_, v) = create(&sim, &request(&format!("inv-{}", i % 5))).await;
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    let (s, v) = get(&sim, "/withdrawal").await;
    assert_eq!(s, 200);
    assert_eq!((v["page"].clone(), v["limit"].clone(), v["total"].clone()), (json!(0), json!(20), json!(25)));
    let first: Vec<&str> = v["data"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(first, newest_first[..20]);
    let (_, v) = get(&sim, "/withdrawal?page=1").await;
    let second: Vec<&str> = v["data"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
    assert_eq!(second, newest_first[20..]);
    let (_, v) = get(&sim, "/withdrawal?page=9&limit=100").await;
    assert_eq!((v["data"].clone(), v["total"].clone()), (json!([]), json!(25)));

    // Filters: OR within one, AND across, exact matching; every list spelling.
    sim.set_status(&ids[0], AlpPayStatus::Complete).unwrap();
    sim.set_status(&ids[5], AlpPayStatus::Cancelled).unwrap();
    sim.set_status(&ids[6], AlpPayStatus::Approved).unwrap();
    let total = |v: &Value| v["total"].as_u64().unwrap();
    assert_eq!(total(&get(&sim, "/withdrawal?statuses=COMPLETE,CANCELLED").await.1), 2);
    assert_eq!(total(&get(&sim, "/withdrawal?statuses=COMPLETE&statuses=CANCELLED").await.1), 2);
    assert_eq!(total(&get(&sim, "/withdrawal?statuses[]=COMPLETE&statuses[]=APPROVED").await.1), 2);
    assert_eq!(total(&get(&sim, "/withdrawal?invoices=inv-0").await.1), 5);
    assert_eq!(total(&get(&sim, "/withdrawal?invoices=inv-0,inv-1").await.1), 10);
    assert_eq!(total(&get(&sim, "/withdrawal?invoices=inv-0&statuses=COMPLETE,CANCELLED").await.1), 2);
    assert_eq!(total(&get(&sim, "/withdrawal?invoices=inv-1&statuses=COMPLETE").await.1), 0);
    assert_eq!(total(&get(&sim, "/withdrawal?invoices=inv").await.1), 0, "exact match only");
    let ids_q = format!("/withdrawal?ids={},{}", ids[3], ids[4]);
    let (_, v) = get(&sim, &ids_q).await;
    assert_eq!(total(&v), 2);
    assert_eq!(v["data"][0]["id"], ids[4].as_str(), "newest first");
    let txn = sim.get(&ids[0]).unwrap().txn_id;
    let (_, v) = get(&sim, &format!("/withdrawal?txnIds={txn}")).await;
    assert_eq!((total(&v), v["data"][0]["id"].as_str()), (1, Some(ids[0].as_str())));

    for bad in ["limit=0", "limit=101", "limit=ten", "page=-1", "page=x", "statuses=DONE", "statuses=open"] {
        let (s, v) = get(&sim, &format!("/withdrawal?{bad}")).await;
        assert_eq!((s, v["error"].as_str()), (400, Some("bad_request")), "{bad}");
    }
}

#[tokio::test]
async fn status_moves_fill_the_documented_fields() {
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let (_, v) = create(&sim, &request("moves")).await;
    let id = v["id"].as_str().unwrap().to_owned();
    sim.set_status(&id, AlpPayStatus::Approved).unwrap();
    let (_, a) = get(&sim, &format!("/withdrawal/{id}")).await;
    assert_eq!(a["status"], "APPROVED");
    assert!(a["timeToApprove"].is_null(), "approved by hand: no auto-approval time");
    assert_eq!(a["txnId"], "");
    sim.set_status_with(&id, AlpPayStatus::Complete, Some("0xe7238caa1d19")).unwrap();
    let (_, c) = get(&sim, &format!("/withdrawal/{id}")).await;
    assert_eq!(c["status"], "COMPLETE");
    assert!(c["timeToApprove"].is_null());
    assert_eq!(c["txnId"], "0xe7238caa1d19");
    assert_eq!(c["receivedAmount"], "10");
    assert_eq!(c["addressFrom"], "TXkFpL3HmzE9KPpXGWNXdCbNcDYYn73U4C");
    assert!(c["updatedAt"].as_str() > v["updatedAt"].as_str());
    assert_eq!(c["createdAt"], v["createdAt"]);
    assert!(sim.set_status("nope", AlpPayStatus::Cancelled).is_err());
}

#[tokio::test]
async fn lazy_life_cycle_and_restored_state_advance() {
    let config = || AlpPayConfig::default().with_lifecycle(Duration::from_millis(50), Some(Duration::from_millis(50)));
    let sim = AlpPayServer::start(config()).await.unwrap();
    let (_, v) = create(&sim, &request("life")).await;
    let id = v["id"].as_str().unwrap().to_owned();
    assert!(v["timeToApprove"].is_string());
    let mut last = String::new();
    for _ in 0..400 {
        let (_, v) = get(&sim, &format!("/withdrawal/{id}")).await;
        last = v["status"].as_str().unwrap().to_owned();
        if last == "COMPLETE" {
            assert!(!v["txnId"].as_str().unwrap().is_empty());
            assert_eq!(v["receivedAmount"], "10");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(last, "COMPLETE");

    let (_, v) = create(&sim, &request("life-2")).await;
    let id = v["id"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alppay.json");
    sim.save(&path).unwrap();
    drop(sim);
    let later = AlpPayServer::start(config()).await.unwrap();
    later.load(&path).unwrap();
    let mut status = None;
    for _ in 0..400 {
        let (_, v) = get(&later, "/withdrawal?invoices=life-2").await;
        status = v["data"][0]["status"].as_str().map(str::to_owned);
        if status.as_deref() == Some("COMPLETE") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status.as_deref(), Some("COMPLETE"));
    assert_eq!(later.get(&id).unwrap().status, AlpPayStatus::Complete);
}

#[tokio::test]
async fn seeded_state_pages_and_round_trips() {
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let ids = sim.seed(10_000);
    assert_eq!(sim.count(), 10_000);
    let (_, v) = get(&sim, "/withdrawal?limit=100&page=3").await;
    assert_eq!(v["total"], 10_000);
    assert_eq!(v["data"].as_array().unwrap().len(), 100);
    assert_eq!(v["data"][0]["id"], ids[10_000 - 301].as_str());
    let (_, v) = get(&sim, "/withdrawal?statuses=CANCELLED&limit=1").await;
    assert_eq!(v["total"], 2_500);
    let snap = sim.snapshot();
    let other = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    other.restore(&snap).unwrap();
    assert_eq!(other.withdrawals(), sim.withdrawals());
    assert_eq!(get(&other, "/withdrawal?limit=100&page=3").await, get(&sim, "/withdrawal?limit=100&page=3").await);
    assert!(other.restore(&json!({"provider":"alphapo"})).is_err());
    other.reset();
    assert_eq!(other.count(), 0);
}
