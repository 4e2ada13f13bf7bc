//! The facade's constructor with each provider compiled in alone and with the others: built from
//! settings (a map, then the real process environment of a child process), used against a
//! loopback server, and refused with the command's configuration errors.

use std::collections::HashMap;

use payout::{ErrorKind, PayoutError, Setup, WithdrawalId};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn settings(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    move |name| map.get(name).cloned()
}

fn config_error(result: Result<impl Sized, PayoutError>) -> String {
    match result {
        Ok(_) => panic!("expected a configuration error"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Configuration, "{e}");
            e.to_string()
        }
    }
}

/// A provider's full setup against `base_url`, and the method, path and body its server answers
/// a read of withdrawal 7 with.
fn live(id: &str, base_url: &str) -> (Vec<(String, String)>, Read) {
    let entry = payout::choose(Some(id)).unwrap();
    let mut vars: Vec<(String, String)> =
        entry.credentials.iter().map(|v| ((*v).to_owned(), format!("{v}-value"))).collect();
    vars.push((entry.base_url_var.to_owned(), base_url.to_owned()));
    vars.push((payout::PROVIDER_VAR.to_owned(), id.to_owned()));
    let read = match id {
        "alphapo" => ("GET", "/transactions/info", r#"{"id": 7, "status": "confirmed"}"#),
        "alppay" => {
            ("GET", "/withdrawal/7", r#"{"id": "7", "status": "COMPLETE", "amount": "10", "receivedAmount": "10"}"#)
        }
        // Every Cryptomus call is a POST, its answer in the `{state, result}` envelope.
        "cryptomus" => (
            "POST",
            "/payout/info",
            r#"{"state": 0, "result": {"uuid": "7", "amount": "10", "currency": "USDT", "network": "TRON",
                "address": "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", "txid": null, "status": "paid", "is_final": true}}"#,
        ),
        other => panic!("no fixture for {other}"),
    };
    (vars, read)
}

