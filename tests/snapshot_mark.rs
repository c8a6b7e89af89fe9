//! Where an incremental sync stops (issue 24's `read_newer`), staged with chosen moves on the
//! demo server: the contact whose time is the snapshot's mark (the newest one at the last sync)
//! moving itself, a page 1 that ends with that contact, and more contacts moving during a full
//! read than an incremental one would read.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};

use common::{client_for, fetch_all, ids, run_binary_async, start_server_with, text};
use inbox_tui::api::Query;
use inbox_tui::demo::{Dataset, DemoConfig, DemoServer};
use inbox_tui::snapshot::{OnBusy, Snapshot, SyncMode};
use serde_json::Value;

/// Runs `snapshot sync` against `server`, which must succeed; returns its summary line.
async fn sync(server: &DemoServer) -> String {
    let args = ["snapshot", "sync", "--base-url", &server.url()]
        .map(str::to_owned)
        .to_vec();
    let output = run_binary_async(args, Some(server.token().to_owned())).await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    stderr
        .lines()
        .find(|line| line.contains(" sync: "))
        .unwrap_or_else(|| panic!("no summary line: {stderr}"))
        .to_owned()
}

/// The number before "request" or "requests" in a summary line.
fn requests(summary: &str) -> u64 {
    let words: Vec<&str> = summary.split_whitespace().collect();
    let at = words
        .iter()
        .position(|word| word.starts_with("request"))
        .unwrap_or_else(|| panic!("no requests in {summary}"));
    words[at - 1]
        .parse()
        .unwrap_or_else(|_| panic!("{summary}"))
}

fn at(contact: &Value) -> jiff::Timestamp {
    contact["lastMessage"]["at"]
        .as_str()
        .and_then(|at| at.parse().ok())
        .expect("every demo contact has a lastMessage.at")
}

/// A still demo account of 300 contacts (six pages), synced once in full; returns it and its
/// contacts newest first, after checking that the newest one (the snapshot's mark) shares its
/// time with no other, which both tests rely on.
async fn synced_account() -> (DemoServer, Vec<Value>) {
    let server = start_server_with(DemoConfig {
        contacts: 300,
        ..DemoConfig::default()
    })
    .await;
    let contacts = fetch_all(&client_for(&server, server.token()), &Query::default()).await;
    assert_eq!(contacts.len(), 300);
    assert!(
        at(&contacts[0]) > at(&contacts[1]),
        "the mark is one contact's"
    );
    let full = sync(&server).await;
    assert!(full.starts_with("full sync: 300 contacts"), "{full}");
    (server, contacts)
}

/// When the mark's own contact gets a new message, the next sync still stops at page 1, where
/// the contacts older than the mark follow it: one request, and that contact counted as moved.
#[tokio::test(flavor = "multi_thread")]
async fn the_marks_own_contact_moving_is_found_on_page_one() {
    let (server, contacts) = synced_account().await;
    let newest = ids(&contacts)[0].clone();
    assert_eq!(
        server.move_contacts(&[&newest]),
        1,
        "{newest} is a demo contact"
    );
    let summary = sync(&server).await;
    assert!(summary.starts_with("incremental sync:"), "{summary}");
    assert!(summary.contains(" 0 new, 1 moved, "), "{summary}");
    assert_eq!(requests(&summary), 1, "{summary}");
    server.shutdown().await;
}

/// A page that ends with the mark's own contact, unmoved, is not where a sync stops: only a
/// contact older than the mark shows that nothing after it moved (another contact may share
/// the mark's time). After 49 others move, page 1 holds them and then the mark's contact, so
/// the sync reads page 2 as well: two requests, 49 moved.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_ending_at_the_mark_is_read_past() {
    let (server, contacts) = synced_account().await;
    let oldest = ids(&contacts).split_off(251);
    let oldest: Vec<&str> = oldest.iter().map(String::as_str).collect();
    assert_eq!(server.move_contacts(&oldest), 49);
    let page_one = client_for(&server, server.token())
        .fetch_page(&Query::default(), 1)
        .await
        .expect("page 1");
    let last = page_one.contacts.last().map(|contact| contact.to_value());
    assert_eq!(
        last.as_ref().map(|contact| &contact["_id"]),
        Some(&contacts[0]["_id"]),
        "page 1 ends with the mark's contact"
    );
    let summary = sync(&server).await;
    assert!(summary.starts_with("incremental sync:"), "{summary}");
    assert!(summary.contains(" 0 new, 49 moved, "), "{summary}");
    assert_eq!(requests(&summary), 2, "{summary}");
    server.shutdown().await;
}

/// When every contact of a 10,050-contact account moves just as a full read's walk has taken
/// the last of them, the read after the walk meets only contacts newer than the walk's first
/// page and stops at its cap of 200 pages: the sync still completes with all 10,050 contacts
/// and reports exactly the requests the server served, more than the walk's 201 pages and
/// those 200. Its progress, when the walk has taken them all, counts at least their 201 pages.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_read_that_everything_moved_under_counts_every_request() {
    const CONTACTS: u64 = 10_050;
    let server = start_server_with(DemoConfig {
        contacts: CONTACTS as usize,
        ..DemoConfig::default()
    })
    .await;
    let dataset = Dataset::generate(CONTACTS as usize, DemoConfig::default().seed);
    let all: Vec<Value> = (0..dataset.len())
        .map(|at| dataset.contact_json(at))
        .collect();
    let all = ids(&all);
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut snapshot = Snapshot::create(&dir.path().join("moved.sqlite")).expect("created");
    let served = server.requests_served();
    let moved = AtomicBool::new(false);
    let outcome = inbox_tui::snapshot::sync(
        &client_for(&server, server.token()),
        &mut snapshot,
        SyncMode::Full,
        OnBusy::Skip,
        &Default::default(),
        &|contacts, pages| {
            if contacts == CONTACTS && !moved.swap(true, Ordering::SeqCst) {
                assert!(
                    pages >= CONTACTS / 50,
                    "the progress counts the pages read so far: {pages} for {contacts} contacts"
                );
                assert_eq!(server.move_contacts(&all), all.len());
            }
        },
    )
    .await
    .expect("the sync");
    assert!(moved.load(Ordering::SeqCst), "the walk took every contact");
    assert!(outcome.full);
    assert_eq!(outcome.written.new, CONTACTS);
    assert_eq!(outcome.requests, server.requests_served() - served);
    assert!(outcome.requests > 200 + CONTACTS / 50, "{outcome:?}");
    assert_eq!(snapshot.status().expect("status").contacts, CONTACTS);
    server.shutdown().await;
}
