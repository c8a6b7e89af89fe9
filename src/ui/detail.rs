//! The detail pane: every field of the selected contact, unknown ones included, or its raw JSON.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use serde_json::{Map, Value};

use super::time::{self, Clock};
use super::{Theme, cut, pane, wrap};
use crate::api::Contact;
use crate::app::filters::Channel;
use crate::app::{Focus, State};
use crate::text::single_line;

/// Cells of the label column of `label  value` lines.
const LABEL_WIDTH: usize = 14;
/// Indent of field lines under their section title.
const INDENT: &str = "  ";
/// The cell where a field's value starts: after the indent, the label and a space.
pub(super) const VALUE_COLUMN: u16 = (INDENT.len() + LABEL_WIDTH + 1) as u16;

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, clock: &Clock) {
    let title = if state.detail.raw_json {
        "Detail · raw JSON"
    } else {
        "Detail"
    };
    let inner = Block::bordered().inner(area);
    let height = usize::from(inner.height);
    let rows = rows(usize::from(inner.width), state, theme, clock);
    let total = rows.len();
    let scroll = usize::from(state.detail.scroll).min(total.saturating_sub(height));

    let mut block = pane(Line::from(title), state.focus == Focus::Detail, theme);
    if total > height {
        let position = format!(" {}–{} of {} ", scroll + 1, scroll + height, total);
        block = block.title_bottom(Line::styled(position, theme.dim).right_aligned());
    }
    frame.render_widget(block, area);
    let shown: Vec<Line<'static>> = rows.into_iter().skip(scroll).take(height).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

/// The largest scroll that still shows something new in a pane drawn in `area`.
pub(super) fn max_scroll(area: Rect, state: &State, clock: &Clock) -> u16 {
    let inner = Block::bordered().inner(area);
    let total = rows(usize::from(inner.width), state, &Theme::mono(), clock).len();
    u16::try_from(total.saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX)
}

/// Everything the pane would show, fitted to `width` cells: values are cut with `…` beside the
/// list, where a value broken over two rows cannot be read or selected in one drag, and wrapped
/// in full screen, which is where a whole long value is read.
fn rows(width: usize, state: &State, theme: &Theme, clock: &Clock) -> Vec<Line<'static>> {
    let sheet = match state.selected_contact() {
        None => {
            let mut sheet = Sheet::new(theme);
            sheet.push(Line::styled("no contact selected", theme.dim), 0);
            sheet
        }
        Some(contact) if state.detail.raw_json => raw_json(contact, theme),
        Some(contact) => fields(contact, state, clock, theme),
    };
    let fullscreen = state.detail.fullscreen;
    sheet
        .lines
        .iter()
        .flat_map(|(line, fit)| match fit {
            Fit::Cut { .. } if !fullscreen => vec![cut(line, width)],
            Fit::Cut { hang } | Fit::Wrap { hang } => wrap(line, width, *hang),
        })
        .collect()
}

/// How a logical line that is too wide for the pane is fitted.
#[derive(Debug, Clone, Copy)]
enum Fit {
    /// Prose: broken after spaces, continuation rows indented by `hang` cells.
    Wrap { hang: usize },
    /// A value (id, email, uuid, URL, a JSON line): one row cut with `…`, and wrapped like
    /// prose only in full screen.
    Cut { hang: usize },
}

/// The pane's logical lines, each with how it is fitted to the width.
struct Sheet<'t> {
    lines: Vec<(Line<'static>, Fit)>,
    theme: &'t Theme,
}

impl<'t> Sheet<'t> {
    fn new(theme: &'t Theme) -> Sheet<'t> {
        Sheet {
            lines: Vec::new(),
            theme,
        }
    }

    fn push(&mut self, line: Line<'static>, hang: usize) {
        self.lines.push((line, Fit::Wrap { hang }));
    }

    fn push_value(&mut self, line: Line<'static>, hang: usize) {
        self.lines.push((line, Fit::Cut { hang }));
    }

    /// A section title, a blank line apart from the one before.
    fn section(&mut self, title: &str) {
        if !self.lines.is_empty() {
            self.push(Line::default(), 0);
        }
        self.push(Line::styled(title.to_owned(), self.theme.section), 0);
    }

    /// `label         value`, the value made single-line.
    fn field(&mut self, label: &str, value: &str) {
        let line = Line::from(vec![
            Span::raw(INDENT),
            Span::styled(format!("{label:<LABEL_WIDTH$} "), self.theme.label),
            Span::raw(single_line(value)),
        ]);
        self.push_value(line, INDENT.len() + LABEL_WIDTH + 1);
    }

    fn optional(&mut self, label: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.field(label, value);
        }
    }

