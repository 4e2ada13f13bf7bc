//! [`HexMac`]: the signature both HTTP providers put in a header, written once. A provider's
//! `Signer` is this type over its hash (`HexMac<Sha512>` for AlphaPo, `HexMac<Sha256>` for
//! AlpPay).

use std::fmt;

use hmac::{EagerHash, Hmac, KeyInit, Mac};
use http::HeaderValue;
use http::header::InvalidHeaderValue;

/// Lowercase hex digits by value: a signature is written two table look-ups per byte, not
/// formatted character by character.
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The longest signature written on the stack: 128 hex digits, SHA-512's 64-byte tag.
const STACK_HEX: usize = 128;

/// An HMAC over the hash `D`, keyed once, signing exact body bytes to lowercase hex and verifying hex signatures in
/// constant time.
///
/// The key is absorbed into the MAC state when the signer is made and the state is cloned for
/// each body, so a signature costs only the hashing of that body. The keyed state can forge
/// signatures, so `Debug` shows nothing of it.
///
/// ```
/// use payout_core::http::HexMac;
/// use sha2::Sha256;
///
/// let signer = HexMac::<Sha256>::new(&"sk_live_abcdef1234567890".into());
/// let body = br#"{"amount":"250.00","asset":{"short":"USDT","network":"tron"}}"#;
/// let sig = signer.sign(body);
/// assert_eq!(sig, "e4f4735e8e4f1d0a2014cecc4113bf99667e54dcee7b10b4669386f11e11aff0");
/// assert!(signer.verify(body, &sig));
/// assert!(signer.verify(body, &sig.to_uppercase()));
/// assert!(!signer.verify(b"{}", &sig));
/// assert_eq!(format!("{signer:?}"), "Signer([REDACTED])");
/// let header = signer.sign_header(body).unwrap();
/// assert_eq!(header.to_str().unwrap(), sig);
/// assert!(header.is_sensitive());
/// ```
pub struct HexMac<D>
where
    D: EagerHash,
    Hmac<D>: Mac + KeyInit + Clone,
{
    keyed: Hmac<D>,
}

impl<D> Clone for HexMac<D>
where
    D: EagerHash,
    Hmac<D>: Mac + KeyInit + Clone,
{
    fn clone(&self) -> Self {
        Self { keyed: self.keyed.clone() }
    }
}

impl<D> HexMac<D>
where
    D: EagerHash,
    Hmac<D>: Mac + KeyInit + Clone,
{
    /// A signer keyed with `secret`.
    pub fn new(secret: &secrecy::SecretString) -> Self {
        use secrecy::ExposeSecret;
        Self::from_bytes(secret.expose_secret().as_bytes())
    }

    /// A signer keyed with raw secret bytes.
    pub fn from_bytes(secret: &[u8]) -> Self {
        // HMAC accepts keys of any length (longer ones are hashed), so the fallback is never
        // taken; it keeps this free of panics.
        let keyed = <Hmac<D> as KeyInit>::new_from_slice(secret)
            .unwrap_or_else(|_| <Hmac<D> as KeyInit>::new(&Default::default()));
        Self { keyed }
    }

    /// The lowercase hex signature of `body`.
    pub fn sign(&self, body: &[u8]) -> String {
        self.with_hex(body, |hex| String::from_utf8_lossy(hex).into_owned())
    }

    /// The lowercase hex signature of `body` as a header value, marked sensitive (no header dump
    /// shows it): the hex is written into a stack buffer and copied once, into the value. It is
    /// always a valid header value; the error only keeps this free of panics.
    pub fn sign_header(&self, body: &[u8]) -> Result<HeaderValue, InvalidHeaderValue> {
        let mut value = self.with_hex(body, HeaderValue::from_bytes)?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Hands the lowercase hex signature of `body` to `f`, written on the stack for tags of up
    /// to 64 bytes (on the heap for longer ones).
    fn with_hex<R>(&self, body: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
        let mut mac = self.keyed.clone();
        mac.update(body);
        let tag = mac.finalize().into_bytes();
        let (mut stack, mut heap) = ([0u8; STACK_HEX], Vec::new());
        let hex: &mut [u8] = if tag.len() * 2 <= STACK_HEX {
            &mut stack[..tag.len() * 2]
        } else {
            heap.resize(tag.len() * 2, 0);
            &mut heap
        };
        for (pair, byte) in hex.chunks_exact_mut(2).zip(tag.iter()) {
            pair[0] = HEX_DIGITS[usize::from(byte >> 4)];
            pair[1] = HEX_DIGITS[usize::from(byte & 0x0f)];
        }
        f(hex)
    }

    /// Whether `signature_hex` (either case, surrounding white space ignored) is the signature
    /// of `body`. The comparison takes the same time wherever the signatures differ; anything
    /// that is not hex of the right length is simply not a match.
    pub fn verify(&self, body: &[u8], signature_hex: &str) -> bool {
        let Ok(tag) = hex::decode(signature_hex.trim()) else { return false };
        let mut mac = self.keyed.clone();
        mac.update(body);
        mac.verify_slice(&tag).is_ok()
    }
}

impl<D> fmt::Debug for HexMac<D>
where
    D: EagerHash,
    Hmac<D>: Mac + KeyInit + Clone,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer([REDACTED])")
    }
}
