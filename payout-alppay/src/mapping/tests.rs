use std::str::FromStr;

use payout_core::{ErrorKind, ListQuery, WithdrawalStatus};
use time::macros::datetime;

use super::*;

const OPEN: &str = include_str!("../../tests/fixtures/withdrawal_open.json");
const COMPLETE: &str = include_str!("../../tests/fixtures/withdrawal_complete.json");
const LEGACY: &str = include_str!("../../tests/fixtures/withdrawal_get_legacy.json");
const REDUCED: &str = include_str!("../../tests/fixtures/withdrawal_reduced.json");
const LIST: &str = include_str!("../../tests/fixtures/list.json");
const LIST_REDUCED: &str = include_str!("../../tests/fixtures/list_reduced.json");

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

#[test]
fn statuses_follow_the_contract() {
    assert_eq!(unified_status("OPEN"), WithdrawalStatus::Pending);
    assert_eq!(unified_status("APPROVED"), WithdrawalStatus::Approved);
    assert_eq!(unified_status("COMPLETE"), WithdrawalStatus::Completed);
    assert_eq!(unified_status("CANCELLED"), WithdrawalStatus::Cancelled);
    for other in ["COMPLETED", "open", "", "FAILED"] {
        assert_eq!(unified_status(other), WithdrawalStatus::Unknown, "{other}");
    }
    for s in WithdrawalStatus::ALL {
        if let Some(w) = wire_status(s) {
            assert_eq!(unified_status(w), s);
        }
    }
    assert_eq!(wire_status(WithdrawalStatus::Processing), None);
    assert_eq!(wire_status(WithdrawalStatus::Rejected), None);
    assert_eq!(wire_status(WithdrawalStatus::Unknown), None);
}

