//! One sync of an account at a time: the browser's background sync, a `snapshot sync`,
//! `changes` and an export's catch-up may all run at once against the same snapshot.
//!
//! **Why a lock file, not SQLite's busy timeout.** A sync holds its write transaction for as
//! long as it reads the API: one request on a still account, but a full read of a million
//! contacts is 20,000 requests, half an hour at a real rate limit. A busy timeout would have to
//! be that long, and the second sync, once let in, would redo reads the first just did. With
//! an exclusive lock (`<snapshot>.lock`, `flock`/`LockFileEx` through `fs4`: the minimum Rust,
//! 1.88, has no `File::lock`)
//! taken *before* the snapshot's mark is read, the second sync starts after the first has
//! committed and reads only what moved since: on a still account, one request. The system
//! drops the lock when its holder ends, even killed, so a crash never leaves a stale lock.

use std::fs::{File, OpenOptions};

use fs4::{FileExt, TryLockError};
use std::path::Path;

use super::store::{SnapshotError, lock_path};

/// What a sync does when another sync of the same snapshot is running.
#[derive(Clone, Copy)]
pub enum OnBusy<'a> {
    /// Wait for it to end, telling `said` once first (a command line says so on stderr).
    Wait(&'a (dyn Fn() + Send + Sync)),
    /// Give up at once with [`super::SyncError::Busy`]: the browser's background sync, which
    /// will try again at its next round.
    Skip,
}

/// Held while a sync runs; dropping it lets the next one in.
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SnapshotError {
    let context = format!("cannot lock {}", path.display());
    move |source| SnapshotError::Io { context, source }
}

impl SyncLock {
    /// Takes the sync lock of the snapshot at `path`; `Ok(None)` when another sync holds it
    /// and `on_busy` is [`OnBusy::Skip`].
    pub async fn acquire(
        path: &Path,
        on_busy: OnBusy<'_>,
    ) -> Result<Option<SyncLock>, SnapshotError> {
        let lock_path = lock_path(path);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&lock_path).map_err(io_error(&lock_path))?;
        // Called through the trait: the standard library's own `File::try_lock` is newer than
        // the minimum Rust.
        match FileExt::try_lock(&file) {
            Ok(()) => return Ok(Some(SyncLock { _file: file })),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(error)) => return Err(io_error(&lock_path)(error)),
        }
        let OnBusy::Wait(said) = on_busy else {
            return Ok(None);
        };
        said();
        // The same open file (a duplicated handle) is locked on the blocking pool, so the
        // async runtime goes on meanwhile; the lock belongs to the file, which `SyncLock` keeps.
        let waiting = file.try_clone().map_err(io_error(&lock_path))?;
        let locked = tokio::task::spawn_blocking(move || FileExt::lock(&waiting))
            .await
            .map_err(|error| io_error(&lock_path)(std::io::Error::other(error)))?;
        locked.map_err(io_error(&lock_path))?;
        Ok(Some(SyncLock { _file: file }))
    }
}
