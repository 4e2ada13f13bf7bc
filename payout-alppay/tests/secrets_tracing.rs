//! With known keys and every log line captured at TRACE level (this crate's, the HTTP layer's,
//! reqwest's and hyper's, through the `log` bridge too), no operation, error, `Debug` or
//! `Display` output shows the API key, the HMAC key, or a signature made with it.

mod common;

use futures::TryStreamExt;
use http::HeaderMap;
use payout_alppay::{AlpPayBuilder, AlpPayClient};
use payout_core::{ListQuery, PayoutError, PayoutProvider, PayoutProviderExt};
use payout_sim::redirects::assert_redirects_never_followed;
use payout_sim::{AlpPayConfig as SimConfig, AlpPayStatus, Fault};
use payout_testkit::secrets::{Capture, Shown, assert_hidden};

const KEY: &str = "ak-KNOWN-2d9e61f0c4";
const HMAC: &str = "hk-KNOWN-a83b57e1d6";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_secret_or_signature_in_any_output() {
    let capture = Capture::install();

    let server = common::sim::start_with(SimConfig::default().with_credentials(KEY, HMAC)).await;
    let builder = common::sim::builder_for(&server);
    let mut shown = Shown::default();
    shown.push(format!("{builder:?} {builder:#?}"));
    let config = common::sim::builder_for(&server).config().unwrap();
    shown.push(format!("{config:?} {config:#?}"));
    let client = builder.build().unwrap();
    shown.push(format!("{client:?} {client:#?}"));
    let verifier = client.webhooks();
    shown.push(format!("{verifier:?} {verifier:#?}"));

    // Every operation, succeeding and failing.
    let unknown = "00000000-0000-4000-8000-000000000000";
    let created = shown.show_operations(&client, &common::request("sec-1"), &[unknown]).await;
    shown.show(&client.list_all(ListQuery::new()).try_collect::<Vec<_>>().await);
    server.faults().on_request(http::Method::GET, "/withdrawal", Fault::Status { status: 503, body: "{}".into() }, 2);
    shown.show(&client.list_withdrawals(&ListQuery::new()).await);
    server.faults().on_request(http::Method::POST, "/withdrawal", Fault::CloseAfterActing, 1);
    shown.show(&client.submit(&common::request("sec-2")).await);
    server.faults().on_request(http::Method::POST, "/withdrawal", Fault::MalformedJson, 1);
    shown.show(&client.create_withdrawal(&common::request("sec-3")).await);
    shown.show(&client.create_withdrawal(&common::request("sec-1")).await);
    server.set_status_with(created.id.as_str(), AlpPayStatus::Complete, Some("0xab")).unwrap();
    shown.show(&client.wait_until_final(&created.id, Default::default()).await);

    // Webhooks: a good one, a forged one, an unsigned one.
    let body = server.wire_object(created.id.as_str()).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("X-HMAC", server.sign(&body).parse().unwrap());
    shown.show(&client.parse_webhook(&headers, &body));
    shown.show(&verifier.parse(&headers, b"{\"forged\":true}"));
    shown.show(&client.parse_webhook(&HeaderMap::new(), &body));

    // Refused credentials, and configurations that go wrong with the keys in them.
    let wrong = common::sim::builder_for(&server).hmac_key("wrong-hmac").build().unwrap();
    shown.show(&wrong.create_withdrawal(&common::request("sec-4")).await);
    let wrong_key = common::sim::builder_for(&server).api_key("wrong-key").build().unwrap();
    shown.show(&wrong_key.get_withdrawal(&created.id).await);
    let configs: Vec<Result<AlpPayClient, PayoutError>> = vec![
        AlpPayClient::builder().api_key(KEY).hmac_key(HMAC).base_url(HMAC).build(),
        AlpPayClient::builder().api_key(KEY).hmac_key(HMAC).base_url(format!("https://{KEY}:{HMAC}@h/v2")).build(),
        AlpPayClient::builder().api_key(KEY).hmac_key(HMAC).base_url("http://alppay.example/v2").build(),
        AlpPayClient::builder().api_key(format!("{KEY}\nX")).hmac_key(HMAC).build(),
        AlpPayClient::builder().api_key(KEY).build(),
        AlpPayBuilder::from_lookup(|name| (name == "ALPPAY_API_KEY").then(|| KEY.to_owned())).build(),
    ];
    for c in &configs {
        shown.show(c);
    }
    assert!(configs.iter().all(Result::is_err), "each of these configurations is refused");
    assert!(configs[2].as_ref().unwrap_err().to_string().contains("http://"), "plain http off loopback is refused");

    // A signature made with the HMAC key (the webhook's) is no more shown than the key; `assert_hidden` also
    // checks that the log really holds the HTTP layer's and the client's lines.
    let signature = server.sign(&body);
    assert_hidden(&capture, &shown, &[KEY, HMAC, signature.as_str()]);
}

/// A redirect to another host never takes the signed request along: the default client follows
/// none, and an answer that came through one a caller's own client followed is refused.
#[tokio::test]
async fn redirects_never_carry_the_signing_headers_elsewhere() {
    let client = |origin: &str, http: Option<reqwest::Client>| {
        let builder =
            AlpPayClient::builder().api_key(KEY).hmac_key(HMAC).base_url(format!("{origin}/v2")).duplicate_check(false);
        match http {
            Some(http) => builder.client(http).build().unwrap(),
            None => builder.build().unwrap(),
        }
    };
    assert_redirects_never_followed(
        client,
        async |c| c.create_withdrawal(&common::request("r-1")).await,
        async |c| c.list_withdrawals(&ListQuery::new()).await,
    )
    .await;
}
