//! The saved-views overlays: the "save view as" prompt and the list to apply or delete from.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;
use unicode_width::UnicodeWidthStr;

use super::Clock;
use crate::app::Mode;
use super::{Theme, clip, open_overlay};
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

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, _clock: &Clock) {
    let Mode::Views(list) = state.mode else {
        return;
    };
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
        let counted = match state.counts_by_query.get(&view.query.key()) {
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
