use std::net::IpAddr;

use url::{Host, Url};

use crate::error::PayoutError;

/// Parses a provider's base URL from the setting named `setting` (for example
/// `ALPHAPO_BASE_URL`), refusing plain `http://` for anything but a loopback host so keys and
/// signatures never cross a network in clear text. A trailing `/` is dropped.
///
/// ```
/// use payout_core::http::base_url;
/// assert!(base_url("X_BASE_URL", "https://app.alphapo.net/api/v2").is_ok());
/// assert!(base_url("X_BASE_URL", "http://127.0.0.1:8080/api/v2").is_ok());
/// assert!(base_url("X_BASE_URL", "http://example.com/api").is_err());
/// ```
pub fn base_url(setting: &str, raw: &str) -> Result<Url, PayoutError> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        // The value is not repeated: it may be a key pasted into the wrong setting.
        PayoutError::configuration(format!("{setting} is not a URL ({e}); give the provider's https:// base URL"))
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(PayoutError::configuration(format!(
                "{setting} uses plain http:// for a host that is not loopback; use https:// (http:// is allowed only for 127.0.0.1, ::1 and localhost)"
            )));
        }
        other => {
            return Err(PayoutError::configuration(format!("{setting} must be an https:// URL, got scheme `{other}`")));
        }
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(PayoutError::configuration(format!("{setting} must name a host (https://host/path)")));
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(PayoutError::configuration(format!(
            "{setting} must not carry credentials, a query or a fragment; give keys through their own settings"
        )));
    }
    let mut url = url;
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_rule() {
        for ok in ["https://api.alppay.io/v2/", "http://localhost:1/x", "http://[::1]:9/v2", "http://127.0.0.2/v2"] {
            assert!(base_url("B", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1/v2",
            "http://api.alppay.io/v2",
            "ftp://x/y",
            "not a url",
            "https://u:p@h/x",
            "https://h/x?k=1",
            "sk_live_abcdef1234567890",
        ] {
            let e = base_url("B", bad).unwrap_err();
            assert!(e.to_string().contains('B'), "{e}");
            assert!(!e.to_string().contains(bad), "the value is never repeated: {e}");
        }
        assert_eq!(base_url("B", "https://h/api/v2/").unwrap().as_str(), "https://h/api/v2");
    }
}
