//! `payout`: pay out crypto through AlphaPo or AlpPay, or a local sandbox of either.
//!
//! The command's interface is a contract (see `cli.rs` and the README). The code is also the
//! pattern an application copies: providers are switched by Cargo features in `providers.rs`, and
//! every command in `commands.rs` sees only `Arc<dyn PayoutProvider>`.

mod cli;
mod commands;
mod exit;
mod journal;
mod output;
mod providers;
mod receive;
mod sandbox;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands::Ctx;
use crate::exit::Failure;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(json),
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let json = cli.json;
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
        _ => {}
    }

    let entry = providers::choose(cli.provider.as_deref())?;
    let session = sandbox::Session::open(entry, cli.sandbox).await?;
    let ctx = Ctx { provider: session.provider.clone(), json, sandbox: session.is_sandbox() };
    let outcome = match cli.command {
        Command::Withdraw(args) => commands::withdraw(&ctx, args).await,
        Command::Get { id } => commands::get(&ctx, id).await,
        Command::Find { reference } => commands::find(&ctx, reference).await,
        Command::List(args) => commands::list(&ctx, args).await,
        Command::Watch { id, interval, timeout } => commands::watch(&ctx, id, interval, timeout).await,
        Command::Webhook { signature, file } => commands::read_body(file.as_deref())
            .and_then(|body| commands::webhook(&ctx, entry.signature_header, &signature, &body)),
        Command::Reconcile => journal::reconcile(&ctx).await,
        Command::Journal(args) => journal::list(&ctx, args).await,
        Command::Providers | Command::Sandbox { .. } | Command::Receive(_) => Ok(()),
    };
    // The sandbox's state is kept whatever the command's outcome: a create that failed after the
    // simulator acted must still be there for `find` to reconcile.
    let closed = session.close();
    outcome.and(closed)
}
