//! `payout --provider cryptomus` as a user runs it: the embedded sandbox with no variable set,
//! `list --all` paging by cursor against a served sandbox, lookups Cryptomus cannot make refused
//! before sending, the flags it refuses named, webhooks signed inside their body, `sandbox --json`
//! and `receive` at `/cryptomus`.

use crate::common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use payout_core::{Asset, EndUser, WithdrawalRequest};
use payout_sim::cryptomus::{DEFAULT_MERCHANT, DEFAULT_PAYOUT_KEY};
use payout_sim::{AlpPayConfig, AlphaPoConfig, SandboxServer};
use payout_testkit::contract::WITHDRAWAL_KEYS as CONTRACT_KEYS;
use serde_json::Value;

use common::{Sandbox, TRON};

/// `withdraw`'s flags for 5 USDT on Tron to end user 42 under `reference`, on Cryptomus.
fn usdt(reference: &str) -> Vec<&str> {
    vec![
        "--provider",
        "cryptomus",
        "withdraw",
        "--asset",
        "USDT",
        "--network",
        "tron",
        "--amount",
        "5",
        "--address",
        TRON,
        "--end-user",
        "42",
        "--reference",
        reference,
    ]
}

/// The error JSON on standard error (nothing on standard output), and the exit code.
fn refused(s: &Sandbox, args: &[&str]) -> (i32, Value) {
    let out = s.cmd().arg("--json").args(args).output().unwrap();
    assert!(out.stdout.is_empty(), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line =
        stderr.lines().find(|l| l.starts_with("{\"error\"")).unwrap_or_else(|| panic!("no JSON error: {stderr}"));
    (out.status.code().unwrap(), serde_json::from_str(line).unwrap())
}

#[test]
fn withdraw_get_find_and_watch_run_in_the_sandbox_with_no_variable_set() {
    let s = Sandbox::new();
    let out = s.cmd().arg("--json").args(usdt("cm-1")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("using the cryptomus sandbox") && stderr.contains("CRYPTOMUS_MERCHANT"), "{stderr}");
    let w: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in CONTRACT_KEYS {
        assert!(w.get(key).is_some(), "`{key}` missing from {w}");
    }
    assert_eq!((w["provider"].as_str(), w["reference"].as_str()), (Some("cryptomus"), Some("cm-1")));
    let amount: rust_decimal::Decimal = w["amount"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        (amount, w["asset"].as_str(), w["sandbox"].as_bool()),
        (rust_decimal_macros::dec!(5), Some("USDT"), Some(true))
    );
    assert_eq!(w["status"], "processing", "{w}");
    let id = w["id"].as_str().unwrap().to_owned();

    // Later commands, new processes: the sandbox and its journal remember.
    // Cryptomus's info by uuid answers no `order_id`; by `order_id`, the reference asked.
    let got = s.json(&["--provider", "cryptomus", "get", &id]);
    assert_eq!((got["id"].as_str(), got["address"].as_str()), (Some(id.as_str()), Some(TRON)));
    assert_eq!(s.json(&["--provider", "cryptomus", "find", "cm-1"])["id"], id.as_str());
    assert_eq!(s.json(&["--provider", "cryptomus", "find", "cm-none"]), Value::Null);
    assert_eq!(s.json(&usdt("cm-1"))["id"], id.as_str(), "the same reference is the same payout");
    let journal = s.json(&["--provider", "cryptomus", "journal"]);
    assert_eq!((journal[0]["reference"].as_str(), journal[0]["state"].as_str()), (Some("cm-1"), Some("created")));
    // Nothing is left unanswered: reconcile has nothing to resolve (exit 0).
    let out = s.ok(&["--json", "--provider", "cryptomus", "reconcile"]);
    assert!(out.stdout.is_empty(), "nothing to print: {}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains("none is left unresolved"));
    let providers = s.json(&["providers"]);
    let cm = providers.as_array().unwrap().iter().find(|p| p["id"] == "cryptomus").expect("compiled in");
    for capability in ["create", "get", "find", "list", "webhook", "idempotent_create"] {
        assert!(cm["capabilities"].as_array().unwrap().contains(&Value::from(capability)), "{cm}");
    }

    let out = s
        .cmd()
        .args(["--provider", "cryptomus", "--json", "watch", &id, "--interval", "0.2", "--timeout", "60"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let last: Value = serde_json::from_slice(out.stdout.lines().last().unwrap().unwrap().as_bytes()).unwrap();
    assert_eq!((last["status"].as_str(), last["provider_status"].as_str()), (Some("completed"), Some("paid")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_all_pages_by_cursor_and_a_long_reference_is_refused_before_sending() {
    let server =
        SandboxServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), AlphaPoConfig::sandbox(), AlpPayConfig::sandbox())
            .await
            .unwrap();
    let per_page = server.cryptomus.config().per_page;
    let count = 2 * per_page + 2;
    // Seeded over HTTP by the facade's own client of the served sandbox.
    let client = payout::choose(Some("cryptomus"))
        .unwrap()
        .with_credentials(&server.cryptomus_base_url(), DEFAULT_MERCHANT, DEFAULT_PAYOUT_KEY)
        .unwrap();
    for i in 0..count {
        let request = WithdrawalRequest::builder()
            .reference(format!("seed-{i:02}"))
            .asset(Asset::new("USDT").on("tron"))
            .amount_text("5")
            .address(TRON)
            .end_user(EndUser::new("42"))
            .build()
            .unwrap();
        client.create_withdrawal(&request).await.unwrap();
    }
    server.requests().clear();

    let s = Sandbox::new();
    let root = format!("http://{}", server.local_addr());
    let run = |args: &'static [&'static str]| {
        let mut cmd = s.std();
        cmd.env("PAYOUT_SANDBOX_URL", &root).args(args);
        async move { tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap() }
    };
    let out = run(&["--json", "--provider", "cryptomus", "list", "--all"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let refs: Vec<String> = all.iter().map(|w| w["reference"].as_str().unwrap().to_owned()).collect();
    let expected: Vec<String> = (0..count).map(|i| format!("seed-{i:02}")).collect();
    assert_eq!(refs, expected, "every payout once, in the history's order");
    assert!(all.iter().all(|w| w["sandbox"] == true && w["provider"] == "cryptomus"));
    // One history call per page, each after the first naming the cursor the one before gave.
    let lists: Vec<_> = server.requests().entries().into_iter().filter(|r| r.path.ends_with("/payout/list")).collect();
    assert_eq!(lists.len(), 3, "{lists:?}");
    assert!(lists.iter().all(|r| r.method == "POST"));
    assert!(!lists[0].query.as_deref().unwrap_or_default().contains("cursor="), "{lists:?}");
    assert!(lists[1..].iter().all(|r| r.query.as_deref().is_some_and(|q| q.contains("cursor="))), "{lists:?}");

    // One page without --all: Cryptomus's own page size.
    let out = run(&["--json", "--provider", "cryptomus", "list"]).await;
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap().len(), per_page);

    // `/payout/info` reads at most 32 characters: a longer reference is refused, naming the
    // argument, and nothing is sent.
    server.requests().clear();
    let out = run(&["--json", "--provider", "cryptomus", "find", "order-0123456789-0123456789-0123456789"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error: Value = serde_json::from_str(stderr.lines().find(|l| l.starts_with("{\"error\"")).unwrap()).unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert_eq!(error["error"]["kind"], "invalid_request");
    assert!(message.contains("REFERENCE") && message.contains("at most 32 characters"), "{message}");
    assert!(server.requests().entries().iter().all(|r| !r.path.ends_with("/payout/info")), "nothing was sent");
}

#[test]
fn what_cryptomus_cannot_take_is_refused_naming_the_flag() {
    let s = Sandbox::new();
    // Each case under a reference of its own: the journal keeps a refused payout, and another
    // payout under its reference would be a duplicate.
    let with = |reference: &'static str, extra: &[&'static str]| [usdt(reference), extra.to_vec()].concat();

    let (code, e) = refused(&s, &with("cm-convert", &["--convert-to", "BTC"]));
    assert_eq!((code, e["error"]["kind"].as_str()), (2, Some("unsupported")));
    assert!(e["error"]["message"].as_str().unwrap().contains("(--convert-to)"), "{e}");

    // Cryptomus takes 8 decimal places; more is refused, never rounded.
    let mut args = usdt("cm-precise");
    args[8] = "5.123456789";
    let (code, e) = refused(&s, &args);
    assert_eq!((code, e["error"]["kind"].as_str()), (2, Some("invalid_request")));
    assert!(e["error"]["message"].as_str().unwrap().contains("--amount"), "{e}");

    // USDT is paid out on several networks: which one must be said.
    let no_network: Vec<&str> = usdt("cm-network").into_iter().filter(|a| *a != "--network" && *a != "tron").collect();
    let (code, e) = refused(&s, &no_network);
    assert_eq!(code, 2, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("--asset") && e.to_string().contains("TRON"), "{e}");

    // An `order_id` is letters, digits, `_` and `-`.
    let (code, e) = refused(&s, &usdt("cm 1"));
    assert_eq!(code, 2, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("--reference"), "{e}");

    // Nothing reached the sandbox.
    assert_eq!(s.json(&["--provider", "cryptomus", "list", "--all"]), Value::Array(vec![]));

    // What only Cryptomus can choose: taken by it, refused by the others, naming the flag.
    let w = s.json(&with("cm-x", &["--fee-from", "amount", "--callback-url", "http://127.0.0.1:9/cryptomus"]));
    assert_eq!(w["reference"], "cm-x");
    let alppay = ["--provider", "alppay", "withdraw", "--reference", "ap-x", "--fee-from", "amount"];
    let (code, e) = refused(&s, &[&alppay[..], &common::usdt_args("Ada Lovelace", "ada@example.com")].concat());
    assert_eq!((code, e["error"]["kind"].as_str()), (2, Some("unsupported")));
    assert!(e["error"]["message"].as_str().unwrap().contains("--fee-from"), "{e}");
}

#[test]
fn webhooks_are_verified_from_the_body_alone() {
    let s = Sandbox::new();
    let verifier = payout::cryptomus::WebhookVerifier::new(&DEFAULT_PAYOUT_KEY.into());
    let payload = format!(
        r#"{{"type":"payout","uuid":"u-77","order_id":"order-77","amount":"5","currency":"USDT","network":"tron","address":"{TRON}","txid":"0xab","status":"paid","is_final":true}}"#
    );
    let body = verifier.signed(payload.as_bytes()).unwrap();
    let out =
        s.cmd().args(["--provider", "cryptomus", "--json", "webhook"]).write_stdin(body.clone()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let update: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((update["status"].as_str(), update["reference"].as_str()), (Some("completed"), Some("order-77")));

    let tampered = String::from_utf8(body.clone()).unwrap().replace(r#""amount":"5""#, r#""amount":"500""#);
    let out = s.cmd().args(["--provider", "cryptomus", "--json", "webhook"]).write_stdin(tampered).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());

    // A signature apart from the body is a usage error that says where it is.
    let out = s
        .cmd()
        .args(["--provider", "cryptomus", "--json", "webhook", "--signature", "abc"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("\"kind\":\"usage\"") && stderr.contains("inside the body"), "{stderr}");
    // And a provider whose signature travels in a header still needs it.
    let out = s.cmd().args(["--provider", "alppay", "webhook"]).write_stdin("{}").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--signature is required"));
}

/// A process whose standard output lines are read one at a time; killed when dropped.
struct Running {
    child: Child,
    out: BufReader<std::process::ChildStdout>,
}

impl Running {
    fn start(mut cmd: std::process::Command) -> Self {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        Self { child, out }
    }

    fn json(&mut self) -> Value {
        let mut line = String::new();
        self.out.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `payout sandbox --json` names Cryptomus's base URL and test credentials; a live client of them
/// pays out; `payout receive` serves `/cryptomus`, and a payout that names it as its callback URL
/// reaches its final status in the journal through the sandbox's webhooks alone.
#[test]
fn the_served_sandbox_and_receive_carry_cryptomus_end_to_end() {
    let s = Sandbox::new();
    let mut cmd = s.std();
    cmd.args(["--json", "sandbox", "--addr", "127.0.0.1:0"]);
    let mut sandbox = Running::start(cmd);
    let info = sandbox.json();
    let cm = &info["cryptomus"];
    let base = cm["base_url"].as_str().unwrap();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/cryptomus/v1") && !base.contains(":0/"),
        "{base}"
    );
    assert_eq!(
        (cm["merchant"].as_str(), cm["payout_key"].as_str()),
        (Some(DEFAULT_MERCHANT), Some(DEFAULT_PAYOUT_KEY))
    );
    let root = base.trim_end_matches("/cryptomus/v1").to_owned();

    // Live, with the printed credentials: no sandbox notice.
    let live = s
        .cmd()
        .env("CRYPTOMUS_BASE_URL", base)
        .env("CRYPTOMUS_MERCHANT", DEFAULT_MERCHANT)
        .env("CRYPTOMUS_PAYOUT_KEY", DEFAULT_PAYOUT_KEY)
        .arg("--json")
        .args(usdt("served-1"))
        .output()
        .unwrap();
    assert!(live.status.success(), "{}", String::from_utf8_lossy(&live.stderr));
    assert!(!String::from_utf8_lossy(&live.stderr).contains("using the"), "live, not the embedded sandbox");
    assert!(serde_json::from_slice::<Value>(&live.stdout).unwrap().get("sandbox").is_none());

    // The receiver, over the sandbox's journal.
    let mut cmd = s.std();
    cmd.env("PAYOUT_SANDBOX_URL", &root).args(["--json", "receive", "--addr", "127.0.0.1:0"]);
    let mut receiver = Running::start(cmd);
    let endpoint = receiver.json()["cryptomus"].as_str().unwrap().to_owned();
    assert!(endpoint.ends_with("/cryptomus"), "{endpoint}");

    let out = s
        .cmd()
        .env("PAYOUT_SANDBOX_URL", &root)
        .arg("--json")
        .args(usdt("hooked-1"))
        .args(["--callback-url", &endpoint])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let journal = s
            .cmd()
            .env("PAYOUT_SANDBOX_URL", &root)
            .args(["--json", "--provider", "cryptomus", "journal"])
            .output()
            .unwrap();
        let entries: Vec<Value> = serde_json::from_slice(&journal.stdout).unwrap();
        if entries.iter().any(|e| e["reference"] == "hooked-1" && e["withdrawal"]["status"] == "completed") {
            break;
        }
        assert!(Instant::now() < deadline, "not final through webhooks: {entries:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The receiver printed each update it applied, the final one among them.
    loop {
        let w = receiver.json();
        assert_eq!((w["provider"].as_str(), w["reference"].as_str()), (Some("cryptomus"), Some("hooked-1")), "{w}");
        if w["status"] == "completed" {
            break;
        }
    }
}
