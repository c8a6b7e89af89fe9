//! Keeping the snapshot fresh: a full read walks every page with the walk's stream, an
//! incremental one reads from page 1 until the contacts are older than the snapshot's mark.
//!
//! The mark is the newest `lastMessage.at` read, in the server's own time (as the export's
//! catch-up uses it), never this machine's clock. Every new message lifts a contact above the
//! mark, so an incremental sync finds every contact that moved in `moved / 50 + 1` requests; on
//! a still account that is one request. A contact that moves while the sync reads is newer than
//! the new mark (the newest on the page 1 this sync read), so the next sync finds it.
//!
//! Changes that do not move a contact (a status set by an agent) and deletions are seen only by
//! a full read, done when the last one is older than [`DEFAULT_FULL_EVERY`] (configurable) or
//! when asked (`sync --full`).

use std::time::Duration;

use jiff::Timestamp;

use super::lock::{OnBusy, SyncLock};
use super::store::{Snapshot, SnapshotError, Writer, Written};
use crate::api::walk::{self, ContactStream, WalkError, WalkOptions, WalkStep};
use crate::api::{Client, IdSet, PageItem, Query, RawContact};

/// How old the last full read may get before a sync does another.
pub const DEFAULT_FULL_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Pages an incremental sync reads at most before it does a full read instead: past that,
/// most of the account has moved and a walk is the cheaper way to read it.
const MAX_INCREMENTAL_PAGES: u32 = 200;

/// Which kind of sync to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    /// Full when there is no snapshot yet or the last full read is older than `full_every`,
    /// else incremental.
    Auto {
        full_every: Duration,
    },
    Full,
    Incremental,
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    pub full: bool,
    /// Requests sent (a walk's figures include its retries).
    pub requests: u64,
    pub written: Written,
}

/// Why a sync stopped; the snapshot is as it was before it.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Walk(#[from] WalkError),
    /// Another sync of this snapshot was running, and the caller chose not to wait.
    #[error("another sync of this snapshot is running; this one was skipped")]
    Busy,
}

/// Runs `work` (SQLite writes, the commit's rebuild of column blocks) so that the async
/// runtime's other tasks go on meanwhile: on a multi-threaded runtime (the browser's, the
/// command line's) they move to another thread (`block_in_place`); elsewhere it just runs.
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    let threaded = tokio::runtime::Handle::try_current()
        .is_ok_and(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if threaded {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}

fn newest<'a>(items: impl Iterator<Item = &'a str>) -> Option<(&'a str, Timestamp)> {
    items
        .filter_map(|at| Some((at, at.trim().parse::<Timestamp>().ok()?)))
        .max_by_key(|(_, parsed)| *parsed)
}

