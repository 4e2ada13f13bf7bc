//! Reading an answer or a callback once: the object's exact text is kept as
//! [`Withdrawal::raw`](payout_core::Withdrawal::raw) and the typed form is read from that text,
//! instead of parsing the body twice (typed, and again into a `serde_json::Value`).

use payout_core::RawJson;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// A create's answer, `{"data": {...}}`, with the withdrawal left as its text.
#[derive(Deserialize)]
struct Data<'a> {
    #[serde(borrow)]
    data: &'a RawValue,
}

/// `body` typed, with its text kept; `None` when the text cannot be kept as it is or the typed
/// read refuses it. Callers then read the body as before, which gives the same error (or, for
/// the rare body only the typed reader accepts, the same result with no raw object).
pub(crate) fn kept<T: DeserializeOwned>(body: &[u8]) -> Option<(T, RawJson)> {
    let raw: &RawValue = serde_json::from_slice(body).ok()?;
    typed(raw)
}

/// The `data` object of `body`, typed, with its text kept; `None` as for [`kept`].
pub(crate) fn kept_data<T: DeserializeOwned>(body: &[u8]) -> Option<(T, RawJson)> {
    let envelope: Data<'_> = serde_json::from_slice(body).ok()?;
    typed(envelope.data)
}

fn typed<T: DeserializeOwned>(raw: &RawValue) -> Option<(T, RawJson)> {
    let value = serde_json::from_str(raw.get()).ok()?;
    Some((value, RawJson::from(raw)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{CreatedWithdrawal, Transaction};

    #[test]
    fn the_object_text_is_kept_as_sent() {
        let body = br#" {"data": {"id": 7, "status": "processing", "amount": "1.50"}, "x": 1} "#;
        let (data, raw) = kept_data::<CreatedWithdrawal>(body).unwrap();
        assert_eq!(data.id.as_str(), "7");
        assert_eq!(raw.as_str(), r#"{"id": 7, "status": "processing", "amount": "1.50"}"#);
        let body = br#"{"id": 8, "status": "confirmed"}"#;
        let (tx, raw) = kept::<Transaction>(body).unwrap();
        assert_eq!((tx.id.as_str(), raw.as_str()), ("8", r#"{"id": 8, "status": "confirmed"}"#));
        assert!(kept::<Transaction>(b"{\"id\": 8}").is_none(), "a typed refusal falls back");
        assert!(kept_data::<CreatedWithdrawal>(b"{}").is_none());
        assert!(kept::<Transaction>(b"\xff").is_none());
    }
}
