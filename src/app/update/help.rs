//! The help overlay's keys: scroll through it, or close it.

use crossterm::event::KeyEvent;

use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::state::{Mode, State};

pub(super) fn on_key(state: &mut State, _key: KeyEvent, action: Option<Action>) -> Vec<Cmd> {
    let most = state.limits.help;
    scroll_or_close(state, action, most);
    vec![]
}

/// Scrolls an overlay of text (the help, the last error) by the key's action, within `most`
/// lines; `Back` closes it.
pub(super) fn scroll_or_close(state: &mut State, action: Option<Action>, most: u16) {
    let page = state.limits.help_height.max(1);
    let scroll = match &mut state.mode {
        Mode::Help { scroll } | Mode::LastError { scroll } => scroll,
        _ => return,
    };
    match action {
        Some(Action::Back) => state.mode = Mode::Browse,
        Some(Action::MoveDown) => *scroll = scroll.saturating_add(1).min(most),
        Some(Action::MoveUp) => *scroll = scroll.saturating_sub(1),
        Some(Action::ScreenDown) => *scroll = scroll.saturating_add(page).min(most),
        Some(Action::ScreenUp) => *scroll = scroll.saturating_sub(page),
        Some(Action::Top) => *scroll = 0,
        Some(Action::Bottom) => *scroll = most,
        _ => {}
    }
}

/// `?` opens the help at its top.
pub(super) fn opens(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
    (action == Action::Help).then(|| {
        state.mode = Mode::Help { scroll: 0 };
        vec![]
    })
}
