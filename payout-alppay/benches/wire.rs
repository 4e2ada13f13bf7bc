//! What the client adds to a request on its own: reading a withdrawal object into the model,
//! beside the `serde_json::Value` parse a raw caller would do (signing is in
//! `payout-alphapo/benches/signing.rs`, group `signing`). Both are noise next to a network round trip (tens of microseconds even on
//! loopback); this bench keeps it that way.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payout_alppay::mapping::parse_withdrawal;

const OBJECT: &str = include_str!("../tests/fixtures/withdrawal_complete.json");

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("alppay");
    g.throughput(Throughput::Bytes(OBJECT.len() as u64));
    g.bench_function("parse_withdrawal", |b| b.iter(|| parse_withdrawal(black_box(OBJECT.as_bytes()))));
    // What a raw caller pays for the same object: a `serde_json::Value` and nothing more.
    g.bench_function("parse_value_only", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(OBJECT.as_bytes())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