#[test]
fn unknown_status_keeps_the_raw_string() {
    let w = parse_withdrawal(br#"{"id":"x","status":"ON_HOLD"}"#).unwrap();
    assert_eq!(w.status, WithdrawalStatus::Unknown);
    assert_eq!(w.provider_status, "ON_HOLD");
}

#[test]
fn open_example_maps_every_field() {
    let w = parse_withdrawal(OPEN.as_bytes()).unwrap();
    assert_eq!(w.provider.as_str(), "alppay");
    assert_eq!(w.id.as_str(), "5f5a8ced-5c6a-4038-9d73-662441242fd3");
    assert_eq!(w.status, WithdrawalStatus::Pending);
    assert_eq!(w.provider_status, "OPEN");
    assert_eq!(w.tx_hash, None);
    assert_eq!(w.amount, Some(dec("10")));
    assert_eq!(w.amount_sent, None, "receivedAmount \"0\" while OPEN means nothing sent yet");
    let asset = w.asset.as_ref().unwrap();
    assert_eq!((asset.symbol(), asset.network()), ("USDT", Some("tron")));
    assert_eq!(w.source_address, None);
    assert_eq!(w.address.as_deref(), Some("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n"));
    assert_eq!(w.tag, None);
    let user = w.end_user.as_ref().unwrap();
    assert_eq!(user.id, "1");
    assert_eq!(user.name.as_deref(), Some("Customer Name"));
    assert_eq!(user.email.as_deref(), Some("customer@example.com"));
    assert_eq!(w.reference.as_ref().unwrap().as_str(), "your-system-invoice-id");
    assert_eq!(w.created_at, Some(datetime!(2025-08-07 09:08:58.780375195 UTC)));
    assert_eq!(w.updated_at, Some(datetime!(2025-08-07 09:08:58.780375285 UTC)));
    assert_eq!(w.approve_at, None);
    assert_eq!(merchant_id(&w).as_deref(), Some("1"));
    assert_eq!(w.raw.get("merchant").unwrap()["name"], "TestMerchant");
}

#[test]
fn complete_example_maps_every_field() {
    let w = parse_withdrawal(COMPLETE.as_bytes()).unwrap();
    assert_eq!(w.status, WithdrawalStatus::Completed);
    assert_eq!(w.tx_hash.as_deref(), Some("0xe7238caa68382485141be0443d6ba7efd0bd9f6bac5a624bd059acc53af1bf1d19"));
    assert_eq!(w.amount_sent, Some(dec("10")));
    assert_eq!(w.source_address.as_deref(), Some("TXkFpL3HmzE9KPpXGWNXdCbNcDYYn73U4C"));
    assert_eq!(w.updated_at, Some(datetime!(2025-08-07 10:15:32.123456789 UTC)));
    assert_eq!(w.approve_at, Some(datetime!(2025-08-07 10:08:58.780375195 UTC)));
}

#[test]
fn legacy_get_example_with_string_merchant_id_and_tag() {
    let w = parse_withdrawal(LEGACY.as_bytes()).unwrap();
    assert_eq!(w.amount.unwrap().to_string(), "1000.12345678");
    assert_eq!(w.amount_sent.unwrap().to_string(), "1000.12345678");
    assert_eq!(w.tag.as_deref(), Some("optional_tag"));
    assert_eq!(w.end_user.as_ref().unwrap().id, "12312312");
    assert_eq!(merchant_id(&w).as_deref(), Some("285d8dce-7663-4580-ba7f-8afb2f2d3292"));
    assert_eq!(w.created_at, Some(datetime!(2025-05-20 12:34:56 UTC)));
    assert_eq!(w.approve_at, None);
}

#[test]
fn reduced_object_parses() {
    let w = parse_withdrawal(REDUCED.as_bytes()).unwrap();
    assert_eq!(w.id.as_str(), "285d8dce-7663-4580-ba7f-8afb2f2d3292");
    assert_eq!(w.status, WithdrawalStatus::Pending);
    assert_eq!(w.amount, Some(dec("1000.12345678")));
    assert!(w.asset.is_none() && w.end_user.is_none() && w.reference.is_none() && w.address.is_none());
    assert_eq!(merchant_id(&w), None);
}

#[test]
fn tolerant_shapes() {
    let w = parse_withdrawal(
        br#"{"id":"a","txnId":null,"amount":7,"receivedAmount":null,"destTag":null,"status":"APPROVED",
            "customer":{"id":"42","name":"","email":null},"merchant":{"id":"m-1"},"asset":{"short":"usdc","network":"ETHEREUM"},
            "timeToApprove":"0001-01-01T00:00:00Z","createdAt":"","invoice":""}"#,
    )
    .unwrap();
    assert_eq!(w.amount, Some(dec("7")));
    assert_eq!(w.tx_hash, None);
    assert_eq!(w.tag, None);
    let user = w.end_user.unwrap();
    assert_eq!((user.id.as_str(), user.name, user.email), ("42", None, None));
    assert_eq!(w.asset.unwrap().to_string(), "USDC on ethereum");
    assert_eq!((w.approve_at, w.created_at, w.reference), (None, None, None));
}

