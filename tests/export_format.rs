//! The CSV and JSON writers byte for byte: contacts as the API sends them, decoded the way an
//! export decodes its pages, written into memory. No server and no binary: each test takes
//! milliseconds, so a mutation run of `src/export/format.rs` can afford them all.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use inbox_tui::api::PageItem;
use inbox_tui::export::{
    ContactWriter, CsvColumns, CsvStyle, ExportFormat, FlatRow, spreadsheet_safe,
};

/// A contact with every CSV column filled: three tags, two segments, an attribute given twice
/// (its first place, its last value), a formula for a name and a phone number.
const FULL: &str = r#"{
  "_id": "65a000000000000000000001",
  "uuid": "u-1",
  "platform": ["whatsapp"],
  "_botWhatsapp": "bot-w",
  "status": "OPEN",
  "_agentAssigned": "agent-1",
  "segments": ["vip", "eu"],
  "lastMessage": {"text": "hi", "at": "2026-01-02T03:04:05.000Z", "by": "user"},
  "lastSeenAt": "2026-01-02T03:00:00.000Z",
  "createdAt": "2025-12-01T00:00:00.000Z",
  "isOnline": true,
  "isLiveChatActive": false,
  "hasOrdered": {"status": true},
  "userInteracted": true,
  "profile": {"userDetails": {
    "name": "=HYPERLINK(\"x\")",
    "tags": ["a", "b", "c"],
    "attributes": [
      {"key": "plan", "value": "gold"},
      {"key": "city", "value": "Oslo"},
      {"key": "plan", "value": "platinum"}
    ],
    "contact": {"email": "ann@example.com", "phone": {"prefix": "47", "number": "41234567"}}
  }}
}"#;

/// A contact with nearly nothing: one tag, one attribute, no agent, no message.
const BARE: &str = r#"{"_id": "65a000000000000000000002", "status": "CLOSED",
  "profile": {"userDetails": {"name": "Bo", "tags": ["solo"],
    "attributes": [{"key": "k", "value": "v"}]}}}"#;

/// The header every full CSV starts with.
const HEADER: &str = "id,uuid,name,email,phone,channel,bot_id,status,agent_id,agent_name,tags,\
segments,attributes,last_message_by,last_message_at,last_message_text,last_seen_at,created_at,\
online,live_chat,ordered,interacted";

fn row(json: &str) -> FlatRow {
    serde_json::from_str(json).expect("the contact decodes")
}

fn csv(style: CsvStyle, columns: CsvColumns, contacts: &[&str]) -> (String, u64) {
    let mut writer = ContactWriter::new(
        Vec::new(),
        ExportFormat::Csv,
        style,
        columns,
        HashMap::new(),
    )
    .expect("a writer into memory");
    writer.set_agent_names(HashMap::from([("agent-1".to_owned(), "Alice".to_owned())]));
    for contact in contacts {
        writer.write_flat(&row(contact)).expect("written");
    }
    let written = writer.written();
    let bytes = writer.finish().expect("finished");
    (String::from_utf8(bytes).expect("UTF-8"), written)
}

fn json(format: ExportFormat, contacts: &[&str]) -> (String, u64) {
    let mut writer = ContactWriter::new(
        Vec::new(),
        format,
        CsvStyle::default(),
        CsvColumns::default(),
        HashMap::new(),
    )
    .expect("a writer into memory");
    for contact in contacts {
        writer.write_json(contact).expect("written");
    }
    let written = writer.written();
    let bytes = writer.finish().expect("finished");
    (String::from_utf8(bytes).expect("UTF-8"), written)
}

/// A CSV export holds the header and one line a contact, each cell where its column says: the
/// agent's name from the names the writer was given, tags and segments joined by `;`, the
/// attributes as one JSON object, the formula quoted and the phone number not.
#[test]
fn a_csv_holds_each_contacts_cells_under_their_header() {
    let (text, written) = csv(CsvStyle::default(), CsvColumns::default(), &[FULL, BARE]);
    let expected = format!(
        "{HEADER}\n\
         65a000000000000000000001,u-1,\"'=HYPERLINK(\"\"x\"\")\",ann@example.com,+4741234567,\
         whatsapp,bot-w,OPEN,agent-1,Alice,a;b;c,vip;eu,\
         \"{{\"\"plan\"\":\"\"platinum\"\",\"\"city\"\":\"\"Oslo\"\"}}\",user,\
         2026-01-02T03:04:05.000Z,hi,2026-01-02T03:00:00.000Z,2025-12-01T00:00:00.000Z,\
         true,false,true,true\n\
         65a000000000000000000002,,Bo,,,,,CLOSED,,,solo,,\"{{\"\"k\"\":\"\"v\"\"}}\",,,,,,\
         false,false,false,false\n"
    );
    assert_eq!(text, expected);
    assert_eq!(written, 2);
}

/// `--fields name,id` writes those columns only, in that order; `--csv-raw` leaves the formula
/// as it is; `--excel` puts a byte-order mark first.
#[test]
fn chosen_columns_raw_cells_and_the_byte_order_mark() {
    let columns = CsvColumns::parse("Name, id").expect("two known columns");
    let style = CsvStyle {
        raw: true,
        byte_order_mark: true,
    };
    let (text, written) = csv(style, columns, &[FULL, BARE]);
    assert_eq!(
        text,
        "\u{feff}name,id\n\"=HYPERLINK(\"\"x\"\")\",65a000000000000000000001\n\
         Bo,65a000000000000000000002\n"
    );
    assert_eq!(written, 2);
}

