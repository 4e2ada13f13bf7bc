//! Wire-faithful HTTP simulators of AlphaPo and AlpPay (placeholder docs, rewritten below).

pub mod alphapo;
pub mod alppay;
mod amounts;
mod callbacks;
mod clock;
mod faults;
mod ids;
mod log;
mod sandbox;
mod server;

use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};

pub use alphapo::{AlphaPoConfig, AlphaPoServer, AlphaPoSim, AlphaPoStatus, AlphaPoWithdrawal};
pub use alppay::{AlpPayConfig, AlpPayServer, AlpPaySim, AlpPayStatus, AlpPayWithdrawal};
pub use callbacks::{CallbackConfig, DeliveryAttempt};
pub use faults::{Fault, Faults};
pub use log::{RequestLog, RequestRecord};
pub use sandbox::{SANDBOX_ALPHAPO_PREFIX, SANDBOX_ALPPAY_PREFIX, SandboxServer, restore, snapshot};
pub use server::SimServer;

/// What a control call or a snapshot operation can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// No withdrawal has this id.
    #[error("no withdrawal {0}")]
    NotFound(String),
    /// The snapshot is not one this simulator wrote.
    #[error("bad snapshot: {0}")]
    Snapshot(String),
    /// Reading or writing a state file failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The answer for a path under a simulator's prefix that matches none of its routes.
type Answer = fn() -> Response;

/// One router serving the given simulators under their prefixes (e.g. `/alphapo/api/v2` and
/// `/alppay/v2`), so both can share one listener. A request that matches no route gets the
/// answer of the simulator whose prefix it starts with (AlphaPo: 403 `required_header_key`);
/// anything else gets a plain 404.
pub fn router(alphapo: Option<&AlphaPoSim>, alppay: Option<&AlpPaySim>) -> Router {
    let mut r = Router::new();
    let mut prefixes: Vec<(String, Answer)> = Vec::new();
    if let Some(a) = alphapo {
        r = r.merge(a.routes());
        prefixes.push((a.config().prefix.trim_end_matches('/').to_owned(), AlphaPoSim::unknown_path));
    }
    if let Some(a) = alppay {
        r = r.merge(a.routes());
        prefixes.push((a.config().prefix.trim_end_matches('/').to_owned(), AlpPaySim::unknown_path));
    }
    let prefixes = Arc::new(prefixes);
    let p2 = prefixes.clone();
    r.fallback(move |req: Request| async move { unmatched(&prefixes, &req) })
        .method_not_allowed_fallback(move |req: Request| async move { unmatched(&p2, &req) })
}

fn unmatched(prefixes: &[(String, Answer)], req: &Request) -> Response {
    let path = req.uri().path();
    for (prefix, answer) in prefixes {
        if path == prefix || path.starts_with(&format!("{prefix}/")) {
            return answer();
        }
    }
    (http::StatusCode::NOT_FOUND, "not found").into_response()
}

/// Runs `tick` every `step` (clamped to 5 ms..=1 s) while the state behind `weak` is alive.
fn spawn_ticker<S: Send + Sync + 'static>(weak: Weak<S>, step: Duration, tick: fn(Arc<S>)) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else { return };
    let step = step.clamp(Duration::from_millis(5), Duration::from_secs(1));
    rt.spawn(async move {
        loop {
            tokio::time::sleep(step).await;
            let Some(state) = weak.upgrade() else { return };
            tick(state);
        }
    });
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), SimError> {
    let bytes = serde_json::to_vec(value).map_err(|e| SimError::Snapshot(e.to_string()))?;
    // Write then rename, so a crash never leaves half a state file.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn read_json(path: &Path) -> Result<serde_json::Value, SimError> {
    let bytes = std::fs::read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| SimError::Snapshot(e.to_string()))
}
