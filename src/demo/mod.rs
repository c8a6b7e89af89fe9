//! An embedded demo of the BotPenguin v7 inbox API, served over real HTTP on loopback.
//!
//! It is what a new user runs before they have a token, and what every test talks to, so it
//! reproduces the contract (`docs/api-contract.md`) over a seeded, deliberately messy data set of
//! realistically heavy contacts, and can reproduce what a live account does to a client: latency,
//! a real rate limit, injected 429s and 500s, truncated bodies, 200s without a contact list,
//! compressed responses, and contacts moving to page 1 as they get new messages.

mod dataset;
mod faults;
mod filter;
mod hostile;
mod live;
mod vocabulary;
mod writes;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::compression::CompressionLayer;

pub use dataset::Dataset;
use faults::{Dice, FaultSeed};
use filter::{ContactQuery, Reading};
use live::Moves;
pub use writes::StatusChange;
use writes::StatusOverlay;

/// The token the demo server accepts unless configured otherwise.
pub const DEFAULT_TOKEN: &str = "demo-token";
/// Where the demo's stand-in for the web panel shows a contact, `{id}` standing for its id.
pub const PANEL_PATH: &str = "/panel/contacts/{id}";
/// Contacts per page, as the live API serves them.
pub const PAGE_SIZE: usize = 50;
/// Agents per page of `GET /custom-user?ispagination=true`. Guess: the doc does not say; ten is
/// few enough that the demo's agents need two pages.
const AGENTS_PAGE_SIZE: usize = 10;

const UNAUTHORIZED_MESSAGE: &str = "Unauthorized: invalid or missing API token";

/// How to run the demo server, including how badly it should misbehave.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    pub contacts: usize,
    pub seed: u64,
    pub token: String,
    /// Added to every response.
    pub latency: Duration,
    /// Probability (0..=1) of an injected 500.
    pub fail_rate: f64,
    /// Probability (0..=1) of an injected 429 with `Retry-After`.
    pub rate_limit_rate: f64,
    /// Probability (0..=1) that a 2xx body is cut to about half.
    pub truncate_rate: f64,
    /// Value sent in `Retry-After` on injected 429s.
    pub retry_after_secs: u64,
    /// Contacts a second that get a new message and so move to page 1, chosen at random over the
    /// whole data set, the way a live inbox changes under a client that is paging through it.
    /// A move changes only `lastMessage` (not who sent it), `updatedAt` and the unread counts,
    /// so it never changes which filters a contact matches. `0` keeps the data still.
    pub live_rate: f64,
    /// A real rate limit: requests a second, from a token bucket holding one second's worth
    /// (at least one token). Every authorised request takes a token; without one the answer is
    /// a 429 whose `Retry-After` says when the next token comes. `None` means no limit.
    pub rate_limit: Option<f64>,
    /// With `rate_limit`, every answer says the limit the IETF drafts' way:
    /// `RateLimit-Policy: N;w=1`, `RateLimit-Remaining` (whole tokens left) and
    /// `RateLimit-Reset` (whole seconds until the next token). Off, the limit is unannounced,
    /// as the platform's is.
    pub rate_limit_headers: bool,
    /// Probability (0..=1) that a successful `/inbox/users` answer is a 200 with
    /// `success: true` but no contact list (`data` null, missing or an object), the way a
    /// misbehaving gateway answers; a client must take it for an error, not for the end.
    pub broken_data_rate: f64,
    /// Reads the body as the newest doc says, "every field is required": a missing key is a 400
    /// (one message per key), `null` is a wrong type, and an unknown `status` or `lastMessageBy`
    /// value is refused. Off, a missing or `null` key is a filter that is off and an unknown
    /// value matches no contact, as published clients show the platform reads partial bodies.
    pub strict_body: bool,
    /// Applies `isOnline`, `userInteracted`, `isLiveChatActive` and `hasOrdered` whether or not
    /// `applicableFilters` lists them. Off (the default), a boolean filter applies only when its
    /// key is listed, as the doc's only sample reads, so a client that forgets to list one finds
    /// its filter ignored here, as it may be on a live account. `isContact` applies either way.
    pub apply_unlisted_booleans: bool,
    /// Hostile mode (see `hostile.rs`): a quarter of the contacts carry terminal escapes,
    /// spreadsheet formulas, bidi and invisible characters, a few a lone surrogate or bytes that
    /// are not UTF-8; every error reply's message carries escapes.
    pub hostile: bool,
    /// Answers every write with 403, as the platform answers a token without write permission
    /// (its wording is unknown; the demo's says why).
    pub read_only: bool,
    /// Seeds the injected faults (500s, 429s, cut-short and broken pages): the n-th receipt of
    /// the same request meets the same faults under the same seed, so a failure can be replayed.
    /// `None` picks one at random; [`DemoServer::fault_seed`] tells which.
    pub fault_seed: Option<u64>,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            contacts: 5000,
            seed: 42,
            token: DEFAULT_TOKEN.to_owned(),
            latency: Duration::ZERO,
            fail_rate: 0.0,
            rate_limit_rate: 0.0,
            truncate_rate: 0.0,
            retry_after_secs: 1,
            live_rate: 0.0,
            rate_limit: None,
            rate_limit_headers: false,
            broken_data_rate: 0.0,
            strict_body: false,
            apply_unlisted_booleans: false,
            hostile: false,
            read_only: false,
            fault_seed: None,
        }
    }
}

