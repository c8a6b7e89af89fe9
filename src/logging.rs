//! Logs go to a file, never to the screen: the browser owns the terminal, and scripts own stdout
//! and stderr. The help overlay shows where the file is.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The environment variable that sets the log filter, e.g. `INBOX_TUI_LOG=debug`.
pub const LOG_ENV: &str = "INBOX_TUI_LOG";

/// Where the program keeps state that is not configuration (the log, the last filters):
/// `$XDG_STATE_HOME/inbox-tui`, else `~/.local/state/inbox-tui`.
pub fn state_dir() -> Option<PathBuf> {
    let state_home = std::env::var_os("XDG_STATE_HOME")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|value| !value.is_empty())
                .map(|home| PathBuf::from(home).join(".local").join("state"))
        })?;
    Some(state_home.join("inbox-tui"))
}

/// `inbox-tui.log` in the state directory, else in the temp directory.
pub fn log_file_path() -> Option<PathBuf> {
    let directory = state_dir().unwrap_or_else(|| std::env::temp_dir().join("inbox-tui"));
    Some(directory.join("inbox-tui.log"))
}

/// Starts logging to the log file. Without a writable file the program runs without logs rather
/// than failing. Keep the guard alive: dropping it flushes the log.
pub fn init() -> Option<WorkerGuard> {
    let path = log_file_path()?;
    let directory = path.parent()?;
    std::fs::create_dir_all(directory).ok()?;
    let file_name = path.file_name()?;
    let appender = tracing_appender::rolling::never(directory, file_name);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
