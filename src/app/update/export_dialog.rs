//! The export dialog: its keys change only the dialog and return an outcome; starting,
//! closing and cancelling are done here, by its parent.

use std::path::Path;
use std::sync::Arc;

use crossterm::event::{Event, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

use crate::app::keymap::{Action, Layer, unless_text};
use crate::app::msg::{Cmd, ExportFinished};
use crate::app::state::{
    DialogRow, ExportDialog, ExportPhase, ExportScope, LastExport, Load, Mode, State,
};
use crate::export::ExportRequest;
use crate::export::{ExportError, ExportFormat, Progress, Scope};

/// What a key did in the dialog, for the parent to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Stay,
    Close,
    Start,
    /// Start, replacing the existing file the dialog asked about.
    Replace,
    /// Stop the running export.
    Cancel,
}

/// Opens the dialog on the selection, or, with nothing selected, on the page shown: exporting
/// everything matching is a choice to make, not what Enter does by default.
pub(super) fn open(state: &mut State) {
    let scope = if state.selection.is_empty() {
        ExportScope::Page
    } else {
        ExportScope::Selection
    };
    let format = state
        .last_export
        .as_ref()
        .map_or(ExportFormat::Csv, |last| last.format);
    state.mode = Mode::Export(ExportDialog {
        scope,
        format,
        csv: state.csv_defaults,
        path: tui_input::Input::default(),
        row: DialogRow::Scope,
        phase: ExportPhase::Editing,
        snapshot: state.snapshot.is_some(),
    });
}

pub(super) fn on_key(state: &mut State, key: KeyEvent, action: Option<Action>) -> Vec<Cmd> {
    let Mode::Export(dialog) = &mut state.mode else {
        return vec![];
    };
    match handle_key(dialog, key, action) {
        Outcome::Stay => vec![],
        Outcome::Close => {
            state.mode = Mode::Browse;
            vec![]
        }
        Outcome::Cancel => {
            state.mode = Mode::Browse;
            state.status.notice = Some("export cancelled; nothing was written".into());
            vec![Cmd::CancelExport]
        }
        Outcome::Start => start(state, false),
        Outcome::Replace => start(state, true),
    }
}

/// A key in the dialog. While an export runs, only Back (cancel) acts. On the path row,
/// printable keys are text.
fn handle_key(dialog: &mut ExportDialog, key: KeyEvent, action: Option<Action>) -> Outcome {
    match dialog.phase {
        ExportPhase::Running { .. } => {
            return if action == Some(Action::Back) {
                Outcome::Cancel
            } else {
                Outcome::Stay
            };
        }
        ExportPhase::ConfirmOverwrite { .. } => {
            match action {
                Some(Action::Activate) => return Outcome::Replace,
                Some(Action::Back) => dialog.phase = ExportPhase::Editing,
                _ => {}
            }
            return Outcome::Stay;
        }
        ExportPhase::Editing | ExportPhase::Failed(_) => {}
    }
    let on_path = dialog.row == DialogRow::Path;
    let action = if on_path {
        unless_text(&key, action)
    } else {
        action
    };
    let rows = dialog.rows();
    let row_index = rows.iter().position(|row| *row == dialog.row).unwrap_or(0);
    match action {
        Some(Action::Back) => Outcome::Close,
        Some(Action::Activate) => Outcome::Start,
        Some(Action::MoveDown) => {
            dialog.row = rows[(row_index + 1) % rows.len()];
            Outcome::Stay
        }
        Some(Action::MoveUp) => {
            dialog.row = rows[(row_index + rows.len() - 1) % rows.len()];
            Outcome::Stay
        }
        Some(choice @ (Action::PrevChoice | Action::NextChoice)) if !on_path => {
            let step: isize = if choice == Action::PrevChoice { -1 } else { 1 };
            dialog.phase = ExportPhase::Editing;
            if dialog.row == DialogRow::Scope {
                let scopes: Vec<ExportScope> = ExportScope::ALL
                    .into_iter()
                    .filter(|scope| dialog.snapshot || *scope != ExportScope::Snapshot)
                    .collect();
                dialog.scope = cycle(&scopes, dialog.scope, step);
            } else if dialog.row == DialogRow::Cells {
                dialog.csv.raw = !dialog.csv.raw;
            } else {
                let previous = dialog.format;
                dialog.format = cycle(&ExportFormat::ALL, dialog.format, step);
                let path = dialog.path.value();
                if let Some(stem) = path.strip_suffix(&format!(".{}", previous.extension())) {
                    let renamed = format!("{stem}.{}", dialog.format.extension());
                    dialog.path = tui_input::Input::new(renamed);
                }
            }
            Outcome::Stay
        }
        _ if on_path => {
            dialog.phase = ExportPhase::Editing;
            dialog.path.handle_event(&Event::Key(key));
            // The extension typed chooses the format: `out.json` is written as JSON.
            if let Some(format) = ExportFormat::of_path(Path::new(dialog.path.value().trim())) {
                dialog.format = format;
            }
            Outcome::Stay
        }
        _ => Outcome::Stay,
    }
}

