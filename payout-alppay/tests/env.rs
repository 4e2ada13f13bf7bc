//! `from_env` reads the process environment. Variables are set on a child run of this test
//! binary (the environment of a running test process is shared by all its threads).

use std::process::Command;

use payout_alppay::{AlpPayClient, AlpPayConfig, ENV_API_KEY, ENV_BASE_URL, ENV_HMAC_KEY};

const CHILD: &str = "PAYOUT_ALPPAY_ENV_CHILD";

fn run_child(test: &str, vars: &[(&str, &str)]) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([test, "--exact", "--ignored", "--nocapture"]);
    for var in [ENV_API_KEY, ENV_HMAC_KEY, ENV_BASE_URL] {
        cmd.env_remove(var);
    }
    cmd.env(CHILD, "1");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "{test}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn from_env_reads_the_three_variables() {
    run_child(
        "child_all_set",
        &[
            (ENV_API_KEY, "ak_TOPSECRET"),
            (ENV_HMAC_KEY, "sk_TOPSECRET"),
            (ENV_BASE_URL, "http://127.0.0.1:8080/alppay/v2"),
        ],
    );
    run_child("child_default_base_url", &[(ENV_API_KEY, "ak"), (ENV_HMAC_KEY, "sk")]);
    run_child("child_missing_hmac_key", &[(ENV_API_KEY, "ak")]);
    run_child("child_missing_api_key", &[(ENV_HMAC_KEY, "sk")]);
}

fn in_child() -> bool {
    std::env::var(CHILD).is_ok()
}

#[test]
#[ignore = "run by from_env_reads_the_three_variables in a child process"]
fn child_all_set() {
    assert!(in_child());
    let client = AlpPayClient::from_env().unwrap();
    assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8080/alppay/v2");
    assert!(!format!("{client:?}").contains("TOPSECRET"));
}

#[test]
#[ignore = "run by from_env_reads_the_three_variables in a child process"]
fn child_default_base_url() {
    assert!(in_child());
    assert_eq!(AlpPayConfig::from_env().unwrap().base_url().as_str(), "https://api.alppay.io/v2");
}

#[test]
#[ignore = "run by from_env_reads_the_three_variables in a child process"]
fn child_missing_hmac_key() {
    assert!(in_child());
    let e = AlpPayClient::from_env().unwrap_err();
    assert_eq!(e.kind(), payout_core::ErrorKind::Configuration);
    assert!(e.to_string().contains("ALPPAY_HMAC_KEY"), "{e}");
}

#[test]
#[ignore = "run by from_env_reads_the_three_variables in a child process"]
fn child_missing_api_key() {
    assert!(in_child());
    let e = AlpPayConfig::from_env().unwrap_err();
    assert!(e.to_string().contains("ALPPAY_API_KEY"), "{e}");
}
