//! Hostile servers and hostile names, round 3 (issue 21): a test server whose pages hold numbers
//! where text belongs, values that are not contacts, a lone surrogate and every kind of control
//! character, and an error of 200 KB. Every contact is written (as text where text was
//! expected), every value that is not one is named, and nothing a terminal acts on leaves the
//! program, through a pipe as on a screen.

mod common;

use common::{
    FakeServer, Received, export_to, json_reply, run_binary_async, start_server_with, text,
};
use inbox_tui::demo::{DEFAULT_TOKEN, DemoConfig};
use serde_json::{Value, json};

/// Everything a terminal could act on, or that would rearrange or split what it shows.
const HAZARDS: &str = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}]0;pwned\u{7}\u{9b}31m\u{7f}\u{85}\u{202e}\u{200b}\u{2028}\u{2029}\u{feff}\u{2066}";

/// Stands for `\ud800` in the page, which a `serde_json::Value` cannot hold.
const LONE_MARK: &str = "LONE-SURROGATE-MARK";

/// Contacts on the page: every object. The values that are not contacts are at `NOT_CONTACTS`.
const CONTACTS: usize = 5;
const NOT_CONTACTS: [usize; 5] = [1, 3, 5, 7, 8];

fn round3_data() -> Value {
    json!([
        {"_id": 12345, "uuid": 987, "status": "OPEN", "createdAt": 1_735_689_600_000_u64,
         "lastMessage": {"text": 42, "at": "2025-01-02T10:00:00.000Z", "by": "user"},
         "profile": {"userDetails": {"name": "Num Bers",
             "contact": {"phone": {"number": 7_700_900_123_u64, "prefix": 44}}}}},
        3,
        {"_id": "65e000000000000000000002",
         "profile": {"userDetails": {"name": format!("{LONE_MARK} Lone")}}},
        "not a contact",
        {"_id": "65e000000000000000000003", "status": format!("OPEN{HAZARDS}"),
         "lastMessage": {"text": format!("x\r\ny\t{HAZARDS}"), "at": "2025-01-02T09:00:00.000Z", "by": "user"},
         "profile": {"userDetails": {"name": format!("Clip{HAZARDS}"),
             "tags": ["a\tb", "c\nd", "e\\f", format!("t{HAZARDS}")],
             "contact": {"email": format!("e{HAZARDS}@x.example")}}}},
        [],
        {"_id": "65e000000000000000000004",
         "profile": {"userDetails": {"name": "Pipe Dream",
             "contact": {"phone": {"number": "+1123456789"}}}}},
        null,
        [[]],
        {"_id": "65e000000000000000000005",
         "profile": {"userDetails": {"name": "+1+HYPERLINK(\"http://evil.example\")",
             "contact": {"phone": {"number": "+1+HYPERLINK(\"http://evil.example\")"}}}}}
    ])
}

/// The page as the server sends it, the mark replaced by a lone surrogate escape.
fn round3_page() -> Vec<u8> {
    json!({"success": true, "message": "", "data": round3_data(), "code": 200})
        .to_string()
        .replace(LONE_MARK, "\\ud800")
        .into_bytes()
}

fn answer(request: &Received) -> common::Reply {
    if request.target.starts_with("/custom-user") {
        return json_reply(200, &json!({"success": true, "data": []}));
    }
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    match body["page"].as_u64() {
        Some(1) => (
            200,
            vec![("content-type".into(), "application/json".into())],
            round3_page(),
        ),
        _ => json_reply(200, &json!({"success": true, "data": []})),
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|arg| (*arg).to_owned()).collect()
}

