//! The journal under real crashes: `kill -9` of a real `payout withdraw` process in each crash
//! window, then the same command again and `reconcile`, on SQLite and on PostgreSQL; and eight
//! processes racing on one reference. The AlpPay simulator runs in this test process on
//! loopback (AlpPay keeps duplicate invoices, so a payout sent twice would show as two); the
//! Cryptomus cases check that its replay by `order_id` lets a crashed payout be sent again at
//! once and still paid once, and that eight racing processes still send one create.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use payout_sim::{AlpPayConfig, AlpPayServer, CryptomusConfig, CryptomusServer, Fault};
use payout_testkit::postgres::TempPostgres;
use serde_json::Value;

const REFERENCE_ADDRESS: &str = "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n";

/// Where the journal is: a fresh SQLite file or a fresh PostgreSQL database.
#[derive(Clone, Copy, Debug)]
enum Store {
    Sqlite,
    Postgres,
}

struct World {
    server: AlpPayServer,
    /// With one, the payouts go to Cryptomus (which replays a create by `order_id`) instead.
    cryptomus: Option<CryptomusServer>,
    store: String,
    dir: tempfile::TempDir,
}

impl World {
    /// The same world paying out through Cryptomus.
    async fn cryptomus(store: Store, name: &str) -> Self {
        let mut world = Self::new(store, name).await;
        world.cryptomus = Some(CryptomusServer::start(CryptomusConfig::default()).await.unwrap());
        world
    }

    async fn new(store: Store, name: &str) -> Self {
        let server = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = match store {
            Store::Sqlite => dir.path().join("journal.sqlite").display().to_string(),
            Store::Postgres => {
                let name = name.to_owned();
                tokio::task::spawn_blocking(move || TempPostgres::shared().create_database(&name).unwrap())
                    .await
                    .unwrap()
            }
        };
        Self { server, cryptomus: None, store, dir }
    }

    /// `payout --json --provider alppay withdraw …` live against the simulator, in data dir `home`.
    fn withdraw(&self, reference: &str, home: &str) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_payout"));
        let home = self.dir.path().join(home);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("PAYOUT_SANDBOX_DIR", home.join("sandbox"))
            .env("PAYOUT_STORE", &self.store)
            .env("PAYOUT_LEASE", "1")
            .env("PAYOUT_WAIT", "20")
            .env("ALPPAY_API_KEY", self.server.api_key())
            .env("ALPPAY_HMAC_KEY", self.server.hmac_key())
            .env("ALPPAY_BASE_URL", self.server.base_url());
        if let Some(cm) = &self.cryptomus {
            c.env("CRYPTOMUS_MERCHANT", cm.merchant())
                .env("CRYPTOMUS_PAYOUT_KEY", cm.payout_key())
                .env("CRYPTOMUS_BASE_URL", cm.base_url())
                .args(["--json", "--provider", "cryptomus"]);
        } else {
            c.args(["--json", "--provider", "alppay"]);
        }
        if reference.is_empty() {
            return c;
        }
        if self.cryptomus.is_some() {
            c.args(["withdraw", "--asset", "USDT", "--network", "TRON", "--amount", "10.5", "--address"])
                .arg(REFERENCE_ADDRESS)
                .args(["--reference", reference, "--end-user", "42"]);
            return c;
        }
        c.args(["withdraw", "--asset", "USDT", "--network", "tron", "--amount", "10.5", "--address"])
            .arg(REFERENCE_ADDRESS)
            .args(["--reference", reference, "--end-user", "42"])
            .args(["--end-user-name", "Test User", "--end-user-email", "test@example.com"]);
        c
    }

    fn reconcile(&self) -> Command {
        let mut c = self.withdraw("", "main");
        c.arg("reconcile");
        c
    }

    /// The provider's create path (`POST`).
    fn create_path(&self) -> &'static str {
        if self.cryptomus.is_some() { "/payout" } else { "/withdrawal" }
    }

    fn creates(&self) -> usize {
        let requests = match &self.cryptomus {
            Some(cm) => cm.requests().entries(),
            None => self.server.requests().entries(),
        };
        requests.iter().filter(|r| r.method == "POST" && r.path.ends_with(self.create_path())).count()
    }

    /// The next create is acted on only after `delay`.
    fn delay_next_create(&self, delay: Duration) {
        let faults = match &self.cryptomus {
            Some(cm) => cm.faults(),
            None => self.server.faults(),
        };
        faults.on_request(http::Method::POST, self.create_path(), Fault::Delay(delay), 1);
    }

    /// The one withdrawal the simulator holds for `reference` (fails if there are more).
    fn only_withdrawal(&self, reference: &str) -> String {
        if let Some(cm) = &self.cryptomus {
            // Cryptomus keeps one payout per `order_id`: a second create would be a replay, so
            // the payouts themselves are counted.
            let held: Vec<_> = cm.payouts().into_iter().filter(|p| p.order_id == reference).collect();
            assert_eq!(held.len(), 1, "exactly one payout at the simulator for {reference}");
            return held[0].uuid.clone();
        }
        let found = self.server.find_by_invoice(reference);
        assert_eq!(found.len(), 1, "exactly one withdrawal at the simulator for {reference}");
        found[0].id.clone()
    }
}

