//! # payout-sim
//!
//! Wire-faithful HTTP simulators of AlphaPo, AlpPay and Cryptomus.
//!
//! - [`alphapo`], [`alppay`], [`cryptomus`] (features of the same names, all default): one
//!   module per provider, each with the same files: `state.rs` (every change of state), `validate.rs`,
//!   `handlers.rs` (HTTP only), `wire.rs` (the only writer of its wire objects), `snapshot.rs`.
//! - [`Simulator`]: what each provider's simulator gives [`router`], [`snapshot`] / [`restore`]
//!   and [`SandboxServer`] (every simulator on one address, as `payout sandbox` serves them).
//! - [`Served`] / [`SimServer`]: a running simulator and its listener, with the [`Faults`]
//!   queue and the [`RequestLog`]; [`CallbackConfig`] / [`DeliveryAttempt`]: the outgoing
//!   deliveries of callbacks and webhooks.
//! - [`receiver`]: the HTTP receiver a test points those deliveries at.
//! - [`redirects`]: an origin that redirects every request elsewhere, and the check that a
//!   client never takes a signed request there.
//! - [`backend`] (`SimBackend`, a provider under test), [`conformance`], [`fault_matrix`], [`money`],
//!   [`load`]: the shared suites a provider crate runs its client through against its simulator; [`net`]: a loopback address that refuses.
//!
//! Each simulator is a stateful HTTP server on loopback that speaks its provider's wire format as
//! the provider documents describe it (`providers/alphapo.md`, `providers/alppay.md`,
//! `providers/cryptomus.md`): it checks
//! keys and signatures over the raw body bytes before parsing, answers the documented error bodies,
//! keeps withdrawals, refuses duplicates, pages and filters, moves statuses when the test says so
//! (or on a clock), sends signed callbacks and webhooks with retries, and injects faults. They are
//! written from the documents alone, independently of the provider crates, so that they check the
//! clients rather than agree with them.
//!
//! ```
//! use payout_testkit::signing::alphapo_signature;
//! use payout_sim::{AlphaPoConfig, AlphaPoServer, AlphaPoStatus};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Start an AlphaPo simulator on 127.0.0.1 with a free port.
//! let sim = AlphaPoServer::start(AlphaPoConfig::default()).await?;
//! let http = reqwest::Client::builder().no_proxy().build()?;
//!
//! // Sign the exact bytes that are sent, as the provider requires.
//! let body = br#"{"currency":"BTC","foreign_id":"order-1","end_user_reference":"user-7","address":"tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc","amount":"0.0002"}"#;
//! let created = http
//!     .post(format!("{}/withdrawal/crypto", sim.base_url()))
//!     .header("Content-Type", "application/json")
//!     .header("X-Processing-Key", sim.api_key())
//!     .header("X-Processing-Signature", alphapo_signature(sim.api_secret().as_bytes(), body))
//!     .body(&body[..])
//!     .send()
//!     .await?;
//! assert_eq!(created.status(), 201);
//! let created: serde_json::Value = created.json().await?;
//! assert_eq!(created["data"]["status"], "processing");
//! assert_eq!(created["data"]["amount"], "0.00020000");
//!
//! // Move it with the control handle, as the provider would, and see it on the wire.
//! let id = created["data"]["id"].as_i64().unwrap();
//! sim.set_status(id, AlphaPoStatus::Confirmed)?;
//! let lookup = br#"{"foreign_id":"order-1"}"#;
//! let info: serde_json::Value = http
//!     .get(format!("{}/transactions/info", sim.base_url()))
//!     .header("Content-Type", "application/json")
//!     .header("X-Processing-Key", sim.api_key())
//!     .header("X-Processing-Signature", alphapo_signature(sim.api_secret().as_bytes(), lookup))
//!     .body(&lookup[..])
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(info["status"], "confirmed");
//! assert_eq!(info["transactions"][0]["txid"].as_str().map(str::len), Some(64));
//! # Ok(())
//! # }
//! ```
//!
//! AlpPay works the same way with [`AlpPayServer`] (`API-KEY` on every call, `X-HMAC` on the
//! create), Cryptomus with [`CryptomusServer`] (`merchant` and `sign` on every call), and
//! [`SandboxServer`] serves all three on one address, as `payout sandbox` does.
//!
//! # Starting, credentials, mounting
//!
//! * [`AlphaPoServer::start`] / [`AlpPayServer::start`] bind `127.0.0.1:0` in the current tokio
//!   runtime and return a handle with `base_url()` (`http://127.0.0.1:PORT/api/v2`,
//!   `http://127.0.0.1:PORT/v2`), the credentials, [`faults()`](AlphaPoServer::faults),
//!   [`requests()`](AlphaPoServer::requests) and, through `Deref`, every control method of
//!   [`AlphaPoSim`] / [`AlpPaySim`]. Dropping the handle stops the server and its connections.
//! * Test credentials (override with `with_credentials`): AlphaPo key `alphapo-sandbox-key`,
//!   secret `alphapo-sandbox-secret`; AlpPay key `alppay-sandbox-key`, HMAC key
//!   `alppay-sandbox-hmac`; Cryptomus merchant `8b03432e-385b-4670-8d06-064591096795`, payout
//!   key `cryptomus-sandbox-payout-key` ([`CryptomusServer::start`]: `base_url()` is
//!   `http://127.0.0.1:PORT/v1`, `merchant()`, `payout_key()`).
//! * [`router`] mounts any of the simulators' routes (each under its configured prefix) in one
//!   axum `Router`; [`SandboxServer::start`] serves that router with AlphaPo under
//!   `/alphapo/api/v2`, AlpPay under `/alppay/v2` and Cryptomus under `/cryptomus/v1`
//!   ([`AlphaPoConfig::sandbox`], [`AlpPayConfig::sandbox`], [`CryptomusConfig::sandbox`]: life
//!   cycles of a few seconds; [`SandboxServer::start_all`] takes Cryptomus's configuration too). [`SimServer::bind`] serves any
//!   router with the fault queue and request log.
//!
//! # AlphaPo endpoints (prefix `/api/v2`)
//!
//! | method and path | auth | success |
//! |---|---|---|
//! | `GET /ping` | none | 200 `OK` (text) |
//! | `POST /withdrawal/crypto` | key + signature | 201 `{"data":{id, foreign_id, end_user_reference, type, status:"processing", amount, sender_amount, sender_currency, receiver_currency, receiver_amount}}` |
//! | `GET /transactions/info` (signed JSON body `{"id":N}` or `{"foreign_id":"…"}`) | key + signature | 200, the callback-shaped object at the top level |
//! | `POST /currencies/list` (`{"visible"?: bool}`) | key + signature | 200 `{"data":[{id, type, currency, minimum_amount, deposit_fee_percent, withdrawal_fee_percent, precision}]}` |
//! | `POST /accounts/list` (`{}`) | key + signature | 200 `{"data":[{currency, type, balance}]}` |
//!
//! Checks run in this order: key, signature over the raw bytes, content type, JSON, then fields.
//!
//! | status | body | when |
//! |---|---|---|
//! | 403 | `{"error":"No key header","code":"required_header_key"}` | no or empty `X-Processing-Key`; also **any unknown path or method** (documented quirk) |
//! | 403 | `{"error":"Bad key header","code":"bad_header_key"}` | another key |
//! | 403 | `{"error":"No signature header","code":"required_header_signature"}` | no or empty `X-Processing-Signature` |
//! | 403 | `{"error":"Bad signature header","code":"bad_header_signature"}` | the HMAC-SHA512 of the raw body differs |
//! | 400 | `{"error":"Bad content format","code":"bad_content_format"}` | `Content-Type` not `application/json`, invalid JSON, or JSON that is not an object or array |
//! | 400 | `{"errors":{"<field>":"<message>"}}` | validation; one message per failing field (below) |
//! | 400 | `{"errors":{"id":"No parameters present"}}` | lookup with neither `id` nor `foreign_id` |
//! | 404 | `{"errors":{"id":"Validation Exception: more than one param is present"}}` | lookup with both |
//! | 404 | `{"errors":{"id":"Transaction not found."}}` (or `foreign_id`) | lookup of an unknown withdrawal |
//!
//! Validation messages of `POST /withdrawal/crypto`: `currency`: "The currency field is
//! required.", "The selected currency is invalid."; `amount`: "The amount field is required when
//! amount to is not present.", "The amount field prohibits amount to from being present.", "The
//! amount must be a number.", "The amount must be at least 0.0001." (the currency's minimum), "The
//! amount may not have more than 8 decimal places." (its precision), "The amount is too small. The
//! minimum amount is 10.00 EUR." (a fiat source), "The amount may not be greater than
//! 1000000000000000." (the simulator's bound, so arithmetic cannot overflow), "Not enough money on
//! balance"; `amount_to`: the
//! same rules against the `convert_to` currency; `convert_to`: "The convert to field is required
//! when amount to is present.", "The convert to field is required when currency is EUR.", "The
//! selected convert to is invalid.", "Exchange is unavailable for given currencies" (a fiat or
//! identical target); `address`: "The address field is required.", "The address format is
//! invalid." (whitespace), "The address may not be greater than 255 characters.";
//! `foreign_id`: "The foreign id field is required.", "The foreign id has already been taken.",
//! "The foreign id may not be greater than 255 characters."; `end_user_reference`: the same
//! three-rule pattern ("The end user reference field is required."); `tag`: "The tag must be a
//! string.". Amounts are accepted as JSON strings or numbers.
//!
//! The currency table (code, precision, minimum, EUR rate) is in [`alphapo::default_currencies`].
//!
//! # AlpPay endpoints (prefix `/v2`)
//!
//! | method and path | auth | success |
//! |---|---|---|
//! | `POST /withdrawal` | `API-KEY` + `X-HMAC` (lowercase hex HMAC-SHA256 of the raw body) | 200, the bare withdrawal object, `OPEN` |
//! | `GET /withdrawal/{id}` | `API-KEY` | 200, the bare withdrawal object |
//! | `GET /withdrawal?ids=&txnIds=&invoices=&statuses=&page=&limit=` | `API-KEY` | 200 `{"data":[…],"page":N,"limit":N,"total":N}` |
//!
//! The documents show no error body; **the simulator's shape is an assumption**:
//! `{"error":"<code>","message":"<text>","field":"<field>"}` (`field` only when one is at fault).
//!
//! | status | `error` | when |
//! |---|---|---|
//! | 401 | `unauthorized`, message "invalid or expired API key" | no, empty or wrong `API-KEY` (every endpoint) |
//! | 401 | `unauthorized`, message "missing or invalid signature" | `X-HMAC` missing or not the HMAC of the raw body (create) |
//! | 400 | `bad_request`, "malformed JSON" | the body is not a JSON object |
//! | 400 | `bad_request` | a field of the wrong JSON type (`amount` not a string, `customer.id` not an integer, `destTag` neither string nor null…), as a Go decoder would fail; or `addressFrom`/`clientId` without the other (documented) |
//! | 422 | `validation_failed` | a rule: `amount` missing, not a plain decimal, ≤ 0 or with more than 8 decimals; `asset` missing or not a supported pair; `addressTo` empty; `customer`, `customer.id`, `customer.name` or `customer.email` missing; an invalid e-mail; `invoice` missing or empty; a duplicate `invoice` when [`AlpPayConfig::refuse_duplicate_invoice`] is on |
//! | 400 | `bad_request` | listing: `limit` outside 1..=100 or not a number, `page` negative or not a number, an unknown status (exact, case-sensitive) |
//! | 404 | `not_found` | `GET /withdrawal/{id}` of an unknown (or malformed) id; an unknown path |
//!
//! # Cryptomus endpoints (prefix `/v1`)
//!
//! Every call is a `POST` with `Content-Type: application/json`, the `merchant` header (the
//! merchant uuid) and `sign`: `md5(base64(raw body) + payout key)`, 32 lowercase hex characters,
//! over the bytes exactly as sent (an empty body, `{}` and `[]` all work when signed as sent).
//!
//! | path | body | success (200 `{"state":0,"result":…}`) |
//! |---|---|---|
//! | `/payout` | `amount`, `currency`, `order_id`, `address`, `is_subtract`, `network` (unless the coin has one), optional `url_callback`, `to_currency`, `from_currency` (`USDT`), `course_source`, `priority`, `memo` | the payout object `{uuid, amount, currency, network, address, txid, status:"process", is_final:false, balance, payer_currency, payer_amount}` (`balance`, `payer_amount` JSON numbers, as the documented example) |
//! | `/payout/info` | `uuid` or `order_id` (both: the `order_id` wins) | the payout object, as it is now |
//! | `/payout/list` | optional `date_from`, `date_to` (`YYYY-MM-DD H:mm:ss`, UTC+3); the cursor in `?cursor=` (or the body's `cursor`) | `{merchant_uuid, items:[{uuid, order_id, amount, currency, network, address, txid, status, is_final, balance, payment_status:null, created_at, updated_at}], paginate:{count, hasPages, nextCursor, previousCursor, perPage:15}}` |
//! | `/payout/services` | none | `[{network, currency, is_available, limit:{min_amount, max_amount}, commission:{fee_amount, percent}}]` |
//! | `/test-webhook/payout` | `url_callback` (a URL, 6–150 characters), `currency`, `network`, `status`; optional `uuid` or `order_id` (the `uuid` wins) | `[]`; the webhook of that payout (or of a test record at the service's minimum) in `status` is sent to `url_callback`, signed with the payout key; nothing is saved. `Not found payout` / `Payout service not found` (422) otherwise |
//!
//! | status | body | when |
//! |---|---|---|
//! | 401 | `{"message":"Invalid Sign."}` | `merchant` missing or not the configured one, `sign` missing or not the md5 of the raw body |
//! | 422 | `{"state":1,"errors":{"<field>":["validation.<rule>"]}}` | a field rule, every failing field with its first rule: `required`, `string`, `numeric` (amount not a plain decimal), `gt.numeric` (≤ 0), `decimal` (more than 8 decimals), `max.numeric` (over 10^15, the simulator's bound), `max.string` (`order_id` over 100, or over 32 on info; `memo` over 30), `alpha_dash`, `boolean` (`is_subtract` not `true/false/1/0/"1"/"0"`), `url` (`url_callback` not http(s)), `in` (`from_currency`, `course_source`, `priority`), `required_if` (`to_currency` for a fiat `currency`), `required` (`network` when the coin has several), `uuid`, `required_without` (info with neither), `regex` (history dates), `unique` (a replay with another body, only with [`cryptomus::ReplayMismatch::Refuse`]) |
//! | 422 | `{"state":1,"message":"…"}` | `The currency was not found`, `The service was not found` (unknown or unavailable network), `Not found service to_currency`, `Error convert to_currency`, `Minimum amount 0.5 USDT` / `Maximum amount 1000000 USDT` (the service's limits), `The withdrawal amount is too small` (the fee from the amount leaves nothing), `Not enough funds`, `Not enough balance for convert USDT to LTC` |
//! | 404 | `{"state":1,"message":"Not found payout"}` | info of an unknown payout |
//! | 404 | `{"message":"Not Found"}` | an unknown path, or a method other than `POST` |
//!
//! A create whose `order_id` the merchant already used returns that payout as it is now (200)
//! and creates nothing, whatever else the body says ([`CryptomusConfig::replay_mismatch`] can
//! refuse another body instead); the field rules still run first. The services table
//! ([`cryptomus::default_services`]) drives the service and limit refusals and the commission
//! (fixed fee plus percent): `is_subtract: true` debits amount + commission and pays the amount;
//! `false` debits the amount and pays the amount less the commission. A final failure returns the
//! funds to the balance.
//!
//! Statuses: `process` (the create's answer), `check`, `paid` (final, with a `txid`), `fail`,
//! `cancel`, `system_fail`; `is_final` is kept beside the status, so a `fail` support can still
//! resend is not final ([`CryptomusMove`]). Webhooks: on every change after the creation (none for
//! the creation itself), a `POST` to the payout's `url_callback` (or, when the payout has none,
//! to the configured [`CallbackConfig`]'s URL; without either, none) of
//! `{type:"payout", uuid, order_id, amount, merchant_amount, commission, is_final, status,
//! fail_reason (failures only), txid, currency, network (lower case), payer_currency,
//! payer_amount, sign}`, encoded as PHP's `json_encode` writes it (`/` as `\/`), `sign` the md5 of
//! base64 of the body without it plus the payout key, appended last; no signature header.
//!
//! # Where the documents are silent: the simulators' choices
//!
//! * AlphaPo currency codes, precisions, minimums and balances: the table in
//!   [`alphapo::default_currencies`]; conversions use its fixed EUR rates, the receiver's amount
//!   rounded down and the sender's (for `amount_to`) rounded up to their precisions; any crypto or
//!   fiat source may convert to a different crypto currency.
//! * AlphaPo amounts print with 8 decimals (or the currency's precision if it is larger), as
//!   every documented example does, EUR included (`"25.00000000"`); precision rules validation.
//! * AlphaPo checks the key and signature before the content type.
//! * AlphaPo's lookup of an unknown id or `foreign_id` is 404 `{"errors":{…:"Transaction not
//!   found."}}`; the "No parameters"/"more than one param" errors use the same `errors` shape.
//!   `txid` lookups (CryptoProcessing only) are not supported: `{"txid":…}` counts as no
//!   parameter.
//! * AlphaPo withdrawal limits: with [`AlphaPoConfig::review_above_eur`], a withdrawal worth more
//!   (at the fixed rates) becomes `pending` right after creation (the create answer still says
//!   `processing`) and stays there until the control handle moves it, as a reviewer would.
//! * AlphaPo duplicate `foreign_id`, insufficient balance and invalid address fail synchronously
//!   with 400 (messages above). A cancelled or declined withdrawal is refunded to the balance.
//! * AlphaPo statuses: creation answers `processing`; lookups and callbacks map it to
//!   `not_confirmed`. The simulator's own `not_confirmed` means "sent, awaiting confirmations"
//!   and carries the tx hash. `currency_sent`/`currency_received` are printed for processing,
//!   `not_confirmed` and `confirmed`, absent for pending, cancelled and declined. `transactions`
//!   is `[]` until a tx hash exists, then one `blockchain` entry (preceded by an `exchange` entry
//!   for a withdrawal with conversion), `confirmations` `"0"` or `"1"`; `fees` is `[]`;
//!   `error` is `""` except for cancelled ("Withdrawal cancelled") and declined ("Withdrawal
//!   declined") unless the test gives a text. Creation sends no callback (its answer already says
//!   `processing`); every later change does.
//! * AlpPay amounts print without trailing zeros (`"10"`), as a Go decimal does; precision counts
//!   significant decimals (`"1.500000000"` is fine). Timestamps print nine fraction digits and `Z`.
//! * AlpPay `timeToApprove` is `createdAt` + [`AlpPayConfig::auto_approve_after`] when set, else
//!   `null`; a manual approval or completion sets it to that moment if it was `null`. `APPROVED`
//!   leaves `txnId`, `addressFrom` and `receivedAmount` empty; `COMPLETE` fills them (the
//!   merchant's hot wallet for the network, or the client's `addressFrom` in withdraw-direct mode).
//! * AlpPay duplicate invoices are accepted unless configured otherwise; `Content-Type` is not
//!   checked; unknown fields are ignored; listing order is `createdAt` descending with creation
//!   order as the tie-break, and list filters accept comma-separated values, repeated keys and
//!   `key[]=`, OR within a filter and AND across filters. A page past the end is `data: []` with
//!   the real `total`. Webhooks are sent on creation and on every change, signed with the HMAC key.
//! * Cryptomus: the HTTP status of `Invalid Sign.` is 401 (the documents give none), a missing or
//!   unknown merchant gets the same answer (it has no key to verify with), and an unknown payout
//!   is 404 `Not found payout`. A body not sent as JSON, or not a JSON object, reads as no input
//!   (Laravel's), so the field rules refuse it. History walks creation order, oldest first as the
//!   payout page's example runs ([`CryptomusConfig::newest_first`] reverses it), by a keyset
//!   cursor in Laravel's encoding (base64url of `{"id":N,"_pointsToNextItems":bool}`), so a walk
//!   never repeats or skips a payout; a cursor that does not decode reads as the first page, as
//!   Laravel reads it. Amounts print with 8 decimals; history and webhook times in UTC+3.
//!   Networks match case-insensitively. Fiat `currency` (USD, EUR) converts at the fixed rates of
//!   [`cryptomus::default_rates`], rounded down to 8 decimals. No webhook on creation or replay.
//! * Control moves are not restricted to the documented transitions, so tests can produce odd
//!   histories; a moved withdrawal leaves the automatic life cycle.
//! * Request bodies over 2 MiB are answered 413 (`request body too large`, plain text), before
//!   authentication.
//!
//! # Control, life cycle, seeding, snapshots
//!
//! [`AlphaPoSim::set_status`] / [`AlpPaySim::set_status`] / [`CryptomusSim::set_status`] (and
//! the `_with` variants that give the tx hash, error text or finality) move a withdrawal and
//! deliver the callback. The automatic life cycle
//! ([`AlphaPoConfig::with_lifecycle`]: processing → `not_confirmed` → `confirmed`;
//! [`AlpPayConfig::with_lifecycle`]: `OPEN` → `APPROVED` → `COMPLETE`;
//! [`CryptomusConfig::with_lifecycle`]: `process` → `check` → `paid`) is computed lazily from the
//! creation timestamp whenever a withdrawal is read or listed, so state saved to disk keeps
//! advancing in the next process; with a callback URL a background task also advances it so
//! callbacks go out unread. `seed(n)` adds many withdrawals with varied statuses and references;
//! `count`, `get`, `find`/`find_by_invoice`, `withdrawals`/`payouts` read the state;
//! `snapshot`/`restore` and `save`/`load` keep it as JSON; `reset` empties it.
//!
//! # Callbacks and webhooks
//!
//! With a [`CallbackConfig`], every status change is POSTed to its URL: AlphaPo's lookup object
//! with `X-Processing-Key` and `X-Processing-Signature` (HMAC-SHA512 of the raw body), AlpPay's
//! bare withdrawal object with `X-HMAC` (HMAC-SHA256); Cryptomus's payouts their webhook, signed
//! inside the body, to each payout's own `url_callback` (on the default schedule when no
//! [`CallbackConfig`] is given). A non-2xx answer or a connection failure is
//! retried after each of [`CallbackConfig::retry_delays`]; [`CallbackConfig::duplicate`] sends
//! every successful delivery a second time. `deliveries()` lists every attempt.
//!
//! # Faults and the request log
//!
//! [`Faults`] queues a [`Fault`] for the next request(s), for requests to a path, or for one
//! method on a path ([`Faults::on_request`]); each
//! variant's documentation says exactly what the listener does. [`RequestLog`] keeps the method,
//! path, query, answered status and fault of the last 1,024 requests (configurable, or off).
//!
//! # Performance
//!
//! Handlers take one `std::sync::Mutex` briefly (never across an `.await`), lookups are hash-map
//! hits, an unfiltered AlpPay page is a slice of a cached order, connections are kept alive, and
//! nothing is logged per request (turn the request log off with
//! [`RequestLog::set_enabled`] for load). A release build answers tens of thousands of lookups
//! per second on two cores, load generator included (`cargo bench -p payout-sim --bench
//! sim`; figures in the repository's `BENCHMARKS.md`).

