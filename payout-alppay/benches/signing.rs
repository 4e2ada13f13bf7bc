//! Signing cost of a typical create body (target: under 3 µs). The keyed HMAC is cloned per body,
//! never re-keyed.
//!
//! Run: `cargo bench -p payout-alppay --bench signing` (see BENCHMARKS.md).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use payout_alppay::signing::Signer;

/// What `AlpPayClient` sends for a typical create (AlpPay's documented example, 235 bytes).
const BODY: &[u8] = br#"{"amount":"10","asset":{"short":"USDT","network":"tron"},"addressTo":"TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n","customer":{"id":1,"name":"Customer Name","email":"customer@example.com"},"destTag":"","invoice":"your-system-invoice-id"}"#;

fn signing(c: &mut Criterion) {
    let signer = Signer::new(&"sk_live_abcdef1234567890".into());
    let mut g = c.benchmark_group("signing");
    g.bench_function("alppay", |b| b.iter(|| signer.sign(black_box(BODY))));
    let signature = signer.sign(BODY);
    g.bench_function("alppay_verify", |b| b.iter(|| signer.verify(black_box(BODY), black_box(&signature))));
    g.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
