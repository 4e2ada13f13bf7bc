//! AlpPay's endpoints: `API-KEY` on every call, `X-HMAC` over the raw body on the create, then
//! parsing (400), business validation (422) and the bare withdrawal object.

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::response::Response;
use axum::routing::get;
use http::{HeaderMap, StatusCode};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::amounts::{parse_plain, significant_scale};
use crate::clock;
use payout_testkit::signing::verify_alppay;

use super::AlpPaySim;
use super::query;
use super::state::{AlpPayCustomer, AlpPayStatus, AlpPayWithdrawal};
use super::wire;

/// The routes under the configured prefix (no fallback: see `sim::router`).
pub(crate) fn routes(sim: AlpPaySim) -> Router {
    let p = sim.config().prefix.trim_end_matches('/').to_owned();
    Router::new()
        .route(&format!("{p}/withdrawal"), get(list).post(create))
        .route(&format!("{p}/withdrawal/{{id}}"), get(one))
        .with_state(sim)
}

/// What an unknown path gets.
pub(crate) fn unknown_path() -> Response {
    wire::error(StatusCode::NOT_FOUND, "not found", None)
}

/// `None` when the `API-KEY` is right, otherwise the 401 to answer.
fn check_key(sim: &AlpPaySim, headers: &HeaderMap) -> Option<Response> {
    match headers.get("api-key") {
        Some(k) if !k.is_empty() && k.as_bytes() == sim.config().api_key.as_bytes() => None,
        _ => Some(wire::error(StatusCode::UNAUTHORIZED, "invalid or expired API key", None)),
    }
}

/// A 400 (the body does not decode) or 422 (it decodes but breaks a rule).
type Refusal = (StatusCode, String, &'static str);

fn bad(field: &'static str, message: impl Into<String>) -> Refusal {
    (StatusCode::BAD_REQUEST, message.into(), field)
}

fn invalid(field: &'static str, message: impl Into<String>) -> Refusal {
    (StatusCode::UNPROCESSABLE_ENTITY, message.into(), field)
}

/// A string field: `Ok(None)` when absent or null; 400 when it has another JSON type.
fn string<'a>(obj: &'a Map<String, Value>, key: &str, field: &'static str) -> Result<Option<&'a str>, Refusal> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(field, format!("{field} must be a string"))),
    }
}

fn object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    field: &'static str,
) -> Result<Option<&'a Map<String, Value>>, Refusal> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(bad(field, format!("{field} must be an object"))),
    }
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && s.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A create request that passed every rule.
struct Validated {
    amount: Decimal,
    asset: super::AlpPayAsset,
    address_to: String,
    dest_tag: String,
    customer: AlpPayCustomer,
    invoice: String,
    address_from: Option<String>,
    client_id: Option<String>,
}

fn validate(sim: &AlpPaySim, body: &[u8]) -> Result<Validated, Refusal> {
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
        return Err(bad("body", "malformed JSON"));
    };
    // Decoding: every field has the JSON type the documents give it.
    let amount = string(&obj, "amount", "amount")?;
    let asset = object(&obj, "asset", "asset")?;
    let short = asset.map(|a| string(a, "short", "asset.short")).transpose()?.flatten();
    let network = asset.map(|a| string(a, "network", "asset.network")).transpose()?.flatten();
    let address_to = string(&obj, "addressTo", "addressTo")?;
    let dest_tag = string(&obj, "destTag", "destTag")?;
    let invoice = string(&obj, "invoice", "invoice")?;
    let address_from = string(&obj, "addressFrom", "addressFrom")?;
    let client_id = match obj.get("clientId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err(bad("clientId", "clientId must be a string")),
    };
    if !matches!(obj.get("transferAll"), None | Some(Value::Null | Value::Bool(_))) {
        return Err(bad("transferAll", "transferAll must be a boolean"));
    }
    let customer = object(&obj, "customer", "customer")?;
    let customer_id = match customer.and_then(|c| c.get("id")) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(|| bad("customer.id", "customer.id must be an integer"))?),
        Some(_) => return Err(bad("customer.id", "customer.id must be an integer")),
    };
    let name = customer.map(|c| string(c, "name", "customer.name")).transpose()?.flatten();
    let email = customer.map(|c| string(c, "email", "customer.email")).transpose()?.flatten();
    let address_from = address_from.filter(|s| !s.is_empty());
    let client_id = client_id.filter(|s| !s.is_empty());
    if address_from.is_some() != client_id.is_some() {
        let missing = if address_from.is_some() { "clientId" } else { "addressFrom" };
        return Err(bad(missing, "addressFrom and clientId must both be provided together"));
    }

    // Business rules.
    let amount = amount.ok_or_else(|| invalid("amount", "amount is required"))?;
    let amount = parse_plain(amount).ok_or_else(|| invalid("amount", "amount must be a decimal string"))?;
    if amount <= Decimal::ZERO {
        return Err(invalid("amount", "amount must be greater than 0"));
    }
    if significant_scale(amount) > 8 {
        return Err(invalid("amount", "amount must have at most 8 decimal places"));
    }
    let (Some(short), Some(network)) = (short, network) else {
        return Err(invalid("asset", "asset.short and asset.network are required"));
    };
    let asset = sim
        .config()
        .assets
        .iter()
        .find(|a| a.short == short && a.network == network)
        .cloned()
        .ok_or_else(|| invalid("asset", format!("unsupported asset {short} on network {network}")))?;
    let address_to =
        address_to.filter(|a| !a.trim().is_empty()).ok_or_else(|| invalid("addressTo", "addressTo is required"))?;
    if customer.is_none() {
        return Err(invalid("customer", "customer is required"));
    }
    let customer_id = customer_id.ok_or_else(|| invalid("customer.id", "customer.id is required"))?;
    let name = name.ok_or_else(|| invalid("customer.name", "customer.name is required"))?;
    let email = email.ok_or_else(|| invalid("customer.email", "customer.email is required"))?;
    if !valid_email(email) {
        return Err(invalid("customer.email", "customer.email must be a valid email address"));
    }
    let invoice = invoice.filter(|i| !i.is_empty()).ok_or_else(|| invalid("invoice", "invoice is required"))?;
    Ok(Validated {
        amount,
        asset,
        address_to: address_to.to_owned(),
        dest_tag: dest_tag.unwrap_or("").to_owned(),
        customer: AlpPayCustomer { id: customer_id, name: name.to_owned(), email: email.to_owned() },
        invoice: invoice.to_owned(),
        address_from: address_from.map(str::to_owned),
        client_id,
    })
}