/// A running demo server. Dropping it also stops the server (without waiting); prefer
/// [`DemoServer::shutdown`].
pub struct DemoServer {
    addr: SocketAddr,
    token: String,
    state: Shared,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl DemoServer {
    /// Binds config.addr, generates the data set, spawns the server on the current tokio runtime,
    /// returns once listening. A negative or non-finite `live_rate`, or a `rate_limit` that is
    /// not a positive finite number, is refused as `InvalidInput`.
    pub async fn start(config: DemoConfig) -> io::Result<DemoServer> {
        check_live_rate(config.live_rate)?;
        if let Some(rate) = config.rate_limit
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("rate limit {rate} is not a positive number of requests a second"),
            ));
        }
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let (contacts, seed) = (config.contacts, config.seed);
        let dataset = tokio::task::spawn_blocking(move || Dataset::generate(contacts, seed))
            .await
            .map_err(io::Error::other)?;
        let token = config.token.clone();
        let moves = Moves::new(
            dataset.len(),
            dataset.newest_last_message_at(),
            seed,
            config.live_rate,
        );
        let faults = FaultSeed::new(config.fault_seed.unwrap_or_else(rand::random));
        let state = Arc::new(AppState {
            dataset,
            faults,
            moves: RwLock::new(moves),
            bucket: config.rate_limit.map(TokenBucket::new),
            served: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            faulted: AtomicU64::new(0),
            writes_received: AtomicU64::new(0),
            statuses: StatusOverlay::default(),
            config,
        });
        let app = router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // A dropped sender means the `DemoServer` is gone: stop as well.
                    stopped.await.ok();
                })
                .await
        });
        let fault_seed = state.faults.seed();
        tracing::info!(%addr, contacts, seed, fault_seed, "demo server listening");
        Ok(DemoServer {
            addr,
            token,
            state,
            stop,
            task,
        })
    }

    /// How many live moves happened so far (a contact that moved twice counts twice), so a test
    /// or bench can wait for the data set to have changed. Applies the moves due by now first.
    pub fn moves(&self) -> u64 {
        let mut moves = self.state.moves_mut();
        moves.catch_up();
        moves.count()
    }

    /// Gives each contact of `ids` a new message now, in that order, so they move to page 1 as
    /// live moves do (and count in [`DemoServer::moves`]): a test can move the contacts it needs
    /// moved (the one whose time a snapshot keeps as its mark, say) where live mode draws them
    /// at random. Returns how many were moved; an id not in the data set is passed over.
    pub fn move_contacts(&self, ids: &[&str]) -> usize {
        let dataset = &self.state.dataset;
        let index: HashMap<String, u32> = (0..dataset.len())
            .filter_map(|at| Some((dataset.contact_id(at), u32::try_from(at).ok()?)))
            .collect();
        let mut moves = self.state.moves_mut();
        let mut moved = 0;
        for &at in ids.iter().filter_map(|id| index.get(*id)) {
            moves.move_now(at);
            moved += 1;
        }
        moved
    }

    /// Changes the live rate from now on (moves due at the old rate are applied first); `0`
    /// freezes the data set, so a test can page through it knowing nothing moves meanwhile.
    /// A negative or non-finite rate is refused as `InvalidInput`.
    pub fn set_live_rate(&self, rate: f64) -> io::Result<()> {
        check_live_rate(rate)?;
        self.state.moves_mut().set_rate(rate);
        Ok(())
    }

    /// Authorised requests let through by the rate limits (token bucket and injected 429s),
    /// whatever came of them after; with [`DemoServer::requests_refused`] this gives the share of
    /// requests refused.
    pub fn requests_served(&self) -> u64 {
        self.state.served.load(Ordering::Relaxed)
    }

    /// Authorised requests answered 429, by the token bucket or an injected refusal.
    pub fn requests_refused(&self) -> u64 {
        self.state.refused.load(Ordering::Relaxed)
    }

    /// Served requests answered with an injected 500 or a body cut short: a test that the
    /// client came through faults checks they happened here, since how many requests a clean
    /// run sends varies with how far past the end it reads ahead.
    pub fn requests_faulted(&self) -> u64 {
        self.state.faulted.load(Ordering::Relaxed)
    }

    /// Write requests received (`PUT`s), whatever came of them: refused, failed or applied. A
    /// dry run must leave this at 0.
    pub fn writes_received(&self) -> u64 {
        self.state.writes_received.load(Ordering::Relaxed)
    }

    /// Every status change writes applied, in order: a contact set to the status it already
    /// had is not a change, so a contact written twice to one status appears once.
    pub fn status_changes(&self) -> Vec<StatusChange> {
        self.state.statuses.log()
    }

    /// The seed of the injected faults, to replay a run with [`DemoConfig::fault_seed`].
    pub fn fault_seed(&self) -> u64 {
        self.state.faults.seed()
    }

    /// Base URL to configure a client with, e.g. `http://127.0.0.1:4242`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token clients must send.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Stops accepting connections, lets in-flight requests finish and waits for the server
    /// task, a bounded time: a client's idle keep-alive connection can hold a graceful shutdown
    /// open until the client drops it, and quitting must not wait on that.
    pub async fn shutdown(mut self) {
        self.stop.send(()).ok();
        match tokio::time::timeout(SHUTDOWN_GRACE, &mut self.task).await {
            Ok(Ok(Ok(()))) => tracing::debug!(addr = %self.addr, "demo server stopped"),
            Ok(Ok(Err(err))) => tracing::warn!(%err, "demo server stopped with an error"),
            Ok(Err(err)) => tracing::warn!(%err, "demo server task failed"),
            Err(_) => {
                self.task.abort();
                tracing::debug!(addr = %self.addr, "demo server stopped with connections open");
            }
        }
    }
}

