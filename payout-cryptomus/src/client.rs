//! [`CryptomusClient`]: the [`PayoutProvider`] that speaks Cryptomus's payout API.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use http::header::{CONTENT_TYPE, HeaderName};
use http::{HeaderValue, Method};
use payout_core::http::{HttpClient, HttpResponse, Outgoing, Safety};
use payout_core::receiver::Rules;
use payout_core::{
    Capabilities, Capability, ListQuery, Page, PayoutError, PayoutProvider, ProviderId, Reference, ReferenceRules,
    Withdrawal, WithdrawalId, WithdrawalRequest, WithdrawalStatus, WithdrawalUpdate,
};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::PROVIDER_ID;
use crate::config::{CryptomusBuilder, CryptomusConfig, ENV_MERCHANT};
use crate::mapping::{self, Call};
use crate::signing::Signer;
use crate::webhook::WebhookVerifier;
use crate::wire;

const MERCHANT: HeaderName = HeaderName::from_static("merchant");
const SIGN: HeaderName = HeaderName::from_static("sign");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// The body of the calls that take no parameters ("Pass { }", the services page says).
const EMPTY_BODY: &[u8] = b"{}";

/// How many history pages one `list_withdrawals` call reads at most while its filters leave a
/// page empty (Cryptomus's history takes no filters; they are applied here).
const FILTERED_PAGES: usize = 50;

/// A Cryptomus client: creates, gets, finds and lists payouts and reads webhooks, behind
/// [`PayoutProvider`]. Cheap to clone (the connection pool and the services cache are shared).
///
/// ```no_run
/// # async fn demo() -> Result<(), payout_core::PayoutError> {
/// use payout_cryptomus::CryptomusClient;
/// use payout_core::{PayoutProvider, WithdrawalId};
///
/// let cryptomus = CryptomusClient::from_env()?; // CRYPTOMUS_MERCHANT, CRYPTOMUS_PAYOUT_KEY, CRYPTOMUS_BASE_URL
/// let w = cryptomus.get_withdrawal(&WithdrawalId::new("a7c0caec-a594-4aaa-b1c4-77d511857594")).await?;
/// println!("{} is {} ({})", w.id, w.status, w.provider_status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CryptomusClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    base_url: Url,
    payout_url: Url,
    info_url: Url,
    list_url: Url,
    services_url: Url,
    /// The `merchant` header, marked sensitive.
    merchant: HeaderValue,
    signer: Signer,
    webhooks: WebhookVerifier,
    services_check: bool,
    services_ttl: Duration,
    /// The services table and when it was read.
    services: Mutex<Option<(Instant, Arc<Vec<wire::Service>>)>>,
    /// Held while the services table is read, so that creates arriving together on a cold (or
    /// expired) cache wait for one read instead of each sending its own.
    services_read: tokio::sync::Mutex<()>,
    /// Both secrets, kept only to scrub them from error messages should Cryptomus echo one.
    secrets: [SecretString; 2],
}

impl CryptomusClient {
    /// Starts building a client; only the merchant uuid and the payout key are required.
    pub fn builder() -> CryptomusBuilder {
        CryptomusBuilder::default()
    }

    /// A client from `CRYPTOMUS_MERCHANT`, `CRYPTOMUS_PAYOUT_KEY` and `CRYPTOMUS_BASE_URL`
    /// (optional, [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL) when unset). A missing one is a
    /// configuration error naming its variable.
    pub fn from_env() -> Result<Self, PayoutError> {
        CryptomusBuilder::from_env().build()
    }

