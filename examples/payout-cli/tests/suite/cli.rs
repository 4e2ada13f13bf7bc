//! The `payout` command as a user runs it: every command, each exit code, the JSON shapes, the
//! sandbox notice and its state across invocations, and live mode against servers on loopback.

use crate::common;

use std::io::BufRead;
use std::process::{Child, Stdio};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use common::{ADDRESS, Sandbox};
use payout_testkit::contract::WITHDRAWAL_KEYS as CONTRACT_KEYS;

impl Sandbox {
    fn withdraw_btc(&self, reference: &str, amount: &str) -> Value {
        self.json(&[
            "withdraw",
            "--asset",
            "BTC",
            "--amount",
            amount,
            "--address",
            ADDRESS,
            "--reference",
            reference,
            "--end-user",
            "user-1",
        ])
    }
}

/// Runs `cmd` as a `--json withdraw` of BTC to [`ADDRESS`], its amount given by the flags in
/// `amount` (`["--amount", "1"]`, `["--amount=1"]`); its output, whatever the exit.
fn withdraw_btc_with(mut cmd: Command, amount: &[&str], reference: &str, end_user: &str) -> std::process::Output {
    cmd.args(["--json", "withdraw", "--asset", "BTC"])
        .args(amount)
        .args(["--address", ADDRESS, "--reference", reference, "--end-user", end_user])
        .output()
        .unwrap()
}

