use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

use super::retry::Safety;
use crate::error::{FieldError, PayoutError};

/// A provider's answer: status, headers, and the body read in full up to the client's bound.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl HttpResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Reads the body as JSON.
    ///
    /// A body that does not parse is a protocol error, except on a 2xx answer to a create: the
    /// provider acted, so that is [`PayoutError::OutcomeUnknown`] and the caller reconciles.
    pub fn json<T: DeserializeOwned>(&self, safety: &Safety) -> Result<T, PayoutError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            let err =
                PayoutError::protocol(format!("cannot read the answer as JSON: {e}"), Some(self.status), &self.body);
            if self.is_success() { safety.after_acted(err) } else { err }
        })
    }

    /// The wait asked for by `Retry-After` (seconds or an HTTP date).
    pub fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }

    /// The default mapping of a non-2xx answer to an error category:
    /// 401/403 authentication, 404 not found, 400/409/422 rejected (with field messages from an
    /// `errors` object, and `message` or `error` text), 429 rate limited, 5xx unavailable, a 3xx
    /// refused redirect and anything else a protocol error. Providers special-case what they know
    /// first and fall back to this.
    pub fn error(&self) -> PayoutError {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(&self.body).ok();
        let message = parsed.as_ref().and_then(message_of).unwrap_or_else(|| self.text_excerpt());
        let status = Some(self.status);
        match self.status {
            401 | 403 => PayoutError::Authentication { message, status },
            404 => PayoutError::NotFound { what: message },
            400 | 409 | 422 => PayoutError::Rejected {
                errors: parsed.as_ref().map(field_errors).unwrap_or_default(),
                code: parsed.as_ref().and_then(code_of),
                message,
                status,
            },
            429 => PayoutError::RateLimited { retry_after: self.retry_after() },
            500..=599 => PayoutError::unavailable(message, status),
            300..=399 => PayoutError::protocol(
                "the provider answered with a redirect, which is not followed so that signed headers never go to another host",
                status,
                &self.body,
            ),
            _ => PayoutError::protocol("unexpected HTTP status", status, &self.body),
        }
    }

    fn text_excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body[..self.body.len().min(300)]).trim().to_owned();
        if text.is_empty() { format!("HTTP {}", self.status) } else { text }
    }
}

fn message_of(v: &serde_json::Value) -> Option<String> {
    ["message", "error", "detail", "title"]
        .iter()
        .find_map(|k| v.get(k).and_then(|m| m.as_str()).map(str::to_owned))
        .or_else(|| {
            let errors = field_errors(v);
            (!errors.is_empty()).then(|| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        })
}

fn code_of(v: &serde_json::Value) -> Option<String> {
    ["code", "error_code"].iter().find_map(|k| v.get(k).and_then(|m| m.as_str()).map(str::to_owned))
}

/// Field messages from a Laravel-style `{"errors": {"field": "message" | ["message", ...]}}`
/// body, in the order the provider sent them.
pub fn field_errors(v: &serde_json::Value) -> Vec<FieldError> {
    let Some(map) = v.get("errors").and_then(|e| e.as_object()) else { return Vec::new() };
    map.iter()
        .flat_map(|(field, m)| match m {
            serde_json::Value::String(s) => vec![FieldError::new(field.clone(), s.clone())],
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| FieldError::new(field.clone(), i.as_str().map_or_else(|| i.to_string(), str::to_owned)))
                .collect(),
            other => vec![FieldError::new(field.clone(), other.to_string())],
        })
        .collect()
}

pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = OffsetDateTime::parse(value, &Rfc2822).ok()?;
    let wait = at - OffsetDateTime::now_utc();
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: HeaderMap::new(), body: Bytes::from(body.to_owned()) }
    }

    #[test]
    fn default_mapping() {
        let e = resp(400, r#"{"errors":{"amount":"The amount must be at least 0.001."},"error_code":"min"}"#).error();
        assert_eq!(e.kind(), ErrorKind::Rejected);
        assert_eq!(e.field_errors()[0].field, "amount");
        assert!(e.to_string().contains("at least 0.001"), "{e}");
        assert_eq!(
            resp(403, r#"{"error":"Bad key header","code":"bad_header_key"}"#).error().kind(),
            ErrorKind::Authentication
        );
        assert_eq!(resp(404, "").error().kind(), ErrorKind::NotFound);
        assert_eq!(resp(503, "busy").error().kind(), ErrorKind::Unavailable);
        assert_eq!(resp(302, "").error().kind(), ErrorKind::Protocol);
        assert_eq!(resp(418, "").error().kind(), ErrorKind::Protocol);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(http::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(http::header::RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
