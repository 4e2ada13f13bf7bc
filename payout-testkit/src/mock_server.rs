//! What the provider crates' wiremock tests share: an answer given to the first requests of one
//! route ahead of every other mock (a 429, a 502, a slow answer, then the normal one), and the
//! requests a route received, to check the exact bytes sent.
//!
//! ```
//! use payout_testkit::mock_server::{answer_first, received};
//! use wiremock::{MockServer, ResponseTemplate};
//!
//! async fn a_refused_create_is_sent_again(server: &MockServer) {
//!     // The first create gets a 503; the server's other mocks answer the one after.
//!     answer_first(server, ("POST", "/v1/payout"), ResponseTemplate::new(503), 1).await;
//!     // … the client under test creates one payout …
//!     assert_eq!(received(server, "/v1/payout").await.len(), 2);
//! }
//! ```

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The first `times` requests to `verb route` get `answer`, ahead of every other mock (which
/// answers the ones after).
pub async fn answer_first(server: &MockServer, (verb, route): (&str, &str), answer: ResponseTemplate, times: u64) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(answer)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
}

/// The requests the server received at `route`, in order.
pub async fn received(server: &MockServer, route: &str) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default().into_iter().filter(|r| r.url.path() == route).collect()
}
