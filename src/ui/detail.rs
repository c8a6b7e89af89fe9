//! The detail pane: every field of the selected contact, unknown ones included, or its raw JSON.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::time::{self, Clock};
use super::{Theme, cut, pane, wrap};
use crate::api::Contact;
use crate::app::detail::{DetailLine, detail_lines};
use crate::app::state::FieldRows;
use crate::app::{Focus, State};

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
}

impl<'t> Sheet<'t> {
    fn new(theme: &'t Theme) -> Sheet<'t> {
        Sheet {
            lines: Vec::new(),
            theme,
            cursor: None,
            fields: 0,
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

    /// A line the cursor stops on, highlighted when it is there.
    fn push_field(&mut self, line: Line<'static>, fit: Fit) {
        let line = if self.cursor == Some(self.fields) {
            highlighted(line, self.theme)
        } else {
            line
        };
        self.fields += 1;
        self.lines.push(SheetLine {
            line,
            fit,
            field: true,
        });
    }

    /// One line of the model's view, styled: a section a blank line apart from the one
    /// before, `label         value` with a time's age after it, `key: value`, text, or a dim
    /// "(none)".
    fn detail_line(&mut self, detail: DetailLine, clock: Option<&Clock>) {
        match detail {
            DetailLine::Section(title) => {
                if !self.lines.is_empty() {
                    self.push(Line::default(), 0);
                }
                self.push(Line::styled(title, self.theme.section), 0);
            }
            DetailLine::Field {
                label,
                shown,
                age_of,
                ..
            } => {
                let shown = match (age_of, clock) {
                    (Some(then), Some(clock)) => {
                        format!("{shown} ({})", time::relative(then, clock.now))
                    }
                    _ => shown,
                };
                let line = Line::from(vec![
                    Span::raw(INDENT),
                    Span::styled(format!("{label:<LABEL_WIDTH$} "), self.theme.label),
                    Span::raw(shown),
                ]);
                let hang = INDENT.len() + LABEL_WIDTH + 1;
                self.push_field(line, Fit::Cut { hang });
            }
            DetailLine::Pair { key, value } => {
                let line = Line::from(vec![
                    Span::raw(INDENT),
                    Span::styled(format!("{key}:"), self.theme.label),
                    Span::raw(format!(" {value}")),
                ]);
                let hang = INDENT.len() * 2;
                self.push_field(line, Fit::Cut { hang });
            }
            DetailLine::Text { text, .. } => {
                let line = Line::raw(format!("{INDENT}{text}"));
                self.push_field(line, Fit::Wrap { hang: INDENT.len() });
            }
            DetailLine::Empty(text) => {
                self.push(Line::styled(format!("{INDENT}{text}"), self.theme.dim), 0);
            }
        }
    }
}

/// The normal view: the model's lines for the contact, styled.
fn fields(sheet: &mut Sheet<'_>, contact: &Contact, state: &State, clock: Option<&Clock>) {
    for line in detail_lines(contact, &state.choices, &state.time_zone) {
        sheet.detail_line(line, clock);
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
