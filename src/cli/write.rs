//! `inbox-tui set-status`, `delete`, `undo` and `history`: the writes, headless.
//!
//! Each walks its selection first, shows (or with `--dry-run` only lists) what would change,
//! asks on a terminal and refuses without one unless `--yes`, journals and sends the changes,
//! then reads them back. See `write/` for the engine.

use std::io::{self, BufRead, IsTerminal, Write as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{CliError, Connection, ConnectionArgs, FilterArgs, plural, say};
use crate::api::walk::{WalkError, WalkOptions};
use crate::api::{ApiError, Client, IdSet, Status};
use crate::signals::{Stop, StopSignals};
use crate::text::terminal_safe;
use crate::write::journal::{self, Record};
use crate::write::plan::{self, SAMPLE_SIZE};
use crate::write::run::{self, Progress};
use crate::write::{Action, Change, DELETED, Decision, Journal, Plan, RunLog, Target, verify};

/// Failed or unchanged ids named on stderr; the journal has them all.
const IDS_SHOWN: usize = 20;

/// What every write command takes: the selection and the safety flags.
#[derive(Debug, Clone, clap::Args)]
pub struct WriteArgs {
    #[command(flatten)]
    pub filters: FilterArgs,

    /// Act only on the contact ids in this file (one per line, or a CSV whose first column is
    /// the id), among those matching the filters. Every id must be 24 hex characters; the run
    /// is refused before any request otherwise, and when a listed id is not found
    #[arg(long, value_name = "FILE")]
    pub ids_from: Option<PathBuf>,

    /// Act on at most N contacts (newest first)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,

    /// List what would change (id, status now, status after, tab-separated) on stdout, and send
    /// nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation. Without a terminal to ask on, writes are refused unless
    /// this is given
    #[arg(long)]
    pub yes: bool,

    /// Finish a stopped run (its name from `inbox-tui history`; the newest unfinished one when
    /// left out): send what its journal does not show as confirmed, then read back
    #[arg(long, value_name = "RUN", num_args = 0..=1, default_missing_value = "")]
    pub resume: Option<String>,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SetStatusArgs {
    /// The new status: open, inprogress, review, onhold, dependency (sent as the API's
    /// DEPENDANCY) or closed. To delete, use `inbox-tui delete`
    #[arg(value_name = "STATUS", required_unless_present = "resume")]
    pub status: Option<String>,

    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct UndoArgs {
    /// The run to undo (`inbox-tui history` lists them); when left out, the newest run that is
    /// not an undo and has not been undone
    pub run: Option<String>,

    /// List what would be set back, and send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation (needed without a terminal)
    #[arg(long)]
    pub yes: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct HistoryArgs {}

/// The status `text` names, refused unless it is one of the conversation statuses.
fn parse_new_status(text: &str) -> Result<String, CliError> {
    let status = Status::parse(text.trim());
    match status {
        Status::Deleted => Err(CliError::Usage(
            "DELETED deletes contacts: use `inbox-tui delete`, which asks for the typed \
             confirmation deletions need"
                .into(),
        )),
        Status::Other(other) => Err(CliError::Usage(format!(
            "{:?} is not a status; use one of open, inprogress, review, onhold, dependency, \
             closed",
            terminal_safe(&other)
        ))),
        known => Ok(known.as_str().to_owned()),
    }
}

/// `set-status STATUS` (or `--resume`).
pub async fn set_status(
    args: &SetStatusArgs,
    outer: &ConnectionArgs,
    time_zone: &jiff::tz::TimeZone,
) -> Result<(), CliError> {
    let status = match (&args.status, &args.write.resume) {
        (Some(_), Some(_)) => {
            return Err(CliError::Usage(
                "--resume finishes a run as its journal says; drop STATUS".into(),
            ));
        }
        (Some(status), None) => Some(parse_new_status(status)?),
        (None, _) => None,
    };
    write_command(Action::SetStatus, status, &args.write, outer, time_zone).await
}

/// `delete` (or `--resume`).
pub async fn delete(
    args: &DeleteArgs,
    outer: &ConnectionArgs,
    time_zone: &jiff::tz::TimeZone,
) -> Result<(), CliError> {
    write_command(
        Action::Delete,
        Some(DELETED.to_owned()),
        &args.write,
        outer,
        time_zone,
    )
    .await
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> CliError {
    let context = context.into();
    move |source| CliError::Io { context, source }
}

/// Refuses a write nobody can confirm, before anything is fetched.
fn require_confirmable(yes: bool, dry_run: bool) -> Result<(), CliError> {
    if yes || dry_run || io::stdin().is_terminal() {
        return Ok(());
    }
    Err(CliError::Usage(
        "refusing to change contacts without a terminal to confirm on; look first with \
         --dry-run, then pass --yes"
            .into(),
    ))
}

async fn write_command(
    action: Action,
    status: Option<String>,
    args: &WriteArgs,
    outer: &ConnectionArgs,
    time_zone: &jiff::tz::TimeZone,
) -> Result<(), CliError> {
    require_confirmable(args.yes, args.dry_run)?;
    if let Some(run) = &args.resume {
        let chosen = args.ids_from.is_some()
            || args.limit.is_some()
            || args.filters.to_query(time_zone)? != crate::api::Query::default();
        if chosen {
            return Err(CliError::Usage(
                "--resume finishes a run on the set its journal fixed; drop the filters, \
                 --ids-from and --limit"
                    .into(),
            ));
        }
        if args.dry_run {
            return Err(CliError::Usage(
                "--dry-run and --resume do not go together: a resumed run sends what its \
                 journal has left; `inbox-tui history` shows it"
                    .into(),
            ));
        }
        let connection = args.connection.clone().or(outer);
        let loaded = connection.location.load()?;
        let api = Connection::open(&connection, &loaded.config).await?;
        let result = resume(&api.client, action, run, args.yes).await;
        api.close().await;
        return result;
    }
    let Some(status) = status else {
        return Err(CliError::Usage("say which status to set".into()));
    };
    let query = args.filters.to_query(time_zone)?;
    let only = match &args.ids_from {
        Some(path) => Some(read_ids(path)?),
        None => None,
    };
    let describe = describe_selection(args);
    let selection = Target {
        query,
        only,
        except: IdSet::new(),
        limit: args.limit,
        describe,
    };
    let connection = args.connection.clone().or(outer);
    let loaded = connection.location.load()?;
    let api = Connection::open(&connection, &loaded.config).await?;
    let result = plan_and_run(&api.client, action, &status, &selection, args).await;
    api.close().await;
    result
}

/// The filters and flags the set was chosen by, for the journal.
fn describe_selection(args: &WriteArgs) -> String {
    let mut parts = Vec::new();
    if let Some(path) = &args.ids_from {
        parts.push(format!("ids from {}", path.display()));
    }
    let query = serde_json::to_value(args.filters.to_query(&jiff::tz::TimeZone::UTC).ok())
        .unwrap_or_default();
    if let Some(fields) = query.as_object() {
        let filters: Vec<String> = fields
            .iter()
            .filter(|(_, value)| filters_something(value))
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        if !filters.is_empty() {
            parts.push(filters.join(" "));
        }
    }
    if let Some(limit) = args.limit {
        parts.push(format!("limit {limit}"));
    }
    if parts.is_empty() {
        "every contact".into()
    } else {
        parts.join("; ")
    }
}

/// Whether a request field holds a filter: not `""`, `[]`, `false`, nor an object of those.
fn filters_something(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Bool(on) => *on,
        Value::Object(fields) => fields.values().any(filters_something),
        Value::Null => false,
        Value::Number(_) => true,
    }
}

fn walk_options(client: &Client) -> WalkOptions {
    WalkOptions {
        retry: client.retry_policy().clone(),
        ..WalkOptions::default()
    }
}

/// Signals stop a plan's walk at once (nothing was written yet) and a run between chunks.
fn watch_signals(
    stop: &Arc<AtomicBool>,
) -> Result<tokio::sync::watch::Receiver<Option<Stop>>, CliError> {
    let mut signals = StopSignals::new(true).map_err(io_error("cannot watch for signals"))?;
    let (sender, receiver) = tokio::sync::watch::channel(None);
    let stop = Arc::clone(stop);
    tokio::spawn(async move {
        let signal = signals.next().await;
        stop.store(true, Ordering::SeqCst);
        let _ = sender.send(Some(signal));
    });
    Ok(receiver)
}

async fn plan_and_run(
    client: &Client,
    action: Action,
    status: &str,
    selection: &Target,
    args: &WriteArgs,
) -> Result<(), CliError> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut stopped = watch_signals(&stop)?;
    let options = walk_options(client);
    let planning = plan::plan(client, selection, &options, plan::set_to(status), &|_| {});
    let plan = tokio::select! {
        plan = planning => plan.map_err(|error| walk_failed("reading the contacts to change", error))?,
        signal = stopped.wait_for(Option::is_some) => {
            let stop = signal.ok().and_then(|signal| *signal).unwrap_or(Stop::Interrupt);
            return Err(CliError::Stopped { stop, what: "nothing was changed".into() });
        }
    };
    if !plan.missing.is_empty() {
        say(format_args!(
            "{} listed in {} {} not found among the contacts matching the filters:",
            plural(plan.missing.len() as u64, "id", "ids"),
            args.ids_from
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            if plan.missing.len() == 1 {
                "was"
            } else {
                "were"
            }
        ));
        name_ids(plan.missing.iter());
        return Err(CliError::Missing(
            "nothing was changed; fix the list or the filters and run again".into(),
        ));
    }
    let verb = verb(action, status);
    if args.dry_run {
        print_changes(&plan.changes)?;
        say(format_args!(
            "dry run: would {verb} {}{}; nothing was sent",
            plural(plan.changes.len() as u64, "contact", "contacts"),
            left_out(&plan)
        ));
        return Ok(());
    }
    if plan.changes.is_empty() {
        say(format_args!("nothing to change{}", left_out(&plan)));
        return Ok(());
    }
    if !args.yes {
        confirm(action, &verb, &plan)?;
    }
    let host = client.base_url().to_string();
    let mut journal =
        Journal::create(action).map_err(io_error("cannot create the journal of writes"))?;
    run::start(
        &mut journal,
        action,
        None,
        &host,
        &selection.describe,
        &plan.changes,
    )
    .map_err(io_error("cannot write the journal of writes"))?;
    say(format_args!(
        "run {}: {verb} {} (journal {})",
        journal.run(),
        plural(plan.changes.len() as u64, "contact", "contacts"),
        journal.path().display()
    ));
    send_and_verify(client, journal, &plan.changes, 0, &stop, &stopped).await
}

/// "set to CLOSED", "delete".
fn verb(action: Action, status: &str) -> String {
    match action {
        Action::Delete => "delete".into(),
        Action::SetStatus => format!("set to {status}"),
        Action::Undo => "set back".into(),
    }
}

fn left_out(plan: &Plan) -> String {
    match plan.describe_skipped() {
        skipped if skipped.is_empty() => String::new(),
        skipped => format!(" (left out: {skipped})"),
    }
}

/// What would change, one contact a line: id, status now, status after.
fn print_changes(changes: &[Change]) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    for change in changes {
        writeln!(stdout, "{}\t{}\t{}", change.id, change.from, change.to)
            .map_err(io_error("cannot write to stdout"))?;
    }
    stdout.flush().map_err(io_error("cannot write to stdout"))
}

/// Shows the count and a sample, and asks on the terminal.
fn confirm(action: Action, verb: &str, plan: &Plan) -> Result<(), CliError> {
    let count = plan.changes.len();
    say(format_args!(
        "about to {verb} {}{}, for example:",
        plural(count as u64, "contact", "contacts"),
        left_out(plan)
    ));
    for (change, name) in plan.sample.iter().take(SAMPLE_SIZE) {
        say(format_args!(
            "  {}  {}  {} → {}",
            change.id,
            terminal_safe(name),
            change.from,
            change.to
        ));
    }
    let status = plan
        .changes
        .first()
        .map(|change| change.to.as_str())
        .unwrap_or("");
    let status = if action == Action::Delete {
        DELETED
    } else {
        status
    };
    let (prompt, expected) = match crate::write::confirm_phrase(status, count) {
        Some(phrase) => (format!("type {phrase:?} to go on: "), phrase),
        None => ("go on? [y/N] ".to_owned(), "y".to_owned()),
    };
    super::say_inline(format_args!("{prompt}"));
    let mut answer = String::new();
    io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(io_error("cannot read the answer"))?;
    if answer.trim().eq_ignore_ascii_case(&expected) {
        Ok(())
    } else {
        Err(CliError::Usage("not confirmed; nothing was changed".into()))
    }
}

/// Sends the changes, reads them back, ends the journal and says what happened.
async fn send_and_verify(
    client: &Client,
    mut journal: Journal,
    changes: &[Change],
    first_chunk: u32,
    stop: &AtomicBool,
    stopped: &tokio::sync::watch::Receiver<Option<Stop>>,
) -> Result<(), CliError> {
    let options = walk_options(client);
    let show_progress = io::stderr().is_terminal();
    let on_progress = move |progress: Progress| {
        if show_progress {
            super::say_inline(format_args!(
                "\rwriting: {} of {} answered, {} failed",
                progress.done, progress.total, progress.failed
            ));
        }
    };
    let executed = run::execute(
        client,
        &options,
        &mut journal,
        changes,
        first_chunk,
        stop,
        &on_progress,
    )
    .await
    .map_err(io_error(
        "cannot write the journal of writes; the run stopped",
    ))?;
    if show_progress {
        say(format_args!(""));
    }
    let run_name = journal.run().to_owned();
    if let Some(error) = &executed.rejected {
        end(&mut journal, "failed", Some(error.to_string()))?;
        return Err(CliError::TokenRejected(rejected_write(
            error, &executed, &run_name,
        )));
    }
    if executed.stopped {
        end(
            &mut journal,
            "stopped",
            Some("stopped between requests".into()),
        )?;
        let stop = (*stopped.borrow()).unwrap_or(Stop::Interrupt);
        return Err(CliError::Stopped {
            stop,
            what: format!(
                "{} changed, {} not sent; the journal {} says which, and `inbox-tui {} \
                 --resume {run_name}` finishes the run",
                executed.confirmed.len(),
                executed.not_sent.len(),
                journal.path().display(),
                command_of(&journal)
            ),
        });
    }
    let confirmed: IdSet = executed.confirmed.iter().fold(IdSet::new(), |mut set, id| {
        set.insert(id);
        set
    });
    let sent: Vec<Change> = changes
        .iter()
        .filter(|change| confirmed.contains(&change.id))
        .cloned()
        .collect();
    let unchanged = verify::unchanged(client, &sent, &options)
        .await
        .map_err(|error| walk_failed("reading the statuses back", error))?;
    journal
        .write(&Record::Verified {
            unchanged: unchanged.clone(),
            at: journal::now(),
        })
        .map_err(io_error("cannot write the journal of writes"))?;
    let failed: Vec<&String> = executed.failed_ids().collect();
    let state = if failed.is_empty() && unchanged.is_empty() {
        "done"
    } else {
        "failed"
    };
    end(&mut journal, state, None)?;
    say(format_args!(
        "run {run_name}: {} changed and read back{}",
        plural((sent.len() - unchanged.len()) as u64, "contact", "contacts"),
        if failed.is_empty() {
            String::new()
        } else {
            format!(", {} failed", failed.len())
        }
    ));
    for (ids, error) in &executed.failed {
        say(format_args!(
            "failed ({}): {}",
            plural(ids.len() as u64, "contact", "contacts"),
            terminal_safe(error)
        ));
        name_ids(ids.iter());
    }
    if !unchanged.is_empty() {
        say(format_args!(
            "{} accepted by the server but not changed when read back:",
            plural(unchanged.len() as u64, "contact was", "contacts were")
        ));
        name_ids(unchanged.iter());
    }
    if failed.is_empty() && unchanged.is_empty() {
        Ok(())
    } else {
        Err(CliError::Write(format!(
            "run {run_name} did not change every contact; `inbox-tui {} --resume {run_name}` \
             sends the failed ones again",
            command_of(&journal)
        )))
    }
}

fn command_of(journal: &Journal) -> &'static str {
    if journal.run().contains("-delete") {
        "delete"
    } else {
        "set-status"
    }
}

fn end(journal: &mut Journal, state: &str, reason: Option<String>) -> Result<(), CliError> {
    journal
        .write(&Record::End {
            state: state.to_owned(),
            reason,
            at: journal::now(),
        })
        .map_err(io_error("cannot write the journal of writes"))
}

/// A 401 or 403 on a write: reads may work with a token that may not write.
fn rejected_write(error: &ApiError, executed: &run::Executed, run: &str) -> String {
    let status = match error {
        ApiError::Unauthorized { status, .. } => *status,
        _ => 0,
    };
    let why = if status == 403 {
        "the API answered 403 Forbidden to the write: this token may read contacts but not \
         change them (a read-only token, or an account without that permission). Nothing more \
         was sent; use a token with write access"
            .to_owned()
    } else {
        format!("the API rejected the token: {error}")
    };
    format!(
        "{why}. Run {run}: {} changed before, {} not sent",
        executed.confirmed.len(),
        executed.not_sent.len() + executed.failed_ids().count()
    )
}

fn walk_failed(what: &str, error: WalkError) -> CliError {
    match error {
        WalkError::Fetch {
            source: source @ ApiError::Unauthorized { .. },
            ..
        } => CliError::Api(source),
        error => CliError::Write(format!("{what} failed: {error}")),
    }
}

fn name_ids<'a>(ids: impl Iterator<Item = &'a String>) {
    let ids: Vec<&String> = ids.collect();
    for id in ids.iter().take(IDS_SHOWN) {
        say(format_args!("  {}", terminal_safe(id)));
    }
    if ids.len() > IDS_SHOWN {
        say(format_args!(
            "  … and {} more (the journal lists them all)",
            ids.len() - IDS_SHOWN
        ));
    }
}

