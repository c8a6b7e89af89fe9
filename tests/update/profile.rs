//! Switching accounts (`src/app/update/profile.rs`): `profile NAME` in place.

use crossterm::event::KeyCode;
use inbox_tui::app::{Cmd, Focus, Msg, PickList, Purpose, update};

use crate::browser_state::{browsing, demo_contacts as contacts};
use crate::support::{loaded, notice_contains, only_fetch, press, select_all, type_line};

fn account(host_label: &str) -> inbox_tui::app::Account {
    let client = inbox_tui::api::Client::new(inbox_tui::api::ClientConfig::new(
        "http://127.0.0.1:9",
        inbox_tui::api::Token::new("second-secret"),
    ))
    .expect("a loopback base URL is valid");
    inbox_tui::app::Account {
        client: std::sync::Arc::new(client),
        host_label: host_label.into(),
        web_url: Some("https://second.example/{id}".into()),
        snapshot: None,
        snapshot_as_of: None,
    }
}

#[test]
fn profile_name_switches_the_account_in_place_and_drops_what_was_the_old_ones() {
    let mut state = browsing();
    state.focus = Focus::List;
    state.profiles = vec!["first".into(), "second".into()];
    state.profile = Some("first".into());
    state.connection.host = "first · 127.0.0.1:1".into();
    let old = state.generation;
    let agent = state.list.contacts[0].clone();
    press(&mut state, KeyCode::Char(' '));
    select_all(&mut state);
    state.query.agent_assigned = vec!["agent-of-first".into()];
    state.query.tags = vec!["vip".into()];
    assert!(!state.selection.is_empty() && state.count.is_some());

    // An unknown profile, or the one in use, changes nothing.
    press(&mut state, KeyCode::Char(':'));
    type_line(&mut state, "profile third");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(notice_contains(&state, "the profiles are first, second"));
    press(&mut state, KeyCode::Char(':'));
    type_line(&mut state, "profile first");
    assert!(press(&mut state, KeyCode::Enter).is_empty());

    // `@` is the palette with `profile ` typed; Tab completes the name.
    press(&mut state, KeyCode::Char('@'));
    type_line(&mut state, "se");
    press(&mut state, KeyCode::Tab);
    let commands = press(&mut state, KeyCode::Enter);
    assert!(
        matches!(commands.as_slice(), [Cmd::ConnectProfile { name }] if name == "second"),
        "{commands:?}"
    );

    // A profile that cannot connect says why and leaves everything as it was.
    let commands = update(
        &mut state,
        Msg::ProfileConnected {
            name: "second".into(),
            result: Err("no API token for profile \"second\"".into()),
        },
    );
    assert!(commands.is_empty());
    assert!(notice_contains(
        &state,
        "could not switch to profile \"second\""
    ));
    assert_eq!(state.profile.as_deref(), Some("first"));
    assert!(!state.selection.is_empty());

    let commands = update(
        &mut state,
        Msg::ProfileConnected {
            name: "second".into(),
            result: Ok(account("second · 127.0.0.1:9")),
        },
    );
    assert!(
        matches!(commands.first(), Some(Cmd::UseAccount(_))),
        "the old account's tasks stop before anything else: {commands:?}"
    );
    assert!(
        commands.iter().any(
            |command| matches!(command, Cmd::LoadChoices(lists) if lists[..] == PickList::ALL)
        ),
        "the new account's pick-lists: {commands:?}"
    );
    let (generation, purpose, page, query) = only_fetch(
        &commands[1..]
            .iter()
            .filter(|command| !matches!(command, Cmd::LoadChoices(_)))
            .cloned()
            .collect::<Vec<_>>(),
    );
    assert_eq!((purpose, page), (Purpose::Show, 1));
    assert!(
        query.agent_assigned.is_empty(),
        "an agent id of the old account"
    );
    assert_eq!(query.tags, ["vip"], "a tag means the same anywhere");
    assert_eq!(state.profile.as_deref(), Some("second"));
    assert_eq!(state.connection.host, "second · 127.0.0.1:9");
    assert_eq!(
        state.web_url.as_deref(),
        Some("https://second.example/{id}")
    );
    assert!(state.selection.is_empty() && state.count.is_none());
    assert!(state.list.contacts.is_empty() && state.choices.agents.is_empty());
    assert!(notice_contains(&state, "switched to profile \"second\""));
    assert!(
        !format!("{state:?}").contains("second-secret"),
        "no token in the state"
    );

    // A page of the old account that arrives late is dropped.
    let late = loaded(old, Purpose::Show, 1, &state.query, vec![agent]);
    update(&mut state, late);
    assert!(state.list.contacts.is_empty());
    update(
        &mut state,
        loaded(generation, purpose, page, &query, contacts(50..100)),
    );
    assert_eq!(state.list.contacts.len(), 50);
    assert!(
        notice_contains(&state, "switched to profile \"second\""),
        "the page the switch asked for does not wipe the notice saying so"
    );
}