/// How long a shutdown waits for open connections to finish.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

fn check_live_rate(rate: f64) -> io::Result<()> {
    if rate.is_finite() && rate >= 0.0 {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("live rate {rate} is not a number of contacts a second >= 0"),
        ))
    }
}

struct AppState {
    dataset: Dataset,
    faults: FaultSeed,
    /// Written only to apply due moves, briefly; read for as long as a page is searched.
    moves: RwLock<Moves>,
    bucket: Option<TokenBucket>,
    served: AtomicU64,
    refused: AtomicU64,
    /// Served requests answered with an injected 500 or a cut-short body.
    faulted: AtomicU64,
    writes_received: AtomicU64,
    /// Statuses changed by `PUT /inbox/users/status-update`.
    statuses: StatusOverlay,
    config: DemoConfig,
}

impl AppState {
    /// The overlay, even if a panicking request poisoned the lock: moves are applied one at a
    /// time, so a panic cannot leave it half-changed.
    fn moves_mut(&self) -> std::sync::RwLockWriteGuard<'_, Moves> {
        self.moves.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn moves(&self) -> std::sync::RwLockReadGuard<'_, Moves> {
        self.moves.read().unwrap_or_else(PoisonError::into_inner)
    }
}

type Shared = Arc<AppState>;

/// A token bucket refilled continuously at `rate` tokens a second, holding at most `capacity`.
struct TokenBucket {
    rate: f64,
    capacity: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    /// Starts full: one second's worth of requests, at least one.
    fn new(rate: f64) -> TokenBucket {
        let capacity = rate.max(1.0);
        TokenBucket {
            rate,
            capacity,
            state: Mutex::new((capacity, Instant::now())),
        }
    }

