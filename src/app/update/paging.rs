//! Pages and cursors: fetching and showing pages, prefetching the next, moving the list cursor
//! and the panel cursor (the detail's cursor is `detail.rs`'s).

use super::cursor::offset;
use super::{choices, detail};
use crate::api::{ApiError, Query, TYPICAL_PAGE_SIZE};
use std::time::{Duration, Instant};

use crate::app::msg::{Cmd, Purpose};
use crate::app::state::{
    FetchGeneration, FetchedPage, Focus, LastPageSeek, Load, Mode, PREFETCH_MARGIN, PageEnd,
    ScrollLimits, State,
};

pub(super) fn next_page(state: &mut State) -> Vec<Cmd> {
    // While a page loads, a key counts from the page on its way: `n n n` lands three pages on.
    if let Load::Loading { page } = state.list.load {
        return show_page(state, page + 1);
    }
    if state.list.end == PageEnd::End {
        state.status.notice = Some(format!("page {} is the last page", state.list.page));
        return vec![];
    }
    show_page(state, state.list.page + 1)
}

pub(super) fn prev_page(state: &mut State) -> Vec<Cmd> {
    let from = match state.list.load {
        Load::Loading { page } => page,
        _ => state.list.page,
    };
    if from <= 1 {
        state.status.notice = Some("already on the first page".into());
        vec![]
    } else {
        show_page(state, from - 1)
    }
}

/// `r`: the page that failed, if the last fetch failed, else the page shown, fresh from the
/// server.
pub(super) fn refresh(state: &mut State) -> Vec<Cmd> {
    state.cache.forget(&state.query.key());
    let page = match state.list.load {
        Load::Failed { page, .. } | Load::Loading { page } => page,
        Load::Idle => state.list.page.max(1),
    };
    let mut commands = choices::retry_failed(state, false);
    commands.extend(show_page(state, page));
    commands
}

/// Whether the rows shown are an old page while another loads: they cannot be marked or
/// exported as "this page" then. Says so when they are.
pub(super) fn rows_are_stale(state: &mut State) -> bool {
    match state.list.load {
        Load::Loading { page } if state.list.page != page => {
            state.status.notice = Some(format!("page {page} is loading: wait for it"));
            true
        }
        _ => false,
    }
}

/// Shows `page` of the current query: at once from the cache, else by a fetch that supersedes
/// every earlier one.
pub(super) fn show_page(state: &mut State, page: u32) -> Vec<Cmd> {
    show(state, page, None)
}

/// As `show_page`, on behalf of a search for the last page (`None`: a page the user asked for,
/// which ends any search).
fn show(state: &mut State, page: u32, seek: Option<LastPageSeek>) -> Vec<Cmd> {
    state.seek = seek;
    state.generation = state.generation.next();
    state.prefetching = None;
    state.status.backoff_until = None;
    if let Some(fetched) = state.cache.get(&state.query.key(), page) {
        let mut commands = apply_page(state, page, fetched);
        commands.extend(maybe_prefetch(state));
        if page == 1 {
            commands.extend(super::counts::start_automatic(state));
        }
        return commands;
    }
    state.list.load = Load::Loading { page };
    vec![Cmd::FetchPage {
        generation: state.generation,
        purpose: Purpose::Show,
        query: Box::new(state.query.clone()),
        page,
    }]
}

pub(super) fn on_page_loaded(
    state: &mut State,
    generation: FetchGeneration,
    purpose: Purpose,
    page: u32,
    query: &Query,
    result: Result<crate::api::Page, ApiError>,
) -> Vec<Cmd> {
    if generation != state.generation {
        return vec![];
    }
    match purpose {
        Purpose::Refresh => {
            on_refreshed(state, query, result);
            vec![]
        }
        Purpose::Prefetch => {
            state.prefetching = None;
            if let Ok(fetched) = result {
                state.choices.learn_from(&fetched.contacts);
                state
                    .cache
                    .insert(query.key(), page, FetchedPage::from(fetched));
            }
            vec![]
        }
        Purpose::Show => {
            state.status.backoff_until = None;
            match result {
                Ok(fetched) => {
                    state.status.latency = Some(fetched.elapsed);
                    if !std::mem::take(&mut state.status.notice_outlives_next_page) {
                        state.status.notice = None;
                    }
                    state.list.stale = false;
                    state.choices.learn_from(&fetched.contacts);
                    let fetched = FetchedPage::from(fetched);
                    state.cache.insert(query.key(), page, fetched.clone());
                    let mut commands = apply_page(state, page, fetched);
                    commands.extend(choices::retry_failed(state, true));
                    commands.extend(maybe_prefetch(state));
                    // Once the filters have settled on a page, how many match.
                    if page == 1 {
                        commands.extend(super::counts::start_automatic(state));
                    }
                    commands
                }
                Err(error) => {
                    state.seek = None;
                    state.status.notice = None;
                    state.status.last_error = Some(error.to_string());
                    state.list.load = Load::Failed { page, error };
                    vec![]
                }
            }
        }
    }
}

