//! The detail pane: every field of the selected contact, unknown ones included, or its raw JSON.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use serde_json::{Map, Value};

use jiff::tz::TimeZone;

use super::time::{self, Clock};
use super::{Theme, cut, pane, wrap};
use crate::api::Contact;
use crate::app::filters::Channel;
use crate::app::state::FieldRows;
use crate::app::{Focus, State};
use crate::text::single_line;

/// Cells of the label column of `label  value` lines.
const LABEL_WIDTH: usize = 11;
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
    let focused = state.focus == Focus::Detail;
    let cursor = focused.then_some(state.detail.cursor);
    let width = usize::from(inner.width);
    let fitted = fit(sheet(state, theme, Some(clock), cursor), width, state);
    let total = fitted.total;
    let scroll = usize::from(state.detail.scroll).min(total.saturating_sub(height));

    let mut block = pane(Line::from(title), focused, theme);
    if total > height {
        let position = format!(" {}–{} of {} ", scroll + 1, scroll + height, total);
        block = block.title_bottom(Line::styled(position, theme.dim).right_aligned());
    }
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(fitted.rows(scroll, height, width)), inner);
}

/// What `update` needs to know of a pane drawn in `area`: the largest scroll that still shows
/// something new, how many rows it shows, and where each field of the cursor is drawn.
pub(super) fn layout(area: Rect, state: &State, clock: &Clock) -> (u16, u16, Vec<FieldRows>) {
    let inner = Block::bordered().inner(area);
    let theme = Theme::mono();
    let fitted = fit(
        sheet(state, &theme, Some(clock), None),
        usize::from(inner.width),
        state,
    );
    let most =
        u16::try_from(fitted.total.saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX);
    (most, inner.height, fitted.field_rows)
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

/// The fields the cursor of the detail pane moves between, top to bottom, for the contact
/// under the list cursor; none in raw JSON, where `y` copies the whole contact. Drawing and
/// `update` both read this, so the field highlighted is the one copied.
pub fn detail_fields(state: &State) -> Vec<DetailField> {
    let theme = Theme::mono();
    match state.selected_contact() {
        Some(contact) if !state.detail.raw_json => {
            let mut sheet = Sheet::new(&theme);
            sheet.values = Some(Vec::new());
            fields(&mut sheet, contact, state, None);
            sheet.values.unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// Everything the pane would show, as logical lines, the field numbered `cursor` highlighted.
fn sheet<'t>(
    state: &State,
    theme: &'t Theme,
    clock: Option<&Clock>,
    cursor: Option<usize>,
) -> Sheet<'t> {
    let mut sheet = Sheet::new(theme);
    sheet.cursor = cursor;
    match state.selected_contact() {
        None => sheet.push(Line::styled("no contact selected", theme.dim), 0),
        Some(contact) if state.detail.raw_json => raw_json(&mut sheet, contact),
        Some(contact) => fields(&mut sheet, contact, state, clock),
    }
    sheet
}

/// The sheet fitted to `width` cells: values are cut with `…` beside the list, where a value
/// broken over two rows cannot be read or selected in one drag, and wrapped in full screen,
/// which is where a whole long value is read. Only the rows a line takes are counted here; a
/// line of one row is built when drawn, since most of a contact is out of view.
fn fit(sheet: Sheet<'_>, width: usize, state: &State) -> Fitted {
    let fullscreen = state.detail.fullscreen;
    let mut lines = Vec::with_capacity(sheet.lines.len());
    let mut field_rows = Vec::new();
    let mut total = 0;
    for SheetLine { line, fit, field } in sheet.lines {
        let fitting = match fit {
            Fit::Cut { .. } if !fullscreen => Fitting::OneRow,
            _ if plain_width(&line).is_some_and(|cells| cells <= width) => Fitting::OneRow,
            Fit::Cut { hang } | Fit::Wrap { hang } => Fitting::Rows(wrap(&line, width, hang)),
        };
        let count = match &fitting {
            Fitting::OneRow => 1,
            Fitting::Rows(rows) => rows.len(),
        };
        if field {
            field_rows.push(FieldRows {
                first: u16::try_from(total).unwrap_or(u16::MAX),
                count: u16::try_from(count).unwrap_or(u16::MAX),
            });
        }
        total += count;
        lines.push((line, fitting));
    }
    Fitted {
        lines,
        total,
        field_rows,
    }
}

/// A sheet fitted to the pane's width: how many rows it takes, and where its fields are.
struct Fitted {
    lines: Vec<(Line<'static>, Fitting)>,
    total: usize,
    field_rows: Vec<FieldRows>,
}

/// The rows one logical line takes.
enum Fitting {
    /// One row: the line, cut with `…` if it is too wide (a value beside the list).
    OneRow,
    /// Rows already wrapped.
    Rows(Vec<Line<'static>>),
}

impl Fitted {
    /// The `height` rows from row `scroll`, each at most `width` cells.
    fn rows(self, scroll: usize, height: usize, width: usize) -> Vec<Line<'static>> {
        let mut shown = Vec::with_capacity(height);
        let mut row = 0;
        for (line, fitting) in self.lines {
            if shown.len() == height {
                break;
            }
            match fitting {
                Fitting::OneRow => {
                    if row >= scroll {
                        shown.push(cut_owned(line, width));
                    }
                    row += 1;
                }
                Fitting::Rows(rows) => {
                    let skip = scroll.saturating_sub(row);
                    row += rows.len();
                    let room = height - shown.len();
                    shown.extend(rows.into_iter().skip(skip).take(room));
                }
            }
        }
        shown
    }
}

/// The cells of a line made only of printable ASCII, where a character is a grapheme and a
/// cell: such a line is fitted without splitting it into graphemes. `None` for any other.
fn plain_width(line: &Line<'_>) -> Option<usize> {
    line.spans.iter().try_fold(0, |cells, span| {
        let text = span.content.as_bytes();
        text.iter()
            .all(|byte| (b' '..=b'~').contains(byte))
            .then(|| cells + text.len())
    })
}

/// `cut`, keeping a line that fits as it is.
fn cut_owned(line: Line<'static>, width: usize) -> Line<'static> {
    if plain_width(&line).is_some_and(|cells| cells <= width) {
        line
    } else {
        cut(&line, width)
    }
}

/// The line of the field under the cursor, every span in the cursor's style.
fn highlighted(line: Line<'static>, theme: &Theme) -> Line<'static> {
    Line::from(
        line.spans
            .into_iter()
            .map(|span| span.style(theme.selected))
            .collect::<Vec<_>>(),
    )
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

/// One logical line of the pane: how it is fitted, and whether it is a field the cursor stops
/// on.
struct SheetLine {
    line: Line<'static>,
    fit: Fit,
    field: bool,
}

/// The pane's logical lines.
struct Sheet<'t> {
    lines: Vec<SheetLine>,
    theme: &'t Theme,
    /// The field to highlight, counted from the first.
    cursor: Option<usize>,
    /// The fields written so far.
    fields: usize,
    /// What `y` copies of each field, collected only when asked for (`detail_fields`): a
    /// frame has no use for it.
    values: Option<Vec<DetailField>>,
    /// The section being written, which names its lines of text for the copy notice.
    section: &'static str,
}

impl<'t> Sheet<'t> {
    fn new(theme: &'t Theme) -> Sheet<'t> {
        Sheet {
            lines: Vec::new(),
            theme,
            cursor: None,
            fields: 0,
            values: None,
            section: "",
        }
    }

    fn push(&mut self, line: Line<'static>, hang: usize) {
        self.lines.push(SheetLine {
            line,
            fit: Fit::Wrap { hang },
            field: false,
        });
    }

    fn push_value(&mut self, line: Line<'static>, hang: usize) {
        self.lines.push(SheetLine {
            line,
            fit: Fit::Cut { hang },
            field: false,
        });
    }

    /// A line the cursor stops on, highlighted when it is there; `value` says what `y` copies
    /// and `label` what the notice calls it.
    fn push_field(
        &mut self,
        line: Line<'static>,
        fit: Fit,
        label: impl FnOnce() -> String,
        value: impl FnOnce() -> String,
    ) {
        let line = if self.cursor == Some(self.fields) {
            highlighted(line, self.theme)
        } else {
            line
        };
        self.fields += 1;
        if let Some(values) = &mut self.values {
            values.push(DetailField {
                label: label(),
                value: value(),
            });
        }
        self.lines.push(SheetLine {
            line,
            fit,
            field: true,
        });
    }

    /// A section title, a blank line apart from the one before.
    fn section(&mut self, title: &'static str) {
        if !self.lines.is_empty() {
            self.push(Line::default(), 0);
        }
        self.push(Line::styled(title, self.theme.section), 0);
        self.section = title;
    }

    /// `label         value`, the value made single-line; the value is what `y` copies.
    fn field(&mut self, label: &str, value: &str) {
        self.field_copying(label, value, value);
    }

    /// `label         shown`, where `y` copies `copied` rather than what is shown.
    fn field_copying(&mut self, label: &str, shown: &str, copied: &str) {
        let line = Line::from(vec![
            Span::raw(INDENT),
            Span::styled(format!("{label:<LABEL_WIDTH$} "), self.theme.label),
            Span::raw(single_line(shown)),
        ]);
        let fit = Fit::Cut {
            hang: INDENT.len() + LABEL_WIDTH + 1,
        };
        self.push_field(line, fit, || label.to_owned(), || single_line(copied));
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
        let fit = Fit::Cut {
            hang: INDENT.len() * 2,
        };
        self.push_field(line, fit, || single_line(key), || single_line(value));
    }

    /// A free-text line under the section, such as one line of a message.
    fn text(&mut self, text: &str) {
        let text = single_line(text);
        let line = Line::raw(format!("{INDENT}{text}"));
        let fit = Fit::Wrap { hang: INDENT.len() };
        let section = self.section;
        self.push_field(line, fit, || section.to_lowercase(), || text);
    }

    fn none(&mut self) {
        self.push(Line::styled(format!("{INDENT}(none)"), self.theme.dim), 0);
    }

    /// A time as `2025-01-02 10:05 UTC (3h ago)`, without the age when there is no clock (the
    /// fields listed for `update`); `y` copies it without the age.
    fn time(&mut self, label: &str, at: &str, clock: Option<&Clock>, time_zone: &TimeZone) {
        let Some(then) = time::parse(at) else {
            self.field(label, at);
            return;
        };
        let absolute = time::local(then, time_zone);
        match clock {
            Some(clock) => {
                let shown = format!("{absolute} ({})", time::relative(then, clock.now));
                self.field_copying(label, &shown, &absolute);
            }
            None => self.field(label, &absolute),
        }
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// The normal view: labelled fields grouped in sections, then everything else the API sent.
fn fields(sheet: &mut Sheet<'_>, contact: &Contact, state: &State, clock: Option<&Clock>) {
    let choices = &state.choices;
    let theme = sheet.theme;

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
            (label != crate::app::filters::short_id(bot)).then_some(label)
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
                sheet.time("when", at, clock, &state.time_zone);
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
        sheet.time("last order", at, clock, &state.time_zone);
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
            sheet.time(label, at, clock, &state.time_zone);
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

/// The contact exactly as the API sent it, pretty-printed, with line separators, bidi and C1
/// characters as JSON escapes (`\u2028`): the same JSON, and nothing the terminal acts on.
fn raw_json(sheet: &mut Sheet<'_>, contact: &Contact) {
    match serde_json::to_string_pretty(contact.raw()) {
        Ok(text) => {
            for line in crate::text::json_safe(&text).lines() {
                let indent = line.len() - line.trim_start().len();
                sheet.push_value(Line::raw(line.to_owned()), indent + 2);
            }
        }
        Err(error) => sheet.push(Line::styled(error.to_string(), sheet.theme.error), 0),
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
