//! Amounts typed in by a person or a program: plain decimals are taken exactly, anything with an
//! exponent, a sign or a separator is refused before a request can exist.

use payout_core::amount::{parse_exact, parse_typed};
use payout_core::{Asset, EndUser, ErrorKind, WithdrawalRequest};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn request(amount: &str) -> Result<WithdrawalRequest, payout_core::PayoutError> {
    WithdrawalRequest::builder()
        .reference("order-1")
        .asset(Asset::new("BTC"))
        .amount_text(amount)
        .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
        .end_user(EndUser::new("user-1"))
        .build()
}

#[test]
fn the_typos_of_the_issue_are_refused_naming_the_field() {
    for typo in [
        "1E2", "2e-4", "NaN", "nan", "inf", "-inf", "Infinity", "0x10", "1_000", "1,5", "-1", "+1", "", " 1", "1 ",
        ".", "1.2.3", "١٢",
    ] {
        let err = parse_typed("--amount", typo).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{typo:?}");
        assert_eq!(err.field_errors()[0].field, "--amount", "{typo:?}");
        let err = request(typo).unwrap_err();
        assert_eq!(err.field_errors()[0].field, "amount", "{typo:?}: {err}");
    }
    // Each refusal says what was wrong.
    assert!(parse_typed("amount", "1E2").unwrap_err().to_string().contains("exponent"));
    assert!(parse_typed("amount", "-1").unwrap_err().to_string().contains("sign"));
    assert!(parse_typed("amount", "1_000").unwrap_err().to_string().contains("separator"));
    assert!(parse_typed("amount", "0x10").unwrap_err().to_string().contains("hex"));
}

#[test]
fn providers_answers_keep_the_lenient_reader() {
    // AlphaPo's examples carry numbers in scientific notation; those are read, exactly.
    assert_eq!(parse_exact("amount", "1e-4").unwrap(), Decimal::new(1, 4));
}

#[test]
fn a_leading_or_trailing_point_is_a_plain_decimal() {
    assert_eq!(parse_typed("amount", ".5").unwrap(), Decimal::new(5, 1));
    assert_eq!(parse_typed("amount", "10.").unwrap(), Decimal::from(10));
}

#[test]
fn amount_to_text_names_its_own_field() {
    let err = WithdrawalRequest::builder()
        .reference("order-1")
        .asset(Asset::new("EUR"))
        .amount_to_text(Asset::new("BTC"), "1e-3")
        .address("addr1")
        .end_user(EndUser::new("user-1"))
        .build()
        .unwrap_err();
    assert_eq!(err.field_errors().len(), 1, "{err}");
    assert_eq!(err.field_errors()[0].field, "amount_to");
}

/// A plain decimal with at most 8 places (BTC's), as text.
fn plain_btc() -> impl Strategy<Value = String> {
    ("[0-9]{1,12}", proptest::option::of("[0-9]{0,8}")).prop_map(|(int, frac)| match frac {
        Some(f) => format!("{int}.{f}"),
        None => int,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_plain_decimal_within_the_precision_is_accepted_exactly(text in plain_btc()) {
        let exact = Decimal::from_str_exact(text.trim_end_matches('.')).unwrap();
        prop_assert_eq!(parse_typed("amount", &text).unwrap(), exact);
        match request(&text) {
            Ok(r) => {
                prop_assert!(exact > Decimal::ZERO);
                prop_assert_eq!(r.exact_amount(), Some(exact));
                // Not rounded, not rescaled: the text's own scale is kept.
                prop_assert_eq!(r.exact_amount().unwrap().to_string(), exact.to_string());
            }
            Err(e) => {
                prop_assert!(exact.is_zero(), "{} refused: {}", text, e);
                prop_assert_eq!(&e.field_errors()[0].field, "amount");
            }
        }
    }

    #[test]
    fn every_string_with_an_exponent_sign_or_separator_is_refused(
        text in plain_btc(),
        kind in 0usize..4,
        exp in "[eE][+-]?[0-9]{1,3}",
        sign in "[+-]",
        sep in "[_,' ]",
        at in any::<prop::sample::Index>(),
    ) {
        let bad = match kind {
            0 => format!("{text}{exp}"),
            1 => format!("{sign}{text}"),
            2 => {
                let i = at.index(text.len() + 1);
                format!("{}{sep}{}", &text[..i], &text[i..])
            }
            _ => format!("0x{text}"),
        };
        prop_assert!(parse_typed("amount", &bad).is_err(), "{:?} was accepted", bad);
        prop_assert!(request(&bad).is_err(), "{:?} built a request", bad);
    }
}
