//! `update()` as a pure function: keys and results in, state and commands out.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use inbox_tui::api::IdSet;
use inbox_tui::api::walk::WalkError;
use inbox_tui::api::{ApiError, Contact, Page, Query, Status};
use inbox_tui::app::filters::{DateField, FilterItem};
use inbox_tui::app::msg::ExportFinished;
use inbox_tui::app::state::{ExportPhase, FetchGeneration, SelectAllRun};
use inbox_tui::app::{
    Action, Cmd, Focus, Keymap, Layer, Load, Mode, Msg, PageEnd, PickList, Purpose, State, update,
};
use inbox_tui::export::{Progress, Scope, Selection as ExportSelection};
use serde_json::json;

#[path = "common/browser_state.rs"]
mod browser_state;

use browser_state::{browsing, demo_contacts as contacts};

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

/// The (generation, purpose, page, query) of the only page fetch in `commands`; the count of
/// the matches that a new query starts is not a page fetch.
fn only_fetch(commands: &[Cmd]) -> (FetchGeneration, Purpose, u32, Query) {
    let fetches: Vec<&Cmd> = commands
        .iter()
        .filter(|command| !matches!(command, Cmd::Count { .. } | Cmd::CancelCount))
        .collect();
    match fetches.as_slice() {
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
    generation: FetchGeneration,
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
            unreadable: 0,
            elapsed: Duration::from_millis(42),
        }),
    }
}

fn notice_contains(state: &State, text: &str) -> bool {
    state
        .status
        .notice
        .as_deref()
        .is_some_and(|notice| notice.contains(text))
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
    assert!(notice_contains(&state, "last page"));

    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('p'));
    assert!(press(&mut state, KeyCode::Char('p')).is_empty());
    assert!(notice_contains(&state, "first page"));
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
    assert_eq!(state.editing(), None);
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
        token_origin: None,
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
            page: 1,
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

fn selected_ids(state: &State) -> Vec<String> {
    state
        .selection
        .marked()
        .iter()
        .filter_map(|contact| contact.id().map(str::to_owned))
        .collect()
}

#[test]
fn the_selection_is_a_set_of_ids_that_survives_paging_and_filters() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(state.list.selected, 1, "Space marks and moves on");
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char('k'));
    press(&mut state, KeyCode::Char(' '));
    let first_page = contacts(0..50);
    assert_eq!(
        selected_ids(&state),
        vec![first_page[0].id().unwrap_or_default().to_owned()],
        "Space again unmarks"
    );

    let (generation, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char('n')));
    update(
        &mut state,
        loaded(generation, Purpose::Show, page, &query, contacts(50..100)),
    );
    press(&mut state, KeyCode::Char('v'));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('v'));
    assert_eq!(
        state.selection.len(),
        4,
        "the range adds rows 0 to 2 of page 2"
    );

    focus_item(&mut state, &FilterItem::Status(Status::Closed));
    let (generation, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char(' ')));
    update(
        &mut state,
        loaded(generation, Purpose::Show, page, &query, contacts(150..160)),
    );
    assert_eq!(
        state.selection.len(),
        4,
        "a filter change keeps the selection"
    );
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('a'));
    assert_eq!(state.selection.len(), 14);
    press(&mut state, KeyCode::Char('a'));
    assert_eq!(state.selection.len(), 14, "selecting twice adds nothing");
    press(&mut state, KeyCode::Char('u'));
    assert!(state.selection.is_empty());
}

/// The ids of `contacts`, as "select every matching contact" returns them.
fn id_set(contacts: &[Contact]) -> IdSet {
    let mut ids = IdSet::new();
    for contact in contacts {
        ids.insert(contact.id().expect("demo contacts have ids"));
    }
    ids
}

fn id_of(contact: &Contact) -> &str {
    contact.id().expect("demo contacts have ids")
}

/// Presses `A` and returns the run's generation and the query it recorded.
fn select_all(state: &mut State) -> (SelectAllRun, Query) {
    let commands = press(state, KeyCode::Char('A'));
    let [Cmd::SelectAllMatching { run, query }] = commands.as_slice() else {
        panic!("expected a select-all, got {commands:?}");
    };
    (*run, (**query).clone())
}

fn counted(run: SelectAllRun, pages: u32, contacts: u64) -> Msg {
    Msg::SelectAllProgress {
        run,
        progress: Progress {
            pages_fetched: pages,
            contacts_written: contacts,
        },
    }
}

fn done(run: SelectAllRun, contacts: &[Contact]) -> Msg {
    Msg::SelectAllDone {
        run,
        result: Ok(id_set(contacts)),
    }
}

