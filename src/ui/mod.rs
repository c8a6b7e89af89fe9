//! Drawing the browser: a pure function of `State`, a `Theme` and a `Clock`, one file per region.
//!
//! `draw` reads nothing but its arguments (no clock, environment or network), so the same state
//! always draws the same frame; that is what makes the snapshot tests meaningful.

mod detail;
mod filters;
mod list;
mod status;
mod theme;
mod time;

macro_rules! overlay_drawings {
    ($(Mode::$mode:ident => Layer::$layer:ident in $module:ident,)*) => {
        $(mod $module;)*

        /// The overlay open, if one is, drawn over the panes by its module's `draw`.
        fn draw_overlay(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, clock: &Clock) {
            match state.mode {
                $(Mode::$mode { .. } => $module::draw(frame, area, state, theme, clock),)*
                Mode::NamingView(ref input) => {
                    views::draw_prompt(frame, area, input, &state.keymap, theme);
                }
                Mode::Browse | Mode::Editing(_) => {}
            }
        }
    };
}
// Each overlay's drawing, in the module `app/mode.rs` names for it.
crate::app::mode::for_each_overlay!(overlay_drawings);

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, StyledGrapheme};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::app::state::ScrollLimits;
use crate::app::{Focus, Mode, State};

/// The fields the detail pane draws, as the model lists them (tests step through them).
pub use crate::app::detail::{DetailField, detail_fields};
pub use theme::Theme;
pub use time::{Clock, as_of};

/// Below this size the panes cannot show anything useful, so only a message is drawn.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// From this width on, the detail pane sits beside the table instead of below it.
const WIDE_WIDTH: u16 = 140;
/// The narrowest the detail pane gets beside the table: its label column, a 36-character uuid
/// and a cell of margin inside the border, so ids and uuids are never cut there. Between 140 and
/// about 190 columns a third of the width would leave values only 25 cells.
const DETAIL_MIN_WIDTH: u16 = detail::VALUE_COLUMN + 36 + 1 + 2;
/// The list's width beside the detail that keeps its columns up to Channel.
const LIST_WANTS: u16 = list::WIDTH_WITH_CHANNEL;
/// The status line plus the key-hint line.
const STATUS_HEIGHT: u16 = 2;

/// Where each region goes in a frame. `None` for a region that is hidden.
struct Regions {
    filters: Option<Rect>,
    list: Option<Rect>,
    detail: Rect,
    status: Rect,
}

/// The layout for a frame of `area`, or `None` when the terminal is too small.
fn regions(area: Rect, state: &State) -> Option<Regions> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let body = Rect {
        height: area.height - STATUS_HEIGHT,
        ..area
    };
    let status = Rect {
        y: body.bottom(),
        height: STATUS_HEIGHT,
        ..area
    };
    if state.detail.fullscreen {
        return Some(Regions {
            filters: None,
            list: None,
            detail: body,
            status,
        });
    }
    // Beside the list and the detail, below 160 columns, the panel gives up 4 columns so that
    // the list keeps its Channel column.
    let panel_width = match (state.panel_hidden, body.width) {
        (true, _) => 0,
        (false, width) if width < 100 || (WIDE_WIDTH..160).contains(&width) => 24,
        (false, _) => 28,
    };
    let filters = Rect {
        width: panel_width,
        ..body
    };
    let rest = Rect {
        x: body.x + panel_width,
        width: body.width - panel_width,
        ..body
    };
    let (list, detail) = if body.width >= WIDE_WIDTH {
        // The list's columns first (up to Channel), the detail no narrower than its minimum.
        let detail_width = (rest.width / 3)
            .max(DETAIL_MIN_WIDTH)
            .min(rest.width.saturating_sub(LIST_WANTS))
            .max(DETAIL_MIN_WIDTH);
        let list = Rect {
            width: rest.width - detail_width,
            ..rest
        };
        let detail = Rect {
            x: list.right(),
            width: detail_width,
            ..rest
        };
        (list, detail)
    } else {
        let detail_height = rest.height * 2 / 5;
        let list = Rect {
            height: rest.height - detail_height,
            ..rest
        };
        let detail = Rect {
            y: list.bottom(),
            height: detail_height,
            ..rest
        };
        (list, detail)
    };
    Some(Regions {
        filters: (panel_width > 0).then_some(filters),
        list: Some(list),
        detail,
        status,
    })
}

