//! `from_env` against the real process environment. The variables are set on a child process
//! (this same test binary, re-run for one test), because changing the environment of a running
//! test process is unsafe and this workspace forbids unsafe code.

use std::process::Command;

use payout_alphapo::AlphaPoClient;
use payout_core::ErrorKind;

const CHILD: &str = "PAYOUT_ALPHAPO_ENV_CHILD";

/// Runs `test` again in a child with `vars` set (and the AlphaPo ones not listed removed), and
/// checks that exactly that one test ran and passed.
fn run_child(test: &str, vars: &[(&str, &str)]) {
    let mut cmd = Command::new(std::env::current_exe().expect("the test binary"));
    cmd.args(["--exact", test, "--test-threads", "1"]).env(CHILD, "1");
    for name in ["ALPHAPO_API_KEY", "ALPHAPO_API_SECRET", "ALPHAPO_BASE_URL"] {
        cmd.env_remove(name);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the child runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 passed"), "the child ran no test:\n{stdout}");
}

#[test]
fn from_env_reads_key_secret_and_base_url() {
    if std::env::var_os(CHILD).is_some() {
        let c = AlphaPoClient::from_env().expect("all three variables are set");
        assert_eq!(c.base_url().as_str(), "http://127.0.0.1:9/alphapo/api/v2");
        let shown = format!("{c:?}");
        assert!(!shown.contains("env-key-1") && !shown.contains("env-secret-1"), "{shown}");
        return;
    }
    run_child(
        "from_env_reads_key_secret_and_base_url",
        &[
            ("ALPHAPO_API_KEY", "env-key-1"),
            ("ALPHAPO_API_SECRET", "env-secret-1"),
            ("ALPHAPO_BASE_URL", "http://127.0.0.1:9/alphapo/api/v2/"),
        ],
    );
}

#[test]
fn from_lookupout_a_secret_names_the_variable() {
    if std::env::var_os(CHILD).is_some() {
        let e = AlphaPoClient::from_env().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        let m = e.to_string();
        assert!(m.contains("ALPHAPO_API_SECRET not set") && !m.contains("env-key-2"), "{m}");
        return;
    }
    run_child("from_lookupout_a_secret_names_the_variable", &[("ALPHAPO_API_KEY", "env-key-2")]);
}

#[test]
fn from_env_defaults_to_production() {
    if std::env::var_os(CHILD).is_some() {
        let c = AlphaPoClient::from_env().unwrap();
        assert_eq!(c.base_url().as_str(), "https://app.alphapo.net/api/v2");
        return;
    }
    run_child("from_env_defaults_to_production", &[("ALPHAPO_API_KEY", "k"), ("ALPHAPO_API_SECRET", "s")]);
}
