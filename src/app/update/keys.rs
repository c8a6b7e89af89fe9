//! Key routing: a key goes to the handler of the layer that has the keyboard, looked up in that
//! layer's keys only (and, in a pane, the global ones).

use std::time::Instant;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;

use super::{copy, counts, filters, paging, selection, views, web_panel};
use crate::app::filters::FilterItem;
use crate::app::keymap::{Action, Layer, unless_text};
use crate::app::mode::for_each_overlay;
use crate::app::msg::Cmd;
use crate::app::state::{Focus, Mode, State, TextField};
use crate::dates::parse_when;

pub(super) fn on_tick(state: &mut State, at: Instant) -> Vec<Cmd> {
    if state.is_busy() {
        state.spinner_frame = state.spinner_frame.wrapping_add(1);
    }
    if state.status.backoff_until.is_some_and(|until| at >= until) {
        state.status.backoff_until = None;
    }
    state.list.fresh.retain(|_, until| *until > at);
    let mut commands = paging::maybe_refresh(state, at);
    if let Some(deadline) = state.search_deadline
        && at >= deadline
    {
        state.search_deadline = None;
        commands.extend(filters::apply_search(state));
    }
    commands
}

pub(super) fn on_key(state: &mut State, key: KeyEvent, at: Instant) -> Vec<Cmd> {
    if key.kind == KeyEventKind::Release {
        return vec![];
    }
    // Ctrl-C always quits, whatever has the keyboard and however keys are bound.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.should_quit = true;
        return vec![];
    }
    state.last_key_at = Some(at);
    // The redraw key works whatever has the keyboard: fragments can sit under a dialog too.
    if state.keymap.action_for(Layer::Global, &key) == Some(Action::Redraw) {
        state.repaint = true;
        return vec![];
    }
    let layer = state.layer();
    let action = state.keymap.action_for(layer, &key);
    if let Some(commands) = on_overlay_key(state, key, action) {
        return commands;
    }
    match layer {
        Layer::Text => match state.mode {
            Mode::NamingView(_) => views::on_name_key(state, key, action),
            Mode::Editing(field) => on_text_key(state, field, key, action, at),
            _ => vec![],
        },
        _ => match action {
            Some(action) => on_pane_action(state, action),
            None => vec![],
        },
    }
}

macro_rules! overlay_keys {
    ($(Mode::$mode:ident => Layer::$layer:ident in $module:ident,)*) => {
        /// A key for the overlay that has the keyboard, to its module's `on_key`; `None` when
        /// no overlay is open.
        fn on_overlay_key(
            state: &mut State,
            key: KeyEvent,
            action: Option<Action>,
        ) -> Option<Vec<Cmd>> {
            match state.mode {
                $(Mode::$mode { .. } => Some(super::$module::on_key(state, key, action)),)*
                Mode::Browse | Mode::Editing(_) | Mode::NamingView(_) => None,
            }
        }

        /// A pane's action that opens an overlay, to that overlay's module's `opens`.
        fn open_overlay(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
            $(
                if let Some(commands) = super::$module::opens(state, action) {
                    return Some(commands);
                }
            )*
            None
        }
    };
}
for_each_overlay!(overlay_keys);

/// Keys while a text field of the panel has the keyboard.
fn on_text_key(
    state: &mut State,
    field: TextField,
    key: KeyEvent,
    action: Option<Action>,
    at: Instant,
) -> Vec<Cmd> {
    match unless_text(&key, action) {
        Some(Action::Back) => {
            state.mode = Mode::Browse;
            // Esc from a search started by `/` goes back to where `/` was pressed.
            if let (TextField::Search, Some(origin)) = (field, state.search_origin.take()) {
                state.focus = origin.focus;
                state.panel_hidden = origin.panel_hidden;
                state.panel_cursor = origin.panel_cursor;
            }
            vec![]
        }
        Some(Action::Activate) => match field {
            TextField::Search => {
                state.mode = Mode::Browse;
                state.search_deadline = None;
                // Enter after `/` leaves the keyboard on the filtered list, ready to act.
                if let Some(origin) = state.search_origin.take() {
                    state.focus = Focus::List;
                    state.panel_hidden = origin.panel_hidden;
                }
                filters::apply_search(state)
            }
            TextField::Date(date) => filters::apply_date(state, date),
            TextField::NewTag => filters::apply_new_tag(state),
        },
        Some(action @ (Action::FocusNext | Action::FocusPrev)) => {
            state.mode = Mode::Browse;
            state.search_origin = None;
            on_pane_action(state, action)
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
                        state.search_deadline = Some(at + crate::app::state::SEARCH_DEBOUNCE);
                    }
                }
                TextField::NewTag => {
                    state.new_tag.handle_event(&event);
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
                            parse_when(text, date.range_end(), &state.time_zone).err()
                        };
                    }
                }
            }
            vec![]
        }
    }
}

