//! The journal of writes: one file per run in the state directory, readable by its owner only,
//! appended to before each request and after each reply, so a run stopped anywhere (Esc, a
//! signal, a crash) leaves a record of what was sent, what was confirmed, and what each contact
//! was before. `undo`, `--resume` and `history` read it back. It never holds the token: only
//! ids, statuses, times, the host and the outcome.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The directory runs are kept in, under the state directory.
const RUNS_DIR: &str = "writes";

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    SetStatus,
    Delete,
    Undo,
}

impl Action {
    /// The command that starts such a run.
    pub fn command(self) -> &'static str {
        match self {
            Action::SetStatus => "set-status",
            Action::Delete => "delete",
            Action::Undo => "undo",
        }
    }
}

/// One line of a journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Record {
    /// The first line: what the run is, where, and how many contacts its fixed set holds.
    Start {
        run: String,
        action: Action,
        /// The run this one undoes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        undo_of: Option<String>,
        /// The base URL written to (never the token).
        host: String,
        /// What the set was chosen by: the filters, a file of ids, a selection.
        selection: String,
        contacts: usize,
        at: String,
    },
    /// One contact of the fixed set: its status before the run, and the one the run sets.
    Contact {
        id: String,
        from: String,
        to: String,
    },
    /// Written before a request is sent: its ids, each one's previous status, the new status.
    Sending {
        chunk: u32,
        ids: Vec<String>,
        from: Vec<String>,
        status: String,
        host: String,
        at: String,
    },
    /// How the request of `chunk` ended.
    Outcome {
        chunk: u32,
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        at: String,
    },
    /// A stopped run taken up again.
    Resumed { at: String },
    /// The read-back after the requests: contacts whose status did not become the new one.
    Verified { unchanged: Vec<String>, at: String },
    /// The run ended: `done`, `stopped` or `failed`.
    End {
        state: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        at: String,
    },
}

/// The time now, as the journal writes it.
pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Where journals live: `$XDG_STATE_HOME/inbox-tui/writes`, else `~/.local/state/...`.
pub fn runs_dir() -> io::Result<PathBuf> {
    crate::logging::state_dir()
        .map(|dir| dir.join(RUNS_DIR))
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "neither XDG_STATE_HOME nor HOME is set, so there is nowhere to keep the journal \
                 of writes; set one of them",
            )
        })
}

/// An open journal, appended to line by line, each line on disk before the next step.
pub struct Journal {
    file: File,
    path: PathBuf,
    run: String,
}

impl Journal {
    /// Creates the journal of a new run, named after the time and the action, mode 0600 in a
    /// 0700 directory.
    pub fn create(action: Action) -> io::Result<Journal> {
        let dir = runs_dir()?;
        create_private_dir(&dir)?;
        Journal::create_in(&dir, action)
    }

    /// Creates a new run's journal in `dir`, which must exist: runs started in the same
    /// millisecond get a `-1`, `-2`… after the name.
    fn create_in(dir: &Path, action: Action) -> io::Result<Journal> {
        // Milliseconds too, so names sort in the order runs started.
        let stamp = jiff::Timestamp::now()
            .strftime("%Y%m%d-%H%M%S%.3f")
            .to_string()
            .replace('.', "");
        let mut attempt = 0u32;
        loop {
            let run = match attempt {
                0 => format!("{stamp}-{}", action.command()),
                n => format!("{stamp}-{}-{n}", action.command()),
            };
            let path = dir.join(format!("{run}.jsonl"));
            match private_options().create_new(true).open(&path) {
                Ok(file) => return Ok(Journal { file, path, run }),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => attempt += 1,
                Err(error) => return Err(error),
            }
        }
    }

    /// Opens an existing run's journal to append to it (`--resume`).
    pub fn append_to(run: &str) -> io::Result<Journal> {
        let path = path_of(run)?;
        let file = private_options().append(true).open(&path)?;
        Ok(Journal {
            file,
            path,
            run: run.to_owned(),
        })
    }

    pub fn run(&self) -> &str {
        &self.run
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `record` and puts it on disk before returning.
    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        self.write_all(std::slice::from_ref(record))
    }

    /// Appends `records` and puts them on disk before returning, with one sync for them all (a
    /// run's whole set is thousands of lines).
    pub fn write_all(&mut self, records: &[Record]) -> io::Result<()> {
        let mut lines = Vec::new();
        for record in records {
            serde_json::to_writer(&mut lines, record).map_err(io::Error::other)?;
            lines.push(b'\n');
        }
        self.file.write_all(&lines)?;
        self.file.sync_data()
    }
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// The file of run `run`; the name must be one `history` shows.
pub fn path_of(run: &str) -> io::Result<PathBuf> {
    if run.is_empty() || !run.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{run:?} is not a run name; `inbox-tui history` lists them (e.g. \
                 20261204-143501123-set-status)"
            ),
        ));
    }
    let path = runs_dir()?.join(format!("{run}.jsonl"));
    if !path.exists() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("there is no run {run}; `inbox-tui history` lists them"),
        ));
    }
    Ok(path)
}

