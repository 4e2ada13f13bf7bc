//! Progress on standard error, for people, with indicatif: for `list --all`, `watch`,
//! `reconcile` and `receive`. Never on standard output: whatever a command writes there while a
//! bar shows goes through [`Progress::suspend`], which clears the bar first and draws it again
//! after, so the bar never lands inside a row.
//!
//! When: only when standard error is a terminal, unless `PAYOUT_PROGRESS` says otherwise:
//! `always` draws it whatever standard error is (tests use it, as do terminals the check
//! misses), `never` turns it off, `auto` (the default) asks the terminal.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

use crate::exit::Failure;

/// `PAYOUT_PROGRESS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Always,
    Never,
    Auto,
}

fn when() -> Result<When, Failure> {
    match std::env::var("PAYOUT_PROGRESS").ok().as_deref().map(str::trim) {
        None | Some("") | Some("auto") => Ok(When::Auto),
        Some("always") => Ok(When::Always),
        Some("never") => Ok(When::Never),
        Some(other) => Err(Failure::Usage(format!("PAYOUT_PROGRESS must be always, never or auto, got `{other}`"))),
    }
}

/// Standard error as a terminal, whatever it really is: indicatif hides its own stderr target
/// when it is not a terminal, which `PAYOUT_PROGRESS=always` must overrule.
#[derive(Debug)]
struct ForcedStderr;

impl ForcedStderr {
    fn put(&self, s: &str) -> io::Result<()> {
        io::stderr().lock().write_all(s.as_bytes())
    }
}

impl TermLike for ForcedStderr {
    fn width(&self) -> u16 {
        80
    }
    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        if n == 0 { Ok(()) } else { self.put(&format!("\x1b[{n}A")) }
    }
    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        if n == 0 { Ok(()) } else { self.put(&format!("\x1b[{n}B")) }
    }
    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        if n == 0 { Ok(()) } else { self.put(&format!("\x1b[{n}C")) }
    }
    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        if n == 0 { Ok(()) } else { self.put(&format!("\x1b[{n}D")) }
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        self.put(&format!("{s}\n"))
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        self.put(s)
    }
    fn clear_line(&self) -> io::Result<()> {
        self.put("\r\x1b[2K")
    }
    fn flush(&self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// The bar showing now, if any, so that log lines clear it before they are written.
static SHOWING: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Standard error for the log lines: each is written with the bar cleared (and drawn again
/// after), so a log line never lands inside the bar.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let showing = SHOWING.lock().ok().and_then(|s| s.clone());
        match showing {
            Some(bar) if !bar.is_finished() => bar.suspend(|| io::stderr().write_all(buf)).map(|()| buf.len()),
            _ => io::stderr().write_all(buf).map(|()| buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// A spinner with a message on standard error, or nothing when progress is off.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A spinner showing `message` (and the time since it started), if progress is on.
    pub fn spinner(message: impl Into<Cow<'static, str>>) -> Result<Self, Failure> {
        let target = match when()? {
            When::Never => return Ok(Self(None)),
            When::Auto if !io::stderr().is_terminal() => return Ok(Self(None)),
            When::Auto => ProgressDrawTarget::stderr(),
            When::Always => ProgressDrawTarget::term_like(Box::new(ForcedStderr)),
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} payout: {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut showing) = SHOWING.lock() {
            *showing = Some(bar.clone());
        }
        Ok(Self(Some(bar)))
    }

    /// Changes the message.
    pub fn set_message(&self, message: impl Into<Cow<'static, str>>) {
        if let Some(bar) = &self.0 {
            bar.set_message(message);
        }
    }

    /// Runs `f` (which writes to standard output) with the bar cleared.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.0 {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Leaves `message` as the bar's last line.
    pub fn finish(&self, message: impl Into<Cow<'static, str>>) {
        if let Some(bar) = &self.0 {
            bar.finish_with_message(message);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            if !bar.is_finished() {
                bar.abandon();
            }
            if let Ok(mut showing) = SHOWING.lock() {
                *showing = None;
            }
        }
    }
}
