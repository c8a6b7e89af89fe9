//! The last error's overlay: scrolled as the help is, closed the same way.

use crossterm::event::KeyEvent;

use super::help::scroll_or_close;
use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::state::{Mode, State};

pub(super) fn on_key(state: &mut State, _key: KeyEvent, action: Option<Action>) -> Vec<Cmd> {
    scroll_or_close(state, action, u16::MAX);
    vec![]
}

/// `!` shows the last error in full, or says there is none.
pub(super) fn opens(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
    (action == Action::ShowError).then(|| {
        if state.status.last_error.is_some() {
            state.mode = Mode::LastError { scroll: 0 };
        } else {
            state.status.notice = Some("no error so far".into());
        }
        vec![]
    })
}
