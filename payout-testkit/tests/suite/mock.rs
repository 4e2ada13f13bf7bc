//! The mockall mock is re-exported and usable behind `Arc<dyn PayoutProvider>`.

use std::sync::Arc;

use payout_core::{ErrorKind, PayoutError, PayoutProvider, ProviderId, Reference};
use payout_testkit::MockPayoutProvider;

#[tokio::test]
async fn the_mock_scripts_answers() {
    let mut mock = MockPayoutProvider::new();
    mock.expect_id().return_const(ProviderId::from_static("mocked"));
    mock.expect_find_withdrawal()
        .withf(|r| r.as_str() == "order-1")
        .times(1)
        .returning(|_| Err(PayoutError::RateLimited { retry_after: None }));
    let provider: Arc<dyn PayoutProvider> = Arc::new(mock);
    let reference = Reference::new("order-1").expect("valid");
    let err = provider.find_withdrawal(&reference).await.expect_err("scripted");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(provider.id().as_str(), "mocked");
}
