//! Logs go to a file, never to the screen: the browser owns the terminal, and scripts own stdout
//! and stderr. The help overlay shows where the file is.
//!
//! The log holds what servers said, so it is kept private and bounded:
//! - it lives only in the user's own state directory, never in a shared temporary directory
//!   where someone else could plant a symlink; without a usable state directory nothing is
//!   logged;
//! - that directory is created 0700 and refused (no logging) if it is a symlink, belongs to
//!   someone else or is writable by others; the file is created 0600 and never opened through a
//!   symlink;
//! - each file holds at most [`MAX_LOG_BYTES`]; then it becomes `inbox-tui.log.1`, the older
//!   ones move up to `.2` and `.3`, and the oldest is dropped, so the logs never take more than
//!   four times that; a single record is cut at [`MAX_RECORD_BYTES`];
//! - control characters are written as visible escapes (`\x1b`, `\u{9b}`), so server text can
//!   neither forge log lines nor drive the terminal of someone reading the log.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::filter::Targets;

/// The environment variable that sets the log filter, e.g. `INBOX_TUI_LOG=debug`.
pub const LOG_ENV: &str = "INBOX_TUI_LOG";

/// The size at which the log file is rotated.
pub const MAX_LOG_BYTES: u64 = 4 * 1024 * 1024;

/// How many rotated files (`inbox-tui.log.1` …) are kept besides the current one.
pub const KEPT_LOGS: usize = 3;

/// The longest single record; the rest of a longer one (a whole reply body, say) is cut.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

const LOG_FILE: &str = "inbox-tui.log";

/// Where the program keeps state that is not configuration (the log, the last filters):
/// `$XDG_STATE_HOME/inbox-tui`, else `~/.local/state/inbox-tui`. A relative `XDG_STATE_HOME`
/// or `HOME` is ignored, as the XDG spec says: it would depend on the working directory.
pub fn state_dir() -> Option<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    let state_home = absolute("XDG_STATE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local").join("state")))?;
    Some(state_home.join("inbox-tui"))
}

/// `inbox-tui.log` in the state directory; none without one.
pub fn log_file_path() -> Option<PathBuf> {
    Some(state_dir()?.join(LOG_FILE))
}

/// Starts logging to the log file, and with `verbose` (`-v`, `-vv`) to stderr as well. Without
/// a safe, writable file the program runs without a log file rather than failing. Keep the
/// guard alive: dropping it flushes the log.
pub fn init(verbose: u8) -> Option<WorkerGuard> {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let file = log_file_path().and_then(|path| LogFile::open(&path, MAX_LOG_BYTES).ok());
    let (file_layer, guard) = match file {
        Some(file) => {
            let (writer, guard) = tracing_appender::non_blocking(file);
            let layer = tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter(file_filter());
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let stderr_layer = (verbose > 0).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(|| EscapedStderr)
            .with_ansi(false)
            .with_target(false)
            .without_time()
            .with_filter(stderr_filter(verbose))
    });
    tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .ok()?;
    guard
}

/// The crates whose debug output is connection-pool chatter, not what inbox-tui asked for:
/// quiet at `debug` unless the filter names them.
const CHATTY_CRATES: [&str; 5] = ["hyper", "hyper_util", "reqwest", "rustls", "h2"];

/// `INBOX_TUI_LOG`, else `info`; the HTTP stack's debug chatter stays out unless named.
fn file_filter() -> Targets {
    let wanted = std::env::var(LOG_ENV).unwrap_or_else(|_| "info".into());
    let mut directives = wanted.clone();
    for chatty in CHATTY_CRATES {
        if !wanted.contains(chatty) {
            directives.push_str(&format!(",{chatty}=info"));
        }
    }
    directives
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO))
}

/// `-v`: inbox-tui's own requests and timings; `-vv`: everything inbox-tui logs, and the HTTP
/// stack's debug output too. Whole server messages (a 200 KB error) go to the file only: the
/// error on stderr is cut and points there.
fn stderr_filter(verbose: u8) -> Targets {
    let base = match verbose {
        1 => "warn,inbox_tui=debug",
        _ => "debug,inbox_tui=trace",
    };
    format!("{base},{}=off", crate::api::SERVER_TEXT_TARGET)
        .parse()
        .unwrap_or_default()
}

/// Stderr for `-v`, through the log file's escaping: server text cannot drive the terminal.
struct EscapedStderr;