    /// Takes a token and says how many are left, or returns how many seconds until one is
    /// there.
    fn take(&self) -> Result<f64, f64> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (tokens, refilled) = &mut *state;
        let now = Instant::now();
        let refill = now.duration_since(*refilled).as_secs_f64() * self.rate;
        *tokens = (*tokens + refill).min(self.capacity);
        *refilled = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(*tokens)
        } else {
            Err((1.0 - *tokens) / self.rate)
        }
    }
}

fn router(state: Shared) -> Router {
    Router::new()
        .route("/inbox/users", post(list_contacts))
        .route("/inbox/users/status-update", put(status_update))
        .route("/custom-user", get(list_agents))
        .route("/inbox/segments", get(list_segments))
        .route("/whatsapp-automation", get(list_whatsapp_bots))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), faults))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            hostile_errors,
        ))
        // Outermost, so truncation cuts the JSON before it is compressed: a client asking for
        // gzip or br gets a complete compressed stream of a cut-short document, one without
        // gets a cut-short body with a matching Content-Length. Either way the JSON is broken.
        .layer(CompressionLayer::new())
        // The web panel is not the API: no token, no faults.
        .merge(Router::new().route(PANEL_PATH, get(panel_contact)))
        .with_state(state)
}

/// The API's envelope: always exactly `success`, `message`, `data` and `code`.
fn envelope(status: StatusCode, message: &str, data: Value) -> Response {
    let body = json!({
        "success": status.is_success(),
        "message": message,
        "data": data,
        "code": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

fn validation_failed(problems: Vec<String>) -> Response {
    envelope(
        StatusCode::BAD_REQUEST,
        "Validation failed",
        json!(problems),
    )
}

fn internal_error() -> Response {
    envelope(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal server error",
        json!([]),
    )
}

/// Latency, auth, the token bucket, then injected 429/500 before the handler and truncation
/// after it, in that order, so a test can tell which layer produced a failure.
async fn faults(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let config = &state.config;
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return envelope(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request body too large",
            json!([]),
        );
    };
    let mut dice = state.faults.dice(&[
        parts.method.as_str().as_bytes(),
        parts.uri.path().as_bytes(),
        parts.uri.query().unwrap_or("").as_bytes(),
        &body,
    ]);
    let mut request = Request::from_parts(parts, Body::from(body));
    if request.method() == axum::http::Method::PUT {
        state.writes_received.fetch_add(1, Ordering::Relaxed);
    }
    if !config.latency.is_zero() {
        tokio::time::sleep(config.latency).await;
    }
    if !authorized(request.headers(), &config.token) {
        // Deliberately no header values here: the received token must never reach a log.
        tracing::debug!(
            path = request.uri().path(),
            "demo: rejected unauthenticated request"
        );
        return envelope(StatusCode::UNAUTHORIZED, UNAUTHORIZED_MESSAGE, json!([]));
    }
    let taken = state.bucket.as_ref().map(TokenBucket::take);
    let announce = |mut response: Response| {
        if let (Some(bucket), Some(taken)) = (&state.bucket, taken)
            && config.rate_limit_headers
        {
            let (remaining, reset) = match taken {
                Ok(left) => (
                    left.floor(),
                    if left < 1.0 {
                        (1.0 - left) / bucket.rate
                    } else {
                        0.0
                    },
                ),
                Err(wait) => (0.0, wait),
            };
            let headers = response.headers_mut();
            let policy = format!("{};w=1", bucket.rate);
            for (name, value) in [
                ("ratelimit-policy", policy),
                ("ratelimit-remaining", format!("{remaining}")),
                ("ratelimit-reset", format!("{}", reset.ceil() as u64)),
            ] {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(name, value);
                }
            }
        }
        response
    };
    if let Some(Err(wait_secs)) = taken {
        state.refused.fetch_add(1, Ordering::Relaxed);
        // Whole seconds, rounded up so that a client honouring it finds a token; at least 1.
        let retry_after = wait_secs.ceil().max(1.0) as u64;
        return announce(too_many_requests(
            "Too many requests: rate limit exceeded",
            retry_after,
        ));
    }
    if dice.roll(config.rate_limit_rate) {
        state.refused.fetch_add(1, Ordering::Relaxed);
        return too_many_requests("Too many requests (injected)", config.retry_after_secs);
    }
    state.served.fetch_add(1, Ordering::Relaxed);
    if dice.roll(config.fail_rate) {
        state.faulted.fetch_add(1, Ordering::Relaxed);
        return envelope(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error (injected)",
            json!([]),
        );
    }
    let truncated = dice.roll(config.truncate_rate);
    request.extensions_mut().insert(dice);
    let response = next.run(request).await;
    if response.status().is_success() && truncated {
        state.faulted.fetch_add(1, Ordering::Relaxed);
        announce(truncate(response).await)
    } else {
        announce(response)
    }
}

fn too_many_requests(message: &str, retry_after_secs: u64) -> Response {
    let mut response = envelope(StatusCode::TOO_MANY_REQUESTS, message, json!([]));
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// `Authorization: Bearer <token>` with the configured token, and `authtype: Key`.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let key_auth = header("authtype").is_some_and(|v| v.trim().eq_ignore_ascii_case("key"));
    let bearer = header(AUTHORIZATION.as_str())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, received)| received.trim());
    key_auth && bearer == Some(token)
}

