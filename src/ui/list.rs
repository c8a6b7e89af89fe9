//! The contact table in the centre, and its loading, empty and failed screens.
//!
//! Only the rows in view are built: a page holds 50 contacts but a frame is redrawn often.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};
use unicode_width::UnicodeWidthStr;

use super::time::{self, Clock};
use super::{Theme, clip, pane};
use crate::api::{ApiError, Contact};
use crate::app::filters::short_id;
use crate::app::{Action, Focus, Layer, Load, PageEnd, State};

/// Cells between columns.
const SPACING: u16 = 1;

/// A table column. Declaration order is display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// `●` on selected contacts.
    Mark,
    Name,
    Channel,
    Status,
    /// Messages no one has read yet, blank at 0, so the rows waiting on the team stand out.
    Unread,
    Tags,
    Agent,
    LastMessage,
    LastSeen,
}

impl Column {
    const DISPLAY_ORDER: [Column; 9] = [
        Column::Mark,
        Column::Name,
        Column::Channel,
        Column::Status,
        Column::Unread,
        Column::Tags,
        Column::Agent,
        Column::LastMessage,
        Column::LastSeen,
    ];

    /// Which columns a narrow table keeps first.
    const PRIORITY: [Column; 9] = [
        Column::Mark,
        Column::Name,
        Column::Status,
        Column::Unread,
        Column::LastMessage,
        Column::Channel,
        Column::Tags,
        Column::Agent,
        Column::LastSeen,
    ];

    /// The columns that grow with their values, and the most each grows to: past these a
    /// value is rarely worth the room the other columns lose.
    const FLEXIBLE: [(Column, u16); 3] =
        [(Column::Name, 36), (Column::Tags, 48), (Column::Agent, 24)];

    fn header(self) -> &'static str {
        match self {
            Column::Mark => "",
            Column::Name => "Name",
            Column::Channel => "Channel",
            Column::Status => "Status",
            Column::Unread => "Unread",
            Column::Tags => "Tags",
            Column::Agent => "Agent",
            Column::LastMessage => "Last message",
            Column::LastSeen => "Last seen",
        }
    }

    /// The narrowest the column is useful at: the longest usual value (`INPROGRESS`,
    /// `agent 23h ago`…) or the header.
    const fn min_width(self) -> u16 {
        match self {
            Column::Mark => 1,
            Column::Name => 15,
            Column::Channel => 9,
            Column::Status => 10,
            Column::Unread => 6,
            Column::Tags => 10,
            Column::Agent => 11,
            Column::LastMessage => 14,
            Column::LastSeen => 9,
        }
    }

    fn text(self, contact: &Contact, state: &State, clock: &Clock) -> String {
        match self {
            Column::Mark if state.selection.contains(contact) => "●".to_owned(),
            // New or moved since the last live refresh.
            Column::Mark
                if contact
                    .id()
                    .is_some_and(|id| state.list.fresh.contains_key(id)) =>
            {
                "+".to_owned()
            }
            Column::Mark => String::new(),
            Column::Name => contact.display_name(),
            Column::Channel => contact.channel().unwrap_or_default().to_owned(),
            Column::Status => contact.status().unwrap_or_default().to_owned(),
            Column::Unread => match contact.unread_messages() {
                None | Some(0) => String::new(),
                Some(count) => crate::text::thousands(count),
            },
            Column::Tags => contact
                .tags()
                .into_iter()
                .map(|tag| state.choices.tag_label(tag))
                .collect::<Vec<_>>()
                .join(", "),
            Column::Agent => contact.agent_id().map_or_else(String::new, |id| {
                state
                    .choices
                    .agent_name(id)
                    .map_or_else(|| short_id(id), str::to_owned)
            }),
            Column::LastMessage => contact.last_message().map_or_else(String::new, |message| {
                let age = time::age(message.at, clock);
                match message.by {
                    Some(by) if age.is_empty() => by.to_owned(),
                    Some(by) => format!("{by} {age}"),
                    None => age,
                }
            }),
            Column::LastSeen => time::age(contact.last_seen_at(), clock),
        }
    }
}

