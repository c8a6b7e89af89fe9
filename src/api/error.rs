//! One error type for everything the API can do to us, shaped so a UI can act on each variant.

use std::time::Duration;

/// Where the user gets a token, repeated in every message about a rejected one.
const TOKEN_HINT: &str = "set INBOX_TUI_TOKEN to the API access token from the web panel \
(More → Developer → API Access Token); regenerating it there revokes the old one";

/// The base URL a redirect's target suggests: the target without the endpoint's own path.
fn suggested_base(location: &str) -> String {
    let trimmed = location.split(['?', '#']).next().unwrap_or(location);
    [
        "/inbox/users",
        "/custom-user",
        "/inbox/segments",
        "/whatsapp-automation",
    ]
    .iter()
    .find_map(|endpoint| trimmed.strip_suffix(endpoint))
    .unwrap_or(trimmed)
    .to_owned()
}

/// How to fix a rejected token, naming where it came from when that is known.
fn token_hint(origin: Option<&str>) -> String {
    match origin {
        None => TOKEN_HINT.to_owned(),
        Some(origin) => format!(
            "the token came from {origin}: put the API access token from the web panel (More → \
             Developer → API Access Token) there; regenerating it revokes the old one"
        ),
    }
}

/// What went wrong talking to the API. No variant ever holds the token or a response body.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 401/403: the token is wrong, missing or revoked. `token_origin` says where the client's
    /// token came from (`INBOX_TUI_TOKEN`, a profile's `token_file`), so the user fixes the
    /// right place.
    #[error("token rejected (HTTP {status}{}): {}", suffix(message), token_hint(token_origin.as_deref()))]
    Unauthorized {
        status: u16,
        message: String,
        token_origin: Option<String>,
    },

    /// 429: the caller should wait; `retry_after` is what the server asked for, if it said.
    #[error("rate limited by the API (HTTP 429{}): wait a moment and retry", match retry_after {
        Some(wait) => format!(", asked to wait {}s", wait.as_secs()),
        None => String::new(),
    })]
    RateLimited { retry_after: Option<Duration> },

    /// 5xx: the platform failed; retrying later may help.
    #[error(
        "server error (HTTP {status}{}): the platform is having trouble, try again later",
        suffix(message)
    )]
    Server { status: u16, message: String },

    /// No answer within the connect or request timeout.
    #[error("{what} timed out: check the network and the base URL, then retry")]
    Timeout { what: String },

    /// The connection failed or broke.
    #[error("could not reach the API ({what}): check the network and the base URL")]
    Network { what: String },

    /// `--offline`: the local snapshot answers instead of the API, and could not.
    #[error("offline: {what}")]
    Offline { what: String },

    /// The body arrived whole but is not what the contract says.
    #[error("could not understand the API's response: {what}")]
    Decode { what: String },

    /// A 2xx whose contact list is missing, `null` or not a list: a gateway or a bug answering
    /// 200. It is not the end of the list, so it is retried, and never taken for an empty page.
    #[error("the API sent a broken page: {what}")]
    BrokenPage { what: String },

    /// The body ended early, as when a connection drops mid-response.
    #[error("the API's response was cut short: {what}")]
    Truncated { what: String },

    /// The API refused the request: a non-2xx other than the above, or `success: false`.
    #[error(
        "the API refused the request (HTTP {status}{}{})",
        suffix(message),
        details_suffix(details)
    )]
    Api {
        status: u16,
        message: String,
        details: Vec<String>,
    },

    /// The base URL cannot be used.
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl { url: String, reason: String },

    /// 3xx: redirects are not followed, since a redirected POST becomes a GET and silently drops
    /// the filters. `location` is where the server pointed.
    #[error(
        "the API answered HTTP {status} and points to {location:?}; inbox-tui does not follow \
         redirects (the filters would be lost). If the API moved, use --base-url {}",
        suggested_base(location)
    )]
    Redirected { status: u16, location: String },
}