    /// `key: value` for keys of any length (attributes, unknown fields).
    fn pair(&mut self, key: &str, value: &str) {
        let line = Line::from(vec![
            Span::raw(INDENT),
            Span::styled(format!("{}:", single_line(key)), self.theme.label),
            Span::raw(format!(" {}", single_line(value))),
        ]);
        self.push_value(line, INDENT.len() * 2);
    }

    /// A free-text line under the section, such as one line of a message.
    fn text(&mut self, text: &str) {
        self.push(
            Line::raw(format!("{INDENT}{}", single_line(text))),
            INDENT.len(),
        );
    }

    fn none(&mut self) {
        self.push(Line::styled(format!("{INDENT}(none)"), self.theme.dim), 0);
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// The normal view: labelled fields grouped in sections, then everything else the API sent.
fn fields<'t>(contact: &Contact, state: &State, clock: &Clock, theme: &'t Theme) -> Sheet<'t> {
    let choices = &state.choices;
    let mut sheet = Sheet::new(theme);

    sheet.section("Identity");
    sheet.field("display name", &contact.display_name());
    sheet.optional("name", contact.name());
    sheet.optional("provided name", contact.user_provided_name());
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
            (label != crate::app::filters::short_id(bot)).then_some(label)
        });
        match name {
            Some(name) => sheet.field("bot", &format!("{name} · {bot}")),
            None => sheet.field("bot", bot),
        }
    } else if let Some((field, bot)) = contact.other_bot_fields().first() {
        sheet.field("bot", &format!("{bot} (from {field})"));
    }
    sheet.optional("status", contact.status());
    match contact.agent_id() {
        Some(id) => match choices.agent_name(id) {
            Some(name) => sheet.field("agent", &format!("{name} · {id}")),
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
                sheet.field("when", &time::describe(at, clock, &state.time_zone));
            }
            match message.text.filter(|text| !text.trim().is_empty()) {
                Some(text) => text.lines().for_each(|line| sheet.text(line)),
                None => sheet.push(Line::styled(format!("{INDENT}(no text)"), theme.dim), 0),
            }
        }
    }

    sheet.section("Orders");
    sheet.field("has ordered", yes_no(contact.has_ordered()));
    if let Some(at) = contact.last_ordered_at() {
        sheet.field("last order", &time::describe(at, clock, &state.time_zone));
    }
    match contact.raw().get("orders") {
        Some(Value::Array(orders)) => {
            for order in orders {
                sheet.text(&format!("• {}", compact(order, &state.time_zone)));
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
            sheet.field(label, &time::describe(at, clock, &state.time_zone));
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
    sheet
}

/// A JSON value on one line; an object's string values unquoted and its timestamps in the
/// zone of the other times, since they are read, not parsed:
/// `orderId: ORD-1, amount: 12.5, at: 2025-01-02 10:05 UTC`.
fn compact(value: &Value, time_zone: &jiff::tz::TimeZone) -> String {
    match value {
        Value::Object(entries) => entries
            .iter()
            .map(|(key, value)| match value {
                Value::String(text) => match time::parse(text) {
                    Some(at) => format!("{key}: {}", time::local(at, time_zone)),
                    None => format!("{key}: {text}"),
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

/// The contact exactly as the API sent it, pretty-printed.
fn raw_json<'t>(contact: &Contact, theme: &'t Theme) -> Sheet<'t> {
    let mut sheet = Sheet::new(theme);
    match serde_json::to_string_pretty(contact.raw()) {
        Ok(text) => {
            for line in text.lines() {
                let indent = line.len() - line.trim_start().len();
                sheet.push_value(Line::raw(line.to_owned()), indent + 2);
            }
        }
        Err(error) => sheet.push(Line::styled(error.to_string(), theme.error), 0),
    }
    sheet
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
