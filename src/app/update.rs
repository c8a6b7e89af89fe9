//! The browser's only state transition: `update(&mut State, Msg) -> Vec<Cmd>`. Pure: no I/O, no
//! terminal, and no clock but the instants that arrive in messages, so every behaviour here is
//! unit-tested without a terminal or a server.

use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;

use super::filters::{self, DateField, FilterItem};
use super::keymap::Action;
use super::msg::{Cmd, ExportRequest, Msg, PickList, Purpose};
use super::state::{
    ChoicesError, DateInput, DialogRow, ExportDialog, ExportPhase, ExportScope, FetchedPage, Focus,
    Load, PREFETCH_MARGIN, PageCache, PageEnd, SEARCH_DEBOUNCE, State, TextField, View, ViewsList,
};
use crate::api::{ApiError, Contact, Query, TYPICAL_PAGE_SIZE};
use crate::dates::{format_timestamp, parse_when};
use crate::export::{ExportFormat, IdSet, Scope};
use crate::text::thousands;

/// The commands that open the browser: the first page and the pick-lists.
pub fn start(state: &mut State) -> Vec<Cmd> {
    let mut commands = load_choices(state, &PickList::ALL);
    commands.extend(show_page(state, 1));
    commands
}

/// Applies one message to the state and returns the work it calls for.
pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key { key, at } => on_key(state, key, at),
        Msg::Tick { at } => on_tick(state, at),
        Msg::Scroll { rows } => {
            state.focus = Focus::List;
            move_selection(state, rows as isize)
        }
        Msg::ClickRow { row } => {
            if row < state.list.contacts.len() {
                state.focus = Focus::List;
                select_row(state, row)
            } else {
                vec![]
            }
        }
        Msg::PageLoaded {
            generation,
            purpose,
            page,
            query,
            result,
        } => on_page_loaded(state, generation, purpose, page, &query, result),
        Msg::Retrying {
            generation,
            wait,
            error,
            at,
        } => {
            if generation == state.generation {
                if matches!(error, ApiError::RateLimited { .. }) {
                    state.status.backoff_until = Some(at + wait);
                }
                state.status.notice = Some(format!("retrying: {error}"));
            }
            vec![]
        }
        Msg::SelectAllProgress {
            generation,
            progress,
        } => {
            state.selection.matching_progress(generation, progress);
            vec![]
        }
        Msg::SelectAllDone { generation, result } => {
            on_select_all_done(state, generation, result);
            vec![]
        }
        Msg::ExportProgress(progress) => {
            if let Some(ExportDialog {
                phase:
                    ExportPhase::Running {
                        progress: shown, ..
                    },
                ..
            }) = state.export.as_mut()
            {
                *shown = progress;
            }
            vec![]
        }
        Msg::ExportDone(result) => {
            let Some(dialog) = state.export.as_mut() else {
                return vec![];
            };
            match result {
                Ok((path, count)) => {
                    state.export = None;
                    state.status.notice = Some(format!("exported {count} contacts to {path}"));
                }
                Err(error) => dialog.phase = ExportPhase::Failed(error),
            }
            vec![]
        }
        Msg::ViewsChanged(result) => {
            match result {
                Ok(views) => {
                    state.views = views;
                    if let Some(list) = state.views_list.as_mut() {
                        list.cursor = list.cursor.min(state.views.len().saturating_sub(1));
                    }
                }
                Err(error) => {
                    state.status.notice = Some(format!("could not save the views: {error}"))
                }
            }
            vec![]
        }
        Msg::AgentsLoaded(result) => {
            if let Some(agents) = choices_answered(state, PickList::Agents, result) {
                state.choices.agents = agents;
            }
            vec![]
        }
        Msg::SegmentsLoaded(result) => {
            if let Some(segments) = choices_answered(state, PickList::Segments, result) {
                state.choices.segments = segments;
            }
            vec![]
        }
        Msg::WhatsappBotsLoaded(result) => {
            if let Some(bots) = choices_answered(state, PickList::WhatsappBots, result) {
                state.choices.whatsapp_bots = bots;
            }
            vec![]
        }
    }
}

