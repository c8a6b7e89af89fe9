//! Tolerant decoding of the response envelope, contacts and pick-lists.
//!
//! Real data omits keys and adds new ones, so a contact keeps its whole original JSON and reads
//! fields through accessors that turn a missing or mistyped field into `None` instead of an error.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::items::{DecodedPage, PageItem, Unusable, decode_page_items, decode_page_items_named};
use super::{ApiError, Channel};

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
            if error.is_eof() {
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

/// Decodes a whole `/inbox/users` response body into its contacts. A contact that cannot be
/// read (not an object, a lone surrogate in a string) is left out and counted, as in exports.
pub fn decode_contacts_page(status: u16, body: &[u8]) -> Result<DecodedPage<Contact>, ApiError> {
    decode_page_items::<Contact>(status, body)
}

/// `decode_contacts_page`, with what was left out named.
pub fn decode_contacts_page_named(
    status: u16,
    body: &[u8],
) -> Result<(DecodedPage<Contact>, Vec<Unusable>), ApiError> {
    decode_page_items_named::<Contact>(status, body)
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

/// One inbox contact: the original JSON, read through tolerant accessors.
#[derive(Debug, Clone)]
pub struct Contact {
    raw: Map<String, Value>,
    /// The text of each number or boolean found where text was expected (`_id: 12345`), by
    /// path: worked out the first time an accessor meets one, so a contact that sends strings
    /// costs nothing more to decode.
    scalars: std::sync::OnceLock<Vec<(&'static str, String)>>,
}

/// Two contacts are the same when the API sent the same JSON (what was worked out from it
/// does not count).
impl PartialEq for Contact {
    fn eq(&self, other: &Contact) -> bool {
        self.raw == other.raw
    }
}

/// Any JSON object is a contact; anything else is one that cannot be read.
impl<'de> Deserialize<'de> for Contact {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Contact, D::Error> {
        Map::deserialize(deserializer).map(Contact::new)
    }
}

/// Every path the accessors read as text. A number or a boolean there is shown and exported as
/// its JSON text (`"_id": 12345` as `12345`), as the CSV's cells do, never as a blank.
const TEXT_PATHS: [&str; 22] = [
    "_id",
    "uuid",
    "profile/userDetails/name",
    "profile/userDetails/userProvidedName",
    "profile/userDetails/contact/email",
    "profile/userDetails/contact/phone/number",
    "profile/userDetails/contact/phone/prefix",
    "profile/userDetails/whatsAppNumber",
    "status",
    "_agentAssigned",
    "lastSeenAt",
    "createdAt",
    "updatedAt",
    "hasOrdered/lastAt",
    "lastMessage/text",
    "lastMessage/at",
    "lastMessage/by",
    "_botWebsite",
    "_botWhatsapp",
    "_botTelegram",
    "_botFacebook",
    "_botInstagram",
];

impl PageItem for Contact {
    fn id(&self) -> Option<&str> {
        Contact::id(self)
    }

    fn last_message_at(&self) -> Option<&str> {
        self.last_message().and_then(|message| message.at)
    }
}

/// A contact's phone as the API gives it: the prefix comes as `"+44"` on some contacts and as
/// `"91"` on others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone<'a> {
    pub prefix: &'a str,
    pub number: &'a str,
}

/// Country codes whose numbers keep their leading 0 after the code (Italy, and San Marino and
/// the Vatican, which use Italian numbering): everywhere else a leading 0 is the national trunk
/// prefix, dialled only from inside the country.
const KEEPS_LEADING_ZERO: [&str; 3] = ["39", "378", "379"];

impl Phone<'_> {
    fn country(&self) -> &str {
        self.prefix.trim().trim_start_matches('+')
    }

    /// The number without the national trunk 0 that some contacts keep after a country code
    /// (`+44` with `07700 900123`): `+44 07700…` is not a number anyone can dial.
    fn national(&self) -> &str {
        let number = self.number.trim();
        match number.strip_prefix('0') {
            Some(rest)
                if !rest.is_empty()
                    && !self.country().is_empty()
                    && !KEEPS_LEADING_ZERO.contains(&self.country()) =>
            {
                rest
            }
            _ => number,
        }
    }

    /// `+<country><number>` when both parts are digits and the length is plausible, else `None`.
    pub fn e164(&self) -> Option<String> {
        let prefix = self.country();
        let number: String = self
            .national()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let all_digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if number.starts_with('+') && all_digits(&number[1..]) {
            return Some(number);
        }
        let digits = format!("{prefix}{number}");
        (all_digits(prefix) && all_digits(&number) && (8..=15).contains(&digits.len()))
            .then(|| format!("+{digits}"))
    }

    /// `+44 7700900123`, falling back to whatever the API sent.
    pub fn display(&self) -> String {
        let prefix = self.country();
        match (prefix.is_empty(), self.number.trim().is_empty()) {
            (_, true) => String::new(),
            (true, false) => self.number.to_owned(),
            (false, false) => format!("+{prefix} {}", self.national()),
        }
    }
}

/// The last message, each part optional: real data drops `text` now and then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastMessage<'a> {
    pub text: Option<&'a str>,
    pub at: Option<&'a str>,
    pub by: Option<&'a str>,
}

