//! Properties: no answer, webhook or request makes the client panic; amounts are read exactly or
//! not at all; one changed byte of a webhook's body or signature is refused.

use crate::common;

use std::sync::LazyLock;

use common::{API_KEY, HMAC_KEY};
use http::HeaderMap;
use payout_alppay::mapping::parse_withdrawal;
use payout_alppay::{AlpPayClient, WebhookVerifier};
use payout_core::http::RetryPolicy;
use payout_core::{Asset, Decimal, EndUser, ErrorKind, ListQuery, PayoutProvider, WithdrawalId, WithdrawalRequest};
use payout_testkit::properties::{self, assert_amounts_read_exactly, assert_one_changed_byte_is_refused};
use payout_testkit::signing::alppay_signature;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

static RT: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap());
static SERVER: LazyLock<MockServer> = LazyLock::new(|| RT.block_on(MockServer::start()));

/// Seeds of failing cases are kept in `proptest-regressions/` (committed) and replayed first.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/properties.txt"))),
        ..ProptestConfig::default()
    }
}
/// One client for every case (building one loads TLS roots, slow in a loop): pointed at the
/// mock server, no retries, no lookup before creates.
static CLIENT: LazyLock<AlpPayClient> = LazyLock::new(|| {
    AlpPayClient::builder()
        .api_key(API_KEY)
        .hmac_key(HMAC_KEY)
        .base_url(format!("{}/v2", SERVER.uri()))
        .retry(RetryPolicy::none())
        .duplicate_check(false)
        .build()
        .unwrap()
});
/// The mock server is shared: one case at a time uses it.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
/// Takes the shared mock server for one case, until the guard drops.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Clears the shared mock server and has it answer every `verb` request with `answer`.
fn answer_every(verb: &str, answer: ResponseTemplate) {
    // Started here, outside the runtime: starting it blocks on the runtime.
    let server: &MockServer = &SERVER;
    RT.block_on(async {
        server.reset().await;
        Mock::given(method(verb)).respond_with(answer).mount(server).await;
    });
}
static VERIFIER: LazyLock<WebhookVerifier> = LazyLock::new(|| WebhookVerifier::new(&SecretString::from(HMAC_KEY)));

fn signed(body: &[u8]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-HMAC", alppay_signature(HMAC_KEY.as_bytes(), body).parse().unwrap());
    h
}

/// Timestamps as AlpPay writes them, and nearly so.
const TIMESTAMP: &str =
    "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})?";

/// Any JSON value, AlpPay's timestamps among the strings.
fn any_json() -> impl Strategy<Value = Value> {
    properties::any_json("[a-zA-Z]{1,12}", &[TIMESTAMP])
}

/// Every field of AlpPay's withdrawal object.
const FIELDS: [&str; 16] = [
    "id",
    "txnId",
    "amount",
    "receivedAmount",
    "asset",
    "addressFrom",
    "addressTo",
    "destTag",
    "status",
    "customer",
    "merchant",
    "invoice",
    "createdAt",
    "updatedAt",
    "timeToApprove",
    "extra",
];

fn object(values: Vec<Value>, keep: &[bool]) -> serde_json::Map<String, Value> {
    FIELDS.iter().zip(values).zip(keep).filter(|(_, k)| **k).map(|((f, v), _)| ((*f).to_owned(), v)).collect()
}

