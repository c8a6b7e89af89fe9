//! Fields typed by anonymous visitors and replies from whatever answers: nothing reaches a
//! terminal raw, and no spreadsheet runs a formula from an export.

mod common;

use std::time::Duration;

use common::{
    FakeServer, Received, export_to, json_reply, run_binary_async, start_server_with, text,
};
use inbox_tui::demo::{DEFAULT_TOKEN, DemoConfig};
use serde_json::{Value, json};

/// Everything a terminal or a spreadsheet could act on.
const ESCAPES: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{1b}]52;c;ZXZpbA==\u{7}";

fn hostile_contacts() -> Value {
    let contact = |id: &str, name: &str, email: &str, tags: Value| {
        json!({
            "_id": id,
            "platform": ["WEBSITE"],
            "status": "OPEN",
            "lastMessage": {"text": format!("hi{ESCAPES}\u{202e}txt.exe"), "at": "2025-01-02T10:00:00.000Z", "by": "user"},
            "profile": {"userDetails": {
                "name": name,
                "tags": tags,
                "contact": {"email": email, "phone": {"number": "7700 900123", "prefix": "+44"}}
            }}
        })
    };
    json!([
        contact(
            "65c000000000000000000001",
            &format!("Eve{ESCAPES}"),
            "=HYPERLINK(\"http://x\")",
            json!(["@SUM(1)"])
        ),
        contact(
            "65c000000000000000000002",
            "\t=1+1",
            "-2+3",
            json!(["+cmd"])
        ),
        contact(
            "65c000000000000000000003",
            "\r=1+1",
            "plain@example.com",
            json!(["vip"])
        ),
    ])
}

fn page(contacts: Value) -> Value {
    json!({"success": true, "message": "", "data": contacts, "code": 200})
}

fn hostile_server_answer(request: &Received) -> common::Reply {
    if request.target.starts_with("/custom-user") {
        return json_reply(200, &page(json!([])));
    }
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    match body["page"].as_u64() {
        Some(1) => json_reply(200, &page(hostile_contacts())),
        _ => json_reply(200, &page(json!([]))),
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|arg| (*arg).to_owned()).collect()
}

fn assert_no_terminal_controls(bytes: &[u8], what: &str) {
    let shown = String::from_utf8_lossy(bytes);
    for (index, character) in shown.chars().enumerate() {
        let hazard = (character.is_control() && !matches!(character, '\n' | '\r' | '\t'))
            || matches!(character, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !hazard,
            "{what}: {character:?} at {index} reached the terminal:\n{shown}"
        );
    }
}

/// Whether a spreadsheet could run `cell` as a formula: it starts with one of OWASP's characters
/// and is not only a phone number (`+`, digits, spaces, dashes, brackets), which runs nothing.
fn could_run(cell: &str) -> bool {
    let phone = cell.strip_prefix('+').is_some_and(|rest| {
        rest.chars().any(|c| c.is_ascii_digit())
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || " -()".contains(c))
    });
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !phone
}

