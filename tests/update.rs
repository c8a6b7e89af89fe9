//! `update()` as a pure function: keys and results in, state and commands out.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use inbox_tui::api::{ApiError, Contact, Page, Query, Status};
use inbox_tui::app::filters::{DateField, FilterItem};
use inbox_tui::app::state::Connection;
use inbox_tui::app::{Cmd, Focus, Keymap, Load, Msg, PageEnd, Purpose, State, start, update};
use inbox_tui::demo::Dataset;
use serde_json::json;

fn contacts(range: std::ops::Range<usize>) -> Vec<Contact> {
    let dataset = Dataset::generate(200, 42);
    range
        .map(|index| Contact::from_value(dataset.contact_json(index)).expect("an object"))
        .collect()
}

fn key_at(code: KeyCode, at: Instant) -> Msg {
    Msg::Key {
        key: KeyEvent::new(code, KeyModifiers::NONE),
        at,
    }
}

fn key(code: KeyCode) -> Msg {
    key_at(code, Instant::now())
}

fn press(state: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(state, key(code))
}

/// The (generation, purpose, page, query) of the only fetch in `commands`.
fn only_fetch(commands: &[Cmd]) -> (u64, Purpose, u32, Query) {
    match commands {
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

fn loaded(
    generation: u64,
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
            elapsed: Duration::from_millis(42),
        }),
    }
}

/// A browser showing page 1 of the unfiltered inbox (50 contacts).
fn browsing() -> State {
    let mut state = State::new(
        Connection {
            host: "test".into(),
        },
        Keymap::default(),
        None,
    );
    let commands = start(&mut state);
    assert_eq!(commands[0], Cmd::LoadChoices);
    let (generation, purpose, page, query) = only_fetch(&commands[1..]);
    assert_eq!((purpose, page), (Purpose::Show, 1));
    assert!(matches!(state.list.load, Load::Loading { page: 1 }));
    update(
        &mut state,
        loaded(generation, purpose, page, &query, contacts(0..50)),
    );
    assert_eq!(state.list.load, Load::Idle);
    state
}

fn focus_item(state: &mut State, item: &FilterItem) {
    state.focus = Focus::Filters;
    state.panel_cursor = state
        .filter_items()
        .iter()
        .position(|candidate| candidate == item)
        .unwrap_or_else(|| panic!("{item:?} is offered"));
}

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
fn stale_results_are_dropped() {
    let mut state = browsing();
    focus_item(&mut state, &FilterItem::Status(Status::Closed));
    let (first, _, _, first_query) = only_fetch(&press(&mut state, KeyCode::Char(' ')));
    focus_item(&mut state, &FilterItem::Status(Status::Review));
    let (second, _, _, second_query) = only_fetch(&press(&mut state, KeyCode::Char(' ')));
    assert!(second > first);

    let before: Vec<_> = state
        .list
        .contacts
        .iter()
        .map(|contact| contact.id().map(str::to_owned))
        .collect();
    let commands = update(
        &mut state,
        loaded(first, Purpose::Show, 1, &first_query, contacts(100..110)),
    );
    assert!(commands.is_empty());
    let after: Vec<_> = state
        .list
        .contacts
        .iter()
        .map(|contact| contact.id().map(str::to_owned))
        .collect();
    assert_eq!(before, after, "the superseded result changed nothing");
    assert!(matches!(state.list.load, Load::Loading { .. }));

    update(
        &mut state,
        loaded(second, Purpose::Show, 1, &second_query, contacts(120..130)),
    );
    assert_eq!(state.list.contacts.len(), 10);
    assert_eq!(state.list.end, PageEnd::End, "a short page is the last");
}

#[test]
fn paging_forward_and_back_uses_the_cache() {
    let mut state = browsing();
    let (generation, purpose, page, query) = only_fetch(&press(&mut state, KeyCode::Char('n')));
    assert_eq!((purpose, page), (Purpose::Show, 2));
    update(
        &mut state,
        loaded(generation, purpose, page, &query, contacts(50..100)),
    );
    assert_eq!(state.list.page, 2);
    assert_eq!(state.list.contacts[0].id(), contacts(50..51)[0].id());

    let commands = press(&mut state, KeyCode::Char('p'));
    assert!(
        commands.is_empty(),
        "page 1 comes from the cache: {commands:?}"
    );
    assert_eq!((state.list.page, state.list.load.clone()), (1, Load::Idle));
    assert!(
        press(&mut state, KeyCode::PageDown).is_empty(),
        "page 2 is cached too"
    );
    assert_eq!(state.list.page, 2);

    let (generation, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char('n')));
    update(
        &mut state,
        loaded(generation, Purpose::Show, page, &query, vec![]),
    );
    assert_eq!(state.list.page, 2, "an empty page 3 keeps page 2 on screen");
    assert_eq!(state.list.end, PageEnd::End);
    assert!(
        press(&mut state, KeyCode::Char('n')).is_empty(),
        "no fetch past the end"
    );
    assert!(
        state
            .status
            .notice
            .as_deref()
            .is_some_and(|notice| notice.contains("last page"))
    );

    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('p'));
    assert!(press(&mut state, KeyCode::Char('p')).is_empty());
    assert!(
        state
            .status
            .notice
            .as_deref()
            .is_some_and(|notice| notice.contains("first page"))
    );
}

