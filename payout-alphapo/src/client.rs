//! [`AlphaPoClient`]: signed requests to AlphaPo behind [`PayoutProvider`].

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use payout_core::http::{HttpClient, HttpResponse, Outgoing, Safety};
use payout_core::{
    Capabilities, Capability, ListQuery, Page, PayoutError, PayoutProvider, ProviderId, RawJson, Reference, Withdrawal,
    WithdrawalId, WithdrawalRequest, WithdrawalUpdate,
};
use secrecy::ExposeSecret;
use url::Url;

use crate::config::AlphaPoConfig;
use crate::mapping::{self, PROVIDER_ID};
use crate::signing::Signer;
use crate::webhook::WebhookVerifier;
use crate::wire::{Created, CreatedText, CreatedWithdrawal, Lookup, Transaction};

/// [`KEY_HEADER`](crate::signing::KEY_HEADER) and [`SIGNATURE_HEADER`](crate::signing::SIGNATURE_HEADER)
/// as header names, made once (a name given as text is parsed, and lowercased into a new
/// allocation, on every request).
const KEY: HeaderName = HeaderName::from_static("x-processing-key");
const SIGNATURE: HeaderName = HeaderName::from_static("x-processing-signature");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// An AlphaPo account behind the [`PayoutProvider`] trait. Cheap to clone (one shared
/// connection pool); `Debug` never shows the key or the secret.
///
/// - create: `POST /withdrawal/crypto`, sent once: a lost answer is
///   [`PayoutError::OutcomeUnknown`] (use [`payout_core::PayoutProviderExt::submit`] to reconcile);
/// - get and find: `GET /transactions/info` with a signed JSON body, retried with backoff;
/// - callbacks: [`PayoutProvider::parse_webhook`] verifies and reads them;
/// - listing: AlphaPo has none, so it is [`PayoutError::Unsupported`].
#[derive(Clone)]
pub struct AlphaPoClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    base_url: Url,
    create_url: Url,
    info_url: Url,
    key: HeaderValue,
    signer: Signer,
    webhooks: WebhookVerifier,
}

impl AlphaPoClient {
    /// Starts a configuration that ends in a client: `AlphaPoClient::builder().api_key(..)
    /// .api_secret(..).build()`.
    pub fn builder() -> crate::AlphaPoBuilder {
        AlphaPoConfig::builder()
    }

    /// A client with this configuration.
    pub fn new(config: AlphaPoConfig) -> Result<Self, PayoutError> {
        let http = HttpClient::new(PROVIDER_ID, &config.http)?;
        let mut key = HeaderValue::from_str(config.api_key.expose_secret().trim()).map_err(|_| {
            PayoutError::configuration(
                "the AlphaPo API key holds characters an HTTP header cannot carry; copy it again from the dashboard",
            )
        })?;
        key.set_sensitive(true);
        let endpoint = |path: &str| {
            Url::parse(&format!("{}{path}", config.base_url.as_str().trim_end_matches('/')))
                .map_err(|e| PayoutError::configuration(format!("cannot form the AlphaPo URL for {path}: {e}")))
        };
        Ok(Self {
            inner: Arc::new(Inner {
                create_url: endpoint("/withdrawal/crypto")?,
                info_url: endpoint("/transactions/info")?,
                base_url: config.base_url.clone(),
                key,
                signer: Signer::new(&config.api_secret),
                webhooks: WebhookVerifier::from_signer(
                    Signer::new(&config.api_secret),
                    secrecy::SecretString::from(config.api_key.expose_secret().trim()),
                ),
                http,
            }),
        })
    }