/// A count finished: keep its ids, or drop its query and say why. A run cancelled before is no
/// longer recorded, so its late result changes nothing.
fn on_select_all_done(state: &mut State, run: u64, result: Result<IdSet, String>) {
    let Some(query) = state
        .selection
        .running()
        .filter(|set| set.run == run)
        .map(|set| set.query.clone())
    else {
        return;
    };
    let described = filters::describe_matching(&query, &state.choices);
    state.status.notice = Some(match result {
        Ok(ids) if ids.is_empty() => {
            state.selection.drop_running(run);
            format!("{described}: no contact matches, nothing was added")
        }
        Ok(ids) => {
            let counted = ids.len() as u64;
            state.selection.finish_matching(run, ids);
            format!(
                "selected {described}: {} counted, {} selected in all",
                thousands(counted),
                thousands(state.selection.len() as u64)
            )
        }
        Err(error) => {
            state.selection.drop_running(run);
            format!("selecting {described} failed, so it is not in the selection: {error}")
        }
    });
}

/// Asks for those of `lists` not already on their way.
fn load_choices(state: &mut State, lists: &[PickList]) -> Vec<Cmd> {
    let wanted: Vec<PickList> = lists
        .iter()
        .copied()
        .filter(|list| state.choices_loading.insert(*list))
        .collect();
    if wanted.is_empty() {
        vec![]
    } else {
        vec![Cmd::LoadChoices(wanted)]
    }
}

/// Pick-lists that failed are asked for again: all of them on `r`, and after a page loads
/// only those that failed for a reason that can pass (a refusal would fail again).
fn retry_failed_choices(state: &mut State, only_transient: bool) -> Vec<Cmd> {
    let failed: Vec<PickList> = state
        .status
        .choices_errors
        .iter()
        .filter(|(_, error)| error.transient || !only_transient)
        .map(|(list, _)| *list)
        .collect();
    load_choices(state, &failed)
}

/// A pick-list answered: its loaded entries, or its error noted until it loads.
fn choices_answered<T>(
    state: &mut State,
    list: PickList,
    result: Result<Vec<T>, ApiError>,
) -> Option<Vec<T>> {
    state.choices_loading.remove(&list);
    match result {
        Ok(entries) => {
            state.status.choices_errors.remove(&list);
            Some(entries)
        }
        Err(error) => {
            state.status.choices_errors.insert(
                list,
                ChoicesError {
                    message: format!("could not load {}: {error}", list.describe()),
                    transient: error.is_retryable(),
                },
            );
            None
        }
    }
}

fn on_tick(state: &mut State, at: Instant) -> Vec<Cmd> {
    if state.is_busy() {
        state.spinner_frame = state.spinner_frame.wrapping_add(1);
    }
    if state.status.backoff_until.is_some_and(|until| at >= until) {
        state.status.backoff_until = None;
    }
    match state.search_deadline {
        Some(deadline) if at >= deadline => {
            state.search_deadline = None;
            apply_search(state)
        }
        _ => vec![],
    }
}

fn on_key(state: &mut State, key: KeyEvent, at: Instant) -> Vec<Cmd> {
    if key.kind == KeyEventKind::Release {
        return vec![];
    }
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.should_quit = true;
        return vec![];
    }
    let action = state.keymap.action_for(&key);
    if state.help_open {
        match action {
            Some(Action::Help | Action::Back | Action::Quit) => state.help_open = false,
            Some(Action::MoveDown) => state.help_scroll = state.help_scroll.saturating_add(1),
            Some(Action::MoveUp) => state.help_scroll = state.help_scroll.saturating_sub(1),
            Some(Action::Top) => state.help_scroll = 0,
            _ => {}
        }
        return vec![];
    }
    if state.export.is_some() {
        return on_export_key(state, key);
    }
    if state.view_name_prompt.is_some() {
        return on_view_name_key(state, key);
    }
    if state.views_list.is_some() {
        return on_views_list_key(state, action);
    }
    if let Some(field) = state.editing {
        return on_text_key(state, field, key, action, at);
    }
    match action {
        Some(action) => on_action(state, action),
        None => vec![],
    }
}

/// The action a key stands for where text is typed: printable characters are text first, so
/// only keys that cannot be text (Esc, Enter, Tab, arrows…) act.
fn text_context_action(key: &KeyEvent, action: Option<Action>) -> Option<Action> {
    let printable = matches!(key.code, KeyCode::Char(_))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    if printable { None } else { action }
}

