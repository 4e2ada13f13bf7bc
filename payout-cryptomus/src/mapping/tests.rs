use bytes::Bytes;
use http::HeaderMap;
use payout_core::{EndUser, ErrorKind, FeeFrom};
use rust_decimal::Decimal;

use super::*;

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

fn answer(status: u16, body: &str) -> HttpResponse {
    HttpResponse { status, headers: HeaderMap::new(), body: Bytes::from(body.to_owned()) }
}

fn builder(reference: &str) -> payout_core::WithdrawalRequestBuilder {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new("USDT").on("tron"))
        .amount(dec("5"))
        .address("TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm")
        .end_user(EndUser::new("u-1"))
}

fn raw(text: &str) -> Box<RawValue> {
    RawValue::from_string(text.to_owned()).unwrap()
}

/// Every row of the contract table (design.md section 3, Cryptomus column).
#[test]
fn statuses_follow_the_contract_table() {
    use WithdrawalStatus::*;
    let rows: &[(&str, bool, Option<&str>, WithdrawalStatus)] = &[
        ("process", false, None, Processing),
        ("process", true, None, Processing),
        ("check", false, None, Pending),
        ("paid", true, None, Completed),
        ("paid", false, None, Completed),
        ("cancel", true, None, Cancelled),
        ("fail", false, None, Processing),
        ("fail", false, Some("aml"), Processing),
        ("system_fail", false, None, Processing),
        ("fail", true, None, Cancelled),
        ("fail", true, Some("system_error"), Cancelled),
        ("system_fail", true, None, Cancelled),
        ("system_fail", true, Some("aml"), Cancelled),
        ("fail", true, Some("aml"), Rejected),
        ("fail", true, Some(" AML "), Rejected),
        ("refunded", true, None, Unknown),
        ("PAID", true, None, Unknown),
        ("", false, None, Unknown),
    ];
    for (status, is_final, reason, expected) in rows {
        assert_eq!(unified_status(status, *is_final, *reason), *expected, "{status} is_final={is_final} {reason:?}");
    }
}

/// The create/info example of the docs: numbers beside strings, `txid` null.
#[test]
fn the_documented_payout_maps_every_field() {
    let text = r#"{"uuid":"a7c0caec-a594-4aaa-b1c4-77d511857594","amount":"3","currency":"USDT","network":"TRON","address":"TJ...","txid":null,"status":"process","is_final":false,"balance":129,"payer_currency":"USD","payer_amount":3}"#;
    let reference = Reference::new("order-1").unwrap();
    let w = withdrawal_from_raw(&raw(text), Some(&reference)).unwrap();
    assert_eq!(w.id.as_str(), "a7c0caec-a594-4aaa-b1c4-77d511857594");
    assert_eq!(w.reference.as_ref(), Some(&reference), "not echoed: the one asked for");
    assert_eq!((w.status, w.provider_status.as_str()), (WithdrawalStatus::Processing, "process"));
    assert_eq!(w.amount, Some(dec("3")));
    assert_eq!(w.asset, Some(Asset::new("USDT").on("TRON")));
    assert_eq!((w.address.as_deref(), w.tx_hash.as_deref(), w.amount_sent), (Some("TJ..."), None, None));
    assert_eq!(w.raw.as_str(), text, "kept as sent");
}

#[test]
fn history_items_echo_order_id_and_times() {
    let text = r#"{"uuid":"u-1","order_id":"o-9","amount":"10.00000000","currency":"USDT","network":"tron","address":"T1","txid":"0xab","status":"paid","is_final":1,"balance":"129.00000000","created_at":"2023-06-21T17:25:55+03:00","updated_at":"2023-06-21 18:00:00","payment_status":null}"#;
    let w = withdrawal_from_raw(&raw(text), Some(&Reference::new("ignored").unwrap())).unwrap();
    assert_eq!(w.reference.unwrap().as_str(), "o-9", "an echoed order_id wins");
    assert_eq!(w.status, WithdrawalStatus::Completed);
    assert_eq!(w.tx_hash.as_deref(), Some("0xab"));
    assert_eq!(w.created_at.unwrap().unix_timestamp(), 1_687_357_555);
    assert_eq!(w.updated_at.unwrap().offset().whole_hours(), 3, "Cryptomus's own zone, UTC+3");
    assert_eq!(w.amount_sent, None, "no payer_amount sent");
}

