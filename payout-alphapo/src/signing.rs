//! AlphaPo's signature: lowercase hex HMAC-SHA512 of the exact body bytes, keyed with the API
//! secret, sent as `X-Processing-Signature` beside `X-Processing-Key`.
//!
//! The body is serialized once, signed, and those same bytes are sent: re-serializing after
//! signing (another field order, other white space) would make AlphaPo refuse the request.
//! Callbacks carry the same signature over their raw body; verify before parsing.

use payout_core::http::HexMac;
use secrecy::SecretString;
use sha2::Sha512;

/// The header carrying the API key.
pub const KEY_HEADER: &str = "X-Processing-Key";
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Processing-Signature";

/// Signs and verifies with one API secret: core's [`HexMac`] over HMAC-SHA512.
///
/// The HMAC is keyed once and cloned for each body, so signing costs two SHA-512 passes over the
/// body and no re-keying. The keyed state can forge signatures, so `Debug` shows nothing of it.
///
/// ```
/// use payout_alphapo::signing::Signer;
/// use secrecy::SecretString;
///
/// let signer = Signer::new(&SecretString::from("AbCdEfG123456"));
/// let body = br#"{"currency":"BTC","foreign_id":"123456"}"#;
/// let sig = signer.sign(body);
/// assert!(sig.starts_with("03c25fcf7cd35e7d"));
/// assert!(signer.verify(body, &sig));
/// assert!(!signer.verify(b"{}", &sig));
/// ```
pub type Signer = HexMac<Sha512>;

/// The signature of `body` with `secret`: lowercase hex HMAC-SHA512.
pub fn sign(secret: &SecretString, body: &[u8]) -> String {
    Signer::new(secret).sign(body)
}

/// Whether `signature_hex` signs `body` under `secret`, in constant time.
pub fn verify(secret: &SecretString, body: &[u8], signature_hex: &str) -> bool {
    Signer::new(secret).verify(body, signature_hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published example (docs.alphapo.net, API reference, authentication).
    const SECRET: &str = "AbCdEfG123456";
    const BODY: &[u8] = br#"{"currency":"BTC","foreign_id":"123456"}"#;
    const SIGNATURE: &str = "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec";

    #[test]
    fn known_answer() {
        let secret = SecretString::from(SECRET);
        assert_eq!(sign(&secret, BODY), SIGNATURE);
        let signer = Signer::new(&secret);
        // The keyed state is reused: signing twice gives the same answer.
        assert_eq!(signer.sign(BODY), SIGNATURE);
        assert_eq!(signer.sign(BODY), SIGNATURE);
    }

    #[test]
    fn verification_is_exact() {
        let secret = SecretString::from(SECRET);
        assert!(verify(&secret, BODY, SIGNATURE));
        assert!(verify(&secret, BODY, &SIGNATURE.to_uppercase()));
        assert!(!verify(&secret, br#"{"currency":"BTC", "foreign_id":"123456"}"#, SIGNATURE));
        assert!(!verify(&SecretString::from("AbCdEfG123457"), BODY, SIGNATURE));
        assert!(!verify(&secret, BODY, &SIGNATURE[..126]));
        assert!(!verify(&secret, BODY, "zz"));
        assert!(!verify(&secret, BODY, ""));
    }

    #[test]
    fn debug_shows_nothing() {
        assert_eq!(format!("{:?}", Signer::new(&SecretString::from(SECRET))), "Signer([REDACTED])");
    }
}