/// Each contact's values of the flexible columns, in `Column::FLEXIBLE` order: the whole page
/// is read to size the columns, and the rows in view reuse what was read.
fn flexible_values(contacts: &[Contact], state: &State, clock: &Clock) -> Vec<[String; 3]> {
    contacts
        .iter()
        .map(|contact| Column::FLEXIBLE.map(|(column, _)| column.text(contact, state, clock)))
        .collect()
}

/// The cells each flexible column's longest value on the page needs, in `Column::FLEXIBLE`
/// order.
fn longest_values(values: &[[String; 3]]) -> [u16; 3] {
    std::array::from_fn(|index| {
        values
            .iter()
            .map(|row| row[index].width())
            .max()
            .map_or(0, |cells| u16::try_from(cells).unwrap_or(u16::MAX))
    })
}

/// The columns that fit in `width` cells and their widths. Columns are taken by priority while
/// they fit; the spare cells then go to the name, tags and agent in proportion to what their
/// longest value on the page (`longest`, capped) lacks, and what is left after that to the
/// name and the tags. One cell stays free on the right, so the last column never touches the
/// border.
/// The pane's width (borders included) that holds the columns up to Channel in priority order.
pub(super) const WIDTH_WITH_CHANNEL: u16 = {
    let mut cells = 0;
    let mut index = 0;
    while index < Column::PRIORITY.len() {
        let column = Column::PRIORITY[index];
        cells += column.min_width() + if index == 0 { 0 } else { SPACING };
        if matches!(column, Column::Channel) {
            break;
        }
        index += 1;
    }
    // `columns` keeps one cell spare, and the borders take two.
    cells + 1 + 2
};

fn columns(width: u16, longest: [u16; 3]) -> Vec<(Column, u16)> {
    let width = width.saturating_sub(1);
    let mut chosen: Vec<Column> = Vec::new();
    let mut used: u16 = 0;
    for column in Column::PRIORITY {
        let gap = if chosen.is_empty() { 0 } else { SPACING };
        let needed = gap + column.min_width();
        if used + needed <= width {
            chosen.push(column);
            used += needed;
        }
    }
    let spare = width.saturating_sub(used);
    let lacking = Column::FLEXIBLE
        .iter()
        .zip(longest)
        .map(|((column, cap), longest)| {
            if chosen.contains(column) {
                longest.min(*cap).saturating_sub(column.min_width())
            } else {
                0
            }
        });
    let lacking: Vec<u16> = lacking.collect();
    let total_lacking: u32 = lacking.iter().map(|cells| u32::from(*cells)).sum();
    let mut extra = [0u16; 3];
    if total_lacking <= u32::from(spare) {
        extra.copy_from_slice(&lacking);
    } else {
        for (extra, lacking) in extra.iter_mut().zip(&lacking) {
            let share = u32::from(spare) * u32::from(*lacking) / total_lacking;
            *extra = u16::try_from(share).unwrap_or(0);
        }
    }
    let left = spare - extra.iter().sum::<u16>();
    let has_tags = chosen.contains(&Column::Tags);
    let name_left = if has_tags { left.div_ceil(2) } else { left };
    Column::DISPLAY_ORDER
        .into_iter()
        .filter(|column| chosen.contains(column))
        .map(|column| {
            let flexible = Column::FLEXIBLE
                .iter()
                .position(|(flexible, _)| *flexible == column)
                .map_or(0, |index| extra[index]);
            let left = match column {
                Column::Name => name_left,
                Column::Tags => left - name_left,
                _ => 0,
            };
            (column, column.min_width() + flexible + left)
        })
        .collect()
}

/// The table's inner area: inside the border.
fn inner(area: Rect) -> Rect {
    Block::bordered().inner(area)
}

/// Contact rows that fit under the header in a table drawn in `area`.
pub(super) fn visible_rows(area: Rect) -> usize {
    usize::from(inner(area).height.saturating_sub(1))
}

/// The index of the first row shown: the top until the cursor would leave the window, then the
/// window follows the cursor down.
fn first_visible(selected: usize, visible: usize) -> usize {
    (selected + 1).saturating_sub(visible.max(1))
}