/// The run `--resume` or `undo` names, or the newest one `wanted` accepts.
fn pick_run(
    name: Option<&str>,
    wanted: impl Fn(&RunLog) -> bool,
    what: &str,
) -> Result<RunLog, CliError> {
    let usage = |error: io::Error| CliError::Usage(error.to_string());
    if let Some(name) = name.filter(|name| !name.is_empty()) {
        return RunLog::read(name).map_err(usage);
    }
    for run in journal::list_runs().map_err(usage)?.iter().rev() {
        let log = RunLog::read(run).map_err(usage)?;
        if wanted(&log) {
            return Ok(log);
        }
    }
    Err(CliError::Usage(format!(
        "there is no {what}; `inbox-tui history` lists the runs"
    )))
}

/// The runs an undo run has set back already: a bare `undo` skips them, so that a second one
/// does not redo the first.
fn undone_runs() -> Result<std::collections::HashSet<String>, CliError> {
    let usage = |error: io::Error| CliError::Usage(error.to_string());
    let mut undone = std::collections::HashSet::new();
    for run in journal::list_runs().map_err(usage)? {
        if let Some(of) = RunLog::read(&run).map_err(usage)?.undo_of {
            undone.insert(of);
        }
    }
    Ok(undone)
}

/// Refuses a run kept for another host: its ids mean nothing there.
fn same_host(log: &RunLog, client: &Client) -> Result<(), CliError> {
    let host = client.base_url().to_string();
    if log.host == host {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "run {} wrote to {}, and this command talks to {host}; use the same account \
             (--base-url, --profile)",
            log.run,
            terminal_safe(&log.host)
        )))
    }
}

