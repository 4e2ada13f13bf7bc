//! The request to pay out, checked before anything is sent.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::amount;
use crate::asset::Asset;
use crate::error::{FieldError, PayoutError};
use crate::id::{ProviderId, Reference};
use crate::travel::TravelRule;

/// The person or account being paid, as the caller knows them.
///
/// `id` is a stable id of the caller's own (AlphaPo `end_user_reference`, which must carry no
/// personal data; AlpPay `customer.id`, which must be an integer). `name` and `email` are sent
/// only to providers that require them (AlpPay), never to AlphaPo.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUser {
    /// The caller's stable id of the end user.
    pub id: String,
    /// The end user's name, for providers that require it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The end user's e-mail address, for providers that require it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl EndUser {
    /// An end user known only by id.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into(), name: None, email: None }
    }

    crate::setters! {
        /// Adds a name.
        with_name(name: impl Into<String>) => Some(name);
        /// Adds an e-mail address.
        with_email(email: impl Into<String>) => Some(email);
    }
}

/// Name and e-mail are personal data: `Debug` shows only whether they are set.
impl std::fmt::Debug for EndUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndUser")
            .field("id", &self.id)
            .field("name", &self.name.as_ref().map(|_| "<set>"))
            .field("email", &self.email.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// How much to pay: an amount of the debited asset, or one of the two conversions AlphaPo
/// documents (`convert_to` with `amount_to`, or with `amount`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayoutAmount {
    /// This much of the request's asset.
    Exact(Decimal),
    /// Convert the request's asset into `to` and deliver exactly `amount` of it (AlphaPo
    /// `amount_to`): the recipient's side is exact, the debit follows the rate.
    Converted {
        /// The asset the recipient receives.
        to: Asset,
        /// The amount of `to` they receive.
        amount: Decimal,
    },
    /// Debit exactly `amount` of the request's asset and convert it into `to` (AlphaPo `amount`
    /// with `convert_to`): the debited side is exact, what arrives follows the rate.
    DebitConverted {
        /// The asset the recipient receives.
        to: Asset,
        /// The amount of the request's asset debited.
        amount: Decimal,
    },
}

impl PayoutAmount {
    /// The asset converted into, for either conversion.
    pub fn convert_to(&self) -> Option<&Asset> {
        match self {
            PayoutAmount::Exact(_) => None,
            PayoutAmount::Converted { to, .. } | PayoutAmount::DebitConverted { to, .. } => Some(to),
        }
    }

    /// The exact figure asked for, whichever side it is on.
    pub fn value(&self) -> Decimal {
        match self {
            PayoutAmount::Exact(a)
            | PayoutAmount::Converted { amount: a, .. }
            | PayoutAmount::DebitConverted { amount: a, .. } => *a,
        }
    }
}

/// Where the provider's fee is taken from.
///
/// Most providers decide this themselves and accept only the default; a provider that lets the
/// caller choose (Cryptomus `is_subtract`) sends it, and one that cannot refuses any other value
/// with [`PayoutError::Unsupported`] naming `fee_from` before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FeeFrom {
    /// From the merchant's balance: the recipient gets exactly the amount asked for.
    #[default]
    Balance,
    /// From the amount: the recipient gets the amount less the fee.
    Amount,
}

impl FeeFrom {
    /// The snake_case name used in JSON (`"balance"`).
    pub fn as_str(self) -> &'static str {
        match self {
            FeeFrom::Balance => "balance",
            FeeFrom::Amount => "amount",
        }
    }
}

/// The request options a provider can carry, for [`WithdrawalRequest::refuse_unsupported`]:
/// start from [`RequestOptions::none`] and add what the provider takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// The provider lets the caller choose where the fee comes from ([`FeeFrom`]).
    pub fee_from: bool,
    /// The provider takes a callback URL per payout.
    pub callback_url: bool,
}

