//! Changing the query: the filter panel's items and text fields, clearing, and restoring a
//! saved set of filters.

use super::paging;
use crate::api::Query;
use crate::app::filters::{self, DateField, FilterItem};
use crate::app::keymap::{Action, Layer};
use crate::app::msg::Cmd;
use crate::app::state::{DateInput, Mode, State, TextField, Undo};
use crate::dates::{format_timestamp, parse_when};

/// Sets the filters, the panel's text fields included, without fetching: for a saved view, or
/// the last filters restored at start-up (before `start`).
pub fn restore_filters(state: &mut State, query: Query) {
    state.search = tui_input::Input::new(query.search_text.clone());
    state.search_deadline = None;
    leave_text_field(state);
    for field in DateField::ALL {
        state.dates[field.index()] = DateInput {
            input: tui_input::Input::new(field.bound(&query).to_owned()),
            error: None,
        };
    }
    state.query = query;
}

pub(super) fn activate_item(state: &mut State) -> Vec<Cmd> {
    let Some(item) = state.filter_items().get(state.panel_cursor).cloned() else {
        return vec![];
    };
    match item {
        FilterItem::Search => {
            state.search_origin = None;
            state.mode = Mode::Editing(TextField::Search);
            vec![]
        }
        FilterItem::Date(field) => {
            state.mode = Mode::Editing(TextField::Date(field));
            vec![]
        }
        FilterItem::NewTag => {
            state.mode = Mode::Editing(TextField::NewTag);
            vec![]
        }
        item => {
            filters::toggle(&mut state.query, &item);
            query_changed(state)
        }
    }
}

/// Enter in the tag field: the typed tag becomes a filter (the API matches tags exactly, so it
/// is sent as typed, trimmed), the field empties for the next, and the cursor stays on it.
pub(super) fn apply_new_tag(state: &mut State) -> Vec<Cmd> {
    let tag = state.new_tag.value().trim().to_owned();
    state.new_tag = tui_input::Input::default();
    state.mode = Mode::Browse;
    if tag.is_empty() {
        return vec![];
    }
    if state.query.tags.contains(&tag) {
        state.status.notice = Some(format!(
            "tag {:?} is already a filter",
            crate::text::single_line(&tag)
        ));
        return vec![];
    }
    state.query.tags.push(tag);
    query_changed(state)
}

pub(super) fn apply_search(state: &mut State) -> Vec<Cmd> {
    let text = state.search.value().trim().to_owned();
    if text == state.query.search_text {
        return vec![];
    }
    state.query.search_text = text;
    query_changed(state)
}

/// Applies a typed date bound on Enter; an invalid one keeps the field open with its message.
pub(super) fn apply_date(state: &mut State, field: DateField) -> Vec<Cmd> {
    let text = state.dates[field.index()].input.value().trim().to_owned();
    let bound = if text.is_empty() {
        String::new()
    } else {
        match parse_when(&text, field.range_end(), &state.time_zone) {
            Ok(timestamp) => format_timestamp(timestamp),
            Err(message) => {
                state.dates[field.index()].error = Some(message);
                return vec![];
            }
        }
    };
    let mut candidate = state.query.clone();
    *field.bound_mut(&mut candidate) = bound;
    for (start, end) in [
        (
            &candidate.created_at.start_at,
            &candidate.created_at.ends_at,
        ),
        (
            &candidate.last_seen_at.start_at,
            &candidate.last_seen_at.ends_at,
        ),
    ] {
        if !start.is_empty() && !end.is_empty() && start > end {
            state.dates[field.index()].error =
                Some("the range's start is after its end, so nothing would match".into());
            return vec![];
        }
    }
    state.dates[field.index()].error = None;
    leave_text_field(state);
    if candidate == state.query {
        return vec![];
    }
    state.query = candidate;
    query_changed(state)
}

pub(super) fn clear(state: &mut State) -> Vec<Cmd> {
    state.search.reset();
    state.search_deadline = None;
    leave_text_field(state);
    for date in &mut state.dates {
        date.input.reset();
        date.error = None;
    }
    if state.query == Query::default() {
        state.status.notice = Some("no filters to clear".into());
        return vec![];
    }
    state.undo = Some(Undo::Filters(std::mem::take(&mut state.query)));
    let commands = query_changed(state);
    state.status.notice = Some(format!(
        "filters cleared: {} brings them back",
        state.keymap.first_key(Layer::Global, Action::Undo)
    ));
    commands
}

/// `U`: the filters `x` cleared, or the view `d` deleted, back.
pub(super) fn undo(state: &mut State) -> Vec<Cmd> {
    match state.undo.take() {
        Some(Undo::Filters(query)) => {
            restore_filters(state, query);
            let commands = query_changed(state);
            state.status.notice = Some("filters back".into());
            commands
        }
        Some(Undo::View(view)) => vec![Cmd::SaveView {
            name: view.name,
            query: Box::new(view.query),
        }],
        None => {
            state.status.notice = Some("nothing to undo".into());
            vec![]
        }
    }
}

/// The filters changed: back to page 1 of the new result.
pub(super) fn query_changed(state: &mut State) -> Vec<Cmd> {
    state.status.notice = None;
    let mut commands = super::counts::cancel(state);
    commands.extend(paging::show_page(state, 1));
    commands
}

/// Ends typing in a panel text field, if one was being typed in; an overlay stays open.
fn leave_text_field(state: &mut State) {
    if matches!(state.mode, Mode::Editing(_)) {
        state.mode = Mode::Browse;
    }
}

/// `]` / `[` in the panel: the first item of the next section, or of this one (the previous one
/// when already on its first item).
pub(super) fn jump_section(state: &mut State, step: isize) {
    let starts: Vec<usize> = filters::sections(&state.query, &state.choices)
        .iter()
        .scan(0, |first, section| {
            let start = *first;
            *first += section.items.len();
            Some((start, section.items.is_empty()))
        })
        .filter(|(_, empty)| !empty)
        .map(|(start, _)| start)
        .collect();
    let cursor = state.panel_cursor;
    let target = if step > 0 {
        starts.iter().copied().find(|start| *start > cursor)
    } else {
        starts.iter().rev().copied().find(|start| *start < cursor)
    };
    if let Some(target) = target {
        state.panel_cursor = target;
    }
}