/// Runs a command off the runtime's threads (the simulator keeps serving meanwhile).
async fn run(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
}

/// Starts the command and `kill -9`s it once its standard error shows `marker`.
async fn kill_at(mut cmd: Command, marker: &'static str) {
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut seen = Vec::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            let hit = line.contains(marker);
            seen.push(line);
            if hit {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                return;
            }
        }
        panic!("the process ended before {marker}: {seen:?} ({:?})", child.wait());
    })
    .await
    .unwrap();
}

fn crash_at(world: &World, reference: &str, point: &str) -> Command {
    let mut c = world.withdraw(reference, "main");
    c.env("PAYOUT_CRASH_AT", point);
    c
}

fn stdout_id(out: &Output) -> String {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: stdout {:?} stderr {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    v["id"].as_str().unwrap().to_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit 0 naming `id`, or (when `unknown_ok`) exit 4 naming the reference.
fn names_it(out: &Output, id: &str, reference: &str, unknown_ok: bool) {
    match out.status.code() {
        Some(0) => assert_eq!(stdout_id(out), id),
        Some(4) if unknown_ok => assert!(stderr(out).contains(reference), "{}", stderr(out)),
        other => panic!("exit {other:?}: {}", stderr(out)),
    }
}

/// `reconcile` ends clean and the simulator holds one withdrawal; the same command answers it
/// and the simulator still holds one. Only one create was ever sent, unless the provider
/// replays creates (Cryptomus, by `order_id`), which may be sent the same create again.
async fn settles(world: &World, reference: &str) {
    let out = run(world.reconcile()).await;
    assert_eq!(out.status.code(), Some(0), "reconcile: {}", stderr(&out));
    let id = world.only_withdrawal(reference);
    let again = run(world.withdraw(reference, "main")).await;
    names_it(&again, &id, reference, false);
    world.only_withdrawal(reference);
    if world.cryptomus.is_none() {
        assert_eq!(world.creates(), 1, "one create ever sent");
    }
}

/// Within the in-flight window a withdraw of `reference` is refused as possibly sent: exit 4,
/// naming the reference.
async fn held_back(w: &World, reference: &str) {
    let out = run(w.withdraw(reference, "main")).await;
    assert_eq!(out.status.code(), Some(4), "{reference}: {}", stderr(&out));
    assert!(stderr(&out).contains(reference), "the error names {reference}: {}", stderr(&out));
}

/// A withdraw of `reference` (with `PAYOUT_IN_FLIGHT_WINDOW` set to `window`, if given) exits 0
/// with the one withdrawal of it, which then settles.
async fn withdraws_once(w: &World, reference: &str, window: Option<&str>) {
    let mut cmd = w.withdraw(reference, "main");
    if let Some(window) = window {
        cmd.env("PAYOUT_IN_FLIGHT_WINDOW", window);
    }
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{reference}: {}", stderr(&out));
    assert_eq!(stdout_id(&out), w.only_withdrawal(reference));
    settles(w, reference).await;
}

async fn before_claim(store: Store) {
    let w = World::new(store, "before_claim").await;
    kill_at(crash_at(&w, "k-1", "before-claim"), "stopped at before-claim").await;
    assert_eq!(w.creates(), 0);
    withdraws_once(&w, "k-1", None).await;
}

async fn after_claim(store: Store) {
    let w = World::new(store, "after_claim").await;
    kill_at(crash_at(&w, "k-2", "after-claim"), "stopped at after-claim").await;
    assert_eq!(w.creates(), 0);
    // A fresh claim is written already marked sent (one commit before the request): within the
    // in-flight window it is never sent again, as after `after-sent`.
    held_back(&w, "k-2").await;
    assert_eq!(w.creates(), 0);
    // After the window, with the provider showing none, it is sent (once).
    withdraws_once(&w, "k-2", Some("0")).await;
}

async fn after_sent(store: Store) {
    let w = World::new(store, "after_sent").await;
    kill_at(crash_at(&w, "k-3", "after-sent"), "stopped at after-sent").await;
    assert_eq!(w.creates(), 0);
    // Marked sent: within the in-flight window it is never sent again.
    held_back(&w, "k-3").await;
    let rec = run(w.reconcile()).await;
    assert_eq!(rec.status.code(), Some(4), "{}", stderr(&rec));
    assert_eq!(w.creates(), 0);
    // After the window, with the provider showing none, it is sent (once).
    withdraws_once(&w, "k-3", Some("0")).await;
}

async fn slow_provider(store: Store) {
    let w = World::new(store, "slow").await;
    w.server.faults().on_request(http::Method::POST, "/withdrawal", Fault::Delay(Duration::from_secs(3)), 1);
    // The create is in flight (the simulator acts on it after 3 s, even though the client died).
    let mut cmd = w.withdraw("k-4", "main");
    cmd.env("RUST_LOG", "off");
    let child = tokio::task::spawn_blocking(move || cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap())
        .await
        .unwrap();
    let started = Instant::now();
    let journal = payout_store::Journal::open(&w.store).await.unwrap();
    let alppay = payout_core::ProviderId::from_static("alppay");
    loop {
        let state = journal.entry(&alppay, "k-4").await.unwrap().map(|e| e.state);
        if state == Some(payout_store::State::Sent) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never sent: {state:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await; // the request is on the wire
    let mut child = child;
    child.kill().unwrap();
    child.wait().unwrap();
    let out = run(w.withdraw("k-4", "main")).await;
    // Either the simulator acted already (found: exit 0) or it may still be working (exit 4).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let id = w.only_withdrawal("k-4");
    names_it(&out, &id, "k-4", true);
    settles(&w, "k-4").await;
}

async fn after_answer(store: Store) {
    answer_lost_with_the_process(World::new(store, "after_answer").await, "k-5").await;
}

/// A process dies at `after-answer` submitting `reference`: the provider acted, the answer was
/// never recorded, and the next command names the one withdrawal (AlpPay's found by the lookup,
/// not sent again; Cryptomus's the one payout its replay answers), which then settles.
async fn answer_lost_with_the_process(w: World, reference: &str) {
    kill_at(crash_at(&w, reference, "after-answer"), "stopped at after-answer").await;
    assert_eq!(w.creates(), 1, "the provider acted");
    let id = w.only_withdrawal(reference);
    let out = run(w.withdraw(reference, "main")).await;
    names_it(&out, &id, reference, false);
    settles(&w, reference).await;
}

/// Eight processes at once on one reference (each with its own data directory): one create,
/// one withdrawal, every process exits 0 naming it or 4.
async fn eight_racing(store: Store) {
    race(World::new(store, "race").await).await;
}

/// The same race paying out through Cryptomus: its replay by `order_id` must not turn the
/// journal's one sender into several creates.
async fn cryptomus_eight_racing(store: Store) {
    race(World::cryptomus(store, "cm_race").await).await;
}

async fn race(w: World) {
    w.delay_next_create(Duration::from_millis(800));
    let mut children = Vec::new();
    for i in 0..8 {
        let mut c = w.withdraw("race-1", &format!("proc{i}"));
        children.push(tokio::task::spawn_blocking(move || c.output().unwrap()));
    }
    let mut outs = Vec::new();
    for c in children {
        outs.push(c.await.unwrap());
    }
    let id = w.only_withdrawal("race-1");
    assert_eq!(w.creates(), 1, "one create sent");
    for out in &outs {
        names_it(out, &id, "race-1", true);
    }
    assert!(outs.iter().any(|o| o.status.code() == Some(0)));
}

/// Cryptomus replays a create by `order_id`: a payout whose process died after marking it sent
/// (or after claiming it) is sent again at once by the next command, and answered with the one
/// payout, instead of waiting out the in-flight window.
async fn cryptomus_after_sent(store: Store) {
    let w = World::cryptomus(store, "cm_after_sent").await;
    kill_at(crash_at(&w, "c-3", "after-sent"), "stopped at after-sent").await;
    assert_eq!(w.creates(), 0);
    let out = run(w.withdraw("c-3", "main")).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout_id(&out), w.only_withdrawal("c-3"));
    settles(&w, "c-3").await;
}

/// After the answer was lost with the process, the next command names the one payout.
async fn cryptomus_after_answer(store: Store) {
    answer_lost_with_the_process(World::cryptomus(store, "cm_after_answer").await, "c-5").await;
}

macro_rules! per_store {
    ($($case:ident),*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::$case(super::Store::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::$case(super::Store::Postgres).await;
                }
            )*
        }
    };
}

per_store!(
    before_claim,
    after_claim,
    after_sent,
    slow_provider,
    after_answer,
    eight_racing,
    cryptomus_after_sent,
    cryptomus_after_answer,
    cryptomus_eight_racing
);

#[test]
fn a_bad_store_or_hook_exits_2_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = |c: &mut Command| {
        c.env("PAYOUT_SANDBOX_DIR", dir.path()).env_remove("ALPPAY_API_KEY").env_remove("ALPHAPO_API_KEY");
    };
    let mut c = Command::new(env!("CARGO_BIN_EXE_payout"));
    base(&mut c);
    c.env("PAYOUT_IN_FLIGHT_WINDOW", "soon").args(["withdraw", "--asset", "BTC", "--amount", "0.001"]);
    c.args(["--address", "tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc", "--reference", "x", "--end-user", "u"]);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PAYOUT_IN_FLIGHT_WINDOW"));
}
