//! The command palette (`src/app/update/palette.rs`): running, completing and remembering
//! lines, and filter commands that set rather than toggle.

use crossterm::event::KeyCode;
use inbox_tui::api::Status;
use inbox_tui::app::{Cmd, Focus, Mode, Purpose, State};

use crate::browser_state::{browsing, demo_contacts as contacts};
use crate::support::{notice_contains, only_fetch, only_fetches, press, type_line};

/// Runs one palette line and returns its commands.
fn palette(state: &mut State, line: &str) -> Vec<Cmd> {
    press(state, KeyCode::Char(':'));
    type_line(state, line);
    press(state, KeyCode::Enter)
}

#[test]
fn the_palette_runs_commands_completes_them_and_remembers_them() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char(':'));
    assert!(matches!(state.mode, Mode::Palette(_)));
    assert!(
        type_line(&mut state, "page 12").is_empty(),
        "typing is text, q too"
    );
    let (_, purpose, page, _) = only_fetch(&press(&mut state, KeyCode::Enter));
    assert_eq!((purpose, page), (Purpose::Show, 12));
    assert!(matches!(state.mode, Mode::Browse));

    // Any tag, seen on a page or not.
    press(&mut state, KeyCode::Char(':'));
    type_line(&mut state, "tag never-seen");
    let (_, _, page, query) = only_fetch(&press(&mut state, KeyCode::Enter));
    assert_eq!(
        (page, query.tags.clone()),
        (1, vec!["never-seen".to_owned()])
    );

    // Tab completes the command, then the argument.
    press(&mut state, KeyCode::Char(':'));
    type_line(&mut state, "sta");
    press(&mut state, KeyCode::Tab);
    type_line(&mut state, "inp");
    press(&mut state, KeyCode::Tab);
    let (_, _, _, query) = only_fetch(&press(&mut state, KeyCode::Enter));
    assert_eq!(query.status, vec![Status::InProgress]);

    // A mistake keeps the palette open with how to say it.
    press(&mut state, KeyCode::Char(':'));
    type_line(&mut state, "page zero");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let Mode::Palette(palette) = &state.mode else {
        panic!("the palette stays open");
    };
    assert!(
        palette
            .error
            .as_deref()
            .is_some_and(|error| error.contains("page 12"))
    );

    // Up goes back through the history, newest first.
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char(':'));
    press(&mut state, KeyCode::Up);
    press(&mut state, KeyCode::Up);
    assert!(
        only_fetches(&press(&mut state, KeyCode::Enter)).is_empty(),
        "the second newest was `tag never-seen`, which is on already"
    );
    assert!(notice_contains(&state, "tag never-seen is already on"));
    assert_eq!(state.query.tags, vec!["never-seen".to_owned()]);
}

/// The palette's filter commands set: twice is once, `-` unsets, and another spelling of the
/// same agent leaves the filter on. Segments, bots, switches and dates have commands too;
/// a name nothing matches keeps the palette open saying so; `:help` and `:q` do what they say.
#[test]
fn palette_commands_set_instead_of_toggling() {
    let mut state = browsing();
    state.choices.agents = vec![inbox_tui::api::Agent {
        id: "a1".into(),
        name: "Alice Walker".into(),
        live_availability: None,
        status: None,
    }];
    state.choices.segments = vec![inbox_tui::api::Segment {
        id: "s1".into(),
        name: "India 🇮🇳".into(),
    }];
    state.focus = Focus::List;

    let (_, _, _, query) = only_fetch(&palette(&mut state, "status open"));
    assert_eq!(query.status, vec![Status::Open]);
    assert!(only_fetches(&palette(&mut state, "status open")).is_empty());
    assert_eq!(state.query.status, vec![Status::Open], "still on");
    assert!(notice_contains(&state, "status OPEN is already on"));
    palette(&mut state, "-status open");
    assert!(state.query.status.is_empty(), "page 1 unfiltered is cached");
    assert_eq!(state.query.active_filter_count(), 0);

    only_fetch(&palette(&mut state, "agent Alice"));
    assert!(only_fetches(&palette(&mut state, "agent alice walker")).is_empty());
    assert_eq!(state.query.agent_assigned, vec!["a1".to_owned()]);

    let (_, _, _, query) = only_fetch(&palette(&mut state, "segment india"));
    assert_eq!(query.segments, vec!["s1".to_owned()]);
    let bot = contacts(0..50)
        .iter()
        .find_map(|contact| {
            contact
                .bot_in(inbox_tui::api::Channel::Website)
                .map(str::to_owned)
        })
        .expect("a website contact on page 1");
    let (_, _, _, query) = only_fetch(&palette(&mut state, &format!("bot {bot}")));
    assert_eq!(query.bot_website, vec![bot]);
    let (_, _, _, query) = only_fetch(&palette(&mut state, "only online"));
    assert!(query.is_online);
    let (_, _, _, query) = only_fetch(&palette(&mut state, "created-after 2026-01-31"));
    assert!(
        query.created_at.start_at.starts_with("2026-01-3"),
        "{:?}",
        query.created_at
    );
    let (_, _, _, query) = only_fetch(&palette(&mut state, "-created-after"));
    assert_eq!(query.created_at.start_at, "");

    assert!(palette(&mut state, "agent Zed").is_empty());
    let Mode::Palette(open) = &state.mode else {
        panic!("an unknown agent keeps the palette open");
    };
    assert!(
        open.error
            .as_deref()
            .is_some_and(|e| e.contains("no agent \"Zed\""))
    );
    press(&mut state, KeyCode::Esc);

    palette(&mut state, "help");
    assert!(matches!(state.mode, Mode::Help { .. }));
    press(&mut state, KeyCode::Esc);
    palette(&mut state, "q");
    assert!(state.should_quit);
}
