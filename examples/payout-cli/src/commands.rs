//! One function per command, each over `Arc<dyn PayoutProvider>`: nothing here knows which
//! provider it talks to.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use payout_core::{
    Asset, EndUser, FieldError, ListQuery, PayoutError, PayoutProvider, PayoutProviderExt, Reference, WatchOptions,
    WithdrawalId, WithdrawalRequest,
};

use payout::WebhookSignature;

use crate::cli::{ListArgs, WithdrawArgs};
use crate::exit::Failure;
use crate::output::{self, Table};
use crate::progress::Progress;
use crate::providers::Entry;

/// What every command needs: the provider and how to print.
pub struct Ctx {
    /// The provider chosen.
    pub provider: Arc<dyn PayoutProvider>,
    /// `--json`.
    pub json: bool,
    /// Whether the embedded sandbox serves this command (it keeps a journal of its own).
    pub sandbox: bool,
}

fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

fn print_one(ctx: &Ctx, w: &payout_core::Withdrawal) -> Result<(), Failure> {
    let mut out = stdout();
    if ctx.json {
        writeln!(out, "{}", output::json(w, ctx.sandbox))?;
    } else {
        output::record(&mut out, w)?;
    }
    out.flush()?;
    Ok(())
}

/// `withdraw`: build and check the request, then submit it through the journal, which records
/// it before it is sent and reconciles a lost answer.
pub async fn withdraw(ctx: &Ctx, a: WithdrawArgs) -> Result<(), Failure> {
    let asset = match &a.network {
        Some(net) => Asset::new(&a.asset).on(net),
        None => Asset::new(&a.asset),
    };
    let mut end_user = EndUser::new(&a.end_user);
    end_user.name = a.end_user_name;
    end_user.email = a.end_user_email;
    let mut builder =
        WithdrawalRequest::builder().reference(&a.reference).asset(asset).address(&a.address).end_user(end_user);
    if let Some(tag) = &a.tag {
        builder = builder.tag(tag);
    }
    if let Some(from) = a.fee_from {
        builder = builder.fee_from(from.fee_from());
    }
    if let Some(url) = &a.callback_url {
        builder = builder.callback_url(url);
    }
    // Typed-in amounts are plain decimals only: `1E2` or `-1` is refused by `build`, before
    // anything is sent (the error names the flag: see `exit.rs`).
    builder = match (&a.amount, &a.convert_to, &a.amount_to) {
        (Some(amount), to, None) => {
            let builder = builder.amount_text(amount);
            match to {
                Some(to) => builder.convert_to(Asset::new(to)),
                None => builder,
            }
        }
        (None, Some(to), Some(amount_to)) => builder.amount_to_text(Asset::new(to), amount_to),
        _ => return Err(Failure::Usage("give --amount, or --convert-to with --amount or --amount-to".into())),
    };
    let request = builder.build()?;
    // Through the journal: recorded before it is sent, never sent twice (see journal.rs).
    let (withdrawal, how) = crate::journal::submit(ctx, &request).await?;
    eprintln!("payout: withdrawal {} {how}", withdrawal.id);
    print_one(ctx, &withdrawal)
}

/// `get ID`.
pub async fn get(ctx: &Ctx, id: String) -> Result<(), Failure> {
    let w = ctx.provider.get_withdrawal(&WithdrawalId::new(id)).await?;
    print_one(ctx, &w)
}

/// `find REFERENCE`: `null` (or a sentence) when nothing matches; that is not an error.
pub async fn find(ctx: &Ctx, reference: String) -> Result<(), Failure> {
    // The reference is the argument here, not `--reference`: errors about it say REFERENCE.
    let positional = |e: PayoutError| match e {
        PayoutError::InvalidRequest { errors } => PayoutError::invalid(
            errors
                .into_iter()
                .map(|f| if f.field == "reference" { FieldError::new("REFERENCE", f.message) } else { f })
                .collect(),
        ),
        other => other,
    };
    let reference = Reference::new(reference).map_err(positional)?;
    let none = match ctx.provider.find_withdrawal(&reference).await.map_err(positional)? {
        Some(w) => return print_one(ctx, &w),
        None if ctx.json => "null".to_owned(),
        None => format!("no withdrawal has the reference {reference}"),
    };
    let mut out = stdout();
    writeln!(out, "{none}")?;
    out.flush()?;
    Ok(())
}

fn query(a: &ListArgs) -> Result<ListQuery, Failure> {
    let mut q = ListQuery::new().page(a.page).limit(a.limit)?;
    for s in &a.status {
        q = q.status(s.status());
    }
    for r in &a.reference {
        q = q.reference(Reference::new(r.as_str())?);
    }
    for id in &a.id {
        q = q.id(id.as_str());
    }
    for h in &a.tx_hash {
        q = q.tx_hash(h.as_str());
    }
    Ok(q)
}

