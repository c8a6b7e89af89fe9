//! A local snapshot answering the browser's counts and select-all (`counts.rs`,
//! `selection.rs`, `app/local.rs`), and its facets equal to the walk's.

use std::time::Instant;

use crossterm::event::KeyCode;
use inbox_tui::api::{Query, Status};
use inbox_tui::app::{Cmd, Focus, Msg, update};

use crate::browser_state::{browsing, demo_contacts as contacts};
use crate::support::{done, notice_contains, press};

/// With a local snapshot, `c` and `A` are asked of the snapshot (`CountLocal`,
/// `SelectAllLocal`), never walked; the count comes back exact with the snapshot's time, and
/// the select-all notice names the snapshot and its time. A search text, whose server meaning
/// is unknown, walks the API instead, and offline it is refused with the reason. A background
/// sync that changed contacts asks the snapshot's count again.
#[test]
fn a_snapshot_answers_counts_and_select_all_and_a_search_walks_the_api() {
    use inbox_tui::app::msg::{LocalCount, SnapshotSynced};
    use inbox_tui::app::state::{CountPhase, Facets, LocalSnapshot};
    let as_of: jiff::Timestamp = "2026-12-04T12:03:00Z".parse().expect("a timestamp");
    let mut state = browsing();
    state.snapshot = Some(LocalSnapshot {
        as_of: Some(as_of),
        ..LocalSnapshot::default()
    });
    state.focus = Focus::List;
    let commands = press(&mut state, KeyCode::Char('c'));
    let local_run = commands
        .iter()
        .find_map(|command| match command {
            Cmd::CountLocal { run, query } => Some((*run, (**query).clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the snapshot counts: {commands:?}"));
    assert_eq!(local_run.1, state.query);
    assert!(
        !commands
            .iter()
            .any(|command| matches!(command, Cmd::Count { .. })),
        "no walk: {commands:?}"
    );
    let mut facets = Facets::default();
    for contact in contacts(0..3) {
        facets.add(&contact);
    }
    update(
        &mut state,
        Msg::CountedLocally {
            run: local_run.0,
            at: Instant::now(),
            result: Ok(LocalCount {
                counted: 3,
                facets: Box::new(facets.clone()),
                as_of,
            }),
        },
    );
    let count = state.count.as_ref().expect("counted");
    assert_eq!(
        (count.counted, &count.phase, count.as_of, &count.facets),
        (3, &CountPhase::Exact, Some(as_of), &facets)
    );
    let key = inbox_tui::app::state::PageCache::key(&state.query);
    assert_eq!(state.counts_by_query.get(&key), Some(&(3, true)));

    // A background sync that changed nothing moves the age on; one that changed contacts
    // counts again.
    let later: jiff::Timestamp = "2026-12-04T12:04:00Z".parse().expect("a timestamp");
    let synced = |changed| {
        Msg::SnapshotSynced(Some(Ok(SnapshotSynced {
            as_of: later,
            changed,
            changed_at: None,
            requests: 1,
        })))
    };
    assert!(update(&mut state, synced(0)).is_empty());
    assert_eq!(
        state.count.as_ref().and_then(|count| count.as_of),
        Some(later)
    );
    let commands = update(&mut state, synced(2));
    assert!(
        commands
            .iter()
            .any(|command| matches!(command, Cmd::CountLocal { .. })),
        "{commands:?}"
    );
    assert_eq!(
        state.snapshot.as_ref().and_then(|snapshot| snapshot.as_of),
        Some(later)
    );

    // A: from the snapshot too, and the notice says so.
    let commands = press(&mut state, KeyCode::Char('A'));
    let [Cmd::SelectAllLocal { run, query }] = commands.as_slice() else {
        panic!("the snapshot selects: {commands:?}");
    };
    assert_eq!(**query, state.query);
    let run = *run;
    update(&mut state, done(run, &contacts(0..4)));
    assert_eq!(state.selection.len(), 4);
    assert!(
        notice_contains(&state, "4 counted from the snapshot as of 12:04"),
        "{:?}",
        state.status.notice
    );

    // A search text walks the API.
    state.query.search_text = "ann".into();
    let commands = press(&mut state, KeyCode::Char('c'));
    assert!(
        commands.iter().any(|command| matches!(
            command,
            Cmd::Count {
                max_pages: None,
                ..
            }
        )) && !commands
            .iter()
            .any(|command| matches!(command, Cmd::CountLocal { .. })),
        "{commands:?}"
    );
    press(&mut state, KeyCode::Esc);
    state.selection = Default::default();
    let commands = press(&mut state, KeyCode::Char('A'));
    assert!(
        matches!(commands.as_slice(), [Cmd::SelectAllMatching { .. }]),
        "{commands:?}"
    );
    press(&mut state, KeyCode::Esc);

    // Offline, the same query is refused, saying why; nothing is sent.
    if let Some(snapshot) = state.snapshot.as_mut() {
        snapshot.offline = true;
    }
    state.selection = Default::default();
    state.status.notice = None;
    assert!(press(&mut state, KeyCode::Char('A')).is_empty());
    assert!(
        notice_contains(&state, "offline"),
        "{:?}",
        state.status.notice
    );
    let commands = press(&mut state, KeyCode::Char('c'));
    assert!(
        !commands
            .iter()
            .any(|command| matches!(command, Cmd::Count { .. } | Cmd::CountLocal { .. })),
        "{commands:?}"
    );
    assert!(matches!(
        state.count.as_ref().map(|count| &count.phase),
        Some(CountPhase::Failed(why)) if why.contains("offline") && why.contains("searchText")
    ));
}

/// The snapshot's facets, counted from its stored columns, equal the walk's, counted from the
/// contacts, for the same contacts (the switches aside: the snapshot cannot tell "off" from
/// "not said", so it counts every contact as saying).
#[test]
fn the_snapshot_counts_facets_as_the_walk_does() {
    use inbox_tui::app::state::{Facets, RowFacets};
    use inbox_tui::snapshot::Record;
    let mut walked = Facets::default();
    let mut rows = RowFacets::default();
    for contact in contacts(0..200) {
        walked.add(&contact);
        let json = serde_json::to_string(contact.raw()).expect("JSON");
        let record = Record::from_json(&json).expect("a contact");
        rows.add(&record.view());
    }
    let stored = rows.finish();
    assert_eq!(stored.items, walked.items);
    assert_eq!(stored.channels, walked.channels);
    assert!(
        walked.items.len() > 10,
        "the demo contacts spread over values"
    );
}

/// The browser's count from a snapshot with column blocks (counted by dictionary code) gives
/// the same number and the same facets as the walk's, counted from the contacts; filtered to
/// OPEN, likewise for the OPEN contacts.
#[test]
fn the_browsers_count_from_the_column_blocks_equals_the_walks() {
    use inbox_tui::app::state::Facets;
    use inbox_tui::snapshot::Snapshot;
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("snapshot.sqlite");
    let demo = contacts(0..200);
    let mut snapshot = Snapshot::create(&path).expect("created");
    let mut writer = snapshot.begin(true).expect("begin");
    for contact in &demo {
        let json = serde_json::to_string(contact.raw()).expect("JSON");
        writer.put(&json).expect("stored");
    }
    writer.commit(None).expect("committed");
    drop(snapshot);

    let open = Query {
        status: vec![Status::Open],
        ..Query::default()
    };
    for (query, keep) in [(Query::default(), None), (open, Some("OPEN"))] {
        let mut walked = Facets::default();
        let mut expected = 0;
        for contact in demo
            .iter()
            .filter(|contact| keep.is_none_or(|status| contact.status() == Some(status)))
        {
            walked.add(contact);
            expected += 1;
        }
        let counted = inbox_tui::app::local::count(&path, &query).expect("counted");
        assert_eq!(counted.counted, expected, "{query:?}");
        assert_eq!(counted.facets.items, walked.items, "{query:?}");
        assert_eq!(counted.facets.channels, walked.channels, "{query:?}");
        assert!(
            walked.items.len() > 10,
            "the demo contacts spread over values"
        );
    }
}

/// A background round that synced nothing itself (skipped while another process synced)
/// still asks the snapshot's count again when the snapshot changed after that count was made,
/// and leaves it when it did not.
#[test]
fn a_count_from_the_snapshot_is_asked_again_when_another_process_changed_it() {
    use inbox_tui::app::msg::{LocalCount, SnapshotSynced};
    use inbox_tui::app::state::{Facets, LocalSnapshot};
    let counted_at: jiff::Timestamp = "2026-12-04T12:03:00Z".parse().expect("a timestamp");
    let later: jiff::Timestamp = "2026-12-04T12:05:00Z".parse().expect("a timestamp");
    let mut state = browsing();
    state.snapshot = Some(LocalSnapshot {
        as_of: Some(counted_at),
        ..LocalSnapshot::default()
    });
    state.focus = Focus::List;
    let commands = press(&mut state, KeyCode::Char('c'));
    let run = commands
        .iter()
        .find_map(|command| match command {
            Cmd::CountLocal { run, .. } => Some(*run),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the snapshot counts: {commands:?}"));
    update(
        &mut state,
        Msg::CountedLocally {
            run,
            at: Instant::now(),
            result: Ok(LocalCount {
                counted: 3,
                facets: Box::new(Facets::default()),
                as_of: counted_at,
            }),
        },
    );
    let skipped = |as_of, changed_at| {
        Msg::SnapshotSynced(Some(Ok(SnapshotSynced {
            as_of,
            changed: 0,
            changed_at: Some(changed_at),
            requests: 0,
        })))
    };
    assert!(
        update(&mut state, skipped(later, counted_at)).is_empty(),
        "unchanged since the count"
    );
    let latest: jiff::Timestamp = "2026-12-04T12:07:00Z".parse().expect("a timestamp");
    let commands = update(&mut state, skipped(latest, latest));
    assert!(
        commands
            .iter()
            .any(|command| matches!(command, Cmd::CountLocal { .. })),
        "{commands:?}"
    );
}
