//! Input routing (`src/app/update/keys.rs`, the mouse in `mod.rs`): each layer's keys, the
//! help overlay, the wheel and clicks.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use inbox_tui::api::Query;
use inbox_tui::app::{Action, Cmd, Focus, Keymap, Layer, Mode, Msg, State, update};

use crate::browser_state::browsing;
use crate::support::{press, selected_ids};

#[test]
fn help_swallows_keys_until_closed() {
    let mut state = browsing();
    press(&mut state, KeyCode::Char('?'));
    assert!(matches!(state.mode, Mode::Help { .. }));
    press(&mut state, KeyCode::Char('j'));
    assert!(
        matches!(state.mode, Mode::Help { scroll: 1 }) && state.list.selected == 0,
        "j scrolls the help only"
    );
    assert!(press(&mut state, KeyCode::Char('n')).is_empty());
    assert_eq!(state.list.page, 1);
    press(&mut state, KeyCode::Esc);
    assert!(matches!(state.mode, Mode::Browse));
    assert!(!press(&mut state, KeyCode::Char('n')).is_empty());
}

/// The help scrolls a screen at a time with PgDn, Space and Ctrl-d, back with PgUp and Ctrl-u,
/// within its end.
#[test]
fn the_help_scrolls_by_the_screen() {
    use inbox_tui::app::state::ScrollLimits;
    let mut state = browsing();
    press(&mut state, KeyCode::Char('?'));
    update(
        &mut state,
        Msg::Layout(ScrollLimits {
            help: 50,
            help_height: 20,
            ..ScrollLimits::default()
        }),
    );
    let scroll = |state: &State| match state.mode {
        Mode::Help { scroll } => scroll,
        _ => panic!("the help is open"),
    };
    press(&mut state, KeyCode::PageDown);
    assert_eq!(scroll(&state), 20);
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(scroll(&state), 40);
    update(
        &mut state,
        Msg::Key {
            key: KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL),
            at: Instant::now(),
        },
    );
    assert_eq!(scroll(&state), 50, "no further than the end");
    update(
        &mut state,
        Msg::Key {
            key: KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
            at: Instant::now(),
        },
    );
    assert_eq!(scroll(&state), 30);
    press(&mut state, KeyCode::PageUp);
    assert_eq!(scroll(&state), 10);
}

#[test]
fn each_layers_keys_act_only_in_that_layer() {
    // In the list, the views list's and the dialog's keys do nothing.
    let mut state = browsing();
    state.focus = Focus::List;
    for key in [
        KeyCode::Char('d'),
        KeyCode::Delete,
        KeyCode::Left,
        KeyCode::Right,
    ] {
        assert!(
            press(&mut state, key).is_empty(),
            "{key:?} is not a list key"
        );
        assert!(matches!(state.mode, Mode::Browse));
        assert!(state.selection.is_empty());
    }
    // In the export dialog, the browser's keys do nothing: no page, no quit, no views.
    press(&mut state, KeyCode::Char('e'));
    for key in [
        KeyCode::Char('n'),
        KeyCode::Char('q'),
        KeyCode::Char('V'),
        KeyCode::Char('x'),
    ] {
        assert!(press(&mut state, key).is_empty(), "{key:?} in the dialog");
    }
    assert!(state.export_dialog().is_some() && !state.should_quit);
    assert_eq!(state.list.page, 1);
    // In the help, `a` marks nothing and `e` opens no dialog.
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('?'));
    press(&mut state, KeyCode::Char('a'));
    press(&mut state, KeyCode::Char('e'));
    assert!(matches!(state.mode, Mode::Help { .. }));
    assert!(state.selection.is_empty());
}

#[test]
fn a_key_rebound_in_one_layer_keeps_its_meaning_in_the_others() {
    let mut state = browsing();
    state.focus = Focus::List;
    let d = inbox_tui::app::keymap::KeyCombo::parse("d").expect("a key");
    let mut bindings = Keymap::default().bindings().to_vec();
    bindings.push((Layer::List, d, Action::Toggle));
    state.keymap = Keymap::from_bindings(bindings);
    state.views = vec![inbox_tui::app::SavedView {
        name: "Mine".into(),
        query: Query::default(),
    }];

    press(&mut state, KeyCode::Char('d'));
    assert_eq!(selected_ids(&state).len(), 1, "d marks in the list");
    press(&mut state, KeyCode::Char('V'));
    let commands = press(&mut state, KeyCode::Char('d'));
    assert!(
        matches!(commands.as_slice(), [Cmd::DeleteView { name }] if name == "Mine"),
        "d still deletes in the views list: {commands:?}"
    );
}

/// Each overlay and text field the wheel could land on, opened from the list.
fn with_each_overlay(mut check: impl FnMut(&str, &mut State)) {
    for (what, keys) in [
        ("help", vec![KeyCode::Char('?')]),
        ("export dialog", vec![KeyCode::Char('e')]),
        ("views list", vec![KeyCode::Char('V')]),
        ("view name prompt", vec![KeyCode::Char('s')]),
    ] {
        let mut state = browsing();
        state.focus = Focus::List;
        for key in keys {
            press(&mut state, key);
        }
        assert!(!matches!(state.mode, Mode::Browse), "{what} is open");
        check(what, &mut state);
    }
}

#[test]
fn the_wheel_and_clicks_under_an_overlay_leave_the_list_alone() {
    with_each_overlay(|what, state| {
        assert!(update(state, Msg::Scroll { rows: 3 }).is_empty(), "{what}");
        assert!(update(state, Msg::ClickRow { row: 7 }).is_empty(), "{what}");
        assert_eq!(state.list.selected, 0, "{what}: the list did not move");
        assert!(!matches!(state.mode, Mode::Browse), "{what} stays open");
    });

    // In a text field, the wheel leaves the field, so the field and the focus agree.
    let mut state = browsing();
    press(&mut state, KeyCode::Char('/'));
    assert!(state.editing().is_some());
    update(&mut state, Msg::Scroll { rows: 3 });
    assert_eq!((state.editing(), state.focus), (None, Focus::List));
    assert_eq!(state.list.selected, 3);
}

/// A click on a pane gives it the keyboard; under an overlay it does nothing.
#[test]
fn a_click_focuses_the_pane_clicked() {
    let mut state = browsing();
    state.focus = Focus::List;
    update(
        &mut state,
        Msg::ClickPane {
            focus: Focus::Detail,
        },
    );
    assert_eq!(state.focus, Focus::Detail);
    update(
        &mut state,
        Msg::ClickPane {
            focus: Focus::Filters,
        },
    );
    assert_eq!(state.focus, Focus::Filters);
    press(&mut state, KeyCode::Char('?'));
    update(&mut state, Msg::ClickPane { focus: Focus::List });
    assert_eq!(state.focus, Focus::Filters, "the help covers the panes");
}
