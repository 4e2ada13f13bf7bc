//! The client-against-raw comparison the provider crates' benches share (feature `bench`; for
//! benches only, never for applications).
//!
//! Each group has three ids ([`Side`]): `client` (the library), `raw` (the same HTTP exchange
//! written with plain reqwest 0.13, the library's own stack) and `raw-0.11` (the same exchange
//! with plain reqwest 0.11, the stack older clients are built on; a renamed dev-dependency of
//! the benches, brought in through [`raw_http!`](crate::raw_http)). Each timed iteration of one
//! follows an untimed iteration of another (`raw` for `client`, `client` for the raw ids), so
//! all see the same machine load. Under `cargo bench` paired ratios follow criterion's figures:
//! rounds of one run of each side back to back (each round in another order), and the median of
//! the per-round ratios client/raw and client/raw-0.11 with their quartiles, the most robust
//! figures a shared machine allows.
//!
//! With `PAYOUT_BENCH_PROFILE=GROUP/SIDE/N` in the environment a bench binary runs nothing but
//! `N` iterations of one side of one group, for `valgrind --tool=callgrind` or `perf`: the
//! instructions of two such runs (two `N`) differ by the cost of the extra iterations alone.

use std::future::Future;
use std::time::{Duration, Instant};

pub use bytes::Bytes;
use criterion::{Criterion, Throughput};

/// One side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The library.
    Client,
    /// The same exchange with plain reqwest 0.13.
    Raw,
    /// The same exchange with plain reqwest 0.11.
    Raw011,
}

impl Side {
    /// Every side, in the order criterion measures them.
    pub const ALL: [Side; 3] = [Side::Client, Side::Raw, Side::Raw011];

    /// The criterion id (and the name `PAYOUT_BENCH_PROFILE` takes).
    pub fn id(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Raw => "raw",
            Side::Raw011 => "raw-0.11",
        }
    }

    /// The side whose untimed iteration precedes each timed one of this side.
    fn partner(self) -> Side {
        if self == Side::Client { Side::Raw } else { Side::Client }
    }
}

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
    /// with `pairs` rounds of the paired ratios.
    pub fn new(group: &'a str, elements: u64, pairs: usize) -> Self {
        Self { group, elements, pairs, samples: None }
    }

    /// This comparison with criterion's sample size set (for slow runs).
    pub fn samples(mut self, n: usize) -> Self {
        self.samples = Some(n);
        self
    }

    /// Measures `run(side)` for every [`Side`] on `rt`, interleaved, then prints the paired
    /// ratios when [`wanted`] says so. Under `PAYOUT_BENCH_PROFILE` it runs only the side and
    /// count named there, if they are of this group.
    pub fn run<F, Fut>(&self, c: &mut Criterion, rt: &tokio::runtime::Runtime, run: F)
    where
        F: Fn(Side) -> Fut,
        Fut: Future<Output = ()>,
    {
        if let Some(profile) = Profile::from_env() {
            if profile.group == self.group {
                rt.block_on(async {
                    for _ in 0..profile.iterations {
                        run(profile.side).await;
                    }
                });
            }
            return;
        }
        let mut g = c.benchmark_group(self.group);
        g.throughput(Throughput::Elements(self.elements));
        if let Some(n) = self.samples {
            g.sample_size(n);
        }
        for side in Side::ALL {
            g.bench_function(side.id(), |b| {
                b.to_async(rt).iter_custom(|iters| interleaved(iters, || run(side), || run(side.partner())))
            });
        }
        g.finish();
        if wanted(self.group) {
            rt.block_on(paired(self.group, self.pairs, &run));
        }
    }
}

/// A listing group: checks that every side's `list(side)` reads all `seeded` withdrawals, then
/// measures them ([`Comparison`] of `seeded` elements, 40 rounds of pairs, 20 samples: a
/// listing run is slow).
pub fn listing<F, Fut>(c: &mut Criterion, rt: &tokio::runtime::Runtime, group: &str, seeded: usize, list: F)
where
    F: Fn(Side) -> Fut,
    Fut: Future<Output = usize>,
{
    for side in Side::ALL {
        assert_eq!(rt.block_on(list(side)), seeded, "{group}: {} reads every seeded withdrawal", side.id());
    }
    let run = |side: Side| {
        let listed = list(side);
        async move {
            std::hint::black_box(listed.await);
        }
    };
    Comparison::new(group, seeded as u64, 40).samples(20).run(c, rt, run);
}

/// What `PAYOUT_BENCH_PROFILE=GROUP/SIDE/N` asks for.
struct Profile {
    group: String,
    side: Side,
    iterations: u64,
}

impl Profile {
    fn from_env() -> Option<Self> {
        let spec = std::env::var("PAYOUT_BENCH_PROFILE").ok()?;
        let mut parts = spec.rsplitn(3, '/');
        let (n, side, group) = (parts.next()?, parts.next()?, parts.next()?);
        let side = Side::ALL.into_iter().find(|s| s.id() == side);
        match (side, n.parse()) {
            (Some(side), Ok(iterations)) => Some(Self { group: group.to_owned(), side, iterations }),
            _ => panic!("PAYOUT_BENCH_PROFILE is GROUP/SIDE/N with SIDE one of client, raw, raw-0.11: {spec}"),
        }
    }
}

/// The `User-Agent` both raw sides send, the one `payout-core`'s HTTP client sends.
pub const USER_AGENT: &str = concat!("payout/", env!("CARGO_PKG_VERSION"));

/// A request method, as the raw sides send them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

