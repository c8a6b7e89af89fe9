//! `inbox-tui list`: contacts on stdout, one page or many, for people and for scripts.

use std::fmt;
use std::io::{self, BufWriter, IsTerminal, Stdout, Write};
use std::time::Instant;

use jiff::tz::TimeZone;

use super::output::{ContactPrinter, DEFAULT_FIELDS, Field, OutputFormat, parse_fields};
use super::{CliError, ConnectionArgs, FilterArgs};
use crate::api::IdSet;
use crate::api::walk::{ContactStream, WalkError, WalkOptions, WalkStep};
use crate::api::{ApiError, Client, Contact};
use crate::text::{EscapeStyle, TerminalWriter};

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: FilterArgs,

    /// Page to print, 1-based; the API has no total, so an empty page means the end
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..),
          conflicts_with_all = ["limit", "all"])]
    pub page: u32,

    /// Print up to N contacts, newest first, across as many pages as it takes (the walk
    /// `export` uses: each contact once, even while the inbox is live)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..),
          conflicts_with = "all")]
    pub limit: Option<u64>,

    /// Print every contact matching, across all pages
    #[arg(long)]
    pub all: bool,

    /// Output format; by default a table on a terminal and tab-separated values otherwise
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    /// The columns of the table or TSV, in order, from: id, uuid, name, email, phone, channel,
    /// bot_id, status, agent_id, tags, segments, last_message, last_message_by,
    /// last_message_at, last_message_text, last_seen_at, created_at, online, live_chat,
    /// ordered, interacted
    #[arg(long = "fields", value_name = "NAME,...", default_value = DEFAULT_FIELDS,
          value_parser = parse_field_list)]
    pub columns: FieldList,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// The fields `--fields` chose.
#[derive(Clone)]
pub struct FieldList(Vec<&'static Field>);

impl fmt::Debug for FieldList {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_list()
            .entries(self.0.iter().map(|field| field.name))
            .finish()
    }
}

fn parse_field_list(text: &str) -> Result<FieldList, String> {
    parse_fields(text).map(FieldList)
}

/// Standard output as `list` writes it: JSON through the terminal rule's JSON escapes wherever
/// it goes, a table or TSV through the visible escapes on a screen (TSV escapes its own cells,
/// and a table folds controls away, for a file or a pipe).
enum ListOutput {
    Plain(BufWriter<Stdout>),
    Screen(TerminalWriter<BufWriter<Stdout>>),
}

impl Write for ListOutput {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            ListOutput::Plain(out) => out.write(bytes),
            ListOutput::Screen(out) => out.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            ListOutput::Plain(out) => out.flush(),
            ListOutput::Screen(out) => out.flush(),
        }
    }
}

impl ListOutput {
    fn finish(self) -> io::Result<()> {
        match self {
            ListOutput::Plain(mut out) => out.flush(),
            ListOutput::Screen(out) => out.into_inner()?.flush(),
        }
    }
}

/// Prints what the filters match: one page, or with `--limit`/`--all` a walk across pages.
/// Times are shown, and dates without an offset read, in `time_zone`.
pub async fn run(client: &Client, args: &ListArgs, time_zone: &TimeZone) -> Result<(), CliError> {
    let query = args.filters.to_query(time_zone)?;
    if crate::export::stdout_was_closed() {
        return Err(CliError::Io {
            context: "could not write to stdout".into(),
            source: io::Error::other(
                "it was closed when inbox-tui started (`>&-`); redirect it to a file or a pipe",
            ),
        });
    }
    let to_screen = io::stdout().is_terminal();
    let format = args.format.unwrap_or(if to_screen {
        OutputFormat::Table
    } else {
        OutputFormat::Tsv
    });
    let stdout = BufWriter::new(io::stdout());
    let out = match format {
        OutputFormat::Json | OutputFormat::Ndjson => {
            ListOutput::Screen(TerminalWriter::new(stdout, EscapeStyle::Json))
        }
        OutputFormat::Table | OutputFormat::Tsv if to_screen => {
            ListOutput::Screen(TerminalWriter::new(stdout, EscapeStyle::Visible))
        }
        OutputFormat::Table | OutputFormat::Tsv => ListOutput::Plain(stdout),
    };
    let printer = ContactPrinter::new(out, format, &args.columns.0, time_zone);
    if args.limit.is_some() || args.all {
        print_walk(client, &query, args.limit, printer).await
    } else {
        print_page(client, &query, args.page, printer).await
    }
}

