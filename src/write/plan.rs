//! Fixing the set a run acts on: walk the selection to its end first, note each contact's
//! status, and decide for each what to do, before anything is written.

use crate::api::walk::{ContactStream, WalkError, WalkOptions, WalkStats, WalkStep};
use crate::api::{Client, Contact, IdSet, Query};

/// Which contacts a run is for.
#[derive(Debug, Clone)]
pub struct Target {
    /// The filters walked.
    pub query: Query,
    /// Only these ids, when the user listed them (`--ids-from`, the browser's marked rows).
    pub only: Option<IdSet>,
    /// Never these ids (rows unmarked from "everything matching").
    pub except: IdSet,
    /// At most this many contacts, newest first.
    pub limit: Option<u64>,
    /// How the selection was made, for the journal and `history`.
    pub describe: String,
}

/// What happens to one contact of the selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Set it to this status.
    Change(String),
    /// Leave it alone, for this reason ("already CLOSED", "deleted").
    Skip(&'static str),
}

/// One contact's change: its id, its status now, the one the run sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    pub from: String,
    pub to: String,
}

/// The fixed set of a run, and what was left out of it and why.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// The first few contacts, with their names, to show before confirming.
    pub sample: Vec<(Change, String)>,
    /// Reasons for leaving contacts out, with how many each.
    pub skipped: Vec<(&'static str, u64)>,
    /// Listed ids (`only`) that no contact of the walk had.
    pub missing: Vec<String>,
    pub walk: WalkStats,
}

/// Contacts shown before a confirmation.
pub const SAMPLE_SIZE: usize = 5;

impl Plan {
    fn skip(&mut self, reason: &'static str) {
        match self.skipped.iter_mut().find(|(known, _)| *known == reason) {
            Some((_, count)) => *count += 1,
            None => self.skipped.push((reason, 1)),
        }
    }

    /// "3 already CLOSED, 1 deleted", or "" when nothing was left out.
    pub fn describe_skipped(&self) -> String {
        self.skipped
            .iter()
            .map(|(reason, count)| format!("{count} {reason}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Walks `selection` to its end and decides for each contact with `decide`, which sees the
/// contact and its status now. Nothing is written. `on_progress` hears the contacts seen so far.
pub async fn plan(
    client: &Client,
    selection: &Target,
    options: &WalkOptions,
    decide: impl Fn(&Contact, &str) -> Decision,
    on_progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<Plan, WalkError> {
    let mut stream =
        ContactStream::<Contact>::start(client, &selection.query, options, IdSet::new());
    let mut plan = Plan::default();
    let mut found = IdSet::new();
    let mut seen = 0u64;
    'walk: loop {
        match stream.next().await? {
            WalkStep::Batch(batch) => {
                for contact in batch.items {
                    let Some(id) = contact.id().map(str::to_ascii_lowercase) else {
                        continue;
                    };
                    if selection.except.contains(&id)
                        || selection
                            .only
                            .as_ref()
                            .is_some_and(|only| !only.contains(&id))
                    {
                        continue;
                    }
                    found.insert(&id);
                    seen += 1;
                    let from = contact.status().unwrap_or("").to_owned();
                    match decide(&contact, &from) {
                        Decision::Change(to) => {
                            let change = Change { id, from, to };
                            if plan.sample.len() < SAMPLE_SIZE {
                                plan.sample.push((change.clone(), contact.display_name()));
                            }
                            plan.changes.push(change);
                            if selection
                                .limit
                                .is_some_and(|limit| plan.changes.len() as u64 >= limit)
                            {
                                break 'walk;
                            }
                        }
                        Decision::Skip(reason) => plan.skip(reason),
                    }
                }
                on_progress(seen);
            }
            WalkStep::End(end) => {
                plan.walk = end.stats;
                break;
            }
        }
    }
    if let Some(only) = &selection.only
        && selection
            .limit
            .is_none_or(|limit| (plan.changes.len() as u64) < limit)
    {
        plan.missing = only.iter().filter(|id| !found.contains(id)).collect();
        plan.missing.sort();
    }
    Ok(plan)
}

/// The decision of a status change to `status`: contacts already at it, and deleted ones (a
/// deleted contact is not brought back by a status change here; `DELETED` is for deleting),
/// are left alone.
pub fn set_to(status: &str) -> impl Fn(&Contact, &str) -> Decision + use<> {
    let status = status.to_owned();
    move |_, from| {
        if from.eq_ignore_ascii_case(&status) {
            Decision::Skip(if status == super::DELETED {
                "already deleted"
            } else {
                "already at that status"
            })
        } else if from.eq_ignore_ascii_case(super::DELETED) {
            Decision::Skip("deleted (left alone)")
        } else {
            Decision::Change(status.clone())
        }
    }
}
