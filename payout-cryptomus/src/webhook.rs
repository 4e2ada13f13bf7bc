//! Payout webhooks: Cryptomus POSTs the payout as JSON to the payout's `url_callback`, with the
//! signature **inside the body**, as its last field `sign`: `md5(base64(json) + payout_key)` of
//! the payload without `sign`, PHP-encoded.
//!
//! ## What is verified, and which readings are accepted
//!
//! Cryptomus's page showing the verification code could not be read; the spec
//! (`providers/cryptomus.md`, section 8) infers it from the doc text the SDKs copy and from the
//! PHP idiom integrations use: `unset($data['sign']); md5(base64_encode(json_encode($data,
//! JSON_UNESCAPED_UNICODE)) . $key)`. So the verifier removes the top-level `sign` member, keeps
//! every other member **in the order received**, re-encodes the payload PHP-style
//! ([`crate::wire::php_json`]: compact, Unicode raw, numbers as written) and compares in constant
//! time. Where the spec marks a detail inferred, both readings are accepted:
//!
//! 1. slashes escaped as `\/` (PHP's default, the spec's reading), and
//! 2. slashes as they are (`JSON_UNESCAPED_SLASHES`, or a body signed over its raw bytes with
//!    unescaped slashes).
//!
//! Cutting the `,"sign":"…"` suffix off the raw body gives one of these two whenever the sender
//! encoded the body PHP-style, so that reading is covered too. A payload signed with non-ASCII
//! characters escaped (`\u00e9`, `json_encode` without `JSON_UNESCAPED_UNICODE`) is **not**
//! accepted: the spec and the official SDK use the flag.

use std::fmt;

use payout_core::{PayoutError, WithdrawalUpdate};
use secrecy::SecretString;
use serde_json::value::RawValue;

use crate::mapping;
use crate::signing::Signer;
use crate::wire::php_json;

/// The body field that carries the signature.
pub const SIGN_FIELD: &str = "sign";

/// Verifies and reads Cryptomus payout webhooks with the payout key alone (no merchant uuid),
/// so a service that only receives webhooks can use it;
/// [`CryptomusClient`](crate::CryptomusClient) uses the same code in `parse_webhook`.
///
/// Hand it the body exactly as received and answer 200 once the update is stored. Deliveries
/// can repeat or arrive out of order: apply them through
/// [`payout_core::receiver`] (or `payout-store`), which drops duplicates and stale ones.
///
/// ```
/// use payout_cryptomus::WebhookVerifier;
/// use payout_core::WithdrawalStatus;
///
/// let verifier = WebhookVerifier::new(&"test-payout-key".into());
/// // The spec's known answer: this payload, signed with `test-payout-key`.
/// let body = br#"{"type":"payout","uuid":"2b852d86-3cf1-43fb-b1bb-36f0b7d12151","order_id":"129359","amount":"207.00000000","merchant_amount":"207.30000000","commission":"0.30000000","is_final":true,"status":"paid","txid":"0xcf8","currency":"USDT","network":"bsc","payer_currency":"USDT","payer_amount":"207.00000000","sign":"873f68f7db4cc4b2a492e8d6996ae11c"}"#;
/// let update = verifier.parse(body).unwrap();
/// assert_eq!(update.withdrawal.status, WithdrawalStatus::Completed);
/// assert_eq!(update.withdrawal.reference.unwrap().as_str(), "129359");
///
/// let forged = String::from_utf8_lossy(body).replace("207.00000000\",\"sign", "9999.00000000\",\"sign");
/// assert!(verifier.parse(forged.as_bytes()).is_err());
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    signer: Signer,
}

impl WebhookVerifier {
    /// A verifier for this payout key.
    pub fn new(payout_key: &SecretString) -> Self {
        Self { signer: Signer::new(payout_key) }
    }

    /// Checks the `sign` inside the body (see the module docs for the readings accepted), then
    /// reads the payout. A missing or wrong `sign`, a body that is not a JSON object, or a
    /// `type` other than `payout` is [`PayoutError::Webhook`]; nothing of an unverified body is
    /// read.
    pub fn parse(&self, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        self.verify(body)?;
        let raw: &RawValue =
            serde_json::from_slice(body).map_err(|e| PayoutError::webhook(format!("the body is not JSON: {e}")))?;
        if let Some(serde_json::Value::String(kind)) = payout_core::RawJson::from(raw).get("type")
            && kind != "payout"
        {
            return Err(PayoutError::webhook(format!(
                "the webhook is of type `{kind}`, not `payout`: payment webhooks are signed with the payment key"
            )));
        }
        let withdrawal = mapping::withdrawal_from_raw(raw, None)
            .map_err(|e| PayoutError::webhook(format!("the body is signed but is not a Cryptomus payout: {e}")))?;
        Ok(WithdrawalUpdate::new(withdrawal))
    }