/// The export request the dialog sends for "the selection" (its default when one exists).
fn export_selection(state: &mut State) -> (ExportSelection, Option<usize>) {
    press(state, KeyCode::Char('e'));
    let commands = press(state, KeyCode::Enter);
    let [Cmd::StartExport(request)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    let total = match state.export_dialog().map(|dialog| &dialog.phase) {
        Some(ExportPhase::Running { total, .. }) => *total,
        other => panic!("the export runs: {other:?}"),
    };
    let Scope::Selection(selection) = &request.scope else {
        panic!(
            "the selection is exported as a selection: {:?}",
            request.scope
        );
    };
    (selection.clone(), total)
}

#[test]
fn select_all_records_the_query_as_pressed_and_counts_it() {
    let mut state = browsing();
    focus_item(&mut state, &FilterItem::Status(Status::Open));
    let (generation, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char(' ')));
    update(
        &mut state,
        loaded(generation, Purpose::Show, page, &query, contacts(0..50)),
    );
    state.focus = Focus::List;

    let (run, recorded) = select_all(&mut state);
    assert_eq!(recorded.status, vec![Status::Open]);
    assert_eq!(recorded, state.query);
    assert!(state.is_busy());

    // The filters change while it runs: what it selects does not.
    press(&mut state, KeyCode::Char('x'));
    assert_eq!(state.query, Query::default());
    let running = state.selection.running().expect("still counting");
    assert_eq!(running.query, recorded);

    update(&mut state, counted(run, 1, 50));
    update(&mut state, counted(run.next().next(), 1, 999));
    assert_eq!(
        state.selection.len(),
        50,
        "another run's progress is ignored"
    );
    update(&mut state, counted(run, 3, 140));
    assert_eq!(state.selection.len(), 140, "the count climbs");
    let page = contacts(0..50);
    assert!(
        !state.selection.contains(&page[0]),
        "no row is marked before the ids arrive"
    );

    let matched = contacts(0..120);
    update(&mut state, done(run, &matched));
    assert!(state.selection.running().is_none());
    assert!(!state.is_busy());
    assert_eq!(state.selection.len(), 120, "exact once counted");
    assert!(notice_contains(
        &state,
        "all matching status OPEN: 120 counted"
    ));
    assert!(state.selection.contains(&page[0]), "visible rows show it");
    assert!(
        state.selection.marked().is_empty(),
        "no contact is kept for A"
    );

    let (selection, total) = export_selection(&mut state);
    assert_eq!(selection.queries, vec![recorded]);
    assert!(selection.marked.is_empty());
    assert!(selection.excluded.is_empty());
    assert_eq!(total, Some(120));
}

#[test]
fn several_select_alls_count_their_union_once() {
    let mut state = browsing();
    let (first, _) = select_all(&mut state);
    update(&mut state, done(first, &contacts(0..100)));
    let pressed_again = press(&mut state, KeyCode::Char('A'));
    assert!(
        pressed_again.is_empty(),
        "the same query twice adds nothing"
    );
    assert!(notice_contains(&state, "already selected"));

    focus_item(&mut state, &FilterItem::Status(Status::Closed));
    press(&mut state, KeyCode::Char(' '));
    state.focus = Focus::List;
    let (second, closed) = select_all(&mut state);
    assert!(
        press(&mut state, KeyCode::Char('A')).is_empty(),
        "one count at a time"
    );
    assert!(notice_contains(
        &state,
        "already selecting all matching status CLOSED"
    ));
    update(&mut state, done(second, &contacts(50..150)));
    assert_eq!(state.selection.len(), 150, "the overlap is counted once");
    let (selection, total) = export_selection(&mut state);
    assert_eq!(selection.queries, vec![Query::default(), closed]);
    assert_eq!(total, Some(150));
}

#[test]
fn u_and_esc_stop_a_running_select_all_and_late_results_change_nothing() {
    let mut state = browsing();
    let page = contacts(0..50);
    let (run, _) = select_all(&mut state);
    update(&mut state, counted(run, 2, 100));
    let stopped = press(&mut state, KeyCode::Char('u'));
    assert!(matches!(stopped.as_slice(), [Cmd::CancelSelectAll]));
    assert!(state.selection.is_empty());
    update(&mut state, counted(run, 3, 150));
    assert_eq!(state.selection.len(), 0, "the count does not climb back");
    update(&mut state, done(run, &contacts(0..200)));
    assert!(
        state.selection.is_empty(),
        "a late result brings nothing back"
    );
    assert!(!state.selection.contains(&page[0]));
    assert!(!state.is_busy());

    // Esc drops only what the running one would add.
    let (kept, _) = select_all(&mut state);
    update(&mut state, done(kept, &contacts(0..20)));
    focus_item(&mut state, &FilterItem::Status(Status::Closed));
    press(&mut state, KeyCode::Char(' '));
    state.focus = Focus::List;
    let (dropped, _) = select_all(&mut state);
    update(&mut state, counted(dropped, 1, 50));
    assert_eq!(state.selection.len(), 70);
    let stopped = press(&mut state, KeyCode::Esc);
    assert!(matches!(stopped.as_slice(), [Cmd::CancelSelectAll]));
    assert_eq!(state.selection.len(), 20);
    update(&mut state, done(dropped, &contacts(0..200)));
    assert_eq!(state.selection.len(), 20, "the cancelled run stays out");
    assert_eq!(state.selection.matching().len(), 1);
    assert!(!state.selection.contains(&page[30]));
}

#[test]
fn a_failed_select_all_says_why_and_drops_its_query() {
    let mut state = browsing();
    let (run, _) = select_all(&mut state);
    update(&mut state, counted(run, 1, 50));
    update(
        &mut state,
        Msg::SelectAllDone {
            run,
            result: Err(std::sync::Arc::new(WalkError::Fetch {
                page: 2,
                source: ApiError::Server {
                    status: 500,
                    message: "the server said 500".into(),
                },
            })),
        },
    );
    assert!(state.selection.is_empty());
    assert!(state.selection.matching().is_empty());
    assert!(notice_contains(&state, "the server said 500"));
}

