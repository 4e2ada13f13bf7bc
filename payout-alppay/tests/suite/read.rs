//! Reads on the wire: get, find and list: headers, query strings, documented answers, retries
//! and error mapping.

use crate::common;
use payout_testkit::mock_server::answer_first;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::*;
use futures::{StreamExt, TryStreamExt};
use payout_alppay::AlpPayClient;
use payout_core::{
    ErrorKind, ListQuery, PayoutError, PayoutProvider, PayoutProviderExt, Reference, WithdrawalId, WithdrawalStatus,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn id(s: &str) -> WithdrawalId {
    WithdrawalId::new(s)
}

async fn mount_get(server: &MockServer, at: &str, answer: ResponseTemplate) {
    Mock::given(method("GET")).and(path(at)).respond_with(answer).mount(server).await;
}

fn json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json")
}

/// The documented OPEN object under withdrawal id `id` (a get is answered for the id asked).
fn open_as(id: &str) -> ResponseTemplate {
    let mut w: serde_json::Value = serde_json::from_str(OPEN).unwrap();
    w["id"] = id.into();
    json(&w.to_string())
}

#[tokio::test]
async fn get_sends_the_api_key_and_no_body_nor_signature() {
    let server = MockServer::start().await;
    mount_get(&server, "/v2/withdrawal/5f5a8ced-5c6a-4038-9d73-662441242fd3", json(COMPLETE)).await;
    let w = client(&server).get_withdrawal(&id("5f5a8ced-5c6a-4038-9d73-662441242fd3")).await.unwrap();
    assert_eq!(w.status, WithdrawalStatus::Completed);
    assert_eq!(w.raw.get("txnId").unwrap(), "0xe7238caa68382485141be0443d6ba7efd0bd9f6bac5a624bd059acc53af1bf1d19");
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.headers.get("api-key").unwrap(), API_KEY);
    assert!(req.headers.get("x-hmac").is_none());
    assert!(req.body.is_empty());
    assert_eq!(req.url.query(), None);
}

