//! What the client adds to a request on its own: signing a create body and reading a
//! withdrawal object. Both are noise next to a network round trip (tens of microseconds even on
//! loopback); this bench keeps it that way.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payout_alppay::mapping::parse_withdrawal;
use payout_alppay::signing::Signer;

const CREATE_BODY: &[u8] = br#"{"amount":"10","asset":{"short":"USDT","network":"tron"},"addressTo":"TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n","customer":{"id":1,"name":"Customer Name","email":"customer@example.com"},"destTag":"","invoice":"your-system-invoice-id"}"#;
const OBJECT: &str = include_str!("../tests/fixtures/withdrawal_complete.json");

fn bench(c: &mut Criterion) {
    let signer = Signer::new(&"sk_live_abcdef1234567890".into());
    let mut g = c.benchmark_group("alppay");
    g.throughput(Throughput::Bytes(CREATE_BODY.len() as u64));
    g.bench_function("sign_create_body", |b| b.iter(|| signer.sign(black_box(CREATE_BODY))));
    g.throughput(Throughput::Bytes(OBJECT.len() as u64));
    g.bench_function("parse_withdrawal", |b| b.iter(|| parse_withdrawal(black_box(OBJECT.as_bytes()))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