#[test]
fn unmarking_a_row_select_all_covers_records_an_exclusion_the_export_carries() {
    let mut state = browsing();
    state.focus = Focus::List;
    let page = contacts(0..50);
    let (run, recorded) = select_all(&mut state);
    update(&mut state, done(run, &contacts(5..120)));
    assert_eq!(state.selection.len(), 115);

    press(&mut state, KeyCode::Char(' '));
    assert_eq!(
        state.selection.len(),
        116,
        "row 0 is outside the set: marked"
    );
    for _ in 1..5 {
        press(&mut state, KeyCode::Char('j'));
    }
    assert_eq!(state.list.selected, 5);
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(state.selection.len(), 115, "row 5 is unmarked from the set");
    assert!(!state.selection.contains(&page[5]));
    assert!(state.selection.excluded().contains(id_of(&page[5])));
    assert!(
        state.selection.marked().len() == 1,
        "unmarking keeps no contact"
    );

    press(&mut state, KeyCode::Char('k'));
    press(&mut state, KeyCode::Char(' '));
    assert!(
        state.selection.contains(&page[5]),
        "marking it again undoes the exclusion"
    );
    assert!(state.selection.excluded().is_empty());
    assert_eq!(state.selection.len(), 116);
    press(&mut state, KeyCode::Char('k'));
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(state.selection.len(), 115);

    // `a` marks the page: rows 1 to 4 by hand, row 5 back from its exclusion, the rest were in.
    press(&mut state, KeyCode::Char('a'));
    assert_eq!(state.selection.len(), 120);
    let marked: Vec<&str> = state.selection.marked().iter().map(id_of).collect();
    let first_five: Vec<&str> = page[..5].iter().map(id_of).collect();
    assert_eq!(marked, first_five, "covered rows are not kept as contacts");

    // Unmark row 7 (covered) and row 1 (marked by hand), then export.
    state.list.selected = 7;
    press(&mut state, KeyCode::Char(' '));
    state.list.selected = 1;
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(state.selection.len(), 118);
    let (selection, total) = export_selection(&mut state);
    assert_eq!(selection.queries, vec![recorded]);
    let marked: Vec<&str> = selection.marked.iter().map(id_of).collect();
    assert_eq!(
        marked,
        [
            id_of(&page[0]),
            id_of(&page[2]),
            id_of(&page[3]),
            id_of(&page[4])
        ]
    );
    assert_eq!(selection.excluded.len(), 1);
    assert!(selection.excluded.contains(id_of(&page[7])));
    assert_eq!(total, Some(118));
}

#[test]
fn the_export_dialog_exports_the_selection_and_can_be_cancelled() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char('e'));
    assert!(state.export_dialog().is_some(), "e opens the dialog");
    press(&mut state, KeyCode::Right);
    press(&mut state, KeyCode::Left);
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Right);
    press(&mut state, KeyCode::Down);
    for character in "out/picked.json".chars() {
        assert!(
            press(&mut state, KeyCode::Char(character)).is_empty(),
            "printable keys are path text"
        );
    }
    assert!(
        !state.should_quit,
        "q was not typed, but nothing else quit either"
    );
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::StartExport(request)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    assert_eq!(request.format, inbox_tui::export::ExportFormat::Json);
    assert_eq!(request.path, "out/picked.json");
    let Scope::Selection(picked) = &request.scope else {
        panic!("the selection is exported as a selection");
    };
    assert!(picked.queries.is_empty() && picked.excluded.is_empty());
    let picked: Vec<_> = picked
        .marked
        .iter()
        .filter_map(|contact| contact.id().map(str::to_owned))
        .collect();
    assert_eq!(picked, selected_ids(&state));

    assert!(
        press(&mut state, KeyCode::Char('x')).is_empty(),
        "keys wait while it runs"
    );
    assert!(matches!(
        press(&mut state, KeyCode::Esc).as_slice(),
        [Cmd::CancelExport]
    ));
    assert!(state.export_dialog().is_none());
    assert!(notice_contains(&state, "cancelled"));

    press(&mut state, KeyCode::Char('e'));
    press(&mut state, KeyCode::Enter);
    update(
        &mut state,
        Msg::ExportDone(Ok(ExportFinished {
            path: "contacts.csv".into(),
            contacts: 2,
            as_of: None,
        })),
    );
    assert!(state.export_dialog().is_none());
    assert!(notice_contains(
        &state,
        "exported 2 contacts to contacts.csv"
    ));

    press(&mut state, KeyCode::Char('u'));
    press(&mut state, KeyCode::Char('e'));
    let dialog = state.export_dialog().expect("open");
    assert_eq!(
        dialog.scope,
        inbox_tui::app::state::ExportScope::Page,
        "nothing selected: the page shown; everything matching is a choice to make"
    );
    press(&mut state, KeyCode::Left);
    assert!(
        press(&mut state, KeyCode::Enter).is_empty(),
        "an empty selection cannot be exported"
    );
    assert!(matches!(
        state.export_dialog().map(|dialog| &dialog.phase),
        Some(inbox_tui::app::state::ExportPhase::Failed(_))
    ));
}

