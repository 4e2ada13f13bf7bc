//! `payout receive` as real processes: killed with -9 right after it answered 200, the update is
//! in the journal; SIGTERM stops it cleanly; and the README's flow (`payout sandbox --deliver-to`,
//! `payout receive`, `payout withdraw`) brings a withdrawal to its final status in
//! `payout journal` through webhooks alone.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use payout_core::WithdrawalStatus;
use payout_sim::{AlpPayConfig, AlpPayServer, AlpPayStatus};
use payout_store::{EntryFilter, Journal};
use serde_json::Value;

const PATIENCE: Duration = Duration::from_secs(60);

fn payout(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_payout"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PAYOUT_SANDBOX_DIR", home.join("sandbox"));
    c
}

/// A running process whose standard output lines arrive on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(mut cmd: Command) -> Self {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Self { child, lines }
    }

    fn line(&self) -> String {
        self.lines.recv_timeout(PATIENCE).expect("a line on standard output")
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.line()).unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn live_alppay(home: &Path, sim: &AlpPayServer, store: &Path) -> Command {
    let mut c = payout(home);
    c.env("PAYOUT_STORE", store)
        .env("ALPPAY_API_KEY", sim.api_key())
        .env("ALPPAY_HMAC_KEY", sim.hmac_key())
        .env("ALPPAY_BASE_URL", sim.base_url());
    c
}

async fn post(url: &str, body: &[u8], signature: &str) -> (u16, String) {
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-HMAC", signature)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_with_9_right_after_answering_200_the_update_is_in_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("journal.sqlite");
    let sim = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let created = live_alppay(dir.path(), &sim, &store)
        .args(["--json", "--provider", "alppay", "withdraw", "--asset", "USDT", "--network", "tron"])
        .args(["--amount", "10.5", "--address", "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n", "--reference", "k9-1"])
        .args(["--end-user", "42", "--end-user-name", "Test User", "--end-user-email", "test@example.com"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let id = serde_json::from_slice::<Value>(&created.stdout).unwrap()["id"].as_str().unwrap().to_owned();

    let mut cmd = live_alppay(dir.path(), &sim, &store);
    cmd.args(["--json", "receive", "--addr", "127.0.0.1:0"]);
    let mut receiver = Running::start(cmd);
    let endpoints = receiver.json();
    assert!(endpoints.get("alphapo").is_none(), "AlphaPo has no credentials here: {endpoints}");
    let url = endpoints["alppay"].as_str().unwrap().to_owned();

    sim.set_status(&id, AlpPayStatus::Complete).unwrap();
    let body = sim.wire_object(&id).unwrap();
    let (status, answer) = post(&url, &body, &sim.sign(&body)).await;
    assert_eq!((status, answer.trim()), (200, r#"{"outcome":"stored"}"#));
    receiver.child.kill().unwrap(); // SIGKILL, right after the 200
    receiver.child.wait().unwrap();

    let journal = Journal::open(&store.display().to_string()).await.unwrap();
    let entries = journal.entries(&EntryFilter::new()).await.unwrap();
    assert_eq!(entries.len(), 1);
    let held = entries[0].withdrawal.as_ref().unwrap();
    assert_eq!((held.id.as_str(), held.status), (id.as_str(), WithdrawalStatus::Completed), "durable before the 200");

    // Restarted, the same delivery is a recognised duplicate: the dedupe was durable too.
    let mut cmd = live_alppay(dir.path(), &sim, &store);
    cmd.args(["--json", "receive", "--addr", "127.0.0.1:0"]);
    let again = Running::start(cmd);
    let url = again.json()["alppay"].as_str().unwrap().to_owned();
    let (status, answer) = post(&url, &body, &sim.sign(&body)).await;
    assert_eq!((status, answer.trim()), (200, r#"{"outcome":"duplicate"}"#));
    // A bad signature: 401, and nothing printed as applied.
    let (status, _) = post(&url, &body, &"0".repeat(64)).await;
    assert_eq!(status, 401);
    assert!(again.lines.recv_timeout(Duration::from_millis(300)).is_err(), "nothing was applied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_it_cleanly_and_a_bad_addr_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = payout(dir.path());
    cmd.args(["--json", "receive", "--addr", "127.0.0.1:0"]);
    let mut receiver = Running::start(cmd);
    let endpoints = receiver.json();
    assert!(endpoints["alphapo"].as_str().unwrap().ends_with("/alphapo"), "sandbox: every provider: {endpoints}");
    assert!(endpoints["alppay"].as_str().unwrap().ends_with("/alppay"));
    let pid = receiver.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = receiver.child.wait().unwrap();
    assert!(status.success(), "{status:?}");

    let out = payout(dir.path()).args(["receive", "--addr", "localhost"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--addr"));
    let out =
        payout(dir.path()).args(["sandbox", "--addr", "127.0.0.1:0", "--deliver-to", "ftp://x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The README's three commands, with free ports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_flow_reaches_the_final_status_through_webhooks_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = payout(dir.path());
    cmd.args(["--json", "receive", "--addr", "127.0.0.1:0"]);
    let receiver = Running::start(cmd);
    let endpoints = receiver.json();
    let root = endpoints["alphapo"].as_str().unwrap().trim_end_matches("/alphapo").to_owned();

    let mut cmd = payout(dir.path());
    cmd.args(["--json", "sandbox", "--addr", "127.0.0.1:0", "--deliver-to", &root]);
    let sandbox = Running::start(cmd);
    let alphapo_base = sandbox.json()["alphapo"]["base_url"].as_str().unwrap().to_owned();
    let sandbox_url = alphapo_base.strip_suffix("/alphapo/api/v2").expect("the sandbox's AlphaPo prefix").to_owned();

    for (provider, args) in [
        (
            "alphapo",
            vec![
                "--asset",
                "BTC",
                "--amount",
                "0.0002",
                "--address",
                "tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc",
                "--end-user",
                "user-7",
            ],
        ),
        ("alppay", common::usdt_args("Test User", "test@example.com").to_vec()),
    ] {
        let out = payout(dir.path())
            .env("PAYOUT_SANDBOX_URL", &sandbox_url)
            .args(["--json", "--provider", provider, "withdraw", "--reference", &format!("readme-{provider}")])
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    // Nothing polls the provider: only the receiver writes what follows the create.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let out =
            payout(dir.path()).env("PAYOUT_SANDBOX_URL", &sandbox_url).args(["--json", "journal"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let entries: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let done = entries.len() == 2 && entries.iter().all(|e| e["withdrawal"]["status"] == "completed");
        if done {
            break;
        }
        assert!(Instant::now() < deadline, "not final through webhooks: {entries:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // And `payout receive` printed each applied update, the final ones among them.
    let mut finals = 0;
    while finals < 2 {
        let w: Value = serde_json::from_str(&receiver.line()).unwrap();
        assert!(w["provider"] == "alphapo" || w["provider"] == "alppay", "{w}");
        if w["status"] == "completed" {
            finals += 1;
        }
    }
}
