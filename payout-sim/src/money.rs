//! The money figures every provider must show: 1,000 concurrent `submit` calls through one client
//! end with exactly 1,000 withdrawals on the simulator, one per reference, and every call returns
//! the withdrawal of its reference, while a tenth of the creates lose their answer after the
//! provider acted ([`lost_answers`]), or while 429s and 5xx answers are spread over the run
//! ([`throttling_and_server_errors`]); and the long [`soak`] with every fault at once, after which
//! no reference is paid twice.
//!
//! Each function panics when an invariant breaks; a provider crate calls them from its tests with
//! its [`SimBackend`] (`payout-alphapo/tests/suite/money.rs`, `payout-alppay/tests/suite/money.rs`). Run them
//! in a multi-threaded runtime.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use futures::StreamExt;
use payout_core::http::RetryPolicy;
use payout_core::{Capability, ErrorKind, PayoutError, PayoutProviderExt, SubmitPath, Submitted, WithdrawalId};

use crate::Fault;
use crate::Served;
use crate::backend::{ClientSettings, SimBackend};
use payout_testkit::Operation;

/// Concurrent `submit` calls per run.
pub const CALLS: usize = 1000;

/// Passes a request through untouched (a zero delay), to space the real faults out.
const PASS: Fault = Fault::Delay(Duration::ZERO);

fn reference(i: usize) -> String {
    format!("money-{i:04}")
}

/// Reads may meet several spread faults in a row; the bound is raised so they always recover.
fn patient() -> RetryPolicy {
    RetryPolicy::default().with_max_retries(8).with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

/// What a run of [`CALLS`] submits showed.
#[derive(Debug)]
pub struct Figures {
    /// How many calls ended by each [`SubmitPath`] (`created`, `reconciled`, `already existed`).
    pub paths: HashMap<&'static str, usize>,
    /// Creates (requests to the create endpoint) the simulator received.
    pub creates_sent: usize,
    /// Whether the client declares [`Capability::IdempotentCreate`] (the provider replays a
    /// create by reference, so `submit` sends the same create again after a lost answer).
    pub replays: bool,
    /// Wall time of the calls.
    pub took: Duration,
}

/// The create and lookup endpoints of `backend`, where the faults are armed.
fn endpoints<B: SimBackend>(backend: &B) -> ((http::Method, String), (http::Method, String)) {
    let any = WithdrawalId::new("0");
    (backend.endpoint(Operation::Create, &any), backend.endpoint(Operation::Find, &any))
}

/// Runs the 1,000 submits at once against `server` and checks every invariant; returns the figures.
pub async fn run<B: SimBackend>(backend: &B, server: &Served<B::Sim>) -> Figures {
    server.requests().set_capacity(1_000_000);
    let settings = ClientSettings { retry: Some(patient()), ..ClientSettings::default() };
    let client = backend.client(server, settings).expect("a client of the simulator");
    let started = Instant::now();
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let client = client.clone();
            let request = backend.request(&reference(i));
            tokio::spawn(async move { client.submit(&request).await })
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
        let held = backend.holding(server, &want);
        assert_eq!(held.len(), 1, "{want}: {} withdrawals hold it", held.len());
        assert_eq!(submitted.withdrawal.id, held[0], "{want}: submit returned another withdrawal");
        let path = match submitted.path {
            SubmitPath::Created => "created",
            SubmitPath::Reconciled => "reconciled",
            SubmitPath::AlreadyExisted => "already existed",
        };
        *paths.entry(path).or_default() += 1;
    }
    assert_eq!(backend.count(server), CALLS, "exactly one withdrawal per call");
    let ((post, create), _) = endpoints(backend);
    let creates_sent = server
        .requests()
        .entries()
        .iter()
        .filter(|r| r.method == post.as_str() && r.path.ends_with(create.as_str()))
        .count();
    let replays = client.capabilities().supports(Capability::IdempotentCreate);
    Figures { paths, creates_sent, replays, took }
}

/// Prints the figures of the run `name` to stderr.
pub fn report<B: SimBackend>(name: &str, f: &Figures) {
    eprintln!(
        "{} {name}: {CALLS} submits -> {CALLS} withdrawals; paths {:?}; creates sent {}; {:.1} s",
        B::NAME,
        f.paths,
        f.creates_sent,
        f.took.as_secs_f64()
    );
}

