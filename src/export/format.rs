//! How exported contacts are written: CSV with a flat, spreadsheet-friendly set of columns, or
//! JSON / NDJSON carrying each contact's full original object.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::api::{FlatContact, PageItem};

/// The file formats an export can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
    Ndjson,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] =
        [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Ndjson];

    /// The file extension, also the format's name in messages.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Ndjson => "ndjson",
        }
    }
}

/// The CSV header, in column order.
pub const CSV_COLUMNS: [&str; 22] = [
    "id",
    "uuid",
    "name",
    "email",
    "phone",
    "channel",
    "bot_id",
    "status",
    "agent_id",
    "agent_name",
    "tags",
    "segments",
    "attributes",
    "last_message_by",
    "last_message_at",
    "last_message_text",
    "last_seen_at",
    "created_at",
    "online",
    "live_chat",
    "ordered",
    "interacted",
];

/// Writes contacts one at a time, so an export never holds more than a page in memory.
pub struct ContactWriter<W: Write> {
    format: ExportFormat,
    csv: Option<csv::Writer<W>>,
    plain: Option<W>,
    written: u64,
    agent_names: HashMap<String, String>,
}

impl<W: Write> ContactWriter<W> {
    /// Starts the output (the CSV header, the JSON array's bracket). `agent_names` fills the
    /// agent-name column; unknown agents leave it empty.
    pub fn new(
        output: W,
        format: ExportFormat,
        agent_names: HashMap<String, String>,
    ) -> io::Result<ContactWriter<W>> {
        let mut writer = ContactWriter {
            format,
            csv: None,
            plain: None,
            written: 0,
            agent_names,
        };
        match format {
            ExportFormat::Csv => {
                let mut csv = csv::Writer::from_writer(output);
                csv.write_record(CSV_COLUMNS).map_err(io::Error::other)?;
                writer.csv = Some(csv);
            }
            ExportFormat::Json => {
                let mut output = output;
                output.write_all(b"[")?;
                writer.plain = Some(output);
            }
            ExportFormat::Ndjson => writer.plain = Some(output),
        }
        Ok(writer)
    }

    /// How many contacts have been written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Writes one contact of a flat export (CSV).
    pub fn write_flat(&mut self, contact: &FlatContact) -> io::Result<()> {
        match &mut self.csv {
            Some(csv) => csv
                .write_record(
                    csv_row(contact, &self.agent_names)
                        .iter()
                        .map(|cell| cell.as_bytes()),
                )
                .map_err(io::Error::other)?,
            None => return Err(io::Error::other("this export is not a CSV")),
        }
        self.written += 1;
        Ok(())
    }

    /// Writes one contact's original JSON text, unchanged (JSON array or NDJSON).
    pub fn write_json(&mut self, json: &str) -> io::Result<()> {
        let Some(output) = &mut self.plain else {
            return Err(io::Error::other("this export is not JSON"));
        };
        if self.format == ExportFormat::Json {
            output.write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
        }
        output.write_all(json.trim().as_bytes())?;
        if self.format == ExportFormat::Ndjson {
            output.write_all(b"\n")?;
        }
        self.written += 1;
        Ok(())
    }

    /// Ends the output and hands back the underlying writer, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(csv) = self.csv.take() {
            return csv
                .into_inner()
                .map_err(|error| io::Error::other(error.to_string()));
        }
        let mut output = self
            .plain
            .take()
            .ok_or_else(|| io::Error::other("the export writer was already finished"))?;
        if self.format == ExportFormat::Json {
            output.write_all(if self.written == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        output.flush()?;
        Ok(output)
    }
}

/// One CSV row, in `CSV_COLUMNS` order.
fn csv_row<'a>(
    contact: &'a FlatContact,
    agent_names: &'a HashMap<String, String>,
) -> [Cow<'a, str>; CSV_COLUMNS.len()] {
    let text = |value: Option<&'a str>| Cow::Borrowed(value.unwrap_or(""));
    let flag = |on: bool| Cow::Borrowed(if on { "true" } else { "false" });
    let phone = contact
        .phone()
        .map(|phone| phone.e164().unwrap_or_else(|| phone.display()))
        .unwrap_or_default();
    let attributes: Map<String, Value> = contact
        .attributes()
        .iter()
        .map(|(key, value)| (key.clone(), Value::String(value.clone())))
        .collect();
    let attributes = if attributes.is_empty() {
        String::new()
    } else {
        Value::Object(attributes).to_string()
    };
    let (message_text, message_at, message_by) = contact.last_message();
    let agent_id = contact.agent_id();
    [
        text(contact.id()),
        text(contact.uuid()),
        Cow::Owned(contact.display_name()),
        text(contact.email()),
        Cow::Owned(phone),
        text(contact.channel()),
        text(contact.bot_id()),
        text(contact.status()),
        text(agent_id),
        text(
            agent_id
                .and_then(|id| agent_names.get(id))
                .map(String::as_str),
        ),
        Cow::Owned(contact.tags().join(";")),
        Cow::Owned(contact.segments().join(";")),
        Cow::Owned(attributes),
        text(message_by),
        text(message_at),
        text(message_text),
        text(contact.last_seen_at()),
        text(contact.created_at()),
        flag(contact.is_online()),
        flag(contact.is_live_chat_active()),
        flag(contact.has_ordered()),
        flag(contact.user_interacted()),
    ]
}
