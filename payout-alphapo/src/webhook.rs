//! Callbacks: AlphaPo POSTs the transaction to your callback URL on every status change, signed
//! like a request (`X-Processing-Signature` = HMAC-SHA512 of the raw body with your secret,
//! `X-Processing-Key` = your key).
//!
//! Verify over the raw body exactly as received, before parsing anything; then answer
//! `200 OK` (any other answer makes AlphaPo retry for hours). The same callback can arrive more
//! than once and out of order: compare statuses with
//! [`WithdrawalStatus::transition_to`](payout_core::WithdrawalStatus::transition_to) before
//! applying one.

use std::fmt;

use http::HeaderMap;
use payout_core::{PayoutError, RawJson, WithdrawalUpdate};
use secrecy::{ExposeSecret, SecretString};

use crate::mapping;
use crate::signing::{KEY_HEADER, SIGNATURE_HEADER, Signer};
use crate::wire::Transaction;

/// Verifies and reads AlphaPo callbacks. Needs only the API secret (and, to check
/// `X-Processing-Key` too, the API key), so a service that receives callbacks but never calls
/// the API can use it; [`AlphaPoClient`](crate::AlphaPoClient) uses the same code in
/// `parse_webhook`.
///
/// ```
/// use payout_alphapo::signing::Signer;
/// use payout_alphapo::webhook::WebhookVerifier;
///
/// let secret = "s3cr3t".into();
/// let body = br#"{"id":7,"type":"withdrawal","status":"confirmed","foreign_id":"order-1"}"#;
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-processing-signature", Signer::new(&secret).sign(body).parse().unwrap());
///
/// let update = WebhookVerifier::new(&secret).parse(&headers, body).unwrap();
/// assert_eq!(update.withdrawal.status, payout_core::WithdrawalStatus::Completed);
///
/// headers.insert("x-processing-key", "another-key".parse().unwrap());
/// let with_key = WebhookVerifier::new(&secret).with_api_key(&"pk_live_1".into());
/// assert!(with_key.parse(&headers, body).is_err());
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    signer: Signer,
    api_key: Option<SecretString>,
}

impl WebhookVerifier {
    /// A verifier for this API secret.
    pub fn new(api_secret: &SecretString) -> Self {
        Self { signer: Signer::new(api_secret), api_key: None }
    }

    /// This verifier, also refusing a callback whose `X-Processing-Key` (when present) is not
    /// this key.
    pub fn with_api_key(mut self, api_key: &SecretString) -> Self {
        self.api_key = Some(SecretString::from(api_key.expose_secret().trim()));
        self
    }

    pub(crate) fn from_signer(signer: Signer, api_key: SecretString) -> Self {
        Self { signer, api_key: Some(api_key) }
    }

