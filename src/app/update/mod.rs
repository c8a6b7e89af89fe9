//! The browser's only state transition: `update(&mut State, Msg) -> Vec<Cmd>`. Pure: no I/O, no
//! terminal, and no clock but the instants that arrive in messages, so every behaviour here is
//! unit-tested without a terminal or a server.
//!
//! One module per concern: `keys` sends a key to the handler of the layer that has the keyboard
//! (see `State::layer`); `paging` shows pages and moves the list and panel cursors; `detail`
//! moves the detail's field cursor; `filters` changes the query; `selection` marks contacts and
//! runs select-all; `export_dialog`, `views`, `palette` and `writes` (the status change and
//! deletion dialog) are overlays; `choices` keeps the pick-lists; `profile` switches accounts;
//! `copy` copies a field or the selection; `web_panel` opens a contact in the web panel (`o`);
//! `counts` runs and shows the count.

mod choices;
mod copy;
mod cursor;
mod detail;
mod filters;
mod keys;
mod paging;
mod profile;
mod selection;
mod web_panel;

macro_rules! overlay_modules {
    ($(Mode::$mode:ident => Layer::$layer:ident in $module:ident,)*) => {
        $(mod $module;)*
    };
}
// Each overlay's keys, in the module `app/mode.rs` names for it.
crate::app::mode::for_each_overlay!(overlay_modules);

pub use filters::restore_filters;
pub(crate) use views::{deleted_notice, saved_notice};

use super::msg::{Cmd, Msg};
use super::state::{Focus, Mode, PickList, State};
use crate::api::ApiError;

/// The commands that open the browser: the first page and the pick-lists.
pub fn start(state: &mut State) -> Vec<Cmd> {
    // Offline, nothing goes to the network: the pick-lists offer what the pages show.
    let offline = state
        .snapshot
        .as_ref()
        .is_some_and(|snapshot| snapshot.offline);
    let mut commands = if offline {
        vec![]
    } else {
        choices::load(state, &PickList::ALL)
    };
    commands.extend(paging::show_page(state, 1));
    commands
}

/// Applies one message to the state and returns the work it calls for.
pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key { key, at } => keys::on_key(state, key, at),
        Msg::Tick { at } => keys::on_tick(state, at),
        Msg::Layout(limits) => {
            paging::on_layout(state, limits);
            vec![]
        }
        Msg::Scroll { rows } => {
            if !mouse_reaches_the_panes(state) {
                return vec![];
            }
            state.focus = Focus::List;
            paging::move_selection(state, rows as isize)
        }
        Msg::ClickRow { row } => {
            if !mouse_reaches_the_panes(state) || row >= state.list.contacts.len() {
                return vec![];
            }
            state.focus = Focus::List;
            paging::select_row(state, row)
        }
        Msg::ClickPane { focus } => {
            if mouse_reaches_the_panes(state) {
                state.focus = focus;
            }
            vec![]
        }
        Msg::PageLoaded {
            generation,
            purpose,
            page,
            query,
            result,
        } => paging::on_page_loaded(state, generation, purpose, page, &query, result),
        Msg::Retrying {
            generation,
            wait,
            error,
            at,
        } => {
            if generation == state.generation {
                // A 429 has its countdown in the status line; one line says it.
                if matches!(error, ApiError::RateLimited { .. }) {
                    state.status.backoff_until = Some(at + wait);
                    state.status.notice = None;
                } else {
                    state.status.notice = Some(format!("retrying: {error}"));
                }
            }
            vec![]
        }
        Msg::Pace(pace) => {
            state.status.pace = pace;
            vec![]
        }
        Msg::SelectAllProgress { run, progress } => {
            state.selection.matching_progress(run, progress);
            vec![]
        }
        Msg::SelectAllDone { run, result } => {
            selection::on_select_all_done(state, run, result);
            vec![]
        }
        Msg::ExportWouldOverwrite { path } => {
            export_dialog::on_would_overwrite(state, path);
            vec![]
        }
        Msg::ExportProgress(progress) => {
            export_dialog::on_progress(state, progress);
            vec![]
        }
        Msg::ExportDone(result) => {
            export_dialog::on_done(state, result);
            vec![]
        }
        Msg::ViewsChanged { result, done } => {
            views::on_changed(state, result, done);
            vec![]
        }
        Msg::AgentsLoaded(result) => {
            if let Some(agents) = choices::answered(state, PickList::Agents, result) {
                state.choices.agents = agents;
            }
            vec![]
        }
        Msg::SegmentsLoaded(result) => {
            if let Some(segments) = choices::answered(state, PickList::Segments, result) {
                state.choices.segments = segments;
            }
            vec![]
        }
        Msg::Counted {
            run,
            at,
            counted,
            pages,
            facets,
            end,
        } => {
            counts::on_counted(state, run, at, counted, pages, *facets, end);
            vec![]
        }
        Msg::CountedLocally { run, at, result } => {
            counts::on_counted_locally(state, run, at, result);
            vec![]
        }
        Msg::SnapshotSynced(synced) => counts::on_snapshot_synced(state, synced),
        Msg::OpenFailed { url, reason } => {
            // A link is longer than a status line: it goes on the clipboard (OSC 52, as `y`
            // does), and `!` shows it whole.
            state.status.last_error = Some(format!(
                "no browser could be started ({reason}); open it yourself: {url}"
            ));
            state.status.notice = Some(format!(
                "no browser: the link is copied to the clipboard · {} shows it",
                state
                    .keymap
                    .first_key(crate::app::Layer::Global, crate::app::Action::ShowError)
            ));
            vec![Cmd::Copy { text: url }]
        }
        Msg::ProfileConnected { name, result } => profile::on_connected(state, name, result),
        Msg::WritePlanProgress(seen) => {
            write_dialog::on_plan_progress(state, seen);
            vec![]
        }
        Msg::WritePlanned(planned) => {
            write_dialog::on_planned(state, planned);
            vec![]
        }
        Msg::WriteProgress(progress) => {
            write_dialog::on_progress(state, progress);
            vec![]
        }
        Msg::WriteDone(summary) => write_dialog::on_done(state, summary),
        Msg::WhatsappBotsLoaded(result) => {
            if let Some(bots) = choices::answered(state, PickList::WhatsappBots, result) {
                state.choices.whatsapp_bots = bots;
            }
            vec![]
        }
    }
}

/// The wheel and clicks act on the list only while no overlay is open; in a text field they
/// first leave it, so the field does not go on taking keys while the list shows the focus.
fn mouse_reaches_the_panes(state: &mut State) -> bool {
    match state.mode {
        Mode::Browse => true,
        Mode::Editing(_) => {
            state.mode = Mode::Browse;
            true
        }
        _ => false,
    }
}
