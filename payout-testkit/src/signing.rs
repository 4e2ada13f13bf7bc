//! The two providers' signatures, computed the way their documents describe, independently of
//! the provider crates (so the simulators check the clients rather than agree with them).

use hmac::{KeyInit, Mac};

/// AlphaPo: lowercase hex HMAC-SHA512 of the exact body bytes, keyed with the API secret
/// (`X-Processing-Signature`).
pub fn alphapo_signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// AlpPay: lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the HMAC key (`X-HMAC`).
pub fn alppay_signature(key: &[u8], body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a hex signature against the body in constant time; `false` for anything malformed.
pub fn verify_alphapo(secret: &[u8], body: &[u8], signature_hex: &str) -> bool {
    let Ok(sig) = hex::decode(signature_hex.trim()) else { return false };
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// Checks a hex signature against the body in constant time; `false` for anything malformed.
pub fn verify_alppay(key: &[u8], body: &[u8], signature_hex: &str) -> bool {
    let Ok(sig) = hex::decode(signature_hex.trim()) else { return false };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published AlphaPo example (docs.alphapo.net, authentication).
    #[test]
    fn alphapo_known_answer() {
        let body = br#"{"currency":"BTC","foreign_id":"123456"}"#;
        let sig = "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec";
        assert_eq!(alphapo_signature(b"AbCdEfG123456", body), sig);
        assert!(verify_alphapo(b"AbCdEfG123456", body, sig));
        assert!(!verify_alphapo(b"AbCdEfG123456", br#"{"currency":"BTC","foreign_id":"123457"}"#, sig));
    }

    /// Computed from AlpPay's documented example body and key (providers/alppay.md section 2).
    #[test]
    fn alppay_known_answer() {
        let body = br#"{"amount":"250.00","asset":{"short":"USDT","network":"tron"}}"#;
        let sig = "e4f4735e8e4f1d0a2014cecc4113bf99667e54dcee7b10b4669386f11e11aff0";
        assert_eq!(alppay_signature(b"sk_live_abcdef1234567890", body), sig);
        assert!(verify_alppay(b"sk_live_abcdef1234567890", body, sig));
        assert!(!verify_alppay(b"sk_live_abcdef1234567890", body, "zz"));
    }
}
