//! The browser's background work (select-all) under the account's pace, against the demo
//! server's live, limited and faulty modes together. A binary of its own, so it does not run
//! beside `tests/pace.rs`'s exports and slow them (their request bounds depend on how many
//! contacts move meanwhile).

mod common;

use std::time::Duration;

use common::{client_for, start_server_with};
use inbox_tui::demo::{DEFAULT_TOKEN, DemoConfig};

/// "Select every matching contact" under the same busy, limited, faulty world, through the
/// walker and the shared background limit the browser uses: every contact exactly once, and a
/// tenth at most of the requests refused.
#[tokio::test(flavor = "multi_thread")]
async fn select_all_in_a_busy_limited_faulty_inbox_is_as_exact_as_the_export() {
    use inbox_tui::api::Query;
    use inbox_tui::api::walk::Background;
    use inbox_tui::app::background::{background_options, collect_matching_ids};

    const CONTACTS: usize = 1500;
    let server = start_server_with(DemoConfig {
        contacts: CONTACTS,
        live_rate: 10.0,
        rate_limit: Some(10.0),
        latency: Duration::from_millis(20),
        fail_rate: 0.05,
        truncate_rate: 0.03,
        ..DemoConfig::default()
    })
    .await;
    let client = client_for(&server, DEFAULT_TOKEN);
    let moves_before = server.moves();
    let (ids, stats) = collect_matching_ids(
        &client,
        &Query::default(),
        &background_options(&Background::default()),
        &|_| {},
    )
    .await
    .expect("select-all finishes");
    let moved = server.moves() - moves_before;
    assert!(moved >= 10, "contacts really moved: {moved}");
    assert_eq!(ids.len(), CONTACTS, "{stats:?}");
    assert_eq!(
        stats.taken, CONTACTS as u64,
        "each contact taken once: {stats:?}"
    );
    let served = server.requests_served();
    let refused = server.requests_refused();
    assert!(
        refused * 10 <= served + refused,
        "{refused} of {} refused: {stats:?}",
        served + refused
    );
    server.shutdown().await;
}