impl RequestOptions {
    /// Only the defaults: no choice of fee, no callback URL per payout.
    pub const fn none() -> Self {
        Self { fee_from: false, callback_url: false }
    }

    /// These options plus a choice of [`FeeFrom`].
    pub const fn with_fee_from(mut self) -> Self {
        self.fee_from = true;
        self
    }

    /// These options plus a callback URL per payout.
    pub const fn with_callback_url(mut self) -> Self {
        self.callback_url = true;
        self
    }
}

/// A checked request to create a withdrawal. Build it with [`WithdrawalRequest::builder`].
///
/// ```
/// use payout_core::{Asset, EndUser, WithdrawalRequest};
/// use rust_decimal::Decimal;
/// use std::str::FromStr;
///
/// let req = WithdrawalRequest::builder()
///     .reference("order-1")
///     .asset(Asset::new("BTC"))
///     .amount(Decimal::from_str("0.0002").unwrap())
///     .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
///     .end_user(EndUser::new("user-1"))
///     .build()
///     .unwrap();
/// assert_eq!(req.reference().as_str(), "order-1");
///
/// // Every problem is reported at once, each naming its field:
/// let err = WithdrawalRequest::builder().address("has space").build().unwrap_err();
/// assert_eq!(err.field_errors().len(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalRequest {
    reference: Reference,
    asset: Asset,
    amount: PayoutAmount,
    address: String,
    tag: Option<String>,
    end_user: EndUser,
    /// Boxed: most requests carry none, and a request should stay small to move around.
    travel_rule: Option<Box<TravelRule>>,
    fee_from: FeeFrom,
    /// Checked as an `http(s)` URL when built; a `Box<str>`, so that the request stays small.
    callback_url: Option<Box<str>>,
}

impl WithdrawalRequest {
    /// Starts a request.
    pub fn builder() -> WithdrawalRequestBuilder {
        WithdrawalRequestBuilder::default()
    }

    /// The caller's unique reference.
    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// The asset debited.
    pub fn asset(&self) -> &Asset {
        &self.asset
    }

    /// How much to pay.
    pub fn amount(&self) -> &PayoutAmount {
        &self.amount
    }

    /// The amount of the debited asset, when the request is not a conversion.
    pub fn exact_amount(&self) -> Option<Decimal> {
        match self.amount {
            PayoutAmount::Exact(a) => Some(a),
            PayoutAmount::Converted { .. } | PayoutAmount::DebitConverted { .. } => None,
        }
    }

    /// The destination address.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The destination tag or memo, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The end user being paid.
    pub fn end_user(&self) -> &EndUser {
        &self.end_user
    }

    /// The sender and receiver data, for providers that collect it (see [`crate::travel`]).
    pub fn travel_rule(&self) -> Option<&TravelRule> {
        self.travel_rule.as_deref()
    }

    /// Where the fee is taken from ([`FeeFrom::Balance`] unless set).
    pub fn fee_from(&self) -> FeeFrom {
        self.fee_from
    }

    /// The URL the provider should send this payout's status changes to, if one was given (an
    /// `http` or `https` URL, checked when built).
    pub fn callback_url(&self) -> Option<&str> {
        self.callback_url.as_deref()
    }

    /// The amount of a request for a provider that pays plain amounts only and has no place for
    /// travel-rule data: a conversion, travel-rule data, or an option `takes` leaves out (see
    /// [`WithdrawalRequest::refuse_unsupported`]) is refused with [`PayoutError::Unsupported`]
    /// before anything is sent.
    pub fn plain_amount(&self, provider: &ProviderId, takes: RequestOptions) -> Result<Decimal, PayoutError> {
        self.refuse_unsupported(provider, takes)?;
        let PayoutAmount::Exact(amount) = self.amount else {
            return Err(PayoutError::unsupported(provider.clone(), "conversion on withdrawal (convert_to)"));
        };
        if self.travel_rule.is_some() {
            return Err(PayoutError::unsupported(
                provider.clone(),
                "travel-rule data (travel_rule.sender, travel_rule.receiver)",
            ));
        }
        Ok(amount)
    }