    /// A client configured from `ALPHAPO_API_KEY`, `ALPHAPO_API_SECRET` and `ALPHAPO_BASE_URL`.
    pub fn from_env() -> Result<Self, PayoutError> {
        Self::new(AlphaPoConfig::from_env()?)
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// A callback verifier with this client's secret and key.
    pub fn webhooks(&self) -> WebhookVerifier {
        self.inner.webhooks.clone()
    }

    /// Signs `body` once and sends exactly those bytes, with `X-Processing-Key`,
    /// `X-Processing-Signature` and `Content-Type: application/json`.
    /// The answer is read by `read` ([`HttpClient::send_and_read`]: on a create, what `read`
    /// refuses of a 2xx answer is outcome-unknown).
    async fn send<T>(
        &self,
        method: Method,
        url: &Url,
        body: Vec<u8>,
        safety: &Safety,
        read: impl FnOnce(&HttpResponse) -> Result<T, PayoutError>,
    ) -> Result<T, PayoutError> {
        let signature = self
            .inner
            .signer
            .sign_header(&body)
            .map_err(|_| PayoutError::configuration("the signature is not a valid header value"))?;
        let outgoing = Outgoing::new(method, url)
            .header(header::CONTENT_TYPE, JSON)
            .header(KEY, self.inner.key.clone())
            .header(SIGNATURE, signature)
            .body(body);
        self.inner.http.send_prepared_and_read(safety, &outgoing, read).await
    }

    /// `POST /withdrawal/crypto`, sent once.
    async fn create(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let body = mapping::create_body(request)?;
        let reference = request.reference();
        let safety = Safety::Create(reference.clone());
        self.send(Method::POST, &self.inner.create_url, body, &safety, |response| {
            if !response.is_success() {
                return Err(mapping::refusal(response, Some(reference)));
            }
            // One pass keeps `data`'s text; a body it refuses is read as before, for the same error.
            let kept = serde_json::from_slice::<CreatedText<'_>>(&response.body)
                .ok()
                .and_then(|envelope| RawJson::decode::<CreatedWithdrawal>(envelope.data.to_owned()));
            let (created, raw) = match kept {
                Some(kept) => kept,
                None => (response.json::<Created>(&Safety::Read)?.data, RawJson::default()),
            };
            if let Some(echoed) = &created.foreign_id
                && echoed.as_str() != reference.as_str()
            {
                return Err(PayoutError::protocol(
                    format!("AlphaPo answered for foreign_id `{echoed}` instead of `{reference}`"),
                    Some(response.status),
                    &response.body,
                ));
            }
            Ok(mapping::from_created(&created, raw, request))
        })
        .await
    }

    /// `GET /transactions/info`: `Ok(None)` only when AlphaPo says there is no such withdrawal.
    ///
    /// An answer that cannot say so is [`PayoutError::Protocol`], never `None` (a lookup by
    /// reference would conclude the reference is free, and `submit` would create the payout
    /// again): a 404 whose body is not AlphaPo's `{"errors":{..}}`/`{"error":..}` shape, an object
    /// that is not a transaction (a `{"data": {...}}`-wrapped answer, an object without `id` and
    /// `status`), and, for a lookup by `foreign_id`, a transaction whose `foreign_id` is missing or
    /// another, or that is not a withdrawal (AlphaPo finds only withdrawals by `foreign_id`).
    async fn lookup(&self, lookup: Lookup<'_>) -> Result<Option<Withdrawal>, PayoutError> {
        let body = serde_json::to_vec(&lookup)
            .map_err(|e| PayoutError::invalid_field("lookup", format!("cannot be written: {e}")))?;
        let url = &self.inner.info_url;
        self.send(Method::GET, url, body, &Safety::Read, |response| Self::read_lookup(lookup, response)).await
    }

    /// What a lookup's answer says; see [`lookup`](Self::lookup).
    fn read_lookup(lookup: Lookup<'_>, response: &HttpResponse) -> Result<Option<Withdrawal>, PayoutError> {
        if response.status == 404 {
            return mapping::not_found(response).map(|()| None);
        }
        if !response.is_success() {
            return Err(mapping::refusal(response, None));
        }
        let (tx, raw) = match RawJson::decode_slice::<Transaction>(&response.body) {
            Some(kept) => kept,
            None => (response.json::<Transaction>(&Safety::Read)?, RawJson::default()),
        };
        let protocol = |message: String| PayoutError::protocol(message, Some(response.status), &response.body);
        if let Lookup::ForeignId(asked) = lookup {
            match tx.foreign_id.as_ref().map(|f| f.as_str()) {
                Some(echoed) if echoed == asked => {}
                Some(echoed) => {
                    return Err(protocol(format!(
                        "asked for foreign_id `{asked}`, AlphaPo answered with transaction {} of foreign_id `{echoed}`",
                        tx.id.as_str()
                    )));
                }
                None => {
                    return Err(protocol(format!(
                        "asked for foreign_id `{asked}`, AlphaPo answered with transaction {} without a foreign_id; it cannot be taken for the one asked about, nor as its absence",
                        tx.id.as_str()
                    )));
                }
            }
            if mapping::not_a_withdrawal(tx.kind.as_deref()) {
                return Err(protocol(format!(
                    "asked for the withdrawal of foreign_id `{asked}`, AlphaPo answered with a transaction of type `{}`, which a lookup by foreign_id does not return",
                    tx.kind.as_deref().unwrap_or_default()
                )));
            }
        } else if mapping::not_a_withdrawal(tx.kind.as_deref()) {
            // A deposit or an exchange with this id: there is no withdrawal of that id.
            return Ok(None);
        }
        Ok(Some(mapping::from_transaction(&tx, raw)))
    }
}

impl fmt::Debug for AlphaPoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The keys are never shown, set or not.
        write!(
            f,
            "AlphaPoClient {{ base_url: {:?}, api_key: \"[REDACTED]\", api_secret: \"[REDACTED]\" }}",
            self.inner.base_url.as_str()
        )
    }
}

