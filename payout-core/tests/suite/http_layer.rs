//! The shared HTTP layer against a real server on loopback: what it retries and what it never does.
#![cfg(feature = "http")]

use std::time::Duration;

use payout_core::http::{HttpClient, HttpConfig, RetryPolicy, Safety};
use payout_core::{ErrorKind, ProviderId, Reference};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(max_retries: u32) -> HttpClient {
    let retry = RetryPolicy::default()
        .with_max_retries(max_retries)
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5));
    HttpClient::new(ProviderId::from_static("test"), &HttpConfig::default().with_retry(retry)).unwrap()
}

fn create() -> Safety {
    Safety::Create(Reference::new("order-1").unwrap())
}

async fn server_answering(status: u16, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/x")).respond_with(ResponseTemplate::new(status)).up_to_n_times(times).mount(&server).await;
    Mock::given(path("/x")).respond_with(ResponseTemplate::new(200).set_body_string("{}")).mount(&server).await;
    server
}

/// A server on loopback answering every `verb` request with `answer`, and the URL to send to.
async fn serving(verb: &str, answer: ResponseTemplate) -> (MockServer, String) {
    let server = MockServer::start().await;
    Mock::given(method(verb)).respond_with(answer).mount(&server).await;
    let url = format!("{}/x", server.uri());
    (server, url)
}

#[tokio::test]
async fn reads_are_retried_on_5xx_and_429() {
    for status in [500, 502, 503, 429] {
        let server = server_answering(status, 2).await;
        let url = format!("{}/x", server.uri());
        let answer = client(3).send(&Safety::Read, |c| c.get(&url)).await.unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(server.received_requests().await.unwrap().len(), 3, "status {status}");
    }
}

