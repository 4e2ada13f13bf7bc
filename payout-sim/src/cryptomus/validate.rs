//! Cryptomus's request checks, as its Laravel backend makes them: the field rules first (422
//! `errors`, every failing field with its rule's key, an empty string counting as absent), then
//! the services table (422 `message`). The handlers call them before any state changes.

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::amounts::{parse_plain, plain, round_down, round_up, significant_scale};
use crate::clock;

use super::CryptomusConfig;
use super::services::CryptomusService;
use super::state::{CryptomusPayout, CryptomusStatus};
use super::wire::{Cursor, Refusal};

/// The largest amount the simulator takes (10^15), so that conversions and fees cannot overflow.
fn max_amount() -> Decimal {
    Decimal::from(1_000_000_000_000_000_i64)
}

/// The field errors of one request, in rule order.
#[derive(Default)]
struct Errors(Vec<(&'static str, &'static str)>);

impl Errors {
    fn add(&mut self, field: &'static str, rule: &'static str) {
        self.0.push((field, rule));
    }

    /// The value, or `None` with the rule `field` broke recorded.
    fn check<T>(&mut self, field: &'static str, result: Result<T, &'static str>) -> Option<T> {
        result.map_err(|rule| self.add(field, rule)).ok()
    }

    fn into_result<T>(self, ok: impl FnOnce() -> T) -> Result<T, Refusal> {
        if self.0.is_empty() { Ok(ok()) } else { Err(Refusal::Fields(self.0)) }
    }
}

/// The value of `key`, or `None` when absent, `null` or `""` (Laravel's `ConvertEmptyStringsToNull`).
fn present<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => Some(v),
    }
}

/// A `string` rule: `Ok(None)` when absent; the rule's key when it is another JSON type.
fn string<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, &'static str> {
    match present(obj, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err("validation.string"),
    }
}

/// A required string: the key of the first rule it breaks.
fn required<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, &'static str> {
    string(obj, key)?.ok_or("validation.required")
}

/// Laravel's `alpha_dash`: letters, digits, `_` and `-` (Unicode letters and digits too).
fn alpha_dash(s: &str) -> bool {
    s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// An `order_id` of at most `max` characters: the key of the first rule it breaks.
fn order_id(obj: &Map<String, Value>, max: usize) -> Result<Option<&str>, &'static str> {
    let Some(id) = string(obj, "order_id")? else { return Ok(None) };
    if id.chars().count() > max {
        return Err("validation.max.string");
    }
    if !alpha_dash(id) {
        return Err("validation.alpha_dash");
    }
    Ok(Some(id))
}

/// One of `allowed`, or absent.
fn one_of<'a>(obj: &'a Map<String, Value>, key: &str, allowed: &[&str]) -> Result<Option<&'a str>, &'static str> {
    match string(obj, key) {
        Ok(None) => Ok(None),
        Ok(Some(v)) if allowed.contains(&v) => Ok(Some(v)),
        _ => Err("validation.in"),
    }
}

/// A create request that passed the field rules.
#[derive(Debug)]
pub(crate) struct Validated {
    pub(crate) amount: Decimal,
    pub(crate) currency: String,
    pub(crate) order_id: String,
    pub(crate) address: String,
    pub(crate) is_subtract: bool,
    pub(crate) network: Option<String>,
    pub(crate) url_callback: Option<String>,
    pub(crate) to_currency: Option<String>,
    pub(crate) from_currency: Option<String>,
    pub(crate) memo: Option<String>,
}

impl Validated {
    /// Whether this request asks for what `p` is (for a replay under the `Refuse` policy): the
    /// amount, currency, address, fee mode and, when given, the network and target currency.
    pub(crate) fn same_as(&self, p: &CryptomusPayout) -> bool {
        self.amount == p.amount
            && self.currency == p.currency
            && self.address == p.address
            && self.is_subtract == p.is_subtract
            && self.network.as_deref().is_none_or(|n| n.eq_ignore_ascii_case(&p.network))
            && self.to_currency.as_deref().is_none_or(|c| c.eq_ignore_ascii_case(&p.payer_currency))
    }
}

