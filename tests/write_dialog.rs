//! The browser's status change and deletion dialog through `update()`: what each key does, and
//! the confirmation that scales with the damage.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use inbox_tui::api::Page;
use inbox_tui::app::writes::{WritePhase, WriteSummary};
use inbox_tui::app::{Cmd, Mode, Msg, State, update};
use inbox_tui::write::{Change, Plan};

#[path = "common/browser_state.rs"]
mod browser_state;

use browser_state::{browsing, demo_contacts};

fn key(state: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(
        state,
        Msg::Key {
            key: KeyEvent::new(code, KeyModifiers::NONE),
            at: Instant::now(),
        },
    )
}

fn typed(state: &mut State, text: &str) {
    for character in text.chars() {
        key(state, KeyCode::Char(character));
    }
}

fn phase(state: &State) -> &WritePhase {
    match &state.mode {
        Mode::Write(dialog) => &dialog.phase,
        other => panic!("the dialog is not open: {other:?}"),
    }
}

/// A plan of `count` changes to `status`.
fn plan(count: usize, status: &str) -> Arc<Plan> {
    let changes: Vec<Change> = (0..count)
        .map(|index| Change {
            id: format!("{index:024x}"),
            from: "OPEN".into(),
            to: status.into(),
        })
        .collect();
    Arc::new(Plan {
        changes,
        ..Plan::default()
    })
}

fn start_write(commands: &[Cmd]) -> Option<usize> {
    commands.iter().find_map(|command| match command {
        Cmd::StartWrite { changes, .. } => Some(changes.len()),
        _ => None,
    })
}

/// `T` on the row under the cursor: choose a status, then the set is walked for that status.
#[test]
fn set_status_chooses_then_walks_the_row_under_the_cursor() {
    let mut state = browsing();
    let id = state
        .selected_contact()
        .and_then(|c| c.id())
        .map(str::to_owned);
    assert!(key(&mut state, KeyCode::Char('T')).is_empty());
    assert!(matches!(phase(&state), WritePhase::Choose { cursor: 0 }));
    key(&mut state, KeyCode::Down);
    let commands = key(&mut state, KeyCode::Enter);
    let [Cmd::PlanWrite { target, status }] = commands.as_slice() else {
        panic!("{commands:?}");
    };
    assert_eq!(status, "INPROGRESS");
    assert!(target.queries.is_empty());
    assert_eq!(
        target
            .marked
            .iter()
            .map(|c| c.id().map(str::to_owned))
            .collect::<Vec<_>>(),
        vec![id]
    );
}

/// A few contacts: one key confirms.
#[test]
fn a_small_status_change_is_confirmed_with_one_key() {
    let mut state = browsing();
    key(&mut state, KeyCode::Char('T'));
    key(&mut state, KeyCode::Enter);
    update(&mut state, Msg::WritePlanned(Ok(plan(3, "OPEN"))));
    assert!(matches!(
        phase(&state),
        WritePhase::Confirm { phrase: None, .. }
    ));
    assert_eq!(start_write(&key(&mut state, KeyCode::Char('y'))), Some(3));
    assert!(matches!(phase(&state), WritePhase::Running { .. }));
}

/// More than 100 contacts: the number must be typed; `y` is only text then.
#[test]
fn a_large_status_change_needs_the_number_typed() {
    let mut state = browsing();
    key(&mut state, KeyCode::Char('T'));
    key(&mut state, KeyCode::Enter);
    update(&mut state, Msg::WritePlanned(Ok(plan(101, "OPEN"))));
    assert!(
        matches!(phase(&state), WritePhase::Confirm { phrase: Some(phrase), .. } if phrase == "101")
    );
    assert_eq!(start_write(&key(&mut state, KeyCode::Char('y'))), None);
    assert_eq!(start_write(&key(&mut state, KeyCode::Enter)), None);
    key(&mut state, KeyCode::Backspace);
    typed(&mut state, "101");
    assert_eq!(start_write(&key(&mut state, KeyCode::Enter)), Some(101));
}