#[test]
fn unreadable_objects_are_protocol_errors_with_the_body() {
    for bad in [
        &b"not json"[..],
        br#"{"status":"OPEN"}"#,
        br#"{"id":"","status":"OPEN"}"#,
        br#"{"id":"a"}"#,
        br#"{"id":"a","status":"OPEN","amount":"ten"}"#,
        br#"{"id":"a","status":"OPEN","amount":1.5}"#,
        br#"{"id":"a","status":"OPEN","createdAt":"yesterday"}"#,
        br#"[]"#,
    ] {
        let e = parse_withdrawal(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
        let PayoutError::Protocol { body, .. } = e else { unreachable!() };
        assert_eq!(body.as_bytes(), bad);
    }
}

/// The documented example with its total made to agree with its two items.
fn consistent(list: &str) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_str(list).unwrap();
    v["total"] = 2.into();
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn list_envelope_maps_onto_a_page() {
    let page = page_from_body(&consistent(LIST), 200, &ListQuery::new()).unwrap();
    assert_eq!((page.page, page.limit, page.total), (0, 20, Some(2)));
    assert_eq!(page.items.len(), 2);
    assert!(!page.has_more());
    let second = &page.items[1];
    assert_eq!(second.status, WithdrawalStatus::Completed);
    assert_eq!(second.asset.as_ref().unwrap().to_string(), "USDC on ethereum");
    assert_eq!(second.amount.unwrap().to_string(), "500.00");
    assert_eq!(second.reference.as_ref().unwrap().as_str(), "INV-2024-002");
    assert_eq!(second.raw.get("id").unwrap(), "a7c3f2b1-1234-5678-9abc-def012345678");

    let reduced = page_from_body(&consistent(LIST_REDUCED), 200, &ListQuery::new()).unwrap();
    assert_eq!(reduced.items.len(), 2);
    assert_eq!(reduced.items[1].created_at, Some(datetime!(2025-05-19 10:00:00 UTC)));
}

#[test]
fn the_documented_example_as_printed_is_refused_its_total_disagrees() {
    // Two items on page 0 of 20 with a total of 17: 15 matches are missing from the answer.
    for list in [LIST, LIST_REDUCED] {
        let e = page_from_body(list.as_bytes(), 200, &ListQuery::new()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        assert!(e.to_string().contains("should hold 17, it holds 2"), "{e}");
    }
}

#[test]
fn list_envelope_edge_cases() {
    let q = ListQuery::new().page(3).limit(50).unwrap();
    // An empty page past the end, with or without a total, is an answer.
    let page = page_from_body(br#"{"data":[],"total":150}"#, 200, &q).unwrap();
    assert_eq!((page.items.len(), page.page, page.limit, page.total), (0, 3, 50, Some(150)));
    let page = page_from_body(br#"{"data":[]}"#, 200, &q).unwrap();
    assert_eq!((page.items.len(), page.total), (0, None));
    let e = page_from_body(br#"{"data":[{"id":"a"}],"total":1}"#, 200, &q).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.to_string().contains("item 0"), "{e}");
    assert_eq!(page_from_body(b"<html>", 200, &q).unwrap_err().kind(), ErrorKind::Protocol);
}

#[test]
fn a_listing_of_another_shape_is_never_an_empty_page() {
    let q = ListQuery::new();
    let item = OPEN.trim();
    for (body, says) in [
        // The newer `listPayments` envelope.
        (format!(r#"{{"results":[{item}],"total":1}}"#), "no `data` array (its keys: results, total)"),
        (r#"{"results":[],"total":0}"#.to_owned(), "no `data` array"),
        ("{}".to_owned(), "no `data` array (its keys: none)"),
        (r#"{"data":null,"total":0}"#.to_owned(), "`data` is null"),
        (format!(r#"{{"data":{item}}}"#), "`data` is an object"),
        (r#"{"data":"none"}"#.to_owned(), "`data` is a string"),
        (r#"{"data":{}}"#.to_owned(), "`data` is an object"),
        (format!("[{item}]"), "the listing is an array"),
        ("null".to_owned(), "the listing is null"),
    ] {
        let e = page_from_body(body.as_bytes(), 200, &q).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{body}");
        assert!(e.to_string().contains(says), "{body}: {e}");
        match e {
            PayoutError::Protocol { status, body: kept, .. } => {
                assert_eq!(status, Some(200));
                assert!(!kept.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_total_that_disagrees_with_the_items_is_refused() {
    let item = OPEN.trim();
    let items = |n: usize| vec![item; n].join(",");
    let q = |page: u32, limit: u32| ListQuery::new().page(page).limit(limit).unwrap();
    // (items held, page, limit, total, accepted)
    for (n, page, limit, total, ok) in [
        (0, 0, 100, 0, true),
        (1, 0, 100, 1, true),
        (2, 0, 2, 5, true),
        (2, 1, 2, 5, true),
        (1, 2, 2, 5, true),
        (0, 3, 2, 5, true),
        (0, 7, 2, 5, true),
        // A find filtered by reference: the total says one matches, the page shows none.
        (0, 0, 100, 1, false),
        (1, 0, 100, 2, false),
        (2, 0, 100, 1, false),
        (1, 1, 2, 5, false),
        (2, 2, 2, 5, false),
        (1, 3, 2, 5, false),
    ] {
        let body = format!(r#"{{"data":[{}],"page":{page},"limit":{limit},"total":{total}}}"#, items(n));
        let got = page_from_body(body.as_bytes(), 200, &q(page, limit));
        assert_eq!(got.is_ok(), ok, "{n} items on page {page} of {limit}, total {total}: {:?}", got.err());
        if let Err(e) = got {
            assert_eq!(e.kind(), ErrorKind::Protocol);
            assert!(e.to_string().contains(&format!("total ({total})")), "{e}");
        }
    }
}

fn query_string(q: &ListQuery) -> String {
    match list_request(q, false).unwrap() {
        ListRequest::Send(s) => s,
        ListRequest::Empty => panic!("expected a request"),
    }
}

#[test]
fn list_query_strings() {
    assert_eq!(query_string(&ListQuery::new()), "page=0&limit=20");
    let q = ListQuery::new()
        .id("a")
        .id("b")
        .reference(Reference::new("x").unwrap())
        .status(WithdrawalStatus::Pending)
        .status(WithdrawalStatus::Completed)
        .page(1)
        .limit(50)
        .unwrap();
    assert_eq!(query_string(&q), "ids=a,b&invoices=x&statuses=OPEN,COMPLETE&page=1&limit=50");
    let q = ListQuery::new().tx_hash("0xab").tx_hash("0xcd").reference(Reference::new("inv 1/ü&=").unwrap());
    assert_eq!(query_string(&q), "txnIds=0xab,0xcd&invoices=inv%201%2F%C3%BC%26%3D&page=0&limit=20");
}

#[test]
fn statuses_without_an_alppay_equivalent() {
    let only = ListQuery::new().status(WithdrawalStatus::Processing).status(WithdrawalStatus::Rejected);
    assert!(matches!(list_request(&only, false).unwrap(), ListRequest::Empty));
    let mixed = ListQuery::new()
        .status(WithdrawalStatus::Processing)
        .status(WithdrawalStatus::Cancelled)
        .status(WithdrawalStatus::Cancelled)
        .status(WithdrawalStatus::Unknown)
        .status(WithdrawalStatus::Approved);
    assert_eq!(query_string(&mixed), "statuses=CANCELLED,APPROVED&page=0&limit=20");
}

#[test]
fn list_values_that_cannot_be_sent() {
    let q = ListQuery::new().reference(Reference::new("a,b").unwrap()).tx_hash("").id("ok");
    let e = list_request(&q, false).err().unwrap();
    let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["tx_hashes", "references"]);
    // A lookup by reference may over-match and filter the answer itself.
    let ListRequest::Send(s) = list_request(&ListQuery::new().reference(Reference::new("a,b").unwrap()), true).unwrap()
    else {
        panic!()
    };
    assert_eq!(s, "invoices=a%2Cb&page=0&limit=20");
    let mut bad_limit = ListQuery::new();
    bad_limit.limit = 101;
    assert_eq!(list_request(&bad_limit, false).err().unwrap().kind(), ErrorKind::InvalidRequest);
}

fn request(asset: Asset, amount: &str, user: EndUser) -> WithdrawalRequest {
    WithdrawalRequest::builder()
        .reference("INV-1")
        .asset(asset.with_decimals(18))
        .amount(dec(amount))
        .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
        .end_user(user)
        .build()
        .unwrap()
}

fn customer() -> EndUser {
    EndUser::new("1").with_name("Customer Name").with_email("customer@example.com")
}

/// AlpPay cannot choose where its fee comes from, nor take a callback URL per payout: either is
/// refused naming the field, before a body exists.
#[test]
fn fee_from_and_callback_url_are_refused() {
    let base = || {
        WithdrawalRequest::builder()
            .reference("INV-1")
            .asset(Asset::new("USDT").on("tron"))
            .amount(dec("10"))
            .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
            .end_user(customer())
    };
    let e = create_body(&base().fee_from(payout_core::FeeFrom::Amount).build().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("fee_from"), "{e}");
    let e = create_body(&base().callback_url("https://shop.example/hook").build().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("callback_url"), "{e}");
    assert!(create_body(&base().fee_from(payout_core::FeeFrom::Balance).build().unwrap()).is_ok());
}

#[test]
fn create_body_is_byte_exact_in_documented_order() {
    let body = create_body(&request(Asset::new("USDT").on("tron"), "10", customer())).unwrap();
    assert_eq!(
        std::str::from_utf8(&body).unwrap(),
        r#"{"amount":"10","asset":{"short":"USDT","network":"tron"},"addressTo":"TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n","customer":{"id":1,"name":"Customer Name","email":"customer@example.com"},"destTag":"","invoice":"INV-1"}"#
    );
}

#[test]
fn create_amount_keeps_its_scale_and_refuses_excess_precision() {
    let body = |a: &str| {
        String::from_utf8(create_body(&request(Asset::new("USDC").on("ethereum"), a, customer())).unwrap()).unwrap()
    };
    assert!(body("250.00").starts_with(r#"{"amount":"250.00","#));
    assert!(body("0.00000001").starts_with(r#"{"amount":"0.00000001","#));
    assert!(body("1.1234567800").starts_with(r#"{"amount":"1.12345678","#), "zeros past the 8th place are dropped");
    let e = create_body(&request(Asset::new("USDC").on("ethereum"), "0.123456789", customer())).unwrap_err();
    assert_eq!(e.field_errors()[0].field, "amount");
    assert!(e.to_string().contains("not rounded"), "{e}");
}

#[test]
fn create_refuses_unsupported_assets_naming_what_is_accepted() {
    for asset in [Asset::new("USDC").on("tron"), Asset::new("BTC").on("bitcoin")] {
        let e = create_body(&request(asset, "1", customer())).unwrap_err();
        assert_eq!(e.field_errors()[0].field, "asset");
        assert!(e.to_string().contains("USDT on tron, USDT on ethereum, USDC on ethereum"), "{e}");
    }
    let e = create_body(&request(Asset::new("USDC"), "1", customer())).unwrap_err();
    assert!(e.to_string().contains("network for USDC: ethereum"), "{e}");
    let e = create_body(&request(Asset::new("BTC"), "1", customer())).unwrap_err();
    assert!(e.to_string().contains("tron or ethereum"), "{e}");
    // A provider code passes through unchecked, for pairs AlpPay adds later; it still needs a network.
    let body = create_body(&request(Asset::provider_code("USDC").on("solana"), "1", customer())).unwrap();
    assert!(String::from_utf8(body).unwrap().contains(r#""asset":{"short":"USDC","network":"solana"}"#));
}

#[test]
fn create_requires_alppay_customer_details() {
    let e = create_body(&request(Asset::new("USDT").on("tron"), "1", EndUser::new("user-1"))).unwrap_err();
    let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["end_user.id", "end_user.name", "end_user.email"]);
    for bad in ["01", "-1", "+1", "1.0", "9223372036854775808", " 1"] {
        let e = create_body(&request(Asset::new("USDT").on("tron"), "1", EndUser { id: bad.into(), ..customer() }));
        assert_eq!(e.unwrap_err().field_errors()[0].field, "end_user.id", "{bad}");
    }
    for bad in ["nobody", "nobody@nowhere", "@nowhere.tld", "no body@nowhere.tld", "nobody@.nowhere", "nobody@nowhere."]
    {
        let e = create_body(&request(Asset::new("USDT").on("tron"), "1", customer().with_email(bad))).unwrap_err();
        assert_eq!(e.field_errors()[0].field, "end_user.email", "{bad}");
        assert!(!e.to_string().contains("nowhere"), "the address is personal data and is not echoed: {e}");
    }
    let e = create_body(&request(Asset::new("USDT").on("tron"), "1", customer().with_name("  "))).unwrap_err();
    assert_eq!(e.field_errors()[0].field, "end_user.name");
    let body = create_body(&request(
        Asset::new("USDT").on("tron"),
        "1",
        EndUser { id: "9223372036854775807".into(), ..customer() },
    ));
    assert!(String::from_utf8(body.unwrap()).unwrap().contains(r#""id":9223372036854775807"#));
}

#[test]
fn create_refuses_conversions() {
    let req = WithdrawalRequest::builder()
        .reference("INV-1")
        .asset(Asset::new("USDT").on("tron"))
        .amount_to(Asset::new("USDC").on("ethereum"), Decimal::from_str("5").unwrap())
        .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
        .end_user(customer())
        .build()
        .unwrap();
    assert_eq!(create_body(&req).unwrap_err().kind(), ErrorKind::Unsupported);
}

#[test]
fn create_sends_the_tag_and_escapes_text() {
    let req = WithdrawalRequest::builder()
        .reference("INV \"quoted\" ü")
        .asset(Asset::new("USDT").on("ethereum"))
        .amount(dec("1"))
        .address("0x5D8D9C7f68A46634BCEaD2a6FF166A0BdFb08540")
        .tag("memo-1")
        .end_user(customer())
        .build()
        .unwrap();
    let body = String::from_utf8(create_body(&req).unwrap()).unwrap();
    assert!(body.ends_with(r#""destTag":"memo-1","invoice":"INV \"quoted\" ü"}"#), "{body}");
    let back: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(back["invoice"], "INV \"quoted\" ü");
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn reading_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_withdrawal(&bytes);
            let _ = page_from_body(&bytes, 200, &ListQuery::new());
        }

        #[test]
        fn object_shaped_noise_never_panics(
            id in ".{0,12}", status in ".{0,12}", amount in ".{0,16}", at in ".{0,40}", customer in any::<i64>(),
        ) {
            let v = serde_json::json!({
                "id": id, "status": status, "amount": amount, "receivedAmount": amount, "createdAt": at,
                "timeToApprove": at, "customer": {"id": customer, "name": id, "email": status}, "invoice": id,
                "asset": {"short": status, "network": id},
            });
            if let Ok(w) = parse_withdrawal(v.to_string().as_bytes()) {
                prop_assert_eq!(w.provider_status, status);
                prop_assert_eq!(w.raw.as_str(), v.to_string(), "the object's exact text is kept");
                prop_assert_eq!(w.raw.to_value().unwrap(), v);
            }
        }

        #[test]
        fn amounts_are_sent_with_their_own_text(s in "(0|[1-9][0-9]{0,11})\\.[0-9]{1,8}") {
            let a = Decimal::from_str_exact(&s).unwrap();
            prop_assume!(!a.is_zero());
            let body = create_body(&request(Asset::new("USDT").on("tron"), &s, customer())).unwrap();
            let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
            prop_assert_eq!(sent["amount"].as_str(), Some(s.as_str()));
        }

        #[test]
        fn excess_precision_is_refused_never_rounded(int in 0u32..100_000, frac in "[0-9]{8}[1-9][0-9]{0,6}") {
            let s = format!("{int}.{frac}");
            let e = create_body(&request(Asset::new("USDT").on("tron"), &s, customer())).unwrap_err();
            prop_assert_eq!(e.field_errors()[0].field.as_str(), "amount");
        }

        #[test]
        fn filter_values_survive_the_query_string(v in "[^,\\s\\p{C}]{1,40}", w in "[^,]{1,40}") {
            let q = ListQuery::new().reference(Reference::new(v.as_str()).unwrap()).tx_hash(w.as_str());
            let ListRequest::Send(qs) = list_request(&q, false).unwrap() else { unreachable!() };
            let decoded: Vec<(String, String)> =
                url::form_urlencoded::parse(qs.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            prop_assert_eq!(&decoded[0], &("txnIds".to_owned(), w.clone()));
            prop_assert_eq!(&decoded[1], &("invoices".to_owned(), v.clone()));
        }
    }
}