#[tokio::test]
async fn get_percent_encodes_the_id() {
    let server = MockServer::start().await;
    mount_get(&server, "/v2/withdrawal/a%20b%2Fc%3F", open_as("a b/c?")).await;
    client(&server).get_withdrawal(&id("a b/c?")).await.unwrap();
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.url.path(), "/v2/withdrawal/a%20b%2Fc%3F");
    for bad in ["", "..", "."] {
        assert_eq!(client(&server).get_withdrawal(&id(bad)).await.unwrap_err().kind(), ErrorKind::InvalidRequest);
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn every_documented_withdrawal_example_parses() {
    for (fixture, status) in [
        (OPEN, WithdrawalStatus::Pending),
        (COMPLETE, WithdrawalStatus::Completed),
        (LEGACY, WithdrawalStatus::Pending),
        (REDUCED, WithdrawalStatus::Pending),
    ] {
        let server = MockServer::start().await;
        let asked = serde_json::from_str::<serde_json::Value>(fixture).unwrap()["id"].as_str().unwrap().to_owned();
        mount_get(&server, &format!("/v2/withdrawal/{asked}"), json(fixture)).await;
        let w = client(&server).get_withdrawal(&id(&asked)).await.unwrap();
        assert_eq!(w.status, status);
        assert_eq!(w.raw.to_value().unwrap(), serde_json::from_str::<serde_json::Value>(fixture).unwrap());
        assert_eq!(w.raw.as_str(), fixture.trim(), "the object is kept as the exact text sent");
    }
}

#[tokio::test]
async fn documented_list_envelopes_parse() {
    for fixture in [LIST, LIST_REDUCED] {
        // As printed, the example shows 2 items of a total of 17 on page 0 of 20: it does not
        // show every match, so it is refused; with the total made to agree, it parses.
        let server = MockServer::start().await;
        mount_get(&server, "/v2/withdrawal", json(fixture)).await;
        let e = client(&server).list_withdrawals(&ListQuery::new()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
        let mut agreeing: serde_json::Value = serde_json::from_str(fixture).unwrap();
        agreeing["total"] = 2.into();
        let server = MockServer::start().await;
        mount_get(&server, "/v2/withdrawal", json(&agreeing.to_string())).await;
        let page = client(&server).list_withdrawals(&ListQuery::new()).await.unwrap();
        assert_eq!((page.items.len(), page.page, page.limit, page.total), (2, 0, 20, Some(2)));
        assert_eq!(page.items[1].status, WithdrawalStatus::Completed);
    }
}

#[tokio::test]
async fn list_query_strings_for_each_filter_combination() {
    let server = MockServer::start().await;
    mount_get(&server, "/v2/withdrawal", json(r#"{"data":[],"page":0,"limit":20,"total":0}"#)).await;
    let alppay = client(&server);
    let r = |s: &str| Reference::new(s).unwrap();
    let open_or_complete_page_1 = |q: ListQuery| {
        q.status(WithdrawalStatus::Pending).status(WithdrawalStatus::Completed).page(1).limit(50).unwrap()
    };
    let cases = [
        (ListQuery::new(), "page=0&limit=20"),
        (ListQuery::new().id("a").id("b"), "ids=a,b&page=0&limit=20"),
        (ListQuery::new().tx_hash("0x1"), "txnIds=0x1&page=0&limit=20"),
        (ListQuery::new().reference(r("x")).reference(r("y z")), "invoices=x,y%20z&page=0&limit=20"),
        (open_or_complete_page_1(ListQuery::new()), "statuses=OPEN,COMPLETE&page=1&limit=50"),
        (
            open_or_complete_page_1(ListQuery::new().id("a").id("b").reference(r("x"))),
            "ids=a,b&invoices=x&statuses=OPEN,COMPLETE&page=1&limit=50",
        ),
        (
            ListQuery::new()
                .id("i")
                .tx_hash("t")
                .reference(r("r"))
                .status(WithdrawalStatus::Approved)
                .status(WithdrawalStatus::Cancelled)
                .status(WithdrawalStatus::Processing)
                .limit(100)
                .unwrap(),
            "ids=i&txnIds=t&invoices=r&statuses=APPROVED,CANCELLED&page=0&limit=100",
        ),
    ];
    for (query, _) in &cases {
        alppay.list_withdrawals(query).await.unwrap();
    }
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), cases.len());
    for (req, (_, expected)) in sent.iter().zip(&cases) {
        assert_eq!(req.url.query(), Some(*expected));
        assert_eq!(req.headers.get("api-key").unwrap(), API_KEY);
        assert!(req.body.is_empty());
    }
}

#[tokio::test]
async fn statuses_alppay_lacks_answer_an_empty_page_without_a_request() {
    let server = MockServer::start().await;
    let q = ListQuery::new().status(WithdrawalStatus::Processing).status(WithdrawalStatus::Unknown);
    let page = client(&server).list_withdrawals(&q).await.unwrap();
    assert!(page.items.is_empty());
    assert!(!page.has_more());
    assert!(server.received_requests().await.unwrap().is_empty());
    let refused = ListQuery::new().reference(Reference::new("a,b").unwrap());
    assert_eq!(client(&server).list_withdrawals(&refused).await.unwrap_err().kind(), ErrorKind::InvalidRequest);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn errors_on_reads_map_to_their_categories() {
    let cases = [
        (401, r#"{"error":"invalid or expired API key"}"#, ErrorKind::Authentication),
        (403, r#"{"error":"your key does not have access to this resource"}"#, ErrorKind::Authentication),
        (400, r#"{"message":"limit must be 1-100"}"#, ErrorKind::Rejected),
        (422, r#"{"errors":{"id":"not a uuid"}}"#, ErrorKind::Rejected),
        (404, r#"{"error":"withdrawal not found"}"#, ErrorKind::NotFound),
        (418, "teapot", ErrorKind::Protocol),
    ];
    for (status, body, kind) in cases {
        let server = MockServer::start().await;
        mount_get(&server, "/v2/withdrawal/w-1", ResponseTemplate::new(status).set_body_raw(body, "application/json"))
            .await;
        let e = client(&server).get_withdrawal(&id("w-1")).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{status}: {e}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "{status} is not retried");
        if kind == ErrorKind::Rejected || kind == ErrorKind::Authentication {
            let said = serde_json::from_str::<serde_json::Value>(body).unwrap();
            let text = said.get("message").or(said.get("error")).and_then(|m| m.as_str()).unwrap_or("not a uuid");
            assert!(e.to_string().contains(text), "the provider's message is kept: {e}");
        }
    }
}

#[tokio::test]
async fn malformed_json_is_a_protocol_error_with_the_body_kept() {
    let server = MockServer::start().await;
    mount_get(&server, "/v2/withdrawal/w-1", json(r#"{"id": "w-1", "status": "OPEN""#)).await;
    mount_get(&server, "/v2/withdrawal", json(r#"{"data": [{"id":"w-1"}]}"#)).await;
    let e = client(&server).get_withdrawal(&id("w-1")).await.unwrap_err();
    let PayoutError::Protocol { body, status, .. } = &e else { panic!("{e}") };
    assert_eq!(body, r#"{"id": "w-1", "status": "OPEN""#);
    assert_eq!(*status, Some(200));
    let e = client(&server).list_withdrawals(&ListQuery::new()).await.unwrap_err();
    let PayoutError::Protocol { body, .. } = &e else { panic!("{e}") };
    assert_eq!(body, r#"{"data": [{"id":"w-1"}]}"#);
}

#[tokio::test]
async fn rate_limited_read_waits_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    answer_first(
        &server,
        ("GET", "/v2/withdrawal/w-1"),
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        1,
    )
    .await;
    mount_get(&server, "/v2/withdrawal/w-1", open_as("w-1")).await;
    let w = client(&server).get_withdrawal(&id("w-1")).await.unwrap();
    assert_eq!(w.status, WithdrawalStatus::Pending);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_retry_after_too_long_to_sit_out_is_handed_to_the_caller() {
    let server = MockServer::start().await;
    mount_get(&server, "/v2/withdrawal/w-1", ResponseTemplate::new(429).insert_header("Retry-After", "120")).await;
    let e = client(&server).get_withdrawal(&id("w-1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(120)));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn server_errors_on_reads_are_retried() {
    let server = MockServer::start().await;
    answer_first(&server, ("GET", "/v2/withdrawal/w-1"), ResponseTemplate::new(502), 2).await;
    mount_get(&server, "/v2/withdrawal/w-1", open_as("w-1")).await;
    client(&server).get_withdrawal(&id("w-1")).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    let down = MockServer::start().await;
    mount_get(&down, "/v2/withdrawal/w-1", ResponseTemplate::new(503).set_body_raw("maintenance", "text/plain")).await;
    let e = client(&down).get_withdrawal(&id("w-1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert!(e.to_string().contains("maintenance"), "{e}");
    assert_eq!(down.received_requests().await.unwrap().len(), 1 + fast_retry().max_retries as usize, "bounded");
}

#[tokio::test]
async fn answers_beyond_the_body_bound_are_refused() {
    let server = MockServer::start().await;
    mount_get(&server, "/v2/withdrawal/w-1", json(COMPLETE)).await;
    let alppay = builder(&server).max_response_bytes(64).build().unwrap();
    assert_eq!(alppay.get_withdrawal(&id("w-1")).await.unwrap_err().kind(), ErrorKind::Protocol);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn connection_refused_is_unavailable() {
    let alppay = AlpPayClient::builder()
        .api_key(API_KEY)
        .hmac_key(HMAC_KEY)
        .base_url(refused_base_url())
        .retry(fast_retry())
        .build()
        .unwrap();
    assert_eq!(alppay.get_withdrawal(&id("w-1")).await.unwrap_err().kind(), ErrorKind::Unavailable);
    assert_eq!(alppay.list_withdrawals(&ListQuery::new()).await.unwrap_err().kind(), ErrorKind::Unavailable);
}

#[tokio::test]
async fn find_filters_exactly_and_returns_the_oldest_duplicate() {
    let server = MockServer::start().await;
    let items = vec![
        withdrawal("newest", "INV-1", "2025-08-07T10:00:00Z"),
        withdrawal("other", "INV-10", "2025-08-07T08:00:00Z"),
        withdrawal("oldest", "INV-1", "2025-08-07T09:00:00.5Z"),
        withdrawal("middle", "INV-1", "2025-08-07T09:30:00Z"),
    ];
    mount_get(&server, "/v2/withdrawal", ResponseTemplate::new(200).set_body_json(envelope(items, 0, 100, 4))).await;
    let found = client(&server).find_withdrawal(&Reference::new("INV-1").unwrap()).await.unwrap().unwrap();
    assert_eq!(found.id.as_str(), "oldest");
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.url.query(), Some("invoices=INV-1&page=0&limit=100"));
    assert_eq!(client(&server).find_withdrawal(&Reference::new("INV-2").unwrap()).await.unwrap(), None);
}

#[tokio::test]
async fn find_answers_none_when_alppay_holds_nothing() {
    let server = MockServer::start().await;
    mount_get(&server, "/v2/withdrawal", ResponseTemplate::new(200).set_body_json(envelope(vec![], 0, 100, 0))).await;
    assert_eq!(client(&server).find_withdrawal(&Reference::new("INV-3").unwrap()).await.unwrap(), None);
    // A reference with a comma is split by AlpPay; the answer is filtered exactly.
    assert_eq!(client(&server).find_withdrawal(&Reference::new("A,B").unwrap()).await.unwrap(), None);
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent[1].url.query(), Some("invoices=A%2CB&page=0&limit=100"));
}

#[tokio::test]
async fn find_never_concludes_absent_from_a_listing_it_could_not_finish() {
    let server = MockServer::start().await;
    // A server that ignores `invoices` and pages through 5,000 other withdrawals.
    let items =
        (0..5_000).map(|i| withdrawal(&format!("w-{i}"), &format!("OTHER-{i}"), "2025-08-07T09:00:00Z")).collect();
    let pages = Pages::serve(&server, items, usize::MAX).await;
    let e = client(&server).find_withdrawal(&Reference::new("INV-1").unwrap()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert_eq!(pages.served.load(Ordering::SeqCst), 20, "bounded");
    // And a create refuses to go ahead on such a lookup.
    let e = client(&server).create_withdrawal(&request("INV-1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(server.received_requests().await.unwrap().iter().all(|r| r.method == "GET"));
}

/// Serves `GET /withdrawal` pages from a generated list and answers one 429 on the way.
struct Pages {
    items: Vec<serde_json::Value>,
    throttle_page: usize,
    throttled: AtomicBool,
    served: AtomicUsize,
}

impl Pages {
    /// Serves `items` on `GET /v2/withdrawal` of `server`, with one 429 on `throttle_page`
    /// (`usize::MAX`: none); the handle counts the pages served.
    async fn serve(server: &MockServer, items: Vec<serde_json::Value>, throttle_page: usize) -> Arc<Pages> {
        let pages =
            Arc::new(Pages { items, throttle_page, throttled: AtomicBool::new(false), served: AtomicUsize::new(0) });
        Mock::given(method("GET"))
            .and(path("/v2/withdrawal"))
            .respond_with(ArcPages(pages.clone()))
            .mount(server)
            .await;
        pages
    }
}

impl Respond for Pages {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let param = |k: &str| {
            req.url.query_pairs().find(|(name, _)| name == k).and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(0)
        };
        let (page, limit) = (param("page"), param("limit"));
        if page == self.throttle_page && !self.throttled.swap(true, Ordering::SeqCst) {
            return ResponseTemplate::new(429).insert_header("Retry-After", "0");
        }
        self.served.fetch_add(1, Ordering::SeqCst);
        let chunk: Vec<_> = self.items.iter().skip(page * limit).take(limit).cloned().collect();
        ResponseTemplate::new(200).set_body_json(envelope(chunk, page as u32, limit as u32, self.items.len() as u64))
    }
}

#[tokio::test]
async fn list_all_pages_through_thousands_with_a_429_in_the_middle() {
    const N: usize = 2_345;
    let server = MockServer::start().await;
    let items = (0..N).map(|i| withdrawal(&format!("w-{i:05}"), &format!("INV-{i}"), "2025-08-07T09:00:00Z")).collect();
    let pages = Pages::serve(&server, items, 7).await;

    let alppay = client(&server);
    let ids: Vec<String> =
        alppay.list_all(ListQuery::new().limit(100).unwrap()).map_ok(|w| w.id.to_string()).try_collect().await.unwrap();
    assert_eq!(ids.len(), N);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), N, "every withdrawal exactly once");
    assert_eq!(ids[0], "w-00000");
    assert_eq!(ids[N - 1], format!("w-{:05}", N - 1));
    assert!(pages.throttled.load(Ordering::SeqCst));
    assert_eq!(pages.served.load(Ordering::SeqCst), N.div_ceil(100));
}

#[tokio::test]
async fn list_all_fetches_a_page_only_when_the_one_before_is_used_up() {
    let server = MockServer::start().await;
    let items = (0..1_000).map(|i| withdrawal(&format!("w-{i}"), "INV", "2025-08-07T09:00:00Z")).collect();
    let pages = Pages::serve(&server, items, usize::MAX).await;
    let alppay = client(&server);
    let first: Vec<_> = alppay.list_all(ListQuery::new().limit(100).unwrap()).take(150).collect().await;
    assert_eq!(first.len(), 150);
    assert_eq!(pages.served.load(Ordering::SeqCst), 2, "150 items need two pages of 100, not ten");
}

struct ArcPages(Arc<Pages>);

impl Respond for ArcPages {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.0.respond(req)
    }
}