fn stdout_error(source: io::Error) -> CliError {
    CliError::Io {
        context: "could not write to stdout".into(),
        source,
    }
}

/// One page, with a note on stderr when it is past the end.
async fn print_page(
    client: &Client,
    query: &crate::api::Query,
    number: u32,
    mut printer: ContactPrinter<'_, ListOutput>,
) -> Result<(), CliError> {
    let page = client.fetch_page(query, number).await?;
    for contact in &page.contacts {
        printer.print(contact).map_err(stdout_error)?;
    }
    printer
        .finish()
        .and_then(ListOutput::finish)
        .map_err(stdout_error)?;
    super::report_unusable(client, page.unreadable as u64);
    let empty = page.contacts.is_empty() && page.unreadable == 0;
    if empty && number > 1 {
        super::say(format_args!(
            "note: page {number} is past the end of the list (the API does not say how many \
             pages there are); try a lower --page, or --all"
        ));
    } else if std::io::stderr().is_terminal() {
        let more = if empty {
            "no contacts match".to_owned()
        } else if page.looks_last() {
            "probably the last page".to_owned()
        } else {
            format!("more may follow: --page {}, or --all", number + 1)
        };
        super::say(format_args!(
            "page {}: {} contacts in {} ms; {more}",
            page.number,
            page.contacts.len(),
            page.elapsed.as_millis()
        ));
    }
    Ok(())
}

/// Walks the pages as `export` does, printing up to `limit` contacts (all without one).
async fn print_walk(
    client: &Client,
    query: &crate::api::Query,
    limit: Option<u64>,
    mut printer: ContactPrinter<'_, ListOutput>,
) -> Result<(), CliError> {
    let started = Instant::now();
    let options = WalkOptions {
        retry: client.retry_policy().clone(),
        // A listing is a quick look: `--attempts` ends it, as it ends a single page's.
        attempts: Some(client.retry_policy().max_attempts),
        ..WalkOptions::default()
    };
    let at_limit = |printer: &ContactPrinter<'_, ListOutput>| {
        limit.is_some_and(|limit| printer.printed() >= limit)
    };
    let mut stream = ContactStream::<Contact>::start(client, query, &options, IdSet::new());
    let mut skipped = 0;
    let pages = loop {
        match stream.next().await.map_err(walk_error)? {
            WalkStep::Batch(batch) => {
                skipped += batch.unreadable;
                for contact in &batch.items {
                    if at_limit(&printer) {
                        break;
                    }
                    printer.print(contact).map_err(stdout_error)?;
                }
                // Enough printed: dropping the stream stops the walk.
                if at_limit(&printer) {
                    break batch.pages_fetched;
                }
            }
            WalkStep::End(end) => break end.stats.pages,
        }
    };
    let printed = printer.printed();
    printer
        .finish()
        .and_then(ListOutput::finish)
        .map_err(stdout_error)?;
    super::report_unusable(client, skipped as u64);
    if std::io::stderr().is_terminal() {
        super::say(format_args!(
            "{} in {} pages, {} ms",
            super::plural(printed, "contact", "contacts"),
            pages,
            started.elapsed().as_millis()
        ));
    }
    Ok(())
}

/// A failed walk as the command line reports it: a rejected token exits as one.
fn walk_error(error: WalkError) -> CliError {
    match error {
        WalkError::Fetch {
            source: source @ ApiError::Unauthorized { .. },
            ..
        } => CliError::Api(source),
        other => CliError::Export(format!("list failed: {other}")),
    }
}
