//! The count of the matches (`src/app/update/counts.rs`): in the background up to a cap,
//! `c` to the end, the chart.

use std::time::Instant;

use crossterm::event::KeyCode;
use inbox_tui::app::{Cmd, Focus, Mode, Msg, update};

use crate::browser_state::{browsing, demo_contacts as contacts};
use crate::support::press;

#[test]
fn the_matches_are_counted_in_the_background_up_to_a_cap_and_c_counts_on() {
    let mut state = browsing();
    state.focus = Focus::List;
    // browsing() loaded page 1: its count started then; this state has it running.
    let run = state
        .count
        .as_ref()
        .map(|count| count.run)
        .expect("a count runs");
    let facets = {
        let mut facets = inbox_tui::app::state::Facets::default();
        for contact in contacts(0..50) {
            facets.add(&contact);
        }
        facets
    };
    update(
        &mut state,
        Msg::Counted {
            run,
            at: Instant::now(),
            counted: 1000,
            pages: 20,
            facets: Box::new(facets.clone()),
            end: Some(inbox_tui::app::msg::CountEnd::Capped),
        },
    );
    let count = state.count.as_ref().expect("counted");
    assert_eq!(count.counted, 1000);
    assert!(
        count.facets.items.values().sum::<u64>() > 0,
        "facets were kept"
    );
    let key = inbox_tui::app::state::PageCache::key(&state.query);
    assert_eq!(state.counts_by_query.get(&key), Some(&(1000, false)));

    // c counts to the end; Esc stops it, keeping a lower bound.
    let commands = press(&mut state, KeyCode::Char('c'));
    assert!(
        commands.iter().any(|command| matches!(
            command,
            Cmd::Count {
                max_pages: None,
                ..
            }
        )),
        "{commands:?}"
    );
    assert!(matches!(
        press(&mut state, KeyCode::Esc).as_slice(),
        [Cmd::CancelCount]
    ));

    // S shows the chart; a change of the filters drops the count.
    press(&mut state, KeyCode::Char('S'));
    assert!(matches!(state.mode, Mode::Counts));
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char(':'));
    for character in "status open".chars() {
        press(&mut state, KeyCode::Char(character));
    }
    press(&mut state, KeyCode::Enter);
    assert!(state.count.is_none(), "the old query's count is gone");
}
