//! The walk read as an ordered stream: the walk runs on a task of its own and hands over each
//! page's new contacts in list order, a few pages ahead at most. Dropping the stream stops the
//! walk and every request it has in flight.

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{IdSet, StopPoint, Stretch, WalkError, WalkOptions, WalkStats, walk};
use crate::api::{Client, PageItem, Query};

/// Batches the walk may get ahead of its reader: enough to keep the reader busy while the next
/// page decodes, few enough that a slow reader (a FIFO, a disk) slows the walk, not memory.
const BATCHES_AHEAD: usize = 4;

/// The contacts of a walk, in list order.
pub struct ContactStream<T> {
    batches: mpsc::Receiver<Batch<T>>,
    task: Option<JoinHandle<Result<WalkEnd, WalkError>>>,
}

/// The contacts a walk took from one or more pages, none seen before in this walk.
#[derive(Debug)]
pub struct Batch<T> {
    pub items: Vec<T>,
    /// Contacts on these pages that could not be read, and were left out (named in the log).
    pub unreadable: usize,
    /// Pages read so far by the whole walk, probes and repairs included.
    pub pages_fetched: u32,
}

impl<T> Default for Batch<T> {
    fn default() -> Self {
        Batch {
            items: Vec::new(),
            unreadable: 0,
            pages_fetched: 0,
        }
    }
}

/// How a walk that reached the end of the list went.
#[derive(Debug, Default)]
pub struct WalkEnd {
    /// Every id taken, `taken` at the start included: passed to the next walk of a selection
    /// so a contact matching two queries comes once.
    pub taken: IdSet,
    pub stats: WalkStats,
    /// Set when the walk stopped at its stretch's last page: where a later walk goes on from.
    pub stopped_at: Option<StopPoint>,
}

/// One read from a [`ContactStream`].
#[derive(Debug)]
pub enum WalkStep<T> {
    Batch(Batch<T>),
    /// The list has ended; nothing follows.
    End(WalkEnd),
}

impl<T: PageItem> ContactStream<T> {
    /// Starts walking `query`, leaving out the contacts in `taken`. Must be called within the
    /// Tokio runtime.
    pub fn start(
        client: &Client,
        query: &Query,
        options: &WalkOptions,
        taken: IdSet,
    ) -> ContactStream<T> {
        ContactStream::start_within(client, query, options, taken, Stretch::default())
    }

    /// Starts walking the part of `query` that `stretch` says, leaving out the contacts in
    /// `taken`: a count reads a few pages first, and goes on later from where it stopped.
    pub fn start_within(
        client: &Client,
        query: &Query,
        options: &WalkOptions,
        taken: IdSet,
        stretch: Stretch,
    ) -> ContactStream<T> {
        let (sender, batches) = mpsc::channel(BATCHES_AHEAD);
        let task = tokio::spawn(walk(
            client.clone(),
            query.clone(),
            options.clone(),
            taken,
            stretch,
            sender,
        ));
        ContactStream {
            batches,
            task: Some(task),
        }
    }

    /// The next batch, or the end with the walk's figures. An error ends the stream.
    pub async fn next(&mut self) -> Result<WalkStep<T>, WalkError> {
        if let Some(batch) = self.batches.recv().await {
            return Ok(WalkStep::Batch(batch));
        }
        let Some(task) = self.task.take() else {
            return Err(WalkError::Crashed("the walk was read past its end".into()));
        };
        match task.await {
            Ok(ended) => ended.map(WalkStep::End),
            Err(error) => Err(WalkError::Crashed(error.to_string())),
        }
    }
}

impl<T> Drop for ContactStream<T> {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
