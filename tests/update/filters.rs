//! Changing the query (`src/app/update/filters.rs`): the panel's items and sections, the
//! search and date fields, a typed tag, clearing and undoing.

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use inbox_tui::api::{Query, Status};
use inbox_tui::app::filters::{DateField, FilterItem};
use inbox_tui::app::{Cmd, Focus, Layer, Load, Mode, Msg, Purpose, update};
use serde_json::json;

use crate::browser_state::{browsing, demo_contacts as contacts};
use crate::support::{
    focus_item, key, key_at, loaded, notice_contains, only_fetch, only_fetches, press,
    selected_ids, type_line,
};

#[test]
fn a_filter_change_fetches_page_one_once_with_the_right_body() {
    let mut state = browsing();
    focus_item(&mut state, &FilterItem::Status(Status::Open));
    let commands = press(&mut state, KeyCode::Char(' '));
    let (generation, purpose, page, query) = only_fetch(&commands);
    assert_eq!((purpose, page), (Purpose::Show, 1));
    assert_eq!(generation, state.generation);
    let body = serde_json::to_value(query.page(page)).expect("serializes");
    assert_eq!(body["status"], json!(["OPEN"]));
    assert_eq!(body["tags"], json!([]));
    assert_eq!(state.query.active_filter_count(), 1);
    assert_eq!(
        state.list.contacts.len(),
        50,
        "the previous page stays visible while loading"
    );

    let commands = press(&mut state, KeyCode::Enter);
    assert!(
        state.query.status.is_empty(),
        "Enter toggles the item off again"
    );
    assert!(
        !commands.iter().any(|command| matches!(
            command,
            Cmd::FetchPage {
                purpose: Purpose::Show,
                ..
            }
        )),
        "the unfiltered page 1 is still cached: {commands:?}"
    );
    assert_eq!(state.list.load, Load::Idle);
}

#[test]
fn tags_and_switches_seen_in_contacts_become_filters() {
    let mut state = browsing();
    let tag = state
        .list
        .contacts
        .iter()
        .flat_map(|contact| contact.tags())
        .next()
        .expect("some contact has a tag")
        .to_owned();
    focus_item(&mut state, &FilterItem::Tag(tag.clone()));
    let (_, _, _, query) = only_fetch(&press(&mut state, KeyCode::Char(' ')));
    assert_eq!(query.tags, vec![tag]);
    focus_item(
        &mut state,
        &FilterItem::Switch(inbox_tui::app::filters::Switch::Online),
    );
    let (_, _, _, query) = only_fetch(&press(&mut state, KeyCode::Char(' ')));
    assert!(query.is_online && query.tags.len() == 1);
}

#[test]
fn typed_search_is_debounced_and_sent_once() {
    let mut state = browsing();
    let t0 = Instant::now();
    assert!(update(&mut state, key_at(KeyCode::Char('/'), t0)).is_empty());
    assert!(
        update(&mut state, key_at(KeyCode::Char('j'), t0)).is_empty(),
        "j is text here"
    );
    assert!(
        update(
            &mut state,
            key_at(KeyCode::Char('a'), t0 + Duration::from_millis(100))
        )
        .is_empty()
    );
    assert!(
        update(
            &mut state,
            Msg::Tick {
                at: t0 + Duration::from_millis(300)
            }
        )
        .is_empty(),
        "250 ms after the last key has not passed"
    );
    let commands = update(
        &mut state,
        Msg::Tick {
            at: t0 + Duration::from_millis(360),
        },
    );
    let (_, purpose, page, query) = only_fetch(&commands);
    assert_eq!(
        (purpose, page, query.search_text.as_str()),
        (Purpose::Show, 1, "ja")
    );
    assert!(
        update(
            &mut state,
            Msg::Tick {
                at: t0 + Duration::from_secs(2)
            }
        )
        .is_empty(),
        "sent once"
    );
    assert_eq!(state.focus, Focus::Filters);

    update(&mut state, key(KeyCode::Backspace));
    let (_, _, _, query) = only_fetch(&update(&mut state, key(KeyCode::Enter)));
    assert_eq!(query.search_text, "j", "Enter sends at once");
    assert_eq!(state.editing(), None);
    assert!(press(&mut state, KeyCode::Char('q')).is_empty());
    assert!(state.should_quit, "outside the field, q quits");
}

