//! The embedded sandbox: every simulator on loopback, with their state kept in a file between
//! commands so that `withdraw`, `get`, `list` and `watch` show a real life cycle.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use payout_core::PayoutProvider;
use payout_sim::{
    AlpPayConfig, AlphaPoConfig, CallbackConfig, CryptomusConfig, SandboxServer, alphapo, alppay, cryptomus,
};

use crate::exit::Failure;
use crate::providers::{self, Entry, Mode};

/// The state file: `$PAYOUT_SANDBOX_DIR/sandbox.json`, or under the user's data directory.
pub fn state_path() -> PathBuf {
    let dir = match std::env::var_os("PAYOUT_SANDBOX_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("payout"),
    };
    dir.join("sandbox.json")
}

fn sim_error(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure::Io(format!("sandbox: cannot {what}: {e}"))
}

/// `PAYOUT_SANDBOX_URL`: the root URL of a running `payout sandbox` (`http://HOST:PORT`) that
/// sandbox commands talk to instead of an embedded one (which would keep its own state file).
pub fn running_url() -> Option<String> {
    std::env::var("PAYOUT_SANDBOX_URL")
        .ok()
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty())
}

/// The waits before each retry of the sandbox's callbacks (`sandbox --deliver-to`).
fn deliver_retries() -> Vec<Duration> {
    [1, 2, 4, 8, 15, 30, 60].into_iter().map(Duration::from_secs).collect()
}

/// The first AlphaPo id the sandbox hands out: AlphaPo's ids are integers, and the simulator's
/// default (134702815) is the documented example's, which a sandbox id must never be mistaken
/// for; the sandbox's start at 900000001 instead. (AlpPay's are random UUIDs, like the real
/// ones, and `--json` marks every sandbox withdrawal with `"sandbox": true`.)
pub const FIRST_ALPHAPO_ID: i64 = 900_000_001;

/// Starts every simulator and loads the stored state, if any. With `deliver_to`, AlphaPo's
/// callbacks go to `URL/alphapo`, AlpPay's webhooks to `URL/alppay`, and Cryptomus's to
/// `URL/cryptomus` (for a payout that names no `url_callback` of its own).
async fn start_delivering(addr: SocketAddr, deliver_to: Option<&str>) -> Result<SandboxServer, Failure> {
    let (mut ap, mut pay, mut cm) = (AlphaPoConfig::sandbox(), AlpPayConfig::sandbox(), CryptomusConfig::sandbox());
    ap.first_id = FIRST_ALPHAPO_ID;
    if let Some(url) = deliver_to {
        let to = |id: &str| CallbackConfig::new(format!("{url}/{id}")).with_retry_delays(deliver_retries());
        ap = ap.with_callback(to("alphapo"));
        pay = pay.with_callback(to("alppay"));
        cm = cm.with_callback(to("cryptomus"));
    }
    let server =
        SandboxServer::start_all(addr, ap, pay, cm).await.map_err(|e| sim_error(&format!("listen on {addr}"), e))?;
    let path = state_path();
    if path.exists() {
        server.load(&path).map_err(|e| sim_error(&format!("read its state from {}", path.display()), e))?;
    }
    Ok(server)
}

async fn start(addr: SocketAddr) -> Result<SandboxServer, Failure> {
    start_delivering(addr, None).await
}

fn save(server: &SandboxServer) -> Result<(), Failure> {
    let path = state_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| sim_error(&format!("create {}", dir.display()), e))?;
    }
    server.save(&path).map_err(|e| sim_error(&format!("write its state to {}", path.display()), e))
}

/// The provider a command talks to, and the sandbox behind it when there is one.
pub struct Session {
    /// The provider.
    pub provider: Arc<dyn PayoutProvider>,
    sandbox: Option<SandboxServer>,
    /// A running sandbox (`PAYOUT_SANDBOX_URL`) serves this session.
    running: bool,
}

impl Session {
    /// Connects to `entry` live, or to its simulator (saying so on standard error).
    pub async fn open(entry: &Entry, force_sandbox: bool) -> Result<Self, Failure> {
        match providers::mode(entry, force_sandbox)? {
            Mode::Live => Ok(Self { provider: entry.from_env()?, sandbox: None, running: false }),
            Mode::Sandbox(why) if running_url().is_some() => {
                let url = running_url().unwrap_or_default();
                eprintln!("payout: using the {} sandbox running at {url} ({why}; PAYOUT_SANDBOX_URL)", entry.id);
                Ok(Self { provider: providers::sandbox(entry, &url)?, sandbox: None, running: true })
            }
            Mode::Sandbox(why) => {
                let server = start(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
                eprintln!(
                    "payout: using the {} sandbox, an embedded simulator ({why}; state in {}). Set {} to use {} itself.",
                    entry.id,
                    state_path().display(),
                    entry.credentials.join(" and "),
                    entry.id,
                );
                Ok(Self {
                    provider: providers::sandbox(entry, &server_url(&server))?,
                    sandbox: Some(server),
                    running: false,
                })
            }
        }
    }

    /// Whether the embedded sandbox serves this session.
    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some() || self.running
    }

    /// Keeps the sandbox's state for the next command.
    pub fn close(self) -> Result<(), Failure> {
        match &self.sandbox {
            Some(server) => save(server),
            None => Ok(()),
        }
    }
}

