//! Validation of `POST /withdrawal/crypto`, Laravel style: every failing field gets its first
//! message, in the order the fields are checked.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::amounts::{self, fixed, plain, round_down, round_up, significant_scale};

use super::AlphaPoSim;
use super::currencies::{AlphaPoCurrency, CurrencyKind};
use super::wire::FieldErrors;

/// A numeric field sent as a JSON string or number. `Err(())` when it is not a number.
fn number(v: &Value) -> Result<Decimal, ()> {
    let text = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return Err(()),
    };
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let d = amounts::parse_plain(digits)
        .or_else(|| matches!(v, Value::Number(_)).then(|| Decimal::from_scientific(digits).ok()).flatten())
        .ok_or(())?;
    Ok(if neg { -d } else { d })
}

/// Reads an optional string-like field: `Ok(None)` when absent, null or empty.
pub(crate) fn text(obj: &Map<String, Value>, field: &str, numbers_too: bool) -> Result<Option<String>, ()> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if numbers_too => Ok(Some(n.to_string())),
        Some(_) => Err(()),
    }
}

pub(crate) fn present(obj: &Map<String, Value>, field: &str) -> bool {
    !matches!(obj.get(field), None | Some(Value::Null))
        && !matches!(obj.get(field), Some(Value::String(s)) if s.is_empty())
}

/// A validated withdrawal request, ready to be stored.
pub(crate) struct Validated {
    pub(crate) foreign_id: String,
    pub(crate) end_user_reference: String,
    pub(crate) sender: AlphaPoCurrency,
    pub(crate) sender_amount: Decimal,
    pub(crate) receiver: AlphaPoCurrency,
    pub(crate) receiver_amount: Decimal,
    pub(crate) exchange: bool,
    pub(crate) address: String,
    pub(crate) tag: Option<String>,
}

pub(crate) fn validate(sim: &AlphaPoSim, body: &Value) -> Result<Validated, FieldErrors> {
    let empty = Map::new();
    let obj = body.as_object().unwrap_or(&empty);
    let mut e = FieldErrors::default();

    // currency and convert_to
    let sender = required(obj, "currency", false, &mut e).and_then(|code| {
        sim.currency(&code).or_else(|| {
            e.add("currency", "The selected currency is invalid.");
            None
        })
    });
    let convert_to = match text(obj, "convert_to", false) {
        Ok(Some(code)) => match sim.currency(&code) {
            Some(c) if c.kind == CurrencyKind::Crypto && sender.as_ref().is_none_or(|s| s.code != c.code) => Some(c),
            Some(_) => {
                e.add("convert_to", "Exchange is unavailable for given currencies");
                None
            }
            None => {
                e.add("convert_to", "The selected convert to is invalid.");
                None
            }
        },
        Ok(None) => None,
        Err(()) => {
            e.add("convert_to", "The convert to must be a string.");
            None
        }
    };
    let wants_conversion = present(obj, "convert_to");

    // amount xor amount_to
    let has_amount = present(obj, "amount");
    let has_amount_to = present(obj, "amount_to");
    if has_amount && has_amount_to {
        e.add("amount", "The amount field prohibits amount to from being present.");
    } else if !has_amount && !has_amount_to {
        e.add("amount", "The amount field is required when amount to is not present.");
    }
    if has_amount_to && !wants_conversion {
        e.add("convert_to", "The convert to field is required when amount to is present.");
    }
    if let Some(s) = sender.as_ref().filter(|s| s.kind == CurrencyKind::Fiat && !wants_conversion) {
        e.add("convert_to", format!("The convert to field is required when currency is {}.", s.code));
    }
    // Read only when given and `amount` has no error yet; a value that is no number is an error.
    let mut decimal = |given: bool, key: &'static str, message: &str| {
        if !given || e.has("amount") {
            return None;
        }
        let parsed = obj.get(key).map(number).and_then(Result::ok);
        if parsed.is_none() {
            e.add(key, message);
        }
        parsed
    };
    let amount = decimal(has_amount, "amount", "The amount must be a number.");
    let amount_to = decimal(has_amount_to, "amount_to", "The amount to must be a number.");

    // address, tag, references
    let address = required(obj, "address", false, &mut e).and_then(|a| {
        if a.len() > 255 {
            e.add("address", "The address may not be greater than 255 characters.");
        } else if a.chars().any(char::is_whitespace) {
            e.add("address", "The address format is invalid.");
        } else {
            return Some(a);
        }
        None
    });
    let tag = text(obj, "tag", true).unwrap_or_else(|()| {
        e.add("tag", "The tag must be a string.");
        None
    });
    let foreign_id = required_reference(obj, "foreign_id", true, &mut e);
    let end_user_reference = required_reference(obj, "end_user_reference", false, &mut e);

    // amounts against the currencies
    let mut sender_amount = Decimal::ZERO;
    let mut receiver_amount = Decimal::ZERO;
    let receiver = convert_to.clone().or_else(|| sender.clone());
    if let (Some(s), Some(r)) = (&sender, &receiver) {
        if let Some(a) = amount {
            check_amount(&mut e, "amount", "amount", a, s);
            sender_amount = a;
            receiver_amount = round_down(convert(a, s, r), r.precision);
            if !e.has("amount") && convert_to.is_some() && receiver_amount < r.minimum {
                let least = round_up(convert(r.minimum, r, s), s.precision);
                e.add(
                    "amount",
                    format!("The amount is too small. The minimum amount is {} {}.", fixed(least, s.precision), s.code),
                );
            }
        }
        if let Some(a) = amount_to {
            check_amount(&mut e, "amount_to", "amount to", a, r);
            receiver_amount = a;
            sender_amount = round_up(convert(a, r, s), s.precision);
        }
    }
    check_party(obj, Side::Sender, &mut e);
    check_party(obj, Side::Receiver, &mut e);
    let (Some(sender), Some(receiver), Some(address), Some(foreign_id), Some(end_user_reference)) =
        (sender, receiver, address, foreign_id, end_user_reference)
    else {
        return Err(e);
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Validated {
        foreign_id,
        end_user_reference,
        exchange: convert_to.is_some(),
        sender,
        sender_amount,
        receiver,
        receiver_amount,
        address,
        tag,
    })
}