#[test]
fn date_fields_are_checked_inline_and_applied_on_enter() {
    let mut state = browsing();
    focus_item(&mut state, &FilterItem::Date(DateField::CreatedAfter));
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    for character in "2025-13-01".chars() {
        assert!(press(&mut state, KeyCode::Char(character)).is_empty());
    }
    assert!(
        press(&mut state, KeyCode::Enter).is_empty(),
        "an invalid date sends nothing"
    );
    let error = state.dates[DateField::CreatedAfter.index()]
        .error
        .clone()
        .expect("an inline message");
    assert!(error.contains("YYYY-MM-DD"), "{error}");
    for _ in 0..5 {
        press(&mut state, KeyCode::Backspace);
    }
    for character in "01-01".chars() {
        press(&mut state, KeyCode::Char(character));
    }
    let (_, _, _, query) = only_fetch(&press(&mut state, KeyCode::Enter));
    assert_eq!(query.created_at.start_at, "2025-01-01T00:00:00.000Z");
    assert_eq!(state.dates[0].error, None);
}

#[test]
fn clearing_filters_returns_to_the_unfiltered_inbox() {
    let mut state = browsing();
    let unfiltered_first = state.list.contacts[0].id().map(str::to_owned);
    focus_item(&mut state, &FilterItem::Status(Status::OnHold));
    let (generation, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char(' ')));
    update(
        &mut state,
        loaded(generation, Purpose::Show, page, &query, contacts(150..160)),
    );
    state.focus = Focus::List;
    let commands = press(&mut state, KeyCode::Char('x'));
    assert_eq!(state.query, Query::default());
    assert!(
        !commands
            .iter()
            .any(|command| matches!(command, Cmd::FetchPage { .. })),
        "the unfiltered page 1 comes from the cache: {commands:?}"
    );
    assert!(
        matches!(
            commands.as_slice(),
            [
                Cmd::CancelCount,
                Cmd::Count {
                    max_pages: Some(_),
                    ..
                }
            ]
        ),
        "the filtered count stops, the unfiltered one starts: {commands:?}"
    );
    assert_eq!(
        state.list.contacts[0].id().map(str::to_owned),
        unfiltered_first
    );
    assert!(press(&mut state, KeyCode::Char('x')).is_empty());
    assert!(notice_contains(&state, "no filters"));

    state.cache = Default::default();
    focus_item(&mut state, &FilterItem::Status(Status::OnHold));
    press(&mut state, KeyCode::Char(' '));
    let (_, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char('x')));
    assert_eq!(
        (page, query),
        (1, Query::default()),
        "uncached, it is fetched once"
    );
}

#[test]
fn the_panel_jumps_between_sections_and_can_be_hidden() {
    let mut state = browsing();
    state.focus = Focus::Filters;
    state.panel_cursor = 0;
    let sections = inbox_tui::app::filters::sections(&state.query, &state.choices);
    let second = sections[0].items.len();
    press(&mut state, KeyCode::Char(']'));
    assert_eq!(
        state.panel_cursor, second,
        "] goes to the next section's first item"
    );
    press(&mut state, KeyCode::Char(']'));
    press(&mut state, KeyCode::Char('['));
    assert_eq!(state.panel_cursor, second, "[ goes back a section");

    press(&mut state, KeyCode::Char('P'));
    assert!(state.panel_hidden);
    assert_eq!(
        state.focus,
        Focus::List,
        "the hidden panel gives up the focus"
    );
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Tab);
    assert_ne!(state.focus, Focus::Filters, "Tab skips the hidden panel");
    press(&mut state, KeyCode::Char('/'));
    assert!(!state.panel_hidden, "/ shows the panel to type in it");
}

