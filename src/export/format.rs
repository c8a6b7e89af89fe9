//! How exported contacts are written: CSV with a flat, spreadsheet-friendly set of columns, or
//! JSON / NDJSON carrying each contact's full original object.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use serde::{Deserialize, Deserializer};

use crate::api::{FlatContact, PageItem};

/// The file formats an export can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    /// The format a file's extension names (`.jsonl` is NDJSON too), any case; `None` when it
    /// names none. The CLI and the export dialog both choose by it.
    pub fn of_path(path: &std::path::Path) -> Option<ExportFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            "ndjson" | "jsonl" => Some(ExportFormat::Ndjson),
            _ => None,
        }
    }
}

/// Declares the CSV's columns once: the enum the writer addresses cells by, and the header.
macro_rules! csv_columns {
    ($($column:ident = $name:literal,)*) => {
        /// One CSV column, named as in the header; the order here is the file's.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Column {
            $($column,)*
        }

        impl Column {
            const ALL: [Column; CSV_COLUMNS.len()] = [$(Column::$column,)*];
        }

        /// The CSV header, in column order.
        pub const CSV_COLUMNS: [&str; [$($name,)*].len()] = [$($name,)*];
    };
}

csv_columns! {
    Id = "id",
    Uuid = "uuid",
    Name = "name",
    Email = "email",
    Phone = "phone",
    Channel = "channel",
    BotId = "bot_id",
    Status = "status",
    AgentId = "agent_id",
    AgentName = "agent_name",
    Tags = "tags",
    Segments = "segments",
    Attributes = "attributes",
    LastMessageBy = "last_message_by",
    LastMessageAt = "last_message_at",
    LastMessageText = "last_message_text",
    LastSeenAt = "last_seen_at",
    CreatedAt = "created_at",
    Online = "online",
    LiveChat = "live_chat",
    Ordered = "ordered",
    Interacted = "interacted",
}

/// Which CSV columns an export writes, in order: every one of [`CSV_COLUMNS`] by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvColumns(Vec<Column>);

impl Default for CsvColumns {
    fn default() -> Self {
        CsvColumns(Column::ALL.to_vec())
    }
}

impl CsvColumns {
    /// Reads `id,name,email`: names from [`CSV_COLUMNS`], in the order wanted.
    pub fn parse(text: &str) -> Result<CsvColumns, String> {
        let columns = text
            .split(',')
            .map(str::trim)
            .map(|name| {
                CSV_COLUMNS
                    .iter()
                    .position(|column| column.eq_ignore_ascii_case(name))
                    .map(|index| Column::ALL[index])
                    .ok_or_else(|| {
                        format!(
                            "{name:?} is not a CSV column; choose from {}",
                            CSV_COLUMNS.join(",")
                        )
                    })
            })
            .collect::<Result<Vec<Column>, String>>()?;
        Ok(CsvColumns(columns))
    }

    fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|&column| CSV_COLUMNS[column as usize])
    }
}

/// How CSV cells are written. The default is safe to open in a spreadsheet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvStyle {
    /// Cells exactly as the contacts hold them, for machine pipelines: no formula guard.
    pub raw: bool,
    /// A UTF-8 byte-order mark first, so Excel reads non-Latin names as UTF-8.
    pub byte_order_mark: bool,
}

/// What a spreadsheet would take for a formula (OWASP's list): a cell starting with one of
/// these is written with a leading `'`, which spreadsheets show as text and do not run.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell that is only a phone number: `+`, then digits, spaces, dashes and brackets, with at
/// least one digit. It calls no function and references no cell, so it runs nothing; a quote
/// in front would reach a CRM import or a script as part of the number. Another `+` (as in
/// `+1+HYPERLINK(…)`) or any letter makes it more than a phone number.
fn is_phone_number(cell: &str) -> bool {
    cell.strip_prefix('+').is_some_and(|rest| {
        rest.chars().any(|character| character.is_ascii_digit())
            && rest
                .chars()
                .all(|character| matches!(character, '0'..='9' | ' ' | '-' | '(' | ')'))
    })
}

