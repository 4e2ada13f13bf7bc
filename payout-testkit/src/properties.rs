//! Shared parts of both providers' property tests: [`any_json`], the values a provider (or an
//! attacker who has the secret) could put in a field, and the property "one changed byte of a
//! signed webhook is refused" ([`assert_one_changed_byte_is_refused`], checked case by case by
//! [`ChangedByte`]), and "amounts in answers are read exactly" ([`assert_amounts_read_exactly`]).
//!
//! ```
//! use http::HeaderMap;
//! use payout_core::PayoutError;
//! use payout_testkit::properties::ChangedByte;
//!
//! // A verifier that accepts only the exact signature "ab".
//! let verify = |headers: &HeaderMap, _body: &[u8]| match headers.get("X-Sig") {
//!     Some(v) if v.as_bytes().eq_ignore_ascii_case(b"ab") => Ok(()),
//!     _ => Err(PayoutError::Webhook { message: "signature does not match".into() }),
//! };
//! let change = ChangedByte::new(b"{}", "ab", 1, b'x', true).expect("b becomes x");
//! change.check(&HeaderMap::new(), "X-Sig", verify).unwrap();
//! ```

use http::{HeaderMap, HeaderValue};
use payout_core::{Decimal, ErrorKind, PayoutError};
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

/// Any JSON value, nested three deep at most: null, booleans, integers, finite floats, decimal
/// numbers as strings, any short string and strings of the `more_strings` patterns, in arrays and
/// in objects whose keys match `keys`.
pub fn any_json(keys: &'static str, more_strings: &[&'static str]) -> impl Strategy<Value = Value> + use<> {
    let mut leaves: Vec<BoxedStrategy<Value>> = vec![
        Just(Value::Null).boxed(),
        any::<bool>().prop_map(Value::Bool).boxed(),
        any::<i64>().prop_map(|n| json!(n)).boxed(),
        any::<u64>().prop_map(|n| json!(n)).boxed(),
        any::<f64>().prop_filter("JSON has no NaN", |f| f.is_finite()).prop_map(|f| json!(f)).boxed(),
        "-?[0-9]{1,40}(\\.[0-9]{0,40})?".prop_map(Value::String).boxed(),
    ];
    leaves.extend(more_strings.iter().copied().map(|pattern| pattern.prop_map(Value::String).boxed()));
    leaves.push(".{0,24}".prop_map(Value::String).boxed());
    Union::new(leaves).prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(keys, inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Runs the property under `config`: for any body of 1 to 255 bytes signed with `sign`, any
/// change of one byte of the body is refused, and so is any change of one byte of the signature
/// except turning a hex letter into its other case (the same signature); see
/// [`ChangedByte::check`]. Panics with the smallest failing case.
pub fn assert_one_changed_byte_is_refused<T>(
    config: Config,
    sign: impl Fn(&[u8]) -> String,
    base: &HeaderMap,
    signature_header: &'static str,
    verify: impl Fn(&HeaderMap, &[u8]) -> Result<T, PayoutError>,
) {
    let cases = (proptest::collection::vec(any::<u8>(), 1..256), any::<usize>(), any::<u8>(), any::<bool>());
    let outcome = TestRunner::new(config).run(&cases, |(body, at, to, in_signature)| {
        let signature = sign(&body);
        let Some(change) = ChangedByte::new(&body, &signature, at, to, in_signature) else {
            return Err(TestCaseError::reject("the byte is unchanged"));
        };
        change.check(base, signature_header, &verify).map_err(TestCaseError::fail)
    });
    if let Err(e) = outcome {
        panic!("one changed byte: {e}");
    }
}

/// One byte of a signed body, or of its signature, changed.
#[derive(Clone, Debug)]
pub struct ChangedByte {
    body: Vec<u8>,
    signature: String,
    in_signature: bool,
    /// The body or the signature with the byte changed.
    changed: Vec<u8>,
}

impl ChangedByte {
    /// Changes the byte at `at` (modulo the length) of the signature (`in_signature`) or of the
    /// body to `to`; `None` when that byte already is `to` (no change to check: the property
    /// test discards the case) or the body is empty.
    pub fn new(body: &[u8], signature: &str, at: usize, to: u8, in_signature: bool) -> Option<Self> {
        let mut changed = if in_signature { signature.as_bytes().to_vec() } else { body.to_vec() };
        if changed.is_empty() {
            return None;
        }
        let i = at % changed.len();
        if changed[i] == to {
            return None;
        }
        changed[i] = to;
        Some(ChangedByte { body: body.to_vec(), signature: signature.to_owned(), in_signature, changed })
    }

    /// Sends the changed body (with the right signature) or the body with the changed signature
    /// in `signature_header`, besides the `base` headers, to `verify`: a changed body is refused
    /// as a `Webhook` error whose message says the signature does not match; a changed signature
    /// is refused as a `Webhook` error unless it is the same signature but for the case of a hex
    /// letter, which verifies (its body may still be no withdrawal, but never "does not match").
    /// A changed signature that is no header value at all cannot be sent, and passes.
    pub fn check<T>(
        &self,
        base: &HeaderMap,
        signature_header: &'static str,
        verify: impl Fn(&HeaderMap, &[u8]) -> Result<T, PayoutError>,
    ) -> Result<(), String> {
        let mut headers = base.clone();
        if self.in_signature {
            let same_ignoring_case = self.changed.eq_ignore_ascii_case(self.signature.as_bytes());
            let Ok(value) = HeaderValue::from_bytes(&self.changed) else { return Ok(()) };
            headers.insert(signature_header, value);
            match verify(&headers, &self.body) {
                // Verified (the body itself may still be no withdrawal).
                Err(e) if same_ignoring_case && e.to_string().contains("does not match") => {
                    Err(format!("a signature that differs only in case was refused: {e}"))
                }
                Err(_) if same_ignoring_case => Ok(()),
                Ok(_) if same_ignoring_case => Ok(()),
                Ok(_) => Err("a changed signature was accepted".to_owned()),
                Err(e) if e.kind() == ErrorKind::Webhook => Ok(()),
                Err(e) => Err(format!("a changed signature gave {:?}, not Webhook: {e}", e.kind())),
            }
        } else {
            let value =
                HeaderValue::from_str(&self.signature).map_err(|e| format!("the signature is no header: {e}"))?;
            headers.insert(signature_header, value);
            match verify(&headers, &self.changed) {
                Ok(_) => Err("a changed body was accepted".to_owned()),
                Err(e) if e.kind() != ErrorKind::Webhook => {
                    Err(format!("a changed body gave {:?}, not Webhook: {e}", e.kind()))
                }
                Err(e) if !e.to_string().contains("does not match") => {
                    Err(format!("a changed body was refused for another reason: {e}"))
                }
                Err(_) => Ok(()),
            }
        }
    }
}

/// Runs the property "amounts in answers are read exactly or not at all" under `config`: the
/// text of any amount (any size, sign and precision) is written into an answer as a JSON number
/// or as a string (`as_number`), and `read` answers what the provider read from that answer
/// (`None` when it refused the answer or read no amount). Whenever the text is a decimal, what
/// was read is exactly it, never rounded. Panics with the smallest failing case.
pub fn assert_amounts_read_exactly(config: Config, read: impl Fn(&str, bool) -> Option<Decimal>) {
    let cases = ("-?[0-9]{1,40}(\\.[0-9]{1,40})?", any::<bool>());
    let outcome = TestRunner::new(config).run(&cases, |(text, as_number)| {
        if let (Some(read), Ok(exact)) = (read(&text, as_number), Decimal::from_str_exact(&text)) {
            prop_assert_eq!(read, exact, "{} was changed", text);
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("amounts read exactly: {e}");
    }
}
