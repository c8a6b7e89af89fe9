//! Marking contacts (`src/app/update/selection.rs`): by hand, by range and page, and
//! select-all's run, its cancelling, its failure and the exclusions an export carries.

use crossterm::event::KeyCode;
use inbox_tui::api::walk::WalkError;
use inbox_tui::api::{ApiError, Contact, Query, Status};
use inbox_tui::app::filters::FilterItem;
use inbox_tui::app::state::{ExportPhase, SelectAllRun};
use inbox_tui::app::{Cmd, Focus, Msg, Purpose, State, update};
use inbox_tui::export::{FrozenSelection as ExportSelection, Progress, Scope};

use crate::browser_state::{browsing, demo_contacts as contacts};
use crate::support::{
    done, focus_item, loaded, notice_contains, only_fetch, press, select_all, selected_ids,
};

fn id_of(contact: &Contact) -> &str {
    contact.id().expect("demo contacts have ids")
}

fn counted(run: SelectAllRun, pages: u32, contacts: u64) -> Msg {
    Msg::SelectAllProgress {
        run,
        progress: Progress {
            pages_fetched: pages,
            contacts_written: contacts,
        },
    }
}

/// The export request the dialog sends for "the selection" (its default when one exists).
fn export_selection(state: &mut State) -> (ExportSelection, Option<usize>) {
    press(state, KeyCode::Char('e'));
    let commands = press(state, KeyCode::Enter);
    let [Cmd::StartExport(request)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    let total = match state.export_dialog().map(|dialog| &dialog.phase) {
        Some(ExportPhase::Running { total, .. }) => *total,
        other => panic!("the export runs: {other:?}"),
    };
    let Scope::Selection(selection) = &request.scope else {
        panic!(
            "the selection is exported as a selection: {:?}",
            request.scope
        );
    };
    (selection.clone(), total)
}

#[test]
fn the_selection_is_a_set_of_ids_that_survives_paging_and_filters() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(state.list.selected, 1, "Space marks and moves on");
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char('k'));
    press(&mut state, KeyCode::Char(' '));
    let first_page = contacts(0..50);
    assert_eq!(
        selected_ids(&state),
        vec![first_page[0].id().unwrap_or_default().to_owned()],
        "Space again unmarks"
    );

    let (generation, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char('n')));
    update(
        &mut state,
        loaded(generation, Purpose::Show, page, &query, contacts(50..100)),
    );
    press(&mut state, KeyCode::Char('v'));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('v'));
    assert_eq!(
        state.selection.len(),
        4,
        "the range adds rows 0 to 2 of page 2"
    );

    focus_item(&mut state, &FilterItem::Status(Status::Closed));
    let (generation, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char(' ')));
    update(
        &mut state,
        loaded(generation, Purpose::Show, page, &query, contacts(150..160)),
    );
    assert_eq!(
        state.selection.len(),
        4,
        "a filter change keeps the selection"
    );
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('a'));
    assert_eq!(state.selection.len(), 14);
    press(&mut state, KeyCode::Char('a'));
    assert_eq!(state.selection.len(), 14, "selecting twice adds nothing");
    press(&mut state, KeyCode::Char('u'));
    assert!(state.selection.is_empty());
}

#[test]
fn select_all_records_the_query_as_pressed_and_counts_it() {
    let mut state = browsing();
    focus_item(&mut state, &FilterItem::Status(Status::Open));
    let (generation, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char(' ')));
    update(
        &mut state,
        loaded(generation, Purpose::Show, page, &query, contacts(0..50)),
    );
    state.focus = Focus::List;

    let (run, recorded) = select_all(&mut state);
    assert_eq!(recorded.status, vec![Status::Open]);
    assert_eq!(recorded, state.query);
    assert!(state.is_busy());

    // The filters change while it runs: what it selects does not.
    press(&mut state, KeyCode::Char('x'));
    assert_eq!(state.query, Query::default());
    let running = state.selection.running().expect("still counting");
    assert_eq!(running.query, recorded);

    update(&mut state, counted(run, 1, 50));
    update(&mut state, counted(run.next().next(), 1, 999));
    assert_eq!(
        state.selection.len(),
        50,
        "another run's progress is ignored"
    );
    update(&mut state, counted(run, 3, 140));
    assert_eq!(state.selection.len(), 140, "the count climbs");
    let page = contacts(0..50);
    assert!(
        !state.selection.contains(&page[0]),
        "no row is marked before the ids arrive"
    );

    let matched = contacts(0..120);
    update(&mut state, done(run, &matched));
    assert!(state.selection.running().is_none());
    assert!(!state.is_busy());
    assert_eq!(state.selection.len(), 120, "exact once counted");
    assert!(notice_contains(
        &state,
        "all matching status OPEN: 120 counted"
    ));
    assert!(state.selection.contains(&page[0]), "visible rows show it");
    assert!(
        state.selection.marked().is_empty(),
        "no contact is kept for A"
    );

    let (selection, total) = export_selection(&mut state);
    assert_eq!(selection.queries, vec![recorded]);
    assert!(selection.marked.is_empty());
    assert!(selection.excluded.is_empty());
    assert_eq!(total, Some(120));
}

