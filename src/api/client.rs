//! The HTTP client: headers, timeouts, retries, and the four endpoints we use.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::body;
use super::error::transport_error;
use super::pace::{PaceStart, RateHints, SharedPace};
use super::response::{decode_envelope, decode_list};
use super::retry::parse_retry_after;
use super::{
    Agent, ApiError, Contact, DecodedPage, PageItem, Query, RetryPolicy, Segment,
    TYPICAL_PAGE_SIZE, Unusable, WhatsappBot, decode_contacts_page_named, decode_page_items_named,
};

/// BotPenguin's own host; white-label hosts serve the same API under other bases.
pub const DEFAULT_BASE_URL: &str = "https://api.v7.botpenguin.com";

/// An API token, and where it came from. Its `Debug` is redacted so it cannot leak through
/// logs or error reports.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    secret: String,
    origin: Option<String>,
}

impl Token {
    pub fn new(secret: impl Into<String>) -> Token {
        Token {
            secret: secret.into().trim().to_owned(),
            origin: None,
        }
    }

    /// Records where the token was read (`INBOX_TUI_TOKEN`, `profile "work"'s token_file
    /// ~/.config/...`), which a rejection names.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Token {
        self.origin = Some(origin.into());
        self
    }

    /// The secret itself, for the one header that needs it.
    pub fn expose(&self) -> &str {
        &self.secret
    }

    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The first and last two characters with the rest hidden, enough to tell two tokens apart;
    /// a token too short for that to hide most of it is hidden whole.
    pub fn masked(&self) -> String {
        let characters: Vec<char> = self.secret.chars().collect();
        if characters.len() < 12 {
            return "…".repeat(3);
        }
        let first: String = characters[..2].iter().collect();
        let last: String = characters[characters.len() - 2..].iter().collect();
        format!("{first}…{last}")
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Token([redacted])")
    }
}

/// What a client needs to know; `ClientConfig::new` fills in the documented defaults.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub token: Token,
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// How the account's pace starts: unknown, remembered from an earlier run, or set.
    pub pace: PaceStart,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, token: Token) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            token,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            pace: PaceStart::Unknown,
        }
    }
}

/// A failed attempt that will be retried after `wait`.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryNotice {
    pub failed_attempt: u32,
    pub wait: Duration,
    pub error: ApiError,
}

/// One page of contacts as fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// 1-based.
    pub number: u32,
    pub contacts: Vec<Contact>,
    /// Values in the page's `data` that are not contacts (not objects), left out of `contacts`
    /// and named in the log.
    pub unreadable: usize,
    /// Wall time of the fetch, retries included.
    pub elapsed: Duration,
}

impl Page {
    /// A short page probably is the last; only an empty one proves it.
    pub fn looks_last(&self) -> bool {
        self.contacts.len() + self.unreadable < TYPICAL_PAGE_SIZE
    }
}

/// Logs, at debug level, which page a request body asks for and with which filters: only the
/// fields that filter, so the log reads `page=3 status=["OPEN"]`, not twenty empty fields.
/// Returns the page asked for, for the line that says how the request went.
fn log_request(body: &[u8]) -> Option<u64> {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return None;
    }
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    let filters: Vec<String> = fields
        .iter()
        .filter(|(name, value)| *name != "isExport" && filters_something(value))
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    tracing::debug!("POST /inbox/users {}", filters.join(" "));
    fields.get("page").and_then(Value::as_u64)
}

/// Whether a request field holds a filter: not `""`, `[]`, `false`, nor an object of those.
fn filters_something(value: &Value) -> bool {
    match value {
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Bool(on) => *on,
        Value::Object(fields) => fields.values().any(filters_something),
        Value::Null => false,
        Value::Number(_) => true,
    }
}

/// Pages of a paged pick-list read at most: 500 agents at 10 a page, and an end to a server
/// that keeps inventing new entries.
const MAX_PICK_LIST_PAGES: u32 = 50;

/// The most values that are not contacts a client remembers to name (the log names them all).
const MAX_UNUSABLE_KEPT: usize = 1000;

/// The values in pages' `data` that were not contacts, as a client met them: each named once
/// (a page fetched again is not counted twice), at most `MAX_UNUSABLE_KEPT` of them.
#[derive(Debug, Default)]
struct UnusableLog {
    kept: Vec<Unusable>,
    more: u64,
}

impl UnusableLog {
    fn record(&mut self, unusable: Unusable) {
        let seen = self
            .kept
            .iter()
            .any(|kept| kept.page == unusable.page && kept.position == unusable.position);
        if seen {
            return;
        }
        tracing::warn!("left out a value that is not a contact: {unusable}");
        if self.kept.len() < MAX_UNUSABLE_KEPT {
            self.kept.push(unusable);
        } else {
            self.more += 1;
        }
    }
}

