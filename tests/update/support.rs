//! Helpers shared by the `update` test modules: keys, page fetches and their answers,
//! notices, the selection and select-all.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use inbox_tui::api::{Contact, IdSet, Page, Query};
use inbox_tui::app::filters::FilterItem;
use inbox_tui::app::state::{FetchGeneration, SelectAllRun};
use inbox_tui::app::{Cmd, Focus, Msg, Purpose, State, update};

/// A key press, without modifiers, at `at`.
pub(crate) fn key_at(code: KeyCode, at: Instant) -> Msg {
    Msg::Key {
        key: KeyEvent::new(code, KeyModifiers::NONE),
        at,
    }
}

/// A key press, without modifiers, now.
pub(crate) fn key(code: KeyCode) -> Msg {
    key_at(code, Instant::now())
}

/// Presses `code` now and returns the commands `update` answers with.
pub(crate) fn press(state: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(state, key(code))
}

/// The (generation, purpose, page, query) of the only page fetch in `commands`; the count of
/// the matches that a new query starts is not a page fetch.
pub(crate) fn only_fetch(commands: &[Cmd]) -> (FetchGeneration, Purpose, u32, Query) {
    let fetches: Vec<&Cmd> = commands
        .iter()
        .filter(|command| !matches!(command, Cmd::Count { .. } | Cmd::CancelCount))
        .collect();
    match fetches.as_slice() {
        [
            Cmd::FetchPage {
                generation,
                purpose,
                query,
                page,
            },
        ] => (*generation, *purpose, *page, (**query).clone()),
        other => panic!("expected exactly one fetch, got {other:?}"),
    }
}

/// The page fetches among `commands`.
pub(crate) fn only_fetches(commands: &[Cmd]) -> Vec<&Cmd> {
    commands
        .iter()
        .filter(|command| matches!(command, Cmd::FetchPage { .. }))
        .collect()
}

/// Page `page` of `query` arriving with `contacts`, for the fetch `generation` and `purpose`
/// asked for.
pub(crate) fn loaded(
    generation: FetchGeneration,
    purpose: Purpose,
    page: u32,
    query: &Query,
    contacts: Vec<Contact>,
) -> Msg {
    Msg::PageLoaded {
        generation,
        purpose,
        page,
        query: Box::new(query.clone()),
        result: Ok(Page {
            number: page,
            contacts,
            unreadable: 0,
            elapsed: Duration::from_millis(42),
        }),
    }
}

/// Whether the status line's notice says `text`.
pub(crate) fn notice_contains(state: &State, text: &str) -> bool {
    state
        .status
        .notice
        .as_deref()
        .is_some_and(|notice| notice.contains(text))
}

/// Gives the filter panel the keyboard, its cursor on `item` (which must be offered).
pub(crate) fn focus_item(state: &mut State, item: &FilterItem) {
    state.focus = Focus::Filters;
    state.panel_cursor = state
        .filter_items()
        .iter()
        .position(|candidate| candidate == item)
        .unwrap_or_else(|| panic!("{item:?} is offered"));
}

/// The ids of the contacts marked by hand, in the order they were marked.
pub(crate) fn selected_ids(state: &State) -> Vec<String> {
    state
        .selection
        .marked()
        .iter()
        .filter_map(|contact| contact.id().map(str::to_owned))
        .collect()
}

/// Types `text` a character at a time and returns the commands that gives.
pub(crate) fn type_line(state: &mut State, text: &str) -> Vec<Cmd> {
    let mut commands = Vec::new();
    for character in text.chars() {
        commands.extend(press(state, KeyCode::Char(character)));
    }
    commands
}

/// The ids of `contacts`, as "select every matching contact" returns them.
pub(crate) fn id_set(contacts: &[Contact]) -> IdSet {
    let mut ids = IdSet::new();
    for contact in contacts {
        ids.insert(contact.id().expect("demo contacts have ids"));
    }
    ids
}

/// Presses `A` and returns the run's generation and the query it recorded.
pub(crate) fn select_all(state: &mut State) -> (SelectAllRun, Query) {
    let commands = press(state, KeyCode::Char('A'));
    let [Cmd::SelectAllMatching { run, query }] = commands.as_slice() else {
        panic!("expected a select-all, got {commands:?}");
    };
    (*run, (**query).clone())
}

/// Select-all run `run` finished, matching `contacts`.
pub(crate) fn done(run: SelectAllRun, contacts: &[Contact]) -> Msg {
    Msg::SelectAllDone {
        run,
        result: Ok(id_set(contacts)),
    }
}
