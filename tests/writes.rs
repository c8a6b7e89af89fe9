//! Writes against the demo API over real HTTP: the endpoint as documented, and the real binary's
//! `set-status`, `delete`, `undo`, `history` and `--resume`, judged by what the server applied.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{CANARY_TOKEN, client_for, fetch_all, ids, start_server_with, text};
use inbox_tui::api::{Query, Status};
use inbox_tui::demo::{DemoConfig, DemoServer};
use serde_json::{Value, json};

/// A state directory of the test's own, so runs of parallel tests never mix.
fn state_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("inbox-tui-writes-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a state directory");
    dir
}

fn command(state: &Path, args: &[String], token: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_inbox-tui"));
    command
        .args(args)
        .env("INBOX_TUI_TOKEN", token)
        .env("XDG_STATE_HOME", state)
        .env("XDG_CONFIG_HOME", state.join("config"))
        .stdin(Stdio::null());
    command
}

/// Runs the binary off the async runtime, so the in-process server keeps serving.
async fn run(state: &Path, args: &[&str], token: &str) -> Output {
    let mut command = command(
        state,
        &args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        token,
    );
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .expect("the binary's thread")
}

/// Runs the binary against `server` with its token, `--base-url` and `--yes` after `args`.
async fn run_yes(state: &Path, server: &DemoServer, args: &[&str]) -> Output {
    let url = server.url();
    let mut all = args.to_vec();
    all.extend(["--base-url", url.as_str(), "--yes"]);
    run(state, &all, server.token()).await
}

fn config(contacts: usize) -> DemoConfig {
    DemoConfig {
        contacts,
        seed: 23,
        ..DemoConfig::default()
    }
}

/// The ids and statuses of the contacts `query` lists, read with the data set still.
async fn statuses(server: &DemoServer, query: &Query) -> HashMap<String, String> {
    let client = client_for(server, server.token());
    fetch_all(&client, query)
        .await
        .into_iter()
        .map(|contact| {
            (
                contact["_id"].as_str().expect("an id").to_owned(),
                contact["status"].as_str().expect("a status").to_owned(),
            )
        })
        .collect()
}

fn query_of(statuses: &[Status]) -> Query {
    Query {
        status: statuses.to_vec(),
        ..Query::default()
    }
}

/// How many times the server changed each contact.
fn changes_per_contact(server: &DemoServer) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for change in server.status_changes() {
        *counts.entry(change.id).or_default() += 1;
    }
    counts
}

fn run_name(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("run ")?.split(':').next())
        .unwrap_or_else(|| panic!("no run named in {stderr}"))
        .to_owned()
}

