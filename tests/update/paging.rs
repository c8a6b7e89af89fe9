//! Pages (`src/app/update/paging.rs`): fetching, caching and prefetching pages, stale and
//! failed loads, finding the last page, and the live refresh of page 1.

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use inbox_tui::api::{ApiError, Page, Status};
use inbox_tui::app::filters::FilterItem;
use inbox_tui::app::{Cmd, Focus, Load, Mode, Msg, PageEnd, Purpose, State, update};

use crate::browser_state::{browsing, demo_contacts as contacts};
use crate::support::{
    focus_item, loaded, notice_contains, only_fetch, only_fetches, press, type_line,
};

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