pub(super) fn row_at(area: Rect, state: &State, column: u16, row: u16) -> Option<usize> {
    let inner = inner(area);
    let first_row_y = inner.y + 1;
    let in_columns = (inner.x..inner.right()).contains(&column);
    let visible = visible_rows(area);
    let offset = row.checked_sub(first_row_y).map(usize::from)?;
    let count = state.list.contacts.len();
    let index = first_visible(selected(state), visible) + offset;
    (in_columns && offset < visible && index < count).then_some(index)
}

/// The list cursor, kept on the page.
fn selected(state: &State) -> usize {
    state
        .list
        .selected
        .min(state.list.contacts.len().saturating_sub(1))
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, clock: &Clock) {
    let list = &state.list;
    // While another page loads, the rows shown are the old page's: the title says which page is
    // coming, and the rows are dimmed (they cannot be marked either).
    let loading = match list.load {
        Load::Loading { page } if page != list.page => Some(page),
        _ => None,
    };
    let title = match (loading, list.page, list.end) {
        (Some(page), _, _) => format!("Contacts · loading page {page}…"),
        (None, 0, _) => "Contacts".to_owned(),
        (None, page, PageEnd::More) => format!("Contacts · page {page} · more"),
        (None, page, PageEnd::End) => format!("Contacts · page {page} · end"),
    } + &matching(state, clock)
        + if list.stale {
            " · STALE: refresh failing"
        } else {
            ""
        };
    let mut block = pane(Line::from(title), state.focus == Focus::List, theme);
    let count = list.contacts.len();
    if count > visible_rows(area) {
        let position = format!(" {} of {count} ", selected(state) + 1);
        block = block.title_bottom(Line::styled(position, theme.dim).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }

    if list.contacts.is_empty() {
        frame.render_widget(empty_screen(state, theme), inner);
        return;
    }

    let flexible = flexible_values(&list.contacts, state, clock);
    let columns = columns(inner.width, longest_values(&flexible));
    let visible = visible_rows(area);
    let selected = selected(state);
    let first = first_visible(selected, visible);
    let pending_range = state
        .range_anchor
        .map(|anchor| anchor.min(selected)..=anchor.max(selected));
    let rows: Vec<Row<'static>> = list
        .contacts
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(index, contact)| {
            let cells = columns.iter().map(|(column, width)| {
                let flexible = Column::FLEXIBLE
                    .iter()
                    .position(|(flexible, _)| flexible == column)
                    .map(|position| flexible[index][position].as_str());
                let text = match flexible {
                    Some(text) => clip(text, usize::from(*width)),
                    None => clip(&column.text(contact, state, clock), usize::from(*width)),
                };
                if *column == Column::Unread {
                    Cell::from(Line::from(text).right_aligned())
                } else {
                    Cell::from(text)
                }
            });
            let row = Row::new(cells);
            if loading.is_some() || (list.stale && index != selected) {
                row.style(theme.dim)
            } else if index == selected && state.focus == Focus::List {
                row.style(theme.selected)
            } else if index == selected {
                // The cursor of a pane without the keyboard: there, but not where keys go.
                row.style(theme.dim.add_modifier(Modifier::REVERSED))
            } else if contact
                .id()
                .is_some_and(|id| state.list.fresh.contains_key(id))
            {
                row.style(Style::new().add_modifier(Modifier::BOLD))
            } else if pending_range
                .as_ref()
                .is_some_and(|range| range.contains(&index))
            {
                row.style(theme.active_item)
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(
        columns
            .iter()
            .map(|(column, width)| clip(column.header(), usize::from(*width))),
    )
    .style(theme.header);
    let widths = columns.iter().map(|(_, width)| Constraint::Length(*width));
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(SPACING);
    frame.render_widget(table, inner);
}

/// ` · ≥ 1,000 matching` while the count of the query shown is short of the end, ` · 1,234
/// matching` once exact, ` · 1,234 matching as of 12:03, 4m ago` from the local snapshot;
/// nothing before a count. A failed count keeps what it counted as a lower bound and says it
/// failed, so that no one takes the bound for the total.
fn matching(state: &State, clock: &Clock) -> String {
    use crate::app::state::CountPhase;
    let Some(count) = state
        .count
        .as_ref()
        .filter(|count| count.query == state.query)
    else {
        return String::new();
    };
    let counted = crate::text::thousands(count.counted);
    match &count.phase {
        CountPhase::Exact => match count.as_of {
            Some(at) => format!(
                " · {counted} matching {}",
                super::as_of(at, Some(clock.now), &state.time_zone)
            ),
            None => format!(" · {counted} matching"),
        },
        CountPhase::Running { .. } if count.counted == 0 => " · counting…".to_owned(),
        CountPhase::Running { .. } | CountPhase::Capped => format!(" · ≥ {counted} matching"),
        CountPhase::Failed(_) if count.counted == 0 => " · count failed".to_owned(),
        CountPhase::Failed(_) => format!(" · ≥ {counted} matching, count failed"),
    }
}

/// What the list area says when it has no contacts: loading, empty and failed are three
/// different screens, each with the key that helps.
fn empty_screen<'a>(state: &State, theme: &Theme) -> Paragraph<'a> {
    let keymap = &state.keymap;
    let lines = match &state.list.load {
        Load::Loading { .. } => vec![Line::styled("Loading contacts…", theme.dim)],
        Load::Idle if state.query.active_filter_count() > 0 => vec![Line::from(format!(
            "no contacts match: press {} to clear filters",
            keymap.first_key(Layer::Global, Action::ClearFilters)
        ))],
        Load::Idle => vec![Line::from(format!(
            "no contacts yet: press {} to refresh",
            keymap.first_key(Layer::Global, Action::Refresh)
        ))],
        Load::Failed { error, .. } => {
            let hint = match error {
                ApiError::Unauthorized { .. } => format!(
                    "token rejected: press {} for how to set it",
                    keymap.first_key(Layer::Global, Action::Help)
                ),
                _ => format!(
                    "press {} to retry",
                    keymap.first_key(Layer::Global, Action::Refresh)
                ),
            };
            vec![
                Line::styled(crate::text::single_line(&error.to_string()), theme.error),
                Line::default(),
                Line::from(hint),
            ]
        }
    };
    Paragraph::new(lines).wrap(Wrap { trim: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cells a table of `columns` fills, gaps included.
    fn filled(columns: &[(Column, u16)]) -> u16 {
        columns
            .iter()
            .map(|(_, width)| width + SPACING)
            .sum::<u16>()
            - SPACING
    }

    #[test]
    fn narrow_tables_keep_the_important_columns() {
        let chosen = columns(37, [0; 3]);
        let names: Vec<Column> = chosen.iter().map(|(column, _)| *column).collect();
        assert_eq!(
            names,
            [Column::Mark, Column::Name, Column::Status, Column::Unread]
        );
        assert_eq!(filled(&chosen), 36, "one cell is left before the border");
    }

    #[test]
    fn wide_tables_show_every_column_and_leave_a_cell_before_the_border() {
        let chosen = columns(120, [0; 3]);
        assert_eq!(chosen.len(), 9);
        assert_eq!(filled(&chosen), 119);
    }

    #[test]
    fn spare_width_goes_where_values_are_long() {
        let width = |chosen: &[(Column, u16)], wanted: Column| {
            chosen
                .iter()
                .find(|(column, _)| *column == wanted)
                .map_or(0, |(_, width)| *width)
        };
        // Plenty of room: each flexible column gets what its longest value needs, capped.
        let chosen = columns(220, [20, 100, 18]);
        assert_eq!(width(&chosen, Column::Agent), 18);
        assert!(width(&chosen, Column::Tags) >= 48);
        assert_eq!(filled(&chosen), 219);
        // Less room than wanted: shared in proportion to what each lacks.
        let chosen = columns(110, [35, 58, 11]);
        assert_eq!(width(&chosen, Column::Agent), 11);
        let grown = |column: Column| width(&chosen, column) - column.min_width();
        assert!(grown(Column::Tags) > grown(Column::Name), "{chosen:?}");
        assert_eq!(filled(&chosen), 109);
    }

    #[test]
    fn the_window_follows_the_cursor() {
        assert_eq!(first_visible(0, 10), 0);
        assert_eq!(first_visible(9, 10), 0);
        assert_eq!(first_visible(10, 10), 1);
        assert_eq!(first_visible(49, 10), 40);
    }
}
