//! The browser's status change and deletion: the dialog's state, and the work its commands run.
//! The steps are the command line's (`write/`): the set fixed by a walk first, a confirmation
//! that scales with the damage, a journal before each request, a read-back afterwards.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tui_input::Input;

use crate::api::walk::WalkOptions;
use crate::api::{Client, Contact, IdSet, Status};
use crate::export;
use crate::write::journal::{Journal, Record, now};
use crate::write::plan::{self, SAMPLE_SIZE, Target, set_to};
use crate::write::run::{self, Progress};
use crate::write::{Action as RunAction, Change, DELETED, Decision, Plan, verify};

/// The statuses the dialog offers, as the list filter names them; deleting is its own action.
pub const STATUSES: [Status; 6] = [
    Status::Open,
    Status::InProgress,
    Status::Review,
    Status::OnHold,
    Status::Dependancy,
    Status::Closed,
];

/// Which write the dialog makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    SetStatus,
    Delete,
}

/// The dialog: what it applies to, and where it stands.
#[derive(Debug, Clone)]
pub struct WriteDialog {
    pub kind: WriteKind,
    /// The selection, or the contact under the cursor, when the dialog opened.
    pub target: export::FrozenSelection,
    /// "the selection (12 contacts)", "the contact under the cursor".
    pub describe: String,
    pub phase: WritePhase,
}

/// Where a write stands.
#[derive(Debug, Clone)]
pub enum WritePhase {
    /// Choosing the new status (a status change only).
    Choose {
        cursor: usize,
    },
    /// Walking the selection to fix the set; `seen` contacts so far.
    Planning {
        status: String,
        seen: u64,
    },
    /// The set is fixed: its count and a sample, and the phrase to type, if any.
    Confirm {
        status: String,
        plan: Arc<Plan>,
        phrase: Option<String>,
        input: Input,
    },
    /// Sending, chunk by chunk; Esc stops after the request in flight.
    Running {
        progress: Progress,
        stopping: bool,
    },
    Failed(String),
}

/// What a finished write did, for the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteSummary {
    pub run: String,
    pub status: String,
    pub confirmed: usize,
    pub failed: Vec<String>,
    pub unchanged: Vec<String>,
    pub not_sent: usize,
    /// Why the run ended early: stopped, a refused token, a journal that could not be written.
    pub ended: Option<String>,
}

/// Walks the target and decides each contact: the browser's selection is the queries of
/// "select every matching" (less the rows unmarked) and the rows marked by hand, whose status
/// is the one shown when they were marked.
pub async fn plan_target(
    client: &Client,
    target: &export::FrozenSelection,
    status: &str,
    options: &WalkOptions,
    on_progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<Plan, String> {
    let decide = set_to(status);
    let mut combined = Plan::default();
    let mut taken = target.excluded.clone();
    for query in &target.queries {
        let selection = Target {
            query: query.clone(),
            only: None,
            except: taken.clone(),
            limit: None,
            describe: String::new(),
        };
        let plan = plan::plan(client, &selection, options, &decide, on_progress)
            .await
            .map_err(|error| error.to_string())?;
        merge(&mut combined, plan, &mut taken);
    }
    let mut marked = Plan::default();
    for contact in &target.marked {
        let Some(id) = contact.id().map(str::to_ascii_lowercase) else {
            continue;
        };
        if taken.contains(&id) {
            continue;
        }
        let from = contact.status().unwrap_or("").to_owned();
        match decide(contact, &from) {
            Decision::Change(to) => {
                let change = Change { id, from, to };
                if marked.sample.len() < SAMPLE_SIZE {
                    marked.sample.push((change.clone(), contact.display_name()));
                }
                marked.changes.push(change);
            }
            Decision::Skip(reason) => match marked.skipped.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, count)) => *count += 1,
                None => marked.skipped.push((reason, 1)),
            },
        }
    }
    merge(&mut combined, marked, &mut taken);
    Ok(combined)
}

fn merge(into: &mut Plan, plan: Plan, taken: &mut IdSet) {
    for change in plan.changes {
        if taken.insert(&change.id) {
            into.changes.push(change);
        }
    }
    for sample in plan.sample {
        if into.sample.len() < SAMPLE_SIZE {
            into.sample.push(sample);
        }
    }
    for (reason, count) in plan.skipped {
        match into.skipped.iter_mut().find(|(known, _)| *known == reason) {
            Some((_, total)) => *total += count,
            None => into.skipped.push((reason, count)),
        }
    }
}

/// Journals and sends `changes`, then reads them back, as `inbox-tui set-status` does.
pub async fn run_changes(
    client: &Client,
    changes: &[Change],
    describe: &str,
    options: &WalkOptions,
    stop: &AtomicBool,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> WriteSummary {
    let status = changes
        .first()
        .map(|change| change.to.clone())
        .unwrap_or_default();
    let action = if status == DELETED {
        RunAction::Delete
    } else {
        RunAction::SetStatus
    };
    let mut summary = WriteSummary {
        run: String::new(),
        status,
        confirmed: 0,
        failed: Vec::new(),
        unchanged: Vec::new(),
        not_sent: changes.len(),
        ended: None,
    };
    let journal_failed =
        |error: std::io::Error| format!("the journal could not be written: {error}");
    let mut journal = match Journal::create(action) {
        Ok(journal) => journal,
        Err(error) => {
            summary.ended = Some(journal_failed(error));
            return summary;
        }
    };
    summary.run = journal.run().to_owned();
    let host = client.base_url().to_string();
    if let Err(error) = run::start(&mut journal, action, None, &host, describe, changes) {
        summary.ended = Some(journal_failed(error));
        return summary;
    }
    let executed =
        match run::execute(client, options, &mut journal, changes, 0, stop, on_progress).await {
            Ok(executed) => executed,
            Err(error) => {
                summary.ended = Some(journal_failed(error));
                return summary;
            }
        };
    summary.confirmed = executed.confirmed.len();
    summary.failed = executed.failed_ids().cloned().collect();
    summary.not_sent = executed.not_sent.len();
    let state = if let Some(error) = &executed.rejected {
        summary.ended = Some(format!("the write was refused: {error}"));
        "failed"
    } else if executed.stopped {
        summary.ended = Some(format!(
            "stopped; `inbox-tui {} --resume {}` finishes it",
            action.command(),
            summary.run
        ));
        "stopped"
    } else {
        let confirmed: IdSet = executed.confirmed.iter().fold(IdSet::new(), |mut set, id| {
            set.insert(id);
            set
        });
        let sent: Vec<Change> = changes
            .iter()
            .filter(|change| confirmed.contains(&change.id))
            .cloned()
            .collect();
        match verify::unchanged(client, &sent, options).await {
            Ok(unchanged) => {
                let _ = journal.write(&Record::Verified {
                    unchanged: unchanged.clone(),
                    at: now(),
                });
                summary.unchanged = unchanged;
            }
            Err(error) => summary.ended = Some(format!("the read-back failed: {error}")),
        }
        if summary.failed.is_empty() && summary.unchanged.is_empty() {
            "done"
        } else {
            "failed"
        }
    };
    let _ = journal.write(&Record::End {
        state: state.to_owned(),
        reason: summary.ended.clone(),
        at: now(),
    });
    summary
}

/// The contact a dialog opened on the row under the cursor applies to.
pub fn single(contact: &Contact) -> export::FrozenSelection {
    export::FrozenSelection {
        queries: Vec::new(),
        marked: vec![contact.clone()],
        excluded: IdSet::new(),
    }
}