/// The largest request body read, axum's default limit for a body extractor.
const MAX_BODY: usize = 2 * 1024 * 1024;

/// A 200 whose body is the first half of the real one, with a matching `Content-Length`, the way
/// a dropped connection behind a proxy looks to a client.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            let cut = bytes.slice(..bytes.len() / 2);
            parts.status = StatusCode::OK;
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(cut.len()));
            Response::from_parts(parts, Body::from(cut))
        }
        Err(err) => {
            tracing::warn!(%err, "demo: could not buffer a response to truncate it");
            internal_error()
        }
    }
}

/// `POST /inbox/users`: one page of contacts matching the body's filters.
async fn list_contacts(
    State(state): State<Shared>,
    axum::Extension(mut dice): axum::Extension<Dice>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            return envelope(rejection.status(), &rejection.body_text(), json!([]));
        }
    };
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return validation_failed(vec!["body must be a JSON object".to_owned()]);
    };
    let broken_data_rate = state.config.broken_data_rate;
    let hostile = state.config.hostile;
    let reading = Reading {
        strict_body: state.config.strict_body,
        apply_unlisted_booleans: state.config.apply_unlisted_booleans,
    };
    // A search over a million records takes a while; keep it off the async workers, and so the
    // lock on the live overlay too.
    let page = tokio::task::spawn_blocking(move || {
        let query = ContactQuery::parse(&body, &state.dataset, reading)?;
        state.moves_mut().catch_up();
        let statuses = state.statuses.snapshot();
        Ok::<_, Vec<String>>(query.page(&state.dataset, &state.moves(), &statuses))
    })
    .await;
    match page {
        Ok(Ok(_)) if dice.roll(broken_data_rate) => broken_page(&mut dice),
        Ok(Ok(contacts)) if hostile => hostile_page(contacts),
        Ok(Ok(contacts)) => envelope(StatusCode::OK, "", Value::Array(contacts)),
        Ok(Err(problems)) => validation_failed(problems),
        Err(err) => {
            tracing::error!(%err, "demo: contact query panicked");
            internal_error()
        }
    }
}

/// `PUT /inbox/users/status-update`: see `writes.rs`.
async fn status_update(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match body {
        Ok(body) => writes::status_update(
            &state.dataset,
            &state.statuses,
            state.config.read_only,
            &body,
        ),
        Err(rejection) => envelope(rejection.status(), &rejection.body_text(), json!([])),
    }
}

/// A page whose contacts an attacker typed, serialised by hand: some hold text a
/// `serde_json::Value` cannot.
fn hostile_page(mut contacts: Vec<Value>) -> Response {
    contacts.iter_mut().for_each(hostile::disguise);
    let body = json!({ "success": true, "message": "", "data": contacts, "code": 200 });
    match serde_json::to_vec(&body) {
        Ok(bytes) => (
            StatusCode::OK,
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            hostile::break_text(bytes),
        )
            .into_response(),
        Err(err) => {
            tracing::error!(%err, "demo: a hostile page did not serialise");
            internal_error()
        }
    }
}