/// The amount rules: a decimal (a JSON string or number), above zero, at most 8 decimals.
fn amount(obj: &Map<String, Value>) -> Result<Decimal, &'static str> {
    let text = match present(obj, "amount") {
        None => return Err("validation.required"),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err("validation.numeric"),
    };
    let a = parse_plain(&text).ok_or("validation.numeric")?;
    if a <= Decimal::ZERO {
        return Err("validation.gt.numeric");
    }
    if a > max_amount() {
        return Err("validation.max.numeric");
    }
    if significant_scale(a) > 8 {
        return Err("validation.decimal");
    }
    Ok(a)
}

/// Laravel's `boolean`: `true`, `false`, `1`, `0`, `"1"`, `"0"`.
fn boolean(obj: &Map<String, Value>, key: &str) -> Result<bool, &'static str> {
    match present(obj, key) {
        None => Err("validation.required"),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(true),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(false),
        Some(Value::String(s)) if s == "1" => Ok(true),
        Some(Value::String(s)) if s == "0" => Ok(false),
        Some(_) => Err("validation.boolean"),
    }
}

/// An `http`/`https` URL with a host.
fn http_url(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, &'static str> {
    let Some(s) = string(obj, key)? else { return Ok(None) };
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(Some(s.to_owned())),
        _ => Err("validation.url"),
    }
}

/// Whether `currency` is fiat here: it has a rate but no payout service.
fn is_fiat(config: &CryptomusConfig, currency: &str) -> bool {
    config.rate(currency).is_some() && !config.services.iter().any(|s| s.currency.eq_ignore_ascii_case(currency))
}

/// The field rules of `POST /payout`.
pub(crate) fn create(obj: &Map<String, Value>, config: &CryptomusConfig) -> Result<Validated, Refusal> {
    let mut e = Errors::default();
    let amount = e.check("amount", amount(obj));
    let currency = e.check("currency", required(obj, "currency"));
    let order = e.check("order_id", order_id(obj, 100).and_then(|o| o.ok_or("validation.required")));
    let address = e.check("address", required(obj, "address"));
    let is_subtract = e.check("is_subtract", boolean(obj, "is_subtract"));
    let network = e.check("network", string(obj, "network"));
    let url_callback = e.check("url_callback", http_url(obj, "url_callback"));
    let fiat = currency.is_some_and(|c| is_fiat(config, c));
    let to_currency = e.check(
        "to_currency",
        string(obj, "to_currency")
            .and_then(|t| if t.is_none() && fiat { Err("validation.required_if") } else { Ok(t) }),
    );
    e.check("course_source", one_of(obj, "course_source", &["Binance", "BinanceP2p", "Exmo", "Kucoin"]));
    let from_currency = e.check("from_currency", one_of(obj, "from_currency", &["USDT"]));
    e.check("priority", one_of(obj, "priority", &["recommended", "economy", "high", "highest"]));
    let memo = e.check(
        "memo",
        string(obj, "memo").and_then(|m| match m {
            Some(m) if m.chars().count() > 30 => Err("validation.max.string"),
            m => Ok(m),
        }),
    );
    let owned = |s: Option<Option<&str>>| s.flatten().map(str::to_owned);
    e.into_result(|| Validated {
        amount: amount.unwrap_or_default(),
        currency: currency.unwrap_or_default().to_owned(),
        order_id: order.unwrap_or_default().to_owned(),
        address: address.unwrap_or_default().to_owned(),
        is_subtract: is_subtract.unwrap_or_default(),
        network: owned(network),
        url_callback: url_callback.flatten(),
        to_currency: owned(to_currency),
        from_currency: owned(from_currency),
        memo: owned(memo),
    })
}