/// Draws the whole browser into `frame`.
pub fn draw(frame: &mut Frame, state: &State, theme: &Theme, clock: &Clock) {
    let area = frame.area();
    let Some(regions) = regions(area, state) else {
        draw_too_small(frame, area, theme);
        return;
    };
    if let Some(panel) = regions.filters {
        filters::draw(frame, panel, state, theme, clock);
    }
    if let Some(table) = regions.list {
        list::draw(frame, table, state, theme, clock);
    }
    detail::draw(frame, regions.detail, state, theme, clock);
    status::draw(frame, regions.status, state, theme, clock);
    draw_overlay(frame, area, state, theme, clock);
}

/// Which contact (index into `state.list.contacts`) is drawn at terminal cell (`column`, `row`)
/// in a frame of `area`, so a mouse click can select it.
pub fn list_row_at(area: Rect, state: &State, column: u16, row: u16) -> Option<usize> {
    if !matches!(state.mode, Mode::Browse | Mode::Editing(_)) {
        return None;
    }
    list::row_at(regions(area, state)?.list?, state, column, row)
}

/// The pane drawn at (`column`, `row`) of a frame of `area`, for a click to focus it; `None`
/// outside the panes or under an overlay.
pub fn pane_at(area: Rect, state: &State, column: u16, row: u16) -> Option<Focus> {
    if !matches!(state.mode, Mode::Browse | Mode::Editing(_)) {
        return None;
    }
    let regions = regions(area, state)?;
    let at = ratatui::layout::Position::new(column, row);
    [
        (regions.filters, Focus::Filters),
        (regions.list, Focus::List),
        (Some(regions.detail), Focus::Detail),
    ]
    .into_iter()
    .find_map(|(rect, focus)| rect.filter(|rect| rect.contains(at)).map(|_| focus))
}

/// How many contact rows the table shows in a frame of `area`, for page-sized cursor moves.
pub fn list_visible_rows(area: Rect, state: &State) -> usize {
    regions(area, state)
        .and_then(|regions| regions.list)
        .map_or(0, list::visible_rows)
}

/// The largest scrolls of the detail and the help that still show something new in a frame of
/// `area`, and where the detail's fields are drawn, for the event loop to pass to `update` (see
/// `ScrollLimits`).
pub fn scroll_limits(area: Rect, state: &State, clock: &Clock) -> ScrollLimits {
    let (detail, detail_height, detail_fields) = regions(area, state)
        .map(|regions| detail::layout(regions.detail, state, clock))
        .unwrap_or_default();
    ScrollLimits {
        detail,
        help: help::max_scroll(area, state),
        help_height: help::visible_rows(area, state),
        detail_height,
        detail_fields,
    }
}

fn draw_too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let message = format!(
        "terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{})",
        area.width, area.height
    );
    // One spare row: word wrapping can need one more than the cell count suggests.
    let rows = message.width().div_ceil(usize::from(area.width.max(1))) + 1;
    let rows = u16::try_from(rows).unwrap_or(u16::MAX).min(area.height);
    let middle = Rect {
        y: area.y + (area.height - rows) / 2,
        height: rows,
        ..area
    };
    let paragraph = Paragraph::new(Line::styled(message, theme.warning))
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    frame.render_widget(paragraph, middle);
}

/// A `width` x `height` rectangle in the middle of `area`, for overlays; it never exceeds `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears a centred `width` x `height` box over whatever is drawn, frames it with `title` as the
/// focused pane, and returns the area inside the frame.
fn open_overlay(
    frame: &mut Frame,
    area: Rect,
    width: u16,
    height: u16,
    title: &str,
    theme: &Theme,
) -> Rect {
    let overlay = centered(area, width, height);
    frame.render_widget(ratatui::widgets::Clear, overlay);
    let block = Block::bordered()
        .border_style(theme.focus_border)
        .title(Line::styled(title.to_owned(), theme.title));
    let inner = block.inner(overlay);
    frame.render_widget(block, overlay);
    inner
}

/// A bordered pane whose border shows whether it has the keyboard.
fn pane<'a>(title: Line<'a>, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused {
        theme.focus_border
    } else {
        theme.border
    };
    Block::bordered()
        .border_type(BorderType::Plain)
        .border_style(border)
        .title(title.style(theme.title))
}

/// Cuts `text` (made single-line) to at most `width` cells, with `…` when cut, without padding.
fn clip(text: &str, width: usize) -> String {
    crate::text::fit_width_unpadded(text, width)
}

