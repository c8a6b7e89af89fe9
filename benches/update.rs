//! `update()` on one key press: the work between a key and the next frame.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use inbox_tui::app::{Focus, Msg, State, update};

#[path = "../tests/common/browser_state.rs"]
mod browser_state;

fn main() {
    divan::main();
}

/// A browser showing a full page, with the list focused: the state the update tests start from.
fn browsing() -> State {
    let mut state = browser_state::browsing();
    state.focus = Focus::List;
    state
}

fn key(code: KeyCode) -> Msg {
    Msg::Key {
        key: KeyEvent::new(code, KeyModifiers::NONE),
        at: Instant::now(),
    }
}

#[divan::bench]
fn move_down(bencher: divan::Bencher) {
    bencher
        .with_inputs(browsing)
        .bench_local_refs(|state| update(state, key(KeyCode::Char('j'))));
}

#[divan::bench]
fn toggle_status_filter(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| {
            let mut state = browsing();
            state.focus = Focus::Filters;
            state.panel_cursor = 1;
            state
        })
        .bench_local_refs(|state| update(state, key(KeyCode::Char(' '))));
}

#[divan::bench]
fn type_search_character(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| {
            let mut state = browsing();
            update(&mut state, key(KeyCode::Char('/')));
            state
        })
        .bench_local_refs(|state| update(state, key(KeyCode::Char('a'))));
}