/// What a new payout costs and pays, from the services table.
#[derive(Debug)]
pub(crate) struct Priced {
    pub(crate) network: String,
    pub(crate) payer_currency: String,
    pub(crate) payer_amount: Decimal,
    pub(crate) merchant_amount: Decimal,
    pub(crate) commission: Decimal,
    pub(crate) debit_currency: String,
    pub(crate) debit_amount: Decimal,
}

/// `amount` of `from` in `to` at the configured rates, rounded down to 8 decimals.
fn convert(config: &CryptomusConfig, amount: Decimal, from: &str, to: &str) -> Option<Decimal> {
    let value = amount.checked_mul(config.rate(from)?)?;
    Some(round_down(value.checked_div(config.rate(to)?)?, 8))
}

/// Finds the service and prices the payout: the currency and service must exist (the network
/// may be left out when the coin has only one), the amount in the coin sent must be within the
/// service's limits, and what the recipient gets must stay above zero.
pub(crate) fn price(req: &Validated, config: &CryptomusConfig) -> Result<Priced, Refusal> {
    let payer = req.to_currency.as_deref().unwrap_or(&req.currency);
    let coins: Vec<&CryptomusService> =
        config.services.iter().filter(|s| s.currency.eq_ignore_ascii_case(payer)).collect();
    if coins.is_empty() {
        let known = is_fiat(config, &req.currency)
            || config.services.iter().any(|s| s.currency.eq_ignore_ascii_case(&req.currency));
        return Err(Refusal::message(if req.to_currency.is_some() && known {
            "Not found service to_currency"
        } else {
            "The currency was not found"
        }));
    }
    let service = match &req.network {
        Some(n) => coins.iter().find(|s| s.network.eq_ignore_ascii_case(n)).copied(),
        None if coins.len() == 1 => Some(coins[0]),
        None => return Err(Refusal::field("network", "validation.required")),
    };
    let service = service.filter(|s| s.is_available).ok_or_else(|| Refusal::message("The service was not found"))?;
    let coin = service.currency.as_str();
    let base = if req.currency.eq_ignore_ascii_case(coin) {
        req.amount
    } else {
        convert(config, req.amount, &req.currency, coin).ok_or_else(|| Refusal::message("Error convert to_currency"))?
    };
    if base < service.min_amount {
        return Err(Refusal::message(format!("Minimum amount {} {coin}", plain(service.min_amount))));
    }
    if base > service.max_amount {
        return Err(Refusal::message(format!("Maximum amount {} {coin}", plain(service.max_amount))));
    }
    let commission = service.commission(base);
    let (payer_amount, merchant_amount) =
        if req.is_subtract { (base, base + commission) } else { (base - commission, base) };
    if payer_amount <= Decimal::ZERO {
        return Err(Refusal::message("The withdrawal amount is too small"));
    }
    let (debit_currency, debit_amount) = match req.from_currency.as_deref() {
        Some(from) if !from.eq_ignore_ascii_case(coin) => {
            let value = merchant_amount
                .checked_mul(config.rate(coin).unwrap_or_default())
                .and_then(|v| v.checked_div(config.rate(from)?))
                .ok_or_else(|| Refusal::message("Error convert to_currency"))?;
            (from.to_owned(), round_up(value, 8))
        }
        _ => (coin.to_owned(), merchant_amount),
    };
    Ok(Priced {
        network: service.network.clone(),
        payer_currency: coin.to_owned(),
        payer_amount,
        merchant_amount,
        commission,
        debit_currency,
        debit_amount,
    })
}

/// What `POST /payout/info` looks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    Uuid(String),
    OrderId(String),
}