/// Any deletion, even of one contact: `delete N` must be typed.
#[test]
fn a_deletion_needs_delete_n_typed() {
    let mut state = browsing();
    let commands = key(&mut state, KeyCode::Char('D'));
    assert!(matches!(commands.as_slice(), [Cmd::PlanWrite { status, .. }] if status == "DELETED"));
    update(&mut state, Msg::WritePlanned(Ok(plan(1, "DELETED"))));
    typed(&mut state, "1");
    assert_eq!(start_write(&key(&mut state, KeyCode::Enter)), None);
    key(&mut state, KeyCode::Backspace);
    typed(&mut state, "delete 1");
    assert_eq!(start_write(&key(&mut state, KeyCode::Enter)), Some(1));
}

/// Esc while writing asks the run to stop (one `StopWrite`, however often Esc is pressed), and
/// the dialog shows it stopping.
#[test]
fn esc_while_writing_asks_the_run_to_stop_once() {
    let mut state = browsing();
    key(&mut state, KeyCode::Char('T'));
    key(&mut state, KeyCode::Enter);
    update(&mut state, Msg::WritePlanned(Ok(plan(2, "OPEN"))));
    key(&mut state, KeyCode::Enter);
    assert!(matches!(
        key(&mut state, KeyCode::Esc).as_slice(),
        [Cmd::StopWrite]
    ));
    assert!(key(&mut state, KeyCode::Esc).is_empty());
    assert!(matches!(
        phase(&state),
        WritePhase::Running { stopping: true, .. }
    ));
}

/// The end of a write closes the dialog, names what failed and did not change, and reads the
/// page again; that page's arrival leaves the notice on screen.
#[test]
fn a_finished_write_says_what_failed_and_refreshes_the_page() {
    let mut state = browsing();
    key(&mut state, KeyCode::Char('T'));
    key(&mut state, KeyCode::Enter);
    update(&mut state, Msg::WritePlanned(Ok(plan(3, "OPEN"))));
    key(&mut state, KeyCode::Enter);
    let commands = update(
        &mut state,
        Msg::WriteDone(WriteSummary {
            run: "20261204-120000000-set-status".into(),
            status: "OPEN".into(),
            confirmed: 2,
            failed: vec!["000000000000000000000002".into()],
            unchanged: vec!["000000000000000000000001".into()],
            not_sent: 0,
            ended: None,
        }),
    );
    assert!(matches!(state.mode, Mode::Browse));
    let notice = state.status.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("1 set to OPEN")
            && notice.contains("1 failed: 000000000000000000000002")
            && notice.contains("1 did not change when read back: 000000000000000000000001"),
        "{notice}"
    );
    assert!(
        state
            .cache
            .get(&inbox_tui::app::state::PageCache::key(&state.query), 1)
            .is_none()
    );
    let Some(Cmd::FetchPage {
        generation,
        purpose,
        query,
        page: 1,
    }) = commands
        .iter()
        .find(|command| matches!(command, Cmd::FetchPage { page: 1, .. }))
    else {
        panic!("the write reads page 1 again: {commands:?}");
    };
    // The page read again does not wipe what the write did.
    update(
        &mut state,
        Msg::PageLoaded {
            generation: *generation,
            purpose: *purpose,
            page: 1,
            query: query.clone(),
            result: Ok(Page {
                number: 1,
                contacts: demo_contacts(0..50),
                unreadable: 0,
                elapsed: Duration::from_millis(42),
            }),
        },
    );
    assert_eq!(state.status.notice.as_deref(), Some(notice.as_str()));
}

/// Nothing to change (every contact already at that status): the dialog closes saying so.
#[test]
fn nothing_to_change_closes_the_dialog() {
    let mut state = browsing();
    key(&mut state, KeyCode::Char('T'));
    key(&mut state, KeyCode::Enter);
    let mut empty = Plan::default();
    empty.skipped.push(("already at that status", 1));
    update(&mut state, Msg::WritePlanned(Ok(Arc::new(empty))));
    assert!(matches!(state.mode, Mode::Browse));
    assert_eq!(
        state.status.notice.as_deref(),
        Some("nothing to change (1 already at that status)")
    );
}
