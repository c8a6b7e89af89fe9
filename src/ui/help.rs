//! The help overlay, generated from the live keymap so it always names the keys that work.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::Clock;
use crate::app::Mode;
use super::{Theme, centered, pane, wrap};
use crate::app::{Action, Layer, State};

/// Widest the overlay gets: long lines read badly.
pub(super) const MAX_WIDTH: u16 = 84;
/// Widest the key column gets before a key list just pushes its description right.
const MAX_KEY_WIDTH: usize = 20;

const TOKEN_HELP: &str = "The API token comes from the INBOX_TUI_TOKEN environment variable \
    (web panel: More → Developer → API Access Token). Use --base-url for white-label hosts.";

/// The help's wrapped rows and the box they go in, for a frame of `area`.
fn layout(area: Rect, state: &State, theme: &Theme) -> (Vec<Line<'static>>, Rect) {
    let keymap = &state.keymap;
    let width = area.width.saturating_sub(4).min(MAX_WIDTH);
    let inner_width = usize::from(Block::bordered().inner(Rect::new(0, 0, width, 3)).width);

    // The keys of where the help was opened from come first: those are the ones wanted.
    let sections = keymap.help_sections(state.pane_layer());
    let key_width = sections
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(keys, _)| keys.width()))
        .max()
        .unwrap_or(0)
        .min(MAX_KEY_WIDTH);

    let mut lines: Vec<(Line<'static>, usize)> = Vec::new();
    for (layer, rows) in sections {
        lines.push((Line::styled(layer.title(), theme.section), 0));
        for (keys, description) in rows {
            let padding = " ".repeat(key_width.saturating_sub(keys.width()));
            let line = Line::from(vec![
                Span::raw("  "),
                Span::styled(keys, theme.key),
                Span::raw(format!("{padding}  {description}")),
            ]);
            lines.push((line, key_width + 4));
        }
        lines.push((Line::default(), 0));
    }
    lines.push((Line::styled("Token", theme.section), 0));
    lines.push((Line::raw(format!("  {TOKEN_HELP}")), 2));
    if let Some(path) = &state.log_path {
        lines.push((Line::default(), 0));
        let log = format!(
            "  Log file: {}",
            crate::text::single_line(&path.display().to_string())
        );
        lines.push((Line::raw(log), 4));
    }
    let rows: Vec<Line<'static>> = lines
        .iter()
        .flat_map(|(line, hang)| wrap(line, inner_width, *hang))
        .collect();

    let wanted = u16::try_from(rows.len() + 2).unwrap_or(u16::MAX);
    let height = wanted.min(area.height.saturating_sub(2));
    (rows, centered(area, width, height))
}

/// The largest useful help scroll for a frame of `area`: the one showing the last row
/// at the bottom, on terminals too short for the whole help.
pub(super) fn max_scroll(area: Rect, state: &State) -> u16 {
    let (rows, overlay) = layout(area, state, &Theme::mono());
    let visible = usize::from(overlay.height.saturating_sub(2));
    u16::try_from(rows.len().saturating_sub(visible)).unwrap_or(u16::MAX)
}

/// How many rows of the help the overlay shows at once.
pub(super) fn visible_rows(area: Rect, state: &State) -> u16 {
    layout(area, state, &Theme::mono())
        .1
        .height
        .saturating_sub(2)
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, _clock: &Clock) {
    let Mode::Help { scroll } = state.mode else {
        return;
    };
    let keymap = &state.keymap;
    let (rows, overlay) = layout(area, state, theme);
    let title = format!(
        "Help — press {} to close",
        keymap.keys_for(Layer::Help, Action::Back).join(" or ")
    );
    let visible = usize::from(overlay.height.saturating_sub(2));
    let scroll = usize::from(scroll.min(max_scroll(frame.area(), state)));
    let mut block = pane(Line::from(title), true, theme);
    if rows.len() > visible {
        let position = format!(" {}–{} of {} ", scroll + 1, scroll + visible, rows.len());
        block = block.title_bottom(Line::styled(position, theme.dim).right_aligned());
    }
    let rows: Vec<Line<'static>> = rows.into_iter().skip(scroll).collect();
    frame.render_widget(Clear, overlay);
    frame.render_widget(Paragraph::new(rows).block(block), overlay);
}
