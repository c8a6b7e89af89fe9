//! How `list` and the lookups print: an aligned table for reading, tab-separated values for pipes,
//! JSON or NDJSON with each contact's full original object. Contacts are printed one at a time,
//! so a walk across many pages holds none of them.

use std::io::{self, Write};

use jiff::tz::TimeZone;

use crate::api::Contact;
use crate::text::fit_width;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Columns padded to line up, times in the config's zone (the default on a terminal)
    Table,
    /// One line a row, fields separated by tabs, times as the API sent them (the default when
    /// stdout is not a terminal). Raw data for scripts, not for a spreadsheet: a cell starting
    /// with = + - @ is not guarded (use `export --format csv`). A backslash, tab, newline and
    /// every control or invisible character are escaped (\\, \t, \n, \x1b, \u{202e})
    Tsv,
    /// A JSON array (`list`: of the full original contacts); control and invisible characters
    /// as JSON escapes (\u001b, \u202e), which read back as the same data
    Json,
    /// One JSON object a line (`list`: a full original contact), escaped as JSON
    Ndjson,
}

/// One column `list` can show: its name for `--fields`, its table title and width (0: not
/// padded), and how a contact gives its value (`zone` for times shown in the table).
pub struct Field {
    pub name: &'static str,
    title: &'static str,
    width: usize,
    value: fn(&Contact, Zone<'_>) -> String,
}

/// The zone a table shows times in; `None` in TSV, which keeps them as the API sent them.
type Zone<'a> = Option<&'a TimeZone>;

fn text(value: Option<&str>) -> String {
    value.unwrap_or("").to_owned()
}

fn flag(on: bool) -> String {
    if on { "true" } else { "false" }.to_owned()
}

/// `2025-01-02T10:05:00.000Z` as `2025-01-02 10:05 UTC` (or with the zone's offset) in a table,
/// compact enough for a column; a value that is not a timestamp, and any value in TSV, as sent.
fn time(iso: Option<&str>, zone: Zone<'_>) -> String {
    let iso = iso.unwrap_or("");
    match (zone, iso.trim().parse::<jiff::Timestamp>()) {
        (Some(zone), Ok(at)) => crate::dates::format_in_zone(at, zone),
        _ => iso.to_owned(),
    }
}

/// Every field `--fields` takes, named as the export's CSV columns are.
pub const FIELDS: &[Field] = &[
    Field {
        name: "id",
        title: "ID",
        width: 24,
        value: |contact, _| text(contact.id()),
    },
    Field {
        name: "uuid",
        title: "UUID",
        width: 36,
        value: |contact, _| text(contact.uuid()),
    },
    Field {
        name: "name",
        title: "NAME",
        width: 24,
        value: |contact, _| contact.display_name(),
    },
    Field {
        name: "email",
        title: "EMAIL",
        width: 28,
        value: |contact, _| text(contact.email()),
    },
    Field {
        name: "phone",
        title: "PHONE",
        width: 16,
        value: |contact, _| {
            contact
                .phone()
                .map(|phone| phone.e164().unwrap_or_else(|| phone.display()))
                .unwrap_or_default()
        },
    },
    Field {
        name: "channel",
        title: "CHANNEL",
        width: 9,
        value: |contact, _| text(contact.channel()),
    },
    Field {
        name: "bot_id",
        title: "BOT",
        width: 24,
        value: |contact, _| text(contact.bot_id()),
    },
    Field {
        name: "status",
        title: "STATUS",
        width: 10,
        value: |contact, _| text(contact.status()),
    },
    Field {
        name: "agent_id",
        title: "AGENT",
        width: 24,
        value: |contact, _| text(contact.agent_id()),
    },
    Field {
        name: "tags",
        title: "TAGS",
        width: 20,
        value: |contact, _| contact.tags().join(","),
    },
    Field {
        name: "segments",
        title: "SEGMENTS",
        width: 24,
        value: |contact, _| contact.segments().join(","),
    },
    Field {
        name: "last_message",
        title: "LAST MESSAGE",
        width: 28,
        value: |contact, zone| {
            contact
                .last_message()
                .map(|message| format!("{} {}", message.by.unwrap_or("?"), time(message.at, zone)))
                .unwrap_or_default()
        },
    },
    Field {
        name: "last_message_by",
        title: "BY",
        width: 5,
        value: |contact, _| text(contact.last_message().and_then(|message| message.by)),
    },
    Field {
        name: "last_message_at",
        title: "LAST MESSAGE AT",
        width: 23,
        value: |contact, zone| time(contact.last_message().and_then(|message| message.at), zone),
    },
    Field {
        name: "last_message_text",
        title: "LAST MESSAGE TEXT",
        width: 30,
        value: |contact, _| text(contact.last_message().and_then(|message| message.text)),
    },
    Field {
        name: "last_seen_at",
        title: "LAST SEEN",
        width: 23,
        value: |contact, zone| time(contact.last_seen_at(), zone),
    },
    Field {
        name: "created_at",
        title: "CREATED",
        width: 23,
        value: |contact, zone| time(contact.created_at(), zone),
    },
    Field {
        name: "online",
        title: "ONLINE",
        width: 6,
        value: |contact, _| flag(contact.is_online()),
    },
    Field {
        name: "live_chat",
        title: "LIVE CHAT",
        width: 9,
        value: |contact, _| flag(contact.is_live_chat_active()),
    },
    Field {
        name: "ordered",
        title: "ORDERED",
        width: 7,
        value: |contact, _| flag(contact.has_ordered()),
    },
    Field {
        name: "interacted",
        title: "INTERACTED",
        width: 10,
        value: |contact, _| flag(contact.user_interacted()),
    },
];

/// The columns `list` shows without `--fields`.
pub const DEFAULT_FIELDS: &str = "name,channel,status,tags,last_message,last_seen_at,id";

/// Reads `--fields`: names from [`FIELDS`], comma-separated, in the order given.
pub fn parse_fields(text: &str) -> Result<Vec<&'static Field>, String> {
    let fields: Vec<&'static Field> = text
        .split(',')
        .map(str::trim)
        .map(|name| {
            FIELDS
                .iter()
                .find(|field| field.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    format!(
                        "{name:?} is not a field; choose from {}",
                        FIELDS
                            .iter()
                            .map(|field| field.name)
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    if fields.is_empty() {
        return Err("name at least one field, e.g. --fields id,name,email".into());
    }
    Ok(fields)
}

/// Prints contacts one at a time in one format; `finish` ends the output (the JSON array).
/// Nothing is written before the first contact or `finish`, so a command that fails before it
/// has any contact leaves stdout empty.
pub struct ContactPrinter<'a, W: Write> {
    out: W,
    format: OutputFormat,
    fields: &'a [&'static Field],
    time_zone: &'a TimeZone,
    started: bool,
    printed: u64,
}

impl<'a, W: Write> ContactPrinter<'a, W> {
    pub fn new(
        out: W,
        format: OutputFormat,
        fields: &'a [&'static Field],
        time_zone: &'a TimeZone,
    ) -> Self {
        ContactPrinter {
            out,
            format,
            fields,
            time_zone,
            started: false,
            printed: 0,
        }
    }

    /// Starts the output once: the header of a table or TSV, the bracket of a JSON array.
    fn start(&mut self) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        match self.format {
            OutputFormat::Table => {
                let titles: Vec<String> =
                    self.fields.iter().map(|field| field.title.into()).collect();
                write_padded(&mut self.out, self.fields, &titles)
            }
            OutputFormat::Tsv => {
                let names: Vec<String> =
                    self.fields.iter().map(|field| field.name.into()).collect();
                write_tab_separated(&mut self.out, &names)
            }
            OutputFormat::Json => self.out.write_all(b"["),
            OutputFormat::Ndjson => Ok(()),
        }
    }

