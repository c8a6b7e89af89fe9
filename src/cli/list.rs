//! `inbox-tui list`: one page of contacts, for people and for scripts.

use std::io::{IsTerminal, Write};

use super::output::{ListFormat, write_page};
use super::{CliError, FilterArgs};
use jiff::tz::TimeZone;

use crate::api::Client;
use crate::text::{EscapeStyle, TerminalWriter};

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: FilterArgs,

    /// Page to print, 1-based; the API has no total, so an empty page means the end
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub page: u32,

    /// Output format: a table for people, JSON or NDJSON (full original contacts) for scripts
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Prints one page; times are shown, and dates without an offset read, in `time_zone`.
pub async fn run(client: &Client, args: &ListArgs, time_zone: &TimeZone) -> Result<(), CliError> {
    let query = args.filters.to_query(time_zone)?;
    if crate::export::stdout_was_closed() {
        return Err(CliError::Io {
            context: "could not write to stdout".into(),
            source: std::io::Error::other(
                "it was closed when inbox-tui started (`>&-`); redirect it to a file or a pipe",
            ),
        });
    }
    let page = client.fetch_page(&query, args.page).await?;
    let stdout = std::io::stdout();
    let to_screen = stdout.is_terminal();
    let stdout = stdout.lock();
    let written = if to_screen {
        let style = match args.format {
            ListFormat::Table => EscapeStyle::Visible,
            ListFormat::Json | ListFormat::Ndjson => EscapeStyle::Json,
        };
        let mut screen = TerminalWriter::new(stdout, style);
        write_page(&mut screen, &page.contacts, args.format, time_zone)
            .and_then(|()| screen.into_inner().map(drop))
    } else {
        let mut stdout = stdout;
        write_page(&mut stdout, &page.contacts, args.format, time_zone)
            .and_then(|()| stdout.flush())
    };
    match written {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(source) => {
            return Err(CliError::Io {
                context: "could not write to stdout".into(),
                source,
            });
        }
    }
    if page.unreadable > 0 {
        super::warn(&format!(
            "{} contacts on page {} could not be read (broken text in their fields) and were \
             left out; the log names them",
            page.unreadable, page.number
        ));
    }
    if std::io::stderr().is_terminal() {
        let more = if page.contacts.is_empty() && page.unreadable == 0 {
            "no more pages".to_owned()
        } else if page.looks_last() {
            "probably the last page".to_owned()
        } else {
            format!("more may follow: --page {}", args.page + 1)
        };
        eprintln!(
            "page {}: {} contacts in {} ms; {more}",
            page.number,
            page.contacts.len(),
            page.elapsed.as_millis()
        );
    }
    Ok(())
}
