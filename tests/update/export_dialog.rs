//! The export dialog (`src/app/update/export_dialog.rs`): what it sends, its CSV cells, its
//! defaults, the overwrite question and what it remembers.

use crossterm::event::KeyCode;
use inbox_tui::app::msg::ExportFinished;
use inbox_tui::app::{Cmd, Focus, Msg, State, update};
use inbox_tui::export::Scope;

use crate::browser_state::browsing;
use crate::support::{notice_contains, press, selected_ids};

#[test]
fn the_export_dialog_exports_the_selection_and_can_be_cancelled() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char('e'));
    assert!(state.export_dialog().is_some(), "e opens the dialog");
    press(&mut state, KeyCode::Right);
    press(&mut state, KeyCode::Left);
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Right);
    press(&mut state, KeyCode::Down);
    for character in "out/picked.json".chars() {
        assert!(
            press(&mut state, KeyCode::Char(character)).is_empty(),
            "printable keys are path text"
        );
    }
    assert!(
        !state.should_quit,
        "q was not typed, but nothing else quit either"
    );
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::StartExport(request)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    assert_eq!(request.format, inbox_tui::export::ExportFormat::Json);
    assert_eq!(request.path, "out/picked.json");
    let Scope::Selection(picked) = &request.scope else {
        panic!("the selection is exported as a selection");
    };
    assert!(picked.queries.is_empty() && picked.excluded.is_empty());
    let picked: Vec<_> = picked
        .marked
        .iter()
        .filter_map(|contact| contact.id().map(str::to_owned))
        .collect();
    assert_eq!(picked, selected_ids(&state));

    assert!(
        press(&mut state, KeyCode::Char('x')).is_empty(),
        "keys wait while it runs"
    );
    assert!(matches!(
        press(&mut state, KeyCode::Esc).as_slice(),
        [Cmd::CancelExport]
    ));
    assert!(state.export_dialog().is_none());
    assert!(notice_contains(&state, "cancelled"));

    press(&mut state, KeyCode::Char('e'));
    press(&mut state, KeyCode::Enter);
    update(
        &mut state,
        Msg::ExportDone(Ok(ExportFinished {
            path: "contacts.csv".into(),
            contacts: 2,
            as_of: None,
        })),
    );
    assert!(state.export_dialog().is_none());
    assert!(notice_contains(
        &state,
        "exported 2 contacts to contacts.csv"
    ));

    press(&mut state, KeyCode::Char('u'));
    press(&mut state, KeyCode::Char('e'));
    let dialog = state.export_dialog().expect("open");
    assert_eq!(
        dialog.scope,
        inbox_tui::app::state::ExportScope::Page,
        "nothing selected: the page shown; everything matching is a choice to make"
    );
    press(&mut state, KeyCode::Left);
    assert!(
        press(&mut state, KeyCode::Enter).is_empty(),
        "an empty selection cannot be exported"
    );
    assert!(matches!(
        state.export_dialog().map(|dialog| &dialog.phase),
        Some(inbox_tui::app::state::ExportPhase::Failed(_))
    ));
}

#[test]
fn the_export_dialog_offers_raw_cells_for_a_csv_only() {
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('e'));
    let request = |state: &mut State| {
        let commands = press(state, KeyCode::Enter);
        let [Cmd::StartExport(request)] = commands.as_slice() else {
            panic!("expected an export, got {commands:?}");
        };
        request.clone()
    };
    let mut safe = state.clone();
    let sent = request(&mut safe);
    assert!(!sent.csv.raw, "spreadsheet-safe by default");

    // Scope, Format, Path, then Cells: the path stays the third row.
    for _ in 0..3 {
        press(&mut state, KeyCode::Down);
    }
    press(&mut state, KeyCode::Right);
    let sent = request(&mut state);
    assert_eq!(sent.format, inbox_tui::export::ExportFormat::Csv);
    assert!(sent.csv.raw, "the Cells row switched to raw");
}

#[test]
fn the_export_dialog_starts_from_the_configs_csv_style() {
    let mut state = browsing();
    state.focus = Focus::List;
    state.csv_defaults = inbox_tui::export::CsvStyle {
        raw: true,
        byte_order_mark: true,
    };
    press(&mut state, KeyCode::Char('e'));
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::StartExport(sent)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    assert!(sent.csv.raw, "[export] csv_raw = true");
    assert!(sent.csv.byte_order_mark, "[export] excel = true");
}

#[test]
fn the_export_dialog_asks_before_replacing_follows_the_extension_and_remembers() {
    use inbox_tui::app::state::ExportPhase;
    use inbox_tui::export::ExportFormat;
    let mut state = browsing();
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('e'));
    for _ in 0..2 {
        press(&mut state, KeyCode::Down);
    }
    for character in "out/all.ndjson".chars() {
        press(&mut state, KeyCode::Char(character));
    }
    assert_eq!(
        state.export_dialog().map(|dialog| dialog.format),
        Some(ExportFormat::Ndjson),
        "the extension typed chose the format"
    );
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::StartExport(first)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    assert!(!first.overwrite, "the first attempt never replaces a file");

    // The file exists: the dialog asks, and Enter replaces it.
    update(
        &mut state,
        Msg::ExportWouldOverwrite {
            path: "/data/out/all.ndjson".into(),
        },
    );
    assert!(matches!(
        state.export_dialog().map(|dialog| &dialog.phase),
        Some(ExportPhase::ConfirmOverwrite { .. })
    ));
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::StartExport(second)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    assert!(second.overwrite && second.path == "out/all.ndjson");
    update(
        &mut state,
        Msg::ExportDone(Ok(ExportFinished {
            path: "/data/out/all.ndjson".into(),
            contacts: 50,
            as_of: None,
        })),
    );
    assert!(notice_contains(&state, "to /data/out/all.ndjson"));

    // The next dialog starts from that format and that folder.
    press(&mut state, KeyCode::Char('e'));
    assert_eq!(
        state.export_dialog().map(|dialog| dialog.format),
        Some(ExportFormat::Ndjson)
    );
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::StartExport(third)] = commands.as_slice() else {
        panic!("expected an export, got {commands:?}");
    };
    assert_eq!(third.folder.as_deref(), Some("/data/out"));
    assert!(
        third.path.is_empty(),
        "the default name, in the last folder"
    );
}

/// An export written from the snapshot ends with a notice that says what time the data is:
/// "from the snapshot as of 12:03"; one that walked the API says no time.
#[test]
fn an_export_from_the_snapshot_says_as_of_when_it_ends() {
    let as_of: jiff::Timestamp = "2026-12-04T12:03:00Z".parse().expect("a timestamp");
    let mut state = browsing();
    state.focus = Focus::List;
    for (as_of, expected) in [
        (
            Some(as_of),
            "exported 2 contacts to contacts.csv from the snapshot as of 12:03",
        ),
        (None, "exported 2 contacts to contacts.csv"),
    ] {
        press(&mut state, KeyCode::Char('e'));
        press(&mut state, KeyCode::Enter);
        update(
            &mut state,
            Msg::ExportDone(Ok(ExportFinished {
                path: "contacts.csv".into(),
                contacts: 2,
                as_of,
            })),
        );
        assert_eq!(state.status.notice.as_deref(), Some(expected));
    }
}
