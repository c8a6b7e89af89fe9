//! The command palette's line, over the status bar.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Clock;
use crate::app::Mode;
use super::{Theme, clip};
use crate::app::State;

/// The command palette: a line at the bottom, over the status bar, like an editor's command
/// line, with the last command's error under it.
pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, _clock: &Clock) {
    let Mode::Palette(palette) = &state.mode else {
        return;
    };
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
                &crate::app::palette::help_line(),
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
