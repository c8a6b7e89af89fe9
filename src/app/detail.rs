//! What the detail pane says of a contact, as the model knows it: sections of labelled fields,
//! lines of text and pairs, each with what `y` copies. `ui/detail.rs` only styles and fits
//! these lines, and `update` moves the field cursor over the same list, so the field
//! highlighted is always the one copied.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use super::filters::{Channel, Choices, short_id};
use super::state::State;
use crate::api::Contact;
use crate::text::single_line;

/// One logical line of the detail's normal view.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailLine {
    /// A section's title.
    Section(&'static str),
    /// `label         shown`; `y` copies `copied`. A time also shows its age at `age_of`.
    Field {
        label: String,
        shown: String,
        copied: String,
        age_of: Option<Timestamp>,
    },
    /// `key: value`, for keys of any length (attributes, unknown fields).
    Pair { key: String, value: String },
    /// A line of free text under its section (a message's line, a tag list), named after the
    /// section in the copy notice.
    Text { text: String, section: &'static str },
    /// A section with nothing in it, or a message without text: shown dim, never a field.
    Empty(&'static str),
}

impl DetailLine {
    /// Whether the field cursor stops on the line.
    pub fn is_field(&self) -> bool {
        matches!(
            self,
            DetailLine::Field { .. } | DetailLine::Pair { .. } | DetailLine::Text { .. }
        )
    }

    /// What the copy notice calls the field and what `y` copies, for a line that is one.
    pub fn copy(&self) -> Option<DetailField> {
        let (label, value) = match self {
            DetailLine::Field { label, copied, .. } => (label.clone(), copied.clone()),
            DetailLine::Pair { key, value } => (key.clone(), value.clone()),
            DetailLine::Text { text, section } => (section.to_lowercase(), text.clone()),
            DetailLine::Section(_) | DetailLine::Empty(_) => return None,
        };
        Some(DetailField { label, value })
    }
}

/// One field of the detail's normal view, as `y` copies it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailField {
    /// What the notice calls it: the field's label, or its section for a line of text.
    pub label: String,
    /// What is copied: the value as shown, but an id where a name is shown beside it, and a
    /// time without its age.
    pub value: String,
}

/// The fields the detail's cursor moves between, top to bottom, for the contact under the list
/// cursor; none in raw JSON, where `y` copies the whole contact.
pub fn detail_fields(state: &State) -> Vec<DetailField> {
    match state.selected_contact() {
        Some(contact) if !state.detail.raw_json => {
            detail_lines(contact, &state.choices, &state.time_zone)
                .iter()
                .filter_map(DetailLine::copy)
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The normal view: labelled fields grouped in sections, then everything else the API sent.
pub fn detail_lines(contact: &Contact, choices: &Choices, time_zone: &TimeZone) -> Vec<DetailLine> {
    let mut sheet = Lines::new(time_zone);

    sheet.section("Identity");
    sheet.field("shown as", &contact.display_name());
    sheet.optional("name", contact.name());
    sheet.optional("provided", contact.user_provided_name());
    sheet.optional("id", contact.id());
    sheet.optional("uuid", contact.uuid());

    sheet.section("Contact");
    let phone = contact.phone();
    if contact.email().is_none() && phone.is_none() && contact.whatsapp_number().is_none() {
        sheet.none();
    }
    sheet.optional("email", contact.email());
    if let Some(phone) = phone {
        sheet.field("phone", &phone.display());
        sheet.optional("E.164", phone.e164().as_deref());
    }
    sheet.optional("WhatsApp", contact.whatsapp_number());

    sheet.section("Channel");
    let channel = contact.channel();
    sheet.optional("channel", channel);
    if let Some(bot) = contact.bot_id() {
        let name = channel.and_then(Channel::of_platform).and_then(|channel| {
            let label = choices.bot_label(channel, bot);
            (label != short_id(bot)).then_some(label)
        });
        match name {
            Some(name) => sheet.field_copying("bot", &format!("{bot} · {name}"), bot),
            None => sheet.field("bot", bot),
        }
    } else if let Some((field, bot)) = contact.other_bot_fields().first() {
        sheet.field("bot", &format!("{bot} (from {field})"));
    }
    sheet.optional("status", contact.status());
    match contact.agent_id() {
        Some(id) => match choices.agent_name(id) {
            Some(name) => sheet.field_copying("agent", &format!("{id} · {name}"), id),
            None => sheet.field("agent", id),
        },
        None => sheet.field("agent", "(unassigned)"),
    }

    sheet.section("Tags");
    let tags: Vec<&str> = contact
        .tags()
        .into_iter()
        .map(|tag| choices.tag_label(tag))
        .collect();
    if tags.is_empty() {
        sheet.none();
    } else {
        sheet.text(&tags.join(", "));
    }

    sheet.section("Segments");
    let segments = contact.segments();
    if segments.is_empty() {
        sheet.none();
    }
    for id in segments {
        sheet.text(choices.segment_name(id).unwrap_or(id));
    }

    sheet.section("Attributes");
    let attributes = contact.attributes();
    if attributes.is_empty() {
        sheet.none();
    }
    for (key, value) in &attributes {
        sheet.pair(key, value);
    }

    sheet.section("Last message");
    if let Some(unread) = contact.unread_messages() {
        sheet.field("unread", &unread.to_string());
    }
    match contact.last_message() {
        None => sheet.none(),
        Some(message) => {
            sheet.optional("by", message.by);
            if let Some(at) = message.at {
                sheet.time("when", at);
            }
            match message.text.filter(|text| !text.trim().is_empty()) {
                Some(text) => text.lines().for_each(|line| sheet.text(line)),
                None => sheet.lines.push(DetailLine::Empty("(no text)")),
            }
        }
    }

    sheet.section("Orders");
    sheet.field("has ordered", yes_no(contact.has_ordered()));
    if let Some(at) = contact.last_ordered_at() {
        sheet.time("last order", at);
    }
    match contact.raw().get("orders") {
        Some(Value::Array(orders)) => {
            for order in orders {
                sheet.text(&format!("• {}", compact(order, time_zone)));
            }
        }
        Some(other) => sheet.pair("orders", &other.to_string()),
        None => {}
    }

    sheet.section("Timestamps");
    for (label, at) in [
        ("created", contact.created_at()),
        ("updated", contact.updated_at()),
        ("last seen", contact.last_seen_at()),
    ] {
        if let Some(at) = at {
            sheet.time(label, at);
        }
    }

    sheet.section("Flags");
    let subscriber = contact
        .raw()
        .get("isSubscriber")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    for (label, flag) in [
        ("online", contact.is_online()),
        ("live chat", contact.is_live_chat_active()),
        ("interacted", contact.user_interacted()),
        ("contact", contact.is_contact()),
        ("subscriber", subscriber),
    ] {
        sheet.field(label, yes_no(flag));
    }

    let mut others = Vec::new();
    unknown_fields(contact.raw(), "", SHOWN, &mut others);
    if !others.is_empty() {
        sheet.section("Other fields");
        for (path, value) in others {
            sheet.pair(&path, &value.to_string());
        }
    }
    sheet.lines
}

/// The lines written so far, and the section they are under.
struct Lines<'z> {
    lines: Vec<DetailLine>,
    section: &'static str,
    time_zone: &'z TimeZone,
}

impl<'z> Lines<'z> {
    fn new(time_zone: &'z TimeZone) -> Lines<'z> {
        Lines {
            lines: Vec::new(),
            section: "",
            time_zone,
        }
    }

    fn section(&mut self, title: &'static str) {
        self.lines.push(DetailLine::Section(title));
        self.section = title;
    }

    /// A field whose value is what `y` copies, made single-line.
    fn field(&mut self, label: &str, value: &str) {
        self.field_copying(label, value, value);
    }

    /// A field where `y` copies `copied` rather than what is shown.
    fn field_copying(&mut self, label: &str, shown: &str, copied: &str) {
        self.lines.push(DetailLine::Field {
            label: label.to_owned(),
            shown: single_line(shown),
            copied: single_line(copied),
            age_of: None,
        });
    }

    fn optional(&mut self, label: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.field(label, value);
        }
    }

    fn pair(&mut self, key: &str, value: &str) {
        self.lines.push(DetailLine::Pair {
            key: single_line(key),
            value: single_line(value),
        });
    }

    fn text(&mut self, text: &str) {
        self.lines.push(DetailLine::Text {
            text: single_line(text),
            section: self.section,
        });
    }

    fn none(&mut self) {
        self.lines.push(DetailLine::Empty("(none)"));
    }

    /// A time as `2025-01-02 10:05 UTC`, which the pane follows with its age; a value that is
    /// not a timestamp is shown as it came.
    fn time(&mut self, label: &str, at: &str) {
        let Ok(then) = at.trim().parse::<Timestamp>() else {
            self.field(label, at);
            return;
        };
        let absolute = crate::dates::format_in_zone(then, self.time_zone);
        self.lines.push(DetailLine::Field {
            label: label.to_owned(),
            shown: absolute.clone(),
            copied: absolute,
            age_of: Some(then),
        });
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// A JSON value on one line; an object's string values unquoted and its timestamps in the
/// zone of the other times, since they are read, not parsed:
/// `orderId: ORD-1, amount: 12.5, at: 2025-01-02 10:05 UTC`.
fn compact(value: &Value, time_zone: &TimeZone) -> String {
    match value {
        Value::Object(entries) => entries
            .iter()
            .map(|(key, value)| match value {
                Value::String(text) => match text.trim().parse::<Timestamp>() {
                    Ok(at) => format!("{key}: {}", crate::dates::format_in_zone(at, time_zone)),
                    Err(_) => format!("{key}: {text}"),
                },
                other => format!("{key}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// A key the normal view already shows, with the keys inside it that it shows (empty: the
/// value is shown whole).
struct Shown {
    key: &'static str,
    inside: &'static [Shown],
}

const fn shown(key: &'static str) -> Shown {
    Shown { key, inside: &[] }
}

const SHOWN_CONTACT: &[Shown] = &[shown("email"), shown("phone")];
const SHOWN_DETAILS: &[Shown] = &[
    shown("name"),
    shown("userProvidedName"),
    Shown {
        key: "contact",
        inside: SHOWN_CONTACT,
    },
    shown("whatsAppNumber"),
    shown("tags"),
    shown("attributes"),
];
const SHOWN_PROFILE: &[Shown] = &[Shown {
    key: "userDetails",
    inside: SHOWN_DETAILS,
}];
const SHOWN: &[Shown] = &[
    shown("_id"),
    shown("uuid"),
    Shown {
        key: "profile",
        inside: SHOWN_PROFILE,
    },
    shown("platform"),
    shown("_botWebsite"),
    shown("_botWhatsapp"),
    shown("_botTelegram"),
    shown("_botFacebook"),
    shown("status"),
    shown("_agentAssigned"),
    shown("segments"),
    shown("lastMessage"),
    shown("unreadMessages"),
    shown("lastSeenAt"),
    shown("createdAt"),
    shown("updatedAt"),
    shown("isOnline"),
    shown("isLiveChatActive"),
    shown("userInteracted"),
    shown("isContact"),
    shown("isSubscriber"),
    shown("hasOrdered"),
    shown("orders"),
];

/// Collects `(dotted.path, value)` for every key of `map` the normal view does not show. A
/// known container that is not an object (hostile data) is listed whole.
fn unknown_fields<'v>(
    map: &'v Map<String, Value>,
    prefix: &str,
    shown: &[Shown],
    out: &mut Vec<(String, &'v Value)>,
) {
    for (key, value) in map {
        let path = format!("{prefix}{key}");
        match shown.iter().find(|known| known.key == key) {
            None => out.push((path, value)),
            Some(known) if !known.inside.is_empty() => match value.as_object() {
                Some(inner) => unknown_fields(inner, &format!("{path}."), known.inside, out),
                None => out.push((path, value)),
            },
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_found_at_any_depth() {
        let raw = json!({
            "_id": "1",
            "brandNew": {"x": 1},
            "profile": {"userDetails": {"name": "A", "city": "Pune"}, "device": "ios"},
        });
        let map = raw.as_object().cloned().unwrap_or_default();
        let mut out = Vec::new();
        unknown_fields(&map, "", SHOWN, &mut out);
        let paths: Vec<&str> = out.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(
            paths,
            ["brandNew", "profile.userDetails.city", "profile.device"]
        );
    }

    #[test]
    fn a_mistyped_container_is_listed_whole() {
        let raw = json!({"profile": "oops"});
        let map = raw.as_object().cloned().unwrap_or_default();
        let mut out = Vec::new();
        unknown_fields(&map, "", SHOWN, &mut out);
        assert_eq!(out, [("profile".to_owned(), &json!("oops"))]);
    }
}
