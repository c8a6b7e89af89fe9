//! `inbox-tui export` against the demo API: the right contacts, each once, in every format, and
//! nothing at the destination unless the export completed.

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::{run_binary_async, start_server_with, text};
use inbox_tui::api::Contact;
use inbox_tui::demo::{DEFAULT_TOKEN, Dataset, DemoConfig};
use inbox_tui::export::CSV_COLUMNS;
use serde_json::Value;

const CONTACTS: usize = 3000;
const SEED: u64 = 11;

fn config(fail_rate: f64, rate_limit_rate: f64, truncate_rate: f64) -> DemoConfig {
    DemoConfig {
        contacts: CONTACTS,
        seed: SEED,
        fail_rate,
        rate_limit_rate,
        truncate_rate,
        retry_after_secs: 0,
        ..DemoConfig::default()
    }
}

fn dataset() -> Vec<Value> {
    let dataset = Dataset::generate(CONTACTS, SEED);
    (0..dataset.len())
        .map(|index| dataset.contact_json(index))
        .collect()
}

/// The filter used throughout, applied here independently of the server.
const FILTER: [&str; 5] = ["--status", "open", "--status", "CLOSED", "--interacted"];

fn matches_filter(contact: &Value) -> bool {
    ["OPEN", "CLOSED"].contains(&contact["status"].as_str().unwrap_or(""))
        && contact["userInteracted"].as_bool() == Some(true)
}

fn expected() -> Vec<Value> {
    dataset().into_iter().filter(matches_filter).collect()
}

