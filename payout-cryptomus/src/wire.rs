//! Cryptomus's JSON, exactly as it travels, kept apart from the unified model (conversions happen
//! in [`crate::mapping`] only): the envelope, the payout object, the history page, the services
//! table, the create and info bodies, and [`php_json`], the PHP `json_encode` form that is
//! signed.
//!
//! Reading is tolerant: amounts may be strings or numbers (the docs show both), strings may be
//! `null` or absent, `is_final` a boolean or `0`/`1`. Writing is exact: the documented field
//! order, compact, in PHP's form.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Every answer: `{"state": 0, "result": …}` on success; `{"state": 1, "errors": {…}}` or
/// `{"state": 1, "message": "…"}` on a refusal.
#[derive(Debug, Deserialize)]
pub struct Envelope<'a> {
    /// `0` success, anything else a refusal.
    #[serde(default)]
    pub state: Option<i64>,
    /// The answer, kept as its text and typed by the caller.
    #[serde(borrow, default)]
    pub result: Option<&'a RawValue>,
    /// Laravel's per-field messages (`{"amount": ["validation.required"]}`).
    #[serde(default)]
    pub errors: Option<serde_json::Value>,
    /// A refusal in words (`"Not enough funds"`).
    #[serde(default)]
    pub message: Option<String>,
}

/// A payout, as create, info, history items and (with more fields) webhooks send it.
#[derive(Debug, Deserialize)]
pub struct Payout {
    /// `uuid`: Cryptomus's id.
    pub uuid: String,
    /// `order_id`: the caller's reference, when sent (history items, webhooks; may be `null`;
    /// a number is kept as its text).
    #[serde(default, deserialize_with = "text_opt")]
    pub order_id: Option<String>,
    /// `amount`: the amount asked for, in `currency`.
    #[serde(default, deserialize_with = "amount_opt")]
    pub amount: Option<Decimal>,
    /// `currency`.
    #[serde(default)]
    pub currency: Option<String>,
    /// `network` (upper case in requests, often lower case in answers).
    #[serde(default)]
    pub network: Option<String>,
    /// `address`: the destination.
    #[serde(default)]
    pub address: Option<String>,
    /// `txid`: absent, `null` or the hash.
    #[serde(default, deserialize_with = "text_opt")]
    pub txid: Option<String>,
    /// `status`: `process`, `check`, `paid`, `fail`, `cancel`, `system_fail`, or anything newer.
    pub status: String,
    /// `is_final`: whether the status will not change again.
    #[serde(default, deserialize_with = "flag_opt")]
    pub is_final: Option<bool>,
    /// `payer_currency`: the currency actually sent.
    #[serde(default)]
    pub payer_currency: Option<String>,
    /// `payer_amount`: the amount actually sent, in `payer_currency`.
    #[serde(default, deserialize_with = "amount_opt")]
    pub payer_amount: Option<Decimal>,
    /// `fail_reason` (webhooks): `aml`, `system_error`, `address_error` (any case).
    #[serde(default)]
    pub fail_reason: Option<String>,
    /// `created_at` (history items; RFC 3339 with the `+03:00` offset).
    #[serde(default, deserialize_with = "time_opt")]
    pub created_at: Option<OffsetDateTime>,
    /// `updated_at`.
    #[serde(default, deserialize_with = "time_opt")]
    pub updated_at: Option<OffsetDateTime>,
}

/// The `result` of `POST /payout/list`: `{merchant_uuid, items, paginate}`.
#[derive(Debug, Deserialize)]
pub struct History<'a> {
    /// The payouts of this page, each kept as its text.
    #[serde(borrow)]
    pub items: Option<Vec<&'a RawValue>>,
    /// The cursors.
    #[serde(default)]
    pub paginate: Option<Paginate>,
}

/// `paginate` of the history: Laravel's cursor paginator.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paginate {
    /// Items on this page.
    #[serde(default)]
    pub count: Option<u64>,
    /// Whether there is more than one page.
    #[serde(default)]
    pub has_pages: Option<bool>,
    /// The cursor of the next page; `null` on the last.
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// The cursor of the previous page.
    #[serde(default)]
    pub previous_cursor: Option<String>,
    /// The page size Cryptomus uses (15 in the examples).
    #[serde(default)]
    pub per_page: Option<u32>,
}

