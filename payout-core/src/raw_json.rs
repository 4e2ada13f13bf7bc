//! The provider's object as the exact JSON text it arrived in ([`RawJson`]).
//!
//! Kept as text rather than a parsed `serde_json::Value`: a provider answer is then parsed once
//! (into the typed model), and the rare caller who needs a field the model does not carry parses
//! it on demand.

use std::fmt;

use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer as _, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// How much of the text [`RawJson`]'s `Debug` shows before cutting it short.
const DEBUG_MAX: usize = 256;

/// A provider's JSON object, kept as the exact text it was sent in and parsed only on demand.
///
/// Empty ([`RawJson::default`]) when there is none; it then reads as JSON `null`.
///
/// ```
/// use payout_core::RawJson;
/// let raw = RawJson::from_text(r#"{"id": 7, "merchant": {"name": "M"}}"#).unwrap();
/// assert_eq!(raw.as_str(), r#"{"id": 7, "merchant": {"name": "M"}}"#);
/// assert_eq!(raw.get("merchant").unwrap()["name"], "M");
/// ```
#[derive(Clone, Default)]
pub struct RawJson(Option<Box<RawValue>>);

impl RawJson {
    /// Checks that `text` is one JSON value and keeps it as it is (surrounding white space
    /// dropped).
    ///
    /// ```
    /// assert!(payout_core::RawJson::from_text(" [1, 2] ").is_ok());
    /// assert!(payout_core::RawJson::from_text("{").is_err());
    /// ```
    pub fn from_text(text: &str) -> Result<Self, serde_json::Error> {
        let raw: &RawValue = serde_json::from_str(text)?;
        Ok(Self::from(raw))
    }

    /// Writes any serializable value as JSON text (for providers that build their object
    /// themselves, such as fakes).
    ///
    /// ```
    /// let raw = payout_core::RawJson::from_serialize(&serde_json::json!({"a": 1})).unwrap();
    /// assert_eq!(raw.as_str(), r#"{"a":1}"#);
    /// ```
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(Self::from)
    }

    /// Reads a provider's object once: `T` typed from `raw`'s text, and the text kept as it is
    /// (no copy) for [`Withdrawal::raw`](crate::Withdrawal::raw), instead of parsing the body
    /// twice (typed, and again into a `serde_json::Value`). `None` when `T` refuses the text:
    /// the caller then reads it as before, for the same error.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Id { id: u64 }
    /// let raw = serde_json::from_str(r#"{"id": 7, "extra": [1]}"#).unwrap();
    /// let (typed, kept) = payout_core::RawJson::decode::<Id>(raw).unwrap();
    /// assert_eq!((typed.id, kept.as_str()), (7, r#"{"id": 7, "extra": [1]}"#));
    /// ```
    pub fn decode<T: DeserializeOwned>(raw: Box<RawValue>) -> Option<(T, Self)> {
        let typed = serde_json::from_str(raw.get()).ok()?;
        Some((typed, Self::from(raw)))
    }

    /// [`decode`](Self::decode) of a whole body; `None` also when the body is not one JSON
    /// value.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Id { id: u64 }
    /// let (typed, kept) = payout_core::RawJson::decode_slice::<Id>(b" {\"id\": 8} ").unwrap();
    /// assert_eq!((typed.id, kept.as_str()), (8, r#"{"id": 8}"#));
    /// assert!(payout_core::RawJson::decode_slice::<Id>(b"{\"id\": true}").is_none());
    /// assert!(payout_core::RawJson::decode_slice::<Id>(b"\xff").is_none());
    /// ```
    pub fn decode_slice<T: DeserializeOwned>(body: &[u8]) -> Option<(T, Self)> {
        Self::decode(serde_json::from_slice(body).ok()?)
    }

    /// The text exactly as kept, or `""` when there is none.
    ///
    /// ```
    /// assert_eq!(payout_core::RawJson::default().as_str(), "");
    /// ```
    pub fn as_str(&self) -> &str {
        self.0.as_deref().map_or("", RawValue::get)
    }

    /// Whether there is no raw object at all.
    ///
    /// ```
    /// assert!(payout_core::RawJson::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The text as a borrowed [`RawValue`], if there is one.
    pub fn as_raw_value(&self) -> Option<&RawValue> {
        self.0.as_deref()
    }

    /// Parses the text into `T` (empty reads as `null`).
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Id { id: u64 }
    /// let raw = payout_core::RawJson::from_text(r#"{"id": 7, "other": true}"#).unwrap();
    /// assert_eq!(raw.parse::<Id>().unwrap().id, 7);
    /// ```
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.as_deref().map_or("null", RawValue::get))
    }

    /// Parses the whole text into a `serde_json::Value` (empty is `Value::Null`).
    ///
    /// ```
    /// let raw = payout_core::RawJson::from_text(r#"{"fees": [{"type": "mining"}]}"#).unwrap();
    /// assert_eq!(raw.to_value().unwrap()["fees"][0]["type"], "mining");
    /// ```
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        self.parse()
    }

    /// One top-level field of an object, parsed alone; `None` when the text is not an object,
    /// has no such key, or the field cannot be parsed. With duplicate keys the last one wins,
    /// as in a `serde_json::Value`.
    ///
    /// ```
    /// let raw = payout_core::RawJson::from_text(r#"{"txnId": "0xab", "n": 3}"#).unwrap();
    /// assert_eq!(raw.get("txnId").unwrap(), "0xab");
    /// assert_eq!(raw.get("missing"), None);
    /// ```
    pub fn get(&self, key: &str) -> Option<serde_json::Value> {
        // One scan of the object: keys compared in place and values skipped as text, without a
        // map of every field (a `String` and a hash per key).
        let mut de = serde_json::Deserializer::from_str(self.0.as_deref()?.get());
        let field = de.deserialize_map(Field(key)).ok()?;
        de.end().ok()?;
        serde_json::from_str(field?.get()).ok()
    }
}

