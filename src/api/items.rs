//! Decoding a page of contacts into whatever the caller needs, in one pass over the body.
//!
//! The browser needs every field of a contact (`Contact`); an export needs 22 of them for a CSV,
//! or each contact's original bytes for JSON; counting a selection needs only ids. Building a
//! generic JSON tree of every contact for each of those costs most of an export's CPU, so a page
//! decodes straight into the item type the caller names.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::contact::{Contact, NameParts, Phone, channel, display_name};
use super::lenient::{Flag, List, Obj, ObjectOnly, Str, Text, Texts};
use super::repair::repair_lone_surrogates;
use super::response::decode_envelope;
use super::{ApiError, Channel};

/// A contact as one kind of caller needs it. What every walk over pages needs of each contact:
/// its id, to de-duplicate, and its last message time, to see which contacts moved while it ran.
pub trait PageItem: DeserializeOwned + Send + 'static {
    fn id(&self) -> Option<&str>;
    /// `lastMessage.at` as the server wrote it.
    fn last_message_at(&self) -> Option<&str>;
}

/// Only what identifies and orders a contact. Only an object is one (see `ObjectOnly`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactKey(KeyFields);

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
struct KeyFields {
    #[serde(rename = "_id", default)]
    id: Text,
    #[serde(rename = "lastMessage", default)]
    last_message: Obj<MessageTime>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
struct MessageTime {
    #[serde(default)]
    at: Text,
}

impl<'de> Deserialize<'de> for ContactKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ObjectOnly::<KeyFields>::deserialize(deserializer).map(|fields| ContactKey(fields.0))
    }
}

impl PageItem for ContactKey {
    fn id(&self) -> Option<&str> {
        self.0.id.get()
    }

    fn last_message_at(&self) -> Option<&str> {
        self.0
            .last_message
            .get()
            .and_then(|message| message.at.get())
    }
}

/// A contact's original JSON, byte for byte, with its key read out: JSON exports write it
/// without re-serialising anything.
#[derive(Debug)]
pub struct RawContact {
    raw: Box<RawValue>,
    key: ContactKey,
}

impl RawContact {
    /// The contact's JSON exactly as the server sent it.
    pub fn json(&self) -> &str {
        self.raw.get()
    }

    /// Only an object is a contact. A lone surrogate escape, which the raw text keeps, becomes
    /// `\ufffd`, so the export holds the same text as the CSV and the browser.
    fn from_raw(raw: Box<RawValue>) -> Result<RawContact, serde_json::Error> {
        if !raw.get().trim_start().starts_with('{') {
            return Err(serde::de::Error::custom("a contact must be a JSON object"));
        }
        let raw = match repair_lone_surrogates(raw.get()) {
            Cow::Borrowed(_) => raw,
            Cow::Owned(repaired) => RawValue::from_string(repaired)?,
        };
        let key = serde_json::from_str(raw.get())?;
        Ok(RawContact { raw, key })
    }
}

impl<'de> Deserialize<'de> for RawContact {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        RawContact::from_raw(raw).map_err(serde::de::Error::custom)
    }
}

impl PageItem for RawContact {
    fn id(&self) -> Option<&str> {
        self.key.id()
    }

    fn last_message_at(&self) -> Option<&str> {
        self.key.last_message_at()
    }
}