#[tokio::test]
async fn reads_give_up_after_the_bound() {
    let server = server_answering(503, 100).await;
    let url = format!("{}/x", server.uri());
    let err = client(2).send(&Safety::Read, |c| c.get(&url)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert_eq!(server.received_requests().await.unwrap().len(), 3, "one attempt and two retries");
}

#[tokio::test]
async fn a_create_answered_5xx_is_never_repeated() {
    let server = server_answering(502, 100).await;
    let url = format!("{}/x", server.uri());
    let err = client(5).send(&create(), |c| c.post(&url).body("{}")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert!(err.to_string().contains("order-1"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_create_refused_with_429_is_repeated_after_the_wait() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201).set_body_string("{}")).mount(&server).await;
    let url = format!("{}/x", server.uri());
    let answer = client(3).send(&create(), |c| c.post(&url).body("{}")).await.unwrap();
    assert_eq!(answer.status, 201);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_long_retry_after_is_handed_to_the_caller() {
    let (server, url) = serving("GET", ResponseTemplate::new(429).insert_header("retry-after", "3600")).await;
    let err = client(3).send(&Safety::Read, |c| c.get(&url)).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_safe_to_retry_even_for_a_create() {
    // Nothing listens on 127.0.0.2 (servers here bind 127.0.0.1), unlike a port just released,
    // which a server started by a parallel test may take.
    let url = "http://127.0.0.2:9/x".to_owned();
    let err = client(2).send(&create(), |c| c.post(&url).body("{}")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "nothing was sent, so the outcome is known: {err}");
}

#[tokio::test]
async fn a_create_that_times_out_is_outcome_unknown() {
    let (server, url) = serving("POST", ResponseTemplate::new(201).set_delay(Duration::from_millis(500))).await;
    let config = HttpConfig::default()
        .with_timeout(Duration::from_millis(50))
        .with_retry(RetryPolicy::none().with_max_retries(3));
    let http = HttpClient::new(ProviderId::from_static("test"), &config).unwrap();
    let err = http.send(&create(), |c| c.post(&url).body("{}")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn bodies_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(4096)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_string("x".repeat(4096)))
        .mount(&server)
        .await;
    let url = format!("{}/x", server.uri());
    let config = HttpConfig::default().with_max_response_bytes(1024);
    let http = HttpClient::new(ProviderId::from_static("test"), &config).unwrap();
    let read = http.send(&Safety::Read, |c| c.get(&url)).await.unwrap_err();
    assert_eq!(read.kind(), ErrorKind::Protocol);
    let created = http.send(&create(), |c| c.post(&url).body("{}")).await.unwrap_err();
    assert_eq!(created.kind(), ErrorKind::OutcomeUnknown, "the provider acted; the answer could not be read");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let elsewhere = MockServer::start().await;
    let (_server, url) =
        serving("GET", ResponseTemplate::new(307).insert_header("location", format!("{}/steal", elsewhere.uri())))
            .await;
    let answer = client(0).send(&Safety::Read, |c| c.get(&url).header("x-signature", "s")).await.unwrap();
    assert_eq!(answer.error().kind(), ErrorKind::Protocol);
    assert!(elsewhere.received_requests().await.unwrap().is_empty(), "signed headers never reach another host");
}

#[tokio::test]
async fn an_unreadable_create_answer_is_outcome_unknown() {
    let (_server, url) = serving("POST", ResponseTemplate::new(201).set_body_string("{not json")).await;
    let safety = create();
    let answer = client(0).send(&safety, |c| c.post(&url).body("{}")).await.unwrap();
    let err = answer.json::<serde_json::Value>(&safety).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    let err = answer.json::<serde_json::Value>(&Safety::Read).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
}

/// A create that got no answer may still be processed: the same reference is not sent again
/// within the in-flight window, whatever a lookup said in between (it may have run too early).
#[tokio::test]
async fn a_create_without_an_answer_is_not_sent_again_while_it_may_be_in_flight() {
    let (server, url) =
        serving("POST", ResponseTemplate::new(201).set_body_string("{}").set_delay(Duration::from_millis(300))).await;
    let config = HttpConfig::default().with_timeout(Duration::from_millis(50)).with_retry(RetryPolicy::none());
    let http = HttpClient::new(ProviderId::from_static("test"), &config).unwrap();
    let first = http.send(&create(), |c| c.post(&url).body("{}")).await.unwrap_err();
    assert_eq!(first.kind(), ErrorKind::OutcomeUnknown);
    // A clone shares the memory (providers hand clones to tasks).
    let second = http.clone().send(&create(), |c| c.post(&url).body("{}")).await.unwrap_err();
    assert_eq!(second.kind(), ErrorKind::OutcomeUnknown);
    assert!(second.to_string().contains("not sent again"), "{second}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "the second create must not be sent");
    // Another reference, and reads, are not held back.
    let other = Safety::Create(Reference::new("order-2").unwrap());
    assert_eq!(http.send(&other, |c| c.post(&url).body("{}")).await.unwrap_err().kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // A gateway timeout counts as no answer; a plain 5xx answer does not.
    for (status, held) in [(504, true), (503, false)] {
        let server = server_answering(status, 1).await;
        let url = format!("{}/x", server.uri());
        let http = HttpClient::new(ProviderId::from_static("test"), &HttpConfig::default()).unwrap();
        let _ = http.send(&create(), |c| c.post(&url).body("{}")).await.unwrap_err();
        let again = http.send(&create(), |c| c.post(&url).body("{}")).await;
        assert_eq!(again.is_err(), held, "status {status}: {again:?}");
        assert_eq!(server.received_requests().await.unwrap().len(), if held { 1 } else { 2 }, "status {status}");
    }

    // Outside the window, the create may go again (the caller has confirmed it never arrived).
    let server = server_answering(504, 1).await;
    let url = format!("{}/x", server.uri());
    let http =
        HttpClient::new(ProviderId::from_static("test"), &HttpConfig::default().with_in_flight_window(Duration::ZERO))
            .unwrap();
    let _ = http.send(&create(), |c| c.post(&url).body("{}")).await.unwrap_err();
    assert_eq!(http.send(&create(), |c| c.post(&url).body("{}")).await.unwrap().status, 200);
}

/// A caller-supplied client that follows redirects cannot be stopped from taking the request
/// along (reqwest has no per-request policy), but its answer is refused and the error says why.
#[tokio::test]
async fn an_answer_through_a_followed_redirect_is_refused() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201).set_body_string("{}")).mount(&elsewhere).await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_string("{}")).mount(&elsewhere).await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", format!("{}/steal", elsewhere.uri())))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", format!("{}/steal", elsewhere.uri())))
        .mount(&server)
        .await;
    let follows = reqwest::Client::builder().no_proxy().build().unwrap();
    let http = HttpClient::new(ProviderId::from_static("test"), &HttpConfig::default().with_client(follows)).unwrap();
    let url = format!("{}/x", server.uri());

    let read = http.send(&Safety::Read, |c| c.get(&url)).await.unwrap_err();
    assert_eq!(read.kind(), ErrorKind::Configuration);
    assert!(read.to_string().contains("Policy::none"), "{read}");
    let create = http.send(&create(), |c| c.post(&url).body("{}")).await.unwrap_err();
    assert_eq!(create.kind(), ErrorKind::OutcomeUnknown, "the other host may have acted on it");
    assert!(create.to_string().contains("followed a redirect"), "{create}");
}

/// The chain a caller walks with `source` (what anyhow and eyre print as "Caused by").
fn chain(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = err.source();
    while let Some(e) = next {
        out.push(e.to_string());
        next = e.source();
    }
    out
}

#[tokio::test]
async fn transport_failures_keep_their_cause_without_the_url() {
    // A port on loopback that nothing listens on: the connection is refused.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/x?token=not-in-errors", free.local_addr().unwrap());
    drop(free);
    let err = client(0).send(&Safety::Read, |c| c.get(&url)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    let causes = chain(&err);
    assert!(!causes.is_empty(), "no source: {err}");
    assert!(causes.iter().any(|c| c.to_lowercase().contains("connect")), "{causes:?}");
    assert!(causes.iter().all(|c| !c.contains("token") && !c.contains("127.0.0.1")), "{causes:?}");
    let copy = err.clone();
    assert_eq!(chain(&copy), causes, "a clone shares the cause");

    // A create whose answer is lost keeps the transport error under the outcome-unknown one.
    let (_server, url) = serving("POST", ResponseTemplate::new(201).set_delay(Duration::from_millis(500))).await;
    let config = HttpConfig::default().with_timeout(Duration::from_millis(50)).with_retry(RetryPolicy::none());
    let http = HttpClient::new(ProviderId::from_static("test"), &config).unwrap();
    let err = http.send(&create(), |c| c.post(&url).body("{}")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    let causes = chain(&err);
    assert!(causes.iter().any(|c| c.contains("timed out")), "{causes:?}");
}