    /// Refuses, before anything is sent, an option `provider` cannot carry: a [`FeeFrom`] other
    /// than the default, or a callback URL, unless `takes` says the provider has room for it.
    /// The error is [`PayoutError::Unsupported`] and names the field; nothing is dropped
    /// silently.
    ///
    /// ```
    /// use payout_core::{Asset, EndUser, FeeFrom, ProviderId, RequestOptions, WithdrawalRequest};
    /// let request = WithdrawalRequest::builder().reference("r-1").asset(Asset::new("BTC")).amount_text("0.1")
    ///     .address("a1").end_user(EndUser::new("u-1")).fee_from(FeeFrom::Amount).build().unwrap();
    /// let acme = ProviderId::from_static("acme");
    /// let err = request.refuse_unsupported(&acme, RequestOptions::none()).unwrap_err();
    /// assert!(err.to_string().contains("fee_from"), "{err}");
    /// assert!(request.refuse_unsupported(&acme, RequestOptions::none().with_fee_from()).is_ok());
    /// ```
    pub fn refuse_unsupported(&self, provider: &ProviderId, takes: RequestOptions) -> Result<(), PayoutError> {
        if self.fee_from != FeeFrom::Balance && !takes.fee_from {
            return Err(PayoutError::unsupported(
                provider.clone(),
                format!(
                    "fee_from = {}: it takes its fee as it decides (the recipient gets the amount asked for)",
                    self.fee_from.as_str()
                ),
            ));
        }
        if self.callback_url.is_some() && !takes.callback_url {
            return Err(PayoutError::unsupported(
                provider.clone(),
                "callback_url: a callback URL per payout (configure webhooks in its dashboard instead)",
            ));
        }
        Ok(())
    }
}

/// Builds a [`WithdrawalRequest`]; `build` checks every field and reports all problems at once.
#[derive(Debug, Clone, Default)]
pub struct WithdrawalRequestBuilder {
    reference: Option<String>,
    asset: Option<Asset>,
    amount: Option<Decimal>,
    convert: Option<(Asset, Decimal)>,
    convert_to: Option<Asset>,
    address: Option<String>,
    tag: Option<String>,
    end_user: Option<EndUser>,
    travel_rule: Option<TravelRule>,
    fee_from: FeeFrom,
    callback_url: Option<String>,
    /// Amounts handed in as text that could not be read, reported by `build`.
    unreadable: Vec<FieldError>,
}

impl WithdrawalRequestBuilder {
    crate::setters! {
        /// The caller's unique reference (required, 1 to 255 characters).
        reference(reference: impl Into<String>) => Some(reference);
        /// The asset debited (required).
        asset(asset: Asset) => Some(asset);
        /// The amount of the asset to pay out (with [`Self::convert_to`], the exact amount debited
        /// and converted). Give this or [`Self::amount_to`], not both.
        amount(amount: Decimal) => Some(amount);
        /// Convert into `to` before sending; with [`Self::amount`], exactly that amount of the
        /// request's asset is debited and converted ([`PayoutAmount::DebitConverted`]).
        convert_to(to: Asset) => Some(convert_to);
        /// Where the provider's fee is taken from ([`FeeFrom::Balance`], the recipient gets the exact
        /// amount, unless set). A provider that cannot choose refuses any other value.
        fee_from(fee_from: FeeFrom) => fee_from;
        /// The URL the provider should send this payout's status changes to (an `http` or `https`
        /// URL with a host; checked by `build`, reported under `callback_url`). A provider that takes
        /// no URL per payout refuses the request rather than drop it.
        ///
        /// ```
        /// use payout_core::{Asset, EndUser, WithdrawalRequest};
        /// let base = WithdrawalRequest::builder().reference("r-1").asset(Asset::new("BTC")).amount_text("0.1")
        ///     .address("a1").end_user(EndUser::new("u-1"));
        /// let ok = base.clone().callback_url("https://shop.example/payout/cryptomus").build().unwrap();
        /// assert_eq!(ok.callback_url(), Some("https://shop.example/payout/cryptomus"));
        /// let err = base.callback_url("not a url").build().unwrap_err();
        /// assert_eq!(err.field_errors()[0].field, "callback_url");
        /// ```
        callback_url(url: impl Into<String>) => Some(callback_url);
        /// The destination address (required, no white space).
        address(address: impl Into<String>) => Some(address);
        /// The end user being paid (required).
        end_user(end_user: EndUser) => Some(end_user);
    }

