//! The real binary as a script would run it: `list`, `export`'s pipes, the lookups, `auth
//! status`, `demo-server`, completions and the man page, and the exit codes.

mod common;

use common::demo_process::DemoProcess;
use common::{CANARY_TOKEN, run_binary, run_binary_async, start_server_with, text};
use inbox_tui::demo::{DEFAULT_TOKEN, DemoConfig};
use serde_json::Value;

fn faulty(fail_rate: f64, rate_limit_rate: f64, truncate_rate: f64) -> DemoConfig {
    DemoConfig {
        contacts: 300,
        fail_rate,
        rate_limit_rate,
        truncate_rate,
        ..DemoConfig::default()
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|arg| (*arg).to_owned()).collect()
}

#[test]
fn list_on_the_demo_prints_a_table_of_fifty() {
    let output = run_binary(&["--demo", "list", "--format", "table"], None);
    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("STATUS"),
        "{stdout}"
    );
    assert_eq!(lines.len(), 51, "a header and 50 rows:\n{stdout}");
}

#[test]
fn list_ndjson_applies_the_filter_flags() {
    let output = run_binary(
        &[
            "--demo",
            "list",
            "--format",
            "ndjson",
            "--status",
            "closed",
            "--status",
            "REVIEW",
            "--interacted",
            "--page",
            "2",
        ],
        None,
    );
    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    let contacts: Vec<Value> = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON contact"))
        .collect();
    assert_eq!(contacts.len(), 50);
    for contact in &contacts {
        assert!(
            ["CLOSED", "REVIEW"].contains(&contact["status"].as_str().unwrap_or("")),
            "{contact}"
        );
        assert_eq!(contact["userInteracted"], Value::Bool(true));
    }
}

#[test]
fn list_json_search_finds_the_contact() {
    let all = run_binary(&["--demo", "list", "--format", "json"], None);
    let contacts: Vec<Value> = serde_json::from_slice(&all.stdout).expect("a JSON array");
    let uuid = contacts[7]["uuid"].as_str().expect("a uuid").to_owned();
    let found = run_binary(
        &[
            "--demo",
            "list",
            "--format",
            "json",
            "--search",
            &uuid.to_uppercase(),
        ],
        None,
    );
    assert!(found.status.success(), "stderr: {}", text(&found.stderr));
    let found: Vec<Value> = serde_json::from_slice(&found.stdout).expect("a JSON array");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0], contacts[7]);
}

