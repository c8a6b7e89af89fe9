//! Issue 8's export targets, each measured against a demo server in its own process, with the
//! real `inbox-tui export` binary, and reported as ratios from one run (absolute times on a
//! shared machine drift; ratios within one run do not):
//!
//! - `latency`: 20,000 contacts at 100 ms a page, against the sequential Python loop
//!   (`benches/support/sequential_export.py`); target at least 8x faster.
//! - `rate-limit`: 5,000 contacts under a 10 requests/s token bucket; target within 1.3x of the
//!   limit's own minimum time for the requests made, and at most 10% of requests refused.
//! - `cpu`: 100,000 contacts to CSV, CPU seconds (user + system) of the exporter against the
//!   Python loop on the same server; target at least 5x less.
//!
//!
//! Issue 19's pace targets, each from a fresh state directory (no remembered pace):
//!
//! - `pace-long`: 25,000 contacts under a 10 requests/s bucket at 100 ms a page; target within
//!   1.1x of the limit's minimum time, at most 3% refused.
//! - `pace-short`: 2,500 contacts, the same limit; target within 1.3x, at most 10% refused; then
//!   the same export again right after, from the remembered pace: at most 1% refused.
//! - `pace-busy`: 20,000 contacts, 20 a second moving to page 1, 10 requests/s, 60 ms, 5% 500s,
//!   3% cut short; target within 1.5x of the minimum time of a still inbox, nothing missing,
//!   nothing twice.
//! - `pace-nolimit`: 5,000 contacts at 100 ms a page, no limit, against the sequential loop;
//!   target at least 10x faster.
//!
//! `cargo bench --bench export_world [latency|rate-limit|cpu|pace-long|pace-short|pace-busy|
//! pace-nolimit]`. Needs `python3` (standard library only). CPU is read through Python's
//! `resource.getrusage(RUSAGE_CHILDREN)`.

use std::path::Path;
use std::process::Command;

#[path = "../tests/common/demo_process.rs"]
mod demo_process;

use demo_process::DemoProcess;

const BINARY: &str = env!("CARGO_BIN_EXE_inbox-tui");
const TOKEN: &str = "demo-token";
const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/benches/support/sequential_export.py"
);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--list") {
        return;
    }
    let wanted = |name: &str| {
        let names: Vec<&String> = args.iter().filter(|arg| !arg.starts_with('-')).collect();
        names.is_empty() || names.iter().any(|arg| arg.as_str() == name)
    };
    let directory = tempfile::tempdir().expect("a temp dir");
    if wanted("latency") {
        latency(directory.path());
    }
    if wanted("rate-limit") {
        rate_limit(directory.path());
    }
    if wanted("cpu") {
        cpu(directory.path());
    }
    if wanted("pace-long") {
        pace_limited(directory.path(), 25_000, 1.1, 3.0, false);
    }
    if wanted("pace-short") {
        pace_limited(directory.path(), 2_500, 1.3, 10.0, true);
    }
    if wanted("pace-busy") {
        pace_busy(directory.path());
    }
    if wanted("pace-nolimit") {
        pace_nolimit(directory.path());
    }
}

/// An export of `contacts` under a 10/s bucket at 100 ms, from a fresh state directory; with
/// `again`, the same export right after, from the pace the first remembered.
fn pace_limited(
    directory: &Path,
    contacts: u32,
    target_ratio: f64,
    target_refused: f64,
    again: bool,
) {
    const RATE: f64 = 10.0;
    let count = contacts.to_string();
    let server = DemoProcess::start(&[
        "--contacts",
        &count,
        "--latency-ms",
        "100",
        "--rate-limit",
        "10",
    ]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let state = tempfile::tempdir().expect("a state dir");
    let run = |name: &str| {
        let ours = measure_in(
            &export_command(
                &server.url,
                &directory.join(format!("{name}-{contacts}.ndjson")),
            ),
            Some(state.path()),
        );
        let requests = summary_number(&ours.summary, " requests");
        let refused = summary_number(&ours.summary, " refused");
        let accepted = requests - refused;
        let minimum = (accepted - RATE).max(0.0) / RATE;
        (ours, requests, refused, minimum)
    };
    let (ours, requests, refused, minimum) = run("first");
    println!(
        "pace, {contacts} contacts at 10/s, 100 ms: {:.1} s against the limit's minimum {minimum:.1} s: {:.2}x (target <= {target_ratio}x); {refused} of {requests} refused: {:.1}% (target <= {target_refused}%)\n  {}",
        ours.wall,
        ours.wall / minimum,
        100.0 * refused / requests,
        ours.summary
    );
    if again {
        let (ours, requests, refused, minimum) = run("again");
        println!(
            "  the same right after, from the remembered pace: {:.1} s ({:.2}x); {refused} of {requests} refused: {:.1}% (target <= 1%)\n  {}",
            ours.wall,
            ours.wall / minimum,
            100.0 * refused / requests,
            ours.summary
        );
    }
}

fn pace_busy(directory: &Path) {
    const CONTACTS: usize = 20_000;
    let server = DemoProcess::start(&[
        "--contacts",
        "20000",
        "--live-rate",
        "20",
        "--rate-limit",
        "10",
        "--latency-ms",
        "60",
        "--fail-rate",
        "0.05",
        "--truncate-rate",
        "0.03",
    ]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let state = tempfile::tempdir().expect("a state dir");
    let output = directory.join("busy.ndjson");
    let ours = measure_in(&export_command(&server.url, &output), Some(state.path()));
    let text = std::fs::read_to_string(&output).expect("the export");
    let ids: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let contact: serde_json::Value = serde_json::from_str(line).ok()?;
            Some(contact["_id"].as_str()?.to_owned())
        })
        .collect();
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    // A still inbox: 400 pages, the empty one and the catch-up's page 1, less the bucket's
    // first second.
    let still_minimum = ((CONTACTS / 50 + 2) as f64 - 10.0) / 10.0;
    println!(
        "busy inbox, 20,000 contacts, 20 moves/s, 10/s, 60 ms, 5% 500s, 3% cut short: {:.1} s against a still inbox's minimum {still_minimum:.1} s: {:.2}x (target <= 1.5x); {} missing, {} twice\n  {}",
        ours.wall,
        ours.wall / still_minimum,
        CONTACTS - unique.len().min(CONTACTS),
        ids.len() - unique.len(),
        ours.summary
    );
}

