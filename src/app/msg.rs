//! The messages `update` consumes and the commands it asks the event loop to run.

use crate::api::pace::PaceOrigin;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::KeyEvent;

use std::sync::Arc;

use super::state::{
    CountRun, Facets, FetchGeneration, PickList, SavedView, ScrollLimits, SelectAllRun,
};
use crate::api::walk::{WalkError, WalkResume};
use crate::api::{Agent, ApiError, Client, IdSet, Page, Query, Segment, WhatsappBot};
use crate::export::{ExportError, ExportRequest, Progress};

/// Where the browser finds the account's snapshot, and how it uses it.
#[derive(Debug, Clone)]
pub struct SnapshotOptions {
    pub path: PathBuf,
    /// `--offline`: no request at all.
    pub offline: bool,
    /// How old the last full read may get before the background sync does another.
    pub full_every: Duration,
}

/// Something that happened. Time comes with the message so `update` never reads a clock.
#[derive(Debug, Clone)]
pub enum Msg {
    Key {
        key: KeyEvent,
        at: Instant,
    },
    /// A deadline passed (debounce, back-off countdown, spinner frame).
    Tick {
        at: Instant,
    },
    /// The terminal's size changed what the detail and the help can scroll.
    Layout(ScrollLimits),
    /// The mouse wheel moved the list by this many rows.
    Scroll {
        rows: i32,
    },
    /// A click on a list row (index into the page).
    ClickRow {
        row: usize,
    },
    /// A click elsewhere in a pane (the filter panel, the detail, the list's borders): that
    /// pane takes the keyboard, as in lazygit.
    ClickPane {
        focus: super::state::Focus,
    },
    PageLoaded {
        generation: FetchGeneration,
        purpose: Purpose,
        page: u32,
        query: Box<Query>,
        result: Result<Page, ApiError>,
    },
    /// A list fetch is backing off before its next attempt.
    Retrying {
        generation: FetchGeneration,
        wait: Duration,
        error: ApiError,
        at: Instant,
    },
    /// How far "select every matching contact" has counted.
    SelectAllProgress {
        run: SelectAllRun,
        progress: Progress,
    },
    /// "Select every matching contact" ended: the ids it counted, or why it failed.
    SelectAllDone {
        run: SelectAllRun,
        result: Result<IdSet, Arc<WalkError>>,
    },
    ExportProgress(Progress),
    /// The export's destination is a file that exists: the dialog asks before replacing it.
    ExportWouldOverwrite {
        path: String,
    },
    /// The export ended: where it went and how many, or what failed.
    ExportDone(Result<ExportFinished, Arc<ExportError>>),
    /// The saved views after a save or a delete, or why it failed.
    ViewsChanged {
        result: Result<Vec<SavedView>, Arc<ViewStoreError>>,
        /// What was done, for the notice once it is: "saved view \"Open\"".
        done: String,
    },
    AgentsLoaded(Result<Vec<Agent>, ApiError>),
    SegmentsLoaded(Result<Vec<Segment>, ApiError>),
    WhatsappBotsLoaded(Result<Vec<WhatsappBot>, ApiError>),
    /// A count went on (or ended): the contacts counted so far and how they split.
    Counted {
        run: CountRun,
        at: Instant,
        counted: u64,
        pages: u32,
        facets: Box<Facets>,
        end: Option<CountEnd>,
    },
    /// The local snapshot answered a count: how many match and how they split, as of its last
    /// sync; or why it could not.
    CountedLocally {
        run: CountRun,
        at: Instant,
        result: Result<LocalCount, String>,
    },
    /// A background sync of the local snapshot started (`None`) or ended: when the snapshot is
    /// now as of and what it changed, or why it failed (the snapshot is then unchanged).
    SnapshotSynced(Option<Result<SnapshotSynced, String>>),
    /// The account's pace as a walk goes (requests a second, and where it came from), for the
    /// status bar.
    Pace(Option<(f64, PaceOrigin)>),
    /// No program could open the web panel's URL: it is shown instead.
    OpenFailed {
        url: String,
        reason: Arc<std::io::Error>,
    },
    /// How many contacts the walk that fixes a write's set has seen.
    WritePlanProgress(u64),
    /// The set a write acts on is fixed, or why it could not be.
    WritePlanned(Result<Arc<crate::write::Plan>, String>),
    /// How far a write has got.
    WriteProgress(crate::write::Progress),
    /// A write ended: what changed, what failed, what did not change when read back.
    WriteDone(crate::app::writes::WriteSummary),
    /// The account of the profile `name` is ready to switch to, or why it is not (a message
    /// that never holds the token).
    ProfileConnected {
        name: String,
        result: Result<Account, String>,
    },
}

/// A count the local snapshot answered.
#[derive(Debug, Clone)]
pub struct LocalCount {
    pub counted: u64,
    pub facets: Box<Facets>,
    /// When the snapshot was last synced.
    pub as_of: jiff::Timestamp,
}

