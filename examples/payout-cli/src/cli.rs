//! The command line, exactly as the contract in the design writes it (extensions are marked).

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// Pay out crypto through AlphaPo, AlpPay or Cryptomus, or through a local sandbox of each.
///
/// Credentials come from the environment (ALPHAPO_API_KEY, ALPHAPO_API_SECRET, ALPHAPO_BASE_URL;
/// ALPPAY_API_KEY, ALPPAY_HMAC_KEY, ALPPAY_BASE_URL; CRYPTOMUS_MERCHANT, CRYPTOMUS_PAYOUT_KEY,
/// CRYPTOMUS_BASE_URL). Without any of the chosen provider's
/// variables, or with --sandbox, commands run against an embedded simulator.
///
/// Exit codes: 0 success; 2 invalid request, usage or configuration (nothing was sent);
/// 3 the provider refused (authentication, rejected, duplicate reference, not found, bad webhook
/// signature); 4 outcome unknown (reconcile with `find`); 5 unavailable or rate limited after
/// the retries; 1 anything else.
///
/// Logs go to standard error: -v info, -vv debug, -vvv trace, -q errors only; RUST_LOG, when
/// set, overrides both. PAYOUT_PROGRESS=always|never|auto forces progress on standard error on
/// or off (auto: only when standard error is a terminal).
#[derive(Debug, Parser)]
#[command(name = "payout", version, after_help = EXAMPLE_TOP)]
pub struct Cli {
    /// The provider to use [default: the first compiled in]
    #[arg(
        long,
        global = true,
        env = "PAYOUT_PROVIDER",
        value_name = "PROVIDER",
        ignore_case = true,
        help_heading = GLOBAL
    )]
    pub provider: Option<ProviderArg>,

    /// Run against the embedded simulator even if credentials are set.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub sandbox: bool,

    /// Print JSON for programs instead of text for people (errors too, on standard error).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,

    /// More logs on standard error: -v info, -vv debug, -vvv trace (RUST_LOG overrides).
    #[arg(short, long, global = true, action = ArgAction::Count, conflicts_with = "quiet", help_heading = GLOBAL)]
    pub verbose: u8,

    /// Only errors in the logs on standard error (RUST_LOG overrides).
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The heading of the options every command takes.
const GLOBAL: &str = "Global options";

const EXAMPLE_TOP: &str = "Example:\n  payout withdraw --asset BTC --amount 0.0002 --address tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc \\\n      --reference order-1 --end-user user-1";

/// The providers `--provider` names (whether each is compiled in is checked when it is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// AlphaPo.
    Alphapo,
    /// AlpPay.
    Alppay,
    /// Cryptomus.
    Cryptomus,
}

impl ProviderArg {
    /// The provider's id, as `providers.rs` names it.
    pub fn id(self) -> &'static str {
        match self {
            ProviderArg::Alphapo => "alphapo",
            ProviderArg::Alppay => "alppay",
            ProviderArg::Cryptomus => "cryptomus",
        }
    }
}

/// One of the unified statuses `--status` takes, with the help it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusArg {
    status: payout_core::WithdrawalStatus,
    help: &'static str,
}

impl StatusArg {
    /// Every status a filter can ask for (`unknown` is what none can), in life-cycle order.
    const ALL: [StatusArg; 6] = {
        use payout_core::WithdrawalStatus::*;
        const fn arg(status: payout_core::WithdrawalStatus, help: &'static str) -> StatusArg {
            StatusArg { status, help }
        }
        [
            arg(Pending, "Waiting for approval"),
            arg(Approved, "Approved, not yet sent"),
            arg(Processing, "Being built, sent or confirmed on chain"),
            arg(Completed, "Sent; final success"),
            arg(Cancelled, "Not sent, cancelled or failed"),
            arg(Rejected, "Declined by a reviewer"),
        ]
    };

    /// The core's status.
    pub fn status(self) -> payout_core::WithdrawalStatus {
        self.status
    }
}

impl ValueEnum for StatusArg {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.status.as_str()).help(self.help))
    }
}

/// The shells `completions` writes for.
pub use clap_complete::Shell;