/// Fails on any character a terminal acts on or that splits or rearranges a line: C0 but
/// newline and tab, DEL, C1, bidi and zero-width characters, line separators, the BOM.
fn assert_nothing_raw(bytes: &[u8], what: &str) {
    let shown = String::from_utf8_lossy(bytes);
    for (index, character) in shown.chars().enumerate() {
        let hazard = (character.is_control() && !matches!(character, '\n' | '\t'))
            || matches!(character,
                '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{061c}');
        assert!(
            !hazard,
            "{what}: {character:?} at {index} came out raw:\n{shown}"
        );
    }
}

/// The `/inbox/users` requests the server answered.
fn page_requests(server: &FakeServer) -> usize {
    server
        .received()
        .iter()
        .filter(|request| request.target.starts_with("/inbox/users"))
        .count()
}

/// Every value that is not a contact is named on stderr by page and position.
fn assert_not_contacts_named(stderr: &str) {
    assert!(
        stderr.contains(&format!(
            "{} contacts could not be used and were left out",
            NOT_CONTACTS.len()
        )),
        "{stderr}"
    );
    for position in NOT_CONTACTS {
        assert!(
            stderr.contains(&format!("page 1, data[{position}]: ")),
            "data[{position}] is named: {stderr}"
        );
    }
}

/// The CSV keeps every contact, numbers as their text and the broken character as U+FFFD,
/// leaves a phone number unquoted but quotes a formula typed into a phone field, and names
/// every value that is not a contact; the walk stops within 16 page requests.
#[tokio::test(flavor = "multi_thread")]
async fn every_contact_is_written_and_every_value_that_is_not_one_is_named() {
    let server = FakeServer::start(answer).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = directory.path().join("out.csv");
    let output = export_to(&server.url, &path.display().to_string(), &[], "fake-token").await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        page_requests(&server) <= 16,
        "{} requests",
        page_requests(&server)
    );
    let mut reader = csv::Reader::from_path(&path).expect("the CSV opens");
    let headers = reader.headers().expect("a header").clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header == name)
            .expect("the column")
    };
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("the rows parse");
    assert_eq!(rows.len(), CONTACTS, "rows written = contacts sent");
    assert!(
        stderr.contains(&format!("exported {CONTACTS} contacts")),
        "{stderr}"
    );
    let first = &rows[0];
    assert_eq!(&first[column("id")], "12345");
    assert_eq!(&first[column("uuid")], "987");
    assert_eq!(&first[column("phone")], "+447700900123");
    assert_eq!(&first[column("created_at")], "1735689600000");
    assert_eq!(&first[column("last_message_text")], "42");
    let names: Vec<&str> = rows.iter().map(|row| &row[column("name")]).collect();
    assert_eq!(names[1], "\u{fffd} Lone");
    assert_eq!(
        &rows[3][column("phone")],
        "+1123456789",
        "a phone number is left as it is"
    );
    assert_eq!(
        &rows[4][column("phone")],
        "'+1+HYPERLINK(\"http://evil.example\")",
        "a formula in a phone field is quoted"
    );
    assert_eq!(names[4], "'+1+HYPERLINK(\"http://evil.example\")");
    assert_not_contacts_named(&stderr);
    assert_nothing_raw(&output.stderr, "stderr");
}

