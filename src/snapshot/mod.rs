//! The local snapshot of an account: one read of every contact, kept in an embedded database,
//! so counts, facets, selections and exports come back in milliseconds instead of a walk of the
//! whole account (20,000 requests at a million contacts), and a few requests a minute keep it
//! fresh.
//!
//! **Why SQLite (rusqlite, `bundled`).** A snapshot must survive being killed mid-sync (the old
//! state or the new, never half): SQLite's transactions give that on every file system, with
//! no code of ours. `bundled` compiles SQLite into the binary, so a fresh CI machine or a user's
//! needs no system library, and no OpenSSL comes with it. Its page cache is bounded (a few MiB),
//! so neither a sync nor a scan of a million contacts grows with the account. redb would also
//! be atomic, but every filter scan would then decode our own row format, and the file could
//! not be inspected with the `sqlite3` tool when a count looks wrong.
//!
//! One file per account (profile and host) in the state directory, mode 0600 (its write-ahead
//! log and shared-memory files inherit that mode from it); the token is never stored. Each
//! contact's filter fields are columns (`store.rs`), its original JSON is kept deflated beside
//! them for JSON exports, and every sync records what it saw change ([`Change`]).

mod columns;
mod facets;
mod fields;
mod lock;
mod matcher;
mod pages;
mod store;
mod sync;

use std::path::PathBuf;

pub use columns::Codes;
pub use facets::{Facet, Tally};
pub use fields::{LIST_SEPARATOR, Needs, Record, RowView, flag};
pub use lock::{OnBusy, SyncLock};
pub use matcher::{LocalQuery, Unanswerable};
pub use store::{Change, ChangeKind, Snapshot, SnapshotError, Status, Written, lock_path};
pub use sync::{DEFAULT_FULL_EVERY, SyncError, SyncMode, SyncOutcome, sync};

/// Where the snapshot of `account` lives: `<state dir>/snapshots/<account>.sqlite`, the name
/// made safe for a file name. `None` without a state directory (neither `XDG_STATE_HOME` nor
/// `HOME` set).
pub fn path_for(account: &str) -> Option<PathBuf> {
    let name: String = account
        .chars()
        .map(|character| match character {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '@' => character,
            _ => '_',
        })
        .collect();
    Some(
        crate::logging::state_dir()?
            .join("snapshots")
            .join(format!("{name}.sqlite")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_become_safe_file_names() {
        let path = path_for("work/../x@api.example.com:8080").expect("a state dir in tests");
        assert_eq!(
            path.file_name().and_then(|name| name.to_str()),
            Some("work_.._x@api.example.com_8080.sqlite")
        );
    }
}