    /// Checks `X-Processing-Signature` (and the key header) against the raw body in constant
    /// time, then reads the transaction. A missing or wrong signature, another account's key, or
    /// a body that is not a withdrawal is [`PayoutError::Webhook`]; nothing of an unverified
    /// body is read.
    pub fn parse(&self, headers: &HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        let key = self.api_key.as_ref().map(|k| k.expose_secret().as_bytes());
        verify(&self.signer, key, headers, body)?;
        parse(body)
    }
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("signer", &self.signer)
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

/// Checks a callback's headers against the raw body: the signature must match (constant time),
/// and a key header, when present, must be the configured key (when one is configured).
fn verify(signer: &Signer, api_key: Option<&[u8]>, headers: &HeaderMap, body: &[u8]) -> Result<(), PayoutError> {
    let signature = match headers.get(SIGNATURE_HEADER) {
        None => {
            return Err(PayoutError::webhook(format!(
                "the callback has no {SIGNATURE_HEADER} header; it did not come from AlphaPo"
            )));
        }
        Some(v) => v.to_str().map_err(|_| {
            PayoutError::webhook(format!("the {SIGNATURE_HEADER} header is not text; it is not an AlphaPo signature"))
        })?,
    };
    if let (Some(key), Some(api_key)) = (headers.get(KEY_HEADER), api_key)
        && !constant_time_eq(key.as_bytes().trim_ascii(), api_key)
    {
        return Err(PayoutError::webhook(format!(
            "the callback's {KEY_HEADER} is not the configured API key; it was sent for another account or forged"
        )));
    }
    if !signer.verify(body, signature) {
        return Err(PayoutError::webhook(format!(
            "the {SIGNATURE_HEADER} does not match the body: check ALPHAPO_API_SECRET, and verify the raw body exactly as received (not re-serialized)"
        )));
    }
    Ok(())
}

/// Parses a callback body that has already been verified.
///
/// Accepts every documented shape: a standard withdrawal with or without
/// `currency_sent`/`currency_received`, a `withdrawal_exchange`, amounts and confirmations as
/// numbers or strings, `null` tags and missing `txid`s. A callback about a deposit, a plain
/// exchange or an invoice is refused as not a withdrawal.
fn parse(body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
    // One pass keeps the object's text; a body it refuses is read as before, for the same error.
    let (tx, raw) = match RawJson::decode_slice::<Transaction>(body) {
        Some(kept) => kept,
        None => (
            serde_json::from_slice(body)
                .map_err(|e| PayoutError::webhook(format!("the callback body is not an AlphaPo transaction: {e}")))?,
            RawJson::default(),
        ),
    };
    if mapping::not_a_withdrawal(tx.kind.as_deref()) {
        return Err(PayoutError::webhook(format!(
            "the callback is about a {}, not a withdrawal: nothing to apply (answer 200 so AlphaPo stops retrying)",
            tx.kind.as_deref().unwrap_or("transaction")
        )));
    }
    Ok(WithdrawalUpdate::new(mapping::from_transaction(&tx, raw)))
}

/// Byte equality that takes the same time wherever the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use payout_core::ErrorKind;

    fn headers(sig: Option<&str>, key: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(s) = sig {
            h.insert(SIGNATURE_HEADER, s.parse().unwrap());
        }
        if let Some(k) = key {
            h.insert(KEY_HEADER, k.parse().unwrap());
        }
        h
    }

    #[test]
    fn verification() {
        let signer = Signer::from_bytes(b"secret");
        let body = br#"{"id":1,"status":"confirmed"}"#;
        let sig = signer.sign(body);
        assert!(verify(&signer, Some(&b"key"[..]), &headers(Some(&sig), Some("key")), body).is_ok());
        assert!(verify(&signer, Some(&b"key"[..]), &headers(Some(&sig), None), body).is_ok());
        for (h, why) in [
            (headers(None, Some("key")), "no X-Processing-Signature"),
            (headers(Some(&sig), Some("other")), "not the configured API key"),
            (headers(Some("00ff"), Some("key")), "does not match"),
            (headers(Some("not hex"), None), "does not match"),
        ] {
            let e = verify(&signer, Some(&b"key"[..]), &h, body).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Webhook);
            assert!(e.to_string().contains(why), "{e}");
        }
        let e = verify(&signer, Some(&b"key"[..]), &headers(Some(&sig), None), br#"{"id":1,"status":"cancelled"}"#)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Webhook);
    }

    #[test]
    fn deposits_are_not_withdrawals() {
        let e = parse(br#"{"id":1,"type":"deposit","status":"confirmed"}"#).unwrap_err();
        assert!(e.to_string().contains("deposit"), "{e}");
        assert_eq!(parse(b"not json").unwrap_err().kind(), ErrorKind::Webhook);
        assert_eq!(parse(b"").unwrap_err().kind(), ErrorKind::Webhook);
        assert_eq!(parse(br#"{"id":true,"status":"x"}"#).unwrap_err().kind(), ErrorKind::Webhook);
    }
}