#[async_trait]
impl PayoutProvider for AlphaPoClient {
    fn id(&self) -> ProviderId {
        PROVIDER_ID
    }

    /// Create, get, find, callbacks, conversion (both forms), tags and travel-rule data; no
    /// listing.
    fn capabilities(&self) -> Capabilities {
        Capabilities::all().without(Capability::List).without(Capability::IdempotentCreate)
    }

    /// A create's answer always says `processing`; a withdrawal over the merchant's limits
    /// then waits for review (`pending`). See [`mapping::status_rules`].
    fn status_rules(&self) -> payout_core::receiver::Rules {
        mapping::status_rules()
    }

    async fn create_withdrawal(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let result = self.create(request).await;
        payout_core::log_create!("payout::alphapo", request.reference(), &result, created: "withdrawal created", unknown: "create outcome unknown: reconcile by reference");
        result
    }

    async fn get_withdrawal(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        let numeric = mapping::numeric_id(id)?;
        let found = self
            .lookup(Lookup::Id(numeric))
            .await?
            .ok_or_else(|| PayoutError::NotFound { what: format!("AlphaPo withdrawal {id}") })?;
        // Never hand back another withdrawal than the one asked for.
        if found.id.as_str().trim().parse::<u64>().ok() != Some(numeric) {
            return Err(PayoutError::protocol(
                format!("asked for withdrawal {numeric}, AlphaPo answered with {}", found.id),
                Some(200),
                found.raw.to_string().as_bytes(),
            ));
        }
        Ok(found)
    }

    /// `GET /transactions/info` by `foreign_id`: `None` only on AlphaPo's documented 404; an
    /// answer about another `foreign_id`, or without one, is [`PayoutError::Protocol`].
    async fn find_withdrawal(&self, reference: &Reference) -> Result<Option<Withdrawal>, PayoutError> {
        self.lookup(Lookup::ForeignId(reference.as_str())).await
    }

    async fn list_withdrawals(&self, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        let _ = query;
        Err(PayoutError::unsupported(
            PROVIDER_ID,
            "listing withdrawals (AlphaPo has no listing endpoint: look withdrawals up by id or reference, or follow callbacks)",
        ))
    }

    fn parse_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        self.inner.webhooks.parse(headers, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::{KEY_HEADER, SIGNATURE_HEADER};

    #[test]
    fn header_names_are_the_documented_ones() {
        assert_eq!(KEY, HeaderName::from_bytes(KEY_HEADER.as_bytes()).unwrap());
        assert_eq!(SIGNATURE, HeaderName::from_bytes(SIGNATURE_HEADER.as_bytes()).unwrap());
    }
}
