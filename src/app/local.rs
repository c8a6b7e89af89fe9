//! The browser's answers from the account's local snapshot (`crate::snapshot`): counts with
//! their facets, select-all, the pages offline, exports, and the background sync that keeps it
//! fresh. SQLite calls block, so the event loop runs the reads on the blocking pool; the sync
//! goes through the walk's fetch with the session's `Background`, behind the user's own pages.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

pub use super::msg::SnapshotOptions;
use super::msg::{LocalCount, Msg, SnapshotSynced};
use super::state::{CodedRowFacets, RowFacets};
use crate::api::walk::WalkOptions;
use crate::api::{ApiError, Client, Contact, IdSet, Page, Query, TYPICAL_PAGE_SIZE};
use crate::export::{ExportJob, Progress, Summary};
use crate::snapshot::{
    self, LocalQuery, Needs, OnBusy, Snapshot, SnapshotError, SyncError, SyncMode,
};

/// How long the browser waits between two incremental syncs: one request a minute on a still
/// account.
pub const SYNC_EVERY: Duration = Duration::from_secs(60);

fn opened(path: &Path) -> Result<(Snapshot, jiff::Timestamp), String> {
    let snapshot = Snapshot::open(path).map_err(|error| error.to_string())?;
    let as_of = snapshot
        .synced_at()
        .map_err(|error| error.to_string())?
        .ok_or_else(|| "the snapshot has not finished a sync yet".to_owned())?;
    Ok((snapshot, as_of))
}

/// When the snapshot at `path` was last synced, if it exists and has been.
pub fn synced_at(path: &Path) -> Option<jiff::Timestamp> {
    opened(path).ok().map(|(_, as_of)| as_of)
}

/// The contacts of `query` in the snapshot, and how they split, as a walk's count would.
pub fn count(path: &Path, query: &Query) -> Result<LocalCount, String> {
    let local = LocalQuery::new(query).map_err(|why| why.to_string())?;
    let (snapshot, as_of) = opened(path)?;
    let needs = Needs {
        id: false,
        ..Needs::ALL
    };
    let mut coded = CodedRowFacets::default();
    let strings = snapshot
        .scan_codes(needs, |row, codes| {
            if local.matches(row) {
                coded.add(row.flags, codes);
            }
            true
        })
        .map_err(|error| error.to_string())?;
    let (counted, facets) = match strings {
        Some(strings) => (coded.rows(), coded.finish(&strings)),
        None => {
            let mut facets = RowFacets::default();
            let mut counted = 0;
            snapshot
                .scan(false, needs, |_, row| {
                    if local.matches(row) {
                        counted += 1;
                        facets.add(row);
                    }
                    Ok(true)
                })
                .map_err(|error| error.to_string())?;
            (counted, facets.finish())
        }
    };
    Ok(LocalCount {
        counted,
        facets: Box::new(facets),
        as_of,
    })
}

/// The ids of every contact of `query` in the snapshot: select-all without a walk.
pub fn matching_ids(path: &Path, query: &Query) -> Result<IdSet, String> {
    let local = LocalQuery::new(query).map_err(|why| why.to_string())?;
    let (snapshot, _) = opened(path)?;
    let mut ids = IdSet::new();
    let needs = Needs {
        id: true,
        ..local.needs()
    };
    snapshot
        .scan(false, needs, |_, row| {
            if local.matches(row) {
                ids.insert(row.id);
            }
            Ok(true)
        })
        .map_err(|error| error.to_string())?;
    Ok(ids)
}

/// Page `number` of `query` from the snapshot, newest last message first as the API orders
/// them: the list offline.
pub fn page(path: &Path, query: &Query, number: u32) -> Result<Page, ApiError> {
    let started = Instant::now();
    let offline = |what: String| ApiError::Offline { what };
    let local = LocalQuery::new(query)
        .map_err(|why| offline(format!("the snapshot cannot show these filters: {why}")))?;
    let (snapshot, _) = opened(path).map_err(offline)?;
    let skip = (number.saturating_sub(1) as usize).saturating_mul(TYPICAL_PAGE_SIZE);
    let mut skipped = 0;
    let mut rows = Vec::with_capacity(TYPICAL_PAGE_SIZE);
    let read = snapshot.scan(true, local.needs(), |rowid, row| {
        if !local.matches(row) {
            return Ok(true);
        }
        if skipped < skip {
            skipped += 1;
            return Ok(true);
        }
        rows.push(rowid);
        Ok(rows.len() < TYPICAL_PAGE_SIZE)
    });
    read.map_err(|error| offline(error.to_string()))?;
    let mut contacts = Vec::with_capacity(rows.len());
    for rowid in rows {
        let json = snapshot
            .json(rowid)
            .map_err(|error| offline(error.to_string()))?;
        if let Some(contact) = json.and_then(|json| serde_json::from_str::<Contact>(&json).ok()) {
            contacts.push(contact);
        }
    }
    Ok(Page {
        number,
        contacts,
        unreadable: 0,
        elapsed: started.elapsed(),
    })
}

