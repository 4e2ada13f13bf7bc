//! What the tests of the `payout` command share: a sandbox of its own for each test, and the
//! flags of the payouts they make.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};

use assert_cmd::Command;

pub const ADDRESS: &str = "tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc";
pub const TRON: &str = "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n";
/// What the test's own environment might set and the command reads: removed from every run.
pub const PROVIDER_VARS: [&str; 12] = [
    "ALPHAPO_API_KEY",
    "ALPHAPO_API_SECRET",
    "ALPHAPO_BASE_URL",
    "ALPPAY_API_KEY",
    "ALPPAY_HMAC_KEY",
    "ALPPAY_BASE_URL",
    "CRYPTOMUS_MERCHANT",
    "CRYPTOMUS_PAYOUT_KEY",
    "CRYPTOMUS_BASE_URL",
    "PAYOUT_PROVIDER",
    "PAYOUT_PROGRESS",
    "RUST_LOG",
];

/// The flags of `withdraw` for 10.5 USDT on Tron to end user 42 (without the reference).
pub fn usdt_args<'a>(name: &'a str, email: &'a str) -> [&'a str; 14] {
    [
        "--asset",
        "USDT",
        "--network",
        "tron",
        "--amount",
        "10.5",
        "--address",
        TRON,
        "--end-user",
        "42",
        "--end-user-name",
        name,
        "--end-user-email",
        email,
    ]
}

/// A sandbox of its own for each test: its state, and the journal of live commands, live in a
/// temporary folder.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    /// Runs the command; its output, once it exited 0.
    pub fn ok(&self, args: &[&str]) -> std::process::Output {
        let out = self.cmd().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    }

    /// Runs with `--json` and parses standard output, once it exited 0.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_slice(&self.ok(&[&["--json"], args].concat()).stdout).unwrap()
    }

    /// A `--json withdraw` of USDT on AlpPay under `reference`.
    pub fn withdraw_usdt(&self, reference: &str) -> serde_json::Value {
        let payout = ["--provider", "alppay", "withdraw", "--reference", reference];
        self.json(&[&payout[..], &usdt_args("Ada Lovelace", "ada@example.com")].concat())
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("payout").unwrap();
        for v in PROVIDER_VARS {
            c.env_remove(v);
        }
        c.env("PAYOUT_SANDBOX_DIR", self.dir.path());
        c.env("PAYOUT_STORE", self.dir.path().join("live-journal.sqlite"));
        c
    }

    /// The same as a `std` command, for tests that need its pipes.
    pub fn std(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("payout"));
        for v in PROVIDER_VARS {
            c.env_remove(v);
        }
        c.env("PAYOUT_SANDBOX_DIR", self.dir.path());
        c.env("PAYOUT_STORE", self.dir.path().join("live-journal.sqlite"));
        c
    }
}

/// The first line `child` writes to its piped standard output (the pipe is closed after it).
pub fn first_line(child: &mut std::process::Child) -> String {
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    first
}

/// A completed AlphaPo withdrawal `id` (`confirmed`) holding `reference`, to build its callback.
pub fn completed_alphapo(id: &str, reference: &str) -> payout_core::Withdrawal {
    let mut w = payout_core::Withdrawal::new(
        payout_core::ProviderId::from_static("alphapo"),
        payout_core::WithdrawalId::new(id),
        payout_core::WithdrawalStatus::Completed,
        "confirmed",
    );
    w.reference = Some(payout_core::Reference::new(reference).unwrap());
    w
}
