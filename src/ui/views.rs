//! The saved-views overlays: the "save view as" prompt and the list to apply or delete from.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;
use unicode_width::UnicodeWidthStr;

use super::{Theme, clip, open_overlay};
use crate::app::keymap::CopyField;
use crate::app::state::{CountPhase, PageCache, PaletteInput, ViewsList};
use crate::app::{Action, Keymap, Layer, State, filters};
use crate::text::thousands;

pub(super) fn draw_prompt(
    frame: &mut Frame,
    area: Rect,
    input: &Input,
    keymap: &Keymap,
    theme: &Theme,
) {
    let inner = open_overlay(frame, area, 60, 5, "Save the filters as a view", theme);
    let label = "Name: ";
    let room = usize::from(inner.width).saturating_sub(label.width() + 1);
    let scroll = input.visual_scroll(room);
    let visible = crate::text::skip_cells(input.value(), scroll);
    let lines = vec![
        Line::from(vec![
            Span::styled(label, theme.label),
            Span::raw(clip(&visible, room)),
        ]),
        Line::styled(
            format!(
                "{} saves (replacing a view of that name) · {} cancels",
                keymap.first_key(Layer::Text, Action::Activate),
                keymap.first_key(Layer::Text, Action::Back)
            ),
            theme.dim,
        ),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
    let cursor = input.visual_cursor().saturating_sub(scroll) + label.width();
    if let Ok(column) = u16::try_from(cursor)
        && column < inner.width
    {
        frame.set_cursor_position(Position::new(inner.x + column, inner.y));
    }
}

pub(super) fn draw_list(
    frame: &mut Frame,
    area: Rect,
    list: ViewsList,
    state: &State,
    theme: &Theme,
) {
    let rows = u16::try_from(state.views.len().max(1)).unwrap_or(u16::MAX);
    let inner = open_overlay(
        frame,
        area,
        76,
        rows.saturating_add(4),
        "Saved views",
        theme,
    );
    let width = usize::from(inner.width);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if state.views.is_empty() {
        lines.push(Line::styled(
            format!(
                "no saved views yet: press {} to save the current filters",
                state.keymap.first_key(Layer::Global, Action::SaveView)
            ),
            theme.dim,
        ));
    }
    for (index, view) in state.views.iter().enumerate() {
        let key = if index < 9 {
            format!("{} ", index + 1)
        } else {
            "  ".to_owned()
        };
        let summary = filters::summary(&view.query, &state.choices);
        let summary = if summary.is_empty() {
            "no filters".to_owned()
        } else {
            summary
        };
        let counted = match state.counts_by_query.get(&PageCache::key(&view.query)) {
            Some((n, true)) => format!("  ·  {} matching", thousands(*n)),
            Some((n, false)) => format!("  ·  ≥ {} matching", thousands(*n)),
            None => String::new(),
        };
        let text = clip(&format!("{key}{}{counted}  ·  {summary}", view.name), width);
        let line = if index == list.cursor {
            Line::styled(text, theme.selected)
        } else {
            Line::raw(text)
        };
        lines.push(line);
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        clip(
            &format!(
                "{} applies · {} deletes · {} closes · 1–9 apply a view from anywhere",
                state.keymap.first_key(Layer::Views, Action::Activate),
                state.keymap.first_key(Layer::Views, Action::DeleteView),
                state.keymap.first_key(Layer::Views, Action::Back)
            ),
            width,
        ),
        theme.dim,
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The copy menu: each key with what it would copy of the contact under the cursor.
pub(super) fn draw_copy_menu(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(contact) = state.selected_contact() else {
        return;
    };
    let fields = [
        (CopyField::Email, contact.email().map(str::to_owned)),
        (
            CopyField::Phone,
            contact.phone().and_then(|phone| phone.e164()),
        ),
        (CopyField::Id, contact.id().map(str::to_owned)),
        (CopyField::Uuid, contact.uuid().map(str::to_owned)),
        (CopyField::Name, contact.name().map(str::to_owned)),
        (CopyField::Json, Some("the whole contact".to_owned())),
    ];
    let inner = open_overlay(frame, area, 64, 10, "Copy", theme);
    let width = usize::from(inner.width);
    let lines: Vec<Line<'static>> = fields
        .into_iter()
        .map(|(field, value)| {
            let key = state
                .keymap
                .first_key(Layer::Copy, Action::CopyField(field));
            let value = value.unwrap_or_else(|| "(none)".to_owned());
            Line::from(vec![
                Span::styled(format!(" {key:<3}"), theme.key),
                Span::styled(format!("{:<7}", field.label()), theme.label),
                Span::raw(clip(&value, width.saturating_sub(11))),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The command palette: a line at the bottom, over the status bar, like an editor's command
/// line, with the last command's error under it.
pub(super) fn draw_palette(frame: &mut Frame, area: Rect, palette: &PaletteInput, theme: &Theme) {
    let height = 2u16.min(area.height);
    let line_area = Rect {
        y: area.bottom() - height,
        height,
        ..area
    };
    frame.render_widget(ratatui::widgets::Clear, line_area);
    let room = usize::from(area.width).saturating_sub(2);
    let scroll = palette.input.visual_scroll(room);
    let visible = crate::text::skip_cells(palette.input.value(), scroll);
    let mut lines = vec![Line::from(vec![
        Span::styled(":", theme.key),
        Span::raw(clip(&visible, room)),
    ])];
    lines.push(match &palette.error {
        Some(error) => Line::styled(clip(error, usize::from(area.width)), theme.error),
        None => Line::styled(
            clip(
                "status S · tag T · agent A · segment S · bot B · only online · \
                 created-after DATE · -status S unsets · page N · search TEXT · clear · \
                 view NAME · export PATH · copy FIELD · open · help · q",
                usize::from(area.width),
            ),
            theme.dim,
        ),
    });
    frame.render_widget(Paragraph::new(lines), line_area);
    let cursor = palette.input.visual_cursor().saturating_sub(scroll) + 1;
    if let Ok(column) = u16::try_from(cursor)
        && column < area.width
    {
        frame.set_cursor_position(Position::new(area.x + column, line_area.y));
    }
}

/// The counts as bar charts: by status, by channel and by last sender, with how many matched
/// in all and how long ago they were counted.
pub(super) fn draw_counts(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    theme: &Theme,
    clock: &super::Clock,
) {
    use ratatui::layout::{Constraint, Direction, Layout};
    use ratatui::widgets::{Bar, BarChart, BarGroup};
    let Some(count) = &state.count else {
        return;
    };
    let total = match count.phase {
        CountPhase::Exact => format!("{} matching", thousands(count.counted)),
        _ => format!("≥ {} matching", thousands(count.counted)),
    };
    let ago = count
        .at
        .map(|at| {
            let seconds = clock.instant.saturating_duration_since(at).as_secs();
            match seconds {
                0..60 => format!(" · counted {seconds}s ago"),
                _ => format!(" · counted {}m ago", seconds / 60),
            }
        })
        .unwrap_or_default();
    let title = format!("Counts · {total}{ago}");
    let inner = open_overlay(frame, area, 90, 30, &title, theme);
    let status_counts: Vec<(String, u64)> = crate::api::Status::ALL
        .iter()
        .map(|status| {
            let item = filters::FilterItem::Status(status.clone());
            (
                status.as_str().to_owned(),
                count.facets.items.get(&item).copied().unwrap_or(0),
            )
        })
        .collect();
    let channel_counts: Vec<(String, u64)> = count
        .facets
        .channels
        .iter()
        .map(|(channel, n)| (channel.clone(), *n))
        .collect();
    let sender_counts: Vec<(String, u64)> = ["user", "bot", "agent"]
        .iter()
        .map(|by| {
            let item = filters::FilterItem::LastMessageBy(crate::api::Sender::parse(by));
            (
                (*by).to_owned(),
                count.facets.items.get(&item).copied().unwrap_or(0),
            )
        })
        .collect();
    let sections = [
        ("By status", status_counts),
        ("By channel", channel_counts),
        ("By last sender", sender_counts),
    ];
    let heights: Vec<Constraint> = sections
        .iter()
        .map(|(_, bars)| Constraint::Length(u16::try_from(bars.len() + 2).unwrap_or(u16::MAX)))
        .collect();
    let areas = Layout::default()
        .direction(Direction::Vertical)
        .constraints(heights)
        .split(inner);
    // One label column for all three charts, the numbers right-aligned in it and a space
    // before each bar, so that every bar starts at the same column and none touches its number.
    let label_width = sections
        .iter()
        .flat_map(|(_, bars)| bars.iter().map(|(label, _)| label.width().min(12)))
        .max()
        .unwrap_or(0);
    let number_width = sections
        .iter()
        .flat_map(|(_, bars)| bars.iter().map(|(_, value)| thousands(*value).len()))
        .max()
        .unwrap_or(0);
    for ((title, bars), section) in sections.iter().zip(areas.iter()) {
        let bars: Vec<Bar<'_>> = bars
            .iter()
            .map(|(label, value)| {
                let label = crate::text::fit_width(label, label_width);
                Bar::default()
                    .label(Line::from(format!(
                        "{label} {:>number_width$} ",
                        thousands(*value)
                    )))
                    .value(*value)
                    .text_value(String::new())
            })
            .collect();
        let chart = BarChart::default()
            .block(ratatui::widgets::Block::default().title(Line::styled(*title, theme.section)))
            .direction(Direction::Horizontal)
            .bar_width(1)
            .bar_gap(0)
            .bar_style(theme.active_item)
            .data(BarGroup::default().bars(&bars));
        frame.render_widget(chart, *section);
    }
}
