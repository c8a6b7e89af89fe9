//! `inbox-tui export`: every contact matching the filters (or only listed ids) to CSV, JSON or
//! NDJSON, through the same engine as the browser's export dialog.

use std::collections::{HashMap, HashSet};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{CliError, ConnectionArgs, FilterArgs, plural};
use crate::api::pace::{PaceOrigin, describe_rate};
use crate::api::walk::{
    DEFAULT_CONCURRENCY, DEFAULT_STALL_TIMEOUT, WalkError, WalkOptions, WalkStats,
};
use crate::api::{ApiError, Client, IdSet};
use crate::export::{
    self, CsvColumns, CsvStyle, Destination, ExportError, ExportFormat, ExportJob, Progress, Scope,
};
use crate::signals::StopSignals;

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filters: FilterArgs,

    /// File format: CSV (flattened columns), a JSON array or NDJSON (full original contacts).
    /// Without it, the output's extension decides (.json, .ndjson, .jsonl), else CSV
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,

    /// Where to write: a file path (~ expands), or - for standard output. An existing file is
    /// replaced only with --force
    #[arg(long, short, value_name = "PATH|-")]
    pub output: String,

    /// Replace the --output file if it exists (without it, an existing file is refused, as the
    /// browser's dialog asks first); a FIFO or a device is written to either way
    #[arg(long, short = 'f')]
    pub force: bool,

    /// Export only the contact ids in this file: one per line, or a CSV whose first column is the
    /// id (such as an earlier export); blank lines, # comments and an `id` header are skipped.
    /// Ids not found are listed on stderr, and the exit is 1 unless --allow-missing
    #[arg(long, value_name = "FILE")]
    pub ids_from: Option<PathBuf>,

    /// With --ids-from: write the ids not found to FILE, one a line, instead of to stderr
    #[arg(long, value_name = "FILE", requires = "ids_from")]
    pub missing_to: Option<PathBuf>,

    /// With --ids-from: exit 0 even when some ids were not found (they are still listed)
    #[arg(long, requires = "ids_from")]
    pub allow_missing: bool,

    /// The most pages fetched at once. It starts at 4 and adapts to how fast the server answers
    /// and whether it refuses requests (429)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY, value_parser = parse_concurrency)]
    pub concurrency: usize,

    /// Give up after this many seconds without one good page. Single failed pages are retried
    /// until then; 429s that say when to retry are waited out (up to 5 minutes)
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_STALL_TIMEOUT.as_secs(), value_parser = parse_stall)]
    pub give_up_after: u64,

    /// Stop after this many contacts (newest first)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,

    /// CSV: write cells exactly as the contacts hold them, for machine pipelines. By default a
    /// cell that starts with = + - @, a tab or a carriage return gets a leading ' so that a
    /// spreadsheet shows it as text and runs nothing (phone numbers stay text too). The config's
    /// `[export] csv_raw = true` makes it the default
    #[arg(long, conflicts_with = "csv_safe")]
    pub csv_raw: bool,

    /// CSV: the spreadsheet-safe cells, even when the config's `[export] csv_raw` says raw
    #[arg(long)]
    pub csv_safe: bool,

    /// CSV: start with a UTF-8 byte-order mark, so Excel reads non-Latin names correctly. The
    /// config's `[export] excel = true` makes it the default
    #[arg(long, conflicts_with = "no_excel")]
    pub excel: bool,

    /// CSV: no byte-order mark, even when the config's `[export] excel` asks for one
    #[arg(long)]
    pub no_excel: bool,

    /// CSV: the columns to write, in order, e.g. id,name,email (default: all of them: id, uuid,
    /// name, email, phone, channel, bot_id, status, agent_id, agent_name, tags, segments,
    /// attributes, last_message_by, last_message_at, last_message_text, last_seen_at,
    /// created_at, online, live_chat, ordered, interacted)
    #[arg(long = "fields", value_name = "NAME,...", value_parser = CsvColumns::parse)]
    pub columns: Option<CsvColumns>,

    /// Export from the local snapshot (`inbox-tui snapshot sync`) instead of walking the API:
    /// seconds instead of a request per 50 contacts. An incremental sync first takes what
    /// moved since; other changes are as of the last full read. Filters the snapshot cannot
    /// evaluate (--search, --field) walk the API instead
    #[arg(long, conflicts_with = "ids_from")]
    pub from_snapshot: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl ExportArgs {
    /// The CSV style: the command line's flags over the config's `[export]` defaults.
    pub(super) fn csv_style(&self, defaults: CsvStyle) -> CsvStyle {
        CsvStyle {
            raw: self.csv_raw || (defaults.raw && !self.csv_safe),
            byte_order_mark: self.excel || (defaults.byte_order_mark && !self.no_excel),
        }
    }
}