/// Through a pipe, TSV, JSON and NDJSON carry no raw control, bidi or zero-width character,
/// and still every contact: TSV escapes them its own way, JSON with `\u` escapes that read back
/// as the same data. Stderr (with `-v` too) is escaped as well.
#[tokio::test(flavor = "multi_thread")]
async fn pipes_get_escapes_not_controls_and_lose_nothing() {
    let server = FakeServer::start(answer).await;
    let url = server.url.clone();
    let mut expected: Vec<Value> = round3_data()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(Value::is_object)
        .collect();
    expected[1]["profile"]["userDetails"]["name"] = json!("\u{fffd} Lone");
    for command in [
        vec![
            "list",
            "--all",
            "--format",
            "tsv",
            "--fields",
            "id,name,tags,status,last_message_text,email",
        ],
        vec!["list", "--all", "--format", "json", "-v"],
        vec!["list", "--all", "--format", "ndjson"],
        vec!["list", "--format", "ndjson"],
        vec!["export", "--format", "json", "-o", "-"],
        vec!["export", "--format", "ndjson", "-o", "-", "-v"],
    ] {
        let mut arguments = args(&command);
        arguments.extend(args(&["--base-url", &url]));
        let described = command.join(" ");
        let output = run_binary_async(arguments, Some("fake-token".into())).await;
        let stderr = text(&output.stderr);
        assert!(output.status.success(), "{described}: {stderr}");
        assert_nothing_raw(&output.stdout, &described);
        assert_nothing_raw(&output.stderr, &format!("{described} (stderr)"));
        assert_not_contacts_named(&stderr);
        let stdout = text(&output.stdout);
        let contacts: Vec<Value> = if command.contains(&"tsv") {
            let lines: Vec<&str> = stdout.lines().collect();
            assert_eq!(
                lines.len(),
                CONTACTS + 1,
                "{described}: a header and a line each"
            );
            for line in &lines {
                assert_eq!(line.matches('\t').count(), 5, "{described}: {line:?}");
            }
            assert!(
                lines[3].starts_with("65e000000000000000000003\tClip\\x1b]52;c;"),
                "{}",
                lines[3]
            );
            assert!(lines[3].contains("a\\tb,c\\nd,e\\\\f"), "{}", lines[3]);
            assert!(lines[3].contains("x\\r\\ny\\t\\x1b"), "{}", lines[3]);
            assert!(lines[3].contains("\\u{202e}"), "{}", lines[3]);
            continue;
        } else if command.contains(&"json") {
            serde_json::from_str::<Vec<Value>>(&stdout).expect("a JSON array")
        } else {
            stdout
                .lines()
                .map(|line| serde_json::from_str(line).expect("NDJSON"))
                .collect()
        };
        assert_eq!(contacts, expected, "{described}: the same data");
    }
}

/// A 200 KB error message with a raw line feed and a bidi override: stderr gets one escaped
/// line of a few hundred characters that says the log has the rest, with `-v` too.
#[tokio::test(flavor = "multi_thread")]
async fn a_huge_error_message_is_cut_escaped_and_points_to_the_log() {
    let message = format!("bad filter\nforged: line\u{202e}{}", "x".repeat(200 * 1024));
    let server = FakeServer::start(move |_| {
        json_reply(
            400,
            &json!({"success": false, "message": message, "data": [message], "code": 400}),
        )
    })
    .await;
    for verbose in [false, true] {
        let mut arguments = args(&["list", "--base-url", &server.url]);
        if verbose {
            arguments.push("-v".into());
        }
        let output = run_binary_async(arguments, Some("fake-token".into())).await;
        let stderr = text(&output.stderr);
        assert!(!output.status.success());
        assert_nothing_raw(&output.stderr, "stderr");
        assert!(stderr.len() < 4096, "{} bytes on stderr", stderr.len());
        assert!(
            stderr.contains(r"bad filter\x0aforged: line\u{202e}xxx"),
            "{stderr}"
        );
        assert!(stderr.contains("the log has the whole message"), "{stderr}");
        assert!(!stderr.contains("\nforged"), "{stderr}");
    }
}

/// Issue 20: the hostile demo's contacts with a lone surrogate are kept, so `list --all` prints
/// every one of the 400.
#[tokio::test(flavor = "multi_thread")]
async fn the_hostile_demo_lists_every_contact() {
    let server = start_server_with(DemoConfig {
        contacts: 400,
        seed: 3,
        hostile: true,
        ..DemoConfig::default()
    })
    .await;
    let output = run_binary_async(
        args(&[
            "list",
            "--all",
            "--base-url",
            &server.url(),
            "--format",
            "tsv",
            "--fields",
            "id,name",
        ]),
        Some(DEFAULT_TOKEN.into()),
    )
    .await;
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(stdout.lines().count(), 400 + 1, "a header and 400 rows");
    assert!(stdout.contains("Lone\u{fffd}"), "the broken name is kept");
    assert!(!text(&output.stderr).contains("could not be used"));
    assert_nothing_raw(&output.stdout, "list --all of the hostile demo");
    server.shutdown().await;
}

