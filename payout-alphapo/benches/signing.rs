//! Signing cost of a typical create body (target: under 3 µs). The keyed HMAC is cloned per
//! body, never re-keyed; `alphapo_rekeyed` shows what re-keying would cost. AlpPay's signer is
//! measured in its own crate (`cargo bench -p payout-alppay --bench signing`), so that no bench
//! makes one provider crate depend on the other.
//!
//! Run: `cargo bench -p payout-alphapo --bench signing` (see BENCHMARKS.md).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payout_alphapo::signing::{Signer as AlphaPoSigner, sign};
use secrecy::SecretString;

/// What `AlphaPoClient` sends for a typical create (186 bytes).
const ALPHAPO_BODY: &[u8] = br#"{"currency":"BTC","foreign_id":"test_foreign_id_0148","end_user_reference":"test_end_user_reference","address":"tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc","amount":"0.00020000"}"#;

fn signing(c: &mut Criterion) {
    let secret = SecretString::from("sk_live_0123456789abcdef0123456789abcdef");
    let alphapo = AlphaPoSigner::new(&secret);

    let mut g = c.benchmark_group("signing");
    g.bench_function("alphapo", |b| b.iter(|| alphapo.sign(black_box(ALPHAPO_BODY))));
    g.finish();

    let mut g = c.benchmark_group("signing_detail");
    g.throughput(Throughput::Bytes(ALPHAPO_BODY.len() as u64));
    g.bench_function("alphapo_rekeyed", |b| b.iter(|| sign(&secret, black_box(ALPHAPO_BODY))));
    let signature = alphapo.sign(ALPHAPO_BODY);
    g.bench_function("alphapo_verify", |b| b.iter(|| alphapo.verify(black_box(ALPHAPO_BODY), black_box(&signature))));
    g.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
