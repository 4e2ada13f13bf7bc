//! `watch` and `wait_until_final` follow a withdrawal until it is final or time runs out.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures::TryStreamExt;
use payout_core::{
    ErrorKind, MockPayoutProvider, PayoutError, PayoutProviderExt, WatchOptions, WithdrawalId, WithdrawalStatus,
};

fn options() -> WatchOptions {
    WatchOptions {
        interval: Duration::from_secs(1),
        max_interval: Duration::from_secs(4),
        timeout: Duration::from_secs(60),
    }
}

/// A provider whose withdrawal goes through `script`, one entry per poll, then stays on the last.
fn scripted(script: Vec<Result<WithdrawalStatus, PayoutError>>) -> (MockPayoutProvider, Arc<AtomicU32>) {
    let polls = Arc::new(AtomicU32::new(0));
    let counter = polls.clone();
    let mut p = MockPayoutProvider::new();
    p.expect_get_withdrawal().returning(move |id| {
        let n = counter.fetch_add(1, Ordering::SeqCst) as usize;
        match &script[n.min(script.len() - 1)] {
            Ok(s) => Ok(common::withdrawal(id.as_str(), "r", *s)),
            Err(e) => Err(e.clone()),
        }
    });
    (p, polls)
}

#[tokio::test(start_paused = true)]
async fn yields_each_change_until_final() {
    use WithdrawalStatus::*;
    let (p, _) = scripted(vec![Ok(Pending), Ok(Pending), Ok(Approved), Ok(Approved), Ok(Completed)]);
    let seen: Vec<_> = p.watch(WithdrawalId::new("1"), options()).map_ok(|w| w.status).try_collect().await.unwrap();
    assert_eq!(seen, vec![Pending, Approved, Completed]);
}

#[tokio::test(start_paused = true)]
async fn rides_out_retryable_errors() {
    use WithdrawalStatus::*;
    let busy = PayoutError::RateLimited { retry_after: Some(Duration::from_secs(2)) };
    let (p, _) = scripted(vec![Ok(Processing), Err(busy), Ok(Completed)]);
    let w = p.wait_until_final(&WithdrawalId::new("1"), options()).await.unwrap();
    assert_eq!(w.status, Completed);
}

#[tokio::test(start_paused = true)]
async fn stops_on_a_fatal_error() {
    let (p, _) = scripted(vec![Err(PayoutError::NotFound { what: "withdrawal 1".into() })]);
    let err = p.wait_until_final(&WithdrawalId::new("1"), options()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test(start_paused = true)]
async fn returns_the_last_state_at_the_timeout_with_backoff() {
    let (p, polls) = scripted(vec![Ok(WithdrawalStatus::Pending)]);
    let w = p.wait_until_final(&WithdrawalId::new("1"), options()).await.unwrap();
    assert_eq!(w.status, WithdrawalStatus::Pending);
    assert!(!w.status.is_terminal());
    // waits of 1, 2, 4, 4, ... seconds over 60 s: about 16 polls, far fewer than 60
    let n = polls.load(Ordering::SeqCst);
    assert!((10..=20).contains(&n), "polled {n} times");
}