/// `sandbox --reset`: empties the stored state.
pub fn reset() -> Result<(), Failure> {
    let path = state_path();
    match std::fs::remove_file(&path) {
        Ok(()) => eprintln!("payout: sandbox state emptied ({})", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => eprintln!("payout: sandbox state was already empty"),
        Err(e) => return Err(sim_error(&format!("remove {}", path.display()), e)),
    }
    Ok(())
}

/// `sandbox`: serves every simulator until interrupted, printing their base URLs and test
/// credentials; the state is saved every second and on exit.
pub async fn serve(addr: &str, deliver_to: Option<&str>, json: bool) -> Result<(), Failure> {
    let deliver_to = match deliver_to.map(|u| u.trim().trim_end_matches('/')) {
        Some(u) if u.starts_with("http://") || u.starts_with("https://") => Some(u),
        Some(u) => return Err(Failure::Usage(format!("--deliver-to must be an http:// or https:// URL, got `{u}`"))),
        None => None,
    };
    let addr: SocketAddr = addr
        .parse()
        .map_err(|_| Failure::Usage(format!("--addr must be HOST:PORT with an IP address, got `{addr}`")))?;
    let server = start_delivering(addr, deliver_to).await?;
    // Before the first line: a program that reads it and signals at once must be heard.
    let stop = shutdown()?;
    // The contract's first line: one key per provider, nothing else (programs iterate it).
    let info = serde_json::json!({
        "alphapo": {
            "base_url": server.alphapo_base_url(),
            "api_key": alphapo::DEFAULT_API_KEY,
            "api_secret": alphapo::DEFAULT_API_SECRET,
        },
        "alppay": {
            "base_url": server.alppay_base_url(),
            "api_key": alppay::DEFAULT_API_KEY,
            "hmac_key": alppay::DEFAULT_HMAC_KEY,
        },
        "cryptomus": {
            "base_url": server.cryptomus_base_url(),
            "merchant": cryptomus::DEFAULT_MERCHANT,
            "payout_key": cryptomus::DEFAULT_PAYOUT_KEY,
        },
    });
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{info}")?;
    } else {
        writeln!(out, "payout sandbox listening on {}", server.local_addr())?;
        writeln!(out, "  AlphaPo   ALPHAPO_BASE_URL={}", info["alphapo"]["base_url"].as_str().unwrap_or_default())?;
        writeln!(
            out,
            "            ALPHAPO_API_KEY={} ALPHAPO_API_SECRET={}",
            alphapo::DEFAULT_API_KEY,
            alphapo::DEFAULT_API_SECRET
        )?;
        writeln!(out, "  AlpPay    ALPPAY_BASE_URL={}", info["alppay"]["base_url"].as_str().unwrap_or_default())?;
        writeln!(
            out,
            "            ALPPAY_API_KEY={} ALPPAY_HMAC_KEY={}",
            alppay::DEFAULT_API_KEY,
            alppay::DEFAULT_HMAC_KEY
        )?;
        writeln!(out, "  Cryptomus CRYPTOMUS_BASE_URL={}", server.cryptomus_base_url())?;
        writeln!(
            out,
            "            CRYPTOMUS_MERCHANT={} CRYPTOMUS_PAYOUT_KEY={}",
            cryptomus::DEFAULT_MERCHANT,
            cryptomus::DEFAULT_PAYOUT_KEY
        )?;
        if let Some(url) = deliver_to {
            writeln!(out, "  callbacks to {url}/alphapo, webhooks to {url}/alppay and {url}/cryptomus")?;
        }
        writeln!(out, "state in {}; Ctrl-C to stop", state_path().display())?;
    }
    out.flush()?;
    drop(out);

    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = tick.tick() => save(&server)?,
            _ = &mut stop => break,
        }
    }
    save(&server)?;
    eprintln!("payout: sandbox stopped");
    Ok(())
}

/// Installs the Ctrl-C and SIGTERM handlers at once, so that a signal sent the moment a server
/// has printed its address is caught, and resolves on the first of them.
pub fn shutdown() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// `providers`: what is compiled in and what each can do, asked of real clients of the sandbox.
pub async fn providers(json: bool) -> Result<(), Failure> {
    let server =
        SandboxServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), AlphaPoConfig::sandbox(), AlpPayConfig::sandbox())
            .await
            .map_err(|e| sim_error("start", e))?;
    let mut rows = Vec::new();
    for entry in providers::COMPILED_IN {
        let provider = providers::sandbox(entry, &server_url(&server)).map_err(Failure::Payout)?;
        rows.push((entry.id, provider.capabilities()));
    }
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<_> =
            rows.iter().map(|(id, caps)| serde_json::json!({ "id": id, "capabilities": caps })).collect();
        writeln!(out, "{}", serde_json::Value::Array(list))?;
    } else if rows.is_empty() {
        writeln!(out, "no provider is compiled in")?;
    } else {
        writeln!(out, "{:<10} CAPABILITIES", "PROVIDER")?;
        for (id, caps) in rows {
            let names: Vec<_> = caps.iter().map(|c| c.as_str()).collect();
            writeln!(out, "{id:<10} {}", names.join(", "))?;
        }
    }
    Ok(())
}

/// `http://HOST:PORT` of a sandbox server.
fn server_url(server: &SandboxServer) -> String {
    format!("http://{}", server.local_addr())
}
