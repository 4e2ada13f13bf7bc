//! `list_all` fetches a page only when the consumer needs it, and stops on the last page.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use futures::{StreamExt, TryStreamExt};
use payout_core::{ErrorKind, ListQuery, MockPayoutProvider, Page, PayoutError, PayoutProviderExt, WithdrawalStatus};

/// A mock that serves `total` withdrawals in pages, reporting the total if `with_total`.
fn paged(total: u32, with_total: bool, calls: Arc<AtomicU32>) -> MockPayoutProvider {
    let mut p = MockPayoutProvider::new();
    p.expect_list_withdrawals().returning(move |q| {
        calls.fetch_add(1, Ordering::SeqCst);
        let start = q.page * q.limit;
        let items = (start..(start + q.limit).min(total))
            .map(|i| common::withdrawal(&i.to_string(), &format!("r{i}"), WithdrawalStatus::Pending))
            .collect();
        Ok(Page::new(items, q.page, q.limit, with_total.then_some(u64::from(total))))
    });
    p
}

#[tokio::test]
async fn pages_are_fetched_lazily() {
    let calls = Arc::new(AtomicU32::new(0));
    let p = paged(25, true, calls.clone());
    let mut stream = p.list_all(ListQuery::new().limit(10).unwrap());
    assert_eq!(calls.load(Ordering::SeqCst), 0, "nothing is fetched before the first poll");
    for _ in 0..10 {
        stream.try_next().await.unwrap().unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "ten items come from one page");
    stream.try_next().await.unwrap().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn stops_on_the_last_page_with_a_total() {
    let calls = Arc::new(AtomicU32::new(0));
    let p = paged(25, true, calls.clone());
    let all: Vec<_> = p.list_all(ListQuery::new().limit(10).unwrap()).try_collect().await.unwrap();
    let ids: Vec<_> = all.iter().map(|w| w.id.as_str().parse::<u32>().unwrap()).collect();
    assert_eq!(ids, (0..25).collect::<Vec<_>>(), "every item once, in order");
    assert_eq!(calls.load(Ordering::SeqCst), 3, "no request past the last page");
}

#[tokio::test]
async fn stops_on_a_short_page_without_a_total() {
    let calls = Arc::new(AtomicU32::new(0));
    let p = paged(20, false, calls.clone());
    let n = p.list_all(ListQuery::new().limit(10).unwrap()).count().await;
    assert_eq!(n, 20);
    // pages 0 and 1 are full, so page 2 is asked for and comes back empty
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn starts_at_the_query_page() {
    let calls = Arc::new(AtomicU32::new(0));
    let p = paged(30, true, calls);
    let n = p.list_all(ListQuery::new().limit(10).unwrap().page(2)).count().await;
    assert_eq!(n, 10);
}

#[tokio::test]
async fn an_error_ends_the_stream() {
    let mut p = MockPayoutProvider::new();
    p.expect_list_withdrawals().times(1).returning(|_| Err(PayoutError::unavailable("down", None)));
    let results: Vec<_> = p.list_all(ListQuery::new()).collect().await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].as_ref().unwrap_err().kind(), ErrorKind::Unavailable);
}

#[tokio::test]
async fn unsupported_listing_is_reported() {
    let mut p = MockPayoutProvider::new();
    p.expect_list_withdrawals()
        .returning(|_| Err(PayoutError::unsupported(payout_core::ProviderId::from_static("x"), "listing withdrawals")));
    let first = p.list_all(ListQuery::new()).next().await.unwrap();
    assert_eq!(first.unwrap_err().kind(), ErrorKind::Unsupported);
}

/// A mock that pages `total` withdrawals by cursor: the cursor is the index of the next item,
/// written as opaque text; the last page hands out none, however full it is.
fn cursored(total: u32, seen: Arc<std::sync::Mutex<Vec<Option<String>>>>) -> MockPayoutProvider {
    let mut p = MockPayoutProvider::new();
    p.expect_list_withdrawals().returning(move |q| {
        seen.lock().unwrap().push(q.cursor.clone());
        assert_eq!(q.page, 0, "a cursor-paged listing is never asked for a page number");
        let start: u32 = q.cursor.as_deref().map_or(0, |c| c.trim_start_matches("at-").parse().unwrap());
        let end = (start + q.limit).min(total);
        let items = (start..end)
            .map(|i| common::withdrawal(&i.to_string(), &format!("r{i}"), WithdrawalStatus::Pending))
            .collect();
        Ok(Page::cursored(items, q.limit, (end < total).then(|| format!("at-{end}"))))
    });
    p
}

#[tokio::test]
async fn follows_the_cursor_and_stops_without_one() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let p = cursored(30, seen.clone());
    let all: Vec<_> = p.list_all(ListQuery::new().limit(10).unwrap()).try_collect().await.unwrap();
    let ids: Vec<_> = all.iter().map(|w| w.id.as_str().parse::<u32>().unwrap()).collect();
    assert_eq!(ids, (0..30).collect::<Vec<_>>(), "every item once, in order");
    // The third page is full but hands out no cursor: the end, with no request past it.
    assert_eq!(*seen.lock().unwrap(), vec![None, Some("at-10".to_owned()), Some("at-20".to_owned())]);
}

#[tokio::test]
async fn starts_at_the_query_cursor() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let p = cursored(25, seen.clone());
    let n = p.list_all(ListQuery::new().limit(10).unwrap().cursor("at-20")).count().await;
    assert_eq!(n, 5);
    assert_eq!(*seen.lock().unwrap(), vec![Some("at-20".to_owned())]);
}

#[tokio::test]
async fn a_cursor_handed_back_unchanged_ends_the_listing() {
    let calls = Arc::new(AtomicU32::new(0));
    let counted = calls.clone();
    let mut p = MockPayoutProvider::new();
    p.expect_list_withdrawals().returning(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
        let item = common::withdrawal("1", "r1", WithdrawalStatus::Pending);
        Ok(Page::cursored(vec![item], 1, Some("same".into())))
    });
    let n = p.list_all(ListQuery::new().limit(1).unwrap().cursor("same")).count().await;
    assert_eq!(n, 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the same cursor again would repeat the page forever");
}

#[test]
fn has_more_follows_whichever_paging_the_page_has() {
    let w = || common::withdrawal("1", "r1", WithdrawalStatus::Pending);
    assert!(Page::new(vec![w()], 0, 1, None).has_more(), "a full numbered page");
    assert!(!Page::cursored(vec![w()], 1, None).has_more(), "full, but no cursor");
    assert!(Page::cursored(vec![w()], 5, Some("c".into())).has_more(), "short, but a cursor");
    assert!(!Page::<payout_core::Withdrawal>::cursored(vec![], 5, Some("c".into())).has_more(), "empty ends it");
}
