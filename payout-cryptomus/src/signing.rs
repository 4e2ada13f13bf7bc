//! `sign`: `md5(base64(body) + payout_key)` in lowercase hex, Cryptomus's request and webhook
//! signature.
//!
//! Cryptomus documents the PHP `md5(base64_encode(json_encode($data)) . $API_KEY)`: the body is
//! Base64-encoded (standard alphabet, `=` padding), the payout key appended as text, and the MD5
//! of that written as 32 lowercase hex digits. It is not an HMAC. The client serializes a body
//! once, signs those bytes and sends the same bytes; requests carry the signature in the `sign`
//! header beside `merchant`, webhooks inside their JSON body (see [`crate::webhook`]).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;
use http::header::InvalidHeaderValue;
use md5::{Digest, Md5};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

/// The header that carries a request's signature.
pub const SIGNATURE_HEADER: &str = "sign";
/// The header that carries the merchant uuid.
pub const MERCHANT_HEADER: &str = "merchant";

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Signs and verifies with the payout key. `Debug` shows nothing of the key.
///
/// ```
/// use payout_cryptomus::signing::Signer;
/// let signer = Signer::new(&"test-payout-key".into());
/// // The spec's known answer for an empty body: md5("" base64-encoded, then the key).
/// assert_eq!(signer.sign(b""), "6b208087296521ae17744e2f02ff35a8");
/// assert!(signer.verify(b"", "6B208087296521AE17744E2F02FF35A8"));
/// assert!(!signer.verify(b"{}", "6b208087296521ae17744e2f02ff35a8"));
/// assert_eq!(format!("{signer:?}"), "Signer([REDACTED])");
/// ```
#[derive(Clone)]
pub struct Signer {
    key: SecretString,
}

impl Signer {
    /// A signer with the payout key.
    pub fn new(payout_key: &SecretString) -> Self {
        Self { key: payout_key.clone() }
    }

    /// The 32 lowercase hex digits of `md5(base64(body) + key)`, on the stack.
    fn digest_hex(&self, body: &[u8]) -> [u8; 32] {
        let mut md5 = Md5::new();
        // Base64 in chunks of 3 × 1024 input bytes (a multiple of 3, so no padding in between),
        // so a large body is never copied whole into its Base64 form.
        let mut encoded = [0u8; 4096];
        for chunk in body.chunks(3 * 1024) {
            let n = STANDARD.encode_slice(chunk, &mut encoded).unwrap_or(0);
            md5.update(&encoded[..n]);
        }
        md5.update(self.key.expose_secret().as_bytes());
        let tag = md5.finalize();
        let mut hex = [0u8; 32];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(tag.iter()) {
            pair[0] = HEX_DIGITS[usize::from(byte >> 4)];
            pair[1] = HEX_DIGITS[usize::from(byte & 0x0f)];
        }
        hex
    }

    /// The signature of `body`: 32 lowercase hex digits.
    pub fn sign(&self, body: &[u8]) -> String {
        String::from_utf8_lossy(&self.digest_hex(body)).into_owned()
    }

    /// The signature of `body` as a header value, marked sensitive. Always a valid header
    /// value; the error only keeps this free of panics.
    pub fn sign_header(&self, body: &[u8]) -> Result<HeaderValue, InvalidHeaderValue> {
        let mut value = HeaderValue::from_bytes(&self.digest_hex(body))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Whether `signature` (hex in either case, surrounding white space ignored) is the
    /// signature of `body`, compared in constant time. Anything not 32 characters long is simply
    /// not a match.
    pub fn verify(&self, body: &[u8], signature: &str) -> bool {
        let given = signature.trim().as_bytes();
        if given.len() != 32 {
            return false;
        }
        let mut lower = [0u8; 32];
        for (l, g) in lower.iter_mut().zip(given) {
            *l = g.to_ascii_lowercase();
        }
        bool::from(self.digest_hex(body).ct_eq(&lower))
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    fn signer() -> Signer {
        Signer::new(&"test-payout-key".into())
    }

    /// The spec's test vectors (providers/cryptomus.md, section 2), key `test-payout-key`.
    #[test]
    fn known_answers() {
        assert_eq!(signer().sign(b""), "6b208087296521ae17744e2f02ff35a8");
        let escaped = br#"{"amount":"5","currency":"USDT","network":"TRON","order_id":"1","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":true,"url_callback":"https:\/\/your.site\/callback"}"#;
        assert_eq!(signer().sign(escaped), "9f8a94430534666f34694f04f755ee3a");
        let unescaped = br#"{"amount":"5","currency":"USDT","network":"TRON","order_id":"1","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":true,"url_callback":"https://your.site/callback"}"#;
        assert_eq!(signer().sign(unescaped), "1b597ec81c7dab53cab21aa6b1497da1");
    }

    #[test]
    fn large_bodies_are_encoded_in_chunks_exactly() {
        // Base64 of the whole body at once, then md5 with the key: the chunked path must agree.
        let body: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut md5 = Md5::new();
        md5.update(STANDARD.encode(&body).as_bytes());
        md5.update(b"test-payout-key");
        let whole: String = md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(signer().sign(&body), whole);
    }

    #[test]
    fn verify_refuses_what_does_not_match() {
        let s = signer();
        let good = s.sign(b"{}");
        assert!(s.verify(b"{}", &good));
        assert!(s.verify(b"{}", &format!(" {} ", good.to_uppercase())));
        assert!(!s.verify(b"[]", &good));
        assert!(!s.verify(b"{}", &good[..31]));
        assert!(!s.verify(b"{}", &format!("{good}ff")), "the 34-character typo of the docs is no match");
        assert!(!s.verify(b"{}", ""));
        assert!(!Signer::new(&"other".into()).verify(b"{}", &good));
    }

    #[test]
    fn header_is_sensitive_and_the_key_never_shows() {
        let h = signer().sign_header(b"{}").unwrap();
        assert!(h.is_sensitive());
        assert_eq!(h.to_str().unwrap(), signer().sign(b"{}"));
        let s = Signer::new(&"TOPSECRET".into());
        assert!(!format!("{s:?}").contains("TOPSECRET"));
    }
}