/// Where `sandbox` listens unless `--addr` says otherwise.
pub const DEFAULT_SANDBOX_ADDR: &str = "127.0.0.1:8080";

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a withdrawal (safely: a lost answer is reconciled by reference, never sent twice).
    #[command(
        after_help = "Example:\n  payout withdraw --asset BTC --amount 0.0002 --address tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc --reference order-1 --end-user user-1"
    )]
    Withdraw(WithdrawArgs),
    /// Show a withdrawal by the provider's id.
    #[command(after_help = "Example:\n  payout --json get 900000001")]
    Get {
        /// The provider's withdrawal id.
        id: String,
    },
    /// Find a withdrawal by your reference (prints null with --json when none matches).
    #[command(after_help = "Example:\n  payout find order-1")]
    Find {
        /// Your reference of the payout.
        reference: String,
    },
    /// List withdrawals, one page or --all.
    #[command(after_help = "Example:\n  payout --provider alppay list --status pending,completed --all")]
    List(ListArgs),
    /// Follow a withdrawal until it reaches a final status or the timeout.
    #[command(after_help = "Example:\n  payout watch 900000001 --interval 1")]
    Watch {
        /// The provider's withdrawal id.
        id: String,
        /// Seconds between polls.
        #[arg(long, default_value_t = 2.0, value_name = "SECS")]
        interval: f64,
        /// Seconds to wait in all before giving up.
        #[arg(long, default_value_t = 600.0, value_name = "SECS")]
        timeout: f64,
        /// One JSON object per line (as --json prints here), for streaming consumers.
        #[arg(long)]
        jsonl: bool,
    },
    /// Serve every simulator until interrupted, for programs in any language to test against.
    #[command(after_help = "Example:\n  payout sandbox --addr 127.0.0.1:0 --json")]
    Sandbox {
        /// The address to listen on (port 0 picks a free port) [default: 127.0.0.1:8080]
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<String>,
        /// Empty the sandbox's stored state (and exit, unless --addr is given too).
        #[arg(long)]
        reset: bool,
        /// Send the simulators' callbacks to a receiver: AlphaPo's to URL/alphapo, AlpPay's to
        /// URL/alppay, Cryptomus's to URL/cryptomus (for payouts that name no callback URL of
        /// their own) (extension).
        #[arg(long = "deliver-to", value_name = "URL")]
        deliver_to: Option<String>,
    },
    /// Serve the webhook endpoints (/alphapo, /alppay, /cryptomus) and apply each verified delivery to the journal.
    #[command(after_help = "Example:\n  payout --sandbox receive --addr 127.0.0.1:8081")]
    Receive(crate::receive::ReceiveArgs),
    /// Verify a webhook body against the configured secret and print the update it carries.
    #[command(after_help = "Example:\n  payout --json webhook --signature \"$SIG\" body.json")]
    Webhook {
        /// The signature header's value (AlphaPo X-Processing-Signature, AlpPay X-HMAC); not for
        /// Cryptomus, whose webhooks carry their signature inside the body.
        #[arg(long, value_name = "SIG")]
        signature: Option<String>,
        /// The body, exactly as received; standard input when absent.
        file: Option<PathBuf>,
    },
    /// The providers compiled in and what each can do.
    #[command(after_help = "Example:\n  payout --json providers")]
    Providers,
    /// Resolve the journal's unanswered payouts (exit 4 while any is left).
    #[command(after_help = "Example:\n  payout --provider alppay reconcile --jsonl")]
    Reconcile {
        /// One JSON object per line (as --json prints here), for streaming consumers.
        #[arg(long)]
        jsonl: bool,
    },
    /// What the journal holds.
    #[command(after_help = "Example:\n  payout journal --state unanswered,sent")]
    Journal(crate::journal::JournalArgs),
    /// Shell completions on standard output (bash, zsh, fish, powershell, elvish).
    #[command(after_help = "Example:\n  payout completions bash > ~/.local/share/bash-completion/completions/payout")]
    Completions {
        /// The shell.
        shell: Shell,
    },
    /// The manual page (roff) on standard output (extension).
    #[command(after_help = "Example:\n  payout man > ~/.local/share/man/man1/payout.1")]
    Man,
}

impl Command {
    /// `--jsonl`: one JSON object per line.
    pub fn jsonl(&self) -> bool {
        match self {
            Command::List(a) => a.jsonl,
            Command::Journal(a) => a.jsonl,
            Command::Watch { jsonl, .. } | Command::Reconcile { jsonl } => *jsonl,
            _ => false,
        }
    }
}

