//! The request to pay out, checked before anything is sent.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::amount;
use crate::asset::Asset;
use crate::error::{FieldError, PayoutError};
use crate::id::Reference;

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

    /// Adds a name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds an e-mail address.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
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

/// How much to pay: an amount of the debited asset, or an exact amount the recipient gets after
/// conversion into another asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayoutAmount {
    /// This much of the request's asset.
    Exact(Decimal),
    /// Convert the request's asset into `to` and deliver exactly `amount` of it.
    Converted {
        /// The asset the recipient receives.
        to: Asset,
        /// The amount of `to` they receive.
        amount: Decimal,
    },
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
            PayoutAmount::Converted { .. } => None,
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
}

/// Builds a [`WithdrawalRequest`]; `build` checks every field and reports all problems at once.
#[derive(Debug, Clone, Default)]
pub struct WithdrawalRequestBuilder {
    reference: Option<String>,
    asset: Option<Asset>,
    amount: Option<Decimal>,
    convert: Option<(Asset, Decimal)>,
    address: Option<String>,
    tag: Option<String>,
    end_user: Option<EndUser>,
}

impl WithdrawalRequestBuilder {
    /// The caller's unique reference (required, 1 to 255 characters).
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// The asset debited (required).
    pub fn asset(mut self, asset: Asset) -> Self {
        self.asset = Some(asset);
        self
    }

    /// The amount of the asset to pay out. Give this or [`Self::amount_to`], not both.
    pub fn amount(mut self, amount: Decimal) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Convert into `to` and deliver exactly `amount` of it. Give this or [`Self::amount`].
    pub fn amount_to(mut self, to: Asset, amount: Decimal) -> Self {
        self.convert = Some((to, amount));
        self
    }

    /// The destination address (required, no white space).
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }

    /// The destination tag or memo (XRP, XLM…); an empty tag means none.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        let tag = tag.into();
        self.tag = (!tag.is_empty()).then_some(tag);
        self
    }

    /// The end user being paid (required).
    pub fn end_user(mut self, end_user: EndUser) -> Self {
        self.end_user = Some(end_user);
        self
    }

    /// Checks every field and returns the request, or an invalid-request error that lists each
    /// problem with the field it concerns. Nothing is rounded.
    pub fn build(self) -> Result<WithdrawalRequest, PayoutError> {
        let mut errors = Vec::new();
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

        let amount = match (self.amount, self.convert) {
            (Some(_), Some(_)) => {
                need("amount", "give either amount or amount_to (with the asset to convert to), not both");
                None
            }
            (None, None) => {
                need("amount", "is required (or amount_to with the asset to convert to)");
                None
            }
            (Some(a), None) => {
                let places = self.asset.as_ref().and_then(Asset::decimals).unwrap_or(28);
                match amount::check_message(a, places) {
                    Some(m) => {
                        need("amount", &m);
                        None
                    }
                    None => Some(PayoutAmount::Exact(a)),
                }
            }
            (None, Some((to, a))) => {
                if to.symbol().is_empty() {
                    need("convert_to", "must name the asset to convert to");
                }
                match amount::check_message(a, to.decimals().unwrap_or(28)) {
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

        if !errors.is_empty() {
            return Err(PayoutError::invalid(errors));
        }
        match (reference, self.asset, amount, self.address, self.end_user) {
            (Some(reference), Some(asset), Some(amount), Some(address), Some(end_user)) => {
                Ok(WithdrawalRequest { reference, asset, amount, address, tag: self.tag, end_user })
            }
            _ => Err(PayoutError::invalid_field("request", "is incomplete")),
        }
    }
}