    /// A client from a checked configuration.
    ///
    /// The shared HTTP layer's in-flight window (which refuses to send a create again for a
    /// reference whose earlier create timed out) is off for Cryptomus: it replays a create by
    /// `order_id`, so sending the same create again is how a lost answer is recovered.
    pub fn new(config: CryptomusConfig) -> Result<Self, PayoutError> {
        let http_config = config.http.clone().with_in_flight_window(Duration::ZERO);
        let http = HttpClient::new(PROVIDER_ID, &http_config)?;
        let mut merchant = HeaderValue::from_str(config.merchant.expose_secret().trim()).map_err(|_| {
            PayoutError::configuration(format!(
                "{ENV_MERCHANT} holds characters an HTTP header cannot carry; copy the merchant uuid again"
            ))
        })?;
        merchant.set_sensitive(true);
        let url = |path: &str| {
            Url::parse(&format!("{}/{path}", config.base_url))
                .map_err(|e| PayoutError::configuration(format!("cannot build the URL of /{path}: {e}")))
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                payout_url: url("payout")?,
                info_url: url("payout/info")?,
                list_url: url("payout/list")?,
                services_url: url("payout/services")?,
                base_url: config.base_url,
                merchant,
                signer: Signer::new(&config.payout_key),
                webhooks: WebhookVerifier::new(&config.payout_key),
                services_check: config.services_check,
                services_ttl: config.services_ttl,
                services: Mutex::new(None),
                services_read: tokio::sync::Mutex::new(()),
                secrets: [config.merchant, config.payout_key],
            }),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// A webhook verifier with this client's payout key.
    pub fn webhooks(&self) -> WebhookVerifier {
        self.inner.webhooks.clone()
    }

    /// The services table (`POST /payout/services`): currencies, networks, limits and fees. Read
    /// at most once per [`services_ttl`](CryptomusBuilder::services_ttl); `refresh` reads it
    /// now.
    pub async fn services(&self, refresh: bool) -> Result<Arc<Vec<wire::Service>>, PayoutError> {
        self.load_services(refresh).await.map_err(|e| self.scrub(e))
    }

    fn scrub(&self, err: PayoutError) -> PayoutError {
        payout_core::http::scrub(err, &self.inner.secrets)
    }

    /// A signed POST of `body` to `url`, exactly these bytes.
    fn post<'u>(&self, url: &'u Url, body: Vec<u8>) -> Result<Outgoing<'u>, PayoutError> {
        let sign =
            self.inner.signer.sign_header(&body).map_err(|_| PayoutError::configuration("the sign is not a header"))?;
        Ok(Outgoing::new(Method::POST, url)
            .header(MERCHANT, self.inner.merchant.clone())
            .header(SIGN, sign)
            .header(CONTENT_TYPE, JSON)
            .body(body))
    }

    /// A signed read (every Cryptomus call is a POST), retried as a read.
    async fn read(&self, url: &Url, body: Vec<u8>) -> Result<HttpResponse, PayoutError> {
        let outgoing = self.post(url, body)?;
        self.inner.http.send_prepared(&Safety::Read, &outgoing).await
    }

    /// The services table read within its time to live, if any.
    fn cached_services(&self) -> Option<Arc<Vec<wire::Service>>> {
        let cached = self.inner.services.lock().unwrap_or_else(|e| e.into_inner());
        cached.as_ref().filter(|(at, _)| at.elapsed() < self.inner.services_ttl).map(|(_, table)| table.clone())
    }

    async fn load_services(&self, refresh: bool) -> Result<Arc<Vec<wire::Service>>, PayoutError> {
        if !refresh && let Some(table) = self.cached_services() {
            return Ok(table);
        }
        // One read at a time; whoever waited finds the table the read before it stored.
        let _reading = self.inner.services_read.lock().await;
        if !refresh && let Some(table) = self.cached_services() {
            return Ok(table);
        }
        let answer = self.read(&self.inner.services_url, EMPTY_BODY.to_vec()).await?;
        let table = match mapping::result_of(&answer) {
            Ok(result) => Arc::new(mapping::services_from_result(result, &answer)?),
            Err(Some(unreadable)) => return Err(unreadable),
            Err(None) => return Err(mapping::refusal(&answer, Call::Read)),
        };
        *self.inner.services.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), table.clone()));
        Ok(table)
    }

    /// `POST /payout/info` with `body`; `None` when Cryptomus says there is no such payout.
    async fn info(&self, body: Vec<u8>, reference: Option<&Reference>) -> Result<Option<Withdrawal>, PayoutError> {
        let answer = self.read(&self.inner.info_url, body).await?;
        match mapping::result_of(&answer) {
            Ok(result) => mapping::withdrawal_from_raw(result, reference)
                .map(Some)
                .map_err(|m| PayoutError::protocol(m, Some(answer.status), &answer.body)),
            Err(Some(unreadable)) => Err(unreadable),
            Err(None) if mapping::says_not_found(&answer) => Ok(None),
            Err(None) => Err(mapping::refusal(&answer, Call::Read)),
        }
    }
}