/// One row of `POST /payout/services`.
#[derive(Debug, Clone, Deserialize)]
pub struct Service {
    /// `network`.
    pub network: String,
    /// `currency`.
    pub currency: String,
    /// `is_available`.
    #[serde(default, deserialize_with = "flag_opt")]
    pub is_available: Option<bool>,
    /// `limit`.
    #[serde(default)]
    pub limit: Option<Limit>,
    /// `commission`.
    #[serde(default)]
    pub commission: Option<Commission>,
}

/// `limit` of a service.
#[derive(Debug, Clone, Deserialize)]
pub struct Limit {
    /// `min_amount`.
    #[serde(default, deserialize_with = "amount_opt")]
    pub min_amount: Option<Decimal>,
    /// `max_amount`.
    #[serde(default, deserialize_with = "amount_opt")]
    pub max_amount: Option<Decimal>,
}

/// `commission` of a service.
#[derive(Debug, Clone, Deserialize)]
pub struct Commission {
    /// `fee_amount`.
    #[serde(default, deserialize_with = "amount_opt")]
    pub fee_amount: Option<Decimal>,
    /// `percent`.
    #[serde(default, deserialize_with = "amount_opt")]
    pub percent: Option<Decimal>,
}

/// The body of `POST /payout`, in the documented order.
#[derive(Debug, Serialize)]
pub struct CreateBody<'a> {
    /// `amount`, a decimal string.
    pub amount: String,
    /// `currency`.
    pub currency: &'a str,
    /// `network`, when the asset names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// `order_id`: the reference.
    pub order_id: &'a str,
    /// `address`.
    pub address: &'a str,
    /// `is_subtract`: `true` takes the fee from the balance (the recipient gets `amount`).
    pub is_subtract: bool,
    /// `url_callback`, when the request names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_callback: Option<&'a str>,
    /// `memo`, the destination tag (TON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<&'a str>,
}

/// The body of `POST /payout/info`: exactly one of the two.
#[derive(Debug, Serialize)]
pub struct InfoBody<'a> {
    /// `uuid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<&'a str>,
    /// `order_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<&'a str>,
}

/// A JSON value written the way PHP's `json_encode($data)` writes it by default, with
/// `JSON_UNESCAPED_UNICODE` (as the official SDK): compact, `/` escaped as `\/`, non-ASCII as
/// raw UTF-8 except U+2028 and U+2029 (escaped), control characters as `\b \f \n \r \t` or
/// `\u00xx`, `<`, `>`, `&` and `'` as they are.
pub mod php_json {
    /// Re-encodes one JSON text PHP-style, keeping keys in their order and numbers as written;
    /// `None` when `json` is not one JSON value.
    ///
    /// ```
    /// let out = payout_cryptomus::wire::php_json::encode(br#"{ "u": "https://a.b/c", "e": "\u00e9", "n": 1.50 }"#);
    /// assert_eq!(out.unwrap(), r#"{"u":"https:\/\/a.b\/c","e":"é","n":1.50}"#.as_bytes());
    /// ```
    pub fn encode(json: &[u8]) -> Option<Vec<u8>> {
        run(json, None, true).map(|(out, _)| out)
    }

    /// [`encode`] of a JSON object without its top-level member `key`, and that member's value
    /// as text if it was a string (a webhook's `sign`). Slashes are escaped when `escape_slashes`
    /// is set (PHP's default), kept otherwise (`JSON_UNESCAPED_SLASHES`).
    pub fn encode_without_key(json: &[u8], key: &str, escape_slashes: bool) -> Option<(Vec<u8>, Option<String>)> {
        run(json, Some(key), escape_slashes)
    }

    fn run(json: &[u8], strip: Option<&str>, escape_slashes: bool) -> Option<(Vec<u8>, Option<String>)> {
        // Checked whole first, so that the scanner below may trust the grammar.
        serde_json::from_slice::<serde::de::IgnoredAny>(json).ok()?;
        let mut w = Writer { src: json, pos: 0, escape_slashes, strip, stripped: None };
        let mut out = Vec::with_capacity(json.len() + 8);
        w.value(&mut out, 0)?;
        w.skip_ws();
        (w.pos == json.len()).then_some((out, w.stripped))
    }

