//! Checking that no secret reaches any output: every log line captured at TRACE level (through
//! the `log` bridge too), and every `Debug`/`Display` output a test collects.
//!
//! A provider crate's test installs the [`Capture`], runs every operation with known keys,
//! collects what each value and error shows in [`Shown`], and ends with [`assert_hidden`]
//! (`payout-alphapo/tests/secrets_tracing.rs`, `payout-alppay/tests/secrets_tracing.rs`).
//!
//! ```no_run
//! use payout_testkit::secrets::{Capture, Shown, assert_hidden};
//!
//! let capture = Capture::install();
//! let mut shown = Shown::default();
//! shown.show(&Err::<(), _>(std::fmt::Error));
//! assert_hidden(&capture, &shown, &["the-api-key"]);
//! ```

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use payout_core::{ListQuery, PayoutProvider, Reference, Withdrawal, WithdrawalId, WithdrawalRequest};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// The lines a capture must hold to prove it saw the HTTP layer's and the client's logs.
pub const EXPECTED_LINES: [&str; 4] = ["payout.http", "retrying", "create outcome unknown", "TRACE"];

/// Everything the subscriber writes, in one buffer.
#[derive(Clone, Default, Debug)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

impl Capture {
    /// Installs the global subscriber: every event and span (entered, exited, closed) at TRACE
    /// level, without colours, written into the returned capture; `log` records are bridged in.
    /// Panics if the test binary already installed one.
    pub fn install() -> Capture {
        let capture = Capture::default();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(capture.clone())
            .with_ansi(false)
            .with_span_events(FmtSpan::FULL)
            .try_init()
            .expect("this test binary installs the only subscriber");
        capture
    }

    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

/// What values and errors showed, to search for secrets.
#[derive(Clone, Default, Debug)]
pub struct Shown(pub Vec<String>);

impl Shown {
    /// Keeps this output.
    pub fn push(&mut self, shown: String) {
        self.0.push(shown);
    }

    /// Creates `request` through `client` and keeps what that and the reads around it show: a
    /// get of the new withdrawal, a find of its reference and of an unknown one (`sec-none`), a
    /// get of each `unknown` id and a list. The created withdrawal (panics if the create failed).
    pub async fn show_operations<P: PayoutProvider + ?Sized>(
        &mut self,
        client: &P,
        request: &WithdrawalRequest,
        unknown: &[&str],
    ) -> Withdrawal {
        let created = client.create_withdrawal(request).await;
        self.show(&created);
        let created = created.expect("the create succeeds");
        self.show(&client.get_withdrawal(&created.id).await);
        self.show(&client.find_withdrawal(request.reference()).await);
        self.show(&client.find_withdrawal(&Reference::new("sec-none").expect("a valid reference")).await);
        for id in unknown {
            self.show(&client.get_withdrawal(&WithdrawalId::new(*id)).await);
        }
        self.show(&client.list_withdrawals(&ListQuery::new()).await);
        created
    }

    /// Keeps the value's `Debug`, or the error's `Display`, `Debug` and pretty `Debug`.
    pub fn show<T: std::fmt::Debug, E: std::fmt::Debug + std::fmt::Display>(&mut self, r: &Result<T, E>) {
        match r {
            Ok(v) => self.0.push(format!("{v:?}")),
            Err(e) => self.0.push(format!("{e} | {e:?} | {e:#?}")),
        }
    }
}

/// Checks that the capture holds the [`EXPECTED_LINES`] (so it really saw the logs) and that no
/// needle (a key, a secret, a signature made with one) is in the log or in anything shown.
/// `SHOW_CAPTURE` in the environment prints the log first.
pub fn assert_hidden(capture: &Capture, shown: &Shown, needles: &[&str]) {
    let logs = capture.text();
    if std::env::var("SHOW_CAPTURE").is_ok() {
        eprintln!("{logs}");
    }
    for expected in EXPECTED_LINES {
        assert!(logs.contains(expected), "the capture misses `{expected}`:\n{logs}");
    }
    for needle in needles {
        assert!(!logs.contains(needle), "`{needle}` is in the log");
        for s in &shown.0 {
            assert!(!s.contains(needle), "`{needle}` is shown: {s}");
        }
    }
}

/// Checks that the `Debug` output of none of `values` (a client, its builder, its configuration,
/// its webhook verifier) contains `needle`.
pub fn assert_debug_hides(values: &[&dyn std::fmt::Debug], needle: &str) {
    for value in values {
        let text = format!("{value:?}");
        assert!(!text.contains(needle), "{text}");
    }
}

/// Checks that neither the message nor the `Debug` output of any of `errors` contains `needle`;
/// a failure names `context` (the answer that caused them).
pub fn assert_errors_hide<E>(errors: impl IntoIterator<Item = E>, needle: &str, context: impl std::fmt::Display)
where
    E: std::fmt::Debug + std::fmt::Display,
{
    for e in errors {
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(needle), "{context}: {shown}");
    }
}