    /// [`Self::amount`] from text a person or a program typed: a plain decimal only (see
    /// [`amount::parse_typed`]); anything else is reported by `build` under `amount`.
    ///
    /// ```
    /// use payout_core::{Asset, EndUser, WithdrawalRequest};
    /// let request = WithdrawalRequest::builder().reference("r-1").asset(Asset::new("BTC")).address("a1")
    ///     .end_user(EndUser::new("u-1"));
    /// assert!(request.clone().amount_text("0.0002").build().is_ok());
    /// let err = request.amount_text("1E2").build().unwrap_err();
    /// assert_eq!(err.field_errors()[0].field, "amount");
    /// ```
    pub fn amount_text(mut self, text: &str) -> Self {
        match amount::parse_typed("amount", text) {
            Ok(a) => self.amount = Some(a),
            Err(e) => self.unreadable.extend(e.field_errors().iter().cloned()),
        }
        self
    }

    /// Convert into `to` and deliver exactly `amount` of it. Give this or [`Self::amount`].
    pub fn amount_to(mut self, to: Asset, amount: Decimal) -> Self {
        self.convert = Some((to, amount));
        self
    }

    /// [`Self::amount_to`] from typed text: a plain decimal only, reported under `amount_to`.
    pub fn amount_to_text(mut self, to: Asset, text: &str) -> Self {
        match amount::parse_typed("amount_to", text) {
            Ok(a) => self.convert = Some((to, a)),
            Err(e) => self.unreadable.extend(e.field_errors().iter().cloned()),
        }
        self
    }

    /// Sender and receiver data for providers that collect it (see [`crate::travel`]); a
    /// provider that has no place for it refuses the request rather than drop it.
    pub fn travel_rule(mut self, travel_rule: TravelRule) -> Self {
        self.travel_rule = (!travel_rule.is_empty()).then_some(travel_rule);
        self
    }

