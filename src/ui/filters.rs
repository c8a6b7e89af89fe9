//! The filter panel on the left: sections of toggles, the search text and the date fields.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;
use unicode_width::UnicodeWidthStr;

use super::{Clock, Theme, clip, pane, wrap};
use crate::app::filters::{self, FilterItem, short_id};
use crate::app::state::CountPhase;
use crate::app::{Action, Focus, Layer, State, TextField};

/// One panel row, remembering which filter item it belongs to. Only the rows in view are drawn,
/// so a row says what it shows and is made into a line only then.
struct Row<'s> {
    content: RowContent<'s>,
    /// The panel cursor index of the item this row shows (error rows share their field's).
    item: usize,
}

enum RowContent<'s> {
    Title(&'s filters::Section),
    Item(&'s FilterItem),
    /// A row of a date field's error message, already wrapped.
    Error(Line<'static>),
}

/// The `Row::item` of a section title, which the cursor never stops on.
const TITLE: usize = usize::MAX;

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, clock: &Clock) {
    let focused = state.focus == Focus::Filters;
    let active = state.query.active_filter_count();
    let title = if active > 0 {
        format!("Filters ({active} active)")
    } else {
        "Filters".to_owned()
    };
    let block = pane(Line::from(title), focused, theme);
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);

    let sections = filters::sections(&state.query, &state.choices);
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut index = 0;
    for section in &sections {
        rows.push(Row {
            content: RowContent::Title(section),
            item: TITLE,
        });
        for item in &section.items {
            rows.push(Row {
                content: RowContent::Item(item),
                item: index,
            });
            if let FilterItem::Date(field_name) = item
                && let Some(error) = &state.dates[field_name.index()].error
            {
                let error = Line::styled(
                    format!("  {}", crate::text::single_line(error)),
                    theme.error,
                );
                rows.extend(wrap(&error, width, 2).into_iter().map(|line| Row {
                    content: RowContent::Error(line),
                    item: index,
                }));
            }
            index += 1;
        }
    }

    let offset = scroll_offset(&rows, state.panel_cursor, height);
    let more = match (offset > 0, offset + height < rows.len()) {
        (true, true) => " ↑↓ more ",
        (true, false) => " ↑ more ",
        (false, true) => " ↓ more ",
        (false, false) => "",
    };
    let block = if more.is_empty() {
        block
    } else {
        block.title_bottom(Line::styled(more, theme.dim).right_aligned())
    };
    frame.render_widget(block, area);

    // (row on screen, column) of the text cursor when a field of this panel is being edited.
    let mut text_cursor: Option<(usize, u16)> = None;
    let mut lines: Vec<Line<'static>> = Vec::with_capacity(height);
    for (row, Row { content, item }) in rows.into_iter().skip(offset).take(height).enumerate() {
        let highlight = focused && item == state.panel_cursor;
        let line = match content {
            RowContent::Title(section) => section_title(section, state, theme, clock, width),
            RowContent::Error(line) => line,
            RowContent::Item(item) => {
                let (line, cursor) = item_line(item, state, width, highlight, theme);
                if let Some(column) = cursor {
                    text_cursor = Some((row, column));
                }
                line
            }
        };
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);

    if let Some((row, column)) = text_cursor
        && !matches!(state.mode, crate::app::Mode::Help { .. })
    {
        let y = inner.y + u16::try_from(row).unwrap_or(0);
        frame.set_cursor_position(Position::new(inner.x + column, y));
    }
}

/// A section's title; the date fields' names the zone typed dates are read in, which the
/// fields themselves have no room for.
fn section_title(
    section: &filters::Section,
    state: &State,
    theme: &Theme,
    clock: &Clock,
    width: usize,
) -> Line<'static> {
    let title = section.title;
    let has_dates = section
        .items
        .iter()
        .any(|item| matches!(item, FilterItem::Date(_)));
    let title = if has_dates {
        let zone = crate::dates::zone_label(clock.now, &state.time_zone);
        format!("{title} ({zone})")
    } else {
        title.to_owned()
    };
    Line::styled(clip(&title, width), theme.section)
}

