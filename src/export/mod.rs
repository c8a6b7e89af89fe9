//! The one streaming export engine, shared by the browser's export dialog and `inbox-tui export`.
//!
//! Pages are fetched with bounded concurrency and written in page order as they arrive, so memory
//! holds at most a few pages whatever the size of the audience. Nothing reaches the destination
//! until the whole export succeeded (see `destination`).

mod destination;
mod format;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

pub use destination::{Destination, Output, expand_home};
pub use format::{CSV_COLUMNS, ContactWriter, ExportFormat};

use crate::api::{ApiError, Client, Contact, Query};

/// Pages in flight at once unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// Which contacts to export.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Every contact matching the query, on all pages.
    Matching,
    /// Only these ids among the contacts matching the query.
    Ids(HashSet<String>),
    /// Contacts already in hand (the current page, or a selection); nothing is fetched.
    Contacts(Vec<Contact>),
}

/// Everything an export needs to know.
#[derive(Debug, Clone)]
pub struct ExportJob {
    pub query: Query,
    pub scope: Scope,
    pub format: ExportFormat,
    pub destination: Destination,
    pub concurrency: usize,
    /// Agent id → name, for the CSV's agent-name column.
    pub agent_names: HashMap<String, String>,
}

/// How far an export has got, reported after every page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub pages_fetched: u32,
    pub contacts_written: u64,
}

/// What a finished export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub contacts: u64,
    pub pages: u32,
    pub elapsed: Duration,
}

/// Why an export failed. The destination is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("fetching page {page} failed: {source}")]
    Fetch {
        page: u32,
        #[source]
        source: ApiError,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

fn io_error(context: &str) -> impl FnOnce(io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        context: context.to_owned(),
        source,
    }
}

/// Receives the contacts of a paged walk in page order, and hears when each page is done.
pub trait ContactSink: Send {
    fn accept(&mut self, contact: &Contact) -> io::Result<()>;
    fn page_done(&mut self, progress: Progress);
}

/// Writes to an export file and reports progress.
struct WriterSink<'a, W: io::Write> {
    writer: ContactWriter<W>,
    on_progress: &'a (dyn Fn(Progress) + Send + Sync),
}

impl<W: io::Write + Send> ContactSink for WriterSink<'_, W> {
    fn accept(&mut self, contact: &Contact) -> io::Result<()> {
        self.writer.write(contact)
    }

    fn page_done(&mut self, progress: Progress) {
        (self.on_progress)(progress);
    }
}

