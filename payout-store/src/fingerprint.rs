//! What a payout asks, as the journal stores it, and its fingerprint.
//!
//! The request is kept as JSON text with amounts as exact decimal strings. The fingerprint is
//! SHA-256 over the canonical form of that JSON (keys sorted, amounts normalised so that `1.0`
//! and `1.00` are the same payout): the same reference with another fingerprint is another
//! payout and is refused as a duplicate reference before anything is sent. A callback URL is
//! stored but not fingerprinted: it says where the provider reports, not what is paid.

use payout_core::{PayoutAmount, WithdrawalRequest};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The request's amount as stored, with `text` writing its figure: `{"exact": A}`,
/// `{"converted": {to, amount}}` (delivered exactly) or `{"debit_converted": {to, amount}}`
/// (debited exactly).
fn amount_json(amount: &PayoutAmount, text: impl Fn(&payout_core::Decimal) -> String) -> Value {
    match amount {
        PayoutAmount::Converted { to, amount } => json!({ "converted": { "to": to, "amount": text(amount) } }),
        PayoutAmount::DebitConverted { to, amount } => {
            json!({ "debit_converted": { "to": to, "amount": text(amount) } })
        }
        other => json!({ "exact": text(&other.value()) }),
    }
}

/// The request as stored: reference, asset, amount (exact text), address, tag, end user, and
/// the travel-rule data when there is some.
pub fn request_json(request: &WithdrawalRequest) -> Value {
    let mut stored = json!({
        "reference": request.reference().as_str(),
        "asset": request.asset(),
        "amount": amount_json(request.amount(), |a| a.to_string()),
        "address": request.address(),
        "tag": request.tag(),
        "end_user": request.end_user(),
    });
    if let Some(rule) = request.travel_rule() {
        stored["travel_rule"] = json!(rule);
    }
    // Stored (and fingerprinted) only when they differ from the defaults, so that the requests
    // journaled before they existed keep their fingerprints.
    if request.fee_from() != payout_core::FeeFrom::default() {
        stored["fee_from"] = json!(request.fee_from());
    }
    if let Some(url) = request.callback_url() {
        stored["callback_url"] = json!(url);
    }
    stored
}

/// SHA-256 (hex) of the canonical request.
pub fn fingerprint(request: &WithdrawalRequest) -> String {
    let mut canonical = request_json(request);
    canonical["amount"] = amount_json(request.amount(), |d| d.normalize().to_string());
    // Where the provider reports to is not what is paid: the same payout with another callback
    // URL is still the same payout.
    if let Some(fields) = canonical.as_object_mut() {
        fields.remove("callback_url");
    }
    // serde_json's map is ordered by key, so this text is canonical.
    let text = canonical.to_string();
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use payout_core::{Asset, Decimal, EndUser};

    use super::*;

    fn req(amount: &str, address: &str) -> WithdrawalRequest {
        WithdrawalRequest::builder()
            .reference("r-1")
            .asset(Asset::new("BTC"))
            .amount(Decimal::from_str(amount).unwrap())
            .address(address)
            .end_user(EndUser::new("u1"))
            .build()
            .unwrap()
    }

    #[test]
    fn same_payout_same_fingerprint_whatever_the_scale() {
        assert_eq!(fingerprint(&req("0.001", "a1")), fingerprint(&req("0.00100", "a1")));
    }

    #[test]
    fn another_amount_or_address_is_another_payout() {
        let base = fingerprint(&req("0.001", "a1"));
        assert_ne!(base, fingerprint(&req("0.002", "a1")));
        assert_ne!(base, fingerprint(&req("0.001", "a2")));
    }

    #[test]
    fn amounts_are_stored_as_exact_text() {
        let v = request_json(&req("0.00100", "a1"));
        assert_eq!(v["amount"]["exact"], "0.00100");
        assert_eq!(v["asset"]["symbol"], "BTC");
    }

    #[test]
    fn fee_and_callback_count_only_when_set() {
        let plain = req("0.001", "a1");
        let v = request_json(&plain);
        assert!(v.get("fee_from").is_none() && v.get("callback_url").is_none(), "older fingerprints stay: {v}");
        let with = |b: payout_core::WithdrawalRequestBuilder| b.build().unwrap();
        let base = || {
            WithdrawalRequest::builder()
                .reference("r-1")
                .asset(Asset::new("BTC"))
                .amount(Decimal::from_str("0.001").unwrap())
                .address("a1")
                .end_user(EndUser::new("u1"))
        };
        assert_eq!(fingerprint(&with(base().fee_from(payout_core::FeeFrom::Balance))), fingerprint(&plain));
        let from_amount = with(base().fee_from(payout_core::FeeFrom::Amount));
        assert_ne!(fingerprint(&from_amount), fingerprint(&plain), "the recipient gets less: another payout");
        assert_eq!(request_json(&from_amount)["fee_from"], "amount");
        let hooked = with(base().callback_url("https://shop.example/h"));
        assert_eq!(request_json(&hooked)["callback_url"], "https://shop.example/h");
        assert_eq!(fingerprint(&hooked), fingerprint(&plain), "where it reports to is not what is paid");
    }
}
