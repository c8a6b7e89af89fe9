//! `inbox-tui changes`: the contacts the snapshot's syncs saw appear, move, change or go, over a
//! past period (a table, NDJSON or CSV), or as they are seen (`--follow`, NDJSON, like `tail
//! -f`). Each run first brings the snapshot up to date.

use std::io::Write;
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::snapshot_cmd::{FullEvery, age_label, parse_duration, run_sync};
use super::{CliError, Connection, ConnectionArgs};
use crate::snapshot::{Change, Snapshot, SyncMode};

#[derive(Debug, Clone, clap::Args)]
pub struct ChangesArgs {
    /// How far back to report, e.g. 8h or 2d: the changes the syncs of that period saw
    #[arg(long, value_name = "DURATION", value_parser = parse_duration,
          required_unless_present = "follow")]
    pub since: Option<Duration>,

    /// Keep syncing and print each change as it is seen, one NDJSON line each, until
    /// interrupted; with --since, the changes of that period come first
    #[arg(long)]
    pub follow: bool,

    /// With --follow: the time between two syncs (each costs about one request when nothing
    /// moved)
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration,
          requires = "follow")]
    pub every: Duration,

    /// table (the default), ndjson or csv; --follow always writes NDJSON
    #[arg(long, value_enum)]
    pub format: Option<ChangesFormat>,

    /// Report from the snapshot as it is, without syncing first (no request)
    #[arg(long, conflicts_with = "follow")]
    pub no_sync: bool,

    #[command(flatten)]
    pub every_full: FullEvery,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChangesFormat {
    Table,
    Ndjson,
    Csv,
}

const CSV_HEADER: [&str; 6] = ["at", "kind", "id", "name", "status", "last_message_at"];

fn ndjson(change: &Change) -> String {
    serde_json::json!({
        "at": change.at.to_string(),
        "kind": change.kind.name(),
        "id": change.id,
        "name": change.name,
        "status": change.status,
        "last_message_at": change.last_message_at,
    })
    .to_string()
}

pub async fn run(
    api: &Connection,
    args: &ChangesArgs,
    time_zone: &TimeZone,
    config: &crate::config::Config,
) -> Result<(), CliError> {
    let format = match (args.follow, args.format) {
        (true, Some(format)) if format != ChangesFormat::Ndjson => {
            return Err(CliError::Usage(
                "--follow prints one NDJSON line a change; drop --format or use --format ndjson"
                    .into(),
            ));
        }
        (true, _) => ChangesFormat::Ndjson,
        (false, format) => format.unwrap_or(ChangesFormat::Table),
    };
    let path = api.snapshot_path()?;
    let mut snapshot = if args.no_sync {
        Snapshot::open(&path)?
    } else {
        Snapshot::create(&path)?
    };
    let mode = SyncMode::Auto {
        full_every: args.every_full.resolve(config),
    };
    if !args.no_sync {
        run_sync(api, &mut snapshot, mode).await?;
    }
    let since = match args.since {
        Some(since) => Timestamp::now()
            .checked_sub(jiff::SignedDuration::try_from(since).unwrap_or(jiff::SignedDuration::MAX))
            .unwrap_or(Timestamp::MIN),
        None => Timestamp::MAX,
    };
    let changes = if args.since.is_some() {
        snapshot.changes(since, 0)?
    } else {
        Vec::new()
    };
    super::say(format_args!(
        "{} change(s) in the snapshot, {}",
        changes.len(),
        age_label(snapshot.synced_at()?, time_zone)
    ));
    print(&changes, format, time_zone)?;
    if !args.follow {
        return Ok(());
    }
    let mut after = changes
        .last()
        .map_or(snapshot.last_change()?, |change| change.seq);
    loop {
        tokio::time::sleep(args.every).await;
        match run_sync(api, &mut snapshot, mode).await {
            Ok(_) => {}
            Err(error @ (CliError::TokenRejected(_) | CliError::Snapshot(_))) => return Err(error),
            Err(error) => {
                super::warn(&format!(
                    "{error}; trying again in {} s",
                    args.every.as_secs()
                ));
                continue;
            }
        }
        let seen = snapshot.changes(Timestamp::MIN, after)?;
        print(&seen, ChangesFormat::Ndjson, time_zone)?;
        if let Some(last) = seen.last() {
            after = last.seq;
        }
    }
}

fn print(changes: &[Change], format: ChangesFormat, time_zone: &TimeZone) -> Result<(), CliError> {
    let stdout_error = |source| CliError::Io {
        context: "cannot write to standard output".into(),
        source,
    };
    let mut stdout = std::io::stdout().lock();
    match format {
        ChangesFormat::Ndjson => {
            for change in changes {
                writeln!(stdout, "{}", ndjson(change)).map_err(stdout_error)?;
            }
        }
        ChangesFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut stdout);
            let csv_error = |error: csv::Error| CliError::Io {
                context: "cannot write to standard output".into(),
                source: std::io::Error::other(error),
            };
            writer.write_record(CSV_HEADER).map_err(csv_error)?;
            for change in changes {
                let at = change.at.to_string();
                let cells = [
                    at.as_str(),
                    change.kind.name(),
                    &change.id,
                    &change.name,
                    change.status.as_deref().unwrap_or(""),
                    change.last_message_at.as_deref().unwrap_or(""),
                ];
                writer
                    .write_record(
                        cells
                            .map(crate::export::spreadsheet_safe)
                            .iter()
                            .map(|c| c.as_bytes()),
                    )
                    .map_err(csv_error)?;
            }
            writer.flush().map_err(stdout_error)?;
        }
        ChangesFormat::Table => {
            use crate::text::{fit_width, terminal_safe};
            writeln!(
                stdout,
                "{}  {}  {}  {}  {}  LAST MESSAGE",
                fit_width("AT", 20),
                fit_width("KIND", 7),
                fit_width("ID", 24),
                fit_width("NAME", 24),
                fit_width("STATUS", 10)
            )
            .map_err(stdout_error)?;
            for change in changes {
                let last = change
                    .last_message_at
                    .as_deref()
                    .and_then(|at| at.parse::<Timestamp>().ok())
                    .map(|at| crate::dates::format_in_zone(at, time_zone))
                    .unwrap_or_default();
                writeln!(
                    stdout,
                    "{}  {}  {}  {}  {}  {last}",
                    fit_width(&crate::dates::format_in_zone(change.at, time_zone), 20),
                    fit_width(change.kind.name(), 7),
                    fit_width(&terminal_safe(&change.id), 24),
                    fit_width(&terminal_safe(&crate::text::single_line(&change.name)), 24),
                    fit_width(&terminal_safe(change.status.as_deref().unwrap_or("")), 10),
                )
                .map_err(stdout_error)?;
            }
        }
    }
    stdout.flush().map_err(stdout_error)
}