fn suffix(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

fn details_suffix(details: &[String]) -> String {
    if details.is_empty() {
        String::new()
    } else {
        format!(" [{}]", details.join("; "))
    }
}

impl ApiError {
    /// Whether another attempt can succeed: rate limits, server errors and broken transport.
    /// Other 4xx and malformed bodies would fail the same way again.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. }
                | ApiError::Server { .. }
                | ApiError::Timeout { .. }
                | ApiError::Network { .. }
                | ApiError::Truncated { .. }
                | ApiError::BrokenPage { .. }
        )
    }

    /// Classifies a failed HTTP status with the envelope's `message` and `data` strings.
    pub(crate) fn from_status(
        status: u16,
        message: String,
        details: Vec<String>,
        retry_after: Option<Duration>,
    ) -> ApiError {
        match status {
            401 | 403 => ApiError::Unauthorized {
                status,
                message,
                token_origin: None,
            },
            429 => ApiError::RateLimited { retry_after },
            500..=599 => ApiError::Server { status, message },
            _ => ApiError::Api {
                status,
                message,
                details,
            },
        }
    }

    /// Redacts `token` (see `redact`) and names where it came from in a rejection.
    pub(crate) fn for_token(self, token: &super::Token) -> ApiError {
        match self.redact(token.expose()) {
            ApiError::Unauthorized {
                status, message, ..
            } => ApiError::Unauthorized {
                status,
                message,
                token_origin: token.origin().map(str::to_owned),
            },
            other => other,
        }
    }

    /// Removes every occurrence of `secret` from the texts this error carries, in case a server
    /// or a library echoed it. Very short secrets are left alone: masking them would garble text
    /// without protecting anything.
    pub(crate) fn redact(self, secret: &str) -> ApiError {
        const MIN_SECRET_LEN: usize = 6;
        if secret.len() < MIN_SECRET_LEN {
            return self;
        }
        let clean = |text: String| text.replace(secret, "[redacted]");
        match self {
            ApiError::Unauthorized {
                status,
                message,
                token_origin,
            } => ApiError::Unauthorized {
                status,
                message: clean(message),
                token_origin,
            },
            ApiError::Server { status, message } => ApiError::Server {
                status,
                message: clean(message),
            },
            ApiError::Timeout { what } => ApiError::Timeout { what: clean(what) },
            ApiError::Network { what } => ApiError::Network { what: clean(what) },
            ApiError::Decode { what } => ApiError::Decode { what: clean(what) },
            ApiError::Offline { what } => ApiError::Offline { what: clean(what) },
            ApiError::Truncated { what } => ApiError::Truncated { what: clean(what) },
            ApiError::BrokenPage { what } => ApiError::BrokenPage { what: clean(what) },
            ApiError::Api {
                status,
                message,
                details,
            } => ApiError::Api {
                status,
                message: clean(message),
                details: details.into_iter().map(clean).collect(),
            },
            ApiError::Redirected { status, location } => ApiError::Redirected {
                status,
                location: clean(location),
            },
            ApiError::InvalidBaseUrl { url, reason } => ApiError::InvalidBaseUrl {
                url: clean(url),
                reason: clean(reason),
            },
            rate_limited @ ApiError::RateLimited { .. } => rate_limited,
        }
    }
}

/// What a failed request at the transport level means to a user: which host, and whether it
/// timed out or could not connect.
pub(super) fn transport_error(error: reqwest::Error) -> ApiError {
    let host = error
        .url()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "the API host".into());
    if error.is_timeout() {
        ApiError::Timeout {
            what: format!("the request to {host}"),
        }
    } else if error.is_connect() {
        ApiError::Network {
            what: format!("connecting to {host}: {}", root_cause(&error)),
        }
    } else {
        ApiError::Network {
            what: format!("talking to {host}: {}", root_cause(&error)),
        }
    }
}

/// The innermost cause, which says what actually happened ("Connection refused") without the
/// URL-laden wrappers around it.
pub(super) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_says_where_to_set_the_token() {
        let text = ApiError::from_status(401, "Unauthorized".into(), vec![], None).to_string();
        assert!(text.contains("INBOX_TUI_TOKEN"), "{text}");
        assert!(text.contains("HTTP 401"), "{text}");
    }

    #[test]
    fn api_error_shows_message_and_details() {
        let error = ApiError::from_status(
            400,
            "Validation failed".into(),
            vec![
                "tags is required".into(),
                "page must be an integer >= 1".into(),
            ],
            None,
        );
        assert_eq!(
            error.to_string(),
            "the API refused the request (HTTP 400: Validation failed [tags is required; page must be an integer >= 1])"
        );
        assert!(!error.is_retryable());
    }

    #[test]
    fn redaction_removes_the_secret_everywhere() {
        let secret = "canary-secret-123";
        let error = ApiError::Api {
            status: 400,
            message: format!("bad token {secret}"),
            details: vec![format!("{secret}!")],
        }
        .redact(secret);
        assert!(!format!("{error} {error:?}").contains(secret));
    }
}
