//! `inbox-tui agents`, `segments` and `bots`: the ids `--agent`, `--segment` and `--bot-*`
//! take, with the names people know them by.

use std::io::{self, IsTerminal, Write};

use serde_json::{Map, Value};
use unicode_width::UnicodeWidthStr;

use super::output::{OutputFormat, write_aligned, write_tab_separated};
use super::{CliError, ConnectionArgs};
use crate::api::walk::{ContactStream, WalkError, WalkOptions, WalkStep};
use crate::api::{Channel, Client, Contact, IdSet, Query};
use crate::config::FriendlyNames;
use crate::text::{EscapeStyle, TerminalWriter};

#[derive(Debug, Clone, clap::Args)]
pub struct LookupArgs {
    /// Output format; by default a table on a terminal and tab-separated values otherwise
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// A small list to print: column names (also the JSON keys) and rows of text.
struct Listing {
    columns: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

/// `GET /custom-user`, every page.
pub async fn agents(client: &Client, format: Option<OutputFormat>) -> Result<(), CliError> {
    let rows = client
        .agents()
        .await?
        .into_iter()
        .map(|agent| {
            let online = if agent.is_online() {
                "online"
            } else {
                "offline"
            };
            vec![
                agent.id,
                agent.name,
                online.to_owned(),
                agent.status.unwrap_or_default(),
            ]
        })
        .collect();
    print(
        Listing {
            columns: &["id", "name", "availability", "status"],
            rows,
        },
        format,
    )
}

/// `GET /inbox/segments`.
pub async fn segments(client: &Client, format: Option<OutputFormat>) -> Result<(), CliError> {
    let rows = client
        .segments()
        .await?
        .into_iter()
        .map(|segment| vec![segment.id, segment.name])
        .collect();
    print(
        Listing {
            columns: &["id", "name"],
            rows,
        },
        format,
    )
}

/// Every bot the account's contacts mention (a walk over all of them: no endpoint lists the
/// website, Telegram and Facebook bots), with its channel and how many contacts came through
/// it; then the WhatsApp bots of `GET /whatsapp-automation` no contact mentions, and the bots
/// only the config names. `source` says where the name comes from: the config
/// (`[names.bots]`), the API, or nowhere (`contacts`: the id is all that is known).
pub async fn bots(
    client: &Client,
    names: &FriendlyNames,
    format: Option<OutputFormat>,
) -> Result<(), CliError> {
    use std::collections::BTreeMap;
    let whatsapp = client.whatsapp_bots().await?;
    // (channel, id) -> contacts that mention it.
    let mut seen: BTreeMap<(String, String), u64> = BTreeMap::new();
    let options = WalkOptions {
        retry: client.retry_policy().clone(),
        ..WalkOptions::default()
    };
    let mut stream =
        ContactStream::<Contact>::start(client, &Query::default(), &options, IdSet::new());
    let read_error = |error| match error {
        WalkError::Fetch {
            source: source @ crate::api::ApiError::Unauthorized { .. },
            ..
        } => CliError::Api(source),
        other => CliError::Export(format!("bots: reading the contacts failed: {other}")),
    };
    while let WalkStep::Batch(batch) = stream.next().await.map_err(read_error)? {
        for contact in &batch.items {
            for channel in Channel::FILTERED {
                if let Some(id) = contact.bot_in(channel) {
                    let key = (channel.platform().to_lowercase(), id.to_owned());
                    *seen.entry(key).or_default() += 1;
                }
            }
            for (field, id) in contact.other_bot_fields() {
                let channel = field.trim_start_matches("_bot").to_lowercase();
                *seen.entry((channel, id.to_owned())).or_default() += 1;
            }
        }
    }
    let api_name = |id: &str| {
        whatsapp
            .iter()
            .find(|bot| bot.id == id)
            .map(|bot| bot.name.clone())
    };
    let row = |id: &str, channel: &str, contacts: u64| {
        let (name, source) = match (names.bots.get(id), api_name(id)) {
            (Some(name), _) => (name.clone(), "config"),
            (None, Some(name)) => (name, "api"),
            (None, None) => (String::new(), "contacts"),
        };
        vec![
            id.to_owned(),
            channel.to_owned(),
            name,
            contacts.to_string(),
            source.to_owned(),
        ]
    };
    let mut rows: Vec<Vec<String>> = seen
        .iter()
        .map(|((channel, id), contacts)| row(id, channel, *contacts))
        .collect();
    let listed = |id: &str| seen.keys().any(|(_, seen_id)| seen_id == id);
    rows.extend(
        whatsapp
            .iter()
            .filter(|bot| !listed(&bot.id))
            .map(|bot| row(&bot.id, &Channel::Whatsapp.platform().to_lowercase(), 0)),
    );
    let mut configured: Vec<&String> = names
        .bots
        .keys()
        .filter(|id| !listed(id) && !whatsapp.iter().any(|bot| &bot.id == *id))
        .collect();
    configured.sort();
    rows.extend(configured.into_iter().map(|id| row(id, "", 0)));
    print(
        Listing {
            columns: &["id", "channel", "name", "contacts", "source"],
            rows,
        },
        format,
    )
}

/// Prints a listing in `format` (by default a table on a terminal, TSV otherwise); text bound
/// for a terminal goes through the rule that keeps it from driving the terminal, and so does
/// JSON anywhere (its escapes keep the data whole; TSV escapes its own cells).
fn print(listing: Listing, format: Option<OutputFormat>) -> Result<(), CliError> {
    let to_screen = io::stdout().is_terminal();
    let format = format.unwrap_or(if to_screen {
        OutputFormat::Table
    } else {
        OutputFormat::Tsv
    });
    let mut text = Vec::new();
    write_listing(&mut text, &listing, format).map_err(stdout_error)?;
    let stdout = io::stdout().lock();
    let is_json = matches!(format, OutputFormat::Json | OutputFormat::Ndjson);
    let written = if to_screen || is_json {
        let style = if is_json {
            EscapeStyle::Json
        } else {
            EscapeStyle::Visible
        };
        let mut screen = TerminalWriter::new(stdout, style);
        screen
            .write_all(&text)
            .and_then(|()| screen.into_inner())
            .and_then(|mut stdout| stdout.flush())
    } else {
        let mut stdout = stdout;
        stdout.write_all(&text).and_then(|()| stdout.flush())
    };
    written.map_err(stdout_error)
}

fn stdout_error(source: io::Error) -> CliError {
    CliError::Io {
        context: "could not write to stdout".into(),
        source,
    }
}

fn write_listing(out: &mut Vec<u8>, listing: &Listing, format: OutputFormat) -> io::Result<()> {
    let header: Vec<String> = listing.columns.iter().map(|name| (*name).into()).collect();
    match format {
        OutputFormat::Table => {
            let widths: Vec<usize> = (0..header.len())
                .map(|column| {
                    listing
                        .rows
                        .iter()
                        .map(|row| row[column].width())
                        .chain([header[column].len()])
                        .max()
                        .unwrap_or(0)
                        .min(40)
                })
                .collect();
            let titles: Vec<String> = header.iter().map(|name| name.to_uppercase()).collect();
            write_aligned(out, &widths, &titles)?;
            for row in &listing.rows {
                write_aligned(out, &widths, row)?;
            }
        }
        OutputFormat::Tsv => {
            write_tab_separated(out, &header)?;
            for row in &listing.rows {
                write_tab_separated(out, row)?;
            }
        }
        OutputFormat::Json => {
            let objects: Vec<Value> = listing
                .rows
                .iter()
                .map(|row| object(listing, row))
                .collect();
            serde_json::to_writer_pretty(&mut *out, &objects)?;
            writeln!(out)?;
        }
        OutputFormat::Ndjson => {
            for row in &listing.rows {
                serde_json::to_writer(&mut *out, &object(listing, row))?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}

fn object(listing: &Listing, row: &[String]) -> Value {
    let map: Map<String, Value> = listing
        .columns
        .iter()
        .zip(row)
        .map(|(name, value)| ((*name).to_owned(), Value::String(value.clone())))
        .collect();
    Value::Object(map)
}