/// In hostile mode, every error reply's `message` (and each text in its `data`) carries
/// escapes, as text from whatever answers a request may.
async fn hostile_errors(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if !state.config.hostile || response.status().is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return internal_error();
    };
    let Ok(mut reply) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if let Some(message) = reply.get_mut("message") {
        *message = Value::from(hostile::error_message(message.as_str().unwrap_or("")));
    }
    if let Some(Value::Array(texts)) = reply.get_mut("data") {
        for text in texts.iter_mut().filter(|text| text.is_string()) {
            *text = Value::from(hostile::error_message(text.as_str().unwrap_or("")));
        }
    }
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(reply.to_string()))
}

/// A 200 that says `success: true` but holds no contact list: `data` null (most often), missing,
/// or an object.
fn broken_page(dice: &mut Dice) -> Response {
    let mut body = json!({ "success": true, "message": "", "data": null, "code": 200 });
    match dice.pick(4) {
        0 => {
            if let Some(fields) = body.as_object_mut() {
                fields.remove("data");
            }
        }
        1 => body["data"] = json!({}),
        _ => {}
    }
    (StatusCode::OK, Json(body)).into_response()
}

/// `GET /custom-user`: the agents whose name contains `searchText` (case-insensitive; all when
/// empty or absent), including the pick-list's entry without an `_id`. With `ispagination=true`,
/// page `page` (1-based, default 1) of [`AGENTS_PAGE_SIZE`], and an empty list past the end;
/// without it, all of them.
async fn list_agents(
    State(state): State<Shared>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let Ok(Query(params)) = query else {
        return validation_failed(vec!["query string is malformed".to_owned()]);
    };
    // `None` without pagination, when `page` is ignored.
    let page = match (
        params.get("ispagination").map(String::as_str),
        params.get("page").map(|p| p.parse::<usize>()),
    ) {
        (Some("true"), None) => Some(1),
        (Some("true"), Some(Ok(page))) if page >= 1 => Some(page),
        (Some("true"), Some(_)) => {
            return validation_failed(vec!["page must be an integer >= 1".to_owned()]);
        }
        _ => None,
    };
    let needle = params
        .get("searchText")
        .map(|s| s.trim().to_lowercase())
        .unwrap_or_default();
    let matching = state.dataset.agent_pick_list().into_iter().filter(|agent| {
        needle.is_empty()
            || agent["name"]
                .as_str()
                .is_some_and(|name| name.to_lowercase().contains(&needle))
    });
    let agents: Vec<Value> = match page {
        Some(page) => matching
            .skip((page - 1).saturating_mul(AGENTS_PAGE_SIZE))
            .take(AGENTS_PAGE_SIZE)
            .collect(),
        None => matching.collect(),
    };
    envelope(StatusCode::OK, "", Value::Array(agents))
}

/// `GET /inbox/segments`, including the pick-list's entry without an `_id`.
async fn list_segments(State(state): State<Shared>) -> Response {
    envelope(StatusCode::OK, "", json!(state.dataset.segment_pick_list()))
}

/// `GET /whatsapp-automation`.
async fn list_whatsapp_bots(State(state): State<Shared>) -> Response {
    envelope(
        StatusCode::OK,
        "",
        json!(state.dataset.whatsapp_bots_json()),
    )
}

/// The demo's stand-in for the platform's web panel, where `o` in the browser opens a
/// contact: a page naming it. Outside the API, so no token is asked for.
async fn panel_contact(
    State(state): State<Shared>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    // In hostile mode the panel shows the names the API serves, the attacker's.
    let found = state.dataset.index_of_id(&id).map(|index| {
        let mut contact = state.dataset.contact_json(index);
        if state.config.hostile {
            hostile::disguise(&mut contact);
        }
        contact
    });
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    match found {
        Some(contact) => {
            let name = contact
                .pointer("/profile/userDetails/name")
                .and_then(Value::as_str)
                .unwrap_or("(unnamed)");
            axum::response::Html(format!(
                "<!doctype html><title>{}</title><h1>{}</h1><p>Contact {} in the demo's web panel.</p>",
                escape(name),
                escape(name),
                escape(&id)
            ))
            .into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such contact").into_response(),
    }
}

async fn not_found() -> Response {
    envelope(StatusCode::NOT_FOUND, "Not found", json!([]))
}

async fn method_not_allowed() -> Response {
    envelope(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        json!([]),
    )
}