/// A tenth of the creates lose their answer after the provider acted: every lost answer is
/// reconciled by lookup and no create is sent twice. For a provider that replays a create by
/// reference ([`Capability::IdempotentCreate`]), every lost answer is followed by the same create
/// once more, which the provider answers with the payout it made: exactly one withdrawal per
/// call still, with no journal and no lookup.
pub async fn lost_answers<B: SimBackend>(backend: &B) {
    let server = backend.start().await;
    let ((post, create), _) = endpoints(backend);
    for _ in 0..CALLS / 10 {
        server.faults().on_request(post.clone(), &create, PASS, 9);
        server.faults().on_request(post.clone(), &create, Fault::CloseAfterActing, 1);
    }
    let f = run(backend, &server).await;
    report::<B>("close after acting", &f);
    if f.replays {
        // Each lost answer costs at most one more create; a repeat may itself meet a lost
        // answer, so some calls lose two (fewer than a tenth of the calls are reconciled), and a
        // call that loses the answer of its last round looks the reference up instead.
        let sent = f.creates_sent;
        assert!(sent > CALLS && sent <= CALLS + CALLS / 10, "{sent} creates: one repeat per lost answer at most");
        let reconciled = f.paths.get("reconciled").copied().unwrap_or(0);
        assert!(reconciled > 0 && reconciled <= CALLS / 10, "{reconciled} calls reconciled by the replay");
        assert_eq!(f.paths.get("created").copied().unwrap_or(0) + reconciled, CALLS);
        return;
    }
    assert_eq!(f.paths.get("reconciled"), Some(&(CALLS / 10)), "every lost answer is reconciled by lookup");
    assert_eq!(f.paths.get("created"), Some(&(CALLS - CALLS / 10)));
    assert_eq!(f.creates_sent, CALLS, "no create was sent twice");
}

/// 429s and 5xx answers spread over the creates (per 100: eight 429s, two of them asking for a
/// one-second wait, and one 5xx) and over `lookups_per_call × CALLS` lookups (every tenth a 5xx,
/// every twentieth a 429): every call still ends with its one withdrawal.
pub async fn throttling_and_server_errors<B: SimBackend>(backend: &B, lookups_per_call: usize) {
    let server = backend.start().await;
    let ((post, create), (get, lookup)) = endpoints(backend);
    let s5xx = |k: usize| crate::fault_matrix::status([500, 502, 503][k % 3]);
    for block in 0..CALLS / 100 {
        for i in 0..100 {
            let fault = match i {
                50 => s5xx(block),
                _ if i % 25 == 7 => Fault::TooManyRequests { retry_after: Some(1) },
                _ if i % 12 == 3 => Fault::TooManyRequests { retry_after: None },
                _ => PASS,
            };
            server.faults().on_request(post.clone(), &create, fault, 1);
        }
    }
    for i in 0..lookups_per_call * CALLS {
        let fault = match i % 20 {
            5 | 15 => s5xx(i),
            10 => Fault::TooManyRequests { retry_after: None },
            _ => PASS,
        };
        server.faults().on_request(get.clone(), &lookup, fault, 1);
    }
    let f = run(backend, &server).await;
    report::<B>("429s and 5xx", &f);
    assert!(f.creates_sent > CALLS, "the 429s were retried");
}

