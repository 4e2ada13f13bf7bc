//! The providers' signatures, computed the way their documents describe, independently of the
//! provider crates (so the simulators check the clients rather than agree with them).

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use md5::Digest as _;

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

/// Cryptomus: `md5(base64(body) + key)` as 32 lowercase hex characters (the `sign` header of a
/// request, the `sign` field of a webhook): standard base64 with `=` padding of the exact body
/// bytes, followed by the payout key as text; not an HMAC. An empty body signs `md5(key)`.
pub fn cryptomus_signature(key: &[u8], body: &[u8]) -> String {
    let mut hasher = md5::Md5::new();
    hasher.update(base64::engine::general_purpose::STANDARD.encode(body).as_bytes());
    hasher.update(key);
    hex::encode(hasher.finalize())
}

/// Checks a Cryptomus `sign` against the body in constant time. The sign is compared as the
/// text PHP's `md5()` prints (32 lowercase hex characters), so an uppercase copy is refused, as
/// a string comparison on the server refuses it.
pub fn verify_cryptomus(key: &[u8], body: &[u8], sign: &str) -> bool {
    constant_time_eq(cryptomus_signature(key, body).as_bytes(), sign.as_bytes())
}

/// JSON as PHP's `json_encode($data, JSON_UNESCAPED_UNICODE)` prints it, from the compact JSON
/// serde_json writes: `/` escaped as `\/` (PHP's default; serde_json leaves it), non-ASCII left as
/// raw UTF-8, everything else as it is. A `/` only ever appears inside a string in JSON, so
/// escaping every one is exact. (PHP also escapes U+2028 and U+2029 unless told not to; the
/// fields Cryptomus signs do not hold them.)
pub fn php_json(compact: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(compact.len() + 16);
    for &b in compact {
        if b == b'/' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// A Cryptomus webhook body: `payload` (a JSON object, encoded as the sender encodes it, see
/// [`php_json`]) with `"sign"` appended as its last key, signed with [`cryptomus_signature`] over
/// `payload` exactly (the object without `sign`).
pub fn cryptomus_signed_body(key: &[u8], payload: &[u8]) -> Vec<u8> {
    let sign = cryptomus_signature(key, payload);
    let open = payload.strip_suffix(b"}").unwrap_or(payload);
    let mut out = Vec::with_capacity(payload.len() + 48);
    out.extend_from_slice(open);
    if open.len() > 1 {
        out.push(b',');
    }
    out.extend_from_slice(b"\"sign\":\"");
    out.extend_from_slice(sign.as_bytes());
    out.extend_from_slice(b"\"}");
    out
}

/// Checks a Cryptomus webhook body whose `sign` is its last key, as [`cryptomus_signed_body`]
/// writes it and Cryptomus's examples show: the object without the `,"sign":"…"` suffix is what
/// was signed. Exact when the body kept the sender's encoding; `false` for any other shape (a
/// receiver that must accept re-ordered or re-encoded bodies re-encodes PHP-style instead).
pub fn verify_cryptomus_webhook(key: &[u8], body: &[u8]) -> bool {
    const TAIL: usize = r#","sign":""#.len() + 32 + r#""}"#.len();
    if body.len() < TAIL + 1 || !body.ends_with(b"\"}") {
        return false;
    }
    let (payload, tail) = body.split_at(body.len() - TAIL);
    let Some(sign) = tail.strip_prefix(br#","sign":""#).and_then(|t| t.strip_suffix(b"\"}")) else {
        return false;
    };
    let mut signed = payload.to_vec();
    signed.push(b'}');
    std::str::from_utf8(sign).is_ok_and(|sign| verify_cryptomus(key, &signed, sign))
}

/// Whether `a` and `b` are equal, in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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

    /// The vectors of providers/cryptomus.md section 2 (key `test-payout-key`).
    #[test]
    fn cryptomus_request_known_answers() {
        let key = b"test-payout-key";
        assert_eq!(cryptomus_signature(key, b""), "6b208087296521ae17744e2f02ff35a8");
        let escaped = br#"{"amount":"5","currency":"USDT","network":"TRON","order_id":"1","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":true,"url_callback":"https:\/\/your.site\/callback"}"#;
        assert_eq!(cryptomus_signature(key, escaped), "9f8a94430534666f34694f04f755ee3a");
        let plain = br#"{"amount":"5","currency":"USDT","network":"TRON","order_id":"1","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":true,"url_callback":"https://your.site/callback"}"#;
        assert_eq!(cryptomus_signature(key, plain), "1b597ec81c7dab53cab21aa6b1497da1");
        assert_eq!(php_json(plain), escaped.to_vec());
        assert!(verify_cryptomus(key, escaped, "9f8a94430534666f34694f04f755ee3a"));
        assert!(!verify_cryptomus(key, escaped, "9F8A94430534666F34694F04F755EE3A"));
        assert!(!verify_cryptomus(key, plain, "9f8a94430534666f34694f04f755ee3a"));
        assert!(!verify_cryptomus(key, escaped, ""));
    }

    /// The webhook vector of providers/cryptomus.md section 8.
    #[test]
    fn cryptomus_webhook_known_answer() {
        let key = b"test-payout-key";
        let payload = br#"{"type":"payout","uuid":"2b852d86-3cf1-43fb-b1bb-36f0b7d12151","order_id":"129359","amount":"207.00000000","merchant_amount":"207.30000000","commission":"0.30000000","is_final":true,"status":"paid","txid":"0xcf8","currency":"USDT","network":"bsc","payer_currency":"USDT","payer_amount":"207.00000000"}"#;
        let body = cryptomus_signed_body(key, payload);
        let text = std::str::from_utf8(&body).unwrap();
        assert!(text.ends_with(r#","sign":"873f68f7db4cc4b2a492e8d6996ae11c"}"#), "{text}");
        assert_eq!(&body[..payload.len() - 1], &payload[..payload.len() - 1]);
        assert!(verify_cryptomus_webhook(key, &body));
        assert!(!verify_cryptomus_webhook(b"other-key", &body));
        let tampered = text.replace("207.00000000", "208.00000000");
        assert!(!verify_cryptomus_webhook(key, tampered.as_bytes()));
        assert!(!verify_cryptomus_webhook(key, payload));
        assert_eq!(
            cryptomus_signed_body(key, b"{}"),
            format!(r#"{{"sign":"{}"}}"#, cryptomus_signature(key, b"{}")).into_bytes()
        );
    }
}
