//! The one streaming export engine, shared by the browser's export dialog and `inbox-tui export`.
//!
//! It writes what the walk's stream (`api::walk::ContactStream`) hands over, each contact once,
//! as pages arrive, so memory holds a few pages and a compact id set whatever the size of the
//! audience (see `api::walk` for how nothing is lost while contacts move). Nothing reaches a file until the whole
//! export succeeded; a device, FIFO or socket is written as the export goes, never replaced (see
//! `destination`).

mod destination;
mod format;
mod request;

use std::collections::HashMap;
use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

pub use destination::{Destination, Output, stdout_was_closed};
pub use format::{
    CSV_COLUMNS, ContactWriter, CsvColumns, CsvStyle, ExportFormat, FlatRow, spreadsheet_safe,
};
pub use request::{ExportRequest, default_file_pattern, would_replace_a_file};

use crate::api::walk::{ContactStream, WalkError, WalkOptions, WalkStats, WalkStep};
use crate::api::{Client, Contact, IdSet, PageItem, Query, RawContact};
use crate::text::{EscapeStyle, TerminalWriter};

/// The browser's selection as it stood when an export or a write began (the live one is
/// `app::state::Selection`): the queries of "select every matching contact", the rows marked by
/// hand (kept whole: a person marks at most a few thousand), and the rows unmarked from a
/// query's set. It holds queries, not contacts, so a million selected cost nothing.
#[derive(Debug, Clone, Default)]
pub struct FrozenSelection {
    pub queries: Vec<Query>,
    pub marked: Vec<Contact>,
    pub excluded: IdSet,
}

/// Which contacts to export.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Every contact matching the query, on all pages.
    Matching,
    /// Only these ids among the contacts matching the query.
    Ids(IdSet),
    /// Every contact of each query, plus the marked ones, less the excluded ones.
    Selection(FrozenSelection),
    /// Contacts already in hand (the current page); nothing is fetched.
    Contacts(Vec<Contact>),
}

/// Everything an export needs to know.
#[derive(Debug, Clone)]
pub struct ExportJob {
    pub query: Query,
    pub scope: Scope,
    pub format: ExportFormat,
    pub destination: Destination,
    pub walk: WalkOptions,
    /// Agent id → name, for the CSV's agent-name column.
    pub agent_names: HashMap<String, String>,
    pub csv: CsvStyle,
    /// The CSV's columns, in order.
    pub columns: CsvColumns,
    /// Stop after this many contacts, on purpose.
    pub limit: Option<u64>,
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
    /// The ids an id scope listed that no contact matching the query had, in no order.
    pub not_found: Vec<String>,
    pub elapsed: Duration,
    pub walk: WalkStats,
}

/// Why an export failed. A file destination is untouched in every case; a device, FIFO or
/// socket may have received part of the output.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Walk(#[from] WalkError),
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

/// Whether the export goes to a screen: standard output on a terminal, or a path naming one
/// (`/dev/stdout`, `/dev/pts/3`). Only character devices are opened to ask, so a FIFO without a
/// reader cannot block here.
fn is_terminal(destination: &Destination) -> bool {
    match destination {
        Destination::Stdout => io::stdout().is_terminal(),
        Destination::File(path) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::FileTypeExt;
                std::fs::metadata(path).is_ok_and(|meta| meta.file_type().is_char_device())
                    && std::fs::OpenOptions::new()
                        .write(true)
                        .open(path)
                        .is_ok_and(|file| file.is_terminal())
            }
            #[cfg(not(unix))]
            {
                let _ = path;
                false
            }
        }
    }
}

/// Where the writer's bytes go: the output as it is, or through the rule that keeps server text
/// from driving a terminal: a CSV on a screen (to a file or a pipe a CSV is the data as it is,
/// for spreadsheets), and JSON wherever it goes, with JSON's own escapes (`\u001b`), which read
/// back as the same data.
enum Sink {
    Plain(Output),
    Screen(TerminalWriter<Output>),
}

impl Sink {
    fn into_output(self) -> io::Result<Output> {
        match self {
            Sink::Plain(output) => Ok(output),
            Sink::Screen(screen) => screen.into_inner(),
        }
    }
}

impl io::Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(output) => output.write(bytes),
            Sink::Screen(screen) => screen.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(output) => output.flush(),
            Sink::Screen(screen) => screen.flush(),
        }
    }
}

/// A contact in the form one export format writes.
trait Exportable: PageItem {
    fn write_to<W: io::Write>(&self, writer: &mut ContactWriter<W>) -> io::Result<()>;
}

impl Exportable for FlatRow {
    fn write_to<W: io::Write>(&self, writer: &mut ContactWriter<W>) -> io::Result<()> {
        writer.write_flat(self)
    }
}