/// The operations, unscrubbed; the trait methods scrub their errors.
impl CryptomusClient {
    async fn create(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let body = mapping::create_body(request)?;
        if self.inner.services_check {
            let services = self.load_services(false).await?;
            mapping::check_service(&services, request)?;
        }
        let reference = request.reference();
        let safety = Safety::Create(reference.clone());
        let outgoing = self.post(&self.inner.payout_url, body)?;
        let answer = self.inner.http.send_prepared(&safety, &outgoing).await?;
        // Cryptomus acted on a 2xx `state: 0`: an answer that cannot be read leaves the outcome
        // unknown. A refusal (`state: 1` with a message or errors, or a 4xx) created nothing.
        let created = match mapping::result_of(&answer) {
            Ok(result) => mapping::withdrawal_from_raw(result, Some(reference))
                .map_err(|m| safety.after_acted(PayoutError::protocol(m, Some(answer.status), &answer.body)))?,
            Err(Some(unreadable)) => return Err(safety.after_acted(unreadable)),
            Err(None) => return Err(mapping::refusal(&answer, Call::Create(reference))),
        };
        if created.reference.as_ref() != Some(reference) {
            return Err(safety.after_acted(PayoutError::protocol(
                format!(
                    "Cryptomus answered the create of order_id `{reference}` with payout {} of another order_id",
                    created.id
                ),
                Some(answer.status),
                &answer.body,
            )));
        }
        Ok(created)
    }

    async fn get(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        let body = mapping::info_by_uuid(id)?;
        let w = self
            .info(body, None)
            .await?
            .ok_or_else(|| PayoutError::NotFound { what: format!("payout {id} at Cryptomus") })?;
        if !w.id.as_str().eq_ignore_ascii_case(id.as_str()) {
            return Err(another_payout(format!("payout {id}"), &w, ""));
        }
        Ok(w)
    }

    async fn find(&self, reference: &Reference) -> Result<Option<Withdrawal>, PayoutError> {
        let body = mapping::info_by_reference(reference)?;
        let found = self.info(body, Some(reference)).await?;
        if let Some(w) = &found
            && w.reference.as_ref() != Some(reference)
        {
            return Err(another_payout(format!("order_id `{reference}`"), w, " of another"));
        }
        Ok(found)
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        query.validate()?;
        let mut cursor = query.cursor.clone();
        for _ in 0..FILTERED_PAGES {
            let mut url = self.inner.list_url.clone();
            if let Some(c) = &cursor {
                url.query_pairs_mut().append_pair("cursor", c);
            }
            let answer = self.read(&url, EMPTY_BODY.to_vec()).await?;
            let page = match mapping::result_of(&answer) {
                Ok(result) => mapping::page_from_result(result, &answer, query)?,
                Err(Some(unreadable)) => return Err(unreadable),
                Err(None) => return Err(mapping::refusal(&answer, Call::Read)),
            };
            // A page the filters left empty is not the end while Cryptomus has more: read on, so
            // that an empty page keeps meaning "nothing more" to `list_all`.
            let go_on = page.items.is_empty() && mapping::filters(query) && page.next_cursor.is_some();
            if !go_on || page.next_cursor == cursor {
                return Ok(page);
            }
            cursor = page.next_cursor;
        }
        tracing::warn!(target: "payout::cryptomus", pages = FILTERED_PAGES, "the filters matched nothing in this many history pages; the listing stops here");
        Ok(Page::cursored(Vec::new(), query.limit, None))
    }
}

