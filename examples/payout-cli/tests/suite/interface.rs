//! The command's interface for scripts and for people: JSON usage errors, the `sandbox` key and
//! ids, `--jsonl`, a closed standard output, logs without secrets at the most verbose level,
//! progress on standard error only, RFC 3339 times in `watch`, tables whose columns hold across
//! pages, the help, shell completions and the man page. Real processes against the embedded
//! sandbox or simulators on loopback; progress is checked by forcing the terminal mode.

use crate::common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Output, Stdio};

use assert_cmd::Command;
use payout_sim::{AlpPayConfig, AlpPayServer, AlphaPoConfig, AlphaPoServer, Fault};
use serde_json::Value;

use common::{ADDRESS, Sandbox, TRON};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn btc_args(reference: &str) -> Vec<String> {
    ["withdraw", "--asset", "BTC", "--amount", "0.0002", "--address", ADDRESS, "--reference", reference]
        .into_iter()
        .chain(["--end-user", "user-1"])
        .map(str::to_owned)
        .collect()
}

/// The one JSON error line on standard error, nothing on standard output.
fn json_error(out: &Output) -> Value {
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "only the JSON error: {stderr}");
    serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

#[test]
fn usage_errors_are_json_under_json_wherever_the_flag_is() {
    let s = Sandbox::new();
    let without_amount = ["withdraw", "--asset", "BTC", "--address", ADDRESS, "--reference", "r", "--end-user", "u"];
    for args in [[&["--json"][..], &without_amount[..]].concat(), [&without_amount[..], &["--json"][..]].concat()] {
        let out = s.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = json_error(&out);
        assert_eq!(err["error"]["kind"], "usage");
        let message = err["error"]["message"].as_str().unwrap();
        assert!(message.contains("--amount"), "{message}");
        assert!(!message.contains("Usage:") && !message.starts_with("error:"), "the message alone: {message}");
    }
    // An unknown flag, a bad value, a missing subcommand, with --jsonl too.
    for args in [
        &["--json", "list", "--colour"][..],
        &["--json", "list", "--status", "pendng"][..],
        &["--json"][..],
        &["list", "--jsonl", "--limit", "many"][..],
    ] {
        let out = s.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(json_error(&out)["error"]["kind"], "usage", "{args:?}");
    }
    // Without --json, clap's text, as before.
    let out = s.cmd().args(without_amount).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: the following required arguments"), "{}", text(&out.stderr));
    // Help and version still print as usual, exit 0.
    let help = s.ok(&["--json", "withdraw", "--help"]);
    assert!(text(&help.stdout).contains("Usage: payout withdraw"));
    let version = s.ok(&["--json", "--version"]);
    assert_eq!(text(&version.stdout), format!("payout {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn sandbox_withdrawals_say_so_and_their_ids_are_not_the_documented_examples() {
    let s = Sandbox::new();
    let w = s.json(&btc_args("order-1").iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(w["sandbox"], true, "{w}");
    let id: i64 = w["id"].as_str().unwrap().parse().unwrap();
    assert_ne!(id, 134_702_815, "the README's example id");
    assert!(id >= 900_000_001, "the sandbox's range: {id}");
    assert_eq!(s.json(&["get", &id.to_string()])["sandbox"], true);
    assert_eq!(s.json(&["find", "order-1"])["sandbox"], true);
    let usdt = s.withdraw_usdt("inv-1");
    assert_eq!(usdt["sandbox"], true);
    for w in s.json(&["--provider", "alppay", "list", "--all"]).as_array().unwrap() {
        assert_eq!(w["sandbox"], true);
    }
    let journal = s.json(&["journal"]);
    assert_eq!(journal[0]["withdrawal"]["sandbox"], true, "{journal}");
}

#[tokio::test(flavor = "multi_thread")]
async fn live_withdrawals_carry_no_sandbox_key() {
    let server = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let s = Sandbox::new();
    let out = s
        .cmd()
        .env("ALPHAPO_API_KEY", server.api_key())
        .env("ALPHAPO_API_SECRET", server.api_secret())
        .env("ALPHAPO_BASE_URL", server.base_url())
        .arg("--json")
        .args(btc_args("live-1"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let w: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(w["reference"], "live-1");
    assert!(w.get("sandbox").is_none(), "{w}");
}

fn lines(out: &Output) -> Vec<Value> {
    text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn jsonl_prints_one_object_per_line_and_list_json_keeps_its_array() {
    let s = Sandbox::new();
    for i in 0..3 {
        s.withdraw_usdt(&format!("inv-{i}"));
    }
    let page = lines(&s.ok(&["--provider", "alppay", "list", "--jsonl"]));
    assert_eq!(page.len(), 3);
    assert!(page.iter().all(|w| w.is_object() && w["provider"] == "alppay"));
    let all = lines(&s.ok(&["--provider", "alppay", "list", "--all", "--limit", "2", "--jsonl"]));
    let mut refs: Vec<_> = all.iter().map(|w| w["reference"].as_str().unwrap().to_owned()).collect();
    refs.sort();
    assert_eq!(refs, ["inv-0", "inv-1", "inv-2"]);
    assert!(lines(&s.ok(&["--provider", "alppay", "list", "--reference", "none", "--jsonl"])).is_empty());
    assert_eq!(s.json(&["--provider", "alppay", "list"]).as_array().unwrap().len(), 3, "still an array");

    let journal = lines(&s.ok(&["journal", "--jsonl"]));
    assert_eq!(journal.len(), 3);
    assert!(journal.iter().all(|e| e["state"] == "created" && e["withdrawal"].is_object()));

    let id = page[0]["id"].as_str().unwrap();
    let watched =
        lines(&s.ok(&["--provider", "alppay", "watch", id, "--interval", "0.2", "--timeout", "60", "--jsonl"]));
    assert_eq!(watched.last().unwrap()["status"], "completed");
}

#[tokio::test(flavor = "multi_thread")]
async fn reconcile_jsonl_prints_each_payout_it_resolves() {
    let server = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let s = Sandbox::new();
    let live = |args: &[&str]| {
        let mut c = s.std();
        c.env("ALPPAY_API_KEY", server.api_key())
            .env("ALPPAY_HMAC_KEY", server.hmac_key())
            .env("ALPPAY_BASE_URL", server.base_url())
            .env("PAYOUT_LEASE", "1")
            .args(["--provider", "alppay"])
            .args(args);
        c
    };
    // The provider created it, and the process died before it recorded the answer.
    let mut create = live(&["--json", "withdraw", "--asset", "USDT", "--network", "tron", "--amount", "3"]);
    create.args(["--address", TRON, "--reference", "lost-1", "--end-user", "42"]);
    create.args(["--end-user-name", "A", "--end-user-email", "a@b.c"]).env("PAYOUT_CRASH_AT", "after-answer");
    tokio::task::spawn_blocking(move || {
        let mut child = create.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        for line in BufReader::new(child.stderr.take().unwrap()).lines() {
            if line.unwrap().contains("stopped at after-answer") {
                child.kill().unwrap();
                child.wait().unwrap();
                return;
            }
        }
        panic!("the crash hook was not reached: {:?}", child.wait());
    })
    .await
    .unwrap();
    // The dead process's claim lapses after its lease (1 s); then reconcile may look it up.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mut reconcile = live(&["reconcile", "--jsonl"]);
    let out = tokio::task::spawn_blocking(move || reconcile.output().unwrap()).await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let printed = lines(&out);
    assert_eq!(printed.len(), 1, "{}", text(&out.stdout));
    assert_eq!(printed[0]["reference"], "lost-1");
    assert_eq!(printed[0]["provider"], "alppay");
    let mut journal = live(&["journal", "--jsonl"]);
    let out = tokio::task::spawn_blocking(move || journal.output().unwrap()).await.unwrap();
    let entries = lines(&out);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["reference"], "lost-1");
    assert_eq!(entries[0]["state"], "created");
}

#[test]
fn a_closed_standard_output_ends_quietly_with_exit_0() {
    let s = Sandbox::new();
    for i in 0..6 {
        s.withdraw_usdt(&format!("inv-{i}"));
    }
    for json in [false, true] {
        // The reader is gone before the first row is written: every write fails with EPIPE.
        let mut c = s.std();
        if json {
            c.arg("--json");
        }
        let mut child = c
            .args(["--provider", "alppay", "list", "--all", "--limit", "2"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "json {json}: {stderr}");
        assert!(!stderr.contains("Broken pipe") && !stderr.contains("os error 32"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // `| head -1`: one line read, then the reader goes.
    let mut child = s
        .std()
        .args(["--provider", "alppay", "list", "--all", "--limit", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let first = common::first_line(&mut child);
    assert!(first.starts_with("ID"), "{first}");
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    // `find`'s sentence and the completions take the same path.
    for args in [&["find", "nothing"][..], &["completions", "bash"][..], &["man"][..]] {
        let mut child = s.std().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        assert!(!text(&out.stderr).contains("Broken pipe"), "{args:?}");
    }
}

/// Credentials no sandbox uses, so that finding one in the output can only be a leak.
const ALPHAPO_KEY: &str = "ap-key-4f8e2c91d7";
const ALPHAPO_SECRET: &str = "ap-secret-b3d95a07e6";
const ALPPAY_KEY: &str = "pay-key-61c0f2ab93";
const ALPPAY_HMAC: &str = "pay-hmac-d84e17c5f0";

fn assert_no_secret(what: &str, out: &Output) {
    for secret in [ALPHAPO_KEY, ALPHAPO_SECRET, ALPPAY_KEY, ALPPAY_HMAC] {
        assert!(!text(&out.stdout).contains(secret), "{what}: {secret} on standard output");
        assert!(!text(&out.stderr).contains(secret), "{what}: {secret} on standard error");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_most_verbose_logs_show_the_http_layer_and_no_secret() {
    let alphapo =
        AlphaPoServer::start(AlphaPoConfig::default().with_credentials(ALPHAPO_KEY, ALPHAPO_SECRET)).await.unwrap();
    let alppay = AlpPayServer::start(AlpPayConfig::default().with_credentials(ALPPAY_KEY, ALPPAY_HMAC)).await.unwrap();
    let s = Sandbox::new();
    let live = |verbosity: &str| {
        let mut c = s.std();
        c.env("ALPHAPO_API_KEY", ALPHAPO_KEY)
            .env("ALPHAPO_API_SECRET", ALPHAPO_SECRET)
            .env("ALPHAPO_BASE_URL", alphapo.base_url())
            .env("ALPPAY_API_KEY", ALPPAY_KEY)
            .env("ALPPAY_HMAC_KEY", ALPPAY_HMAC)
            .env("ALPPAY_BASE_URL", alppay.base_url());
        match verbosity {
            "RUST_LOG" => c.env("RUST_LOG", "trace"),
            v => c.arg(v),
        };
        c
    };
    // A retried read, so that the retries show too.
    alppay.faults().on_request(http::Method::GET, "/withdrawal", Fault::Status { status: 503, body: "{}".into() }, 1);
    for verbosity in ["-vvv", "RUST_LOG"] {
        let runs: Vec<(&str, Vec<String>)> = vec![
            ("withdraw alphapo", [vec!["--json".to_owned()], btc_args(&format!("sec-{verbosity}"))].concat()),
            (
                "withdraw alppay",
                ["--provider", "alppay", "withdraw", "--asset", "USDT", "--network", "tron", "--amount", "2"]
                    .into_iter()
                    .chain(["--address", TRON, "--reference", &format!("sec-{verbosity}"), "--end-user", "42"])
                    .chain(["--end-user-name", "A", "--end-user-email", "a@b.c"])
                    .map(str::to_owned)
                    .collect(),
            ),
            ("list", ["--provider", "alppay", "list", "--all"].map(str::to_owned).to_vec()),
            ("reconcile", ["reconcile"].map(str::to_owned).to_vec()),
        ];
        for (what, args) in runs {
            let mut c = live(verbosity);
            c.args(&args);
            let out = tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap();
            assert!(out.status.success(), "{what} {verbosity}: {}", text(&out.stderr));
            assert_no_secret(what, &out);
            let stderr = text(&out.stderr);
            if what == "reconcile" {
                continue; // nothing is unanswered: it asks the provider nothing
            }
            assert!(stderr.contains("TRACE"), "{what} {verbosity}: at the most verbose level");
            assert!(stderr.contains("payout.http"), "{what} {verbosity}: the HTTP layer's spans: {stderr}");
        }
    }
    // The retry was logged (once, in whichever run met the fault).
    let mut c = live("-vv");
    c.args(["--provider", "alppay", "list"]);
    alppay.faults().on_request(http::Method::GET, "/withdrawal", Fault::Status { status: 503, body: "{}".into() }, 1);
    let out = tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("retrying"), "{}", text(&out.stderr));
    assert_no_secret("retried list", &out);

    // A webhook signed with the live secret, verified at the most verbose level.
    let w = common::completed_alphapo("77", "order-77");
    let hook = payout_testkit::webhooks::alphapo_callback(&w, ALPHAPO_KEY, ALPHAPO_SECRET.as_bytes());
    let sig = hook.headers.get("x-processing-signature").unwrap().to_str().unwrap().to_owned();
    for verbosity in ["-vvv", "RUST_LOG"] {
        let out = Command::from_std(live(verbosity))
            .args(["--json", "webhook", "--signature", &sig])
            .write_stdin(hook.body.clone())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_no_secret("webhook", &out);
    }
    // -q: nothing but errors (a successful command logs nothing).
    let mut c = live("-q");
    c.args(["--provider", "alppay", "list"]);
    let out = tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap();
    assert!(out.status.success());
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
}

#[test]
fn the_sandbox_logs_no_test_credential_either() {
    use payout_sim::{alphapo, alppay};
    let s = Sandbox::new();
    let out = s.cmd().arg("-vvv").args(btc_args("quiet-1")).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for secret in
        [alphapo::DEFAULT_API_KEY, alphapo::DEFAULT_API_SECRET, alppay::DEFAULT_API_KEY, alppay::DEFAULT_HMAC_KEY]
    {
        assert!(!text(&out.stderr).contains(secret), "{secret}");
        assert!(!text(&out.stdout).contains(secret), "{secret}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_goes_to_standard_error_only_and_only_on_a_terminal() {
    // A simulator whose statuses stay put, so that every listing of it is the same table.
    let server = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let s = Sandbox::new();
    let live = |progress: Option<&str>| {
        let mut c = s.cmd();
        c.env("ALPPAY_API_KEY", server.api_key())
            .env("ALPPAY_HMAC_KEY", server.hmac_key())
            .env("ALPPAY_BASE_URL", server.base_url())
            .args(["--provider", "alppay"]);
        if let Some(p) = progress {
            c.env("PAYOUT_PROGRESS", p);
        }
        c
    };
    for i in 0..5 {
        live(None)
            .args(["withdraw", "--asset", "USDT", "--network", "tron", "--amount", "1", "--address", TRON])
            .args(["--reference", &format!("inv-{i}"), "--end-user", "42"])
            .args(["--end-user-name", "A", "--end-user-email", "a@b.c"])
            .assert()
            .success();
    }
    let list = ["list", "--all", "--limit", "2"];
    let plain = live(None).args(list).output().unwrap();
    assert!(plain.status.success());
    assert_eq!(text(&plain.stdout).lines().filter(|l| l.contains("inv-")).count(), 5);
    // Not a terminal (the test's pipe): no progress at all.
    assert!(!text(&plain.stderr).contains("withdrawals"), "{}", text(&plain.stderr));
    // Forced: the same table on standard output, the progress on standard error.
    let forced = live(Some("always")).args(list).output().unwrap();
    assert!(forced.status.success());
    assert_eq!(text(&forced.stdout), text(&plain.stdout), "the table alone on standard output");
    assert!(text(&forced.stderr).contains("5 withdrawals listed"), "{}", text(&forced.stderr));
    // With logs on too, they share standard error with the bar; standard output is the same table.
    let logged = live(Some("always")).arg("-vv").args(list).output().unwrap();
    assert!(logged.status.success());
    assert_eq!(text(&logged.stdout), text(&plain.stdout));
    assert!(text(&logged.stderr).contains("payout.http") && text(&logged.stderr).contains("5 withdrawals listed"));
    let never = live(Some("never")).args(list).output().unwrap();
    assert_eq!(text(&never.stderr), text(&plain.stderr));
    // In the sandbox, whose clock moves withdrawals to a final status.
    s.withdraw_usdt("inv-0");
    let list = ["--provider", "alppay", "list", "--all", "--limit", "2"];
    // watch: its lines on standard output, the spinner on standard error.
    let id = s.json(&["--provider", "alppay", "find", "inv-0"])["id"].as_str().unwrap().to_owned();
    let watched = s
        .cmd()
        .env("PAYOUT_PROGRESS", "always")
        .args(["--provider", "alppay", "watch", &id, "--interval", "0.2", "--timeout", "60"])
        .output()
        .unwrap();
    assert!(watched.status.success(), "{}", text(&watched.stderr));
    assert!(text(&watched.stderr).contains(&format!("withdrawal {id} is completed")));
    for line in text(&watched.stdout).lines() {
        assert!(!line.contains('\x1b') && !line.contains("payout:"), "no progress in {line:?}");
    }
    // reconcile: the spinner's last word on standard error.
    let rec = s.cmd().env("PAYOUT_PROGRESS", "always").args(["--provider", "alppay", "reconcile"]).output().unwrap();
    assert!(rec.status.success());
    assert!(text(&rec.stderr).contains("looked up "), "{}", text(&rec.stderr));
    assert!(!text(&rec.stdout).contains('\x1b') && !text(&rec.stdout).contains("looked up"));
    // A value it does not know is a usage error.
    let bad = s.cmd().env("PAYOUT_PROGRESS", "sometimes").args(list).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn watch_prints_rfc3339_times_with_their_offset() {
    let s = Sandbox::new();
    let w = s.json(&btc_args("order-t").iter().map(String::as_str).collect::<Vec<_>>());
    let id = w["id"].as_str().unwrap();
    // A POSIX TZ needs no time zone database: five hours thirty east of UTC.
    let out =
        s.cmd().env("TZ", "IST-5:30").args(["watch", id, "--interval", "0.2", "--timeout", "60"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        let stamp = line.split_whitespace().next().unwrap();
        let t = time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(t.offset(), time::UtcOffset::from_hms(5, 30, 0).unwrap(), "{line}");
        assert!(stamp.ends_with("+05:30"), "{line}");
        assert!(line.contains(id), "{line}");
    }
}

/// Where each column starts in a header line.
fn starts(header: &str) -> Vec<usize> {
    ["ID", "REFERENCE", "STATUS", "ASSET", "AMOUNT", "ADDRESS", "CREATED"]
        .iter()
        .map(|c| header.find(&format!("{c} ")).or_else(|| header.find(c)).unwrap())
        .collect()
}

#[test]
fn table_columns_hold_across_pages_and_an_empty_result_says_the_same_with_or_without_all() {
    let s = Sandbox::new();
    // References of every length, so that some page needs wider columns than another.
    for (i, n) in [3, 40, 5, 60, 4, 8].into_iter().enumerate() {
        s.withdraw_usdt(&format!("r{i}-{}", "x".repeat(n)));
    }
    let out = s.ok(&["--provider", "alppay", "list", "--all", "--limit", "2"]);
    let stdout = text(&out.stdout);
    let mut header: Option<Vec<usize>> = None;
    let (mut rows, mut headers) = (0, 0);
    for line in stdout.lines() {
        if line.starts_with("ID ") {
            header = Some(starts(line));
            headers += 1;
            continue;
        }
        let cols = header.as_ref().expect("a header above every row");
        for &at in &cols[1..] {
            let (before, after) = line.split_at(at);
            assert!(before.ends_with("  ") && !after.starts_with(' '), "column at {at} in {line:?}\n{stdout}");
        }
        rows += 1;
    }
    assert_eq!(rows, 6, "{stdout}");
    // Newest first: the second page (60 x) is wider than the first, so the header moved (again
    // when the sandbox's clock gives a later page a longer status).
    assert!(headers >= 2, "{stdout}");

    let paged = s.ok(&["--provider", "alppay", "list", "--reference", "nothing"]);
    let all = s.ok(&["--provider", "alppay", "list", "--reference", "nothing", "--all"]);
    assert_eq!(text(&paged.stdout), "no withdrawals match\n");
    assert_eq!(text(&all.stdout), text(&paged.stdout));
}

fn subcommands() -> Vec<&'static str> {
    vec![
        "withdraw",
        "get",
        "find",
        "list",
        "watch",
        "sandbox",
        "receive",
        "webhook",
        "providers",
        "reconcile",
        "journal",
        "completions",
        "man",
    ]
}

#[test]
fn help_has_global_options_apart_enum_values_the_variable_once_and_an_example_each() {
    let s = Sandbox::new();
    let top = text(&s.ok(&["--help"]).stdout);
    assert_eq!(top.matches("PAYOUT_PROVIDER").count(), 1, "{top}");
    assert!(top.contains("Global options:"));
    for sub in subcommands() {
        let help = text(&s.ok(&[sub, "--help"]).stdout);
        let (own, global) = help.split_once("Global options:").unwrap_or_else(|| panic!("{sub}: {help}"));
        let own_flags: Vec<&str> = own.lines().map(str::trim_start).filter(|l| l.starts_with('-')).collect();
        let names: Vec<&str> = own_flags.iter().filter_map(|l| l.split([' ', ',']).next()).collect();
        assert!(!names.contains(&"--json") && !names.contains(&"--provider"), "{sub}: {own}");
        assert!(global.contains("--json") && global.contains("--provider") && global.contains("--verbose"));
        let example = help.trim_end().rsplit_once("Example:").unwrap_or_else(|| panic!("{sub}: no example")).1;
        assert!(example.trim_start().starts_with("payout "), "{sub}: {example}");
        assert_eq!(help.matches("PAYOUT_PROVIDER").count(), 1, "{sub}");
    }
    let list = text(&s.ok(&["list", "-h"]).stdout);
    assert!(list.contains("pending, approved, processing, completed, cancelled, rejected"), "{list}");
    assert!(list.contains("alphapo, alppay"));
    let journal = text(&s.ok(&["journal", "-h"]).stdout);
    assert!(journal.contains("recorded, sent, unanswered, created, refused"), "{journal}");
    // A typo suggests the nearest value.
    for (args, nearest) in [
        (&["--provider", "alphpo", "get", "1"][..], "'alphapo'"),
        (&["list", "--status", "complted"][..], "'completed'"),
        (&["journal", "--state", "unansered"][..], "'unanswered'"),
    ] {
        let out = s.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains(&format!("a similar value exists: {nearest}")), "{}", text(&out.stderr));
    }
    // The contract's values still work, in any case, from the flag or the variable.
    s.ok(&["--provider", "AlpPay", "list", "--status", "Pending"]);
    let out = s.cmd().env("PAYOUT_PROVIDER", "alppay").args(["--json", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let s = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = text(&s.ok(&["completions", shell]).stdout);
        assert!(script.len() > 500, "{shell}: {script}");
        for sub in ["withdraw", "reconcile", "journal", "completions"] {
            assert!(script.contains(sub), "{shell} completes {sub}");
        }
    }
    let out = s.cmd().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let man = text(&s.ok(&["man"]).stdout);
    assert!(man.contains(".TH payout 1"), "{man}");
    for sub in ["withdraw", "reconcile", "\\-\\-json", "ALPHAPO_API_KEY"] {
        assert!(man.contains(sub), "man mentions {sub}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn receive_shows_its_progress_on_standard_error_and_logs_no_secret_at_trace() {
    use payout_sim::{alphapo, alppay};
    let s = Sandbox::new();
    let log = s.dir.path().join("receive.stderr");
    let mut child = s
        .std()
        .env("PAYOUT_PROGRESS", "always")
        .args(["-vvv", "--json", "--sandbox", "receive", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let endpoints: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first}"));
    let url = endpoints["alphapo"].as_str().unwrap().to_owned();

    let w = common::completed_alphapo("900000042", "order-r");
    let hook = payout_testkit::webhooks::alphapo_callback(
        &w,
        alphapo::DEFAULT_API_KEY,
        alphapo::DEFAULT_API_SECRET.as_bytes(),
    );
    let mut request = reqwest::Client::builder().no_proxy().build().unwrap().post(&url).body(hook.body.clone());
    for (name, value) in &hook.headers {
        request = request.header(name, value);
    }
    assert_eq!(request.send().await.unwrap().status().as_u16(), 200);
    let mut applied = String::new();
    stdout.read_line(&mut applied).unwrap();
    let applied: Value = serde_json::from_str(&applied).unwrap_or_else(|e| panic!("{e}: {applied}"));
    assert_eq!(applied["reference"], "order-r");
    assert_eq!(applied["sandbox"], true);
    assert!(!applied.to_string().contains('\x1b'));

    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    assert!(child.wait().unwrap().success());
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(stderr.contains("receiving: 1 update(s) applied"), "{stderr}");
    assert!(stderr.contains("DEBUG") && stderr.contains("payout_store::receiver"), "the verbose logs are on");
    for secret in
        [alphapo::DEFAULT_API_KEY, alphapo::DEFAULT_API_SECRET, alppay::DEFAULT_API_KEY, alppay::DEFAULT_HMAC_KEY]
    {
        assert!(!stderr.contains(secret), "{secret} in {stderr}");
    }
}
