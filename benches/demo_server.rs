//! Page latency of the demo API over real HTTP, as a client sees it, at two data-set sizes.

use std::sync::LazyLock;

use inbox_tui::api::{Client, ClientConfig, Query, Token};
use inbox_tui::demo::{DEFAULT_TOKEN, DemoConfig, DemoServer};
use tokio::runtime::Runtime;

fn main() {
    // Build both data sets before timing anything: a million contacts take a moment to generate.
    LazyLock::force(&SMALL);
    LazyLock::force(&LARGE);
    divan::main();
}

/// One runtime and one server per size, started once; generating a million contacts is setup,
/// not the thing measured.
struct Fixture {
    runtime: Runtime,
    client: Client,
    /// Kept alive for as long as the benchmarks run.
    _server: DemoServer,
}

fn fixture(contacts: usize) -> Fixture {
    let runtime = Runtime::new().expect("a tokio runtime");
    let server = runtime
        .block_on(DemoServer::start(DemoConfig {
            contacts,
            ..DemoConfig::default()
        }))
        .expect("the demo server starts");
    let client = Client::new(ClientConfig::new(server.url(), Token::new(DEFAULT_TOKEN)))
        .expect("a loopback URL is valid");
    Fixture {
        runtime,
        client,
        _server: server,
    }
}

static SMALL: LazyLock<Fixture> = LazyLock::new(|| fixture(5_000));
static LARGE: LazyLock<Fixture> = LazyLock::new(|| fixture(1_000_000));

fn fetch(fixture: &Fixture, query: &Query, page: u32) {
    let result = fixture
        .runtime
        .block_on(fixture.client.fetch_page(query, page));
    divan::black_box(result.expect("the page is served"));
}

/// A search that fills a page early, and one that matches nobody and so scans every contact.
const SEARCHES: [&str; 2] = ["example.org", "no-such-contact"];

fn search(text: &str) -> Query {
    Query {
        search_text: text.into(),
        ..Query::default()
    }
}

#[divan::bench(args = [1, 40])]
fn page_5k_unfiltered(page: u32) {
    fetch(&SMALL, &Query::default(), page);
}

#[divan::bench(args = SEARCHES)]
fn page_5k_search(text: &str) {
    fetch(&SMALL, &search(text), 1);
}

#[divan::bench(args = [1, 10_000], sample_count = 20)]
fn page_1m_unfiltered(page: u32) {
    fetch(&LARGE, &Query::default(), page);
}

#[divan::bench(args = SEARCHES, sample_count = 20)]
fn page_1m_search(text: &str) {
    fetch(&LARGE, &search(text), 1);
}
