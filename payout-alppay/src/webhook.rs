//! Withdrawal webhooks: AlpPay POSTs the bare withdrawal object, signed like a request (`X-HMAC`
//! over the raw body with the HMAC key), on creation and on each status change.

use std::fmt;

use payout_core::{PayoutError, WithdrawalUpdate};
use secrecy::SecretString;

use crate::mapping;
use crate::signing::{SIGNATURE_HEADER, Signer};

/// Verifies and reads AlpPay withdrawal webhooks. Needs only the HMAC key, so a service that
/// receives webhooks but never calls the API can use it without an API key;
/// [`AlpPayClient`](crate::AlpPayClient) uses the same code in `parse_webhook`.
///
/// Hand it the body exactly as received (before any JSON parsing) and answer AlpPay with
/// 200 once the update is stored. Deliveries can repeat or arrive out of order: compare statuses
/// with [`WithdrawalStatus::transition_to`](payout_core::WithdrawalStatus::transition_to)
/// before applying one.
///
/// ```
/// use payout_alppay::signing::Signer;
/// use payout_alppay::webhook::WebhookVerifier;
///
/// let key = "sk_live_abcdef1234567890".into();
/// let body = br#"{"id":"5f5a8ced-5c6a-4038-9d73-662441242fd3","status":"COMPLETE","txnId":"0xe723","amount":"10","receivedAmount":"10"}"#;
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-hmac", Signer::new(&key).sign(body).parse().unwrap());
///
/// let update = WebhookVerifier::new(&key).parse(&headers, body).unwrap();
/// assert_eq!(update.withdrawal.status, payout_core::WithdrawalStatus::Completed);
///
/// headers.insert("x-hmac", "00".repeat(32).parse().unwrap());
/// assert!(WebhookVerifier::new(&key).parse(&headers, body).is_err());
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    signer: Signer,
}

impl WebhookVerifier {
    /// A verifier for this HMAC key.
    pub fn new(hmac_key: &SecretString) -> Self {
        Self { signer: Signer::new(hmac_key) }
    }

    /// Checks `X-HMAC` against the raw body in constant time, then reads the withdrawal object.
    /// A missing or wrong signature, or a body that is not a withdrawal object, is
    /// [`PayoutError::Webhook`]; nothing of an unverified body is read.
    pub fn parse(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        parse(&self.signer, headers, body)
    }
}

/// The one implementation behind [`WebhookVerifier::parse`] (and so `AlpPayClient::parse_webhook`).
fn parse(signer: &Signer, headers: &http::HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .ok_or_else(|| {
            PayoutError::webhook(format!("the {SIGNATURE_HEADER} header is missing; AlpPay signs every webhook"))
        })?
        .to_str()
        .map_err(|_| PayoutError::webhook(format!("the {SIGNATURE_HEADER} header is not text")))?;
    if !signer.verify(body, signature) {
        return Err(PayoutError::webhook(format!(
            "the {SIGNATURE_HEADER} signature does not match the body: check the HMAC key, and pass the body exactly as received"
        )));
    }
    let withdrawal = mapping::parse_withdrawal(body)
        .map_err(|e| PayoutError::webhook(format!("the body is signed but is not an AlpPay withdrawal: {e}")))?;
    Ok(WithdrawalUpdate::new(withdrawal))
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier").field("signer", &self.signer).finish()
    }
}