/// A run as its journal tells it.
#[derive(Debug, Clone, Default)]
pub struct RunLog {
    pub run: String,
    pub action: Option<Action>,
    pub undo_of: Option<String>,
    pub host: String,
    pub selection: String,
    pub started: String,
    /// The fixed set: id, status before, status set.
    pub contacts: Vec<(String, String, String)>,
    /// Ids whose request was confirmed.
    pub confirmed: Vec<String>,
    /// Ids whose request failed for good.
    pub failed: Vec<String>,
    /// Ids sent without a reply on record (the run stopped or crashed during the request).
    pub in_doubt: Vec<String>,
    /// The read-back's contacts that did not change, once verified.
    pub unchanged: Option<Vec<String>>,
    /// `done`, `stopped` or `failed`; `None` when the run never wrote its end (a crash).
    pub end: Option<String>,
    /// The number the next request of this run takes.
    pub next_chunk: u32,
}

impl RunLog {
    /// Reads a run's journal; a last line cut short by a crash is skipped.
    pub fn read(run: &str) -> io::Result<RunLog> {
        let file = File::open(path_of(run)?)?;
        let mut log = RunLog {
            run: run.to_owned(),
            ..RunLog::default()
        };
        let mut pending: Vec<(u32, Vec<String>)> = Vec::new();
        for line in BufReader::new(file).lines() {
            let line = line?;
            let Ok(record) = serde_json::from_str::<Record>(&line) else {
                continue;
            };
            match record {
                Record::Start {
                    action,
                    undo_of,
                    host,
                    selection,
                    at,
                    ..
                } => {
                    log.action = Some(action);
                    log.undo_of = undo_of;
                    log.host = host;
                    log.selection = selection;
                    log.started = at;
                }
                Record::Contact { id, from, to } => log.contacts.push((id, from, to)),
                Record::Sending { chunk, ids, .. } => {
                    log.next_chunk = log.next_chunk.max(chunk + 1);
                    pending.push((chunk, ids));
                }
                Record::Outcome { chunk, ok, .. } => {
                    if let Some(at) = pending.iter().position(|(sent, _)| *sent == chunk) {
                        let (_, ids) = pending.remove(at);
                        if ok {
                            log.confirmed.extend(ids);
                        } else {
                            log.failed.extend(ids);
                        }
                    }
                }
                Record::Resumed { .. } => {
                    // A resumed run sends again what was in doubt or failed.
                    log.in_doubt.clear();
                    log.failed.clear();
                    log.end = None;
                    log.unchanged = None;
                    pending.clear();
                }
                Record::Verified { unchanged, .. } => log.unchanged = Some(unchanged),
                Record::End { state, .. } => log.end = Some(state),
            }
        }
        log.in_doubt
            .extend(pending.into_iter().flat_map(|(_, ids)| ids));
        Ok(log)
    }

    /// Contacts of the fixed set whose change is not confirmed: never sent, failed, or in doubt.
    pub fn remaining(&self) -> Vec<(String, String, String)> {
        let confirmed: std::collections::HashSet<&str> =
            self.confirmed.iter().map(String::as_str).collect();
        self.contacts
            .iter()
            .filter(|(id, _, _)| !confirmed.contains(id.as_str()))
            .cloned()
            .collect()
    }

    /// `done`, `stopped`, `failed`, or `unfinished` (no end written: a crash, or still running).
    pub fn state(&self) -> &str {
        self.end.as_deref().unwrap_or("unfinished")
    }
}

/// Every run, oldest first (their names start with the time).
pub fn list_runs() -> io::Result<Vec<String>> {
    let dir = runs_dir()?;
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut runs: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            entry
                .file_name()
                .to_str()
                .and_then(|name| name.strip_suffix(".jsonl"))
                .map(str::to_owned)
        })
        .collect();
    runs.sort();
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_started_in_the_same_millisecond_get_names_of_their_own() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let journals: Vec<Journal> = (0..50)
            .map(|_| Journal::create_in(dir.path(), Action::SetStatus).expect("created"))
            .collect();
        let names: std::collections::HashSet<&str> = journals.iter().map(Journal::run).collect();
        assert_eq!(names.len(), journals.len(), "{names:?}");
        assert!(
            names.iter().any(|name| name.ends_with("-set-status-1")),
            "some were started in the same millisecond: {names:?}"
        );
        assert!(journals.iter().all(|journal| journal.path().exists()));
    }

    #[test]
    fn a_directory_that_is_not_there_is_an_error_not_a_loop() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let missing = dir.path().join("missing");
        let error = Journal::create_in(&missing, Action::Delete)
            .err()
            .expect("no journal in a missing directory");
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }
}
