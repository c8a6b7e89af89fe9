//! What a write plans before it sends anything: the real binary's `set-status --dry-run`
//! against the demo server in a process of its own, judged by the generator's data.

mod common;

use std::process::Command;

use common::demo_process::DemoProcess;
use inbox_tui::demo::{DEFAULT_TOKEN, Dataset};

/// `set-status closed --dry-run` on 300 contacts says how many it would change, and how many
/// it leaves out and why: those already CLOSED and the deleted ones, counted here from the
/// data set; stdout lists exactly the contacts it would change.
#[test]
fn a_dry_run_says_how_many_are_left_out_and_why() {
    let dataset = Dataset::generate(300, 23);
    let status_of = |index: usize| {
        dataset.contact_json(index)["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let statuses: Vec<String> = (0..dataset.len()).map(status_of).collect();
    let closed = statuses.iter().filter(|status| *status == "CLOSED").count();
    let deleted = statuses
        .iter()
        .filter(|status| *status == "DELETED")
        .count();
    let changed = statuses.len() - closed - deleted;
    assert!(
        closed > 1 && deleted > 0,
        "{closed} closed, {deleted} deleted"
    );

    let server = DemoProcess::start(&["--contacts", "300", "--seed", "23"]);
    let state = tempfile::tempdir().expect("a temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .args([
            "set-status",
            "closed",
            "--base-url",
            &server.url,
            "--dry-run",
        ])
        .env("INBOX_TUI_TOKEN", DEFAULT_TOKEN)
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CONFIG_HOME", state.path().join("config"))
        .output()
        .expect("the binary runs");
    let stderr = common::text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "would set to CLOSED {changed} contacts (left out: {closed} already at that status, \
             {deleted} deleted (left alone))"
        )),
        "{stderr}"
    );
    assert_eq!(common::text(&output.stdout).lines().count(), changed);
}
