//! The local snapshot (issue 24) against the demo server over real HTTP: counts equal a full
//! API walk's, a killed sync leaves the old state, `changes` lists exactly what moved.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{binary_command, fetch_all, ids, run_binary_async, start_server_with, text};
use inbox_tui::api::{Client, DateRange, HasOrdered, Query, Sender, Status};
use inbox_tui::demo::{DemoConfig, DemoServer};
use inbox_tui::snapshot::{LocalQuery, Snapshot};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|arg| (*arg).to_owned()).collect()
}

/// Runs the binary against `server` with its token.
async fn run(server: &DemoServer, list: &[&str]) -> std::process::Output {
    let mut all = args(list);
    all.extend(args(&["--base-url", &server.url()]));
    run_binary_async(all, Some(server.token().to_owned())).await
}

/// Runs a command that must succeed, returning its stdout.
async fn ok(server: &DemoServer, list: &[&str]) -> String {
    let output = run(server, list).await;
    assert!(
        output.status.success(),
        "{list:?} failed: {}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Where the binary keeps this server's snapshot, as `snapshot status` reports it.
async fn snapshot_path(server: &DemoServer) -> PathBuf {
    let status: Value =
        serde_json::from_str(&ok(server, &["snapshot", "status", "--format", "json"]).await)
            .expect("status is JSON");
    PathBuf::from(status["path"].as_str().expect("a path"))
}

/// A demo server of `contacts` contacts, the default data set otherwise.
async fn server_of(contacts: usize) -> DemoServer {
    start_server_with(DemoConfig {
        contacts,
        ..DemoConfig::default()
    })
    .await
}

fn client(server: &DemoServer) -> Client {
    common::client_for(server, server.token())
}

/// Values seen in the data set, to draw filters from.
struct Vocabulary {
    tags: Vec<String>,
    agents: Vec<String>,
    segments: Vec<String>,
    bots: HashMap<&'static str, Vec<String>>,
    times: Vec<String>,
}

fn vocabulary(contacts: &[Value]) -> Vocabulary {
    let mut sets: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut add = |key: &'static str, value: &Value| {
        if let Some(text) = value.as_str() {
            sets.entry(key).or_default().insert(text.to_owned());
        }
    };
    for contact in contacts {
        for tag in contact["profile"]["userDetails"]["tags"]
            .as_array()
            .into_iter()
            .flatten()
        {
            add("tags", tag);
        }
        for segment in contact["segments"].as_array().into_iter().flatten() {
            add("segments", segment);
        }
        add("agents", &contact["_agentAssigned"]);
        for field in [
            "_botWebsite",
            "_botWhatsapp",
            "_botTelegram",
            "_botFacebook",
        ] {
            add(field, &contact[field]);
        }
        add("times", &contact["createdAt"]);
        add("times", &contact["lastSeenAt"]);
    }
    let list = |key: &str| {
        sets.get(key)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default()
    };
    Vocabulary {
        tags: list("tags"),
        agents: list("agents"),
        segments: list("segments"),
        bots: [
            "_botWebsite",
            "_botWhatsapp",
            "_botTelegram",
            "_botFacebook",
        ]
        .into_iter()
        .map(|field| (field, list(field)))
        .collect(),
        times: list("times"),
    }
}

/// A random combination of two or three filters, drawn from the data set's own values.
fn random_query(rng: &mut ChaCha8Rng, vocabulary: &Vocabulary) -> Query {
    let mut query = Query::default();
    let pick = |rng: &mut ChaCha8Rng, values: &[String], most: usize| -> Vec<String> {
        let count = rng.random_range(1..=most);
        values.choose_multiple(rng, count).cloned().collect()
    };
    let filters = rng.random_range(2..=3);
    for _ in 0..filters {
        match rng.random_range(0..12) {
            0 => {
                let count = rng.random_range(1..=3);
                query.status = Status::ALL.choose_multiple(rng, count).cloned().collect()
            }
            1 => query.tags = pick(rng, &vocabulary.tags, 2),
            2 => query.agent_assigned = pick(rng, &vocabulary.agents, 2),
            3 => query.segments = pick(rng, &vocabulary.segments, 2),
            4 => {
                let field = *[
                    "_botWebsite",
                    "_botWhatsapp",
                    "_botTelegram",
                    "_botFacebook",
                ]
                .choose(rng)
                .expect("a field");
                let bots = pick(rng, &vocabulary.bots[field], 2);
                match field {
                    "_botWebsite" => query.bot_website = bots,
                    "_botWhatsapp" => query.bot_whatsapp = bots,
                    "_botTelegram" => query.bot_telegram = bots,
                    _ => query.bot_facebook = bots,
                }
            }
            5 => {
                let count = rng.random_range(1..=2);
                query.last_message_by = Sender::ALL.choose_multiple(rng, count).cloned().collect()
            }
            6 => query.is_online = true,
            7 => query.user_interacted = true,
            8 => query.is_live_chat_active = true,
            9 => query.is_contact = true,
            10 => {
                query.has_ordered = HasOrdered {
                    status: true,
                    last_at: if rng.random_bool(0.5) {
                        String::new()
                    } else {
                        vocabulary.times.choose(rng).cloned().unwrap_or_default()
                    },
                }
            }
            _ => {
                let mut ends: Vec<String> =
                    vocabulary.times.choose_multiple(rng, 2).cloned().collect();
                ends.sort();
                let range = DateRange {
                    start_at: ends[0].clone(),
                    ends_at: if rng.random_bool(0.3) {
                        String::new()
                    } else {
                        ends[1].clone()
                    },
                };
                if rng.random_bool(0.5) {
                    query.created_at = range;
                } else {
                    query.last_seen_at = range;
                }
            }
        }
    }
    query
}

/// For 30 random filter combinations, the snapshot's count and the full API walk's.
async fn compare_counts(server: &DemoServer, path: &std::path::Path, seed: u64) {
    let client = client(server);
    let vocabulary = vocabulary(&fetch_all(&client, &Query::default()).await);
    let snapshot = Snapshot::open(path).expect("the snapshot opens");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut nonzero = 0;
    for round in 0..30 {
        let query = random_query(&mut rng, &vocabulary);
        let walked = fetch_all(&client, &query).await.len() as u64;
        let local = LocalQuery::new(&query).expect("the snapshot can answer these filters");
        let counted = snapshot.tally(&local, &[]).expect("a count").total;
        assert_eq!(counted, walked, "round {round}: {query:?}");
        nonzero += usize::from(walked > 0);
    }
    assert!(
        nonzero >= 10,
        "too few combinations matched anything ({nonzero})"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_counts_equal_a_full_walk_for_30_random_combinations_still_and_live() {
    let server = start_server_with(DemoConfig {
        contacts: 1200,
        seed: 24,
        ..DemoConfig::default()
    })
    .await;
    ok(&server, &["snapshot", "sync"]).await;
    let path = snapshot_path(&server).await;
    compare_counts(&server, &path, 1).await;

    // A still account: an incremental sync is one request.
    let before = server.requests_served();
    let output = run(&server, &["snapshot", "sync"]).await;
    assert!(
        text(&output.stderr).contains("incremental sync"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(server.requests_served() - before, 1);

    // A live period, then an incremental sync: the counts still agree.
    let client = client(&server);
    let before_live = fetch_all(&client, &Query::default()).await;
    server.set_live_rate(400.0).expect("a rate");
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.moves() < 120 {
        assert!(Instant::now() < deadline, "the demo did not move contacts");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.set_live_rate(0.0).expect("frozen");
    let synced = run(&server, &["snapshot", "sync"]).await;
    assert!(
        text(&synced.stderr).contains("incremental sync"),
        "{}",
        text(&synced.stderr)
    );
    compare_counts(&server, &path, 2).await;

    // `changes` lists exactly the contacts whose last message moved.
    let after_live = fetch_all(&client, &Query::default()).await;
    let at = |contacts: &[Value]| -> HashMap<String, String> {
        ids(contacts)
            .into_iter()
            .zip(contacts.iter().map(|c| c["lastMessage"]["at"].to_string()))
            .collect()
    };
    let (old, new) = (at(&before_live), at(&after_live));
    let moved: BTreeSet<String> = new
        .iter()
        .filter(|(id, at)| old.get(*id) != Some(*at))
        .map(|(id, _)| id.clone())
        .collect();
    assert!(moved.len() > 50, "{}", moved.len());
    let report = ok(
        &server,
        &[
            "changes",
            "--since",
            "1h",
            "--format",
            "ndjson",
            "--no-sync",
        ],
    )
    .await;
    let reported: BTreeSet<String> = report
        .lines()
        .map(|line| {
            let change: Value = serde_json::from_str(line).expect("NDJSON");
            assert_eq!(change["kind"], "moved", "{line}");
            change["id"].as_str().expect("an id").to_owned()
        })
        .collect();
    assert_eq!(reported, moved);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn count_and_export_answer_from_the_snapshot_as_the_api_does() {
    let server = start_server_with(DemoConfig {
        contacts: 700,
        seed: 5,
        ..DemoConfig::default()
    })
    .await;
    // No snapshot yet: the count walks the API.
    let walked = run(&server, &["count", "--status", "open", "--format", "json"]).await;
    let walked: Value = serde_json::from_slice(&walked.stdout).expect("JSON");
    assert_eq!(walked["source"], "api");

    let missing = run(&server, &["export", "--from-snapshot", "-o", "-"]).await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("inbox-tui snapshot sync"),
        "{}",
        text(&missing.stderr)
    );

    ok(&server, &["snapshot", "sync"]).await;
    let output = run(&server, &["count", "--status", "open", "--format", "json"]).await;
    assert!(text(&output.stderr).contains("counted from the snapshot as of"));
    let counted: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(counted["source"], "snapshot");
    assert_eq!(counted["count"], walked["count"]);

    let by_status = |source: &[&str]| {
        let mut list = args(&[
            "count", "--by", "status", "--tag", "vip", "--format", "json",
        ]);
        list.extend(args(source));
        list
    };
    let from_snapshot = ok(
        &server,
        &by_status(&[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    )
    .await;
    let from_api = ok(
        &server,
        &by_status(&["--no-snapshot"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    )
    .await;
    let counts = |json: &str| serde_json::from_str::<Value>(json).expect("JSON")["counts"].clone();
    assert_eq!(counts(&from_snapshot), counts(&from_api));
    assert!(
        counts(&from_snapshot)
            .as_array()
            .is_some_and(|rows| rows.len() > 1)
    );

    // searchText's meaning is unknown: the count walks the API and says so.
    let search = run(&server, &["count", "--search", "a", "--format", "json"]).await;
    assert!(
        text(&search.stderr).contains("searchText"),
        "{}",
        text(&search.stderr)
    );
    let search: Value = serde_json::from_slice(&search.stdout).expect("JSON");
    assert_eq!(search["source"], "api");

    let dir = tempfile::tempdir().expect("a temp dir");
    let local = dir.path().join("local.csv");
    let walked = dir.path().join("walked.csv");
    for (file, extra) in [(&local, Some("--from-snapshot")), (&walked, None)] {
        let mut list = vec!["export", "--status", "closed", "--status", "open", "-o"];
        list.push(file.to_str().expect("utf-8 path"));
        list.extend(extra);
        ok(&server, &list).await;
    }
    let local = std::fs::read(&local).expect("written");
    assert_eq!(local, std::fs::read(&walked).expect("written"));
    assert!(local.len() > 1000);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_snapshot_file_is_owner_only_and_never_holds_the_token() {
    let server = server_of(120).await;
    ok(&server, &["snapshot", "sync"]).await;
    let path = snapshot_path(&server).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir = path.parent().expect("a directory");
        let mode = std::fs::metadata(dir).expect("exists").permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    let bytes = std::fs::read(&path).expect("readable");
    let token = server.token().as_bytes();
    assert!(!bytes.windows(token.len()).any(|window| window == token));
    let status = ok(&server, &["snapshot", "status"]).await;
    assert!(status.contains("contacts    120"), "{status}");
    let dropped = run(&server, &["snapshot", "drop"]).await;
    assert!(text(&dropped.stderr).contains("deleted the snapshot"));
    assert!(!path.exists());
    let gone = run(&server, &["snapshot", "status"]).await;
    assert_eq!(gone.status.code(), Some(2));
    server.shutdown().await;
}

/// `snapshot status` and `snapshot drop` send nothing: with the server shut down and no token
/// at all, they report and delete the snapshot of the account `--base-url` names.
#[tokio::test(flavor = "multi_thread")]
async fn snapshot_status_and_drop_need_no_token_and_no_server() {
    let server = server_of(120).await;
    ok(&server, &["snapshot", "sync"]).await;
    let path = snapshot_path(&server).await;
    let url = server.url();
    server.shutdown().await;
    let status = run_binary_async(args(&["snapshot", "status", "--base-url", &url]), None).await;
    assert!(status.status.success(), "{}", text(&status.stderr));
    assert!(text(&status.stdout).contains("contacts    120"));
    let dropped = run_binary_async(args(&["snapshot", "drop", "--base-url", &url]), None).await;
    assert!(dropped.status.success(), "{}", text(&dropped.stderr));
    assert!(text(&dropped.stderr).contains("deleted the snapshot"));
    assert!(!path.exists());
}

/// The snapshot's facet counts (read from its column blocks, counted by dictionary code) equal
/// a tally of the same account fetched whole from the API, for every facet, with no filter and
/// with one.
#[tokio::test(flavor = "multi_thread")]
async fn facet_counts_from_the_snapshot_equal_a_tally_of_the_api() {
    use inbox_tui::snapshot::{Facet, Record, Tally};
    let server = server_of(600).await;
    ok(&server, &["snapshot", "sync"]).await;
    let snapshot = Snapshot::open(&snapshot_path(&server).await).expect("opens");
    let open = Query {
        status: vec![Status::Open],
        ..Query::default()
    };
    for query in [Query::default(), open] {
        let mut walked = Tally::new(&Facet::ALL);
        for contact in fetch_all(&client(&server), &query).await {
            let record = Record::from_json(&contact.to_string()).expect("a contact");
            walked.add(&record.view());
        }
        let local = snapshot
            .tally(&LocalQuery::new(&query).expect("answerable"), &Facet::ALL)
            .expect("a tally");
        assert_eq!(local.total, walked.total);
        assert!(walked.total > 100);
        for facet in Facet::ALL {
            assert_eq!(local.sorted(facet), walked.sorted(facet), "{facet:?}");
        }
    }
    server.shutdown().await;
}

/// A full sync killed (SIGKILL) after it has written contacts leaves the snapshot exactly as
/// the last completed sync left it; the next sync completes.
#[tokio::test(flavor = "multi_thread")]
async fn a_sync_killed_mid_way_leaves_the_old_snapshot() {
    let server = start_server_with(DemoConfig {
        contacts: 3000,
        latency: Duration::from_millis(60),
        ..DemoConfig::default()
    })
    .await;
    ok(&server, &["snapshot", "sync"]).await;
    let path = snapshot_path(&server).await;
    let before = Snapshot::open(&path)
        .expect("opens")
        .fingerprint()
        .expect("read");
    assert_eq!(before.0, 3000);

    // Moves, so the next read differs from the stored state.
    server.set_live_rate(500.0).expect("a rate");
    while server.moves() < 200 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut child = binary_command(
        &[
            "snapshot",
            "sync",
            "--full",
            "-v",
            "--base-url",
            &server.url(),
        ],
        Some(server.token()),
    )
    .stderr(Stdio::piped())
    .spawn()
    .expect("the sync starts");
    let stderr = child.stderr.take().expect("piped");
    let mut lines = BufReader::new(stderr).lines();
    let mut written = false;
    for line in lines.by_ref() {
        let line = line.expect("stderr is text");
        if line.contains("snapshot sync:") && line.contains("contacts read") {
            written = true;
            break;
        }
    }
    assert!(written, "the sync never reported writing contacts");
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("reaped");
    assert!(!status.success());

    let after = Snapshot::open(&path)
        .expect("opens")
        .fingerprint()
        .expect("read");
    assert_eq!(after, before, "the killed sync left nothing behind");

    server.set_live_rate(0.0).expect("frozen");
    ok(&server, &["snapshot", "sync", "--full"]).await;
    let synced = Snapshot::open(&path)
        .expect("opens")
        .fingerprint()
        .expect("read");
    assert_eq!(synced.0, 3000);
    assert_ne!(synced, before, "the completed sync took the moves");
    server.shutdown().await;
}

/// `changes --follow` prints a contact that moves after it started as one NDJSON line.
#[tokio::test(flavor = "multi_thread")]
async fn changes_follow_prints_a_move_as_it_is_seen() {
    let server = server_of(300).await;
    ok(&server, &["snapshot", "sync"]).await;
    let mut child = binary_command(
        &[
            "changes",
            "--follow",
            "--every",
            "1s",
            "--base-url",
            &server.url(),
        ],
        Some(server.token()),
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("changes --follow starts");
    // The first sync is done once the report line is on stderr.
    let mut stderr = BufReader::new(child.stderr.take().expect("piped")).lines();
    let started = stderr
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("change(s) in the snapshot"));
    assert!(started, "changes --follow did not start");

    let client = client(&server);
    let before = fetch_all(&client, &Query::default()).await;
    server.set_live_rate(50.0).expect("a rate");
    while server.moves() < 1 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.set_live_rate(0.0).expect("frozen");
    let after = fetch_all(&client, &Query::default()).await;
    let moved: BTreeSet<String> = ids(&after)
        .into_iter()
        .zip(&after)
        .filter(|(id, contact)| {
            !before.iter().any(|old| {
                old["_id"].as_str() == Some(id.as_str())
                    && old["lastMessage"] == contact["lastMessage"]
            })
        })
        .map(|(id, _)| id)
        .collect();
    assert!(!moved.is_empty());

    let mut stdout = BufReader::new(child.stdout.take().expect("piped")).lines();
    let mut seen = BTreeSet::new();
    while seen.len() < moved.len() {
        let line = stdout.next().expect("a line before the end").expect("text");
        let change: Value = serde_json::from_str(&line).expect("NDJSON");
        assert_eq!(change["kind"], "moved", "{line}");
        seen.insert(change["id"].as_str().expect("an id").to_owned());
    }
    child.kill().expect("stopped");
    let _ = child.wait();
    assert_eq!(seen, moved);
    server.shutdown().await;
}

/// Two syncs of one snapshot at once do not collide. While another sync holds the account's
/// sync lock: the browser's background round is skipped, not failed, and sends nothing; a
/// `snapshot sync` says it is waiting, then runs once the lock is let go and exits 0. A count
/// reads the snapshot meanwhile, even while a sync's write transaction is open.
#[tokio::test(flavor = "multi_thread")]
async fn two_syncs_at_once_wait_or_skip_and_never_fail() {
    use inbox_tui::app::local::{SnapshotOptions, keep_fresh};
    use inbox_tui::app::msg::Msg;
    use inbox_tui::snapshot::{OnBusy, SyncLock};
    let server = server_of(300).await;
    ok(&server, &["snapshot", "sync"]).await;
    let path = snapshot_path(&server).await;
    let held = SyncLock::acquire(&path, OnBusy::Skip)
        .await
        .expect("the lock file opens")
        .expect("no sync is running");

    let served = server.requests_served();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let background = tokio::spawn(keep_fresh(
        std::sync::Arc::new(client(&server)),
        SnapshotOptions {
            path: path.clone(),
            offline: false,
            full_every: Duration::from_secs(24 * 3600),
        },
        Default::default(),
        sender,
    ));
    let round = loop {
        match receiver.recv().await.expect("the sync task reports") {
            Msg::SnapshotSynced(Some(round)) => break round,
            _ => continue,
        }
    };
    background.abort();
    let round = round.expect("a busy snapshot skips the round, it does not fail it");
    assert_eq!(round.requests, 0);
    assert_eq!(
        server.requests_served(),
        served,
        "the skipped round sent nothing"
    );

    {
        let mut syncing = Snapshot::open(&path).expect("opens");
        let transaction = syncing.begin(false).expect("a write transaction");
        let counted = run(&server, &["count", "--format", "json"]).await;
        assert!(counted.status.success(), "{}", text(&counted.stderr));
        let counted: Value = serde_json::from_slice(&counted.stdout).expect("JSON");
        assert_eq!(
            (counted["source"].as_str(), counted["count"].as_u64()),
            (Some("snapshot"), Some(300))
        );
        drop(transaction);
    }

    let mut child = binary_command(
        &["snapshot", "sync", "--base-url", &server.url()],
        Some(server.token()),
    )
    .stderr(Stdio::piped())
    .spawn()
    .expect("the second sync starts");
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    let waiting = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("another sync of this snapshot is running"));
    assert!(waiting, "the second sync did not say it waits");
    drop(held);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().expect("reaped");
    assert!(status.success(), "{rest:?}");
    assert!(
        rest.iter().any(|line| line.contains("incremental sync")),
        "{rest:?}"
    );
    server.shutdown().await;
}

/// The client `--offline` uses sends nothing: a page, a pick-list and a write all fail with
/// the offline error, and the server (running, and reachable) is asked nothing.
#[tokio::test(flavor = "multi_thread")]
async fn the_offline_client_sends_nothing() {
    use inbox_tui::api::ApiError;
    let server = server_of(50).await;
    let offline = Client::offline(&server.url()).expect("a client");
    let page = offline.fetch_page(&Query::default(), 1).await;
    assert!(matches!(page, Err(ApiError::Offline { .. })), "{page:?}");
    let agents = offline.agents().await;
    assert!(
        matches!(agents, Err(ApiError::Offline { .. })),
        "{agents:?}"
    );
    let write = offline
        .update_status_once(br#"{"ids":["65f1c0ffee0000000000abcd"],"status":"CLOSED"}"#)
        .await;
    assert!(matches!(write, Err(ApiError::Offline { .. })), "{write:?}");
    assert_eq!(server.requests_served(), 0);
    assert_eq!(server.writes_received(), 0);
    server.shutdown().await;
}

/// `export --from-snapshot` ends by saying what time the data is: its summary on stderr says
/// the contacts are from the snapshot as of its sync, just now.
#[tokio::test(flavor = "multi_thread")]
async fn an_export_from_the_snapshot_says_as_of_when_it_ends() {
    let server = server_of(120).await;
    ok(&server, &["snapshot", "sync"]).await;
    let output = run(&server, &["export", "--from-snapshot", "-o", "-"]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    let summary = stderr
        .lines()
        .find(|line| line.starts_with("exported 120 contacts"))
        .unwrap_or_else(|| panic!("no summary: {stderr}"));
    assert!(
        summary.contains("from the snapshot as of ") && summary.ends_with("just now"),
        "{summary}"
    );
    server.shutdown().await;
}

/// The browser's background sync yields to the user's pages, end to end: while it reads a
/// whole account (80 pages at a pace of 20 requests a second), a page the user asks for
/// (marked as waited for, as the browser marks a shown page) arrives while the sync is still
/// running, with the sync's requests going on after it; and the sync then completes.
#[tokio::test(flavor = "multi_thread")]
async fn the_background_sync_yields_to_the_users_page() {
    use inbox_tui::api::pace::PaceStart;
    use inbox_tui::api::walk::Background;
    use inbox_tui::app::account_walks::background_options;
    use inbox_tui::app::local::{SnapshotOptions, keep_fresh};
    use inbox_tui::app::msg::Msg;
    let server = server_of(4000).await;
    let client = std::sync::Arc::new(client(&server).with_pace_start(PaceStart::Set(20.0)));
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("account.sqlite");
    drop(Snapshot::create(&path).expect("an empty snapshot"));
    let background = Background::default();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let sync = tokio::spawn(keep_fresh(
        std::sync::Arc::clone(&client),
        SnapshotOptions {
            path: path.clone(),
            offline: false,
            full_every: Duration::from_secs(24 * 3600),
        },
        background_options(&background),
        sender,
    ));
    while server.requests_served() < 5 {
        tokio::task::yield_now().await;
    }
    let page = {
        let _waited_for = background.foreground_wait();
        client.fetch_page(&Query::default(), 3).await
    };
    let served_at_the_page = server.requests_served();
    assert_eq!(page.expect("the user's page").contacts.len(), 50);
    let still_running = loop {
        match receiver.try_recv() {
            Ok(Msg::SnapshotSynced(Some(_))) => break false,
            Ok(_) => continue,
            Err(_) => break true,
        }
    };
    assert!(still_running, "the page waited for the whole sync");
    let synced = loop {
        match receiver.recv().await.expect("the sync reports") {
            Msg::SnapshotSynced(Some(result)) => break result.expect("the sync completes"),
            _ => continue,
        }
    };
    sync.abort();
    assert!(synced.requests >= 80, "{synced:?}");
    assert!(
        server.requests_served() >= served_at_the_page + 40,
        "the sync's requests went on after the page: {} then {}",
        served_at_the_page,
        server.requests_served()
    );
    assert_eq!(
        Snapshot::open(&path)
            .expect("opens")
            .status()
            .expect("status")
            .contacts,
        4000
    );
    server.shutdown().await;
}

/// An incremental sync reads about `moved / 50 + 1` pages and takes every move: after 120
/// moves, `snapshot sync` reports exactly the contacts that moved, and as many requests as it
/// takes to reach a page holding a contact older than the last sync's newest (the server
/// served exactly the requests it reports); its progress counts every contact it read, and the
/// next sync on the still account sends one request. A full sync also reports the requests
/// the server served and counts all it read, and a full read older than `--full-every` makes
/// the next sync a full one.
#[tokio::test(flavor = "multi_thread")]
async fn an_incremental_sync_reads_what_moved_and_one_page_more() {
    let server = server_of(600).await;
    let requests = |stderr: &str, kind: &str| -> u64 {
        let line = stderr
            .lines()
            .find(|line| line.starts_with(&format!("{kind} sync:")))
            .unwrap_or_else(|| panic!("no {kind} sync: {stderr}"));
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words
            .iter()
            .position(|word| word.starts_with("request"))
            .unwrap_or_else(|| panic!("{line}"));
        words[at - 1].parse().expect("a number of requests")
    };
    let read = |stderr: &str| -> u64 {
        stderr
            .lines()
            .filter_map(|line| {
                let (_, after) = line.split_once("snapshot sync: ")?;
                after.split_whitespace().next()?.parse().ok()
            })
            .max()
            .unwrap_or(0)
    };
    let served = server.requests_served();
    let full = run(&server, &["snapshot", "sync", "-v"]).await;
    assert!(full.status.success(), "{}", text(&full.stderr));
    let stderr = text(&full.stderr);
    assert_eq!(requests(&stderr, "full"), server.requests_served() - served);
    assert_eq!(read(&stderr), 600, "{stderr}");

    let client = client(&server);
    let before = fetch_all(&client, &Query::default()).await;
    server.set_live_rate(400.0).expect("a rate");
    while server.moves() < 120 {
        tokio::task::yield_now().await;
    }
    server.set_live_rate(0.0).expect("frozen");
    let after = fetch_all(&client, &Query::default()).await;
    let moved = ids(&after)
        .into_iter()
        .zip(&after)
        .filter(|(id, contact)| {
            !before.iter().any(|old| {
                old["_id"].as_str() == Some(id.as_str())
                    && old["lastMessage"] == contact["lastMessage"]
            })
        })
        .count() as u64;
    assert!(moved >= 60, "{moved} moved");
    // The sync reads to the first page holding a contact older than the last sync's newest:
    // the page after the moved ones (one more when only that newest one follows them there).
    let at = |contact: &Value| {
        contact["lastMessage"]["at"]
            .as_str()
            .and_then(|at| at.parse::<jiff::Timestamp>().ok())
            .expect("a time")
    };
    let mark = before.iter().map(at).max().expect("contacts");
    let first_older = after
        .iter()
        .position(|contact| at(contact) < mark)
        .expect("an older contact") as u64;
    let pages = first_older / 50 + 1;
    assert!((moved / 50 + 1..=moved / 50 + 2).contains(&pages));

    let served = server.requests_served();
    let incremental = run(&server, &["snapshot", "sync", "-v"]).await;
    let stderr = text(&incremental.stderr);
    assert!(incremental.status.success(), "{stderr}");
    assert_eq!(requests(&stderr, "incremental"), pages, "{stderr}");
    assert_eq!(server.requests_served() - served, pages);
    assert!(stderr.contains(&format!(" {moved} moved")), "{stderr}");
    assert_eq!(read(&stderr), pages * 50, "{stderr}");

    let still = run(&server, &["snapshot", "sync"]).await;
    let stderr = text(&still.stderr);
    assert_eq!(requests(&stderr, "incremental"), 1, "{stderr}");
    assert!(stderr.contains(" 0 moved"), "{stderr}");

    // A full read older than --full-every makes the next sync a full one.
    let path = snapshot_path(&server).await;
    let full_at = Snapshot::open(&path)
        .expect("opens")
        .full_at()
        .expect("read")
        .expect("a full read");
    while jiff::Timestamp::now().duration_since(full_at) <= jiff::SignedDuration::from_secs(1) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let forced = run(&server, &["snapshot", "sync", "--full-every", "1s"]).await;
    let stderr = text(&forced.stderr);
    assert!(forced.status.success(), "{stderr}");
    assert!(stderr.contains("full sync:"), "{stderr}");
    server.shutdown().await;
}

/// A sync runs on a single-threaded async runtime too (a library caller's, or a test's): its
/// database work does not assume a runtime with other threads to hand its tasks to.
#[tokio::test(flavor = "current_thread")]
async fn a_sync_runs_on_a_single_threaded_runtime() {
    use inbox_tui::snapshot::{OnBusy, SyncMode};
    let server = server_of(120).await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut snapshot = Snapshot::create(&dir.path().join("one.sqlite")).expect("created");
    let outcome = inbox_tui::snapshot::sync(
        &client(&server),
        &mut snapshot,
        SyncMode::Full,
        OnBusy::Skip,
        &Default::default(),
        &|_, _| {},
    )
    .await
    .expect("the sync");
    assert_eq!(outcome.written.new, 120);
    assert_eq!(snapshot.status().expect("status").contacts, 120);
    server.shutdown().await;
}

/// `--offline` with a profile that names no `base_url` looks for that profile's snapshot of the
/// platform's own host; when there is none it says where it looked and what to run, and exits
/// with 2, with no token given and before drawing anything.
#[test]
fn offline_with_a_profile_without_a_base_url_names_the_platform_hosts_snapshot() {
    let folder = tempfile::tempdir().expect("a temp dir");
    let config_dir = folder.path().join("config").join("inbox-tui");
    std::fs::create_dir_all(&config_dir).expect("the config folder");
    std::fs::write(
        config_dir.join("config.toml"),
        "[profiles.work]\ntoken_env = \"WORK_TOKEN\"\n",
    )
    .expect("the config");
    let output = Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .args(["--offline", "--profile", "work"])
        .env_remove("INBOX_TUI_TOKEN")
        .env_remove("WORK_TOKEN")
        .env("HOME", folder.path())
        .env("XDG_CONFIG_HOME", folder.path().join("config"))
        .env("XDG_STATE_HOME", folder.path().join("state"))
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("snapshots/work@api.v7.botpenguin.com.sqlite"),
        "{stderr}"
    );
    assert!(
        stderr.contains("run `inbox-tui snapshot sync` first"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing drawn");
}
