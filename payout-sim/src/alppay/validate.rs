//! AlpPay's request checks, in the documents' order: decoding first (each field's JSON type:
//! 400), then the business rules (422). The handlers call them before any state changes.

use http::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::amounts::{parse_plain, significant_scale};

use super::AlpPaySim;
use super::state::AlpPayCustomer;

/// A 400 (the body does not decode) or 422 (it decodes but breaks a rule).
pub(crate) type Refusal = (StatusCode, String, &'static str);

pub(crate) fn bad(field: &'static str, message: impl Into<String>) -> Refusal {
    (StatusCode::BAD_REQUEST, message.into(), field)
}

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Refusal {
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
pub(crate) struct Validated {
    pub(crate) amount: Decimal,
    pub(crate) asset: super::AlpPayAsset,
    pub(crate) address_to: String,
    pub(crate) dest_tag: String,
    pub(crate) customer: AlpPayCustomer,
    pub(crate) invoice: String,
    pub(crate) address_from: Option<String>,
    pub(crate) client_id: Option<String>,
}

pub(crate) fn validate(sim: &AlpPaySim, body: &[u8]) -> Result<Validated, Refusal> {
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