#![cfg_attr(docsrs, feature(doc_cfg))]
// With one provider left out, some shared helpers (amounts, ids, clock formats) serve nobody.
#![cfg_attr(not(all(feature = "alphapo", feature = "alppay", feature = "cryptomus")), allow(dead_code, unused_imports))]

#[cfg(feature = "alphapo")]
pub mod alphapo;
#[cfg(feature = "alppay")]
pub mod alppay;
mod amounts;
pub mod backend;
mod clock;
pub mod conformance;
#[cfg(feature = "cryptomus")]
pub mod cryptomus;
mod deliveries;
mod engine;
pub mod fault_matrix;
mod faults;
mod ids;
pub mod load;
mod log;
pub mod money;
pub mod net;
pub mod receiver;
pub mod redirects;
mod routing;
#[cfg(all(feature = "alphapo", feature = "alppay", feature = "cryptomus"))]
mod sandbox;
mod served;
mod server;
mod simulator;

use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};

#[cfg(feature = "alphapo")]
pub use alphapo::{AlphaPoConfig, AlphaPoServer, AlphaPoSim, AlphaPoStatus, AlphaPoWithdrawal};
#[cfg(feature = "alppay")]
pub use alppay::{AlpPayConfig, AlpPayServer, AlpPaySim, AlpPayStatus, AlpPayWithdrawal};
#[cfg(feature = "cryptomus")]
pub use cryptomus::{CryptomusConfig, CryptomusMove, CryptomusPayout, CryptomusServer, CryptomusSim, CryptomusStatus};
pub use deliveries::{CallbackConfig, DeliveryAttempt};
pub use faults::{Fault, Faults};
pub use log::{RequestLog, RequestRecord};
#[cfg(all(feature = "alphapo", feature = "alppay", feature = "cryptomus"))]
pub use sandbox::{SANDBOX_ALPHAPO_PREFIX, SANDBOX_ALPPAY_PREFIX, SANDBOX_CRYPTOMUS_PREFIX, SandboxServer};
pub use served::Served;
pub use server::SimServer;
pub use simulator::{Answer, Simulator, SimulatorKind, restore, router, snapshot};

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