impl Write for EscapedStderr {
    fn write(&mut self, record: &[u8]) -> io::Result<usize> {
        io::stderr().write_all(escape_record(record).as_bytes())?;
        Ok(record.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// The log file: escapes what it is given, and rotates by size. The non-blocking worker hands
/// it one whole formatted record per `write`, so a record is never split across files and its
/// final newline is known.
struct LogFile {
    path: PathBuf,
    /// The user the directory and the file must belong to (this process's).
    owner: Owner,
    /// `None` once a rotation failed: logging stops rather than outgrowing the cap, and does not
    /// retry, which would shift the older files again each time.
    file: Option<File>,
    size: u64,
    max_bytes: u64,
}

impl LogFile {
    fn open(path: &Path, max_bytes: u64) -> io::Result<LogFile> {
        let directory = path
            .parent()
            .ok_or_else(|| io::Error::other("the log path has no directory"))?;
        let owner = prepare_private_dir(directory)?;
        let file = open_private_file(path, owner)?;
        let size = file.metadata()?.len();
        Ok(LogFile {
            path: path.to_owned(),
            owner,
            file: Some(file),
            size,
            max_bytes,
        })
    }

    /// `inbox-tui.log.N` for the Nth older file.
    fn rotated(&self, generation: usize) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(format!(".{generation}"));
        PathBuf::from(name)
    }

    /// Shifts every file up one generation, dropping the oldest, and starts an empty one. Only
    /// renames inside the private directory: a rename moves a symlink, never follows it.
    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        for generation in (1..KEPT_LOGS).rev() {
            match fs::rename(self.rotated(generation), self.rotated(generation + 1)) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
                _ => {}
            }
        }
        fs::rename(&self.path, self.rotated(1))?;
        let file = open_private_file(&self.path, self.owner)?;
        self.size = file.metadata()?.len();
        self.file = Some(file);
        Ok(())
    }
}

impl Write for LogFile {
    fn write(&mut self, record: &[u8]) -> io::Result<usize> {
        if self.file.is_none() {
            return Ok(record.len());
        }
        let line = escape_record(record);
        let length = line.len() as u64;
        if self.size > 0 && self.size + length > self.max_bytes && self.rotate().is_err() {
            // Logging stops here; there is nowhere to say so but the log itself.
            return Ok(record.len());
        }
        if let Some(file) = &mut self.file {
            file.write_all(line.as_bytes())?;
            self.size += length;
        }
        Ok(record.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One record as it goes into the file: every control character but the newline that ends the
/// record is a visible escape, C0 and DEL as `\x1b`, C1 as `\u{9b}`, and so is every invisible
/// or bidi character (`\u{202e}`, see `text::is_terminal_hazard`); a newline inside it (a
/// multi-line server message) becomes `\x0a`, so it cannot pass for a record of its own.
fn escape_record(record: &[u8]) -> String {
    let text = String::from_utf8_lossy(record);
    let (body, ending) = match text.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (text.as_ref(), ""),
    };
    let mut line = String::with_capacity(body.len() + ending.len());
    for c in body.chars() {
        if line.len() >= MAX_RECORD_BYTES {
            line.push_str(" [cut: the record was too long]");
            break;
        }
        if c.is_control() || crate::text::is_terminal_hazard(c) {
            crate::text::push_escaped(&mut line, c);
        } else {
            line.push(c);
        }
    }
    line.push_str(ending);
    line
}

/// The user id the log's directory and file must have; nothing to check where there are none.
#[cfg(unix)]
type Owner = u32;
#[cfg(not(unix))]
type Owner = ();

/// Makes sure `directory` exists, is a real directory (not a symlink), belongs to this user and
/// is writable by no one else, so nobody else can put a file or a link where the log goes.
/// A missing one is created 0700; one only readable by others (an older version made it 0755)
/// is narrowed to 0700. Returns this process's user id.
#[cfg(unix)]
fn prepare_private_dir(directory: &Path) -> io::Result<Owner> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};

    if let Some(parent) = directory.parent() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)?;
    }
    match fs::DirBuilder::new().mode(0o700).create(directory) {
        Err(error) if error.kind() != io::ErrorKind::AlreadyExists => return Err(error),
        _ => {}
    }
    let metadata = fs::symlink_metadata(directory)?;
    if !metadata.file_type().is_dir() {
        return Err(refusal(directory, "is not a directory (a symlink?)"));
    }
    if metadata.mode() & 0o022 != 0 {
        return Err(refusal(directory, "is writable by others; chmod 700 it"));
    }
    let owner = own_uid(directory)?;
    if metadata.uid() != owner {
        return Err(refusal(directory, "belongs to another user"));
    }
    if metadata.mode() & 0o777 != 0o700 {
        fs::set_permissions(directory, fs::Permissions::from_mode(0o700))?;
    }
    Ok(owner)
}

#[cfg(not(unix))]
fn prepare_private_dir(directory: &Path) -> io::Result<Owner> {
    fs::create_dir_all(directory)
}

/// Why a path is not used for the log. Nobody sees it today (logging just stays off), but it
/// is what the unit tests check.
fn refusal(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("not logging to {}: it {why}", path.display()),
    )
}

/// The user this process runs as, without reaching for libc: the owner of a file it has just
/// created. The file is anonymous and gone when dropped.
#[cfg(unix)]
fn own_uid(directory: &Path) -> io::Result<u32> {
    use std::os::unix::fs::MetadataExt;
    Ok(tempfile::tempfile_in(directory)?.metadata()?.uid())
}