/// The text of the last top-level field named `.0` of a JSON object.
struct Field<'k>(&'k str);

impl<'de> Visitor<'de> for Field<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(wanted) = map.next_key_seed(KeyIs(self.0))? {
            let value: &'de RawValue = map.next_value()?;
            if wanted {
                found = Some(value);
            }
        }
        Ok(found)
    }
}

/// Whether a key, unescaped, is `.0`.
struct KeyIs<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

impl From<Box<RawValue>> for RawJson {
    /// Keeps the text as it is: no copy, no re-serialization.
    fn from(raw: Box<RawValue>) -> Self {
        Self(Some(raw))
    }
}

impl From<&RawValue> for RawJson {
    /// Copies the text as it is, without re-serializing it.
    fn from(raw: &RawValue) -> Self {
        Self(Some(raw.to_owned()))
    }
}

impl From<serde_json::Value> for RawJson {
    /// Writes a parsed value back as compact JSON text.
    fn from(value: serde_json::Value) -> Self {
        // Writing a `Value` cannot fail: its keys are strings and its numbers are finite.
        Self::from_serialize(&value).unwrap_or_default()
    }
}

impl PartialEq for RawJson {
    /// Equal when the texts are, or when they hold the same JSON value (white space and key
    /// order aside); empty equals `null`.
    fn eq(&self, other: &Self) -> bool {
        if self.as_str() == other.as_str() {
            return true;
        }
        matches!((self.to_value(), other.to_value()), (Ok(a), Ok(b)) if a == b)
    }
}

impl fmt::Debug for RawJson {
    /// The text, cut short after a few hundred bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.as_str();
        if text.len() <= DEBUG_MAX {
            return write!(f, "RawJson({text})");
        }
        let mut end = DEBUG_MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        write!(f, "RawJson({}… ({} bytes))", &text[..end], text.len())
    }
}

impl fmt::Display for RawJson {
    /// The text as kept (`null` when empty).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_empty() { "null" } else { self.as_str() })
    }
}

impl Serialize for RawJson {
    /// Embeds the text as it is (`null` when empty).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(raw) => raw.serialize(s),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_is_by_value_and_debug_is_bounded() {
        let a = RawJson::from_text(r#"{"a": 1, "b": [true]}"#).unwrap();
        let b = RawJson::from(serde_json::json!({"b": [true], "a": 1}));
        assert_eq!(a, b);
        assert_ne!(a, RawJson::default());
        assert_eq!(RawJson::default(), RawJson::from(serde_json::Value::Null));
        let long = RawJson::from_serialize(&"é".repeat(400)).unwrap();
        let shown = format!("{long:?}");
        assert!(shown.len() < 300 && shown.ends_with("(802 bytes))"), "{shown}");
        assert_eq!(format!("{:?}", RawJson::from_text("[1]").unwrap()), "RawJson([1])");
    }

    #[test]
    fn get_reads_one_field_and_last_duplicate_wins() {
        let raw = RawJson::from_text(r#"{"k": 1, "k": {"x": "y"}, "\u0041": 2}"#).unwrap();
        assert_eq!(raw.get("k"), Some(serde_json::json!({"x": "y"})));
        assert_eq!(raw.get("A"), Some(serde_json::json!(2)));
        assert_eq!(raw.get("x"), None, "only top-level fields");
        assert_eq!(RawJson::from_text("[1]").unwrap().get("k"), None);
        assert_eq!(RawJson::default().get("k"), None);
        assert_eq!(RawJson::default().to_value().unwrap(), serde_json::Value::Null);
    }
}