/// `--ids-from /dev/zero` is refused, naming the cap it hit, instead of reading forever.
#[tokio::test(flavor = "multi_thread")]
async fn ids_from_a_file_that_never_ends_is_refused_at_its_cap() {
    let output = run_binary_async(
        args(&[
            "export",
            "--base-url",
            "http://127.0.0.1:9",
            "--ids-from",
            "/dev/zero",
            "-o",
            "-",
        ]),
        Some("fake-token".into()),
    )
    .await;
    let stderr = text(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("the cap on one line of --ids-from"),
        "{stderr}"
    );
}

/// A link another user planted in a sticky, world-writable directory is not followed, even with
/// `--force`: the export is refused, naming the link and its owner, and the file it points to is
/// unchanged.
/// Skipped where the test cannot give the link another owner (not root).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_link_planted_in_a_sticky_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let shared = tempfile::tempdir().expect("a temp dir");
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o1777))
        .expect("made sticky and world-writable");
    let private = tempfile::tempdir().expect("a temp dir");
    let victim = private.path().join("precious.txt");
    std::fs::write(&victim, "mine\n").expect("written");
    let link = shared.path().join("contacts.csv");
    std::os::unix::fs::symlink(&victim, &link).expect("a link");
    if std::os::unix::fs::lchown(&link, Some(4242), Some(4242)).is_err() {
        eprintln!("skipped: the link's owner cannot be changed here");
        return;
    }
    let server = FakeServer::start(answer).await;
    let output = export_to(
        &server.url,
        &link.display().to_string(),
        &["--force"],
        "fake-token",
    )
    .await;
    let stderr = text(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains(&link.display().to_string()), "{stderr}");
    assert!(stderr.contains("uid 4242"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("still there"),
        "mine\n"
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("the link")
            .file_type()
            .is_symlink()
    );

    // The same link in a directory that is not sticky is followed.
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o777))
        .expect("no longer sticky");
    let output = export_to(
        &server.url,
        &link.display().to_string(),
        &["--force"],
        "fake-token",
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        std::fs::read_to_string(&victim)
            .expect("replaced")
            .starts_with("id,")
    );
}

/// A token pasted under the wrong key, and any long value, is never repeated by the error, which
/// names the file and the key.
#[test]
fn config_errors_never_repeat_a_token_or_a_long_value() {
    let token = "bp7K3x9QmZ2vL8wN4rT6yU1iO5pA0sDfGhJkLz";
    let long = "a value that is far longer than forty characters, typed by mistake";
    for (key, config) in [
        ("theme", format!("theme = \"{token}\"\n")),
        ("time_zone", format!("[ui]\ntime_zone = \"{token}\"\n")),
        (
            "base_url",
            format!("[profiles.work]\nbase_url = \"{token}\"\n"),
        ),
        (
            "base_url",
            format!("[profiles.work]\nbase_url = \"{long}\"\n"),
        ),
        ("next_page", format!("[keys]\nnext_page = [\"{token}\"]\n")),
        ("refresh", format!("[ui]\nrefresh = \"{token}\"\n")),
    ] {
        let error = inbox_tui::config::Config::parse(&config, std::path::Path::new("c.toml"))
            .err()
            .unwrap_or_else(|| panic!("{config} is refused"));
        let shown = error.to_string();
        assert!(!shown.contains(token), "{shown}");
        assert!(!shown.contains(&long[..30]), "{shown}");
        assert!(shown.contains("c.toml"), "{shown}");
        assert!(shown.contains(key), "the key {key} is named: {shown}");
    }
}