    /// The destination tag or memo (XRP, XLM…); an empty tag means none.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        let tag = tag.into();
        self.tag = (!tag.is_empty()).then_some(tag);
        self
    }

    /// Checks every field and returns the request, or an invalid-request error that lists each
    /// problem with the field it concerns. Nothing is rounded.
    pub fn build(self) -> Result<WithdrawalRequest, PayoutError> {
        let mut errors = self.unreadable.clone();
        let amount_unreadable = !errors.is_empty();
        let mut need = |field: &str, message: &str| errors.push(FieldError::new(field, message));

        let reference = match self.reference.as_deref().map(Reference::problem) {
            None => {
                need("reference", "is required: your unique id of this payout, stable across retries");
                None
            }
            Some(Some(problem)) => {
                need("reference", &problem);
                None
            }
            Some(None) => self.reference.map(Reference::new).and_then(Result::ok),
        };

        if self.asset.as_ref().is_none_or(|a| a.symbol().is_empty()) {
            need("asset", "is required: the symbol of the asset to pay out, such as BTC");
        }

        let places_of = |asset: Option<&Asset>| asset.and_then(Asset::decimals).unwrap_or(28);
        let amount = match (self.amount, self.convert, self.convert_to) {
            _ if amount_unreadable => None,
            (Some(_), Some(_), _) => {
                need("amount", "give either amount or amount_to (with the asset to convert to), not both");
                None
            }
            (None, None, _) => {
                need("amount", "is required (or amount_to with the asset to convert to)");
                None
            }
            (None, Some((to, _)), Some(other)) if other != to => {
                need("convert_to", "names another asset than the one given with amount_to");
                None
            }
            (Some(a), None, to) => match amount::check_message(a, places_of(self.asset.as_ref())) {
                Some(m) => {
                    need("amount", &m);
                    None
                }
                None => match to {
                    None => Some(PayoutAmount::Exact(a)),
                    Some(to) if to.symbol().is_empty() => {
                        need("convert_to", "must name the asset to convert to");
                        None
                    }
                    Some(to) if self.asset.as_ref() == Some(&to) => {
                        need("convert_to", "is the asset paid from; give a plain amount instead");
                        None
                    }
                    Some(to) => Some(PayoutAmount::DebitConverted { to, amount: a }),
                },
            },
            (None, Some((to, a)), _) => {
                if to.symbol().is_empty() {
                    need("convert_to", "must name the asset to convert to");
                }
                match amount::check_message(a, places_of(Some(&to))) {
                    Some(m) => {
                        need("amount_to", &m);
                        None
                    }
                    None => Some(PayoutAmount::Converted { to, amount: a }),
                }
            }
        };

        match self.address.as_deref() {
            None | Some("") => need("address", "is required: the destination address"),
            Some(a) if a.chars().any(char::is_whitespace) => {
                need("address", "must not contain white space; check for a stray space or line break")
            }
            Some(a) if a.len() > 512 => need("address", "is longer than any known address format (512 bytes)"),
            _ => {}
        }

        if let Some(t) = &self.tag
            && t.chars().any(char::is_control)
        {
            need("tag", "must not contain control characters");
        }

        match &self.end_user {
            None => need("end_user", "is required: your stable id of the person being paid"),
            Some(u) if u.id.trim().is_empty() => need("end_user.id", "must not be empty"),
            Some(u) if u.id.chars().count() > 255 => need("end_user.id", "must be at most 255 characters"),
            _ => {}
        }

        if let Some(u) = &self.callback_url
            && let Some(problem) = callback_url_problem(u)
        {
            need("callback_url", &problem);
        }

        if let Some(rule) = &self.travel_rule {
            errors.extend(rule.problems());
        }

        if !errors.is_empty() {
            return Err(PayoutError::invalid(errors));
        }
        match (reference, self.asset, amount, self.address, self.end_user) {
            (Some(reference), Some(asset), Some(amount), Some(address), Some(end_user)) => Ok(WithdrawalRequest {
                reference,
                asset,
                amount,
                address,
                tag: self.tag,
                end_user,
                travel_rule: self.travel_rule.map(Box::new),
                fee_from: self.fee_from,
                callback_url: self.callback_url.map(String::into_boxed_str),
            }),
            _ => Err(PayoutError::invalid_field("request", "is incomplete")),
        }
    }
}

/// What is wrong with a callback URL, if anything: it must parse, be `http` or `https`, have a
/// host, carry no user name or password, and be at most 2048 bytes.
fn callback_url_problem(text: &str) -> Option<String> {
    if text.len() > 2048 {
        return Some("must be at most 2048 bytes".into());
    }
    match url::Url::parse(text) {
        Err(e) => {
            Some(format!("is not a URL ({e}); give an absolute http(s) URL such as https://example.com/webhooks"))
        }
        Ok(u) if !matches!(u.scheme(), "http" | "https") => {
            Some(format!("must be an http or https URL, got scheme `{}`", u.scheme()))
        }
        Ok(u) if u.host_str().is_none_or(str::is_empty) => Some("must name a host".into()),
        Ok(u) if !u.username().is_empty() || u.password().is_some() => {
            Some("must not carry a user name or password".into())
        }
        Ok(_) => None,
    }
}