/// `list`: one page, or every page streamed as it arrives (`--all`), in constant memory. With
/// `--json` an array (the contract), with `--jsonl` one object per line.
pub async fn list(ctx: &Ctx, a: ListArgs) -> Result<(), Failure> {
    let q = query(&a)?;
    let jsonl = a.jsonl;
    let mut out = stdout();
    if !a.all {
        let page = ctx.provider.list_withdrawals(&q).await?;
        if jsonl {
            for w in &page.items {
                writeln!(out, "{}", output::json(w, ctx.sandbox))?;
            }
        } else if ctx.json {
            let items: Vec<_> = page.items.iter().map(|w| output::json(w, ctx.sandbox)).collect();
            writeln!(out, "[{}]", items.join(","))?;
        } else if page.items.is_empty() {
            writeln!(out, "{}", output::NO_MATCH)?;
        } else {
            Table::default().page(&mut out, &page.items)?;
            let total = page.total.map_or_else(String::new, |t| format!(" of {t}"));
            writeln!(out, "page {} ({} shown{total})", page.page, page.items.len())?;
        }
        out.flush()?;
        return Ok(());
    }

    let progress = Progress::spinner("listing withdrawals")?;
    let mut pages = ctx.provider.list_all(q.clone()).try_chunks(q.limit as usize);
    let mut table = Table::default();
    let mut count: u64 = 0;
    if ctx.json && !jsonl {
        write!(out, "[")?;
    }
    while let Some(chunk) = pages.next().await {
        let chunk = chunk.map_err(|e| e.1)?;
        progress.suspend(|| -> io::Result<()> {
            for w in &chunk {
                if jsonl {
                    writeln!(out, "{}", output::json(w, ctx.sandbox))?;
                } else if ctx.json {
                    write!(out, "{}\n{}", if count == 0 { "" } else { "," }, output::json(w, ctx.sandbox))?;
                }
                count += 1;
            }
            if !ctx.json {
                table.page(&mut out, &chunk)?;
            }
            out.flush()
        })?;
        progress.set_message(format!("{count} withdrawals"));
    }
    progress.finish(format!("{count} withdrawals listed"));
    if ctx.json && !jsonl {
        writeln!(out, "{}]", if count == 0 { "" } else { "\n" })?;
    } else if !ctx.json && count == 0 {
        writeln!(out, "{}", output::NO_MATCH)?;
    }
    out.flush()?;
    Ok(())
}

fn seconds(name: &str, secs: f64) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| Failure::Usage(format!("--{name} must be a positive number of seconds, got {secs}")))
}

/// `watch ID`: prints each change until a final status (exit 0) or the timeout (exit 1).
pub async fn watch(ctx: &Ctx, id: String, interval: f64, timeout: f64) -> Result<(), Failure> {
    let interval = seconds("interval", interval)?;
    let options = WatchOptions { interval, max_interval: interval, timeout: seconds("timeout", timeout)? };
    let progress = Progress::spinner(format!("watching withdrawal {id} (Ctrl-C to stop)"))?;
    let mut changes = ctx.provider.watch(WithdrawalId::new(&id), options);
    let mut last = None;
    while let Some(w) = changes.try_next().await? {
        progress.suspend(|| -> io::Result<()> {
            let mut out = stdout();
            if ctx.json {
                writeln!(out, "{}", output::json(&w, ctx.sandbox))?;
            } else {
                let tx = w.tx_hash.as_deref().map(|h| format!(" tx {h}")).unwrap_or_default();
                writeln!(out, "{}  {}  {} ({}){tx}", output::local_now(), w.id, w.status, w.provider_status)?;
            }
            out.flush()
        })?;
        progress.set_message(format!("withdrawal {id} is {} ({}); Ctrl-C to stop", w.status, w.provider_status));
        last = Some(w.status);
    }
    progress.finish(match last {
        Some(s) => format!("withdrawal {id} is {s}"),
        None => format!("withdrawal {id} could not be read"),
    });
    match last {
        Some(s) if s.is_terminal() => Ok(()),
        Some(s) => Err(Failure::Timeout(format!("withdrawal {id} is still {s} after {timeout} s"))),
        None => Err(Failure::Timeout(format!("withdrawal {id} could not be read in {timeout} s"))),
    }
}

/// `webhook [--signature SIG] [FILE]`: verifies the raw body and prints the update; a bad
/// signature prints nothing on standard output. The signature goes where the provider carries
/// it: in its header (`--signature`, required), or inside the body (Cryptomus: no
/// `--signature`).
pub fn webhook(ctx: &Ctx, entry: &Entry, signature: Option<&str>, body: &[u8]) -> Result<(), Failure> {
    let mut headers = http::HeaderMap::new();
    match (entry.webhook_signature, signature) {
        (WebhookSignature::Header(header), Some(signature)) => {
            let value = http::HeaderValue::from_str(signature.trim())
                .map_err(|_| Failure::Usage("--signature has characters a header cannot carry".into()))?;
            headers.insert(header, value);
        }
        (WebhookSignature::Header(header), None) => {
            return Err(Failure::Usage(format!(
                "--signature is required: {} webhooks carry their signature in the {header} header; give its value",
                entry.id
            )));
        }
        (WebhookSignature::InBody(field), Some(_)) => {
            return Err(Failure::Usage(format!(
                "--signature is not taken for {}: its webhooks carry their signature inside the body (`{field}`); give the body alone",
                entry.id
            )));
        }
        (WebhookSignature::InBody(_), None) => {}
    }
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    let update = ctx.provider.parse_webhook(&headers, body)?;
    let mut out = stdout();
    if ctx.json {
        writeln!(out, "{}", output::json(&update.withdrawal, ctx.sandbox))?;
    } else {
        output::update(&mut out, &update)?;
    }
    out.flush()?;
    Ok(())
}

/// Reads a webhook body from a file or standard input, exactly as it is.
pub fn read_body(file: Option<&std::path::Path>) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    match file {
        Some(path) => {
            body = std::fs::read(path).map_err(|e| Failure::Io(format!("cannot read {}: {e}", path.display())))?
        }
        None => {
            io::stdin().read_to_end(&mut body)?;
        }
    }
    Ok(body)
}