async fn put(server: &DemoServer, body: &Value, authtype: bool) -> (u16, Value) {
    let mut request = inbox_tui::api::http_client_builder()
        .no_proxy()
        .build()
        .expect("a client")
        .put(format!("{}/inbox/users/status-update", server.url()))
        .bearer_auth(server.token())
        .json(body);
    if authtype {
        request = request.header("authtype", "Key");
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON reply"))
}

/// The demo endpoint as the doc describes it: success reply, the Mongo cast message for a bad
/// id (and nothing changed), 401 without `authtype`, and a change the list shows afterwards.
#[tokio::test]
async fn the_demo_endpoint_validates_and_applies_as_documented() {
    let server = start_server_with(config(200)).await;
    let open = statuses(&server, &query_of(&[Status::Open])).await;
    let id = open.keys().next().expect("an open contact").clone();

    let (status, reply) = put(
        &server,
        &json!({"ids": [id, "nothex"], "status": "CLOSED"}),
        true,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        reply["message"],
        "Argument passed in must be a single String of 12 bytes or a string of 24 hex characters"
    );
    assert_eq!(reply["success"], false);
    assert!(
        server.status_changes().is_empty(),
        "a refused request changed something"
    );

    let (status, _) = put(&server, &json!({"ids": [id], "status": "CLOSED"}), false).await;
    assert_eq!(status, 401);
    let (status, _) = put(&server, &json!({"ids": [id], "status": "SHUT"}), true).await;
    assert_eq!(status, 400);
    let (status, _) = put(
        &server,
        &json!({"subscriberIds": [id], "status": "CLOSED"}),
        true,
    )
    .await;
    assert_eq!(status, 400);

    let (status, reply) = put(&server, &json!({"ids": [id], "status": "CLOSED"}), true).await;
    assert_eq!(
        (status, reply),
        (200, json!({"success": true, "message": "", "code": 200}))
    );
    let closed = statuses(&server, &query_of(&[Status::Closed])).await;
    assert_eq!(closed.get(&id).map(String::as_str), Some("CLOSED"));
    assert!(
        !statuses(&server, &query_of(&[Status::Open]))
            .await
            .contains_key(&id)
    );
}

/// The demo's answer to the question the docs leave open: a deleted contact set to another
/// status stays deleted (the request still succeeds), so deletions are beyond undo.
#[tokio::test]
async fn on_the_demo_a_deleted_contact_stays_deleted() {
    let server = start_server_with(config(200)).await;
    let open = statuses(&server, &query_of(&[Status::Open])).await;
    let id = open.keys().next().expect("an open contact").clone();
    assert_eq!(
        put(&server, &json!({"ids": [id], "status": "DELETED"}), true)
            .await
            .0,
        200
    );
    assert_eq!(
        put(&server, &json!({"ids": [id], "status": "OPEN"}), true)
            .await
            .0,
        200
    );
    let deleted = statuses(&server, &query_of(&[Status::Deleted])).await;
    assert_eq!(deleted.get(&id).map(String::as_str), Some("DELETED"));
    assert_eq!(server.status_changes().len(), 1);
}

/// A status change of a selection by query, under injected 429s, 500s, cut-short replies and
/// live moves (contacts do move during it), changes exactly the contacts matching when it
/// started, each once, and the
/// server's list then shows every one of them at the new status. The faults come from a fixed
/// seed; the pace is set (`--rate`), so random 429s do not teach the client a slow one.
#[tokio::test]
async fn a_status_change_by_query_under_faults_and_live_moves_changes_each_selected_contact_once() {
    let server = start_server_with(DemoConfig {
        fail_rate: 0.1,
        rate_limit_rate: 0.1,
        truncate_rate: 0.1,
        retry_after_secs: 0,
        fault_seed: Some(26),
        ..config(1500)
    })
    .await;
    server.set_live_rate(0.0).expect("a still data set");
    let selected = statuses(&server, &query_of(&[Status::Review, Status::OnHold])).await;
    assert!(
        selected.len() > 100,
        "a selection of several chunks: {}",
        selected.len()
    );
    server.set_live_rate(40.0).expect("a live rate");
    let moves_before = server.moves();
    let state = state_dir("faults");
    let output = run(
        &state,
        &[
            "set-status",
            "dependency",
            "--status",
            "review",
            "--status",
            "onhold",
            "--base-url",
            &server.url(),
            "--rate",
            "200",
            "--attempts",
            "8",
            "--yes",
        ],
        server.token(),
    )
    .await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(server.requests_refused() > 0, "some requests met a 429");
    assert!(
        server.moves() > moves_before,
        "contacts moved during the change"
    );
    let changed = changes_per_contact(&server);
    let expected: HashSet<&String> = selected.keys().collect();
    assert_eq!(changed.keys().collect::<HashSet<_>>(), expected);
    assert!(
        changed.values().all(|times| *times == 1),
        "a contact changed twice"
    );
    assert!(
        server
            .status_changes()
            .iter()
            .all(|change| change.to == "DEPENDANCY")
    );
    server.set_live_rate(0.0).expect("a still data set");
    let now = statuses(&server, &query_of(&[Status::Dependancy])).await;
    assert!(selected.keys().all(|id| now.contains_key(id)));
}

/// A run name that is not one `history` shows (a path) is refused as such: no file
/// outside the journals' directory is ever opened as a journal.
#[tokio::test]
async fn undo_refuses_what_is_not_a_run_name() {
    let server = start_server_with(config(50)).await;
    let state = state_dir("bad-run-name");
    let url = server.url();
    for name in ["../../etc/passwd", "20261204-143501123-set-status/.."] {
        let output = run(
            &state,
            &["undo", name, "--base-url", &url, "--yes"],
            server.token(),
        )
        .await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name:?}: {stderr}");
        assert!(stderr.contains("is not a run name"), "{name:?}: {stderr}");
    }
    assert_eq!(server.writes_received(), 0);
}

