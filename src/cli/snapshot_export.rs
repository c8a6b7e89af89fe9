//! `inbox-tui export --from-snapshot`: the export written from the local snapshot, after an
//! incremental sync has taken what moved since the last one.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::export::{ExportArgs, agent_names, format_for};
use super::snapshot_cmd::{age_label, describe, run_sync};
use super::{CliError, Connection, plural};
use crate::export::{self, CsvStyle, Destination, ExportError, ExportFormat, ExportJob, Scope};
use crate::signals::StopSignals;
use crate::snapshot::{LocalQuery, Snapshot, SnapshotError, SyncMode};

/// Runs the export from the snapshot, or walks the API when the snapshot cannot evaluate the
/// filters (said on stderr).
pub async fn run(
    api: &Connection,
    args: &ExportArgs,
    csv_defaults: CsvStyle,
    time_zone: &jiff::tz::TimeZone,
) -> Result<(), CliError> {
    let query = args.filters.to_query(time_zone)?;
    let local = match LocalQuery::new(&query) {
        Ok(local) => local,
        Err(why) => {
            super::say(format_args!(
                "note: the snapshot cannot answer this ({why}); walking the API instead"
            ));
            return super::export::run(&api.client, args, csv_defaults, time_zone).await;
        }
    };
    let mut snapshot = Snapshot::open(&api.snapshot_path()?)?;
    let destination = Destination::parse(&args.output);
    let format = args.format.unwrap_or_else(|| format_for(&destination));
    if args.columns.is_some() && format != ExportFormat::Csv {
        return Err(CliError::Usage(
            "--fields chooses CSV columns, and this export keeps each contact whole; drop --fields"
                .into(),
        ));
    }
    let outcome = run_sync(api, &mut snapshot, SyncMode::Incremental).await?;
    let contacts = snapshot.status()?.contacts;
    super::say(format_args!("catch-up: {}", describe(&outcome, contacts)));
    let agent_names = if format == ExportFormat::Csv {
        agent_names(&api.client).await?
    } else {
        HashMap::new()
    };
    let job = ExportJob {
        query,
        scope: Scope::Matching,
        format,
        destination: destination.clone(),
        walk: Default::default(),
        agent_names,
        csv: args.csv_style(csv_defaults),
        columns: args.columns.clone().unwrap_or_default(),
        limit: args.limit,
    };
    // The scan runs on this thread; a signal sets `stopped`, which the scan checks at every
    // contact, and the partial file is removed.
    let mut signals = StopSignals::new(true).map_err(|source| CliError::Io {
        context: "cannot watch for signals".into(),
        source,
    })?;
    let stopped = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn({
        let stopped = Arc::clone(&stopped);
        async move {
            let stop = signals.next().await;
            stopped.store(true, Ordering::SeqCst);
            stop
        }
    });
    let outcome = tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(export::run_from_json(&job, |each| {
            snapshot
                .for_each_matching(&local, |json| {
                    if stopped.load(Ordering::SeqCst) {
                        return Ok(false);
                    }
                    each(json).map_err(|source| SnapshotError::Io {
                        context: "cannot write a contact".into(),
                        source,
                    })
                })
                .map_err(std::io::Error::other)?;
            if stopped.load(Ordering::SeqCst) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "stopped by a signal",
                ));
            }
            Ok(())
        }))
    });
    let stop = if stopped.load(Ordering::SeqCst) {
        watcher.await.ok()
    } else {
        watcher.abort();
        None
    };
    if let Some(stop) = stop {
        return Err(CliError::Stopped {
            stop,
            what: format!(
                "the export was cancelled; {} was not written",
                destination.describe()
            ),
        });
    }
    match outcome {
        Ok(summary) => {
            super::say(format_args!(
                "exported {} to {} ({}, {:.1} s) from the snapshot {}",
                plural(summary.contacts, "contact", "contacts"),
                crate::text::terminal_safe(&destination.describe()),
                format.extension(),
                summary.elapsed.as_secs_f64(),
                age_label(snapshot.synced_at()?, time_zone)
            ));
            Ok(())
        }
        Err(ExportError::Io { context, source }) => Err(CliError::Io { context, source }),
        Err(error @ ExportError::Walk(_)) => Err(CliError::Export(error.to_string())),
    }
}