/// Brings `snapshot` up to date from `client`'s account. `on_progress` is told the contacts
/// and pages read so far. Nothing is visible until the sync has finished. Only one sync of a
/// snapshot runs at a time (`lock.rs`): `on_busy` says whether to wait for another or skip.
pub async fn sync(
    client: &Client,
    snapshot: &mut Snapshot,
    mode: SyncMode,
    on_busy: OnBusy<'_>,
    walk: &WalkOptions,
    on_progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<SyncOutcome, SyncError> {
    let Some(_lock) = SyncLock::acquire(snapshot.path(), on_busy).await? else {
        return Err(SyncError::Busy);
    };
    // Read under the lock: a sync that waited starts from what the other one committed.
    let mark = snapshot.mark()?;
    let full = match mode {
        SyncMode::Full => true,
        SyncMode::Incremental => mark.is_none(),
        SyncMode::Auto { full_every } => {
            let stale = snapshot.full_at()?.is_none_or(|full_at| {
                Timestamp::now().duration_since(full_at).unsigned_abs() >= full_every
            });
            mark.is_none() || stale
        }
    };
    let mark = mark.and_then(|mark| Some((mark.trim().parse::<Timestamp>().ok()?, mark)));
    match (full, mark) {
        (false, Some((mark, mark_text))) => {
            let mut writer = snapshot.begin(false)?;
            let read = read_newer(client, &mut writer, mark, walk, on_progress).await?;
            match read {
                Some((pages, newest)) => {
                    let newest = newest.unwrap_or(mark_text);
                    let written = blocking(|| writer.commit(Some(&newest)))?;
                    Ok(SyncOutcome {
                        full: false,
                        requests: pages,
                        written,
                    })
                }
                None => {
                    drop(writer);
                    full_sync(client, snapshot, walk, on_progress).await
                }
            }
        }
        _ => full_sync(client, snapshot, walk, on_progress).await,
    }
}

/// Reads pages of the whole account from page 1 until one holds a contact older than `mark`,
/// storing each contact. Returns the pages read and the newest `lastMessage.at` of page 1, or
/// `None` when so much moved that a full read is cheaper.
async fn read_newer(
    client: &Client,
    writer: &mut Writer<'_>,
    mark: Timestamp,
    walk: &WalkOptions,
    on_progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<Option<(u64, Option<String>)>, SyncError> {
    let query = Query::default();
    let mut newest_text = None;
    let mut contacts = 0;
    for page in 1..=MAX_INCREMENTAL_PAGES {
        // Through the walk's fetch, so a browser's sync waits behind the user's own pages.
        let decoded = walk::fetch_one::<RawContact>(client, &query, page, walk).await?;
        if page == 1 {
            newest_text = newest(decoded.items.iter().filter_map(PageItem::last_message_at))
                .map(|(text, _)| text.to_owned());
        }
        let mut older_seen = decoded.items.is_empty();
        blocking(|| {
            decoded
                .items
                .iter()
                .try_for_each(|item| writer.put(item.json()))
        })?;
        for item in &decoded.items {
            contacts += 1;
            if item
                .last_message_at()
                .and_then(|at| at.trim().parse::<Timestamp>().ok())
                .is_some_and(|at| at < mark)
            {
                older_seen = true;
            }
        }
        on_progress(contacts, u64::from(page));
        if older_seen {
            return Ok(Some((u64::from(page), newest_text)));
        }
    }
    Ok(None)
}

/// Walks the whole account, then reads again from page 1 for what moved since the walk's
/// first page (the walk's own catch-up takes only contacts it had not seen; this updates the
/// ones it had), and drops the contacts it did not see.
async fn full_sync(
    client: &Client,
    snapshot: &mut Snapshot,
    walk: &WalkOptions,
    on_progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<SyncOutcome, SyncError> {
    let mut writer = snapshot.begin(true)?;
    let mut stream =
        ContactStream::<RawContact>::start(client, &Query::default(), walk, IdSet::new());
    let mut first_page_newest: Option<(String, Timestamp)> = None;
    let mut contacts = 0u64;
    let requests = loop {
        match stream.next().await? {
            WalkStep::Batch(batch) => {
                if first_page_newest.is_none() {
                    first_page_newest =
                        newest(batch.items.iter().filter_map(PageItem::last_message_at))
                            .map(|(text, at)| (text.to_owned(), at));
                }
                blocking(|| {
                    batch
                        .items
                        .iter()
                        .try_for_each(|item| writer.put(item.json()))
                })?;
                contacts += batch.items.len() as u64;
                on_progress(contacts, u64::from(batch.pages_fetched));
            }
            WalkStep::End(end) => break end.stats.traffic.requests,
        }
    };
    let (requests, mark) = match first_page_newest {
        Some((text, at)) => {
            let read = read_newer(client, &mut writer, at, walk, &|_, _| {}).await?;
            match read {
                Some((pages, newest)) => (requests + pages, Some(newest.unwrap_or(text))),
                None => (requests + u64::from(MAX_INCREMENTAL_PAGES), Some(text)),
            }
        }
        None => (requests, None),
    };
    let written = blocking(|| writer.commit(mark.as_deref()))?;
    Ok(SyncOutcome {
        full: true,
        requests,
        written,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default period between full reads: a day.
    #[test]
    fn a_full_read_is_daily_by_default() {
        assert_eq!(DEFAULT_FULL_EVERY, Duration::from_secs(86_400));
    }
}
