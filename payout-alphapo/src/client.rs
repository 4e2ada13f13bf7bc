//! [`AlphaPoClient`]: signed requests to AlphaPo behind [`PayoutProvider`].

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, header};
use payout_core::http::{HttpClient, HttpResponse, Safety};
use payout_core::{
    Capabilities, Capability, ListQuery, Page, PayoutError, PayoutProvider, ProviderId, RawJson, Reference, Withdrawal,
    WithdrawalId, WithdrawalRequest, WithdrawalUpdate,
};
use secrecy::ExposeSecret;
use url::Url;

use crate::answer;
use crate::config::AlphaPoConfig;
use crate::mapping::{self, PROVIDER_ID};
use crate::signing::{KEY_HEADER, SIGNATURE_HEADER, Signer};
use crate::webhook;
use crate::wire::{Created, CreatedWithdrawal, Lookup, Transaction};

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
    api_key: secrecy::SecretString,
    signer: Signer,
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
                api_key: secrecy::SecretString::from(config.api_key.expose_secret().trim()),
                key,
                signer: Signer::new(&config.api_secret),
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

    /// Signs `body` once and sends exactly those bytes, with `X-Processing-Key`,
    /// `X-Processing-Signature` and `Content-Type: application/json`.
    async fn send(
        &self,
        method: Method,
        url: &Url,
        body: Vec<u8>,
        safety: &Safety,
    ) -> Result<HttpResponse, PayoutError> {
        let mut signature = HeaderValue::from_str(&self.inner.signer.sign(&body))
            .map_err(|_| PayoutError::configuration("the signature is not a valid header value"))?;
        signature.set_sensitive(true);
        let body = Bytes::from(body);
        let inner = &self.inner;
        inner
            .http
            .send(safety, |client| {
                client
                    .request(method.clone(), url.clone())
                    .header(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))
                    .header(KEY_HEADER, inner.key.clone())
                    .header(SIGNATURE_HEADER, signature.clone())
                    .body(body.clone())
            })
            .await
    }

    /// `POST /withdrawal/crypto`, sent once.
    async fn create(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let body = mapping::create_body(request)?;
        let reference = request.reference();
        let safety = Safety::Create(reference.clone());
        let response = self.send(Method::POST, &self.inner.create_url, body, &safety).await?;
        if !response.is_success() {
            return Err(map_error(&response, Some(reference)));
        }
        // One pass keeps `data`'s text; a body it refuses is read as before, for the same error.
        let (created, raw) = match answer::kept_data::<CreatedWithdrawal>(&response.body) {
            Some(kept) => kept,
            None => (response.json::<Created>(&safety)?.data, RawJson::default()),
        };
        if let Some(echoed) = &created.foreign_id
            && echoed.as_str() != reference.as_str()
        {
            return Err(safety.after_acted(PayoutError::protocol(
                format!("AlphaPo answered for foreign_id `{echoed}` instead of `{reference}`"),
                Some(response.status),
                &response.body,
            )));
        }
        Ok(mapping::from_created(&created, raw, request))
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
        let response = self.send(Method::GET, url, body, &Safety::Read).await?;
        if response.status == 404 {
            return not_found(&response).map(|()| None);
        }
        if !response.is_success() {
            return Err(map_error(&response, None));
        }
        let (tx, raw) = match answer::kept::<Transaction>(&response.body) {
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

/// A 404 of `/transactions/info` means "no such transaction" only when its body is AlphaPo's
/// documented error (`{"errors":{"id":"Transaction not found."}}`, or the `{"error": ..}` of
/// its other refusals). Anything else (an empty body, an HTML page from a proxy or a wrong base
/// URL, a transaction object, the documented "more than one param" refusal) does not say the
/// withdrawal is absent.
fn not_found(response: &HttpResponse) -> Result<(), PayoutError> {
    let body = serde_json::from_slice::<serde_json::Value>(&response.body).ok();
    let documented = body.as_ref().and_then(serde_json::Value::as_object).is_some_and(|o| {
        let errors = matches!(o.get("errors"), Some(serde_json::Value::Object(_)))
            || matches!(o.get("error"), Some(serde_json::Value::String(_)));
        let transaction = ["id", "status", "data", "foreign_id"].iter().any(|k| o.contains_key(*k));
        errors && !transaction
    });
    let text = String::from_utf8_lossy(&response.body).to_ascii_lowercase();
    if documented && !text.contains("more than one param") {
        return Ok(());
    }
    Err(PayoutError::protocol(
        "AlphaPo answered 404 without its \"transaction not found\" error body, so the withdrawal cannot be taken as absent; check ALPHAPO_BASE_URL",
        Some(404),
        &response.body,
    ))
}

impl fmt::Debug for AlphaPoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlphaPoClient")
            .field("base_url", &self.inner.base_url.as_str())
            .field("api_key", &"[REDACTED]")
            .field("api_secret", &"[REDACTED]")
            .finish()
    }
}

