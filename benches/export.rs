//! A headless export of 100,000 contacts from the demo API, in contacts per second, at the
//! default concurrency and one page at a time.

use std::collections::HashMap;
use std::sync::LazyLock;

use inbox_tui::api::walk::{DEFAULT_CONCURRENCY, WalkOptions};
use inbox_tui::api::{Client, ClientConfig, Query, Token};
use inbox_tui::demo::{DEFAULT_TOKEN, DemoConfig, DemoServer};
use inbox_tui::export::{self, Destination, ExportFormat, ExportJob, Scope};
use tokio::runtime::Runtime;

const CONTACTS: usize = 100_000;

fn main() {
    LazyLock::force(&FIXTURE);
    divan::main();
}

struct Fixture {
    runtime: Runtime,
    client: Client,
    directory: tempfile::TempDir,
    _server: DemoServer,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let runtime = Runtime::new().expect("a tokio runtime");
    let server = runtime
        .block_on(DemoServer::start(DemoConfig {
            contacts: CONTACTS,
            ..DemoConfig::default()
        }))
        .expect("the demo server starts");
    let client = Client::new(ClientConfig::new(server.url(), Token::new(DEFAULT_TOKEN)))
        .expect("a loopback URL is valid");
    let directory = tempfile::tempdir().expect("a temp dir");
    Fixture {
        runtime,
        client,
        directory,
        _server: server,
    }
});

fn export_all(concurrency: usize, format: ExportFormat) {
    let fixture = &*FIXTURE;
    let job = ExportJob {
        query: Query::default(),
        scope: Scope::Matching,
        format,
        destination: Destination::File(
            fixture
                .directory
                .path()
                .join(format!("all.{}", format.extension())),
        ),
        walk: WalkOptions {
            max_concurrency: concurrency,
            ..WalkOptions::default()
        },
        agent_names: HashMap::new(),
        csv: Default::default(),
        columns: Default::default(),
        limit: None,
    };
    let summary = fixture
        .runtime
        .block_on(export::run(&fixture.client, job, &|_| {}))
        .expect("the export succeeds");
    assert_eq!(summary.contacts, CONTACTS as u64);
}

#[divan::bench(args = [DEFAULT_CONCURRENCY, 1], sample_count = 3, sample_size = 1)]
fn export_100k_csv(bencher: divan::Bencher, concurrency: usize) {
    bencher
        .counter(divan::counter::ItemsCount::new(CONTACTS))
        .bench(|| export_all(concurrency, ExportFormat::Csv));
}

#[divan::bench(args = [DEFAULT_CONCURRENCY], sample_count = 3, sample_size = 1)]
fn export_100k_ndjson(bencher: divan::Bencher, concurrency: usize) {
    bencher
        .counter(divan::counter::ItemsCount::new(CONTACTS))
        .bench(|| export_all(concurrency, ExportFormat::Ndjson));
}
