//! Every validation failure names its field, and a refused request never reaches the provider.

use crate::common;

use payout_core::{
    Asset, EndUser, ErrorKind, MockPayoutProvider, PayoutError, PayoutProviderExt, WithdrawalRequest,
    WithdrawalRequestBuilder,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn valid() -> WithdrawalRequestBuilder {
    WithdrawalRequest::builder()
        .reference("order-1")
        .asset(Asset::new("BTC"))
        .amount(dec!(0.0002))
        .address(common::ADDRESS)
        .end_user(EndUser::new("user-1"))
}

fn fields(err: PayoutError) -> Vec<String> {
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    err.field_errors().iter().map(|e| e.field.clone()).collect()
}

#[test]
fn a_complete_request_builds() {
    let req = valid().tag("12345").build().unwrap();
    assert_eq!(req.reference().as_str(), "order-1");
    assert_eq!(req.exact_amount(), Some(dec!(0.0002)));
    assert_eq!(req.tag(), Some("12345"));
}

#[test]
fn each_failure_names_its_field() {
    let cases: Vec<(WithdrawalRequestBuilder, &str)> = vec![
        (valid().amount(Decimal::ZERO), "amount"),
        (valid().amount(dec!(-1)), "amount"),
        (valid().amount(dec!(0.000000001)), "amount"), // 9 places, BTC has 8
        (valid().asset(Asset::new("USDT")).amount(dec!(1.0000001)), "amount"), // USDT has 6
        (valid().amount_to(Asset::new("BTC"), dec!(0.1)), "amount"), // both amount and amount_to
        (valid().address(""), "address"),
        (valid().address("tb1q fdxh"), "address"),
        (valid().address("tb1q\nfdxh"), "address"),
        (valid().reference(""), "reference"),
        (valid().reference("x".repeat(256)), "reference"),
        (valid().reference(" padded"), "reference"),
        (valid().end_user(EndUser::new("  ")), "end_user.id"),
        (valid().asset(Asset::new("")), "asset"),
    ];
    for (builder, field) in cases {
        let err = builder.build().unwrap_err();
        assert_eq!(fields(err.clone()), vec![field.to_owned()], "{err}");
        assert!(err.to_string().contains(field), "the message names the field: {err}");
    }
}

#[test]
fn excess_precision_is_refused_not_rounded() {
    let err = valid().amount(dec!(0.123456789)).build().unwrap_err();
    assert!(err.to_string().contains("refused, not rounded"), "{err}");
    // Trailing zeros are not precision.
    assert!(valid().asset(Asset::new("USDT")).amount(dec!(1.50000000)).build().is_ok());
    // An explicit scale overrides the table.
    assert!(valid().asset(Asset::new("BTC").with_decimals(2)).amount(dec!(0.001)).build().is_err());
}

/// A request of EUR, complete but for its amount.
fn from_eur() -> WithdrawalRequestBuilder {
    WithdrawalRequest::builder().reference("r").asset(Asset::new("EUR")).address("a").end_user(EndUser::new("u"))
}

#[test]
fn exactly_one_of_amount_and_amount_to() {
    let neither = from_eur().build().unwrap_err();
    assert_eq!(fields(neither), vec!["amount"]);
    let converted = from_eur().amount_to(Asset::new("BTC"), dec!(0.01)).build().unwrap();
    assert_eq!(converted.exact_amount(), None);
    let too_precise = from_eur().amount_to(Asset::new("BTC"), dec!(0.000000001)).build().unwrap_err();
    assert_eq!(fields(too_precise), vec!["amount_to"]);
}

#[test]
fn all_problems_are_reported_at_once() {
    let err = WithdrawalRequest::builder().build().unwrap_err();
    assert_eq!(fields(err), vec!["reference", "asset", "amount", "address", "end_user"]);
}

/// What an application does: build, then submit. A bad request stops before the provider.
async fn pay(provider: &MockPayoutProvider, builder: WithdrawalRequestBuilder) -> Result<(), PayoutError> {
    let request = builder.build()?;
    provider.submit(&request).await.map(|_| ())
}

#[tokio::test]
async fn nothing_reaches_the_provider() {
    let mut provider = MockPayoutProvider::new();
    provider.expect_create_withdrawal().never();
    provider.expect_find_withdrawal().never();
    for bad in [valid().amount(dec!(0)), valid().address("a b"), valid().reference("")] {
        let err = pay(&provider, bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    }
    provider.checkpoint();
}

#[test]
fn debug_hides_personal_data() {
    let user = EndUser::new("u-1").with_name("Ada Lovelace").with_email("ada@example.com");
    let shown = format!("{user:?}");
    assert!(shown.contains("u-1") && !shown.contains("Ada") && !shown.contains("ada@"), "{shown}");
}

/// Both documented conversions: an exact amount delivered (`amount_to`), or an exact amount
/// debited and converted (`amount` with `convert_to`).
#[test]
fn conversions_in_both_forms() {
    use payout_core::PayoutAmount;
    let debit = valid().asset(Asset::new("EUR")).amount(dec!(25)).convert_to(Asset::new("BTC")).build().unwrap();
    assert_eq!(debit.amount(), &PayoutAmount::DebitConverted { to: Asset::new("BTC"), amount: dec!(25) });
    assert_eq!(debit.exact_amount(), None);
    assert_eq!(debit.amount().convert_to(), Some(&Asset::new("BTC")));
    let delivered = valid().amount(dec!(0)).amount_to(Asset::new("BTC"), dec!(0.001));
    assert!(delivered.build().is_err(), "amount and amount_to together");
    let delivered =
        WithdrawalRequest::builder().reference("r").asset(Asset::new("EUR")).address("a1").end_user(EndUser::new("u"));
    let r = delivered.clone().amount_to(Asset::new("BTC"), dec!(0.001)).build().unwrap();
    assert_eq!(r.amount(), &PayoutAmount::Converted { to: Asset::new("BTC"), amount: dec!(0.001) });
    // A conversion into the asset paid from, or a second target that disagrees, is refused.
    assert_eq!(fields(valid().convert_to(Asset::new("BTC")).build().unwrap_err()), ["convert_to"]);
    let err = delivered.amount_to(Asset::new("BTC"), dec!(0.001)).convert_to(Asset::new("ETH")).build().unwrap_err();
    assert_eq!(fields(err), ["convert_to"]);
    // The debited amount keeps the source asset's precision.
    assert_eq!(
        fields(valid().amount(dec!(0.000000001)).convert_to(Asset::new("ETH")).build().unwrap_err()),
        ["amount"]
    );
}

#[test]
fn travel_rule_data_is_checked_and_kept() {
    use payout_core::{Party, TravelRule};
    let rule = TravelRule::new()
        .sender(Party::legal("Example GmbH", "DEU").with_email("ops@example.com"))
        .receiver(Party::natural("Friedrich", "Müller", time::macros::date!(1995 - 08 - 17)));
    let req = valid().travel_rule(rule.clone()).build().unwrap();
    assert_eq!(req.travel_rule(), Some(&rule));
    assert!(!format!("{req:?}").contains("Müller"), "personal data stays out of Debug");
    let bad =
        TravelRule::new().sender(Party::OwnAccount).receiver(Party::legal("", "Germany").with_email("not an address"));
    let mut got = fields(valid().travel_rule(bad).build().unwrap_err());
    got.sort();
    assert_eq!(
        got,
        [
            "travel_rule.receiver.country_of_registration",
            "travel_rule.receiver.email",
            "travel_rule.receiver.legal_name",
            "travel_rule.sender"
        ]
    );
    // An empty rule is no rule.
    assert_eq!(valid().travel_rule(TravelRule::new()).build().unwrap().travel_rule(), None);
}

#[test]
fn fee_from_and_callback_url_are_kept_and_checked() {
    use payout_core::FeeFrom;
    let r = valid().build().unwrap();
    assert_eq!(r.fee_from(), FeeFrom::Balance, "the recipient gets the exact amount by default");
    assert_eq!(r.callback_url(), None);
    let r = valid().fee_from(FeeFrom::Amount).callback_url("https://shop.example/hooks/payout").build().unwrap();
    assert_eq!(r.fee_from(), FeeFrom::Amount);
    assert_eq!(r.callback_url(), Some("https://shop.example/hooks/payout"));
    for bad in ["shop.example/hooks", "ftp://shop.example/x", "https://user:pw@shop.example/x", "https://"] {
        let err = valid().callback_url(bad).build().unwrap_err();
        assert_eq!(fields(err), vec!["callback_url"], "{bad}");
    }
}

#[test]
fn options_a_provider_cannot_carry_are_refused_naming_the_field() {
    use payout_core::{FeeFrom, ProviderId, RequestOptions};
    let acme = ProviderId::from_static("acme");
    let plain = valid().build().unwrap();
    assert!(plain.refuse_unsupported(&acme, RequestOptions::none()).is_ok(), "the defaults go anywhere");
    let fee = valid().fee_from(FeeFrom::Amount).build().unwrap();
    let err = fee.refuse_unsupported(&acme, RequestOptions::none()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(err.to_string().contains("fee_from"), "{err}");
    let hook = valid().callback_url("https://shop.example/h").build().unwrap();
    let err = hook.refuse_unsupported(&acme, RequestOptions::none().with_fee_from()).unwrap_err();
    assert!(err.to_string().contains("callback_url"), "{err}");
    assert!(hook.refuse_unsupported(&acme, RequestOptions::none().with_callback_url()).is_ok());
}
