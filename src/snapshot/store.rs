//! The snapshot's file: its tables, how a sync writes them in one transaction, and how counts,
//! exports and the changes report read them.
//!
//! `contacts` holds one row of filter columns per contact (small, so a scan of a million rows
//! reads little); `pages` holds the contacts' original JSON, deflated a page of rowids at a
//! time (`pages.rs`; `raw`, each contact deflated alone, is what schema 1 wrote);
//! `changes` records what each sync saw appear, move, change or go; `meta` holds the mark (the
//! newest `lastMessage.at` read, the server's time) and when the last sync and full read ended
//! (this machine's time, for the age shown with every answer). `columns` holds the same filter
//! columns as compact blocks, rebuilt at each commit, which scans read instead (`columns.rs`).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::columns;
use super::facets::{Facet, Tally};
use super::fields::{Needs, Record, RowView};
use super::matcher::LocalQuery;
use super::pages::{self, Entries, page_of};

/// The schema this version writes (`PRAGMA user_version`).
/// 2 stores the JSON a page of contacts at a time (`pages`); 1 stored each contact alone in
/// `raw`, which 2 still reads, and empties as the contacts are written again.
const SCHEMA_VERSION: i64 = 2;

/// How long the changes report can look back; older changes are pruned at each sync.
const CHANGES_KEPT: Duration = Duration::from_secs(30 * 24 * 3600);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    status TEXT, last_by TEXT, agent TEXT,
    bot_website TEXT, bot_whatsapp TEXT, bot_telegram TEXT, bot_facebook TEXT,
    channel TEXT, tags TEXT NOT NULL, segments TEXT NOT NULL,
    flags INTEGER NOT NULL, ordered_at INTEGER, last_seen INTEGER, created INTEGER,
    last_message_at TEXT, last_message_ms INTEGER,
    hash INTEGER NOT NULL,
    seen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS contacts_by_message ON contacts (last_message_ms DESC);
CREATE TABLE IF NOT EXISTS raw (rowid INTEGER PRIMARY KEY, json BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pages (page INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT,
    last_message_at TEXT
);
CREATE INDEX IF NOT EXISTS changes_by_time ON changes (at);
CREATE TABLE IF NOT EXISTS columns (block INTEGER PRIMARY KEY, data BLOB NOT NULL);
";

/// The select list of a scan, in [`row_view`]'s order: the columns `needs` names, and `NULL`
/// for the others, which SQLite then does not decode.
fn scan_columns(needs: Needs) -> String {
    let columns = [
        ("status", needs.status),
        ("last_by", needs.last_by),
        ("agent", needs.agent),
        ("bot_website", needs.bots),
        ("bot_whatsapp", needs.bots),
        ("bot_telegram", needs.bots),
        ("bot_facebook", needs.bots),
        ("channel", needs.channel),
        ("tags", needs.tags),
        ("segments", needs.segments),
        ("flags", needs.flags),
        ("ordered_at", needs.ordered_at),
        ("last_seen", needs.last_seen),
        ("created", needs.created),
        ("id", needs.id),
    ];
    let mut list = "rowid".to_owned();
    for (column, needed) in columns {
        list.push_str(", ");
        list.push_str(if needed { column } else { "NULL" });
    }
    list
}

/// Why the snapshot could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(
        "there is no snapshot of this account yet ({}); `inbox-tui snapshot sync` builds one",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error(
        "the snapshot {} was written by a newer inbox-tui (schema {found}); update inbox-tui, \
         or `inbox-tui snapshot drop` and sync again",
        path.display()
    )]
    NewerSchema { path: PathBuf, found: i64 },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "the snapshot database failed: {0}; if this persists, `inbox-tui snapshot drop` and \
         sync again"
    )]
    Database(#[from] rusqlite::Error),
    #[error(transparent)]
    Damaged(#[from] columns::Damaged),
}

/// What `snapshot status` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub path: PathBuf,
    /// The database file and its write-ahead log.
    pub size_bytes: u64,
    pub contacts: u64,
    /// When the last sync ended, by this machine's clock.
    pub synced_at: Option<Timestamp>,
    /// When the last full read ended.
    pub full_at: Option<Timestamp>,
    /// The newest `lastMessage.at` read, as the server wrote it.
    pub mark: Option<String>,
}

/// What a sync saw happen to a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Not in the snapshot before.
    New,
    /// A new `lastMessage.at`: it moved to the top of the list.
    Moved,
    /// Some other field changed (seen by a full read, or when it also moved).
    Changed,
    /// Gone from the account: a full read did not find it.
    Gone,
}

impl ChangeKind {
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Moved => "moved",
            ChangeKind::Changed => "changed",
            ChangeKind::Gone => "gone",
        }
    }

    fn parse(text: &str) -> ChangeKind {
        match text {
            "new" => ChangeKind::New,
            "moved" => ChangeKind::Moved,
            "gone" => ChangeKind::Gone,
            _ => ChangeKind::Changed,
        }
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Increases with every change recorded, so `changes --follow` prints each once.
    pub seq: i64,
    /// When the sync that saw it ran, by this machine's clock.
    pub at: Timestamp,
    pub kind: ChangeKind,
    pub id: String,
    pub name: String,
    pub status: Option<String>,
    pub last_message_at: Option<String>,
}

/// What a sync wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub new: u64,
    pub moved: u64,
    pub changed: u64,
    pub gone: u64,
    pub unchanged: u64,
    /// Contacts without an `_id` (or not objects), left out.
    pub unreadable: u64,
}

/// An open snapshot file.
pub struct Snapshot {
    connection: Connection,
    path: PathBuf,
}

fn io_error(context: String) -> impl FnOnce(io::Error) -> SnapshotError {
    move |source| SnapshotError::Io { context, source }
}