fn read_csv(path: &std::path::Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .expect("a CSV file")
        .records()
        .collect::<Result<_, _>>()
        .expect("CSV rows")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_opens_no_formula_and_csv_raw_keeps_the_cells() {
    let server = FakeServer::start(hostile_server_answer).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let safe = directory.path().join("safe.csv");
    let raw = directory.path().join("raw.csv");
    for (path, extra) in [(&safe, None), (&raw, Some("--csv-raw"))] {
        let extra: Vec<&str> = extra.into_iter().collect();
        let output = export_to(
            &server.url,
            &path.display().to_string(),
            &extra,
            "fake-token",
        )
        .await;
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    let rows = read_csv(&safe);
    assert_eq!(rows.len(), 3);
    for row in &rows {
        for cell in row {
            assert!(!could_run(cell), "a spreadsheet would run {cell:?}");
        }
    }
    // name, email, phone, tags
    // The display name is trimmed, which leaves the bare formula the guard catches.
    assert_eq!(&rows[1][2], "'=1+1");
    assert_eq!(&rows[1][3], "'-2+3");
    assert_eq!(&rows[0][3], "'=HYPERLINK(\"http://x\")");
    assert_eq!(
        &rows[0][4], "+447700900123",
        "a phone number runs nothing, so it gets no quote (issue 21)"
    );
    assert_eq!(&rows[0][10], "'@SUM(1)");

    let rows = read_csv(&raw);
    assert_eq!(&rows[1][2], "=1+1");
    assert_eq!(&rows[0][4], "+447700900123");
    assert_eq!(&rows[1][3], "-2+3");
}

#[tokio::test(flavor = "multi_thread")]
async fn excel_gets_a_byte_order_mark_and_limit_stops_on_purpose() {
    let server = FakeServer::start(hostile_server_answer).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = directory.path().join("excel.csv");
    let output = export_to(
        &server.url,
        &path.display().to_string(),
        &["--excel", "--limit", "2"],
        "fake-token",
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let bytes = std::fs::read(&path).expect("the export");
    assert!(bytes.starts_with("\u{feff}id,uuid,name".as_bytes()));
    assert_eq!(read_csv(&path).len(), 2, "--limit 2");
    assert!(text(&output.stderr).contains("exported 2 contacts"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_config_can_make_raw_cells_and_the_mark_the_default_and_flags_win() {
    let server = FakeServer::start(hostile_server_answer).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let config = directory.path().join("config.toml");
    std::fs::write(&config, "[export]\ncsv_raw = true\nexcel = true\n").expect("a config");
    let export = |name: &str, flags: &[&str]| {
        let path = directory.path().join(name);
        let mut command = args(&["--config", &config.display().to_string(), "export"]);
        command.extend(args(&[
            "--base-url",
            &server.url,
            "-o",
            &path.display().to_string(),
        ]));
        command.extend(args(flags));
        (path, command)
    };

    let (by_config, command) = export("by-config.csv", &[]);
    let output = run_binary_async(command, Some("fake-token".into())).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let bytes = std::fs::read(&by_config).expect("the export");
    assert!(bytes.starts_with("\u{feff}id,".as_bytes()), "excel = true");
    assert_eq!(&read_csv(&by_config)[1][2], "=1+1", "csv_raw = true");

    let (by_flags, command) = export("by-flags.csv", &["--csv-safe", "--no-excel"]);
    let output = run_binary_async(command, Some("fake-token".into())).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let bytes = std::fs::read(&by_flags).expect("the export");
    assert!(bytes.starts_with(b"id,"), "--no-excel beats the config");
    assert_eq!(
        &read_csv(&by_flags)[1][2],
        "'=1+1",
        "--csv-safe beats the config"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mistyped_export_setting_is_named() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let config = directory.path().join("config.toml");
    std::fs::write(&config, "[export]\ncsv_raw = \"yes\"\n").expect("a config");
    let output = run_binary_async(
        args(&["--config", &config.display().to_string(), "config", "check"]),
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr) + &text(&output.stdout);
    assert!(stderr.contains("config.toml:2: export.csv_raw"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_text_on_stderr_is_escaped() {
    let server = FakeServer::start(|_| {
        json_reply(
            400,
            &json!({"success": false, "message": format!("bad{ESCAPES}\u{202e}"), "data": [format!("field{ESCAPES}")], "code": 400}),
        )
    })
    .await;
    let output = run_binary_async(
        args(&["list", "--base-url", &server.url]),
        Some("fake-token".into()),
    )
    .await;
    assert!(!output.status.success());
    assert_no_terminal_controls(&output.stderr, "stderr");
    let stderr = text(&output.stderr);
    assert!(stderr.contains(r"bad\x1b]0;pwned\x07"), "{stderr}");
    assert!(stderr.contains(r"\u{202e}"), "{stderr}");
}

/// Runs the binary with stdout and stderr on a pseudo-terminal, as a person at a terminal
/// would; everything it printed.
fn on_a_terminal(arguments: Vec<String>) -> Vec<u8> {
    on_a_terminal_with_token(arguments, "fake-token")
}

fn on_a_terminal_with_token(arguments: Vec<String>, token: &str) -> Vec<u8> {
    let pty = common::terminal::open(50, 200);
    let home = tempfile::tempdir().expect("a temp dir");
    let mut command = common::terminal::binary_in(home.path(), arguments);
    command.env("INBOX_TUI_TOKEN", token);
    let mut child = pty.slave.spawn_command(command).expect("the binary starts");
    drop(pty.slave);
    let collected = common::terminal::read_all(pty.master.as_ref());
    let started = std::time::Instant::now();
    loop {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the command did not finish"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(pty.master);
    collected.join().expect("the reader finishes")
}

#[tokio::test(flavor = "multi_thread")]
async fn data_written_to_a_terminal_cannot_drive_it() {
    let server = FakeServer::start(hostile_server_answer).await;
    for command in [
        vec!["export", "--format", "csv", "-o", "-"],
        vec!["export", "--format", "csv", "-o", "/dev/stdout"],
        vec!["export", "--format", "ndjson", "-o", "-"],
        vec!["export", "--format", "json", "-o", "-"],
        vec!["list"],
        vec!["list", "--format", "ndjson"],
    ] {
        let mut arguments = args(&command);
        arguments.extend(args(&["--base-url", &server.url]));
        let described = arguments.join(" ");
        let shown = tokio::task::spawn_blocking(move || on_a_terminal(arguments))
            .await
            .expect("the terminal thread finishes");
        assert!(
            String::from_utf8_lossy(&shown).contains("65c000000000000000000002"),
            "{described}: the contacts were shown:\n{}",
            String::from_utf8_lossy(&shown)
        );
        assert_no_terminal_controls(&shown, &described);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn files_and_pipes_get_the_data_unchanged() {
    let server = FakeServer::start(hostile_server_answer).await;
    let output = export_to(&server.url, "-", &["--format", "ndjson"], "fake-token").await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let lines: Vec<Value> = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("NDJSON"))
        .collect();
    assert_eq!(
        lines,
        hostile_contacts().as_array().cloned().unwrap_or_default()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_not_followed_and_say_where_they_point() {
    let server = FakeServer::start(|_| {
        (
            301,
            vec![(
                "location".into(),
                "https://api.elsewhere.example/v2/inbox/users".into(),
            )],
            Vec::new(),
        )
    })
    .await;
    let output = run_binary_async(
        args(&["list", "--base-url", &server.url]),
        Some("fake-token".into()),
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("does not follow redirects"), "{stderr}");
    assert!(
        stderr.contains("--base-url https://api.elsewhere.example/v2"),
        "{stderr}"
    );
    assert_eq!(
        server.received().len(),
        1,
        "nothing was followed or retried"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn userinfo_in_the_base_url_is_refused_without_echoing_it() {
    let output = run_binary_async(
        args(&["list", "--base-url", "http://someone:s3cr3t-pw@127.0.0.1:9"]),
        Some("fake-token".into()),
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("user name or password"), "{stderr}");
    assert!(
        !stderr.contains("s3cr3t-pw") && !stderr.contains("someone"),
        "{stderr}"
    );
}

/// Starts a slow export into `directory`, sends `signal` once it is under way, and returns its
/// exit code and what it left in the directory.
fn export_stopped_by(signal: &str, directory: &std::path::Path) -> (Option<i32>, Vec<String>) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .args(["--demo", "--demo-latency-ms", "500", "export", "-o"])
        .arg(directory.join("contacts.csv"))
        .env_remove("INBOX_TUI_TOKEN")
        .env("XDG_STATE_HOME", directory.join("state"))
        .env("XDG_CONFIG_HOME", directory.join("config"))
        .current_dir(directory)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    let started = std::time::Instant::now();
    // Under way: its partial file exists.
    while !std::fs::read_dir(directory)
        .expect("the directory")
        .flatten()
        .any(|entry| !["state", "config"].contains(&&*entry.file_name().to_string_lossy()))
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the export never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The export watches for signals before it makes its partial file: no wait is needed.
    // The shell's built-in kill: a minimal machine may lack /usr/bin/kill.
    let killed = std::process::Command::new("sh")
        .args(["-c", &format!("kill {signal} {}", child.id())])
        .status()
        .expect("sh runs");
    assert!(killed.success());
    let status = child.wait().expect("the export ends");
    let left = std::fs::read_dir(directory)
        .expect("the directory")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "state" && name != "config")
        .collect();
    (status.code(), left)
}

#[test]
fn signals_remove_the_partial_export_and_exit_as_shells_expect() {
    for (signal, code) in [("-TERM", 143), ("-HUP", 129), ("-INT", 130)] {
        let directory = tempfile::tempdir().expect("a temp dir");
        let (exit, left) = export_stopped_by(signal, directory.path());
        assert_eq!(exit, Some(code), "{signal}");
        assert!(left.is_empty(), "{signal} left {left:?}");
    }
}

fn numbered_contacts(first: u64, count: u64) -> Value {
    Value::Array(
        (first..first + count)
            .map(|number| json!({"_id": format!("{number:024x}"), "lastMessage": {"at": "2025-01-02T10:00:00.000Z"}}))
            .collect(),
    )
}

/// `export` against a server whose pages never end; its exit code, stderr and what it left.
async fn export_against(
    answer: impl Fn(&Received) -> common::Reply + Send + Sync + 'static,
) -> (Option<i32>, String, usize) {
    let server = FakeServer::start(answer).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let destination = directory.path().join("out.ndjson");
    let output = export_to(
        &server.url,
        &destination.display().to_string(),
        &[],
        "fake-token",
    )
    .await;
    let left = std::fs::read_dir(directory.path())
        .expect("the directory")
        .count();
    (output.status.code(), text(&output.stderr), left)
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_that_never_end_stop_the_walk_with_a_clear_error() {
    let (code, stderr, left) =
        export_against(|_| json_reply(200, &page(numbered_contacts(1, 50)))).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("were the same page"), "{stderr}");
    assert!(stderr.contains("ignoring `page`"), "{stderr}");
    assert_eq!(left, 0, "no export and no partial file");

    // Two pages, alternating forever: nothing new after the first two.
    let (code, stderr, left) = export_against(|request| {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let first = if body["page"].as_u64().unwrap_or(1).is_multiple_of(2) {
            51
        } else {
            1
        };
        json_reply(200, &page(numbered_contacts(first, 50)))
    })
    .await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("20 pages in a row brought no contact not seen already"),
        "{stderr}"
    );
    assert_eq!(left, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_bad_contact_does_not_sink_its_page() {
    let broken = br#"{"success":true,"message":"","code":200,"data":[
        {"_id":"65d000000000000000000001","profile":{"userDetails":{"name":"Ann"}}},
        {"_id":"65d000000000000000000002","profile":{"userDetails":{"name":"\ud800 lone"}}},
        "not a contact",
        {"_id":"65d000000000000000000003","profile":{"userDetails":{"name":"Bad BYTE byte"}}}]}"#
        .to_vec();
    // A byte that is not UTF-8, where "BYTE" stands.
    let at = broken
        .windows(4)
        .position(|window| window == b"BYTE")
        .expect("the marker");
    let broken: Vec<u8> = [&broken[..at], &[0xff], &broken[at + 4..]].concat();
    let server = FakeServer::start(move |request| {
        if request.target.starts_with("/custom-user") {
            return json_reply(200, &page(json!([])));
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        match body["page"].as_u64() {
            Some(1) => (200, vec![], broken.clone()),
            _ => json_reply(200, &page(json!([]))),
        }
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = directory.path().join("out.csv");
    let output = export_to(&server.url, &path.display().to_string(), &[], "fake-token").await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows = read_csv(&path);
    let names: Vec<&str> = rows.iter().map(|row| &row[2]).collect();
    // Issue 20: the lone surrogate is kept as U+FFFD; only the string is left out, and named.
    assert_eq!(names, ["Ann", "\u{fffd} lone", "Bad \u{fffd} byte"]);
    assert!(
        stderr.contains("1 contact could not be used and was left out"),
        "{stderr}"
    );
    assert!(
        stderr.contains("page 1, data[2]: a string, not a contact object"),
        "{stderr}"
    );
}

/// The demo's hostile mode end to end: every contact is exported (a lone surrogate as U+FFFD)
/// with no cell a spreadsheet would run; the terminal gets nothing it could act on; and the
/// escapes in its error replies come out visible.
#[tokio::test(flavor = "multi_thread")]
async fn the_hostile_demo_is_exported_safely_and_shown_harmlessly() {
    const CONTACTS: usize = 800;
    let server = start_server_with(DemoConfig {
        contacts: CONTACTS,
        hostile: true,
        ..DemoConfig::default()
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = directory.path().join("hostile.csv");
    let output = run_binary_async(
        args(&[
            "export",
            "--base-url",
            &server.url(),
            "-o",
            &path.display().to_string(),
        ]),
        Some(DEFAULT_TOKEN.into()),
    )
    .await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows = read_csv(&path);
    // Issue 20: the contacts holding a lone surrogate are kept, the character as U+FFFD.
    assert_eq!(rows.len(), CONTACTS, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(
        rows.iter().any(|row| &row[2] == "Lone\u{fffd}"),
        "a name with a lone surrogate is kept"
    );
    for row in &rows {
        for cell in row {
            assert!(!could_run(cell), "a spreadsheet would run {cell:?}");
        }
    }
    assert!(
        rows.iter().any(|row| &row[2] == "'=1+1"),
        "the hostile names were exported, guarded"
    );

    let url = server.url();
    let shown = tokio::task::spawn_blocking(move || {
        let mut shown = Vec::new();
        for command in [
            vec!["list", "--base-url", &url],
            vec![
                "list",
                "--base-url",
                &url,
                "--page",
                "2",
                "--format",
                "ndjson",
            ],
            vec!["export", "--base-url", &url, "--format", "csv", "-o", "-"],
        ] {
            shown.extend(on_a_terminal_with_token(args(&command), DEFAULT_TOKEN));
        }
        shown
    })
    .await
    .expect("the terminal thread finishes");
    assert!(String::from_utf8_lossy(&shown).contains("=1+1"));
    assert_no_terminal_controls(&shown, "the hostile demo on a terminal");

    let refused = run_binary_async(
        args(&["list", "--base-url", &server.url()]),
        Some("wrong-token".into()),
    )
    .await;
    assert_eq!(refused.status.code(), Some(4), "a rejected token");
    assert_no_terminal_controls(&refused.stderr, "an error reply");
    assert!(
        text(&refused.stderr).contains(r"\x1b]0;pwned\x07"),
        "{}",
        text(&refused.stderr)
    );
    server.shutdown().await;
}
