//! Signing cost of a typical create body with both providers' signers, in one group so they are
//! compared in one run (target: under 3 µs each). The keyed HMAC is cloned per body, never
//! re-keyed; `alphapo_rekeyed` shows what re-keying would cost.
//!
//! Run: `cargo bench -p payout-alphapo --bench signing` (see BENCHMARKS.md).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payout_alphapo::signing::{Signer as AlphaPoSigner, sign};
use payout_alppay::signing::Signer as AlpPaySigner;
use secrecy::SecretString;

/// What `AlphaPoClient` sends for a typical create (186 bytes).
const ALPHAPO_BODY: &[u8] = br#"{"currency":"BTC","foreign_id":"test_foreign_id_0148","end_user_reference":"test_end_user_reference","address":"tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc","amount":"0.00020000"}"#;
/// What `AlpPayClient` sends for a typical create (AlpPay's documented example, 235 bytes).
const ALPPAY_BODY: &[u8] = br#"{"amount":"10","asset":{"short":"USDT","network":"tron"},"addressTo":"TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n","customer":{"id":1,"name":"Customer Name","email":"customer@example.com"},"destTag":"","invoice":"your-system-invoice-id"}"#;

fn signing(c: &mut Criterion) {
    let secret = SecretString::from("sk_live_0123456789abcdef0123456789abcdef");
    let alphapo = AlphaPoSigner::new(&secret);
    let alppay = AlpPaySigner::new(&"sk_live_abcdef1234567890".into());

    let mut g = c.benchmark_group("signing");
    g.bench_function("alphapo", |b| b.iter(|| alphapo.sign(black_box(ALPHAPO_BODY))));
    g.bench_function("alppay", |b| b.iter(|| alppay.sign(black_box(ALPPAY_BODY))));
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