/// The largest request body the simulators read (as axum's own default).
const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The headers and the whole body of a request, without copying the headers. A body over
/// [`BODY_LIMIT`] is answered 413.
async fn split(req: Request) -> Result<(http::HeaderMap, axum::body::Bytes), Response> {
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => Ok((parts.headers, bytes)),
        Err(_) => Err((http::StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response()),
    }
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

/// The `key` array of a snapshot, decoded (an absent array is empty).
fn saved_items<T: serde::de::DeserializeOwned>(snapshot: &serde_json::Value, key: &str) -> Result<Vec<T>, SimError> {
    let items = snapshot.get(key).cloned().unwrap_or(serde_json::Value::Array(Vec::new()));
    serde_json::from_value(items).map_err(|e| SimError::Snapshot(e.to_string()))
}

/// `store` holding the `key` array of a snapshot, for the stores kept in creation order
/// (AlpPay's, Cryptomus's): the items added oldest first (by `seq`), each by `add`, which refuses
/// a duplicate.
fn restore_in_order<S, T: serde::de::DeserializeOwned>(
    snapshot: &serde_json::Value,
    key: &str,
    seq: fn(&T) -> u64,
    mut store: S,
    add: fn(&mut S, T) -> Result<usize, SimError>,
) -> Result<S, SimError> {
    let mut items: Vec<T> = saved_items(snapshot, key)?;
    items.sort_by_key(seq);
    for item in items {
        add(&mut store, item)?;
    }
    Ok(store)
}

/// Refuses a restored withdrawal whose `key` (its `what`: `id`, `uuid`) `index` already holds.
fn unique<V>(index: &std::collections::HashMap<String, V>, key: &str, what: &str) -> Result<(), SimError> {
    if index.contains_key(key) { Err(SimError::Snapshot(format!("duplicate {what} {key}"))) } else { Ok(()) }
}

fn read_json(path: &Path) -> Result<serde_json::Value, SimError> {
    let bytes = std::fs::read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| SimError::Snapshot(e.to_string()))
}