/// Maps an AlphaPo refusal to an error category.
///
/// - 403 `{"error","code"}` (bad or missing key or signature): authentication, with AlphaPo's
///   words and code. AlphaPo also answers `required_header_key` for an unknown path, so the
///   message mentions the base URL.
/// - 400 `{"errors":{field: message}}`: rejected, each field message kept; on a create, a
///   `foreign_id` that "has already been taken" is a duplicate reference.
/// - 400 `{"error":"Bad content format","code":"bad_content_format"}`: rejected with that code
///   (nothing was created; it means the body was not JSON, which this crate never sends).
/// - 404 not found, 429 rate limited, 5xx unavailable: the shared default mapping.
pub(crate) fn map_error(response: &HttpResponse, reference: Option<&Reference>) -> PayoutError {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(&response.body).ok();
    let text = |k: &str| parsed.as_ref().and_then(|v| v.get(k)).and_then(|v| v.as_str()).map(str::to_owned);
    match response.status {
        403 => {
            let words = text("error").unwrap_or_else(|| "access refused".into());
            let code = text("code");
            let hint = match code.as_deref() {
                Some("bad_header_signature" | "required_header_signature") => {
                    "check ALPHAPO_API_SECRET (the signature is HMAC-SHA512 of the body with it)"
                }
                Some("required_header_key") => {
                    "check ALPHAPO_API_KEY and the base URL (AlphaPo answers this for an unknown path too)"
                }
                _ => "check ALPHAPO_API_KEY and ALPHAPO_API_SECRET (sandbox and production keys differ)",
            };
            let message = match code {
                Some(c) => format!("{words} ({c}); {hint}"),
                None => format!("{words}; {hint}"),
            };
            PayoutError::Authentication { message, status: Some(403) }
        }
        400 => {
            let errors = parsed.as_ref().map(payout_core::http::field_errors).unwrap_or_default();
            if let Some(reference) = reference
                && errors
                    .iter()
                    .any(|e| e.field == "foreign_id" && e.message.to_ascii_lowercase().contains("already been taken"))
            {
                return PayoutError::DuplicateReference { reference: reference.clone() };
            }
            let code = text("error_code").or_else(|| text("code"));
            let message = text("error").unwrap_or_else(|| {
                if errors.is_empty() {
                    "AlphaPo refused the request".into()
                } else {
                    "AlphaPo refused these fields".into()
                }
            });
            PayoutError::Rejected { message, errors, code, status: Some(400) }
        }
        _ => response.error(),
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
        Capabilities::all().without(Capability::List)
    }

    /// A create's answer always says `processing`; a withdrawal over the merchant's limits
    /// then waits for review (`pending`). See [`mapping::status_rules`].
    fn status_rules(&self) -> payout_core::receiver::Rules {
        mapping::status_rules()
    }

    async fn create_withdrawal(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let result = self.create(request).await;
        match &result {
            Ok(w) => {
                tracing::debug!(target: "payout::alphapo", reference = %request.reference(), id = %w.id, status = %w.provider_status, "withdrawal created")
            }
            Err(e @ PayoutError::OutcomeUnknown { .. }) => {
                tracing::warn!(target: "payout::alphapo", reference = %request.reference(), error = %e, "create outcome unknown: reconcile by reference")
            }
            Err(e) => {
                tracing::debug!(target: "payout::alphapo", reference = %request.reference(), kind = %e.kind(), "create refused")
            }
        }
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
        webhook::verify(&self.inner.signer, self.inner.api_key.expose_secret().as_bytes(), headers, body)?;
        webhook::parse(body)
    }
}
