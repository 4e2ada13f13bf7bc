//! With known keys and every log line captured at TRACE level (this crate's, the HTTP layer's,
//! reqwest's and hyper's, through the `log` bridge too), no operation, error, `Debug` or
//! `Display` output shows the API key, the secret, or a signature made with it.

mod common;

use http::HeaderMap;
use payout_alphapo::{AlphaPoClient, AlphaPoConfig};
use payout_core::{PayoutError, PayoutProvider, PayoutProviderExt, WithdrawalId, WithdrawalRequest};
use payout_sim::redirects::assert_redirects_never_followed;
use payout_sim::{AlphaPoConfig as SimConfig, AlphaPoServer, AlphaPoStatus, Fault};
use payout_testkit::secrets::{Capture, Shown, assert_hidden};

const KEY: &str = "ak-KNOWN-7c1e5d9a0b";
const SECRET: &str = "as-KNOWN-4f0b2e88c1";

fn request(reference: &str) -> WithdrawalRequest {
    common::sim::btc_request(reference)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_secret_or_signature_in_any_output() {
    let capture = Capture::install();

    let server = AlphaPoServer::start(SimConfig::default().with_credentials(KEY, SECRET)).await.unwrap();
    let builder = common::sim::builder_for(&server);
    let mut shown = Shown::default();
    shown.push(format!("{builder:?} {builder:#?}"));
    let config = builder.clone().build().unwrap();
    shown.push(format!("{config:?} {config:#?}"));
    let client = builder.build().unwrap();
    shown.push(format!("{client:?} {client:#?}"));

    // Every operation, succeeding and failing.
    let created = shown.show_operations(&client, &request("sec-1"), &["999", "not-a-number"]).await;
    server.faults().on_request(
        http::Method::GET,
        "/transactions/info",
        Fault::Status { status: 503, body: "{}".into() },
        2,
    );
    shown.show(&client.get_withdrawal(&created.id).await);
    server.faults().on_request(http::Method::POST, "/withdrawal/crypto", Fault::CloseAfterActing, 1);
    shown.show(&client.submit(&request("sec-2")).await);
    server.faults().on_request(http::Method::POST, "/withdrawal/crypto", Fault::MalformedJson, 1);
    shown.show(&client.create_withdrawal(&request("sec-3")).await);
    shown.show(&client.create_withdrawal(&request("sec-1")).await);
    server
        .set_status_with(common::sim::sim_id(&created.id).unwrap(), AlphaPoStatus::Confirmed, Some("ab"), None)
        .unwrap();
    shown.show(&client.wait_until_final(&created.id, Default::default()).await);

    // Callbacks: a good one, a forged one, one for another key.
    let body = server.wire_object(common::sim::sim_id(&created.id).unwrap()).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("X-Processing-Key", KEY.parse().unwrap());
    headers.insert("X-Processing-Signature", server.sign(&body).parse().unwrap());
    shown.show(&client.parse_webhook(&headers, &body));
    shown.show(&client.parse_webhook(&headers, b"{\"forged\":true}"));
    let mut other = headers.clone();
    other.insert("X-Processing-Key", "someone-else".parse().unwrap());
    shown.show(&client.parse_webhook(&other, &body));

    // Refused credentials, and configurations that go wrong with the keys in them.
    let wrong = common::sim::builder_for(&server).api_secret("wrong-secret").build().unwrap();
    shown.show(&wrong.create_withdrawal(&request("sec-4")).await);
    let wrong_key = common::sim::builder_for(&server).api_key("wrong-key").build().unwrap();
    shown.show(&wrong_key.get_withdrawal(&created.id).await);
    let configs: Vec<Result<AlphaPoClient, PayoutError>> = vec![
        AlphaPoConfig::builder().api_key(KEY).api_secret(SECRET).base_url(SECRET).build(),
        AlphaPoConfig::builder()
            .api_key(KEY)
            .api_secret(SECRET)
            .base_url(format!("https://{KEY}:{SECRET}@h/x"))
            .build(),
        AlphaPoConfig::builder().api_key(KEY).api_secret(SECRET).base_url("http://alphapo.example/api/v2").build(),
        AlphaPoConfig::builder().api_key(format!("{KEY}\nX")).api_secret(SECRET).build(),
        AlphaPoConfig::builder().api_key(KEY).build(),
        AlphaPoConfig::from_lookup(|name| (name == "ALPHAPO_API_KEY").then(|| KEY.to_owned()))
            .and_then(AlphaPoClient::new),
    ];
    for c in &configs {
        shown.show(c);
    }
    assert!(configs.iter().all(Result::is_err), "each of these configurations is refused");
    assert!(configs[2].as_ref().unwrap_err().to_string().contains("http://"), "plain http off loopback is refused");

    // A signature made with the secret (the create's) is no more shown than the secret; `assert_hidden` also
    // checks that the log really holds the HTTP layer's and the client's lines.
    let signature = payout_testkit::signing::alphapo_signature(
        SECRET.as_bytes(),
        &payout_alphapo::mapping::create_body(&request("sec-1")).unwrap(),
    );
    let callback_signature = server.sign(&body);
    assert_hidden(&capture, &shown, &[KEY, SECRET, signature.as_str(), callback_signature.as_str()]);
}

/// A redirect to another host never takes the signed request along: the default client follows
/// none, and an answer that came through one a caller's own client followed is refused.
#[tokio::test]
async fn redirects_never_carry_the_signing_headers_elsewhere() {
    let client = |origin: &str, http: Option<reqwest::Client>| {
        let builder = AlphaPoConfig::builder().api_key(KEY).api_secret(SECRET).base_url(format!("{origin}/api/v2"));
        match http {
            Some(http) => builder.client(http).build().unwrap(),
            None => builder.build().unwrap(),
        }
    };
    assert_redirects_never_followed(
        client,
        async |c| c.create_withdrawal(&request("r-1")).await,
        async |c| c.get_withdrawal(&WithdrawalId::new("1")).await,
    )
    .await;
}
