//! Output for people (a record, an aligned table) and for programs (JSON, one value per answer).

use std::io::{self, Write};

use payout_core::{Withdrawal, WithdrawalUpdate};
use time::format_description::well_known::Rfc3339;

/// The local offset from UTC, read once at start-up (see [`init_local_offset`]).
static LOCAL_OFFSET: std::sync::OnceLock<time::UtcOffset> = std::sync::OnceLock::new();

/// Reads the local offset from UTC. Call it first thing in `main`: the `time` crate reads it only
/// while the process has a single thread (later it gives up, and times are printed in UTC).
pub fn init_local_offset() {
    let _ = LOCAL_OFFSET.set(time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC));
}

/// Now, to the second, as RFC 3339 with the local offset (`2026-12-02T02:03:04+01:00`; `Z` in UTC).
pub fn local_now() -> String {
    let offset = LOCAL_OFFSET.get().copied().unwrap_or(time::UtcOffset::UTC);
    let now = time::OffsetDateTime::now_utc().to_offset(offset);
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&Rfc3339).unwrap_or_default()
}

fn or_dash(v: Option<String>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or_else(|| "-".into())
}

fn time_text(t: Option<time::OffsetDateTime>) -> String {
    or_dash(t.and_then(|t| t.format(&Rfc3339).ok()))
}

/// A withdrawal as the command prints it: the model's keys, and `"sandbox": true` when the
/// embedded sandbox served it (absent otherwise, so live output is the model's alone).
#[derive(serde::Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    withdrawal: &'a Withdrawal,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    sandbox: bool,
}

/// One withdrawal as a JSON object (the contract's keys, in the model's order, then `sandbox`).
pub fn json(w: &Withdrawal, sandbox: bool) -> String {
    serde_json::to_string(&Printed { withdrawal: w, sandbox }).unwrap_or_else(|_| "null".into())
}

/// What every listing prints when nothing matches, with or without `--all`.
pub const NO_MATCH: &str = "no withdrawals match";

/// One withdrawal as a short record for people.
pub fn record(out: &mut impl Write, w: &Withdrawal) -> io::Result<()> {
    let asset = w.asset.as_ref().map(ToString::to_string);
    let rows = [
        ("id", w.id.to_string()),
        ("reference", or_dash(w.reference.as_ref().map(ToString::to_string))),
        ("status", format!("{} ({})", w.status, w.provider_status)),
        ("asset", or_dash(asset)),
        ("amount", or_dash(w.amount.map(|a| a.to_string()))),
        ("amount sent", or_dash(w.amount_sent.map(|a| a.to_string()))),
        ("address", or_dash(w.address.clone())),
        ("tag", or_dash(w.tag.clone())),
        ("tx hash", or_dash(w.tx_hash.clone())),
        ("end user", or_dash(w.end_user.as_ref().map(|u| u.id.clone()))),
        ("created", time_text(w.created_at)),
        ("updated", time_text(w.updated_at)),
        ("provider", w.provider.to_string()),
    ];
    for (name, value) in rows {
        writeln!(out, "{name:<12} {value}")?;
    }
    if let Some(reason) = &w.failure_reason {
        writeln!(out, "{:<12} {reason}", "reason")?;
    }
    Ok(())
}

/// An update from a webhook, for people.
pub fn update(out: &mut impl Write, u: &WithdrawalUpdate) -> io::Result<()> {
    writeln!(out, "verified webhook from {}", u.withdrawal.provider)?;
    record(out, &u.withdrawal)
}

/// The columns of a table of withdrawals.
const COLUMNS: [&str; 7] = ["ID", "REFERENCE", "STATUS", "ASSET", "AMOUNT", "ADDRESS", "CREATED"];

fn cells(w: &Withdrawal) -> [String; 7] {
    [
        w.id.to_string(),
        or_dash(w.reference.as_ref().map(ToString::to_string)),
        w.status.to_string(),
        or_dash(w.asset.as_ref().map(ToString::to_string)),
        or_dash(w.amount.map(|a| a.to_string())),
        or_dash(w.address.clone()),
        time_text(w.created_at),
    ]
}

/// An aligned table, written as pages arrive, so a long listing streams without being held in
/// memory. Each page is measured before it is written; widths never shrink, so a page of short
/// values keeps the columns of the pages before it, and when a page needs wider columns the
/// header is written again above it with the new widths: every row lines up with the header
/// nearest above it, and no value is ever cut.
#[derive(Default)]
pub struct Table {
    widths: Option<[usize; 7]>,
}

impl Table {
    /// Writes one page of rows, with the header before the first (and again when it widens);
    /// an empty page writes nothing (the caller says [`NO_MATCH`] when nothing came at all).
    pub fn page(&mut self, out: &mut impl Write, rows: &[Withdrawal]) -> io::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let rows: Vec<[String; 7]> = rows.iter().map(cells).collect();
        let mut widths = self.widths.unwrap_or(COLUMNS.map(str::len));
        for row in &rows {
            for (i, c) in row.iter().enumerate() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        // The last column is never padded, so only the others decide whether the header moves.
        if self.widths.is_none_or(|before| before[..6] != widths[..6]) {
            write_row(out, &COLUMNS.map(str::to_owned), &widths)?;
        }
        self.widths = Some(widths);
        for row in &rows {
            write_row(out, row, &widths)?;
        }
        Ok(())
    }
}

fn write_row(out: &mut impl Write, row: &[String; 7], widths: &[usize; 7]) -> io::Result<()> {
    let mut line = String::new();
    for (i, c) in row.iter().enumerate() {
        if i + 1 == row.len() {
            line.push_str(c);
        } else {
            line.push_str(&format!("{c:<w$}  ", w = widths[i]));
        }
    }
    writeln!(out, "{}", line.trim_end())
}
