//! `update()` on one key press: the work between a key and the next frame.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use inbox_tui::api::{Contact, Page};
use inbox_tui::app::state::Connection;
use inbox_tui::app::{Cmd, Focus, Keymap, Msg, Purpose, State, start, update};
use inbox_tui::demo::Dataset;

fn main() {
    divan::main();
}

/// A browser showing a full page, with the list focused.
fn browsing() -> State {
    let mut state = State::new(
        Connection {
            host: "bench".into(),
        },
        Keymap::default(),
        None,
    );
    let dataset = Dataset::generate(50, 42);
    let contacts: Vec<Contact> = (0..dataset.len())
        .filter_map(|index| Contact::from_value(dataset.contact_json(index)))
        .collect();
    for command in start(&mut state) {
        if let Cmd::FetchPage {
            generation,
            purpose: Purpose::Show,
            page,
            query,
        } = command
        {
            update(
                &mut state,
                Msg::PageLoaded {
                    generation,
                    purpose: Purpose::Show,
                    page,
                    query,
                    result: Ok(Page {
                        number: page,
                        contacts: contacts.clone(),
                        unreadable: 0,
                        elapsed: Duration::ZERO,
                    }),
                },
            );
        }
    }
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