/// The fields a flat export (CSV) shows, read without building the rest of the contact, and
/// borrowed from the page's bytes wherever the JSON has no escapes. Its accessors agree with
/// `Contact`'s, which the browser uses.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FlatContact<'a> {
    #[serde(rename = "_id", borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    uuid: Str<'a>,
    #[serde(borrow)]
    platform: Texts<'a>,
    #[serde(rename = "_botWebsite", borrow)]
    bot_website: Str<'a>,
    #[serde(rename = "_botWhatsapp", borrow)]
    bot_whatsapp: Str<'a>,
    #[serde(rename = "_botTelegram", borrow)]
    bot_telegram: Str<'a>,
    #[serde(rename = "_botFacebook", borrow)]
    bot_facebook: Str<'a>,
    #[serde(borrow)]
    status: Str<'a>,
    #[serde(rename = "_agentAssigned", borrow)]
    agent: Str<'a>,
    #[serde(borrow)]
    segments: Texts<'a>,
    #[serde(rename = "lastMessage", borrow)]
    last_message: Obj<FlatMessage<'a>>,
    #[serde(rename = "lastSeenAt", borrow)]
    last_seen_at: Str<'a>,
    #[serde(rename = "createdAt", borrow)]
    created_at: Str<'a>,
    #[serde(rename = "isOnline")]
    online: Flag,
    #[serde(rename = "isLiveChatActive")]
    live_chat: Flag,
    #[serde(rename = "userInteracted")]
    interacted: Flag,
    #[serde(rename = "isContact")]
    contact: Flag,
    #[serde(rename = "hasOrdered", borrow)]
    ordered: Obj<FlatOrdered<'a>>,
    #[serde(borrow)]
    profile: Obj<FlatProfile<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FlatMessage<'a> {
    #[serde(borrow)]
    text: Str<'a>,
    #[serde(borrow)]
    at: Str<'a>,
    #[serde(borrow)]
    by: Str<'a>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FlatOrdered<'a> {
    status: Flag,
    #[serde(rename = "lastAt", borrow)]
    last_at: Str<'a>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FlatProfile<'a> {
    #[serde(rename = "userDetails", borrow)]
    details: Obj<FlatDetails<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FlatDetails<'a> {
    #[serde(borrow)]
    name: Str<'a>,
    #[serde(rename = "userProvidedName", borrow)]
    user_provided_name: Str<'a>,
    #[serde(borrow)]
    contact: Obj<FlatReach<'a>>,
    #[serde(borrow)]
    tags: Texts<'a>,
    #[serde(borrow)]
    attributes: List<Obj<FlatAttribute<'a>>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FlatReach<'a> {
    #[serde(borrow)]
    email: Str<'a>,
    #[serde(borrow)]
    phone: Obj<FlatPhone<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FlatPhone<'a> {
    #[serde(borrow)]
    number: Str<'a>,
    #[serde(borrow)]
    prefix: Str<'a>,
}

/// One `{key, value}` of `attributes`; the value is kept as its JSON text, whatever its type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FlatAttribute<'a> {
    #[serde(borrow)]
    key: Str<'a>,
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

impl FlatAttribute<'_> {
    /// The value as text, as `Contact` shows it: a string unquoted, `null` empty, anything
    /// else as its JSON.
    fn value(&self) -> Cow<'_, str> {
        match self.value.map(RawValue::get) {
            None | Some("null") => Cow::Borrowed(""),
            Some(json) if json.starts_with('"') => match json[1..json.len() - 1].contains('\\') {
                false => Cow::Borrowed(&json[1..json.len() - 1]),
                true => Cow::Owned(serde_json::from_str::<String>(json).unwrap_or_default()),
            },
            Some(json) => Cow::Borrowed(json),
        }
    }
}

