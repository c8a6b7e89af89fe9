//! Saved views: the "save view as" prompt, the views list, and applying a view. The list's
//! keys move its own cursor and return an outcome; applying and deleting are done here.

use std::sync::Arc;

use crossterm::event::{Event, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

use super::filters::{query_changed, restore_filters};
use super::cursor::offset;
use crate::app::keymap::unless_text;
use crate::app::keymap::{Action, Layer};
use crate::app::msg::{Cmd, ViewStoreError};
use crate::app::state::{Mode, SavedView, State, ViewsList};

/// What a key did in the views list, for the parent to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Stay,
    Close,
    /// Apply the view at this index of the list.
    Apply(usize),
    Delete(usize),
}

/// Keys while the "save view as" prompt is open: printable keys are the name.
pub(super) fn on_name_key(state: &mut State, key: KeyEvent, action: Option<Action>) -> Vec<Cmd> {
    let Mode::NamingView(input) = &mut state.mode else {
        return vec![];
    };
    match unless_text(&key, action) {
        Some(Action::Back) => {
            state.mode = Mode::Browse;
            vec![]
        }
        Some(Action::Activate) => {
            let name = crate::text::single_line(input.value());
            if name.trim().is_empty() {
                state.status.notice =
                    Some("a view needs a name: type one, or Esc to cancel".to_owned());
                return vec![];
            }
            state.mode = Mode::Browse;
            state.status.notice = Some(format!("saving view {name:?}…"));
            vec![Cmd::SaveView {
                name,
                query: Box::new(state.query.clone()),
            }]
        }
        _ => {
            input.handle_event(&Event::Key(key));
            vec![]
        }
    }
}

pub(super) fn on_key(state: &mut State, _key: KeyEvent, action: Option<Action>) -> Vec<Cmd> {
    let Mode::Views(list) = &mut state.mode else {
        return vec![];
    };
    match handle_list_key(list, state.views.len(), action) {
        Outcome::Stay => vec![],
        Outcome::Close => {
            state.mode = Mode::Browse;
            vec![]
        }
        Outcome::Apply(index) => match state.views.get(index).cloned() {
            Some(view) => {
                state.mode = Mode::Browse;
                apply(state, &view)
            }
            None => vec![],
        },
        Outcome::Delete(index) => match state.views.get(index) {
            Some(view) => {
                state.undo = Some(crate::app::state::Undo::View(view.clone()));
                let name = view.name.clone();
                state.status.notice = Some(format!("deleting view {name:?}…"));
                vec![Cmd::DeleteView { name }]
            }
            None => vec![],
        },
    }
}

/// A key in the list, which knows only its cursor and how many views there are.
fn handle_list_key(list: &mut ViewsList, views: usize, action: Option<Action>) -> Outcome {
    let last = views.saturating_sub(1);
    match action {
        Some(Action::Back) => Outcome::Close,
        Some(Action::DeleteView) if views > 0 => Outcome::Delete(list.cursor),
        Some(Action::MoveDown) => {
            list.cursor = offset(list.cursor, 1, last);
            Outcome::Stay
        }
        Some(Action::MoveUp) => {
            list.cursor = offset(list.cursor, -1, last);
            Outcome::Stay
        }
        Some(Action::ApplyView(number)) => Outcome::Apply(usize::from(number).saturating_sub(1)),
        Some(Action::Activate) if views > 0 => Outcome::Apply(list.cursor),
        _ => Outcome::Stay,
    }
}

/// `apply_view_N`: the Nth saved view, or a hint how to save one.
pub(super) fn apply_numbered(state: &mut State, number: u8) -> Vec<Cmd> {
    match state
        .views
        .get(usize::from(number).saturating_sub(1))
        .cloned()
    {
        Some(view) => apply(state, &view),
        None => {
            state.status.notice = Some(format!(
                "no saved view {number}: save the filters with {}",
                state.keymap.first_key(Layer::Global, Action::SaveView)
            ));
            vec![]
        }
    }
}

/// Replaces the filters with a saved view's and shows its first page.
fn apply(state: &mut State, view: &SavedView) -> Vec<Cmd> {
    let changed = state.query != view.query;
    restore_filters(state, view.query.clone());
    let commands = if changed {
        query_changed(state)
    } else {
        vec![]
    };
    state.status.notice = Some(format!("view {:?}", view.name));
    commands
}

/// The views after a save or a delete (written off the event loop), or why it failed.
pub(super) fn on_changed(
    state: &mut State,
    result: Result<Vec<SavedView>, Arc<ViewStoreError>>,
    done: String,
) {
    match result {
        Ok(views) => {
            // A view just deleted can be brought back: say how.
            let restorable = matches!(&state.undo, Some(crate::app::state::Undo::View(view))
                if !views.iter().any(|kept| kept.name == view.name));
            state.status.notice = Some(if restorable {
                format!(
                    "{done} · {} brings it back",
                    state
                        .keymap
                        .first_key(crate::app::Layer::Global, crate::app::Action::Undo)
                )
            } else {
                done
            });
            state.views = views;
            if let Mode::Views(list) = &mut state.mode {
                list.cursor = list.cursor.min(state.views.len().saturating_sub(1));
            }
        }
        Err(error) => state.status.notice = Some(format!("could not save the views: {error}")),
    }
}

/// The notice once the views are written: what the store did, named by the view.
pub(crate) fn saved_notice(name: &str) -> String {
    format!("saved view {:?}", crate::text::single_line(name))
}

/// The notice once a view is deleted from the store.
pub(crate) fn deleted_notice(name: &str) -> String {
    format!("deleted view {:?}", crate::text::single_line(name))
}

/// `V` lists the saved views.
pub(super) fn opens(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
    (action == Action::ShowViews).then(|| {
        state.mode = Mode::Views(ViewsList { cursor: 0 });
        vec![]
    })
}