/// One side of the MiCA data (`sender_type`/`sender_data`, `receiver_type`/`receiver_data`).
#[derive(Clone, Copy)]
enum Side {
    Sender,
    Receiver,
}

/// The travel-rule fields, when sent: the documented kinds (`natural`, `legal`, and `self` for a
/// receiver) and their required data (first and last name and date of birth; company name and
/// country of registration). Whether AlphaPo requires them at all is not documented, so their
/// absence is accepted.
fn check_party(obj: &Map<String, Value>, side: Side, e: &mut FieldErrors) {
    let (kind_field, data_field, label) = match side {
        Side::Sender => ("sender_type", "sender_data", "sender"),
        Side::Receiver => ("receiver_type", "receiver_data", "receiver"),
    };
    let kind = match text(obj, kind_field, false) {
        Ok(None) => return,
        Ok(Some(k)) => k,
        Err(()) => {
            e.add(kind_field, format!("The {label} type must be a string."));
            return;
        }
    };
    let required: &[(&'static str, &'static str)] = match (kind.as_str(), side) {
        ("natural", Side::Sender) => &[
            ("sender_data.first_name", "first_name"),
            ("sender_data.last_name", "last_name"),
            ("sender_data.date_of_birth", "date_of_birth"),
        ],
        ("natural", Side::Receiver) => &[
            ("receiver_data.first_name", "first_name"),
            ("receiver_data.last_name", "last_name"),
            ("receiver_data.date_of_birth", "date_of_birth"),
        ],
        ("legal", Side::Sender) => &[
            ("sender_data.legal_name", "legal_name"),
            ("sender_data.country_of_registration", "country_of_registration"),
        ],
        ("legal", Side::Receiver) => &[
            ("receiver_data.legal_name", "legal_name"),
            ("receiver_data.country_of_registration", "country_of_registration"),
        ],
        ("self", Side::Receiver) => &[],
        _ => {
            e.add(kind_field, format!("The selected {label} type is invalid."));
            return;
        }
    };
    if required.is_empty() {
        return;
    }
    let Some(data) = obj.get(data_field).and_then(Value::as_object) else {
        e.add(data_field, format!("The {label} data field is required when {label} type is {kind}."));
        return;
    };
    for (field, key) in required {
        if !matches!(data.get(*key), Some(Value::String(v)) if !v.trim().is_empty()) {
            e.add(field, format!("The {} field is required.", key.replace('_', " ")));
        }
    }
}

/// A required string-like field: `None` with "The `field` field is required." or "The `field`
/// must be a string." recorded (the field named with spaces: "foreign id") when it is absent (or
/// empty) or of another JSON type.
fn required(obj: &Map<String, Value>, field: &'static str, numbers_too: bool, e: &mut FieldErrors) -> Option<String> {
    let label = || field.replace('_', " ");
    match text(obj, field, numbers_too) {
        Ok(v @ Some(_)) => v,
        Ok(None) => {
            e.add(field, format!("The {} field is required.", label()));
            None
        }
        Err(()) => {
            e.add(field, format!("The {} must be a string.", label()));
            None
        }
    }
}

/// A required reference of at most 255 characters.
fn required_reference(
    obj: &Map<String, Value>,
    field: &'static str,
    numbers_too: bool,
    e: &mut FieldErrors,
) -> Option<String> {
    let v = required(obj, field, numbers_too, e)?;
    if v.chars().count() > 255 {
        e.add(field, format!("The {} may not be greater than 255 characters.", field.replace('_', " ")));
        return None;
    }
    Some(v)
}

/// The largest amount accepted, so that conversions and balances cannot overflow.
const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0); // 10^15

/// `amount` of `from` expressed in `to` at the fixed EUR rates; 0 if the rates are unusable.
fn convert(amount: Decimal, from: &AlphaPoCurrency, to: &AlphaPoCurrency) -> Decimal {
    amount.checked_mul(from.eur_rate).and_then(|eur| eur.checked_div(to.eur_rate)).unwrap_or_default()
}

fn check_amount(e: &mut FieldErrors, field: &'static str, label: &str, a: Decimal, c: &AlphaPoCurrency) {
    if a > MAX_AMOUNT {
        e.add(field, format!("The {label} may not be greater than {MAX_AMOUNT}."));
    } else if a < c.minimum {
        if c.kind == CurrencyKind::Fiat {
            e.add(
                field,
                format!("The amount is too small. The minimum amount is {} {}.", fixed(c.minimum, c.precision), c.code),
            );
        } else {
            e.add(field, format!("The {label} must be at least {}.", plain(c.minimum)));
        }
    } else if significant_scale(a) > c.precision {
        e.add(field, format!("The {label} may not have more than {} decimal places.", c.precision));
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_amount_is_ten_to_the_fifteen() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000_i64));
    }
}