/// Puts a fetched or cached page on screen. An empty page after page 1 means the page before
/// it was the last: the list stays where it is when that is the page shown, else the last page
/// is looked for (`seek_last_page`). The selection follows the selected contact when it is on
/// the new page (a refresh), else goes to the top. Values that are not contacts are said in the
/// status line.
fn apply_page(state: &mut State, page: u32, fetched: FetchedPage) -> Vec<Cmd> {
    let FetchedPage {
        contacts,
        unreadable,
    } = fetched;
    state.list.load = Load::Idle;
    state.range_anchor = None;
    if unreadable > 0 {
        state.status.notice = Some(format!(
            "{unreadable} values on page {page} are not contacts and are not shown; the log names \
             them"
        ));
    }
    if contacts.is_empty() && unreadable == 0 && page > 1 {
        return past_the_end(state, page);
    }
    let selected_id = state
        .selected_contact()
        .and_then(|contact| contact.id().map(str::to_owned));
    let follow = selected_id.and_then(|id| {
        contacts
            .iter()
            .position(|contact| contact.id() == Some(id.as_str()))
    });
    state.list.selected = follow.unwrap_or(0);
    if follow.is_none() {
        detail::reset(state);
    }
    state.list.end = if contacts.len() + unreadable < TYPICAL_PAGE_SIZE {
        PageEnd::End
    } else {
        PageEnd::More
    };
    state.list.page = page;
    state.list.contacts = contacts;
    match state.seek.take() {
        Some(seek) => seek_last_page(
            state,
            LastPageSeek {
                found: page,
                ..seek
            },
        ),
        None => vec![],
    }
}

/// `page` came back empty. When it is the page after the one shown, the page shown is the
/// last; after a jump, the last page is somewhere between, and is looked for.
fn past_the_end(state: &mut State, page: u32) -> Vec<Cmd> {
    let shown = state.list.page;
    let seek = state.seek.take().unwrap_or(LastPageSeek {
        asked: page,
        found: if shown < page { shown } else { 0 },
        empty: page,
    });
    if seek.asked == page && shown + 1 == page {
        state.list.end = PageEnd::End;
        state.status.notice = Some(format!("page {shown} is the last page"));
        return vec![];
    }
    seek_last_page(
        state,
        LastPageSeek {
            empty: page,
            ..seek
        },
    )
}

/// One step of the search for the last page: done when the page found, which is the page
/// shown, is the last (short, or the page after it is empty), else the page halfway to the
/// empty one is fetched.
fn seek_last_page(state: &mut State, seek: LastPageSeek) -> Vec<Cmd> {
    let found = seek.found;
    if found > 0 && (state.list.end == PageEnd::End || seek.empty == found + 1) {
        state.list.end = PageEnd::End;
        state.status.notice = Some(format!(
            "page {} is past the end: page {found} is the last page",
            seek.asked
        ));
        return vec![];
    }
    let next = (found + (seek.empty - found) / 2).max(1);
    state.status.notice = Some(format!(
        "page {} is past the end: looking for the last page (trying {next})",
        seek.asked
    ));
    show(state, next, Some(seek))
}

/// Fetches the next page ahead of time once the cursor nears the bottom, so `n` is instant.
fn maybe_prefetch(state: &mut State) -> Vec<Cmd> {
    let list = &state.list;
    let near_bottom = list.selected + PREFETCH_MARGIN >= list.contacts.len();
    if list.page == 0 || list.end == PageEnd::End || list.load != Load::Idle || !near_bottom {
        return vec![];
    }
    let next = list.page + 1;
    if state.prefetching == Some(next) || state.cache.contains(&state.query.key(), next) {
        return vec![];
    }
    state.prefetching = Some(next);
    vec![Cmd::FetchPage {
        generation: state.generation,
        purpose: Purpose::Prefetch,
        query: Box::new(state.query.clone()),
        page: next,
    }]
}

/// Moves whatever the focused pane moves: the panel cursor, the list selection, or the detail
/// scroll. `isize::MIN` / `isize::MAX` mean top / bottom.
pub(super) fn move_by(state: &mut State, delta: isize) -> Vec<Cmd> {
    match state.focus {
        Focus::Filters => {
            let last = state.filter_items().len().saturating_sub(1);
            state.panel_cursor = offset(state.panel_cursor, delta, last);
            vec![]
        }
        Focus::List => move_selection(state, delta),
        Focus::Detail => {
            detail::move_cursor(state, delta);
            vec![]
        }
    }
}