/// One sync of the snapshot at `path`: incremental, or full when the last full read is older
/// than `full_every`. When another sync of it is running (a `snapshot sync` in another
/// terminal), this round is skipped, not failed: it reports the snapshot as that one leaves it.
async fn sync_once(
    client: &Client,
    path: &Path,
    walk: &WalkOptions,
    full_every: Duration,
) -> Result<SnapshotSynced, String> {
    let mut snapshot = Snapshot::open(path).map_err(|error| error.to_string())?;
    let outcome = snapshot::sync(
        client,
        &mut snapshot,
        SyncMode::Auto { full_every },
        OnBusy::Skip,
        walk,
        &|_, _| {},
    )
    .await;
    let (changed, requests) = match outcome {
        Ok(outcome) => {
            let written = outcome.written;
            (
                written.new + written.moved + written.changed + written.gone,
                outcome.requests,
            )
        }
        Err(SyncError::Busy) => {
            tracing::info!("another sync of the snapshot is running; this round is skipped");
            (0, 0)
        }
        Err(error) => return Err(error.to_string()),
    };
    let read = |at: Result<Option<jiff::Timestamp>, SnapshotError>| at.map_err(|e| e.to_string());
    Ok(SnapshotSynced {
        as_of: read(snapshot.synced_at())?.unwrap_or_else(jiff::Timestamp::now),
        changed,
        changed_at: read(snapshot.changed_at())?,
        requests,
    })
}

/// Syncs the snapshot now and then every [`SYNC_EVERY`], reporting each start and end, until
/// the task is aborted (the browser ends or switches accounts).
pub async fn keep_fresh(
    client: Arc<Client>,
    options: SnapshotOptions,
    walk: WalkOptions,
    sender: UnboundedSender<Msg>,
) {
    loop {
        let _ = sender.send(Msg::SnapshotSynced(None));
        let result = sync_once(&client, &options.path, &walk, options.full_every).await;
        if let Err(error) = &result {
            tracing::warn!(%error, "the background snapshot sync failed");
        }
        let _ = sender.send(Msg::SnapshotSynced(Some(result)));
        tokio::time::sleep(SYNC_EVERY).await;
    }
}

/// Sets its flag when dropped: an aborted export task stops the scan running on the blocking
/// pool, which an abort cannot reach.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The export of `job` (everything matching its query) from the snapshot: first a catch-up
/// read from page 1 for what moved since the last sync (none offline), then every matching
/// contact's stored JSON, newest first, with the time the snapshot was synced (the data's
/// time). Dropping the future stops it; nothing is left at the destination.
pub async fn export(
    client: Arc<Client>,
    options: SnapshotOptions,
    walk: WalkOptions,
    job: ExportJob,
    on_progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<(Summary, Option<jiff::Timestamp>), String> {
    let local = LocalQuery::new(&job.query).map_err(|why| why.to_string())?;
    if !options.offline {
        let mut snapshot = Snapshot::open(&options.path).map_err(|error| error.to_string())?;
        snapshot::sync(
            &client,
            &mut snapshot,
            SyncMode::Incremental,
            OnBusy::Wait(&|| {}),
            &walk,
            &|_, _| {},
        )
        .await
        .map_err(|error| format!("the catch-up read failed: {error}"))?;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_on_drop = StopOnDrop(Arc::clone(&stop));
    let handle = tokio::runtime::Handle::current();
    let path = options.path;
    tokio::task::spawn_blocking(move || {
        let snapshot = Snapshot::open(&path).map_err(|error| error.to_string())?;
        let as_of = snapshot.synced_at().map_err(|error| error.to_string())?;
        let mut written = 0u64;
        handle
            .block_on(crate::export::run_from_json(&job, |each| {
                snapshot
                    .for_each_matching(&local, |json| {
                        if stop.load(Ordering::SeqCst) {
                            return Err(SnapshotError::Io {
                                context: "the export was cancelled".into(),
                                source: std::io::Error::from(std::io::ErrorKind::Interrupted),
                            });
                        }
                        written += 1;
                        if written.is_multiple_of(1000) {
                            on_progress(Progress {
                                pages_fetched: 0,
                                contacts_written: written,
                            });
                        }
                        each(json).map_err(|source| SnapshotError::Io {
                            context: "cannot write a contact".into(),
                            source,
                        })
                    })
                    .map_err(std::io::Error::other)
            }))
            .map(|summary| (summary, as_of))
            .map_err(|error| error.to_string())
    })
    .await
    .map_err(|error| error.to_string())?
}
