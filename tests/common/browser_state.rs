//! The browser state that `update()` tests and benches start from, built from the seeded demo
//! data set the way the browser builds it: `start()`, then page 1 arriving through `update()`.
//! Shared (by `#[path]` from `benches/`) so that a bench measures the state the tests check.

use std::time::Duration;

use inbox_tui::api::{Contact, Page};
use inbox_tui::app::state::Connection;
use inbox_tui::app::{Cmd, Keymap, Load, Msg, PickList, Purpose, State, start, update};
use inbox_tui::demo::Dataset;

/// Demo contacts `range` of a 200-contact data set (seed 42), as the server sends them.
pub fn demo_contacts(range: std::ops::Range<usize>) -> Vec<Contact> {
    let dataset = Dataset::generate(200, 42);
    range
        .map(|index| Contact::from_value(dataset.contact_json(index)).expect("an object"))
        .collect()
}

/// A browser showing page 1 of the unfiltered inbox: demo contacts 0 to 49, the list's cursor
/// on the first.
pub fn browsing() -> State {
    let mut state = State::new(
        Connection {
            host: "test".into(),
        },
        Keymap::default(),
        None,
    );
    let commands = start(&mut state);
    assert!(
        matches!(&commands[0], Cmd::LoadChoices(lists) if lists[..] == PickList::ALL),
        "{commands:?}"
    );
    let fetches: Vec<Cmd> = commands
        .into_iter()
        .filter(|command| matches!(command, Cmd::FetchPage { .. }))
        .collect();
    let [
        Cmd::FetchPage {
            generation,
            purpose: Purpose::Show,
            page: 1,
            query,
        },
    ] = fetches.as_slice()
    else {
        panic!("start() fetches page 1 to show it, once: {fetches:?}");
    };
    assert!(matches!(state.list.load, Load::Loading { page: 1 }));
    update(
        &mut state,
        Msg::PageLoaded {
            generation: *generation,
            purpose: Purpose::Show,
            page: 1,
            query: query.clone(),
            result: Ok(Page {
                number: 1,
                contacts: demo_contacts(0..50),
                unreadable: 0,
                elapsed: Duration::from_millis(42),
            }),
        },
    );
    assert_eq!(state.list.load, Load::Idle);
    state
}