/// `history` before any write says there is none; a journals' directory it cannot read (here a
/// file in its place) is an error, not "no writes yet".
#[tokio::test]
async fn history_without_runs_says_so_and_an_unreadable_directory_is_an_error() {
    let state = state_dir("history-empty");
    let output = run(&state, &["history"], "a-token").await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("no writes yet"), "{stderr}");
    std::fs::create_dir_all(state.join("inbox-tui")).expect("the state directory");
    std::fs::write(state.join("inbox-tui").join("writes"), "not a directory").expect("a file");
    let output = run(&state, &["history"], "a-token").await;
    let stderr = text(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(!stderr.contains("no writes yet"), "{stderr}");
}

/// `undo` sets each contact of a run back to the status it had before, and no other contact.
#[tokio::test]
async fn undo_restores_each_contact_to_its_status_before() {
    let server = start_server_with(config(600)).await;
    let before = statuses(&server, &query_of(&[Status::Open, Status::Review])).await;
    let state = state_dir("undo");
    let url = server.url();
    let output = run_yes(
        &state,
        &server,
        &[
            "set-status",
            "closed",
            "--status",
            "open",
            "--status",
            "review",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let run_id = run_name(&text(&output.stderr));
    assert!(
        statuses(&server, &query_of(&[Status::Open, Status::Review]))
            .await
            .is_empty()
    );

    let output = run(
        &state,
        &["undo", &run_id, "--base-url", &url, "--yes"],
        server.token(),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let after = statuses(&server, &query_of(&[Status::Open, Status::Review])).await;
    assert_eq!(after, before);
    let changes = changes_per_contact(&server);
    assert_eq!(
        changes.len(),
        before.len(),
        "only the run's contacts changed"
    );
    assert!(
        changes.values().all(|times| *times == 2),
        "there and back, once each"
    );

    let history = run(&state, &["history"], server.token()).await;
    let listing = text(&history.stdout);
    assert!(
        listing.contains(&run_id) && listing.contains(&format!("undo of {run_id}")),
        "{listing}"
    );
    let columns: Vec<&str> = listing
        .lines()
        .find(|line| line.starts_with(&format!("{run_id}\t")))
        .expect("the run has a line")
        .split('\t')
        .collect();
    let count = before.len().to_string();
    assert_eq!(
        columns[2..8],
        ["set-status", "CLOSED", &count, &count, "0", "done"],
        "action, status set, contacts, confirmed, failed, state: {listing}"
    );
    let started = columns[1];
    let started: jiff::Timestamp = started
        .parse()
        .unwrap_or_else(|error| panic!("STARTED {started:?} is a time: {error}"));
    let age = jiff::Timestamp::now().duration_since(started);
    assert!(
        age >= jiff::SignedDuration::ZERO && age < jiff::SignedDuration::from_secs(600),
        "the run started minutes ago at most, not {started}"
    );
}

/// Deletions are beyond undo: `undo` of a delete run refuses, and sends nothing.
#[tokio::test]
async fn undo_of_a_deletion_is_refused() {
    let server = start_server_with(config(200)).await;
    let state = state_dir("undo-delete");
    let url = server.url();
    let output = run_yes(
        &state,
        &server,
        &["delete", "--status", "review", "--limit", "3"],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(server.status_changes().len(), 3);
    let writes = server.writes_received();
    let output = run(
        &state,
        &["undo", "--base-url", &url, "--yes"],
        server.token(),
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("beyond undo"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(server.writes_received(), writes);
}

/// `--dry-run` lists the contacts that would change, and the server receives no write.
#[tokio::test]
async fn a_dry_run_sends_no_write() {
    let server = start_server_with(config(300)).await;
    let open = statuses(&server, &query_of(&[Status::Open])).await;
    let state = state_dir("dry");
    let output = run(
        &state,
        &[
            "delete",
            "--status",
            "open",
            "--base-url",
            &server.url(),
            "--dry-run",
        ],
        server.token(),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let listed: HashSet<String> = text(&output.stdout)
        .lines()
        .map(|line| line.split('\t').next().unwrap_or("").to_owned())
        .collect();
    assert_eq!(listed, open.keys().cloned().collect());
    assert_eq!(server.writes_received(), 0);
    assert!(server.status_changes().is_empty());
}

/// A token that may read but not write gets a 403 on the first request; the command exits 4,
/// says what a 403 to a write means, and sends nothing more.
#[tokio::test]
async fn a_403_to_a_write_is_explained() {
    let server = start_server_with(DemoConfig {
        read_only: true,
        ..config(300)
    })
    .await;
    let state = state_dir("forbidden");
    let output = run_yes(
        &state,
        &server,
        &["set-status", "closed", "--status", "open"],
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("403") && stderr.contains("may read contacts but not change them"),
        "{stderr}"
    );
    assert_eq!(server.writes_received(), 1);
    assert!(server.status_changes().is_empty());
}

/// A malformed id in `--ids-from` is refused before any request, reads included.
#[tokio::test]
async fn bad_ids_are_refused_before_any_request() {
    let server = start_server_with(config(100)).await;
    let state = state_dir("bad-ids");
    let file = state.join("ids.txt");
    std::fs::write(&file, "6adf95a85eed000000000011\nnot-an-id\n").expect("the ids file");
    let output = run_yes(
        &state,
        &server,
        &[
            "set-status",
            "closed",
            "--ids-from",
            file.to_str().expect("utf-8"),
        ],
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not-an-id") && stderr.contains("24 hex"),
        "{stderr}"
    );
    assert_eq!(server.requests_served(), 0);
    assert_eq!(server.writes_received(), 0);
}

/// Without a terminal and without `--yes`, a write is refused before any request.
#[tokio::test]
async fn without_a_terminal_a_write_needs_yes() {
    let server = start_server_with(config(100)).await;
    let state = state_dir("no-tty");
    let output = run(
        &state,
        &["delete", "--base-url", &server.url()],
        server.token(),
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--yes"));
    assert_eq!(server.requests_served(), 0);
}

/// `--ids-from` changes exactly the listed contacts.
#[tokio::test]
async fn ids_from_changes_only_the_listed_contacts() {
    let server = start_server_with(config(300)).await;
    let client = client_for(&server, server.token());
    let all = ids(&fetch_all(&client, &query_of(&[Status::Open])).await);
    let listed: Vec<&String> = all.iter().take(7).collect();
    let state = state_dir("ids-from");
    let file = state.join("ids.csv");
    let lines: String = listed.iter().map(|id| format!("{id}\n")).collect();
    std::fs::write(&file, format!("id\n{lines}")).expect("the ids file");
    let output = run_yes(
        &state,
        &server,
        &[
            "set-status",
            "review",
            "--ids-from",
            file.to_str().expect("utf-8"),
        ],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let changed: HashSet<String> = changes_per_contact(&server).into_keys().collect();
    assert_eq!(changed, listed.into_iter().cloned().collect());
}

/// The journal of the one run kept in `state`.
fn only_journal(state: &Path) -> String {
    std::fs::read_dir(state.join("inbox-tui").join("writes"))
        .expect("the runs")
        .map(|entry| std::fs::read_to_string(entry.expect("an entry").path()).expect("a journal"))
        .next()
        .expect("a journal")
}

/// A demo server slow enough (40 ms a request) to stop a run between its chunks, and its
/// CLOSED contacts, more than 300 of them: several chunks.
async fn closed_in_several_chunks() -> (DemoServer, HashMap<String, String>) {
    let server = start_server_with(DemoConfig {
        latency: Duration::from_millis(40),
        ..config(2000)
    })
    .await;
    let selected = statuses(&server, &query_of(&[Status::Closed])).await;
    assert!(selected.len() > 300, "several chunks: {}", selected.len());
    (server, selected)
}

/// Starts `set-status open --status closed` and returns it running once its journal records a
/// confirmed request, its stderr piped.
async fn close_to_open_confirmed_once(state: &Path, server: &DemoServer) -> std::process::Child {
    let url = server.url();
    let args: Vec<String> = [
        "set-status",
        "open",
        "--status",
        "closed",
        "--base-url",
        &url,
        "--yes",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    let child = command(state, &args, server.token())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let runs = state.join("inbox-tui").join("writes");
    let deadline = Instant::now() + Duration::from_secs(60);
    let confirmed = || {
        std::fs::read_dir(&runs)
            .ok()
            .into_iter()
            .flatten()
            .flatten()
            .any(|entry| {
                std::fs::read_to_string(entry.path())
                    .is_ok_and(|journal| journal.contains("\"ok\":true"))
            })
    };
    while !confirmed() {
        assert!(Instant::now() < deadline, "no request was confirmed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child
}

/// A run stopped by SIGINT between chunks exits 130 and says how to finish; `--resume` then
/// sends the rest, no request reusing a number the stopped run gave one, and in the end every
/// selected contact changed exactly once.
#[tokio::test]
async fn a_run_stopped_midway_and_resumed_changes_each_contact_once() {
    let (server, selected) = closed_in_several_chunks().await;
    let state = state_dir("resume");
    let url = server.url();
    let child = close_to_open_confirmed_once(&state, &server).await;
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("the thread")
        .expect("the binary ends");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    let midway = server.status_changes().len();
    assert!(
        midway > 0 && midway < selected.len(),
        "stopped midway: {midway}"
    );

    let output = run(
        &state,
        &["set-status", "--resume", "--base-url", &url, "--yes"],
        server.token(),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let changed = changes_per_contact(&server);
    assert_eq!(
        changed.keys().collect::<HashSet<_>>(),
        selected.keys().collect::<HashSet<_>>()
    );
    assert!(changed.values().all(|times| *times == 1));
    let journal = only_journal(&state);
    let chunks: Vec<u64> = journal
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|record| record["kind"] == "sending")
        .filter_map(|record| record["chunk"].as_u64())
        .collect();
    let distinct: HashSet<&u64> = chunks.iter().collect();
    assert_eq!(
        distinct.len(),
        chunks.len(),
        "every request its own number: {chunks:?}"
    );
}

/// The journal is readable by its owner only (0600, in a 0700 directory), records each
/// contact's previous status, and never holds the token; stderr names the run as the journal's
/// file is named (when it started, then the command) and gives the journal's path.
#[cfg(unix)]
#[tokio::test]
async fn the_journal_is_private_and_holds_no_token() {
    use std::os::unix::fs::PermissionsExt;
    let server = start_server_with(DemoConfig {
        token: CANARY_TOKEN.into(),
        ..config(200)
    })
    .await;
    let state = state_dir("journal");
    let output = run(
        &state,
        &[
            "set-status",
            "closed",
            "--status",
            "open",
            "--limit",
            "60",
            "--base-url",
            &server.url(),
            "--yes",
        ],
        CANARY_TOKEN,
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let runs = state.join("inbox-tui").join("writes");
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&runs), 0o700);
    let journals: Vec<PathBuf> = std::fs::read_dir(&runs)
        .expect("the runs")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    assert_eq!(journals.len(), 1);
    assert_eq!(mode(&journals[0]), 0o600);
    let stderr = text(&output.stderr);
    let named = run_name(&stderr);
    assert_eq!(
        journals[0].file_stem().and_then(|stem| stem.to_str()),
        Some(named.as_str()),
        "{stderr}"
    );
    assert!(
        named.ends_with("-set-status") && named.starts_with(char::is_numeric),
        "{named}"
    );
    assert!(
        stderr.contains(&journals[0].display().to_string()),
        "the journal's path is given: {stderr}"
    );
    let journal = std::fs::read_to_string(&journals[0]).expect("the journal");
    assert!(!journal.contains(CANARY_TOKEN));
    let records: Vec<Value> = journal
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let sending: Vec<&Value> = records.iter().filter(|r| r["kind"] == "sending").collect();
    assert_eq!(
        sending.len(),
        2,
        "60 contacts go in two requests of at most 50"
    );
    assert!(sending.iter().all(|r| {
        r["from"]
            .as_array()
            .is_some_and(|from| from.iter().all(|s| s == "OPEN"))
    }));
    assert!(
        sending
            .iter()
            .all(|r| r["status"] == "CLOSED" && r["host"] == server.url().to_string() + "/")
    );
    assert_eq!(
        records
            .iter()
            .filter(|r| r["kind"] == "outcome" && r["ok"] == true)
            .count(),
        2
    );
}

/// A server that is not the demo: 60 contacts, all OPEN, whose status-update answers HTTP 200
/// with `success: false` for any request naming `refused`, and applies the others, except to
/// the contact `ignored`, which it leaves as it was while saying `success: true`.
async fn refusing_server(
    refused: String,
    ignored: String,
) -> (common::FakeServer, Arc<Mutex<Vec<(String, String)>>>) {
    let contacts: Vec<(String, String)> = (1..=60)
        .map(|index| (format!("{index:024x}"), "OPEN".to_owned()))
        .collect();
    let contacts = Arc::new(Mutex::new(contacts));
    let state = Arc::clone(&contacts);
    let server = common::FakeServer::start(move |request| {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let mut contacts = state.lock().expect("the contacts");
        if request.method == "PUT" {
            let ids: Vec<&str> = body["ids"]
                .as_array()
                .map_or(vec![], |ids| ids.iter().filter_map(Value::as_str).collect());
            if ids.contains(&refused.as_str()) {
                return common::json_reply(
                    200,
                    &json!({"success": false, "message": "not allowed", "code": 200}),
                );
            }
            let status = body["status"].as_str().unwrap_or_default();
            for (id, current) in contacts.iter_mut() {
                if ids.contains(&id.as_str()) && *id != ignored {
                    *current = status.to_owned();
                }
            }
            return common::json_reply(200, &json!({"success": true, "message": "", "code": 200}));
        }
        let wanted: Vec<&str> = body["status"].as_array().map_or(vec![], |statuses| {
            statuses.iter().filter_map(Value::as_str).collect()
        });
        let page = body["page"].as_u64().unwrap_or(1) as usize;
        let data: Vec<Value> = contacts
            .iter()
            .enumerate()
            .filter(|(_, (_, status))| wanted.is_empty() || wanted.contains(&status.as_str()))
            .skip((page - 1) * 50)
            .take(50)
            .map(|(index, (id, status))| {
                json!({
                    "_id": id,
                    "status": status,
                    "lastMessage": {"at": format!("2026-01-01T00:{:02}:00.000Z", 59 - index)},
                })
            })
            .collect();
        common::json_reply(
            200,
            &json!({"success": true, "message": "", "data": data, "code": 200}),
        )
    })
    .await;
    (server, contacts)
}

/// A reply of HTTP 200 with `success: false` is a failure, not retried: the command exits 1
/// naming every id of the refused request and the server's message and counting them failed,
/// the journal records that request as failed and ends the run as failed, and the contacts of
/// the accepted request are changed.
#[tokio::test]
async fn a_partial_failure_exits_1_and_names_the_failed_ids() {
    let refused = format!("{:024x}", 55);
    let (server, contacts) = refusing_server(refused, String::new()).await;
    let state = state_dir("partial");
    let output = run(
        &state,
        &["set-status", "closed", "--base-url", &server.url, "--yes"],
        "a-token",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let contacts = contacts.lock().expect("the contacts").clone();
    let (changed, failed): (Vec<_>, Vec<_>) =
        contacts.iter().partition(|(_, status)| status == "CLOSED");
    assert_eq!(changed.len(), 50, "the first request of 50 went through");
    assert_eq!(failed.len(), 10);
    for (id, _) in &failed {
        assert!(stderr.contains(id.as_str()), "{id} is not named:\n{stderr}");
    }
    assert!(stderr.contains("not allowed"), "{stderr}");
    let puts = server
        .received()
        .iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(puts, 2, "a refusal is not retried");
    let journal = only_journal(&state);
    let outcomes: Vec<Value> = journal
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("a JSON line"))
        .filter(|record| record["kind"] == "outcome")
        .map(|record| record["ok"].clone())
        .collect();
    assert_eq!(outcomes, [json!(true), json!(false)]);
    let end = journal
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|record| record["kind"] == "end")
        .expect("the journal ends the run");
    assert_eq!(end["state"], json!("failed"), "{journal}");
    assert!(
        stderr.contains("50 contacts changed and read back, 10 failed"),
        "{stderr}"
    );
}

/// A contact the server says it changed but did not is found by the read-back: the command
/// exits 1 naming it, and the journal's read-back lists it alone.
#[tokio::test]
async fn a_contact_accepted_but_not_changed_is_named_by_the_read_back() {
    let ignored = format!("{:024x}", 7);
    let (server, _) = refusing_server(String::new(), ignored.clone()).await;
    let state = state_dir("read-back");
    let output = run(
        &state,
        &["set-status", "closed", "--base-url", &server.url, "--yes"],
        "a-token",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not changed when read back"), "{stderr}");
    assert!(stderr.contains(&ignored), "{stderr}");
    assert!(
        stderr.contains("59 contacts changed and read back"),
        "{stderr}"
    );
    let journal = only_journal(&state);
    let verified: Vec<Value> = journal
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("a JSON line"))
        .filter(|record| record["kind"] == "verified")
        .map(|record| record["unchanged"].clone())
        .collect();
    assert_eq!(verified, [json!([ignored])]);
}

/// A bare `undo` takes the newest run not undone yet, never an undo: two in a row set back the
/// two runs before them, newest first, and a third finds nothing left to undo.
#[tokio::test]
async fn bare_undos_walk_back_through_the_runs_and_never_redo() {
    let server = start_server_with(config(600)).await;
    let open = statuses(&server, &query_of(&[Status::Open])).await;
    let review = statuses(&server, &query_of(&[Status::Review])).await;
    assert!(!open.is_empty() && !review.is_empty());
    let state = state_dir("bare-undo");
    let url = server.url();
    for from in ["open", "review"] {
        let output = run_yes(&state, &server, &["set-status", "closed", "--status", from]).await;
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    let undo_args = ["undo", "--base-url", url.as_str(), "--yes"];

    let output = run(&state, &undo_args, server.token()).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        statuses(&server, &query_of(&[Status::Review])).await,
        review
    );
    assert!(
        statuses(&server, &query_of(&[Status::Open]))
            .await
            .is_empty()
    );

    let output = run(&state, &undo_args, server.token()).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        statuses(&server, &query_of(&[Status::Review])).await,
        review
    );
    assert_eq!(statuses(&server, &query_of(&[Status::Open])).await, open);

    let output = run(&state, &undo_args, server.token()).await;
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("no run left to undo"),
        "{}",
        text(&output.stderr)
    );
    assert!(
        changes_per_contact(&server)
            .values()
            .all(|times| *times == 2),
        "each contact there and back, once"
    );
}

/// A run killed outright (SIGKILL: no handler runs) leaves a journal that `history` lists as
/// unfinished, and `--resume` finishes it: every selected contact ends at the new status, no
/// other contact changes, and only the one request that may have been in flight at the kill is
/// sent twice.
#[tokio::test]
async fn a_run_killed_outright_is_listed_unfinished_and_resumes() {
    let (server, selected) = closed_in_several_chunks().await;
    let state = state_dir("killed");
    let url = server.url();
    let mut child = close_to_open_confirmed_once(&state, &server).await;
    child.kill().expect("SIGKILL is sent");
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("the thread")
        .expect("the binary ends");
    assert_eq!(status.code(), None, "killed by a signal: {status:?}");
    let midway = server.status_changes().len();
    assert!(
        midway > 0 && midway < selected.len(),
        "killed midway: {midway}"
    );

    let history = run(&state, &["history"], server.token()).await;
    assert!(
        text(&history.stdout).contains("unfinished"),
        "{}",
        text(&history.stdout)
    );
    let output = run(
        &state,
        &["set-status", "--resume", "--base-url", &url, "--yes"],
        server.token(),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        statuses(&server, &query_of(&[Status::Closed]))
            .await
            .is_empty()
    );
    let changed = changes_per_contact(&server);
    assert_eq!(
        changed.keys().collect::<HashSet<_>>(),
        selected.keys().collect::<HashSet<_>>()
    );
    let twice = changed.values().filter(|times| **times > 1).count();
    assert!(
        twice <= inbox_tui::write::CHUNK_SIZE,
        "{twice} contacts were sent twice: more than the request in flight"
    );
}

/// A server that is not the demo: three OPEN contacts, whose status update applies the status
/// asked for, except to `wrong`, which it sets to REVIEW while saying `success: true`.
async fn misapplying_server(wrong: String) -> common::FakeServer {
    let contacts = Mutex::new(
        (1..=3)
            .map(|index| (format!("{index:024x}"), "OPEN".to_owned()))
            .collect::<Vec<_>>(),
    );
    common::FakeServer::start(move |request| {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let mut contacts = contacts.lock().expect("the contacts");
        if request.method == "PUT" {
            let ids: Vec<&str> = body["ids"]
                .as_array()
                .map_or(vec![], |ids| ids.iter().filter_map(Value::as_str).collect());
            let status = body["status"].as_str().unwrap_or_default();
            for (id, current) in contacts.iter_mut() {
                if ids.contains(&id.as_str()) {
                    *current = if *id == wrong { "REVIEW" } else { status }.to_owned();
                }
            }
            return common::json_reply(200, &json!({"success": true, "message": "", "code": 200}));
        }
        let wanted: Vec<&str> = body["status"].as_array().map_or(vec![], |statuses| {
            statuses.iter().filter_map(Value::as_str).collect()
        });
        let data: Vec<Value> = contacts
            .iter()
            .filter(|_| body["page"].as_u64().unwrap_or(1) == 1)
            .filter(|(_, status)| wanted.is_empty() || wanted.contains(&status.as_str()))
            .map(|(id, status)| {
                json!({"_id": id, "status": status, "lastMessage": {"at": "2026-01-01T00:00:00.000Z"}})
            })
            .collect();
        common::json_reply(
            200,
            &json!({"success": true, "message": "", "data": data, "code": 200}),
        )
    })
    .await
}

/// A contact the server set to another status than the one asked for is named by the
/// read-back, though it is no longer under the status it had: the command exits 1 naming it
/// alone, and counts the other two changed. The read-back asks for the CLOSED contacts only.
#[tokio::test]
async fn a_contact_set_to_another_status_is_named_by_the_read_back() {
    let wrong = format!("{:024x}", 2);
    let server = misapplying_server(wrong.clone()).await;
    let state = state_dir("misapplied");
    let output = run(
        &state,
        &["set-status", "closed", "--base-url", &server.url, "--yes"],
        "a-token",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("1 contact was accepted by the server but not changed when read back"),
        "{stderr}"
    );
    assert!(stderr.contains(&wrong), "{stderr}");
    for other in [format!("{:024x}", 1), format!("{:024x}", 3)] {
        assert!(!stderr.contains(&other), "{stderr}");
    }
    assert!(
        stderr.contains("2 contacts changed and read back"),
        "{stderr}"
    );
    let received = server.received();
    let last_put = received
        .iter()
        .rposition(|request| request.method == "PUT")
        .expect("the change was sent");
    let read_back: Vec<Value> = received[last_put + 1..]
        .iter()
        .map(|request| serde_json::from_slice::<Value>(&request.body).expect("a JSON body"))
        .collect();
    assert!(!read_back.is_empty());
    for body in &read_back {
        assert_eq!(body["status"], json!(["CLOSED"]), "{body}");
    }
}

/// A contact the server says it deleted but did not is found by the read-back, still under the
/// status it had: `delete` exits 1 naming it alone.
#[tokio::test]
async fn a_contact_accepted_but_not_deleted_is_named_by_the_read_back() {
    let ignored = format!("{:024x}", 9);
    let (server, _) = refusing_server(String::new(), ignored.clone()).await;
    let state = state_dir("read-back-delete");
    let output = run(
        &state,
        &["delete", "--base-url", &server.url, "--yes"],
        "a-token",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("1 contact was accepted by the server but not changed when read back"),
        "{stderr}"
    );
    assert!(stderr.contains(&ignored), "{stderr}");
    for other in (1..=60).map(|index| format!("{index:024x}")) {
        assert!(other == ignored || !stderr.contains(&other), "{stderr}");
    }
    assert!(
        stderr.contains("59 contacts changed and read back"),
        "{stderr}"
    );
}
