//! The client against the Cryptomus simulator, beyond the shared suites.

use crate::common;

use common::sim::{Backend, client_for, start};
use payout_core::PayoutProvider;
use payout_sim::backend::SimBackend;

/// Creates arriving together on a fresh client read the services table once: the others wait
/// for that read instead of each sending their own (before the fix, 200 creates sent some 65).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_read_the_services_table_once() {
    let server = start().await;
    let client = std::sync::Arc::new(client_for(&server));
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let client = client.clone();
            let request = Backend.request(&format!("herd-{i}"));
            tokio::spawn(async move { client.create_withdrawal(&request).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("no create panics").expect("created");
    }
    let reads = server.requests().entries().iter().filter(|r| r.path.ends_with("/payout/services")).count();
    assert_eq!(reads, 1, "one services read for 200 creates");
    assert_eq!(server.count(), 200);
}
