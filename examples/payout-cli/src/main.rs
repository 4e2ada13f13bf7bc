//! `payout`: pay out crypto through AlphaPo, AlpPay or Cryptomus, or a local sandbox of each.
//!
//! The command's interface is a contract (see `cli.rs` and the README). The code is also the
//! pattern an application copies: providers are switched by Cargo features in `providers.rs`, and
//! every command in `commands.rs` sees only `Arc<dyn PayoutProvider>`.

mod cli;
mod commands;
mod exit;
mod journal;
mod logging;
mod output;
mod progress;
mod providers;
mod receive;
mod sandbox;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};
use crate::commands::Ctx;
use crate::exit::Failure;

fn main() -> ExitCode {
    // Read while the process has one thread: the `time` crate refuses to later (see output.rs).
    output::init_local_offset();
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    logging::init(cli.verbose, cli.quiet);
    let json = cli.json || cli.command.jsonl();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return Failure::Io(format!("cannot start the async runtime: {e}")).report(json),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(json),
    }
}

/// Whether the words typed ask for JSON, read before (and whatever) the parser decides, so that
/// a usage error is JSON too: `--json` or `--jsonl` anywhere before a `--`.
fn wants_json(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    args.skip(1).take_while(|a| a != "--").any(|a| a == "--json" || a == "--jsonl")
}

/// The parsed command line; a usage error is printed (as JSON under `--json`) with exit 2, and
/// `--help` and `--version` print as usual with exit 0.
fn parse() -> Result<Cli, ExitCode> {
    Cli::try_parse().map_err(|e| {
        if !e.use_stderr() || !wants_json(std::env::args_os()) {
            e.exit()
        }
        Failure::Usage(usage_message(&e)).report(true)
    })
}

/// clap's message without its usage and help hints (the message alone, for programs).
fn usage_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let kept: Vec<&str> = text
        .split("\n\n")
        .map(str::trim_end)
        .filter(|p| !p.trim().is_empty() && !p.starts_with("Usage:") && !p.starts_with("For more information"))
        .collect();
    let message = kept.join("\n");
    message.strip_prefix("error: ").unwrap_or(&message).to_owned()
}

/// Writes text made in memory to standard output (a generator that panics on a closed pipe
/// never sees one).
fn print_bytes(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let json = cli.json || cli.command.jsonl();
    // Commands that need no provider.
    match &cli.command {
        Command::Providers => return sandbox::providers(json).await,
        Command::Receive(args) => return receive::run(args, cli.sandbox, json).await,
        Command::Sandbox { addr, reset, deliver_to } => {
            if *reset {
                sandbox::reset()?;
                if addr.is_none() {
                    return Ok(());
                }
            }
            let addr = addr.as_deref().unwrap_or(cli::DEFAULT_SANDBOX_ADDR);
            return sandbox::serve(addr, deliver_to.as_deref(), json).await;
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "payout", &mut script);
            return print_bytes(&script);
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            return print_bytes(&page);
        }
        _ => {}
    }

    let entry = providers::choose(cli.provider.map(cli::ProviderArg::id))?;
    let session = sandbox::Session::open(entry, cli.sandbox).await?;
    let ctx = Ctx { provider: session.provider.clone(), json, sandbox: session.is_sandbox() };
    let outcome = match cli.command {
        Command::Withdraw(args) => commands::withdraw(&ctx, args).await,
        Command::Get { id } => commands::get(&ctx, id).await,
        Command::Find { reference } => commands::find(&ctx, reference).await,
        Command::List(args) => commands::list(&ctx, args).await,
        Command::Watch { id, interval, timeout, .. } => commands::watch(&ctx, id, interval, timeout).await,
        Command::Webhook { signature, file } => commands::read_body(file.as_deref())
            .and_then(|body| commands::webhook(&ctx, entry, signature.as_deref(), &body)),
        Command::Reconcile { .. } => journal::reconcile(&ctx).await,
        Command::Journal(args) => journal::list(&ctx, args).await,
        Command::Providers
        | Command::Sandbox { .. }
        | Command::Receive(_)
        | Command::Completions { .. }
        | Command::Man => Ok(()),
    };
    // The sandbox's state is kept whatever the command's outcome: a create that failed after the
    // simulator acted must still be there for `find` to reconcile.
    let closed = session.close();
    outcome.and(closed)
}