/// A plain reqwest client of one version, as a raw side uses it: the exchange written once for
/// every version (by [`raw_http!`](crate::raw_http)).
pub trait RawHttp {
    /// Sends one request with these headers and body and reads the answer whole.
    fn exchange(
        &self,
        method: Method,
        url: &str,
        headers: &[(&'static str, &str)],
        body: Option<Vec<u8>>,
    ) -> impl Future<Output = RawAnswer>;
}

/// What a raw side got back: the status and the body, read whole.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body as it came.
    pub body: Bytes,
}

impl RawAnswer {
    /// The status and the body parsed as JSON (every provider answers JSON).
    pub fn json(&self) -> (u16, serde_json::Value) {
        (self.status, serde_json::from_slice(&self.body).expect("raw JSON"))
    }
}

/// Writes `pub struct NAME(pub CRATE::Client)` and its [`RawHttp`] for a reqwest-like `CRATE`
/// (reqwest itself, or reqwest 0.11 renamed as a bench's dev-dependency), with `NAME::new()`
/// building it with the settings `payout-core`'s HTTP client builds by default, and then
/// `configure`, a function of the version's `ClientBuilder` (for settings only one version has).
#[macro_export]
macro_rules! raw_http {
    ($(#[$meta:meta])* $name:ident, $reqwest:ident) => {
        $crate::raw_http!($(#[$meta])* $name, $reqwest, ::std::convert::identity);
    };
    ($(#[$meta:meta])* $name:ident, $reqwest:ident, $configure:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name(pub $reqwest::Client);

        impl $name {
            /// A client with `payout-core`'s default settings: no proxy, no redirects, 10 s to
            /// connect, connections idle up to 60 s.
            pub fn new() -> Self {
                let client = $reqwest::Client::builder()
                    .no_proxy()
                    .redirect($reqwest::redirect::Policy::none())
                    .connect_timeout(::std::time::Duration::from_secs(10))
                    .pool_idle_timeout(::std::time::Duration::from_secs(60))
                    .user_agent($crate::bench::USER_AGENT);
                let client = ($configure)(client).build().expect("reqwest client");
                Self(client)
            }
        }

        impl ::std::default::Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $crate::bench::RawHttp for $name {
            async fn exchange(
                &self,
                method: $crate::bench::Method,
                url: &str,
                headers: &[(&'static str, &str)],
                body: ::std::option::Option<::std::vec::Vec<u8>>,
            ) -> $crate::bench::RawAnswer {
                let mut request = match method {
                    $crate::bench::Method::Get => self.0.get(url),
                    $crate::bench::Method::Post => self.0.post(url),
                };
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                if let Some(body) = body {
                    request = request.body(body);
                }
                let response = request.send().await.expect("raw request");
                let status = response.status().as_u16();
                $crate::bench::RawAnswer { status, body: response.bytes().await.expect("raw body") }
            }
        }
    };
}

crate::raw_http!(
    /// Plain reqwest 0.13, the stack the library is built on, with its own retries off as the
    /// library's default client has them.
    Reqwest013,
    reqwest,
    |builder: reqwest::ClientBuilder| builder.retry(crate::http::no_transport_retries())
);

/// The HTTP client the library and the `raw` side share: the settings `payout-core`'s HTTP
/// client builds by default (handed to the library with its builder's `.client(..)`).
pub fn http_client() -> reqwest::Client {
    Reqwest013::new().0
}

/// Reads a listing stream (`list_all`) to its end, each withdrawal through `black_box`, and
/// returns how many there were; panics on an error (a bench's listing never fails).
pub async fn drain(mut stream: futures::stream::BoxStream<'_, Result<crate::Withdrawal, crate::PayoutError>>) -> usize {
    use futures::TryStreamExt;
    let mut seen = 0;
    while let Some(w) = stream.try_next().await.expect("page") {
        std::hint::black_box(&w);
        seen += 1;
    }
    seen
}

/// Times `iters` runs of `timed`, each preceded by an untimed run of `other` (another side of
/// the comparison), so that every side sees the same machine load, iteration by iteration.
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

/// The six orders of the three sides; round `i` runs them in order `i % 6`, so that no side is
/// always first or last.
const ORDERS: [[usize; 3]; 6] = [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1], [2, 1, 0], [1, 0, 2]];

/// `pairs` rounds of one run of each side back to back (in turn in each order), and the median
/// of the per-round ratios client/raw and client/raw-0.11 with their quartiles, printed one per
/// line.
pub async fn paired<F, Fut>(group: &str, pairs: usize, run: F)
where
    F: Fn(Side) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut ratios = [Vec::with_capacity(pairs), Vec::with_capacity(pairs)];
    for round in 0..pairs {
        let mut took = [Duration::ZERO; 3];
        for i in ORDERS[round % ORDERS.len()] {
            let t = Instant::now();
            run(Side::ALL[i]).await;
            took[i] = t.elapsed();
        }
        for (raw, ratios) in ratios.iter_mut().enumerate() {
            ratios.push(took[0].as_secs_f64() / took[raw + 1].as_secs_f64());
        }
    }
    for (raw, ratios) in ratios.iter_mut().enumerate() {
        ratios.sort_by(f64::total_cmp);
        let q = |p: f64| ratios[((ratios.len() - 1) as f64 * p).round() as usize];
        println!(
            "{group}: paired client/{} ratio over {pairs} rounds: median {:.3} (quartiles {:.3}–{:.3})",
            Side::ALL[raw + 1].id(),
            q(0.5),
            q(0.25),
            q(0.75)
        );
    }
}

/// The runtime a bench's simulator serves from, apart from the runtime that times the client:
/// one worker thread named `thread_name`, so that the simulator never takes the timed side's
/// threads.
pub fn simulator_runtime(thread_name: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(thread_name)
        .enable_all()
        .build()
        .expect("simulator runtime")
}