/// The rules of `POST /payout/info`: a `uuid` or an `order_id` (at most the configured 32
/// characters); with both, the `order_id` identifies the payout, as the page says.
pub(crate) fn info(obj: &Map<String, Value>, config: &CryptomusConfig) -> Result<Lookup, Refusal> {
    let mut e = Errors::default();
    let uuid = match string(obj, "uuid") {
        Ok(Some(u)) if !crate::ids::looks_like_uuid(u) => {
            e.add("uuid", "validation.uuid");
            None
        }
        Ok(u) => u,
        Err(rule) => {
            e.add("uuid", rule);
            None
        }
    };
    let order = order_id(obj, config.info_order_id_max).map_err(|rule| e.add("order_id", rule)).ok().flatten();
    if e.0.is_empty() && uuid.is_none() && order.is_none() {
        e.add("uuid", "validation.required_without");
        e.add("order_id", "validation.required_without");
    }
    e.into_result(|| match order {
        Some(o) => Lookup::OrderId(o.to_owned()),
        None => Lookup::Uuid(uuid.unwrap_or_default().to_owned()),
    })
}

/// What `POST /test-webhook/payout` asks for.
#[derive(Debug)]
pub(crate) struct TestWebhook {
    pub(crate) url_callback: String,
    pub(crate) currency: String,
    pub(crate) network: String,
    pub(crate) uuid: Option<String>,
    pub(crate) order_id: Option<String>,
    pub(crate) status: CryptomusStatus,
}

/// The rules of `POST /test-webhook/payout`: `url_callback` (a URL of 6 to 150 characters),
/// `currency`, `network` and `status` required; `uuid` and `order_id` (at most 32) optional.
pub(crate) fn test_webhook(obj: &Map<String, Value>) -> Result<TestWebhook, Refusal> {
    let mut e = Errors::default();
    let url_callback = e.check(
        "url_callback",
        http_url(obj, "url_callback").and_then(|u| match u {
            None => Err("validation.required"),
            Some(u) if u.chars().count() < 6 => Err("validation.min.string"),
            Some(u) if u.chars().count() > 150 => Err("validation.max.string"),
            Some(u) => Ok(u),
        }),
    );
    let currency = e.check("currency", required(obj, "currency"));
    let network = e.check("network", required(obj, "network"));
    let uuid = e.check(
        "uuid",
        string(obj, "uuid").and_then(|u| match u {
            Some(u) if !crate::ids::looks_like_uuid(u) => Err("validation.uuid"),
            u => Ok(u),
        }),
    );
    let order = e.check("order_id", order_id(obj, 32));
    let status =
        e.check("status", required(obj, "status").and_then(|s| CryptomusStatus::parse(s).ok_or("validation.in")));
    let owned = |s: Option<Option<&str>>| s.flatten().map(str::to_owned);
    e.into_result(|| TestWebhook {
        url_callback: url_callback.unwrap_or_default(),
        currency: currency.unwrap_or_default().to_owned(),
        network: network.unwrap_or_default().to_owned(),
        uuid: owned(uuid),
        order_id: owned(order),
        status: status.unwrap_or(CryptomusStatus::Paid),
    })
}

/// What `POST /payout/list` asks for.
#[derive(Debug, Default)]
pub(crate) struct HistoryQuery {
    pub(crate) date_from: Option<OffsetDateTime>,
    pub(crate) date_to: Option<OffsetDateTime>,
    pub(crate) cursor: Option<Cursor>,
}