/// The page number a request body asks for.
fn requested_page(body: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct PageOnly {
        page: Option<u64>,
    }
    serde_json::from_slice::<PageOnly>(body).ok()?.page
}

/// A client for one account on one host. Cheap to clone; clones share connections (and the
/// record of values that were not contacts).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    token: Token,
    retry: RetryPolicy,
    /// The one pace of this account, shared by every clone.
    pace: Arc<SharedPace>,
    unusable: std::sync::Arc<std::sync::Mutex<UnusableLog>>,
    /// `--offline`: every request fails with [`ApiError::Offline`] before anything is sent.
    offline: bool,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let base_url = parse_base_url(&config.base_url)?;
        let mut headers = HeaderMap::new();
        headers.insert("authtype", HeaderValue::from_static("Key"));
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static(body::ACCEPT_ENCODING),
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", config.token.expose()))
            .map_err(|_| ApiError::Unauthorized {
                token_origin: config.token.origin().map(str::to_owned),
                status: 0,
                message: "the token contains characters that cannot be sent in a header".into(),
            })?;
        authorization.set_sensitive(true);
        headers.insert(header::AUTHORIZATION, authorization);

        let mut builder = http_client_builder()
            .default_headers(headers)
            .user_agent(concat!("inbox-tui/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none());
        if is_loopback(&base_url) {
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|error| ApiError::InvalidBaseUrl {
            url: base_url.to_string(),
            reason: format!("the HTTP client could not be built: {error}"),
        })?;
        Ok(Client {
            http,
            base_url,
            token: config.token,
            pace: Arc::new(SharedPace::new(config.pace, config.retry.max_retry_after)),
            retry: config.retry,
            unusable: std::sync::Arc::default(),
            offline: false,
        })
    }

    /// A client for the account at `base_url` that sends nothing: `--offline` browses the
    /// snapshot, needs no token, and any request that would reach the network fails at once
    /// with [`ApiError::Offline`] instead.
    pub fn offline(base_url: &str) -> Result<Client, ApiError> {
        let client = Client::new(ClientConfig::new(base_url, Token::new("")))?;
        Ok(Client {
            offline: true,
            ..client
        })
    }

    /// Every value a page's `data` held that was not a contact and was left out, by page and
    /// position (and id when it had one), in the order met; and how many more there were than
    /// could be kept.
    pub fn unusable_contacts(&self) -> (Vec<Unusable>, u64) {
        match self.unusable.lock() {
            Ok(log) => (log.kept.clone(), log.more),
            Err(poisoned) => {
                let log = poisoned.into_inner();
                (log.kept.clone(), log.more)
            }
        }
    }

    /// Records the values of page `request`'s reply that were not contacts.
    fn note_unusable(&self, request: &[u8], unusable: Vec<Unusable>) {
        if unusable.is_empty() {
            return;
        }
        let page = requested_page(request);
        let mut log = match self.unusable.lock() {
            Ok(log) => log,
            Err(poisoned) => poisoned.into_inner(),
        };
        for mut one in unusable {
            one.page = page;
            log.record(one);
        }
    }

    /// How this client retries, for walks that run their own retries across many requests.
    /// The token the client sends, for `auth status` (its `Debug` is redacted).
    pub fn token(&self) -> &Token {
        &self.token
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// This client with its pace started afresh at `start` (before it is shared: clones made
    /// earlier keep the old pace).
    pub fn with_pace_start(mut self, start: PaceStart) -> Client {
        self.pace = Arc::new(SharedPace::new(start, self.retry.max_retry_after));
        self
    }

    /// The account's pace, shared by every request to it.
    pub fn pace(&self) -> &SharedPace {
        &self.pace
    }

    /// `host:port` of the base URL: what a learned pace is remembered by.
    pub fn host_key(&self) -> String {
        let host = self.base_url.host_str().unwrap_or_default();
        match self.base_url.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// The host this client talks to, for the status bar and messages.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// One page (1-based) of the contacts matching `query`, newest last message first.
    pub async fn fetch_page(&self, query: &Query, page: u32) -> Result<Page, ApiError> {
        self.fetch_page_observed(query, page, &|_| {}).await
    }

    /// `fetch_page`, telling `on_retry` before each back-off, so a UI can show a countdown.
    pub async fn fetch_page_observed(
        &self,
        query: &Query,
        page: u32,
        on_retry: &(dyn Fn(&RetryNotice) + Send + Sync),
    ) -> Result<Page, ApiError> {
        let started = Instant::now();
        let body = serde_json::to_vec(&query.page(page)).map_err(|error| ApiError::Decode {
            what: format!("the request could not be encoded: {error}"),
        })?;
        let _ = log_request(&body);
        let decoded = self
            .with_retries(on_retry, || async {
                let (status, bytes) = self
                    .send(
                        self.http
                            .post(self.endpoint("inbox/users"))
                            .body(body.clone()),
                        true,
                    )
                    .await?;
                decode_contacts_page_named(status, &bytes)
            })
            .await?;
        let (decoded, unusable) = decoded;
        self.note_unusable(&body, unusable);
        tracing::debug!(
            page,
            contacts = decoded.items.len(),
            ms = started.elapsed().as_millis() as u64,
            "page received"
        );
        Ok(Page {
            number: page,
            contacts: decoded.items,
            unreadable: decoded.skipped,
            elapsed: started.elapsed(),
        })
    }

    /// One attempt at one page, decoded as `T`s, and when it was sent (after its turn under
    /// the pace): walks over many pages run their own retries across all their requests.
    /// Errors are already redacted.
    pub async fn fetch_items_once<T: PageItem>(
        &self,
        body: &[u8],
    ) -> Result<(DecodedPage<T>, Instant), ApiError> {
        let request = self
            .http
            .post(self.endpoint("inbox/users"))
            .body(body.to_vec());
        let page = log_request(body);
        self.pace.admit(false).await;
        let started = Instant::now();
        // Decoding takes about a millisecond a page. Walks run each page as its own task, so
        // decoding here spreads over every core without a hand-off to a blocking thread.
        let decoded = self
            .exchange(request)
            .await
            .and_then(|(status, bytes)| decode_page_items_named::<T>(status, &bytes))
            .map(|(decoded, unusable)| {
                self.note_unusable(body, unusable);
                decoded
            })
            .map_err(|error| error.for_token(&self.token));
        match &decoded {
            Ok(decoded) => tracing::debug!(
                page,
                contacts = decoded.items.len(),
                ms = started.elapsed().as_millis() as u64,
                "page received"
            ),
            Err(error) => tracing::debug!(
                page,
                ms = started.elapsed().as_millis() as u64,
                %error,
                "page failed"
            ),
        }
        decoded.map(|decoded| (decoded, started))
    }

    /// One attempt at `PUT /inbox/users/status-update` with `body` (`{"ids": [...], "status":
    /// ...}`): the only documented write. Anything but a 2xx whose envelope says `success:
    /// true` is an error, a 200 with `success: false` included. Callers pace and retry (see
    /// `write/`). Errors are already redacted.
    pub async fn update_status_once(&self, body: &[u8]) -> Result<(), ApiError> {
        tracing::debug!(bytes = body.len(), "PUT /inbox/users/status-update");
        let started = Instant::now();
        let request = self
            .http
            .put(self.endpoint("inbox/users/status-update"))
            .body(body.to_vec());
        let result = self
            .send(request, false)
            .await
            .and_then(|(status, bytes)| {
                decode_envelope(status, &bytes, None)?;
                confirm_success(&bytes)
            })
            .map_err(|error| error.for_token(&self.token));
        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            ok = result.is_ok(),
            "status update answered"
        );
        result
    }

    /// The agents, for the agent filter: every page of `/custom-user`, until one is empty or
    /// brings no agent not seen already (a server that ignores `page` would repeat page 1).
    pub async fn agents(&self) -> Result<Vec<Agent>, ApiError> {
        let mut agents: Vec<Agent> = Vec::new();
        for page in 1..=MAX_PICK_LIST_PAGES {
            let fetched: Vec<Agent> = self
                .get_list(
                    "agents",
                    &format!("custom-user?page={page}&ispagination=true&searchText="),
                )
                .await?;
            let before = agents.len();
            for agent in fetched {
                if !agents.iter().any(|known| known.id == agent.id) {
                    agents.push(agent);
                }
            }
            if agents.len() == before {
                break;
            }
        }
        Ok(agents)
    }

    /// The saved segments, for the segment filter.
    pub async fn segments(&self) -> Result<Vec<Segment>, ApiError> {
        self.get_list("segments", "inbox/segments").await
    }

    /// The WhatsApp bots, the only channel whose bots can be listed by name.
    pub async fn whatsapp_bots(&self) -> Result<Vec<WhatsappBot>, ApiError> {
        self.get_list("WhatsApp bots", "whatsapp-automation").await
    }

    async fn get_list<T: DeserializeOwned>(
        &self,
        list: &str,
        path: &str,
    ) -> Result<Vec<T>, ApiError> {
        tracing::debug!("GET /{path}");
        let started = Instant::now();
        let data: Value = self
            .with_retries(&|_| {}, || async {
                let (status, bytes) = self.send(self.http.get(self.endpoint(path)), true).await?;
                decode_envelope(status, &bytes, None)
            })
            .await?;
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "{list} received");
        decode_list(list, data)
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url.as_str().trim_end_matches('/'))
    }

    /// Runs `attempt` until it succeeds, fails for good, or the policy gives up.
    async fn with_retries<T, F, Fut>(
        &self,
        on_retry: &(dyn Fn(&RetryNotice) + Send + Sync),
        mut attempt: F,
    ) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let mut attempts = 1;
        let mut waited_on_rate_limits = Duration::ZERO;
        loop {
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(error) => {
                    let error = error.for_token(&self.token);
                    let patient = self.retry.is_patient_wait(&error, waited_on_rate_limits);
                    let wait = if patient {
                        self.retry.retry_after(&error)
                    } else {
                        self.retry.delay_after(attempts, &error)
                    };
                    let Some(wait) = wait else {
                        return Err(error);
                    };
                    tracing::warn!(attempt = attempts, ?wait, %error, "retrying");
                    on_retry(&RetryNotice {
                        failed_attempt: attempts,
                        wait,
                        error: error.clone(),
                    });
                    tokio::time::sleep(wait).await;
                    if patient {
                        waited_on_rate_limits += wait;
                    } else {
                        attempts += 1;
                    }
                }
            }
        }
    }

    /// Sends one request, in its turn under the account's pace (a `foreground` one, which the
    /// user waits for, first), and reads the whole body. A status that is an error is not an
    /// `Err` here: the envelope decoder classifies it with the body's message. A 429 is
    /// classified here because only here is its `Retry-After` header visible; every reply's
    /// rate-limit headers go to the pace.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        foreground: bool,
    ) -> Result<(u16, bytes::Bytes), ApiError> {
        self.pace.admit(foreground).await;
        self.exchange(request).await
    }

    /// `send` for a request that already has its turn under the pace.
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(u16, bytes::Bytes), ApiError> {
        if self.offline {
            return Err(ApiError::Offline {
                what: "nothing is sent to the API; this needs the network (run without \
                       --offline)"
                    .into(),
            });
        }
        let sent = Instant::now();
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let hints = RateHints::from_headers(response.headers(), SystemTime::now());
        if status == 429 {
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| parse_retry_after(value, SystemTime::now()));
            self.pace.on_refused(sent, retry_after, &hints);
            return Err(ApiError::RateLimited { retry_after });
        }
        self.pace.on_accepted(sent, &hints);
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get(header::LOCATION)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .unwrap_or_else(|| "(no Location header)".into());
            return Err(ApiError::Redirected { status, location });
        }
        let encoding = response
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|value| value.to_str().unwrap_or("(not text)").to_owned());
        let bytes = body::decode_content(encoding.as_deref(), body::read_body(response).await?)?;
        Ok((status, bytes))
    }
}