fn ids_of(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|contact| contact["_id"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn export(url: &str, format: &str, output: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> = vec![
        "--attempts".into(),
        "12".into(),
        "export".into(),
        "--base-url".into(),
        url.into(),
    ];
    args.extend(FILTER.iter().map(|arg| (*arg).to_owned()));
    args.extend([
        "--format".into(),
        format.into(),
        "--output".into(),
        output.display().to_string(),
    ]);
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    run_binary_async(args, Some(DEFAULT_TOKEN.into())).await
}

fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).expect("the CSV opens");
    let header = reader.headers().expect("a header").clone();
    assert_eq!(header.iter().collect::<Vec<_>>(), CSV_COLUMNS.to_vec());
    reader
        .records()
        .map(|record| record.expect("a valid CSV record"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_format_holds_exactly_the_matching_contacts_once() {
    let server = start_server_with(config(0.0, 0.0, 0.0)).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let expected = expected();
    assert!(
        expected.len() > 50 && expected.len() < CONTACTS,
        "the filter spans pages: {}",
        expected.len()
    );

    let csv_path = directory.path().join("contacts.csv");
    let output = export(&server.url(), "csv", &csv_path, &[]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("exported {} contacts", expected.len())),
        "{stderr}"
    );
    let records = read_csv(&csv_path);
    let csv_ids: Vec<String> = records.iter().map(|record| record[0].to_owned()).collect();
    assert_eq!(csv_ids, ids_of(&expected));

    let json_path = directory.path().join("contacts.json");
    let output = export(&server.url(), "json", &json_path, &[]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json: Vec<Value> = serde_json::from_slice(&std::fs::read(&json_path).expect("readable"))
        .expect("a JSON array");
    assert_eq!(json, expected, "JSON keeps each full original contact");

    let ndjson_path = directory.path().join("contacts.ndjson");
    let output = export(
        &server.url(),
        "ndjson",
        &ndjson_path,
        &["--concurrency", "1"],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let ndjson: Vec<Value> = std::fs::read_to_string(&ndjson_path)
        .expect("readable")
        .lines()
        .map(|line| serde_json::from_str(line).expect("one contact a line"))
        .collect();
    assert_eq!(ndjson, expected);

    let leftovers: Vec<_> = std::fs::read_dir(directory.path())
        .expect("listable")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_cells_survive_commas_quotes_newlines_and_emoji() {
    let server = start_server_with(DemoConfig {
        contacts: CONTACTS,
        seed: SEED,
        ..DemoConfig::default()
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = directory.path().join("all.csv");
    // Cells as the contacts hold them; the spreadsheet guard is tested in `hostile.rs`.
    let args = vec![
        "export".into(),
        "--csv-raw".into(),
        "--base-url".into(),
        server.url(),
        "--output".into(),
        path.display().to_string(),
    ];
    let output = run_binary_async(args, Some(DEFAULT_TOKEN.into())).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let records = read_csv(&path);
    assert_eq!(records.len(), CONTACTS);
    let contacts: Vec<Contact> = dataset()
        .into_iter()
        .map(|value| Contact::from_value(value).expect("an object"))
        .collect();
    let name_column = CSV_COLUMNS
        .iter()
        .position(|column| *column == "name")
        .expect("a name column");
    let text_column = CSV_COLUMNS
        .iter()
        .position(|column| *column == "last_message_text")
        .expect("a text column");
    for (record, contact) in records.iter().zip(&contacts) {
        assert_eq!(&record[name_column], contact.display_name());
        let message_text = contact
            .last_message()
            .and_then(|message| message.text)
            .unwrap_or("");
        assert_eq!(&record[text_column], message_text);
    }
    let names: Vec<&str> = records.iter().map(|record| &record[name_column]).collect();
    assert!(
        names.iter().any(|name| name.contains(',')),
        "a name with a comma"
    );
    assert!(
        names.iter().any(|name| name.contains('"')),
        "a name with a quote"
    );
    assert!(
        names.iter().any(|name| !name.is_ascii()),
        "a name with emoji or another script"
    );
    assert!(
        names.iter().any(|name| name.contains('\n')),
        "a name with a line break"
    );
    assert!(
        records
            .iter()
            .any(|record| record[text_column].contains('\n')),
        "a multi-line message"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
/// 500s, 429s and cut-short pages leave the file byte for byte as a clean export writes it.
/// The pace is set (`--rate`), so random 429s are retried without teaching the client a slow
/// pace: learning one is `tests/pace.rs`'s business, and here it would only add waiting.
async fn faults_do_not_change_the_result() {
    let clean = start_server_with(config(0.0, 0.0, 0.0)).await;
    let faulty = start_server_with(config(0.2, 0.1, 0.1)).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    // The four exports are independent: side by side, the test waits for the longest only.
    let export_in = |server: &inbox_tui::demo::DemoServer, name: &str, format: &str| {
        let destination = directory.path().join(format!("{name}.{format}"));
        let url = server.url();
        let format = format.to_owned();
        async move {
            // Both with the same flags, so that the faulty export's extra requests are its
            // retries, not a difference in how far past the end each one read ahead.
            let output = export(&url, &format, &destination, &["--rate", "200"]).await;
            assert!(output.status.success(), "{}", text(&output.stderr));
            std::fs::read(&destination).expect("readable")
        }
    };
    let (clean_csv, faulty_csv, clean_ndjson, faulty_ndjson) = tokio::join!(
        export_in(&clean, "clean", "csv"),
        export_in(&faulty, "faulty", "csv"),
        export_in(&clean, "clean", "ndjson"),
        export_in(&faulty, "faulty", "ndjson"),
    );
    assert_eq!(faulty_csv, clean_csv, "csv is identical under faults");
    assert_eq!(
        faulty_ndjson, clean_ndjson,
        "ndjson is identical under faults"
    );
    assert!(faulty.requests_refused() > 0, "some requests met a 429");
    assert!(
        faulty.requests_faulted() > 0,
        "some pages met a 500 or were cut short (and, the files being whole, were asked again)"
    );
    clean.shutdown().await;
    faulty.shutdown().await;
}

/// A server that always fails (500s), or always cuts its pages short, makes the export give up
/// after `--give-up-after`: exit 1, an error that says the server kept failing, and no file,
/// not even a temporary one.
#[tokio::test(flavor = "multi_thread")]
async fn certain_faults_fail_and_leave_nothing_behind() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let give_up = |index: usize, config: DemoConfig| {
        let destination = directory.path().join(format!("never-{index}.csv"));
        async move {
            let server = start_server_with(config).await;
            let args = vec![
                "export".into(),
                "--give-up-after".into(),
                "2".into(),
                "--base-url".into(),
                server.url(),
                "--output".into(),
                destination.display().to_string(),
            ];
            let output = run_binary_async(args, Some(DEFAULT_TOKEN.into())).await;
            assert_eq!(output.status.code(), Some(1));
            let stderr = text(&output.stderr);
            assert!(stderr.contains("was not written"), "{stderr}");
            assert!(
                stderr.contains("the server kept failing: no page arrived for"),
                "the error says the server kept failing: {stderr}"
            );
            assert!(!destination.exists());
            server.shutdown().await;
        }
    };
    // Independent servers and files: side by side, the test waits out one give-up, not two.
    tokio::join!(
        give_up(0, config(1.0, 0.0, 0.0)),
        give_up(1, config(0.0, 0.0, 1.0))
    );
    let leftovers = std::fs::read_dir(directory.path())
        .expect("listable")
        .count();
    assert_eq!(leftovers, 0, "no temporary files are left");
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_from_a_file_and_stdout() {
    let server = start_server_with(config(0.0, 0.0, 0.0)).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let wanted: Vec<String> = ids_of(&expected()).into_iter().step_by(17).collect();
    let ids_file = directory.path().join("ids.txt");
    std::fs::write(
        &ids_file,
        format!("# follow-ups\nid\n{}\n\n", wanted.join("\n")),
    )
    .expect("writable");
    let output = export(
        &server.url(),
        "ndjson",
        Path::new("-"),
        &["--ids-from", &ids_file.display().to_string()],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let exported: Vec<Value> = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one contact a line"))
        .collect();
    assert_eq!(ids_of(&exported), wanted);

    let empty = directory.path().join("empty.txt");
    std::fs::write(&empty, "\n# nothing\n").expect("writable");
    let output = export(
        &server.url(),
        "csv",
        Path::new("-"),
        &["--ids-from", &empty.display().to_string()],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("no contact ids"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_export_leaves_nothing_behind() {
    use inbox_tui::export::{self, Destination, ExportFormat, ExportJob, Scope};
    let server = start_server_with(DemoConfig {
        latency: std::time::Duration::from_millis(100),
        ..config(0.0, 0.0, 0.0)
    })
    .await;
    let client = common::client_for(&server, DEFAULT_TOKEN);
    let directory = tempfile::tempdir().expect("a temp dir");
    let destination = directory.path().join("cancelled.csv");
    let job = ExportJob {
        query: inbox_tui::api::Query::default(),
        scope: Scope::Matching,
        format: ExportFormat::Csv,
        destination: Destination::File(destination.clone()),
        walk: inbox_tui::api::walk::WalkOptions {
            max_concurrency: 2,
            ..Default::default()
        },
        agent_names: Default::default(),
        csv: Default::default(),
        columns: Default::default(),
        limit: None,
    };
    // Cancel the way the browser does, by dropping the running export, once it has written.
    let first_page = tokio::sync::Notify::new();
    let on_progress = |progress: export::Progress| {
        if progress.contacts_written > 0 {
            first_page.notify_one();
        }
    };
    tokio::select! {
        _ = export::run(&client, job, &on_progress) => panic!("14 slow pages finished first"),
        () = first_page.notified() => {}
    }
    assert!(!destination.exists());
    let leftovers = std::fs::read_dir(directory.path())
        .expect("listable")
        .count();
    assert_eq!(
        leftovers, 0,
        "the temporary file went with the cancelled export"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_format_the_extension_decides() {
    let server = start_server_with(config(0.0, 0.0, 0.0)).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    for (name, check) in [
        ("all.ndjson", "ndjson"),
        ("all.JSON", "json"),
        ("all.txt", "csv"),
    ] {
        let path = directory.path().join(name);
        let args = vec![
            "export".into(),
            "--base-url".into(),
            server.url(),
            "--status".into(),
            "review".into(),
            "--output".into(),
            path.display().to_string(),
        ];
        let output = run_binary_async(args, Some(DEFAULT_TOKEN.into())).await;
        assert!(output.status.success(), "{}", text(&output.stderr));
        let written = std::fs::read_to_string(&path).expect("written");
        match check {
            "ndjson" => assert!(
                written
                    .lines()
                    .all(|line| serde_json::from_str::<Value>(line).is_ok())
            ),
            "json" => assert!(serde_json::from_str::<Vec<Value>>(&written).is_ok()),
            _ => assert!(
                written.starts_with("id,uuid,name"),
                "{}",
                &written[..40.min(written.len())]
            ),
        }
    }
    server.shutdown().await;
}

/// The ids in an exported CSV, each as often as it was written.
fn csv_ids(path: &Path) -> Vec<String> {
    read_csv(path)
        .iter()
        .map(|record| record.get(0).unwrap_or("").to_owned())
        .collect()
}

/// Asserts the file holds exactly the matching contacts, each once.
fn assert_exactly_the_matching(path: &Path, stderr: &str) {
    let written = csv_ids(path);
    let unique: HashSet<&String> = written.iter().collect();
    assert_eq!(unique.len(), written.len(), "none twice: {stderr}");
    let expected: HashSet<String> = ids_of(&expected()).into_iter().collect();
    let missing: Vec<&String> = expected
        .iter()
        .filter(|id| !unique.contains(id))
        .take(5)
        .collect();
    assert!(missing.is_empty(), "missing {missing:?}: {stderr}");
    assert_eq!(unique.len(), expected.len(), "nothing else: {stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_export_misses_nothing_and_writes_nothing_twice() {
    // Fast moves against a slowed server: hundreds of contacts jump to page 1 during the walk,
    // most from pages not yet read.
    let server = start_server_with(DemoConfig {
        live_rate: 300.0,
        latency: std::time::Duration::from_millis(30),
        ..config(0.0, 0.0, 0.0)
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let destination = directory.path().join("live.csv");
    let moves_before = server.moves();
    let output = export(&server.url(), "csv", &destination, &[]).await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(server.moves() - moves_before >= 50, "contacts really moved");
    assert_exactly_the_matching(&destination, &stderr);
    assert!(
        stderr.contains("moved during the export") && !stderr.contains(" 0 caught up"),
        "the summary says what was caught up: {stderr}"
    );
    server.shutdown().await;
}

/// Contacts move while 500s, 429s and cut-short pages make pages be retried: the file holds
/// exactly the matching contacts once, contacts moved during the export, and it met 429s.
/// The pace is set (`--rate`) so random 429s add no learned slowness.
#[tokio::test(flavor = "multi_thread")]
async fn a_live_export_under_faults_misses_nothing() {
    // Retried pages are served long after their neighbours: the boundaries between them are
    // where contacts that never moved could fall through. One export is enough: it sent 146
    // requests for 74 pages, 22 of them refused, while 393 contacts moved (one run, `-v`); a
    // second round only rolled the same dice again, and spent most of its time in back-off.
    let server = start_server_with(DemoConfig {
        live_rate: 60.0,
        latency: std::time::Duration::from_millis(10),
        ..config(0.2, 0.1, 0.1)
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let destination = directory.path().join("live-faults.csv");
    let (moves_before, refused_before) = (server.moves(), server.requests_refused());
    let output = export(&server.url(), "csv", &destination, &["--rate", "200"]).await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        server.moves() - moves_before >= 20,
        "contacts moved during the export: {} moves",
        server.moves() - moves_before
    );
    assert!(
        server.requests_refused() > refused_before,
        "the export met 429s"
    );
    assert_exactly_the_matching(&destination, &stderr);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_without_a_contact_list_fails_the_export_and_leaves_no_file() {
    let server = start_server_with(DemoConfig {
        broken_data_rate: 1.0,
        ..config(0.0, 0.0, 0.0)
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let destination = directory.path().join("broken.csv");
    let output = export(
        &server.url(),
        "csv",
        &destination,
        &["--give-up-after", "1"],
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("broken page"), "{stderr}");
    assert!(!destination.exists());
    let leftovers = std::fs::read_dir(directory.path())
        .expect("listable")
        .count();
    assert_eq!(leftovers, 0, "no temporary file is left");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limited_export_finishes_with_the_default_attempts() {
    // A real token bucket of 10 requests a second, a third of the pages the export reads: most
    // of the export is spent waiting, and every refusal says when to come back.
    let server = start_server_with(DemoConfig {
        rate_limit: Some(10.0),
        ..config(0.0, 0.0, 0.0)
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let destination = directory.path().join("limited.csv");
    let output = run_binary_async(
        vec![
            "export".into(),
            "--base-url".into(),
            server.url(),
            "--output".into(),
            destination.display().to_string(),
        ]
        .into_iter()
        .chain(FILTER.iter().map(|arg| (*arg).to_owned()))
        .collect(),
        Some(DEFAULT_TOKEN.into()),
    )
    .await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(server.requests_refused() > 0, "the limit was reached");
    assert!(stderr.contains("refused with 429"), "{stderr}");
    assert_exactly_the_matching(&destination, &stderr);
    server.shutdown().await;
}

/// 6,000 contacts (120 pages) through 20% 500s and 10% cut-short replies, with the client's
/// default settings: the file is byte for byte the clean one, though at least 20 replies were
/// faults (about 50 are expected; 12,000 contacts took 21 to 56 s of the suite, most of it
/// waiting out back-off chains, for no more proof). No 429s: random refusals make the
/// account's pace learn a limit and walk the pages at it; refusals are `tests/pace.rs`'s
/// business.
#[tokio::test(flavor = "multi_thread")]
async fn six_thousand_contacts_through_faults_give_the_same_bytes() {
    const BIG: usize = 6_000;
    let big = |fail_rate, truncate_rate| DemoConfig {
        contacts: BIG,
        seed: 5,
        fail_rate,
        truncate_rate,
        retry_after_secs: 0,
        ..DemoConfig::default()
    };
    let clean = start_server_with(big(0.0, 0.0)).await;
    let faulty = start_server_with(big(0.2, 0.1)).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let export_from = |name: &str, server: &inbox_tui::demo::DemoServer| {
        let destination = directory.path().join(format!("{name}.ndjson"));
        let args = vec![
            "export".into(),
            "--base-url".into(),
            server.url(),
            "--output".into(),
            destination.display().to_string(),
        ];
        async move {
            let output = run_binary_async(args, Some(DEFAULT_TOKEN.into())).await;
            assert!(output.status.success(), "{}", text(&output.stderr));
            std::fs::read(&destination).expect("readable")
        }
    };
    // The two exports are independent: side by side, the test waits for the longer one only.
    let (clean_file, faulty_file) =
        tokio::join!(export_from("clean", &clean), export_from("faulty", &faulty));
    let files = [clean_file, faulty_file];
    assert_eq!(
        files[0].iter().filter(|byte| **byte == b'\n').count(),
        BIG,
        "one line a contact"
    );
    assert!(files[0] == files[1], "the faulty export is byte-identical");
    assert!(
        faulty.requests_faulted() >= 20,
        "at least 20 replies were faults: {}",
        faulty.requests_faulted()
    );
    clean.shutdown().await;
    faulty.shutdown().await;
}

/// A live list of contacts that a test moves by hand: newest `lastMessage.at` first, 50 a page.
struct ScriptedInbox {
    /// `(_id, lastMessage.at)` in served order.
    order: Vec<(String, i64)>,
    /// The server's message clock, in seconds: every move is newer than anything before it.
    clock: i64,
    /// How often each page was served.
    served: std::collections::HashMap<usize, u32>,
}

impl ScriptedInbox {
    /// Contacts `c000`, `c001`, … one minute apart, newest first.
    fn new(contacts: usize) -> ScriptedInbox {
        let now = 1_780_000_000;
        ScriptedInbox {
            order: (0..contacts)
                .map(|index| (format!("c{index:03}"), now - 60 * index as i64))
                .collect(),
            clock: now,
            served: Default::default(),
        }
    }

    /// `id` gets a new message: it goes to the top, and everyone above its old place one down.
    fn move_to_top(&mut self, id: &str) {
        if let Some(place) = self.order.iter().position(|(known, _)| known == id) {
            self.order.remove(place);
            self.clock += 1;
            self.order.insert(0, (id.to_owned(), self.clock));
        }
    }

    fn served(&self, number: usize) -> u32 {
        self.served.get(&number).copied().unwrap_or(0)
    }

    fn serve(&mut self, number: usize) -> common::Reply {
        *self.served.entry(number).or_default() += 1;
        let contacts: Vec<Value> = self
            .order
            .iter()
            .skip((number.max(1) - 1) * 50)
            .take(50)
            .map(|(id, at)| {
                let at = jiff::Timestamp::from_second(*at).expect("a time");
                serde_json::json!({"_id": id, "lastMessage": {"at": at.to_string()}})
            })
            .collect();
        let body =
            serde_json::json!({"success": true, "message": "", "data": contacts, "code": 200});
        common::json_reply(200, &body)
    }

    fn fail() -> common::Reply {
        let body = serde_json::json!({
            "success": false, "message": "Internal server error", "data": [], "code": 500
        });
        common::json_reply(500, &body)
    }
}

/// Exports from a `ScriptedInbox` of `contacts` whose pages `script` may change or fail before
/// they are served; asserts each contact came once, and returns the requests.
async fn export_scripted(
    contacts: usize,
    extra: &[&str],
    script: impl Fn(&mut ScriptedInbox, usize) -> Option<common::Reply> + Send + Sync + 'static,
) -> Vec<common::Received> {
    let inbox = std::sync::Mutex::new(ScriptedInbox::new(contacts));
    let server = common::FakeServer::start(move |request| {
        if !request.target.starts_with("/inbox/users") {
            let empty =
                serde_json::json!({"success": true, "message": "", "data": [], "code": 200});
            return common::json_reply(200, &empty);
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let number = body["page"].as_u64().unwrap_or(1) as usize;
        let mut inbox = inbox.lock().expect("the inbox");
        match script(&mut inbox, number) {
            Some(reply) => reply,
            None => inbox.serve(number),
        }
    })
    .await;
    let mut args = vec!["export", "--base-url", &server.url, "--format", "ndjson"];
    args.extend(extra);
    args.extend(["--output", "-"]);
    let args = args.iter().map(|arg| (*arg).to_owned()).collect();
    let output = run_binary_async(args, Some(DEFAULT_TOKEN.into())).await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let exported: Vec<String> = text(&output.stdout)
        .lines()
        .map(|line| {
            let contact: Value = serde_json::from_str(line).expect("one contact a line");
            contact["_id"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    let unique: HashSet<&String> = exported.iter().collect();
    assert_eq!(unique.len(), exported.len(), "none twice: {stderr}");
    let missing: Vec<String> = (0..contacts)
        .map(|index| format!("c{index:03}"))
        .filter(|id| !unique.contains(id))
        .collect();
    assert!(missing.is_empty(), "missing {missing:?}: {stderr}");
    server.received()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_repair_is_not_ended_by_its_anchor_found_moved() {
    // Two pages in flight. Page 2 fails until page 3 has been served, and before page 2 is
    // served c249 moves to the top: c099 is pushed from page 2 into page 3, already read, so the
    // 2/3 boundary is repaired by reading on from page 3 until c100, the first contact of page 3
    // as read, or a contact older than it. But c100 gets a message just before the repair reads,
    // and a hundred contacts after it: the repair finds c100 on page 3, among the moved contacts
    // at the top, while c099 has slid down to page 5. Found moved, the anchor proves nothing.
    let received = export_scripted(250, &["--concurrency", "2"], |inbox, number| {
        match number {
            2 if inbox.served(3) == 0 => return Some(ScriptedInbox::fail()),
            2 if inbox.served(2) == 0 => inbox.move_to_top("c249"),
            3 if inbox.served(3) == 1 => {
                inbox.move_to_top("c100");
                for index in (101..200).chain([0]) {
                    inbox.move_to_top(&format!("c{index:03}"));
                }
            }
            _ => {}
        }
        None
    })
    .await;
    let page_3_reads = received
        .iter()
        .filter(|request| {
            serde_json::from_slice::<Value>(&request.body).is_ok_and(|body| body["page"] == 3)
        })
        .count();
    assert!(page_3_reads >= 2, "the boundary was repaired");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catch_up_pass_does_not_end_the_catch_up_while_a_contact_moves_behind_it() {
    // c149 moves before page 3 is read, so only the catch-up can find it, and fifty contacts
    // already taken move after it: the catch-up reads page 1, all moved, then page 2. In between,
    // c149 moves again, to page 1, behind the pass. The pass takes nothing new, and yet c149 is
    // still to be taken: only another pass, reading what moved during this one, finds it.
    let received = export_scripted(150, &[], |inbox, number| {
        match number {
            3 if inbox.served(2) == 0 => return Some(ScriptedInbox::fail()),
            3 if inbox.served(3) == 0 => {
                inbox.move_to_top("c149");
                for index in 0..50 {
                    inbox.move_to_top(&format!("c{index:03}"));
                }
            }
            2 if inbox.served(2) == 1 => inbox.move_to_top("c149"),
            _ => {}
        }
        None
    })
    .await;
    let page_2_reads = received
        .iter()
        .filter(|request| {
            serde_json::from_slice::<Value>(&request.body).is_ok_and(|body| body["page"] == 2)
        })
        .count();
    assert!(
        page_2_reads >= 2,
        "the catch-up read page 2, where c149 moved behind it"
    );
}

/// Reads a stream to its end: every contact's id in the order given, and the walk's figures.
async fn read_stream(
    mut stream: inbox_tui::api::walk::ContactStream<inbox_tui::api::ContactKey>,
) -> (Vec<String>, inbox_tui::api::walk::WalkEnd) {
    use inbox_tui::api::PageItem;
    use inbox_tui::api::walk::WalkStep;
    let mut ids = Vec::new();
    loop {
        match stream.next().await.expect("the walk ends well") {
            WalkStep::Batch(batch) => ids.extend(
                batch
                    .items
                    .iter()
                    .filter_map(|item| item.id().map(str::to_owned)),
            ),
            WalkStep::End(end) => return (ids, end),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_walk_streams_every_contact_once_in_list_order() {
    use inbox_tui::api::walk::{ContactStream, WalkOptions};
    use inbox_tui::api::{IdSet, Query};
    let server = common::start_server(CONTACTS, SEED).await;
    let client = common::client_for(&server, DEFAULT_TOKEN);
    let query = Query::default();
    let listed = common::ids(&common::fetch_all(&client, &query).await);
    let stream = ContactStream::start(&client, &query, &WalkOptions::default(), IdSet::new());
    let (streamed, end) = read_stream(stream).await;
    assert_eq!(streamed, listed, "the walk's order is the list's");
    assert_eq!(end.taken.len(), CONTACTS);
    assert_eq!(end.stats.taken, CONTACTS as u64);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_walk_leaves_out_the_contacts_an_earlier_walk_took() {
    use inbox_tui::api::walk::{ContactStream, WalkOptions};
    use inbox_tui::api::{IdSet, Query};
    let server = common::start_server(CONTACTS, SEED).await;
    let client = common::client_for(&server, DEFAULT_TOKEN);
    let query = Query::default();
    let listed = common::ids(&common::fetch_all(&client, &query).await);
    let mut taken = IdSet::new();
    for id in listed.iter().step_by(2) {
        taken.insert(id);
    }
    let stream = ContactStream::start(&client, &query, &WalkOptions::default(), taken);
    let (streamed, end) = read_stream(stream).await;
    let rest: Vec<String> = listed.iter().skip(1).step_by(2).cloned().collect();
    assert_eq!(streamed, rest);
    assert_eq!(
        end.taken.len(),
        CONTACTS,
        "the taken set carries on to the next walk"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn background_walks_send_nothing_while_the_user_waits_for_a_page() {
    use inbox_tui::api::walk::{Background, ContactStream, WalkOptions};
    use inbox_tui::api::{IdSet, Query};
    let server = common::start_server(CONTACTS, SEED).await;
    let client = common::client_for(&server, DEFAULT_TOKEN);
    let background = Background::default();
    let options = WalkOptions {
        background: Some(background.clone()),
        ..WalkOptions::default()
    };
    let users_page = background.foreground_wait();
    let stream = ContactStream::start(&client, &Query::default(), &options, IdSet::new());
    let reading = tokio::spawn(read_stream(stream));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        server.requests_served(),
        0,
        "the background walk went ahead of the user's page"
    );
    drop(users_page);
    let (streamed, _) = reading.await.expect("the reading task ends");
    assert_eq!(streamed.len(), CONTACTS, "it went on once the page was in");
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_a_stream_stops_its_requests() {
    use inbox_tui::api::walk::{ContactStream, WalkOptions, WalkStep};
    use inbox_tui::api::{ContactKey, IdSet, Query};
    let server = common::start_server(CONTACTS, SEED).await;
    let client = common::client_for(&server, DEFAULT_TOKEN);
    let options = WalkOptions {
        max_concurrency: 2,
        ..WalkOptions::default()
    };
    let mut stream =
        ContactStream::<ContactKey>::start(&client, &Query::default(), &options, IdSet::new());
    let first = stream.next().await.expect("page 1 arrives");
    assert!(matches!(first, WalkStep::Batch(batch) if batch.items.len() == 50));
    drop(stream);
    // Requests already sent may still be served; none is sent after them.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let after_drop = server.requests_served();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(server.requests_served(), after_drop, "the walk went on");
    assert!(
        after_drop < (CONTACTS / 50) as u64,
        "the walk stopped early"
    );
}
