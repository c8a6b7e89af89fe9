//! Copying (`src/app/update/copy.rs`): `y` in the detail copies the field under the cursor.

use crossterm::event::KeyCode;
use inbox_tui::app::{Cmd, Focus, Mode, State};

use crate::browser_state::browsing;
use crate::support::{notice_contains, press};

/// The copy command among `commands`, and what it copies.
fn copied(commands: &[Cmd]) -> Option<&str> {
    commands.iter().find_map(|command| match command {
        Cmd::Copy { text } => Some(text.as_str()),
        _ => None,
    })
}

/// Moves the detail's cursor down from its first field to the field labelled `label`, as the
/// user would, with `j`.
fn cursor_to(state: &mut State, label: &str) {
    press(state, KeyCode::Char('g'));
    let index = inbox_tui::ui::detail_fields(state)
        .iter()
        .position(|field| field.label == label)
        .unwrap_or_else(|| panic!("the detail has no {label} field"));
    for _ in 0..index {
        press(state, KeyCode::Char('j'));
    }
}

#[test]
fn y_in_the_detail_copies_the_field_under_the_cursor() {
    let mut state = browsing();
    state.focus = Focus::List;
    let with_email = state
        .list
        .contacts
        .iter()
        .position(|contact| contact.email().is_some() && contact.uuid().is_some())
        .expect("a contact with an email and a uuid");
    for _ in 0..with_email {
        press(&mut state, KeyCode::Char('j'));
    }
    let contact = state.list.contacts[with_email].clone();
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.focus, Focus::Detail);

    let commands = press(&mut state, KeyCode::Char('y'));
    assert_eq!(
        copied(&commands),
        Some(contact.display_name().as_ref()),
        "the cursor starts on the first field"
    );
    assert!(matches!(state.mode, Mode::Browse), "no menu in the detail");

    for (label, value) in [
        ("uuid", contact.uuid()),
        ("email", contact.email()),
        ("id", contact.id()),
    ] {
        cursor_to(&mut state, label);
        let value = value.expect("the field has a value");
        assert_eq!(copied(&press(&mut state, KeyCode::Char('y'))), Some(value));
        assert!(
            notice_contains(&state, &format!("copied the {label}: {value}")),
            "{:?}",
            state.status.notice
        );
    }

    // In raw JSON, the whole contact as the API sent it.
    press(&mut state, KeyCode::Char('J'));
    let json = copied(&press(&mut state, KeyCode::Char('y'))).map(str::to_owned);
    let parsed: serde_json::Value =
        serde_json::from_str(&json.expect("JSON is copied")).expect("it parses");
    assert_eq!(parsed, contact.to_value());

    // Another contact puts the cursor back on its first field; in the list, y is the menu.
    press(&mut state, KeyCode::Char('J'));
    press(&mut state, KeyCode::Esc);
    assert_eq!(state.focus, Focus::List);
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(state.detail.cursor, 0);
    assert!(copied(&press(&mut state, KeyCode::Char('y'))).is_none());
    assert!(matches!(state.mode, Mode::Copy));
}
