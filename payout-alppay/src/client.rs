//! [`AlpPayClient`]: the [`PayoutProvider`] that speaks AlpPay's Merchant API v2.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use http::header::{CONTENT_TYPE, HeaderName};
use http::{HeaderValue, Method};
use payout_core::http::{HttpClient, HttpResponse, Outgoing, Safety};
use payout_core::{
    Capabilities, Capability, ListQuery, Page, PayoutError, PayoutProvider, ProviderId, Reference, Withdrawal,
    WithdrawalId, WithdrawalRequest, WithdrawalUpdate,
};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::PROVIDER_ID;
use crate::config::{AlpPayBuilder, AlpPayConfig, ENV_API_KEY};
use crate::mapping::{self, ListRequest};
use crate::signing::Signer;
use crate::webhook::WebhookVerifier;

const API_KEY: HeaderName = HeaderName::from_static("api-key");
const X_HMAC: HeaderName = HeaderName::from_static("x-hmac");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// How many pages of 100 a lookup by reference reads at most. A reference is meant to be
/// unique, so one page is the rule; the bound only stops a server that ignores the filter, and
/// reaching it is an error, never a "not found".
const FIND_MAX_PAGES: u32 = 20;

/// An AlpPay client: creates, gets, finds and lists withdrawals and reads webhooks, behind
/// [`PayoutProvider`]. Cheap to clone (the connection pool is shared).
///
/// ```no_run
/// # async fn demo() -> Result<(), payout_core::PayoutError> {
/// use payout_alppay::AlpPayClient;
/// use payout_core::{PayoutProvider, WithdrawalId};
///
/// let alppay = AlpPayClient::from_env()?; // ALPPAY_API_KEY, ALPPAY_HMAC_KEY, ALPPAY_BASE_URL
/// let w = alppay.get_withdrawal(&WithdrawalId::new("5f5a8ced-5c6a-4038-9d73-662441242fd3")).await?;
/// println!("{} is {} ({})", w.id, w.status, w.provider_status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AlpPayClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    base_url: Url,
    /// `{base}/withdrawal`, parsed once.
    withdrawal_url: Url,
    /// The `API-KEY` header, marked sensitive so that no header dump shows it.
    api_key: HeaderValue,
    signer: Signer,
    webhooks: WebhookVerifier,
    duplicate_check: bool,
    /// Both keys, kept only to scrub them from error messages should AlpPay ever echo one.
    secrets: [SecretString; 2],
}

impl Inner {
    /// Replaces any key AlpPay may have echoed in an answer with `[REDACTED]`, so no error
    /// message ever carries one.
    fn scrub(&self, err: PayoutError) -> PayoutError {
        payout_core::http::scrub(err, &self.secrets)
    }
}

impl AlpPayClient {
    /// Starts building a client; only the two keys are required.
    pub fn builder() -> AlpPayBuilder {
        AlpPayBuilder::default()
    }

    /// A client from `ALPPAY_API_KEY`, `ALPPAY_HMAC_KEY` and `ALPPAY_BASE_URL` (optional,
    /// [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL) when unset). A missing key is a
    /// configuration error naming its variable.
    pub fn from_env() -> Result<Self, PayoutError> {
        AlpPayBuilder::from_env().build()
    }