/// What a background sync of the snapshot did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotSynced {
    pub as_of: jiff::Timestamp,
    /// Contacts new, moved, changed or gone: 0 leaves the counts as they were.
    pub changed: u64,
    /// When a sync, this one or another process's, last changed a contact: a count from the
    /// snapshot older than that is asked again.
    pub changed_at: Option<jiff::Timestamp>,
    pub requests: u64,
}

/// One account on one host, as a config profile describes it, connected.
#[derive(Debug, Clone)]
pub struct Account {
    /// Its `Debug` redacts the token.
    pub client: Arc<Client>,
    /// For the status bar: `profile · host`.
    pub host_label: String,
    /// Where its web panel shows a contact, `{id}` standing for its id.
    pub web_url: Option<String>,
    /// Its local snapshot, when it has one: the browser answers from it as it did from the
    /// first account's (each account keeps its own).
    pub snapshot: Option<SnapshotOptions>,
    /// When that snapshot was last synced.
    pub snapshot_as_of: Option<jiff::Timestamp>,
}

/// Why a page is fetched: to show it now, or to have it ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Show,
    Prefetch,
    /// Live refresh: page 1 again, while it is shown and the user is idle.
    Refresh,
}

/// Work for the event loop: each runs as a task that answers with a `Msg`.
#[derive(Debug, Clone)]
pub enum Cmd {
    /// Fetch a page. A `Show` fetch supersedes (aborts) every earlier list fetch.
    FetchPage {
        generation: FetchGeneration,
        purpose: Purpose,
        query: Box<Query>,
        page: u32,
    },
    /// Load these pick-lists (agents, segments, WhatsApp bots).
    LoadChoices(Vec<PickList>),
    /// Count every contact of `query` (the filters when `A` was pressed), keeping their ids.
    SelectAllMatching {
        run: SelectAllRun,
        query: Box<Query>,
    },
    /// Select-all answered from the local snapshot (the query is one it can evaluate); it
    /// answers as [`Cmd::SelectAllMatching`] does.
    SelectAllLocal {
        run: SelectAllRun,
        query: Box<Query>,
    },
    /// Stop the running count; its late messages are dropped by their generation.
    CancelSelectAll,
    /// Export; an empty `path` means the default name, stamped now.
    StartExport(Box<ExportRequest>),
    /// Stop the running export; nothing is left at the destination.
    CancelExport,
    /// Save `query` as the view `name` in the config, replacing one of that name.
    SaveView {
        name: String,
        query: Box<Query>,
    },
    DeleteView {
        name: String,
    },
    /// Put `text` on the clipboard, through the terminal (OSC 52).
    Copy {
        text: String,
    },
    /// Open `url` with the system's opener.
    Open {
        url: String,
    },
    /// Count the contacts matching `query`, up to `max_pages` pages (all of them if `None`).
    Count {
        run: CountRun,
        query: Box<Query>,
        max_pages: Option<u32>,
        /// Go on from a count that stopped at its cap, adding to what it counted.
        resume: Option<Box<CountSoFar>>,
    },
    /// Count the contacts matching `query` in the local snapshot, with their facets.
    CountLocal {
        run: CountRun,
        query: Box<Query>,
    },
    /// Stop the running count.
    CancelCount,
    /// Walk `target` and decide, for each contact, whether setting `status` changes it.
    PlanWrite {
        target: Box<crate::export::FrozenSelection>,
        status: String,
    },
    /// Stop the walk of `PlanWrite`; nothing was written.
    CancelWritePlan,
    /// Journal, send and read back these changes.
    StartWrite {
        changes: Arc<Vec<crate::write::Change>>,
        describe: String,
    },
    /// Stop the running write after the request in flight.
    StopWrite,
    /// Connect the account of the config profile `name`, to switch to it.
    ConnectProfile {
        name: String,
    },
    /// From now on talk to this account: every task still running for the old one is stopped
    /// and its results still on their way are dropped, so none lands in the new account's
    /// state. Its snapshot, if it has one, takes the old one's place.
    UseAccount(Box<Account>),
}

/// How a count ended.
#[derive(Debug, Clone)]
pub enum CountEnd {
    /// An empty page: the count is exact.
    Exact,
    /// The page cap of an automatic count, with nothing to go on from: `c` counts again.
    Capped,
    /// The page cap of an automatic count, with where its walk stopped: `c` goes on from there.
    Paused(Arc<WalkResume>),
    Failed(String),
}

/// What a count that stopped at its cap hands to the count that goes on from there.
#[derive(Debug, Clone, Default)]
pub struct CountSoFar {
    /// Pages read, probes and repairs included, for the status bar.
    pub pages: u32,
    pub counted: u64,
    pub facets: Facets,
    /// Where its walk stopped and the ids it counted; without it the count starts again.
    pub resume: Option<Arc<WalkResume>>,
}

/// Why the saved views could not be written: whatever the store reports.
pub type ViewStoreError = dyn std::error::Error + Send + Sync;

/// Where a finished export went, as messages name it, and how many contacts it wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFinished {
    pub path: String,
    pub contacts: u64,
    /// Written from the snapshot: when it was last synced (the catch-up included), so the
    /// notice says what time the data is.
    pub as_of: Option<jiff::Timestamp>,
}