/// 64-bit FNV-1a: a stable fingerprint of a contact's JSON, to tell a changed contact from one
/// read again unchanged (the standard library's hasher may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

fn timestamp(ms: i64) -> Option<Timestamp> {
    Timestamp::from_millisecond(ms).ok()
}

/// Owner-only permissions on `path`: the snapshot holds an account's customer data.
fn restrict(path: &Path, mode: u32) -> Result<(), SnapshotError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(io_error(format!("cannot restrict {}", path.display())))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// The three files of a snapshot: the database, its write-ahead log and shared memory.
fn files_of(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [path.to_owned(), with("-wal"), with("-shm")]
}

/// The columns of a scanned row.
fn row_view<'a>(row: &'a rusqlite::Row<'_>) -> rusqlite::Result<RowView<'a>> {
    let text = |index: usize| -> rusqlite::Result<Option<&'a str>> {
        Ok(row.get_ref(index)?.as_str_or_null()?)
    };
    let number = |index: usize| -> rusqlite::Result<Option<i64>> {
        Ok(row.get_ref(index)?.as_i64_or_null()?)
    };
    Ok(RowView {
        id: text(15)?.unwrap_or(""),
        status: text(1)?,
        last_by: text(2)?,
        agent: text(3)?,
        bots: [text(4)?, text(5)?, text(6)?, text(7)?],
        channel: text(8)?,
        tags: text(9)?.unwrap_or(""),
        segments: text(10)?.unwrap_or(""),
        flags: number(11)?.unwrap_or(0),
        ordered_at: number(12)?,
        last_seen: number(13)?,
        created: number(14)?,
    })
}

