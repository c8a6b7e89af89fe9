//! `c` after an automatic count stopped at its cap: it goes on from the walk's place, with the
//! ids counted, when the count handed one over; after Esc, which loses the place, it counts
//! again from nothing rather than count a contact twice.

use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use inbox_tui::api::IdSet;
use inbox_tui::api::walk::{StopPoint, WalkResume};
use inbox_tui::app::msg::CountEnd;
use inbox_tui::app::state::{CountPhase, Facets};
use inbox_tui::app::{Cmd, Focus, Msg, State, update};

#[path = "common/browser_state.rs"]
mod browser_state;

use browser_state::browsing;

fn press(state: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(
        state,
        Msg::Key {
            key: KeyEvent::new(code, KeyModifiers::NONE),
            at: Instant::now(),
        },
    )
}

/// A count's cap, and what it goes on from: the contacts counted, the walk's place and how
/// many ids it carries.
type CountAsked = (Option<u32>, Option<(u64, Option<StopPoint>, usize)>);

/// The count `update` asks for in `commands`.
fn count_command(commands: &[Cmd]) -> CountAsked {
    let found = commands.iter().find_map(|command| match command {
        Cmd::Count {
            max_pages, resume, ..
        } => Some((
            *max_pages,
            resume.as_ref().map(|so_far| {
                (
                    so_far.counted,
                    so_far.resume.as_ref().map(|resume| resume.at),
                    so_far
                        .resume
                        .as_ref()
                        .map_or(0, |resume| resume.taken.len()),
                )
            }),
        )),
        _ => None,
    });
    found.unwrap_or_else(|| panic!("no count asked for: {commands:?}"))
}

#[test]
fn c_goes_on_from_where_the_capped_count_stopped_and_after_esc_counts_again() {
    let mut state = browsing();
    state.focus = Focus::List;
    let run = state
        .count
        .as_ref()
        .map(|count| count.run)
        .expect("a count");
    let mut taken = IdSet::new();
    taken.insert("5f0000000000000000000001");
    taken.insert("5f0000000000000000000002");
    let at = StopPoint {
        pages: 20,
        mark: Some("2026-01-02T03:04:05Z".parse().expect("a time")),
    };
    update(
        &mut state,
        Msg::Counted {
            run,
            at: Instant::now(),
            counted: 1000,
            pages: 23,
            facets: Box::new(Facets::default()),
            end: Some(CountEnd::Paused(Arc::new(WalkResume { at, taken }))),
        },
    );
    assert_eq!(
        state.count.as_ref().map(|count| &count.phase),
        Some(&CountPhase::Capped)
    );

    let commands = press(&mut state, KeyCode::Char('c'));
    assert_eq!(
        count_command(&commands),
        (None, Some((1000, Some(at), 2))),
        "it goes on from page 20's place with the 2 ids counted"
    );

    // Esc loses the walk's place: `c` counts again from page 1, with nothing carried over,
    // showing the stopped count's figure until the new one reports.
    press(&mut state, KeyCode::Esc);
    let commands = press(&mut state, KeyCode::Char('c'));
    assert_eq!(count_command(&commands), (None, None));
    assert_eq!(state.count.as_ref().map(|count| count.counted), Some(1000));
    assert_eq!(
        state.status.notice.as_deref(),
        Some("counting again from page 1")
    );
}
