//! How `list` prints contacts: an aligned table for reading, JSON or NDJSON for piping.

use std::io::{self, Write};

use jiff::tz::TimeZone;

use crate::api::Contact;
use crate::text::fit_width;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Ndjson,
}

/// Writes `contacts` in `format`. JSON and NDJSON carry each contact's full original object;
/// the table shows times in `time_zone`.
pub fn write_page(
    out: &mut impl Write,
    contacts: &[Contact],
    format: ListFormat,
    time_zone: &TimeZone,
) -> io::Result<()> {
    match format {
        ListFormat::Table => write_table(out, contacts, time_zone),
        ListFormat::Json => {
            let values: Vec<_> = contacts.iter().map(Contact::raw).collect();
            serde_json::to_writer_pretty(&mut *out, &values)?;
            writeln!(out)
        }
        ListFormat::Ndjson => {
            for contact in contacts {
                serde_json::to_writer(&mut *out, contact.raw())?;
                writeln!(out)?;
            }
            Ok(())
        }
    }
}

/// Column titles and widths in terminal cells; the last column (the id) is not padded.
const COLUMNS: [(&str, usize); 7] = [
    ("NAME", 24),
    ("CHANNEL", 9),
    ("STATUS", 10),
    ("TAGS", 20),
    ("LAST MESSAGE", 28),
    ("LAST SEEN", 23),
    ("ID", 0),
];

fn write_table(out: &mut impl Write, contacts: &[Contact], time_zone: &TimeZone) -> io::Result<()> {
    let header: Vec<&str> = COLUMNS.iter().map(|(title, _)| *title).collect();
    write_row(out, &header)?;
    for contact in contacts {
        let last_message = contact
            .last_message()
            .map(|message| {
                format!(
                    "{} {}",
                    message.by.unwrap_or("?"),
                    short_time(message.at.unwrap_or(""), time_zone)
                )
            })
            .unwrap_or_default();
        let cells = [
            contact.display_name(),
            contact.channel().unwrap_or("").to_owned(),
            contact.status().unwrap_or("").to_owned(),
            contact.tags().join(","),
            last_message,
            short_time(contact.last_seen_at().unwrap_or(""), time_zone),
            contact.id().unwrap_or("").to_owned(),
        ];
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        write_row(out, &cells)?;
    }
    Ok(())
}

fn write_row(out: &mut impl Write, cells: &[&str]) -> io::Result<()> {
    let mut line = String::new();
    for ((_, width), cell) in COLUMNS.iter().zip(cells) {
        if *width == 0 {
            line.push_str(&crate::text::single_line(cell));
        } else {
            line.push_str(&fit_width(cell, *width));
            line.push(' ');
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// `2025-01-02T10:05:00.000Z` as `2025-01-02 10:05 UTC` (or with the zone's offset), compact
/// enough for a column; a value that is not a timestamp as sent.
fn short_time(iso: &str, time_zone: &TimeZone) -> String {
    match iso.trim().parse::<jiff::Timestamp>() {
        Ok(at) => crate::dates::format_in_zone(at, time_zone),
        Err(_) => iso.to_owned(),
    }
}