impl Snapshot {
    /// Opens the snapshot at `path`, creating it (and its directory, owner-only) if needed.
    pub fn create(path: &Path) -> Result<Snapshot, SnapshotError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(io_error(format!("cannot create {}", parent.display())))?;
            restrict(parent, 0o700)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options
            .open(path)
            .map_err(io_error(format!("cannot create {}", path.display())))?;
        Snapshot::open_file(path)
    }

    /// Opens the snapshot at `path`, which must exist.
    pub fn open(path: &Path) -> Result<Snapshot, SnapshotError> {
        if !path.exists() {
            return Err(SnapshotError::Missing {
                path: path.to_owned(),
            });
        }
        Snapshot::open_file(path)
    }

    fn open_file(path: &Path) -> Result<Snapshot, SnapshotError> {
        restrict(path, 0o600)?;
        let connection = Connection::open(path)?;
        connection.busy_timeout(Duration::from_secs(10))?;
        let found: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(SnapshotError::NewerSchema {
                path: path.to_owned(),
                found,
            });
        }
        connection.execute_batch("PRAGMA synchronous = NORMAL;")?;
        // A file already at this schema is only read here: writing to it (even the same
        // version number) would wait for a sync's write transaction, which lasts as long as
        // that sync reads the API, and a count opened meanwhile would fail.
        if found < SCHEMA_VERSION {
            // Larger pages waste less room around the deflated contacts (about 1.4 KB each)
            // than the default 4 KiB; it only takes effect on a new file.
            connection.execute_batch("PRAGMA page_size = 16384;")?;
            connection.execute_batch(SCHEMA)?;
            // WAL: a sync's transaction is all or nothing, and readers (a count while the
            // browser syncs) see the last committed state meanwhile. It stays set in the file.
            let _mode: String =
                connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
            connection.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        for file in files_of(path).iter().skip(1).filter(|file| file.exists()) {
            restrict(file, 0o600)?;
        }
        Ok(Snapshot {
            connection,
            path: path.to_owned(),
        })
    }

    /// Deletes the snapshot at `path`; `false` when there was none.
    pub fn remove(path: &Path) -> Result<bool, SnapshotError> {
        let mut removed = false;
        match std::fs::remove_file(lock_path(path)) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => {
                return Err(SnapshotError::Io {
                    context: format!("cannot delete {}", path.display()),
                    source: error,
                });
            }
            _ => {}
        }
        for file in files_of(path) {
            match std::fs::remove_file(&file) {
                Ok(()) => removed = true,
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => {
                    return Err(SnapshotError::Io {
                        context: format!("cannot delete {}", file.display()),
                        source: error,
                    });
                }
            }
        }
        Ok(removed)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn meta(&self, key: &str) -> Result<Option<String>, SnapshotError> {
        Ok(self
            .connection
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()?)
    }

    fn meta_time(&self, key: &str) -> Result<Option<Timestamp>, SnapshotError> {
        Ok(self
            .meta(key)?
            .and_then(|value| value.parse().ok())
            .and_then(timestamp))
    }

    /// The newest `lastMessage.at` read, as the server wrote it.
    pub fn mark(&self) -> Result<Option<String>, SnapshotError> {
        self.meta("mark")
    }

    /// When the last sync ended; `None` before the first one completed.
    pub fn synced_at(&self) -> Result<Option<Timestamp>, SnapshotError> {
        self.meta_time("synced_at")
    }

    /// When the last full read ended.
    pub fn full_at(&self) -> Result<Option<Timestamp>, SnapshotError> {
        self.meta_time("full_at")
    }

    /// When a sync last changed a contact (the time it ended): a count made from an older state
    /// is stale, whichever process synced.
    pub fn changed_at(&self) -> Result<Option<Timestamp>, SnapshotError> {
        self.meta_time("changed_at")
    }

    /// Size, contact count, age and mark.
    pub fn status(&self) -> Result<Status, SnapshotError> {
        let contacts: i64 =
            self.connection
                .query_row("SELECT count(*) FROM contacts", [], |row| row.get(0))?;
        let size_bytes = files_of(&self.path)
            .iter()
            .take(2)
            .filter_map(|file| std::fs::metadata(file).ok())
            .map(|meta| meta.len())
            .sum();
        Ok(Status {
            path: self.path.clone(),
            size_bytes,
            contacts: u64::try_from(contacts).unwrap_or(0),
            synced_at: self.synced_at()?,
            full_at: self.full_at()?,
            mark: self.mark()?,
        })
    }

    /// Calls `each` with every stored contact's rowid and the columns `needs` names (the
    /// others empty), newest last message first when `ordered`, until it returns `false`.
    /// The column blocks answer when the last sync wrote them (always in newest-first order);
    /// a snapshot written before they existed is read from the `contacts` table.
    pub fn scan(
        &self,
        ordered: bool,
        needs: Needs,
        mut each: impl FnMut(i64, &RowView<'_>) -> Result<bool, SnapshotError>,
    ) -> Result<(), SnapshotError> {
        if self.meta("columns")?.is_some() {
            return self.scan_blocks(needs, each);
        }
        let order = if ordered {
            " ORDER BY last_message_ms DESC"
        } else {
            ""
        };
        let mut statement = self.connection.prepare(&format!(
            "SELECT {} FROM contacts{order}",
            scan_columns(needs)
        ))?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let rowid: i64 = row.get(0)?;
            if !each(rowid, &row_view(row)?)? {
                break;
            }
        }
        Ok(())
    }

    /// [`Snapshot::scan`] over the column blocks, one block in memory at a time.
    fn scan_blocks(
        &self,
        needs: Needs,
        mut each: impl FnMut(i64, &RowView<'_>) -> Result<bool, SnapshotError>,
    ) -> Result<(), SnapshotError> {
        let strings = columns::dictionary(&self.block(0)?.ok_or(columns::Damaged)?)?;
        let mut block = 1;
        while let Some(bytes) = self.block(block)? {
            if !columns::for_each_row(&bytes, &strings, needs, |rowid, row, _| each(rowid, row))? {
                break;
            }
            block += 1;
        }
        Ok(())
    }

    /// Calls `each` with every stored row (the columns `needs` names) and its values'
    /// dictionary codes, until it returns `false`, then gives the dictionary, which the codes
    /// index (code - 1). `None`, having called nothing, for a file written before the column
    /// blocks: [`Snapshot::scan`] reads those.
    pub fn scan_codes(
        &self,
        needs: Needs,
        mut each: impl FnMut(&RowView<'_>, &columns::Codes<'_>) -> bool,
    ) -> Result<Option<Vec<String>>, SnapshotError> {
        if self.meta("columns")?.is_none() {
            return Ok(None);
        }
        let strings = columns::dictionary(&self.block(0)?.ok_or(columns::Damaged)?)?;
        let mut block = 1;
        while let Some(bytes) = self.block(block)? {
            let went_on = columns::for_each_row::<SnapshotError>(
                &bytes,
                &strings,
                needs,
                |_, row, codes| Ok(each(row, codes)),
            )?;
            if !went_on {
                break;
            }
            block += 1;
        }
        Ok(Some(strings))
    }

    /// The count of contacts matching `query`, and their counts by each of `facets`.
    pub fn tally(&self, query: &LocalQuery, facets: &[Facet]) -> Result<Tally, SnapshotError> {
        if self.meta("columns")?.is_some() {
            return self.tally_blocks(query, facets);
        }
        let mut tally = Tally::new(facets);
        let needs = tally.needs(query.needs());
        self.scan(false, needs, |_, row| {
            if query.matches(row) {
                tally.add(row);
            }
            Ok(true)
        })?;
        Ok(tally)
    }

    /// [`Snapshot::tally`] over the column blocks, counting by dictionary code.
    fn tally_blocks(&self, query: &LocalQuery, facets: &[Facet]) -> Result<Tally, SnapshotError> {
        let strings = columns::dictionary(&self.block(0)?.ok_or(columns::Damaged)?)?;
        let mut tally = columns::CodedTally::new(facets, &strings);
        let mut block = 1;
        while let Some(bytes) = self.block(block)? {
            columns::for_each_row::<SnapshotError>(
                &bytes,
                &strings,
                query.needs(),
                |_, row, codes| {
                    if query.matches(row) {
                        tally.add(codes);
                    }
                    Ok(true)
                },
            )?;
            block += 1;
        }
        Ok(tally.finish(&strings))
    }

    /// Column block `block` (0 is the dictionary), if there is one.
    fn block(&self, block: i64) -> Result<Option<Vec<u8>>, SnapshotError> {
        Ok(self
            .connection
            .prepare_cached("SELECT data FROM columns WHERE block = ?1")?
            .query_row([block], |row| row.get(0))
            .optional()?)
    }

    /// The original JSON of the contact stored under `rowid`.
    pub fn json(&self, rowid: i64) -> Result<Option<String>, SnapshotError> {
        self.json_cached(rowid, &mut Vec::new())
    }

    /// [`Snapshot::json`], keeping the last few pages read in `cache`: a scan in message order
    /// reads mostly consecutive rowids, so each page is inflated about once.
    fn json_cached(
        &self,
        rowid: i64,
        cache: &mut Vec<(i64, Entries)>,
    ) -> Result<Option<String>, SnapshotError> {
        const PAGES_KEPT: usize = 8;
        let page = page_of(rowid);
        let at = match cache.iter().position(|(number, _)| *number == page) {
            Some(at) => Some(at),
            None => match self.page(page)? {
                Some(entries) => {
                    if cache.len() == PAGES_KEPT {
                        cache.remove(0);
                    }
                    cache.push((page, entries));
                    Some(cache.len() - 1)
                }
                None => None,
            },
        };
        if let Some(json) = at.and_then(|at| cache[at].1.get(&rowid)) {
            return Ok(Some(json.clone()));
        }
        self.json_alone(rowid)
    }

    /// The stored page `page`, decoded.
    fn page(&self, page: i64) -> Result<Option<Entries>, SnapshotError> {
        let bytes: Option<Vec<u8>> = self
            .connection
            .prepare_cached("SELECT data FROM pages WHERE page = ?1")?
            .query_row([page], |row| row.get(0))
            .optional()?;
        bytes
            .map(|bytes| pages::decode(&bytes))
            .transpose()
            .map_err(io_error("stored contacts cannot be read".into()))
    }

    /// A contact schema 1 stored alone in `raw` and not written since.
    fn json_alone(&self, rowid: i64) -> Result<Option<String>, SnapshotError> {
        let bytes: Option<Vec<u8>> = self
            .connection
            .prepare_cached("SELECT json FROM raw WHERE rowid = ?1")?
            .query_row([rowid], |row| row.get(0))
            .optional()?;
        bytes
            .map(|bytes| {
                pages::inflate(&bytes)
                    .and_then(|json| String::from_utf8(json).map_err(io::Error::other))
            })
            .transpose()
            .map_err(io_error("a stored contact cannot be read".into()))
    }

    /// Calls `each` with the original JSON of every contact matching `query`, newest last
    /// message first, until it returns `false`.
    pub fn for_each_matching(
        &self,
        query: &LocalQuery,
        mut each: impl FnMut(&str) -> Result<bool, SnapshotError>,
    ) -> Result<(), SnapshotError> {
        let mut cache = Vec::new();
        self.scan(true, query.needs(), |rowid, row| {
            if !query.matches(row) {
                return Ok(true);
            }
            match self.json_cached(rowid, &mut cache)? {
                Some(json) => each(&json),
                None => Ok(true),
            }
        })
    }

    /// The changes recorded at or after `since` with a sequence number above `after`, oldest
    /// first.
    pub fn changes(&self, since: Timestamp, after: i64) -> Result<Vec<Change>, SnapshotError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT seq, at, kind, id, name, status, last_message_at FROM changes \
             WHERE at >= ?1 AND seq > ?2 ORDER BY seq",
        )?;
        let rows = statement.query_map(params![since.as_millisecond(), after], |row| {
            Ok(Change {
                seq: row.get(0)?,
                at: timestamp(row.get(1)?).unwrap_or(Timestamp::UNIX_EPOCH),
                kind: ChangeKind::parse(&row.get::<_, String>(2)?),
                id: row.get(3)?,
                name: row.get(4)?,
                status: row.get(5)?,
                last_message_at: row.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The highest change sequence number so far (0 when none).
    pub fn last_change(&self) -> Result<i64, SnapshotError> {
        Ok(self
            .connection
            .query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |row| {
                row.get(0)
            })?)
    }

    /// A fingerprint of every contact's id and stored JSON: equal fingerprints, equal
    /// snapshots (the test that kills a sync compares them).
    pub fn fingerprint(&self) -> Result<(u64, i64), SnapshotError> {
        let mut statement = self
            .connection
            .prepare("SELECT id, hash FROM contacts ORDER BY id")?;
        let mut rows = statement.query([])?;
        let (mut count, mut combined) = (0u64, 0i64);
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let hash: i64 = row.get(1)?;
            count += 1;
            combined = fnv1a(format!("{combined}{id}{hash}").as_bytes());
        }
        Ok((count, combined))
    }

    /// Starts a sync: everything it writes becomes visible at `Writer::commit`, or never
    /// (dropped, killed). A full read also removes the contacts it did not see.
    pub fn begin(&mut self, full: bool) -> Result<Writer<'_>, SnapshotError> {
        let record_changes = self.synced_at()?.is_some();
        let generation: i64 = self
            .meta("generation")?
            .and_then(|value| value.parse().ok())
            .unwrap_or(0)
            + i64::from(full);
        self.connection.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Writer {
            snapshot: self,
            full,
            generation,
            record_changes,
            now: now_ms(),
            written: Written::default(),
            staged: BTreeMap::new(),
            staged_bytes: 0,
            touched: BTreeMap::new(),
            open: true,
        })
    }
}

