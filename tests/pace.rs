//! The account's pace against the demo server's live, limited and faulty modes together: the
//! export is exact, the requests the server got are bounded, and few of them were refused.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use common::{busy_limited_faulty, run_binary, start_server_with, text};
use inbox_tui::demo::{DEFAULT_TOKEN, DemoConfig, DemoServer};
use serde_json::Value;

/// Runs `export` to NDJSON with its own state directory (where the learned pace is kept).
async fn export(
    server: &DemoServer,
    output: &Path,
    state: &Path,
    extra: &[&str],
) -> (bool, String) {
    let mut args: Vec<String> = vec![
        "export".into(),
        "--base-url".into(),
        server.url(),
        "--output".into(),
        output.display().to_string(),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let state = state.to_owned();
    let output = tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_inbox-tui"));
        command
            .args(&args)
            .env("INBOX_TUI_TOKEN", DEFAULT_TOKEN)
            .env("XDG_CONFIG_HOME", state.join("config"))
            .env("XDG_STATE_HOME", state.join("state"));
        command.output().expect("the binary runs")
    })
    .await
    .expect("the binary's thread ends");
    (output.status.success(), text(&output.stderr))
}

fn exported_ids(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("the export exists")
        .lines()
        .map(|line| {
            let contact: Value = serde_json::from_str(line).expect("one JSON object a line");
            contact["_id"].as_str().expect("an _id").to_owned()
        })
        .collect()
}

/// Every contact exactly once: moves change no contact's membership of the unfiltered list.
fn assert_exact(path: &Path, contacts: usize, stderr: &str) {
    let ids = exported_ids(path);
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a contact twice: {stderr}");
    assert_eq!(unique.len(), contacts, "contacts missing: {stderr}");
}

/// The figure just before `label` in the summary line.
fn figure(stderr: &str, label: &str) -> f64 {
    let before = stderr.split(label).next().unwrap_or_default();
    before
        .rsplit(|c: char| c.is_whitespace() || c == ',')
        .find(|word| !word.is_empty())
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no figure before {label:?}: {stderr}"))
}

/// A busy inbox behind a token bucket, with 500s and cut-short replies: the export is exact;
/// the server got at most half again the pages a still inbox needs, plus what moved, plus ten;
/// at most one slow-start round (16) and a twentieth of it refused; the summary names the learned pace and the refused share
/// of the requests, and the pages read again are at least one and stay within what moved over
/// 50 plus 25.
#[tokio::test(flavor = "multi_thread")]
async fn a_busy_limited_faulty_inbox_is_exported_exactly_and_politely() {
    const CONTACTS: usize = 1500;
    let server = start_server_with(busy_limited_faulty(CONTACTS)).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let output = directory.path().join("busy.ndjson");
    let moves_before = server.moves();
    let (ok, stderr) = export(&server, &output, directory.path(), &[]).await;
    assert!(ok, "{stderr}");
    assert_exact(&output, CONTACTS, &stderr);
    let moved = server.moves() - moves_before;
    assert!(moved >= 10, "contacts really moved: {moved}");
    let served = server.requests_served();
    let refused = server.requests_refused();
    let still_pages = (CONTACTS / 50 + 1) as u64;
    // Faults cost a retry each (8% of requests), moves about one page per 50 moved, and each
    // catch-up pass and repair a page or two: 42 to 49 served on a quiet machine, up to 53 seen
    // with the whole suite beside it.
    assert!(
        served <= still_pages * 3 / 2 + moved / 50 + 10,
        "{served} requests served for {still_pages} pages and {moved} moves: {stderr}"
    );
    // Slow start sends whole rounds, so meeting the unknown limit costs the refused part of one
    // round: at most 16 for a headless export, whose rounds double 4, 8, 16 before replies show
    // the limit; a twentieth of the rest. 1 or 2 of about 46 on a quiet machine; 14 of 70 seen
    // once in 20 rounds of the suite beside two CPU hogs, and 11 of 58 at load 12 to 17, where
    // a flat eighth failed.
    eprintln!("{refused} of {} refused", served + refused);
    assert!(
        refused <= 16 + (served + refused) / 20,
        "{refused} of {} refused: {stderr}",
        served + refused
    );
    assert!(stderr.contains("(learned)"), "{stderr}");
    let reread = figure(&stderr, " pages read again because contacts moved");
    let moved_seen = figure(&stderr, " contacts moved during the export");
    eprintln!("{reread} pages read again for {moved_seen} moved");
    // A page a doubtful boundary (slow start's rounds are served out of order, and a retried
    // page after its successor), repaired as soon as contacts are seen moving, plus the
    // catch-up's passes: 11 to 18 read again for 39 to 59 moved in eight runs here.
    assert!(
        reread <= moved_seen / 50.0 + 25.0,
        "{reread} pages read again for {moved_seen} moved: {stderr}"
    );
    assert!(
        reread >= 1.0,
        "contacts moved, so the catch-up read pages again: {stderr}"
    );
    let requests = figure(&stderr, " requests, ");
    let refused_seen = figure(&stderr, " refused with 429");
    assert!(refused_seen >= 1.0, "the limit was met: {stderr}");
    let share = format!(
        "{refused_seen} refused with 429 ({:.1}%)",
        100.0 * refused_seen / requests
    );
    assert!(
        stderr.contains(&share),
        "the summary says {share:?}: {stderr}"
    );
    server.shutdown().await;
}