/// A write's reply must say `success: true`: a 2xx that does not say so has not been shown to
/// have done anything.
fn confirm_success(bytes: &[u8]) -> Result<(), ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(reply) if reply.get("success") == Some(&Value::Bool(true)) => Ok(()),
        _ => Err(ApiError::Decode {
            what: "the reply to a write did not say \"success\": true, so the write is not \
                   known to have happened"
                .into(),
        }),
    }
}

fn parse_base_url(text: &str) -> Result<Url, ApiError> {
    let invalid = |reason: &str| ApiError::InvalidBaseUrl {
        url: text.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(text.trim())
        .map_err(|error| invalid(&format!("{error}; expected e.g. {DEFAULT_BASE_URL}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        let mut shown = url.clone();
        // Clearing them cannot fail on an http(s) URL with a host, which this one has.
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(ApiError::InvalidBaseUrl {
            url: shown.to_string(),
            reason: "it carries a user name or password (user@host), which would replace the \
                     token; remove them: the token goes in INBOX_TUI_TOKEN or the config"
                .into(),
        });
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("only http:// and https:// are supported"));
    }
    if url.host().is_none() {
        return Err(invalid("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok(url)
}

/// A reqwest builder whose TLS uses ring's cryptography. reqwest is built without a provider of
/// its own (see `Cargo.toml`), so every HTTP client of this crate, and of its tests, starts here.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    // Fails only when a provider is already installed, which is the state wanted.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// Whether `url` points at this machine. Loopback bases bypass proxies (a proxy cannot reach our
/// own loopback anyway) and may use plain http.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}