#[test]
fn views_are_saved_by_name_and_applied_by_number() {
    let mut state = browsing();
    focus_item(&mut state, &FilterItem::Status(Status::Review));
    press(&mut state, KeyCode::Char(' '));
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('s'));
    assert!(
        press(&mut state, KeyCode::Enter).is_empty(),
        "no view without a name"
    );
    assert!(
        matches!(state.mode, Mode::NamingView { .. }),
        "still asking"
    );
    assert!(notice_contains(&state, "a view needs a name"));
    for character in "Reviews 1".chars() {
        assert!(
            press(&mut state, KeyCode::Char(character)).is_empty(),
            "the name is text, even 1"
        );
    }
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::SaveView { name, query }] = commands.as_slice() else {
        panic!("expected a save, got {commands:?}");
    };
    assert_eq!(
        (name.as_str(), query.status.clone()),
        ("Reviews 1", vec![Status::Review])
    );

    let saved = inbox_tui::app::SavedView {
        name: name.clone(),
        query: (**query).clone(),
    };
    let searching = inbox_tui::app::SavedView {
        name: "Jane".into(),
        query: Query {
            search_text: "jane".into(),
            ..Query::default()
        },
    };
    update(
        &mut state,
        Msg::ViewsChanged {
            result: Ok(vec![saved, searching]),
            done: "saved view \"Reviews 1\"".into(),
        },
    );
    press(&mut state, KeyCode::Char('x'));

    let (_, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char('2')));
    assert_eq!((page, query.search_text.as_str()), (1, "jane"));
    assert_eq!(
        state.search.value(),
        "jane",
        "the search field shows the view's text"
    );
    press(&mut state, KeyCode::Char('9'));
    assert!(notice_contains(&state, "no saved view 9"));

    press(&mut state, KeyCode::Char('V'));
    assert!(matches!(state.mode, Mode::Views(_)));
    let (_, _, _, query) = only_fetch(&press(&mut state, KeyCode::Enter));
    assert_eq!(
        query.status,
        vec![Status::Review],
        "Enter applies the view under the cursor"
    );
    press(&mut state, KeyCode::Char('V'));
    press(&mut state, KeyCode::Char('j'));
    let commands = press(&mut state, KeyCode::Char('d'));
    assert!(matches!(commands.as_slice(), [Cmd::DeleteView { name }] if name == "Jane"));
}

#[test]
fn the_export_dialog_offers_raw_cells_for_a_csv_only() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('e'));
    let request = |state: &mut State| {
        let commands = press(state, KeyCode::Enter);
        let [Cmd::StartExport(request)] = commands.as_slice() else {
            panic!("expected an export, got {commands:?}");
        };
        request.clone()
    };
    let mut safe = state.clone();
    let sent = request(&mut safe);
    assert!(!sent.csv.raw, "spreadsheet-safe by default");

    // Scope, Format, Path, then Cells: the path stays the third row.
    for _ in 0..3 {
        press(&mut state, KeyCode::Down);
    }
    press(&mut state, KeyCode::Right);
    let sent = request(&mut state);
    assert_eq!(sent.format, inbox_tui::export::ExportFormat::Csv);
    assert!(sent.csv.raw, "the Cells row switched to raw");
}

#[test]
fn the_export_dialog_starts_from_the_configs_csv_style() {
    let mut state = browsing();
    state.focus = Focus::List;
    state.csv_defaults = inbox_tui::export::CsvStyle {
        raw: true,
        byte_order_mark: true,
    };
    press(&mut state, KeyCode::Char('e'));
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::StartExport(sent)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    assert!(sent.csv.raw, "[export] csv_raw = true");
    assert!(sent.csv.byte_order_mark, "[export] excel = true");
}

#[test]
fn a_page_with_unreadable_contacts_is_not_taken_for_the_last_and_says_so() {
    let mut state = browsing();
    let query = state.query.clone();
    let generation = state.generation;
    update(
        &mut state,
        Msg::PageLoaded {
            generation,
            purpose: Purpose::Show,
            page: 1,
            query: Box::new(query),
            result: Ok(Page {
                number: 1,
                contacts: contacts(0..47),
                unreadable: 3,
                elapsed: Duration::from_millis(42),
            }),
        },
    );
    assert_eq!(state.list.contacts.len(), 47);
    assert_eq!(
        state.list.end,
        PageEnd::More,
        "50 were sent: more may follow"
    );
    let notice = state.status.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("3 values on page 1 are not contacts"),
        "{notice}"
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

#[test]
fn pages_asked_for_during_a_load_are_counted_from_the_page_on_its_way() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Char('n'));
    let (generation, purpose, page, query) = only_fetch(&press(&mut state, KeyCode::Char('n')));
    assert_eq!(page, 4, "n n n lands three pages on");
    assert!(matches!(state.list.load, Load::Loading { page: 4 }));

    // The rows shown are page 1's until page 4 comes: they cannot be marked meanwhile.
    assert!(press(&mut state, KeyCode::Char(' ')).is_empty());
    press(&mut state, KeyCode::Char('a'));
    assert!(state.selection.is_empty(), "stale rows are not marked");
    assert!(notice_contains(&state, "page 4 is loading"));

    // p during the load counts back from page 4.
    let (_, _, back, _) = only_fetch(&press(&mut state, KeyCode::Char('p')));
    assert_eq!(back, 3);
    let _ = (generation, purpose, query);
}