#[test]
fn a_numeric_order_id_is_kept_as_text() {
    let w = withdrawal_from_raw(&raw(r#"{"uuid":"u","order_id":129359,"status":"check","txid":null}"#), None).unwrap();
    assert_eq!(w.reference.unwrap().as_str(), "129359");
}

#[test]
fn unreadable_payouts_are_refused_not_guessed() {
    for text in [
        r#"{"uuid":"","status":"paid"}"#,
        r#"{"status":"paid"}"#,
        r#"{"uuid":"u","status":"paid","amount":"1,5"}"#,
        "[]",
    ] {
        assert!(withdrawal_from_raw(&raw(text), None).is_err(), "{text}");
    }
}

/// The spec's signed example body (section 2), byte for byte: field order, `/` escaped.
#[test]
fn create_body_is_php_encoded_in_documented_order() {
    let r =
        builder("1").asset(Asset::new("USDT").on("TRON")).callback_url("https://your.site/callback").build().unwrap();
    let body = create_body(&r).unwrap();
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        r#"{"amount":"5","currency":"USDT","network":"TRON","order_id":"1","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":true,"url_callback":"https:\/\/your.site\/callback"}"#
    );
    assert_eq!(crate::signing::Signer::new(&"test-payout-key".into()).sign(&body), "9f8a94430534666f34694f04f755ee3a");
}

#[test]
fn create_body_options() {
    let r = builder("o-2").fee_from(FeeFrom::Amount).tag("memo-1").amount(dec("0.50")).build().unwrap();
    let body = String::from_utf8(create_body(&r).unwrap()).unwrap();
    assert_eq!(
        body,
        r#"{"amount":"0.50","currency":"USDT","network":"TRON","order_id":"o-2","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":false,"memo":"memo-1"}"#
    );
    let no_network = builder("o-3").asset(Asset::new("btc")).build().unwrap();
    let body = String::from_utf8(create_body(&no_network).unwrap()).unwrap();
    assert!(body.contains(r#""currency":"BTC","order_id""#), "no network key: {body}");
}

#[test]
fn create_refuses_what_cryptomus_would_before_sending() {
    let field = |r: WithdrawalRequest| create_body(&r).unwrap_err().field_errors()[0].field.clone();
    assert_eq!(field(builder("has space").build().unwrap()), "reference");
    assert_eq!(field(builder("ordér").build().unwrap()), "reference");
    assert_eq!(field(builder(&"x".repeat(101)).build().unwrap()), "reference");
    assert!(create_body(&builder(&"x".repeat(100)).build().unwrap()).is_ok(), "100 is allowed");
    let precise = Asset::new("USDT").on("tron").with_decimals(18);
    assert_eq!(field(builder("o").asset(precise).amount(dec("0.000000001")).build().unwrap()), "amount");
    assert_eq!(field(builder("o").tag("t".repeat(31)).build().unwrap()), "tag");
    let convert = WithdrawalRequest::builder()
        .reference("o")
        .asset(Asset::new("USDT"))
        .amount_to(Asset::new("BTC"), dec("0.1"))
        .address("a1")
        .end_user(EndUser::new("u"))
        .build()
        .unwrap();
    assert_eq!(create_body(&convert).unwrap_err().kind(), ErrorKind::Unsupported);
}

#[test]
fn lookups_refuse_references_info_cannot_read() {
    let ok = info_by_reference(&Reference::new("x".repeat(32)).unwrap()).unwrap();
    assert_eq!(ok, format!(r#"{{"order_id":"{}"}}"#, "x".repeat(32)).as_bytes());
    let e = info_by_reference(&Reference::new("x".repeat(33)).unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.to_string().contains("32"), "{e}");
    assert_eq!(info_by_uuid(&WithdrawalId::new("a7c0-1")).unwrap(), br#"{"uuid":"a7c0-1"}"#);
    assert_eq!(info_by_uuid(&WithdrawalId::new("../x")).unwrap_err().kind(), ErrorKind::InvalidRequest);
}

#[test]
fn the_envelope_is_read_strictly() {
    assert_eq!(result_of(&answer(200, r#"{"state":0,"result":[]}"#)).unwrap().get(), "[]");
    assert!(matches!(result_of(&answer(200, r#"{"state":0}"#)), Err(Some(_))), "state 0 without a result");
    assert!(matches!(result_of(&answer(200, r#"{"state":1,"message":"Not enough funds"}"#)), Err(None)));
    assert!(matches!(result_of(&answer(200, r#"{"state":1}"#)), Err(Some(_))), "a refusal that says nothing");
    assert!(matches!(result_of(&answer(422, r#"{"state":1,"errors":{"amount":["validation.required"]}}"#)), Err(None)));
    assert!(matches!(result_of(&answer(200, "<html>")), Err(Some(_))));
}

#[test]
fn refusals_map_to_their_categories() {
    let r = Reference::new("o-1").unwrap();
    let create = |status, body| refusal(&answer(status, body), Call::Create(&r));
    let e = create(422, r#"{"state":1,"errors":{"amount":["validation.required"],"network":["validation.required"]}}"#);
    assert_eq!(e.kind(), ErrorKind::Rejected);
    assert_eq!(e.field_errors().iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["amount", "network"]);
    assert_eq!(create(200, r#"{"state":1,"message":"Not enough funds"}"#).kind(), ErrorKind::Rejected);
    assert_eq!(create(422, r#"{"state":1,"message":"Minimum amount 0.5 USDT"}"#).kind(), ErrorKind::Rejected);
    assert_eq!(create(401, r#"{"message":"Invalid Sign."}"#).kind(), ErrorKind::Authentication);
    assert_eq!(create(422, r#"{"message":"Invalid Sign."}"#).kind(), ErrorKind::Authentication);
    assert_eq!(
        create(422, r#"{"state":1,"errors":{"order_id":["validation.unique"]}}"#).kind(),
        ErrorKind::DuplicateReference
    );
    assert_eq!(create(422, r#"{"state":1,"message":"The terminal was not found"}"#).kind(), ErrorKind::Unavailable);
    assert_eq!(create(404, "Not Found").kind(), ErrorKind::Configuration);
    assert_eq!(create(429, "").kind(), ErrorKind::RateLimited);
    let read = |status, body| refusal(&answer(status, body), Call::Read);
    assert_eq!(read(403, "").kind(), ErrorKind::Authentication);
    assert_eq!(
        read(422, r#"{"state":1,"errors":{"uuid":["validation.required_without"]}}"#).kind(),
        ErrorKind::Rejected
    );
    assert_eq!(read(418, "teapot").kind(), ErrorKind::Protocol);
}

#[test]
fn only_an_answer_saying_so_means_not_found() {
    assert!(says_not_found(&answer(404, "")));
    assert!(says_not_found(&answer(422, r#"{"state":1,"message":"Payout not found"}"#)));
    assert!(says_not_found(&answer(200, r#"{"state":1,"message":"Not found payout"}"#)));
    assert!(!says_not_found(&answer(422, r#"{"state":1,"message":"Service not found"}"#)));
    assert!(!says_not_found(&answer(422, r#"{"state":1,"errors":{"order_id":["validation.max.string"]}}"#)));
    assert!(!says_not_found(&answer(500, "Payout not found")));
}

#[test]
fn history_pages_by_cursor_and_filters_here() {
    let result = r#"{"merchant_uuid":"m","items":[
        {"uuid":"u-1","order_id":"o-1","amount":"1","currency":"USDT","network":"tron","address":"T1","txid":null,"status":"process","is_final":false},
        {"uuid":"u-2","order_id":"o-2","amount":"2","currency":"USDT","network":"tron","address":"T2","txid":"0x2","status":"paid","is_final":true}
    ],"paginate":{"count":2,"hasPages":true,"nextCursor":"eyJpZCI6Mn0","previousCursor":null,"perPage":15}}"#;
    let a = answer(200, "{}");
    let page = page_from_result(&raw(result), &a, &ListQuery::new()).unwrap();
    assert!(page.cursor_paged);
    assert_eq!((page.items.len(), page.limit, page.next_cursor.as_deref()), (2, 15, Some("eyJpZCI6Mn0")));
    assert!(page.has_more());
    let paid = page_from_result(&raw(result), &a, &ListQuery::new().status(WithdrawalStatus::Completed)).unwrap();
    assert_eq!(paid.items.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(), ["u-2"]);
    let by_ref =
        page_from_result(&raw(result), &a, &ListQuery::new().reference(Reference::new("o-1").unwrap())).unwrap();
    assert_eq!(by_ref.items[0].id.as_str(), "u-1");
    let last = result.replace(r#""nextCursor":"eyJpZCI6Mn0""#, r#""nextCursor":null"#);
    assert!(!page_from_result(&raw(&last), &a, &ListQuery::new()).unwrap().has_more());
    assert_eq!(
        page_from_result(&raw(r#"{"paginate":{}}"#), &a, &ListQuery::new()).unwrap_err().kind(),
        ErrorKind::Protocol,
        "no items proves nothing"
    );
    let bad_item = result.replace(r#""uuid":"u-2""#, r#""uuid":"""#);
    assert_eq!(page_from_result(&raw(&bad_item), &a, &ListQuery::new()).unwrap_err().kind(), ErrorKind::Protocol);
}

fn services() -> Vec<wire::Service> {
    serde_json::from_str(
        r#"[
        {"network":"TRON","currency":"USDT","is_available":true,"limit":{"min_amount":"0.50000000","max_amount":"1000000.00000000"},"commission":{"fee_amount":"1.00000000","percent":"0.00"}},
        {"network":"BSC","currency":"USDT","is_available":false,"limit":{"min_amount":"1.00000000","max_amount":"100.00000000"},"commission":{"fee_amount":"0.30000000","percent":"0.00"}},
        {"network":"BTC","currency":"BTC","is_available":true,"limit":{"min_amount":"0.00010000","max_amount":"10.00000000"},"commission":{"fee_amount":"0.00005000","percent":"0.00"}}
    ]"#,
    )
    .unwrap()
}

#[test]
fn the_services_table_refuses_before_sending() {
    let check = |r: WithdrawalRequest| check_service(&services(), &r);
    assert!(check(builder("o").build().unwrap()).is_ok(), "tron is matched case-insensitively");
    let e = check(builder("o").amount(dec("0.49")).build().unwrap()).unwrap_err();
    assert_eq!(e.field_errors()[0].field, "amount");
    assert!(e.to_string().contains("0.5"), "{e}");
    let e = check(builder("o").amount(dec("1000000.01")).build().unwrap()).unwrap_err();
    assert!(e.to_string().contains("maximum"), "{e}");
    let e = check(builder("o").asset(Asset::new("USDT").on("bsc")).build().unwrap()).unwrap_err();
    assert!(e.to_string().contains("not available"), "{e}");
    let e = check(builder("o").asset(Asset::new("USDT").on("POLYGON")).build().unwrap()).unwrap_err();
    assert!(e.to_string().contains("TRON, BSC"), "names the networks offered: {e}");
    let e = check(builder("o").asset(Asset::new("USDT")).build().unwrap()).unwrap_err();
    assert!(e.to_string().contains("name the network"), "{e}");
    assert!(check(builder("o").asset(Asset::new("BTC")).amount(dec("0.001")).build().unwrap()).is_ok(), "one network");
    let e = check(builder("o").asset(Asset::new("DOGE").on("doge")).build().unwrap()).unwrap_err();
    assert!(e.to_string().contains("BTC, USDT"), "names the currencies offered: {e}");
}