/// The parts a contact's display name is chosen from.
pub(crate) struct NameParts<'a> {
    pub name: Option<&'a str>,
    pub user_provided_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<Phone<'a>>,
    pub uuid: Option<&'a str>,
    pub id: Option<&'a str>,
}

/// The name to show, in the order clients use: name, user-provided name, email, phone, uuid.
pub(crate) fn display_name(parts: &NameParts<'_>) -> String {
    if let Some(name) = parts.name.or(parts.user_provided_name).or(parts.email) {
        return name.trim().to_owned();
    }
    if let Some(phone) = &parts.phone {
        return phone.display();
    }
    parts
        .uuid
        .or(parts.id)
        .map_or_else(|| "(unnamed)".to_owned(), str::to_owned)
}

/// The channel: `platform`'s first entry, else the channel of whichever bot field is set.
pub(crate) fn channel(platform: Option<&str>, has_bot: impl Fn(Channel) -> bool) -> Option<&str> {
    platform.or_else(|| {
        Channel::FILTERED
            .into_iter()
            .find(|channel| has_bot(*channel))
            .map(Channel::platform)
    })
}

impl Contact {
    /// Wraps a JSON object; anything else is not a contact.
    pub fn from_value(value: Value) -> Option<Contact> {
        match value {
            Value::Object(raw) => Some(Contact::new(raw)),
            _ => None,
        }
    }

    fn new(raw: Map<String, Value>) -> Contact {
        Contact {
            raw,
            scalars: std::sync::OnceLock::new(),
        }
    }