#[test]
fn r_retries_the_page_that_failed_and_one_line_says_a_429() {
    let mut state = browsing();
    let (generation, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char('n')));
    assert_eq!(page, 2);
    update(
        &mut state,
        Msg::Retrying {
            generation,
            wait: Duration::from_secs(3),
            error: ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(3)),
            },
            at: Instant::now(),
        },
    );
    assert!(state.status.backoff_until.is_some());
    assert_eq!(state.status.notice, None, "the countdown is the one line");
    update(
        &mut state,
        Msg::PageLoaded {
            generation,
            purpose: Purpose::Show,
            page: 2,
            query: Box::new(query),
            result: Err(ApiError::Server {
                status: 502,
                message: "bad gateway; the upstream did not answer in time".into(),
            }),
        },
    );
    let (_, _, retried, _) = only_fetch(&press(&mut state, KeyCode::Char('r')));
    assert_eq!(
        retried, 2,
        "r asks again for the page that failed, not the one shown"
    );

    press(&mut state, KeyCode::Char('!'));
    assert!(matches!(state.mode, Mode::LastError { .. }));
    assert!(
        state
            .status
            .last_error
            .as_deref()
            .is_some_and(|error| error.contains("did not answer in time")),
        "{:?}",
        state.status.last_error
    );
    press(&mut state, KeyCode::Esc);
    assert!(matches!(state.mode, Mode::Browse));
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
fn the_export_dialog_asks_before_replacing_follows_the_extension_and_remembers() {
    use inbox_tui::app::state::ExportPhase;
    use inbox_tui::export::ExportFormat;
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('e'));
    for _ in 0..2 {
        press(&mut state, KeyCode::Down);
    }
    for character in "out/all.ndjson".chars() {
        press(&mut state, KeyCode::Char(character));
    }
    assert_eq!(
        state.export_dialog().map(|dialog| dialog.format),
        Some(ExportFormat::Ndjson),
        "the extension typed chose the format"
    );
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::StartExport(first)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    assert!(!first.overwrite, "the first attempt never replaces a file");

    // The file exists: the dialog asks, and Enter replaces it.
    update(
        &mut state,
        Msg::ExportWouldOverwrite {
            path: "/data/out/all.ndjson".into(),
        },
    );
    assert!(matches!(
        state.export_dialog().map(|dialog| &dialog.phase),
        Some(ExportPhase::ConfirmOverwrite { .. })
    ));
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::StartExport(second)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    assert!(second.overwrite && second.path == "out/all.ndjson");
    update(
        &mut state,
        Msg::ExportDone(Ok(ExportFinished {
            path: "/data/out/all.ndjson".into(),
            contacts: 50,
            as_of: None,
        })),
    );
    assert!(notice_contains(&state, "to /data/out/all.ndjson"));

    // The next dialog starts from that format and that folder.
    press(&mut state, KeyCode::Char('e'));
    assert_eq!(
        state.export_dialog().map(|dialog| dialog.format),
        Some(ExportFormat::Ndjson)
    );
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::StartExport(third)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    assert_eq!(third.folder.as_deref(), Some("/data/out"));
    assert!(
        third.path.is_empty(),
        "the default name, in the last folder"
    );
}

#[test]
fn live_refresh_rereads_page_one_when_idle_marks_what_is_new_and_keeps_the_cursor() {
    let mut state = browsing();
    state.focus = Focus::List;
    let start = Instant::now();
    let every = Duration::from_secs(10);
    state.refresh_every = Some(every);
    state.next_refresh = Some(start + every);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    let on = state
        .selected_contact()
        .and_then(|c| c.id().map(str::to_owned));
    state.last_key_at = Some(start + Duration::from_secs(9));

    // Due, but a key was just pressed: it waits for the user to be idle.
    let commands = update(&mut state, Msg::Tick { at: start + every });
    assert!(commands.is_empty(), "{commands:?}");
    let later = start + Duration::from_secs(12);
    let commands = update(&mut state, Msg::Tick { at: later });
    let (generation, purpose, page, query) = only_fetch(&commands);
    assert_eq!((purpose, page), (Purpose::Refresh, 1));

    // Page 1 again, with a contact from elsewhere on top: everyone slides down one.
    let mut refreshed = contacts(120..121);
    refreshed.extend(contacts(0..49));
    update(
        &mut state,
        loaded(generation, Purpose::Refresh, 1, &query, refreshed),
    );
    assert_eq!(
        state
            .selected_contact()
            .and_then(|c| c.id().map(str::to_owned)),
        on,
        "the cursor stays on its contact"
    );
    assert_eq!(state.list.selected, 3);
    let new_id = contacts(120..121)[0].id().expect("an id").to_owned();
    assert!(
        state.list.fresh.contains_key(&new_id),
        "the new contact is marked"
    );
    assert_eq!(state.list.fresh.len(), 1, "the others did not change");

    // The mark fades; deeper pages are never refreshed under the user.
    update(
        &mut state,
        Msg::Tick {
            at: later + Duration::from_secs(60),
        },
    );
    assert!(state.list.fresh.is_empty());
    let (generation, purpose, page, query) = only_fetch(&press(&mut state, KeyCode::Char('n')));
    update(
        &mut state,
        loaded(generation, purpose, page, &query, contacts(50..100)),
    );
    let commands = update(
        &mut state,
        Msg::Tick {
            at: later + Duration::from_secs(120),
        },
    );
    assert!(
        !commands.iter().any(|command| matches!(
            command,
            Cmd::FetchPage {
                purpose: Purpose::Refresh,
                ..
            }
        )),
        "page 2 is not refreshed: {commands:?}"
    );
}

