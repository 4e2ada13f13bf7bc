//! The journal behind `withdraw`, and the `reconcile` and `journal` commands.
//!
//! Where: `PAYOUT_STORE` (a file path, `sqlite://PATH`, or `postgres://USER@HOST:PORT/DB`), by
//! default `journal.sqlite` in `payout` under the user's data directory. The sandbox keeps its
//! own journal beside its state file, never in the live one.
//!
//! Tuning (seconds, fractions allowed): `PAYOUT_IN_FLIGHT_WINDOW` (default 600), and, as
//! extensions of the contract, `PAYOUT_LEASE` (how long a claim of a process that died blocks
//! the others, default 30) and `PAYOUT_WAIT` (how long to wait for another process's answer,
//! default 60).
//!
//! Test hook: `PAYOUT_CRASH_AT=before-claim|after-claim|after-sent|after-answer` makes
//! `withdraw` print `payout: crash hook: stopped at POINT` on standard error when it reaches
//! that point and then hang, so that a test can `kill -9` it exactly there. It only stops the
//! process; it changes nothing in the journal or at the provider.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use payout_core::{PayoutError, Withdrawal, WithdrawalRequest};
use payout_store::{
    Checkpoint, Entry, EntryFilter, Journal, JournalOptions, JournaledProvider, Resolution, State, SubmitVia,
};
use time::format_description::well_known::Rfc3339;

use crate::commands::Ctx;
use crate::exit::Failure;
use crate::output;

/// `journal`'s arguments.
#[derive(Debug, Args)]
pub struct JournalArgs {
    /// Only payouts in these states.
    #[arg(long, value_delimiter = ',', value_name = "S,S..", ignore_case = true)]
    pub state: Vec<StateArg>,
    /// Only payouts with these references.
    #[arg(long, value_delimiter = ',', value_name = "R,R..")]
    pub reference: Vec<String>,
    /// One JSON object per line instead of an array, for streaming consumers.
    #[arg(long)]
    pub jsonl: bool,
}

/// The journal's states, as `--state` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    /// Recorded, not yet sent.
    Recorded,
    /// Sent, no answer yet.
    Sent,
    /// Sent, and the answer was lost: reconcile it.
    Unanswered,
    /// The provider created it.
    Created,
    /// The provider refused it.
    Refused,
}

impl StateArg {
    fn state(self) -> Result<State, Failure> {
        let name = self.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default();
        name.parse::<State>().map_err(|e| Failure::Usage(e.to_string()))
    }
}

/// The journal's location for this command.
pub(crate) fn location(sandbox: bool) -> String {
    if sandbox {
        let dir = crate::sandbox::state_path().parent().map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        return dir.join("journal.sqlite").display().to_string();
    }
    match std::env::var("PAYOUT_STORE").ok().filter(|s| !s.trim().is_empty()) {
        Some(store) => store,
        None => dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("payout")
            .join("journal.sqlite")
            .display()
            .to_string(),
    }
}

fn seconds_var(name: &str) -> Result<Option<Duration>, Failure> {
    let Some(raw) = std::env::var(name).ok().filter(|s| !s.trim().is_empty()) else { return Ok(None) };
    raw.trim()
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .map(Some)
        .ok_or_else(|| Failure::Usage(format!("{name} must be a number of seconds (0 or more), got `{raw}`")))
}

pub(crate) fn options() -> Result<JournalOptions, Failure> {
    let mut options = JournalOptions::new();
    if let Some(window) = seconds_var("PAYOUT_IN_FLIGHT_WINDOW")? {
        options = options.in_flight_window(window);
    }
    if let Some(lease) = seconds_var("PAYOUT_LEASE")? {
        options = options.lease(lease);
    }
    if let Some(wait) = seconds_var("PAYOUT_WAIT")? {
        options = options.wait(wait);
    }
    if let Some(at) = std::env::var("PAYOUT_CRASH_AT").ok().filter(|s| !s.is_empty()) {
        let points = [Checkpoint::BeforeClaim, Checkpoint::Claimed, Checkpoint::MarkedSent, Checkpoint::Answered];
        let Some(point) = points.into_iter().find(|p| p.as_str() == at) else {
            return Err(Failure::Usage(format!(
                "PAYOUT_CRASH_AT must be one of before-claim, after-claim, after-sent, after-answer, got `{at}`"
            )));
        };
        options = options.on_checkpoint(move |reached| {
            if reached == point {
                eprintln!("payout: crash hook: stopped at {}", point.as_str());
                loop {
                    std::thread::sleep(Duration::from_secs(3600));
                }
            }
        });
    }
    Ok(options)
}

/// The chosen provider with its journal.
async fn open(ctx: &Ctx) -> Result<JournaledProvider, Failure> {
    let options = options()?;
    let journal = Journal::open(&location(ctx.sandbox)).await.map_err(PayoutError::from)?;
    Ok(JournaledProvider::new(ctx.provider.clone(), journal).with_options(options))
}

/// `withdraw` through the journal: the withdrawal, and how it was obtained in words.
pub async fn submit(ctx: &Ctx, request: &WithdrawalRequest) -> Result<(Withdrawal, &'static str), Failure> {
    let journaled = open(ctx).await?;
    let submitted = journaled.submit(request).await?;
    let how = match submitted.via {
        SubmitVia::Created => "created",
        SubmitVia::Reconciled => "created (an earlier answer was lost; found by reference)",
        SubmitVia::Journal => "was already created for this reference (from the journal); nothing new was sent",
        SubmitVia::OtherWorker => "created by another process for this reference; nothing new was sent",
        SubmitVia::AlreadyExisted => "already existed with this reference; nothing new was sent",
        _ => "obtained",
    };
    Ok((submitted.withdrawal, how))
}