/// `--rate` paces every request from the first: under a bucket of that rate, nothing is
/// refused, and the summary says the pace was set.
#[tokio::test(flavor = "multi_thread")]
async fn a_set_rate_is_never_refused() {
    let server = start_server_with(DemoConfig {
        contacts: 1000,
        rate_limit: Some(10.0),
        latency: Duration::from_millis(20),
        ..DemoConfig::default()
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let output = directory.path().join("set.ndjson");
    let (ok, stderr) = export(&server, &output, directory.path(), &["--rate", "9"]).await;
    assert!(ok, "{stderr}");
    assert_exact(&output, 1000, &stderr);
    assert_eq!(server.requests_refused(), 0, "{stderr}");
    assert!(stderr.contains("pace 9.0/s (set)"), "{stderr}");
    server.shutdown().await;
}

/// A limit announced in `RateLimit-*` headers is followed from the first reply: the summary
/// says the pace was announced, and almost nothing is refused.
#[tokio::test(flavor = "multi_thread")]
async fn an_announced_limit_is_followed() {
    let server = start_server_with(DemoConfig {
        contacts: 1000,
        rate_limit: Some(10.0),
        rate_limit_headers: true,
        latency: Duration::from_millis(20),
        ..DemoConfig::default()
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let output = directory.path().join("announced.ndjson");
    let (ok, stderr) = export(&server, &output, directory.path(), &[]).await;
    assert!(ok, "{stderr}");
    assert_exact(&output, 1000, &stderr);
    assert!(stderr.contains("pace 10/s (announced)"), "{stderr}");
    assert!(server.requests_refused() <= 2, "{stderr}");
    server.shutdown().await;
}

/// The pace learned by one export is kept in the state directory, and the next export against
/// the same host starts from it: it is refused at most once.
#[tokio::test(flavor = "multi_thread")]
async fn the_next_run_starts_from_the_remembered_pace() {
    let server = start_server_with(DemoConfig {
        contacts: 1000,
        rate_limit: Some(10.0),
        latency: Duration::from_millis(20),
        ..DemoConfig::default()
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let first = directory.path().join("first.ndjson");
    let (ok, stderr) = export(&server, &first, directory.path(), &[]).await;
    assert!(ok, "{stderr}");
    assert!(
        figure(&stderr, " refused with 429") >= 1.0,
        "it met the limit: {stderr}"
    );
    let remembered = std::fs::read_to_string(directory.path().join("state/inbox-tui/paces.json"))
        .expect("the learned pace is kept");
    assert!(
        remembered.contains(&server.local_addr().to_string()),
        "{remembered}"
    );
    let second = directory.path().join("second.ndjson");
    let refused_before = server.requests_refused();
    let (ok, stderr) = export(&server, &second, directory.path(), &[]).await;
    assert!(ok, "{stderr}");
    assert_exact(&second, 1000, &stderr);
    assert!(
        server.requests_refused() - refused_before <= 1,
        "the second run was refused again: {stderr}"
    );
    server.shutdown().await;
}

/// Contacts moving faster than the limit lets anyone read them: the export fails with the
/// figures, without writing the file, instead of catching up forever.
#[tokio::test(flavor = "multi_thread")]
async fn an_inbox_moving_faster_than_the_limit_fails_with_figures() {
    let server = start_server_with(DemoConfig {
        contacts: 500,
        live_rate: 2000.0,
        rate_limit: Some(10.0),
        ..DemoConfig::default()
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let output = directory.path().join("outpaced.ndjson");
    let (ok, stderr) = export(&server, &output, directory.path(), &[]).await;
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("contacts move faster than the rate limit lets them be read"),
        "{stderr}"
    );
    assert!(stderr.contains("contacts moved meanwhile"), "{stderr}");
    assert!(!output.exists(), "a failed export wrote its file");
    assert!(
        server.requests_served() < 200,
        "{} requests before it stopped",
        server.requests_served()
    );
    server.shutdown().await;
}

/// `--rate` refuses what is not a rate, naming the flag's form.
#[test]
fn a_rate_that_is_not_one_is_refused() {
    for bad in ["0", "-3", "fast", "1e9"] {
        let rate = format!("--rate={bad}");
        let output = run_binary(&["export", &rate, "-o", "x.csv"], Some("t"));
        let stderr = text(&output.stderr);
        assert!(!output.status.success(), "{bad}: {stderr}");
        assert!(stderr.contains("--rate"), "{bad}: {stderr}");
    }
}

/// A still inbox behind a limit: nothing moved, so the summary blames no re-read on moves. The
/// catch-up's read of page 1 (and any probe) is said to check that nothing moved, and the pages
/// it says it read are the 20 of contacts, the empty one after them and those.
#[tokio::test(flavor = "multi_thread")]
async fn a_still_inbox_says_its_pages_read_again_only_checked_that_nothing_moved() {
    let server = start_server_with(DemoConfig {
        contacts: 1000,
        rate_limit: Some(10.0),
        latency: Duration::from_millis(20),
        ..DemoConfig::default()
    })
    .await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let output = directory.path().join("still.ndjson");
    let (ok, stderr) = export(&server, &output, directory.path(), &[]).await;
    assert!(ok, "{stderr}");
    assert_exact(&output, 1000, &stderr);
    assert_eq!(figure(&stderr, " contacts moved during the export"), 0.0);
    assert_eq!(
        figure(&stderr, " pages read again because contacts moved"),
        0.0,
        "{stderr}"
    );
    let checked = stderr
        .split(" read again to check that nothing moved")
        .next()
        .filter(|before| before.len() < stderr.len())
        .and_then(|before| before.rsplit(", ").next())
        .unwrap_or_else(|| panic!("no check said: {stderr}"));
    assert!(
        checked == "1 page" || checked.ends_with(" pages"),
        "{checked:?}: {stderr}"
    );
    let checked: f64 = checked
        .split(' ')
        .next()
        .and_then(|figure| figure.parse().ok())
        .unwrap_or_else(|| panic!("a figure: {checked:?}"));
    assert_eq!(
        figure(&stderr, " pages, "),
        20.0 + 1.0 + checked,
        "the pages read: 20 of contacts, the empty one after them, and those checked: {stderr}"
    );
    server.shutdown().await;
}
