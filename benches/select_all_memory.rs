//! Peak memory of the browser after "select every matching contact" (`A`) over 1,000,000
//! contacts. The demo server runs as its own process, so its data set is not counted; this
//! process plays the browser: `update` turns the key into the command, `collect_matching_ids` counts the
//! ids as the event loop's task does, and every progress message and the final id set go back
//! through `update` into the browser's `State`. The target is under 100 MiB. Linux only: it
//! reads `VmHWM` from `/proc/self/status`.
//!
//! `SELECT_ALL_CONTACTS=N` changes the size, to check that the figure grows only by the id set.

use std::time::{Duration, Instant};

#[path = "../tests/common/demo_process.rs"]
mod demo_process;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use demo_process::DemoProcess;
use inbox_tui::api::walk::WalkOptions;
use inbox_tui::api::{Client, ClientConfig, Token};
use inbox_tui::app::account_walks::collect_matching_ids;
use inbox_tui::app::state::Connection;
use inbox_tui::app::{Cmd, Keymap, Msg, State, update};
use inbox_tui::demo::DEFAULT_TOKEN;
use inbox_tui::export::Progress;
use tokio::sync::mpsc::unbounded_channel;

const DEFAULT_CONTACTS: u64 = 1_000_000;
const TARGET_KIB: u64 = 100 * 1024;

fn main() {
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let contacts = std::env::var("SELECT_ALL_CONTACTS")
        .ok()
        .and_then(|value| value.parse::<u64>().ok())
        .unwrap_or(DEFAULT_CONTACTS);
    let server = DemoProcess::start(&["--contacts", &contacts.to_string()]);

    let before_kib = peak_kib();
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let state = runtime.block_on(select_all(server.url.clone()));
    let elapsed = started.elapsed();
    let after_kib = peak_kib();
    drop(server);

    let selected = state.selection.len() as u64;
    assert_eq!(selected, contacts, "A selects every contact");
    assert!(
        state.selection.marked().is_empty(),
        "A keeps no contact objects"
    );
    let verdict = if after_kib < TARGET_KIB {
        "met"
    } else {
        "MISSED"
    };
    println!(
        "browser after A on {selected} contacts: peak RSS {:.1} MiB (before A: {:.1} MiB; \
         target < 100 MiB: {verdict}), counted in {:.1} s",
        after_kib as f64 / 1024.0,
        before_kib as f64 / 1024.0,
        elapsed.as_secs_f64()
    );
}

/// Presses `A` in a fresh browser and runs what it asks for as the event loop would, feeding
/// every message back through `update` until the count is done.
async fn select_all(url: String) -> State {
    let client = Client::new(ClientConfig::new(url, Token::new(DEFAULT_TOKEN)))
        .expect("a loopback base URL is valid");
    let mut state = State::new(
        Connection {
            host: "bench".into(),
        },
        Keymap::default(),
        None,
    );
    let commands = update(
        &mut state,
        Msg::Key {
            key: KeyEvent::new(KeyCode::Char('A'), KeyModifiers::NONE),
            at: Instant::now(),
        },
    );
    let [Cmd::SelectAllMatching { run, query }] = commands.as_slice() else {
        panic!("A asks for a select-all, not {commands:?}");
    };
    let (run, query) = (*run, query.clone());
    let (sender, mut receiver) = unbounded_channel::<Msg>();
    let task = tokio::spawn(async move {
        let progress_sender = sender.clone();
        let on_progress = move |progress: Progress| {
            let _ = progress_sender.send(Msg::SelectAllProgress { run, progress });
        };
        let result =
            collect_matching_ids(&client, &query, &WalkOptions::default(), &on_progress).await;
        let _ = sender.send(Msg::SelectAllDone {
            run,
            result: result.map(|(ids, _)| ids).map_err(std::sync::Arc::new),
        });
    });
    let mut last_report = Instant::now();
    while let Some(message) = receiver.recv().await {
        let finished = matches!(message, Msg::SelectAllDone { .. });
        if let Msg::SelectAllDone {
            result: Err(error), ..
        } = &message
        {
            panic!("the count failed: {error}");
        }
        update(&mut state, message);
        if finished {
            break;
        }
        if last_report.elapsed() > Duration::from_secs(10) {
            eprintln!("{} counted", state.selection.len());
            last_report = Instant::now();
        }
    }
    task.await.expect("the count task ends");
    state
}

/// This process's peak resident set so far, in KiB.
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}
