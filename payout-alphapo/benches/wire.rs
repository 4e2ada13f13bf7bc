//! What the client adds to a lookup on its own: reading AlphaPo's transaction object into the
//! model (the object's text kept as `RawJson`, the typed parse with exact amounts read from that
//! text, the mapping: what the client does), beside the
//! `serde_json::Value` parse a raw caller would do. The object is the simulator's answer for a
//! confirmed withdrawal.
//!
//! Run: `cargo bench -p payout-alphapo --bench wire`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payout_alphapo::mapping::from_transaction;
use payout_alphapo::wire::Transaction;
use payout_core::RawJson;
use payout_sim::{AlphaPoConfig, AlphaPoSim, AlphaPoStatus};
use serde_json::value::RawValue;

fn bench(c: &mut Criterion) {
    let sim = AlphaPoSim::new(AlphaPoConfig::default());
    let id = sim.seed(1)[0];
    sim.set_status(id, AlphaPoStatus::Confirmed).expect("known id");
    let object = sim.wire_object(id).expect("the lookup answer");

    let mut g = c.benchmark_group("alphapo_answer");
    g.throughput(Throughput::Bytes(object.len() as u64));
    g.bench_function("client_parse", |b| {
        b.iter(|| {
            let body = black_box(&object[..]);
            let raw: &RawValue = serde_json::from_slice(body).expect("raw");
            let tx: Transaction = serde_json::from_str(raw.get()).expect("typed");
            from_transaction(&tx, RawJson::from(raw))
        })
    });
    g.bench_function("typed_only", |b| b.iter(|| serde_json::from_slice::<Transaction>(black_box(&object))));
    g.bench_function("value_only", |b| b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&object))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