impl<'a> FlatContact<'a> {
    fn details(&self) -> Option<&FlatDetails<'a>> {
        self.profile.get()?.details.get()
    }

    fn reach(&self) -> Option<&FlatReach<'a>> {
        self.details()?.contact.get()
    }

    pub fn id(&self) -> Option<&str> {
        self.id.get()
    }

    pub fn uuid(&self) -> Option<&str> {
        self.uuid.get()
    }

    pub fn email(&self) -> Option<&str> {
        self.reach()?.email.get()
    }

    pub fn phone(&self) -> Option<Phone<'_>> {
        let phone = self.reach()?.phone.get()?;
        Some(Phone {
            number: phone.number.get()?,
            prefix: phone.prefix.get().unwrap_or(""),
        })
    }

    /// As `Contact::display_name`.
    pub fn display_name(&self) -> String {
        let details = self.details();
        display_name(&NameParts {
            name: details.and_then(|details| details.name.get()),
            user_provided_name: details.and_then(|details| details.user_provided_name.get()),
            email: self.email(),
            phone: self.phone(),
            uuid: self.uuid(),
            id: self.id.get(),
        })
    }

    /// The contact's bot on `channel`'s own field (`_botWebsite`, …); none for a channel the
    /// request cannot filter by.
    pub fn bot(&self, channel: Channel) -> Option<&str> {
        match channel {
            Channel::Website => self.bot_website.get(),
            Channel::Whatsapp => self.bot_whatsapp.get(),
            Channel::Telegram => self.bot_telegram.get(),
            Channel::Facebook => self.bot_facebook.get(),
            Channel::Instagram | Channel::Sms => None,
        }
    }

    pub fn channel(&self) -> Option<&str> {
        let platform = self.platform.0.first().map(|platform| &**platform);
        channel(platform, |channel| self.bot(channel).is_some())
    }

    pub fn bot_id(&self) -> Option<&str> {
        Channel::FILTERED
            .into_iter()
            .find_map(|channel| self.bot(channel))
    }

    pub fn status(&self) -> Option<&str> {
        self.status.get()
    }

    pub fn agent_id(&self) -> Option<&str> {
        self.agent.get()
    }

    pub fn tags(&self) -> &[Cow<'a, str>] {
        self.details().map_or(&[], |details| &details.tags.0)
    }

    pub fn segments(&self) -> &[Cow<'a, str>] {
        &self.segments.0
    }

    /// `(key, value)` of each attribute with a key, values as text (see `FlatAttribute`).
    pub fn attributes(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        self.details()
            .map_or(&[][..], |details| &details.attributes.0[..])
            .iter()
            .filter_map(|attribute| {
                let attribute = attribute.get()?;
                Some((attribute.key.0.as_deref()?, attribute.value()))
            })
    }

    /// `(text, at, by)` of the last message, each as the server sent it.
    pub fn last_message(&self) -> (Option<&str>, Option<&str>, Option<&str>) {
        match self.last_message.get() {
            Some(message) => (
                message.text.0.as_deref(),
                message.at.0.as_deref(),
                message.by.0.as_deref(),
            ),
            None => (None, None, None),
        }
    }

    pub fn last_seen_at(&self) -> Option<&str> {
        self.last_seen_at.get()
    }

    pub fn created_at(&self) -> Option<&str> {
        self.created_at.get()
    }

    pub fn is_online(&self) -> bool {
        self.online.0
    }

    pub fn is_live_chat_active(&self) -> bool {
        self.live_chat.0
    }

    pub fn user_interacted(&self) -> bool {
        self.interacted.0
    }

    pub fn has_ordered(&self) -> bool {
        self.ordered.get().is_some_and(|ordered| ordered.status.0)
    }

    /// `hasOrdered.lastAt` as the server wrote it.
    pub fn last_ordered_at(&self) -> Option<&str> {
        self.ordered.get().and_then(|ordered| ordered.last_at.get())
    }

    pub fn is_contact(&self) -> bool {
        self.contact.0
    }
}

/// The envelope of a contacts page, read straight into `T`s.
#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct TypedEnvelope<T> {
    #[serde(default)]
    success: Option<serde_json::Value>,
    #[serde(default)]
    data: Option<Vec<T>>,
}

/// Parses a page, checking its UTF-8 once for the whole body when it is valid: checked string by
/// string instead, as parsing bytes does, it is a tenth of an export's CPU.
fn parse_envelope<T: PageItem>(body: &[u8]) -> Result<TypedEnvelope<T>, serde_json::Error> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// The contacts of a page, and how many of them could not be read and were left out.
#[derive(Debug)]
pub struct DecodedPage<T> {
    pub items: Vec<T>,
    pub skipped: usize,
}

/// The envelope with each contact's JSON kept apart, to read them one at a time.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(default)]
    success: Option<serde_json::Value>,
    #[serde(default, borrow)]
    data: Option<Vec<&'a RawValue>>,
}

/// A value in a page's `data` that is not a contact, left out: where it was, its id when it has
/// one, and why it could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable {
    /// The page it came on, when the caller knows it.
    pub page: Option<u64>,
    /// Its index in `data`, from 0.
    pub position: usize,
    pub id: Option<String>,
    pub why: String,
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(page) = self.page {
            write!(formatter, "page {page}, ")?;
        }
        write!(formatter, "data[{}]", self.position)?;
        if let Some(id) = &self.id {
            write!(
                formatter,
                " (_id {:?})",
                crate::text::fit_width_unpadded(id, 40)
            )?;
        }
        write!(formatter, ": {}", self.why)
    }
}

/// What a value that is not a contact is, in words: `a number`, `an array`.
fn kind_of(json: &str) -> &'static str {
    match json.trim_start().as_bytes().first() {
        Some(b'{') => "an object that cannot be read",
        Some(b'[') => "an array, not a contact object",
        Some(b'"') => "a string, not a contact object",
        Some(b't' | b'f') => "a boolean, not a contact object",
        Some(b'n') => "null, not a contact object",
        _ => "a number, not a contact object",
    }
}

/// The `_id` of a value that is an object with a text `_id`.
fn id_of(json: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct JustId {
        #[serde(rename = "_id", default)]
        id: Text,
    }
    serde_json::from_str::<JustId>(json)
        .ok()
        .and_then(|just| just.id.get().map(str::to_owned))
}