#[test]
fn bad_input_is_refused_with_what_to_do() {
    let bad_date = run_binary(&["--demo", "list", "--created-after", "last tuesday"], None);
    assert_eq!(bad_date.status.code(), Some(2));
    let stderr = text(&bad_date.stderr);
    assert!(
        stderr.contains("--created-after") && stderr.contains("YYYY-MM-DD"),
        "{stderr}"
    );

    // The platform may know statuses we do not: an unknown one is sent, with a warning.
    let unknown_status = run_binary(&["--demo", "list", "--status", "pending"], None);
    let stderr = text(&unknown_status.stderr);
    assert_ne!(unknown_status.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(r#"warning: status "pending" is not one inbox-tui knows (OPEN,"#),
        "{stderr}"
    );
    let empty_status = run_binary(&["--demo", "list", "--status", " "], None);
    assert_eq!(empty_status.status.code(), Some(2));
    assert!(text(&empty_status.stderr).contains("--status"));

    let no_token = run_binary(&["list", "--base-url", "http://127.0.0.1:9"], None);
    assert_eq!(no_token.status.code(), Some(2));
    assert!(
        text(&no_token.stderr).contains("INBOX_TUI_TOKEN"),
        "{}",
        text(&no_token.stderr)
    );

    let bad_url = run_binary(
        &["list", "--base-url", "api.example.com"],
        Some(CANARY_TOKEN),
    );
    assert_eq!(bad_url.status.code(), Some(2));
    assert!(
        text(&bad_url.stderr).contains("base URL"),
        "{}",
        text(&bad_url.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_token_fails_clearly_without_printing_it() {
    let server = start_server_with(DemoConfig::default()).await;
    let output = run_binary_async(
        args(&["list", "--base-url", &server.url()]),
        Some(CANARY_TOKEN.into()),
    )
    .await;
    assert_eq!(
        output.status.code(),
        Some(4),
        "4, as gh exits on a rejected token"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("token rejected") && stderr.contains("INBOX_TUI_TOKEN"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    assert!(!stderr.contains(CANARY_TOKEN));
    server.shutdown().await;
}

/// 500s, 429s and cut-short pages from a fixed fault seed, so each page meets the same faults
/// on every run: `list` retries through them and prints the page whole.
#[tokio::test(flavor = "multi_thread")]
async fn list_succeeds_through_injected_faults() {
    let server = start_server_with(DemoConfig {
        retry_after_secs: 0,
        fault_seed: Some(26),
        ..faulty(0.3, 0.2, 0.1)
    })
    .await;
    let url = server.url();
    for page in ["1", "2", "3"] {
        let output = run_binary_async(
            args(&[
                "--attempts",
                "12",
                "list",
                "--base-url",
                &url,
                "--format",
                "ndjson",
                "--page",
                page,
            ]),
            Some(DEFAULT_TOKEN.into()),
        )
        .await;
        assert!(
            output.status.success(),
            "page {page}: {}",
            text(&output.stderr)
        );
        assert_eq!(text(&output.stdout).lines().count(), 50, "page {page}");
    }
    assert!(server.requests_refused() > 0, "some requests met a 429");
    assert!(
        server.requests_served() > 3,
        "some pages were served more than once: {} served",
        server.requests_served()
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn list_gives_up_clearly_when_faults_are_certain() {
    let cases = [
        (faulty(1.0, 0.0, 0.0), "server error (HTTP 500"),
        (
            DemoConfig {
                retry_after_secs: 0,
                ..faulty(0.0, 1.0, 0.0)
            },
            "rate limited",
        ),
        (faulty(0.0, 0.0, 1.0), "cut short"),
    ];
    for (config, expected) in cases {
        let server = start_server_with(config).await;
        let output = run_binary_async(
            args(&[
                "--attempts",
                "2",
                "--rate-limit-patience",
                "1",
                "list",
                "--base-url",
                &server.url(),
            ]),
            Some(DEFAULT_TOKEN.into()),
        )
        .await;
        assert_eq!(output.status.code(), Some(1), "{expected}");
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in {stderr}"
        );
        assert!(output.stdout.is_empty());
        server.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_canary_token_never_appears_in_any_failing_command() {
    let failing = start_server_with(DemoConfig {
        token: CANARY_TOKEN.into(),
        ..faulty(1.0, 0.0, 0.0)
    })
    .await;
    let cases = [
        args(&["list", "--base-url", &failing.url(), "--attempts", "1"]),
        args(&["list", "--base-url", "http://127.0.0.1:1"]),
        args(&["list", "--base-url", "ftp://example.com"]),
        args(&[
            "list",
            "--base-url",
            &failing.url(),
            "--created-before",
            "tomorrow",
        ]),
    ];
    for case in cases {
        let output = run_binary_async(case.clone(), Some(CANARY_TOKEN.into())).await;
        assert!(!output.status.success(), "{case:?} should fail");
        let everything = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert!(
            !everything.contains(CANARY_TOKEN),
            "{case:?} printed the token: {everything}"
        );
        assert!(
            !everything.contains("canary"),
            "{case:?} printed part of the token: {everything}"
        );
    }
    failing.shutdown().await;
}

#[test]
fn demo_server_announces_its_address_first_and_serves_list() {
    let server = DemoProcess::start(&[
        "--contacts",
        "120",
        "--seed",
        "9",
        "--token",
        "s3cret-token",
        "--live-rate",
        "20",
        "--rate-limit",
        "1000",
        "--broken-data-rate",
        "0",
    ]);
    let url = server.url.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let page3 = run_binary(
        &[
            "list",
            "--base-url",
            &url,
            "--page",
            "3",
            "--format",
            "ndjson",
        ],
        Some("s3cret-token"),
    );
    drop(server);
    assert!(page3.status.success(), "{}", text(&page3.stderr));
    assert_eq!(
        text(&page3.stdout).lines().count(),
        20,
        "120 contacts = 50 + 50 + 20"
    );
}

#[test]
fn demo_server_refuses_rates_that_mean_nothing() {
    for args in [
        ["--rate-limit", "0"],
        ["--rate-limit", "-3"],
        ["--live-rate", "-1"],
        ["--live-rate", "inf"],
        ["--broken-data-rate", "1.5"],
    ] {
        let output = run_binary(&[&["demo-server"], &args[..]].concat(), None);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(text(&output.stderr).contains(args[1]), "{args:?}");
    }
}

// ---- The command line as its ecosystem expects (issue 13) ----

/// Runs the binary with `args`, the token given, and `stdout` read line by line by `read`,
/// which may stop early (closing the pipe); returns the exit status and stderr.
fn run_reading_stdout(
    args: &[&str],
    token: Option<&str>,
    read: impl FnOnce(&mut dyn std::io::BufRead),
) -> (std::process::ExitStatus, String) {
    use std::io::{BufReader, Read};
    use std::process::Stdio;
    let mut child = common::binary_command(args, token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stderr_pipe = child.stderr.take().expect("piped stderr");
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    read(&mut stdout);
    drop(stdout);
    let status = child.wait().expect("the binary ends");
    (status, stderr.join().expect("stderr is read"))
}

#[test]
fn a_closed_pipe_ends_quietly_with_zero() {
    for command in [
        &["--demo", "export", "-o", "-", "--format", "ndjson"][..],
        &["--demo", "export", "-o", "-", "--format", "csv"][..],
        &["--demo", "list", "--all", "--format", "ndjson"][..],
    ] {
        let (status, stderr) = run_reading_stdout(command, None, |stdout| {
            let mut first = String::new();
            stdout.read_line(&mut first).expect("a first line");
            assert!(!first.is_empty(), "{command:?} printed nothing");
        });
        assert_eq!(status.code(), Some(0), "{command:?}: {stderr}");
        assert!(
            !stderr.to_lowercase().contains("broken pipe") && !stderr.contains("error"),
            "{command:?}: {stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_token_exits_4_from_every_command() {
    let server = start_server_with(DemoConfig {
        contacts: 60,
        ..DemoConfig::default()
    })
    .await;
    let url = server.url();
    let directory = tempfile::tempdir().expect("a temp dir");
    let output_file = directory.path().join("out.csv");
    for command in [
        args(&["list", "--base-url", &url]),
        args(&["list", "--all", "--base-url", &url]),
        args(&[
            "export",
            "--base-url",
            &url,
            "-o",
            &output_file.display().to_string(),
        ]),
        args(&["agents", "--base-url", &url]),
        args(&["segments", "--base-url", &url]),
        args(&["bots", "--base-url", &url]),
        args(&["auth", "status", "--base-url", &url]),
    ] {
        let output = run_binary_async(command.clone(), Some(CANARY_TOKEN.into())).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(4), "{command:?}: {stderr}");
        assert!(stderr.contains("token rejected"), "{command:?}: {stderr}");
        let everything = format!("{}{stderr}", text(&output.stdout));
        assert!(!everything.contains("canary"), "{command:?}: {everything}");
    }
    assert!(!output_file.exists(), "no file from a rejected export");
    server.shutdown().await;
}

#[test]
fn list_stopped_by_a_signal_exits_as_shells_expect() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
            .args(["--demo", "--demo-latency-ms", "60000", "list", "-v"])
            .env_remove("INBOX_TUI_TOKEN")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        // Under way once -v says the page was asked for; the rest of stderr is read on, so
        // that the message the signal brings has somewhere to go.
        let mut stderr = BufReader::new(child.stderr.take().expect("piped stderr")).lines();
        let mut seen = Vec::new();
        for line in stderr.by_ref() {
            let line = line.expect("stderr is text");
            let asked = line.contains("POST /inbox/users");
            seen.push(line);
            if asked {
                break;
            }
        }
        let rest = std::thread::spawn(move || stderr.map_while(Result::ok).collect::<Vec<_>>());
        let killed = Command::new("sh")
            .args(["-c", &format!("kill {signal} {}", child.id())])
            .status()
            .expect("sh runs");
        assert!(killed.success());
        let status = child.wait().expect("list ends");
        seen.extend(rest.join().expect("stderr is read"));
        assert_eq!(status.code(), Some(code), "{signal}: {seen:?}");
        assert!(
            seen.last()
                .is_some_and(|line| line.contains("stopped by SIG")),
            "{seen:?}"
        );
    }
}

/// The ids of NDJSON lines.
fn ndjson_ids(stdout: &[u8]) -> Vec<String> {
    text(stdout)
        .lines()
        .map(|line| {
            let contact: Value = serde_json::from_str(line).expect("one contact a line");
            contact["_id"].as_str().expect("an _id").to_owned()
        })
        .collect()
}

#[test]
fn list_limit_walks_pages_and_all_reads_to_the_end() {
    let server = DemoProcess::start(&["--contacts", "260", "--seed", "5"]);
    let url = server.url.clone();
    let list = |extra: &[&str]| {
        let mut command = vec!["list", "--base-url", &url, "--format", "ndjson"];
        command.extend_from_slice(extra);
        let output = run_binary(&command, Some(DEFAULT_TOKEN));
        assert!(
            output.status.success(),
            "{extra:?}: {}",
            text(&output.stderr)
        );
        ndjson_ids(&output.stdout)
    };
    let pages: Vec<Vec<String>> = ["1", "2", "3"]
        .iter()
        .map(|page| list(&["--page", page]))
        .collect();
    let limited = list(&["--limit", "120"]);
    assert_eq!(limited.len(), 120);
    let expected: Vec<String> = pages[0]
        .iter()
        .chain(&pages[1])
        .chain(pages[2].iter().take(20))
        .cloned()
        .collect();
    assert_eq!(
        limited, expected,
        "pages 1 and 2, and the first 20 of page 3"
    );
    let all = list(&["--all"]);
    assert_eq!(all.len(), 260);
    let unique: std::collections::HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), 260, "each contact once");

    let conflicting = run_binary(
        &["list", "--base-url", &url, "--page", "2", "--limit", "5"],
        Some(DEFAULT_TOKEN),
    );
    assert_eq!(conflicting.status.code(), Some(2));
}

#[test]
fn list_fields_choose_the_columns_and_pipes_get_tab_separated_values() {
    let json = run_binary(&["--demo", "list", "--format", "json"], None);
    let contacts: Vec<Value> = serde_json::from_slice(&json.stdout).expect("a JSON array");

    let chosen = run_binary(&["--demo", "list", "--fields", "id,email,status"], None);
    assert!(chosen.status.success(), "{}", text(&chosen.stderr));
    let stdout = text(&chosen.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "id\temail\tstatus", "a header of field names");
    assert_eq!(lines.len(), 51);
    for (line, contact) in lines[1..].iter().zip(&contacts) {
        let cells: Vec<&str> = line.split('\t').collect();
        let email = contact["profile"]["userDetails"]["contact"]["email"]
            .as_str()
            .unwrap_or("");
        assert_eq!(
            cells,
            [
                contact["_id"].as_str().unwrap_or(""),
                email,
                contact["status"].as_str().unwrap_or("")
            ],
            "{line}"
        );
    }

    // Piped without --fields: the default columns, unpadded.
    let piped = run_binary(&["--demo", "list"], None);
    let stdout = text(&piped.stdout);
    let header = stdout.lines().next().unwrap_or("");
    assert_eq!(
        header,
        "name\tchannel\tstatus\ttags\tlast_message\tlast_seen_at\tid"
    );
    assert!(
        stdout.lines().all(|line| line.split('\t').count() == 7),
        "{stdout}"
    );
    // A table on request, padded to line up even in a pipe.
    let table = run_binary(
        &[
            "--demo",
            "list",
            "--format",
            "table",
            "--fields",
            "status,id",
        ],
        None,
    );
    let stdout = text(&table.stdout);
    let ids_at: Vec<Option<usize>> = stdout
        .lines()
        .skip(1)
        .zip(&contacts)
        .map(|(line, contact)| line.find(contact["_id"].as_str().unwrap_or("?")))
        .collect();
    assert!(
        ids_at.iter().all(|at| *at == Some(11)),
        "the id column starts at 11 on every row:\n{stdout}"
    );

    let unknown = run_binary(&["--demo", "list", "--fields", "id,colour"], None);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = text(&unknown.stderr);
    assert!(
        stderr.contains("colour") && stderr.contains("last_seen_at"),
        "{stderr}"
    );
}

#[test]
fn a_page_past_the_end_says_so() {
    let output = run_binary(&["--demo", "list", "--page", "1000"], None);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout).lines().count(), 1, "the header alone");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("page 1000 is past the end") && stderr.contains("--all"),
        "{stderr}"
    );
}

/// The `_id`s of a demo pick-list, read with plain HTTP rather than inbox-tui's client.
async fn pick_list_ids(url: &str, path: &str) -> Vec<String> {
    let reply: Value = inbox_tui::api::http_client_builder()
        .build()
        .expect("an HTTP client")
        .get(format!("{url}/{path}"))
        .bearer_auth(DEFAULT_TOKEN)
        .header("authtype", "Key")
        .send()
        .await
        .expect("the demo answers")
        .json()
        .await
        .expect("JSON");
    reply["data"]
        .as_array()
        .expect("a data list")
        .iter()
        .filter_map(|entry| entry["_id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn lookups_list_the_demos_pick_lists() {
    let server = start_server_with(DemoConfig::default()).await;
    let url = server.url();
    let directory = tempfile::tempdir().expect("a temp dir");
    let config = directory.path().join("config.toml");
    std::fs::write(
        &config,
        "[names.bots]\n\"65a0000000000000000000b1\" = \"Website shop\"\n",
    )
    .expect("the config is written");
    for (command, path) in [
        ("agents", "custom-user"),
        ("segments", "inbox/segments"),
        ("bots", "whatsapp-automation"),
    ] {
        let output = run_binary_async(
            args(&[
                command,
                "--base-url",
                &url,
                "--config",
                &config.display().to_string(),
                "--format",
                "json",
            ]),
            Some(DEFAULT_TOKEN.into()),
        )
        .await;
        assert!(
            output.status.success(),
            "{command}: {}",
            text(&output.stderr)
        );
        let listed: Vec<Value> = serde_json::from_slice(&output.stdout).expect("a JSON array");
        // `bots` also lists the bots only the contacts name (source `contacts`).
        let mut ids: Vec<String> = listed
            .iter()
            .filter(|entry| entry["source"] != "config" && entry["source"] != "contacts")
            .map(|entry| entry["id"].as_str().expect("an id").to_owned())
            .collect();
        let mut expected = pick_list_ids(&url, path).await;
        ids.sort();
        expected.sort();
        assert!(!expected.is_empty(), "{command}");
        assert_eq!(ids, expected, "{command}");
        assert!(
            listed.iter().all(|entry| entry["name"].as_str().is_some()),
            "{command}: {listed:?}"
        );
        if command == "bots" {
            assert!(
                listed
                    .iter()
                    .any(|entry| entry["id"] == "65a0000000000000000000b1"
                        && entry["name"] == "Website shop"
                        && entry["source"] == "config"),
                "{listed:?}"
            );
            let channels: std::collections::BTreeSet<&str> = listed
                .iter()
                .filter_map(|entry| entry["channel"].as_str())
                .collect();
            for channel in ["website", "whatsapp", "telegram", "facebook"] {
                assert!(channels.contains(channel), "no {channel} bot: {listed:?}");
            }
        }
    }
    let ndjson = run_binary_async(
        args(&["agents", "--base-url", &url, "--format", "ndjson"]),
        Some(DEFAULT_TOKEN.into()),
    )
    .await;
    assert_eq!(
        text(&ndjson.stdout).lines().count(),
        pick_list_ids(&url, "custom-user").await.len()
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_status_says_where_the_token_is_from_and_whether_it_works() {
    let token = "good-token-0123456789-xy";
    let server = start_server_with(DemoConfig {
        contacts: 60,
        token: token.into(),
        ..DemoConfig::default()
    })
    .await;
    let good = run_binary_async(
        args(&["auth", "status", "--base-url", &server.url()]),
        Some(token.into()),
    )
    .await;
    let stdout = text(&good.stdout);
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));
    assert!(stdout.contains("go…xy"), "masked: {stdout}");
    assert!(stdout.contains("INBOX_TUI_TOKEN"), "{stdout}");
    assert!(stdout.contains("the token works"), "{stdout}");
    assert!(
        !stdout.contains(token) && !stdout.contains("0123456789"),
        "{stdout}"
    );

    let bad = run_binary_async(
        args(&["auth", "status", "--base-url", &server.url()]),
        Some(CANARY_TOKEN.into()),
    )
    .await;
    assert_eq!(bad.status.code(), Some(4), "{}", text(&bad.stderr));
    let everything = format!("{}{}", text(&bad.stdout), text(&bad.stderr));
    assert!(everything.contains("rejected"), "{everything}");
    assert!(!everything.contains("canary-7f3a9c1e"), "{everything}");
    server.shutdown().await;
}

#[test]
fn ids_from_reads_quoted_csv_and_reports_the_missing_ids() {
    // 600 contacts, not the --demo's 5,000: an id that is not there is only known missing once
    // every page is read, and three exports read them all.
    let server = DemoProcess::start(&["--contacts", "600", "--seed", "7"]);
    let json = run_binary(
        &["list", "--base-url", &server.url, "--format", "json"],
        Some(DEFAULT_TOKEN),
    );
    let contacts: Vec<Value> = serde_json::from_slice(&json.stdout).expect("a JSON array");
    let id = |index: usize| contacts[index]["_id"].as_str().expect("an id").to_owned();
    let directory = tempfile::tempdir().expect("a temp dir");
    let ids_file = directory.path().join("ids.csv");
    // As a spreadsheet saves it: a byte-order mark, a header, quoted cells with commas.
    std::fs::write(
        &ids_file,
        format!(
            "\u{feff}id,name\n\"{}\",\"Smith, Jane\"\n{},\"O'Neil, \"\"Bob\"\"\"\nffffffffffffffffffffffff,x\nnot-an-id\n",
            id(3),
            id(8)
        ),
    )
    .expect("written");
    let ids_arg = ids_file.display().to_string();
    let missing_file = directory.path().join("missing.txt");
    let export = |extra: &[&str]| {
        let mut command = vec![
            "export",
            "--base-url",
            &server.url,
            "--ids-from",
            &ids_arg,
            "--format",
            "ndjson",
            "-o",
            "-",
        ];
        command.extend_from_slice(extra);
        run_binary(&command, Some(DEFAULT_TOKEN))
    };

    let strict = export(&[]);
    let stderr = text(&strict.stderr);
    assert_eq!(strict.status.code(), Some(1), "{stderr}");
    assert_eq!(ndjson_ids(&strict.stdout), [id(3), id(8)], "{stderr}");
    assert!(stderr.contains("exported 2 contacts"), "{stderr}");
    assert!(
        stderr.contains("2 ids of the 4 listed")
            && stderr.contains("ffffffffffffffffffffffff")
            && stderr.contains("not-an-id")
            && stderr.contains("--allow-missing"),
        "{stderr}"
    );

    let allowed = export(&[
        "--allow-missing",
        "--missing-to",
        &missing_file.display().to_string(),
    ]);
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed.stderr));
    assert_eq!(
        std::fs::read_to_string(&missing_file).expect("the missing ids"),
        "ffffffffffffffffffffffff\nnot-an-id\n"
    );

    std::fs::write(&ids_file, format!("{}\n", id(0))).expect("written");
    let one = export(&[]);
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert!(
        text(&one.stderr).contains("exported 1 contact to"),
        "{}",
        text(&one.stderr)
    );
}

#[test]
fn an_explicit_config_that_does_not_exist_is_refused() {
    let output = run_binary(
        &["--demo", "list", "--config", "/nonexistent/inbox.toml"],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("/nonexistent/inbox.toml") && stderr.contains("does not exist"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    // Before the command, as the browser takes it, too.
    let before = run_binary(
        &["--config", "/nonexistent/inbox.toml", "--demo", "agents"],
        None,
    );
    assert_eq!(before.status.code(), Some(2), "{}", text(&before.stderr));
}

#[test]
fn each_command_takes_only_its_own_flags() {
    let list_help = text(&run_binary(&["list", "--help"], None).stdout);
    assert!(list_help.contains("--limit") && list_help.contains("--base-url"));
    assert!(
        !list_help.contains("--mouse") && !list_help.contains("--refresh"),
        "{list_help}"
    );
    let server_help = text(&run_binary(&["demo-server", "--help"], None).stdout);
    assert!(server_help.contains("--contacts"));
    assert!(!server_help.contains("--base-url") && !server_help.contains("--mouse"));

    for (command, named) in [
        (&["--demo", "list", "--mouse"][..], "--mouse"),
        (&["--mouse", "--demo", "list"][..], "--mouse"),
        (
            &["--refresh", "5", "--demo", "export", "-o", "-"][..],
            "--refresh",
        ),
        (
            &["--base-url", "http://127.0.0.1:9", "demo-server"][..],
            "--base-url",
        ),
        (&["demo-server", "--demo"][..], "--demo"),
        (&["--demo", "completions", "bash"][..], "--demo"),
        (&["list", "--demo-latency-ms", "5"][..], "--demo"),
        (
            &["--demo", "list", "--base-url", "http://127.0.0.1:9"][..],
            "--base-url",
        ),
    ] {
        let output = run_binary(command, None);
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(named), "{command:?}: {stderr}");
    }
}

#[test]
fn completions_for_each_shell_know_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run_binary(&["completions", shell], None);
        assert!(output.status.success(), "{shell}: {}", text(&output.stderr));
        let script = text(&output.stdout);
        // fish names long flags without their dashes (`-l ids-from`).
        for word in ["inbox-tui", "export", "agents", "ids-from", "fields"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    // bash is on every machine that runs these tests: the script must at least parse.
    let directory = tempfile::tempdir().expect("a temp dir");
    let script = directory.path().join("inbox-tui.bash");
    std::fs::write(&script, run_binary(&["completions", "bash"], None).stdout).expect("written");
    let checked = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash runs");
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    let unknown = run_binary(&["completions", "tcsh"], None);
    assert_eq!(unknown.status.code(), Some(2));
}

/// The roff requests a man page from clap_mangen may use; anything else is a broken page.
const ROFF_REQUESTS: [&str; 12] = [
    ".TH", ".SH", ".SS", ".PP", ".TP", ".IP", ".RS", ".RE", ".br", ".B", ".I", ".ie",
];

#[test]
fn the_man_page_is_roff_with_every_command() {
    let output = run_binary(&["man"], None);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let page = text(&output.stdout);
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SUBCOMMANDS"] {
        assert!(
            page.contains(&format!(".SH {section}")),
            "{section} missing"
        );
    }
    for command in [
        "list",
        "export",
        "agents",
        "segments",
        "bots",
        "auth",
        "completions",
    ] {
        assert!(
            page.contains(&format!("inbox\\-tui\\-{command}(1)")),
            "{command}"
        );
    }
    check_roff(&page, "inbox-tui");

    // Every page the main one refers to, written where man finds them.
    let directory = tempfile::tempdir().expect("a temp dir");
    let written = run_binary(
        &["man", "--out-dir", &directory.path().display().to_string()],
        None,
    );
    assert!(written.status.success(), "{}", text(&written.stderr));
    let mut names: Vec<String> = std::fs::read_dir(directory.path())
        .expect("the pages' directory")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    for name in [
        "inbox-tui",
        "inbox-tui-list",
        "inbox-tui-export",
        "inbox-tui-auth-status",
    ] {
        assert!(names.contains(&format!("{name}.1")), "{names:?}");
    }
    for file in &names {
        let page = std::fs::read_to_string(directory.path().join(file)).expect("a page");
        check_roff(&page, file.trim_end_matches(".1"));
    }
    let list_page =
        std::fs::read_to_string(directory.path().join("inbox-tui-list.1")).expect("the list page");
    assert!(list_page.contains("\\-\\-limit") && list_page.contains("\\-\\-fields"));
}

/// Fails unless `page` is a man page titled `name` in section 1, written only with the roff
/// requests clap_mangen uses, and, where groff is installed, read by it without a warning.
fn check_roff(page: &str, name: &str) {
    let th = page
        .lines()
        .find(|line| line.starts_with(".TH "))
        .expect("a .TH title");
    assert!(
        th.starts_with(&format!(".TH {name} 1 ")) && th.contains(" 1 "),
        "{th}"
    );
    for line in page.lines().filter(|line| line.starts_with('.')) {
        let request = line.split_whitespace().next().unwrap_or("");
        assert!(
            ROFF_REQUESTS.contains(&request) || request.starts_with(".el") || request == ".\\\"",
            "{name}: not a roff request clap_mangen writes: {line}"
        );
    }
    // Where groff is installed, it must read the page without a warning.
    if let Ok(mut groff) = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        use std::io::Write;
        groff
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(page.as_bytes())
            .expect("groff reads");
        let checked = groff.wait_with_output().expect("groff ends");
        assert!(checked.status.success(), "{name}");
        assert!(
            checked.stderr.is_empty(),
            "{name}: {}",
            text(&checked.stderr)
        );
    }
}

/// `cargo install --path .` from a clean clone of the committed tree into a temporary root:
/// slow (a release build with LTO), so run it on purpose: `cargo test --test cli -- --ignored
/// cargo_install`. `INBOX_TUI_INSTALL_TARGET_DIR` names a target directory to build in (one
/// that already holds a release build saves the dependencies' minutes).
#[test]
#[ignore = "builds a release binary: minutes"]
fn cargo_install_from_a_clean_clone_works() {
    let root = tempfile::tempdir().expect("a temp dir");
    let clone = root.path().join("clone");
    let manifest_dir = env!("CARGO_MANIFEST_DIR");
    let cloned = std::process::Command::new("git")
        .args(["clone", "--quiet", manifest_dir])
        .arg(&clone)
        .status()
        .expect("git runs");
    assert!(cloned.success());
    let installed = std::process::Command::new(env!("CARGO"))
        .args(["install", "--locked", "--offline", "--path"])
        .arg(&clone)
        .arg("--root")
        .arg(root.path().join("root"))
        .env(
            "CARGO_TARGET_DIR",
            std::env::var_os("INBOX_TUI_INSTALL_TARGET_DIR")
                .map_or_else(|| root.path().join("target"), std::path::PathBuf::from),
        )
        .status()
        .expect("cargo runs");
    assert!(installed.success());
    let binary = root.path().join("root/bin/inbox-tui");
    let version = std::process::Command::new(&binary)
        .arg("--version")
        .output()
        .expect("the installed binary runs");
    assert!(
        text(&version.stdout).starts_with("inbox-tui "),
        "{}",
        text(&version.stdout)
    );
}

#[test]
fn the_command_line_definition_passes_clap_s_own_checks() {
    use clap::CommandFactory;
    inbox_tui::cli::Cli::command().debug_assert();
}

#[test]
fn export_fields_choose_the_csv_columns_in_order() {
    let json = run_binary(&["--demo", "list", "--format", "json"], None);
    let contacts: Vec<Value> = serde_json::from_slice(&json.stdout).expect("a JSON array");
    let output = run_binary(
        &[
            "--demo",
            "export",
            "--limit",
            "50",
            "--fields",
            "status,id",
            "-o",
            "-",
        ],
        None,
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let mut reader = csv::Reader::from_reader(&output.stdout[..]);
    let header = reader.headers().expect("a header").clone();
    assert_eq!(header.iter().collect::<Vec<_>>(), ["status", "id"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|row| row.expect("a row")).collect();
    assert_eq!(rows.len(), 50);
    for (row, contact) in rows.iter().zip(&contacts) {
        assert_eq!(
            row.iter().collect::<Vec<_>>(),
            [
                contact["status"].as_str().unwrap_or(""),
                contact["_id"].as_str().unwrap_or("")
            ]
        );
    }
    let agent = run_binary(
        &[
            "--demo",
            "export",
            "--limit",
            "200",
            "--fields",
            "agent_id,agent_name",
            "-o",
            "-",
        ],
        None,
    );
    let mut reader = csv::Reader::from_reader(&agent.stdout[..]);
    assert!(
        reader
            .records()
            .map(|row| row.expect("a row"))
            .any(|row| !row[0].is_empty() && !row[1].is_empty()),
        "agent names fill their column"
    );

    let json_fields = run_binary(
        &[
            "--demo", "export", "--format", "json", "--fields", "id", "-o", "-",
        ],
        None,
    );
    assert_eq!(json_fields.status.code(), Some(2));
    assert!(text(&json_fields.stderr).contains("--fields"));
    let unknown = run_binary(&["--demo", "export", "--fields", "id,nom", "-o", "-"], None);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("agent_name"));
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_output_names_pages_and_filters_and_is_token_and_terminal_safe() {
    let server = start_server_with(DemoConfig {
        contacts: 120,
        token: CANARY_TOKEN.into(),
        ..DemoConfig::default()
    })
    .await;
    for verbosity in ["-v", "-vv"] {
        let output = run_binary_async(
            args(&[
                "list",
                verbosity,
                "--base-url",
                &server.url(),
                "--status",
                "open",
                "--limit",
                "60",
                "--format",
                "ndjson",
            ]),
            Some(CANARY_TOKEN.into()),
        )
        .await;
        let stderr = text(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(
            stderr.contains(r#"status=["OPEN"] page=2"#) && stderr.contains("page received"),
            "{verbosity}: {stderr}"
        );
        assert!(!stderr.contains("canary"), "{verbosity}: {stderr}");
    }
    server.shutdown().await;

    // A server's message reaches -v's stderr with its escapes made visible.
    let hostile = common::FakeServer::start(|_| {
        common::json_reply(
            500,
            &serde_json::json!({"success": false, "message": "boom \u{1b}]0;pwned\u{7}\nforged"}),
        )
    })
    .await;
    let output = run_binary_async(
        args(&["list", "-v", "--attempts", "2", "--base-url", &hostile.url]),
        Some("token".into()),
    )
    .await;
    let stderr = text(&output.stderr);
    assert!(stderr.contains(r"boom \x1b]0;pwned\x07"), "{stderr}");
    assert!(
        !stderr.chars().any(|c| c.is_control() && c != '\n'),
        "{stderr:?}"
    );
}

#[test]
fn a_closed_stderr_loses_the_messages_not_the_exit_code() {
    // `inbox-tui export -o FILE 2>&1 | grep -q exported`: grep leaves at the first line, and the
    // lines after it must not turn a finished export into a failure.
    use std::process::{Command, Stdio};
    let directory = tempfile::tempdir().expect("a temp dir");
    let output = directory.path().join("all.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .args(["--demo", "export", "-o", &output.display().to_string()])
        .env_remove("INBOX_TUI_TOKEN")
        .env("XDG_CONFIG_HOME", directory.path().join("config"))
        .env("XDG_STATE_HOME", directory.path().join("state"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    drop(child.stderr.take());
    let status = child.wait().expect("the binary ends");
    assert_eq!(status.code(), Some(0));
    let contacts = csv::Reader::from_path(&output)
        .expect("the export was written")
        .records()
        .count();
    assert_eq!(contacts, 5000, "every demo contact");
}

/// `list --mouse` names `--mouse` as the browser's flag, exits 2 and prints nothing on stdout.
#[test]
fn a_browser_flag_given_to_a_command_is_named_as_one() {
    for flag in ["--mouse", "--refresh=5"] {
        let output = run_binary(&["--demo", "list", flag], None);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("browser-only flag"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}

/// An export into a folder that does not exist names the user's path and the folder, never
/// the hidden file staged beside it, and exits non-zero with nothing written.
#[test]
fn an_export_into_a_missing_folder_names_the_users_path() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = directory.path().join("missing").join("out.csv");
    let output = run_binary(
        &["--demo", "export", "-o", &path.display().to_string()],
        None,
    );
    let stderr = text(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains(&path.display().to_string()), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(!stderr.contains(".inbox-tui-export"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(directory.path())
            .expect("the temp dir")
            .count(),
        0,
        "neither the folder nor a staged file was made"
    );
}