    /// A client from a checked configuration.
    pub fn new(config: AlpPayConfig) -> Result<Self, PayoutError> {
        let http = HttpClient::new(PROVIDER_ID, &config.http)?;
        let mut api_key = HeaderValue::from_str(config.api_key.expose_secret()).map_err(|_| {
            PayoutError::configuration(format!(
                "{ENV_API_KEY} holds characters an HTTP header cannot carry; copy the key again from the dashboard"
            ))
        })?;
        api_key.set_sensitive(true);
        let withdrawal_url = Url::parse(&format!("{}/withdrawal", config.base_url))
            .map_err(|e| PayoutError::configuration(format!("cannot build the withdrawal URL: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url: config.base_url,
                withdrawal_url,
                api_key,
                signer: Signer::new(&config.hmac_key),
                webhooks: WebhookVerifier::new(&config.hmac_key),
                duplicate_check: config.duplicate_check,
                secrets: [config.api_key, config.hmac_key],
            }),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// A webhook verifier with this client's HMAC key.
    pub fn webhooks(&self) -> WebhookVerifier {
        self.inner.webhooks.clone()
    }

    /// A GET with the `API-KEY` header, retried as a read.
    async fn read(&self, url: &Url) -> Result<HttpResponse, PayoutError> {
        let outgoing = Outgoing::new(Method::GET, url).header(API_KEY, self.inner.api_key.clone());
        self.inner.http.send_prepared(&Safety::Read, &outgoing).await
    }

    /// One page of `GET /withdrawal` for a query string built by [`mapping::list_request`].
    async fn fetch_page(&self, query_string: &str, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        let mut url = self.inner.withdrawal_url.clone();
        url.set_query(Some(query_string));
        let answer = self.read(&url).await?;
        if !answer.is_success() {
            return Err(mapping::refusal(&answer, None));
        }
        mapping::page_from_body(&answer.body, answer.status, query)
    }

    /// Every withdrawal whose invoice is exactly `reference`, reading as many pages as needed.
    async fn all_with_reference(&self, reference: &Reference) -> Result<Vec<Withdrawal>, PayoutError> {
        let mut query = ListQuery::new().reference(reference.clone()).limit(ListQuery::MAX_LIMIT)?;
        let mut found = Vec::new();
        for _ in 0..FIND_MAX_PAGES {
            // Over-matching is allowed: a reference with a comma is split by AlpPay, and the
            // answer is filtered exactly here.
            let ListRequest::Send(qs) = mapping::list_request(&query, true)? else { return Ok(found) };
            let page = self.fetch_page(&qs, &query).await?;
            let more = page.has_more();
            for w in page.items {
                match &w.reference {
                    Some(r) if r == reference => found.push(w),
                    Some(_) => {}
                    // The reduced listing AlpPay documents leaves `invoice` out: read the
                    // withdrawal to learn it rather than conclude the reference is free (which
                    // would let `submit` create the payout a second time).
                    None => {
                        let full = self.get(&w.id).await?;
                        match &full.reference {
                            Some(r) if r == reference => found.push(full),
                            Some(_) => {}
                            None => {
                                return Err(PayoutError::Protocol {
                                    message: format!(
                                        "AlpPay does not say which invoice withdrawal {} belongs to, so invoice {reference} cannot be confirmed absent",
                                        w.id
                                    ),
                                    status: None,
                                    body: String::new(),
                                });
                            }
                        }
                    }
                }
            }
            if !more {
                return Ok(found);
            }
            query.page += 1;
        }
        // Concluding "absent" from a listing that was not read to its end could make a caller
        // create the payout again: refuse instead.
        Err(PayoutError::Protocol {
            message: format!(
                "looking up invoice {reference} still had pages after {FIND_MAX_PAGES} pages of {}; AlpPay seems to ignore the `invoices` filter, so the reference cannot be confirmed absent",
                ListQuery::MAX_LIMIT
            ),
            status: None,
            body: String::new(),
        })
    }
}

/// The text of a string field of the answer object (`None` when it is missing, `null` or empty:
/// not echoed), compared as sent rather than through [`Reference`], which could refuse it.
fn echoed_text(w: &Withdrawal, key: &str) -> Option<String> {
    match w.raw.get(key)? {
        serde_json::Value::String(s) if !s.is_empty() => Some(s),
        serde_json::Value::Null => None,
        serde_json::Value::String(_) => None,
        other => Some(other.to_string()),
    }
}

/// The operations, unscrubbed; the trait methods scrub their errors.
impl AlpPayClient {
    async fn create(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let body = mapping::create_body(request)?;
        let reference = request.reference();
        if self.inner.duplicate_check && !self.all_with_reference(reference).await?.is_empty() {
            return Err(PayoutError::DuplicateReference { reference: reference.clone() });
        }
        let signature = self
            .inner
            .signer
            .sign_header(&body)
            .map_err(|_| PayoutError::configuration("the signature is not a header value"))?;
        let safety = Safety::Create(reference.clone());
        let outgoing = Outgoing::new(Method::POST, &self.inner.withdrawal_url)
            .header(API_KEY, self.inner.api_key.clone())
            .header(X_HMAC, signature)
            .header(CONTENT_TYPE, JSON)
            .body(body);
        // AlpPay acted on a 2xx: an answer that cannot be read, or that is about another
        // invoice, leaves the outcome unknown (submit then reconciles by reference).
        self.inner
            .http
            .send_prepared_and_read(&safety, &outgoing, |answer| {
                if !answer.is_success() {
                    return Err(mapping::refusal(answer, Some(reference)));
                }
                let created = mapping::withdrawal_from_body(&answer.body, Some(answer.status))?;
                // An answer typed with this very reference echoed it exactly (a `Reference` is
                // its text); only another one needs the text as sent, from `raw`.
                if created.reference.as_ref() != Some(reference)
                    && let Some(echoed) = echoed_text(&created, "invoice")
                    && echoed != reference.as_str()
                {
                    return Err(PayoutError::protocol(
                        format!(
                            "AlpPay answered the create of invoice `{reference}` with withdrawal {} of invoice `{echoed}`",
                            created.id
                        ),
                        Some(answer.status),
                        &answer.body,
                    ));
                }
                Ok(created)
            })
            .await
    }

    async fn get(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        let raw = id.as_str();
        if raw.trim().is_empty() || raw == "." || raw == ".." {
            return Err(PayoutError::invalid_field("id", "must be an AlpPay withdrawal id (a UUID)"));
        }
        let mut url = self.inner.withdrawal_url.clone();
        url.path_segments_mut().map_err(|_| PayoutError::configuration("the base URL cannot take a path"))?.push(raw);
        let answer = self.read(&url).await?;
        match answer.status {
            200..=299 => {
                let w = mapping::withdrawal_from_body(&answer.body, Some(answer.status))?;
                // Never hand back another withdrawal than the one asked for. AlpPay's ids are
                // UUIDs, whose hex digits may come back in either case.
                if !w.id.as_str().eq_ignore_ascii_case(raw) {
                    return Err(PayoutError::protocol(
                        format!("asked AlpPay for withdrawal {id}, it answered with withdrawal {}", w.id),
                        Some(answer.status),
                        &answer.body,
                    ));
                }
                Ok(w)
            }
            404 => Err(PayoutError::NotFound { what: format!("withdrawal {id} at AlpPay") }),
            _ => Err(mapping::refusal(&answer, None)),
        }
    }

    async fn find(&self, reference: &Reference) -> Result<Option<Withdrawal>, PayoutError> {
        let found = self.all_with_reference(reference).await?;
        if found.len() > 1 {
            tracing::warn!(
                target: "payout::alppay",
                reference = %reference,
                count = found.len(),
                "AlpPay holds several withdrawals with this invoice; returning the oldest"
            );
        }
        // The oldest by `createdAt`; those without one sort last; ties keep AlpPay's order.
        Ok(found.into_iter().min_by(|a, b| match (a.created_at, b.created_at) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }))
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        match mapping::list_request(query, false)? {
            ListRequest::Empty => Ok(Page::new(Vec::new(), query.page, query.limit, Some(0))),
            ListRequest::Send(qs) => self.fetch_page(&qs, query).await,
        }
    }
}

#[async_trait]
impl PayoutProvider for AlpPayClient {
    fn id(&self) -> ProviderId {
        PROVIDER_ID
    }

