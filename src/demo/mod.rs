//! An embedded demo of the BotPenguin v7 inbox API, served over real HTTP on loopback.
//!
//! It is what a new user runs before they have a token, and what every test talks to, so it
//! reproduces the contract (`/shared/api/README.md`) over a seeded, deliberately messy data set and
//! can inject the failures a live account produces: latency, 429s, 500s and truncated bodies.

mod dataset;
mod filter;
mod vocabulary;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use rand::Rng;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use dataset::Dataset;
use filter::ContactQuery;

/// The token the demo server accepts unless configured otherwise.
pub const DEFAULT_TOKEN: &str = "demo-token";
/// Contacts per page, as the live API serves them.
pub const PAGE_SIZE: usize = 50;

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
        }
    }
}

/// A running demo server. Dropping it also stops the server (without waiting); prefer
/// [`DemoServer::shutdown`].
pub struct DemoServer {
    addr: SocketAddr,
    token: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl DemoServer {
    /// Binds config.addr, generates the data set, spawns the server on the current tokio runtime,
    /// returns once listening.
    pub async fn start(config: DemoConfig) -> io::Result<DemoServer> {
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let (contacts, seed) = (config.contacts, config.seed);
        let dataset = tokio::task::spawn_blocking(move || Dataset::generate(contacts, seed))
            .await
            .map_err(io::Error::other)?;
        let token = config.token.clone();
        let app = router(Arc::new(AppState { dataset, config }));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // A dropped sender means the `DemoServer` is gone: stop as well.
                    stopped.await.ok();
                })
                .await
        });
        tracing::info!(%addr, contacts, seed, "demo server listening");
        Ok(DemoServer {
            addr,
            token,
            stop,
            task,
        })
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

    /// Stops accepting connections, lets in-flight requests finish and waits for the server task.
    pub async fn shutdown(self) {
        self.stop.send(()).ok();
        match self.task.await {
            Ok(Ok(())) => tracing::debug!(addr = %self.addr, "demo server stopped"),
            Ok(Err(err)) => tracing::warn!(%err, "demo server stopped with an error"),
            Err(err) => tracing::warn!(%err, "demo server task failed"),
        }
    }
}

struct AppState {
    dataset: Dataset,
    config: DemoConfig,
}

type Shared = Arc<AppState>;

fn router(state: Shared) -> Router {
    Router::new()
        .route("/inbox/users", post(list_contacts))
        .route("/custom-user", get(list_agents))
        .route("/inbox/segments", get(list_segments))
        .route("/whatsapp-automation", get(list_whatsapp_bots))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), faults))
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

/// Latency, auth, then injected 429/500 before the handler and truncation after it, in that
/// order, so a test can tell which layer produced a failure.
async fn faults(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let config = &state.config;
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
    if roll(config.rate_limit_rate) {
        let mut response = envelope(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests (injected)",
            json!([]),
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(config.retry_after_secs));
        return response;
    }
    if roll(config.fail_rate) {
        return envelope(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error (injected)",
            json!([]),
        );
    }
    let response = next.run(request).await;
    if response.status().is_success() && roll(config.truncate_rate) {
        truncate(response).await
    } else {
        response
    }
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

/// One fault die roll; any probability outside `0..=1` simply saturates.
fn roll(probability: f64) -> bool {
    probability > 0.0 && rand::rng().random::<f64>() < probability
}

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
    // A search over a million records takes a while; keep it off the async workers.
    let page = tokio::task::spawn_blocking(move || {
        ContactQuery::parse(&body, &state.dataset).map(|query| query.page(&state.dataset))
    })
    .await;
    match page {
        Ok(Ok(contacts)) => envelope(StatusCode::OK, "", Value::Array(contacts)),
        Ok(Err(problems)) => validation_failed(problems),
        Err(err) => {
            tracing::error!(%err, "demo: contact query panicked");
            internal_error()
        }
    }
}

/// `GET /custom-user`: all agents, or those whose name contains `searchText` (case-insensitive).
/// `page` and `ispagination` are accepted and ignored: there are only a handful of agents.
async fn list_agents(
    State(state): State<Shared>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let Ok(Query(params)) = query else {
        return validation_failed(vec!["query string is malformed".to_owned()]);
    };
    let needle = params
        .get("searchText")
        .map(|s| s.trim().to_lowercase())
        .unwrap_or_default();
    let agents: Vec<Value> = state
        .dataset
        .agents_json()
        .into_iter()
        .filter(|agent| {
            needle.is_empty()
                || agent["name"]
                    .as_str()
                    .is_some_and(|name| name.to_lowercase().contains(&needle))
        })
        .collect();
    envelope(StatusCode::OK, "", Value::Array(agents))
}

/// `GET /inbox/segments`.
async fn list_segments(State(state): State<Shared>) -> Response {
    envelope(StatusCode::OK, "", json!(state.dataset.segments_json()))
}

/// `GET /whatsapp-automation`.
async fn list_whatsapp_bots(State(state): State<Shared>) -> Response {
    envelope(
        StatusCode::OK,
        "",
        json!(state.dataset.whatsapp_bots_json()),
    )
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