proptest! {
    #![proptest_config(config(128))]

    /// Any bytes, signed: a withdrawal or a webhook error, never a panic.
    #[test]
    fn any_signed_bytes_parse_or_fail_cleanly(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Err(e) = VERIFIER.parse(&signed(&body), &body) {
            prop_assert_eq!(e.kind(), ErrorKind::Webhook);
        }
        let _ = parse_withdrawal(&body);
    }

    /// Any JSON value in every field (numbers for strings, strings for numbers, objects,
    /// arrays, huge and negative amounts, odd timestamps), as a webhook and as an answer.
    #[test]
    fn any_json_in_every_field_never_panics(
        values in proptest::collection::vec(any_json(), FIELDS.len()),
        keep in proptest::collection::vec(any::<bool>(), FIELDS.len()),
    ) {
        let object = object(values, &keep);
        let body = Value::Object(object.clone()).to_string();
        match VERIFIER.parse(&signed(body.as_bytes()), body.as_bytes()) {
            Ok(update) => {
                prop_assert_eq!(Some(update.withdrawal.provider_status.as_str()), object.get("status").and_then(Value::as_str));
            }
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::Webhook),
        }
    }

    /// A listing page whose items, and whose paging fields, hold anything: a page or a
    /// protocol error, never a panic.
    #[test]
    fn any_listing_page_reads_or_fails_cleanly(
        items in proptest::collection::vec(
            (proptest::collection::vec(any_json(), FIELDS.len()), proptest::collection::vec(any::<bool>(), FIELDS.len())),
            0..4,
        ),
        page in any_json(),
        limit in any_json(),
        total in any_json(),
    ) {
        let data: Vec<Value> = items.into_iter().map(|(v, k)| Value::Object(object(v, &k))).collect();
        let body = json!({ "data": data, "page": page, "limit": limit, "total": total }).to_string();
        let _serial = serial();
        answer_every("GET", ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"));
        let result = RT.block_on(CLIENT.list_withdrawals(&ListQuery::new()));
        if let Err(e) = result {
            prop_assert_eq!(e.kind(), ErrorKind::Protocol, "{}", e);
        }
    }

    /// Request validation: whatever the caller passes, nothing panics, and only requests that
    /// keep AlpPay's rules are sent.
    #[test]
    fn request_validation_never_panics_and_keeps_the_rules(
        reference in prop_oneof![".{0,300}", "[a-z0-9-]{1,40}"],
        address in prop_oneof![".{0,80}", "T[a-zA-Z0-9]{33}"],
        customer in prop_oneof![".{0,12}", "[0-9]{1,19}", "-[0-9]{1,3}"],
        name in proptest::option::of(".{0,20}"),
        email in proptest::option::of(prop_oneof![".{0,20}", "[a-z]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}"]),
        units in any::<i64>(),
        scale in 0u32..=28,
        symbol in prop_oneof![Just("USDT".to_owned()), Just("USDC".to_owned()), "[A-Z]{2,6}"],
        network in proptest::option::of(prop_oneof![Just("tron".to_owned()), Just("ethereum".to_owned()), "[a-z]{1,10}"]),
    ) {
        let amount = Decimal::new(units, scale);
        let mut user = EndUser::new(customer.clone());
        if let Some(n) = name { user = user.with_name(n); }
        if let Some(e) = email { user = user.with_email(e); }
        let asset = match network { Some(n) => Asset::new(symbol).on(n), None => Asset::new(symbol) };
        let built = WithdrawalRequest::builder()
            .reference(reference)
            .asset(asset)
            .amount(amount)
            .address(address)
            .end_user(user)
            .build();
        let request = match built {
            Err(e) => { prop_assert_eq!(e.kind(), ErrorKind::InvalidRequest); return Ok(()); }
            Ok(r) => r,
        };
        let _serial = serial();
        answer_every("POST", ResponseTemplate::new(503));
        let result = RT.block_on(CLIENT.create_withdrawal(&request));
        match result {
            Err(e) if e.kind() == ErrorKind::InvalidRequest => {}
            Err(e) => {
                // It was sent: it keeps the rules.
                prop_assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{}", e);
                prop_assert!(amount > Decimal::ZERO && amount.normalize().scale() <= 8, "{}", amount);
                prop_assert!(customer.trim().parse::<i64>().is_ok(), "customer {:?}", customer);
                let sent = RT.block_on(SERVER.received_requests()).unwrap_or_default();
                prop_assert_eq!(sent.len(), 1);
                let body: Value = serde_json::from_slice(&sent[0].body).unwrap();
                prop_assert_eq!(Decimal::from_str_exact(body["amount"].as_str().unwrap()).unwrap(), amount);
                prop_assert!(body["customer"]["email"].as_str().is_some_and(|e| e.contains('@')));
            }
            Ok(w) => prop_assert!(false, "a 503 answered with {:?}", w.id),
        }
    }

    /// Any id handed to `get_withdrawal` stays one path segment under `/v2/withdrawal/`: no
    /// traversal, no query, no other endpoint; and nothing panics.
    #[test]
    fn any_id_stays_one_path_segment(id in prop_oneof![".{0,40}", "[./%?#a-f0-9-]{0,20}", Just("..".to_owned()), Just("%2e%2e".to_owned())]) {
        let _serial = serial();
        answer_every("GET", ResponseTemplate::new(404));
        let result = RT.block_on(CLIENT.get_withdrawal(&WithdrawalId::new(id.clone())));
        let e = result.unwrap_err();
        prop_assert!(matches!(e.kind(), ErrorKind::NotFound | ErrorKind::InvalidRequest), "{}", e);
        for r in RT.block_on(SERVER.received_requests()).unwrap_or_default() {
            let segments: Vec<&str> = r.url.path().trim_start_matches('/').split('/').collect();
            prop_assert_eq!(segments.len(), 3, "{}", r.url);
            prop_assert_eq!(&segments[..2], &["v2", "withdrawal"][..], "{}", r.url);
            prop_assert!(r.url.query().is_none(), "{}", r.url);
            prop_assert!(segments[2] != ".." && segments[2] != ".", "{}", r.url);
        }
    }
}

/// Any change of one byte of the body is refused; so is any change of one byte of the
/// signature, except turning a hex letter into its other case (the same signature).
#[test]
fn one_changed_byte_is_refused() {
    let sign = |body: &[u8]| alppay_signature(HMAC_KEY.as_bytes(), body);
    assert_one_changed_byte_is_refused(config(128), sign, &HeaderMap::new(), "X-HMAC", |h, b| VERIFIER.parse(h, b));
}

/// Amounts of any size, sign and precision, as strings or numbers: read exactly when they are
/// decimals, never rounded.
#[test]
fn answer_amounts_are_read_exactly_or_not_at_all() {
    assert_amounts_read_exactly(config(128), |text, as_number| {
        let amount: Value =
            if as_number { serde_json::from_str(text).unwrap_or(Value::Null) } else { Value::String(text.to_owned()) };
        let body =
            json!({"id": "5f5a8ced-5c6a-4038-9d73-662441242fd3", "status": "OPEN", "amount": amount}).to_string();
        parse_withdrawal(body.as_bytes()).ok()?.amount
    });
}