/// The row of one item: a toggle, or a text field with, while it is edited, the column of its
/// text cursor.
fn item_line(
    item: &FilterItem,
    state: &State,
    width: usize,
    highlight: bool,
    theme: &Theme,
) -> (Line<'static>, Option<u16>) {
    match item {
        FilterItem::Search => {
            let editing = state.editing() == Some(TextField::Search);
            let placeholder = format!(
                "press {} to search",
                state.keymap.first_key(Layer::Global, Action::FocusSearch)
            );
            text_field("search", &state.search, editing, &placeholder)
                .render(width, highlight, theme)
        }
        FilterItem::NewTag => {
            let editing = state.editing() == Some(TextField::NewTag);
            text_field("tag", &state.new_tag, editing, "type any tag")
                .render(width, highlight, theme)
        }
        FilterItem::Date(field_name) => {
            let date = &state.dates[field_name.index()];
            let editing = state.editing() == Some(TextField::Date(*field_name));
            text_field(field_name.label(), &date.input, editing, "YYYY-MM-DD")
                .render(width, highlight, theme)
        }
        toggle => (toggle_line(toggle, state, width, highlight, theme), None),
    }
}

/// The first row to show so that all rows of the cursor's item, and the title of its section,
/// are visible, the top of the panel staying put while that is possible.
fn scroll_offset(rows: &[Row], cursor: usize, height: usize) -> usize {
    let first = rows.iter().position(|row| row.item == cursor);
    let last = rows.iter().rposition(|row| row.item == cursor);
    match (first, last) {
        (Some(first), Some(last)) => {
            let title_above = first > 0 && rows[first - 1].item == TITLE;
            let top = if title_above { first - 1 } else { first };
            (last + 1).saturating_sub(height).min(top)
        }
        _ => 0,
    }
}

/// `[x] label`, in the active style when the filter is on.
fn toggle_line(
    item: &FilterItem,
    state: &State,
    width: usize,
    highlight: bool,
    theme: &Theme,
) -> Line<'static> {
    let choices = &state.choices;
    let label = match item {
        FilterItem::Status(status) => status.as_str().to_owned(),
        FilterItem::Tag(tag) => choices.tag_label(tag).to_owned(),
        FilterItem::Bot(channel, id) => choices.bot_label(*channel, id),
        FilterItem::Agent(id) => match choices.agents.iter().find(|agent| agent.id == *id) {
            Some(agent) => {
                let marker = if agent.is_online() { '●' } else { '○' };
                let name = choices
                    .agent_name(id)
                    .map_or_else(|| short_id(id), str::to_owned);
                format!("{marker} {name}")
            }
            None => short_id(id),
        },
        FilterItem::Segment(id) => choices
            .segment_name(id)
            .map_or_else(|| short_id(id), str::to_owned),
        FilterItem::Switch(switch) => switch.label().to_owned(),
        FilterItem::LastMessageBy(sender) => sender.as_str().to_owned(),
        FilterItem::Search | FilterItem::NewTag | FilterItem::Date(_) => String::new(),
    };
    let on = filters::is_active(&state.query, item);
    let marker = if on { "[x] " } else { "[ ] " };
    let text = match facet_number(state, item) {
        Some(number) => {
            let room = width.saturating_sub(number.width() + 1);
            let left = crate::text::fit_width(&format!("{marker}{label}"), room);
            format!("{left} {number}")
        }
        None => crate::text::fit_width(&format!("{marker}{label}"), width),
    };
    let style = match (highlight, on) {
        (true, _) => theme.selected,
        (false, true) => theme.active_item,
        (false, false) => Style::new(),
    };
    Line::styled(text, style)
}

/// The number beside a toggle: how many of the contacts matching the filters shown have it
/// (`≥ 317` while they are not all counted), or beside an item whose group has another item on,
/// how many turning it on would add (`+1,535`), read from the count of the query without that
/// group. `None` where it cannot be told: never a 0 that is not one.
fn facet_number(state: &State, item: &FilterItem) -> Option<String> {
    let count = state
        .count
        .as_ref()
        .filter(|count| count.query == state.query && count.counted > 0)?;
    let exact = count.phase == CountPhase::Exact;
    let Some(base) = filters::without_group(&state.query, item) else {
        let n = count.facets.count(item)?;
        return Some(bound(n, exact));
    };
    let (base_facets, base_exact) = state.facets_by_query.get(&base.key())?;
    let in_base = base_facets.count(item)?;
    if filters::single_valued(item) {
        // No contact shown has the item, so all that have it in the wider query are added.
        Some(format!("+{}", bound(in_base, *base_exact)))
    } else if *base_exact && exact {
        let shown = count.facets.count(item)?;
        Some(format!("+{}", bound(in_base.saturating_sub(shown), true)))
    } else {
        None
    }
}