/// A page whose contacts do not all decode at once, read contact by contact. Bytes that are
/// not UTF-8 become U+FFFD first, and so does a lone surrogate escape; a value that still
/// cannot be read (one that is not an object) is left out and named. `None` when even that
/// fails (a cut or broken body, an error envelope), for the slow path to name.
fn decode_one_by_one<T: PageItem>(body: &[u8]) -> Option<(DecodedPage<T>, Vec<Unusable>)> {
    let text = String::from_utf8_lossy(body);
    let text = repair_lone_surrogates(&text);
    let envelope: RawEnvelope<'_> = serde_json::from_str(&text).ok()?;
    if envelope.success == Some(serde_json::Value::Bool(false)) {
        return None;
    }
    let mut unusable = Vec::new();
    let items = envelope
        .data?
        .into_iter()
        .enumerate()
        .filter_map(
            |(position, raw)| match serde_json::from_str::<T>(raw.get()) {
                Ok(item) => Some(item),
                Err(error) => {
                    let why = match kind_of(raw.get()) {
                        object if object.starts_with("an object") => format!("{object}: {error}"),
                        other => other.to_owned(),
                    };
                    unusable.push(Unusable {
                        page: None,
                        position,
                        id: id_of(raw.get()),
                        why,
                    });
                    None
                }
            },
        )
        .collect();
    let skipped = unusable.len();
    Some((DecodedPage { items, skipped }, unusable))
}

/// Decodes a `/inbox/users` response into its contacts as `T`s.
///
/// Only an explicit empty `data` array ends a list. A 200 whose `data` is missing, `null` or not
/// an array is a broken reply (a gateway, a bug), reported as `ApiError::BrokenPage` so that a
/// walk retries it instead of taking it for the end and silently cutting an export short.
pub fn decode_page_items<T: PageItem>(
    status: u16,
    body: &[u8],
) -> Result<DecodedPage<T>, ApiError> {
    decode_page_items_named(status, body).map(|(page, _)| page)
}

/// `decode_page_items`, with what was left out named (see `Unusable`; `page` is not filled).
pub fn decode_page_items_named<T: PageItem>(
    status: u16,
    body: &[u8],
) -> Result<(DecodedPage<T>, Vec<Unusable>), ApiError> {
    if (200..300).contains(&status) {
        if let Ok(envelope) = parse_envelope::<T>(body)
            && envelope.success != Some(serde_json::Value::Bool(false))
        {
            return envelope
                .data
                .map(|items| (DecodedPage { items, skipped: 0 }, Vec::new()))
                .ok_or_else(|| ApiError::BrokenPage {
                    what: "the reply has no contact list (`data` is missing or null)".into(),
                });
        }
        if let Some(decoded) = decode_one_by_one(body) {
            return Ok(decoded);
        }
    }
    // The slow path names what is wrong: an error envelope, a cut body, a bad contact.
    match decode_envelope(status, body, None)? {
        serde_json::Value::Array(items) => {
            let position = items
                .into_iter()
                .position(|item| serde_json::from_value::<T>(item).is_err())
                .unwrap_or(0);
            Err(ApiError::Decode {
                what: format!("data[{position}] is not a contact object"),
            })
        }
        serde_json::Value::Null => Err(ApiError::BrokenPage {
            what: "the reply has no contact list (`data` is missing or null)".into(),
        }),
        _ => Err(ApiError::BrokenPage {
            what: "the reply's `data` is not a list of contacts".into(),
        }),
    }
}

impl PageItem for Contact {
    fn id(&self) -> Option<&str> {
        Contact::id(self)
    }