/// The protocol error for an info answer about another payout than the one `asked` for (then
/// `more` about it), with the answer's text: never handed back as the payout asked about.
fn another_payout(asked: String, answered: &Withdrawal, more: &str) -> PayoutError {
    PayoutError::protocol(
        format!("asked Cryptomus for {asked}, it answered with payout {}{more}", answered.id),
        None,
        answered.raw.as_str().as_bytes(),
    )
}

#[async_trait]
impl PayoutProvider for CryptomusClient {
    fn id(&self) -> ProviderId {
        PROVIDER_ID
    }

    /// Create, get, find, list, webhooks, destination tags (`memo`), and creates replayed by
    /// `order_id` ([`Capability::IdempotentCreate`]); no conversions, no travel-rule data.
    fn capabilities(&self) -> Capabilities {
        Capabilities::all().without(Capability::Convert).without(Capability::TravelRule)
    }

    /// `order_id`: 1 to 100 ASCII letters, digits, `_` and `-`; found by reference only up to 32.
    fn reference_rules(&self) -> ReferenceRules {
        mapping::REFERENCE_RULES
    }

    /// Cryptomus documents `process → check`: a payout may go back from processing to being
    /// verified.
    fn status_rules(&self) -> Rules {
        Rules::new().allow_reversal(WithdrawalStatus::Processing, WithdrawalStatus::Pending)
    }

    /// `POST /payout`, signed over the exact (PHP-encoded) bytes sent. Checked before sending:
    /// the reference against Cryptomus's `order_id` rules, at most 8 decimal places, a memo of at
    /// most 30 characters, and (unless turned off) the services table: a currency and network
    /// Cryptomus offers and has available, an amount within their limits. `is_subtract` is
    /// `true` unless the request takes the fee from the amount ([`payout_core::FeeFrom`]);
    /// `url_callback` is the request's callback URL.
    ///
    /// Cryptomus answers a create whose `order_id` it holds with that payout and creates nothing,
    /// so a lost answer ([`PayoutError::OutcomeUnknown`]) is recovered by sending the same
    /// create again, which [`PayoutProviderExt::submit`](payout_core::PayoutProviderExt::submit)
    /// does at once.
    async fn create_withdrawal(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let result = self.create(request).await.map_err(|e| self.scrub(e));
        payout_core::log_create!("payout::cryptomus", request.reference(), &result, created: "payout created", unknown: "create outcome unknown: send the same create again (Cryptomus replays it)");
        result
    }

    /// `POST /payout/info` with `uuid`; an answer saying there is no such payout is
    /// [`PayoutError::NotFound`].
    async fn get_withdrawal(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        self.get(id).await.map_err(|e| self.scrub(e))
    }

    /// `POST /payout/info` with `order_id`. `None` only when Cryptomus says there is no such
    /// payout (HTTP 404, or a message naming a payout not found); any other refusal is an error.
    /// A reference longer than 32 characters (Cryptomus's info reads no more) is refused before
    /// sending with [`PayoutError::InvalidRequest`].
    async fn find_withdrawal(&self, reference: &Reference) -> Result<Option<Withdrawal>, PayoutError> {
        self.find(reference).await.map_err(|e| self.scrub(e))
    }

    /// `POST /payout/list`, paged by cursor (`?cursor=`, from [`ListQuery::cursor`]; the next
    /// one in [`Page::next_cursor`]). The history takes no filters: ids, references, transaction
    /// hashes and statuses are applied to each page here, and a page they leave empty is read
    /// past. The page size is Cryptomus's own; `limit` is not sent.
    async fn list_withdrawals(&self, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        self.list(query).await.map_err(|e| self.scrub(e))
    }

    /// Verifies the `sign` inside the body (the headers carry none) and reads the payout.
    fn parse_webhook(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        let _ = headers;
        self.inner.webhooks.parse(body)
    }
}

impl fmt::Debug for CryptomusClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CryptomusClient {{ base_url: {:?}, merchant: \"[REDACTED]\", payout_key: \"[REDACTED]\", services_check: {} }}",
            self.inner.base_url.as_str(),
            self.inner.services_check
        )
    }
}