/// Opens the log for appending. A new file is created 0600 with `O_EXCL`, which fails on
/// anything already at the path, a symlink included, rather than following it. An existing one
/// must be a regular file of ours with no other name (checked without following links), and the
/// file opened must be that same file, so a link swapped in between is caught; its mode is
/// narrowed to 0600.
#[cfg(unix)]
fn open_private_file(path: &Path, owner: Owner) -> io::Result<File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};

    match fs::OpenOptions::new()
        .append(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
        opened => return opened,
    }
    let before = fs::symlink_metadata(path)?;
    if !before.file_type().is_file() {
        return Err(refusal(path, "is not a regular file (a symlink?)"));
    }
    if before.uid() != owner || before.nlink() != 1 {
        return Err(refusal(path, "belongs to another user or has other names"));
    }
    let file = fs::OpenOptions::new().append(true).open(path)?;
    let opened = file.metadata()?;
    if (opened.dev(), opened.ino()) != (before.dev(), before.ino()) {
        return Err(refusal(path, "changed while it was being opened"));
    }
    if opened.mode() & 0o777 != 0o600 {
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

#[cfg(not(unix))]
fn open_private_file(path: &Path, _owner: Owner) -> io::Result<File> {
    fs::OpenOptions::new().append(true).create(true).open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path)
            .expect("the path exists")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn controls_are_escaped_and_the_final_newline_kept() {
        assert_eq!(
            escape_record(b"title \x1b]0;pwned\x07 line\nforged\r\x7f\n"),
            "title \\x1b]0;pwned\\x07 line\\x0aforged\\x0d\\x7f\n"
        );
        assert_eq!(escape_record("c1 \u{9b}31m".as_bytes()), "c1 \\u{9b}31m");
        assert_eq!(
            escape_record("bidi \u{202e}txt\u{2028}\u{200b}".as_bytes()),
            "bidi \\u{202e}txt\\u{2028}\\u{200b}"
        );
        assert_eq!(escape_record("naïve ✓\n".as_bytes()), "naïve ✓\n");
    }

    #[test]
    fn a_huge_record_is_cut() {
        let record = format!("{}\n", "x".repeat(3 * MAX_RECORD_BYTES));
        let line = escape_record(record.as_bytes());
        assert!(line.len() < MAX_RECORD_BYTES + 100, "{}", line.len());
        assert!(line.ends_with("[cut: the record was too long]\n"));
    }

    #[test]
    fn the_file_rotates_at_its_cap_and_keeps_three_old_ones() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("logs").join(LOG_FILE);
        let mut log = LogFile::open(&path, 100).expect("the log opens");
        for round in 0..10 {
            log.write_all(format!("{round:0>59}\n").as_bytes())
                .expect("a record is written");
        }
        let mut names: Vec<String> = fs::read_dir(dir.path().join("logs"))
            .expect("the directory lists")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into()
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "inbox-tui.log",
                "inbox-tui.log.1",
                "inbox-tui.log.2",
                "inbox-tui.log.3"
            ]
        );
        for name in &names {
            let file = dir.path().join("logs").join(name);
            assert!(fs::metadata(&file).expect("a file").len() <= 100, "{name}");
            assert_eq!(mode(&file), 0o600, "{name}");
        }
        let newest = fs::read_to_string(&path).expect("the log reads");
        assert!(newest.starts_with(&format!("{:0>59}", 9)), "{newest}");
    }

    #[test]
    fn an_open_directory_is_narrowed_and_a_writable_one_refused() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let open = dir.path().join("open");
        fs::create_dir(&open).expect("a directory");
        fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).expect("chmod");
        prepare_private_dir(&open).expect("a directory of ours is fine");
        assert_eq!(mode(&open), 0o700);

        let shared = dir.path().join("shared");
        fs::create_dir(&shared).expect("a directory");
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).expect("chmod");
        let error = LogFile::open(&shared.join(LOG_FILE), MAX_LOG_BYTES)
            .err()
            .expect("a world-writable directory is refused");
        assert!(error.to_string().contains("writable by others"), "{error}");
        assert!(!shared.join(LOG_FILE).exists());
    }

    #[test]
    fn a_symlinked_directory_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).expect("a directory");
        fs::set_permissions(&elsewhere, fs::Permissions::from_mode(0o700)).expect("chmod");
        let linked = dir.path().join("linked");
        std::os::unix::fs::symlink(&elsewhere, &linked).expect("a link");
        assert!(LogFile::open(&linked.join(LOG_FILE), MAX_LOG_BYTES).is_err());
        assert!(!elsewhere.join(LOG_FILE).exists());
    }

    #[test]
    fn an_existing_log_is_appended_to_and_made_private() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("logs").join(LOG_FILE);
        fs::create_dir(dir.path().join("logs")).expect("a directory");
        fs::write(&path, "old\n").expect("an old log");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        let mut log = LogFile::open(&path, MAX_LOG_BYTES).expect("the log opens");
        log.write_all(b"new\n").expect("a record is written");
        assert_eq!(fs::read_to_string(&path).expect("the log"), "old\nnew\n");
        assert_eq!(mode(&path), 0o600);
    }
}
