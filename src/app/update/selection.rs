//! Marking contacts: by hand (one, a range, a page), every contact matching a query
//! (select-all, counted in the background), and clearing.

use std::sync::Arc;

use super::paging;
use crate::api::IdSet;
use crate::api::walk::WalkError;
use crate::app::filters;
use crate::app::keymap::{Action, Layer};
use crate::app::msg::Cmd;
use crate::app::state::{SelectAllRun, State};
use crate::snapshot::LocalQuery;
use crate::text::thousands;

/// Space on a row: marks or unmarks it and moves on, so a run of rows is marked by holding it.
pub(super) fn toggle_row(state: &mut State) -> Vec<Cmd> {
    if paging::rows_are_stale(state) {
        return vec![];
    }
    if let Some(contact) = state.selected_contact().cloned() {
        state.selection.toggle(&contact);
    }
    paging::move_selection(state, 1)
}

/// The first press starts a range at the cursor; the second marks every row between.
pub(super) fn range(state: &mut State) {
    if paging::rows_are_stale(state) {
        return;
    }
    match state.range_anchor.take() {
        None => {
            state.range_anchor = Some(state.list.selected);
            state.status.notice = Some(format!(
                "range started: move, then press {} again to select it",
                state.keymap.first_key(Layer::List, Action::RangeSelect)
            ));
        }
        Some(anchor) => {
            let (first, last) = if anchor <= state.list.selected {
                (anchor, state.list.selected)
            } else {
                (state.list.selected, anchor)
            };
            let page = Arc::clone(&state.list.contacts);
            let added = page
                .iter()
                .skip(first)
                .take(last - first + 1)
                .filter(|contact| state.selection.add(contact))
                .count();
            state.status.notice = Some(format!("{added} contacts added to the selection"));
        }
    }
}

pub(super) fn select_page(state: &mut State) {
    if paging::rows_are_stale(state) {
        return;
    }
    let page = Arc::clone(&state.list.contacts);
    let added = page
        .iter()
        .filter(|contact| state.selection.add(contact))
        .count();
    state.status.notice = Some(format!(
        "{} on this page added to the selection",
        crate::text::count_of(added as u64, "contact", "contacts")
    ));
}

/// Clears the selection, stopping a running select-all.
pub(super) fn clear(state: &mut State) -> Vec<Cmd> {
    let running = state.selection.running().is_some();
    let marked = state.selection.len() as u64;
    state.status.notice = Some(if marked == 0 && !running {
        "nothing was selected".to_owned()
    } else {
        format!(
            "{} unselected",
            crate::text::count_of(marked, "contact", "contacts")
        )
    });
    state.selection.clear();
    state.range_anchor = None;
    if running {
        vec![Cmd::CancelSelectAll]
    } else {
        vec![]
    }
}

/// Stops a running select-all and drops its query, if one runs.
pub(super) fn stop_running(state: &mut State) -> Option<Vec<Cmd>> {
    let run = state.selection.running().map(|set| set.run)?;
    state.selection.drop_running(run);
    state.status.notice =
        Some("select-all stopped; its query was dropped from the selection".into());
    Some(vec![Cmd::CancelSelectAll])
}

/// Records the filters as they are now as a query of the selection and starts counting it.
/// Later filter changes do not touch it. One count runs at a time.
pub(super) fn select_all_matching(state: &mut State) -> Vec<Cmd> {
    let stop = state.keymap.first_key(Layer::Global, Action::Back);
    if let Some(running) = state.selection.running() {
        state.status.notice = Some(format!(
            "already selecting {}: wait for it, or {stop} stops it",
            filters::describe_matching(&running.query, &state.choices)
        ));
        return vec![];
    }
    let described = filters::describe_matching(&state.query, &state.choices);
    if state
        .selection
        .matching()
        .iter()
        .any(|set| set.query == state.query)
    {
        state.status.notice = Some(format!("{described} are already selected"));
        return vec![];
    }
    let local = state
        .snapshot
        .as_ref()
        .map(|snapshot| (snapshot.offline, LocalQuery::new(&state.query).err()));
    if let Some((true, Some(why))) = &local {
        state.status.notice = Some(format!(
            "offline, and the snapshot cannot select {described}: {why}"
        ));
        return vec![];
    }
    state.background_runs = state.background_runs.next();
    state
        .selection
        .start_matching(state.query.clone(), state.background_runs);
    state.status.notice = None;
    let run = state.background_runs;
    let query = Box::new(state.query.clone());
    if let Some((_, None)) = local {
        state.local_select_all = Some(run);
        vec![Cmd::SelectAllLocal { run, query }]
    } else {
        vec![Cmd::SelectAllMatching { run, query }]
    }
}

/// A count finished: keep its ids, or drop its query and say why. A run cancelled before is no
/// longer recorded, so its late result changes nothing.
pub(super) fn on_select_all_done(
    state: &mut State,
    run: SelectAllRun,
    result: Result<IdSet, Arc<WalkError>>,
) {
    let Some(query) = state
        .selection
        .running()
        .filter(|set| set.run == run)
        .map(|set| set.query.clone())
    else {
        return;
    };
    let described = filters::describe_matching(&query, &state.choices);
    let source = match (state.local_select_all.take(), &state.snapshot) {
        (Some(local), Some(snapshot)) if local == run => format!(
            " from the snapshot{}",
            snapshot
                .as_of
                .map(|at| format!(" {}", crate::ui::as_of(at, None, &state.time_zone)))
                .unwrap_or_default()
        ),
        _ => String::new(),
    };
    state.status.notice = Some(match result {
        Ok(ids) if ids.is_empty() => {
            state.selection.drop_running(run);
            format!("{described}: no contact matches, nothing was added")
        }
        Ok(ids) => {
            let counted = ids.len() as u64;
            state.selection.finish_matching(run, ids);
            format!(
                "selected {described}: {} counted{source}, {} selected in all",
                thousands(counted),
                thousands(state.selection.len() as u64)
            )
        }
        Err(error) => {
            state.status.last_error = Some(error.to_string());
            state.selection.drop_running(run);
            format!("selecting {described} failed, so it is not in the selection: {error}")
        }
    });
}