fn type_line(state: &mut State, text: &str) -> Vec<Cmd> {
    let mut commands = Vec::new();
    for character in text.chars() {
        commands.extend(press(state, KeyCode::Char(character)));
    }
    commands
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

/// Answers every page fetch in `commands` as a server with `pages` full pages would, and the
/// fetches those answers lead to, until none is asked for; returns the pages fetched.
fn serve_pages(state: &mut State, mut commands: Vec<Cmd>, pages: u32) -> Vec<u32> {
    let mut fetched = Vec::new();
    loop {
        let fetches: Vec<Cmd> = commands
            .into_iter()
            .filter(|command| {
                matches!(
                    command,
                    Cmd::FetchPage {
                        purpose: Purpose::Show,
                        ..
                    }
                )
            })
            .collect();
        let Some(Cmd::FetchPage {
            generation,
            purpose,
            query,
            page,
        }) = fetches.into_iter().next()
        else {
            return fetched;
        };
        fetched.push(page);
        assert!(fetched.len() < 40, "no end to the fetches: {fetched:?}");
        let page_contacts = if page <= pages {
            contacts(0..50)
        } else {
            vec![]
        };
        commands = update(
            state,
            loaded(generation, purpose, page, &query, page_contacts),
        );
    }
}

/// `:page 200` on an inbox of 100 pages lands on page 100 labelled the last, by halving the
/// gap, never on page 199 and never relabelling the page the user was on; `n` there is refused
/// with the right number, and `p` then `n` come back to it.
#[test]
fn paging_past_the_end_finds_the_real_last_page() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char(':'));
    type_line(&mut state, "page 40");
    let commands = press(&mut state, KeyCode::Enter);
    assert_eq!(serve_pages(&mut state, commands, 100), vec![40]);
    assert_eq!((state.list.page, state.list.end), (40, PageEnd::More));

    press(&mut state, KeyCode::Char(':'));
    type_line(&mut state, "page 200");
    let commands = press(&mut state, KeyCode::Enter);
    let fetched = serve_pages(&mut state, commands, 100);
    assert_eq!(fetched.first(), Some(&200));
    assert!(fetched.len() <= 12, "{fetched:?}");
    assert!(!fetched.contains(&199), "{fetched:?}");
    assert_eq!((state.list.page, state.list.end), (100, PageEnd::End));
    let notice = state.status.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("page 200 is past the end") && notice.contains("page 100 is the last"),
        "{notice}"
    );

    assert!(only_fetches(&press(&mut state, KeyCode::Char('n'))).is_empty());
    assert!(notice_contains(&state, "page 100 is the last page"));
    let commands = press(&mut state, KeyCode::Char('p'));
    serve_pages(&mut state, commands, 100);
    assert_eq!((state.list.page, state.list.end), (99, PageEnd::More));
    let commands = press(&mut state, KeyCode::Char('n'));
    serve_pages(&mut state, commands, 100);
    assert_eq!(state.list.page, 100);
}

/// A jump past the end of a one-page inbox comes back to page 1, labelled the last.
#[test]
fn paging_past_the_end_of_one_page_comes_back_to_page_one() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char(':'));
    type_line(&mut state, "page 7");
    let commands = press(&mut state, KeyCode::Enter);
    serve_pages(&mut state, commands, 1);
    assert_eq!((state.list.page, state.list.end), (1, PageEnd::End));
    assert!(notice_contains(&state, "page 1 is the last page"));
}