    /// The text of every number or boolean at one of `TEXT_PATHS`.
    fn scalar_texts(&self) -> &[(&'static str, String)] {
        self.scalars.get_or_init(|| {
            TEXT_PATHS
                .into_iter()
                .filter_map(|path| match self.at(path)? {
                    Value::Number(number) => Some((path, number.to_string())),
                    Value::Bool(on) => Some((path, on.to_string())),
                    _ => None,
                })
                .collect()
        })
    }

    /// Everything the API sent, unknown fields included.
    pub fn raw(&self) -> &Map<String, Value> {
        &self.raw
    }

    /// The JSON to export or show verbatim.
    pub fn to_value(&self) -> Value {
        Value::Object(self.raw.clone())
    }

    /// The value at a `/`-separated path of object keys, e.g. `profile/userDetails/name`.
    fn at(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('/');
        let mut value = self.raw.get(parts.next()?)?;
        for part in parts {
            value = value.get(part)?;
        }
        Some(value)
    }

    /// The text at `path` (one of `TEXT_PATHS`): a string, or a number's or boolean's text.
    fn string_at(&self, path: &str) -> Option<&str> {
        match self.at(path)? {
            Value::String(text) => Some(text),
            Value::Number(_) | Value::Bool(_) => self
                .scalar_texts()
                .iter()
                .find(|(at, _)| *at == path)
                .map(|(_, text)| text.as_str()),
            _ => None,
        }
    }

    /// Non-blank text at `path` (see `string_at`).
    fn text_at(&self, path: &str) -> Option<&str> {
        self.string_at(path).filter(|text| !text.trim().is_empty())
    }

    /// The strings of the array at `path`, skipping anything that is not a string.
    fn strings_at(&self, path: &str) -> Vec<&str> {
        self.at(path)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// The boolean at `path`; `None` when it is missing or not a boolean.
    pub fn flag_known(&self, path: &str) -> Option<bool> {
        self.at(path)?.as_bool()
    }

    /// The bot id in `channel`'s bot field, the one its filter matches.
    pub fn bot_in(&self, channel: Channel) -> Option<&str> {
        self.text_at(channel.bot_field())
    }

    fn flag(&self, key: &str) -> bool {
        self.raw.get(key).and_then(Value::as_bool).unwrap_or(false)
    }

    /// The 24-hex contact id other endpoints take.
    pub fn id(&self) -> Option<&str> {
        self.text_at("_id")
    }

    pub fn uuid(&self) -> Option<&str> {
        self.text_at("uuid")
    }

    pub fn name(&self) -> Option<&str> {
        self.text_at("profile/userDetails/name")
    }

    pub fn user_provided_name(&self) -> Option<&str> {
        self.text_at("profile/userDetails/userProvidedName")
    }

    pub fn email(&self) -> Option<&str> {
        self.text_at("profile/userDetails/contact/email")
    }

    /// The phone, when it has a number.
    pub fn phone(&self) -> Option<Phone<'_>> {
        let number = self.text_at("profile/userDetails/contact/phone/number")?;
        let prefix = self
            .text_at("profile/userDetails/contact/phone/prefix")
            .unwrap_or("");
        Some(Phone { prefix, number })
    }

    pub fn whatsapp_number(&self) -> Option<&str> {
        self.text_at("profile/userDetails/whatsAppNumber")
    }

    /// The name to show, in the order clients use: name, user-provided name, email, phone, uuid.
    ///
    /// The parts are looked up only as far as the first one present (the list asks for every
    /// contact's name on every frame), and handed to the one rule in that order.
    pub fn display_name(&self) -> String {
        let name = self
            .name()
            .or_else(|| self.user_provided_name())
            .or_else(|| self.email());
        let phone = name.is_none().then(|| self.phone()).flatten();
        let neither = name.is_none() && phone.is_none();
        display_name(&NameParts {
            name,
            user_provided_name: None,
            email: None,
            phone,
            uuid: neither.then(|| self.uuid()).flatten(),
            id: neither.then(|| self.id()).flatten(),
        })
    }

    /// The channel, upper-case as the API sends it (`WEBSITE`, `WHATSAPP`, …).
    pub fn channel(&self) -> Option<&str> {
        let platform = self.strings_at("platform").first().copied();
        channel(platform, |channel| {
            self.text_at(channel.bot_field()).is_some()
        })
    }

    /// The bot the contact came through, whichever channel field holds it.
    pub fn bot_id(&self) -> Option<&str> {
        Channel::FILTERED
            .into_iter()
            .find_map(|channel| self.text_at(channel.bot_field()))
    }

    /// `_bot…` keys no filter knows (Instagram and SMS contacts name their bot in a field the
    /// doc does not give), as `(key, id)`.
    pub fn other_bot_fields(&self) -> Vec<(&str, &str)> {
        self.raw
            .iter()
            .filter(|(key, _)| {
                key.starts_with("_bot")
                    && !Channel::FILTERED
                        .into_iter()
                        .any(|channel| channel.bot_field() == key.as_str())
            })
            .filter_map(|(key, value)| Some((key.as_str(), value.as_str()?)))
            .filter(|(_, id)| !id.trim().is_empty())
            .collect()
    }

    pub fn status(&self) -> Option<&str> {
        self.text_at("status")
    }

    /// The assigned agent's id; absent when nobody is assigned.
    pub fn agent_id(&self) -> Option<&str> {
        self.text_at("_agentAssigned")
    }

    pub fn tags(&self) -> Vec<&str> {
        self.strings_at("profile/userDetails/tags")
    }

    pub fn segments(&self) -> Vec<&str> {
        self.strings_at("segments")
    }

    /// Custom attributes as `(key, value)`, values rendered as text whatever their JSON type.
    pub fn attributes(&self) -> Vec<(String, String)> {
        let Some(items) = self
            .at("profile/userDetails/attributes")
            .and_then(Value::as_array)
        else {
            return vec![];
        };
        items
            .iter()
            .filter_map(|item| {
                let key = item.get("key")?.as_str()?.to_owned();
                let value = match item.get("value") {
                    Some(Value::String(text)) => text.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                };
                Some((key, value))
            })
            .collect()
    }

    pub fn last_message(&self) -> Option<LastMessage<'_>> {
        self.at("lastMessage")?;
        Some(LastMessage {
            text: self.string_at("lastMessage/text"),
            at: self.string_at("lastMessage/at"),
            by: self.string_at("lastMessage/by"),
        })
    }

    pub fn last_seen_at(&self) -> Option<&str> {
        self.text_at("lastSeenAt")
    }

    /// Messages nobody on the team has read yet; `None` when absent or not a whole number.
    pub fn unread_messages(&self) -> Option<u64> {
        self.raw.get("unreadMessages").and_then(Value::as_u64)
    }

    pub fn created_at(&self) -> Option<&str> {
        self.text_at("createdAt")
    }

    pub fn updated_at(&self) -> Option<&str> {
        self.text_at("updatedAt")
    }

    pub fn is_online(&self) -> bool {
        self.flag("isOnline")
    }

    pub fn is_live_chat_active(&self) -> bool {
        self.flag("isLiveChatActive")
    }

    pub fn user_interacted(&self) -> bool {
        self.flag("userInteracted")
    }

    pub fn is_contact(&self) -> bool {
        self.flag("isContact")
    }

    pub fn has_ordered(&self) -> bool {
        self.at("hasOrdered/status")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub fn last_ordered_at(&self) -> Option<&str> {
        self.text_at("hasOrdered/lastAt")
    }
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