/// A sync in progress: one transaction.
pub struct Writer<'a> {
    snapshot: &'a mut Snapshot,
    full: bool,
    /// Stamped on every contact a full read sees; those with an older one are gone.
    generation: i64,
    /// The first sync of a snapshot records no changes: everything would be "new".
    record_changes: bool,
    now: i64,
    written: Written,
    /// Contacts' JSON to write (or, `None`, remove), by page and rowid, until the pages are
    /// rewritten: at [`STAGED_BYTES`] and at the commit.
    staged: BTreeMap<i64, BTreeMap<i64, Option<String>>>,
    staged_bytes: usize,
    /// An incremental sync's new, moved and changed contacts, by rowid, with their columns:
    /// the column blocks that hold them are the only ones rewritten.
    touched: BTreeMap<i64, (ChangeKind, Record)>,
    open: bool,
}

/// The JSON a sync holds before it rewrites the pages it touched: bounds its memory.
const STAGED_BYTES: usize = 4 << 20;

/// How many rows the first column block may gather from incremental syncs (each puts what
/// moved on top of it) before every block is rebuilt: bounds a scan's memory.
const MAX_FIRST_BLOCK_ROWS: usize = 4 * columns::ROWS_PER_BLOCK;

impl Writer<'_> {
    fn connection(&self) -> &Connection {
        &self.snapshot.connection
    }

    fn record(&self, kind: ChangeKind, record: &Record) -> Result<(), SnapshotError> {
        if !self.record_changes {
            return Ok(());
        }
        self.connection()
            .prepare_cached(
                "INSERT INTO changes (at, kind, id, name, status, last_message_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                self.now,
                kind.name(),
                record.id,
                record.name,
                record.status,
                record.last_message_at
            ])?;
        Ok(())
    }

    /// Stores one contact as read from the API, noting whether it is new, moved or changed.
    pub fn put(&mut self, json: &str) -> Result<(), SnapshotError> {
        let Some(record) = Record::from_json(json) else {
            self.written.unreadable += 1;
            return Ok(());
        };
        let hash = fnv1a(json.as_bytes());
        let existing: Option<(i64, i64, Option<String>)> = self
            .connection()
            .prepare_cached("SELECT rowid, hash, last_message_at FROM contacts WHERE id = ?1")?
            .query_row([&record.id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        if let Some((rowid, stored_hash, _)) = &existing
            && *stored_hash == hash
        {
            self.connection()
                .prepare_cached("UPDATE contacts SET seen = ?2 WHERE rowid = ?1")?
                .execute(params![rowid, self.generation])?;
            self.written.unchanged += 1;
            return Ok(());
        }
        let r = &record;
        let columns = params![
            r.id,
            r.name,
            r.status,
            r.last_by,
            r.agent,
            r.bots[0],
            r.bots[1],
            r.bots[2],
            r.bots[3],
            r.channel,
            r.tags,
            r.segments,
            r.flags,
            r.ordered_at,
            r.last_seen,
            r.created,
            r.last_message_at,
            r.last_message_ms,
            hash,
            self.generation
        ];
        let kind = match existing {
            Some((rowid, _, stored_at)) => {
                self.connection()
                    .prepare_cached(
                        "UPDATE contacts SET id = ?1, name = ?2, status = ?3, last_by = ?4, \
                         agent = ?5, bot_website = ?6, bot_whatsapp = ?7, bot_telegram = ?8, \
                         bot_facebook = ?9, channel = ?10, tags = ?11, segments = ?12, \
                         flags = ?13, ordered_at = ?14, last_seen = ?15, created = ?16, \
                         last_message_at = ?17, last_message_ms = ?18, hash = ?19, seen = ?20 \
                         WHERE rowid = ?21",
                    )?
                    .execute(rusqlite::params_from_iter(
                        columns
                            .iter()
                            .copied()
                            .chain([&rowid as &dyn rusqlite::ToSql]),
                    ))?;
                self.connection()
                    .prepare_cached("DELETE FROM raw WHERE rowid = ?1")?
                    .execute([rowid])?;
                self.stage(rowid, Some(json))?;
                if stored_at == record.last_message_at {
                    self.written.changed += 1;
                    (rowid, ChangeKind::Changed)
                } else {
                    self.written.moved += 1;
                    (rowid, ChangeKind::Moved)
                }
            }
            None => {
                self.connection()
                    .prepare_cached(
                        "INSERT INTO contacts (id, name, status, last_by, agent, bot_website, \
                         bot_whatsapp, bot_telegram, bot_facebook, channel, tags, segments, \
                         flags, ordered_at, last_seen, created, last_message_at, \
                         last_message_ms, hash, seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
                         ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
                    )?
                    .execute(columns)?;
                let rowid = self.connection().last_insert_rowid();
                self.stage(rowid, Some(json))?;
                self.written.new += 1;
                (rowid, ChangeKind::New)
            }
        };
        let (rowid, mut kind) = kind;
        self.record(kind, &record)?;
        // Read twice in one sync (it moved again meanwhile): it is still new, or moved.
        if let Some((earlier @ (ChangeKind::New | ChangeKind::Moved), _)) = self.touched.get(&rowid)
        {
            kind = *earlier;
        }
        // A full read rebuilds every block; an incremental one rewrites only what it touched.
        if !self.full {
            self.touched.insert(rowid, (kind, record));
        }
        Ok(())
    }

    /// Notes `json` (or, `None`, the removal) of the contact under `rowid` for its page.
    fn stage(&mut self, rowid: i64, json: Option<&str>) -> Result<(), SnapshotError> {
        self.staged_bytes += json.map_or(0, str::len) + 16;
        self.staged
            .entry(page_of(rowid))
            .or_default()
            .insert(rowid, json.map(str::to_owned));
        if self.staged_bytes >= STAGED_BYTES {
            self.write_pages()?;
        }
        Ok(())
    }

    /// Rewrites every page a staged contact belongs to.
    fn write_pages(&mut self) -> Result<(), SnapshotError> {
        let staged = std::mem::take(&mut self.staged);
        self.staged_bytes = 0;
        for (page, changes) in staged {
            let mut entries = self.snapshot.page(page)?.unwrap_or_default();
            for (rowid, json) in changes {
                match json {
                    Some(json) => entries.insert(rowid, json),
                    None => entries.remove(&rowid),
                };
            }
            if entries.is_empty() {
                self.connection()
                    .prepare_cached("DELETE FROM pages WHERE page = ?1")?
                    .execute([page])?;
            } else {
                let data = pages::encode(&entries)
                    .map_err(io_error("contacts cannot be compressed".into()))?;
                self.connection()
                    .prepare_cached("INSERT OR REPLACE INTO pages (page, data) VALUES (?1, ?2)")?
                    .execute(params![page, data])?;
            }
        }
        Ok(())
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), SnapshotError> {
        self.connection()
            .prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?
            .execute([key, value])?;
        Ok(())
    }

    /// Makes the sync visible: a full read first drops the contacts it did not see. `mark` is
    /// the newest `lastMessage.at` now known, when the sync read one.
    pub fn commit(mut self, mark: Option<&str>) -> Result<Written, SnapshotError> {
        if self.full {
            self.remove_unseen()?;
            self.set_meta("generation", &self.generation.to_string())?;
            self.set_meta("full_at", &self.now.to_string())?;
        }
        if let Some(mark) = mark {
            self.set_meta("mark", mark)?;
        }
        let synced_at = now_ms().to_string();
        self.set_meta("synced_at", &synced_at)?;
        let written = &self.written;
        if written.new + written.moved + written.changed + written.gone > 0 {
            self.set_meta("changed_at", &synced_at)?;
        }
        self.write_pages()?;
        let blocks_kept = self.snapshot.meta("columns")?.is_some();
        if self.full || !blocks_kept || !self.write_changed_blocks()? {
            self.write_blocks()?;
        }
        let kept_since = self
            .now
            .saturating_sub(i64::try_from(CHANGES_KEPT.as_millis()).unwrap_or(i64::MAX));
        self.connection()
            .prepare_cached("DELETE FROM changes WHERE at < ?1")?
            .execute([kept_since])?;
        self.connection().execute_batch("COMMIT")?;
        self.open = false;
        // Folds the log back into the database; a reader holding it open only delays that.
        let _ = self
            .connection()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(self.written)
    }

    /// Rebuilds the column blocks from the `contacts` table as this transaction leaves it.
    fn write_blocks(&self) -> Result<(), SnapshotError> {
        let connection = self.connection();
        connection.execute("DELETE FROM columns", [])?;
        let mut insert =
            connection.prepare_cached("INSERT INTO columns (block, data) VALUES (?1, ?2)")?;
        let mut encoder = columns::Encoder::default();
        let mut block = 0i64;
        let mut statement = connection.prepare(&format!(
            "SELECT {} FROM contacts ORDER BY last_message_ms DESC",
            scan_columns(Needs::ALL)
        ))?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let rowid: i64 = row.get(0)?;
            if let Some(full) = encoder.push(rowid, &row_view(row)?) {
                block += 1;
                insert.execute(params![block, full])?;
            }
        }
        let (last, dictionary) = encoder.finish();
        if let Some(last) = last {
            block += 1;
            insert.execute(params![block, last])?;
        }
        insert.execute(params![0, dictionary])?;
        self.set_meta("columns", "1")
    }

    /// Rewrites only the column blocks an incremental sync changed: a changed contact in place
    /// (its last message, so its place in the order, is the same), the new and moved ones at
    /// the top of the first block, the blocks that held the moved ones without them, and the
    /// dictionary when it grew. Nothing at all when nothing changed (a still account).
    /// `false`, having written nothing, when the result would not be in newest-first order
    /// (a new contact older than the newest one kept) or the first block would grow past
    /// [`MAX_FIRST_BLOCK_ROWS`]: then every block is rebuilt.
    fn write_changed_blocks(&self) -> Result<bool, SnapshotError> {
        if self.touched.is_empty() {
            return Ok(true);
        }
        let mut top: Vec<(i64, &Record)> = self
            .touched
            .iter()
            .filter(|(_, (kind, _))| *kind != ChangeKind::Changed)
            .map(|(rowid, (_, record))| (*rowid, record))
            .collect();
        top.sort_by_key(|(rowid, record)| (std::cmp::Reverse(record.last_message_ms), *rowid));
        if let Some((_, oldest)) = top.last() {
            let Some(oldest) = oldest.last_message_ms else {
                return Ok(false);
            };
            if self
                .newest_kept_message_ms()?
                .is_some_and(|newest| newest > oldest)
            {
                return Ok(false);
            }
        }
        let strings = columns::dictionary(&self.snapshot.block(0)?.ok_or(columns::Damaged)?)?;
        let mut encoder = columns::Encoder::with_dictionary(strings.clone());
        let mut rewritten = Vec::new();
        let mut block = 1;
        while let Some(bytes) = self.snapshot.block(block)? {
            let mut holds = block == 1 && !top.is_empty();
            columns::for_each_row::<SnapshotError>(
                &bytes,
                &strings,
                Needs::default(),
                |rowid, _, _| {
                    holds |= self.touched.contains_key(&rowid);
                    Ok(!holds)
                },
            )?;
            if holds {
                if block == 1 {
                    for (rowid, record) in &top {
                        encoder.add(*rowid, &record.view());
                    }
                }
                columns::for_each_row::<SnapshotError>(
                    &bytes,
                    &strings,
                    Needs::ALL,
                    |rowid, row, _| {
                        match self.touched.get(&rowid) {
                            None => encoder.add(rowid, row),
                            Some((ChangeKind::Changed, record)) => {
                                encoder.add(rowid, &record.view())
                            }
                            Some(_) => {}
                        }
                        Ok(true)
                    },
                )?;
                if block == 1 && encoder.rows() > MAX_FIRST_BLOCK_ROWS {
                    return Ok(false);
                }
                rewritten.push((block, encoder.take_block()));
            }
            block += 1;
        }
        if block == 1 {
            return Ok(false);
        }
        let mut insert = self
            .connection()
            .prepare_cached("INSERT OR REPLACE INTO columns (block, data) VALUES (?1, ?2)")?;
        for (block, data) in rewritten {
            insert.execute(params![block, data])?;
        }
        if encoder.values() > strings.len() {
            insert.execute(params![0, encoder.dictionary()])?;
        }
        Ok(true)
    }

    /// The newest last message among the contacts this sync did not put at the top.
    fn newest_kept_message_ms(&self) -> Result<Option<i64>, SnapshotError> {
        let mut statement = self.connection().prepare_cached(
            "SELECT rowid, last_message_ms FROM contacts ORDER BY last_message_ms DESC",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let rowid: i64 = row.get(0)?;
            let moved = self
                .touched
                .get(&rowid)
                .is_some_and(|(kind, _)| *kind != ChangeKind::Changed);
            if !moved {
                return Ok(row.get(1)?);
            }
        }
        Ok(None)
    }

    fn remove_unseen(&mut self) -> Result<(), SnapshotError> {
        let gone: Vec<(i64, Record)> = {
            let mut statement = self.connection().prepare(
                "SELECT rowid, id, name, status, last_message_at FROM contacts WHERE seen < ?1",
            )?;
            let rows = statement.query_map([self.generation], |row| {
                let record = Record {
                    id: row.get(1)?,
                    name: row.get(2)?,
                    status: row.get(3)?,
                    last_message_at: row.get(4)?,
                    ..Record::default()
                };
                Ok((row.get(0)?, record))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        for (rowid, record) in &gone {
            self.record(ChangeKind::Gone, record)?;
            self.stage(*rowid, None)?;
        }
        self.written.gone = gone.len() as u64;
        self.connection().execute(
            "DELETE FROM raw WHERE rowid IN (SELECT rowid FROM contacts WHERE seen < ?1)",
            [self.generation],
        )?;
        self.connection()
            .execute("DELETE FROM contacts WHERE seen < ?1", [self.generation])?;
        Ok(())
    }
}

impl Drop for Writer<'_> {
    /// A sync that did not commit leaves the snapshot as it was.
    fn drop(&mut self) {
        if self.open {
            let _ = self.snapshot.connection.execute_batch("ROLLBACK");
        }
    }
}

/// The lock file of the snapshot at `path`: beside it, `<name>.lock`.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: &str, at: &str, status: &str) -> String {
        format!(r#"{{"_id":"{id}","status":"{status}","lastMessage":{{"at":"{at}","by":"user"}}}}"#)
    }

    fn ids(snapshot: &Snapshot) -> Vec<String> {
        let mut ids = Vec::new();
        snapshot
            .for_each_matching(&LocalQuery::default(), |json| {
                ids.push(Record::from_json(json).map(|r| r.id).unwrap_or_default());
                Ok(true)
            })
            .expect("scan");
        ids
    }

    /// The rows a scan of the column blocks gives, in order: rowid, id and status.
    fn scanned(snapshot: &Snapshot) -> Vec<(i64, String, Option<String>)> {
        let mut rows = Vec::new();
        snapshot
            .scan(true, Needs::ALL, |rowid, row| {
                rows.push((rowid, row.id.to_owned(), row.status.map(str::to_owned)));
                Ok(true)
            })
            .expect("scan");
        rows
    }

    /// The same from the `contacts` table, newest last message first.
    fn in_table(snapshot: &Snapshot) -> Vec<(i64, String, Option<String>)> {
        snapshot
            .connection
            .prepare("SELECT rowid, id, status FROM contacts ORDER BY last_message_ms DESC, rowid")
            .expect("select")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read")
    }

    /// An incremental sync rewrites only the column blocks it changed: with a marker appended
    /// to every block (bytes a decoder ignores), a move out of the first block leaves the
    /// second block's bytes as they were, a status change in the second leaves the first's,
    /// and a still sync leaves both; the rows read back equal the table's, newest first.
    #[test]
    fn an_incremental_sync_rewrites_only_the_blocks_it_changed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.sqlite");
        let mut snapshot = Snapshot::create(&path).expect("created");
        let count = columns::ROWS_PER_BLOCK + 100;
        let at = |index: usize| {
            let at = Timestamp::from_second(1_700_000_000 + index as i64).expect("a time");
            format!("{at:.3}")
        };
        let mut writer = snapshot.begin(true).expect("begin");
        for index in 0..count {
            writer
                .put(&contact(&format!("c{index}"), &at(index), "OPEN"))
                .expect("put");
        }
        writer.commit(Some(&at(count - 1))).expect("commit");
        let marker: &[u8] = b"~kept";
        let mark_blocks = |snapshot: &Snapshot| {
            snapshot
                .connection
                .execute(
                    "UPDATE columns SET data = CAST(data || ?1 AS BLOB) WHERE block > 0",
                    [marker],
                )
                .expect("marked");
        };
        let marked = |snapshot: &Snapshot, block: i64| {
            snapshot
                .block(block)
                .expect("read")
                .expect("a block")
                .ends_with(marker)
        };
        mark_blocks(&snapshot);

        // Block 1 holds the newest 8,192 (c8291 down to c100), block 2 the rest.
        let sync = |snapshot: &mut Snapshot, contacts: &[String]| {
            let mut writer = snapshot.begin(false).expect("begin");
            for json in contacts {
                writer.put(json).expect("put");
            }
            writer.commit(None).expect("commit")
        };
        let written = sync(
            &mut snapshot,
            &[
                contact("new", &at(count + 2), "OPEN"),
                contact("c8000", &at(count + 1), "OPEN"),
            ],
        );
        assert_eq!((written.new, written.moved), (1, 1));
        assert!(
            !marked(&snapshot, 1),
            "the first block took the new and moved"
        );
        assert!(marked(&snapshot, 2), "the second block was left as it was");
        assert_eq!(scanned(&snapshot), in_table(&snapshot));
        assert_eq!(scanned(&snapshot)[0].1, "new");

        mark_blocks(&snapshot);
        let written = sync(&mut snapshot, &[contact("c50", &at(50), "CLOSED")]);
        assert_eq!(written.changed, 1);
        assert!(marked(&snapshot, 1), "the first block was left as it was");
        assert!(!marked(&snapshot, 2), "the second block has the change");
        assert_eq!(scanned(&snapshot), in_table(&snapshot));
        assert!(scanned(&snapshot).contains(&(51, "c50".into(), Some("CLOSED".into()))));

        mark_blocks(&snapshot);
        sync(&mut snapshot, &[contact("new", &at(count + 2), "OPEN")]);
        assert!(
            marked(&snapshot, 1) && marked(&snapshot, 2),
            "a still sync writes none"
        );

        // A new contact older than the newest kept: every block is rebuilt, in order.
        sync(&mut snapshot, &[contact("old", &at(7), "OPEN")]);
        assert!(!marked(&snapshot, 1) && !marked(&snapshot, 2));
        assert_eq!(scanned(&snapshot), in_table(&snapshot));
    }

    /// A file written by schema 1 (each contact deflated alone in `raw`) is still read, and a
    /// contact written again moves to the pages.
    #[test]
    fn a_schema_1_file_is_read_and_its_contacts_move_to_pages_as_they_are_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.sqlite");
        let a = contact("a", "2025-01-01T00:00:00.000Z", "OPEN");
        let b = contact("b", "2025-01-02T00:00:00.000Z", "OPEN");
        let mut snapshot = Snapshot::create(&path).expect("created");
        let mut writer = snapshot.begin(true).expect("begin");
        writer.put(&a).expect("put");
        writer.put(&b).expect("put");
        writer.commit(None).expect("commit");
        let connection = &snapshot.connection;
        connection
            .execute_batch("DELETE FROM pages; PRAGMA user_version = 1;")
            .expect("schema 1");
        for (rowid, json) in [(1, &a), (2, &b)] {
            let alone = pages::deflate(json.as_bytes()).expect("deflated");
            connection
                .execute(
                    "INSERT INTO raw (rowid, json) VALUES (?1, ?2)",
                    params![rowid, alone],
                )
                .expect("raw");
        }
        drop(snapshot);

        let mut snapshot = Snapshot::open(&path).expect("opened");
        assert_eq!(ids(&snapshot), ["b", "a"]);
        assert_eq!(snapshot.json(1).expect("read").as_deref(), Some(a.as_str()));
        let closed = contact("a", "2025-01-01T00:00:00.000Z", "CLOSED");
        let mut writer = snapshot.begin(true).expect("begin");
        writer.put(&closed).expect("put");
        writer.put(&b).expect("put");
        writer.commit(None).expect("commit");
        let alone: Vec<i64> = snapshot
            .connection
            .prepare("SELECT rowid FROM raw")
            .expect("select")
            .query_map([], |row| row.get(0))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rowids");
        assert_eq!(
            alone,
            [2],
            "a, written again, left raw; b, unchanged, stayed"
        );
        assert_eq!(snapshot.json(1).expect("read"), Some(closed));
        assert_eq!(snapshot.json(2).expect("read"), Some(b));
    }

    #[test]
    fn syncs_record_new_moved_changed_and_gone_and_a_dropped_one_leaves_no_trace() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("snapshots").join("a.sqlite");
        let mut snapshot = Snapshot::create(&path).expect("created");
        let mut writer = snapshot.begin(true).expect("begin");
        writer
            .put(&contact("a", "2025-01-01T00:00:00.000Z", "OPEN"))
            .expect("put");
        writer
            .put(&contact("b", "2025-01-02T00:00:00.000Z", "OPEN"))
            .expect("put");
        writer
            .put(&contact("c", "2025-01-03T00:00:00.000Z", "OPEN"))
            .expect("put");
        writer.put(r#"{"no":"id"}"#).expect("put");
        let written = writer
            .commit(Some("2025-01-03T00:00:00.000Z"))
            .expect("commit");
        assert_eq!((written.new, written.unreadable), (3, 1));
        assert_eq!(ids(&snapshot), ["c", "b", "a"], "newest message first");
        assert!(
            snapshot
                .changes(Timestamp::UNIX_EPOCH, 0)
                .expect("changes")
                .is_empty()
        );

        let before = snapshot.fingerprint().expect("fingerprint");
        {
            let mut writer = snapshot.begin(true).expect("begin");
            writer
                .put(&contact("z", "2025-01-09T00:00:00.000Z", "OPEN"))
                .expect("put");
        }
        assert_eq!(snapshot.fingerprint().expect("fingerprint"), before);

        let mut writer = snapshot.begin(true).expect("begin");
        writer
            .put(&contact("a", "2025-01-05T00:00:00.000Z", "OPEN"))
            .expect("put");
        writer
            .put(&contact("b", "2025-01-02T00:00:00.000Z", "CLOSED"))
            .expect("put");
        writer
            .put(&contact("d", "2025-01-04T00:00:00.000Z", "OPEN"))
            .expect("put");
        let written = writer.commit(None).expect("commit");
        assert_eq!(
            (written.new, written.moved, written.changed, written.gone),
            (1, 1, 1, 1)
        );
        let changes: Vec<(ChangeKind, String)> = snapshot
            .changes(Timestamp::UNIX_EPOCH, 0)
            .expect("changes")
            .into_iter()
            .map(|change| (change.kind, change.id))
            .collect();
        assert_eq!(
            changes,
            [
                (ChangeKind::Moved, "a".into()),
                (ChangeKind::Changed, "b".into()),
                (ChangeKind::New, "d".into()),
                (ChangeKind::Gone, "c".into()),
            ]
        );
        assert_eq!(ids(&snapshot), ["a", "d", "b"]);
        assert_eq!(
            snapshot.mark().expect("mark").as_deref(),
            Some("2025-01-03T00:00:00.000Z"),
            "a sync without a mark keeps the last one"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for file in files_of(&path).iter().filter(|file| file.exists()) {
                let mode = std::fs::metadata(file).expect("meta").permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{}", file.display());
            }
        }
        drop(snapshot);
        assert!(Snapshot::remove(&path).expect("removed"));
        assert!(matches!(
            Snapshot::open(&path),
            Err(SnapshotError::Missing { .. })
        ));
    }
}