    pub fn print(&mut self, contact: &Contact) -> io::Result<()> {
        self.start()?;
        let zone = (self.format == OutputFormat::Table).then_some(self.time_zone);
        let cells = || -> Vec<String> {
            self.fields
                .iter()
                .map(|field| (field.value)(contact, zone))
                .collect()
        };
        match self.format {
            OutputFormat::Table => write_padded(&mut self.out, self.fields, &cells())?,
            OutputFormat::Tsv => write_tab_separated(&mut self.out, &cells())?,
            OutputFormat::Json => {
                self.out
                    .write_all(if self.printed == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer_pretty(&mut self.out, contact.raw())?;
            }
            OutputFormat::Ndjson => {
                serde_json::to_writer(&mut self.out, contact.raw())?;
                writeln!(self.out)?;
            }
        }
        self.printed += 1;
        Ok(())
    }

    pub fn printed(&self) -> u64 {
        self.printed
    }

    /// Ends the output and hands back the writer, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        self.start()?;
        if self.format == OutputFormat::Json {
            self.out
                .write_all(if self.printed == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A table row: each cell fitted to its field's width, the last one not padded.
fn write_padded(out: &mut impl Write, fields: &[&Field], cells: &[String]) -> io::Result<()> {
    let widths: Vec<usize> = fields.iter().map(|field| field.width).collect();
    write_aligned(out, &widths, cells)
}

/// A row of cells fitted to `widths`, the last cell not padded.
pub fn write_aligned(out: &mut impl Write, widths: &[usize], cells: &[String]) -> io::Result<()> {
    let mut line = String::new();
    let last = widths.len().saturating_sub(1);
    for (index, (width, cell)) in widths.iter().zip(cells).enumerate() {
        if index == last {
            line.push_str(&crate::text::single_line(cell));
        } else {
            line.push_str(&fit_width(cell, *width));
            line.push(' ');
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// A TSV row, each cell escaped (see `text::tsv_escaped`): TSV has no quoting, so escapes are
/// the only way to keep one contact a line and its fields apart without losing anything.
pub fn write_tab_separated(out: &mut impl Write, cells: &[String]) -> io::Result<()> {
    let line: Vec<std::borrow::Cow<'_, str>> = cells
        .iter()
        .map(|cell| crate::text::tsv_escaped(cell))
        .collect();
    writeln!(out, "{}", line.join("\t"))
}