/// Keys while a text field has the keyboard: printable keys are text first.
fn on_text_key(
    state: &mut State,
    field: TextField,
    key: KeyEvent,
    action: Option<Action>,
    at: Instant,
) -> Vec<Cmd> {
    match text_context_action(&key, action) {
        Some(Action::Back) => {
            state.editing = None;
            vec![]
        }
        Some(Action::Activate) => match field {
            TextField::Search => {
                state.editing = None;
                state.search_deadline = None;
                apply_search(state)
            }
            TextField::Date(date) => apply_date(state, date),
        },
        Some(action @ (Action::FocusNext | Action::FocusPrev)) => {
            state.editing = None;
            on_action(state, action)
        }
        _ => {
            let event = Event::Key(key);
            match field {
                TextField::Search => {
                    if state
                        .search
                        .handle_event(&event)
                        .is_some_and(|change| change.value)
                    {
                        state.search_deadline = Some(at + SEARCH_DEBOUNCE);
                    }
                }
                TextField::Date(date) => {
                    let input = &mut state.dates[date.index()];
                    if input
                        .input
                        .handle_event(&event)
                        .is_some_and(|change| change.value)
                    {
                        let text = input.input.value().trim();
                        input.error = if text.is_empty() {
                            None
                        } else {
                            parse_when(text, date.range_end()).err()
                        };
                    }
                }
            }
            vec![]
        }
    }
}

fn on_action(state: &mut State, action: Action) -> Vec<Cmd> {
    match action {
        Action::Quit => {
            state.should_quit = true;
            vec![]
        }
        Action::Help => {
            state.help_open = true;
            state.help_scroll = 0;
            vec![]
        }
        Action::FocusNext | Action::FocusPrev => {
            let order = [Focus::Filters, Focus::List, Focus::Detail];
            let current = order
                .iter()
                .position(|focus| *focus == state.focus)
                .unwrap_or(1);
            let step = if action == Action::FocusNext {
                1
            } else {
                order.len() - 1
            };
            state.focus = order[(current + step) % order.len()];
            vec![]
        }
        Action::FocusSearch => {
            state.focus = Focus::Filters;
            if let Some(index) = state
                .filter_items()
                .iter()
                .position(|item| *item == FilterItem::Search)
            {
                state.panel_cursor = index;
            }
            state.editing = Some(TextField::Search);
            vec![]
        }
        Action::ClearFilters => clear_filters(state),
        Action::Refresh => {
            state.cache.forget(&PageCache::key(&state.query));
            let mut commands = retry_failed_choices(state, false);
            commands.extend(show_page(state, state.list.page.max(1)));
            commands
        }
        Action::NextPage => next_page(state),
        Action::PrevPage => {
            if state.list.page <= 1 {
                state.status.notice = Some("already on the first page".into());
                vec![]
            } else {
                show_page(state, state.list.page - 1)
            }
        }
        Action::Fullscreen => {
            state.detail.fullscreen = !state.detail.fullscreen;
            if state.detail.fullscreen {
                state.focus = Focus::Detail;
            }
            vec![]
        }
        Action::RawJson => {
            state.detail.raw_json = !state.detail.raw_json;
            state.detail.scroll = 0;
            vec![]
        }
        Action::Back => {
            if let Some(run) = state.selection.running().map(|set| set.run) {
                state.selection.drop_running(run);
                state.status.notice =
                    Some("select-all stopped; its query was dropped from the selection".into());
                return vec![Cmd::CancelSelectAll];
            }
            state.range_anchor = None;
            if state.detail.fullscreen {
                state.detail.fullscreen = false;
                state.focus = Focus::List;
            } else if state.focus == Focus::Detail {
                state.focus = Focus::List;
            }
            state.status.notice = None;
            vec![]
        }
        Action::MoveDown => move_by(state, 1),
        Action::MoveUp => move_by(state, -1),
        Action::Top => move_by(state, isize::MIN),
        Action::Bottom => move_by(state, isize::MAX),
        Action::Activate => match state.focus {
            Focus::Filters => activate_filter_item(state),
            Focus::List => {
                if state.selected_contact().is_some() {
                    state.focus = Focus::Detail;
                }
                vec![]
            }
            Focus::Detail => vec![],
        },
        Action::Toggle => match state.focus {
            Focus::Filters => activate_filter_item(state),
            Focus::List => {
                if let Some(contact) = state.selected_contact().cloned() {
                    state.selection.toggle(&contact);
                }
                move_selection(state, 1)
            }
            Focus::Detail => vec![],
        },
        Action::RangeSelect => {
            match state.range_anchor.take() {
                None => {
                    state.range_anchor = Some(state.list.selected);
                    state.status.notice = Some(format!(
                        "range started: move, then press {} again to select it",
                        state.keymap.first_key(Action::RangeSelect)
                    ));
                }
                Some(anchor) => {
                    let (first, last) = if anchor <= state.list.selected {
                        (anchor, state.list.selected)
                    } else {
                        (state.list.selected, anchor)
                    };
                    let range: Vec<Contact> = state
                        .list
                        .contacts
                        .iter()
                        .skip(first)
                        .take(last - first + 1)
                        .cloned()
                        .collect();
                    let added = range
                        .iter()
                        .filter(|contact| state.selection.add(contact))
                        .count();
                    state.status.notice = Some(format!("{added} contacts added to the selection"));
                }
            }
            vec![]
        }
        Action::SelectPage => {
            let page = Arc::clone(&state.list.contacts);
            let added = page
                .iter()
                .filter(|contact| state.selection.add(contact))
                .count();
            state.status.notice = Some(format!(
                "{added} contacts on this page added to the selection"
            ));
            vec![]
        }
        Action::SelectAllMatching => select_all_matching(state),
        Action::ClearSelection => {
            let running = state.selection.running().is_some();
            state.status.notice = Some(format!(
                "{} contacts unselected",
                thousands(state.selection.len() as u64)
            ));
            state.selection.clear();
            state.range_anchor = None;
            if running {
                vec![Cmd::CancelSelectAll]
            } else {
                vec![]
            }
        }
        Action::Export => {
            let scope = if state.selection.is_empty() {
                ExportScope::Matching
            } else {
                ExportScope::Selection
            };
            state.export = Some(ExportDialog {
                scope,
                format: ExportFormat::Csv,
                csv: state.csv_defaults,
                path: tui_input::Input::default(),
                row: DialogRow::Scope,
                phase: ExportPhase::Editing,
            });
            vec![]
        }
        Action::PrevChoice | Action::NextChoice | Action::DeleteView => vec![],
        Action::SaveView => {
            state.view_name_prompt = Some(tui_input::Input::default());
            vec![]
        }
        Action::ShowViews => {
            state.views_list = Some(ViewsList { cursor: 0 });
            vec![]
        }
        Action::ApplyView(number) => match state.views.get(usize::from(number).saturating_sub(1)) {
            Some(view) => {
                let view = view.clone();
                apply_view(state, &view)
            }
            None => {
                state.status.notice = Some(format!(
                    "no saved view {number}: save the filters with {}",
                    state.keymap.first_key(Action::SaveView)
                ));
                vec![]
            }
        },
    }
}