/// The palette's `export PATH`: the dialog, with the path typed and its format chosen.
pub(super) fn open_with_path(state: &mut State, path: &str) {
    open(state);
    if let Mode::Export(dialog) = &mut state.mode
        && !path.is_empty()
    {
        dialog.path = tui_input::Input::new(path.to_owned());
        dialog.row = DialogRow::Path;
        if let Some(format) = ExportFormat::of_path(Path::new(path.trim())) {
            dialog.format = format;
        }
    }
}

/// The destination exists: the dialog asks before the export replaces it.
pub(super) fn on_would_overwrite(state: &mut State, path: String) {
    if let Mode::Export(dialog) = &mut state.mode {
        dialog.phase = ExportPhase::ConfirmOverwrite { path };
    }
}

pub(super) fn on_progress(state: &mut State, progress: Progress) {
    if let Mode::Export(ExportDialog {
        phase: ExportPhase::Running {
            progress: shown, ..
        },
        ..
    }) = &mut state.mode
    {
        *shown = progress;
    }
}

/// The export ended: the dialog closes with a notice, or stays open with the error.
pub(super) fn on_done(state: &mut State, result: Result<ExportFinished, Arc<ExportError>>) {
    let Mode::Export(dialog) = &mut state.mode else {
        return;
    };
    match result {
        Ok(finished) => {
            state.last_export = Some(LastExport {
                format: dialog.format,
                folder: std::path::Path::new(&finished.path)
                    .parent()
                    .map(|folder| folder.display().to_string()),
            });
            state.mode = Mode::Browse;
            let source = finished
                .as_of
                .map(|at| {
                    format!(
                        " from the snapshot {}",
                        crate::ui::as_of(at, None, &state.time_zone)
                    )
                })
                .unwrap_or_default();
            state.status.notice = Some(format!(
                "exported {} to {}{source}",
                crate::text::count_of(finished.contacts, "contact", "contacts"),
                finished.path
            ));
        }
        Err(error) => {
            state.status.last_error = Some(error.to_string());
            dialog.phase = ExportPhase::Failed(error.to_string());
        }
    }
}

/// The value after `current` in `values`, `step` places on, wrapping around.
fn cycle<T: Copy + PartialEq>(values: &[T], current: T, step: isize) -> T {
    let position = values
        .iter()
        .position(|value| *value == current)
        .unwrap_or(0);
    let next = (position as isize + step).rem_euclid(values.len() as isize) as usize;
    values[next]
}

/// Starts the export the dialog describes, or says in the dialog why it cannot.
fn start(state: &mut State, overwrite: bool) -> Vec<Cmd> {
    let Mode::Export(dialog) = &mut state.mode else {
        return vec![];
    };
    let path = dialog.path.value().trim().to_owned();
    if path == "-" {
        dialog.phase = ExportPhase::Failed(
            "the browser cannot write to standard output; give a file path \
             (inbox-tui export --output - can)"
                .into(),
        );
        return vec![];
    }
    let (scope, total) = match dialog.scope {
        ExportScope::Selection if state.selection.is_empty() => {
            dialog.phase = ExportPhase::Failed(format!(
                "nothing is selected: mark rows with {} first, or export another scope",
                state.keymap.first_key(Layer::List, Action::Toggle)
            ));
            return vec![];
        }
        ExportScope::Selection => (
            Scope::Selection(state.selection.to_export()),
            Some(state.selection.len()),
        ),
        ExportScope::Page if matches!(state.list.load, Load::Loading { page } if page != state.list.page) =>
        {
            dialog.phase = ExportPhase::Failed(
                "the page on its way is not shown yet: wait for it, or export another scope".into(),
            );
            return vec![];
        }
        ExportScope::Page => (
            Scope::Contacts(state.list.contacts.to_vec()),
            Some(state.list.contacts.len()),
        ),
        ExportScope::Matching => (Scope::Matching, None),
        ExportScope::Snapshot => {
            if let Err(why) = crate::snapshot::LocalQuery::new(&state.query) {
                dialog.phase = ExportPhase::Failed(format!(
                    "the snapshot cannot export these filters ({why}): export everything \
                     matching instead, which walks the API"
                ));
                return vec![];
            }
            (Scope::Matching, None)
        }
    };
    let from_snapshot = dialog.scope == ExportScope::Snapshot;
    dialog.phase = ExportPhase::Running {
        progress: Default::default(),
        total,
    };
    let agent_names = state
        .choices
        .agents
        .iter()
        .map(|agent| (agent.id.clone(), agent.name.clone()))
        .collect();
    vec![Cmd::StartExport(Box::new(ExportRequest {
        query: state.query.clone(),
        scope,
        format: dialog.format,
        path,
        agent_names,
        csv: dialog.csv,
        folder: state
            .last_export
            .as_ref()
            .and_then(|last| last.folder.clone()),
        overwrite,
        from_snapshot,
    }))]
}

/// `e` opens the dialog.
pub(super) fn opens(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
    (action == Action::Export).then(|| {
        open(state);
        vec![]
    })
}
