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
    let to_change: std::collections::HashSet<String> = (0..dataset.len())
        .filter(|index| !["CLOSED", "DELETED"].contains(&statuses[*index].as_str()))
        .map(|index| {
            dataset.contact_json(index)["_id"]
                .as_str()
                .expect("an _id")
                .to_owned()
        })
        .collect();
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
    let stdout = common::text(&output.stdout);
    assert_eq!(stdout.lines().count(), changed);
    let listed: std::collections::HashSet<String> = stdout
        .lines()
        .map(|line| line.split('\t').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(listed, to_change);
}

/// The ids of the first `count` OPEN contacts of `server`, newest first, as the walk meets them.
async fn open_ids(server: &inbox_tui::demo::DemoServer, count: usize) -> Vec<String> {
    let client = common::client_for(server, server.token());
    let all = common::fetch_all(&client, &inbox_tui::api::Query::default()).await;
    all.iter()
        .filter(|contact| contact["status"] == "OPEN")
        .take(count)
        .map(|contact| contact["_id"].as_str().expect("an _id").to_owned())
        .collect()
}

/// Runs `set-status closed --dry-run --ids-from FILE` (the file listing `listed`) with `extra`
/// arguments against `server`.
async fn dry_run_listed(
    server: &inbox_tui::demo::DemoServer,
    listed: &[String],
    extra: &[&str],
) -> std::process::Output {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("ids.txt");
    let lines: String = listed.iter().map(|id| format!("{id}\n")).collect();
    std::fs::write(&file, lines).expect("the ids file");
    let mut args: Vec<String> = [
        "set-status",
        "closed",
        "--dry-run",
        "--ids-from",
        file.to_str().expect("utf-8"),
        "--base-url",
        &server.url(),
    ]
    .iter()
    .map(|arg| arg.to_string())
    .collect();
    args.extend(extra.iter().map(|arg| arg.to_string()));
    common::run_binary_async(args, Some(server.token().to_owned())).await
}

/// The ids a dry run lists on stdout, first column.
fn listed_changes(output: &std::process::Output) -> Vec<String> {
    common::text(&output.stdout)
        .lines()
        .map(|line| line.split('\t').next().unwrap_or_default().to_owned())
        .collect()
}

/// `--limit 3` with seven listed ids: the dry run lists the three newest of them, and calls
/// none of the four it never reached missing.
#[tokio::test]
async fn a_limit_below_the_listed_ids_takes_the_newest_and_reports_none_missing() {
    let server = common::start_server(300, 23).await;
    let listed = open_ids(&server, 7).await;
    assert_eq!(listed.len(), 7);
    let output = dry_run_listed(&server, &listed, &["--limit", "3"]).await;
    let stderr = common::text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("not found"), "{stderr}");
    assert_eq!(listed_changes(&output), listed[..3]);
}

/// A listed id no contact has is named, and nothing is listed to change, even under a
/// `--limit` the found ones do not reach.
#[tokio::test]
async fn a_listed_id_not_found_is_named_under_a_limit_not_reached() {
    let server = common::start_server(300, 23).await;
    let mut listed = open_ids(&server, 2).await;
    let unknown = "ffffffffffffffffffffffff".to_owned();
    assert!(!listed.contains(&unknown));
    listed.push(unknown.clone());
    let output = dry_run_listed(&server, &listed, &["--limit", "10"]).await;
    let stderr = common::text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("1 id listed in") && stderr.contains("was not found"),
        "{stderr}"
    );
    assert!(stderr.contains(&unknown), "{stderr}");
    assert!(
        !listed[..2].iter().any(|id| stderr.contains(id.as_str())),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

/// Planning a change of every contact reports, as it walks, the contacts read so far, up to
/// all 300, and keeps the first five changes, in order, each with a name, as the sample a
/// confirmation shows.
#[tokio::test]
async fn planning_counts_the_contacts_it_reads_and_keeps_the_first_five_as_its_sample() {
    use inbox_tui::write::plan::{self, SAMPLE_SIZE, Target};
    let server = common::start_server(300, 23).await;
    let client = common::client_for(&server, server.token());
    let target = Target {
        query: inbox_tui::api::Query::default(),
        only: None,
        except: inbox_tui::api::IdSet::new(),
        limit: None,
        describe: String::new(),
    };
    let heard = std::sync::Mutex::new(Vec::new());
    let on_progress = |seen: u64| heard.lock().expect("not poisoned").push(seen);
    let planned = plan::plan(
        &client,
        &target,
        &inbox_tui::api::walk::WalkOptions::default(),
        plan::set_to("CLOSED"),
        &on_progress,
    )
    .await
    .expect("the plan's walk succeeds");
    let heard = heard.into_inner().expect("not poisoned");
    assert!(heard.len() > 1, "{heard:?}");
    assert!(heard.windows(2).all(|pair| pair[0] <= pair[1]), "{heard:?}");
    assert_eq!(heard.last(), Some(&300));
    assert_eq!(SAMPLE_SIZE, 5);
    let sampled: Vec<_> = planned.sample.iter().map(|(change, _)| change).collect();
    let first: Vec<_> = planned.changes.iter().take(5).collect();
    assert_eq!(sampled, first);
    assert!(
        planned.sample.iter().all(|(_, name)| !name.is_empty()),
        "{:?}",
        planned.sample
    );
}

/// Asked on a terminal, `set-status closed` shows five contacts for example, the five newest
/// it would change, each with the status it has and the one it would get; answered "n", it
/// is not confirmed and nothing is written.
#[tokio::test]
async fn a_confirmation_shows_the_five_newest_contacts_it_would_change() {
    let server = common::start_server(300, 23).await;
    let client = common::client_for(&server, server.token());
    let all = common::fetch_all(&client, &inbox_tui::api::Query::default()).await;
    let first_five: Vec<(String, String)> = all
        .iter()
        .filter(|contact| contact["status"] != "CLOSED" && contact["status"] != "DELETED")
        .take(5)
        .map(|contact| {
            (
                contact["_id"].as_str().expect("an _id").to_owned(),
                contact["status"].as_str().expect("a status").to_owned(),
            )
        })
        .collect();
    let args: Vec<String> = ["set-status", "closed", "--base-url", &server.url()]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
    let token = server.token().to_owned();
    let (code, screen) =
        tokio::task::spawn_blocking(move || common::run_on_a_terminal(&args, &token, Some("n")))
            .await
            .expect("the terminal's thread finishes");
    assert_eq!(code, 2, "{screen}");
    assert!(
        screen.contains("not confirmed; nothing was changed"),
        "{screen}"
    );
    let shown: Vec<&str> = screen
        .lines()
        .skip_while(|line| !line.contains("for example:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .collect();
    assert_eq!(shown.len(), 5, "{screen}");
    for (line, (id, from)) in shown.iter().zip(&first_five) {
        assert!(line.starts_with(&format!("  {id}  ")), "{line:?}");
        assert!(
            line.trim_end().ends_with(&format!("  {from} → CLOSED")),
            "{line:?}"
        );
    }
    assert_eq!(server.writes_received(), 0);
}