/// The error JSON on standard error, with nothing on standard output.
fn error_of(out: &std::process::Output) -> Value {
    assert!(out.stdout.is_empty(), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line =
        stderr.lines().find(|l| l.starts_with("{\"error\"")).unwrap_or_else(|| panic!("no JSON error in {stderr}"));
    serde_json::from_str(line).unwrap()
}

#[test]
fn the_readme_quick_start_runs_in_the_sandbox() {
    let s = Sandbox::new();
    s.cmd()
        .args(["withdraw", "--asset", "BTC", "--amount", "0.0002", "--address", ADDRESS])
        .args(["--reference", "order-1", "--end-user", "user-1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("sandbox"))
        .stdout(predicate::str::contains("order-1").and(predicate::str::contains("0.00020000")));
}

#[test]
fn withdraw_prints_the_contract_json_and_the_state_persists() {
    let s = Sandbox::new();
    let w = s.withdraw_btc("order-7", "0.0002");
    for key in CONTRACT_KEYS {
        assert!(w.get(key).is_some(), "{key} in {w}");
    }
    assert_eq!(w["provider"], "alphapo");
    assert_eq!(w["reference"], "order-7");
    assert_eq!(w["amount"], "0.00020000", "a string with the provider's scale");
    assert_eq!(w["asset"], "BTC");
    assert_eq!(w["end_user"], "user-1");
    assert_eq!(w["status"], "processing");

    // A later command, a new process: the sandbox remembers.
    let id = w["id"].as_str().unwrap();
    let found = s.json(&["find", "order-7"]);
    assert_eq!(found["id"], id);
    let got = s.json(&["get", id]);
    assert_eq!(got["reference"], "order-7");
}

#[test]
fn find_prints_null_when_nothing_matches() {
    let s = Sandbox::new();
    s.cmd().args(["--json", "find", "nobody"]).assert().success().stdout("null\n");
}

#[test]
fn get_of_an_unknown_id_exits_3() {
    let s = Sandbox::new();
    let out = s.cmd().args(["--json", "get", "424242"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(error_of(&out)["error"]["kind"], "not_found");
}

#[test]
fn invalid_requests_exit_2_and_name_the_field() {
    let s = Sandbox::new();
    for (amount, field) in [("0", "amount"), ("0.000000001", "amount"), ("abc", "amount")] {
        let out = withdraw_btc_with(s.cmd(), &["--amount", amount], "r", "u");
        assert_eq!(out.status.code(), Some(2), "amount {amount}");
        let err = error_of(&out);
        assert_eq!(err["error"]["kind"], "invalid_request");
        assert!(err["error"]["message"].as_str().unwrap().contains(field));
    }
    // A usage error from the parser is 2 as well.
    s.cmd().args(["withdraw", "--asset", "BTC"]).assert().code(2);
}

/// Typed-in amounts are plain decimals: an exponent, a sign, `NaN`, `inf`, hex or a separator
/// exits 2 naming the flag, and nothing reaches the sandbox.
#[test]
fn typed_amounts_with_an_exponent_sign_or_separator_are_refused_and_nothing_is_sent() {
    let s = Sandbox::new();
    let typos = ["1E2", "2e-4", "NaN", "inf", "0x10", "1_000", "1,5", "-1", "+1", "1e0"];
    for typo in typos {
        let out = withdraw_btc_with(s.cmd(), &["--amount", typo], "typo", "u");
        assert_eq!(out.status.code(), Some(2), "--amount {typo}: {}", String::from_utf8_lossy(&out.stderr));
        let err = error_of(&out);
        assert_eq!(err["error"]["kind"], "invalid_request", "--amount {typo}");
        assert!(err["error"]["message"].as_str().unwrap().contains("--amount"), "--amount {typo}: {err}");
        // `--amount=-1` and `--amount -1` read alike.
        let joined = format!("--amount={typo}");
        let out = withdraw_btc_with(s.cmd(), &[&joined], "typo", "u");
        assert_eq!(out.status.code(), Some(2), "{joined}");
        assert_eq!(error_of(&out)["error"]["kind"], "invalid_request", "{joined}");
    }
    let out = s
        .cmd()
        .args(["--json", "withdraw", "--asset", "EUR", "--convert-to", "BTC", "--amount-to", "1E-3"])
        .args(["--address", ADDRESS, "--reference", "typo", "--end-user", "u"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(error_of(&out)["error"]["message"].as_str().unwrap().contains("--amount-to"));
    s.cmd().args(["--json", "find", "typo"]).assert().success().stdout("null\n");
}

/// `--convert-to` takes either side of the conversion exactly: `--amount` (debited) or
/// `--amount-to` (delivered).
#[test]
fn convert_to_combines_with_amount_or_amount_to() {
    let s = Sandbox::new();
    let debit = s.json(&[
        "withdraw",
        "--asset",
        "EUR",
        "--convert-to",
        "BTC",
        "--amount",
        "25",
        "--address",
        ADDRESS,
        "--reference",
        "conv-debit",
        "--end-user",
        "u1",
    ]);
    assert_eq!(debit["asset"], "BTC");
    assert_eq!(debit["sender_currency"], "EUR");
    assert_eq!(
        payout_core::Decimal::from_str_exact(debit["sender_amount"].as_str().unwrap()).unwrap(),
        payout_core::Decimal::from(25)
    );
    let delivered = s.json(&[
        "withdraw",
        "--asset",
        "EUR",
        "--convert-to",
        "BTC",
        "--amount-to",
        "0.001",
        "--address",
        ADDRESS,
        "--reference",
        "conv-to",
        "--end-user",
        "u1",
    ]);
    assert_eq!(delivered["asset"], "BTC");
    assert_eq!(
        payout_core::Decimal::from_str_exact(delivered["amount"].as_str().unwrap()).unwrap(),
        payout_core::Decimal::new(1, 3)
    );
    assert_eq!(delivered["sender_currency"], "EUR");
    // AlpPay cannot convert: refused before sending.
    let out = s
        .cmd()
        .args(["--json", "--provider", "alppay", "withdraw", "--asset", "USDT", "--network", "tron"])
        .args(["--convert-to", "BTC", "--amount", "10", "--address", "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n"])
        .args([
            "--reference",
            "conv-alppay",
            "--end-user",
            "42",
            "--end-user-name",
            "Ada",
            "--end-user-email",
            "a@b.io",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_of(&out)["error"]["kind"], "unsupported");
}

#[test]
fn a_reused_reference_is_the_same_payout_or_a_refusal() {
    let s = Sandbox::new();
    let first = s.withdraw_btc("order-9", "0.0002");
    let again = s.withdraw_btc("order-9", "0.0002");
    assert_eq!(first["id"], again["id"], "the same payout is not sent twice");
    let out = withdraw_btc_with(s.cmd(), &["--amount", "0.0003"], "order-9", "user-1");
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(error_of(&out)["error"]["kind"], "duplicate_reference");
    // The message names the command that looks the reference up, not a library function.
    let message = error_of(&out)["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("payout find order-9") && !message.contains("find_withdrawal"), "{message}");
}

/// Field errors name the command's flags (`--end-user-name`), not the library's fields.
#[test]
fn field_errors_name_the_flags() {
    let s = Sandbox::new();
    let out = s
        .cmd()
        .args(["--json", "--provider", "alppay", "withdraw", "--asset", "USDT", "--network", "tron"])
        .args(["--amount", "10", "--address", "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n", "--reference", "flags-1"])
        .args(["--end-user", "42"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let message = error_of(&out)["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("--end-user-name") && message.contains("--end-user-email"), "{message}");
    assert!(!message.contains("end_user.name"), "{message}");
}

#[test]
fn a_half_configured_provider_is_a_configuration_error_not_a_sandbox() {
    let s = Sandbox::new();
    for (var, value) in [("ALPHAPO_API_KEY", "k"), ("ALPHAPO_BASE_URL", "https://app.alphapo.net/api/v2")] {
        let out = s.cmd().env(var, value).args(["--json", "get", "1"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}");
        let err = error_of(&out);
        assert_eq!(err["error"]["kind"], "configuration");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("using the"), "no sandbox notice");
    }
}

#[test]
fn unknown_providers_and_unsupported_operations_exit_2() {
    let s = Sandbox::new();
    let out = s.cmd().args(["--provider", "nope", "get", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("alphapo, alppay"));
    let out = s.cmd().env("PAYOUT_PROVIDER", "alphapo").args(["--json", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_of(&out)["error"]["kind"], "unsupported");
}

#[test]
fn alppay_lists_pages_filters_and_streams_everything() {
    let s = Sandbox::new();
    for i in 0..5 {
        s.withdraw_usdt(&format!("inv-{i}"));
    }
    let page = s.json(&["--provider", "alppay", "list", "--limit", "2"]);
    assert_eq!(page.as_array().unwrap().len(), 2);
    let all = s.json(&["--provider", "alppay", "list", "--limit", "2", "--all"]);
    let mut refs: Vec<_> =
        all.as_array().unwrap().iter().map(|w| w["reference"].as_str().unwrap().to_owned()).collect();
    refs.sort();
    assert_eq!(refs, ["inv-0", "inv-1", "inv-2", "inv-3", "inv-4"]);
    // The sandbox moves withdrawals on a clock, so the filters name every status it can reach
    // (AND across filters, OR within one), and a status it never reaches matches nothing.
    let two = s.json(&[
        "--provider",
        "alppay",
        "list",
        "--reference",
        "inv-3,inv-4",
        "--status",
        "pending,approved,completed",
    ]);
    assert_eq!(two.as_array().unwrap().len(), 2);
    let cancelled = s.json(&["--provider", "alppay", "list", "--reference", "inv-3,inv-4", "--status", "cancelled"]);
    assert_eq!(cancelled, Value::Array(vec![]));
    let table = s.cmd().args(["--provider", "alppay", "list"]).output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("ID") && text.contains("inv-2") && text.contains("USDT on tron"), "{text}");
    // An empty --all listing is an empty array.
    let none = s.json(&["--provider", "alppay", "list", "--reference", "nothing", "--all"]);
    assert_eq!(none, Value::Array(vec![]));
}

#[test]
fn watch_follows_a_withdrawal_to_its_final_status() {
    let s = Sandbox::new();
    let w = s.withdraw_btc("order-w", "0.0002");
    let out = s
        .cmd()
        .args(["--json", "watch", w["id"].as_str().unwrap(), "--interval", "0.2", "--timeout", "60"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(&l.unwrap()).unwrap()).collect();
    assert_eq!(lines.last().unwrap()["status"], "completed");
    assert!(lines.last().unwrap()["tx_hash"].is_string());
}

#[test]
fn watch_exits_1_at_the_timeout() {
    let s = Sandbox::new();
    let w = s.withdraw_usdt("inv-slow");
    let out = s
        .cmd()
        .args([
            "--provider",
            "alppay",
            "--json",
            "watch",
            w["id"].as_str().unwrap(),
            "--interval",
            "0.1",
            "--timeout",
            "0.3",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("\"kind\":\"timeout\""), "{stderr}");
}

#[test]
fn webhooks_are_verified_against_the_configured_secret() {
    use payout_sim::alphapo::{DEFAULT_API_KEY, DEFAULT_API_SECRET};

    let s = Sandbox::new();
    let mut w = common::completed_alphapo("77", "order-77");
    w.amount = Some(rust_decimal_macros::dec!(0.01));
    w.asset = Some(payout_core::Asset::new("BTC"));
    w.address = Some(ADDRESS.into());
    let hook = payout_testkit::webhooks::alphapo_callback(&w, DEFAULT_API_KEY, DEFAULT_API_SECRET.as_bytes());
    let sig = hook.headers.get("x-processing-signature").unwrap().to_str().unwrap().to_owned();

    let out = s.cmd().args(["--json", "webhook", "--signature", &sig]).write_stdin(hook.body.clone()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let update: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(update["status"], "completed");
    assert_eq!(update["reference"], "order-77");

    let file = s.dir.path().join("hook.json");
    let mut tampered = hook.body.clone();
    tampered[1] ^= 1;
    std::fs::write(&file, tampered).unwrap();
    let out = s.cmd().args(["--json", "webhook", "--signature", &sig, file.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(error_of(&out)["error"]["kind"], "webhook");
}

#[test]
fn providers_lists_what_is_compiled_in() {
    let s = Sandbox::new();
    let list = s.json(&["providers"]);
    let ids: Vec<_> = list.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    let compiled: Vec<_> = payout::COMPILED_IN.iter().map(|e| e.id).collect();
    assert_eq!(ids, compiled);
    assert_eq!(&ids[..2], ["alphapo", "alppay"]);
    let alppay = &list[1]["capabilities"];
    assert!(alppay.as_array().unwrap().contains(&Value::from("list")));
    assert!(!list[0]["capabilities"].as_array().unwrap().contains(&Value::from("list")));
}

/// Kills the served sandbox when the test ends, however it ends.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn sandbox_serves_both_simulators_for_live_clients() {
    let s = Sandbox::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("payout"))
        .args(["--json", "sandbox", "--addr", "127.0.0.1:0"])
        .env("PAYOUT_SANDBOX_DIR", s.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let first = common::first_line(&mut child);
    let _served = Served(child);
    let info: Value = serde_json::from_str(&first).unwrap();
    let alphapo = &info["alphapo"];
    let base = alphapo["base_url"].as_str().unwrap();
    assert!(base.starts_with("http://127.0.0.1:") && !base.contains(":0/"), "the real port: {base}");
    assert!(info["alppay"]["hmac_key"].is_string() && alphapo["api_secret"].is_string());

    // A live client of the served sandbox: no sandbox notice, real HTTP.
    let live = |c: &mut Command| {
        c.env("ALPHAPO_BASE_URL", base)
            .env("ALPHAPO_API_KEY", alphapo["api_key"].as_str().unwrap())
            .env("ALPHAPO_API_SECRET", alphapo["api_secret"].as_str().unwrap());
    };
    let mut create = s.cmd();
    live(&mut create);
    let out = withdraw_btc_with(create, &["--amount", "0.001"], "served-1", "u1");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("using the"), "live, not the embedded sandbox");
    let mut find = s.cmd();
    live(&mut find);
    let found: Value =
        serde_json::from_slice(&find.args(["--json", "find", "served-1"]).output().unwrap().stdout).unwrap();
    assert_eq!(found["reference"], "served-1");
}

#[test]
fn sandbox_reset_empties_the_state() {
    let s = Sandbox::new();
    s.withdraw_btc("order-r", "0.0002");
    s.cmd().args(["sandbox", "--reset"]).assert().success();
    s.cmd().args(["--json", "find", "order-r"]).assert().success().stdout("null\n");
}

/// Live mode against a provider that keeps failing: the exit codes of the unknown and the
/// unavailable.
mod live_failures {
    use super::*;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn live(s: &Sandbox, server: &MockServer) -> Command {
        let mut c = s.cmd();
        c.env("ALPHAPO_BASE_URL", server.uri()).env("ALPHAPO_API_KEY", "k").env("ALPHAPO_API_SECRET", "s");
        c
    }

    /// A provider on loopback answering every create with the status `create` (if given) and
    /// every read with `read`.
    async fn failing(create: Option<u16>, read: ResponseTemplate) -> MockServer {
        let server = MockServer::start().await;
        if let Some(status) = create {
            Mock::given(method("POST")).respond_with(ResponseTemplate::new(status)).mount(&server).await;
        }
        Mock::given(method("GET")).respond_with(read).mount(&server).await;
        server
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_create_whose_outcome_stays_unknown_exits_4_naming_the_reference() {
        let server = failing(Some(502), ResponseTemplate::new(503)).await;
        let s = Sandbox::new();
        let out = withdraw_btc_with(live(&s, &server), &["--amount", "0.001"], "order-u", "u1");
        assert_eq!(out.status.code(), Some(4));
        let err = error_of(&out);
        assert_eq!(err["error"]["kind"], "outcome_unknown");
        assert!(err["error"]["message"].as_str().unwrap().contains("payout find order-u"));
        let creates = server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "POST").count();
        assert_eq!(creates, 1, "never sent twice");
    }

    /// Against a live-configured provider too, a mistyped amount sends nothing.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_mistyped_amount_sends_nothing_to_a_live_provider() {
        let server = failing(Some(500), ResponseTemplate::new(500)).await;
        let s = Sandbox::new();
        for typo in ["1E2", "2e-4", "NaN", "inf", "0x10", "1_000"] {
            let out = withdraw_btc_with(live(&s, &server), &["--amount", typo], "order-typo", "u1");
            assert_eq!(out.status.code(), Some(2), "--amount {typo}");
            assert_eq!(error_of(&out)["error"]["kind"], "invalid_request");
        }
        assert!(server.received_requests().await.unwrap().is_empty(), "nothing reached the provider");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_unavailable_provider_exits_5() {
        let server = failing(None, ResponseTemplate::new(503)).await;
        let s = Sandbox::new();
        let out = live(&s, &server).args(["--json", "get", "1"]).output().unwrap();
        assert_eq!(out.status.code(), Some(5));
        assert_eq!(error_of(&out)["error"]["kind"], "unavailable");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn refused_credentials_exit_3() {
        let refused =
            ResponseTemplate::new(403).set_body_string(r#"{"error":"Bad key header","code":"bad_header_key"}"#);
        let server = failing(None, refused).await;
        let s = Sandbox::new();
        let out = live(&s, &server).args(["--json", "get", "1"]).output().unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(error_of(&out)["error"]["kind"], "authentication");
    }
}
