//! Travel-rule data: who sends and who receives a payout, for providers that must collect it.
//!
//! Under the EU's MiCA rules, AlphaPo's backend (CoinsPaid / CryptoProcessing) asks for the
//! sender and the receiver of every crypto withdrawal (`sender_type`/`sender_data`,
//! `receiver_type`/`receiver_data`): a natural person's first and last name and date of birth,
//! or a legal entity's name and country of registration, each with an optional e-mail; the
//! receiver may also be the merchant itself (`self`, an internal transfer). A provider that has
//! no place for this data refuses a request that carries it, rather than dropping it silently.
//!
//! What the stored pages leave unknown: whether AlphaPo itself (not only CryptoProcessing)
//! requires the data; the format of the country (the one example is `DEU`, ISO 3166-1 alpha-3,
//! which is what this crate accepts); whether `receiver_data` may be sent with `self`; and what
//! the provider answers when the data is missing or malformed.
//!
//! ```
//! use payout_core::travel::{Party, TravelRule};
//! use time::macros::date;
//!
//! let rule = TravelRule::new()
//!     .sender(Party::legal("Example GmbH", "DEU"))
//!     .receiver(Party::natural("Friedrich", "Müller", date!(1995 - 08 - 17)));
//! assert!(rule.problems().is_empty());
//! // Personal data never shows in `Debug`:
//! assert!(!format!("{rule:?}").contains("Müller"));
//! ```

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::FieldError;

/// A sender or receiver of a payout.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Party {
    /// A person.
    Natural {
        /// First name (required).
        first_name: String,
        /// Last name (required).
        last_name: String,
        /// Date of birth (required); `YYYY-MM-DD` in JSON.
        #[serde(with = "iso_date")]
        date_of_birth: Date,
        /// E-mail address (optional).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// A company or other legal entity.
    Legal {
        /// The registered name (required).
        legal_name: String,
        /// The country of registration, ISO 3166-1 alpha-3 (`DEU`) (required).
        country_of_registration: String,
        /// E-mail address (optional).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// The merchant's own account: an internal transfer (receiver only; AlphaPo's `self`).
    OwnAccount,
}

impl Party {
    /// A natural person.
    pub fn natural(first_name: impl Into<String>, last_name: impl Into<String>, date_of_birth: Date) -> Self {
        Party::Natural { first_name: first_name.into(), last_name: last_name.into(), date_of_birth, email: None }
    }

    /// A legal entity; `country` is ISO 3166-1 alpha-3 (`DEU`).
    pub fn legal(legal_name: impl Into<String>, country: impl Into<String>) -> Self {
        Party::Legal { legal_name: legal_name.into(), country_of_registration: country.into(), email: None }
    }

    /// Adds an e-mail address (ignored for [`Party::OwnAccount`]).
    pub fn with_email(mut self, address: impl Into<String>) -> Self {
        match &mut self {
            Party::Natural { email, .. } | Party::Legal { email, .. } => *email = Some(address.into()),
            Party::OwnAccount => {}
        }
        self
    }

    /// The wire name of the party's kind: `natural`, `legal` or `self`.
    pub fn kind(&self) -> &'static str {
        match self {
            Party::Natural { .. } => "natural",
            Party::Legal { .. } => "legal",
            Party::OwnAccount => "self",
        }
    }

    fn problems(&self, field: &str, out: &mut Vec<FieldError>) {
        let blank = |s: &str| s.trim().is_empty();
        let email_ok =
            |e: &Option<String>| e.as_deref().is_none_or(|e| e.contains('@') && !e.contains(char::is_whitespace));
        match self {
            Party::Natural { first_name, last_name, email, .. } => {
                if blank(first_name) {
                    out.push(FieldError::new(format!("{field}.first_name"), "is required for a natural person"));
                }
                if blank(last_name) {
                    out.push(FieldError::new(format!("{field}.last_name"), "is required for a natural person"));
                }
                if !email_ok(email) {
                    out.push(FieldError::new(format!("{field}.email"), "is not an e-mail address"));
                }
            }
            Party::Legal { legal_name, country_of_registration: country, email } => {
                if blank(legal_name) {
                    out.push(FieldError::new(format!("{field}.legal_name"), "is required for a legal entity"));
                }
                if country.len() != 3 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
                    out.push(FieldError::new(
                        format!("{field}.country_of_registration"),
                        "must be an ISO 3166-1 alpha-3 code in capitals, such as DEU",
                    ));
                }
                if !email_ok(email) {
                    out.push(FieldError::new(format!("{field}.email"), "is not an e-mail address"));
                }
            }
            Party::OwnAccount => {}
        }
    }
}

/// Names, dates of birth and e-mail addresses are personal data: `Debug` shows only the kind.
impl std::fmt::Debug for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Party::{}(<redacted>)", self.kind())
    }
}

/// The sender and receiver of a payout, each optional; see the [module](self) documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravelRule {
    /// Who sends the funds (your customer or your company).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Party>,
    /// Who receives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<Party>,
}

impl TravelRule {
    /// No data yet.
    pub fn new() -> Self {
        Self::default()
    }

    crate::setters! {
        /// Sets the sender.
        sender(party: Party) => Some(sender);
        /// Sets the receiver.
        receiver(party: Party) => Some(receiver);
    }

    /// Whether neither side is given.
    pub fn is_empty(&self) -> bool {
        self.sender.is_none() && self.receiver.is_none()
    }

    /// Every problem, each naming its field under `travel_rule.` (empty when all is well).
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(sender) = &self.sender {
            if *sender == Party::OwnAccount {
                out.push(FieldError::new(
                    "travel_rule.sender",
                    "cannot be your own account: only the receiver of an internal transfer is `self`",
                ));
            }
            sender.problems("travel_rule.sender", &mut out);
        }
        if let Some(receiver) = &self.receiver {
            receiver.problems("travel_rule.receiver", &mut out);
        }
        out
    }
}

/// `YYYY-MM-DD`, the form AlphaPo's example sends (`1995-08-17`).
pub(crate) mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day]");

    /// The date's text, `1995-08-17`.
    pub fn text(date: &Date) -> String {
        date.format(FORMAT).unwrap_or_default()
    }

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&text(date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text, FORMAT)
            .map_err(|e| serde::de::Error::custom(format!("`{text}` is not a YYYY-MM-DD date: {e}")))
    }
}

impl Party {
    /// The date of birth as `YYYY-MM-DD`, for providers writing it to the wire.
    pub fn date_of_birth_text(&self) -> Option<String> {
        match self {
            Party::Natural { date_of_birth, .. } => Some(iso_date::text(date_of_birth)),
            _ => None,
        }
    }
}