#[test]
fn x_and_a_deleted_view_can_be_undone() {
    let mut state = browsing();
    focus_item(&mut state, &FilterItem::Status(Status::Review));
    let (generation, purpose, page, query) = only_fetch(&press(&mut state, KeyCode::Char(' ')));
    update(
        &mut state,
        loaded(generation, purpose, page, &query, contacts(0..10)),
    );
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('x'));
    assert_eq!(state.query, Query::default());
    assert!(notice_contains(&state, "U brings them back"));
    press(&mut state, KeyCode::Char('U'));
    assert_eq!(
        state.query.status,
        vec![Status::Review],
        "the filters are back"
    );
    assert_eq!(
        state.list.contacts.len(),
        10,
        "with their page, from the cache"
    );
    let query = state.query.clone();

    state.views = vec![inbox_tui::app::SavedView {
        name: "Reviews".into(),
        query: query.clone(),
    }];
    press(&mut state, KeyCode::Char('V'));
    press(&mut state, KeyCode::Char('d'));
    press(&mut state, KeyCode::Esc);
    let commands = press(&mut state, KeyCode::Char('U'));
    assert!(
        matches!(commands.as_slice(), [Cmd::SaveView { name, query: saved }] if name == "Reviews" && **saved == query),
        "{commands:?}"
    );
}

#[test]
fn a_tag_typed_in_the_panel_becomes_a_filter_seen_or_not() {
    let mut state = browsing();
    focus_item(&mut state, &FilterItem::NewTag);
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert_eq!(state.layer(), Layer::Text);
    assert!(
        type_line(&mut state, " never seen q ").is_empty(),
        "typing is text, q too"
    );
    let (_, purpose, page, query) = only_fetch(&press(&mut state, KeyCode::Enter));
    assert_eq!((purpose, page), (Purpose::Show, 1));
    assert_eq!(query.tags, ["never seen q"], "sent trimmed, as typed");
    assert!(matches!(state.mode, Mode::Browse));
    assert_eq!(
        state.new_tag.value(),
        "",
        "the field empties for the next tag"
    );
    assert!(
        state
            .filter_items()
            .contains(&FilterItem::Tag("never seen q".into())),
        "it is listed with the tags seen, to switch off"
    );
    assert_eq!(
        state.filter_items()[state.panel_cursor],
        FilterItem::NewTag,
        "the cursor stays on the field"
    );

    // The same tag again, or nothing, sends nothing; Esc leaves the field as it was.
    press(&mut state, KeyCode::Enter);
    type_line(&mut state, "never seen q");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(notice_contains(&state, "already a filter"));
    press(&mut state, KeyCode::Enter);
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    press(&mut state, KeyCode::Enter);
    type_line(&mut state, "vip");
    assert!(press(&mut state, KeyCode::Esc).is_empty());
    assert_eq!(state.query.tags, ["never seen q"]);
}

/// `/`, typing, Enter: the keyboard is on the filtered list (`j` moves the list, Space marks a
/// row and toggles no filter). `/` then Esc goes back to the pane `/` was pressed in, the
/// detail here, with the panel as hidden as it was.
#[test]
fn focus_after_a_search_is_the_list_or_where_slash_was_pressed() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('/'));
    assert_eq!(state.editing(), Some(inbox_tui::app::TextField::Search));
    type_line(&mut state, "ja");
    let (_, _, _, query) = only_fetch(&press(&mut state, KeyCode::Enter));
    assert_eq!(query.search_text, "ja");
    assert_eq!((state.focus, state.editing()), (Focus::List, None));
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(state.list.selected, 1, "j moves the list");
    let commands = press(&mut state, KeyCode::Char(' '));
    assert!(
        only_fetches(&commands).is_empty(),
        "Space toggles no filter"
    );
    assert!(state.query.status.is_empty());
    assert_eq!(selected_ids(&state).len(), 1, "Space marked the row");

    state.focus = Focus::Detail;
    state.panel_hidden = true;
    press(&mut state, KeyCode::Char('/'));
    assert_eq!((state.focus, state.panel_hidden), (Focus::Filters, false));
    type_line(&mut state, "x");
    press(&mut state, KeyCode::Esc);
    assert_eq!(
        (state.focus, state.panel_hidden, state.editing()),
        (Focus::Detail, true, None)
    );
}