/// `--format` takes the engine's formats by their file extensions; the engine itself knows
/// nothing of command lines.
impl clap::ValueEnum for ExportFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &ExportFormat::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.extension()))
    }
}

fn parse_stall(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(seconds) if seconds >= 1 => Ok(seconds),
        _ => Err(format!(
            "{text:?} is not a number of seconds; use a whole number of at least 1, e.g. 120"
        )),
    }
}

fn parse_concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(count) if (1..=32).contains(&count) => Ok(count),
        _ => Err(format!(
            "{text:?} is not a page count; use a number from 1 to 32"
        )),
    }
}

/// Runs the export; `csv_defaults` is the config's `[export]` style, which flags override, and
/// dates without an offset are read in `time_zone`.
pub async fn run(
    client: &Client,
    args: &ExportArgs,
    csv_defaults: CsvStyle,
    time_zone: &jiff::tz::TimeZone,
) -> Result<(), CliError> {
    let query = args.filters.to_query(time_zone)?;
    let listed = match &args.ids_from {
        Some(path) => Some(read_ids(path)?),
        None => None,
    };
    let scope = match &listed {
        Some(ids) => Scope::Ids(ids.iter().fold(IdSet::new(), |mut set, id| {
            set.insert(id);
            set
        })),
        None => Scope::Matching,
    };
    let destination = Destination::parse(&args.output);
    if let Destination::File(path) = &destination
        && !args.force
        && std::fs::metadata(path).is_ok_and(|metadata| metadata.is_file())
    {
        return Err(CliError::Usage(format!(
            "{} exists; add --force to replace it, or choose another --output (nothing was \
             written)",
            crate::text::terminal_safe(&path.display().to_string())
        )));
    }
    let format = args.format.unwrap_or_else(|| format_for(&destination));
    if args.columns.is_some() && format != ExportFormat::Csv {
        return Err(CliError::Usage(format!(
            "--fields chooses CSV columns, and this export is {}, which keeps each contact whole; \
             drop --fields, or pick fields afterwards (`jq '{{_id, uuid}}'`)",
            format.extension().to_uppercase()
        )));
    }
    let job = ExportJob {
        query,
        scope,
        format,
        destination: destination.clone(),
        walk: WalkOptions {
            max_concurrency: args.concurrency,
            stall_timeout: Duration::from_secs(args.give_up_after),
            retry: client.retry_policy().clone(),
            // The user waits for this export: nothing goes ahead of it.
            background: None,
            // One failed page never ends an export: only --give-up-after does.
            attempts: None,
        },
        agent_names: HashMap::new(),
        csv: args.csv_style(csv_defaults),
        columns: args.columns.clone().unwrap_or_default(),
        limit: args.limit,
    };
    // On a terminal, one line that updates; to a file or a pipe (a cron job's log), a line
    // every few seconds, so a long export is seen to be alive.
    let show_progress = std::io::stderr().is_terminal();
    let last_line = std::sync::Mutex::new(Instant::now());
    let on_progress = move |progress: Progress| {
        if show_progress {
            super::say_inline(format_args!(
                "\rexporting: {} contacts written, {} pages fetched",
                progress.contacts_written, progress.pages_fetched
            ));
            let _ = std::io::stderr().flush();
        } else if let Ok(mut last) = last_line.lock()
            && last.elapsed() >= PROGRESS_LINE_EVERY
        {
            *last = Instant::now();
            super::say(format_args!(
                "exporting: {} contacts written, {} pages fetched",
                progress.contacts_written, progress.pages_fetched
            ));
        }
    };
    // Ctrl-C, SIGTERM and SIGHUP drop the export, which removes its partial file. Watched
    // before the note, so a signal sent on reading it is not taken by the default action.
    let mut signals = StopSignals::new(true).map_err(|source| CliError::Io {
        context: "cannot watch for signals".into(),
        source,
    })?;
    if let Some(note) = destination.direct_write_note() {
        super::say(format_args!("note: {}", crate::text::terminal_safe(&note)));
    }
    // The agent names are looked up while the walk reads its first page.
    let names = async {
        if format == ExportFormat::Csv {
            agent_names(client).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let outcome = tokio::select! {
        outcome = export::run_naming_agents(client, job, names, &on_progress) => outcome?,
        stop = signals.next() => {
            if show_progress {
                super::say(format_args!(""));
            }
            return Err(CliError::Stopped {
                stop,
                what: format!("the export was cancelled; {} was not written", destination.describe()),
            });
        }
    };
    if show_progress {
        super::say(format_args!(""));
    }
    match outcome {
        Ok(summary) => {
            super::say(format_args!(
                "exported {} to {} ({}, {:.1} s)",
                plural(summary.contacts, "contact", "contacts"),
                crate::text::terminal_safe(&destination.describe()),
                format.extension(),
                summary.elapsed.as_secs_f64()
            ));
            super::say(format_args!(
                "{}",
                describe_walk(&summary.walk, client.pace().pace())
            ));
            super::report_unusable(client, summary.walk.skipped);
            match listed {
                // Ids not reached because --limit was met are not missing.
                Some(_) if args.limit.is_some_and(|limit| summary.contacts >= limit) => Ok(()),
                Some(listed) => report_missing(args, &listed, &summary.not_found),
                None => Ok(()),
            }
        }
        Err(ExportError::Walk(WalkError::Fetch {
            page,
            source: source @ ApiError::Unauthorized { .. },
        })) => Err(CliError::TokenRejected(format!(
            "export stopped at page {page}, and {} was not written: {source}",
            destination.describe()
        ))),
        Err(ExportError::Walk(WalkError::Fetch { page, source })) => {
            Err(CliError::Export(format!(
                "export failed at page {page}, and {} was not written: {source}",
                destination.describe()
            )))
        }
        Err(error @ ExportError::Walk(_)) => Err(CliError::Export(format!(
            "export failed, and {} was not written: {error}",
            destination.describe()
        ))),
        Err(ExportError::Io { context, source }) => Err(CliError::Io { context, source }),
    }
}

/// The second summary line: how the walk used the server, at what pace, and what moved while
/// it ran.
fn describe_walk(stats: &WalkStats, pace: Option<(f64, PaceOrigin)>) -> String {
    let traffic = &stats.traffic;
    let refused_share = if traffic.requests == 0 {
        0.0
    } else {
        100.0 * traffic.refused as f64 / traffic.requests as f64
    };
    let pace = match pace {
        Some((rate, origin)) => format!("pace {} ({})", describe_rate(rate), origin.label()),
        None => "no limit met".to_owned(),
    };
    let checked = if stats.checked == 0 {
        String::new()
    } else {
        format!(
            ", {} read again to check that nothing moved",
            plural(stats.checked.into(), "page", "pages")
        )
    };
    format!(
        "{}, {}, {} refused with 429 ({refused_share:.1}%), concurrency up to {}, {pace}; \
         {} moved during the export, {} caught up, {} read again because contacts moved{checked}",
        plural(stats.pages.into(), "page", "pages"),
        plural(traffic.requests, "request", "requests"),
        traffic.refused,
        traffic.peak_concurrency,
        plural(stats.moved, "contact", "contacts"),
        stats.caught_up,
        plural(stats.reread.into(), "page", "pages"),
    )
}

/// How often a headless export whose stderr is not a terminal says how far it got.
pub(super) const PROGRESS_LINE_EVERY: Duration = Duration::from_secs(5);

/// The format a destination's extension asks for; CSV when it says nothing.
pub(super) fn format_for(destination: &Destination) -> ExportFormat {
    match destination {
        Destination::File(path) => ExportFormat::of_path(path).unwrap_or(ExportFormat::Csv),
        _ => ExportFormat::Csv,
    }
}

/// Agent names for the CSV. A rejected token stops the export here; any other failure only
/// leaves the agent-name column empty.
pub(super) async fn agent_names(client: &Client) -> Result<HashMap<String, String>, CliError> {
    match client.agents().await {
        Ok(agents) => Ok(agents
            .into_iter()
            .map(|agent| (agent.id, agent.name))
            .collect()),
        Err(error @ ApiError::Unauthorized { .. }) => Err(CliError::Api(error)),
        Err(error) => {
            super::warn(&format!("agent names are left empty: {error}"));
            Ok(HashMap::new())
        }
    }
}

/// How many ids not found are listed on stderr; `--missing-to` writes them all.
const MISSING_SHOWN: usize = 20;

/// Says which listed ids no contact matching the filters had, in the file's order, on stderr or
/// in `--missing-to`; fails unless `--allow-missing`.
fn report_missing(
    args: &ExportArgs,
    listed: &[String],
    not_found: &[String],
) -> Result<(), CliError> {
    if not_found.is_empty() {
        return Ok(());
    }
    let not_found: HashSet<String> = not_found.iter().map(|id| id.to_ascii_lowercase()).collect();
    let missing: Vec<&String> = listed
        .iter()
        .filter(|id| not_found.contains(&id.to_ascii_lowercase()))
        .collect();
    let how_many = format!(
        "{} of the {} listed in {} {} not found among the contacts matching the filters",
        plural(missing.len() as u64, "id", "ids"),
        listed.len(),
        args.ids_from
            .as_deref()
            .map(|path| path.display().to_string())
            .unwrap_or_default(),
        if missing.len() == 1 { "was" } else { "were" },
    );
    match &args.missing_to {
        Some(path) => {
            let text: String = missing.iter().map(|id| format!("{id}\n")).collect();
            std::fs::write(path, text).map_err(|source| CliError::Io {
                context: format!("cannot write the missing ids to {}", path.display()),
                source,
            })?;
            super::say(format_args!("{how_many}; they are in {}", path.display()));
        }
        None => {
            super::say(format_args!("{how_many}:"));
            for id in missing.iter().take(MISSING_SHOWN) {
                super::say(format_args!("  {}", crate::text::terminal_safe(id)));
            }
            if missing.len() > MISSING_SHOWN {
                super::say(format_args!(
                    "  … and {} more; --missing-to FILE writes them all",
                    missing.len() - MISSING_SHOWN
                ));
            }
        }
    }
    if args.allow_missing {
        Ok(())
    } else {
        Err(CliError::Missing(
            "some listed ids were not found (the export holds the others); check the ids and \
             the filters, or pass --allow-missing to exit 0 all the same"
                .into(),
        ))
    }
}

/// The most bytes read from `--ids-from`: about 2.5 million ids, one a line.
const MAX_IDS_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The longest line `--ids-from` takes: a contact id is 24 characters; a row of a CSV with the
/// id first may carry more.
const MAX_IDS_LINE_BYTES: u64 = 64 * 1024;

/// Reads the ids to export, one per line or as a CSV's first column (quoted or not, with or
/// without a byte-order mark, as spreadsheets save it), in the file's order, each once. It
/// reads at most `MAX_IDS_FILE_BYTES` (so `/dev/zero` ends) and refuses a line longer than
/// `MAX_IDS_LINE_BYTES`, naming the cap.
pub(super) fn read_ids(path: &Path) -> Result<Vec<String>, CliError> {
    use std::io::Read;
    let unreadable = |source: io::Error| CliError::Io {
        context: format!("cannot read the ids file {}", path.display()),
        source,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(CappedLines::new(
            io::BufReader::new(file).take(MAX_IDS_FILE_BYTES + 1),
        ));
    let mut seen = IdSet::new();
    let mut ids = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|error| {
            if let csv::ErrorKind::Io(io) = error.kind()
                && io.kind() == io::ErrorKind::InvalidData
            {
                return CliError::Usage(format!(
                    "{} has a line longer than {} KiB, the cap on one line of --ids-from; put \
                     one id per line",
                    path.display(),
                    MAX_IDS_LINE_BYTES / 1024
                ));
            }
            CliError::Usage(format!(
                "{} is not a readable list of ids: {error}; put one id per line, or the id first \
                 on each CSV row",
                path.display()
            ))
        })?;
        let id = record
            .get(0)
            .unwrap_or("")
            .trim_start_matches('\u{feff}')
            .trim();
        if id.is_empty() || (index == 0 && id.eq_ignore_ascii_case("id")) {
            continue;
        }
        if seen.insert(id) {
            ids.push(id.to_owned());
        }
    }
    if reader.position().byte() > MAX_IDS_FILE_BYTES {
        return Err(CliError::Usage(format!(
            "{} is larger than {} MiB, the cap on --ids-from; split it and export each part",
            path.display(),
            MAX_IDS_FILE_BYTES / (1024 * 1024)
        )));
    }
    if ids.is_empty() {
        return Err(CliError::Usage(format!(
            "{} holds no contact ids; put one id per line",
            path.display()
        )));
    }
    Ok(ids)
}

/// A reader that fails with `InvalidData` once a line runs past `MAX_IDS_LINE_BYTES`, so the
/// CSV reader never holds a line of gigabytes (`--ids-from /dev/zero`).
struct CappedLines<R> {
    inner: R,
    line: u64,
}

impl<R: io::Read> CappedLines<R> {
    fn new(inner: R) -> CappedLines<R> {
        CappedLines { inner, line: 0 }
    }
}

impl<R: io::Read> io::Read for CappedLines<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        for byte in &buffer[..read] {
            self.line = if *byte == b'\n' { 0 } else { self.line + 1 };
            if self.line > MAX_IDS_LINE_BYTES {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a line longer than the cap",
                ));
            }
        }
        Ok(read)
    }
}
