//! The copy menu (`y` on a row): a key per field of the contact under the cursor.

use crossterm::event::KeyEvent;

use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::state::{Focus, Mode, State};

pub(super) fn open(state: &mut State) {
    if state.selected_contact().is_some() {
        state.mode = Mode::Copy;
    } else {
        state.status.notice = Some("no contact to copy from".into());
    }
}

pub(super) fn on_key(state: &mut State, _key: KeyEvent, action: Option<Action>) -> Vec<Cmd> {
    match action {
        Some(Action::Back) => {
            state.mode = Mode::Browse;
            vec![]
        }
        Some(Action::CopyField(field)) => {
            state.mode = Mode::Browse;
            super::copy::copy_field(state, field)
        }
        _ => vec![],
    }
}

/// `y` on a row opens the menu; in the detail pane `y` copies the field under the cursor
/// instead, which is the pane's own action.
pub(super) fn opens(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
    (action == Action::Copy && state.focus != Focus::Detail).then(|| {
        open(state);
        vec![]
    })
}
