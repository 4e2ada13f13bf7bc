//! `X-HMAC`: lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the HMAC key.
//!
//! AlpPay checks the signature against the bytes it receives, so the client serializes a body
//! once, signs those bytes and sends the same bytes; nothing re-serializes in between. Webhooks
//! are signed the same way and are checked in constant time.

use payout_core::http::HexMac;
use sha2::Sha256;

/// The header that carries the signature, on requests with a body and on webhooks.
pub const SIGNATURE_HEADER: &str = "X-HMAC";

/// Signs and verifies with one HMAC key: core's [`HexMac`] over HMAC-SHA256. The key is
/// absorbed into the HMAC state once, so each signature costs only the hashing of the body.
///
/// ```
/// use payout_alppay::signing::Signer;
/// let signer = Signer::new(&"sk_live_abcdef1234567890".into());
/// let body = br#"{"amount":"250.00","asset":{"short":"USDT","network":"tron"}}"#;
/// let sig = signer.sign(body);
/// assert_eq!(sig, "e4f4735e8e4f1d0a2014cecc4113bf99667e54dcee7b10b4669386f11e11aff0");
/// assert!(signer.verify(body, &sig));
/// ```
pub type Signer = HexMac<Sha256>;

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"amount":"250.00","asset":{"short":"USDT","network":"tron"}}"#;

    /// Computed from AlpPay's documented example body with both example keys
    /// (providers/alppay.md, section 2).
    #[test]
    fn known_answers() {
        let s = Signer::new(&"sk_live_abcdef1234567890".into());
        assert_eq!(s.sign(BODY), "e4f4735e8e4f1d0a2014cecc4113bf99667e54dcee7b10b4669386f11e11aff0");
        let s = Signer::new(&"abcdef1234567890".into());
        assert_eq!(s.sign(BODY), "6e31bd2053fac34171919d704f5fea1d5ff2b3b2108ae72006903e8a9cd7da7c");
    }

    #[test]
    fn agrees_with_the_testkit() {
        let s = Signer::new(&"k3y".into());
        assert_eq!(s.sign(b"{}"), payout_testkit::signing::alppay_signature(b"k3y", b"{}"));
    }

    #[test]
    fn verify_refuses_what_does_not_match() {
        let s = Signer::new(&"sk_live_abcdef1234567890".into());
        let good = s.sign(BODY);
        assert!(s.verify(BODY, &good));
        assert!(s.verify(BODY, &good.to_uppercase()));
        assert!(!s.verify(b"{}", &good));
        assert!(!s.verify(BODY, "zz"));
        assert!(!s.verify(BODY, ""));
        assert!(!s.verify(BODY, &good[..62]));
        assert!(!Signer::new(&"other".into()).verify(BODY, &good));
    }

    #[test]
    fn debug_hides_the_key() {
        let s = Signer::new(&"sk_live_TOPSECRET".into());
        assert!(!format!("{s:?}").contains("TOPSECRET"));
    }
}