/// Breaks a styled line into rows of at most `width` cells, preferring to break after a space.
/// Rows after the first are indented by `hang` cells, and no break happens inside the first
/// `hang` cells (the label column), so wrapped values stay aligned under their value.
///
/// Done here rather than by `Paragraph`'s wrapping because the detail pane must know the exact
/// row count to clamp its scroll.
fn wrap(line: &Line<'_>, width: usize, hang: usize) -> Vec<Line<'static>> {
    let hang = if hang * 2 > width { 0 } else { hang };
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut row: Vec<StyledGrapheme<'_>> = Vec::new();
    // Graphemes of indent at the start of `row`: none on the first row.
    let mut indent = 0;
    let mut used = 0;
    let mut break_after: Option<usize> = None;
    for grapheme in line.styled_graphemes(Style::new()) {
        let cells = grapheme.symbol.width();
        let at_space = grapheme.symbol == " ";
        let mut broke = false;
        // Twice at most: once after the last space, once more if the rest still does not fit.
        while used + cells > width && row.len() > indent {
            let split = match break_after {
                Some(index) if !at_space => index + 1,
                _ => row.len(),
            };
            let tail = row.split_off(split);
            rows.push(join(&row));
            row = Vec::with_capacity(hang + tail.len());
            row.extend((0..hang).map(|_| StyledGrapheme::new(" ", Style::new())));
            row.extend(tail);
            indent = hang;
            used = row.iter().map(|g| g.symbol.width()).sum();
            break_after = None;
            broke = true;
        }
        // A space that would overflow is the break itself.
        if broke && at_space {
            continue;
        }
        if at_space && used >= hang {
            break_after = Some(row.len());
        }
        used += cells;
        row.push(grapheme);
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(join(&row));
    }
    rows
}

/// A styled line on one row of at most `width` cells, its end replaced by `…` when it is cut.
fn cut(line: &Line<'_>, width: usize) -> Line<'static> {
    let graphemes: Vec<StyledGrapheme<'_>> = line.styled_graphemes(Style::new()).collect();
    let total: usize = graphemes.iter().map(|g| g.symbol.width()).sum();
    if total <= width {
        return join(&graphemes);
    }
    let mut kept = Vec::with_capacity(graphemes.len());
    let mut used = 0;
    for grapheme in graphemes {
        let cells = grapheme.symbol.width();
        if used + cells + 1 > width {
            break;
        }
        used += cells;
        kept.push(grapheme);
    }
    if width > 0 {
        let style = kept.last().map_or_else(Style::new, |last| last.style);
        kept.push(StyledGrapheme::new("…", style));
    }
    join(&kept)
}

/// Merges runs of same-styled graphemes back into spans.
fn join(graphemes: &[StyledGrapheme<'_>]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style: Option<Style> = None;
    for grapheme in graphemes {
        if style.is_some_and(|current| current != grapheme.style) {
            spans.push(Span::styled(
                std::mem::take(&mut text),
                style.unwrap_or_default(),
            ));
        }
        style = Some(grapheme.style);
        text.push_str(grapheme.symbol);
    }
    if let Some(style) = style {
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn wrap_breaks_after_spaces_and_hangs() {
        let line = Line::from("label  one two three four");
        assert_eq!(
            texts(&wrap(&line, 14, 7)),
            ["label  one two", "       three ", "       four"]
        );
    }

    #[test]
    fn wrap_never_overflows_with_wide_characters() {
        let line = Line::from("label   bcdefg王");
        let rows = wrap(&line, 14, 7);
        assert_eq!(texts(&rows), ["label   ", "       bcdefg", "       王"]);
        assert!(rows.iter().all(|row| row.width() <= 14));
    }

    #[test]
    fn cut_keeps_one_row_and_marks_the_cut() {
        let line = Line::from("id  65f0c1d2e3a4b5c6d7e8f901");
        assert_eq!(cut(&line, 40).to_string(), "id  65f0c1d2e3a4b5c6d7e8f901");
        assert_eq!(cut(&line, 12).to_string(), "id  65f0c1d…");
        assert_eq!(cut(&Line::from("王小明"), 4).to_string(), "王…");
    }

    #[test]
    fn wrap_cuts_long_words_by_cells() {
        let line = Line::from("王小明王小明");
        let rows = wrap(&line, 5, 0);
        assert_eq!(texts(&rows), ["王小", "明王", "小明"]);
    }
}
