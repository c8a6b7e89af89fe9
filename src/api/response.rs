//! Tolerant decoding of the response envelope and the pick-lists: the server's own words on an
//! error, kept short and single-line. The contacts themselves are `contact.rs`'s; decoding a
//! page of them is `items.rs`'s.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::ApiError;

/// The envelope every endpoint answers with: `{success, message, data, code}`.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    message: Value,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    code: Value,
    /// What gateways put beside `message` (`{"statusCode": 400, "error": "Bad Request"}`).
    #[serde(default)]
    error: Value,
}

/// `message` as servers write it: a string, a list of strings (validation messages), or an
/// object of them (gateways), joined into one line; `error` when `message` says nothing.
fn message_text(message: &Value, error: &Value) -> String {
    fn texts(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(text) if !text.trim().is_empty() => out.push(text.trim().to_owned()),
            Value::Array(items) => items.iter().for_each(|item| texts(item, out)),
            Value::Object(fields) => fields.values().for_each(|field| texts(field, out)),
            _ => {}
        }
    }
    let mut parts = Vec::new();
    texts(message, &mut parts);
    if parts.is_empty() {
        texts(error, &mut parts);
    }
    parts.join("; ")
}

/// A short description of an HTML body (a proxy's or a login page's), never the page itself:
/// its `<title>`, when it has one.
fn html_summary(body: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let start = head.trim_start().to_ascii_lowercase();
    if !(start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || start.starts_with("<head")
        || start.starts_with("<body"))
    {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    let title = lower
        .find("<title")
        .and_then(|open| Some(open + lower[open..].find('>')? + 1))
        .and_then(|start| Some((start, start + lower[start..].find("</title")?)))
        .map(|(start, end)| crate::text::single_line(&head[start..end]))
        .filter(|title| !title.is_empty())
        .map(|title| crate::text::fit_width(&title, 80).trim_end().to_owned());
    Some(match title {
        Some(title) => format!("an HTML page titled {title:?}"),
        None => "an HTML page".to_owned(),
    })
}

/// Unwraps an envelope into its `data`, turning HTTP failures and `success: false` into errors.
/// `retry_after` is the parsed `Retry-After` header, for a 429.
pub(crate) fn decode_envelope(
    status: u16,
    body: &[u8],
    retry_after: Option<Duration>,
) -> Result<Value, ApiError> {
    let is_success_status = (200..300).contains(&status);
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(_) if !is_success_status => {
            return Err(ApiError::from_status(
                status,
                html_summary(body)
                    .map(|page| format!("the server answered with {page}"))
                    .unwrap_or_default(),
                vec![],
                retry_after,
            ));
        }
        Err(error) => {
            if let Some(page) = html_summary(body) {
                return Err(ApiError::Decode {
                    what: format!(
                        "the server answered with {page}, not JSON: check the base URL (a proxy \
                         or a login page may be in the way)"
                    ),
                });
            }
            if error.is_eof() || super::repair::ends_early_once_repaired(body) {
                return Err(ApiError::Truncated {
                    what: format!("the JSON ended after {} bytes", body.len()),
                });
            }
            return Err(ApiError::Decode {
                what: format!(
                    "not the expected JSON envelope ({} at line {} column {})",
                    describe_category(&error),
                    error.line(),
                    error.column()
                ),
            });
        }
    };
    let message = message_text(&envelope.message, &envelope.error);
    let details: Vec<String> = match &envelope.data {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => vec![],
    };
    let (message, details) = if is_success_status && envelope.success != Some(false) {
        (message, details)
    } else {
        server_texts(status, message, details)
    };
    if !is_success_status {
        return Err(ApiError::from_status(status, message, details, retry_after));
    }
    if envelope.success == Some(false) {
        let code = envelope
            .code
            .as_u64()
            .and_then(|code| u16::try_from(code).ok())
            .filter(|code| *code >= 400)
            .unwrap_or(status);
        return Err(ApiError::from_status(code, message, details, retry_after));
    }
    Ok(envelope.data)
}