/// An action of a pane or of the global layer: one that opens an overlay goes to that
/// overlay's `opens`, the others are done here.
fn on_pane_action(state: &mut State, action: Action) -> Vec<Cmd> {
    if let Some(commands) = open_overlay(state, action) {
        return commands;
    }
    match action {
        Action::Quit => {
            state.should_quit = true;
            vec![]
        }
        Action::Redraw => {
            state.repaint = true;
            vec![]
        }
        Action::FocusNext | Action::FocusPrev => {
            let order: &[Focus] = if state.panel_hidden {
                &[Focus::List, Focus::Detail]
            } else {
                &[Focus::Filters, Focus::List, Focus::Detail]
            };
            let current = order
                .iter()
                .position(|focus| *focus == state.focus)
                .unwrap_or(0);
            let step = if action == Action::FocusNext {
                1
            } else {
                order.len() - 1
            };
            state.focus = order[(current + step) % order.len()];
            vec![]
        }
        Action::TogglePanel => {
            state.panel_hidden = !state.panel_hidden;
            if state.panel_hidden && state.focus == Focus::Filters {
                state.focus = Focus::List;
            }
            vec![]
        }
        Action::NextSection => {
            filters::jump_section(state, 1);
            vec![]
        }
        Action::PrevSection => {
            filters::jump_section(state, -1);
            vec![]
        }
        Action::FocusSearch => {
            state.search_origin = Some(crate::app::state::SearchOrigin {
                focus: state.focus,
                panel_hidden: state.panel_hidden,
                panel_cursor: state.panel_cursor,
            });
            state.panel_hidden = false;
            state.focus = Focus::Filters;
            if let Some(index) = state
                .filter_items()
                .iter()
                .position(|item| *item == FilterItem::Search)
            {
                state.panel_cursor = index;
            }
            state.mode = Mode::Editing(TextField::Search);
            vec![]
        }
        Action::ClearFilters => filters::clear(state),
        Action::Refresh => paging::refresh(state),
        Action::NextPage => paging::next_page(state),
        Action::PrevPage => paging::prev_page(state),
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
        Action::Back => back(state),
        Action::MoveDown => paging::move_by(state, 1),
        Action::MoveUp => paging::move_by(state, -1),
        Action::Top => paging::move_by(state, isize::MIN),
        Action::Bottom => paging::move_by(state, isize::MAX),
        Action::Activate | Action::Toggle => match state.focus {
            Focus::Filters => filters::activate_item(state),
            Focus::List if action == Action::Activate => {
                if state.selected_contact().is_some() {
                    state.focus = Focus::Detail;
                }
                vec![]
            }
            Focus::List => selection::toggle_row(state),
            Focus::Detail => vec![],
        },
        Action::RangeSelect => {
            selection::range(state);
            vec![]
        }
        Action::SelectPage => {
            selection::select_page(state);
            vec![]
        }
        Action::SelectAllMatching => selection::select_all_matching(state),
        Action::ClearSelection => selection::clear(state),
        Action::SaveView => {
            state.mode = Mode::NamingView(tui_input::Input::default());
            vec![]
        }
        Action::ApplyView(number) => views::apply_numbered(state, number),
        Action::Copy if state.focus == Focus::Detail => copy::copy_detail_field(state),
        Action::CopySelection => copy::copy_selection(state),
        Action::Open => web_panel::open_in_web_panel(state),
        Action::CountAll => counts::count_all(state),
        Action::Undo => filters::undo(state),
        // The keys of the overlays' own layers do nothing here.
        _ => vec![],
    }
}

/// Esc in a pane: stops a running select-all first; else leaves the detail and the notice.
fn back(state: &mut State) -> Vec<Cmd> {
    if let Some(commands) = selection::stop_running(state) {
        return commands;
    }
    if let Some(commands) = counts::stop_full_count(state) {
        return commands;
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
