//! `inbox-tui snapshot sync|status|drop`: the local snapshot of the account (see
//! `snapshot/mod.rs`), and the helpers the commands answering from it share.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::connection::snapshot_path;
use super::{CliError, Connection, ConnectionArgs, plural};
use crate::api::ApiError;
use crate::api::walk::{WalkError, WalkOptions};
use crate::snapshot::{self, OnBusy, Snapshot, SnapshotError, SyncError, SyncMode, SyncOutcome};

#[derive(Debug, Clone, clap::Args)]
pub struct SnapshotArgs {
    #[command(subcommand)]
    pub command: SnapshotCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum SnapshotCommand {
    /// Build the snapshot, or bring it up to date: a full read when there is none or the last
    /// full read is older than --full-every, else only the contacts that moved
    Sync(SyncArgs),
    /// Show the snapshot's file, size, contact count, age and last full read
    Status(StatusArgs),
    /// Delete the snapshot
    Drop(DropArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// Read every contact again now: catches changes that do not move a contact (a status set
    /// by an agent) and drops deleted contacts
    #[arg(long)]
    pub full: bool,

    #[command(flatten)]
    pub every: FullEvery,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// How often a full read is done, for every command that syncs.
#[derive(Debug, Clone, clap::Args)]
pub struct FullEvery {
    /// Do a full read when the last one is older than this (e.g. 12h, 2d); the others read
    /// only what moved [default: the config's `[snapshot] full_every`, else 24h]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub full_every: Option<Duration>,
}

impl FullEvery {
    /// The flag, else the config's `[snapshot] full_every`, else a day.
    pub fn resolve(&self, config: &crate::config::Config) -> Duration {
        self.full_every
            .or(config.snapshot_full_every())
            .unwrap_or(snapshot::DEFAULT_FULL_EVERY)
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {
    /// table: one line a fact; json: one object
    #[arg(long, value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DropArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub use crate::dates::parse_duration;

impl Connection {
    /// Where this account's snapshot lives: the profile and host name the account, and the
    /// embedded demo API (the same seeded contacts on every run, whatever its port) is `demo`.
    pub fn snapshot_path(&self) -> Result<PathBuf, CliError> {
        let account = if self.is_demo() {
            "demo".to_owned()
        } else {
            super::connection::account_name(
                self.profile.as_deref(),
                &super::connection::host_of(&self.client),
            )
        };
        snapshot_path(&account)
    }
}

/// "as of 2026-12-04 12:03 UTC, 4m ago": the age every answer from the snapshot carries.
pub fn age_label(synced_at: Option<Timestamp>, time_zone: &TimeZone) -> String {
    match synced_at {
        Some(at) => format!(
            "as of {}, {}",
            crate::dates::format_in_zone(at, time_zone),
            ago(at, Timestamp::now())
        ),
        None => "never synced".to_owned(),
    }
}

/// "just now", "4m ago", "3h ago", "2d ago".
fn ago(then: Timestamp, now: Timestamp) -> String {
    let seconds = now.duration_since(then).as_secs().max(0);
    match seconds {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{}m ago", seconds / 60),
        3600..86400 => format!("{}h ago", seconds / 3600),
        _ => format!("{}d ago", seconds / 86400),
    }
}

/// A failed sync as the command line reports it: a rejected token exits 4.
fn sync_error(error: SyncError) -> CliError {
    let rejected = |source: &ApiError| matches!(source, ApiError::Unauthorized { .. });
    match error {
        SyncError::Snapshot(error) => CliError::Snapshot(error),
        SyncError::Walk(WalkError::Fetch { source, .. }) if rejected(&source) => {
            CliError::TokenRejected(format!("the snapshot was not changed: {source}"))
        }
        other => CliError::Export(format!(
            "the sync failed, and the snapshot was not changed: {other}"
        )),
    }
}

/// Runs one sync, showing progress on a terminal (and with -v, a line a batch).
pub async fn run_sync(
    api: &Connection,
    snapshot: &mut Snapshot,
    mode: SyncMode,
) -> Result<SyncOutcome, CliError> {
    let on_terminal = std::io::stderr().is_terminal();
    let on_progress = move |contacts: u64, pages: u64| {
        tracing::debug!(contacts, pages, "snapshot sync: {contacts} contacts read");
        if on_terminal {
            super::say_inline(format_args!(
                "\rsyncing: {contacts} contacts read, {pages} pages"
            ));
        }
    };
    let walk = WalkOptions {
        retry: api.client.retry_policy().clone(),
        ..WalkOptions::default()
    };
    let waiting = || {
        super::say(format_args!(
            "another sync of this snapshot is running (the browser's background sync, or another \
             command); waiting for it to end"
        ));
    };
    let outcome = snapshot::sync(
        &api.client,
        snapshot,
        mode,
        OnBusy::Wait(&waiting),
        &walk,
        &on_progress,
    )
    .await;
    if on_terminal {
        super::say(format_args!(""));
    }
    outcome.map_err(sync_error)
}

/// The summary line of a sync.
pub fn describe(outcome: &SyncOutcome, contacts: u64) -> String {
    let written = &outcome.written;
    format!(
        "{} sync: {} in the snapshot; {} new, {} moved, {} changed, {} gone; {}",
        if outcome.full { "full" } else { "incremental" },
        plural(contacts, "contact", "contacts"),
        written.new,
        written.moved,
        written.changed,
        written.gone,
        plural(outcome.requests, "request", "requests"),
    ) + &match written.unreadable {
        0 => String::new(),
        unreadable => format!(
            "\nwarning: {} could not be read (no _id) and were left out",
            plural(unreadable, "contact", "contacts")
        ),
    }
}

/// `snapshot sync`.
pub async fn sync(
    api: &Connection,
    args: &SyncArgs,
    config: &crate::config::Config,
) -> Result<(), CliError> {
    let mut snapshot = Snapshot::create(&api.snapshot_path()?)?;
    let mode = if args.full {
        SyncMode::Full
    } else {
        SyncMode::Auto {
            full_every: args.every.resolve(config),
        }
    };
    let outcome = run_sync(api, &mut snapshot, mode).await?;
    let contacts = snapshot.status()?.contacts;
    super::say(format_args!("{}", describe(&outcome, contacts)));
    Ok(())
}

/// `snapshot status`.
pub fn status(path: &Path, args: &StatusArgs, time_zone: &TimeZone) -> Result<(), CliError> {
    let snapshot = Snapshot::open(path)?;
    let status = snapshot.status()?;
    let time = |at: Option<Timestamp>| at.map(|at| at.to_string());
    let text = match args.format {
        StatusFormat::Json => serde_json::json!({
            "path": status.path.display().to_string(),
            "size_bytes": status.size_bytes,
            "contacts": status.contacts,
            "synced_at": time(status.synced_at),
            "full_read_at": time(status.full_at),
            "mark": status.mark,
        })
        .to_string(),
        StatusFormat::Table => [
            format!("file        {}", status.path.display()),
            format!("size        {:.1} MB", status.size_bytes as f64 / 1e6),
            format!("contacts    {}", status.contacts),
            format!("synced      {}", age_label(status.synced_at, time_zone)),
            format!("full read   {}", age_label(status.full_at, time_zone)),
            format!(
                "mark        {}",
                status
                    .mark
                    .as_deref()
                    .unwrap_or("none (newest lastMessage.at read)")
            ),
        ]
        .join("\n"),
    };
    super::print_line(&crate::text::terminal_safe(&text))
}

/// `snapshot drop`.
pub fn drop_snapshot(path: &Path) -> Result<(), CliError> {
    if Snapshot::remove(path)? {
        super::say(format_args!("deleted the snapshot {}", path.display()));
    } else {
        super::say(format_args!("there was no snapshot ({})", path.display()));
    }
    Ok(())
}

impl From<SnapshotError> for CliError {
    fn from(error: SnapshotError) -> CliError {
        CliError::Snapshot(error)
    }
}