/// Runs an export to completion, calling `on_progress` after each page. Dropping the future
/// (a cancel) removes the partial output.
pub async fn run(
    client: &Client,
    job: ExportJob,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<Summary, ExportError> {
    let started = Instant::now();
    let output = Output::open(&job.destination).map_err(io_error(&format!(
        "cannot write {}",
        job.destination.describe()
    )))?;
    let writer = ContactWriter::new(output, job.format, job.agent_names)
        .map_err(io_error("cannot start the export"))?;
    let mut sink = WriterSink {
        writer,
        on_progress,
    };
    let progress = match job.scope {
        Scope::Contacts(contacts) => {
            let mut seen = RecentIds::new(usize::MAX);
            for contact in &contacts {
                if seen.first_time(contact) {
                    sink.accept(contact)
                        .map_err(io_error("cannot write a contact"))?;
                }
            }
            let progress = Progress {
                pages_fetched: 0,
                contacts_written: sink.writer.written(),
            };
            sink.page_done(progress);
            progress
        }
        Scope::Matching => {
            walk_matching(client, &job.query, job.concurrency, None, &mut sink).await?
        }
        Scope::Ids(ids) => {
            walk_matching(client, &job.query, job.concurrency, Some(ids), &mut sink).await?
        }
    };
    let WriterSink { writer, .. } = sink;
    let output = writer
        .finish()
        .map_err(io_error("cannot finish the export"))?;
    output.commit().map_err(io_error(&format!(
        "cannot save {}",
        job.destination.describe()
    )))?;
    Ok(Summary {
        contacts: progress.contacts_written,
        pages: progress.pages_fetched,
        elapsed: started.elapsed(),
    })
}

/// Walks pages 1, 2, … of `query` with up to `concurrency` in flight, handing each contact to
/// `sink` in page order, once, and stops at the first empty page (or once every `wanted` id was
/// found). Shared by exports and the browser's "select every matching contact".
pub async fn walk_matching(
    client: &Client,
    query: &Query,
    concurrency: usize,
    mut wanted: Option<HashSet<String>>,
    sink: &mut dyn ContactSink,
) -> Result<Progress, ExportError> {
    let concurrency = concurrency.max(1);
    // Each page is its own task, so decoding pages runs on every core, not only this task's.
    let query = Arc::new(query.clone());
    let mut in_flight = JoinSet::new();
    let mut arrived: BTreeMap<u32, Vec<Contact>> = BTreeMap::new();
    let mut next_to_request = 1u32;
    let mut next_to_write = 1u32;
    let mut first_empty: Option<u32> = None;
    let mut seen = RecentIds::new(RecentIds::WINDOW);
    let mut progress = Progress::default();
    loop {
        // Pages are requested in order, so once any page came back empty every page before it
        // has been requested already.
        let all_found = wanted.as_ref().is_some_and(HashSet::is_empty);
        while first_empty.is_none() && !all_found && in_flight.len() < concurrency {
            let page = next_to_request;
            next_to_request += 1;
            let client = client.clone();
            let query = Arc::clone(&query);
            in_flight.spawn(async move { (page, client.fetch_page(&query, page).await) });
        }
        if all_found {
            break;
        }
        let Some(joined) = in_flight.join_next().await else {
            break;
        };
        let (page, result) = joined.map_err(|error| ExportError::Io {
            context: "a page fetch stopped".into(),
            source: io::Error::other(error.to_string()),
        })?;
        let fetched = result.map_err(|source| ExportError::Fetch { page, source })?;
        progress.pages_fetched += 1;
        if fetched.contacts.is_empty() {
            first_empty = Some(first_empty.map_or(page, |empty| empty.min(page)));
        }
        arrived.insert(page, fetched.contacts);
        while let Some(contacts) = arrived.remove(&next_to_write) {
            if first_empty.is_some_and(|empty| next_to_write > empty) {
                break;
            }
            for contact in &contacts {
                let is_wanted = match &mut wanted {
                    None => true,
                    Some(ids) => contact.id().is_some_and(|id| ids.remove(id)),
                };
                if is_wanted && seen.first_time(contact) {
                    sink.accept(contact)
                        .map_err(io_error("cannot write a contact"))?;
                    progress.contacts_written += 1;
                }
            }
            next_to_write += 1;
        }
        sink.page_done(progress);
    }
    Ok(progress)
}

/// The ids of the most recently written contacts. Contacts move between pages while an export
/// pages through them (a new message lifts a contact to the top and pushes the rest down), so a
/// contact can show up again on a following page; only the last few thousand written can, which
/// keeps the check's memory constant instead of growing with the export.
struct RecentIds {
    order: VecDeque<String>,
    set: HashSet<String>,
    capacity: usize,
}

impl RecentIds {
    /// Wide enough for thousands of contacts to move during one export.
    const WINDOW: usize = 20_000;

    fn new(capacity: usize) -> RecentIds {
        RecentIds {
            order: VecDeque::new(),
            set: HashSet::new(),
            capacity,
        }
    }

    /// Whether `contact` was not written recently; remembers it. Contacts without an id are
    /// always written: there is nothing to tell them apart by.
    fn first_time(&mut self, contact: &Contact) -> bool {
        let Some(id) = contact.id() else {
            return true;
        };
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() == self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        self.order.push_back(id.to_owned());
        self.set.insert(id.to_owned());
        true
    }
}
