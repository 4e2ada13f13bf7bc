//! Output for people (a record, an aligned table) and for programs (JSON, one value per answer).

use std::io::{self, Write};

use payout_core::{Withdrawal, WithdrawalUpdate};
use time::format_description::well_known::Rfc3339;

fn or_dash(v: Option<String>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or_else(|| "-".into())
}

fn time_text(t: Option<time::OffsetDateTime>) -> String {
    or_dash(t.and_then(|t| t.format(&Rfc3339).ok()))
}

/// One withdrawal as a JSON object (the contract's keys, in the model's order).
pub fn json(w: &Withdrawal) -> String {
    serde_json::to_string(w).unwrap_or_else(|_| "null".into())
}

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

/// An aligned table, written as pages arrive: widths come from the first page and the header,
/// so a long listing streams without being held in memory.
#[derive(Default)]
pub struct Table {
    widths: Option<[usize; 7]>,
}

impl Table {
    /// Writes one page of rows, with the header before the first.
    pub fn page(&mut self, out: &mut impl Write, rows: &[Withdrawal]) -> io::Result<()> {
        let rows: Vec<[String; 7]> = rows.iter().map(cells).collect();
        let widths = match self.widths {
            Some(w) => w,
            None => {
                let mut w = COLUMNS.map(str::len);
                for row in &rows {
                    for (i, c) in row.iter().enumerate() {
                        w[i] = w[i].max(c.chars().count());
                    }
                }
                write_row(out, &COLUMNS.map(str::to_owned), &w)?;
                self.widths = Some(w);
                w
            }
        };
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