async fn resume(client: &Client, action: Action, run: &str, yes: bool) -> Result<(), CliError> {
    let log = pick_run(
        Some(run),
        |log| log.action == Some(action) && log.end.as_deref() != Some("done"),
        &format!("unfinished {} run", action.command()),
    )?;
    if log.action != Some(action) {
        return Err(CliError::Usage(format!(
            "run {} is a {} run; resume it with `inbox-tui {}`",
            log.run,
            log.action.map_or("?", Action::command),
            log.action.map_or("?", Action::command)
        )));
    }
    same_host(&log, client)?;
    let changes: Vec<Change> = log
        .remaining()
        .into_iter()
        .map(|(id, from, to)| Change { id, from, to })
        .collect();
    if changes.is_empty() {
        say(format_args!(
            "run {}: every change is already confirmed",
            log.run
        ));
        return Ok(());
    }
    if !yes {
        let plan = Plan {
            sample: changes
                .iter()
                .take(SAMPLE_SIZE)
                .map(|change| (change.clone(), String::new()))
                .collect(),
            changes: changes.clone(),
            ..Plan::default()
        };
        confirm(action, &format!("finish run {}:", log.run), &plan)?;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = watch_signals(&stop)?;
    let mut journal = Journal::append_to(&log.run).map_err(io_error("cannot open the journal"))?;
    journal
        .write(&Record::Resumed { at: journal::now() })
        .map_err(io_error("cannot write the journal of writes"))?;
    say(format_args!(
        "run {}: sending the {} not confirmed",
        log.run,
        plural(changes.len() as u64, "contact", "contacts")
    ));
    send_and_verify(client, journal, &changes, log.next_chunk, &stop, &stopped).await
}

/// `undo [RUN]`: sets each contact a run changed back to the status it had, if nobody changed
/// it since. Deletions are beyond undo.
pub async fn undo(client: &Client, args: &UndoArgs) -> Result<(), CliError> {
    let undone = undone_runs()?;
    let log = pick_run(
        args.run.as_deref(),
        |log| log.undo_of.is_none() && !undone.contains(&log.run),
        "run left to undo",
    )?;
    same_host(&log, client)?;
    let changed: IdSet =
        log.confirmed
            .iter()
            .chain(&log.in_doubt)
            .fold(IdSet::new(), |mut set, id| {
                set.insert(id);
                set
            });
    let deleted = log
        .contacts
        .iter()
        .filter(|(id, _, to)| to == DELETED && changed.contains(id))
        .count();
    if deleted > 0 {
        return Err(CliError::Usage(format!(
            "run {} deleted {}: deletions are beyond undo. Nothing documents that setting a \
             deleted contact's status brings it back, and the demo API keeps deleted contacts \
             deleted",
            log.run,
            plural(deleted as u64, "contact", "contacts")
        )));
    }
    let back: std::collections::HashMap<String, (String, String)> = log
        .contacts
        .iter()
        .filter(|(id, _, _)| changed.contains(id))
        .map(|(id, from, to)| (id.clone(), (to.clone(), from.clone())))
        .collect();
    if back.is_empty() {
        say(format_args!(
            "run {} changed nothing; nothing to undo",
            log.run
        ));
        return Ok(());
    }
    let statuses: std::collections::BTreeSet<&str> =
        back.values().map(|(now, _)| now.as_str()).collect();
    let selection = Target {
        query: crate::api::Query {
            status: statuses
                .iter()
                .map(|status| Status::parse(status))
                .collect(),
            ..crate::api::Query::default()
        },
        only: Some(changed),
        except: IdSet::new(),
        limit: None,
        describe: format!("undo of run {}", log.run),
    };
    let decide = |contact: &crate::api::Contact, status: &str| {
        let id = contact
            .id()
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match back.get(&id) {
            Some((set, before)) if set == status => Decision::Change(before.clone()),
            _ => Decision::Skip("changed since the run (left alone)"),
        }
    };
    let options = walk_options(client);
    let mut plan = plan::plan(client, &selection, &options, decide, &|_| {})
        .await
        .map_err(|error| walk_failed("reading the contacts to set back", error))?;
    if !plan.missing.is_empty() {
        say(format_args!(
            "{} of run {} no longer {} the status the run set, and {} left alone",
            plural(plan.missing.len() as u64, "contact", "contacts"),
            log.run,
            if plan.missing.len() == 1 {
                "has"
            } else {
                "have"
            },
            if plan.missing.len() == 1 { "is" } else { "are" },
        ));
        plan.missing.clear();
    }
    if args.dry_run {
        print_changes(&plan.changes)?;
        say(format_args!(
            "dry run: would set back {}{}; nothing was sent",
            plural(plan.changes.len() as u64, "contact", "contacts"),
            left_out(&plan)
        ));
        return Ok(());
    }
    if plan.changes.is_empty() {
        say(format_args!("nothing to set back{}", left_out(&plan)));
        return Ok(());
    }
    if !args.yes {
        confirm(Action::Undo, "set back", &plan)?;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = watch_signals(&stop)?;
    let host = client.base_url().to_string();
    let mut journal =
        Journal::create(Action::Undo).map_err(io_error("cannot create the journal of writes"))?;
    run::start(
        &mut journal,
        Action::Undo,
        Some(log.run.clone()),
        &host,
        &selection.describe,
        &plan.changes,
    )
    .map_err(io_error("cannot write the journal of writes"))?;
    say(format_args!(
        "run {}: setting back {} changed by run {}",
        journal.run(),
        plural(plan.changes.len() as u64, "contact", "contacts"),
        log.run
    ));
    send_and_verify(client, journal, &plan.changes, 0, &stop, &stopped).await
}

/// `history`: every run, oldest first, one a line.
pub fn history() -> Result<(), CliError> {
    let usage = |error: io::Error| CliError::Usage(error.to_string());
    let runs = journal::list_runs().map_err(usage)?;
    let mut stdout = io::stdout().lock();
    let write_error = io_error("cannot write to stdout");
    if runs.is_empty() {
        say(format_args!("no writes yet"));
        return Ok(());
    }
    writeln!(
        stdout,
        "RUN\tSTARTED\tACTION\tTO\tCONTACTS\tCONFIRMED\tFAILED\tSTATE\tHOST"
    )
    .map_err(io_error("cannot write to stdout"))?;
    for run in runs {
        let log = RunLog::read(&run).map_err(usage)?;
        let to: std::collections::BTreeSet<&str> =
            log.contacts.iter().map(|(_, _, to)| to.as_str()).collect();
        let state = match (&log.unchanged, log.state()) {
            (Some(unchanged), state) if !unchanged.is_empty() => {
                format!("{state} ({} unchanged)", unchanged.len())
            }
            (_, state) => state.to_owned(),
        };
        writeln!(
            stdout,
            "{}\t{}\t{}{}\t{}\t{}\t{}\t{}\t{}\t{}",
            log.run,
            log.started,
            log.action.map_or("?", Action::command),
            log.undo_of
                .map(|run| format!(" of {run}"))
                .unwrap_or_default(),
            to.into_iter().collect::<Vec<_>>().join(","),
            log.contacts.len(),
            log.confirmed.len(),
            log.failed.len() + log.in_doubt.len(),
            state,
            terminal_safe(&log.host)
        )
        .map_err(io_error("cannot write to stdout"))?;
    }
    stdout.flush().map_err(write_error)
}

/// The ids of `--ids-from`, each checked to be a contact id before anything is sent.
fn read_ids(path: &std::path::Path) -> Result<IdSet, CliError> {
    let ids = super::export::read_ids(path)?;
    let bad: Vec<&String> = ids
        .iter()
        .filter(|id| !crate::write::is_contact_id(id))
        .collect();
    if let Some(first) = bad.first() {
        return Err(CliError::Usage(format!(
            "{} in {} {} not a contact id (24 hex characters), e.g. {:?}; nothing was sent. Fix \
             the file: the API refuses a whole request for one bad id",
            plural(bad.len() as u64, "id", "ids"),
            path.display(),
            if bad.len() == 1 { "is" } else { "are" },
            terminal_safe(first)
        )));
    }
    Ok(ids.iter().fold(IdSet::new(), |mut set, id| {
        set.insert(&id.to_ascii_lowercase());
        set
    }))
}
