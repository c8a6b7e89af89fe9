//! The status change and deletion dialog: choose a status, wait for the set to be fixed, confirm
//! as the damage asks (one key for a few, the number typed for more than 100, `delete N` typed
//! for any deletion), then watch it go in the status bar; Esc stops between requests.

use std::sync::Arc;

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::app::keymap::Action;
use crate::app::keymap::unless_text;
use crate::app::msg::Cmd;
use crate::app::state::{Mode, PageCache, State};
use crate::app::writes::{STATUSES, WriteDialog, WriteKind, WritePhase, WriteSummary, single};
use crate::text::thousands;
use crate::write::{DELETED, Plan, Progress, confirm_phrase};

/// `T` or `D`: opens the dialog on the selection, or on the contact under the cursor when
/// nothing is selected.
pub(super) fn open(state: &mut State, kind: WriteKind) -> Vec<Cmd> {
    if state.selection.running().is_some() {
        state.status.notice = Some("the selection is still being counted: wait for it".into());
        return vec![];
    }
    let (target, describe) = if state.selection.is_empty() {
        let Some(contact) = state.selected_contact() else {
            state.status.notice = Some("no contact to change".into());
            return vec![];
        };
        (single(contact), "the contact under the cursor".to_owned())
    } else {
        (
            state.selection.to_export(),
            format!(
                "the selection ({} contacts)",
                thousands(state.selection.len() as u64)
            ),
        )
    };
    let mut dialog = WriteDialog {
        kind,
        target,
        describe,
        phase: WritePhase::Choose { cursor: 0 },
    };
    let commands = match kind {
        WriteKind::SetStatus => vec![],
        WriteKind::Delete => plan(&mut dialog, DELETED.to_owned()),
    };
    state.mode = Mode::Write(Box::new(dialog));
    commands
}

fn plan(dialog: &mut WriteDialog, status: String) -> Vec<Cmd> {
    dialog.phase = WritePhase::Planning {
        status: status.clone(),
        seen: 0,
    };
    vec![Cmd::PlanWrite {
        target: Box::new(dialog.target.clone()),
        status,
    }]
}

pub(super) fn on_key(state: &mut State, key: KeyEvent, action: Option<Action>) -> Vec<Cmd> {
    let Mode::Write(dialog) = &mut state.mode else {
        return vec![];
    };
    match &mut dialog.phase {
        WritePhase::Choose { cursor } => match action {
            Some(Action::MoveDown) => {
                *cursor = (*cursor + 1) % STATUSES.len();
                vec![]
            }
            Some(Action::MoveUp) => {
                *cursor = (*cursor + STATUSES.len() - 1) % STATUSES.len();
                vec![]
            }
            Some(Action::Activate) => {
                let status = STATUSES[*cursor].as_str().to_owned();
                plan(dialog, status)
            }
            Some(Action::Back) => {
                state.mode = Mode::Browse;
                vec![]
            }
            _ => vec![],
        },
        WritePhase::Planning { .. } => {
            if action == Some(Action::Back) {
                state.mode = Mode::Browse;
                state.status.notice = Some("cancelled; nothing was changed".into());
                return vec![Cmd::CancelWritePlan];
            }
            vec![]
        }
        WritePhase::Confirm {
            plan,
            phrase,
            input,
            ..
        } => {
            let typed = phrase.is_some();
            let action = if typed {
                unless_text(&key, action)
            } else {
                action
            };
            match action {
                Some(Action::Back) => {
                    state.mode = Mode::Browse;
                    state.status.notice = Some("cancelled; nothing was changed".into());
                    vec![]
                }
                Some(Action::Activate | Action::Toggle) => {
                    let confirmed = match phrase {
                        Some(phrase) => input.value().trim() == phrase.as_str(),
                        None => true,
                    };
                    if !confirmed {
                        return vec![];
                    }
                    let changes = Arc::new(plan.changes.clone());
                    let describe = dialog.describe.clone();
                    dialog.phase = WritePhase::Running {
                        progress: Progress {
                            done: 0,
                            total: changes.len(),
                            failed: 0,
                        },
                        stopping: false,
                    };
                    vec![Cmd::StartWrite { changes, describe }]
                }
                _ if typed => {
                    input.handle_event(&Event::Key(key));
                    vec![]
                }
                _ => vec![],
            }
        }
        WritePhase::Running { stopping, .. } => {
            if action == Some(Action::Back) && !*stopping {
                *stopping = true;
                return vec![Cmd::StopWrite];
            }
            vec![]
        }
        WritePhase::Failed(_) => {
            if action == Some(Action::Back) {
                state.mode = Mode::Browse;
            }
            vec![]
        }
    }
}

