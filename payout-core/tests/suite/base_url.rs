//! The loopback rule for plain `http://`, over any host: keys and signatures never cross a
//! network in clear text.
#![cfg(feature = "http")]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use payout_core::ErrorKind;
use payout_core::http::base_url;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn host() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| {
            let ip = Ipv4Addr::from(o);
            (ip.to_string(), IpAddr::V4(ip).is_loopback())
        }),
        any::<[u16; 8]>().prop_map(|s| {
            let ip = Ipv6Addr::from(s);
            (format!("[{ip}]"), ip.is_loopback())
        }),
        Just(("[::1]".to_owned(), true)),
        "[0-9]{1,3}".prop_map(|last| (format!("127.0.0.{last}"), last.parse::<u8>().is_ok())),
        prop_oneof![Just("localhost"), Just("LOCALHOST"), Just("LocalHost")].prop_map(|h| (h.to_owned(), true)),
        "[a-z]{1,10}\\.(localhost|local|com|io)".prop_map(|h| (h, false)),
        "localhost\\.[a-z]{1,8}\\.com".prop_map(|h| (h, false)),
        "127\\.0\\.0\\.1\\.[a-z]{2,6}\\.io".prop_map(|h| (h, false)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/base_url.txt"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn plain_http_only_for_loopback((host, loopback) in host(), port in proptest::option::of(1u16..)) {
        let authority = match port { Some(p) => format!("{host}:{p}"), None => host.clone() };
        let http = base_url("X_BASE_URL", &format!("http://{authority}/api/v2"));
        match (&http, loopback) {
            (Ok(_), true) => {}
            (Err(e), false) => prop_assert_eq!(e.kind(), ErrorKind::Configuration),
            (Err(e), true) if e.to_string().contains("not a URL") => {} // e.g. 127.0.0.300
            (other, _) => prop_assert!(false, "http://{} -> {:?} (loopback: {})", authority, other.as_ref().map(|u| u.as_str()), loopback),
        }
        if let Ok(u) = base_url("X_BASE_URL", &format!("https://{authority}/api/v2/")) {
            prop_assert_eq!(u.scheme(), "https");
            prop_assert!(!u.path().ends_with('/'));
        }
    }
}