/// Records the filters as they are now as a query of the selection and starts counting it.
/// Later filter changes do not touch it. One count runs at a time.
fn select_all_matching(state: &mut State) -> Vec<Cmd> {
    let stop = state.keymap.first_key(Action::Back);
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
    state.background_runs += 1;
    state
        .selection
        .start_matching(state.query.clone(), state.background_runs);
    state.status.notice = None;
    vec![Cmd::SelectAllMatching {
        generation: state.background_runs,
        query: Box::new(state.query.clone()),
    }]
}

/// Keys while the "save view as" prompt is open.
fn on_view_name_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let action = text_context_action(&key, state.keymap.action_for(&key));
    let Some(input) = state.view_name_prompt.as_mut() else {
        return vec![];
    };
    match action {
        Some(Action::Back) => {
            state.view_name_prompt = None;
            vec![]
        }
        Some(Action::Activate) => {
            let name = crate::text::single_line(input.value());
            if name.is_empty() {
                return vec![];
            }
            state.view_name_prompt = None;
            state.status.notice = Some(format!("saved view {name:?}"));
            vec![Cmd::SaveView {
                name,
                query: Box::new(state.query.clone()),
            }]
        }
        _ => {
            input.handle_event(&Event::Key(key));
            vec![]
        }
    }
}

