//! How exported contacts are written: CSV with a flat, spreadsheet-friendly set of columns, or
//! JSON / NDJSON carrying each contact's full original object.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::api::Contact;

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

    pub fn write(&mut self, contact: &Contact) -> io::Result<()> {
        if let Some(csv) = &mut self.csv {
            csv.write_record(csv_row(contact, &self.agent_names))
                .map_err(io::Error::other)?;
        } else if let Some(output) = &mut self.plain {
            if self.format == ExportFormat::Json {
                output.write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
            }
            serde_json::to_writer(&mut *output, contact.raw())?;
            if self.format == ExportFormat::Ndjson {
                output.write_all(b"\n")?;
            }
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
fn csv_row(contact: &Contact, agent_names: &HashMap<String, String>) -> Vec<String> {
    let text = |value: Option<&str>| value.unwrap_or("").to_owned();
    let flag = |on: bool| if on { "true" } else { "false" }.to_owned();
    let phone = contact
        .phone()
        .map(|phone| phone.e164().unwrap_or_else(|| phone.display()))
        .unwrap_or_default();
    let attributes: Map<String, Value> = contact
        .attributes()
        .into_iter()
        .map(|(key, value)| (key, Value::String(value)))
        .collect();
    let attributes = if attributes.is_empty() {
        String::new()
    } else {
        Value::Object(attributes).to_string()
    };
    let last_message = contact.last_message();
    let agent_id = contact.agent_id();
    vec![
        text(contact.id()),
        text(contact.uuid()),
        contact.display_name(),
        text(contact.email()),
        phone,
        text(contact.channel()),
        text(contact.bot_id()),
        text(contact.status()),
        text(agent_id),
        agent_id
            .and_then(|id| agent_names.get(id))
            .cloned()
            .unwrap_or_default(),
        contact.tags().join(";"),
        contact.segments().join(";"),
        attributes,
        text(last_message.as_ref().and_then(|message| message.by)),
        text(last_message.as_ref().and_then(|message| message.at)),
        text(last_message.as_ref().and_then(|message| message.text)),
        text(contact.last_seen_at()),
        text(contact.created_at()),
        flag(contact.is_online()),
        flag(contact.is_live_chat_active()),
        flag(contact.has_ordered()),
        flag(contact.user_interacted()),
    ]
}
