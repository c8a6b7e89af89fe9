//! One inbox contact as the API sent it. Real data omits keys and adds new ones, so a contact
//! keeps its whole original JSON and reads fields through accessors that turn a missing or
//! mistyped field into `None` instead of an error.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::Channel;

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