impl Exportable for RawContact {
    fn write_to<W: io::Write>(&self, writer: &mut ContactWriter<W>) -> io::Result<()> {
        writer.write_json(self.json())
    }
}

/// Which of the contacts offered an export takes.
#[derive(Default)]
struct Admission {
    /// Only these (an ids file); found ones are removed, so the walk can stop when it is empty.
    wanted: Option<IdSet>,
    excluded: IdSet,
}

impl Admission {
    fn admits(&mut self, id: Option<&str>) -> bool {
        if id.is_some_and(|id| self.excluded.contains(id)) {
            return false;
        }
        match (&mut self.wanted, id) {
            (None, _) => true,
            (Some(wanted), Some(id)) => wanted.remove(id),
            (Some(_), None) => false,
        }
    }
}

/// Runs an export to completion, calling `on_progress` after each page. Dropping the future
/// (a cancel) removes the partial output.
pub async fn run(
    client: &Client,
    job: ExportJob,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<Summary, ExportError> {
    let names = std::future::ready(Ok::<_, std::convert::Infallible>(None));
    match run_naming_agents(client, job, names, on_progress).await {
        Ok(outcome) => outcome,
        Err(never) => match never {},
    }
}

/// `run`, with the agent names for the CSV's agent-name column looked up by `names` while the
/// walk starts, rather than before it: the lookup then costs no time of its own. `Some` names
/// replace the job's; a lookup that fails (the outer error) stops the export, and nothing is
/// written.
pub async fn run_naming_agents<E>(
    client: &Client,
    job: ExportJob,
    names: impl Future<Output = Result<Option<HashMap<String, String>>, E>> + Send,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<Result<Summary, ExportError>, E> {
    let started = Instant::now();
    let format = job.format;
    let writer = match open_writer(&job).await {
        Ok(writer) => writer,
        Err(error) => return Ok(Err(error)),
    };
    let exported = match format {
        ExportFormat::Csv => {
            export_as::<FlatRow, _, _>(client, &job, writer, names, on_progress).await
        }
        ExportFormat::Json | ExportFormat::Ndjson => {
            export_as::<RawContact, _, _>(client, &job, writer, names, on_progress).await
        }
    };
    let (writer, stats, not_found) = match exported {
        Ok(exported) => exported,
        Err(Failure::Export(error)) => return Ok(Err(error)),
        Err(Failure::Lookup(error)) => return Err(error),
    };
    Ok(finish(writer, &job).map(|contacts| Summary {
        contacts,
        not_found,
        elapsed: started.elapsed(),
        walk: stats,
    }))
}

/// Ends the file and puts it at its destination, all or nothing: the number of contacts in it.
fn finish(writer: ContactWriter<Sink>, job: &ExportJob) -> Result<u64, ExportError> {
    let contacts = writer.written();
    let output = writer
        .finish()
        .and_then(Sink::into_output)
        .map_err(io_error("cannot finish the export"))?;
    output.commit().map_err(io_error(&format!(
        "cannot save {}",
        job.destination.describe()
    )))?;
    Ok(contacts)
}

/// The destination opened (through the screen rule when it is a terminal) and the format's
/// writer started on it.
async fn open_writer(job: &ExportJob) -> Result<ContactWriter<Sink>, ExportError> {
    let output = Output::open(&job.destination)
        .await
        .map_err(io_error(&format!(
            "cannot write {}",
            job.destination.describe()
        )))?;
    let format = job.format;
    let output = match format {
        ExportFormat::Json | ExportFormat::Ndjson => {
            Sink::Screen(TerminalWriter::new(output, EscapeStyle::Json))
        }
        ExportFormat::Csv if is_terminal(&job.destination) => {
            Sink::Screen(TerminalWriter::new(output, EscapeStyle::Visible))
        }
        ExportFormat::Csv => Sink::Plain(output),
    };
    ContactWriter::new(
        output,
        format,
        job.csv,
        job.columns.clone(),
        job.agent_names.clone(),
    )
    .map_err(io_error("cannot start the export"))
}

/// Exports contacts already stored (the snapshot's), which `source` hands over as their
/// original JSON in order until told to stop (`false`): the same formats, destinations, screen
/// rule, limit and all-or-nothing commit as a walk's export. `job.query` and `job.scope` are
/// the source's business; nothing is fetched.
pub async fn run_from_json(
    job: &ExportJob,
    source: impl FnOnce(&mut dyn FnMut(&str) -> io::Result<bool>) -> io::Result<()>,
) -> Result<Summary, ExportError> {
    let started = Instant::now();
    let mut writer = open_writer(job).await?;
    let format = job.format;
    source(&mut |json| {
        if job.limit.is_some_and(|limit| writer.written() >= limit) {
            return Ok(false);
        }
        match format {
            ExportFormat::Csv => {
                let row: FlatRow = serde_json::from_str(json).map_err(io::Error::other)?;
                writer.write_flat(&row)?;
            }
            ExportFormat::Json | ExportFormat::Ndjson => writer.write_json(json)?,
        }
        Ok(true)
    })
    .map_err(io_error("cannot export from the snapshot"))?;
    let contacts = finish(writer, job)?;
    Ok(Summary {
        contacts,
        not_found: Vec::new(),
        elapsed: started.elapsed(),
        walk: WalkStats::default(),
    })
}

/// What `export_as` hands back: the writer, the walk's figures and the listed ids not found.
type Exported<W> = (ContactWriter<W>, WalkStats, Vec<String>);

/// Why `export_as` stopped: the export failed, or the agent-name lookup did.
enum Failure<E> {
    Export(ExportError),
    Lookup(E),
}

impl<E> From<ExportError> for Failure<E> {
    fn from(error: ExportError) -> Self {
        Failure::Export(error)
    }
}

impl<E> From<WalkError> for Failure<E> {
    fn from(error: WalkError) -> Self {
        Failure::Export(ExportError::Walk(error))
    }
}

/// Walks what the scope names, writing each contact as a `T`, with the agent names `names`
/// looks up while the first walk starts; also returns the listed ids that were not found.
async fn export_as<T: Exportable, W: io::Write + Send, E>(
    client: &Client,
    job: &ExportJob,
    mut writer: ContactWriter<W>,
    names: impl Future<Output = Result<Option<HashMap<String, String>>, E>> + Send,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<Exported<W>, Failure<E>> {
    let mut names = Some(names);
    let (queries, marked, mut admission) = match &job.scope {
        Scope::Matching => (vec![job.query.clone()], &[][..], Admission::default()),
        Scope::Ids(ids) => (
            vec![job.query.clone()],
            &[][..],
            Admission {
                wanted: Some(ids.clone()),
                excluded: IdSet::new(),
            },
        ),
        Scope::Selection(selection) => (
            selection.queries.clone(),
            &selection.marked[..],
            Admission {
                wanted: None,
                excluded: selection.excluded.clone(),
            },
        ),
        Scope::Contacts(contacts) => (vec![], &contacts[..], Admission::default()),
    };
    let at_limit =
        |writer: &ContactWriter<W>| job.limit.is_some_and(|limit| writer.written() >= limit);
    let mut taken = IdSet::new();
    let mut stats = WalkStats::default();
    'queries: for query in &queries {
        let mut stream =
            ContactStream::<T>::start(client, query, &job.walk, std::mem::take(&mut taken));
        if let Some(names) = names.take()
            && let Some(found) = names.await.map_err(Failure::Lookup)?
        {
            writer.set_agent_names(found);
        }
        loop {
            match stream.next().await? {
                WalkStep::Batch(batch) => {
                    for item in &batch.items {
                        if at_limit(&writer) || !admission.admits(item.id()) {
                            continue;
                        }
                        item.write_to(&mut writer)
                            .map_err(io_error("cannot write a contact"))?;
                    }
                    on_progress(Progress {
                        pages_fetched: stats.pages + batch.pages_fetched,
                        contacts_written: writer.written(),
                    });
                    if at_limit(&writer) || admission.wanted.as_ref().is_some_and(IdSet::is_empty) {
                        // Everything wanted is written: dropping the stream stops the walk.
                        stats.pages += batch.pages_fetched;
                        break 'queries;
                    }
                }
                WalkStep::End(end) => {
                    stats.absorb(end.stats);
                    taken = end.taken;
                    break;
                }
            }
        }
    }
    if let Some(names) = names.take()
        && let Some(found) = names.await.map_err(Failure::Lookup)?
    {
        writer.set_agent_names(found);
    }
    for contact in marked {
        if at_limit(&writer) || contact.id().is_some_and(|id| taken.contains(id)) {
            continue;
        }
        if !admission.admits(contact.id()) {
            continue;
        }
        in_hand::<T>(contact)?
            .write_to(&mut writer)
            .map_err(io_error("cannot write a contact"))?;
        stats.taken += 1;
    }
    on_progress(Progress {
        pages_fetched: stats.pages,
        contacts_written: writer.written(),
    });
    let not_found = admission
        .wanted
        .as_ref()
        .map(|wanted| wanted.iter().collect())
        .unwrap_or_default();
    Ok((writer, stats, not_found))
}

/// A contact kept from an earlier page, in the form a format writes.
fn in_hand<T: PageItem>(contact: &Contact) -> Result<T, ExportError> {
    serde_json::to_string(contact.raw())
        .and_then(|json| serde_json::from_str::<T>(&json))
        .map_err(|error| ExportError::Io {
            context: "cannot write a kept contact".into(),
            source: io::Error::other(error),
        })
}
