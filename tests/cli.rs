//! The real binary: `list` and `demo-server` as a script would run them.

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
    let output = run_binary(&["--demo", "list"], None);
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
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("token rejected") && stderr.contains("INBOX_TUI_TOKEN"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    assert!(!stderr.contains(CANARY_TOKEN));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn list_succeeds_through_injected_faults() {
    let server = start_server_with(faulty(0.3, 0.2, 0.1)).await;
    let url = server.url();
    for page in ["1", "2", "3"] {
        // Each attempt succeeds about half the time here; 12 attempts make a failure a 1-in-4000 event.
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
