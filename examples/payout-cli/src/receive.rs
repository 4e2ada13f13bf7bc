//! `payout receive [--addr HOST:PORT]`: the webhook endpoints of every provider whose
//! credentials are set (`/alphapo`, `/alppay`, `/cryptomus`), over the journal (`PAYOUT_STORE`), through
//! [`payout_store::WebhookReceiver`]: each delivery is verified over its raw bytes, applied, and
//! answered 200 only once the journal has it on disk; 401 for a bad signature; 503 while the
//! journal cannot be written.
//!
//! With `--sandbox`, or when no provider's credentials are set, it serves every compiled-in
//! provider with the sandbox's test credentials over the sandbox's journal (the one `withdraw`
//! uses in the sandbox), so `payout sandbox --deliver-to URL` can deliver to it.
//!
//! Output: with `--json`, the first line is `{"alphapo": "http://HOST:PORT/alphapo", ...}`, then
//! one withdrawal object per applied update (stored, or kept for a withdrawal the journal does not
//! know); without, the same in words. Each delivery's outcome is logged on standard error (target
//! `payout_store::receiver`, level info; `-q` and `RUST_LOG` change it), never a body or a
//! secret; on a terminal (or with `PAYOUT_PROGRESS=always`), a spinner counts the updates applied. Ctrl-C
//! or SIGTERM stops it after the deliveries in flight are answered.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use clap::Args;
use payout_core::{PayoutError, PayoutProvider};
use payout_store::{Delivered, Journal, JournaledProvider, WebhookReceiver};
use tokio::sync::broadcast::error::RecvError;

use crate::exit::Failure;
use crate::providers::{self, Mode};

/// Where `receive` listens unless `--addr` says otherwise.
pub const DEFAULT_RECEIVE_ADDR: &str = "127.0.0.1:8080";

/// `receive`'s arguments.
#[derive(Debug, Args)]
pub struct ReceiveArgs {
    /// The address to listen on (port 0 picks a free port) [default: 127.0.0.1:8080]
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,
}

/// The root URL the sandbox clients are built with: only their credentials matter here (a
/// receiver never calls the provider).
fn sandbox_root() -> String {
    crate::sandbox::running_url().unwrap_or_else(|| format!("http://{}", crate::cli::DEFAULT_SANDBOX_ADDR))
}

/// The providers to serve, and whether they are the sandbox's.
fn chosen(force_sandbox: bool) -> Result<(Vec<Arc<dyn PayoutProvider>>, bool), Failure> {
    let mut live = Vec::new();
    for entry in providers::COMPILED_IN {
        // A half-configured provider is a configuration error, as for every other command.
        if providers::mode(entry, force_sandbox)? == Mode::Live {
            live.push(entry);
        }
    }
    if live.is_empty() {
        if providers::COMPILED_IN.is_empty() {
            return Err(PayoutError::configuration("no provider is compiled in").into());
        }
        let root = sandbox_root();
        let all = providers::COMPILED_IN.iter().map(|e| providers::sandbox(e, &root)).collect::<Result<Vec<_>, _>>()?;
        return Ok((all, true));
    }
    for entry in providers::COMPILED_IN.iter().filter(|e| !live.iter().any(|l| l.id == e.id)) {
        eprintln!("payout: not serving {}: none of {} is set", entry.id, entry.credentials.join(", "));
    }
    Ok((live.into_iter().map(|e| e.from_env()).collect::<Result<Vec<_>, _>>()?, false))
}

fn print_delivered(json: bool, sandbox: bool, d: &Delivered) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", crate::output::json(&d.withdrawal, sandbox))?;
    } else {
        let w = &d.withdrawal;
        let reference = w.reference.as_ref().map_or("-", |r| r.as_str());
        writeln!(
            out,
            "{} {} (reference {reference}): {} ({}), {}",
            d.provider,
            w.id,
            w.status,
            w.provider_status,
            d.outcome.as_str().replace('_', " ")
        )?;
    }
    out.flush()
}

/// `receive`.
pub async fn run(args: &ReceiveArgs, force_sandbox: bool, json: bool) -> Result<(), Failure> {
    let addr = args.addr.as_deref().unwrap_or(DEFAULT_RECEIVE_ADDR);
    let addr: SocketAddr = addr
        .parse()
        .map_err(|_| Failure::Usage(format!("--addr must be HOST:PORT with an IP address, got `{addr}`")))?;
    let (providers, sandbox) = chosen(force_sandbox)?;
    let options = crate::journal::options()?;
    let location = crate::journal::location(sandbox);
    let journal = Journal::open(&location).await.map_err(PayoutError::from)?;
    let mut receiver = WebhookReceiver::new();
    for p in providers {
        receiver = receiver.provider(JournaledProvider::new(p, journal.clone()).with_options(options.clone()));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Io(format!("receive: cannot listen on {addr}: {e}")))?;
    let bound = listener.local_addr()?;
    // Before the endpoints line: a program that reads it and signals at once must be heard.
    let stop = crate::sandbox::shutdown()?;
    let endpoints: serde_json::Map<String, serde_json::Value> = receiver
        .paths()
        .into_iter()
        .map(|(id, path)| (id.as_str().to_owned(), serde_json::Value::String(format!("http://{bound}{path}"))))
        .collect();
    {
        let mut out = std::io::stdout().lock();
        if json {
            writeln!(out, "{}", serde_json::Value::Object(endpoints.clone()))?;
        } else {
            writeln!(out, "payout receive listening on {bound}")?;
            for (id, url) in &endpoints {
                writeln!(out, "  {id:<8} {}", url.as_str().unwrap_or_default())?;
            }
        }
        out.flush()?;
    }
    eprintln!(
        "payout: receiving into the {}journal {}; Ctrl-C to stop",
        if sandbox { "sandbox's " } else { "" },
        journal.location()
    );

    let mut applied = receiver.subscribe();
    let progress = crate::progress::Progress::spinner("receiving: no update applied yet; Ctrl-C to stop")?;
    let printer = tokio::spawn(async move {
        let mut count: u64 = 0;
        loop {
            match applied.recv().await {
                Ok(d) if d.applied() => {
                    if progress.suspend(|| print_delivered(json, sandbox, &d)).is_err() {
                        // Standard output is gone (a closed pipe): the journal still has everything.
                        return;
                    }
                    count += 1;
                    progress.set_message(format!("receiving: {count} update(s) applied; Ctrl-C to stop"));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(n)) => progress.suspend(|| {
                    eprintln!("payout: {n} applied update(s) not printed (output too slow); the journal has them")
                }),
                Err(RecvError::Closed) => return,
            }
        }
    });
    receiver.serve(listener, stop).await.map_err(|e| Failure::Io(format!("receive: serving failed: {e}")))?;
    let _ = printer.await;
    eprintln!("payout: receive stopped");
    Ok(())
}
