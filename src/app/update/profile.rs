//! Switching accounts in place (`profile NAME`): the account is connected in the background;
//! once it is, everything tied to the old one is dropped (its tasks, the selection, the counts,
//! the pages, the pick-lists and the filters that name its agents, segments or bots), and the
//! new account's pick-lists and page 1 are loaded. Each account keeps its own snapshot: the
//! new account's answers counts and select-all, if it has one.

use super::{choices, detail, paging};
use crate::app::msg::{Account, Cmd};
use crate::app::state::{ExportPhase, Load, LocalSnapshot, Mode, PageCache, PickList, State};

/// `profile NAME`: asks for the account of the profile, unless it is the one in use or the
/// config has no such profile.
pub(super) fn switch(state: &mut State, name: &str) -> Vec<Cmd> {
    let name = name.trim();
    if state.profile.as_deref() == Some(name) {
        state.status.notice = Some(format!("profile {name:?} is the one in use"));
        return vec![];
    }
    if !state.profiles.iter().any(|known| known == name) {
        state.status.notice = Some(if state.profiles.is_empty() {
            "the config file has no profiles to switch to ([profiles.NAME] tables)".to_owned()
        } else {
            format!(
                "no profile {name:?}; the profiles are {}",
                state.profiles.join(", ")
            )
        });
        return vec![];
    }
    state.status.notice = Some(format!("switching to profile {name:?}…"));
    vec![Cmd::ConnectProfile {
        name: name.to_owned(),
    }]
}

/// The account of profile `name` is connected (or failed to be): on success the browser
/// starts over on it, keeping only what belongs to no account (the filters that name no id,
/// the views, the keys).
pub(super) fn on_connected(
    state: &mut State,
    name: String,
    result: Result<Account, String>,
) -> Vec<Cmd> {
    let account = match result {
        Ok(account) => account,
        Err(reason) => {
            let message = format!("could not switch to profile {name:?}: {reason}");
            state.status.notice = Some(message.clone());
            state.status.last_error = Some(message);
            return vec![];
        }
    };
    let stopped = work_that_stops(state);
    forget_the_old_account(state);
    // Each account keeps its own snapshot: the new one's answers if it has one, else its
    // counts walk its API.
    state.snapshot = account.snapshot.as_ref().map(|snapshot| LocalSnapshot {
        as_of: account.snapshot_as_of,
        offline: snapshot.offline,
        ..LocalSnapshot::default()
    });
    let offline = state
        .snapshot
        .as_ref()
        .is_some_and(|snapshot| snapshot.offline);
    state.connection.host = account.host_label.clone();
    state.web_url = account.web_url.clone();
    state.status.notice = Some(match stopped {
        Some(stopped) => format!("switched to profile {name:?}; stopped {stopped}"),
        None => format!("switched to profile {name:?}"),
    });
    state.status.notice_outlives_next_page = true;
    state.profile = Some(name);
    let mut commands = vec![Cmd::UseAccount(Box::new(account))];
    // Offline, nothing goes to the network: the pick-lists offer what the pages show.
    if !offline {
        commands.extend(choices::load(state, &PickList::ALL));
    }
    commands.extend(paging::show_page(state, 1));
    commands
}

/// What the switch stops that the user asked for, for the notice.
fn work_that_stops(state: &State) -> Option<&'static str> {
    if state
        .export_dialog()
        .is_some_and(|dialog| matches!(dialog.phase, ExportPhase::Running { .. }))
    {
        Some("the export")
    } else if state.selection.running().is_some() {
        Some("the select-all")
    } else {
        None
    }
}

/// Drops everything that came from the old account or would be sent to the new one by
/// mistake: ids mean nothing across accounts.
fn forget_the_old_account(state: &mut State) {
    state.mode = Mode::Browse;
    state.selection.clear();
    state.range_anchor = None;
    state.background_runs = state.background_runs.next();
    state.count = None;
    state.count_runs = state.count_runs.next();
    state.counts_by_query.clear();
    state.facets_by_query.clear();
    state.cache = PageCache::default();
    state.prefetching = None;
    state.list.contacts = Vec::new().into();
    state.list.page = 0;
    state.list.selected = 0;
    state.list.load = Load::Idle;
    state.list.fresh.clear();
    detail::reset(state);
    let names = std::mem::take(&mut state.choices.names);
    state.choices = Default::default();
    state.choices.names = names;
    state.choices_loading.clear();
    state.status.choices_errors.clear();
    state.status.backoff_until = None;
    state.undo = None;
    let query = &mut state.query;
    query.agent_assigned.clear();
    query.segments.clear();
    query.bot_website.clear();
    query.bot_whatsapp.clear();
    query.bot_telegram.clear();
    query.bot_facebook.clear();
}