/// An unknown column name is refused, naming it and listing the columns to choose from.
#[test]
fn an_unknown_column_is_named_with_the_choices() {
    let error = CsvColumns::parse("id,nmae").expect_err("nmae is no column");
    assert!(error.starts_with("\"nmae\" is not a CSV column"), "{error}");
    assert!(error.ends_with(&format!("choose from {}", HEADER.replace('\n', ""))));
}

/// A JSON export is an array of the contacts' own objects, one a line; with none it is `[]`.
#[test]
fn a_json_export_is_an_array_of_the_contacts_objects() {
    assert_eq!(json(ExportFormat::Json, &[]), ("[]\n".to_owned(), 0));
    assert_eq!(
        json(ExportFormat::Json, &[" {\"a\":1} ", "{\"b\":2}"]),
        ("[\n{\"a\":1},\n{\"b\":2}\n]\n".to_owned(), 2)
    );
}

/// An NDJSON export is one contact object a line, and nothing else.
#[test]
fn an_ndjson_export_is_one_object_a_line() {
    assert_eq!(json(ExportFormat::Ndjson, &[]), (String::new(), 0));
    assert_eq!(
        json(ExportFormat::Ndjson, &["{\"a\":1}\n", "{\"b\":2}"]),
        ("{\"a\":1}\n{\"b\":2}\n".to_owned(), 2)
    );
}

/// A CSV writer takes no JSON and a JSON writer no CSV rows: each says so and writes nothing.
#[test]
fn a_writer_refuses_the_other_formats_contacts() {
    let mut csv = ContactWriter::new(
        Vec::new(),
        ExportFormat::Csv,
        CsvStyle::default(),
        CsvColumns::default(),
        HashMap::new(),
    )
    .expect("a writer");
    let error = csv.write_json("{}").expect_err("not JSON");
    assert!(error.to_string().contains("not JSON"), "{error}");
    assert_eq!(csv.written(), 0);
    let mut json = ContactWriter::new(
        Vec::new(),
        ExportFormat::Json,
        CsvStyle::default(),
        CsvColumns::default(),
        HashMap::new(),
    )
    .expect("a writer");
    let error = json.write_flat(&row(BARE)).expect_err("not a CSV");
    assert!(error.to_string().contains("not a CSV"), "{error}");
    assert_eq!(json.finish().expect("finished"), b"[]\n");
}

/// Where a CSV cannot be written because its reader went away, the error stays a closed pipe
/// (which the CLI ends quietly on), not a generic one.
#[test]
fn a_closed_pipe_under_a_csv_stays_a_closed_pipe() {
    struct ClosedPipe;
    impl io::Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }
    let mut writer = ContactWriter::new(
        ClosedPipe,
        ExportFormat::Csv,
        CsvStyle::default(),
        CsvColumns::default(),
        HashMap::new(),
    )
    .expect("the header only fills the buffer");
    let long_name = "x".repeat(100_000);
    let contact = format!(
        r#"{{"_id":"65a000000000000000000003","profile":{{"userDetails":{{"name":"{long_name}"}}}}}}"#
    );
    let error = writer
        .write_flat(&row(&contact))
        .expect_err("the pipe is closed");
    assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
}

/// The walk reads a CSV row's id and message time from its cells; a blank id is none.
#[test]
fn a_rows_id_and_message_time_are_read_from_its_cells() {
    let full = row(FULL);
    assert_eq!(full.id(), Some("65a000000000000000000001"));
    assert_eq!(full.last_message_at(), Some("2026-01-02T03:04:05.000Z"));
    let blank = row(r#"{"_id": "  ", "lastMessage": {"at": ""}}"#);
    assert_eq!(blank.id(), None);
    assert_eq!(blank.last_message_at(), None);
}

/// The format is chosen by the file's extension, in any case; `.jsonl` is NDJSON too; and each
/// format's extension names it.
#[test]
fn the_extension_chooses_the_format() {
    for (path, format) in [
        ("out.CSV", Some(ExportFormat::Csv)),
        ("out.json", Some(ExportFormat::Json)),
        ("out.ndjson", Some(ExportFormat::Ndjson)),
        ("out.jsonl", Some(ExportFormat::Ndjson)),
        ("out.txt", None),
        ("out", None),
    ] {
        assert_eq!(ExportFormat::of_path(Path::new(path)), format, "{path}");
    }
    let names: Vec<&str> = ExportFormat::ALL
        .iter()
        .map(|format| format.extension())
        .collect();
    assert_eq!(names, ["csv", "json", "ndjson"]);
}

/// A cell a spreadsheet could run gets a leading `'`; a phone number (`+`, digits, spaces,
/// dashes, brackets, at least one digit) and text that starts harmlessly are left as they are.
#[test]
fn only_what_a_spreadsheet_could_run_gets_a_quote() {
    for kept in ["+47 412 34 567", "+1 (555) 010-0100", "Ann +1", ""] {
        assert_eq!(spreadsheet_safe(kept), kept);
    }
    for quoted in ["+1e5", "+ - ( )", "+", "-2", "@SUM(A1)", "=1"] {
        assert_eq!(spreadsheet_safe(quoted), format!("'{quoted}"), "{quoted:?}");
    }
}