    /// Checks the `sign` inside the body in constant time, without reading the payout.
    pub fn verify(&self, body: &[u8]) -> Result<(), PayoutError> {
        let (escaped, sign) = php_json::encode_without_key(body, SIGN_FIELD, true)
            .filter(|_| body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'))
            .ok_or_else(|| PayoutError::webhook("the body is not a JSON object; Cryptomus sends the payout as one"))?;
        let Some(sign) = sign else {
            return Err(PayoutError::webhook(
                "the body has no `sign` field (a string); Cryptomus signs every payout webhook inside its body",
            ));
        };
        if self.signer.verify(&escaped, &sign) {
            return Ok(());
        }
        // The second reading: slashes as they are. Only a payload with a slash differs.
        if escaped.windows(2).any(|w| w == b"\\/")
            && let Some((plain, _)) = php_json::encode_without_key(body, SIGN_FIELD, false)
            && self.signer.verify(&plain, &sign)
        {
            return Ok(());
        }
        Err(PayoutError::webhook(
            "the `sign` does not match the body: check the payout key (not the payment key), and pass the body exactly as received",
        ))
    }

    /// The body Cryptomus would send for `payload` (a JSON object without `sign`): the payload
    /// PHP-encoded, with `sign` appended as its last field. For tests and simulators; `None`
    /// when `payload` is not a JSON object.
    ///
    /// ```
    /// let v = payout_cryptomus::WebhookVerifier::new(&"k".into());
    /// let body = v.signed(br#"{"type":"payout","uuid":"u-1","status":"process","is_final":false}"#).unwrap();
    /// assert!(v.verify(&body).is_ok());
    /// ```
    pub fn signed(&self, payload: &[u8]) -> Option<Vec<u8>> {
        let (mut body, _) = php_json::encode_without_key(payload, SIGN_FIELD, true)?;
        if body.first() != Some(&b'{') {
            return None;
        }
        let sign = self.signer.sign(&body);
        body.pop();
        if body.len() > 1 {
            body.push(b',');
        }
        body.extend_from_slice(format!("\"{SIGN_FIELD}\":\"{sign}\"}}").as_bytes());
        Some(body)
    }
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier").field("signer", &self.signer).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payout_core::WithdrawalStatus;

    const KEY: &str = "test-payout-key";
    /// The spec's test vector (section 8): the older "paid" example without `sign`.
    const PAYLOAD: &str = r#"{"type":"payout","uuid":"2b852d86-3cf1-43fb-b1bb-36f0b7d12151","order_id":"129359","amount":"207.00000000","merchant_amount":"207.30000000","commission":"0.30000000","is_final":true,"status":"paid","txid":"0xcf8","currency":"USDT","network":"bsc","payer_currency":"USDT","payer_amount":"207.00000000"}"#;
    const SIGN: &str = "873f68f7db4cc4b2a492e8d6996ae11c";

    fn verifier() -> WebhookVerifier {
        WebhookVerifier::new(&KEY.into())
    }

    fn with_sign(payload: &str, sign: &str) -> String {
        format!("{},\"sign\":\"{sign}\"}}", &payload[..payload.len() - 1])
    }

    #[test]
    fn the_spec_vector_verifies() {
        assert_eq!(Signer::new(&KEY.into()).sign(PAYLOAD.as_bytes()), SIGN);
        let body = with_sign(PAYLOAD, SIGN);
        let update = verifier().parse(body.as_bytes()).unwrap();
        let w = update.withdrawal;
        assert_eq!(w.id.as_str(), "2b852d86-3cf1-43fb-b1bb-36f0b7d12151");
        assert_eq!((w.status, w.provider_status.as_str()), (WithdrawalStatus::Completed, "paid"));
        assert_eq!(w.tx_hash.as_deref(), Some("0xcf8"));
        assert_eq!(w.amount_sent.unwrap().to_string(), "207.00000000");
        assert_eq!(w.asset.unwrap().network(), Some("bsc"));
        // `signed` writes exactly what Cryptomus sends.
        assert_eq!(verifier().signed(PAYLOAD.as_bytes()).unwrap(), body.as_bytes());
    }

    #[test]
    fn whitespace_and_sign_position_do_not_matter_but_order_does() {
        let spaced = format!(" {{ \"sign\" : \"{SIGN}\", {} ", &PAYLOAD[1..].replace(',', ", "));
        assert!(verifier().verify(spaced.as_bytes()).is_ok(), "{spaced}");
        let reordered =
            with_sign(&PAYLOAD.replace(r#""type":"payout","#, "").replace('}', r#","type":"payout"}"#), SIGN);
        assert!(verifier().verify(reordered.as_bytes()).is_err(), "the order signed is the order received");
    }

    #[test]
    fn both_slash_readings_are_accepted_and_nothing_else() {
        let payload = PAYLOAD.replace(r#""txid":"0xcf8""#, r#""txid":"a/b""#);
        let signer = Signer::new(&KEY.into());
        let escaped = payload.replace('/', "\\/");
        // Signed over `\/` (PHP's default), sent either way.
        for sent in [&payload, &escaped] {
            let body = with_sign(sent, &signer.sign(escaped.as_bytes()));
            assert!(verifier().verify(body.as_bytes()).is_ok(), "escaped reading: {body}");
        }
        // Signed over plain slashes (JSON_UNESCAPED_SLASHES), sent either way.
        for sent in [&payload, &escaped] {
            let body = with_sign(sent, &signer.sign(payload.as_bytes()));
            assert!(verifier().verify(body.as_bytes()).is_ok(), "plain reading: {body}");
        }
        let wrong = with_sign(&payload, &Signer::new(&"other".into()).sign(escaped.as_bytes()));
        assert!(verifier().verify(wrong.as_bytes()).is_err());
    }

    #[test]
    fn unicode_is_signed_raw() {
        let payload = PAYLOAD.replace("0xcf8", "é€");
        let body = with_sign(&payload.replace('é', "\\u00e9"), &Signer::new(&KEY.into()).sign(payload.as_bytes()));
        assert!(verifier().verify(body.as_bytes()).is_ok(), "an escaped é in the body is signed as raw UTF-8");
    }

    #[test]
    fn bad_bodies_are_webhook_errors() {
        let kind = |b: &[u8]| verifier().parse(b).unwrap_err().kind();
        assert_eq!(kind(PAYLOAD.as_bytes()), payout_core::ErrorKind::Webhook, "no sign");
        assert_eq!(kind(b"not json"), payout_core::ErrorKind::Webhook);
        assert_eq!(kind(b"[1]"), payout_core::ErrorKind::Webhook);
        assert_eq!(kind(with_sign(PAYLOAD, &"0".repeat(32)).as_bytes()), payout_core::ErrorKind::Webhook);
        let numeric_sign = format!("{},\"sign\":7}}", &PAYLOAD[..PAYLOAD.len() - 1]);
        assert_eq!(kind(numeric_sign.as_bytes()), payout_core::ErrorKind::Webhook);
        let payment = verifier().signed(PAYLOAD.replace("\"payout\"", "\"payment\"").as_bytes()).unwrap();
        assert!(verifier().parse(&payment).unwrap_err().to_string().contains("payment"));
    }

    #[test]
    fn fail_follows_is_final() {
        let fail = |is_final: bool, reason: &str| {
            let p = PAYLOAD
                .replace(r#""is_final":true"#, &format!(r#""is_final":{is_final}"#))
                .replace(r#""status":"paid""#, &format!(r#""status":"fail","fail_reason":"{reason}""#))
                .replace(r#""txid":"0xcf8""#, r#""txid":null"#);
            verifier().parse(&verifier().signed(p.as_bytes()).unwrap()).unwrap().withdrawal
        };
        assert_eq!(fail(false, "system_error").status, WithdrawalStatus::Processing);
        assert_eq!(fail(true, "system_error").status, WithdrawalStatus::Cancelled);
        let aml = fail(true, "AML");
        assert_eq!(aml.status, WithdrawalStatus::Rejected);
        assert_eq!((aml.failure_reason.as_deref(), aml.tx_hash, aml.amount_sent), (Some("AML"), None, None));
    }

    #[test]
    fn debug_hides_the_key() {
        assert!(!format!("{:?}", WebhookVerifier::new(&"TOPSECRET".into())).contains("TOPSECRET"));
    }
}
