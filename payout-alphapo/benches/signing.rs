//! Signing cost: the keyed HMAC is cloned per body, not re-keyed (target: well under 3 µs for a
//! typical create body). Run with `cargo bench -p payout-alphapo`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payout_alphapo::signing::{Signer, sign};
use secrecy::SecretString;

const BODY: &[u8] = br#"{"currency":"BTC","foreign_id":"test_foreign_id_0148","end_user_reference":"test_end_user_reference","address":"tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc","amount":"0.00020000"}"#;

fn signing(c: &mut Criterion) {
    let secret = SecretString::from("sk_live_0123456789abcdef0123456789abcdef");
    let signer = Signer::new(&secret);
    let mut group = c.benchmark_group("alphapo_signature");
    group.throughput(Throughput::Bytes(BODY.len() as u64));
    group.bench_function("keyed_signer", |b| b.iter(|| signer.sign(black_box(BODY))));
    group.bench_function("rekeyed_each_time", |b| b.iter(|| sign(&secret, black_box(BODY))));
    let signature = signer.sign(BODY);
    group.bench_function("verify", |b| b.iter(|| signer.verify(black_box(BODY), black_box(&signature))));
    group.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