fn pace_nolimit(directory: &Path) {
    let server = DemoProcess::start(&["--contacts", "5000", "--latency-ms", "100"]);
    let state = tempfile::tempdir().expect("a state dir");
    let ours = measure_in(
        &export_command(&server.url, &directory.join("nolimit.csv")),
        Some(state.path()),
    );
    let script = measure(&python_command(
        &server.url,
        &directory.join("nolimit-py.csv"),
    ));
    println!(
        "no limit, 100 ms a page, 5,000 contacts: inbox-tui {:.2} s, sequential loop {:.1} s: {:.1}x faster (target >= 10x)\n  {}",
        ours.wall,
        script.wall,
        script.wall / ours.wall,
        ours.summary
    );
}

fn latency(directory: &Path) {
    let server = DemoProcess::start(&["--contacts", "20000", "--latency-ms", "100"]);
    let ours = measure(&export_command(&server.url, &directory.join("latency.csv")));
    let script = measure(&python_command(
        &server.url,
        &directory.join("latency-py.csv"),
    ));
    println!(
        "latency 100 ms, 20,000 contacts: inbox-tui {:.1} s, sequential loop {:.1} s: {:.1}x \
         faster (target >= 8x)\n  {}",
        ours.wall,
        script.wall,
        script.wall / ours.wall,
        ours.summary
    );
}

fn rate_limit(directory: &Path) {
    const RATE: f64 = 10.0;
    let server = DemoProcess::start(&["--contacts", "5000", "--rate-limit", "10"]);
    // Let the bucket fill, as it would for a user who has not used the API for a second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let ours = measure(&export_command(
        &server.url,
        &directory.join("limited.ndjson"),
    ));
    let requests = summary_number(&ours.summary, " requests");
    let refused = summary_number(&ours.summary, " refused");
    let accepted = requests - refused;
    // A bucket of one second's worth serves `RATE` at once, then `RATE` a second.
    let minimum = (accepted - RATE).max(0.0) / RATE;
    println!(
        "rate limit 10/s, 5,000 contacts: {:.1} s for {accepted} accepted requests, the limit's \
         minimum {minimum:.1} s: {:.2}x (target <= 1.3x); {refused} of {requests} refused: \
         {:.1}% (target <= 10%)\n  {}",
        ours.wall,
        ours.wall / minimum,
        100.0 * refused / requests,
        ours.summary
    );
}

fn cpu(directory: &Path) {
    let server = DemoProcess::start(&["--contacts", "100000"]);
    let ours = measure(&export_command(&server.url, &directory.join("cpu.csv")));
    let script = measure(&python_command(&server.url, &directory.join("cpu-py.csv")));
    println!(
        "CPU, 100,000 contacts to CSV: inbox-tui {:.2} CPU-s ({:.1} s), Python loop {:.2} CPU-s \
         ({:.1} s): {:.1}x less (target >= 5x)",
        ours.cpu,
        ours.wall,
        script.cpu,
        script.wall,
        script.cpu / ours.cpu
    );
}

fn export_command(url: &str, output: &Path) -> Vec<String> {
    vec![
        BINARY.into(),
        "export".into(),
        "--base-url".into(),
        url.into(),
        "--output".into(),
        output.display().to_string(),
    ]
}

fn python_command(url: &str, output: &Path) -> Vec<String> {
    vec![
        "python3".into(),
        SCRIPT.into(),
        url.into(),
        TOKEN.into(),
        output.display().to_string(),
    ]
}

struct Measured {
    wall: f64,
    cpu: f64,
    /// The exporter's last stderr line: its traffic summary.
    summary: String,
}

/// Runs `command` under Python's `getrusage`, which reports the CPU its children used.
fn measure(command: &[String]) -> Measured {
    measure_in(command, None)
}

/// `measure`, with the state directory (where a learned pace is remembered) at `state`.
fn measure_in(command: &[String], state: Option<&Path>) -> Measured {
    const RUNNER: &str = "import resource, subprocess, sys, time\n\
        start = time.monotonic()\n\
        done = subprocess.run(sys.argv[1:], stderr=subprocess.PIPE, text=True)\n\
        wall = time.monotonic() - start\n\
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n\
        print(wall, usage.ru_utime + usage.ru_stime, done.returncode)\n\
        print(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else '')\n";
    let output = Command::new("python3")
        .args(["-c", RUNNER])
        .args(command)
        .env("INBOX_TUI_TOKEN", TOKEN)
        .envs(state.map(|state| ("XDG_STATE_HOME", state)))
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    let figures: Vec<f64> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|field| field.parse().ok())
        .collect();
    assert!(
        figures.len() == 3 && figures[2] == 0.0,
        "{command:?} failed: {text} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Measured {
        wall: figures[0],
        cpu: figures[1],
        summary: lines.next().unwrap_or_default().to_owned(),
    }
}

/// The number just before `label` in the exporter's summary line.
fn summary_number(summary: &str, label: &str) -> f64 {
    let before = summary.split(label).next().unwrap_or_default();
    before
        .rsplit([' ', ','])
        .find(|word| !word.is_empty())
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no number before {label:?} in {summary:?}"))
}