    /// Everything but conversions: create, get, find, list, webhooks and destination tags.
    fn capabilities(&self) -> Capabilities {
        Capabilities::all()
            .without(Capability::Convert)
            .without(Capability::TravelRule)
            .without(Capability::IdempotentCreate)
    }

    /// `POST /withdrawal`, signed. Checked before sending: at most 8 decimal places, a supported
    /// asset/network pair, a numeric customer id, a name and an e-mail. The body is serialized
    /// once and those bytes are signed and sent.
    ///
    /// Unless turned off ([`AlpPayBuilder::duplicate_check`]), the reference is looked up first
    /// and a reference already held is [`PayoutError::DuplicateReference`].
    ///
    /// Never retried once it may have reached AlpPay: a 5xx, a timeout or a connection lost after
    /// sending is [`PayoutError::OutcomeUnknown`] with the reference. AlpPay offers no
    /// idempotency key, so reconcile by reference (`find_withdrawal`), which
    /// [`PayoutProviderExt::submit`](payout_core::PayoutProviderExt::submit) does for you. An
    /// answer about another invoice is [`PayoutError::OutcomeUnknown`] too: AlpPay acted, but on
    /// what cannot be told from it.
    async fn create_withdrawal(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let result = self.create(request).await.map_err(|e| self.inner.scrub(e));
        payout_core::log_create!("payout::alppay", request.reference(), &result, created: "withdrawal created", unknown: "create outcome unknown: reconcile by reference");
        result
    }

    /// `GET /withdrawal/{id}`; 404 is [`PayoutError::NotFound`], and an answer about another
    /// withdrawal than `id` is [`PayoutError::Protocol`].
    async fn get_withdrawal(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        self.get(id).await.map_err(|e| self.inner.scrub(e))
    }

    /// `GET /withdrawal?invoices={reference}`, filtered exactly. AlpPay does not promise that
    /// invoices are unique: when several withdrawals carry the reference, the **oldest** (the
    /// first created, the one any later duplicate copied) is returned and a warning is logged.
    async fn find_withdrawal(&self, reference: &Reference) -> Result<Option<Withdrawal>, PayoutError> {
        self.find(reference).await.map_err(|e| self.inner.scrub(e))
    }

    /// `GET /withdrawal` with `ids`, `txnIds`, `invoices` and `statuses` as comma-separated
    /// lists, `page` from 0 and `limit` 1..=100.
    ///
    /// `processing`, `rejected` and `unknown` have no AlpPay equivalent: they are dropped from
    /// the statuses asked for, and a query asking only for them answers an empty page without
    /// a request. A filter value containing a comma cannot be sent (AlpPay splits on commas) and
    /// is refused as an invalid request.
    async fn list_withdrawals(&self, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        self.list(query).await.map_err(|e| self.inner.scrub(e))
    }

    /// Verifies `X-HMAC` over the raw body in constant time and reads the withdrawal object.
    fn parse_webhook(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        self.inner.webhooks.parse(headers, body)
    }
}

impl fmt::Debug for AlpPayClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The keys are never shown, set or not.
        let (url, check) = (self.inner.base_url.as_str(), self.inner.duplicate_check);
        write!(
            f,
            "AlpPayClient {{ base_url: {url:?}, api_key: \"[REDACTED]\", hmac_key: \"[REDACTED]\", duplicate_check: {check} }}"
        )
    }
}