#[test]
fn several_select_alls_count_their_union_once() {
    let mut state = browsing();
    let (first, _) = select_all(&mut state);
    update(&mut state, done(first, &contacts(0..100)));
    let pressed_again = press(&mut state, KeyCode::Char('A'));
    assert!(
        pressed_again.is_empty(),
        "the same query twice adds nothing"
    );
    assert!(notice_contains(&state, "already selected"));

    focus_item(&mut state, &FilterItem::Status(Status::Closed));
    press(&mut state, KeyCode::Char(' '));
    state.focus = Focus::List;
    let (second, closed) = select_all(&mut state);
    assert!(
        press(&mut state, KeyCode::Char('A')).is_empty(),
        "one count at a time"
    );
    assert!(notice_contains(
        &state,
        "already selecting all matching status CLOSED"
    ));
    update(&mut state, done(second, &contacts(50..150)));
    assert_eq!(state.selection.len(), 150, "the overlap is counted once");
    let (selection, total) = export_selection(&mut state);
    assert_eq!(selection.queries, vec![Query::default(), closed]);
    assert_eq!(total, Some(150));
}

#[test]
fn u_and_esc_stop_a_running_select_all_and_late_results_change_nothing() {
    let mut state = browsing();
    let page = contacts(0..50);
    let (run, _) = select_all(&mut state);
    update(&mut state, counted(run, 2, 100));
    let stopped = press(&mut state, KeyCode::Char('u'));
    assert!(matches!(stopped.as_slice(), [Cmd::CancelSelectAll]));
    assert!(state.selection.is_empty());
    update(&mut state, counted(run, 3, 150));
    assert_eq!(state.selection.len(), 0, "the count does not climb back");
    update(&mut state, done(run, &contacts(0..200)));
    assert!(
        state.selection.is_empty(),
        "a late result brings nothing back"
    );
    assert!(!state.selection.contains(&page[0]));
    assert!(!state.is_busy());

    // Esc drops only what the running one would add.
    let (kept, _) = select_all(&mut state);
    update(&mut state, done(kept, &contacts(0..20)));
    focus_item(&mut state, &FilterItem::Status(Status::Closed));
    press(&mut state, KeyCode::Char(' '));
    state.focus = Focus::List;
    let (dropped, _) = select_all(&mut state);
    update(&mut state, counted(dropped, 1, 50));
    assert_eq!(state.selection.len(), 70);
    let stopped = press(&mut state, KeyCode::Esc);
    assert!(matches!(stopped.as_slice(), [Cmd::CancelSelectAll]));
    assert_eq!(state.selection.len(), 20);
    update(&mut state, done(dropped, &contacts(0..200)));
    assert_eq!(state.selection.len(), 20, "the cancelled run stays out");
    assert_eq!(state.selection.matching().len(), 1);
    assert!(!state.selection.contains(&page[30]));
}

#[test]
fn a_failed_select_all_says_why_and_drops_its_query() {
    let mut state = browsing();
    let (run, _) = select_all(&mut state);
    update(&mut state, counted(run, 1, 50));
    update(
        &mut state,
        Msg::SelectAllDone {
            run,
            result: Err(std::sync::Arc::new(WalkError::Fetch {
                page: 2,
                source: ApiError::Server {
                    status: 500,
                    message: "the server said 500".into(),
                },
            })),
        },
    );
    assert!(state.selection.is_empty());
    assert!(state.selection.matching().is_empty());
    assert!(notice_contains(&state, "the server said 500"));
}

#[test]
fn unmarking_a_row_select_all_covers_records_an_exclusion_the_export_carries() {
    let mut state = browsing();
    state.focus = Focus::List;
    let page = contacts(0..50);
    let (run, recorded) = select_all(&mut state);
    update(&mut state, done(run, &contacts(5..120)));
    assert_eq!(state.selection.len(), 115);

    press(&mut state, KeyCode::Char(' '));
    assert_eq!(
        state.selection.len(),
        116,
        "row 0 is outside the set: marked"
    );
    for _ in 1..5 {
        press(&mut state, KeyCode::Char('j'));
    }
    assert_eq!(state.list.selected, 5);
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(state.selection.len(), 115, "row 5 is unmarked from the set");
    assert!(!state.selection.contains(&page[5]));
    assert!(state.selection.excluded().contains(id_of(&page[5])));
    assert!(
        state.selection.marked().len() == 1,
        "unmarking keeps no contact"
    );

    press(&mut state, KeyCode::Char('k'));
    press(&mut state, KeyCode::Char(' '));
    assert!(
        state.selection.contains(&page[5]),
        "marking it again undoes the exclusion"
    );
    assert!(state.selection.excluded().is_empty());
    assert_eq!(state.selection.len(), 116);
    press(&mut state, KeyCode::Char('k'));
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(state.selection.len(), 115);

    // `a` marks the page: rows 1 to 4 by hand, row 5 back from its exclusion, the rest were in.
    press(&mut state, KeyCode::Char('a'));
    assert_eq!(state.selection.len(), 120);
    let marked: Vec<&str> = state.selection.marked().iter().map(id_of).collect();
    let first_five: Vec<&str> = page[..5].iter().map(id_of).collect();
    assert_eq!(marked, first_five, "covered rows are not kept as contacts");

    // Unmark row 7 (covered) and row 1 (marked by hand), then export.
    state.list.selected = 7;
    press(&mut state, KeyCode::Char(' '));
    state.list.selected = 1;
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(state.selection.len(), 118);
    let (selection, total) = export_selection(&mut state);
    assert_eq!(selection.queries, vec![recorded]);
    let marked: Vec<&str> = selection.marked.iter().map(id_of).collect();
    assert_eq!(
        marked,
        [
            id_of(&page[0]),
            id_of(&page[2]),
            id_of(&page[3]),
            id_of(&page[4])
        ]
    );
    assert_eq!(selection.excluded.len(), 1);
    assert!(selection.excluded.contains(id_of(&page[7])));
    assert_eq!(total, Some(118));
}