/// `withdraw`'s arguments.
#[derive(Debug, Args)]
pub struct WithdrawArgs {
    /// The asset's symbol (BTC, USDT...).
    #[arg(long, value_name = "SYMBOL")]
    pub asset: String,
    /// The asset's network (tron, ethereum...).
    #[arg(long, value_name = "NET")]
    pub network: Option<String>,
    /// The amount to pay, as a plain decimal (digits and at most one `.`; never rounded). With
    /// --convert-to, the exact amount of --asset debited and converted.
    #[arg(
        long,
        value_name = "X",
        required_unless_present = "amount_to",
        conflicts_with = "amount_to",
        allow_hyphen_values = true
    )]
    pub amount: Option<String>,
    /// The destination address.
    #[arg(long, value_name = "ADDR")]
    pub address: String,
    /// The destination tag or memo.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Your unique reference of this payout, stable across retries.
    #[arg(long, value_name = "REF")]
    pub reference: String,
    /// Your stable id of the person paid (kept in the journal; Cryptomus is sent none).
    #[arg(long = "end-user", value_name = "ID")]
    pub end_user: String,
    /// The person's name (AlpPay requires it).
    #[arg(long = "end-user-name", value_name = "NAME")]
    pub end_user_name: Option<String>,
    /// The person's e-mail address (AlpPay requires it).
    #[arg(long = "end-user-email", value_name = "EMAIL")]
    pub end_user_email: Option<String>,
    /// Convert into this asset before sending: with --amount (an exact amount of --asset is
    /// debited and converted) or with --amount-to (an exact amount of this asset is delivered).
    #[arg(long = "convert-to", value_name = "SYMBOL")]
    pub convert_to: Option<String>,
    /// The exact amount of --convert-to the recipient gets, as a plain decimal.
    #[arg(long = "amount-to", value_name = "X", requires = "convert_to", allow_hyphen_values = true)]
    pub amount_to: Option<String>,
    /// Where the fee is taken from: the balance (the recipient gets exactly --amount; the
    /// default) or the amount (the recipient gets --amount less the fee). Only a provider that
    /// lets the caller choose takes `amount` (Cryptomus); the others refuse it (extension).
    #[arg(long = "fee-from", value_name = "FROM", ignore_case = true)]
    pub fee_from: Option<FeeFromArg>,
    /// The URL the provider sends this payout's status changes to, for a provider that takes one
    /// per payout (Cryptomus `url_callback`; `payout receive` serves URL/cryptomus); the others
    /// refuse it (extension).
    #[arg(long = "callback-url", value_name = "URL")]
    pub callback_url: Option<String>,
}

/// `--fee-from`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FeeFromArg {
    /// From the balance: the recipient gets exactly the amount asked for.
    Balance,
    /// From the amount: the recipient gets the amount less the fee.
    Amount,
}

impl FeeFromArg {
    /// The core's choice.
    pub fn fee_from(self) -> payout_core::FeeFrom {
        match self {
            FeeFromArg::Balance => payout_core::FeeFrom::Balance,
            FeeFromArg::Amount => payout_core::FeeFrom::Amount,
        }
    }
}

/// `list`'s arguments.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these statuses.
    #[arg(long, value_delimiter = ',', value_name = "S,S..", ignore_case = true)]
    pub status: Vec<StatusArg>,
    /// Only these references.
    #[arg(long, value_delimiter = ',', value_name = "R,R..")]
    pub reference: Vec<String>,
    /// Only these provider ids.
    #[arg(long, value_delimiter = ',', value_name = "ID,ID..")]
    pub id: Vec<String>,
    /// Only these transaction hashes.
    #[arg(long = "tx-hash", value_delimiter = ',', value_name = "H,H..")]
    pub tx_hash: Vec<String>,
    /// The page, from 0.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub page: u32,
    /// Items per page (1 to 100).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: u32,
    /// Every page, streamed as the pages arrive.
    #[arg(long)]
    pub all: bool,
    /// One JSON object per line instead of an array, for streaming consumers.
    #[arg(long)]
    pub jsonl: bool,
}
