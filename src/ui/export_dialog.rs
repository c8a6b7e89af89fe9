//! The export dialog: what to export, the format, the path, then progress or the error.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Wrap};

use super::Clock;
use crate::app::Mode;
use super::{Theme, clip, open_overlay};
use crate::app::state::{DialogRow, ExportPhase, ExportScope};
use crate::app::{Action, Layer, State};
use crate::export::ExportFormat;
use crate::text::thousands;

const WIDTH: u16 = 72;
const HEIGHT: u16 = 12;

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, _clock: &Clock) {
    let Mode::Export(dialog) = &state.mode else {
        return;
    };
    let width = WIDTH.min(area.width.saturating_sub(2));
    let inner_width = usize::from(width.saturating_sub(2));
    let room = inner_width.saturating_sub(12);

    let scope = match dialog.scope {
        ExportScope::Selection => format!(
            "{} ({} contacts)",
            dialog.scope.label(),
            thousands(state.selection.len() as u64)
        ),
        ExportScope::Page => format!(
            "{} ({} contacts)",
            dialog.scope.label(),
            state.list.contacts.len()
        ),
        ExportScope::Matching | ExportScope::Snapshot => dialog.scope.label().to_owned(),
    };
    let path = if dialog.path.value().is_empty() {
        let folder = state
            .last_export
            .as_ref()
            .and_then(|last| last.folder.as_deref())
            .map(|folder| format!("{}/", crate::text::single_line(folder)))
            .unwrap_or_default();
        Span::styled(
            clip(
                &format!(
                    "{folder}{} (default)",
                    crate::export::default_file_pattern(dialog.format)
                ),
                room,
            ),
            theme.dim,
        )
    } else {
        Span::raw(clip(dialog.path.value(), room))
    };
    let editing = matches!(dialog.phase, ExportPhase::Editing | ExportPhase::Failed(_));
    let row = |label: &'static str, which: DialogRow, value: Span<'static>, choice: bool| {
        let focused = editing && dialog.row == which;
        let marker = if focused { "▶ " } else { "  " };
        let value = if choice {
            Span::styled(format!("◀ {} ▶", value.content), value.style)
        } else {
            value
        };
        let line = Line::from(vec![
            Span::raw(marker),
            Span::styled(format!("{label:<8}"), theme.label),
            value,
        ]);
        if focused {
            line.style(theme.active_item)
        } else {
            line
        }
    };
    let mut lines = vec![
        row(
            "What",
            DialogRow::Scope,
            Span::raw(clip(&scope, room)),
            true,
        ),
        row(
            "Format",
            DialogRow::Format,
            Span::raw(dialog.format.extension().to_uppercase()),
            true,
        ),
        row("Path", DialogRow::Path, path, false),
    ];
    if dialog.format == ExportFormat::Csv {
        let cells = if dialog.csv.raw {
            "as sent (no formula guard)"
        } else {
            "spreadsheet-safe"
        };
        lines.push(row("Cells", DialogRow::Cells, Span::raw(cells), true));
    }
    // Why the dialog starts on the page: gone once another choice is made.
    if state.selection.is_empty() && dialog.scope == ExportScope::Page {
        lines.push(Line::styled(
            "nothing is selected: choose what to export on the first row",
            theme.dim,
        ));
    } else {
        lines.push(Line::default());
    }
    match &dialog.phase {
        ExportPhase::Editing => {
            let key = |action| state.keymap.first_key(Layer::Export, action);
            let hint = format!(
                "{} export · {}/{} move · {}/{} change · type the path · {} close",
                key(Action::Activate),
                key(Action::MoveDown),
                key(Action::MoveUp),
                key(Action::PrevChoice),
                key(Action::NextChoice),
                key(Action::Back)
            );
            lines.push(Line::styled(clip(&hint, inner_width), theme.dim));
        }
        ExportPhase::ConfirmOverwrite { path } => lines.push(Line::styled(
            format!(
                "{} exists: {} replaces it, {} goes back",
                crate::text::single_line(path),
                state.keymap.first_key(Layer::Export, Action::Activate),
                state.keymap.first_key(Layer::Export, Action::Back)
            ),
            theme.warning,
        )),
        ExportPhase::Failed(error) => {
            lines.push(Line::styled(crate::text::single_line(error), theme.error))
        }
        ExportPhase::Running { progress, .. } => lines.push(Line::from(format!(
            "{} so far, {} read · {} cancels, leaving no file",
            crate::text::count_of(progress.contacts_written, "contact", "contacts"),
            crate::text::count_of(u64::from(progress.pages_fetched), "page", "pages"),
            state.keymap.first_key(Layer::Export, Action::Back)
        ))),
    }
    // As tall as what it shows (wrapped), and the gauge while running: no empty rows.
    let rows: usize = lines
        .iter()
        .map(|line| line.width().div_ceil(inner_width.max(1)).max(1))
        .sum();
    let gauge = usize::from(matches!(dialog.phase, ExportPhase::Running { .. }));
    let height = u16::try_from(rows + gauge + 2)
        .unwrap_or(HEIGHT)
        .min(HEIGHT)
        .min(area.height.saturating_sub(2));
    let inner = open_overlay(frame, area, width, height, "Export", theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);

    if let ExportPhase::Running { progress, total } = &dialog.phase
        && inner.height > 0
    {
        let gauge_area = Rect {
            y: inner.bottom() - 1,
            height: 1,
            ..inner
        };
        let gauge = match total {
            Some(total) if *total > 0 => {
                let ratio = (progress.contacts_written as f64 / *total as f64).clamp(0.0, 1.0);
                Gauge::default().ratio(ratio).label(format!(
                    "{} / {}",
                    crate::text::thousands(progress.contacts_written),
                    crate::text::thousands(*total as u64)
                ))
            }
            _ => Gauge::default().ratio(0.0).label(format!(
                "{} so far",
                crate::text::count_of(progress.contacts_written, "contact", "contacts")
            )),
        };
        frame.render_widget(gauge.gauge_style(theme.active_item), gauge_area);
    }
}