async fn create(State(sim): State<AlpPaySim>, req: Request) -> Response {
    let (headers, body) = match crate::split(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Some(r) = check_key(&sim, &headers) {
        return r;
    }
    let signed = headers
        .get("x-hmac")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sig| verify_alppay(sim.config().hmac_key.as_bytes(), &body, sig));
    if !signed {
        return wire::error(StatusCode::UNAUTHORIZED, "missing or invalid signature", None);
    }
    let req = match validate(&sim, &body) {
        Ok(r) => r,
        Err((status, message, field)) => return wire::error(status, &message, Some(field)),
    };
    let cfg = sim.config();
    let result = sim.insert_with(|store| {
        if cfg.refuse_duplicate_invoice && store.by_invoice.get(&req.invoice).is_some_and(|v| !v.is_empty()) {
            return Err(invalid("invoice", "invoice already exists"));
        }
        let created_at = clock::now();
        let id = store.ids.uuid();
        let seq = store.take_seq();
        let w = AlpPayWithdrawal {
            id,
            seq,
            txn_id: String::new(),
            amount: req.amount,
            received_amount: Decimal::ZERO,
            asset_short: req.asset.short.clone(),
            asset_network: req.asset.network.clone(),
            asset_name: req.asset.name.clone(),
            asset_logo_url: req.asset.logo_url.clone(),
            address_from: String::new(),
            send_from: req.address_from.clone().unwrap_or_else(|| req.asset.hot_wallet.clone()),
            address_to: req.address_to.clone(),
            dest_tag: req.dest_tag.clone(),
            status: AlpPayStatus::Open,
            customer: req.customer.clone(),
            invoice: req.invoice.clone(),
            client_id: req.client_id.clone(),
            time_to_approve: cfg.auto_approve_after.map(|d| clock::add(created_at, d)),
            automatic: cfg.auto_approve_after.is_some(),
            created_at,
            updated_at: clock::now(),
        };
        Ok(store.insert(w))
    });
    match result {
        Ok(body) => wire::json(StatusCode::OK, body),
        Err((status, message, field)) => wire::error(status, &message, Some(field)),
    }
}

async fn one(State(sim): State<AlpPaySim>, id: Result<Path<String>, PathRejection>, req: Request) -> Response {
    if let Some(r) = check_key(&sim, req.headers()) {
        return r;
    }
    // An id that does not even decode is as unknown as any other.
    let id = id.map(|Path(id)| id).unwrap_or_default();
    match sim.read_one(&id) {
        Some(body) => wire::json(StatusCode::OK, body),
        None => wire::error(StatusCode::NOT_FOUND, "withdrawal not found", Some("id")),
    }
}

async fn list(State(sim): State<AlpPaySim>, RawQuery(raw): RawQuery, req: Request) -> Response {
    if let Some(r) = check_key(&sim, req.headers()) {
        return r;
    }
    match query::parse(raw.as_deref()) {
        Ok(q) => wire::json(StatusCode::OK, sim.list_page(&q)),
        Err((field, message)) => wire::error(StatusCode::BAD_REQUEST, &message, Some(field)),
    }
}