pub(super) fn move_selection(state: &mut State, delta: isize) -> Vec<Cmd> {
    let last = state.list.contacts.len().saturating_sub(1);
    let row = offset(state.list.selected, delta, last);
    select_row(state, row)
}

pub(super) fn select_row(state: &mut State, row: usize) -> Vec<Cmd> {
    if row != state.list.selected {
        state.list.selected = row;
        detail::reset(state);
    }
    maybe_prefetch(state)
}

/// The layout changed what the detail and the help can scroll: keep both within their
/// content, so "up" after "bottom" moves at once.
pub(super) fn on_layout(state: &mut State, limits: ScrollLimits) {
    state.detail.scroll = state.detail.scroll.min(limits.detail);
    if let Mode::Help { scroll } = &mut state.mode {
        *scroll = (*scroll).min(limits.help);
    }
    state.limits = limits;
    detail::follow_cursor(state);
}

/// How long the user must leave the keys alone before page 1 is refreshed under them.
const IDLE_BEFORE_REFRESH: Duration = Duration::from_secs(2);
/// How long a contact a refresh brought (new, or with a newer message) stays marked.
pub const FRESH_FOR: Duration = Duration::from_secs(30);

/// Live refresh, when due: page 1 is read again if it is the page shown, nothing else is
/// loading, no overlay is open and the user has been idle a moment. Deeper pages are never
/// refreshed under the user: everything on them shifts with each new message.
pub(super) fn maybe_refresh(state: &mut State, at: Instant) -> Vec<Cmd> {
    let (Some(every), Some(due)) = (state.refresh_every, state.next_refresh) else {
        return vec![];
    };
    if at < due {
        return vec![];
    }
    let idle = state
        .last_key_at
        .is_none_or(|key| at.saturating_duration_since(key) >= IDLE_BEFORE_REFRESH);
    let shown = state.list.page == 1 && state.list.load == Load::Idle;
    if shown && !idle {
        state.next_refresh = Some(at + IDLE_BEFORE_REFRESH);
        return vec![];
    }
    state.next_refresh = Some(at + every);
    if !shown || !matches!(state.mode, Mode::Browse | Mode::Editing(_)) {
        return vec![];
    }
    state.refresh_sent_at = Some(at);
    vec![Cmd::FetchPage {
        generation: state.generation,
        purpose: Purpose::Refresh,
        query: Box::new(state.query.clone()),
        page: 1,
    }]
}

/// A live refresh answered: page 1 is replaced if it is still the page shown, the cursor stays
/// on its contact, and contacts that are new on it or have a newer message are marked. A
/// failed refresh only says so; the page shown stays.
fn on_refreshed(state: &mut State, query: &Query, result: Result<crate::api::Page, ApiError>) {
    if state.list.page != 1 || state.list.load != Load::Idle || *query != state.query {
        return;
    }
    let fetched = match result {
        Ok(fetched) => FetchedPage::from(fetched),
        Err(error) => {
            state.list.stale = true;
            state.status.notice = Some(format!(
                "live refresh failed, the rows may be out of date (retrying): {error}"
            ));
            return;
        }
    };
    let recovered = std::mem::take(&mut state.list.stale);
    let before: std::collections::HashMap<&str, Option<&str>> = state
        .list
        .contacts
        .iter()
        .filter_map(|contact| {
            contact
                .id()
                .map(|id| (id, contact.last_message().and_then(|message| message.at)))
        })
        .collect();
    // `update` reads no clock: the marks last from when the refresh was asked for.
    let until = state.refresh_sent_at.map(|sent| sent + FRESH_FOR);
    let fresh: Vec<String> = fetched
        .contacts
        .iter()
        .filter_map(|contact| {
            let id = contact.id()?;
            let at = contact.last_message().and_then(|message| message.at);
            (before.get(id) != Some(&at)).then(|| id.to_owned())
        })
        .collect();
    let first_load = before.is_empty();
    state.choices.learn_from(&fetched.contacts);
    state.cache.insert(query.key(), 1, fetched.clone());
    let detail = (state.detail.scroll, state.detail.cursor);
    let selected_id = state
        .selected_contact()
        .and_then(|contact| contact.id().map(str::to_owned));
    // The failure's notice goes once refreshing works again; any other notice stays.
    let notice = state
        .status
        .notice
        .take()
        .filter(|notice| !(recovered && notice.starts_with("live refresh failed")));
    apply_page(state, 1, fetched);
    state.status.notice = notice.or_else(|| recovered.then(|| "live refresh resumed".to_owned()));
    if state.selected_contact().and_then(|contact| contact.id()) == selected_id.as_deref() {
        (state.detail.scroll, state.detail.cursor) = detail;
    }
    if let Some(until) = until.filter(|_| !first_load) {
        for id in fresh {
            state.list.fresh.insert(id, until);
        }
    }
}
