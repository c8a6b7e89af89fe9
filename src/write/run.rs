//! Sending a fixed set of changes: chunk by chunk, each one journaled before it is sent and
//! after it is answered, paced with the reads, stopping between chunks when asked.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;

use super::journal::{Journal, Record, now};
use super::{CHUNK_SIZE, Change};
use crate::api::walk::{Paced, WalkOptions};
use crate::api::{ApiError, Client};

/// How far a run has got, for a progress line or the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Contacts whose request was answered (confirmed or failed).
    pub done: usize,
    pub total: usize,
    pub failed: usize,
}

/// What the requests of a run came to.
#[derive(Debug, Default)]
pub struct Executed {
    /// Ids the server confirmed.
    pub confirmed: Vec<String>,
    /// Ids whose request failed for good, with the error each chunk got.
    pub failed: Vec<(Vec<String>, String)>,
    /// Ids never sent: the run was stopped, or a rejected token ended it.
    pub not_sent: Vec<String>,
    /// Stopped between chunks as asked.
    pub stopped: bool,
    /// The token was refused (401/403): nothing more can succeed, so nothing more was sent.
    pub rejected: Option<ApiError>,
}

impl Executed {
    pub fn failed_ids(&self) -> impl Iterator<Item = &String> {
        self.failed.iter().flat_map(|(ids, _)| ids)
    }
}

/// Chunks of at most [`CHUNK_SIZE`] changes to one status each, in the set's order.
fn chunks(changes: &[Change]) -> Vec<Vec<&Change>> {
    let mut chunks: Vec<Vec<&Change>> = Vec::new();
    for change in changes {
        match chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK_SIZE && chunk[0].to == change.to => {
                chunk.push(change);
            }
            _ => chunks.push(vec![change]),
        }
    }
    chunks
}

/// Sends `changes`, numbering requests from `first_chunk`, paced as `options` says (the
/// browser's shared governor, or one for this run). `stop` is looked at between chunks; a
/// request once sent is always waited for, so the journal says how it ended. A journal that
/// cannot be written stops the run before the request it would have recorded.
pub async fn execute(
    client: &Client,
    options: &WalkOptions,
    journal: &mut Journal,
    changes: &[Change],
    first_chunk: u32,
    stop: &AtomicBool,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<Executed, std::io::Error> {
    let paced = Paced::new(options);
    let host = client.base_url().to_string();
    let mut executed = Executed::default();
    let mut progress = Progress {
        done: 0,
        total: changes.len(),
        failed: 0,
    };
    let chunks = chunks(changes);
    for (number, (index, chunk)) in (first_chunk..).zip(chunks.iter().enumerate()) {
        if stop.load(Ordering::SeqCst) || executed.rejected.is_some() {
            executed.stopped = executed.rejected.is_none();
            executed.not_sent = chunks[index..]
                .iter()
                .flatten()
                .map(|change| change.id.clone())
                .collect();
            break;
        }
        let ids: Vec<String> = chunk.iter().map(|change| change.id.clone()).collect();
        let status = chunk[0].to.clone();
        journal.write(&Record::Sending {
            chunk: number,
            ids: ids.clone(),
            from: chunk.iter().map(|change| change.from.clone()).collect(),
            status: status.clone(),
            host: host.clone(),
            at: now(),
        })?;
        let body = json!({ "ids": ids, "status": status })
            .to_string()
            .into_bytes();
        let result = paced.send(|| client.update_status_once(&body)).await;
        journal.write(&Record::Outcome {
            chunk: number,
            ok: result.is_ok(),
            error: result.as_ref().err().map(ToString::to_string),
            at: now(),
        })?;
        progress.done += ids.len();
        match result {
            Ok(()) => executed.confirmed.extend(ids),
            Err(error) => {
                progress.failed += ids.len();
                if matches!(error, ApiError::Unauthorized { .. }) {
                    executed.rejected = Some(error.clone());
                }
                executed.failed.push((ids, error.to_string()));
            }
        }
        on_progress(progress);
    }
    Ok(executed)
}

/// Writes the start of a new run's journal: what, where, and the whole fixed set.
pub fn start(
    journal: &mut Journal,
    action: super::Action,
    undo_of: Option<String>,
    host: &str,
    selection: &str,
    changes: &[Change],
) -> std::io::Result<()> {
    let mut records = Vec::with_capacity(changes.len() + 1);
    records.push(Record::Start {
        run: journal.run().to_owned(),
        action,
        undo_of,
        host: host.to_owned(),
        selection: selection.to_owned(),
        contacts: changes.len(),
        at: now(),
    });
    records.extend(changes.iter().map(|change| Record::Contact {
        id: change.id.clone(),
        from: change.from.clone(),
        to: change.to.clone(),
    }));
    journal.write_all(&records)
}