/// How a provider's server answers a read of withdrawal 7: method, path, body.
type Read = (&'static str, &'static str, &'static str);

#[tokio::test]
async fn every_provider_compiled_in_is_built_from_its_settings_and_answers() {
    for entry in payout::COMPILED_IN {
        let server = MockServer::start().await;
        let (vars, (verb, at, body)) = live(entry.id, &format!("{}/api", server.uri()));
        Mock::given(method(verb))
            .and(path(format!("/api{at}")))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let provider = payout::from_lookup(settings(&pairs)).unwrap();
        assert_eq!(provider.id().as_str(), entry.id);
        let w = provider.get_withdrawal(&WithdrawalId::new("7")).await.unwrap();
        assert_eq!((w.id.as_str(), w.status), ("7", payout::WithdrawalStatus::Completed));
    }
}

#[test]
fn unset_and_half_configured_providers_are_configuration_errors() {
    for entry in payout::COMPILED_IN {
        let named = settings(&[(payout::PROVIDER_VAR, entry.id)]);
        let all = entry.variables().join(", ");
        assert_eq!(entry.setup_with(&named).unwrap(), Setup::Unset(format!("none of {all} is set")));
        let e = config_error(payout::from_lookup(named));
        assert!(e.contains(&format!("{} is not configured: none of {all} is set", entry.id)), "{e}");

        let first = entry.credentials[0];
        let half = settings(&[(payout::PROVIDER_VAR, entry.id), (first, "set")]);
        let e = config_error(payout::from_lookup(half));
        assert!(e.contains(&format!("{first} is set but")), "{e}");
        assert!(e.contains(&format!("set all of {} to use {} live", entry.credentials.join(", "), entry.id)), "{e}");
    }
}

#[test]
fn names_are_checked() {
    let e = config_error(payout::from_lookup(settings(&[(payout::PROVIDER_VAR, "paypal")])));
    assert!(e.contains("unknown provider `paypal`; compiled in:"), "{e}");
    for known in payout::KNOWN {
        let compiled = payout::COMPILED_IN.iter().any(|e| e.id == *known);
        match payout::choose(Some(&known.to_uppercase())) {
            Ok(entry) => assert!(compiled && entry.id == *known),
            Err(e) => {
                assert!(!compiled);
                assert!(e.to_string().contains("is not compiled into this build"), "{e}");
            }
        }
    }
    // Without a name: the only provider compiled in, or a request to name one.
    let unnamed = payout::from_lookup(settings(&[]));
    match payout::COMPILED_IN {
        [] => assert!(config_error(unnamed).contains("no provider is compiled in")),
        [only] => assert!(config_error(unnamed).contains(&format!("{} is not configured", only.id))),
        _ => assert!(config_error(unnamed).contains("several providers are compiled in")),
    }
}

#[test]
fn each_entry_says_where_its_webhooks_carry_their_signature() {
    for entry in payout::COMPILED_IN {
        let expected = match entry.id {
            "alphapo" => payout::WebhookSignature::Header("X-Processing-Signature"),
            "alppay" => payout::WebhookSignature::Header("X-HMAC"),
            "cryptomus" => payout::WebhookSignature::InBody("sign"),
            other => panic!("no expectation for {other}"),
        };
        assert_eq!(entry.webhook_signature, expected, "{}", entry.id);
    }
}

/// Cryptomus signs its webhooks inside the body: the facade's client verifies one with no header
/// at all, and refuses the same body changed.
#[cfg(feature = "cryptomus")]
#[test]
fn a_cryptomus_webhook_is_verified_from_its_body_alone() {
    let entry = payout::choose(Some("cryptomus")).unwrap();
    assert_eq!(entry.webhook_signature.header(), None);
    let provider = entry.with_credentials("http://127.0.0.1:9/v1", "merchant-uuid", "payout-key-1").unwrap();
    let verifier = payout::cryptomus::WebhookVerifier::new(&"payout-key-1".into());
    let payload = br#"{"type":"payout","uuid":"u-1","order_id":"o-1","amount":"5","currency":"USDT","network":"tron","status":"paid","is_final":true,"txid":"0xab"}"#;
    let body = verifier.signed(payload).unwrap();
    let update = provider.parse_webhook(&http::HeaderMap::new(), &body).unwrap();
    let w = &update.withdrawal;
    assert_eq!(
        (w.id.as_str(), w.status, w.reference.as_ref().map(|r| r.as_str())),
        ("u-1", payout::WithdrawalStatus::Completed, Some("o-1"))
    );

    let forged = String::from_utf8(body).unwrap().replace(r#""amount":"5""#, r#""amount":"50""#);
    let e = provider.parse_webhook(&http::HeaderMap::new(), forged.as_bytes()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Webhook, "{e}");
}

/// Set by [`from_env_reads_the_process_environment`] for the child process it starts.
const CHILD: &str = "PAYOUT_FACADE_TEST_EXPECT";

#[test]
fn from_env_reads_the_process_environment() {
    for entry in payout::COMPILED_IN {
        let (vars, _) = live(entry.id, "http://127.0.0.1:9/api");
        let run = |vars: &[(String, String)], expect: &str| {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "child_builds_from_env", "--ignored", "--nocapture", "--test-threads=1"])
                .env_clear()
                .envs(vars.iter().map(|(k, v)| (k, v)))
                .env(CHILD, expect)
                .output()
                .unwrap();
            let shown = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(out.status.success() && shown.contains("1 passed"), "{shown}");
        };
        run(&vars, entry.id);
        // The same name with none of its variables set.
        run(&vars[vars.len() - 1..], &format!("error:{} is not configured", entry.id));
    }
}

/// Run in a child process by [`from_env_reads_the_process_environment`], with the environment
/// it sets; `PAYOUT_FACADE_TEST_EXPECT` is the provider id expected, or `error:` and a part of
/// the error.
#[test]
#[ignore = "run in a child process by from_env_reads_the_process_environment"]
fn child_builds_from_env() {
    let expect = std::env::var(CHILD).expect("started by from_env_reads_the_process_environment");
    match (payout::from_env(), expect.strip_prefix("error:")) {
        (Ok(provider), None) => assert_eq!(provider.id().as_str(), expect),
        (Err(e), Some(part)) => assert!(e.to_string().contains(part), "{e}"),
        (Ok(p), Some(_)) => panic!("expected an error, built {}", p.id()),
        (Err(e), None) => panic!("expected {expect}: {e}"),
    }
}
