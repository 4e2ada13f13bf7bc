//! Errors say what happened and what to do, carry what a caller needs, and sort into categories.

use std::time::Duration;

use payout_core::{ErrorKind, FieldError, PayoutError, ProviderId, Reference};

#[test]
fn categories_and_retryability() {
    let r = Reference::new("order-9").unwrap();
    let cases = [
        (PayoutError::invalid_field("amount", "must be positive"), ErrorKind::InvalidRequest, false),
        (PayoutError::unsupported(ProviderId::from_static("alphapo"), "listing"), ErrorKind::Unsupported, false),
        (PayoutError::configuration("ALPHAPO_API_KEY is not set"), ErrorKind::Configuration, false),
        (
            PayoutError::Authentication { message: "Bad key".into(), status: Some(403) },
            ErrorKind::Authentication,
            false,
        ),
        (
            PayoutError::Rejected {
                message: "invalid".into(),
                errors: vec![FieldError::new("amount", "too small")],
                code: None,
                status: Some(400),
            },
            ErrorKind::Rejected,
            false,
        ),
        (PayoutError::DuplicateReference { reference: r.clone() }, ErrorKind::DuplicateReference, false),
        (PayoutError::NotFound { what: "withdrawal 1".into() }, ErrorKind::NotFound, false),
        (PayoutError::RateLimited { retry_after: Some(Duration::from_secs(3)) }, ErrorKind::RateLimited, true),
        (PayoutError::unavailable("503", Some(503)), ErrorKind::Unavailable, true),
        (PayoutError::outcome_unknown(r.clone(), "reset"), ErrorKind::OutcomeUnknown, false),
        (PayoutError::protocol("bad json", Some(200), b"{"), ErrorKind::Protocol, false),
        (PayoutError::webhook("bad signature"), ErrorKind::Webhook, false),
    ];
    for (err, kind, retryable) in cases {
        assert_eq!(err.kind(), kind, "{err}");
        assert_eq!(err.is_retryable(), retryable, "{err}");
        assert!(!kind.as_str().is_empty());
    }
}

#[test]
fn messages_carry_what_to_act_on() {
    let unknown = PayoutError::outcome_unknown(Reference::new("order-9").unwrap(), "reset");
    let text = unknown.to_string();
    assert!(text.contains("order-9") && text.contains("never by creating again"), "{text}");
    let limited = PayoutError::RateLimited { retry_after: Some(Duration::from_secs(3)) };
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
    assert!(limited.to_string().contains("retry after 3"), "{limited}");
    let rejected = PayoutError::Rejected {
        message: "validation failed".into(),
        errors: vec![FieldError::new("amount", "The amount must be at least 0.001.")],
        code: None,
        status: Some(400),
    };
    assert!(rejected.to_string().contains("amount: The amount must be at least 0.001."), "{rejected}");
    let body = vec![b'x'; 10_000];
    match PayoutError::protocol("huge", None, &body) {
        PayoutError::Protocol { body, .. } => assert_eq!(body.len(), 4096, "the raw body is kept, cut to a few KiB"),
        other => panic!("{other}"),
    }
}

#[test]
fn unavailable_and_outcome_unknown_keep_a_cause_that_other_variants_do_not() {
    use std::error::Error as _;
    let io = || std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
    let unavailable = PayoutError::unavailable("down", None).with_source(io());
    assert_eq!(unavailable.source().map(ToString::to_string).as_deref(), Some("connection reset by peer"));
    assert_eq!(unavailable.kind(), ErrorKind::Unavailable);
    let unknown = PayoutError::outcome_unknown(Reference::new("order-9").unwrap(), "reset").with_source(io());
    assert_eq!(unknown.kind(), ErrorKind::OutcomeUnknown);
    assert!(unknown.clone().source().is_some());
    assert!(PayoutError::unavailable("down", None).source().is_none());
    let config = PayoutError::configuration("no key").with_source(io());
    assert!(config.source().is_none(), "a configuration error has no transport cause");
}