/// Keys while the saved-views list is open: move, apply, delete, close.
fn on_views_list_key(state: &mut State, action: Option<Action>) -> Vec<Cmd> {
    let Some(list) = state.views_list.as_mut() else {
        return vec![];
    };
    let last = state.views.len().saturating_sub(1);
    match action {
        Some(Action::Back | Action::ShowViews | Action::Quit) => {
            state.views_list = None;
            vec![]
        }
        Some(Action::DeleteView) => match state.views.get(list.cursor) {
            Some(view) => {
                let name = view.name.clone();
                state.status.notice = Some(format!("deleted view {name:?}"));
                vec![Cmd::DeleteView { name }]
            }
            None => vec![],
        },
        Some(Action::MoveDown) => {
            list.cursor = offset(list.cursor, 1, last);
            vec![]
        }
        Some(Action::MoveUp) => {
            list.cursor = offset(list.cursor, -1, last);
            vec![]
        }
        Some(Action::ApplyView(number)) => {
            state.views_list = None;
            on_action(state, Action::ApplyView(number))
        }
        Some(Action::Activate | Action::Toggle) => match state.views.get(list.cursor) {
            Some(view) => {
                let view = view.clone();
                state.views_list = None;
                apply_view(state, &view)
            }
            None => vec![],
        },
        _ => vec![],
    }
}

/// Replaces the filters with a saved view's and shows its first page.
fn apply_view(state: &mut State, view: &View) -> Vec<Cmd> {
    let changed = state.query != view.query;
    restore_filters(state, view.query.clone());
    let commands = if changed {
        query_changed(state)
    } else {
        vec![]
    };
    state.status.notice = Some(format!("view {:?}", view.name));
    commands
}

/// Sets the filters, the panel's text fields included, without fetching: for a saved view, or
/// the last filters restored at start-up (before `start`).
pub fn restore_filters(state: &mut State, query: Query) {
    state.search = tui_input::Input::new(query.search_text.clone());
    state.search_deadline = None;
    state.editing = None;
    for field in DateField::ALL {
        state.dates[field.index()] = DateInput {
            input: tui_input::Input::new(field.bound(&query).to_owned()),
            error: None,
        };
    }
    state.query = query;
}

/// Keys while the export dialog is open: it has the keyboard until closed. On the path row,
/// printable keys are text.
fn on_export_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let action = state.keymap.action_for(&key);
    let Some(dialog) = state.export.as_mut() else {
        return vec![];
    };
    if let ExportPhase::Running { .. } = dialog.phase {
        if action == Some(Action::Back) {
            state.export = None;
            state.status.notice = Some("export cancelled; nothing was written".into());
            return vec![Cmd::CancelExport];
        }
        return vec![];
    }
    let on_path = dialog.row == DialogRow::Path;
    let action = if on_path {
        text_context_action(&key, action)
    } else {
        action
    };
    let rows = dialog.rows();
    let row_index = rows.iter().position(|row| *row == dialog.row).unwrap_or(0);
    match action {
        Some(Action::Back) => {
            state.export = None;
            vec![]
        }
        Some(Action::Activate) => start_export(state),
        Some(Action::FocusNext | Action::MoveDown) => {
            dialog.row = rows[(row_index + 1) % rows.len()];
            vec![]
        }
        Some(Action::FocusPrev | Action::MoveUp) => {
            dialog.row = rows[(row_index + rows.len() - 1) % rows.len()];
            vec![]
        }
        Some(choice @ (Action::PrevChoice | Action::NextChoice | Action::Toggle)) if !on_path => {
            let step: isize = if choice == Action::PrevChoice { -1 } else { 1 };
            dialog.phase = ExportPhase::Editing;
            if dialog.row == DialogRow::Scope {
                dialog.scope = cycle(&ExportScope::ALL, dialog.scope, step);
            } else if dialog.row == DialogRow::Cells {
                dialog.csv.raw = !dialog.csv.raw;
            } else {
                let previous = dialog.format;
                dialog.format = cycle(&ExportFormat::ALL, dialog.format, step);
                let path = dialog.path.value();
                if let Some(stem) = path.strip_suffix(&format!(".{}", previous.extension())) {
                    let renamed = format!("{stem}.{}", dialog.format.extension());
                    dialog.path = tui_input::Input::new(renamed);
                }
            }
            vec![]
        }
        _ if on_path => {
            dialog.phase = ExportPhase::Editing;
            dialog.path.handle_event(&Event::Key(key));
            vec![]
        }
        _ => vec![],
    }
}

/// The value after `current` in `values`, `step` places on, wrapping around.
fn cycle<T: Copy + PartialEq>(values: &[T], current: T, step: isize) -> T {
    let position = values
        .iter()
        .position(|value| *value == current)
        .unwrap_or(0);
    let next = (position as isize + step).rem_euclid(values.len() as isize) as usize;
    values[next]
}

