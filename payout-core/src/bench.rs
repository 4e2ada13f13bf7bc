//! The client-against-raw comparison the provider crates' benches share (feature `bench`; for
//! benches only, never for applications).
//!
//! Each group has a `client` id (the library) and a `raw` id (the same HTTP exchange written
//! with plain reqwest), measured interleaved: every timed iteration of one follows an untimed
//! iteration of the other, so both see the same machine load. Under `cargo bench` a paired
//! ratio follows criterion's figures: rounds of one client run and one raw run back to back
//! (alternating which goes first), and the median of the per-round ratios client/raw with its
//! quartiles, the most robust figure a shared machine allows.

use std::future::Future;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};

/// One group of the comparison.
#[derive(Debug, Clone)]
pub struct Comparison<'a> {
    group: &'a str,
    elements: u64,
    pairs: usize,
    samples: Option<usize>,
}

impl<'a> Comparison<'a> {
    /// The group `group`, whose every run handles `elements` items (criterion's throughput),
    /// with `pairs` rounds of the paired ratio.
    pub fn new(group: &'a str, elements: u64, pairs: usize) -> Self {
        Self { group, elements, pairs, samples: None }
    }

    /// This comparison with criterion's sample size set (for slow runs).
    pub fn samples(mut self, n: usize) -> Self {
        self.samples = Some(n);
        self
    }

    /// Measures `run(true)` (the client) against `run(false)` (raw) on `rt`, interleaved, then
    /// prints the paired ratio when [`wanted`] says so.
    pub fn run<F, Fut>(&self, c: &mut Criterion, rt: &tokio::runtime::Runtime, run: F)
    where
        F: Fn(bool) -> Fut,
        Fut: Future<Output = ()>,
    {
        let mut g = c.benchmark_group(self.group);
        g.throughput(Throughput::Elements(self.elements));
        if let Some(n) = self.samples {
            g.sample_size(n);
        }
        for (id, client) in [("client", true), ("raw", false)] {
            g.bench_function(id, |b| {
                b.to_async(rt).iter_custom(|iters| interleaved(iters, || run(client), || run(!client)))
            });
        }
        g.finish();
        if wanted(self.group) {
            rt.block_on(paired(self.group, self.pairs, || run(true), || run(false)));
        }
    }
}

/// The HTTP client both sides of a comparison share: the settings `payout-core`'s HTTP client
/// builds by default (handed to the library with its builder's `.client(..)`).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("payout/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("reqwest client")
}

/// Times `iters` runs of `timed`, each preceded by an untimed run of `other` (the other side of
/// the comparison), so that client and raw see the same machine load, iteration by iteration.
pub async fn interleaved<T, O, FT, FO>(iters: u64, timed: T, other: O) -> Duration
where
    T: Fn() -> FT,
    O: Fn() -> FO,
    FT: Future<Output = ()>,
    FO: Future<Output = ()>,
{
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        other().await;
        let start = Instant::now();
        timed().await;
        total += start.elapsed();
    }
    total
}

/// Whether the paired comparison of `group` should run: only under `cargo bench` (not when
/// criterion runs the benches once as tests) and when no filter excludes the group.
pub fn wanted(group: &str) -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        return false;
    }
    let mut filters = Vec::new();
    let mut skip_value = false;
    for a in &args {
        if skip_value {
            skip_value = false;
        } else if a.starts_with("--") {
            // Criterion's options that take a value.
            skip_value = !a.contains('=') && !matches!(a.as_str(), "--bench" | "--quick" | "--noplot" | "--exact");
        } else {
            filters.push(a.as_str());
        }
    }
    filters.is_empty() || filters.iter().any(|f| group.contains(f) || f.starts_with(group))
}

/// `pairs` rounds of one client run and one raw run back to back (alternating which goes
/// first), and the median of the per-round ratios client/raw with its quartiles, printed.
pub async fn paired<C, R, FC, FR>(group: &str, pairs: usize, client: C, raw: R)
where
    C: Fn() -> FC,
    R: Fn() -> FR,
    FC: Future<Output = ()>,
    FR: Future<Output = ()>,
{
    let mut ratios = Vec::with_capacity(pairs);
    for round in 0..pairs {
        let (c, r) = if round % 2 == 0 {
            let t = Instant::now();
            client().await;
            let c = t.elapsed();
            let t = Instant::now();
            raw().await;
            (c, t.elapsed())
        } else {
            let t = Instant::now();
            raw().await;
            let r = t.elapsed();
            let t = Instant::now();
            client().await;
            (t.elapsed(), r)
        };
        ratios.push(c.as_secs_f64() / r.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let q = |p: f64| ratios[((ratios.len() - 1) as f64 * p).round() as usize];
    println!(
        "{group}: paired client/raw ratio over {pairs} rounds: median {:.3} (quartiles {:.3}–{:.3})",
        q(0.5),
        q(0.25),
        q(0.75)
    );
}
