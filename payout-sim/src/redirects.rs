//! The check that a client never takes a signed request to another host: an origin that
//! redirects every request elsewhere (`302` for `GET`, `307` for `POST`), and a driver that
//! asserts what a provider's client does with it (`payout-alphapo/tests/secrets_tracing.rs`,
//! `payout-alppay/tests/secrets_tracing.rs`).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::response::IntoResponse;
use http::{Method, StatusCode, header};
use payout_core::{ErrorKind, PayoutError};

/// The default client follows no redirect, so `first` and `second` (two operations of a client
/// built by `client(origin_url, None)`, each sending a signed request to the origin) fail as
/// `Protocol` errors and nothing reaches the other host; a client built on a caller's own
/// `reqwest::Client` that follows redirects (`client(origin_url, Some(follows))`) has its
/// `first` (a create) refused as `OutcomeUnknown`, naming `Policy::none`.
pub async fn assert_redirects_never_followed<C, T, U, F1, F2>(
    client: impl Fn(&str, Option<reqwest::Client>) -> C,
    first: impl Fn(C) -> F1,
    second: impl Fn(C) -> F2,
) where
    F1: Future<Output = Result<T, PayoutError>>,
    F2: Future<Output = Result<U, PayoutError>>,
    T: std::fmt::Debug,
    U: std::fmt::Debug,
{
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = reached.clone();
    let elsewhere = serve(Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { StatusCode::OK }
    }))
    .await;
    let target = format!("{elsewhere}/steal");
    let origin = serve(Router::new().fallback(move |method: Method| {
        let status = if method == Method::GET { StatusCode::FOUND } else { StatusCode::TEMPORARY_REDIRECT };
        let target = target.clone();
        async move { (status, [(header::LOCATION, target)]).into_response() }
    }))
    .await;

    assert_eq!(first(client(&origin, None)).await.unwrap_err().kind(), ErrorKind::Protocol);
    assert_eq!(second(client(&origin, None)).await.unwrap_err().kind(), ErrorKind::Protocol);
    assert_eq!(reached.load(Ordering::SeqCst), 0, "the signed request reached another host");

    let follows = reqwest::Client::builder().no_proxy().build().expect("a plain reqwest client builds");
    let e = first(client(&origin, Some(follows))).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert!(e.to_string().contains("Policy::none"), "{e}");
}

/// Serves `app` on a free loopback port; its base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
    let url = format!("http://{}", listener.local_addr().expect("a bound address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}