/// `1,535`, or `≥ 1,535` for a lower bound, the way the list's title marks a partial count.
fn bound(n: u64, exact: bool) -> String {
    let number = crate::text::thousands(n);
    if exact {
        number
    } else {
        format!("≥ {number}")
    }
}

/// A `label: value` text field, the part of the value around its cursor when being edited.
struct TextFieldView {
    label: String,
    value: String,
    /// Shown dimmed instead of an empty value when the field is not being edited.
    placeholder: Option<String>,
    /// Display column of the text cursor inside the value, when editing.
    cursor: Option<usize>,
}

fn text_field(label: &str, input: &Input, editing: bool, placeholder: &str) -> TextFieldView {
    TextFieldView {
        label: label.to_owned(),
        value: input.value().to_owned(),
        placeholder: (!editing && input.value().is_empty()).then(|| placeholder.to_owned()),
        cursor: editing.then(|| input.visual_cursor()),
    }
}

impl TextFieldView {
    /// The row for a panel `width` cells wide, and the text cursor's column in it when editing.
    /// The value scrolls so that the cursor stays in view.
    fn render(self, width: usize, highlight: bool, theme: &Theme) -> (Line<'static>, Option<u16>) {
        let prefix = format!("{}: ", clip(&self.label, width.saturating_sub(2)));
        let room = width.saturating_sub(prefix.width());
        let mut cursor_column = None;
        let (value, value_style) = if let Some(placeholder) = &self.placeholder {
            (clip(placeholder, room), theme.dim)
        } else if let Some(cursor) = self.cursor {
            // Keep one cell free after the text for the cursor itself.
            let visible = room.saturating_sub(1);
            let (value, skipped) = window(&self.value, cursor.saturating_sub(visible), visible);
            let column =
                (prefix.width() + cursor.saturating_sub(skipped)).min(width.saturating_sub(1));
            cursor_column = u16::try_from(column).ok();
            (value, Style::new())
        } else {
            (clip(&self.value, room), Style::new())
        };
        if highlight {
            let mut text = format!("{prefix}{value}");
            let used = text.width();
            text.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
            return (Line::styled(text, theme.selected), cursor_column);
        }
        let line = Line::from(vec![
            Span::styled(prefix, theme.label),
            Span::styled(value, value_style),
        ]);
        (line, cursor_column)
    }
}

/// The part of `text` from display column `scroll` that fits in `width` cells, with the number
/// of cells actually skipped (a wide character is skipped whole). Control characters show as
/// spaces so a pasted newline cannot break the panel.
///
/// Measured per grapheme cluster, as the screen buffer measures: a flag is two regional
/// indicators that must never be split, or half of one is left on the screen.
fn window(text: &str, scroll: usize, width: usize) -> (String, usize) {
    use unicode_segmentation::UnicodeSegmentation;
    let mut skipped = 0;
    let mut used = 0;
    let mut shown = String::new();
    for grapheme in text.graphemes(true) {
        let grapheme = if grapheme.chars().any(char::is_control) {
            " "
        } else {
            grapheme
        };
        let cells = grapheme.width();
        if skipped < scroll {
            skipped += cells;
            continue;
        }
        if used + cells > width {
            break;
        }
        used += cells;
        shown.push_str(grapheme);
    }
    (shown, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_scrolls_by_cells() {
        assert_eq!(window("abcdef", 2, 3), ("cde".to_owned(), 2));
        assert_eq!(window("王小明", 1, 4), ("小明".to_owned(), 2));
        assert_eq!(window("a\nb", 0, 5), ("a b".to_owned(), 0));
    }
}