fn print_withdrawal(ctx: &Ctx, out: &mut impl Write, w: &Withdrawal) -> io::Result<()> {
    if ctx.json {
        writeln!(out, "{}", output::json(w, ctx.sandbox))
    } else {
        output::record(out, w)?;
        writeln!(out)
    }
}

/// Exit 4 naming the payouts whose outcome is still unknown.
fn unresolved(references: &[String]) -> Failure {
    let first = payout_core::Reference::new(references[0].as_str());
    let message = format!(
        "{} payout(s) still unresolved: {}; run `payout reconcile` again later",
        references.len(),
        references.join(", ")
    );
    match first {
        Ok(reference) => Failure::Payout(PayoutError::outcome_unknown(reference, message)),
        Err(_) => Failure::Io(message),
    }
}

/// `reconcile`: looks up every unanswered payout of the chosen provider, prints each withdrawal
/// found or followed; exit 0 when none is left unresolved, 4 otherwise.
pub async fn reconcile(ctx: &Ctx) -> Result<(), Failure> {
    let journaled = open(ctx).await?;
    let progress = crate::progress::Progress::spinner("reconciling the journal's unanswered payouts")?;
    let report = journaled.reconcile().await;
    progress.finish(match &report {
        Ok(report) => format!("looked up {} payout(s)", report.items.len()),
        Err(_) => "reconcile failed".to_owned(),
    });
    drop(progress);
    let report = report?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for (reference, resolution) in &report.items {
        match resolution {
            Resolution::Found(w) => {
                eprintln!("payout: {reference}: found withdrawal {} ({})", w.id, w.status);
                print_withdrawal(ctx, &mut out, w)?;
            }
            Resolution::Followed(w) => print_withdrawal(ctx, &mut out, w)?,
            Resolution::Unresolved { message, .. } => eprintln!("payout: {reference}: still unresolved: {message}"),
            _ => {}
        }
    }
    out.flush()?;
    drop(out);
    // Payouts another live process holds were not looked at, and are not resolved either.
    let left: Vec<String> = journaled
        .journal()
        .entries(&EntryFilter::new().provider(journaled.inner().id()))
        .await
        .map_err(PayoutError::from)?
        .into_iter()
        .filter(Entry::is_unresolved)
        .map(|e| e.reference.to_string())
        .collect();
    if left.is_empty() {
        eprintln!("payout: reconciled {} payout(s); none is left unresolved", report.items.len());
        Ok(())
    } else {
        Err(unresolved(&left))
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn entry_json(e: &Entry, sandbox: bool) -> serde_json::Value {
    let withdrawal = e
        .withdrawal
        .as_ref()
        .and_then(|w| serde_json::from_str::<serde_json::Value>(&output::json(w, sandbox)).ok())
        .unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "provider": e.provider.as_str(),
        "reference": e.reference.as_str(),
        "state": e.state.as_str(),
        "withdrawal": withdrawal,
        "attempts": e.attempts,
        "last_error": e.last_error,
        "created_at": rfc3339(e.created_at),
        "updated_at": rfc3339(e.updated_at),
        "sent_at": e.sent_at.map(rfc3339),
    })
}

/// `journal`: what the journal holds (every provider's payouts), oldest first.
pub async fn list(ctx: &Ctx, args: JournalArgs) -> Result<(), Failure> {
    let mut filter = EntryFilter::new();
    for s in &args.state {
        filter = filter.state(s.state()?);
    }
    for r in args.reference {
        filter = filter.reference(r);
    }
    let journal = Journal::open(&location(ctx.sandbox)).await.map_err(PayoutError::from)?;
    let entries = journal.entries(&filter).await.map_err(PayoutError::from)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.jsonl {
        for e in &entries {
            writeln!(out, "{}", entry_json(e, ctx.sandbox))?;
        }
    } else if ctx.json {
        let items: Vec<_> = entries.iter().map(|e| entry_json(e, ctx.sandbox)).collect();
        writeln!(out, "{}", serde_json::Value::Array(items))?;
    } else if entries.is_empty() {
        writeln!(out, "the journal holds no payout that matches ({})", journal.location())?;
    } else {
        writeln!(
            out,
            "{:<10} {:<24} {:<10} {:>3}  {:<38} {:<10} {:<25} LAST ERROR",
            "PROVIDER", "REFERENCE", "STATE", "TRY", "WITHDRAWAL", "STATUS", "UPDATED"
        )?;
        for e in &entries {
            let (id, status) = e
                .withdrawal
                .as_ref()
                .map_or(("-".to_owned(), "-".to_owned()), |w| (w.id.to_string(), w.status.to_string()));
            writeln!(
                out,
                "{:<10} {:<24} {:<10} {:>3}  {:<38} {:<10} {:<25} {}",
                e.provider.as_str(),
                e.reference.as_str(),
                e.state.as_str(),
                e.attempts,
                id,
                status,
                rfc3339(e.updated_at),
                e.last_error.as_deref().unwrap_or("-")
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