/// The log target of whole server messages, kept out of `-v`'s stderr: the log file has them.
pub const SERVER_TEXT_TARGET: &str = "inbox_tui::server_text";

/// The most characters of server text an error carries; the log has the whole of it.
pub const MAX_SERVER_TEXT_CHARS: usize = 300;

/// Server text as an error carries it: on one line, with every control character (a line feed
/// that would start a fake line on stderr) and invisible one as a visible escape, and cut to
/// `MAX_SERVER_TEXT_CHARS` with a note that the log has the rest. The whole is logged first.
pub(crate) fn server_text(text: &str) -> String {
    let mut shown = String::with_capacity(text.len().min(MAX_SERVER_TEXT_CHARS * 2));
    for (counted, (index, character)) in text.char_indices().enumerate() {
        if counted >= MAX_SERVER_TEXT_CHARS {
            let rest = text[index..].chars().count();
            shown.push_str(&format!(
                "… [{rest} more characters; the log has the whole message]"
            ));
            break;
        }
        if crate::text::is_terminal_hazard(character) || character.is_control() {
            crate::text::push_escaped(&mut shown, character);
        } else {
            shown.push(character);
        }
    }
    shown
}

/// An error reply's message and details as an error carries them (see `server_text`): one
/// message says it all, so details that repeat it are dropped, and the whole reply's text is
/// logged once.
fn server_texts(status: u16, message: String, details: Vec<String>) -> (String, Vec<String>) {
    let long = message.chars().count() > MAX_SERVER_TEXT_CHARS
        || details
            .iter()
            .any(|detail| detail.chars().count() > MAX_SERVER_TEXT_CHARS);
    if long {
        tracing::warn!(
            target: SERVER_TEXT_TARGET,
            status,
            message = %message,
            details = ?details,
            "a long error message"
        );
    }
    let details = details
        .iter()
        .filter(|detail| **detail != message)
        .take(10)
        .map(|detail| server_text(detail))
        .collect();
    (server_text(&message), details)
}

fn describe_category(error: &serde_json::Error) -> &'static str {
    match error.classify() {
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected shape",
        serde_json::error::Category::Eof => "unexpected end",
        serde_json::error::Category::Io => "read failure",
    }
}

/// Decodes a pick-list's `data` array into `T`s, skipping entries without an id.
pub(crate) fn decode_list<T: for<'de> Deserialize<'de>>(
    list: &str,
    data: Value,
) -> Result<Vec<T>, ApiError> {
    let Value::Array(items) = data else {
        return Err(ApiError::Decode {
            what: format!("the {list} reply's `data` is not a list"),
        });
    };
    Ok(items
        .into_iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let has_id = item
                .get("_id")
                .and_then(Value::as_str)
                .is_some_and(|id| !id.trim().is_empty());
            let why = match T::deserialize(&item) {
                Ok(entry) if has_id => return Some(entry),
                Err(error) if has_id => format!("it has an {}", describe_category(&error)),
                _ => "it has no `_id`".to_owned(),
            };
            let named = item
                .get("name")
                .or_else(|| item.get("segmentName"))
                .and_then(Value::as_str)
                .map(|name| format!(" ({:?})", crate::text::single_line(name)))
                .unwrap_or_default();
            tracing::warn!("skipping {list} entry {index}{named}: {why}");
            None
        })
        .collect())
}

/// An agent from `GET /custom-user`, for the agent filter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Agent {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `ONLINE` or `OFFLINE`.
    #[serde(rename = "liveAvailability", default)]
    pub live_availability: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

impl Agent {
    pub fn is_online(&self) -> bool {
        self.live_availability
            .as_deref()
            .is_some_and(|state| state.eq_ignore_ascii_case("ONLINE"))
    }
}

/// A segment from `GET /inbox/segments`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Segment {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "segmentName", default)]
    pub name: String,
}

/// A WhatsApp bot from `GET /whatsapp-automation`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WhatsappBot {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
}