#[test]
fn nearing_the_bottom_prefetches_the_next_page_once() {
    let mut state = browsing();
    state.focus = Focus::List;
    for _ in 0..30 {
        assert!(press(&mut state, KeyCode::Char('j')).is_empty());
    }
    let mut prefetches = Vec::new();
    for _ in 0..15 {
        prefetches.extend(press(&mut state, KeyCode::Down));
    }
    let (generation, purpose, page, query) = only_fetch(&prefetches);
    assert_eq!((purpose, page), (Purpose::Prefetch, 2));
    assert!(state.is_busy());
    update(
        &mut state,
        loaded(generation, purpose, page, &query, contacts(50..100)),
    );
    assert_eq!(state.list.page, 1, "a prefetch is not shown");
    assert!(
        press(&mut state, KeyCode::Char('n'))
            .iter()
            .all(|command| matches!(
                command,
                Cmd::FetchPage {
                    purpose: Purpose::Prefetch,
                    page: 3,
                    ..
                }
            ))
    );
    assert_eq!(state.list.page, 2, "the prefetched page shows at once");
    assert_eq!(state.list.load, Load::Idle);
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
    assert_eq!(state.editing, None);
    assert!(press(&mut state, KeyCode::Char('q')).is_empty());
    assert!(state.should_quit, "outside the field, q quits");
}

#[test]
fn errors_are_a_state_with_a_way_out() {
    let mut state = browsing();
    let (generation, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char('r')));
    assert_eq!(page, 1);
    let at = Instant::now();
    update(
        &mut state,
        Msg::Retrying {
            generation,
            wait: Duration::from_secs(3),
            error: ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(3)),
            },
            at,
        },
    );
    assert_eq!(
        state.status.backoff_until,
        Some(at + Duration::from_secs(3))
    );
    update(
        &mut state,
        Msg::Tick {
            at: at + Duration::from_secs(4),
        },
    );
    assert_eq!(state.status.backoff_until, None);

    let unauthorized = ApiError::Unauthorized {
        status: 401,
        message: "Unauthorized".into(),
    };
    update(
        &mut state,
        Msg::PageLoaded {
            generation,
            purpose: Purpose::Show,
            page,
            query: Box::new(query),
            result: Err(unauthorized.clone()),
        },
    );
    assert_eq!(
        state.list.load,
        Load::Failed {
            error: unauthorized
        }
    );
    let (_, purpose, page, _) = only_fetch(&press(&mut state, KeyCode::Char('r')));
    assert_eq!((purpose, page), (Purpose::Show, 1), "r retries");
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
        commands.is_empty(),
        "the unfiltered page 1 comes from the cache: {commands:?}"
    );
    assert_eq!(
        state.list.contacts[0].id().map(str::to_owned),
        unfiltered_first
    );
    assert!(press(&mut state, KeyCode::Char('x')).is_empty());
    assert!(
        state
            .status
            .notice
            .as_deref()
            .is_some_and(|notice| notice.contains("no filters"))
    );

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
fn help_swallows_keys_until_closed() {
    let mut state = browsing();
    press(&mut state, KeyCode::Char('?'));
    assert!(state.help_open);
    assert!(press(&mut state, KeyCode::Char('n')).is_empty());
    assert_eq!(state.list.page, 1);
    press(&mut state, KeyCode::Esc);
    assert!(!state.help_open);
    assert!(!press(&mut state, KeyCode::Char('n')).is_empty());
}

#[test]
fn detail_pane_keys() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.focus, Focus::Detail);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(state.detail.scroll, 2);
    assert_eq!(state.list.selected, 1, "j scrolls the detail, not the list");
    press(&mut state, KeyCode::Char('J'));
    assert!(state.detail.raw_json);
    assert_eq!(state.detail.scroll, 0);
    press(&mut state, KeyCode::Char('f'));
    assert!(state.detail.fullscreen);
    press(&mut state, KeyCode::Esc);
    assert!(!state.detail.fullscreen);
    assert_eq!(state.focus, Focus::List);
}
