//! The detail pane (`src/app/update/detail.rs`): its keys, its field cursor and the scroll that
//! follows it.

use crossterm::event::KeyCode;
use inbox_tui::app::{Focus, Msg, update};

use crate::browser_state::browsing;
use crate::support::press;

#[test]
fn detail_pane_keys() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.focus, Focus::Detail);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(state.detail.cursor, 2);
    assert_eq!(
        state.list.selected, 1,
        "j moves in the detail, not the list"
    );
    press(&mut state, KeyCode::Char('J'));
    assert!(state.detail.raw_json);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(state.detail.scroll, 2, "raw JSON has no fields: j scrolls");
    press(&mut state, KeyCode::Char('J'));
    assert_eq!(state.detail.scroll, 0);
    press(&mut state, KeyCode::Char('f'));
    assert!(state.detail.fullscreen);
    press(&mut state, KeyCode::Esc);
    assert!(!state.detail.fullscreen);
    assert_eq!(state.focus, Focus::List);
}

#[test]
fn the_detail_scrolls_to_keep_the_field_under_the_cursor_in_view() {
    use inbox_tui::app::state::{FieldRows, ScrollLimits};
    let mut state = browsing();
    state.focus = Focus::Detail;
    let fields = inbox_tui::ui::detail_fields(&state).len();
    assert!(
        fields > 8,
        "a contact shows more fields than the pane's rows"
    );
    // As a frame would lay them out: every field on one row, a blank row and a title between
    // every third; the pane five rows tall.
    let rows: Vec<FieldRows> = (0..fields)
        .map(|index| FieldRows {
            first: u16::try_from(1 + index + 2 * (index / 3)).expect("small"),
            count: 1,
        })
        .collect();
    let total = rows.last().map_or(0, |last| last.first + 1);
    update(
        &mut state,
        Msg::Layout(ScrollLimits {
            detail: total - 5,
            help: 0,
            help_height: 0,
            detail_height: 5,
            detail_fields: rows.clone(),
        }),
    );
    for _ in 0..6 {
        press(&mut state, KeyCode::Char('j'));
        let shown = state.detail.scroll..state.detail.scroll + 5;
        assert!(
            shown.contains(&rows[state.detail.cursor].first),
            "field {} (row {}) is out of rows {shown:?}",
            state.detail.cursor,
            rows[state.detail.cursor].first
        );
    }
    assert_eq!(
        state.detail.scroll,
        rows[6].first - 4,
        "scrolled no further than needed"
    );
    press(&mut state, KeyCode::Char('k'));
    assert_eq!(
        state.detail.scroll,
        rows[6].first - 4,
        "up within the view: no scroll"
    );
    press(&mut state, KeyCode::Char('g'));
    assert_eq!((state.detail.cursor, state.detail.scroll), (0, 0));
}