/// Starts the export the dialog describes, or says in the dialog why it cannot.
fn start_export(state: &mut State) -> Vec<Cmd> {
    let Some(dialog) = state.export.as_mut() else {
        return vec![];
    };
    let path = dialog.path.value().trim().to_owned();
    if path == "-" {
        dialog.phase = ExportPhase::Failed(
            "the browser cannot write to standard output; give a file path \
             (inbox-tui export --output - can)"
                .into(),
        );
        return vec![];
    }
    let (scope, total) = match dialog.scope {
        ExportScope::Selection if state.selection.is_empty() => {
            dialog.phase = ExportPhase::Failed(format!(
                "nothing is selected: mark rows with {} first, or export another scope",
                state.keymap.first_key(Action::Toggle)
            ));
            return vec![];
        }
        ExportScope::Selection => (
            Scope::Selection(state.selection.to_export()),
            Some(state.selection.len()),
        ),
        ExportScope::Page => (
            Scope::Contacts(state.list.contacts.to_vec()),
            Some(state.list.contacts.len()),
        ),
        ExportScope::Matching => (Scope::Matching, None),
    };
    dialog.phase = ExportPhase::Running {
        progress: Default::default(),
        total,
    };
    let agent_names = state
        .choices
        .agents
        .iter()
        .map(|agent| (agent.id.clone(), agent.name.clone()))
        .collect();
    vec![Cmd::StartExport(Box::new(ExportRequest {
        query: state.query.clone(),
        scope,
        format: dialog.format,
        path,
        agent_names,
        csv: dialog.csv,
    }))]
}

/// Moves whatever the focused pane moves: the panel cursor, the list selection, or the detail
/// scroll. `isize::MIN` / `isize::MAX` mean top / bottom.
fn move_by(state: &mut State, delta: isize) -> Vec<Cmd> {
    match state.focus {
        Focus::Filters => {
            let last = state.filter_items().len().saturating_sub(1);
            state.panel_cursor = offset(state.panel_cursor, delta, last);
            vec![]
        }
        Focus::List => move_selection(state, delta),
        Focus::Detail => {
            state.detail.scroll = match delta {
                isize::MIN => 0,
                isize::MAX => u16::MAX,
                _ => offset(
                    usize::from(state.detail.scroll),
                    delta,
                    usize::from(u16::MAX),
                )
                .try_into()
                .unwrap_or(u16::MAX),
            };
            vec![]
        }
    }
}

fn move_selection(state: &mut State, delta: isize) -> Vec<Cmd> {
    let last = state.list.contacts.len().saturating_sub(1);
    let row = offset(state.list.selected, delta, last);
    select_row(state, row)
}

fn select_row(state: &mut State, row: usize) -> Vec<Cmd> {
    if row != state.list.selected {
        state.list.selected = row;
        state.detail.scroll = 0;
    }
    maybe_prefetch(state)
}

/// `position + delta`, kept within `0..=last`.
fn offset(position: usize, delta: isize, last: usize) -> usize {
    position.saturating_add_signed(delta).min(last)
}

fn activate_filter_item(state: &mut State) -> Vec<Cmd> {
    let Some(item) = state.filter_items().get(state.panel_cursor).cloned() else {
        return vec![];
    };
    match item {
        FilterItem::Search => {
            state.editing = Some(TextField::Search);
            vec![]
        }
        FilterItem::Date(field) => {
            state.editing = Some(TextField::Date(field));
            vec![]
        }
        item => {
            filters::toggle(&mut state.query, &item);
            query_changed(state)
        }
    }
}

fn apply_search(state: &mut State) -> Vec<Cmd> {
    let text = state.search.value().trim().to_owned();
    if text == state.query.search_text {
        return vec![];
    }
    state.query.search_text = text;
    query_changed(state)
}

