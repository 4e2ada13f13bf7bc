//! The money figures: 1,000 concurrent `submit` calls through one client end with exactly 1,000
//! withdrawals on the simulator, one per reference, and every call returns the withdrawal of its
//! reference, while a tenth of the creates lose their answer after AlphaPo acted, or while 429s
//! and 5xx answers are spread over the run. (`RELIABILITY.md` records the last figures.)

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use payout_core::http::RetryPolicy;
use payout_core::{Asset, EndUser, PayoutError, PayoutProviderExt, SubmitPath, Submitted, WithdrawalRequest};
use payout_testkit::sim::{AlphaPoServer, Fault};
use rust_decimal_macros::dec;

const CALLS: usize = 1000;

/// Passes a request through untouched (a zero delay), to space the real faults out.
const PASS: Fault = Fault::Delay(Duration::ZERO);

fn reference(i: usize) -> String {
    format!("money-{i:04}")
}

fn request(reference: &str) -> WithdrawalRequest {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new("BTC"))
        .amount(dec!(0.001))
        .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
        .end_user(EndUser::new("user-42"))
        .build()
        .unwrap()
}

/// Reads may meet several spread faults in a row; the bound is raised so they always recover.
fn patient() -> RetryPolicy {
    RetryPolicy::default().with_max_retries(8).with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

struct Figures {
    paths: HashMap<&'static str, usize>,
    creates_sent: usize,
    took: Duration,
}

/// Runs the 1,000 submits at once and checks every invariant; returns the figures.
async fn run(server: &AlphaPoServer) -> Figures {
    server.requests().set_capacity(1_000_000);
    let client = common::sim::builder_for(server).retry(patient()).build_client().unwrap();
    let started = Instant::now();
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.submit(&request(&reference(i))).await })
        })
        .collect();
    let mut results: Vec<Result<Submitted, PayoutError>> = Vec::with_capacity(CALLS);
    for t in tasks {
        results.push(t.await.expect("no submit panics"));
    }
    let took = started.elapsed();

    let mut paths = HashMap::new();
    for (i, result) in results.iter().enumerate() {
        let want = reference(i);
        let submitted = match result {
            Ok(s) => s,
            Err(e) => panic!("submit({want}) failed with {}: {e}", e.kind()),
        };
        assert_eq!(submitted.withdrawal.reference.as_ref().map(|r| r.as_str()), Some(want.as_str()));
        let held = server.find(&want).unwrap_or_else(|| panic!("{want}: no withdrawal holds it"));
        assert_eq!(submitted.withdrawal.id.as_str(), held.id.to_string(), "{want}: submit returned another withdrawal");
        let path = match submitted.path {
            SubmitPath::Created => "created",
            SubmitPath::Reconciled => "reconciled",
            SubmitPath::AlreadyExisted => "already existed",
        };
        *paths.entry(path).or_default() += 1;
    }
    assert_eq!(server.count(), CALLS, "exactly one withdrawal per call");
    let creates_sent = server.requests().entries().iter().filter(|r| r.method == "POST").count();
    Figures { paths, creates_sent, took }
}

fn report(name: &str, f: &Figures) {
    eprintln!(
        "alphapo {name}: {CALLS} submits -> {CALLS} withdrawals; paths {:?}; creates sent {}; {:.1} s",
        f.paths,
        f.creates_sent,
        f.took.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenth_of_the_creates_lose_their_answer_after_acting() {
    let server = common::sim::start().await;
    for _ in 0..CALLS / 10 {
        server.faults().on_request(http::Method::POST, "/withdrawal/crypto", PASS, 9);
        server.faults().on_request(http::Method::POST, "/withdrawal/crypto", Fault::CloseAfterActing, 1);
    }
    let f = run(&server).await;
    report("close after acting", &f);
    assert_eq!(f.paths.get("reconciled"), Some(&(CALLS / 10)), "every lost answer is reconciled by lookup");
    assert_eq!(f.paths.get("created"), Some(&(CALLS - CALLS / 10)));
    assert_eq!(f.creates_sent, CALLS, "no create was sent twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_server_errors_spread_over_the_run() {
    let server = common::sim::start().await;
    let s5xx = |k: usize| Fault::Status { status: [500, 502, 503][k % 3], body: r#"{"error":"injected"}"#.into() };
    // Creates: per 100, eight 429s (two asking for a one-second wait) and one 5xx.
    for block in 0..CALLS / 100 {
        for i in 0..100 {
            let fault = match i {
                50 => s5xx(block),
                _ if i % 25 == 7 => Fault::TooManyRequests { retry_after: Some(1) },
                _ if i % 12 == 3 => Fault::TooManyRequests { retry_after: None },
                _ => PASS,
            };
            server.faults().on_request(http::Method::POST, "/withdrawal/crypto", fault, 1);
        }
    }
    // Lookups: every tenth a 5xx, every twentieth a 429.
    for i in 0..2 * CALLS {
        let fault = match i % 20 {
            5 | 15 => s5xx(i),
            10 => Fault::TooManyRequests { retry_after: None },
            _ => PASS,
        };
        server.faults().on_request(http::Method::GET, "/transactions/info", fault, 1);
    }
    let f = run(&server).await;
    report("429s and 5xx", &f);
    assert!(f.creates_sent > CALLS, "the 429s were retried");
}