pub(super) fn on_plan_progress(state: &mut State, counted: u64) {
    if let Mode::Write(dialog) = &mut state.mode
        && let WritePhase::Planning { seen, .. } = &mut dialog.phase
    {
        *seen = counted;
    }
}

/// The set is fixed: ask as the damage asks, or say there is nothing to change.
pub(super) fn on_planned(state: &mut State, planned: Result<Arc<Plan>, String>) {
    let Mode::Write(dialog) = &mut state.mode else {
        return;
    };
    let WritePhase::Planning { status, .. } = &dialog.phase else {
        return;
    };
    let status = status.clone();
    dialog.phase = match planned {
        Err(error) => WritePhase::Failed(format!(
            "could not read the contacts to change: {error}; nothing was changed"
        )),
        Ok(plan) if plan.changes.is_empty() => {
            let left_out = plan.describe_skipped();
            state.mode = Mode::Browse;
            state.status.notice = Some(if left_out.is_empty() {
                "nothing to change".into()
            } else {
                format!("nothing to change ({left_out})")
            });
            return;
        }
        Ok(plan) => WritePhase::Confirm {
            phrase: confirm_phrase(&status, plan.changes.len()),
            status,
            plan,
            input: Input::default(),
        },
    };
}

pub(super) fn on_progress(state: &mut State, update: Progress) {
    if let Mode::Write(dialog) = &mut state.mode
        && let WritePhase::Running { progress, .. } = &mut dialog.phase
    {
        *progress = update;
    }
}

/// The write ended: close the dialog, say what changed and what failed, and show the pages and
/// counts as they are now.
pub(super) fn on_done(state: &mut State, summary: WriteSummary) -> Vec<Cmd> {
    if matches!(state.mode, Mode::Write(_)) {
        state.mode = Mode::Browse;
    }
    let verb = if summary.status == DELETED {
        "deleted".to_owned()
    } else {
        format!("set to {}", summary.status)
    };
    let mut notice = format!(
        "run {}: {} {verb}",
        summary.run,
        thousands((summary.confirmed - summary.unchanged.len().min(summary.confirmed)) as u64)
    );
    if !summary.failed.is_empty() {
        notice.push_str(&format!(
            "; {} failed: {}",
            summary.failed.len(),
            first_ids(&summary.failed)
        ));
    }
    if !summary.unchanged.is_empty() {
        notice.push_str(&format!(
            "; {} did not change when read back: {}",
            summary.unchanged.len(),
            first_ids(&summary.unchanged)
        ));
    }
    if summary.not_sent > 0 {
        notice.push_str(&format!("; {} not sent", summary.not_sent));
    }
    if let Some(ended) = &summary.ended {
        notice.push_str(&format!(" ({ended})"));
    }
    if summary.failed.is_empty() && summary.unchanged.is_empty() && summary.ended.is_none() {
        state.status.notice = Some(notice);
    } else {
        state.status.last_error = Some(notice.clone());
        state.status.notice = Some(notice);
    }
    // The page read again below must not wipe what the write did.
    state.status.notice_outlives_next_page = true;
    // Every page and count may have changed.
    state.cache = PageCache::default();
    state.count = None;
    state.counts_by_query.clear();
    let mut commands = vec![Cmd::CancelCount];
    commands.extend(super::paging::refresh(state));
    commands.extend(super::counts::start_automatic(state));
    commands
}

fn first_ids(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(3).map(String::as_str).collect();
    if ids.len() > shown.len() {
        format!("{} …", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// `T` sets the status of the selection, `D` deletes it.
pub(super) fn opens(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
    let kind = match action {
        Action::SetStatus => WriteKind::SetStatus,
        Action::Delete => WriteKind::Delete,
        _ => return None,
    };
    Some(open(state, kind))
}