/// `cell` as a spreadsheet may open it safely (see `FORMULA_STARTS`); a phone number is left as
/// it is (see `is_phone_number`).
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) && !is_phone_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell that may have been changed, as the bytes the CSV writer takes.
struct Cell<'a>(Cow<'a, str>);

impl AsRef<[u8]> for Cell<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Writes contacts one at a time, so an export never holds more than a page in memory.
pub struct ContactWriter<W: Write> {
    format: ExportFormat,
    csv_style: CsvStyle,
    columns: CsvColumns,
    csv: Option<csv::Writer<W>>,
    plain: Option<W>,
    written: u64,
    agent_names: HashMap<String, String>,
}

impl<W: Write> ContactWriter<W> {
    /// Starts the output (the CSV header, the JSON array's bracket). A CSV has `columns`;
    /// `agent_names` fills the agent-name column, and unknown agents leave it empty.
    pub fn new(
        output: W,
        format: ExportFormat,
        csv_style: CsvStyle,
        columns: CsvColumns,
        agent_names: HashMap<String, String>,
    ) -> io::Result<ContactWriter<W>> {
        let mut writer = ContactWriter {
            format,
            csv_style,
            columns,
            csv: None,
            plain: None,
            written: 0,
            agent_names,
        };
        match format {
            ExportFormat::Csv => {
                let mut output = output;
                if csv_style.byte_order_mark {
                    output.write_all("\u{feff}".as_bytes())?;
                }
                let mut csv = csv::Writer::from_writer(output);
                csv.write_record(writer.columns.names())
                    .map_err(csv_to_io)?;
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
    /// Sets the names of the agent-name column, for names looked up while the walk started.
    pub fn set_agent_names(&mut self, agent_names: HashMap<String, String>) {
        self.agent_names = agent_names;
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    /// Writes one contact of a flat export (CSV).
    pub fn write_flat(&mut self, row: &FlatRow) -> io::Result<()> {
        let Some(csv) = &mut self.csv else {
            return Err(io::Error::other("this export is not a CSV"));
        };
        let agent_name = self
            .agent_names
            .get(row.cell(Column::AgentId))
            .map_or("", String::as_str);
        let cells = self.columns.0.iter().map(|&column| match column {
            Column::AgentName => agent_name,
            other => row.cell(other),
        });
        if self.csv_style.raw {
            csv.write_record(cells)
        } else {
            csv.write_record(cells.map(|cell| Cell(spreadsheet_safe(cell))))
        }
        .map_err(csv_to_io)?;
        self.written += 1;
        Ok(())
    }

    /// Writes one contact's original JSON text (JSON array or NDJSON); the export's sink writes
    /// hazardous characters as JSON escapes.
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

/// A CSV writer's error as the I/O error it wraps, so a closed pipe stays a closed pipe.
fn csv_to_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A contact rendered to its CSV cells where its page was decoded, so that the many fields of a
/// big export are neither copied one by one nor rendered on the thread that writes the file:
/// one buffer with every cell, and where each ends. `agent_name` stays empty here: the writer
/// fills it from the agents it was given.
#[derive(Debug, Clone)]
pub struct FlatRow {
    cells: String,
    ends: [u32; CSV_COLUMNS.len()],
}

impl FlatRow {
    fn render(contact: &FlatContact<'_>) -> FlatRow {
        let mut row = FlatRow {
            cells: String::with_capacity(512),
            ends: [0; CSV_COLUMNS.len()],
        };
        let (message_text, message_at, message_by) = contact.last_message();
        for column in Column::ALL {
            let cells = &mut row.cells;
            let text =
                |cells: &mut String, value: Option<&str>| cells.push_str(value.unwrap_or(""));
            let flag =
                |cells: &mut String, on: bool| cells.push_str(if on { "true" } else { "false" });
            match column {
                Column::Id => text(cells, contact.id()),
                Column::Uuid => text(cells, contact.uuid()),
                Column::Name => cells.push_str(&contact.display_name()),
                Column::Email => text(cells, contact.email()),
                Column::Phone => {
                    if let Some(phone) = contact.phone() {
                        match phone.e164() {
                            Some(e164) => cells.push_str(&e164),
                            None => cells.push_str(&phone.display()),
                        }
                    }
                }
                Column::Channel => text(cells, contact.channel()),
                Column::BotId => text(cells, contact.bot_id()),
                Column::Status => text(cells, contact.status()),
                Column::AgentId => text(cells, contact.agent_id()),
                Column::AgentName => {}
                Column::Tags => join(cells, contact.tags()),
                Column::Segments => join(cells, contact.segments()),
                Column::Attributes => attributes_json(cells, contact),
                Column::LastMessageBy => text(cells, message_by),
                Column::LastMessageAt => text(cells, message_at),
                Column::LastMessageText => text(cells, message_text),
                Column::LastSeenAt => text(cells, contact.last_seen_at()),
                Column::CreatedAt => text(cells, contact.created_at()),
                Column::Online => flag(cells, contact.is_online()),
                Column::LiveChat => flag(cells, contact.is_live_chat_active()),
                Column::Ordered => flag(cells, contact.has_ordered()),
                Column::Interacted => flag(cells, contact.user_interacted()),
            }
            row.ends[column as usize] = u32::try_from(row.cells.len()).unwrap_or(u32::MAX);
        }
        row
    }

    fn cell(&self, column: Column) -> &str {
        let index = column as usize;
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1] as usize,
        };
        self.cells
            .get(start..self.ends[index] as usize)
            .unwrap_or("")
    }

    fn non_blank_cell(&self, column: Column) -> Option<&str> {
        Some(self.cell(column)).filter(|cell| !cell.trim().is_empty())
    }
}

impl<'de> Deserialize<'de> for FlatRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::api::ObjectOnly::<FlatContact>::deserialize(deserializer)
            .map(|contact| FlatRow::render(&contact.0))
    }
}

impl PageItem for FlatRow {
    fn id(&self) -> Option<&str> {
        self.non_blank_cell(Column::Id)
    }