/// Applies a typed date bound on Enter; an invalid one keeps the field open with its message.
fn apply_date(state: &mut State, field: DateField) -> Vec<Cmd> {
    let text = state.dates[field.index()].input.value().trim().to_owned();
    let bound = if text.is_empty() {
        String::new()
    } else {
        match parse_when(&text, field.range_end()) {
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
    state.editing = None;
    if candidate == state.query {
        return vec![];
    }
    state.query = candidate;
    query_changed(state)
}

fn clear_filters(state: &mut State) -> Vec<Cmd> {
    state.search.reset();
    state.search_deadline = None;
    state.editing = None;
    for date in &mut state.dates {
        date.input.reset();
        date.error = None;
    }
    if state.query == Query::default() {
        state.status.notice = Some("no filters to clear".into());
        return vec![];
    }
    state.query = Query::default();
    query_changed(state)
}

/// The filters changed: back to page 1 of the new result.
fn query_changed(state: &mut State) -> Vec<Cmd> {
    state.status.notice = None;
    show_page(state, 1)
}

fn next_page(state: &mut State) -> Vec<Cmd> {
    if matches!(state.list.load, Load::Loading { .. }) {
        return vec![];
    }
    if state.list.end == PageEnd::End {
        state.status.notice = Some(format!("page {} is the last page", state.list.page));
        return vec![];
    }
    show_page(state, state.list.page + 1)
}

/// Shows `page` of the current query: at once from the cache, else by a fetch that supersedes
/// every earlier one.
fn show_page(state: &mut State, page: u32) -> Vec<Cmd> {
    state.generation += 1;
    state.prefetching = None;
    state.status.backoff_until = None;
    if let Some(fetched) = state.cache.get(&PageCache::key(&state.query), page) {
        apply_page(state, page, fetched);
        return maybe_prefetch(state);
    }
    state.list.load = Load::Loading { page };
    vec![Cmd::FetchPage {
        generation: state.generation,
        purpose: Purpose::Show,
        query: Box::new(state.query.clone()),
        page,
    }]
}

fn on_page_loaded(
    state: &mut State,
    generation: u64,
    purpose: Purpose,
    page: u32,
    query: &Query,
    result: Result<crate::api::Page, ApiError>,
) -> Vec<Cmd> {
    if generation != state.generation {
        return vec![];
    }
    match purpose {
        Purpose::Prefetch => {
            state.prefetching = None;
            if let Ok(fetched) = result {
                state.choices.learn_from(&fetched.contacts);
                state
                    .cache
                    .insert(PageCache::key(query), page, FetchedPage::from(fetched));
            }
            vec![]
        }
        Purpose::Show => {
            state.status.backoff_until = None;
            match result {
                Ok(fetched) => {
                    state.status.latency = Some(fetched.elapsed);
                    state.status.notice = None;
                    state.choices.learn_from(&fetched.contacts);
                    let fetched = FetchedPage::from(fetched);
                    state
                        .cache
                        .insert(PageCache::key(query), page, fetched.clone());
                    apply_page(state, page, fetched);
                    let mut commands = retry_failed_choices(state, true);
                    commands.extend(maybe_prefetch(state));
                    commands
                }
                Err(error) => {
                    state.status.notice = None;
                    state.list.load = Load::Failed { error };
                    vec![]
                }
            }
        }
    }
}

/// Puts a fetched or cached page on screen. An empty page after page 1 means the previous page
/// was the last, so the list stays where it is. The selection follows the selected contact when
/// it is on the new page (a refresh), else goes to the top. Contacts that could not be read
/// are said in the status line.
fn apply_page(state: &mut State, page: u32, fetched: FetchedPage) {
    let FetchedPage {
        contacts,
        unreadable,
    } = fetched;
    state.list.load = Load::Idle;
    state.range_anchor = None;
    if unreadable > 0 {
        state.status.notice = Some(format!(
            "{unreadable} contacts on page {page} could not be read (broken text) and are not shown"
        ));
    }
    if contacts.is_empty() && unreadable == 0 && page > 1 {
        state.list.end = PageEnd::End;
        state.status.notice = Some(format!("page {} is the last page", page - 1));
        return;
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
        state.detail.scroll = 0;
    }
    state.list.end = if contacts.len() + unreadable < TYPICAL_PAGE_SIZE {
        PageEnd::End
    } else {
        PageEnd::More
    };
    state.list.page = page;
    state.list.contacts = contacts;
}

/// Fetches the next page ahead of time once the cursor nears the bottom, so `n` is instant.
fn maybe_prefetch(state: &mut State) -> Vec<Cmd> {
    let list = &state.list;
    let near_bottom = list.selected + PREFETCH_MARGIN >= list.contacts.len();
    if list.page == 0 || list.end == PageEnd::End || list.load != Load::Idle || !near_bottom {
        return vec![];
    }
    let next = list.page + 1;
    if state.prefetching == Some(next) || state.cache.contains(&PageCache::key(&state.query), next)
    {
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