/// The rules of `POST /payout/list`: `date_from` and `date_to` as `YYYY-MM-DD H:mm:ss` (UTC+3);
/// the cursor from the query string (`?cursor=`) or else the body. A cursor that does not decode
/// reads as none (the first page), as Laravel reads it.
pub(crate) fn history(obj: &Map<String, Value>, query_cursor: Option<&str>) -> Result<HistoryQuery, Refusal> {
    let mut e = Errors::default();
    let mut date = |key: &'static str| match string(obj, key) {
        Ok(None) => None,
        Ok(Some(s)) => clock::parse_plus_three(s).or_else(|| {
            e.add(key, "validation.regex");
            None
        }),
        Err(rule) => {
            e.add(key, rule);
            None
        }
    };
    let (date_from, date_to) = (date("date_from"), date("date_to"));
    let body_cursor = present(obj, "cursor").and_then(Value::as_str);
    let cursor = query_cursor.filter(|c| !c.is_empty()).or(body_cursor).and_then(Cursor::decode);
    e.into_result(|| HistoryQuery { date_from, date_to, cursor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn fields(r: Result<Validated, Refusal>) -> Vec<(&'static str, &'static str)> {
        match r {
            Err(Refusal::Fields(f)) => f,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn every_failing_field_is_named_with_its_rule() {
        let c = CryptomusConfig::default();
        let f = fields(create(&obj(json!({})), &c));
        assert_eq!(
            f,
            vec![
                ("amount", "validation.required"),
                ("currency", "validation.required"),
                ("order_id", "validation.required"),
                ("address", "validation.required"),
                ("is_subtract", "validation.required"),
            ]
        );
        let f = fields(create(
            &obj(json!({"amount":"1e5","currency":5,"order_id":"has space","address":"a","is_subtract":"yes",
                "url_callback":"ftp:/x","from_currency":"BTC","priority":"fast","memo":"m".repeat(31)})),
            &c,
        ));
        assert_eq!(
            f,
            vec![
                ("amount", "validation.numeric"),
                ("currency", "validation.string"),
                ("order_id", "validation.alpha_dash"),
                ("is_subtract", "validation.boolean"),
                ("url_callback", "validation.url"),
                ("from_currency", "validation.in"),
                ("priority", "validation.in"),
                ("memo", "validation.max.string"),
            ]
        );
        let long = "a".repeat(101);
        let f = fields(create(
            &obj(json!({"amount":"0","currency":"USD","order_id":long,"address":"a","is_subtract":1})),
            &c,
        ));
        assert_eq!(
            f,
            vec![
                ("amount", "validation.gt.numeric"),
                ("order_id", "validation.max.string"),
                ("to_currency", "validation.required_if"),
            ]
        );
        let f = fields(create(
            &obj(json!({"amount":"1.123456789","currency":"USDT","order_id":"x","address":"a","is_subtract":"0"})),
            &c,
        ));
        assert_eq!(f, vec![("amount", "validation.decimal")]);
    }

    #[test]
    fn a_valid_request_reads_as_laravel_coerces_it() {
        let c = CryptomusConfig::default();
        let v = create(
            &obj(json!({"amount":5,"currency":"USDT","order_id":"ünï-c0de_1","address":"T","is_subtract":"1","network":"",
                "url_callback":"https://your.site/callback"})),
            &c,
        )
        .unwrap();
        assert_eq!((v.amount, v.is_subtract, v.network.as_deref()), (Decimal::from(5), true, None));
        assert_eq!(v.url_callback.as_deref(), Some("https://your.site/callback"));
    }

    fn priced(body: Value) -> Result<Priced, Refusal> {
        let c = CryptomusConfig::default();
        price(&create(&obj(body), &c).unwrap(), &c)
    }

    #[test]
    fn the_services_table_prices_and_refuses() {
        let p = priced(
            json!({"amount":"5","currency":"USDT","network":"tron","order_id":"1","address":"T","is_subtract":true}),
        )
        .unwrap();
        assert_eq!(
            (p.network.as_str(), p.payer_amount, p.merchant_amount),
            ("TRON", Decimal::from(5), Decimal::from(6))
        );
        let p = priced(
            json!({"amount":"5","currency":"USDT","network":"TRON","order_id":"1","address":"T","is_subtract":false}),
        )
        .unwrap();
        assert_eq!(
            (p.payer_amount, p.merchant_amount, p.commission),
            (Decimal::from(4), Decimal::from(5), Decimal::ONE)
        );
        // One network: it may be left out. Several: it may not.
        assert_eq!(
            priced(json!({"amount":"1","currency":"LTC","order_id":"1","address":"L","is_subtract":true}))
                .unwrap()
                .network,
            "LTC"
        );
        let msg = |r: Result<Priced, Refusal>| match r {
            Err(Refusal::Message(m)) => m,
            Err(Refusal::Fields(f)) => format!("{f:?}"),
            other => panic!("{other:?}"),
        };
        let base = |amount: &str, currency: &str, network: &str| json!({"amount":amount,"currency":currency,"network":network,"order_id":"1","address":"T","is_subtract":true});
        assert_eq!(
            msg(priced(json!({"amount":"1","currency":"USDT","order_id":"1","address":"T","is_subtract":true}))),
            r#"[("network", "validation.required")]"#
        );
        assert_eq!(msg(priced(base("0.4", "USDT", "TRON"))), "Minimum amount 0.5 USDT");
        assert_eq!(msg(priced(base("1000001", "USDT", "TRON"))), "Maximum amount 1000000 USDT");
        assert_eq!(msg(priced(base("1", "XYZ", "TRON"))), "The currency was not found");
        assert_eq!(msg(priced(base("1", "USDT", "SOLANA"))), "The service was not found");
        let tiny =
            json!({"amount":"1","currency":"USDT","network":"TRON","order_id":"1","address":"T","is_subtract":false});
        assert_eq!(msg(priced(tiny)), "The withdrawal amount is too small");
        // Fiat paid in a coin at the fixed rates: 20 USD in LTC.
        let p = priced(
            json!({"amount":"20","currency":"USD","to_currency":"LTC","order_id":"1","address":"L","is_subtract":true}),
        )
        .unwrap();
        assert_eq!((p.payer_currency.as_str(), p.payer_amount), ("LTC", Decimal::new(25, 2)));
        // From the USDT balance.
        let p = priced(json!({"amount":"1","currency":"LTC","from_currency":"USDT","order_id":"1","address":"L","is_subtract":true}))
            .unwrap();
        assert_eq!((p.debit_currency.as_str(), p.debit_amount), ("USDT", Decimal::new(80008, 3)));
    }

    #[test]
    fn info_takes_a_uuid_or_an_order_id() {
        let c = CryptomusConfig::default();
        let err = info(&obj(json!({})), &c).unwrap_err();
        assert_eq!(
            err,
            Refusal::Fields(vec![("uuid", "validation.required_without"), ("order_id", "validation.required_without")])
        );
        let uuid = "a7c0caec-a594-4aaa-b1c4-77d511857594";
        assert_eq!(info(&obj(json!({"uuid":uuid})), &c).unwrap(), Lookup::Uuid(uuid.into()));
        assert_eq!(info(&obj(json!({"uuid":uuid,"order_id":"o-1"})), &c).unwrap(), Lookup::OrderId("o-1".into()));
        assert_eq!(info(&obj(json!({"uuid":"nope"})), &c).unwrap_err(), Refusal::field("uuid", "validation.uuid"));
        let long = "a".repeat(33);
        assert_eq!(
            info(&obj(json!({"order_id":long})), &c).unwrap_err(),
            Refusal::field("order_id", "validation.max.string")
        );
    }

    #[test]
    fn history_dates_and_cursors() {
        let q = history(&obj(json!({"date_from":"2023-06-21 17:25:55"})), None).unwrap();
        assert!(q.date_from.is_some() && q.date_to.is_none() && q.cursor.is_none());
        let err = history(&obj(json!({"date_from":"2023-06-21"})), None).unwrap_err();
        assert_eq!(err, Refusal::field("date_from", "validation.regex"));
        let c = Cursor { id: 7, points_to_next_items: true };
        let body = obj(json!({"cursor": Cursor { id: 1, points_to_next_items: false }.encode()}));
        assert_eq!(history(&body, Some(&c.encode())).unwrap().cursor, Some(c));
        assert_eq!(history(&body, None).unwrap().cursor.map(|c| c.id), Some(1));
        assert_eq!(history(&obj(json!({})), Some("garbage")).unwrap().cursor, None);
    }
}