    fn last_message_at(&self) -> Option<&str> {
        self.non_blank_cell(Column::LastMessageAt)
    }
}

fn join(cells: &mut String, texts: &[Cow<'_, str>]) {
    for (index, text) in texts.iter().enumerate() {
        if index > 0 {
            cells.push(';');
        }
        cells.push_str(text);
    }
}

/// The attributes as one JSON object of strings, in their order; a repeated key keeps its
/// first place and its last value, as a JSON object built from them would.
fn attributes_json(cells: &mut String, contact: &FlatContact<'_>) {
    let mut pairs: Vec<(&str, Cow<'_, str>)> = Vec::new();
    for (key, value) in contact.attributes() {
        match pairs.iter_mut().find(|(seen, _)| *seen == key) {
            Some(pair) => pair.1 = value,
            None => pairs.push((key, value)),
        }
    }
    if pairs.is_empty() {
        return;
    }
    let mut json = Vec::with_capacity(64);
    json.push(b'{');
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            json.push(b',');
        }
        // Writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut json, key);
        json.push(b':');
        let _ = serde_json::to_writer(&mut json, value);
    }
    json.push(b'}');
    cells.push_str(&String::from_utf8_lossy(&json));
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn phone_numbers_stay_as_they_are_and_formulas_get_a_quote() {
        for phone in [
            "+1123456789",
            "+44 7700 900123",
            "+1 (555) 010-0100",
            "+91-98765-43210",
        ] {
            assert_eq!(spreadsheet_safe(phone), phone);
        }
        for formula in [
            "+1+HYPERLINK(\"http://x\")",
            "+1+1",
            "+",
            "+ - ( )",
            "+1e5",
            "-2+3",
            "=1+1",
            "@SUM(A1)",
            "\t+1",
            "+1\n=2",
        ] {
            assert_eq!(
                spreadsheet_safe(formula),
                format!("'{formula}"),
                "{formula:?}"
            );
        }
        assert_eq!(spreadsheet_safe("Ann +1"), "Ann +1");
    }
}
