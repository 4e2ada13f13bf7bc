//! Logs on standard error through a tracing subscriber: the HTTP layer's spans (one per attempt,
//! `payout.http`) and retries, the providers' creates, the journal's and the receiver's events.
//! Secrets never reach them: the libraries log no header, body or key. Lines are written with any
//! progress bar cleared first (see `progress.rs`).
//!
//! Level: warnings by default (and the receiver's deliveries, at info), `-v` info, `-vv` debug,
//! `-vvv` trace, `-q` errors only; `RUST_LOG`, when set, overrides both.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the subscriber for the whole command.
pub fn init(verbose: u8, quiet: bool) {
    let filter = match std::env::var("RUST_LOG").ok().filter(|s| !s.trim().is_empty()) {
        Some(directives) => EnvFilter::new(directives),
        None => EnvFilter::new(match (quiet, verbose) {
            (true, _) => "error",
            (false, 0) => "warn,payout_store::receiver=info",
            (false, 1) => "info",
            (false, 2) => "debug",
            _ => "trace",
        }),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| crate::progress::LogWriter)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