    /// Writes the string `s` PHP-style, quotes included.
    pub fn write_str(out: &mut Vec<u8>, s: &str, escape_slashes: bool) {
        out.push(b'"');
        for c in s.chars() {
            match c {
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                '/' if escape_slashes => out.extend_from_slice(b"\\/"),
                '\u{8}' => out.extend_from_slice(b"\\b"),
                '\u{c}' => out.extend_from_slice(b"\\f"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\r' => out.extend_from_slice(b"\\r"),
                '\t' => out.extend_from_slice(b"\\t"),
                c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                    out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
                }
                c => {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        out.push(b'"');
    }

    /// A scanner over JSON text already known to be valid (checked by serde_json first), so
    /// every step can trust the grammar; it still never indexes out of bounds.
    struct Writer<'a, 'k> {
        src: &'a [u8],
        pos: usize,
        escape_slashes: bool,
        strip: Option<&'k str>,
        stripped: Option<String>,
    }

    /// Nesting deeper than this is refused (serde_json refuses past 128 too).
    const MAX_DEPTH: usize = 128;

    impl Writer<'_, '_> {
        fn peek(&self) -> Option<u8> {
            self.src.get(self.pos).copied()
        }

        fn skip_ws(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
                self.pos += 1;
            }
        }

        fn value(&mut self, out: &mut Vec<u8>, depth: usize) -> Option<()> {
            if depth > MAX_DEPTH {
                return None;
            }
            self.skip_ws();
            match self.peek()? {
                b'{' => self.object(out, depth),
                b'[' => self.array(out, depth),
                b'"' => {
                    let s = self.string()?;
                    write_str(out, &s, self.escape_slashes);
                    Some(())
                }
                _ => {
                    // A number or a literal: copied as written.
                    let start = self.pos;
                    while let Some(b) = self.peek() {
                        if matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t') {
                            break;
                        }
                        self.pos += 1;
                    }
                    out.extend_from_slice(self.src.get(start..self.pos)?);
                    Some(())
                }
            }
        }

        /// Reads one string token, unescaped.
        fn string(&mut self) -> Option<String> {
            let start = self.pos;
            self.pos += 1;
            loop {
                match self.peek()? {
                    b'\\' => self.pos += 2,
                    b'"' => {
                        self.pos += 1;
                        break;
                    }
                    _ => self.pos += 1,
                }
            }
            serde_json::from_slice(self.src.get(start..self.pos)?).ok()
        }

        fn object(&mut self, out: &mut Vec<u8>, depth: usize) -> Option<()> {
            self.members(out, b'{', b'}', |w, out, first| {
                let key = w.string()?;
                w.skip_ws();
                w.pos += 1; // the ':'
                if depth == 0 && w.strip == Some(key.as_str()) {
                    w.skip_ws();
                    if w.peek() == Some(b'"') {
                        w.stripped = Some(w.string()?);
                    } else {
                        w.stripped = None;
                        w.value(&mut Vec::new(), depth + 1)?;
                    }
                    return Some(false);
                }
                if !first {
                    out.push(b',');
                }
                write_str(out, &key, w.escape_slashes);
                out.push(b':');
                w.value(out, depth + 1)?;
                Some(true)
            })
        }

        fn array(&mut self, out: &mut Vec<u8>, depth: usize) -> Option<()> {
            self.members(out, b'[', b']', |w, out, first| {
                if !first {
                    out.push(b',');
                }
                w.value(out, depth + 1)?;
                Some(true)
            })
        }

        /// Walks an object's members or an array's elements, from `open` to `close`, dropping
        /// the source's commas and white space: `member` writes each (its comma first unless it
        /// is the first written) and says whether it wrote one (a stripped key writes nothing).
        fn members(
            &mut self,
            out: &mut Vec<u8>,
            open: u8,
            close: u8,
            mut member: impl FnMut(&mut Self, &mut Vec<u8>, bool) -> Option<bool>,
        ) -> Option<()> {
            self.pos += 1;
            out.push(open);
            let mut first = true;
            loop {
                self.skip_ws();
                match self.peek()? {
                    b if b == close => {
                        self.pos += 1;
                        out.push(close);
                        return Some(());
                    }
                    b',' => self.pos += 1,
                    _ => {
                        if member(self, out, first)? {
                            first = false;
                        }
                    }
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn escapes_as_php_does() {
            let mut out = Vec::new();
            write_str(&mut out, "a/b\"c\\d\u{1}\n<>&'é\u{2028}€", true);
            assert_eq!(String::from_utf8(out).unwrap(), "\"a\\/b\\\"c\\\\d\\u0001\\n<>&'é\\u2028€\"");
            let mut out = Vec::new();
            write_str(&mut out, "a/b", false);
            assert_eq!(out, b"\"a/b\"");
        }

        #[test]
        fn re_encodes_compactly_keeping_order_and_numbers() {
            let text = br#" { "z" : [ 1 , 2.50, -3e2 , true, null ], "a": { "k/": "v\/w" }, "": "" } "#;
            assert_eq!(
                String::from_utf8(encode(text).unwrap()).unwrap(),
                r#"{"z":[1,2.50,-3e2,true,null],"a":{"k\/":"v\/w"},"":""}"#
            );
            assert_eq!(encode(b"[]").unwrap(), b"[]");
            assert_eq!(encode(b"{}").unwrap(), b"{}");
            assert!(encode(b"{").is_none());
            assert!(encode(b"{} {}").is_none());
            assert!(encode(b"").is_none());
        }

        #[test]
        fn strips_one_top_level_key_only() {
            let text = br#"{"a":1,"sign":"abc","n":{"sign":"kept"},"b":"x"}"#;
            let (out, sign) = encode_without_key(text, "sign", true).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), r#"{"a":1,"n":{"sign":"kept"},"b":"x"}"#);
            assert_eq!(sign.as_deref(), Some("abc"));
            let (out, sign) = encode_without_key(br#"{"sign":7,"a":"/"}"#, "sign", false).unwrap();
            assert_eq!((out.as_slice(), sign), (&br#"{"a":"/"}"#[..], None));
            let (out, _) = encode_without_key(br#"{"sign":"s"}"#, "sign", true).unwrap();
            assert_eq!(out, b"{}");
        }
    }
}

// ---- tolerant readers ---------------------------------------------------------------------

/// An amount sent as a string (`"207.00000000"`) or a number (`129`), read exactly (a number is
/// read from its text, never through `f64`); `null` or `""` is none.
pub(crate) fn amount_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw: Option<&RawValue> = Option::deserialize(d)?;
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().trim();
    let text = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner.trim(),
        None if text == "null" => return Ok(None),
        None => text,
    };
    if text.is_empty() {
        return Ok(None);
    }
    Decimal::from_str_exact(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map(Some)
        .map_err(|_| de::Error::custom(format!("`{text}` is not a decimal amount")))
}

/// A string, or a number kept as its text; `null` is none.
pub(crate) fn text_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(de::Error::custom(format!("expected a string, got {other}"))),
    }
}

/// A boolean sent as `true`/`false`, `1`/`0` or `"1"`/`"0"` (Laravel's boolean); `null` is none.
pub(crate) fn flag_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct Flag;
    impl<'v> Visitor<'v> for Flag {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean, 0/1 or null")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            match v {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(E::custom(format!("{v} is not a boolean"))),
            }
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            self.visit_u64(u64::try_from(v).map_err(|_| E::custom(format!("{v} is not a boolean")))?)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v {
                "1" | "true" => Ok(Some(true)),
                "0" | "false" => Ok(Some(false)),
                _ => Err(E::custom(format!("`{v}` is not a boolean"))),
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'v>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(Flag)
        }
    }
    d.deserialize_option(Flag)
}

/// A time in RFC 3339 (`2023-06-21T17:25:55+03:00`) or Cryptomus's `YYYY-MM-DD HH:MM:SS`
/// (read as UTC+3, the zone its docs give); anything else, `null` or `""` is none (a time is
/// never worth refusing a payout over).
pub(crate) fn time_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    let Some(s) = s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) else { return Ok(None) };
    if let Ok(t) = OffsetDateTime::parse(&s, &Rfc3339) {
        return Ok(Some(t));
    }
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    Ok(time::PrimitiveDateTime::parse(&s, &format).ok().map(|t| t.assume_offset(time::macros::offset!(+3))))
}