    fn last_message_at(&self) -> Option<&str> {
        self.last_message().and_then(|message| message.at)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_contacts_keep_their_bytes_and_keys() {
        let body = br#"{"success":true,"message":"","code":200,"data":[
            {"_id":"65a000000000000000000001", "lastMessage": {"at": "2026-01-01T00:00:00.000Z"},
             "x": [1, 2.50, "\u00e9"]},
            {"_id": 7, "lastMessage": "odd"}]}"#;
        let items: Vec<RawContact> = decode_page_items(200, body).expect("a page").items;
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].id(), Some("65a000000000000000000001"));
        assert_eq!(items[0].last_message_at(), Some("2026-01-01T00:00:00.000Z"));
        assert!(items[0].json().contains(r#"[1, 2.50, "\u00e9"]"#));
        assert_eq!(
            items[1].id(),
            Some("7"),
            "a number where the id's text was expected"
        );
        assert_eq!(items[1].last_message_at(), None);
    }

    #[test]
    fn a_page_with_invalid_utf8_in_a_field_not_read_still_decodes() {
        let mut body = br#"{"success":true,"data":[{"_id":"a","note":"x"#.to_vec();
        body.extend_from_slice(&[0xff, 0xfe]);
        body.extend_from_slice(br#""},{"_id":"b"}]}"#);
        let keys: Vec<ContactKey> = decode_page_items(200, &body).expect("a page").items;
        let ids: Vec<_> = keys.iter().map(PageItem::id).collect();
        assert_eq!(ids, [Some("a"), Some("b")]);
    }

    #[test]
    fn only_an_empty_array_ends_the_list() {
        let empty: Vec<ContactKey> = decode_page_items(200, br#"{"success":true,"data":[]}"#)
            .expect("the end")
            .items;
        assert!(empty.is_empty());
        for body in [
            &br#"{"success":true,"message":"","data":null,"code":200}"#[..],
            br#"{"success":true,"message":"","code":200}"#,
            br#"{"success":true,"data":{"items":[]}}"#,
        ] {
            let error = decode_page_items::<ContactKey>(200, body).expect_err("broken");
            assert!(matches!(error, ApiError::BrokenPage { .. }), "{error:?}");
            assert!(error.is_retryable());
        }
    }

    #[test]
    fn every_kind_of_value_that_is_not_a_contact_is_named_as_what_it_is() {
        let deep = format!(
            r#"{{"_id":"65a0000000000000000000dd","x":{}{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let body =
            format!(r#"{{"success":true,"data":[true,null,-2.5,{{"_id":"ok"}},{deep},false]}}"#);
        let (page, unusable) = decode_page_items_named::<crate::api::Contact>(200, body.as_bytes())
            .expect("the good contact");
        assert_eq!(page.items.len(), 1);
        let named: Vec<String> = unusable.iter().map(ToString::to_string).collect();
        assert_eq!(named.len(), 5, "{named:?}");
        assert_eq!(named[0], "data[0]: a boolean, not a contact object");
        assert_eq!(named[1], "data[1]: null, not a contact object");
        assert_eq!(named[2], "data[2]: a number, not a contact object");
        assert!(
            named[3].starts_with(
                r#"data[4] (_id "65a0000000000000000000dd"): an object that cannot be read: "#
            ),
            "{}",
            named[3]
        );
        assert_eq!(named[4], "data[5]: a boolean, not a contact object");
    }

    #[test]
    fn errors_and_bad_contacts_are_named() {
        let page = decode_page_items::<RawContact>(
            200,
            br#"{"success":true,"data":[{"_id":"a"},3,{"_id":"b","n":"\ud800"}]}"#,
        )
        .expect("the good contacts");
        let ids: Vec<_> = page.items.iter().map(PageItem::id).collect();
        assert_eq!(ids, [Some("a"), Some("b")]);
        assert_eq!(page.skipped, 1, "3 is not a contact");
        assert_eq!(page.items[1].json(), r#"{"_id":"b","n":"\ufffd"}"#);
        let (page, unusable) = decode_page_items_named::<ContactKey>(
            200,
            br#"{"success":true,"data":[{"_id":"\ud800x"},[],{"_id":"b"},"s",{"_id":"c","x":"\udc00\ud83d\ude00"}]}"#,
        )
        .expect("the good contacts");
        let ids: Vec<_> = page.items.iter().map(PageItem::id).collect();
        assert_eq!(
            ids,
            [Some("\u{fffd}x"), Some("b"), Some("c")],
            "a lone surrogate is kept"
        );
        assert_eq!(page.skipped, 2);
        let named: Vec<String> = unusable.iter().map(ToString::to_string).collect();
        assert_eq!(
            named,
            [
                "data[1]: an array, not a contact object",
                "data[3]: a string, not a contact object"
            ]
        );
        let error = decode_page_items::<ContactKey>(
            200,
            br#"{"success":false,"message":"bad","data":[],"code":400}"#,
        )
        .expect_err("refused");
        assert!(matches!(error, ApiError::Api { status: 400, .. }));
        let error = decode_page_items::<ContactKey>(200, br#"{"success":true,"data":[{"_id""#)
            .expect_err("cut");
        assert!(matches!(error, ApiError::Truncated { .. }));
    }
}