/// The long run (`PAYOUT_SOAK_CALLS` sets the number of calls, 10,000 by default,
/// `PAYOUT_SOAK_CONCURRENCY` how many run at once, 500 by default): every fault at once, creates
/// and lookups alike, and a client timeout shorter than some answers. A call may end without its
/// withdrawal only as `outcome_unknown` (or `unavailable`/`rate_limited`); whatever the ending, no
/// reference is ever paid twice and the simulator holds at most one withdrawal per call, once the
/// slow answers have landed.
pub async fn soak<B: SimBackend>(backend: &B) {
    let calls: usize = std::env::var("PAYOUT_SOAK_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let server = backend.start().await;
    server.requests().set_enabled(false);
    let ((post, create), (get, lookup)) = endpoints(backend);
    let s5xx = |k: usize| crate::fault_matrix::status([500, 502, 503, 504][k % 4]);
    for block in 0..calls.div_ceil(100) {
        for i in 0..100 {
            let fault = match i {
                7 | 37 | 67 => Fault::CloseAfterActing,
                17 | 77 => Fault::CloseBeforeActing,
                27 | 57 => s5xx(block * 2 + i),
                47 => Fault::TruncatedBody,
                87 => Fault::MalformedJson,
                97 => Fault::Delay(Duration::from_millis(1500)),
                91 => Fault::TooManyRequests { retry_after: Some(1) },
                _ if i % 20 == 3 => Fault::TooManyRequests { retry_after: None },
                _ => PASS,
            };
            server.faults().on_request(post.clone(), &create, fault, 1);
        }
    }
    for i in 0..3 * calls {
        let fault = match i % 50 {
            5 | 25 => s5xx(i),
            15 => Fault::TooManyRequests { retry_after: None },
            35 => Fault::TruncatedBody,
            45 => Fault::CloseAfterActing,
            _ => PASS,
        };
        server.faults().on_request(get.clone(), &lookup, fault, 1);
    }
    let settings =
        ClientSettings { retry: Some(patient()), timeout: Some(Duration::from_secs(1)), ..ClientSettings::default() };
    let client = backend.client(&server, settings).expect("a client of the simulator");
    let at_once: usize = std::env::var("PAYOUT_SOAK_CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let started = Instant::now();
    let mut results: Vec<(usize, Result<Submitted, PayoutError>)> = futures::stream::iter(0..calls)
        .map(|i| {
            let client = client.clone();
            let request = backend.request(&reference(i));
            async move { (i, client.submit(&request).await) }
        })
        .buffer_unordered(at_once)
        .collect()
        .await;
    results.sort_by_key(|(i, _)| *i);
    let mut endings: HashMap<String, usize> = HashMap::new();
    let mut unresolved = Vec::new();
    for (i, result) in results {
        match result {
            Ok(s) => {
                assert_eq!(s.withdrawal.reference.as_ref().map(|r| r.as_str().to_owned()), Some(reference(i)));
                *endings.entry(format!("{:?}", s.path)).or_default() += 1;
            }
            Err(e) => {
                assert!(
                    matches!(e.kind(), ErrorKind::OutcomeUnknown | ErrorKind::Unavailable | ErrorKind::RateLimited),
                    "submit({}) ended with {}: {e}",
                    reference(i),
                    e.kind()
                );
                *endings.entry(e.kind().to_string()).or_default() += 1;
                unresolved.push(i);
            }
        }
    }
    let took = started.elapsed();
    let unresolved: HashSet<usize> = unresolved.into_iter().collect();
    // Let the slow answers land, then count every reference.
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.faults().clear();
    let mut twice = 0;
    let mut reconciled_later = 0;
    for i in 0..calls {
        let held = backend.holding(&server, &reference(i)).len();
        if held > 1 {
            twice += 1;
        }
        if unresolved.contains(&i) && held == 1 {
            reconciled_later += 1;
        }
    }
    let total = backend.count(&server);
    eprintln!(
        "{} soak: {calls} submits in {:.1} s: {endings:?}; {total} withdrawals; {reconciled_later} of {} unresolved calls found later; paid twice: {twice}",
        B::NAME,
        took.as_secs_f64(),
        unresolved.len()
    );
    assert_eq!(twice, 0, "a reference was paid twice");
    assert!(total <= calls, "{total} withdrawals for {calls} calls");
}

/// Declares a provider crate's money tests, each a call of this module with its [`SimBackend`]:
/// `a_tenth_of_the_creates_lose_their_answer_after_acting` ([`lost_answers`]),
/// `throttling_and_server_errors_spread_over_the_run` ([`throttling_and_server_errors`], with the
/// lookups the backend's fault arms per call) and the ignored long run `soak_every_fault_at_once`
/// ([`soak`]). The test crate needs tokio's `macros` and `rt-multi-thread`.
///
/// ```ignore
/// payout_sim::money_tests!(common::sim::Backend, lookups_per_call: 2);
/// ```
#[macro_export]
macro_rules! money_tests {
    ($backend:expr, lookups_per_call: $lookups:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_tenth_of_the_creates_lose_their_answer_after_acting() {
            $crate::money::lost_answers(&$backend).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn throttling_and_server_errors_spread_over_the_run() {
            $crate::money::throttling_and_server_errors(&$backend, $lookups).await;
        }

        /// The long run (`PAYOUT_SOAK_CALLS` sets the number of calls, 10,000 by default,
        /// `PAYOUT_SOAK_CONCURRENCY` how many run at once, 500 by default): every fault at once,
        /// creates and lookups alike, and a client timeout shorter than some answers. No
        /// reference is ever paid twice.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        #[ignore = "long run: see RELIABILITY.md"]
        async fn soak_every_fault_at_once() {
            $crate::money::soak(&$backend).await;
        }
    };
}
