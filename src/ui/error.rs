//! The last error in full, where the status line could show only its start.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::Clock;
use crate::app::Mode;
use super::{Theme, centered, pane, wrap};
use crate::app::{Action, Layer, State};

/// As wide as the help, so that both read alike.
const MAX_WIDTH: u16 = super::help::MAX_WIDTH;

/// The last error, whole and wrapped, where the status line could show only its start.
pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, _clock: &Clock) {
    let Mode::LastError { scroll } = state.mode else {
        return;
    };
    let width = area.width.saturating_sub(4).min(MAX_WIDTH);
    let inner_width = usize::from(width.saturating_sub(2));
    let text = state
        .status
        .last_error
        .as_deref()
        .unwrap_or("no error so far");
    let rows: Vec<Line<'static>> = crate::text::single_line(text)
        .split("; ")
        .enumerate()
        .flat_map(|(index, part)| {
            let part = if index == 0 {
                part.to_owned()
            } else {
                format!("  {part}")
            };
            wrap(&Line::styled(part, theme.error), inner_width, 2)
        })
        .collect();
    let height = u16::try_from(rows.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height.saturating_sub(2));
    let overlay = centered(area, width, height);
    let title = format!(
        "Last error — press {} to close",
        state.keymap.first_key(Layer::Error, Action::Back)
    );
    let rows: Vec<Line<'static>> = rows.into_iter().skip(usize::from(scroll)).collect();
    frame.render_widget(Clear, overlay);
    frame.render_widget(
        Paragraph::new(rows).block(pane(Line::from(title), true, theme)),
        overlay,
    );
}