/// The page fetches among `commands`.
fn only_fetches(commands: &[Cmd]) -> Vec<&Cmd> {
    commands
        .iter()
        .filter(|command| matches!(command, Cmd::FetchPage { .. }))
        .collect()
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

/// Runs one palette line and returns its commands.
fn palette(state: &mut State, line: &str) -> Vec<Cmd> {
    press(state, KeyCode::Char(':'));
    type_line(state, line);
    press(state, KeyCode::Enter)
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

/// A failed live refresh marks the rows stale and says so; the next refresh that succeeds
/// clears both and says refreshing resumed, and refreshing goes on at its pace meanwhile.
#[test]
fn a_failed_live_refresh_marks_the_rows_stale_until_one_succeeds() {
    let mut state = browsing();
    state.focus = Focus::List;
    let start = Instant::now();
    let every = Duration::from_secs(3);
    state.refresh_every = Some(every);
    state.next_refresh = Some(start + every);
    let commands = update(&mut state, Msg::Tick { at: start + every });
    let (generation, purpose, _, query) = only_fetch(&commands);
    update(
        &mut state,
        Msg::PageLoaded {
            generation,
            purpose,
            page: 1,
            query: Box::new(query),
            result: Err(ApiError::Network {
                what: "connection refused".into(),
            }),
        },
    );
    assert!(state.list.stale);
    assert!(notice_contains(&state, "live refresh failed"));

    let commands = update(
        &mut state,
        Msg::Tick {
            at: start + every * 2,
        },
    );
    let (generation, purpose, page, query) = only_fetch(&commands);
    assert_eq!((purpose, page), (Purpose::Refresh, 1), "it keeps trying");
    update(
        &mut state,
        loaded(generation, purpose, page, &query, contacts(0..50)),
    );
    assert!(!state.list.stale);
    assert!(
        !notice_contains(&state, "failed"),
        "{:?}",
        state.status.notice
    );
    assert!(notice_contains(&state, "live refresh resumed"));
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

/// With a local snapshot, `c` and `A` are asked of the snapshot (`CountLocal`,
/// `SelectAllLocal`), never walked; the count comes back exact with the snapshot's time, and
/// the select-all notice names the snapshot and its time. A search text, whose server meaning
/// is unknown, walks the API instead, and offline it is refused with the reason. A background
/// sync that changed contacts asks the snapshot's count again.
#[test]
fn a_snapshot_answers_counts_and_select_all_and_a_search_walks_the_api() {
    use inbox_tui::app::msg::{LocalCount, SnapshotSynced};
    use inbox_tui::app::state::{CountPhase, Facets, LocalSnapshot};
    let as_of: jiff::Timestamp = "2026-12-04T12:03:00Z".parse().expect("a timestamp");
    let mut state = browsing();
    state.snapshot = Some(LocalSnapshot {
        as_of: Some(as_of),
        ..LocalSnapshot::default()
    });
    state.focus = Focus::List;
    let commands = press(&mut state, KeyCode::Char('c'));
    let local_run = commands
        .iter()
        .find_map(|command| match command {
            Cmd::CountLocal { run, query } => Some((*run, (**query).clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the snapshot counts: {commands:?}"));
    assert_eq!(local_run.1, state.query);
    assert!(
        !commands
            .iter()
            .any(|command| matches!(command, Cmd::Count { .. })),
        "no walk: {commands:?}"
    );
    let mut facets = Facets::default();
    for contact in contacts(0..3) {
        facets.add(&contact);
    }
    update(
        &mut state,
        Msg::CountedLocally {
            run: local_run.0,
            at: Instant::now(),
            result: Ok(LocalCount {
                counted: 3,
                facets: Box::new(facets.clone()),
                as_of,
            }),
        },
    );
    let count = state.count.as_ref().expect("counted");
    assert_eq!(
        (count.counted, &count.phase, count.as_of, &count.facets),
        (3, &CountPhase::Exact, Some(as_of), &facets)
    );
    let key = inbox_tui::app::state::PageCache::key(&state.query);
    assert_eq!(state.counts_by_query.get(&key), Some(&(3, true)));

    // A background sync that changed nothing moves the age on; one that changed contacts
    // counts again.
    let later: jiff::Timestamp = "2026-12-04T12:04:00Z".parse().expect("a timestamp");
    let synced = |changed| {
        Msg::SnapshotSynced(Some(Ok(SnapshotSynced {
            as_of: later,
            changed,
            changed_at: None,
            requests: 1,
        })))
    };
    assert!(update(&mut state, synced(0)).is_empty());
    assert_eq!(
        state.count.as_ref().and_then(|count| count.as_of),
        Some(later)
    );
    let commands = update(&mut state, synced(2));
    assert!(
        commands
            .iter()
            .any(|command| matches!(command, Cmd::CountLocal { .. })),
        "{commands:?}"
    );
    assert_eq!(
        state.snapshot.as_ref().and_then(|snapshot| snapshot.as_of),
        Some(later)
    );

    // A: from the snapshot too, and the notice says so.
    let commands = press(&mut state, KeyCode::Char('A'));
    let [Cmd::SelectAllLocal { run, query }] = commands.as_slice() else {
        panic!("the snapshot selects: {commands:?}");
    };
    assert_eq!(**query, state.query);
    let run = *run;
    update(&mut state, done(run, &contacts(0..4)));
    assert_eq!(state.selection.len(), 4);
    assert!(
        notice_contains(&state, "4 counted from the snapshot as of 12:04"),
        "{:?}",
        state.status.notice
    );

    // A search text walks the API.
    state.query.search_text = "ann".into();
    let commands = press(&mut state, KeyCode::Char('c'));
    assert!(
        commands.iter().any(|command| matches!(
            command,
            Cmd::Count {
                max_pages: None,
                ..
            }
        )) && !commands
            .iter()
            .any(|command| matches!(command, Cmd::CountLocal { .. })),
        "{commands:?}"
    );
    press(&mut state, KeyCode::Esc);
    state.selection = Default::default();
    let commands = press(&mut state, KeyCode::Char('A'));
    assert!(
        matches!(commands.as_slice(), [Cmd::SelectAllMatching { .. }]),
        "{commands:?}"
    );
    press(&mut state, KeyCode::Esc);

    // Offline, the same query is refused, saying why; nothing is sent.
    if let Some(snapshot) = state.snapshot.as_mut() {
        snapshot.offline = true;
    }
    state.selection = Default::default();
    state.status.notice = None;
    assert!(press(&mut state, KeyCode::Char('A')).is_empty());
    assert!(
        notice_contains(&state, "offline"),
        "{:?}",
        state.status.notice
    );
    let commands = press(&mut state, KeyCode::Char('c'));
    assert!(
        !commands
            .iter()
            .any(|command| matches!(command, Cmd::Count { .. } | Cmd::CountLocal { .. })),
        "{commands:?}"
    );
    assert!(matches!(
        state.count.as_ref().map(|count| &count.phase),
        Some(CountPhase::Failed(why)) if why.contains("offline") && why.contains("searchText")
    ));
}

/// The snapshot's facets, counted from its stored columns, equal the walk's, counted from the
/// contacts, for the same contacts (the switches aside: the snapshot cannot tell "off" from
/// "not said", so it counts every contact as saying).
#[test]
fn the_snapshot_counts_facets_as_the_walk_does() {
    use inbox_tui::app::state::{Facets, RowFacets};
    use inbox_tui::snapshot::Record;
    let mut walked = Facets::default();
    let mut rows = RowFacets::default();
    for contact in contacts(0..200) {
        walked.add(&contact);
        let json = serde_json::to_string(contact.raw()).expect("JSON");
        let record = Record::from_json(&json).expect("a contact");
        rows.add(&record.view());
    }
    let stored = rows.finish();
    assert_eq!(stored.items, walked.items);
    assert_eq!(stored.channels, walked.channels);
    assert!(
        walked.items.len() > 10,
        "the demo contacts spread over values"
    );
}

/// The browser's count from a snapshot with column blocks (counted by dictionary code) gives
/// the same number and the same facets as the walk's, counted from the contacts; filtered to
/// OPEN, likewise for the OPEN contacts.
#[test]
fn the_browsers_count_from_the_column_blocks_equals_the_walks() {
    use inbox_tui::app::state::Facets;
    use inbox_tui::snapshot::Snapshot;
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("snapshot.sqlite");
    let demo = contacts(0..200);
    let mut snapshot = Snapshot::create(&path).expect("created");
    let mut writer = snapshot.begin(true).expect("begin");
    for contact in &demo {
        let json = serde_json::to_string(contact.raw()).expect("JSON");
        writer.put(&json).expect("stored");
    }
    writer.commit(None).expect("committed");
    drop(snapshot);

    let open = Query {
        status: vec![Status::Open],
        ..Query::default()
    };
    for (query, keep) in [(Query::default(), None), (open, Some("OPEN"))] {
        let mut walked = Facets::default();
        let mut expected = 0;
        for contact in demo
            .iter()
            .filter(|contact| keep.is_none_or(|status| contact.status() == Some(status)))
        {
            walked.add(contact);
            expected += 1;
        }
        let counted = inbox_tui::app::local::count(&path, &query).expect("counted");
        assert_eq!(counted.counted, expected, "{query:?}");
        assert_eq!(counted.facets.items, walked.items, "{query:?}");
        assert_eq!(counted.facets.channels, walked.channels, "{query:?}");
        assert!(
            walked.items.len() > 10,
            "the demo contacts spread over values"
        );
    }
}

/// A background round that synced nothing itself (skipped while another process synced)
/// still asks the snapshot's count again when the snapshot changed after that count was made,
/// and leaves it when it did not.
#[test]
fn a_count_from_the_snapshot_is_asked_again_when_another_process_changed_it() {
    use inbox_tui::app::msg::{LocalCount, SnapshotSynced};
    use inbox_tui::app::state::{Facets, LocalSnapshot};
    let counted_at: jiff::Timestamp = "2026-12-04T12:03:00Z".parse().expect("a timestamp");
    let later: jiff::Timestamp = "2026-12-04T12:05:00Z".parse().expect("a timestamp");
    let mut state = browsing();
    state.snapshot = Some(LocalSnapshot {
        as_of: Some(counted_at),
        ..LocalSnapshot::default()
    });
    state.focus = Focus::List;
    let commands = press(&mut state, KeyCode::Char('c'));
    let run = commands
        .iter()
        .find_map(|command| match command {
            Cmd::CountLocal { run, .. } => Some(*run),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the snapshot counts: {commands:?}"));
    update(
        &mut state,
        Msg::CountedLocally {
            run,
            at: Instant::now(),
            result: Ok(LocalCount {
                counted: 3,
                facets: Box::new(Facets::default()),
                as_of: counted_at,
            }),
        },
    );
    let skipped = |as_of, changed_at| {
        Msg::SnapshotSynced(Some(Ok(SnapshotSynced {
            as_of,
            changed: 0,
            changed_at: Some(changed_at),
            requests: 0,
        })))
    };
    assert!(
        update(&mut state, skipped(later, counted_at)).is_empty(),
        "unchanged since the count"
    );
    let latest: jiff::Timestamp = "2026-12-04T12:07:00Z".parse().expect("a timestamp");
    let commands = update(&mut state, skipped(latest, latest));
    assert!(
        commands
            .iter()
            .any(|command| matches!(command, Cmd::CountLocal { .. })),
        "{commands:?}"
    );
}

/// An export written from the snapshot ends with a notice that says what time the data is:
/// "from the snapshot as of 12:03"; one that walked the API says no time.
#[test]
fn an_export_from_the_snapshot_says_as_of_when_it_ends() {
    let as_of: jiff::Timestamp = "2026-12-04T12:03:00Z".parse().expect("a timestamp");
    let mut state = browsing();
    state.focus = Focus::List;
    for (as_of, expected) in [
        (
            Some(as_of),
            "exported 2 contacts to contacts.csv from the snapshot as of 12:03",
        ),
        (None, "exported 2 contacts to contacts.csv"),
    ] {
        press(&mut state, KeyCode::Char('e'));
        press(&mut state, KeyCode::Enter);
        update(
            &mut state,
            Msg::ExportDone(Ok(ExportFinished {
                path: "contacts.csv".into(),
                contacts: 2,
                as_of,
            })),
        );
        assert_eq!(state.status.notice.as_deref(), Some(expected));
    }
}
