//! What the client adds to a lookup on its own: reading AlphaPo's transaction object into the
//! model (typed parse with exact amounts, the raw JSON kept, the mapping), beside the
//! `serde_json::Value` parse a raw caller would do. The object is the simulator's answer for a
//! confirmed withdrawal.
//!
//! Run: `cargo bench -p payout-alphapo --bench wire`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payout_alphapo::mapping::from_transaction;
use payout_alphapo::wire::Transaction;
use payout_testkit::sim::{AlphaPoConfig, AlphaPoSim, AlphaPoStatus};

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
            let tx: Transaction = serde_json::from_slice(body).expect("typed");
            let raw: serde_json::Value = serde_json::from_slice(body).expect("raw");
            from_transaction(&tx, raw)
        })
    });
    g.bench_function("typed_only", |b| b.iter(|| serde_json::from_slice::<Transaction>(black_box(&object))));
    g.bench_function("value_only", |b| b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&object))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
